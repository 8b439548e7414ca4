"""The privacy notice, the organisers' privacy settings, minimal forms, and no tracking."""

import html as html_lib
import re
from datetime import date

import pytest
import sqlalchemy as sa
from babel.dates import format_date

from signup.extensions import db
from signup.i18n import LANGUAGE_COOKIE
from signup.registrations.models import Participant
from signup.staff.models import NRW_AUTHORITY, AuditEntry, Organisation, Role
from signup.workshops.models import WorkshopStatus
from tests.factories import (
    create_organisation,
    create_staff,
    create_workshop,
    csrf_token,
    hidden_fields,
    log_in,
    register,
    signup_data,
)
from tests.pdfs import text_of
from tests.test_i18n_pages import catalog

SHEETS_BASIS = (
    "Ein Geldgeber verlangt, dass die Anwesenheitslisten aufbewahrt werden. "
    "Rechtsgrundlage dafür ist Art. 6 Abs. 1 Buchst. c und e DSGVO."
)
CONSENT_BASIS = (
    "Rechtsgrundlage ist Ihre Einwilligung (Art. 6 Abs. 1 Buchst. a DSGVO), "
    "bei Angaben zur Gesundheit Art. 9 Abs. 2 Buchst. a DSGVO."
)

DAYS = [date(2031, 4, 14), date(2031, 4, 15)]


@pytest.fixture
def settled(app):
    """A workshop run by an organisation that filled in its privacy settings and keeps sheets."""
    organisation = create_organisation(
        "KI Bottrop",
        postal_address="Rathausplatz 1\n46236 Bottrop",
        privacy_email="datenschutz@ki-bottrop.example",
        dpo_contact="Frau Dr. Datenschutz, dsb@bottrop.example",
        retention_days=60,
        health_retention_days=14,
        sheet_retention_years=5,
    )
    return create_workshop(organisations=[organisation], days=DAYS, optional_fields="health")


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


@pytest.mark.parametrize("language", ["de", "tr", "ar", "uk"])
def test_notice_names_the_organisation_and_the_dates_in_the_language(client, settled, language):
    html = text(client.get(f"/w/{settled.slug}/privacy?lang={language}"))
    assert f'<html lang="{language}"' in html
    for fact in ("Rathausplatz 1", "46236 Bottrop", "datenschutz@ki-bottrop.example"):
        assert fact in html
    assert "dsb@bottrop.example" in html
    assert "Kavalleriestraße 2–4, 40213 Düsseldorf" in html
    # Health notes 14 days after the last date, the rest after 60, the sheets to the end of 2036.
    for day in (date(2031, 4, 29), date(2031, 6, 14), date(2036, 12, 31)):
        assert format_date(day, format="full", locale=language) in html
    # The legal bases, as each language cites the GDPR (from the catalog; German is the source).
    words = catalog(language) if language != "de" else {}
    for sentence in (SHEETS_BASIS, CONSENT_BASIS):
        assert (words.get(sentence) or sentence) in html_lib.unescape(html)


def test_notice_without_sheets_says_everything_goes_at_once(client):
    workshop = create_workshop(days=DAYS)
    html = text(client.get(f"/w/{workshop.slug}/privacy?lang=de"))
    day = format_date(date(2031, 7, 14), format="full", locale="de")
    assert f"Alle Angaben zu Ihrer Anmeldung löschen wir am {day}." in html
    assert "Buchst. c und e" not in html  # no funder, no other legal basis
    assert "Allergien" not in html  # the workshop does not ask for health notes
    assert NRW_AUTHORITY in html


def test_notice_lists_the_optional_fields_the_workshop_asks(client):
    plain = create_workshop(optional_fields="")
    asking = create_workshop(optional_fields="surname,school")
    assert "fragt außerdem" not in text(client.get(f"/w/{plain.slug}/privacy?lang=de"))
    html = text(client.get(f"/w/{asking.slug}/privacy?lang=de"))
    assert "<li>Nachname</li>" in html and "<li>Schule</li>" in html


def test_shared_workshop_names_both_organisations(client):
    first = create_organisation("zdi-Zentrum", privacy_email="a@zdi.example")
    second = create_organisation("KI", privacy_email="b@ki.example")
    workshop = create_workshop(organisations=[first, second])
    html = text(client.get(f"/w/{workshop.slug}/privacy"))
    assert "a@zdi.example" in html and "b@ki.example" in html
    assert html.count(NRW_AUTHORITY) == 1


def test_general_notice_and_hidden_workshops(client):
    html = text(client.get("/privacy?lang=de"))
    assert "Veranstalter des Workshops" in html and NRW_AUTHORITY in html
    draft = create_workshop(status=WorkshopStatus.DRAFT)
    assert client.get(f"/w/{draft.slug}/privacy").status_code == 404
    assert client.get("/w/no-such-workshop/privacy").status_code == 404


def test_every_form_links_the_notice(app, client):
    workshop = create_workshop()
    own = f'href="/w/{workshop.slug}/privacy"'
    form_page = text(client.get(f"/w/{workshop.slug}"))
    assert form_page.count(own) == 2  # beside the button, and in the footer
    assert 'href="/privacy"' in text(client.get("/"))
    family = client.post(f"/w/{workshop.slug}", data=signup_data(client, workshop))
    assert own in text(client.get(family.headers["Location"]))
    create_staff(workshop.organisations[0], Role.ASSISTANT, "ana@ki.example")
    staff = app.test_client()
    log_in(staff, "ana@ki.example")
    assert own in text(staff.get(f"/staff/workshops/{workshop.id}/assist"))
    assert 'href="/privacy"' in text(staff.get("/staff/login"))


def test_consent_slip_prints_the_deletion_date_of_the_settings(app, settled):
    create_staff(settled.organisations[0], Role.ASSISTANT, "ana@ki.example")
    staff = app.test_client()
    log_in(staff, "ana@ki.example")
    response = staff.get(f"/staff/workshops/{settled.id}/consent-slip.pdf?language=de")
    assert response.status_code == 200
    # 60 days after the last date, as the organisation set it (not the default 90).
    assert "14. Juni 2031" in text_of(response.data)


# Data minimisation ------------------------------------------------------------------------

FORM_CONTROL = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"")
#: The form's own machinery: CSRF, the double-submit id, the honeypot, the two buttons.
MACHINERY = {"csrf_token", "submission_id", "website", "submit", "add_child"}


def asked(client, workshop) -> set[str]:
    return set(FORM_CONTROL.findall(text(client.get(f"/w/{workshop.slug}")))) - MACHINERY


def test_default_form_asks_first_name_age_one_contact_and_consent(client):
    workshop = create_workshop(photo_uses="", optional_fields="")
    assert asked(client, workshop) == {
        "children-0-first_name",
        "children-0-age",
        "phone",
        "email",
        "consent_participation",
    }
    assert "Telefon oder E-Mail. Eins reicht." in text(client.get(f"/w/{workshop.slug}"))


def test_each_optional_field_appears_only_when_switched_on(client):
    for field, name in [
        ("surname", "children-0-surname"),
        ("gender", "children-0-gender"),
        ("school", "children-0-school"),
        ("school_year", "children-0-school_year"),
        ("health", "children-0-health_notes"),
        ("pickup", "children-0-pickup_note"),
    ]:
        workshop = create_workshop(photo_uses="", optional_fields=field)
        extra = asked(client, workshop) - {"children-0-first_name", "children-0-age", "phone"}
        assert name in extra, field
        assert extra - {name, "email", "consent_participation", "consent_health"} == set()


def test_fields_the_workshop_did_not_ask_for_are_not_stored(client):
    workshop = create_workshop(optional_fields="")
    data = signup_data(
        client,
        workshop,
        **{
            "children-0-surname": "Yilmaz",
            "children-0-gender": "female",
            "children-0-school": "Grundschule",
            "children-0-health_notes": "Nussallergie",
            "children-0-pickup_note": "Oma",
            "consent_health": "y",
        },
    )
    assert client.post(f"/w/{workshop.slug}", data=data).status_code == 302
    child = db.session.scalars(sa.select(Participant)).one()
    assert (child.first_name, child.age) == ("Amira", 10)
    details = (child.surname, child.gender, child.school, child.health_notes, child.pickup_note)
    assert details == (None,) * 5
    assert [c.purpose.value for c in child.registration.consents] == ["participation"]


# No tracking ------------------------------------------------------------------------------


def cookies_set(response) -> set[str]:
    return {header.split("=", 1)[0] for header in response.headers.getlist("Set-Cookie")}


def test_public_pages_set_only_the_session_and_the_language_cookie(app):
    workshop = create_workshop()
    session_cookie = app.config["SESSION_COOKIE_NAME"]
    client = app.test_client()
    for url in ("/", "/privacy", f"/w/{workshop.slug}/privacy", "/healthz", "/w/nothing"):
        assert cookies_set(client.get(url)) == set(), url
    assert cookies_set(client.get("/?lang=tr")) == {LANGUAGE_COOKIE}
    # The sign-up form needs a session for its CSRF token; nothing else does.
    assert cookies_set(client.get(f"/w/{workshop.slug}")) <= {session_cookie}
    family = client.post(f"/w/{workshop.slug}", data=signup_data(client, workshop))
    assert cookies_set(family) <= {session_cookie}
    assert cookies_set(client.get(family.headers["Location"])) <= {session_cookie}


URL = re.compile(r"""(?:https?:)?//[^\s"'<>)]+""")
RESOURCE = re.compile(
    r"""<(?:script|img|iframe|source|audio|video|embed)\b[^>]*\bsrc="([^"]*)"|"""
    r"""<link\b[^>]*\bhref="([^"]*)"|<form\b[^>]*\baction="([^"]*)"|url\(([^)]*)\)"""
)
XML_NAMESPACE = re.compile(r"""\bxmlns(?::\w+)?="[^"]*\"""")
#: "Send to a friend" links: the visitor's own device opens the messenger; nothing is loaded.
SHARE_LINK = re.compile(r"""<a href="https://(?:wa\.me/\?text=|t\.me/share/url\?)[^"]*">""")


def foreign_references(html: str, base_url: str) -> set[str]:
    """Addresses on a page that lead to another origin, and resources loaded from one."""
    html = SHARE_LINK.sub("<a>", XML_NAMESPACE.sub("", html))
    found = {url for url in URL.findall(html) if not url.startswith(base_url)}
    for groups in RESOURCE.findall(html):
        target = next(value for value in groups if value).strip("'\" ")
        if not (target.startswith("/") and not target.startswith("//")):
            if not target.startswith(("data:", "#")):
                found.add(target)
    return found


def test_foreign_references_are_found(app):
    base = "http://127.0.0.1:5000"
    page = (
        '<script src="https://cdn.example/x.js"></script><img src="//img.example/p.png">'
        '<link rel="stylesheet" href="/static/style.css"><a href="http://127.0.0.1:5000/r/x">'
        '<svg xmlns="http://www.w3.org/2000/svg"></svg>'
        '<a href="https://wa.me/?text=Hallo">WhatsApp</a><img src="https://t.me/p.png">'
    )
    assert foreign_references(page, base) == {
        "https://cdn.example/x.js",
        "//img.example/p.png",
        "https://t.me/p.png",
    }


@pytest.fixture
def every_page(app):
    """Each GET page the app has, filled with real objects, seen by an organiser."""
    organisation = create_organisation("KI", privacy_email="ds@ki.example")
    user = create_staff(organisation, Role.ORGANISER, "lead@ki.example")
    workshop = create_workshop(organisations=[organisation], optional_fields="gender,health")
    result = register(workshop, "Amira", "Jonas")
    registration = result.registration
    values = {
        "slug": workshop.slug,
        "token": result.token,
        "workshop_id": workshop.id,
        "date_id": workshop.dates[0].id,
        "registration_id": registration.id,
        "code": registration.checkin_code,
        "organisation_id": organisation.id,
        "membership_id": user.memberships[0].id,
        "format": "csv",
    }
    db.session.commit()
    staff = app.test_client()
    assert log_in(staff, "lead@ki.example").status_code == 302
    return staff, values


def test_no_page_refers_to_another_origin(app, every_page):
    staff, values = every_page
    base_url = app.config["SIGNUP_BASE_URL"]
    scanned = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        if rule.arguments - set(values):
            continue  # an argument this test cannot fill
        url = rule.build({name: values[name] for name in rule.arguments})[1]
        response = staff.get(url)
        assert response.status_code < 500, url
        if response.mimetype != "text/html":
            continue
        scanned += 1
        assert foreign_references(response.get_data(as_text=True), base_url) == set(), url
    assert scanned >= 25


# Organisers' privacy settings -------------------------------------------------------------


def settings_form(client, organisation, **changes) -> dict:
    url = f"/staff/organisations/{organisation.id}/privacy"
    data = hidden_fields(text(client.get(url)))
    data.update(
        postal_address="Rathausplatz 1\r\n46236 Bottrop",
        privacy_email="Datenschutz@KI.example",
        dpo_contact="",
        supervisory_authority=NRW_AUTHORITY,
        retention_days="60",
        health_retention_days="14",
        sheet_retention_years="5",
    )
    data.update(changes)
    return data


@pytest.fixture
def organiser(app):
    organisation = create_organisation("KI Bottrop")
    create_staff(organisation, Role.ORGANISER, "lead@ki.example")
    client = app.test_client()
    assert log_in(client, "lead@ki.example").status_code == 302
    return client, organisation


def test_organiser_sets_the_privacy_settings_and_it_is_logged(organiser):
    client, organisation = organiser
    page = text(client.get("/staff/"))
    assert f'href="/staff/organisations/{organisation.id}/privacy"' in page
    url = f"/staff/organisations/{organisation.id}/privacy"
    form = text(client.get(url))
    assert 'value="90"' in form and 'value="30"' in form and NRW_AUTHORITY in form
    response = client.post(url, data=settings_form(client, organisation))
    assert response.status_code == 302
    db.session.rollback()
    saved = db.session.get(Organisation, organisation.id)
    assert saved.postal_address == "Rathausplatz 1\n46236 Bottrop"
    assert saved.privacy_email == "Datenschutz@ki.example"
    assert (saved.retention_days, saved.health_retention_days) == (60, 14)
    assert saved.sheet_retention_years == 5
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "privacy_settings"))
    assert entry.organisation_id == organisation.id and "retention_days" in entry.detail
    again = settings_form(client, organisation, sheet_retention_years="")
    assert client.post(url, data=again).status_code == 302
    db.session.rollback()
    assert db.session.get(Organisation, organisation.id).sheet_retention_years is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"health_retention_days": "61"}, "nicht länger bleiben als die Kontaktdaten"),
        ({"retention_days": "0"}, "ganze Zahl von 1 bis 1095"),
        ({"retention_days": "neunzig"}, "ganze Zahl von 1 bis 1095"),
        ({"sheet_retention_years": "99"}, "ganze Zahl von 1 bis 30"),
        ({"privacy_email": "kein-at-zeichen"}, "Diese E-Mail-Adresse stimmt nicht"),
        ({"postal_address": "  "}, "Bitte geben Sie die Postanschrift an."),
    ],
)
def test_settings_refuse_what_cannot_be(organiser, changes, message):
    client, organisation = organiser
    url = f"/staff/organisations/{organisation.id}/privacy"
    response = client.post(url, data=settings_form(client, organisation, **changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Organisation, organisation.id).retention_days == 90


def test_assistants_may_not_and_other_organisations_cannot_see(app, organiser):
    _client, organisation = organiser
    url = f"/staff/organisations/{organisation.id}/privacy"
    create_staff(organisation, Role.ASSISTANT, "assist@ki.example")
    create_staff(create_organisation("KI Essen"), Role.ORGANISER, "other@ki.example")
    for email, status in (("assist@ki.example", 403), ("other@ki.example", 404)):
        client = app.test_client()
        log_in(client, email)
        assert client.get(url).status_code == status
        token = csrf_token(client, "/staff/password")
        data = {"csrf_token": token, "retention_days": "1", "health_retention_days": "1"}
        assert client.post(url, data=data).status_code == status
        assert url not in text(client.get("/staff/"))
    assert app.test_client().get(url).status_code == 302
    db.session.rollback()
    assert db.session.get(Organisation, organisation.id).retention_days == 90
