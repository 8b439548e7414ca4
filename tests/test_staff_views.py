"""Staff accounts: log in and out, throttling, passwords, reset links, colleagues, the dashboard."""

import re
from datetime import timedelta

import sqlalchemy as sa

from signup.extensions import db
from signup.models_base import utcnow
from signup.staff import services
from signup.staff.models import AuditEntry, LoginThrottle, Membership, Role, StaffUser
from tests.factories import (
    STAFF_PASSWORD,
    create_organisation,
    create_workshop,
    register,
)
from tests.factories import (
    csrf_token as csrf,
)
from tests.factories import (
    log_in as staff_login,
)

PASSWORD = STAFF_PASSWORD


def make_user(
    email="ana@ki.example", role=Role.ORGANISER, organisation=None, password=PASSWORD, name="Ana"
):
    organisation = organisation or create_organisation("KI Bottrop")
    user = services.create_user(db.session, email, name, password, organisation, role)
    db.session.commit()
    return user


def log_in(client, email="ana@ki.example", password=PASSWORD):
    return staff_login(client, email, password)


def test_staff_pages_send_anonymous_visitors_to_the_login(client):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login?next=")


def test_login_with_the_right_password_opens_the_dashboard(client):
    make_user()
    response = log_in(client)
    assert response.headers["Location"] == "/staff/"
    html = client.get("/staff/").get_data(as_text=True)
    assert "Übersicht" in html and "Abmelden (Ana)" in html


def test_login_follows_next_only_within_the_site(client):
    make_user()
    data = {"email": "ana@ki.example", "password": PASSWORD, "csrf_token": csrf(client)}
    assert (
        client.post("/staff/login?next=//evil.example/x", data=data).headers["Location"]
        == "/staff/"
    )


def test_wrong_password_says_so_without_telling_which_part(client):
    make_user()
    response = log_in(client, password="wrong password")
    assert response.status_code == 401
    assert "E-Mail oder Passwort stimmen nicht." in response.get_data(as_text=True)
    assert 'value="ana@ki.example"' in response.get_data(as_text=True)
    assert 'value="wrong password"' not in response.get_data(as_text=True)


def test_repeated_failures_slow_down_and_then_block(client):
    make_user()
    for _ in range(services.FREE_FAILURES):
        assert log_in(client, password="nope").status_code == 401
    assert log_in(client, password="nope").status_code == 401  # the fourth sets a wait
    blocked = log_in(client)  # even the right password waits now
    assert blocked.status_code == 429
    assert "Zu viele Versuche. Bitte warten Sie bis" in blocked.get_data(as_text=True)


def test_blocks_grow_but_never_beyond_fifteen_minutes(app):
    keys = services.throttle_keys("x@y.z", "10.0.0.1")
    now = utcnow()
    for _ in range(30):
        services.record_failure(db.session, keys, now)
    throttle = db.session.get(LoginThrottle, keys[0])
    assert throttle.locked_until - now == services.LONGEST_BLOCK


def test_a_quiet_hour_forgets_old_failures(app):
    keys = services.throttle_keys("x@y.z", None)
    long_ago = utcnow() - timedelta(hours=2)
    for _ in range(5):
        services.record_failure(db.session, keys, long_ago)
    services.record_failure(db.session, keys)
    assert db.session.get(LoginThrottle, keys[0]).failures == 1


def test_logout_is_a_post_only(client):
    make_user()
    log_in(client)
    assert client.get("/staff/logout").status_code == 405
    token = csrf(client, "/staff/")
    client.post("/staff/logout", data={"csrf_token": token})
    assert client.get("/staff/").status_code == 302


def test_inactive_accounts_cannot_log_in(client):
    user = make_user()
    user.active = False
    db.session.commit()
    assert log_in(client).status_code == 401


def test_password_is_stored_as_a_salted_hash(app):
    user = make_user()
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))
    assert user.check_password(PASSWORD) and not user.check_password(PASSWORD + "x")


def test_change_password_checks_the_old_one_and_the_length(client):
    make_user()
    log_in(client)
    token = csrf(client, "/staff/password")
    short = client.post(
        "/staff/password",
        data={"csrf_token": token, "current": PASSWORD, "password": "short", "confirm": "short"},
    )
    assert "Das Passwort braucht mindestens 10 Zeichen." in short.get_data(as_text=True)
    wrong = client.post(
        "/staff/password",
        data={
            "csrf_token": token,
            "current": "nope",
            "password": "a much longer one",
            "confirm": "a much longer one",
        },
    )
    assert "Das bisherige Passwort stimmt nicht." in wrong.get_data(as_text=True)
    ok = client.post(
        "/staff/password",
        data={
            "csrf_token": token,
            "current": PASSWORD,
            "password": "a much longer one",
            "confirm": "a much longer one",
        },
    )
    assert ok.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(StaffUser)).check_password("a much longer one")


def test_organiser_makes_a_one_time_reset_link_for_a_colleague(app, client):
    organisation = create_organisation("KI Bottrop")
    make_user(organisation=organisation)
    colleague = make_user("ben@ki.example", Role.ASSISTANT, organisation, name="Ben")
    log_in(client)
    page = client.get("/staff/colleagues").get_data(as_text=True)
    assert "ben@ki.example" in page
    token = csrf(client, "/staff/colleagues")
    shown = client.post(f"/staff/colleagues/{colleague.id}/reset", data={"csrf_token": token})
    link = re.search(r"/staff/reset/[A-Za-z0-9_-]+", shown.get_data(as_text=True)).group(0)
    assert db.session.scalar(sa.select(AuditEntry.action)) == "reset_link"

    other_browser = app.test_client()
    form = csrf(other_browser, link)
    response = other_browser.post(
        link,
        data={"csrf_token": form, "password": "brand new secret", "confirm": "brand new secret"},
    )
    assert response.headers["Location"] == "/staff/login"
    assert other_browser.get(link).status_code == 404  # only once
    db.session.expire_all()
    assert db.session.get(StaffUser, colleague.id).check_password("brand new secret")


def test_reset_links_expire(app):
    user = make_user()
    token = services.issue_reset_link(db.session, user, now=utcnow() - timedelta(days=2))
    assert services.user_for_reset(db.session, token) is None


def test_assistants_and_strangers_cannot_make_reset_links(app, client):
    organisation = create_organisation("KI Bottrop")
    make_user("boss@ki.example", Role.ORGANISER, organisation)
    make_user("ana@ki.example", Role.ASSISTANT, organisation)
    stranger = make_user("eve@other.example", Role.ORGANISER, create_organisation("Other"))
    log_in(client)
    assert client.get("/staff/colleagues").status_code == 403
    other = app.test_client()
    log_in(other, "eve@other.example")
    token = csrf(other, "/staff/colleagues")
    boss = db.session.scalar(sa.select(StaffUser).filter_by(email="boss@ki.example"))
    assert (
        other.post(f"/staff/colleagues/{boss.id}/reset", data={"csrf_token": token}).status_code
        == 404
    )
    assert stranger.reset_token_hash is None


def add_form(client, **fields) -> dict:
    """The add-a-colleague form as posted, for Ben as an assistant; override any field."""
    data = {"display_name": "Ben", "email": "ben@ki.example", "role": "assistant"}
    data.update(fields, csrf_token=csrf(client, "/staff/colleagues"))
    return data


def membership(email: str, organisation) -> Membership | None:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(Membership)
        .join(Membership.user)
        .where(StaffUser.email == email, Membership.organisation_id == organisation.id)
    )


def audit_trail() -> list[tuple]:
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(
            AuditEntry.action, AuditEntry.subject, AuditEntry.organisation_id, AuditEntry.detail
        ).order_by(AuditEntry.id)
    )
    return [tuple(row) for row in rows]


def test_a_new_colleague_gets_a_link_to_set_a_password_and_logs_in(app, client):
    organisation = create_organisation("KI Bottrop")
    make_user(organisation=organisation)
    log_in(client)
    page = client.get("/staff/colleagues").get_data(as_text=True)
    assert "Kollegin oder Kollegen hinzufügen" in page and "<select" not in page
    assert 'value="assistant" checked' in page  # assistant unless chosen otherwise

    shown = client.post("/staff/colleagues", data=add_form(client, email=" Ben@KI.example "))
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert "Link zum Festlegen des Passworts" in html and "24 Stunden und nur einmal" in html
    ben = membership("ben@ki.example", organisation)
    assert ben.role == Role.ASSISTANT and ben.user.display_name == "Ben"
    assert audit_trail() == [
        ("colleague_added", f"staff:{ben.user_id}", organisation.id, "role: assistant")
    ]

    browser = app.test_client()
    link = re.search(r"/staff/reset/[A-Za-z0-9_-]+", html).group(0)
    data = {
        "csrf_token": csrf(browser, link),
        "password": "bens own secret",
        "confirm": "bens own secret",
    }
    assert browser.post(link, data=data).headers["Location"] == "/staff/login"
    assert log_in(browser, "ben@ki.example", "bens own secret").headers["Location"] == "/staff/"


def test_an_existing_account_joins_a_second_organisation_without_a_link(client):
    bottrop, muelheim = create_organisation("KI Bottrop"), create_organisation("KI Mülheim")
    ana = make_user(organisation=bottrop)
    services.create_user(db.session, "x@x.example", "X", PASSWORD, muelheim)  # another organiser
    ana.memberships.append(Membership(organisation=muelheim, role=Role.ORGANISER))
    ben = make_user("ben@ki.example", Role.ASSISTANT, bottrop, name="Ben")
    log_in(client)
    assert "<select" in client.get("/staff/colleagues").get_data(as_text=True)

    data = add_form(client, display_name="Benjamin", organisation=muelheim.id, role="organiser")
    response = client.post("/staff/colleagues", data=data, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "hat schon ein Konto" in html and "Ein Link ist nicht nötig." in html
    assert membership("ben@ki.example", muelheim).role == Role.ORGANISER
    assert membership("ben@ki.example", bottrop).role == Role.ASSISTANT
    ben = db.session.get(StaffUser, ben.id)
    assert ben.display_name == "Ben" and ben.reset_token_hash is None
    assert ben.check_password(PASSWORD)
    assert audit_trail() == [("colleague_added", f"staff:{ben.id}", muelheim.id, "role: organiser")]


def test_adding_a_member_again_is_an_error_at_the_email_with_the_typed_values_kept(client):
    organisation = create_organisation("KI Bottrop")
    make_user(organisation=organisation)
    make_user("ben@ki.example", Role.ASSISTANT, organisation, name="Ben")
    log_in(client)
    data = add_form(client, display_name="Benjamin", email="BEN@ki.example", role="organiser")
    response = client.post("/staff/colleagues", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<p class="error" id="email-error">Diese Person gehört schon zu KI Bottrop.' in html
    assert 'aria-describedby="email-error"' in html and 'href="#email"' in html
    assert 'value="Benjamin"' in html and 'value="BEN@ki.example"' in html
    assert 'value="organiser" checked' in html
    assert membership("ben@ki.example", organisation).role == Role.ASSISTANT
    assert audit_trail() == []


def test_organiser_changes_a_colleague_role_and_back(client):
    organisation = create_organisation("KI Bottrop")
    make_user(organisation=organisation)
    ben = make_user("ben@ki.example", Role.ASSISTANT, organisation, name="Ben").memberships[0]
    log_in(client)
    url = f"/staff/colleagues/memberships/{ben.id}/role"
    token = csrf(client, "/staff/colleagues")
    response = client.post(url, data={"csrf_token": token, "role": "organiser"})
    assert response.headers["Location"] == "/staff/colleagues"
    assert membership("ben@ki.example", organisation).role == Role.ORGANISER
    client.post(url, data={"csrf_token": token, "role": "assistant"})
    assert membership("ben@ki.example", organisation).role == Role.ASSISTANT
    subject = f"staff:{ben.user_id}"
    assert audit_trail() == [
        ("role_changed", subject, organisation.id, "role: assistant → organiser"),
        ("role_changed", subject, organisation.id, "role: organiser → assistant"),
    ]
    html = client.get("/staff/colleagues").get_data(as_text=True)
    assert "Die Rolle von Ben in KI Bottrop ist jetzt: Assistenz." in html


def test_organiser_removes_a_colleague_after_confirming_and_the_account_stays(client):
    organisation = create_organisation("KI Bottrop")
    make_user(organisation=organisation)
    ben = make_user("ben@ki.example", Role.ASSISTANT, organisation, name="Ben")
    log_in(client)
    url = f"/staff/colleagues/memberships/{ben.memberships[0].id}/remove"
    assert "gehört dann nicht mehr zu" in client.get(url).get_data(as_text=True)
    assert membership("ben@ki.example", organisation) is not None  # asking changes nothing
    response = client.post(url, data={"csrf_token": csrf(client, url)}, follow_redirects=True)
    assert "Ben gehört nicht mehr zu KI Bottrop." in response.get_data(as_text=True)
    assert membership("ben@ki.example", organisation) is None
    assert db.session.get(StaffUser, ben.id).active
    assert audit_trail() == [
        ("colleague_removed", f"staff:{ben.id}", organisation.id, "role: assistant")
    ]


def test_the_last_organiser_can_be_neither_demoted_nor_removed(client):
    organisation = create_organisation("KI Bottrop")
    own = make_user(organisation=organisation).memberships[0]
    ben = make_user("ben@ki.example", Role.ASSISTANT, organisation, name="Ben").memberships[0]
    log_in(client)
    token = csrf(client, "/staff/colleagues")
    base = f"/staff/colleagues/memberships/{own.id}"
    for response in (
        client.post(f"{base}/role", data={"csrf_token": token, "role": "assistant"}),
        client.post(f"{base}/remove", data={"csrf_token": token}),
    ):
        assert response.status_code == 409
        assert "KI Bottrop braucht mindestens eine Leitung." in response.get_data(as_text=True)
    assert membership("ana@ki.example", organisation).role == Role.ORGANISER
    assert audit_trail() == []

    url = f"/staff/colleagues/memberships/{ben.id}/role"
    client.post(url, data={"csrf_token": token, "role": "organiser"})
    response = client.post(f"{base}/role", data={"csrf_token": token, "role": "assistant"})
    assert response.headers["Location"] == "/staff/"  # no longer leads anything
    assert membership("ana@ki.example", organisation).role == Role.ASSISTANT


def test_assistants_may_not_manage_colleagues(app, client):
    organisation = create_organisation("KI Bottrop")
    boss = make_user("boss@ki.example", Role.ORGANISER, organisation).memberships[0]
    make_user("ana@ki.example", Role.ASSISTANT, organisation)
    log_in(client)
    token = csrf(client, "/staff/password")
    before = audit_trail(), membership("boss@ki.example", organisation).role
    data = {"csrf_token": token, "role": "assistant", "display_name": "X", "email": "x@x.example"}
    for method, url in [
        ("GET", "/staff/colleagues"),
        ("POST", "/staff/colleagues"),
        ("POST", f"/staff/colleagues/memberships/{boss.id}/role"),
        ("GET", f"/staff/colleagues/memberships/{boss.id}/remove"),
        ("POST", f"/staff/colleagues/memberships/{boss.id}/remove"),
    ]:
        assert client.open(url, method=method, data=data).status_code == 403, url
    assert (audit_trail(), membership("boss@ki.example", organisation).role) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StaffUser)) == 2


def test_organisers_of_another_organisation_find_nothing(client):
    organisation = create_organisation("KI Bottrop")
    boss = make_user("boss@ki.example", Role.ORGANISER, organisation).memberships[0]
    eve = make_user("eve@other.example", Role.ORGANISER, create_organisation("Other"))
    eve.memberships.append(
        Membership(organisation=create_organisation("Other 2"), role=Role.ORGANISER)
    )
    db.session.commit()
    log_in(client, "eve@other.example")
    token = csrf(client, "/staff/colleagues")
    for method, url in [
        ("POST", f"/staff/colleagues/memberships/{boss.id}/role"),
        ("GET", f"/staff/colleagues/memberships/{boss.id}/remove"),
        ("POST", f"/staff/colleagues/memberships/{boss.id}/remove"),
    ]:
        response = client.open(url, method=method, data={"csrf_token": token, "role": "assistant"})
        assert response.status_code == 404, url
    response = client.post("/staff/colleagues", data=add_form(client, organisation=organisation.id))
    assert response.status_code == 422
    assert "Bitte wählen Sie eine Organisation." in response.get_data(as_text=True)
    assert "boss@ki.example" not in client.get("/staff/colleagues").get_data(as_text=True)
    assert membership("ben@ki.example", organisation) is None
    assert membership("boss@ki.example", organisation).role == Role.ORGANISER


def test_adding_someone_elses_account_gives_no_power_over_its_password(client):
    organisation = create_organisation("KI Bottrop")
    boss = make_user("boss@ki.example", Role.ORGANISER, organisation)
    make_user("eve@other.example", Role.ORGANISER, create_organisation("Other"))
    log_in(client, "eve@other.example")
    client.post("/staff/colleagues", data=add_form(client, email="boss@ki.example"))
    page = client.get("/staff/colleagues").get_data(as_text=True)
    assert "boss@ki.example" in page and f"/staff/colleagues/{boss.id}/reset" not in page
    token = csrf(client, "/staff/colleagues")
    response = client.post(f"/staff/colleagues/{boss.id}/reset", data={"csrf_token": token})
    assert response.status_code == 403
    assert db.session.get(StaffUser, boss.id).reset_token_hash is None


def test_hostile_input_to_the_colleague_forms_is_refused_or_cleaned(client):
    organisation = create_organisation("KI Bottrop")
    make_user(organisation=organisation)
    ben = make_user("ben@ki.example", Role.ASSISTANT, organisation, name="Ben").memberships[0]
    log_in(client)
    for fields, error_at in [
        ({"display_name": "B" * 10_000}, "display_name"),
        ({"display_name": "\u202e\u200f \x00\x07"}, "display_name"),
        ({"email": "ben\x00@ki.example\r\nBcc: x@y.example"}, "email"),
        ({"email": "🧪@🧪"}, "email"),
        ({"email": "a" * 10_000 + "@ki.example"}, "email"),
        ({"role": "admin"}, "role-assistant"),
        ({"role": ["organiser", "assistant"] * 500}, None),
    ]:
        response = client.post("/staff/colleagues", data=add_form(client, **fields))
        assert response.status_code in {413, 422}, fields
        if error_at:
            assert f'href="#{error_at}"' in response.get_data(as_text=True)
    name = "\u202eBen\u200f 🧪 \u0628\u0646\x07"
    response = client.post(
        "/staff/colleagues", data=add_form(client, email="b2@ki.example", display_name=name)
    )
    assert response.status_code == 200
    assert membership("b2@ki.example", organisation).user.display_name == "Ben 🧪 \u0628\u0646"

    url = f"/staff/colleagues/memberships/{ben.id}"
    token = csrf(client, "/staff/colleagues")
    for role in ("boss", "", "\x00", "organiser" * 1000):
        assert (
            client.post(f"{url}/role", data={"csrf_token": token, "role": role}).status_code == 422
        )
    for method, target in [
        ("POST", "/staff/colleagues"),
        ("POST", f"{url}/role"),
        ("POST", f"{url}/remove"),
    ]:
        response = client.open(
            target, method=method, data={"role": "organiser", "email": "c@ki.example"}
        )
        assert response.status_code == 400, target
    assert (
        client.post(
            "/staff/colleagues/memberships/99999999999/remove", data={"csrf_token": token}
        ).status_code
        == 404
    )
    assert membership("ben@ki.example", organisation).role == Role.ASSISTANT
    assert membership("c@ki.example", organisation) is None


def test_dashboard_shows_only_the_own_organisations_workshops_with_figures(client):
    mine = create_organisation("KI Bottrop")
    shared_partner = create_organisation("zdi Bottrop")
    make_user(organisation=mine)
    own = create_workshop(texts={"de": "KI4U"}, capacity=1, organisations=[mine, shared_partner])
    create_workshop(texts={"de": "Fremder Workshop"})
    register(own, "Amira")
    register(own, "Jonas")
    log_in(client)
    html = client.get("/staff/").get_data(as_text=True)
    assert "KI4U" in html and "Fremder Workshop" not in html
    assert "1 / 1" in html  # places taken / places
    assert re.search(r"<td>1</td>\s*<td>0</td>", html)  # one waiting, no slip missing


def test_user_create_command_makes_the_first_account(runner):
    result = runner.invoke(
        args=[
            "user",
            "create",
            "--email",
            "First@KI.example",
            "--name",
            "Ana",
            "--organisation",
            "ki",
            "--organisation-name",
            "KI Bottrop",
            "--role",
            "organiser",
        ],
        input="a long password\na long password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(StaffUser))
    assert user.email == "first@ki.example" and user.memberships[0].role == Role.ORGANISER
    again = runner.invoke(
        args=[
            "user",
            "create",
            "--email",
            "first@ki.example",
            "--name",
            "A",
            "--password",
            "another long one",
        ]
    )
    assert again.exit_code != 0 and "already an account" in again.output
    short = runner.invoke(
        args=["user", "create", "--email", "b@ki.example", "--name", "B", "--password", "short"]
    )
    assert short.exit_code != 0 and "at least 10" in short.output
