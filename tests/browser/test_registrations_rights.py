"""The family's rights on a phone without JavaScript: withdraw, see the data, a new link,
delete; axe-core on each page, in German and in Arabic."""

import itertools

import pytest
from playwright.sync_api import expect

from signup.extensions import db
from signup.staff.models import Role
from signup.staff.services import create_user
from tests.browser.conftest import (
    FAMILY_PAGE,
    assert_accessible,
    consent_checkbox,
    fill_child,
    sign_up,
    submit_button,
)
from tests.factories import create_organisation, create_workshop, register

pytestmark = pytest.mark.browser
no_javascript = pytest.mark.browser_context_args(java_script_enabled=False)

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


@no_javascript
def test_family_withdraws_a_photo_use_gets_a_new_link_and_deletes(page, axe, workshop_slug):
    page.goto(f"/w/{workshop_slug}")
    fill_child(page, 1, "Amira", 9)
    page.get_by_label("Telefon (Handy)").fill("0151 23456789")
    consent_checkbox(page).check()
    page.get_by_role("checkbox", name="interne Dokumentation").check()
    page.get_by_role("checkbox", name="Internetseite").check()
    submit_button(page).click()
    expect(page).to_have_url(FAMILY_PAGE)
    family_url = page.url
    expect(page.get_by_role("heading", name="Ihre Einverständnisse")).to_be_visible()
    assert_accessible(axe, page)

    page.get_by_role("button", name="Zurücknehmen").first.click()
    expect(page.get_by_text("Zurückgenommen am")).to_be_visible()

    page.get_by_role("link", name="Ihre Daten ansehen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihre Daten")
    expect(page.get_by_text("Amira").first).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_role("link", name="Zurück zur Anmeldung").click()

    page.get_by_role("button", name="Neuen Link bekommen").click()
    expect(page.get_by_text("Das ist Ihr neuer Link")).to_be_visible()
    assert page.url != family_url
    assert page.request.get(family_url).status == 404

    page.get_by_role("link", name="Anmeldung löschen").click()
    expect(page.get_by_role("button", name="Ja, alles löschen")).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_role("button", name="Ja, alles löschen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmeldung gelöscht")
    assert_accessible(axe, page)


@no_javascript
def test_arabic_data_page_passes_axe(page, axe, workshop_slug):
    sign_up(page, workshop_slug)
    page.goto(page.url.split("#")[0] + "/data?lang=ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    assert_accessible(axe, page)


@no_javascript
def test_staff_confirmation_to_delete_on_request_passes_axe(page, axe, live_server):
    number = next(_numbers)
    with live_server.app.app_context():
        organisation = create_organisation(f"KI Rechte {number}")
        workshop = create_workshop(organisations=[organisation])
        email = f"rights{number}@ki.example"
        create_user(db.session, email, "Ana", PASSWORD, organisation, Role.ORGANISER)
        registration_id = register(workshop, "Amira").registration.id
        db.session.remove()
    page.goto("/staff/login")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.goto(f"/staff/registrations/{registration_id}")
    page.get_by_role("link", name="Auf Wunsch löschen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Auf Wunsch löschen")
    assert_accessible(axe, page)
    page.get_by_role("button", name="Ja, alles löschen").click()
    expect(page.get_by_text("Die Anmeldung ist mit allen Daten gelöscht.")).to_be_visible()
