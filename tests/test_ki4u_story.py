"""The KI4U story from the article, end to end with the demo login, through HTTP.

An organiser of the zdi centre and the integration centre creates the three-day workshop with
Turkish and Arabic texts, opens it, registers an Arabic-speaking family on its behalf and a
school class as a group, a Turkish family registers itself, children are checked in on each of
the three days, and the list is exported.
"""

import csv
import io
import re
from datetime import date, timedelta

import sqlalchemy as sa

from signup.demo import DEMO_EMAIL, DEMO_PASSWORD, load_demo
from signup.extensions import db
from signup.registrations.models import (
    Attendance,
    Channel,
    ConsentChannel,
    Participant,
    Registration,
)
from signup.staff.models import AuditEntry, Organisation
from signup.workshops.models import Workshop, WorkshopStatus
from tests.factories import hidden_fields, signup_data

FIRST_DAY = date.today() + timedelta(days=21)
DAYS = [FIRST_DAY + timedelta(days=n) for n in range(3)]


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def test_demo_organiser_runs_the_whole_ki4u_story(app, client):
    load_demo(db.session)
    db.session.commit()
    login = hidden_fields(page(client, "/staff/login"))
    response = client.post(
        "/staff/login", data={**login, "email": DEMO_EMAIL, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302

    # 1. Create the workshop, run by both organisations, with Turkish and Arabic texts.
    new_form = page(client, "/staff/workshops/new")
    organisations = re.findall(r'name="organisations" value="(\d+)"', new_form)
    assert len(organisations) == 2
    data = {
        **hidden_fields(new_form),
        "organisations": organisations,
        "text_de-title": "KI4U Herbst",
        "text_de-summary": "Drei Tage künstliche Intelligenz zum Anfassen.",
        "text_tr-title": "KI4U Sonbahar",
        "text_ar-title": "ورشة KI4U للخريف",
        "place_name": "Schülerlabor",
        "place_address": "Hauptstraße 1\r\n46236 Bottrop",
        "capacity": "40",
        "min_age": "8",
        "max_age": "14",
        "visibility": "link",
        "waitlist_enabled": "y",
        "photo_uses": ["internal"],
        "submit": "1",
    }
    for index, day in enumerate(DAYS):
        data[f"dates-{index}-day"] = day.isoformat()
        data[f"dates-{index}-starts_at"] = "10:00"
        data[f"dates-{index}-ends_at"] = "14:00"
    response = client.post("/staff/workshops/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    workshop = db.session.scalars(sa.select(Workshop).where(Workshop.slug.like("ki4u-herbst%")))
    workshop = workshop.one()
    assert {t.language for t in workshop.texts} == {"de", "tr", "ar"}
    assert len(workshop.organisations) == 2 and len(workshop.dates) == 3
    hub = f"/staff/workshops/{workshop.id}"
    opened = client.post(
        f"{hub}/status", data={**hidden_fields(page(client, hub)), "status": "open"}
    )
    assert opened.status_code == 302
    db.session.expire_all()
    assert workshop.status == WorkshopStatus.OPEN
    assert "KI4U Sonbahar" in page(client, f"/w/{workshop.slug}?lang=tr")
    assert "ورشة KI4U للخريف" in page(client, f"/w/{workshop.slug}?lang=ar")
    client.get("/?lang=de")

    # 2. Register an Arabic-speaking family on its behalf: two children, consent on paper.
    assist = f"{hub}/assist?family_language=ar"
    form = page(client, assist)
    assert "أنا وليّ الأمر. يُسمح للأطفال المسجَّلين" in form  # the consent text in Arabic
    saved = client.post(
        assist,
        data={
            **hidden_fields(form),
            "children-0-first_name": "Amira",
            "children-0-age": "9",
            "children-1-first_name": "Omar",
            "children-1-age": "12",
            "phone": "0151 22334455",
            "consent_participation": "y",
            "photo_consents": "photo_internal",
            "consent_channel": "paper",
            "submit": "1",
        },
    )
    html = saved.get_data(as_text=True)
    assert saved.status_code == 200, html[:3000]
    assert re.search(r"/r/[A-Za-z0-9_-]{43}\?lang=ar", html)  # the family's link …
    assert "<svg" in html  # … and its QR code for the parent's phone

    # 3. Register a school class as a group: a headcount, no names.
    group_url = f"{hub}/group"
    response = client.post(
        group_url,
        data={
            **hidden_fields(page(client, group_url)),
            "group_name": "Klasse 4b, Grundschule Eigen",
            "responsible_adult": "Frau Demir",
            "phone": "02041 123456",
            "headcount": "18",
            "youngest_age": "9",
            "school_year": "4",
            "language": "de",
            "submit": "1",
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:3000]

    # 4. A Turkish family registers itself online.
    family = client.application.test_client()
    data = signup_data(family, workshop, children=(("Elif", 10),), phone="0152 99887766")
    assert family.post(f"/w/{workshop.slug}?lang=tr", data=data).status_code == 302

    db.session.expire_all()
    registrations = db.session.scalars(sa.select(Registration).order_by(Registration.id)).all()
    registrations = [r for r in registrations if r.workshop_id == workshop.id]
    assert [r.channel for r in registrations] == [Channel.ASSISTED, Channel.GROUP, Channel.ONLINE]
    assisted, group, online = registrations
    assert assisted.language == "ar" and assisted.assisted_by.email == DEMO_EMAIL
    assert {c.channel for c in assisted.consents} == {ConsentChannel.PAPER}
    assert group.participants[0].headcount == 18
    assert {c.channel for c in group.consents} == {ConsentChannel.SCHOOL}
    assert workshop.places_left == 40 - 2 - 18 - 1

    # 5. Check the children in at the door on each of the three days.
    children = db.session.scalars(
        sa.select(Participant).where(Participant.workshop_id == workshop.id)
    ).all()
    for index, workshop_date in enumerate(workshop.dates):
        door = f"{hub}/checkin/{workshop_date.id}"
        door_page = page(client, door)
        assert "0 / 21" in door_page  # nobody yet; 2 + 18 + 1 expected
        here = children if index < 2 else children[:2]  # on the last day one is missing
        for child in here:
            response = client.post(
                f"{door}/participants/{child.id}",
                data={**hidden_fields(door_page), "present": "1"},
            )
            assert response.status_code == 302
        expected_present = sum(c.headcount for c in here)
        assert f"{expected_present} / 21" in page(client, door)
    db.session.expire_all()
    attendances = db.session.scalar(
        sa.select(sa.func.count(Attendance.id)).where(
            Attendance.participant_id.in_([child.id for child in children])
        )
    )
    assert attendances == 4 + 4 + 2  # Amira, Omar, the class, Elif; two on the last day

    # 6. Export the list, and find the export in the audit log.
    export = client.get(f"{hub}/export.csv")
    assert export.status_code == 200
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert sorted(row["first_name"] for row in rows) == sorted(
        ["Amira", "Omar", "Klasse 4b, Grundschule Eigen", "Elif"]
    )
    assert sum(int(row["headcount"]) for row in rows) == 21
    assert {row["language"] for row in rows} == {"ar", "de", "tr"}
    assert {row["consent_slip"] for row in rows if row["first_name"] in ("Amira", "Omar")} == {
        "missing"
    }
    organisation_ids = {o.id for o in workshop.organisations}
    exports = db.session.scalars(
        sa.select(AuditEntry.organisation_id).where(AuditEntry.action == "export")
    ).all()
    assert set(exports) == organisation_ids  # each organisation's organisers see it
    assert db.session.scalar(sa.select(sa.func.count(Organisation.id))) >= 2
