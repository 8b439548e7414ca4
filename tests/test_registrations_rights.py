"""The family's rights on its own page, and staff acting on a family's request, through HTTP."""

import json
import re
import threading

import pytest
import sqlalchemy as sa

from signup.extensions import db
from signup.printables.data import sheet_rows
from signup.registrations import rights, services
from signup.registrations.models import (
    Channel,
    Consent,
    ConsentChannel,
    ConsentPurpose,
    Participant,
    ParticipantStatus,
    Registration,
    RegistrationNote,
)
from signup.staff import services as staff_services
from signup.staff.models import AuditEntry, Role
from tests.factories import (
    create_organisation,
    create_staff,
    create_workshop,
    csrf_token,
    hidden_fields,
    log_in,
    register,
    write_transaction,
)

PHOTOS = {ConsentPurpose.PARTICIPATION, ConsentPurpose.PHOTO_INTERNAL, ConsentPurpose.PHOTO_WEBSITE}
ALL_FIELDS = "surname,gender,school,school_year,health,pickup"


@pytest.fixture
def organisation(app):
    return create_organisation("KI Bottrop")


@pytest.fixture
def workshop(organisation):
    return create_workshop(organisations=[organisation], capacity=1, optional_fields="health")


def family(workshop, *children, **kw):
    """Register children (services.Child) as a family; return the registration and its link."""
    write_transaction()
    kw.setdefault("consents", {ConsentPurpose.PARTICIPATION})
    kw.setdefault("phone", "+4915112345678")
    result = services.register(
        db.session,
        workshop,
        children or [services.Child("Amira", 9)],
        email=kw.pop("email", None),
        language=kw.pop("language", "de"),
        **kw,
    )
    db.session.commit()
    return result.registration, f"/r/{result.token}"


def page_csrf(client, link) -> str:
    return hidden_fields(client.get(link).get_data(as_text=True))["csrf_token"]


def post(client, url, link, **data):
    """Post a family form with the CSRF token its page carries."""
    return client.post(url, data={"csrf_token": page_csrf(client, link), **data})


def fresh(model, id_):
    db.session.rollback()
    return db.session.get(model, id_)


def consents_of(registration_id) -> dict:
    db.session.rollback()
    rows = db.session.scalars(sa.select(Consent).filter_by(registration_id=registration_id))
    return {consent.purpose: consent.withdrawn_at for consent in rows}


def staff_client(app, organisation, role=Role.ORGANISER):
    user = create_staff(organisation, role)
    client = app.test_client()
    assert log_in(client, user.email).status_code == 302
    return client


def audit(action) -> list[AuditEntry]:
    db.session.rollback()
    return db.session.scalars(sa.select(AuditEntry).filter_by(action=action)).all()


# --------------------------------------------------------------------------- consents


def test_family_page_lists_each_consent_with_time_and_channel(client, workshop):
    _, link = family(workshop, consents=PHOTOS | {ConsentPurpose.HEALTH})
    html = client.get(link).get_data(as_text=True)
    assert 'id="consents"' in html
    for label in ("Teilnahme", "Fotos und Filme für die interne Dokumentation"):
        assert label in html
    assert html.count("Gegeben am") == 4 and "(online)" in html
    assert html.count(">Zurücknehmen</button>") == 3  # two photo uses and health
    assert f'href="{link}/cancel"' in html  # taking part ends by cancelling


def test_withdrawing_one_photo_use_keeps_the_others_and_the_proof(client, workshop):
    registration, link = family(workshop, consents=PHOTOS)
    response = post(client, f"{link}/consents/photo_internal/withdraw", link)
    assert response.status_code == 302
    assert response.headers["Location"] == f"{link}#consents"
    consents = consents_of(registration.id)
    assert consents[ConsentPurpose.PHOTO_INTERNAL] is not None  # the row stays, marked
    assert consents[ConsentPurpose.PHOTO_WEBSITE] is None
    assert consents[ConsentPurpose.PARTICIPATION] is None
    html = client.get(link).get_data(as_text=True)
    assert "Zurückgenommen am" in html and html.count(">Zurücknehmen</button>") == 1
    again = post(client, f"{link}/consents/photo_internal/withdraw", link)
    assert again.status_code == 302
    assert consents_of(registration.id) == consents  # twice changes nothing


def test_taking_part_and_unknown_purposes_are_not_withdrawn_here(client, workshop):
    registration, link = family(workshop, consents=PHOTOS)
    for purpose in ("participation", "nonsense"):
        response = post(client, f"{link}/consents/{purpose}/withdraw", link)
        assert response.status_code == 404, purpose
    never_given = post(client, f"{link}/consents/photo_press/withdraw", link)
    assert never_given.status_code == 302
    assert ConsentPurpose.PHOTO_PRESS not in consents_of(registration.id)
    assert all(at is None for at in consents_of(registration.id).values())


def test_check_in_and_sign_in_sheet_show_no_photos_after_withdrawal(app, client, organisation):
    workshop = create_workshop(organisations=[organisation], photo_uses="internal")
    registration, link = family(workshop, consents={*PHOTOS} - {ConsentPurpose.PHOTO_WEBSITE})
    participant_id = registration.participants[0].id
    door = staff_client(app, organisation, Role.ASSISTANT)
    checkin = f"/staff/workshops/{workshop.id}/checkin/{workshop.dates[0].id}"

    def door_row() -> str:
        html = door.get(checkin).get_data(as_text=True)
        return re.search(rf'id="p{participant_id}">.*?</li>', html, re.S).group(0)

    assert "Fotos erlaubt" in door_row()
    assert [row.photo_ok for row in sheet_rows(db.session, workshop)] == [True]
    post(client, f"{link}/consents/photo_internal/withdraw", link)
    assert "KEINE Fotos" in door_row()
    db.session.rollback()
    assert [row.photo_ok for row in sheet_rows(db.session, workshop)] == [False]


def test_withdrawing_health_consent_deletes_the_health_notes_at_once(client, workshop):
    children = [services.Child("Amira", 9, health_notes="Erdnüsse"), services.Child("Jonas", 8)]
    registration, link = family(workshop, *children, consents=PHOTOS | {ConsentPurpose.HEALTH})
    html = client.get(link).get_data(as_text=True)
    assert "werden dann sofort gelöscht" in html
    post(client, f"{link}/consents/health/withdraw", link)
    db.session.rollback()
    notes = db.session.scalars(
        sa.select(Participant.health_notes).filter_by(registration_id=registration.id)
    ).all()
    assert notes == [None, None]
    assert consents_of(registration.id)[ConsentPurpose.HEALTH] is not None


# --------------------------------------------------------------------------- your data


@pytest.fixture
def full_registration(organisation):
    """A registration with every field filled, helped by staff, with a note and attendance."""
    workshop = create_workshop(
        organisations=[organisation],
        optional_fields=ALL_FIELDS,
        photo_uses="internal,press",
        capacity=1,
    )
    helper = create_staff(organisation, Role.ASSISTANT, name="Ana Beispiel")
    child = services.Child(
        "Amira",
        9,
        surname="Haddad",
        gender="female",
        school="Gesamtschule Welheim",
        school_year="4b",
        health_notes="Erdnussallergie",
        pickup_note="nur Tante Gül",
    )
    registration, link = family(
        workshop,
        child,
        email="eltern@example.org",
        language="ar",
        consents=PHOTOS | {ConsentPurpose.HEALTH},
        channel=Channel.ASSISTED,
        assisted_by=helper,
        consent_channel=ConsentChannel.PAPER,
    )
    write_transaction()
    registration = db.session.get(Registration, registration.id)
    services.set_slip_received(db.session, registration, True)
    services.add_note(db.session, registration, helper, "Mutter angerufen, kommt nur am Montag")
    services.set_attendance(db.session, registration.participants[0], workshop.dates[0], True)
    db.session.commit()
    return registration, link


def test_data_page_shows_every_stored_fact(client, full_registration):
    registration, link = full_registration
    html = client.get(f"{link}/data").get_data(as_text=True)
    for fact in (
        "Amira",
        "Haddad",
        "Mädchen",
        "Gesamtschule Welheim",
        "4b",
        "Erdnussallergie",
        "nur Tante Gül",
        "+4915112345678",
        "eltern@example.org",
        "العربية",
        "Ana Beispiel",
        "mit Hilfe von Fachkräften",
        "auf Papier",
        "2026-12-1",
        "Fotos und Filme für die interne Dokumentation",
        "Mutter angerufen, kommt nur am Montag",
        "Platz sicher",
        "Zettel mit Unterschrift erhalten am",
        "Da gewesen am",
        str(registration.id),
    ):
        assert fact in html, fact
    assert 'href="' + link + '/data.json"' in html


def test_every_stored_key_has_words_on_the_page(app, full_registration):
    data = rights.stored_data(fresh(Registration, full_registration[0].id))
    keys = set(data) - {"format"}
    for section in ("registration", "contact"):
        keys |= set(data[section])
    for section in ("children", "consents", "notes"):
        keys |= {key for item in data[section] for key in item}
    assert keys <= set(rights.LABELS)


#: Columns left out of the family's data, and why: numbering, secrets, links between tables.
INTERNAL_COLUMNS = {
    "registrations": {"token_hash", "checkin_code", "workshop_id", "assisted_by_id"},
    "participants": {"id", "registration_id", "workshop_id", "waitlist_order", "created_at"},
    "consents": {"id", "registration_id", "recorded_by_id"},
    "registration_notes": {"id", "registration_id", "author_id"},
}
#: Columns shown under another key.
RENAMED = {"contact_phone": "phone", "contact_email": "email", "created_at": "written_at"}


def test_the_data_covers_every_personal_column(app, full_registration):
    """A new column must be shown to the family or listed here as internal, on purpose."""
    data = rights.stored_data(fresh(Registration, full_registration[0].id))
    shown = {
        "registrations": set(data["registration"]) | set(data["contact"]),
        "participants": set(data["children"][0]),
        "consents": set(data["consents"][0]),
        "registration_notes": set(data["notes"][0]),
    }
    for model in (Registration, Participant, Consent, RegistrationNote):
        table = model.__table__
        for column in table.columns:
            if column.name in INTERNAL_COLUMNS[table.name]:
                continue
            names = {column.name, RENAMED.get(column.name)}
            assert names & shown[table.name], f"{table.name}.{column.name}: show it or say why not"


def test_json_download_holds_the_same_facts_and_no_secrets(client, full_registration):
    registration, link = full_registration
    response = client.get(f"{link}/data.json")
    assert response.status_code == 200
    assert response.content_type == "application/json"  # JSON is UTF-8 by definition
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_data()
    data = json.loads(body.decode("utf-8"))
    expected = json.loads(rights.as_json(rights.stored_data(fresh(Registration, registration.id))))
    assert data == expected
    assert "Tante Gül" in body.decode("utf-8")  # UTF-8, not escaped
    assert data["registration"]["language"] == "ar"  # codes, not words
    assert data["contact"] == {"phone": "+4915112345678", "email": "eltern@example.org"}
    assert data["registration"]["channel"] == "assisted"
    assert data["registration"]["assisted_by"] == "Ana Beispiel"
    assert data["children"][0]["gender"] == "female"
    assert data["children"][0]["attendance"] == [registration.workshop.dates[0].day.isoformat()]
    assert data["consents"][0]["given_at"].endswith("+00:00")
    sections = {"format", "registration", "contact", "children", "consents", "notes", "messages"}
    assert set(data) == sections
    stored = fresh(Registration, registration.id)
    for secret in (link.removeprefix("/r/"), stored.token_hash, stored.checkin_code, "token"):
        assert secret not in body.decode(), secret


# --------------------------------------------------------------------------- deletion


def rows_of(registration_id: int, participant_ids: list[int]) -> dict[str, int]:
    """Count, in every table, the rows that point at the registration or its children."""
    db.session.rollback()
    found = {}
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            for key in column.foreign_keys:
                target = key.column.table.name
                ids = {"registrations": [registration_id], "participants": participant_ids}
                if target in ids:
                    number = db.session.scalar(
                        sa.select(sa.func.count()).where(column.in_(ids[target]))
                    )
                    if number:
                        found[f"{table.name}.{column.name}"] = number
    for model, ids in ((Registration, [registration_id]), (Participant, participant_ids)):
        number = db.session.scalar(sa.select(sa.func.count()).where(model.id.in_(ids)))
        if number:
            found[model.__tablename__] = number
    return found


def cells_containing(*texts: str) -> list[str]:
    """Every table cell that contains one of the texts."""
    db.session.rollback()
    hits = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)):
            for value in row:
                if isinstance(value, str) and any(text in value for text in texts):
                    hits.append(f"{table.name}: {value}")
    return hits


def test_family_deletes_everything_and_the_next_child_moves_up(app, client, full_registration):
    registration, link = full_registration
    registration_id = registration.id
    workshop = registration.workshop
    partner = create_organisation("zdi Bottrop")
    workshop = db.session.get(type(workshop), workshop.id)
    workshop.organisations.append(partner)
    db.session.commit()
    waiting = register(workshop, "Jonas").registration.participants[0]
    assert waiting.status == ParticipantStatus.WAITING
    participant_ids = [p.id for p in registration.participants]
    assert rows_of(registration_id, participant_ids)
    staff_services.record(
        db.session, None, "cancel", f"registration:{registration_id}", detail="participant:1"
    )
    db.session.commit()

    confirm = client.get(f"{link}/delete")
    assert confirm.status_code == 200 and "Ja, alles löschen" in confirm.get_data(as_text=True)
    response = post(client, f"{link}/delete", link)
    assert response.status_code == 200
    assert "Anmeldung gelöscht" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"

    assert rows_of(registration_id, participant_ids) == {}
    personal = ("Haddad", "+4915112345678", "eltern@example.org", "Erdnuss", "Gül", "Mutter")
    assert cells_containing(*personal) == []
    assert fresh(Participant, waiting.id).status == ParticipantStatus.CONFIRMED
    entries = audit("deleted_by_family")
    assert {e.organisation_id for e in entries} == {o.id for o in workshop.organisations}
    assert {(e.subject, e.actor_id, e.detail) for e in entries} == {
        (f"registration:{registration_id}", None, "")
    }
    assert audit("cancel")[0].detail == ""  # earlier entries keep only the fact
    for path in ("", "/data", "/data.json", "/delete", "/confirmation.pdf"):
        assert client.get(link + path).status_code == 404, path


def test_delete_sent_twice_gives_not_found_not_an_error(client, workshop):
    _, link = family(workshop)
    token = page_csrf(client, link)
    first = client.post(f"{link}/delete", data={"csrf_token": token})
    second = client.post(f"{link}/delete", data={"csrf_token": token})
    assert (first.status_code, second.status_code) == (200, 404)


def twin_posts(app, client, url, data) -> list:
    """Send the same form twice at the same moment from one browser, as a double tap does."""
    cookie = client.get_cookie("session")
    barrier = threading.Barrier(2)
    responses = []

    def send():
        twin = app.test_client()
        twin.set_cookie(cookie.key, cookie.value)
        barrier.wait()
        responses.append(twin.post(url, data=data))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


def test_delete_tapped_twice_at_once_deletes_once_without_error(app, client, workshop):
    registration, link = family(workshop)
    waiting = register(workshop, "Jonas").registration.participants[0]
    responses = twin_posts(app, client, f"{link}/delete", {"csrf_token": page_csrf(client, link)})
    assert sorted(r.status_code for r in responses) == [200, 404]
    assert fresh(Participant, waiting.id).status == ParticipantStatus.CONFIRMED
    assert len(audit("deleted_by_family")) == 1


def test_new_link_tapped_twice_at_once_shows_one_new_link(app, client, workshop):
    _, link = family(workshop)
    fields = hidden_fields(client.get(link).get_data(as_text=True))
    responses = twin_posts(app, client, f"{link}/new-link", fields)
    assert [r.status_code for r in responses] == [302, 302]
    locations = {r.headers["Location"] for r in responses}
    assert len(locations) == 1 and link not in locations
    assert client.get(locations.pop()).status_code == 200


def test_posts_without_csrf_token_are_refused_and_change_nothing(client, workshop):
    registration, link = family(workshop, consents=PHOTOS)
    for path in ("/consents/photo_internal/withdraw", "/delete", "/new-link"):
        assert client.post(link + path).status_code == 400, path
    assert client.get(link).status_code == 200
    assert all(at is None for at in consents_of(registration.id).values())


# --------------------------------------------------------------------------- a fresh link


def test_a_fresh_link_works_and_the_old_one_stops(client, workshop):
    registration, link = family(workshop)
    with client.session_transaction() as browser:  # as if this browser had registered
        browser["family_tokens"] = [link.removeprefix("/r/"), "another-familys-token"]
    fields = hidden_fields(client.get(link).get_data(as_text=True))
    response = client.post(f"{link}/new-link", data=fields)
    assert response.status_code == 302
    new_link = response.headers["Location"]
    assert re.fullmatch(r"/r/[A-Za-z0-9_-]{43}", new_link) and new_link != link
    html = client.get(new_link).get_data(as_text=True)
    assert "Das ist Ihr neuer Link" in html and new_link in html
    assert client.get(link).status_code == 404
    assert fresh(Registration, registration.id) is not None
    with client.session_transaction() as browser:
        assert browser["family_tokens"] == [new_link.removeprefix("/r/"), "another-familys-token"]
    # The same form sent twice shows the new link again, and makes no third one.
    again = client.post(f"{link}/new-link", data=fields)
    assert (again.status_code, again.headers["Location"]) == (302, new_link)
    assert client.get(new_link).status_code == 200


def test_a_wrong_token_gets_the_same_not_found_everywhere(client, workshop):
    _, link = family(workshop)
    csrf = page_csrf(client, link)
    missing = client.get("/r/" + "B" * 43).get_data(as_text=True).replace("B" * 43, "")
    for token in ("A" * 43, "x", "A" * 200):
        for method, path in (
            ("GET", ""),
            ("GET", "/data"),
            ("GET", "/data.json"),
            ("GET", "/delete"),
            ("POST", "/delete"),
            ("POST", "/consents/photo_internal/withdraw"),
            ("POST", "/new-link"),
        ):
            response = client.open(f"/r/{token}{path}", method=method, data={"csrf_token": csrf})
            assert response.status_code == 404, (method, path)
            body = response.get_data(as_text=True).replace(token + path, "").replace(token, "")
            assert body == missing, (method, path)
            assert response.headers["Cache-Control"] == "no-store"


# --------------------------------------------------------------------------- staff on request


def test_organisers_download_and_delete_on_request(app, organisation, full_registration):
    registration, link = full_registration
    registration_id, workshop_id = registration.id, registration.workshop_id
    waiting = register(registration.workshop, "Jonas").registration.participants[0]
    waiting_registration_id = waiting.registration_id
    client = staff_client(app, organisation)
    detail = client.get(f"/staff/registrations/{registration_id}").get_data(as_text=True)
    assert "Daten herunterladen (JSON)" in detail and "Auf Wunsch löschen" in detail

    download = client.get(f"/staff/registrations/{registration_id}/data.json")
    assert download.status_code == 200 and download.mimetype == "application/json"
    assert download.headers["Cache-Control"] == "no-store"
    family_copy = app.test_client().get(f"{link}/data.json").get_data()
    assert json.loads(download.get_data()) == json.loads(family_copy)
    assert len(audit("export_registration")) == 1

    url = f"/staff/registrations/{registration_id}/delete"
    assert "Ja, alles löschen" in client.get(url).get_data(as_text=True)
    response = client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/staff/workshops/{workshop_id}/registrations"
    assert fresh(Registration, registration_id) is None
    assert fresh(Participant, waiting.id).status == ParticipantStatus.CONFIRMED
    (entry,) = audit("deleted_on_request")
    assert entry.subject == f"registration:{registration_id}" and entry.actor_id is not None
    assert audit("promoted")[0].subject == f"registration:{waiting_registration_id}"
    assert app.test_client().get(link).status_code == 404
    assert client.post(url, data={"csrf_token": csrf_token(client, "/staff/")}).status_code == 404


def test_assistants_and_other_organisations_may_not_export_or_delete(app, organisation):
    workshop = create_workshop(organisations=[organisation])
    registration, _ = family(workshop)
    assistant = staff_client(app, organisation, Role.ASSISTANT)
    stranger = staff_client(app, create_organisation("KI Essen"))
    detail = assistant.get(f"/staff/registrations/{registration.id}").get_data(as_text=True)
    assert "Auf Wunsch löschen" not in detail
    for client, status in ((assistant, 403), (stranger, 404)):
        token = csrf_token(client, "/staff/")
        for method, path in (("GET", "/data.json"), ("GET", "/delete"), ("POST", "/delete")):
            url = f"/staff/registrations/{registration.id}{path}"
            response = client.open(url, method=method, data={"csrf_token": token})
            assert response.status_code == status, (method, path)
    assert fresh(Registration, registration.id) is not None
    assert audit("export_registration") == [] and audit("deleted_on_request") == []


def test_audit_entries_carry_no_names_or_contacts(app, client, organisation, full_registration):
    registration, link = full_registration
    other, other_link = family(registration.workshop, services.Child("Jonas", 8), phone="+4916099")
    staff = staff_client(app, organisation)
    staff.get(f"/staff/registrations/{registration.id}/data.json")
    url = f"/staff/registrations/{registration.id}/delete"
    staff.post(url, data={"csrf_token": csrf_token(staff, url)})
    post(client, f"{other_link}/delete", other_link)
    db.session.rollback()
    entries = db.session.scalars(sa.select(AuditEntry)).all()
    assert {"export_registration", "deleted_on_request", "deleted_by_family"} <= {
        e.action for e in entries
    }
    personal = ("Amira", "Jonas", "Haddad", "+49151", "+4916099", "eltern@")
    for entry in entries:
        assert not any(text in entry.subject + entry.detail for text in personal), entry.action
