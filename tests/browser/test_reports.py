"""The report pages without JavaScript: the figures, charts with text, axe-core clean."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from signup.extensions import db
from signup.registrations import services
from signup.workshops.models import Workshop
from tests.browser.conftest import assert_accessible
from tests.browser.test_assisted_registration import log_in_staff
from tests.factories import write_transaction

pytestmark = pytest.mark.browser

FIRST = date.today() - timedelta(days=40)


def fill_past_workshop(live_server) -> str:
    """A workshop six weeks ago with nine children, gender asked; seven came on its day."""
    slug = live_server.create_workshop(days=[FIRST], optional_fields="gender,school_year")
    with live_server.app.app_context():
        workshop = db.session.scalar(sa.select(Workshop).where(Workshop.slug == slug))
        before = datetime.combine(FIRST - timedelta(days=10), time(9), tzinfo=UTC)
        for index in range(9):
            write_transaction()
            result = services.register(
                db.session,
                workshop,
                [
                    services.Child(
                        f"Kind{index}",
                        8 + index % 4,
                        gender="female" if index % 3 else "male",
                        school_year=str(3 + index % 3),
                    )
                ],
                phone=f"+4915177700{index:03d}",
                email=None,
                language=["de", "tr", "ar"][index % 3],
                consents={services.ConsentPurpose.PARTICIPATION},
                now=before + timedelta(hours=index),
            )
            if index < 7:
                child = result.registration.participants[0]
                services.set_attendance(db.session, child, workshop.dates[0], True)
            db.session.commit()
        db.session.remove()
    return slug


@pytest.mark.browser_context_args(java_script_enabled=False)
def test_staff_read_a_workshop_report_and_open_its_pdf(page, axe, live_server):
    slug = fill_past_workshop(live_server)
    workshop_id = log_in_staff(page, live_server, slug)
    page.goto(f"/staff/workshops/{workshop_id}")
    page.get_by_role("link", name="Bericht").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bericht:")
    expect(page.get_by_role("img", name="Geschlecht: Mädchen 6; Jungen 3")).to_be_visible()
    table = page.get_by_role("table", name="Da an jedem Termin in Zahlen")
    expect(table.get_by_role("cell", name="7", exact=True)).to_be_visible()
    assert_accessible(axe, page)
    page.screenshot(path="artifacts/report-workshop.png", full_page=True)
    with page.expect_response(lambda r: r.url.endswith("/report.pdf")) as answer:
        page.get_by_role("link", name="Als PDF öffnen").click()
    assert answer.value.status == 200
    assert answer.value.headers["content-type"] == "application/pdf"


@pytest.mark.browser_context_args(java_script_enabled=False)
def test_staff_choose_a_period_for_their_organisation(page, axe, live_server):
    slug = fill_past_workshop(live_server)
    log_in_staff(page, live_server, slug)
    page.get_by_role("link", name="Berichte").click()
    page.get_by_role("link", name=str(FIRST.year)).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bericht:")
    page.get_by_label("von", exact=True).fill(f"{FIRST.year}-01-01")
    page.get_by_label("bis", exact=True).fill(f"{FIRST.year}-12-31")
    page.get_by_role("button", name="Zeigen").click()
    expect(page.get_by_role("heading", name="Die Workshops einzeln")).to_be_visible()
    assert_accessible(axe, page)
