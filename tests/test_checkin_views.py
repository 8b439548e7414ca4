"""Check-in at the door, through HTTP: the list, the buttons, walk-ins and the QR code."""

import re
import threading
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import url_for

from signup.extensions import db
from signup.models_base import utcnow
from signup.qr import qr_svg
from signup.registrations import services as registrations
from signup.registrations.models import (
    Attendance,
    Channel,
    ConsentChannel,
    ConsentPurpose,
    Participant,
    ParticipantStatus,
    Registration,
)
from signup.staff.models import AuditEntry, Role, StaffUser
from signup.workshops.models import WorkshopStatus
from tests.factories import (
    cancel,
    create_organisation,
    create_staff,
    create_workshop,
    register,
    write_transaction,
)
from tests.factories import (
    csrf_token as token,
)
from tests.factories import (
    log_in as staff_login,
)


def log_in(app, organisation, role=Role.ASSISTANT):
    """Create a staff member of the organisation and return a client logged in as them."""
    user = create_staff(organisation, role)
    client = app.test_client()
    assert staff_login(client, user.email).status_code == 302
    return client


def checkin_url(workshop, day=0) -> str:
    return f"/staff/workshops/{workshop.id}/checkin/{workshop.dates[day].id}"


def page(client, workshop, **params) -> str:
    response = client.get(checkin_url(workshop), query_string=params)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def row(html: str, participant_id: int) -> str:
    """The <li> of one child on the check-in page."""
    match = re.search(rf'<li class="door-row[^"]*" id="p{participant_id}">.*?</li>', html, re.S)
    assert match, f"no row p{participant_id}"
    return match.group(0)


def mark(client, workshop, participant, present=True, day=0, **fields):
    url = f"{checkin_url(workshop, day)}/participants/{participant.id}"
    data = {"csrf_token": token(client, checkin_url(workshop)), "present": "1" if present else "0"}
    return client.post(url, data={**data, **fields})


def walk_in(client, workshop, **fields):
    data = {
        "csrf_token": token(client, checkin_url(workshop)),
        "first_name": "Lina",
        "age": "9",
        "phone": "0151 99887766",
        "consent": "y",
    }
    data.update(fields)
    return client.post(f"{checkin_url(workshop)}/walk-in", data=data)


def present_ids(workshop_date_id: int) -> set[int]:
    db.session.rollback()
    return set(
        db.session.scalars(
            sa.select(Attendance.participant_id).where(
                Attendance.workshop_date_id == workshop_date_id
            )
        )
    )


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count(model.id)))


def child(result, index=0) -> Participant:
    return result.registration.participants[index]


def today_where_the_workshop_is() -> date:
    return utcnow().astimezone(ZoneInfo("Europe/Berlin")).date()


@pytest.fixture
def organisation(app):
    return create_organisation("KI Bottrop")


@pytest.fixture
def workshop(organisation):
    return create_workshop(organisations=[organisation])


@pytest.mark.parametrize("role", [Role.ASSISTANT, Role.ORGANISER])
def test_assistants_and_organisers_check_children_in(app, organisation, workshop, role):
    amira = child(register(workshop, "Amira"))
    client = log_in(app, organisation, role)
    assert "Amira" in page(client, workshop)
    response = mark(client, workshop, amira)
    assert response.status_code == 302
    assert present_ids(workshop.dates[0].id) == {amira.id}


def test_staff_of_another_organisation_get_not_found(app, workshop):
    amira = child(register(workshop, "Amira"))
    client = log_in(app, create_organisation("KI Anderswo"), Role.ORGANISER)
    assert client.get(checkin_url(workshop)).status_code == 404
    assert client.get(f"/staff/workshops/{workshop.id}/checkin").status_code == 404
    csrf = token(client, "/staff/")
    url = f"{checkin_url(workshop)}/participants/{amira.id}"
    assert client.post(url, data={"csrf_token": csrf, "present": "1"}).status_code == 404
    walk_in_data = {"csrf_token": csrf, "first_name": "Lina", "age": "9", "phone": "0151 1"}
    assert client.post(f"{checkin_url(workshop)}/walk-in", data=walk_in_data).status_code == 404
    assert present_ids(workshop.dates[0].id) == set()
    assert count(Registration) == 1


def test_anonymous_visitors_are_sent_to_the_login(client, workshop):
    response = client.get(checkin_url(workshop))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login?next=")


def test_a_date_of_another_workshop_is_not_found(app, organisation, workshop):
    other = create_workshop(organisations=[organisation])
    amira = child(register(workshop, "Amira"))
    client = log_in(app, organisation)
    assert (
        client.get(f"/staff/workshops/{workshop.id}/checkin/{other.dates[0].id}").status_code == 404
    )
    assert client.get(f"/staff/workshops/{workshop.id}/checkin/999999").status_code == 404
    url = f"/staff/workshops/{workshop.id}/checkin/{other.dates[0].id}/participants/{amira.id}"
    response = client.post(url, data={"csrf_token": token(client, "/staff/"), "present": "1"})
    assert response.status_code == 404
    assert count(Attendance) == 0


def test_start_opens_the_next_date(app, organisation):
    today = date.today()
    workshop = create_workshop(
        organisations=[organisation], days=[today - timedelta(days=2), today + timedelta(days=5)]
    )
    client = log_in(app, organisation)
    response = client.get(f"/staff/workshops/{workshop.id}/checkin")
    assert response.headers["Location"] == checkin_url(workshop, 1)


def test_marking_present_and_undoing_it_goes_back_to_the_row(app, organisation, workshop):
    amira = child(register(workshop, "Amira"))
    client = log_in(app, organisation)
    response = mark(client, workshop, amira, q="ami")
    assert response.headers["Location"] == f"{checkin_url(workshop)}?q=ami#p{amira.id}"
    html = page(client, workshop)
    assert "Ist da" in row(html, amira.id) and "Rückgängig" in row(html, amira.id)
    assert mark(client, workshop, amira).status_code == 302  # a double tap changes nothing
    assert present_ids(workshop.dates[0].id) == {amira.id}

    mark(client, workshop, amira, present=False)
    assert present_ids(workshop.dates[0].id) == set()
    assert "Ist da" not in row(page(client, workshop), amira.id)
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert actions.count("attendance") == 3 and "view_list" in actions


def test_attendance_counts_only_for_its_own_date(app, organisation):
    workshop = create_workshop(
        organisations=[organisation],
        days=[date.today() + timedelta(days=1), date.today() + timedelta(days=2)],
    )
    amira = child(register(workshop, "Amira"))
    client = log_in(app, organisation)
    mark(client, workshop, amira, day=1)
    assert "0 / 1" in page(client, workshop)
    second_day = client.get(checkin_url(workshop, 1)).get_data(as_text=True)
    assert "<strong>1 / 1</strong>" in second_day
    assert f'href="{checkin_url(workshop, 0)}"' in second_day  # the other date is one tap away


def test_count_shows_present_of_expected_with_a_group_as_its_headcount(app, organisation, workshop):
    amira, jonas = register(workshop, "Amira", "Jonas").registration.participants
    client = log_in(app, organisation)
    user = db.session.scalar(sa.select(StaffUser))
    write_transaction()
    group = registrations.register_group(
        db.session,
        workshop,
        group_name="Klasse 4b",
        responsible_adult="Frau Yilmaz",
        headcount=20,
        youngest_age=9,
        phone="+4915111111111",
        email=None,
        language="de",
        assisted_by=user,
    ).registration.participants[0]
    db.session.commit()
    cancelled = child(register(workshop, "Mia"))
    cancel(cancelled.registration)

    html = page(client, workshop)
    assert "<strong>0 / 22</strong>" in html
    assert "Gruppe mit 20 Kindern" in row(html, group.id)
    assert "Mia" not in html  # cancelled children are not listed

    mark(client, workshop, amira)
    mark(client, workshop, group)
    assert "<strong>21 / 22</strong>" in page(client, workshop)
    assert jonas.id not in present_ids(workshop.dates[0].id)


def test_waiting_children_are_set_apart_without_a_button(app, organisation):
    workshop = create_workshop(organisations=[organisation], capacity=1)
    register(workshop, "Amira")
    jonas = child(register(workshop, "Jonas"))
    client = log_in(app, organisation)
    html = page(client, workshop)
    assert "1 Kind auf der Warteliste" in html
    assert "Warteliste: Nummer 1" in row(html, jonas.id)
    assert "<button" not in row(html, jonas.id)
    assert "<strong>0 / 1</strong>" in html
    response = mark(client, workshop, jonas)
    assert response.status_code == 302
    assert present_ids(workshop.dates[0].id) == set()
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Dieses Kind hat keinen sicheren Platz." in follow


def test_search_finds_first_names_surnames_and_group_names(app, organisation, workshop):
    amira, jonas = register(workshop, "Amira", "Jonas").registration.participants
    elif_ = child(register(workshop, "Elif"))
    jonas.surname = "Öztürk"
    client = log_in(app, organisation)
    user = db.session.scalar(sa.select(StaffUser))
    write_transaction()
    group = registrations.register_group(
        db.session,
        workshop,
        group_name="Klasse 4b",
        responsible_adult="Frau Yilmaz",
        headcount=3,
        youngest_age=9,
        phone="+4915111111111",
        email=None,
        language="de",
        assisted_by=user,
    ).registration.participants[0]
    db.session.commit()

    html = page(client, workshop, q="AMI")
    assert f'id="p{amira.id}"' in html and f'id="p{jonas.id}"' not in html
    assert "<strong>0 / 6</strong>" in html  # the count is for everybody, not the hits
    html = page(client, workshop, q="öztürk")
    assert f'id="p{jonas.id}"' in html and f'id="p{elif_.id}"' not in html
    html = page(client, workshop, q="4b")
    assert f'id="p{group.id}"' in html and f'id="p{amira.id}"' not in html
    html = page(client, workshop, q="Zoe")
    assert "Niemand gefunden für" in html and "<bdi>Zoe</bdi>" in html


def test_rows_are_sorted_by_name(app, organisation, workshop):
    register(workshop, "yusuf")
    register(workshop, "Amira")
    register(workshop, "Lina")
    client = log_in(app, organisation)
    html = page(client, workshop)
    assert html.index("Amira") < html.index("Lina") < html.index("yusuf")


def test_photo_consent_is_marked_in_words(app, organisation, workshop):
    with_photos = child(
        register(
            workshop,
            "Amira",
            consents={ConsentPurpose.PARTICIPATION, ConsentPurpose.PHOTO_WEBSITE},
        )
    )
    without = child(register(workshop, "Jonas"))
    withdrawn = child(
        register(
            workshop, "Elif", consents={ConsentPurpose.PARTICIPATION, ConsentPurpose.PHOTO_INTERNAL}
        )
    )
    for consent in withdrawn.registration.consents:
        if consent.purpose == ConsentPurpose.PHOTO_INTERNAL:
            consent.withdrawn_at = utcnow()
    client = log_in(app, organisation)
    html = page(client, workshop)
    assert "Fotos erlaubt" in row(html, with_photos.id)
    assert "KEINE Fotos" not in row(html, with_photos.id)
    assert "KEINE Fotos" in row(html, without.id)
    assert "Fotos erlaubt" not in row(html, without.id)
    assert "KEINE Fotos" in row(html, withdrawn.id)


def test_health_flag_shows_only_where_the_workshop_asks(app, organisation):
    asks = create_workshop(organisations=[organisation], optional_fields="health")
    amira = child(register(asks, "Amira"))
    amira.health_notes = "Erdnussallergie"
    silent = create_workshop(organisations=[organisation])
    jonas = child(register(silent, "Jonas"))
    jonas.health_notes = "left over from an old form"
    client = log_in(app, organisation)
    html = page(client, asks)
    assert "Gesundheitshinweis" in row(html, amira.id)
    assert "Erdnussallergie" not in html  # only the flag; the note is on the detail page
    detail = "manage_registrations.show_registration_staff"
    if detail in app.view_functions:  # the registrations area's staff page, where it exists
        with app.test_request_context():
            link = url_for(detail, registration_id=amira.registration_id)
        assert f'<a class="mark health" href="{link}">' in row(html, amira.id)
    assert "Gesundheitshinweis" not in page(client, silent)


def test_walk_in_is_registered_present_and_counted(app, organisation, workshop):
    register(workshop, "Amira")
    client = log_in(app, organisation)
    response = walk_in(client, workshop, first_name="Lina", age="9")
    assert response.status_code == 302, response.get_data(as_text=True)

    lina = db.session.scalar(sa.select(Participant).filter_by(first_name="Lina"))
    assert response.headers["Location"] == f"{checkin_url(workshop)}#p{lina.id}"
    registration = lina.registration
    assert lina.status == ParticipantStatus.CONFIRMED and lina.age == 9
    assert registration.channel == Channel.ASSISTED
    assert registration.assisted_by.email.startswith("staff")
    assert registration.contact_phone == "+4915199887766"
    assert [(c.purpose, c.channel) for c in registration.consents] == [
        (ConsentPurpose.PARTICIPATION, ConsentChannel.VERBAL)
    ]
    assert registration.needs_slip
    assert present_ids(workshop.dates[0].id) == {lina.id}

    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Eingetragen und als da markiert: <bdi>Lina</bdi>" in html
    assert "<strong>1 / 2</strong>" in html
    assert "KEINE Fotos" in row(html, lina.id)  # verbal consent covers taking part only
    assert "walk_in" in db.session.scalars(sa.select(AuditEntry.action)).all()


def test_walk_in_who_was_registered_already_is_only_marked_present(app, organisation, workshop):
    amira = child(register(workshop, "Amira", phone="+4915199887766"))
    client = log_in(app, organisation)
    response = walk_in(client, workshop, first_name="amira", phone="0151 99887766")
    assert response.status_code == 302
    assert count(Participant) == 1
    assert present_ids(workshop.dates[0].id) == {amira.id}
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "war schon angemeldet" in html


def test_walk_in_works_after_registration_closed(app, organisation):
    workshop = create_workshop(organisations=[organisation], status=WorkshopStatus.CLOSED)
    client = log_in(app, organisation)
    assert walk_in(client, workshop).status_code == 302
    assert count(Attendance) == 1


@pytest.mark.parametrize("waitlist", [True, False])
def test_walk_in_is_refused_when_full_with_a_message(app, organisation, waitlist):
    workshop = create_workshop(organisations=[organisation], capacity=1, waitlist_enabled=waitlist)
    register(workshop, "Amira")
    client = log_in(app, organisation)
    response = walk_in(client, workshop, first_name="Lina", age="9")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Alle Plätze sind vergeben. Ein Kind ohne Anmeldung kann nur einen freien Platz" in html
    assert 'value="Lina"' in html and 'value="0151 99887766"' in html
    assert '<details class="walk-in" open>' in html
    assert count(Participant) == 1 and count(Attendance) == 0


def test_walk_in_needs_name_age_phone_and_consent(app, organisation, workshop):
    client = log_in(app, organisation)
    response = walk_in(client, workshop, first_name="", age="zehn", phone="", consent=None)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'first_name-error">Bitte geben Sie den Vornamen an.' in html
    assert 'age-error">Bitte geben Sie das Alter als Zahl ein.' in html
    assert 'phone-error">Bitte geben Sie eine Telefonnummer der Eltern an.' in html
    assert 'consent-error">Ohne Einverständnis der Eltern geht es nicht.' in html
    assert 'value="zehn"' in html
    response = walk_in(client, workshop, age="3", phone="12")
    html = response.get_data(as_text=True)
    assert "Dieser Workshop ist für Kinder von 6 bis 14 Jahren." in html
    assert "Diese Telefonnummer stimmt nicht." in html
    assert count(Registration) == 0


HOSTILE = [
    "\x00",
    "a\x00b",
    "' OR 1=1 --",
    "%",
    "_",
    "\u202eevil\u202c",
    "<script>alert(1)</script>",
    "x" * 5000,
    "\uffff\ufffd",
    "١٢",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_search_and_walk_in_input_never_crash(app, organisation, workshop, value):
    amira = child(register(workshop, "Amira"))
    client = log_in(app, organisation)
    response = client.get(checkin_url(workshop), query_string={"q": value})
    assert response.status_code == 200
    assert "<script>alert" not in response.get_data(as_text=True)
    response = walk_in(client, workshop, first_name=value, age=value, phone=value)
    assert response.status_code in {302, 409, 422}
    assert "<script>alert" not in response.get_data(as_text=True)
    assert mark(client, workshop, amira, q=value).status_code == 302
    assert client.get(f"/staff/find/{value[:100]}").status_code == 404


def test_search_and_codes_with_broken_bytes_never_crash(app, organisation, workshop):
    client = log_in(app, organisation)
    assert client.get(checkin_url(workshop) + "?q=%FF%00%ED%A0%80").status_code == 200
    assert client.get("/staff/find/%FF%00%ED%A0%80").status_code == 404


def test_find_by_code_shows_the_children_with_buttons_for_today(app, organisation):
    today = today_where_the_workshop_is()
    workshop = create_workshop(
        organisations=[organisation], days=[today - timedelta(days=1), today]
    )
    amira, jonas = register(workshop, "Amira", "Jonas:9").registration.participants
    register(workshop, "Elif")
    code = amira.registration.checkin_code
    client = log_in(app, organisation)
    response = client.get(f"/staff/find/{code}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Amira" in html and "Jonas" in html and "Elif" not in html
    assert "Heute" in html
    response = mark(client, workshop, jonas, day=1, code=code)
    assert response.headers["Location"] == f"/staff/find/{code}#p{jonas.id}"
    assert present_ids(workshop.dates[1].id) == {jonas.id}
    assert "Ist da" in row(client.get(f"/staff/find/{code}").get_data(as_text=True), jonas.id)


def test_find_by_code_without_a_date_today_lists_the_dates(app, organisation, workshop):
    amira = child(register(workshop, "Amira"))
    client = log_in(app, organisation)
    html = client.get(f"/staff/find/{amira.registration.checkin_code}").get_data(as_text=True)
    assert "Heute ist kein Termin dieses Workshops." in html
    assert "<button" not in row(html, amira.id)
    assert f'href="{checkin_url(workshop)}"' in html


def test_find_by_code_is_not_found_for_other_organisations_and_asks_strangers_to_log_in(
    app, workshop
):
    code = child(register(workshop, "Amira")).registration.checkin_code
    assert (
        app.test_client().get(f"/staff/find/{code}").headers["Location"].startswith("/staff/login")
    )
    client = log_in(app, create_organisation("KI Anderswo"), Role.ORGANISER)
    assert client.get(f"/staff/find/{code}").status_code == 404
    assert client.get("/staff/find/nothing-here").status_code == 404


def test_family_page_shows_the_qr_code_for_the_door(app, client, workshop):
    result = register(workshop, "Amira")
    html = client.get(f"/r/{result.token}").get_data(as_text=True)
    url = "http://127.0.0.1:5000/staff/find/" + result.registration.checkin_code
    assert url.startswith(app.config["SIGNUP_BASE_URL"])
    assert str(qr_svg(url, "QR-Code für den Einlass")) in html
    assert "Zeigen Sie diesen Code am Eingang." in html


def test_older_registrations_without_a_code_show_no_qr_code(client, workshop):
    result = register(workshop, "Amira")
    result.registration.checkin_code = None
    db.session.commit()
    html = client.get(f"/r/{result.token}").get_data(as_text=True)
    assert "<svg" not in html and "Zeigen Sie diesen Code" not in html


def at_once(calls) -> list:
    """Run the calls in threads released together; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_taps_at_the_same_moment_mark_a_child_once(app, organisation, workshop):
    amira = child(register(workshop, "Amira"))
    url = f"{checkin_url(workshop)}/participants/{amira.id}"
    clients = [log_in(app, organisation) for _ in range(4)]
    forms = [{"csrf_token": token(c, checkin_url(workshop)), "present": "1"} for c in clients]
    db.session.commit()
    statuses = at_once(
        [
            lambda c=c, f=f: c.post(url, data=f).status_code
            for c, f in zip(clients, forms, strict=True)
        ]
    )
    assert statuses == [302] * 4
    assert present_ids(workshop.dates[0].id) == {amira.id}


def test_walk_ins_at_the_same_moment_never_take_more_places_than_exist(app, organisation):
    workshop = create_workshop(organisations=[organisation], capacity=1)
    url = f"{checkin_url(workshop)}/walk-in"
    clients = [log_in(app, organisation) for _ in range(4)]
    forms = [
        {
            "csrf_token": token(c, checkin_url(workshop)),
            "first_name": f"Kind {n}",
            "age": "9",
            "phone": f"0151 9988776{n}",
            "consent": "y",
        }
        for n, c in enumerate(clients)
    ]
    db.session.commit()
    statuses = at_once(
        [
            lambda c=c, f=f: c.post(url, data=f).status_code
            for c, f in zip(clients, forms, strict=True)
        ]
    )
    assert sorted(statuses) == [302, 409, 409, 409]
    assert count(Participant) == 1 and count(Attendance) == 1
