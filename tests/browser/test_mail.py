"""Staff invite a family personally and read what was mailed: no JavaScript, axe-core clean."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_up
from tests.browser.test_assisted_registration import log_in_staff

pytestmark = pytest.mark.browser


@pytest.mark.browser_context_args(java_script_enabled=False)
def test_staff_invite_an_arabic_family_and_see_the_messages(page, axe, live_server, workshop_slug):
    workshop_id = log_in_staff(page, live_server, workshop_slug)
    page.goto(f"/staff/workshops/{workshop_id}")
    page.get_by_role("link", name="Familie persönlich einladen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Familie persönlich einladen")
    page.get_by_label("Sprache der Familie").select_option("ar")
    page.get_by_label("Name für die Anrede (freiwillig)").fill("ليلى")
    page.get_by_role("button", name="Einladung zeigen").click()
    text = page.get_by_label("Text der Einladung").input_value()
    assert "ليلى" in text and f"/w/{workshop_slug}?lang=ar" in text
    expect(page.locator("section.invitation")).to_have_attribute("dir", "rtl")
    whatsapp = page.get_by_role("link", name="WhatsApp").get_attribute("href")
    assert whatsapp.startswith("https://wa.me/?text=") and "lang%3Dar" in whatsapp
    expect(page.get_by_role("img", name="QR-Code: Anmeldung zum Workshop")).to_be_visible()
    assert_accessible(axe, page)

    page.goto(f"/staff/workshops/{workshop_id}")
    page.get_by_role("link", name="E-Mails an Familien").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("E-Mails an Familien")
    expect(page.get_by_text("E-Mail ist nicht eingerichtet.")).to_be_visible()
    assert_accessible(axe, page)


@pytest.mark.browser_context_args(java_script_enabled=False)
def test_a_family_corrects_its_phone_number_without_javascript(page, axe, workshop_slug):
    family_page = sign_up(page, workshop_slug)
    page.get_by_role("link", name="Telefon oder E-Mail ändern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Telefon oder E-Mail ändern")
    page.get_by_label("Telefon (Handy)").fill("0151 2")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Diese Telefonnummer stimmt nicht.").first).to_be_visible()
    expect(page.get_by_label("Telefon (Handy)")).to_have_value("0151 2")
    assert_accessible(axe, page)
    page.get_by_label("Telefon (Handy)").fill("0151 98765432")
    page.get_by_label("E-Mail").fill("eltern@example.org")
    page.get_by_role("button", name="Speichern").click()
    expect(page).to_have_url(family_page.split("#")[0])
    expect(page.get_by_text("Gespeichert. So erreichen wir Sie jetzt.")).to_be_visible()
