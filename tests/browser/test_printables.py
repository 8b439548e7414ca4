"""The printouts page on a phone without JavaScript: every choice reachable, axe-core clean."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_assisted_registration import log_in_staff

pytestmark = pytest.mark.browser


@pytest.mark.browser_context_args(java_script_enabled=False)
def test_staff_open_an_arabic_flyer_from_the_printouts_page(page, axe, live_server, workshop_slug):
    workshop_id = log_in_staff(page, live_server, workshop_slug)
    page.goto(f"/staff/workshops/{workshop_id}")
    page.get_by_role("link", name="Zum Ausdrucken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zum Ausdrucken")
    assert_accessible(axe, page)
    page.get_by_role("combobox", name="Sprache").first.select_option("ar")
    page.get_by_label("Handzettel").check()
    with page.expect_response(lambda r: "flyer.pdf" in r.url) as answer:
        page.get_by_role("button", name="Flyer öffnen").click()
    response = answer.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert "language=ar" in response.url and "layout=handout" in response.url
