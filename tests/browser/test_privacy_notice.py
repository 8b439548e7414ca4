"""axe-core on the privacy notice (left to right and right to left) and the settings page."""

import itertools
from datetime import date

import pytest
from playwright.sync_api import expect

from signup.extensions import db
from signup.staff.models import Role
from signup.staff.services import create_user
from tests.browser.conftest import assert_accessible
from tests.factories import create_organisation, create_workshop

pytestmark = pytest.mark.browser
no_javascript = pytest.mark.browser_context_args(java_script_enabled=False)

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


@pytest.fixture
def settled(live_server) -> tuple[str, str, int]:
    """A workshop whose organisation keeps sheets for a funder, and that organisation's lead."""
    number = next(_numbers)
    with live_server.app.app_context():
        organisation = create_organisation(
            f"KI Datenschutz {number}",
            postal_address="Rathausplatz 1\n46236 Bottrop",
            privacy_email="datenschutz@ki.example",
            dpo_contact="Frau Dr. Beispiel, dsb@ki.example",
            sheet_retention_years=5,
        )
        workshop = create_workshop(
            organisations=[organisation], days=[date(2031, 4, 14)], optional_fields="health,school"
        )
        email = f"privacy{number}@ki.example"
        create_user(db.session, email, "Ana", PASSWORD, organisation, Role.ORGANISER)
        db.session.commit()
        slug, organisation_id = workshop.slug, organisation.id
        db.session.remove()
    return slug, email, organisation_id


@pytest.mark.parametrize("language", ["de", "ar"])
def test_privacy_notice(page, axe, settled, language):
    slug, _email, _organisation = settled
    page.goto(f"/w/{slug}/privacy?lang={language}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("address")).to_contain_text("datenschutz@ki.example")
    assert_accessible(axe, page)


@no_javascript
def test_privacy_settings_with_an_error(page, axe, settled):
    _slug, email, organisation_id = settled
    page.goto("/staff/login")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.get_by_role("link", name="Datenschutz-Einstellungen").click()
    expect(page).to_have_url(
        f"{page.url.split('/staff')[0]}/staff/organisations/{organisation_id}/privacy"
    )
    assert_accessible(axe, page)
    page.get_by_label("Angaben zur Gesundheit: nach wie vielen Tagen löschen?").fill("400")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("alert")).to_contain_text("nicht länger bleiben")
    assert_accessible(axe, page)
