"""A parent on an old phone, without JavaScript, signs up two children."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    FAMILY_PAGE,
    child_row,
    consent_checkbox,
    fill_child,
    sign_up,
    submit_button,
)

pytestmark = [pytest.mark.browser, pytest.mark.browser_context_args(java_script_enabled=False)]


def expect_confirmed(page, *names: str) -> None:
    """The family page lists exactly these children, each with a sure place."""
    children = page.locator("ul.children > li")
    expect(children).to_have_count(len(names))
    for name in names:
        child = children.filter(has_text=name)
        expect(child).to_have_count(1)
        expect(child).to_contain_text("Platz sicher")


def test_parent_signs_up_two_children_on_a_phone_without_javascript(
    page, workshop_slug, artifacts_dir
):
    assert page.viewport_size == {"width": 360, "height": 740}
    page.set_content("<title>no script</title><script>document.title = 'script'</script>")
    expect(page).to_have_title("no script")  # JavaScript really is off

    page.goto(f"/w/{workshop_slug}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(child_row(page, 2)).to_have_count(0)

    fill_child(page, 1, "Amira", 9)
    page.get_by_role("button", name="Noch ein Kind anmelden").click()

    # The form comes back with a second row, and child 1 as typed.
    expect(child_row(page, 2)).to_be_visible()
    expect(child_row(page, 1).get_by_label("Vorname des Kindes")).to_have_value("Amira")
    expect(child_row(page, 1).get_by_label("Alter")).to_have_value("9")
    expect(page.locator(".error-summary")).to_have_count(0)

    fill_child(page, 2, "Yusuf", 7)
    page.get_by_label("Telefon (Handy)").fill("0151 23456789")
    consent_checkbox(page).check()
    submit_button(page).click()

    expect(page).to_have_url(FAMILY_PAGE)
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihre Anmeldung")
    expect_confirmed(page, "Amira", "Yusuf")

    screenshot = artifacts_dir / "family-page-360x740.png"
    screenshot.unlink(missing_ok=True)
    page.screenshot(path=screenshot, full_page=True)
    assert screenshot.is_file()
    assert screenshot.stat().st_size > 0


def test_enter_in_the_phone_field_registers_instead_of_adding_a_child(page, workshop_slug):
    page.goto(f"/w/{workshop_slug}")
    fill_child(page, 1, "Lina", 11)
    consent_checkbox(page).check()
    phone = page.get_by_label("Telefon (Handy)")
    phone.fill("0151 23456789")
    phone.press("Enter")

    expect(page).to_have_url(FAMILY_PAGE)
    expect_confirmed(page, "Lina")


def press_tab_until(page, target, limit: int = 25) -> int:
    """Press Tab until `target` has the focus; return how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return presses
    raise AssertionError(f"{target} not reached with {limit} presses of Tab")


def test_the_whole_sign_up_works_with_the_keyboard_alone(page, workshop_slug):
    page.goto(f"/w/{workshop_slug}")

    # The first Tab shows the skip link; Enter on it jumps past the header.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Zum Inhalt springen")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")

    first_name = child_row(page, 1).get_by_label("Vorname des Kindes")
    press_tab_until(page, first_name)
    page.keyboard.type("Amira")
    page.keyboard.press("Tab")
    expect(child_row(page, 1).get_by_label("Alter")).to_be_focused()
    page.keyboard.type("9")

    # Enter on "add a child" adds a row; the values typed so far stay.
    page.keyboard.press("Tab")
    add_child = page.get_by_role("button", name="Noch ein Kind anmelden")
    expect(add_child).to_be_focused()
    page.keyboard.press("Enter")
    expect(child_row(page, 2)).to_be_visible()
    expect(first_name).to_have_value("Amira")

    press_tab_until(page, child_row(page, 2).get_by_label("Vorname des Kindes"))
    page.keyboard.type("Yusuf")
    page.keyboard.press("Tab")
    expect(child_row(page, 2).get_by_label("Alter")).to_be_focused()
    page.keyboard.type("7")

    press_tab_until(page, page.get_by_label("Telefon (Handy)"))
    page.keyboard.type("0151 23456789")

    press_tab_until(page, consent_checkbox(page))
    page.keyboard.press("Space")
    expect(consent_checkbox(page)).to_be_checked()

    press_tab_until(page, submit_button(page))
    page.keyboard.press("Enter")

    expect(page).to_have_url(FAMILY_PAGE)
    expect_confirmed(page, "Amira", "Yusuf")


def test_every_request_stays_on_the_apps_own_origin(page, live_server, workshop_slug):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    origin = urlsplit(live_server.url)[:2]

    page.goto(f"/w/{workshop_slug}")
    submit_button(page).click()
    expect(page.locator(".error-summary")).to_be_visible()
    sign_up(page, workshop_slug, children=(("Amira", 9), ("Yusuf", 7)))
    expect_confirmed(page, "Amira", "Yusuf")

    paths = [urlsplit(url).path for url in requests]
    assert "/static/style.css" in paths, requests
    assert any(path.startswith("/r/") for path in paths), requests
    foreign = [url for url in requests if urlsplit(url)[:2] != origin]
    assert not foreign, f"requests to other origins than {live_server.url}: {foreign}"
