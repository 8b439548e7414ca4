"""Staff register a family on its behalf, and a school class as a group, through HTTP."""

import html as html_lib
import re
import shutil
import struct
import subprocess
import zlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from signup.extensions import db
from signup.i18n import LANGUAGES, language_name
from signup.models_base import utcnow
from signup.qr import qr_svg
from signup.registrations.models import (
    Channel,
    ConsentChannel,
    ConsentPurpose,
    Participant,
    ParticipantStatus,
    Registration,
    hash_token,
)
from signup.staff.models import AuditEntry, Role
from signup.workshops.models import Workshop, WorkshopStatus
from tests.factories import (
    create_organisation,
    create_staff,
    create_workshop,
    hidden_fields,
    register,
)
from tests.factories import (
    log_in as staff_login,
)
from tests.test_i18n_pages import catalog

LINK = re.compile(r"http://127\.0\.0\.1:5000/r/([A-Za-z0-9_-]{43})\?lang=(\w+)")


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count(model.id)))


def staff_member(client, workshop, role=Role.ASSISTANT, email="ana@ki.example"):
    """Create a member of the workshop's organisation and log them in on this client."""
    user = create_staff(workshop.organisations[0], role, email)
    log_in(client, email)
    return user


def log_in(client, email):
    response = staff_login(client, email)
    assert response.status_code == 302, response.status_code


def assist_url(workshop, language="ar") -> str:
    return f"/staff/workshops/{workshop.id}/assist?family_language={language}"


def group_url(workshop) -> str:
    return f"/staff/workshops/{workshop.id}/group"


def family_data(client, workshop, children=(("Mariam", 9),), language="ar", **fields) -> dict:
    """A complete assisted sign-up as the staff form posts it; override any field."""
    response = client.get(assist_url(workshop, language))
    assert response.status_code == 200, response.status_code
    data = hidden_fields(response.get_data(as_text=True))
    for index, (name, age) in enumerate(children):
        data[f"children-{index}-first_name"] = name
        data[f"children-{index}-age"] = str(age)
    data.update(
        {
            "phone": "0151 23456789",
            "consent_participation": "y",
            "consent_channel": "verbal",
            "submit": "1",
        }
    )
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def group_data(client, workshop, **fields) -> dict:
    data = hidden_fields(client.get(group_url(workshop)).get_data(as_text=True))
    data.update(
        {
            "group_name": "Klasse 4b, Grundschule Welheim",
            "responsible_adult": "Frau Yılmaz",
            "phone": "0151 23456789",
            "headcount": "20",
            "youngest_age": "9",
            "language": "de",
            "submit": "1",
        }
    )
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def saved_link(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:3000]
    match = LINK.search(response.get_data(as_text=True))
    assert match, "no family link on the page"
    return match.group(0)


def registration_id_of(html: str) -> str:
    return re.search(r"/staff/registrations/(\d+)/confirmation\.pdf", html).group(1)


def the_registration() -> Registration:
    db.session.rollback()
    return db.session.scalars(sa.select(Registration)).one()


# Who may do it


@pytest.mark.parametrize("role", [Role.ASSISTANT, Role.ORGANISER])
def test_assistants_and_organisers_register_families_and_groups(client, role):
    workshop = create_workshop()
    staff_member(client, workshop, role)
    saved_link(client.post(assist_url(workshop), data=family_data(client, workshop)))
    saved_link(client.post(group_url(workshop), data=group_data(client, workshop)))
    assert count(Registration) == 2


def test_staff_of_another_organisation_get_not_found(client):
    workshop = create_workshop()
    other = create_workshop(organisations=[create_organisation("KI Anderswo")])
    staff_member(client, other, Role.ORGANISER)
    data = family_data(client, other)
    for url in (
        assist_url(workshop),
        f"/staff/workshops/{workshop.id}/assist",
        group_url(workshop),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, data=data).status_code == 404
    assert client.get("/staff/workshops/999999/assist").status_code == 404
    assert count(Registration) == 0


def test_anonymous_visitors_are_sent_to_the_login(client):
    workshop = create_workshop()
    for url in (assist_url(workshop), group_url(workshop)):
        for response in (client.get(url), client.post(url, data={"submit": "1"})):
            assert response.status_code == 302
            assert response.headers["Location"].startswith("/staff/login?next=")
    assert count(Registration) == 0


# The family's language first


def test_language_step_lists_the_thirteen_languages_by_their_own_names(client):
    workshop = create_workshop()
    staff_member(client, workshop)
    html = client.get(f"/staff/workshops/{workshop.id}/assist").get_data(as_text=True)
    for code in LANGUAGES:
        assert f"family_language={code}" in html
        assert f'<span lang="{code}"' in html
        assert html_lib.escape(language_name(code)) in html
    assert "Arabisch" in html  # named in the staff member's language too
    assert "<form" not in html.split("</nav>")[-1]  # a plain link per language, no form


def test_unknown_family_language_shows_the_language_step_again(client):
    workshop = create_workshop()
    staff_member(client, workshop)
    for language in ("xx", "", "ar-EG", "<script>"):
        response = client.get(assist_url(workshop, language))
        assert response.status_code == 200
        assert "Welche Sprache spricht die Familie?" in response.get_data(as_text=True)


def test_consent_text_is_shown_in_the_family_language_beside_the_german(client):
    workshop = create_workshop(photo_uses="internal")
    staff_member(client, workshop)
    html = html_lib.unescape(client.get(assist_url(workshop, "ar")).get_data(as_text=True))
    german = (
        "Ich bin sorgeberechtigt. Die angemeldeten Kinder dürfen am Workshop teilnehmen. "
        "Die Angaben werden nur für diesen Workshop genutzt."
    )
    arabic = catalog("ar")[german]
    assert f'<p lang="ar" dir="rtl">{arabic}</p>' in html
    assert f'<p lang="de" dir="ltr">{german}</p>' in html
    assert '<html lang="de" dir="ltr">' in html  # the rest is in the staff member's language
    assert "Einverstanden: Teilnahme" in html
    assert "auf Papier" in html and "mündlich, Zettel wird nachgereicht" in html


# What is stored


def test_assisted_registration_stores_channel_helper_language_and_consent_channel(client):
    workshop = create_workshop(photo_uses="internal,website")
    user = staff_member(client, workshop)
    data = family_data(
        client,
        workshop,
        children=[("مريم", 9), ("Yusuf", 11)],
        photo_consents="photo_internal",
    )
    saved_link(client.post(assist_url(workshop, "ar"), data=data))
    registration = the_registration()
    assert registration.channel == Channel.ASSISTED
    assert registration.assisted_by_id == user.id
    assert registration.language == "ar"
    assert registration.contact_phone == "+4915123456789"
    assert [p.first_name for p in registration.participants] == ["مريم", "Yusuf"]
    assert {c.purpose for c in registration.consents} == {
        ConsentPurpose.PARTICIPATION,
        ConsentPurpose.PHOTO_INTERNAL,
    }
    for consent in registration.consents:
        assert consent.language == "ar"
        assert consent.channel == ConsentChannel.VERBAL
        assert consent.recorded_by_id == user.id
    assert registration.needs_slip
    entry = db.session.scalars(sa.select(AuditEntry)).one()
    assert (entry.action, entry.subject, entry.actor_id) == (
        "register_family",
        f"registration:{registration.id}",
        user.id,
    )


def test_consent_on_paper_is_stored_as_paper(client):
    workshop = create_workshop()
    staff_member(client, workshop)
    data = family_data(client, workshop, language="tr", consent_channel="paper")
    saved_link(client.post(assist_url(workshop, "tr"), data=data))
    registration = the_registration()
    assert registration.language == "tr"
    assert [c.channel for c in registration.consents] == [ConsentChannel.PAPER]


def test_result_page_shows_each_child_state_the_link_and_a_qr_code(client):
    workshop = create_workshop(capacity=1)
    staff_member(client, workshop)
    data = family_data(client, workshop, children=[("Mariam", 9), ("Yusuf", 11)])
    response = client.post(assist_url(workshop), data=data)
    link = saved_link(response)
    html = response.get_data(as_text=True)
    assert "Anmeldung gespeichert" in html
    assert "Platz sicher" in html and "Warteliste: Nummer 1" in html
    assert '<svg version="1.1" viewBox=' in html and 'role="img"' in html
    assert f"/staff/registrations/{registration_id_of(html)}/consent-slip.pdf" in html
    assert "/confirmation.pdf" in html  # printed with the link, while it is on screen
    assert response.headers["Cache-Control"] == "no-store"
    token = LINK.search(link).group(1)
    assert the_registration().token_hash == hash_token(token)
    assert client.get(link.removeprefix("http://127.0.0.1:5000")).status_code == 200


def test_the_token_is_stored_nowhere_in_plain_text(client):
    workshop = create_workshop()
    staff_member(client, workshop)
    response = client.post(assist_url(workshop), data=family_data(client, workshop))
    token = LINK.search(saved_link(response)).group(1)
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)):
            assert token not in repr(tuple(row)), table.name
    assert token not in response.headers.get("Set-Cookie", "")
    assert token not in response.headers.get("Location", "")


def test_qr_code_decodes_to_the_family_link(client, tmp_path):
    zbarimg = shutil.which("zbarimg") or "/usr/bin/zbarimg"
    workshop = create_workshop()
    staff_member(client, workshop)
    response = client.post(assist_url(workshop), data=family_data(client, workshop))
    link = saved_link(response)
    svg = re.search(r"<svg.*?</svg>", response.get_data(as_text=True), re.DOTALL).group(0)
    image = tmp_path / "qr.png"
    image.write_bytes(png_from_svg(svg))
    decoded = subprocess.run(
        [zbarimg, "--raw", "-q", str(image)], capture_output=True, text=True, check=True
    )
    assert decoded.stdout.strip() == link


def test_qr_helper_escapes_its_label_and_keeps_a_quiet_zone(app):
    svg = str(qr_svg("https://example.org/r/x", 'Code "für" <Familie>'))
    assert 'aria-label="Code &quot;für&quot; &lt;Familie&gt;"' in svg
    rows = modules(svg)
    for edge in (rows[:4], rows[-4:], [row[:4] for row in rows], [row[-4:] for row in rows]):
        assert not any(any(row) for row in edge)
    assert 'id="' not in svg


def modules(svg: str) -> list[list[bool]]:
    """Read the QR matrix back from the path of one-unit squares that signup.qr draws."""
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    rows = [[False] * size for _ in range(size)]
    path = re.search(r'<path d="([^"]+)"', svg).group(1)
    for x, y in re.findall(r"M(\d+),(\d+)H\d+V\d+H\d+z", path):
        rows[int(y)][int(x)] = True
    return rows


def png_from_svg(svg: str, scale: int = 8) -> bytes:
    """Draw the QR matrix as a greyscale PNG (zlib and struct only)."""
    rows = modules(svg)
    width = len(rows) * scale
    lines = []
    for row in rows:
        line = b"\x00" + bytes(0 if dark else 255 for dark in row for _ in range(scale))
        lines.extend([line] * scale)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, width, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(lines)))
        + chunk(b"IEND", b"")
    )


# The form: errors, rows, double submit


def test_errors_are_shown_next_to_fields_and_values_kept(client):
    workshop = create_workshop(min_age=10, max_age=14)
    staff_member(client, workshop)
    data = family_data(
        client,
        workshop,
        children=[("", "7")],
        phone="12",
        email="kein-at",
        consent_participation=None,
        consent_channel=None,
    )
    response = client.post(assist_url(workshop), data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'children-0-first_name-error">Bitte geben Sie den Vornamen an.', html)
    assert re.search(r'children-0-age-error">Dieser Workshop ist für Kinder von 10 bis 14', html)
    assert re.search(r'phone-error">Diese Telefonnummer stimmt nicht', html)
    assert re.search(r'email-error">Diese E-Mail-Adresse stimmt nicht', html)
    assert re.search(r'consent_participation-error">Ohne Einverständnis zur Teilnahme', html)
    assert re.search(r'consent_channel-error">Bitte wählen Sie, wie die Familie', html)
    assert 'value="7"' in html and 'value="12"' in html and 'value="kein-at"' in html
    assert 'href="#consent_channel-paper"' in html  # the summary links to the field
    assert count(Registration) == 0


def test_chosen_consent_channel_and_boxes_are_kept_after_an_error(client):
    workshop = create_workshop(photo_uses="internal")
    staff_member(client, workshop)
    data = family_data(client, workshop, phone="12", photo_consents="photo_internal")
    html = client.post(assist_url(workshop), data=data).get_data(as_text=True)
    assert re.search(r'id="consent_channel-verbal"[^>]*value="verbal" checked', html)
    assert re.search(r'id="photo-photo_internal"[^>]*checked', html)
    assert re.search(r'id="consent_participation"[^>]*checked', html)


def test_add_child_adds_a_row_without_javascript_and_keeps_what_was_typed(client):
    workshop = create_workshop()
    staff_member(client, workshop)
    data = family_data(client, workshop, add_child="1", submit=None)
    response = client.post(assist_url(workshop), data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="children-1-first_name"' in html and 'value="Mariam"' in html
    assert 'name="together"' in html
    assert count(Registration) == 0


def test_only_together_siblings_wait_together(client):
    workshop = create_workshop(capacity=1)
    staff_member(client, workshop)
    data = family_data(client, workshop, children=[("Mariam", 9), ("Yusuf", 11)], together="y")
    saved_link(client.post(assist_url(workshop), data=data))
    registration = the_registration()
    assert registration.together
    assert {p.status for p in registration.participants} == {ParticipantStatus.WAITING}


def test_double_submit_books_once_and_shows_the_same_link(client):
    workshop = create_workshop()
    staff_member(client, workshop)
    data = family_data(client, workshop, children=[("Mariam", 9), ("Yusuf", 11)])
    first = saved_link(client.post(assist_url(workshop), data=data))
    second = saved_link(client.post(assist_url(workshop), data=data))
    assert first == second
    assert count(Registration) == 1 and count(Participant) == 2
    assert count(AuditEntry) == 1


def test_children_registered_before_are_not_booked_again(client):
    workshop = create_workshop()
    register(workshop, "Mariam:9", phone="+4915123456789")
    staff_member(client, workshop)
    response = client.post(assist_url(workshop), data=family_data(client, workshop))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Schon angemeldet" in html and not LINK.search(html)
    assert count(Participant) == 1


def test_an_expired_form_keeps_what_was_typed(client):
    workshop = create_workshop()
    staff_member(client, workshop)
    data = family_data(client, workshop, csrf_token="expired")
    response = client.post(assist_url(workshop), data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Die Seite war lange offen." in html and 'value="Mariam"' in html
    assert count(Registration) == 0


# Optional fields


ALL_FIELDS = "surname,gender,school,school_year,health,pickup"


def test_optional_fields_the_workshop_asks_are_stored(client):
    workshop = create_workshop(optional_fields=ALL_FIELDS)
    staff_member(client, workshop)
    html = client.get(assist_url(workshop)).get_data(as_text=True)
    assert "divers" in html and "möchte ich nicht sagen" in html
    data = family_data(
        client,
        workshop,
        **{
            "children-0-surname": "Haddad",
            "children-0-gender": "female",
            "children-0-school": "Grundschule Welheim",
            "children-0-school_year": "4b",
            "children-0-health_notes": "Erdnussallergie",
            "children-0-pickup_note": "Oma Leila",
        },
        consent_health="y",
    )
    saved_link(client.post(assist_url(workshop), data=data))
    child = the_registration().participants[0]
    assert (child.surname, child.gender, child.school, child.school_year) == (
        "Haddad",
        "female",
        "Grundschule Welheim",
        "4b",
    )
    assert (child.health_notes, child.pickup_note) == ("Erdnussallergie", "Oma Leila")


def test_health_notes_need_the_explicit_consent(client):
    workshop = create_workshop(optional_fields="health")
    staff_member(client, workshop)
    data = family_data(client, workshop, **{"children-0-health_notes": "Asthma"})
    response = client.post(assist_url(workshop), data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'children-0-health_notes-error">Angaben zur Gesundheit nur mit', html)
    assert ">Asthma</textarea>" in html
    assert count(Registration) == 0


def test_fields_the_workshop_does_not_ask_are_neither_shown_nor_stored(client):
    workshop = create_workshop(optional_fields="")
    staff_member(client, workshop)
    html = client.get(assist_url(workshop)).get_data(as_text=True)
    assert "children-0-surname" not in html and "health_notes" not in html
    data = family_data(
        client,
        workshop,
        consent_health="y",
        **{"children-0-surname": "Haddad", "children-0-health_notes": "Asthma"},
    )
    saved_link(client.post(assist_url(workshop), data=data))
    child = the_registration().participants[0]
    assert child.surname is None and child.health_notes is None


def test_a_gender_outside_the_list_is_an_error(client):
    workshop = create_workshop(optional_fields="gender")
    staff_member(client, workshop)
    data = family_data(client, workshop, **{"children-0-gender": "robot"})
    response = client.post(assist_url(workshop), data=data)
    assert response.status_code == 422
    assert "children-0-gender-error" in response.get_data(as_text=True)


# Workshop states


def test_staff_may_register_after_the_window_closed(client):
    workshop = create_workshop(registration_closes_at=utcnow() - timedelta(days=1))
    staff_member(client, workshop)
    html = client.get(assist_url(workshop)).get_data(as_text=True)
    assert "Für Familien ist die Anmeldung gerade nicht offen." in html
    saved_link(client.post(assist_url(workshop), data=family_data(client, workshop)))


@pytest.mark.parametrize("status", [WorkshopStatus.DRAFT, WorkshopStatus.CANCELLED])
def test_drafts_and_cancelled_workshops_show_why_and_no_form(client, status):
    workshop = create_workshop(status=status)
    staff_member(client, workshop)
    for url in (assist_url(workshop), group_url(workshop)):
        response = client.post(url, data={"submit": "1", "consent_channel": "verbal"})
        assert response.status_code == 200
        assert 'name="submit"' not in response.get_data(as_text=True)
    assert count(Registration) == 0


# Groups


def test_group_takes_headcount_places(client):
    workshop = create_workshop(capacity=25)
    register(workshop, "Amira")
    user = staff_member(client, workshop)
    response = client.post(group_url(workshop), data=group_data(client, workshop, school_year="4"))
    link = saved_link(response)
    assert link.endswith("?lang=de")
    html = response.get_data(as_text=True)
    assert "20 Kinder" in html and "Plätze sicher" in html
    db.session.rollback()
    assert db.session.get(Workshop, workshop.id).confirmed_count == 21
    group = db.session.scalars(
        sa.select(Registration).where(Registration.group_name.is_not(None))
    ).one()
    assert group.channel == Channel.GROUP and group.assisted_by_id == user.id
    assert group.responsible_adult == "Frau Yılmaz"
    assert [c.channel for c in group.consents] == [ConsentChannel.SCHOOL]
    assert (group.participants[0].headcount, group.participants[0].school_year) == (20, "4")


def test_group_waits_whole_when_it_does_not_fit(client):
    workshop = create_workshop(capacity=25)
    register(workshop, "Amira", "Jonas", "Elif", "Can", "Lea", "Mia", "Noah")
    staff_member(client, workshop)
    response = client.post(group_url(workshop), data=group_data(client, workshop))
    saved_link(response)
    assert "Warteliste: Nummer 1" in response.get_data(as_text=True)
    db.session.rollback()
    refreshed = db.session.get(Workshop, workshop.id)
    assert (refreshed.confirmed_count, refreshed.waiting_count) == (7, 20)


def test_group_headcount_must_fit_the_workshop(client):
    workshop = create_workshop(capacity=25)
    staff_member(client, workshop)
    for headcount in ("0", "26", "zwanzig", ""):
        data = group_data(client, workshop, headcount=headcount)
        response = client.post(group_url(workshop), data=data)
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert 'id="headcount-error"' in html
        assert f'value="{headcount}"' in html and 'value="Frau Yılmaz"' in html
    assert count(Registration) == 0


def test_group_errors_are_shown_next_to_fields(client):
    workshop = create_workshop()
    staff_member(client, workshop)
    data = group_data(
        client, workshop, group_name="", responsible_adult=" ", phone="", youngest_age="3"
    )
    html = client.post(group_url(workshop), data=data).get_data(as_text=True)
    assert 'group_name-error">Bitte geben Sie den Namen der Gruppe an.' in html
    assert 'responsible_adult-error">Bitte geben Sie an, wer die Gruppe begleitet.' in html
    assert 'contact-error">Bitte geben Sie eine Telefonnummer oder eine E-Mail-Adresse an.' in html
    assert 'youngest_age-error">Bitte geben Sie eine Zahl von 6 bis 14 an.' in html


def test_group_double_submit_books_once(client):
    workshop = create_workshop()
    staff_member(client, workshop)
    data = group_data(client, workshop)
    first = saved_link(client.post(group_url(workshop), data=data))
    assert saved_link(client.post(group_url(workshop), data=data)) == first
    assert count(Registration) == 1
    db.session.rollback()
    assert db.session.get(Workshop, workshop.id).confirmed_count == 20


# Hostile input

NASTY = [
    "",
    "\x00",
    "\u202e\u2066evil\u2069",
    "👩‍👧‍👦",
    "مریم",
    "١٢",
    "9" * 400,
    "-3",
    "1e3",
    "x" * 5000,
    "<script>alert(1)</script>",
    "%(name)s",
    "{0}",
    "\ud7ff",
    "verbal",
    "paper",
    "school",
    "female",
]
FAMILY_FIELDS = [
    "children-0-first_name",
    "children-0-age",
    "children-0-surname",
    "children-0-gender",
    "children-0-health_notes",
    "children-0-pickup_note",
    "children-1-age",
    "children-99999999999-first_name",
    "phone",
    "email",
    "consent_channel",
    "consent_health",
    "photo_consents",
    "together",
    "add_child",
    "submission_id",
]
GROUP_FIELDS = [
    "group_name",
    "responsible_adult",
    "phone",
    "email",
    "headcount",
    "youngest_age",
    "school_year",
    "language",
    "submission_id",
]


def test_hostile_values_get_an_answer_never_a_crash(client):
    workshop = create_workshop(capacity=5, optional_fields=ALL_FIELDS)
    staff_member(client, workshop)
    family = family_data(client, workshop)
    group = group_data(client, workshop)
    for number, value in enumerate(NASTY):
        for field in FAMILY_FIELDS:
            data = {**family, field: value}
            if number % 2:
                data["submission_id"] = f"s{number:021d}{field[:20]}"
            response = client.post(assist_url(workshop), data=data)
            assert response.status_code in {200, 422}, (field, value, response.status_code)
        for field in GROUP_FIELDS:
            response = client.post(group_url(workshop), data={**group, field: value})
            assert response.status_code in {200, 422}, (field, value, response.status_code)
    for language in ("ar", "../..", "x" * 500, "\x00"):
        response = client.post(assist_url(workshop, language), data=family)
        assert response.status_code in {200, 422}
    db.session.rollback()
    assert db.session.get(Workshop, workshop.id).confirmed_count <= 5
    for registration in db.session.scalars(sa.select(Registration)):
        assert registration.participants
        assert registration.contact_phone or registration.contact_email
