"""XSS payloads in every text field of every form, then everywhere the text shows: pages,
CSV, Excel, PDF. Each payload goes into every text field of a form at once (tests/hostile.py
has the payloads and the driver); what was stored is looked for on each page, export and
printout that shows it, where it must be inert. Figures in SECURITY.md."""

import secrets
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

import pytest

from signup.extensions import db
from signup.registrations.models import Participant, Registration, RegistrationNote
from signup.staff.models import Role, StaffUser
from signup.workshops.models import Workshop
from tests.factories import (
    STAFF_PASSWORD,
    create_organisation,
    create_staff,
    create_workshop,
    csrf_token,
    log_in,
)
from tests.hostile import (  # noqa: F401
    HOSTILE_EMAILS,
    PAYLOADS,
    FormSpec,
    Payload,
    Stage,
    Stored,
    assert_found_everywhere,
    assert_inert,
    attack,
    cheap_passwords,
    count,
    family_token,
    latest,
    look_at_exports,
    look_at_page,
    look_at_pdf,
    post_form,
    print_tally,
    record,
    shown,
)


@pytest.fixture
def stage(app) -> Stage:
    return make_stage(app)


def make_stage(app) -> Stage:
    """An organiser, logged in, and an open workshop with 500 places that asks everything."""
    organisation = create_organisation("KI Sicher")
    create_staff(organisation, Role.ORGANISER, "orga@ki.example", name="Orga")
    workshop = create_workshop(
        organisations=[organisation],
        capacity=500,
        optional_fields="surname,gender,school,school_year,health,pickup",
        photo_uses="internal,website,press,social",
    )
    client = app.test_client()
    assert log_in(client, "orga@ki.example").status_code == 302
    return Stage(client, workshop.id, workshop.slug, workshop.dates[0].id)


_phones = iter(range(10_000_000, 99_999_999))


def unique_phone() -> str:
    return f"+49151{next(_phones):08d}"


# The sign-up form, public and filled in by staff.

ON_LISTS = ("staff registration page", "staff list", "check-in", "CSV", "Excel")
CHILD_FIELDS = {
    "children-0-first_name": ("first_name", (*ON_LISTS, "sign-in sheet", "name tags")),
    "children-0-surname": ("surname", ON_LISTS),
    "children-0-school": ("school", ("staff registration page", "CSV", "Excel")),
    "children-0-school_year": ("school_year", ("staff registration page", "CSV", "Excel")),
    "children-0-health_notes": ("health_notes", ("staff registration page",)),
    "children-0-pickup_note": ("pickup_note", ("staff registration page", "CSV", "Excel")),
}
COLUMNS = {
    "children-0-first_name": "first_name",
    "children-0-surname": "surname",
    "children-0-school": "school",
    "children-0-school_year": "school_year",
    "children-0-pickup_note": "pickup_note",
    "email": "contact_email",
    "group_name": "first_name",
    "school_year": "school_year",
    "first_name": "first_name",
}
#: Payloads whose family also gets its printouts checked (the PDFs are slow to make).
PRINTED = {"script element", "bidi override", "emoji", "spreadsheet formula"}


def signup_spec(stage: Stage, assisted: bool) -> FormSpec:
    url = f"/w/{stage.slug}"
    if assisted:
        url = f"/staff/workshops/{stage.workshop_id}/assist?family_language=ar"
    token = csrf_token(stage.client, url)

    def base() -> dict:
        body = {
            "csrf_token": token,
            "submission_id": secrets.token_urlsafe(16),
            "children-0-first_name": "Kind",
            "children-0-age": "10",
            "phone": unique_phone(),
            "consent_participation": "y",
            "consent_health": "y",
            "submit": "1",
        }
        return body | ({"consent_channel": "paper"} if assisted else {})

    return FormSpec(
        "assisted sign-up (staff)" if assisted else "public sign-up",
        url,
        base,
        free=tuple(CHILD_FIELDS),
        checked=("phone", "email", "children-0-age", "children-0-gender")
        + (("consent_channel",) if assisted else ()),
        choices=("children-0-gender", "consent_channel"),
        saved=200 if assisted else 302,
    )


def save_signups(stage: Stage, spec: FormSpec) -> None:
    for payload in PAYLOADS:
        response, fields = attack(stage, spec, payload)
        registration = latest(Registration)
        stage.tokens[registration.id] = family_token(response)
        child = registration.participants[0]
        values = {name: getattr(child, CHILD_FIELDS[name][0]) for name in fields}
        places = {name: CHILD_FIELDS[name][1] for name in fields}
        if "children-0-first_name" in places:
            printed = ("consent slip", "confirmation") if payload.name in PRINTED else ()
            places["children-0-first_name"] += ("family page", *printed)
        record(stage, spec, payload, values, places, owner=registration.id)
    for email in HOSTILE_EMAILS:
        response = post_form(stage.client, spec.url, spec.base() | {"email": email})
        assert response.status_code == spec.saved, email
        registration = latest(Registration)
        assert registration.contact_email == email
        stage.tokens[registration.id] = family_token(response)
        item = Stored(spec.name, "email", Payload(email, email), email, ON_LISTS[:1] + ON_LISTS[3:])
        item.owner = registration.id
        stage.stored.append(item)
        count(spec.name, "tried", 1)
        count(spec.name, "stored", 1)


def look_everywhere(stage: Stage) -> None:
    """Open every page, export and printout that shows a registration's data."""
    for registration_id, token in stage.tokens.items():
        url = f"/staff/registrations/{registration_id}"
        look_at_page(stage, "staff registration page", url, registration_id)
        if token:
            look_at_page(stage, "family page", f"/r/{token}", registration_id)
    workshop = f"/staff/workshops/{stage.workshop_id}"
    look_at_page(stage, "staff list", f"{workshop}/registrations")
    look_at_page(stage, "check-in", f"{workshop}/checkin/{stage.date_id}")
    look_at_exports(stage, COLUMNS)
    look_at_pdf(stage, "sign-in sheet", f"{workshop}/sign-in.pdf")
    look_at_pdf(stage, "name tags", f"{workshop}/name-tags.pdf")
    printed = {i.owner for i in stage.stored if "consent slip" in i.places}
    for registration_id in printed:
        slip = f"/staff/registrations/{registration_id}/consent-slip.pdf"
        look_at_pdf(stage, "consent slip", slip, registration_id)
        token = stage.tokens[registration_id]
        look_at_pdf(stage, "confirmation", f"/r/{token}/confirmation.pdf", registration_id)
    assert_found_everywhere(stage)


@pytest.mark.parametrize("assisted", [False, True], ids=["public", "assisted"])
def test_signup_form_keeps_every_payload_inert_everywhere(stage, assisted):
    spec = signup_spec(stage, assisted)
    save_signups(stage, spec)
    look_everywhere(stage)


# Staff forms: a group, a child at the door, a note.


def spec_with_token(stage: Stage, name: str, url: str, page: str, body: dict, **kw) -> FormSpec:
    token = csrf_token(stage.client, page)
    return FormSpec(name, url, lambda: {"csrf_token": token, **body, "phone": unique_phone()}, **kw)


def save_each(stage: Stage, spec: FormSpec, read: Callable[[], tuple[int, dict]], places: dict):
    """Attack with every payload; record what `read` finds stored, under its owner's id."""
    for payload in PAYLOADS:
        response, fields = attack(stage, spec, payload)
        if not fields:
            continue
        owner, values = read()
        stage.tokens.setdefault(owner, family_token(response))
        kept = {name: values[name] for name in fields}
        record(stage, spec, payload, kept, places, owner=owner)


def test_group_form_keeps_every_payload_inert_everywhere(stage):
    url = f"/staff/workshops/{stage.workshop_id}/group"
    body = {"group_name": "Klasse 4b", "responsible_adult": "Frau Berg", "headcount": "2"}
    body |= {"youngest_age": "10", "language": "de", "submit": "1"}
    spec = spec_with_token(
        stage,
        "group registration (staff)",
        url,
        url,
        body | {"submission_id": ""},
        free=("group_name", "responsible_adult", "school_year"),
        checked=("phone", "email", "headcount", "youngest_age", "language"),
        choices=("language",),
        saved=200,
    )

    def read():
        registration = latest(Registration)
        values = {
            "group_name": registration.group_name,
            "responsible_adult": registration.responsible_adult,
            "school_year": registration.participants[0].school_year,
        }
        return registration.id, values

    places = {
        "group_name": (*ON_LISTS, "family page", "sign-in sheet"),
        "responsible_adult": ("staff registration page",),
        "school_year": ("staff registration page", "CSV", "Excel"),
    }
    save_each(stage, spec, read, places)
    look_everywhere(stage)


def test_walk_in_form_keeps_every_payload_inert_everywhere(stage):
    checkin = f"/staff/workshops/{stage.workshop_id}/checkin/{stage.date_id}"
    body = {"first_name": "Lina", "age": "10", "consent": "y"}
    spec = spec_with_token(
        stage,
        "walk-in (check-in)",
        f"{checkin}/walk-in",
        checkin,
        body,
        free=("first_name",),
        checked=("phone", "age"),
    )

    def read():
        child = latest(Participant)
        return child.registration_id, {"first_name": child.first_name}

    places = {"first_name": (*ON_LISTS, "sign-in sheet", "name tags")}
    save_each(stage, spec, read, places)
    look_everywhere(stage)


def test_note_form_keeps_every_payload_inert(stage):
    registration_id = register_through_the_form(stage)
    page = f"/staff/registrations/{registration_id}"
    spec = spec_with_token(stage, "staff note", f"{page}/notes", page, {}, free=("text",))

    def read():
        return registration_id, {"text": latest(RegistrationNote).text}

    save_each(stage, spec, read, {"text": ("staff registration page",)})
    look_at_page(stage, "staff registration page", page, registration_id)
    assert_found_everywhere(stage)


def register_through_the_form(stage: Stage) -> int:
    spec = signup_spec(stage, assisted=False)
    assert post_form(stage.client, spec.url, spec.base()).status_code == 302
    return latest(Registration).id


# Organisers' forms: a workshop's texts, a colleague's name.

WORKSHOP_FIELDS = {
    "text_de-title": ("title", ("public workshop page", "workshop hub", "edit form")),
    "text_de-summary": ("summary", ("public workshop page", "edit form")),
    "text_de-description": ("description", ("public workshop page", "edit form")),
    "text_de-notes": ("notes", ("public workshop page", "edit form")),
    "text_ar-title": ("title", ("Arabic workshop page", "edit form")),
    "place_name": ("place_name", ("public workshop page", "edit form")),
    "place_address": ("place_address", ("public workshop page", "edit form")),
}


def test_workshop_form_keeps_every_payload_inert_everywhere(stage):
    organisation = db.session.get(Workshop, stage.workshop_id).organisations[0].id
    body = {
        "organisations": str(organisation),
        "text_de-title": "Roboter",
        "dates-0-day": "2030-04-13",
        "dates-0-starts_at": "10:30",
        "dates-0-ends_at": "14:30",
        "place_name": "Labor",
        "place_address": "Hauptstraße 1",
        "capacity": "25",
        "min_age": "6",
        "max_age": "14",
        "visibility": "listed",
        "submit": "1",
    }
    spec = spec_with_token(
        stage,
        "workshop texts (organiser)",
        "/staff/workshops/new",
        "/staff/workshops/new",
        body,
        free=tuple(WORKSHOP_FIELDS),
        checked=("capacity", "dates-0-day", "min_age"),
    )
    workshops = []
    for payload in PAYLOADS:
        response, fields = attack(stage, spec, payload)
        workshop = db.session.get(Workshop, int(response.headers["Location"].rsplit("/", 1)[1]))
        texts = {text.language: text for text in workshop.texts}
        values = {}
        for name in fields:
            column = WORKSHOP_FIELDS[name][0]
            owner = texts[name[5:7]] if name.startswith("text_") else workshop
            values[name] = getattr(owner, column)
        places = {name: WORKSHOP_FIELDS[name][1] for name in fields}
        if payload.name in PRINTED and "text_de-title" in places:
            places["text_de-title"] += ("flyer", "blank consent slip", "sign-in sheet")
        record(stage, spec, payload, values, places, owner=workshop.id)
        workshops.append((workshop.id, workshop.slug))
    token = csrf_token(stage.client, "/staff/")
    for workshop_id, slug in workshops:
        hub = f"/staff/workshops/{workshop_id}"
        opened = stage.client.post(f"{hub}/status", data={"status": "open", "csrf_token": token})
        assert opened.status_code == 302
        look_at_page(stage, "public workshop page", f"/w/{slug}", workshop_id)
        look_at_page(stage, "Arabic workshop page", f"/w/{slug}?lang=ar", workshop_id)
        look_at_page(stage, "workshop hub", hub, workshop_id)
        look_at_page(stage, "edit form", f"{hub}/edit", workshop_id)
        if any("flyer" in item.places for item in stage.stored if item.owner == workshop_id):
            look_at_pdf(stage, "flyer", f"{hub}/flyer.pdf?layout=poster&language=de", workshop_id)
            look_at_pdf(stage, "blank consent slip", f"{hub}/consent-slip.pdf", workshop_id)
            look_at_pdf(stage, "sign-in sheet", f"{hub}/sign-in.pdf", workshop_id)
    look_at_page(stage, "start page", "/")
    look_at_page(stage, "staff dashboard", "/staff/")
    assert_found_everywhere(stage)


def test_colleague_form_keeps_every_payload_inert(stage):
    emails = (f"kollegin{n}@ki.example" for n in range(100))
    token = csrf_token(stage.client, "/staff/colleagues")
    spec = FormSpec(
        "colleague's name (organiser)",
        "/staff/colleagues",
        lambda: {
            "csrf_token": token,
            "display_name": "Neu",
            "email": next(emails),
            "role": "assistant",
        },
        free=("display_name",),
        checked=("email",),
        saved=200,
    )

    def read():
        user = latest(StaffUser)
        return user.id, {"display_name": user.display_name}

    save_each(stage, spec, read, {"display_name": ("colleagues page",)})
    look_at_page(stage, "colleagues page", "/staff/colleagues")
    assert_found_everywhere(stage)


# What the address bar carries: search boxes, the language, where to go after logging in.

REFLECTED = {
    "staff list search": ("/staff/workshops/{workshop_id}/registrations", "q"),
    "check-in search": ("/staff/workshops/{workshop_id}/checkin/{date_id}", "q"),
    "public page language": ("/w/{slug}", "lang"),
    "login page next": ("/staff/login", "next"),
}
OFF_SITE = ["//evil.example", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"]


def test_query_strings_come_back_inert(stage):
    for place, (template, name) in REFLECTED.items():
        url = template.format(workshop_id=stage.workshop_id, date_id=stage.date_id, slug=stage.slug)
        for payload in PAYLOADS:
            response = stage.client.get(f"{url}?{urlencode({name: payload.sent})}")
            assert response.status_code == 200, (place, payload.name)
            html = response.get_data(as_text=True)
            assert_inert(html, payload)
            if name == "q":  # the search box keeps what was searched for
                assert shown(payload.text[:20]) in html, (place, payload.name)
            count("query strings (GET)", f"inert: {place}")


def test_logging_in_never_leads_off_the_site(app):
    organisation = create_organisation("KI Weiter")
    create_staff(organisation, Role.ORGANISER, "weiter@ki.example")
    client = app.test_client()
    for target in OFF_SITE + [p.sent for p in PAYLOADS if isinstance(p.sent, str)]:
        logged_in = log_in_to(client, "weiter@ki.example", target)
        location = urlsplit(logged_in.headers["Location"])
        assert not location.scheme and not location.netloc, (target, location)
        assert location.path.startswith("/") and not location.path.startswith("//")
        client.post("/staff/logout", data={"csrf_token": csrf_token(client, "/staff/")})
        count("query strings (GET)", "login next: stayed on the site")


def log_in_to(client, email: str, target: str):
    data = {"email": email, "password": STAFF_PASSWORD, "csrf_token": csrf_token(client)}
    response = client.post(f"/staff/login?{urlencode({'next': target})}", data=data)
    assert response.status_code == 302, target
    return response
