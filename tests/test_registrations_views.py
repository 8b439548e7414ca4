"""The sign-up form and the family's page, through HTTP."""

import io
import re

import sqlalchemy as sa

from signup.extensions import db
from signup.registrations.models import (
    ConsentPurpose,
    Participant,
    ParticipantStatus,
    Registration,
)
from tests.factories import create_workshop, form_fields, register, signup_data


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count(model.id)))


def family_page(client, response):
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    location = response.headers["Location"]
    assert re.fullmatch(r"/r/[A-Za-z0-9_-]{43}", location)
    return location, client.get(location).get_data(as_text=True)


def test_family_registers_two_children_and_lands_on_its_page(client):
    workshop = create_workshop(capacity=25)
    data = signup_data(
        client, workshop, children=[("Amira", 8), ("Jonas", 11)], photo_consents="photo_internal"
    )
    location, html = family_page(client, client.post(f"/w/{workshop.slug}", data=data))
    assert html.count("Platz sicher") == 2
    assert "Amira" in html and "Jonas" in html
    assert "Bitte bewahren Sie diesen Link auf" in html
    assert location in html  # the link itself, to copy or photograph
    registration = db.session.scalars(sa.select(Registration)).one()
    assert registration.contact_phone == "+4915123456789"  # parsed and normalised
    assert {c.purpose for c in registration.consents} == {
        ConsentPurpose.PARTICIPATION,
        ConsentPurpose.PHOTO_INTERNAL,
    }


def test_family_page_is_private_and_not_cached(client):
    workshop = create_workshop()
    response = client.post(f"/w/{workshop.slug}", data=signup_data(client, workshop))
    page = client.get(response.headers["Location"])
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert client.get("/r/" + "A" * 43).status_code == 404


def test_waiting_child_sees_its_position(client):
    workshop = create_workshop(capacity=1)
    register(workshop, "Amira")
    register(workshop, "Jonas")
    data = signup_data(client, workshop, children=[("Elif", 9)])
    _, html = family_page(client, client.post(f"/w/{workshop.slug}", data=data))
    assert "Warteliste: Nummer 2" in html


def test_add_child_button_adds_a_row_and_keeps_what_was_typed(client):
    workshop = create_workshop()
    data = signup_data(client, workshop, children=[("Amira", 8)], add_child="1", submit=None)
    response = client.post(f"/w/{workshop.slug}", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="children-1-first_name"' in html
    assert 'value="Amira"' in html and 'value="0151 23456789"' in html
    assert 'name="together"' in html  # "only together" appears with the second child
    assert "Bitte prüfen Sie Ihre Angaben" not in html
    assert count(Registration) == 0


def test_empty_extra_row_is_ignored(client):
    workshop = create_workshop()
    data = signup_data(client, workshop, children=[("Amira", 8), ("", "")])
    family_page(client, client.post(f"/w/{workshop.slug}", data=data))
    assert count(Participant) == 1


def test_errors_are_shown_next_to_each_field_and_values_kept(client):
    workshop = create_workshop(min_age=10, max_age=14)
    data = signup_data(
        client,
        workshop,
        children=[("", "7")],
        phone="12",
        email="kein-at",
        consent_participation=None,
    )
    response = client.post(f"/w/{workshop.slug}", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'children-0-first_name-error">Bitte geben Sie den Vornamen an.', html)
    assert re.search(
        r'children-0-age-error">Dieser Workshop ist für Kinder von 10 bis 14 Jahren.', html
    )
    assert re.search(r'phone-error">Diese Telefonnummer stimmt nicht', html)
    assert re.search(r'email-error">Diese E-Mail-Adresse stimmt nicht', html)
    assert re.search(r'consent_participation-error">Ohne Ihr Einverständnis', html)
    assert 'value="7"' in html and 'value="12"' in html and 'value="kein-at"' in html
    assert 'aria-invalid="true"' in html
    assert count(Registration) == 0


def test_age_that_is_not_a_number_gets_a_clear_message(client):
    workshop = create_workshop()
    data = signup_data(client, workshop, children=[("Amira", "zehn")])
    html = client.post(f"/w/{workshop.slug}", data=data).get_data(as_text=True)
    assert "Bitte geben Sie das Alter als Zahl ein." in html
    assert 'value="zehn"' in html


def test_arabic_digits_for_the_age_are_understood(client):
    workshop = create_workshop()
    data = signup_data(client, workshop, children=[("Amira", "١٠")])
    family_page(client, client.post(f"/w/{workshop.slug}", data=data))
    assert db.session.scalars(sa.select(Participant.age)).one() == 10


def test_phone_or_email_is_needed_and_one_is_enough(client):
    workshop = create_workshop()
    html = client.post(
        f"/w/{workshop.slug}", data=signup_data(client, workshop, phone="")
    ).get_data(as_text=True)
    assert "Bitte geben Sie eine Telefonnummer oder eine E-Mail-Adresse an." in html
    data = signup_data(client, workshop, phone="", email="Eltern@Example.ORG")
    family_page(client, client.post(f"/w/{workshop.slug}", data=data))
    assert db.session.scalars(sa.select(Registration.contact_email)).one() == "eltern@example.org"


def test_international_phone_numbers_are_accepted(client):
    workshop = create_workshop()
    data = signup_data(client, workshop, phone="+90 532 123 45 67")
    family_page(client, client.post(f"/w/{workshop.slug}", data=data))
    assert db.session.scalars(sa.select(Registration.contact_phone)).one() == "+905321234567"


def test_names_lose_control_and_bidi_characters_and_are_nfc(client):
    workshop = create_workshop()
    data = signup_data(client, workshop, children=[("\u202eA\u0308mira\x00\u200f  Lou", 8)])
    family_page(client, client.post(f"/w/{workshop.slug}", data=data))
    assert db.session.scalars(sa.select(Participant.first_name)).one() == "\u00c4mira Lou"


def test_persian_names_keep_their_zero_width_non_joiner(client):
    workshop = create_workshop()
    data = signup_data(client, workshop, children=[("مهر\u200cناز", 8)])
    family_page(client, client.post(f"/w/{workshop.slug}", data=data))
    assert db.session.scalars(sa.select(Participant.first_name)).one() == "مهر\u200cناز"


def test_too_long_name_is_refused_with_a_message(client):
    workshop = create_workshop()
    data = signup_data(client, workshop, children=[("A" * 61, 8)])
    response = client.post(f"/w/{workshop.slug}", data=data)
    assert response.status_code == 422
    assert "Bitte kürzen Sie den Namen auf 60 Zeichen." in response.get_data(as_text=True)


def test_missing_csrf_token_shows_the_form_again_with_values_kept(client):
    workshop = create_workshop()
    data = signup_data(client, workshop, children=[("Amira", 8)])
    del data["csrf_token"]
    response = client.post(f"/w/{workshop.slug}", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Die Seite war lange offen" in html
    assert 'value="Amira"' in html
    retry = dict(
        data, csrf_token=re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    )
    family_page(client, client.post(f"/w/{workshop.slug}", data=retry))


def test_expired_csrf_token_shows_the_form_again(app, client):
    workshop = create_workshop()
    data = signup_data(client, workshop)
    app.config["WTF_CSRF_TIME_LIMIT"] = -1
    response = client.post(f"/w/{workshop.slug}", data=data)
    assert response.status_code == 422
    assert "Die Seite war lange offen" in response.get_data(as_text=True)
    assert count(Registration) == 0


def test_double_submit_books_once_and_both_land_on_the_same_page(client):
    workshop = create_workshop()
    data = signup_data(client, workshop, children=[("Amira", 8)])
    first = client.post(f"/w/{workshop.slug}", data=data)
    second = client.post(f"/w/{workshop.slug}", data=data)
    assert first.headers["Location"] == second.headers["Location"]
    assert count(Participant) == 1


def test_same_child_from_another_device_gets_a_kind_note(app, client):
    workshop = create_workshop()
    register(workshop, "Amira", phone="+4915123456789")
    other_device = app.test_client()
    data = signup_data(other_device, workshop, children=[("Amira", 8)])
    response = other_device.post(f"/w/{workshop.slug}", data=data)
    assert response.headers["Location"].endswith(f"/w/{workshop.slug}/already-registered")
    html = other_device.get(response.headers["Location"]).get_data(as_text=True)
    assert "schon angemeldet" in html
    assert count(Participant) == 1


def test_same_browser_registering_again_returns_to_its_page(client):
    workshop = create_workshop()
    first = client.post(f"/w/{workshop.slug}", data=signup_data(client, workshop))
    again = client.post(f"/w/{workshop.slug}", data=signup_data(client, workshop))  # a new form
    assert again.headers["Location"] == first.headers["Location"]


def test_honeypot_stops_bots_but_tells_a_person_why(client):
    workshop = create_workshop()
    response = client.post(
        f"/w/{workshop.slug}", data=signup_data(client, workshop, website="http://spam")
    )
    assert response.status_code == 422
    assert count(Registration) == 0


def test_full_workshop_without_waiting_list_refuses_a_late_form(client):
    workshop = create_workshop(capacity=1, waitlist_enabled=False)
    data = signup_data(client, workshop)  # the form was open while a place was free
    register(workshop, "Jonas")
    response = client.post(f"/w/{workshop.slug}", data=data)
    assert "Alle Plätze sind vergeben." in response.get_data(as_text=True)
    assert count(Participant) == 1


def test_cancel_one_child_asks_first_then_promotes_the_next(client):
    workshop = create_workshop(capacity=1)
    location, _ = family_page(
        client,
        client.post(
            f"/w/{workshop.slug}", data=signup_data(client, workshop, children=[("Amira", 8)])
        ),
    )
    waiting = register(workshop, "Jonas").registration
    participant = db.session.scalars(sa.select(Participant).filter_by(first_name="Amira")).one()
    confirm = client.get(f"{location}/cancel?participant={participant.id}")
    html = confirm.get_data(as_text=True)
    assert "Möchten Sie dieses Kind wirklich abmelden?" in html
    assert participant.status == ParticipantStatus.CONFIRMED  # asking changes nothing
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = client.post(
        f"{location}/cancel", data={"participant": participant.id, "csrf_token": token}
    )
    assert response.headers["Location"] == location
    page = client.get(location).get_data(as_text=True)
    assert "Abgemeldet: <bdi>Amira</bdi>." in page
    db.session.rollback()
    assert db.session.get(Participant, participant.id).status == ParticipantStatus.CANCELLED
    assert (
        db.session.get(Registration, waiting.id).participants[0].status
        == ParticipantStatus.CONFIRMED
    )


def test_cancel_all_children(client):
    workshop = create_workshop()
    location, _ = family_page(
        client,
        client.post(
            f"/w/{workshop.slug}", data=signup_data(client, workshop, children=[("A", 8), ("B", 9)])
        ),
    )
    html = client.get(f"{location}/cancel").get_data(as_text=True)
    assert "Möchten Sie diese Kinder wirklich abmelden?" in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    client.post(f"{location}/cancel", data={"csrf_token": token})
    assert client.get(location).get_data(as_text=True).count("abgemeldet") >= 2
    assert {p.status for p in db.session.scalars(sa.select(Participant))} == {
        ParticipantStatus.CANCELLED
    }


def test_cancel_without_csrf_token_is_refused_kindly(client):
    workshop = create_workshop()
    location, _ = family_page(
        client, client.post(f"/w/{workshop.slug}", data=signup_data(client, workshop))
    )
    response = client.post(f"{location}/cancel", data={})
    assert response.status_code == 400
    assert "Die Seite war zu lange offen" in response.get_data(as_text=True)
    assert {p.status for p in db.session.scalars(sa.select(Participant))} == {
        ParticipantStatus.CONFIRMED
    }


def test_cancel_someone_elses_child_is_not_found(client):
    workshop = create_workshop()
    other = register(workshop, "Jonas").registration.participants[0]
    location, _ = family_page(
        client, client.post(f"/w/{workshop.slug}", data=signup_data(client, workshop))
    )
    assert client.get(f"{location}/cancel?participant={other.id}").status_code == 404
    assert client.get(f"{location}/cancel?participant=abc").status_code == 404


def test_wrong_method_and_huge_bodies_get_friendly_pages(client):
    workshop = create_workshop()
    assert client.delete(f"/w/{workshop.slug}").status_code == 405
    response = client.post(f"/w/{workshop.slug}", data={"x": "y" * 300_000})
    assert response.status_code == 413
    assert "Zu viele Angaben" in response.get_data(as_text=True)


def test_form_fields_helper_reads_the_hidden_fields(client):
    workshop = create_workshop()
    assert set(form_fields(client, workshop.slug)) == {"csrf_token", "submission_id"}


def test_family_link_uses_the_public_base_url(app, client):
    app.config["SIGNUP_BASE_URL"] = "https://anmeldung.example.org/"
    workshop = create_workshop()
    location, html = family_page(
        client, client.post(f"/w/{workshop.slug}", data=signup_data(client, workshop))
    )
    assert f"https://anmeldung.example.org{location}" in html


def test_wrong_content_types_get_an_answer_not_a_crash(client):
    workshop = create_workshop()
    data = signup_data(client, workshop)
    odd_types = {
        "children-0-first_name": {"a": 1},
        "children-0-age": [1, None],
        "phone": 15123,
        "email": None,
        "consent_participation": True,
        "photo_consents": {"x": []},
    }
    as_json = client.post(f"/w/{workshop.slug}", json=dict(data, **odd_types))
    assert as_json.status_code == 422
    with_file = dict(data, **{"children-0-first_name": (io.BytesIO(b"\x00\xff"), "name.bin")})
    assert client.post(f"/w/{workshop.slug}", data=with_file).status_code in {302, 422}
    assert (
        client.post(
            f"/w/{workshop.slug}",
            data=b"\xff\xfe garbage",
            content_type="application/x-www-form-urlencoded",
        ).status_code
        == 422
    )
    assert count(Registration) == 0


def test_names_in_messages_are_isolated_and_escaped(client):
    workshop = create_workshop()
    data = signup_data(client, workshop, children=[("<b>Ali</b>", 8)])
    location, html = family_page(client, client.post(f"/w/{workshop.slug}", data=data))
    assert "<bdi>&lt;b&gt;Ali&lt;/b&gt;</bdi>" in html
    assert "<b>Ali</b>" not in html
    confirm = client.get(f"{location}/cancel").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', confirm).group(1)
    page = client.post(f"{location}/cancel", data={"csrf_token": token}, follow_redirects=True)
    assert "Abgemeldet: <bdi>&lt;b&gt;Ali&lt;/b&gt;</bdi>." in page.get_data(as_text=True)


def test_odd_row_numbers_in_field_names_are_ignored(client):
    workshop = create_workshop()
    data = signup_data(client, workshop, **{"children-²-first_name": "A", "children-١-age": "9"})
    family_page(client, client.post(f"/w/{workshop.slug}", data=data))
    assert count(Participant) == 1


def test_family_is_asked_only_the_optional_fields_the_workshop_switched_on(client):
    plain = create_workshop()
    html = client.get(f"/w/{plain.slug}").get_data(as_text=True)
    for name in ("surname", "gender", "school", "health_notes", "pickup_note", "consent_health"):
        assert name not in html
    asking = create_workshop(optional_fields="school_year,gender,health")
    html = client.get(f"/w/{asking.slug}").get_data(as_text=True)
    assert 'name="children-0-school_year"' in html
    assert '<select id="children-0-gender" name="children-0-gender"' in html
    assert '<textarea id="children-0-health_notes"' in html
    assert 'name="consent_health"' in html
    assert 'name="children-0-surname"' not in html and "pickup_note" not in html


def test_optional_fields_are_stored_and_health_notes_only_with_their_consent(client):
    workshop = create_workshop(optional_fields="surname,gender,school,school_year,health,pickup")
    details = {
        "children-0-surname": "Yılmaz",
        "children-0-gender": "female",
        "children-0-school": "Grundschule Eigen",
        "children-0-school_year": "3b",
        "children-0-health_notes": "Nussallergie",
        "children-0-pickup_note": "Oma Ayşe",
    }
    refused = client.post(f"/w/{workshop.slug}", data=signup_data(client, workshop, **details))
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Angaben zur Gesundheit speichern wir nur mit Ihrem Einverständnis" in html
    assert 'href="#children-0-health_notes"' in html  # listed in the summary, linked
    assert ">Nussallergie</textarea>" in html and 'value="Oma Ayşe"' not in html  # kept
    assert ">Oma Ayşe</textarea>" in html
    assert count(Registration) == 0

    data = signup_data(client, workshop, consent_health="y", **details)
    family_page(client, client.post(f"/w/{workshop.slug}", data=data))
    child = db.session.scalars(sa.select(Participant)).one()
    assert (child.surname, child.gender, child.school, child.school_year) == (
        "Yılmaz",
        "female",
        "Grundschule Eigen",
        "3b",
    )
    assert (child.health_notes, child.pickup_note) == ("Nussallergie", "Oma Ayşe")
    purposes = {c.purpose for c in child.registration.consents}
    assert purposes == {ConsentPurpose.PARTICIPATION, ConsentPurpose.HEALTH}


def test_a_health_consent_without_health_notes_asked_is_not_recorded(client):
    workshop = create_workshop()
    data = signup_data(client, workshop, consent_health="y", **{"children-0-surname": "X"})
    family_page(client, client.post(f"/w/{workshop.slug}", data=data))
    registration = db.session.scalars(sa.select(Registration)).one()
    assert {c.purpose for c in registration.consents} == {ConsentPurpose.PARTICIPATION}
    assert registration.participants[0].surname is None  # not asked, not stored


def test_optional_field_errors_are_shown_next_to_the_field(client):
    workshop = create_workshop(optional_fields="gender,school")
    data = signup_data(
        client,
        workshop,
        **{"children-0-gender": "robot", "children-0-school": "S" * 121},
    )
    response = client.post(f"/w/{workshop.slug}?lang=tr", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="children-0-gender-error">[^<]+</p>', html)
    assert re.search(r'id="children-0-school-error">[^<]+</p>', html)
    assert "Bitte wählen Sie aus der Liste." not in html  # in Turkish, not German
    assert 'value="' + "S" * 121 + '"' in html
    assert count(Registration) == 0
