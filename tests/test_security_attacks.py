"""Forged, oversized and guessing requests against every form and URL of the app, counted:
cross-site request forgery, state changes by GET, bodies over the limit, guessed secret
links. Malformed input is in test_security_malformed.py, XSS in test_security_xss.py; the
figures are in SECURITY.md."""

import secrets

import pytest

from signup.extensions import db
from signup.registrations.models import Registration
from signup.staff import services as staff_services
from signup.staff.models import Role, StaffUser
from tests.factories import (
    STAFF_PASSWORD,
    create_organisation,
    create_staff,
    create_workshop,
    csrf_token,
    failed_message,
    hidden_fields,
    log_in,
    register,
)
from tests.hostile import cheap_passwords, count, post_form, print_tally  # noqa: F401
from tests.test_staff_isolation import snapshot

ORGANISER = "orga@ki.example"


@pytest.fixture
def world(app):
    return make_world()


def make_world() -> dict:
    """An organisation with an organiser and a colleague, a workshop that asks everything,
    a confirmed and a waiting family; the values every URL of the app needs."""
    organisation = create_organisation("KI Sicher")
    organiser = create_staff(organisation, Role.ORGANISER, ORGANISER, name="Orga")
    colleague = create_staff(organisation, Role.ASSISTANT, "kollegin@ki.example", name="K")
    workshop = create_workshop(
        organisations=[organisation],
        capacity=1,
        optional_fields="surname,gender,school,school_year,health,pickup",
        photo_uses="internal,website,press,social",
    )
    confirmed = register(workshop, "Amira", email="eltern@example.org")
    register(workshop, "Jonas")  # waiting: the move-up route has a target
    registration = db.session.get(Registration, confirmed.registration.id)
    reset_token = staff_services.issue_reset_link(
        db.session, db.session.get(StaffUser, colleague.id)
    )
    values = {
        "slug": workshop.slug,
        "token": confirmed.token,
        "workshop_id": workshop.id,
        "date_id": workshop.dates[0].id,
        "registration_id": registration.id,
        "participant_id": registration.participants[0].id,
        "user_id": colleague.id,
        "membership_id": colleague.memberships[0].id,
        "organiser_id": organiser.id,
        "code": registration.checkin_code,
        "format": "csv",
        "filename": "style.css",
        "reset_token": reset_token,
        "organisation_id": organisation.id,
        "purpose": "photo_website",
        "message_id": failed_message(registration).id,
    }
    db.session.commit()
    return values


def url_for_rule(rule, values) -> str:
    """Build a rule's URL with real ids; the reset link takes the colleague's reset token."""
    if rule.endpoint == "staff.reset_password":
        values = {**values, "token": values["reset_token"]}
    missing = rule.arguments - set(values)
    assert not missing, f"teach this test the argument(s) {missing} of {rule.rule}"
    return rule.build({name: values[name] for name in rule.arguments})[1]


#: Requests that end what later requests of a walk need: the session, the family's link.
LAST = (
    "registrations.renew_link",
    "registrations.delete_registration",
    "manage_registrations.delete_registration_staff",
    "staff.logout",
)


def routes(app, method: str):
    """Every rule that answers `method`; those that end the session or the link come last."""
    rules = [r for r in app.url_map.iter_rules() if method in r.methods]
    return sorted(
        rules, key=lambda r: (LAST.index(r.endpoint) if r.endpoint in LAST else -1, r.rule)
    )


def organiser_client(app):
    client = app.test_client()
    assert log_in(client, ORGANISER).status_code == 302
    return client


def assert_friendly(response, *statuses) -> None:
    """A page of our own with the expected status: never a stack trace, never a 500.

    Closes the response (a static file is streamed from an open file).
    """
    data = response.get_data()
    response.close()
    assert response.status_code in statuses, (response.request.path, response.status_code)
    assert b"Traceback" not in data and b"sqlalchemy" not in data.lower()


# Cross-site request forgery

#: One body that would be a valid submission of any form in the app, but for its token.
PLAUSIBLE = {
    "children-0-first_name": "Mia",
    "children-0-age": "9",
    "phone": "0151 23456789",
    "email": "neu@example.org",
    "consent_participation": "y",
    "consent_channel": "paper",
    "submit": "1",
    "text": "Notiz",
    "first_name": "Mia",
    "age": "9",
    "consent": "y",
    "present": "1",
    "received": "1",
    "status": "closed",
    "role": "organiser",
    "display_name": "Neu",
    "group_name": "Klasse 4b",
    "responsible_adult": "Frau Berg",
    "headcount": "1",
    "youngest_age": "9",
    "language": "de",
    "password": "ein langes neues Passwort",
    "confirm": "ein langes neues Passwort",
    "current": STAFF_PASSWORD,
}
#: Forms that check their own token, to keep what was typed: they answer 422 with the form.
SELF_CHECKING = {
    "workshops.show_workshop",
    "assisted.new_assisted_registration",
    "assisted.new_group_registration",
}


def form_url(rule, values) -> str:
    url = url_for_rule(rule, values)
    return url + "?family_language=de" if rule.endpoint.startswith("assisted.") else url


def test_every_form_refuses_a_post_without_a_valid_token(app, world):
    client = organiser_client(app)
    stranger = app.test_client()
    tokens = {"none": None, "empty": "", "from another session": csrf_token(stranger)}
    tokens["tampered"] = csrf_token(client, "/staff/password")[:-2] + "xx"
    before = snapshot()
    for rule in routes(app, "POST"):
        url = form_url(rule, world)
        for label, token in tokens.items():
            body = PLAUSIBLE if token is None else {**PLAUSIBLE, "csrf_token": token}
            response = client.post(url, data=body)
            expected = 422 if rule.endpoint in SELF_CHECKING else 400
            assert response.status_code == expected, (url, label, response.status_code)
            assert "lange offen" in response.get_data(as_text=True), (url, label)
            count("csrf: post without a valid token", f"refused {expected}")
    assert snapshot() == before
    assert client.get("/staff/").status_code == 200  # the forged logout did not log out
    walked = {rule.endpoint for rule in routes(app, "POST")}
    assert {"staff.logout", "staff.login", "workshops.show_workshop"} <= walked
    assert len(walked) >= 23


def test_the_same_posts_with_the_token_do_work(app, world):
    """The forms above were refused for their token alone: with it, each does its job."""
    client = organiser_client(app)
    token = csrf_token(client, "/staff/password")
    checks = [
        (f"/w/{world['slug']}", 302),
        (f"/staff/registrations/{world['registration_id']}/notes", 302),
        ("/staff/colleagues", 200),
        (f"/staff/workshops/{world['workshop_id']}/group", 200),
        ("/staff/logout", 302),
    ]
    for url, expected in checks:
        data = {**PLAUSIBLE, "csrf_token": token}
        if url.startswith("/w/"):
            data.update(hidden_fields(client.get(url).get_data(as_text=True)))
        response = client.post(url, data=data)
        assert response.status_code == expected, (url, response.status_code)
    assert client.get("/staff/").status_code == 302  # logged out for real


def test_no_get_request_changes_anything_but_the_audit_log(app, world):
    """Every GET, as an organiser and as a family, leaves the database as it was.

    Only the audit log grows: staff pages record who viewed a list or a registration.
    """
    client = organiser_client(app)
    family = app.test_client()
    before = snapshot()
    before.pop("audit_entries")
    for rule in routes(app, "GET"):
        url = form_url(rule, world)
        for visitor in (client, family):
            response = visitor.get(url)
            assert_friendly(response, 200, 302, 403, 404)
            count("get changes nothing", "unchanged")
    after = snapshot()
    after.pop("audit_entries")
    assert after == before
    assert client.get("/staff/logout").status_code == 405
    assert client.get("/staff/").status_code == 200


# Oversized bodies


def test_bodies_over_the_limit_get_a_friendly_413_and_change_nothing(app, world):
    client = organiser_client(app)
    token = csrf_token(client, "/staff/password")
    limit = app.config["MAX_CONTENT_LENGTH"]
    parts = app.config["MAX_FORM_PARTS"]
    urls = [
        f"/w/{world['slug']}",
        f"/r/{world['token']}/cancel",
        "/staff/login",
        f"/staff/workshops/{world['workshop_id']}/assist?family_language=de",
        f"/staff/registrations/{world['registration_id']}/notes",
    ]
    before = snapshot()
    for url in urls:
        big = [("csrf_token", token), ("children-0-first_name", "A" * limit)]
        response = post_form(client, url, big)
        assert_friendly(response, 413)
        assert "Zu viele Angaben" in response.get_data(as_text=True)
        count("oversized body", "413")
        # Werkzeug counts parts in multipart bodies only; an urlencoded one is bounded by its
        # size, and the forms refuse rows beyond their limits.
        many = [(f"children-{n}-age", "9") for n in range(parts + 50)]
        response = post_form(client, url, many)
        assert_friendly(response, 400, 413, 422)
        count("too many form parts (urlencoded)", str(response.status_code))
        response = client.post(
            url,
            data={f"f{n}": "x" for n in range(parts + 50)},
            content_type="multipart/form-data",
        )
        assert_friendly(response, 400, 413)
        count("too many form parts (multipart)", str(response.status_code))
    assert snapshot() == before


# Guessing a secret link

#: Guesses at the family page and its cancel page; every other secret URL gets a quarter.
GUESSES = 200


def secret_urls(app) -> list[str]:
    """Every page behind a family's secret link, with {} for the token: /r/{}, /r/{}/cancel …"""
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/r/<token>")]
    return sorted(r.rule.replace("<token>", "{}") for r in rules if "GET" in r.methods)


def not_found_page(client, template: str, token: str) -> bytes:
    """The 404 page for a token, with the token itself (in the language links) left out."""
    response = client.get(template.format(token))
    assert response.status_code == 404, template.format(token)
    return response.get_data().replace(token.encode(), b"<token>")


def near_misses(real: str) -> list[str]:
    flipped = real[:-1] + ("A" if real[-1] != "A" else "B")
    return [real[:-1], flipped, real + "A", real.swapcase(), real[:22], real[::-1]]


def test_guessed_family_links_all_get_the_same_not_found(app, world):
    client = app.test_client()
    real = world["token"]
    assert len(real) >= 43  # 256 bits
    templates = secret_urls(app)
    assert {"/r/{}", "/r/{}/cancel", "/r/{}/confirmation.pdf"} <= set(templates)
    for template in templates:
        assert client.get(template.format(real)).status_code == 200, template
    reference = {t: not_found_page(client, t, secrets.token_urlsafe(32)) for t in templates}
    guesses = [secrets.token_urlsafe(32) for _ in range(GUESSES)] + near_misses(real)
    for template in templates:
        tried = guesses if template in {"/r/{}", "/r/{}/cancel"} else guesses[-GUESSES // 4 :]
        for token in tried:
            assert not_found_page(client, template, token) == reference[template]
            count("token guessing", "404, the same page as for no token")
    token = csrf_token(client, f"/r/{real}/cancel")
    before = snapshot()
    for guess in guesses[-GUESSES // 4 :]:
        response = client.post(f"/r/{guess}/cancel", data={"csrf_token": token})
        assert response.status_code == 404
        count("token guessing", "cancel by POST: 404, nothing changed")
    assert snapshot() == before
    assert client.get(f"/r/{real}").status_code == 200


def test_guessed_password_links_all_get_the_same_not_found(app, world):
    client = app.test_client()
    real = world["reset_token"]
    assert client.get(f"/staff/reset/{real}").status_code == 200
    reference = not_found_page(client, "/staff/reset/{}", secrets.token_urlsafe(32))
    for guess in [secrets.token_urlsafe(32) for _ in range(GUESSES // 4)] + near_misses(real):
        assert not_found_page(client, "/staff/reset/{}", guess) == reference
        count("token guessing", "password link: 404, the same page")


def test_only_a_hash_of_each_secret_is_stored(app, world):
    stored = repr(snapshot())
    assert world["token"] not in stored
    assert world["reset_token"] not in stored
