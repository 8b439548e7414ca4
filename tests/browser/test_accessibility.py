"""axe-core finds no WCAG 2.0/2.1 A or AA problem on the pages a family sees."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_up, submit_button

pytestmark = pytest.mark.browser


def test_start_page(axe, page, workshop_slug):
    page.goto("/")
    expect(page.get_by_role("link", name="Workshop").first).to_be_visible()
    assert_accessible(axe, page)


def test_workshop_page(axe, page, workshop_slug):
    page.goto(f"/w/{workshop_slug}")
    expect(submit_button(page)).to_be_visible()
    assert_accessible(axe, page)


def test_workshop_page_with_errors(axe, page, workshop_slug):
    page.goto(f"/w/{workshop_slug}")
    submit_button(page).click()
    expect(page.get_by_role("alert")).to_contain_text("Bitte prüfen Sie Ihre Angaben")
    assert_accessible(axe, page)


def test_family_page(axe, page, workshop_slug):
    sign_up(page, workshop_slug, children=(("Amira", 9), ("Yusuf", 7)))
    expect(page.get_by_text("Platz sicher")).to_have_count(2)
    assert_accessible(axe, page)


def test_cancel_confirmation_page(axe, page, workshop_slug):
    sign_up(page, workshop_slug)
    page.get_by_role("link", name="Amira abmelden").click()
    expect(page.get_by_role("button", name="Ja, abmelden")).to_be_visible()
    assert_accessible(axe, page)


def test_not_found_page(axe, page, live_server):
    response = page.goto("/w/no-such-workshop")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Diese Seite gibt es nicht")
    assert_accessible(axe, page)
