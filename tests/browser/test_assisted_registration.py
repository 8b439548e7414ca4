"""A staff member on a tablet registers an Arabic-speaking family: verbal consent, link and QR."""

import re
import shutil
import subprocess

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from signup.extensions import db
from signup.staff import services as staff_services
from signup.staff.models import Role
from signup.workshops.models import Workshop
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser
#: A 10.9-inch tablet held upright, as at a parents' café.
TABLET_VIEWPORT = {"width": 820, "height": 1180}
tablet = pytest.mark.browser_context_args(viewport=TABLET_VIEWPORT)
PASSWORD = "correct horse battery"
FAMILY_LINK = re.compile(r"^http://127\.0\.0\.1:\d+/r/[A-Za-z0-9_-]{43}\?lang=ar$")


def log_in_staff(page, live_server, slug: str) -> int:
    """Log an assistant of the workshop's organisation in; return the workshop's id."""
    email = f"assistant-{slug}@ki.example"
    with live_server.app.app_context():
        workshop = db.session.scalar(sa.select(Workshop).where(Workshop.slug == slug))
        organisation = workshop.organisations[0]
        staff_services.create_user(
            db.session, email, "Samira", PASSWORD, organisation, Role.ASSISTANT
        )
        db.session.commit()
        workshop_id = workshop.id
        db.session.remove()
    page.goto("/staff/login")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.get_by_role("heading", name="Übersicht")).to_be_visible()
    return workshop_id


@pytest.fixture
def assist_url(live_server, workshop_slug, page):
    """The assisted sign-up of a fresh workshop, with an assistant logged in."""
    return f"/staff/workshops/{log_in_staff(page, live_server, workshop_slug)}/assist"


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def save_button(page):
    """The visible "Anmeldung speichern"; the hidden default button before it has no role."""
    return page.get_by_role("button", name="Anmeldung speichern", exact=True)


def choose_arabic(page) -> None:
    """Tap Arabic in the family's list (the header's list switches the staff page instead)."""
    languages = page.get_by_role("list", name="Welche Sprache spricht die Familie?")
    languages.get_by_role("link", name=re.compile("^العربية")).click()
    expect(page).to_have_url(re.compile(r"family_language=ar$"))


def register_arabic_family(page, assist_url: str) -> None:
    page.goto(assist_url)
    choose_arabic(page)
    page.get_by_role("group", name="Kind 1", exact=True).get_by_label("Vorname des Kindes").fill(
        "مريم"
    )
    page.get_by_role("group", name="Kind 1", exact=True).get_by_label("Alter").fill("9")
    page.get_by_role("button", name="Noch ein Kind anmelden").click()
    second = page.get_by_role("group", name="Kind 2", exact=True)
    second.get_by_label("Vorname des Kindes").fill("Yusuf")
    second.get_by_label("Alter").fill("11")
    page.get_by_label("Telefon (Handy)").fill("0151 23456789")
    page.get_by_label("Einverstanden: Teilnahme").check()
    page.get_by_label("mündlich, Zettel wird nachgereicht").check()
    save_button(page).click()
    expect(page.get_by_role("heading", name="Anmeldung gespeichert")).to_be_visible()


def expect_saved_page(page) -> str:
    expect(page.locator(".child-status .name")).to_have_text(["مريم", "Yusuf"])
    expect(page.get_by_text("Platz sicher", exact=True)).to_have_count(2)
    expect(page.get_by_text("Der unterschriebene Einverständniszettel fehlt noch.")).to_be_visible()
    link = page.locator(".family-link .link").inner_text().strip()
    assert FAMILY_LINK.match(link), link
    expect(page.get_by_role("img", name="QR-Code mit dem Link für die Familie")).to_be_visible()
    return link


@tablet
def test_staff_register_an_arabic_family_with_verbal_consent(
    page, assist_url, axe, artifacts_dir, tmp_path
):
    page.goto(assist_url)
    expect(page.get_by_role("heading", name="Welche Sprache spricht die Familie?")).to_be_visible()
    assert_accessible(axe, page)
    page.screenshot(path=str(artifacts_dir / "assisted-language-820x1180.png"))

    choose_arabic(page)
    consent = page.locator('.consent-texts p[lang="ar"]').first
    expect(consent).to_have_attribute("dir", "rtl")
    expect(page.locator('.consent-texts p[lang="de"]').first).to_contain_text(
        "Ich bin sorgeberechtigt."
    )
    expect(page.locator("html")).to_have_attribute("lang", "de")  # staff read their own
    save_button(page).click()
    expect(page.get_by_role("alert")).to_contain_text("Bitte prüfen Sie die Angaben")
    expect(page.locator("#consent_channel-error")).to_be_visible()
    assert_accessible(axe, page)
    page.screenshot(path=str(artifacts_dir / "assisted-form-errors-820x1180.png"), full_page=True)

    register_arabic_family(page, assist_url)
    link = expect_saved_page(page)
    assert_accessible(axe, page)
    shot = artifacts_dir / "assisted-saved-820x1180.png"
    page.screenshot(path=str(shot), full_page=True)

    # The code on screen is what a parent's phone reads.
    qr_png = tmp_path / "qr.png"
    page.get_by_role("img", name="QR-Code mit dem Link für die Familie").screenshot(
        path=str(qr_png)
    )
    zbarimg = shutil.which("zbarimg") or "/usr/bin/zbarimg"
    decoded = subprocess.run(
        [zbarimg, "--raw", "-q", str(qr_png)], capture_output=True, text=True, check=True
    )
    assert decoded.stdout.strip() == link

    page.goto(link)
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator(".child-status .name")).to_have_text(["مريم", "Yusuf"])


@pytest.mark.browser_context_args(viewport=TABLET_VIEWPORT, java_script_enabled=False)
def test_the_whole_flow_works_without_javascript(page, assist_url):
    register_arabic_family(page, assist_url)
    expect_saved_page(page)


def test_every_step_fits_a_small_phone(page, live_server, axe):
    slug = live_server.create_workshop(
        optional_fields="surname,gender,school,school_year,health,pickup"
    )
    workshop_id = log_in_staff(page, live_server, slug)
    page.goto(f"/staff/workshops/{workshop_id}/assist")
    assert fits_the_screen(page)
    choose_arabic(page)
    save_button(page).click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert fits_the_screen(page)
    assert_accessible(axe, page)  # with every optional field, select and text area
    page.goto(f"/staff/workshops/{workshop_id}/group")
    page.get_by_role("button", name="Gruppe anmelden").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert fits_the_screen(page)
    assert_accessible(axe, page)
    page.get_by_label("Name der Gruppe").fill("Klasse 4b, Grundschule Welheim")
    page.get_by_label("Verantwortliche erwachsene Person").fill("Frau Yılmaz")
    page.get_by_label("Anzahl der Kinder").fill("12")
    page.get_by_label("Alter des jüngsten Kindes").fill("9")
    page.get_by_label("E-Mail").fill("4b@schule.example")
    page.get_by_role("button", name="Gruppe anmelden").click()
    expect(page.get_by_role("heading", name="Anmeldung gespeichert")).to_be_visible()
    expect(page.get_by_role("img", name="QR-Code mit dem Link für die Gruppe")).to_be_visible()
    assert fits_the_screen(page)
    assert_accessible(axe, page)
