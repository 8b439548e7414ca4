"""An Arabic-speaking parent on a small phone: right to left all the way."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import FAMILY_PAGE, assert_accessible
from tests.test_i18n_pages import catalog

pytestmark = pytest.mark.browser
no_javascript = pytest.mark.browser_context_args(java_script_enabled=False)


def arabic(msgid: str) -> str:
    return catalog("ar")[msgid]


def visible_submit(page):
    return page.locator('form button[name="submit"]:not(.hp)')


def sign_up_in_arabic(page, slug: str) -> None:
    page.goto(f"/w/{slug}?lang=ar")
    page.locator('[name="children-0-first_name"]').fill("مريم")
    page.locator('[name="children-0-age"]').fill("٩")  # Arabic-Indic digits are understood
    page.locator('button[name="add_child"]').click()
    page.locator('[name="children-1-first_name"]').fill("Yusuf")
    page.locator('[name="children-1-age"]').fill("11")
    page.locator('[name="phone"]').fill("0151 23456789")
    page.locator("#consent_participation").check()
    visible_submit(page).click()
    expect(page).to_have_url(FAMILY_PAGE)


@no_javascript
def test_arabic_parent_registers_two_children(page, workshop_slug, artifacts_dir):
    page.goto(f"/w/{workshop_slug}?lang=ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    visible_submit(page).click()  # empty form: errors in Arabic, next to the fields
    expect(page.get_by_role("alert")).to_contain_text(arabic("Bitte prüfen Sie Ihre Angaben"))
    expect(page.locator("#children-0-first_name-error")).to_have_text(
        arabic("Bitte geben Sie den Vornamen an.")
    )

    sign_up_in_arabic(page, workshop_slug)
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_text(arabic("Platz sicher"), exact=True)).to_have_count(2)
    expect(page.locator(".child-status .name")).to_have_text(["مريم", "Yusuf"])
    shot = artifacts_dir / "family-page-ar-360x740.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000

    # Right to left for real: the child's name starts at the right edge of its box.
    box = page.locator(".child-status").first.bounding_box()
    name = page.locator(".child-status .name").first.bounding_box()
    assert name["x"] + name["width"] > box["x"] + box["width"] * 0.8


def test_arabic_pages_pass_axe(axe, page, workshop_slug):
    page.goto(f"/w/{workshop_slug}?lang=ar")
    assert_accessible(axe, page)
    visible_submit(page).click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(axe, page)
    sign_up_in_arabic(page, workshop_slug)
    assert_accessible(axe, page)
