"""axe-core finds no WCAG 2.0/2.1 A or AA problem on the pages a family sees."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import sign_up, submit_button

pytestmark = pytest.mark.browser

WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": list(WCAG_TAGS)},
    "resultTypes": ["violations"],
}


@pytest.fixture(scope="session")
def axe():
    return Axe()


def describe(violations: list[dict]) -> str:
    """Say what is wrong, why it matters and where, so the report can be acted on."""
    lines = []
    for violation in violations:
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']}\n"
            f"  {violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            lines.append(f"  - {' '.join(map(str, node['target']))}: {node['html']}")
            if node.get("failureSummary"):
                lines.append("    " + node["failureSummary"].replace("\n", "\n    "))
    return "\n".join(lines)


def assert_accessible(axe, page) -> None:
    results = axe.run(page, options=AXE_OPTIONS)
    violations = [
        violation
        for violation in results.response["violations"]
        if set(violation["tags"]) & set(WCAG_TAGS)
    ]
    assert not violations, f"axe found on {page.url}:\n{describe(violations)}"


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
