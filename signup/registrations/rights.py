"""The family's rights: see and download its data, withdraw consent, delete, get a new link.

Functions here take a session and model objects; they flush, never commit. Staff use the
same functions when a family asks them instead.
"""

import json
import secrets
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import format_datetime
from sqlalchemy.orm import Session, object_session

from ..database import begin_write
from ..i18n import _, _l, format_day, language_name
from ..mail import outbox
from ..models_base import LabelledEnum, utcnow
from ..staff.models import StaffUser
from ..staff.services import record_for_workshop
from . import privacy, services
from .audit import subject_of
from .forms import GENDERS
from .models import PHOTO_PURPOSES, ConsentPurpose, Participant, Registration, hash_token

#: The consents a family withdraws on its own page; taking part ends by cancelling.
WITHDRAWABLE = (*PHOTO_PURPOSES, ConsentPurpose.HEALTH, ConsentPurpose.YOUNG_AGREEMENT)
#: Bumped when a key of the download changes meaning or goes away.
DATA_FORMAT = 1
#: Each section and key of stored_data in words, for the readable page.
LABELS = {
    "registration": _l("Anmeldung"),
    "contact": _l("Kontakt"),
    "children": _l("Kinder"),
    "consents": _l("Einverständnisse"),
    "notes": _l("Notizen"),
    "id": _l("Nummer der Anmeldung"),
    "workshop": _l("Workshop"),
    "created_at": _l("Angemeldet am"),
    "channel": _l("Anmeldeweg"),
    "assisted_by": _l("Angemeldet mit Hilfe von"),
    "language": _l("Sprache"),
    "together": _l("Nur zusammen einen Platz"),
    "group_name": _l("Gruppe"),
    "responsible_adult": _l("Verantwortliche Person"),
    "slip_received_at": _l("Zettel mit Unterschrift erhalten am"),
    "phone": _l("Telefon"),
    "email": _l("E-Mail"),
    "first_name": _l("Vorname"),
    "surname": _l("Nachname"),
    "age": _l("Alter"),
    "headcount": _l("Plätze"),
    "gender": _l("Geschlecht"),
    "school": _l("Schule"),
    "school_year": _l("Klasse"),
    "health_notes": _l("Allergien und Gesundheit"),
    "pickup_note": _l("Wer darf das Kind abholen?"),
    "status": _l("Status"),
    "confirmed_at": _l("Platz sicher seit"),
    "cancelled_at": _l("Abgemeldet am"),
    "attendance": _l("Da gewesen am"),
    "purpose": _l("Wofür"),
    "text_version": _l("Fassung des Textes"),
    "given_at": _l("Gegeben am"),
    "recorded_by": _l("Aufgenommen von"),
    "withdrawn_at": _l("Zurückgenommen am"),
    "text": _l("Notiz"),
    # A key that means something else in one section: "<section>.<key>".
    "consents.channel": _l("Wie"),
    "written_at": _l("Geschrieben am"),
    "messages": _l("E-Mails an Sie"),
    "messages.created_at": _l("Geschrieben am"),
    "sent_at": _l("Verschickt am"),
}


def lock_for_change(
    session: Session, registration: Registration, token: str | None = None
) -> Registration | None:
    """Lock the workshop, then read the registration afresh; None if it went meanwhile.

    Workshop first, as every change to places does, so two changes cannot deadlock.
    With `token`, a registration whose link was replaced meanwhile counts as gone too.
    """
    begin_write(session)
    services.lock_workshop(session, registration.workshop)
    statement = sa.select(Registration).where(Registration.id == registration.id)
    if token is not None:
        statement = statement.where(Registration.token_hash == hash_token(token))
    return session.scalar(statement.execution_options(populate_existing=True))


def withdraw_consent(
    session: Session,
    registration: Registration,
    purpose: ConsentPurpose,
    *,
    now: datetime | None = None,
) -> bool:
    """Withdraw one consent, keeping its proof; return whether anything changed.

    Withdrawing the health consent deletes the health notes at once: without it they may
    not be kept. A teenager's own "no" to photos withdraws the photo consents with it.
    """
    if purpose not in WITHDRAWABLE:
        raise ValueError(f"{purpose} is not withdrawn but cancelled")
    now = now or utcnow()
    changed = False
    purposes = {purpose}
    if purpose == ConsentPurpose.YOUNG_AGREEMENT:
        purposes.update(PHOTO_PURPOSES)
    for consent in registration.consents:
        if consent.purpose in purposes and consent.withdrawn_at is None:
            consent.withdrawn_at = now
            changed = True
    if purpose == ConsentPurpose.HEALTH:
        for participant in registration.participants:
            participant.health_notes = None
    session.flush()
    return changed


def delete_registration(
    session: Session, registration: Registration, *, actor: StaffUser | None, action: str
) -> list[Participant]:
    """Delete a registration with all its personal data; return who moved up in its place.

    The places are given back by the cancel rules first, so the waiting list moves up. The
    audit log keeps only the registration's number and what was done, never a name.
    """
    workshop = registration.workshop
    subject = f"registration:{registration.id}"
    promoted = services.cancel(session, registration, registration.active_participants)
    # Earlier entries name the children by id and the family's language; the ids now
    # point at no one, and only the fact of the change stays.
    privacy.clear_audit_details(session, [registration.id])
    record_for_workshop(session, actor, action, workshop, subject=subject)
    session.delete(registration)
    session.flush()
    return promoted


def change_contact(
    session: Session,
    registration: Registration,
    *,
    phone: str | None,
    email: str | None,
    actor: StaffUser | None,
    token: str | None = None,
) -> bool:
    """Correct the family's phone number or e-mail address; return whether anything changed.

    Mail not sent yet goes to the new address. The family's own `token` (known on its page,
    not to staff) lets mails to an address added now carry its link.
    """
    if (phone, email) == (registration.contact_phone, registration.contact_email):
        return False
    registration.contact_phone, registration.contact_email = phone, email
    link = outbox.link_token(session, registration.id)
    if token or link or not email:
        outbox.keep_link(session, registration, token or link)
    record_for_workshop(
        session, actor, "contact_changed", registration.workshop, subject=subject_of(registration)
    )
    session.flush()
    return True


def renew_link(session: Session, registration: Registration, token: str) -> str:
    """Give the registration a new secret link; the old one stops working. Return the secret.

    `token` comes from services.token_for_submission, so a form sent twice finds the link
    it made the first time; a token in use already is replaced by a random one.
    """
    if services.find_by_token(session, token) is not None:
        token = secrets.token_urlsafe(32)
    registration.token_hash = hash_token(token)
    outbox.keep_link(session, registration, token)
    session.flush()
    return token


def stored_data(registration: Registration) -> dict:
    """Everything stored about a registration, as the family sees and downloads it.

    The one source of both the readable page and the JSON download. Internal secrets (the
    link's hash, the check-in code) and internal numbering are left out.
    """
    workshop = registration.workshop
    days = {workshop_date.id: workshop_date.day for workshop_date in workshop.dates}
    return {
        "format": DATA_FORMAT,
        "registration": {
            "id": registration.id,
            "workshop": workshop.text_for(registration.language).title,
            "created_at": registration.created_at,
            "channel": registration.channel,
            "assisted_by": display_name(registration.assisted_by),
            "language": registration.language,
            "together": registration.together,
            "group_name": registration.group_name,
            "responsible_adult": registration.responsible_adult,
            "slip_received_at": registration.slip_received_at,
        },
        "contact": {
            "phone": registration.contact_phone,
            "email": registration.contact_email,
        },
        "children": [
            {
                "first_name": participant.first_name,
                "surname": participant.surname,
                "age": participant.age,
                "headcount": participant.headcount,
                "gender": participant.gender,
                "school": participant.school,
                "school_year": participant.school_year,
                "health_notes": participant.health_notes,
                "pickup_note": participant.pickup_note,
                "status": participant.status,
                "confirmed_at": participant.confirmed_at,
                "cancelled_at": participant.cancelled_at,
                "attendance": sorted(days[a.workshop_date_id] for a in participant.attendances),
            }
            for participant in registration.participants
        ],
        "consents": [
            {
                "purpose": consent.purpose,
                "text_version": consent.text_version,
                "language": consent.language,
                "channel": consent.channel,
                "recorded_by": display_name(consent.recorded_by),
                "given_at": consent.given_at,
                "withdrawn_at": consent.withdrawn_at,
            }
            for consent in sorted(registration.consents, key=lambda c: (c.given_at, c.id))
        ],
        "notes": [
            {"written_at": note.created_at, "text": note.text} for note in registration.notes
        ],
        "messages": [
            {
                "kind": message.kind,
                "created_at": message.created_at,
                "status": message.status,
                "sent_at": message.sent_at,
            }
            for message in outbox.messages_of(object_session(registration), registration)
        ],
    }


def display_name(user: StaffUser | None) -> str | None:
    return user.display_name if user else None


def as_json(data: dict) -> bytes:
    """Write stored_data as UTF-8 JSON: codes for states, ISO 8601 in UTC for times."""
    return json.dumps(data, default=plain, ensure_ascii=False, indent=2).encode()


def plain(value):
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not plain data")


def readable(key: str, value) -> str:
    """Show one value of stored_data in words, in the reader's language."""
    if isinstance(value, list):
        return ", ".join(readable(key, item) for item in value)
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if isinstance(value, LabelledEnum):
        return value.label
    if isinstance(value, datetime):
        return format_datetime(value, "short")
    if isinstance(value, date):
        return format_day(value)
    if key == "language":
        return language_name(value)
    if key == "gender":
        return str(dict(GENDERS).get(value, value))
    return str(value)
