"""Staff invite a family personally and read what was mailed: no JavaScript, axe-core clean."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
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
