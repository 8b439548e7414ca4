"""Staff pages for registrations: the list, a registration's page and its actions, the export,
the audit log."""

import csv
import io
import itertools
import re

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from signup.extensions import db
from signup.registrations import manage, services
from signup.registrations.export import COLUMNS
from signup.registrations.models import (
    Channel,
    ConsentChannel,
    ConsentPurpose,
    Participant,
    ParticipantStatus,
    Registration,
    RegistrationNote,
)
from signup.staff.models import AuditEntry, Role, StaffUser
from tests.factories import (
    create_organisation,
    create_staff,
    create_workshop,
    csrf_token,
    log_in,
    register,
    write_transaction,
)


def staff_member(client, organisation, role=Role.ORGANISER, email=None):
    """Create a staff member of the organisation and log them in."""
    email = email or f"{role.value}-{organisation.slug}@ki.example"
    create_staff(organisation, role, email, name=f"{role.label} {organisation.name}")
    assert log_in(client, email).status_code == 302
    return email


def csrf(client, url="/staff/") -> str:
    return csrf_token(client, url)


def post(client, url, **data):
    return client.post(url, data={"csrf_token": csrf(client), **data})


def fresh(model, id_):
    db.session.rollback()
    return db.session.get(model, id_)


def audit(action=None, subject=None) -> list[AuditEntry]:
    db.session.rollback()
    query = sa.select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    if subject:
        query = query.where(AuditEntry.subject == subject)
    return db.session.scalars(query).all()


@pytest.fixture
def organisation(app):
    return create_organisation("KI Bottrop")


@pytest.fixture
def workshop(organisation):
    return create_workshop(organisations=[organisation], capacity=1)


def list_url(workshop, **params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"/staff/workshops/{workshop.id}/registrations" + (f"?{query}" if query else "")


def detail_url(registration) -> str:
    return f"/staff/registrations/{registration.id}"


# --------------------------------------------------------------------------- the list


def test_organiser_sees_each_child_with_state_contact_and_consents(client, workshop):
    register(workshop, "Amira", phone="+4915112345678", consents=set(ConsentPurpose))
    register(workshop, "Jonas", email="eltern@example.org", language="tr")
    staff_member(client, workshop.organisations[0])
    response = client.get(list_url(workshop))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Platz sicher" in html and "Warteliste: Nummer 1" in html
    assert "<bdi>Amira</bdi>" in html and "<bdi>Jonas</bdi>" in html
    assert '<bdi dir="ltr">+4915112345678</bdi>' in html and "eltern@example.org" in html
    assert "Türkçe" in html and "intern, Presse, soziale Medien, Internetseite" in html
    assert "2 Einträge" in html
    assert "export.csv" in html and "export.xlsx" in html


def test_looking_at_the_list_is_recorded_in_the_audit_log(client, workshop):
    register(workshop, "Amira")
    email = staff_member(client, workshop.organisations[0])
    client.get(list_url(workshop))
    (entry,) = audit("view_list")
    assert entry.subject == f"workshop:{workshop.id}" and entry.actor.email == email


def test_assistants_see_the_list_but_no_export(client, workshop):
    register(workshop, "Amira")
    staff_member(client, workshop.organisations[0], Role.ASSISTANT)
    html = client.get(list_url(workshop)).get_data(as_text=True)
    assert "Amira" in html and "export.csv" not in html
    assert client.get(f"/staff/workshops/{workshop.id}/export.csv").status_code == 403
    assert client.get(f"/staff/workshops/{workshop.id}/export.xlsx").status_code == 403
    assert audit("export") == []


def test_staff_of_a_partner_organisation_see_a_shared_workshop(client, organisation):
    partner = create_organisation("zdi Partner")
    workshop = create_workshop(organisations=[organisation, partner])
    register(workshop, "Amira")
    staff_member(client, partner, Role.ASSISTANT)
    assert "Amira" in client.get(list_url(workshop)).get_data(as_text=True)
    assert {e.organisation_id for e in audit("view_list")} == {organisation.id, partner.id}


def test_staff_of_another_organisation_get_not_found(client, workshop):
    registration = register(workshop, "Amira").registration
    waiting = register(workshop, "Jonas").registration
    staff_member(client, create_organisation("KI Essen"))
    participant = waiting.participants[0]
    assert client.get(list_url(workshop)).status_code == 404
    assert client.get(detail_url(registration)).status_code == 404
    assert client.get(f"/staff/workshops/{workshop.id}/export.csv").status_code == 404
    for url, data in [
        (f"{detail_url(registration)}/notes", {"text": "Hallo"}),
        (f"{detail_url(registration)}/slip", {"received": "1"}),
        (f"{detail_url(waiting)}/participants/{participant.id}/move-up", {}),
        (f"{detail_url(registration)}/cancel", {}),
    ]:
        assert post(client, url, **data).status_code == 404
    assert audit() == []
    assert fresh(Participant, participant.id).status == ParticipantStatus.WAITING


def test_anonymous_visitors_are_sent_to_the_login(client, workshop):
    registration = register(workshop, "Amira").registration
    for url in [
        list_url(workshop),
        detail_url(registration),
        f"/staff/workshops/{workshop.id}/export.csv",
        "/staff/audit",
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith(
            "/staff/login"
        )


def test_filters_narrow_the_list(client, organisation):
    workshop = create_workshop(organisations=[organisation], capacity=2)
    register(workshop, "Amira", language="ar")
    register(
        workshop,
        "Jonas",
        channel=Channel.PAPER,
        consent_channel=ConsentChannel.PAPER,
    )
    register(workshop, "Elif", language="tr")
    staff_member(client, organisation)

    def names(**params):
        html = client.get(list_url(workshop, **params)).get_data(as_text=True)
        return re.findall(r'registrations/\d+"><bdi>([^<]+)</bdi>', html)

    assert names() == ["Amira", "Jonas", "Elif"]
    assert names(state="waiting") == ["Elif"]
    assert names(state="confirmed") == ["Amira", "Jonas"]
    assert names(language="ar") == ["Amira"]
    assert names(channel="paper") == ["Jonas"]
    assert names(slip="missing") == ["Jonas"]
    assert names(slip="received") == []
    assert names(state="nonsense", language="<x>", channel="1", slip="maybe") == [
        "Amira",
        "Jonas",
        "Elif",
    ]


def test_search_finds_by_name_phone_and_email(client, workshop):
    register(workshop, "Amira", phone="+4915112345678")
    register(workshop, "Jonas", phone="+4917699887766", email="Familie.Yilmaz@example.org")
    staff_member(client, workshop.organisations[0])

    def names(q):
        html = client.get(list_url(workshop), query_string={"q": q}).get_data(as_text=True)
        return re.findall(r'registrations/\d+"><bdi>([^<]+)</bdi>', html)

    assert names("amir") == ["Amira"]
    assert names("0151 1234") == ["Amira"]
    assert names("+49 176 99") == ["Jonas"]
    assert names("yilmaz@") == ["Jonas"]
    assert names("100%_") == []
    assert "Keine Anmeldung passt" in client.get(list_url(workshop, q="zzz")).get_data(as_text=True)


def test_a_filtered_list_keeps_the_true_waiting_number(client, workshop):
    register(workshop, "Amira")
    register(workshop, "Jonas", language="tr")
    register(workshop, "Elif", language="ar")
    staff_member(client, workshop.organisations[0])
    html = client.get(list_url(workshop, language="ar")).get_data(as_text=True)
    assert "Warteliste: Nummer 2" in html and "Jonas" not in html


def test_the_list_comes_in_pages_that_keep_the_filter(client, workshop, monkeypatch):
    monkeypatch.setattr(manage, "PAGE_SIZE", 2)
    for name in ["Amira", "Jonas", "Elif", "Mia"]:
        register(workshop, name)
    staff_member(client, workshop.organisations[0])
    first = client.get(list_url(workshop, state="waiting")).get_data(as_text=True)
    assert "Seite 1 von 2" in first
    assert "page=2" in first and "state=waiting" in first
    second = client.get(list_url(workshop, state="waiting", page=2)).get_data(as_text=True)
    assert "Mia" in second and "Jonas" not in second
    assert client.get(list_url(workshop, page="x" * 50)).status_code == 200
    assert client.get(list_url(workshop, page="999999999999")).status_code == 200


def test_a_group_shows_its_headcount(client, workshop):
    staff_email = staff_member(client, workshop.organisations[0])
    write_transaction()
    services.register_group(
        db.session,
        workshop,
        group_name="Klasse 4b",
        responsible_adult="Frau Demir",
        headcount=20,
        youngest_age=9,
        phone="+4915112345678",
        email=None,
        language="de",
        assisted_by=db.session.scalar(sa.select(StaffUser).filter_by(email=staff_email)),
    )
    db.session.commit()
    html = client.get(list_url(workshop)).get_data(as_text=True)
    assert "Klasse 4b" in html and "20 Kinder" in html


# --------------------------------------------------------------------------- one registration


def test_detail_page_shows_children_contact_consents_and_helper(client, organisation):
    workshop = create_workshop(organisations=[organisation], optional_fields="surname,health")
    email = staff_member(client, organisation, Role.ASSISTANT)
    helper = db.session.scalar(sa.select(StaffUser).filter_by(email=email))
    registration = register(
        workshop,
        "Amira",
        "Jonas",
        language="ar",
        channel=Channel.ASSISTED,
        assisted_by=helper,
        consent_channel=ConsentChannel.VERBAL,
        consents={ConsentPurpose.PARTICIPATION, ConsentPurpose.PHOTO_PRESS},
    ).registration
    registration.participants[0].surname = "Haddad"
    registration.participants[0].health_notes = "Erdnussallergie"
    db.session.commit()
    response = client.get(detail_url(registration))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<bdi>Amira Haddad</bdi>" in html and "Erdnussallergie" in html
    assert "mit Hilfe von Fachkräften" in html and f"<bdi>{helper.display_name}</bdi>" in html
    assert "العربية" in html and "mündlich" in html and "Fotos und Filme in der Presse" in html
    assert "Der unterschriebene Zettel fehlt noch." in html
    assert "nachrücken lassen" not in html and "abmelden" not in html  # assistants: no changes
    assert audit("view_registration")[0].subject == f"registration:{registration.id}"


def test_health_notes_stay_hidden_where_the_workshop_does_not_ask_them(client, workshop):
    registration = register(workshop, "Amira").registration
    registration.participants[0].health_notes = "Erdnussallergie"
    db.session.commit()
    staff_member(client, workshop.organisations[0])
    assert "Erdnussallergie" not in client.get(detail_url(registration)).get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.ASSISTANT])
def test_staff_add_notes_and_the_audit_log_records_it(client, workshop, role):
    registration = register(workshop, "Amira").registration
    staff_member(client, workshop.organisations[0], role)
    response = post(
        client, f"{detail_url(registration)}/notes", text="Mutter angerufen,\nkommt nur Tag 2"
    )
    assert response.status_code == 302
    (note,) = db.session.scalars(sa.select(RegistrationNote)).all()
    assert (
        note.text == "Mutter angerufen,\nkommt nur Tag 2"
        and note.author.memberships[0].role == role
    )
    (entry,) = audit("note", f"registration:{registration.id}")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Die Notiz ist gespeichert." in html and "kommt nur Tag 2" in html
    assert "Notiz geschrieben" in html  # the history


def test_an_empty_note_is_refused_next_to_its_field(client, workshop):
    registration = register(workshop, "Amira").registration
    staff_member(client, workshop.organisations[0], Role.ASSISTANT)
    response = post(client, f"{detail_url(registration)}/notes", text="  \u202e ")
    assert response.status_code == 422
    assert re.search(r'id="text-error">Bitte schreiben Sie etwas', response.get_data(as_text=True))
    long = post(client, f"{detail_url(registration)}/notes", text="x" * 2500)
    assert long.status_code == 422 and "x" * 2500 in long.get_data(as_text=True)
    assert audit("note") == []


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.ASSISTANT])
def test_staff_mark_the_slip_received_and_missing_again(client, workshop, role):
    registration = register(
        workshop, "Amira", channel=Channel.PAPER, consent_channel=ConsentChannel.PAPER
    ).registration
    staff_member(client, workshop.organisations[0], role)
    assert post(client, f"{detail_url(registration)}/slip", received="1").status_code == 302
    assert fresh(Registration, registration.id).slip_received_at is not None
    assert post(client, f"{detail_url(registration)}/slip", received="1").status_code == 302
    assert len(audit("slip_received")) == 1  # twice changes nothing
    post(client, f"{detail_url(registration)}/slip", received="0")
    assert fresh(Registration, registration.id).slip_received_at is None
    assert len(audit("slip_missing")) == 1
    html = client.get(detail_url(registration)).get_data(as_text=True)
    assert "Zettel als erhalten vermerkt" in html and "Zettel als fehlend vermerkt" in html


def test_organiser_moves_a_waiting_child_up_when_a_place_is_free(client, workshop):
    register(workshop, "Amira")
    waiting = register(workshop, "Jonas").registration
    workshop.capacity = 2  # a place is free, nobody moved up yet
    db.session.commit()
    staff_member(client, workshop.organisations[0])
    participant = waiting.participants[0]
    url = f"{detail_url(waiting)}/participants/{participant.id}/move-up"
    response = post(client, url)
    assert response.status_code == 302
    assert fresh(Participant, participant.id).status == ParticipantStatus.CONFIRMED
    (entry,) = audit("move_up")
    assert entry.detail == f"participant:{participant.id}"
    assert "<bdi>Jonas</bdi> hat jetzt einen Platz." in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)


def test_moving_up_without_a_free_place_is_refused_with_a_clear_message(client, workshop):
    register(workshop, "Amira")
    waiting = register(workshop, "Jonas").registration
    staff_member(client, workshop.organisations[0])
    participant = waiting.participants[0]
    response = post(client, f"{detail_url(waiting)}/participants/{participant.id}/move-up")
    assert response.status_code == 409
    assert "Es ist kein Platz frei: <bdi>Jonas</bdi> kann nicht nachrücken." in response.get_data(
        as_text=True
    )
    assert fresh(Participant, participant.id).status == ParticipantStatus.WAITING
    assert audit("move_up") == []


def test_assistants_may_neither_move_up_nor_cancel(client, workshop):
    confirmed = register(workshop, "Amira").registration
    waiting = register(workshop, "Jonas").registration
    staff_member(client, workshop.organisations[0], Role.ASSISTANT)
    participant = waiting.participants[0]
    assert (
        post(client, f"{detail_url(waiting)}/participants/{participant.id}/move-up").status_code
        == 403
    )
    assert client.get(f"{detail_url(confirmed)}/cancel").status_code == 403
    assert post(client, f"{detail_url(confirmed)}/cancel").status_code == 403
    assert fresh(Registration, confirmed.id).participants[0].status == ParticipantStatus.CONFIRMED
    assert audit("cancel") == []


def test_cancelling_a_child_asks_first_then_promotes_the_next(client, workshop):
    confirmed = register(workshop, "Amira").registration
    waiting = register(workshop, "Jonas").registration
    staff_member(client, workshop.organisations[0])
    amira = confirmed.participants[0]
    question = client.get(f"{detail_url(confirmed)}/cancel?participant={amira.id}")
    assert "Möchten Sie dieses Kind wirklich abmelden?" in question.get_data(as_text=True)
    assert fresh(Participant, amira.id).status == ParticipantStatus.CONFIRMED
    response = post(client, f"{detail_url(confirmed)}/cancel", participant=str(amira.id))
    assert response.status_code == 302
    assert fresh(Participant, amira.id).status == ParticipantStatus.CANCELLED
    assert fresh(Registration, waiting.id).participants[0].status == ParticipantStatus.CONFIRMED
    assert audit("cancel", f"registration:{confirmed.id}")[0].detail == f"participant:{amira.id}"
    assert len(audit("promoted", f"registration:{waiting.id}")) == 1
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Abgemeldet: <bdi>Amira</bdi>." in html and "nachgerückt: 1." in html
    history = client.get(detail_url(waiting)).get_data(as_text=True)
    assert "Von der Warteliste nachgerückt (<bdi>Jonas</bdi>)" in history


def test_cancelling_the_whole_registration(client, organisation):
    workshop = create_workshop(organisations=[organisation], capacity=3)
    registration = register(workshop, "Amira", "Jonas").registration
    staff_member(client, organisation)
    post(client, f"{detail_url(registration)}/cancel")
    statuses = {p.status for p in fresh(Registration, registration.id).participants}
    assert statuses == {ParticipantStatus.CANCELLED}
    assert client.get(f"{detail_url(registration)}/cancel?participant=999999").status_code == 404


# --------------------------------------------------------------------------- export


def formula_workshop(workshop):
    register(workshop, "Amira", phone="+4915112345678", consents=set(ConsentPurpose))
    register(workshop, "=1+2", email="eltern@example.org")
    return workshop


def test_csv_export_streams_every_participant_with_formulas_neutralised(client, workshop):
    formula_workshop(workshop)
    staff_member(client, workshop.organisations[0])
    response = client.get(f"/staff/workshops/{workshop.id}/export.csv")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv"
    assert re.fullmatch(
        rf"attachment; filename={workshop.slug}-anmeldungen-\d{{4}}-\d\d-\d\d\.csv",
        response.headers["Content-Disposition"],
    )
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert [(r["status"], r["waiting_position"], r["first_name"]) for r in rows] == [
        ("confirmed", "", "Amira"),
        ("waiting", "1", "'=1+2"),
    ]
    assert rows[0]["contact_phone"] == "'+4915112345678"
    assert rows[0]["photo_consents"] == "internal press social website"
    assert (
        rows[1]["contact_email"] == "eltern@example.org" and rows[1]["consent_slip"] == "not_needed"
    )
    assert list(rows[0])[:6] == [
        "status",
        "waiting_position",
        "first_name",
        "age",
        "registered_at",
        "channel",
    ]
    (entry,) = audit("export")
    assert entry.detail == "csv"


def test_xlsx_export_reads_back_with_numbers_and_neutralised_formulas(client, workshop):
    formula_workshop(workshop)
    staff_member(client, workshop.organisations[0])
    response = client.get(f"/staff/workshops/{workshop.id}/export.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith(".xlsx")
    assert int(response.headers["Content-Length"]) == len(response.get_data())
    sheet = load_workbook(io.BytesIO(response.get_data()), read_only=True).active
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert header[:4] == ["status", "waiting_position", "first_name", "age"]
    assert header == list(COLUMNS)
    # Empty cells at the end of a row are not written at all.
    by_column = [dict(itertools.zip_longest(header, row)) for row in rows]
    assert by_column[0]["first_name"] == "Amira" and by_column[0]["age"] == 6
    assert by_column[1]["waiting_position"] == 1
    assert by_column[1]["first_name"] == "'=1+2"
    assert all(not str(v).startswith("=") for row in rows for v in row if v is not None)
    assert audit("export")[0].detail == "xlsx"


def test_export_follows_the_list_filter(client, workshop):
    register(workshop, "Amira")
    register(workshop, "Jonas")
    staff_member(client, workshop.organisations[0])
    response = client.get(f"/staff/workshops/{workshop.id}/export.csv?state=waiting")
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert [r["first_name"] for r in rows] == ["Jonas"]
    assert client.get(f"/staff/workshops/{workshop.id}/export.pdf").status_code == 404


# --------------------------------------------------------------------------- audit log


def test_audit_page_lists_the_export_newest_first(client, workshop):
    register(workshop, "Amira")
    staff_member(client, workshop.organisations[0])
    client.get(list_url(workshop))
    client.get(f"/staff/workshops/{workshop.id}/export.csv").get_data()
    html = client.get("/staff/audit").get_data(as_text=True)
    assert html.index("Liste heruntergeladen") < html.index("Liste angesehen")
    assert 'href="/staff/audit"' in html  # the menu shows the log to organisers
    assert f"/staff/workshops/{workshop.id}/registrations" in html


def test_audit_page_is_for_organisers_and_their_organisations_only(client, workshop):
    register(workshop, "Amira")
    other = create_workshop(organisations=[create_organisation("KI Essen")])
    register(other, "Jonas")
    staff_member(client, workshop.organisations[0], Role.ASSISTANT)
    assert 'href="/staff/audit"' not in client.get("/staff/").get_data(as_text=True)
    assert client.get("/staff/audit").status_code == 403


def test_audit_page_hides_other_organisations_entries(client, workshop):
    other_workshop = create_workshop(organisations=[create_organisation("KI Essen")])
    db.session.add(
        AuditEntry(
            action="export",
            subject=f"workshop:{other_workshop.id}",
            organisation_id=other_workshop.organisations[0].id,
        )
    )
    db.session.commit()
    staff_member(client, workshop.organisations[0])
    html = client.get("/staff/audit").get_data(as_text=True)
    assert "Noch keine Einträge." in html
