"""Staff pages for registrations on a phone without JavaScript: list, filter, a registration's
page and its actions, the audit log; axe-core on each page."""

import itertools

import pytest
from playwright.sync_api import expect

from signup.extensions import db
from signup.registrations.models import Channel, ConsentChannel, ConsentPurpose
from signup.staff.models import Role
from signup.staff.services import create_user
from tests.browser.conftest import assert_accessible
from tests.factories import create_organisation, create_workshop, register

pytestmark = pytest.mark.browser
no_javascript = pytest.mark.browser_context_args(java_script_enabled=False)

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


@pytest.fixture
def list_url(live_server) -> tuple[str, str]:
    """A full workshop (one place) with Amira confirmed on paper and Jonas waiting; an organiser."""
    number = next(_numbers)
    with live_server.app.app_context():
        organisation = create_organisation(f"KI Liste {number}")
        workshop = create_workshop(organisations=[organisation], capacity=1)
        email = f"list{number}@ki.example"
        create_user(db.session, email, "Ana", PASSWORD, organisation, Role.ORGANISER)
        db.session.commit()
        register(
            workshop,
            "Amira",
            language="ar",
            channel=Channel.PAPER,
            consent_channel=ConsentChannel.PAPER,
            consents={ConsentPurpose.PARTICIPATION, ConsentPurpose.PHOTO_WEBSITE},
        )
        register(workshop, "Jonas", email="familie.jonas@example.org")
        url = f"/staff/workshops/{workshop.id}/registrations"
        db.session.remove()
    return email, url


def log_in(page, email: str) -> None:
    page.goto("/staff/login")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


@no_javascript
def test_organiser_filters_notes_marks_the_slip_and_cancels_on_a_phone(page, axe, list_url):
    email, url = list_url
    log_in(page, email)
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Anmeldungen")
    expect(page.get_by_role("table")).to_contain_text("Warteliste: Nummer 1")
    assert_accessible(axe, page)

    page.get_by_label("Status").select_option("waiting")
    page.get_by_role("button", name="Anzeigen").click()
    expect(page.get_by_role("table")).to_contain_text("Jonas")
    expect(page.get_by_role("table")).not_to_contain_text("Amira")
    page.get_by_role("link", name="Filter zurücksetzen").click()

    page.get_by_role("link", name="Amira").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Amira")
    expect(page.get_by_text("Der unterschriebene Zettel fehlt noch.")).to_be_visible()
    assert_accessible(axe, page)

    page.get_by_label("Neue Notiz").fill("Mutter angerufen")
    page.get_by_role("button", name="Notiz speichern").click()
    expect(page.get_by_text("Die Notiz ist gespeichert.")).to_be_visible()
    page.get_by_role("button", name="Zettel ist da").click()
    expect(page.get_by_text("Der Zettel ist als erhalten vermerkt.")).to_be_visible()

    page.get_by_role("link", name="Amira abmelden").click()
    expect(page.get_by_text("Möchten Sie dieses Kind wirklich abmelden?")).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_role("button", name="Ja, abmelden").click()
    expect(page.get_by_text("Von der Warteliste nachgerückt: 1.")).to_be_visible()
    expect(page.locator(".history")).to_contain_text("Abgemeldet")
    assert_accessible(axe, page)

    page.get_by_role("link", name="Protokoll").click()
    expect(page.get_by_role("table")).to_contain_text("Notiz geschrieben")
    assert_accessible(axe, page)


@no_javascript
def test_moving_up_without_a_free_place_says_why(page, axe, list_url):
    email, url = list_url
    log_in(page, email)
    page.goto(url)
    page.get_by_role("link", name="Jonas").click()
    page.get_by_role("button", name="Jonas nachrücken lassen").click()
    expect(page.get_by_role("alert")).to_contain_text("Es ist kein Platz frei")
    assert_accessible(axe, page)
