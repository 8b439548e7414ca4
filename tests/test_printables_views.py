"""Printouts through HTTP: who gets which PDF, in which language, with which QR code."""

import re

import pytest
import sqlalchemy as sa

from signup.extensions import db
from signup.registrations.models import ConsentPurpose, Registration
from signup.staff.models import AuditEntry, Role
from tests import pdfs
from tests.factories import (
    create_organisation,
    create_staff,
    create_workshop,
    csrf_token,
    log_in,
    register,
)
from tests.test_registrations_assisted import LINK, family_data

BASE = "http://127.0.0.1:5000"


@pytest.fixture
def workshop(app):
    return create_workshop(
        slug="ki4u",
        texts={
            "de": "KI4U: Roboter bauen",
            "tr": "KI4U: Robot yapıyoruz",
            "ar": "KI4U: نبني روبوتات",
        },
        photo_uses="internal,website,press,social",
        optional_fields="health,pickup",
    )


@pytest.fixture
def staff(client, workshop):
    create_staff(workshop.organisations[0], Role.ASSISTANT, "ana@ki.example")
    assert log_in(client, "ana@ki.example").status_code == 302
    return client


def flat_text(pdf: bytes) -> str:
    """The document's text with line breaks as spaces: wrapped titles read as one."""
    return " ".join(pdfs.text_of(pdf).split())


def pdf_of(response) -> bytes:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    return response.get_data()


def test_printables_page_offers_every_printout(staff, workshop):
    page = staff.get(f"/staff/workshops/{workshop.id}/print").get_data(as_text=True)
    assert f"/staff/workshops/{workshop.id}/flyer.pdf" in page
    assert f"/staff/workshops/{workshop.id}/consent-slip.pdf" in page
    assert f"/staff/workshops/{workshop.id}/sign-in/{workshop.dates[0].id}.pdf" in page
    assert f"/staff/workshops/{workshop.id}/name-tags.pdf" in page
    hub = staff.get(f"/staff/workshops/{workshop.id}").get_data(as_text=True)
    assert f"/staff/workshops/{workshop.id}/print" in hub


def test_arabic_flyer_scans_into_the_arabic_form(staff, workshop):
    response = staff.get(
        f"/staff/workshops/{workshop.id}/flyer.pdf", query_string={"language": "ar"}
    )
    pdf = pdf_of(response)
    assert pdfs.qr_codes(pdf) == [f"{BASE}/w/ki4u?lang=ar"]
    assert "KI4U: Roboter bauen" in flat_text(pdf)


def test_many_language_handout_has_a_code_per_language(staff, workshop):
    response = staff.get(
        f"/staff/workshops/{workshop.id}/flyer.pdf",
        query_string={"language": "many", "layout": "handout"},
    )
    codes = set(pdfs.qr_codes(pdf_of(response), dpi=300))
    assert f"{BASE}/w/ki4u?lang=ps" in codes
    assert len(codes) == 13


@pytest.mark.parametrize(
    "query", [{"layout": "banner"}, {"language": "xx"}, {"language": "AR"}, {"language": ""}]
)
def test_unknown_flyer_choices_are_not_found(staff, workshop, query):
    response = staff.get(f"/staff/workshops/{workshop.id}/flyer.pdf", query_string=query)
    assert response.status_code == 404


def test_blank_slip_is_in_the_chosen_language_beside_german(staff, workshop):
    response = staff.get(
        f"/staff/workshops/{workshop.id}/consent-slip.pdf", query_string={"language": "tr"}
    )
    text = flat_text(pdf_of(response))
    assert "KI4U: Robot yapıyoruz" in text
    assert "KI4U: Roboter bauen" in text


def test_sign_in_sheet_lists_confirmed_children_only_and_is_logged(staff, workshop):
    workshop.capacity = 2
    db.session.commit()
    register(workshop, "Zeynep:11", "Amira:12")
    register(workshop, "Jonas:10")  # waits
    date = workshop.dates[0]
    pdf = pdf_of(staff.get(f"/staff/workshops/{workshop.id}/sign-in/{date.id}.pdf"))
    text = pdfs.text_of(pdf)
    assert "Zeynep" in text and "Amira" in text
    assert "Jonas" not in text
    assert text.index("Amira") < text.index("Zeynep")  # sorted by name
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert "print_list" in actions


def test_combined_sheet_and_name_tags(staff, workshop):
    register(workshop, "Zeynep:11")
    combined = pdfs.text_of(pdf_of(staff.get(f"/staff/workshops/{workshop.id}/sign-in.pdf")))
    assert "Zeynep" in combined
    tags = pdfs.text_of(pdf_of(staff.get(f"/staff/workshops/{workshop.id}/name-tags.pdf")))
    assert "Zeynep" in tags


def test_a_date_of_another_workshop_is_not_found(staff, workshop):
    other = create_workshop(organisations=workshop.organisations)
    response = staff.get(f"/staff/workshops/{workshop.id}/sign-in/{other.dates[0].id}.pdf")
    assert response.status_code == 404


def test_registration_slip_is_in_the_family_language_and_its_code_finds_the_registration(
    staff, workshop
):
    result = register(workshop, "Elif:9", language="tr")
    registration = db.session.get(Registration, result.registration.id)
    pdf = pdf_of(staff.get(f"/staff/registrations/{registration.id}/consent-slip.pdf"))
    text = flat_text(pdf)
    assert "Elif" in text and "KI4U: Robot yapıyoruz" in text
    scanned = pdfs.qr_codes(pdf)
    assert scanned == [f"{BASE}/staff/slips/{registration.checkin_code}"]
    found = staff.get(scanned[0].removeprefix(BASE))
    assert found.status_code == 302
    assert found.headers["Location"].endswith(f"/staff/registrations/{registration.id}#slip")


def test_slip_code_of_another_organisation_is_not_found(client, workshop):
    result = register(workshop, "Elif:9")
    create_staff(create_organisation("KI B"), Role.ORGANISER, "b@b.example")
    assert log_in(client, "b@b.example").status_code == 302
    code = db.session.get(Registration, result.registration.id).checkin_code
    assert client.get(f"/staff/slips/{code}").status_code == 404
    assert client.get("/staff/slips/nonsense").status_code == 404


def test_family_downloads_its_confirmation_and_slip(client, workshop):
    result = register(workshop, "Mariam:9", language="ar")
    token = result.token
    confirmation = pdf_of(client.get(f"/r/{token}/confirmation.pdf"))
    assert pdfs.qr_codes(confirmation) == [f"{BASE}/r/{token}?lang=ar"]
    assert "Mariam" in pdfs.text_of(confirmation)
    slip = pdf_of(client.get(f"/r/{token}/consent-slip.pdf"))
    assert "Mariam" in pdfs.text_of(slip)
    family_page = client.get(f"/r/{token}").get_data(as_text=True)
    assert f"/r/{token}/confirmation.pdf" in family_page
    assert f"/r/{token}/consent-slip.pdf" in family_page


def test_family_pdfs_are_private_and_a_wrong_token_is_not_found(client, workshop):
    token = register(workshop, "Mariam:9").token
    response = client.get(f"/r/{token}/confirmation.pdf")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    wrong = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/r/{wrong}/confirmation.pdf").status_code == 404
    assert client.get(f"/r/{wrong}/consent-slip.pdf").status_code == 404


def test_staff_print_the_confirmation_right_after_an_assisted_registration(staff, workshop):
    saved = staff.post(
        f"/staff/workshops/{workshop.id}/assist?family_language=ar",
        data=family_data(staff, workshop, language="ar"),
    )
    page = saved.get_data(as_text=True)
    token = LINK.search(page).group(1)
    registration = db.session.scalars(sa.select(Registration)).one()
    form = re.search(r'<input type="hidden" name="token" value="([^"]+)">', page)
    assert form and form.group(1) == token
    response = staff.post(
        f"/staff/registrations/{registration.id}/confirmation.pdf",
        data={"token": token, "csrf_token": csrf_token(staff, "/staff/password")},
    )
    assert pdfs.qr_codes(pdf_of(response)) == [f"{BASE}/r/{token}?lang=ar"]
    assert f"/staff/registrations/{registration.id}/consent-slip.pdf" in page


def test_confirmation_needs_the_family_secret(staff, workshop):
    result = register(workshop, "Mariam:9")
    token = csrf_token(staff, "/staff/password")
    url = f"/staff/registrations/{result.registration.id}/confirmation.pdf"
    assert staff.post(url, data={"csrf_token": token}).status_code == 404
    assert staff.post(url, data={"csrf_token": token, "token": "x" * 43}).status_code == 404
    assert staff.post(url, data={"token": result.token}).status_code == 400  # no CSRF token


def test_photo_consent_withdrawn_shows_on_a_newly_printed_sheet(staff, workshop):
    result = register(
        workshop,
        "Zeynep:11",
        consents={ConsentPurpose.PARTICIPATION, ConsentPurpose.PHOTO_INTERNAL},
    )
    date = workshop.dates[0]
    url = f"/staff/workshops/{workshop.id}/sign-in/{date.id}.pdf"
    before = pdfs.text_of(pdf_of(staff.get(url)))
    registration = db.session.get(Registration, result.registration.id)
    for consent in registration.consents:
        if consent.purpose == ConsentPurpose.PHOTO_INTERNAL:
            consent.withdrawn_at = consent.given_at
    db.session.commit()
    after = pdfs.text_of(pdf_of(staff.get(url)))
    assert "KEINE" not in before
    assert "KEINE" in after
