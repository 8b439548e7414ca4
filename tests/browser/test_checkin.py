"""At the door on a phone: check children in, take one back, add a walk-in."""

import itertools
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from signup.extensions import db
from signup.registrations.models import ConsentPurpose
from signup.staff.models import Role
from signup.staff.services import create_user
from tests.browser.conftest import assert_accessible
from tests.factories import create_organisation, create_workshop, register

pytestmark = pytest.mark.browser
no_javascript = pytest.mark.browser_context_args(java_script_enabled=False)

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


@dataclass
class Door:
    email: str
    url: str
    #: The check-in code in the QR on Amira's family page.
    code: str


@pytest.fixture
def door(live_server) -> Door:
    """A workshop with three children (one with photo consent, one with a health note) and an
    assistant of its organisation."""
    number = next(_numbers)
    with live_server.app.app_context():
        organisation = create_organisation(f"KI Tür {number}")
        workshop = create_workshop(organisations=[organisation], optional_fields="health")
        email = f"door{number}@ki.example"
        create_user(db.session, email, "Ana", PASSWORD, organisation, Role.ASSISTANT)
        db.session.commit()
        amira = register(
            workshop, "Amira", consents={ConsentPurpose.PARTICIPATION, ConsentPurpose.PHOTO_WEBSITE}
        )
        code = amira.registration.checkin_code
        register(workshop, "Jonas")
        elif_ = register(workshop, "Elif", commit=False).registration.participants[0]
        elif_.health_notes = "Erdnussallergie"
        db.session.commit()
        url = f"/staff/workshops/{workshop.id}/checkin/{workshop.dates[0].id}"
        db.session.remove()
    return Door(email=email, url=url, code=code)


def log_in(page, email: str) -> None:
    page.goto("/staff/login")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def door_row(page, name: str):
    return page.locator("li.door-row").filter(has_text=name)


def expect_count(page, text: str) -> None:
    expect(page.locator(".door-count strong")).to_have_text(text)


@no_javascript
def test_assistant_checks_two_children_in_undoes_one_and_adds_a_walk_in(page, door):
    assert page.viewport_size == {"width": 360, "height": 740}
    log_in(page, door.email)
    page.goto(door.url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Einlass")
    expect_count(page, "0 / 3")
    expect(door_row(page, "Amira")).to_contain_text("Fotos erlaubt")
    expect(door_row(page, "Jonas")).to_contain_text("KEINE Fotos")
    expect(door_row(page, "Elif")).to_contain_text("Gesundheitshinweis")

    door_row(page, "Amira").get_by_role("button", name="Da").click()
    expect(page).to_have_url(door.url + "#p" + door_row(page, "Amira").get_attribute("id")[1:])
    expect(door_row(page, "Amira")).to_contain_text("Ist da")
    expect_count(page, "1 / 3")
    door_row(page, "Jonas").get_by_role("button", name="Da").click()
    expect_count(page, "2 / 3")

    door_row(page, "Amira").get_by_role("button", name="Rückgängig").click()
    expect_count(page, "1 / 3")
    expect(door_row(page, "Amira")).not_to_contain_text("Ist da")
    expect(door_row(page, "Jonas")).to_contain_text("Ist da")

    page.get_by_text("Kind ohne Anmeldung eintragen").click()
    page.get_by_label("Vorname", exact=True).fill("Lina")
    page.get_by_label("Alter", exact=True).fill("9")
    page.get_by_label("Telefon der Eltern").fill("0151 99887766")
    page.get_by_label("Die Eltern sind einverstanden").check()
    page.get_by_role("button", name="Eintragen: ist da").click()
    expect(page.get_by_role("status")).to_contain_text("Eingetragen und als da markiert: Lina")
    expect_count(page, "2 / 4")
    expect(door_row(page, "Lina")).to_contain_text("Ist da")
    expect(door_row(page, "Lina")).to_contain_text("KEINE Fotos")

    page.get_by_label("Name suchen").fill("lin")
    page.get_by_role("button", name="Suchen").click()
    expect(page.locator("li.door-row")).to_have_count(1)
    door_row(page, "Lina").get_by_role("button", name="Rückgängig").click()
    expect(page.get_by_label("Name suchen")).to_have_value("lin")  # the search stays
    expect_count(page, "1 / 4")


def test_checkin_page_passes_axe_and_has_big_targets_on_a_phone(axe, page, door):
    log_in(page, door.email)
    page.goto(door.url)
    door_row(page, "Jonas").get_by_role("button", name="Da").click()
    expect_count(page, "1 / 3")
    assert_accessible(axe, page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    for button in page.locator("li.door-row button").all():
        box = button.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, box

    page.get_by_text("Kind ohne Anmeldung eintragen").click()
    page.get_by_role("button", name="Eintragen: ist da").click()
    expect(page.get_by_role("alert")).to_contain_text("Bitte geben Sie den Vornamen an.")
    assert_accessible(axe, page)


def test_page_behind_the_qr_code_passes_axe(axe, page, door):
    log_in(page, door.email)
    page.goto(f"/staff/find/{door.code}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmeldung gefunden")
    expect(door_row(page, "Amira")).to_contain_text("Fotos erlaubt")
    assert_accessible(axe, page)
