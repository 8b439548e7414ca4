"""Build test data with defaults that make sense; override what a test is about."""

import itertools
import re
from datetime import date, time, timedelta

from signup.database import begin_write
from signup.extensions import db
from signup.registrations import services
from signup.registrations.models import ConsentPurpose
from signup.staff import services as staff_services
from signup.staff.models import Organisation, Role, StaffUser
from signup.workshops.models import Workshop, WorkshopDate, WorkshopStatus, WorkshopText

_numbers = itertools.count(1)
STAFF_PASSWORD = "correct horse battery"


def create_organisation(name: str = "zdi-Zentrum Test", **kw) -> Organisation:
    organisation = Organisation(name=name, slug=kw.pop("slug", f"org-{next(_numbers)}"), **kw)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def create_workshop(**kw) -> Workshop:
    """Create an open workshop a month ahead: 25 places, ages 6 to 14, waiting list on."""
    number = next(_numbers)
    days = kw.pop("days", [date.today() + timedelta(days=30)])
    texts = kw.pop("texts", {"de": f"Workshop {number}"})
    kw.setdefault("slug", f"workshop-{number}")
    kw.setdefault("status", WorkshopStatus.OPEN)
    kw.setdefault("capacity", 25)
    kw.setdefault("min_age", 6)
    kw.setdefault("max_age", 14)
    kw.setdefault("place_name", "Schülerlabor")
    kw.setdefault("place_address", "Hauptstraße 1\n46236 Bottrop")
    kw.setdefault("photo_uses", "internal,website")
    workshop = Workshop(
        organisations=kw.pop("organisations", None) or [create_organisation()],
        dates=[WorkshopDate(day=d, starts_at=time(10, 30), ends_at=time(14, 30)) for d in days],
        texts=[WorkshopText(language=lang, title=title) for lang, title in texts.items()],
        **kw,
    )
    db.session.add(workshop)
    db.session.commit()
    return workshop


def register(workshop: Workshop, *names: str, phone: str | None = None, commit=True, **kw):
    """Register children (name or "name:age") through the rules, as a family would."""
    write_transaction()
    children = []
    for name in names or ("Amira",):
        first_name, _, age = name.partition(":")
        children.append(services.Child(first_name, int(age or workshop.min_age)))
    phone = phone or f"+49151{next(_numbers):08d}"
    kw.setdefault("consents", {ConsentPurpose.PARTICIPATION})
    kw.setdefault("language", "de")
    result = services.register(
        db.session, workshop, children, phone=phone, email=kw.pop("email", None), **kw
    )
    if commit:
        db.session.commit()
    return result


def write_transaction() -> None:
    """End whatever the test read so far and start a write transaction, as a POST does."""
    db.session.commit()
    begin_write(db.session)


def cancel(registration, participants=None) -> list:
    write_transaction()
    promoted = services.cancel(db.session, registration, participants)
    db.session.commit()
    return promoted


def hidden_fields(html: str) -> dict:
    """The csrf token and submission id that a page's form carries."""
    fields = {}
    for tag in re.findall(r"<input[^>]+>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and name.group(1) in {"csrf_token", "submission_id"}:
            fields[name.group(1)] = value.group(1) if value else ""
    return fields


def csrf_token(client, url: str = "/staff/login") -> str:
    return hidden_fields(client.get(url).get_data(as_text=True))["csrf_token"]


def form_fields(client, slug: str, **params) -> dict:
    """Open the workshop page as a browser would and return its hidden form fields."""
    response = client.get(f"/w/{slug}", query_string=params)
    assert response.status_code == 200, response.status_code
    return hidden_fields(response.get_data(as_text=True))


def create_staff(
    organisation: Organisation, role: Role = Role.ORGANISER, email: str | None = None, name="Ana"
) -> StaffUser:
    email = email or f"staff{next(_numbers)}@ki.example"
    user = staff_services.create_user(db.session, email, name, STAFF_PASSWORD, organisation, role)
    db.session.commit()
    return user


def log_in(client, email: str, password: str = STAFF_PASSWORD):
    """Log in through the login form; return the response (302 on success)."""
    return client.post(
        "/staff/login",
        data={"email": email, "password": password, "csrf_token": csrf_token(client)},
    )


def signup_data(client, workshop: Workshop, children=(("Amira", 10),), **fields) -> dict:
    """A complete, valid sign-up as the form would post it; override any field."""
    data = form_fields(client, workshop.slug)
    for index, (name, age) in enumerate(children):
        data[f"children-{index}-first_name"] = name
        data[f"children-{index}-age"] = str(age)
    data.update({"phone": "0151 23456789", "consent_participation": "y", "submit": "1"})
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def workshop_info(**kw):
    """Plain data for a printout: KI4U-like, three days, German, Turkish and Arabic texts."""
    from signup.printables.data import Slot, Text, WorkshopInfo

    texts = kw.pop("texts", None) or {
        "de": Text(
            "de", "KI4U: Roboter bauen", "Drei Tage bauen und programmieren.", "Essen mitbringen."
        ),
        "tr": Text(
            "tr", "KI4U: Robot yapıyoruz", "Üç gün robot yapıp programlıyoruz.", "Yemek getirin."
        ),
        "ar": Text("ar", "KI4U: نبني روبوتات", "ثلاثة أيام من البناء والبرمجة.", "أحضروا طعاماً."),
    }
    kw.setdefault("slug", "ki4u")
    kw.setdefault("url", "https://signup.example/w/ki4u")
    kw.setdefault(
        "dates",
        tuple(Slot(date(2026, 4, 13 + n), time(10, 30), time(14, 30), id=n + 1) for n in range(3)),
    )
    kw.setdefault("place_name", "zdi-Zentrum Bottrop")
    kw.setdefault("place_address", "Hauptstraße 1\n46236 Bottrop")
    kw.setdefault("min_age", 10)
    kw.setdefault("max_age", 14)
    kw.setdefault("organisers", ("zdi-Zentrum Bottrop", "Kommunales Integrationszentrum Bottrop"))
    kw.setdefault("photo_uses", ("internal", "website", "press", "social"))
    return WorkshopInfo(texts=texts, **kw)


def failed_message(registration):
    """An e-mail to the family that could not be delivered (staff may send it again)."""
    from signup.mail.models import MailKind, MailStatus, OutboxMessage

    message = OutboxMessage(
        registration_id=registration.id,
        workshop_id=registration.workshop_id,
        kind=MailKind.CONFIRMATION,
        status=MailStatus.FAILED,
        attempts=1,
        last_error="550 mailbox unavailable",
    )
    db.session.add(message)
    db.session.flush()
    return message
