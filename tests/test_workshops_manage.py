"""Staff create, edit, copy, open, close and cancel workshops; each workshop's hub page."""

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from signup.extensions import db
from signup.registrations.models import Participant, ParticipantStatus, Registration
from signup.registrations.services import set_attendance
from signup.staff.models import AuditEntry, Membership, Role
from signup.workshops import services, slugs
from signup.workshops.manage import staff_link
from signup.workshops.models import Workshop, WorkshopStatus
from tests.factories import (
    create_organisation,
    create_staff,
    create_workshop,
    register,
    write_transaction,
)
from tests.factories import (
    csrf_token as csrf,
)
from tests.factories import (
    log_in as staff_login,
)

NEXT_MONTH = date.today() + timedelta(days=30)


def make_staff(organisation, email="ana@ki.example", role=Role.ORGANISER):
    return create_staff(organisation, role, email)


def log_in(client, email="ana@ki.example"):
    response = staff_login(client, email)
    assert response.status_code == 302, response.status_code


@pytest.fixture
def organisation(app):
    return create_organisation("KI Bottrop")


@pytest.fixture
def organiser(client, organisation):
    """Log the test client in as an organiser of `organisation`."""
    user = make_staff(organisation)
    log_in(client)
    return user


def form_data(client, **fields) -> dict:
    """A complete, valid workshop form as the browser posts it; override any field."""
    page = client.get("/staff/workshops/new")
    html = page.get_data(as_text=True) if page.status_code == 200 else ""
    data = {
        "csrf_token": csrf(client, "/staff/"),
        # What the new-workshop page ticks already: the organiser's only organisation.
        "organisations": re.findall(r'name="organisations" value="(\d+)"\s+checked', html),
        "text_de-title": "KI4U",
        "text_de-summary": "Wir bauen Roboter.",
        "text_de-description": "Drei Tage Technik.\r\n\r\nMit Abschluss-Präsentation.",
        "text_de-notes": "Bitte Essen mitbringen.",
        "dates-0-day": NEXT_MONTH.isoformat(),
        "dates-0-starts_at": "10:30",
        "dates-0-ends_at": "14:30",
        "place_name": "Schülerlabor",
        "place_address": "Hauptstraße 1\r\n46236 Bottrop",
        "capacity": "25",
        "min_age": "10",
        "max_age": "16",
        "visibility": "listed",
        "waitlist_enabled": "y",
        "submit": "1",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def only_workshop() -> Workshop:
    db.session.rollback()
    return db.session.scalars(sa.select(Workshop)).one()


def audit_actions() -> list[str]:
    db.session.rollback()
    return db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()


def test_organiser_creates_a_draft_with_texts_dates_and_settings(client, organiser, organisation):
    data = form_data(
        client,
        **{
            "text_tr-title": "KI4U Atölyesi",
            "dates-1-day": "14.04.2031",
            "dates-1-starts_at": "9.00",
            "dates-1-ends_at": "12:00",
            "optional_fields": ["surname", "health"],
            "photo_uses": ["internal"],
            "registration_opens_at": "2031-01-10T09:00",
            "registration_closes_at": "2031-07-01T18:00",
            "organisations": str(organisation.id),
        },
    )
    response = client.post("/staff/workshops/new", data=data)
    workshop = only_workshop()
    assert response.headers["Location"] == f"/staff/workshops/{workshop.id}"
    assert workshop.status == WorkshopStatus.DRAFT and workshop.slug == "ki4u"
    assert {t.language: t.title for t in workshop.texts} == {"de": "KI4U", "tr": "KI4U Atölyesi"}
    assert (
        workshop.text_for("de").description == "Drei Tage Technik.\n\nMit Abschluss-Präsentation."
    )
    assert [(d.day, d.starts_at) for d in workshop.dates] == [
        (NEXT_MONTH, time(10, 30)),
        (date(2031, 4, 14), time(9, 0)),
    ]
    assert (workshop.capacity, workshop.min_age, workshop.max_age) == (25, 10, 16)
    assert workshop.optional_fields == "surname,health" and workshop.photo_uses == "internal"
    assert workshop.place_address == "Hauptstraße 1\n46236 Bottrop"
    # Typed in Berlin time: winter is UTC+1, summer UTC+2.
    assert workshop.registration_opens_at == datetime(2031, 1, 10, 8, 0, tzinfo=UTC)
    assert workshop.registration_closes_at == datetime(2031, 7, 1, 16, 0, tzinfo=UTC)
    assert [o.id for o in workshop.organisations] == [organisation.id]
    assert audit_actions() == ["create_workshop"]
    hub = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Der Workshop ist angelegt" in hub and "/w/ki4u" in hub


def test_the_only_organisation_is_chosen_already(client, organiser, organisation):
    html = client.get("/staff/workshops/new").get_data(as_text=True)
    assert re.search(rf'name="organisations" value="{organisation.id}"\s+checked', html)


def test_a_workshop_can_be_run_by_two_organisations_of_the_organiser(client, organisation):
    other = create_organisation("zdi Bottrop")
    user = make_staff(organisation)
    user.memberships.append(Membership(organisation=other, role=Role.ORGANISER))
    db.session.commit()
    log_in(client)
    data = form_data(client, organisations=[str(organisation.id), str(other.id)])
    client.post("/staff/workshops/new", data=data)
    assert {o.name for o in only_workshop().organisations} == {"KI Bottrop", "zdi Bottrop"}


def test_organisations_where_the_user_only_assists_cannot_be_chosen(client, organisation):
    assisted = create_organisation("Grundschule Nord")
    user = make_staff(organisation)
    user.memberships.append(Membership(organisation=assisted, role=Role.ASSISTANT))
    db.session.commit()
    log_in(client)
    html = client.get("/staff/workshops/new").get_data(as_text=True)
    assert "Grundschule Nord" not in html
    response = client.post(
        "/staff/workshops/new", data=form_data(client, organisations=str(assisted.id))
    )
    assert response.status_code == 422
    assert "Bitte wählen Sie mindestens eine Organisation." in response.get_data(as_text=True)


def test_slug_comes_from_the_german_title_and_is_numbered_when_taken(client, organiser):
    create_workshop(slug="loeten-fuer-anfaenger")
    client.post(
        "/staff/workshops/new", data=form_data(client, **{"text_de-title": "Löten für Anfänger!"})
    )
    assert (
        db.session.scalar(sa.select(Workshop.slug).where(Workshop.slug != "loeten-fuer-anfaenger"))
        == "loeten-fuer-anfaenger-2"
    )


def test_a_chosen_slug_is_normalised_and_must_be_free(client, organiser):
    create_workshop(slug="ki4u-bottrop")
    response = client.post("/staff/workshops/new", data=form_data(client, slug="KI4U Bottrop"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Diese Adresse ist schon vergeben." in html and 'value="KI4U Bottrop"' in html
    client.post("/staff/workshops/new", data=form_data(client, slug="KI4U Sommer"))
    assert db.session.scalar(sa.select(sa.func.count()).where(Workshop.slug == "ki4u-sommer")) == 1


def test_errors_stand_next_to_their_fields_and_typed_values_stay(client, organiser):
    data = form_data(
        client,
        **{
            "text_de-title": "",
            "text_tr-summary": "Türkçe özet",
            "capacity": "0",
            "min_age": "12",
            "max_age": "8",
            "dates-0-ends_at": "09:00",
            "dates-1-day": "kein Datum",
            "registration_opens_at": "2031-03-01T10:00",
            "registration_closes_at": "2031-02-01T10:00",
            "place_name": "Schülerlabor der Hochschule",
        },
    )
    response = client.post("/staff/workshops/new", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for message, field_id in [
        ("Bitte geben Sie einen deutschen Titel an.", "text_de-title"),
        ("Bitte geben Sie auch einen Titel an", "text_tr-title"),
        ("Bitte geben Sie zwischen 1 und 10000 Plätze an.", "capacity"),
        ("Das Mindestalter darf nicht höher sein als das Höchstalter.", "max_age"),
        ("Das Ende muss nach dem Beginn liegen.", "dates-0-ends_at"),
        ("Bitte geben Sie das Datum so ein: 13.04.2026.", "dates-1-day"),
        ("Bitte ergänzen Sie diese Angabe.", "dates-1-starts_at"),
        ("Das Ende der Anmeldung muss nach ihrem Beginn liegen.", "registration_closes_at"),
    ]:
        assert re.search(rf'id="{field_id}-error">[^<]*{re.escape(message)}', html), message
        assert f'href="#{field_id}"' in html  # the summary links to the field
    assert 'value="Schülerlabor der Hochschule"' in html and "Türkçe özet" in html
    assert 'value="kein Datum"' in html and 'value="12"' in html
    assert re.search(r'<details class="language" open>\s*<summary><span lang="tr"', html)
    assert db.session.scalar(sa.select(sa.func.count(Workshop.id))) == 0


def test_add_a_date_gives_one_more_row_and_keeps_what_was_typed(client, organiser):
    data = form_data(client, add_date="1", submit=None, place_name="Zoo-Schule")
    response = client.post("/staff/workshops/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'name="dates-3-day"' in html
    assert 'value="Zoo-Schule"' in html and "Bitte prüfen" not in html


def test_assistants_see_the_hub_but_may_not_change_workshops(client, organisation):
    workshop = create_workshop(organisations=[organisation])
    make_staff(organisation, role=Role.ASSISTANT)
    log_in(client)
    token = csrf(client, "/staff/")
    hub = client.get(f"/staff/workshops/{workshop.id}")
    assert hub.status_code == 200
    html = hub.get_data(as_text=True)
    assert "Workshop bearbeiten" not in html and "Workshop absagen" not in html
    assert "Neuer Workshop" not in client.get("/staff/").get_data(as_text=True)
    assert client.get("/staff/workshops/new").status_code == 403
    assert client.post("/staff/workshops/new", data={"csrf_token": token}).status_code == 403
    assert client.get(f"/staff/workshops/{workshop.id}/edit").status_code == 403
    for action, data in [
        ("edit", form_data(client)),
        ("copy", {}),
        ("status", {"status": "cancelled", "confirm": "y"}),
    ]:
        response = client.post(
            f"/staff/workshops/{workshop.id}/{action}", data={**data, "csrf_token": token}
        )
        assert response.status_code == 403, action
    assert only_workshop().status == WorkshopStatus.OPEN and audit_actions() == []


def test_staff_of_another_organisation_get_not_found(client, organiser):
    theirs = create_workshop(organisations=[create_organisation("KI Essen")])
    token = csrf(client, "/staff/")
    assert client.get(f"/staff/workshops/{theirs.id}").status_code == 404
    assert client.get(f"/staff/workshops/{theirs.id}/edit").status_code == 404
    for action in ("edit", "copy", "status"):
        response = client.post(
            f"/staff/workshops/{theirs.id}/{action}",
            data={"csrf_token": token, "status": "cancelled", "confirm": "y"},
        )
        assert response.status_code == 404, action
    assert client.get("/staff/workshops/999999").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(Workshop.id))) == 1


def test_anonymous_visitors_are_sent_to_the_login(client):
    workshop = create_workshop()
    for method, path in [
        ("GET", "/staff/workshops/new"),
        ("POST", "/staff/workshops/new"),
        ("GET", f"/staff/workshops/{workshop.id}"),
        ("GET", f"/staff/workshops/{workshop.id}/edit"),
        ("POST", f"/staff/workshops/{workshop.id}/edit"),
        ("POST", f"/staff/workshops/{workshop.id}/copy"),
        ("POST", f"/staff/workshops/{workshop.id}/status"),
    ]:
        data = {"csrf_token": csrf(client)} if method == "POST" else None
        response = client.open(path, method=method, data=data)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/staff/login")


def test_texts_per_language_show_on_the_public_page(client, organiser, organisation):
    data = form_data(
        client,
        **{
            "text_tr-title": "Robot atölyesi",
            "text_ar-title": "ورشة الروبوت",
            "organisations": str(organisation.id),
        },
    )
    client.post("/staff/workshops/new", data=data)
    workshop = only_workshop()
    token = csrf(client, "/staff/")
    client.post(
        f"/staff/workshops/{workshop.id}/status", data={"status": "open", "csrf_token": token}
    )
    assert "Robot atölyesi" in client.get("/w/ki4u?lang=tr").get_data(as_text=True)
    assert "ورشة الروبوت" in client.get("/w/ki4u?lang=ar").get_data(as_text=True)
    english = client.get("/w/ki4u?lang=en").get_data(as_text=True)
    assert "KI4U" in english  # German stands in where a language is missing


def test_edit_page_shows_the_workshop_as_it_is(client, organiser, organisation):
    workshop = create_workshop(
        organisations=[organisation], texts={"de": "Zoo-Schule", "uk": "Зоошкола"}, capacity=12
    )
    html = client.get(f"/staff/workshops/{workshop.id}/edit").get_data(as_text=True)
    assert 'value="Zoo-Schule"' in html and 'value="Зоошкола"' in html
    assert f'name="dates-0-id" type="hidden" value="{workshop.dates[0].id}"' in html
    assert f'value="{workshop.dates[0].day.isoformat()}"' in html
    assert 'id="capacity" name="capacity" value="12"' in html
    assert f"/w/{workshop.slug}" in html and 'name="slug"' not in html


def test_editing_saves_changes_removes_emptied_languages_and_keeps_dates(
    client, organiser, organisation
):
    workshop = create_workshop(organisations=[organisation], texts={"de": "Alt", "tr": "Eski"})
    date_id = workshop.dates[0].id
    data = form_data(
        client,
        **{
            "text_de-title": "Neu",
            "dates-0-id": str(date_id),
            "dates-0-starts_at": "11:00",
            "visibility": "link",
            "waitlist_enabled": None,
            "capacity": "30",
        },
    )
    response = client.post(f"/staff/workshops/{workshop.id}/edit", data=data)
    assert response.headers["Location"] == f"/staff/workshops/{workshop.id}"
    workshop = only_workshop()
    assert [t.language for t in workshop.texts] == ["de"] and workshop.text_for("de").title == "Neu"
    assert [(d.id, d.starts_at) for d in workshop.dates] == [(date_id, time(11, 0))]
    assert not workshop.listed and not workshop.waitlist_enabled and workshop.capacity == 30
    assert audit_actions() == ["edit_workshop"]
    detail = db.session.scalar(sa.select(AuditEntry.detail))
    assert "capacity: 25 → 30" in detail and "texts" in detail


def test_raising_capacity_gives_waiting_children_a_place(client, organiser, organisation):
    workshop = create_workshop(organisations=[organisation], capacity=1)
    register(workshop, "Amira")
    register(workshop, "Jonas")
    register(workshop, "Lea")
    response = client.post(
        f"/staff/workshops/{workshop.id}/edit", data=form_data(client, capacity="2")
    )
    assert response.status_code == 302
    statuses = dict(db.session.execute(sa.select(Participant.first_name, Participant.status)).all())
    assert statuses == {
        "Amira": ParticipantStatus.CONFIRMED,
        "Jonas": ParticipantStatus.CONFIRMED,
        "Lea": ParticipantStatus.WAITING,
    }
    hub = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 Kind ist von der Warteliste nachgerückt." in hub and "2 von 2" in hub


def test_fewer_places_than_children_confirmed_is_refused(client, organiser, organisation):
    workshop = create_workshop(organisations=[organisation], capacity=3)
    register(workshop, "Amira", "Jonas")
    response = client.post(
        f"/staff/workshops/{workshop.id}/edit", data=form_data(client, capacity="1")
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="capacity-error">2 Kinder haben schon einen sicheren Platz', html)
    assert 'value="1"' in html
    assert only_workshop().capacity == 3 and audit_actions() == []
    assert (
        client.post(
            f"/staff/workshops/{workshop.id}/edit", data=form_data(client, capacity="2")
        ).status_code
        == 302
    )


def test_a_date_with_attendance_cannot_be_removed(app, organisation):
    workshop = create_workshop(organisations=[organisation])
    result = register(workshop, "Amira")
    user = make_staff(organisation)
    write_transaction()
    participant = db.session.get(Participant, result.registration.participants[0].id)
    set_attendance(db.session, participant, workshop.dates[0], True)
    data = services.WorkshopData(
        texts=[services.Text("de", "Neu")], place_name="Labor", capacity=5, min_age=6, max_age=14
    )
    with pytest.raises(services.WorkshopError) as refused:
        services.update_workshop(db.session, workshop, data, actor=user)
    assert refused.value.code == "date_attended"


def test_copy_makes_a_draft_with_the_same_texts_and_no_dates_or_registrations(
    client, organiser, organisation
):
    workshop = create_workshop(
        slug="ki4u",
        organisations=[organisation],
        texts={"de": "KI4U", "ar": "ورشة"},
        capacity=25,
        optional_fields="gender",
        registration_opens_at=datetime(2020, 1, 1, tzinfo=UTC),
    )
    register(workshop, "Amira")
    token = csrf(client, "/staff/")
    response = client.post(f"/staff/workshops/{workshop.id}/copy", data={"csrf_token": token})
    db.session.rollback()
    copy = db.session.scalar(sa.select(Workshop).where(Workshop.id != workshop.id))
    assert response.headers["Location"] == f"/staff/workshops/{copy.id}/edit"
    assert copy.slug == "ki4u-2" and copy.status == WorkshopStatus.DRAFT
    assert {t.language: t.title for t in copy.texts} == {"de": "KI4U", "ar": "ورشة"}
    assert (copy.capacity, copy.optional_fields, copy.place_name) == (25, "gender", "Schülerlabor")
    assert copy.dates == [] and copy.registration_opens_at is None
    assert copy.organisations == workshop.organisations
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Registration.id)).where(Registration.workshop_id == copy.id)
        )
        == 0
    )
    assert audit_actions() == ["copy_workshop"]
    edit = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Die Kopie ist angelegt" in edit and 'name="dates-2-day"' in edit


def test_cancelling_shows_on_the_public_page(client, organiser, organisation):
    workshop = create_workshop(organisations=[organisation])
    token = csrf(client, "/staff/")
    response = client.post(
        f"/staff/workshops/{workshop.id}/status",
        data={"status": "cancelled", "confirm": "y", "csrf_token": token},
    )
    assert response.status_code == 302
    assert "Dieser Workshop wurde abgesagt." in client.get(f"/w/{workshop.slug}").get_data(
        as_text=True
    )
    assert audit_actions() == ["change_status"]
    assert db.session.scalar(sa.select(AuditEntry.detail)) == "open → cancelled"


def test_cancelling_needs_the_tick_and_is_final(client, organiser, organisation):
    workshop = create_workshop(organisations=[organisation])
    url = f"/staff/workshops/{workshop.id}/status"
    token = csrf(client, "/staff/")
    unconfirmed = client.post(url, data={"status": "cancelled", "csrf_token": token})
    assert unconfirmed.status_code == 422
    assert "Bitte bestätigen Sie die Absage" in unconfirmed.get_data(as_text=True)
    assert only_workshop().status == WorkshopStatus.OPEN
    client.post(url, data={"status": "cancelled", "confirm": "y", "csrf_token": token})
    reopened = client.post(url, data={"status": "open", "csrf_token": token})
    assert reopened.status_code == 422
    assert "kann nicht wieder geöffnet werden" in reopened.get_data(as_text=True)
    assert only_workshop().status == WorkshopStatus.CANCELLED


def test_opening_needs_a_date_and_back_to_draft_needs_no_registrations(
    client, organiser, organisation
):
    undated = create_workshop(organisations=[organisation], days=[], status=WorkshopStatus.DRAFT)
    booked = create_workshop(organisations=[organisation])
    register(booked, "Amira")
    token = csrf(client, "/staff/")
    response = client.post(
        f"/staff/workshops/{undated.id}/status", data={"status": "open", "csrf_token": token}
    )
    assert "Bitte tragen Sie zuerst mindestens einen Termin ein." in response.get_data(as_text=True)
    response = client.post(
        f"/staff/workshops/{booked.id}/status", data={"status": "draft", "csrf_token": token}
    )
    assert "Es gibt schon Anmeldungen." in response.get_data(as_text=True)
    response = client.post(
        f"/staff/workshops/{booked.id}/status", data={"status": "closed", "csrf_token": token}
    )
    assert response.status_code == 302
    assert (
        client.get(response.headers["Location"])
        .get_data(as_text=True)
        .count("Anmeldung geschlossen")
        >= 1
    )
    bogus = client.post(
        f"/staff/workshops/{booked.id}/status", data={"status": "past", "csrf_token": token}
    )
    assert bogus.status_code == 422


def test_hub_shows_figures_public_link_and_only_existing_pages(
    client, organiser, organisation, app
):
    workshop = create_workshop(organisations=[organisation], capacity=2, slug="zoo")
    register(workshop, "Amira", "Jonas", "Lea")
    html = client.get(f"/staff/workshops/{workshop.id}").get_data(as_text=True)
    assert "2 von 2" in html and "<dd>1</dd>" in html  # one waiting
    assert re.search(r"href=\"https?://[^\"]*/w/zoo\"", html)  # the public link, absolute
    assert "Workshop bearbeiten" in html and "Workshop absagen" in html
    assert "Zurück in den Entwurf" not in html  # families registered: the page must stay
    for endpoint, words in [
        ("manage_registrations.list_registrations", "Liste der Anmeldungen"),
        ("assisted.new_assisted_registration", "Familie anmelden"),
        ("checkin.show_checkin", "Einlass"),
    ]:
        assert (words in html) == (endpoint in app.view_functions), endpoint


def test_staff_link_is_none_for_pages_that_do_not_exist(app):
    with app.test_request_context():
        assert staff_link("nowhere.show_nothing", workshop_id=1) is None
        assert (
            staff_link("manage_workshops.show_workshop_hub", workshop_id=7) == "/staff/workshops/7"
        )
        assert staff_link("manage_workshops.show_workshop_hub") is None  # missing value


def test_dashboard_links_each_title_to_its_hub(client, organiser, organisation):
    workshop = create_workshop(organisations=[organisation])
    html = client.get("/staff/").get_data(as_text=True)
    assert f'href="/staff/workshops/{workshop.id}"' in html
    assert 'href="/staff/workshops/new"' in html


HOSTILE = [
    "x" * 20_000,
    "Robo\x00ter\x07\x1b[31m",
    "\u202eRTL override\u202c \u200fمرحبا\u200f",
    "<script>alert(1)</script>",
    "٣",
    "²",
    "-1",
    "9" * 40,
    "2031-02-30",
    "25:99",
    "\U0001f600" * 300,
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_input_never_breaks_the_form(client, organiser, organisation, value):
    workshop = create_workshop(organisations=[organisation])
    token = csrf(client, "/staff/")
    fields = [
        "text_de-title",
        "text_de-description",
        "text_fa-title",
        "place_name",
        "place_address",
        "capacity",
        "min_age",
        "dates-0-day",
        "dates-0-starts_at",
        "dates-0-id",
        "registration_opens_at",
        "visibility",
        "optional_fields",
        "slug",
        "organisations",
        "dates-²-day",
        "dates-99999999999999-day",
        "text_xx-title",
    ]
    base = form_data(client)
    for name in fields:
        data = {**base, name: value}
        for url in ("/staff/workshops/new", f"/staff/workshops/{workshop.id}/edit"):
            response = client.post(url, data=data)
            assert response.status_code in {200, 302, 422}, (name, url, response.status_code)
    response = client.post(
        f"/staff/workshops/{workshop.id}/status", data={"status": value, "csrf_token": token}
    )
    assert response.status_code in {302, 422}


def test_control_and_direction_characters_are_taken_out_of_texts(client, organiser):
    title = "\u202eKI\x00 4U\u200f"
    client.post("/staff/workshops/new", data=form_data(client, **{"text_de-title": title}))
    assert only_workshop().text_for("de").title == "KI 4U"


def test_slugify_spells_umlauts_and_drops_what_is_not_ascii():
    assert (
        slugs.slugify("Löten & Programmieren für Mädchen") == "loeten-programmieren-fuer-maedchen"
    )
    assert slugs.slugify("ورشة") == ""
    assert slugs.slugify("  Straße -- 2026 ") == "strasse-2026"
    assert len(slugs.slugify("a" * 300)) == slugs.SLUG_MAX


def test_unique_slug_takes_the_first_free_number(app):
    for slug in ("zoo", "zoo-2", "zoo-3"):
        create_workshop(slug=slug)
    assert slugs.unique_slug(db.session, "zoo") == "zoo-4"
    assert slugs.unique_slug(db.session, "labor") == "labor"


def test_status_rules_in_the_services(app, organisation):
    user = make_staff(organisation)
    workshop = create_workshop(organisations=[organisation], status=WorkshopStatus.DRAFT)
    write_transaction()
    assert services.change_status(db.session, workshop, WorkshopStatus.OPEN, actor=user)
    assert not services.change_status(db.session, workshop, WorkshopStatus.OPEN, actor=user)
    assert services.change_status(db.session, workshop, WorkshopStatus.DRAFT, actor=user)
    past = create_workshop(organisations=[organisation], days=[date.today() - timedelta(days=3)])
    write_transaction()
    services.change_status(db.session, past, WorkshopStatus.CLOSED, actor=user)
    with pytest.raises(services.WorkshopError) as refused:
        services.change_status(db.session, past, WorkshopStatus.OPEN, actor=user)
    assert refused.value.code == "past"


def test_a_workshop_keeps_its_own_retention_days_or_the_organisations(
    client, organiser, organisation
):
    data = form_data(client, retention_days="30", health_retention_days="7")
    assert client.post("/staff/workshops/new", data=data).status_code == 302
    workshop = only_workshop()
    assert (workshop.retention_days, workshop.health_retention_days) == (30, 7)
    edit = client.get(f"/staff/workshops/{workshop.id}/edit").get_data(as_text=True)
    assert 'name="retention_days"' in edit and 'value="30"' in edit
    data = form_data(client, retention_days="", health_retention_days="")
    client.post(f"/staff/workshops/{workshop.id}/edit", data=data)
    assert (only_workshop().retention_days, only_workshop().health_retention_days) == (None, None)


@pytest.mark.parametrize(
    "days, health, field",
    [
        ("0", "", "retention_days"),
        ("5000", "", "retention_days"),
        ("20", "40", "health_retention_days"),
    ],
)
def test_retention_days_out_of_range_are_refused_next_to_the_field(
    client, organiser, organisation, days, health, field
):
    data = form_data(client, retention_days=days, health_retention_days=health)
    response = client.post("/staff/workshops/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in page or f'aria-describedby="{field}-error' in page
    assert db.session.scalar(sa.select(sa.func.count(Workshop.id))) == 0
