"""Putting messages in the outbox, in the same transaction as the change they report.

Nothing here talks to a mail server (that is sender.py), so a registration never waits for
one and never fails because of one. Without SIGNUP_MAIL_HOST nothing is queued at all.
"""

import base64
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..database import begin_write
from ..models_base import utcnow
from ..registrations.models import Participant, ParticipantStatus, Registration
from ..workshops.models import Workshop, WorkshopDate, WorkshopStatus
from .models import MailKind, MailLink, MailStatus, OutboxMessage

#: Reminders go to families with a child that has a place.
WITHOUT_A_PLACE = (ParticipantStatus.WAITING, ParticipantStatus.CANCELLED)
#: Reminders leave at this local time on the day before (or at once when queued later).
REMINDER_TIME = time(10, 0)


def mail_enabled() -> bool:
    return bool(current_app.config.get("SIGNUP_MAIL_HOST"))


def _fernet() -> Fernet:
    secret = current_app.config["SECRET_KEY"].encode()
    key = hashlib.sha256(b"signup mail link:" + secret).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(token: str) -> str:
    return _fernet().encrypt(token.encode()).decode()


def unseal(sealed: str) -> str | None:
    """The family's token, or None when the secret key changed since it was sealed."""
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None


def link_token(session: Session, registration_id: int) -> str | None:
    link = session.get(MailLink, registration_id)
    return unseal(link.sealed) if link else None


def keep_link(session: Session, registration: Registration, token: str) -> None:
    """Remember the family's (new) link for its mails; only where mail can go to it."""
    link = session.get(MailLink, registration.id)
    if not (mail_enabled() and registration.contact_email):
        if link is not None:
            session.delete(link)
        return
    if link is None:
        session.add(MailLink(registration_id=registration.id, sealed=seal(token)))
    else:
        link.sealed = seal(token)


def _add(session: Session, registration: Registration, kind: MailKind, **fields) -> None:
    session.add(
        OutboxMessage(
            registration_id=registration.id,
            workshop_id=registration.workshop_id,
            kind=kind,
            **fields,
        )
    )


def queue_registered(session: Session, registration: Registration, token: str) -> None:
    """The confirmation (or the waiting-list notice) for a new registration."""
    if not (mail_enabled() and registration.contact_email):
        return
    keep_link(session, registration, token)
    _add(
        session,
        registration,
        MailKind.CONFIRMATION,
        once_key=f"confirmation:{registration.id}",
        due_at=registration.created_at,
    )
    session.flush()


def queue_promoted(session: Session, participants: Iterable[Participant]) -> None:
    """Tell each family whose children moved up from the waiting list, in one message."""
    if not mail_enabled():
        return
    by_registration: dict[int, list[Participant]] = defaultdict(list)
    for participant in participants:
        by_registration[participant.registration_id].append(participant)
    for children in by_registration.values():
        registration = children[0].registration
        if registration.contact_email:
            ids = ",".join(str(p.id) for p in children)
            _add(session, registration, MailKind.PROMOTED, participant_ids=ids[:200])
    session.flush()


def queue_workshop_news(session: Session, workshop: Workshop, kind: MailKind) -> int:
    """Tell every family with a child still registered that the workshop changed or was
    cancelled; return how many messages were queued."""
    if not mail_enabled():
        return 0
    families = _families_to_tell(session, workshop.id, ParticipantStatus.CANCELLED)
    for registration_id in families:
        session.add(
            OutboxMessage(registration_id=registration_id, workshop_id=workshop.id, kind=kind)
        )
    session.flush()
    return len(families)


def queue_reminders(session: Session, now: datetime | None = None) -> int:
    """Queue the day-before reminders due by `now`; each (family, date) once, ever.

    Safe to run every minute and from two hosts at once: the once_key is unique, and a
    second insert of the same key does nothing.
    """
    if not mail_enabled():
        return 0
    begin_write(session)  # SQLite: hold the write lock from the first read, not upgrade later
    now = now or utcnow()
    # Dates tomorrow in some time zone: a day's margin either side, then exactly per workshop.
    candidates = session.execute(
        sa.select(WorkshopDate, Workshop)
        .join(Workshop, Workshop.id == WorkshopDate.workshop_id)
        .where(
            WorkshopDate.day.between(now.date(), now.date() + timedelta(days=2)),
            Workshop.status.in_([WorkshopStatus.OPEN, WorkshopStatus.CLOSED]),
        )
    ).all()
    rows = []
    for workshop_date, workshop in candidates:
        local_today = now.astimezone(workshop.zone).date()
        if workshop_date.day != local_today + timedelta(days=1):
            continue
        leaves = datetime.combine(local_today, REMINDER_TIME, workshop.zone)
        due = max(now, leaves)
        for registration_id in _families_to_tell(session, workshop.id, *WITHOUT_A_PLACE):
            rows.append(
                {
                    "registration_id": registration_id,
                    "workshop_id": workshop.id,
                    "kind": MailKind.REMINDER,
                    "workshop_date_id": workshop_date.id,
                    "once_key": f"reminder:{registration_id}:{workshop_date.id}",
                    "participant_ids": "",
                    "status": MailStatus.PENDING,
                    "due_at": due,
                    "attempts": 0,
                    "created_at": now,
                }
            )
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(OutboxMessage)
    result = session.execute(
        insert.on_conflict_do_nothing(index_elements=["once_key"]).returning(OutboxMessage.id),
        rows,
    )
    return len(result.all())


def _families_to_tell(session: Session, workshop_id: int, *left_out: ParticipantStatus):
    """Registrations with an e-mail address and a child in none of the `left_out` states."""
    return session.scalars(
        sa.select(Registration.id)
        .where(
            Registration.workshop_id == workshop_id,
            Registration.contact_email.is_not(None),
            Registration.id.in_(
                sa.select(Participant.registration_id).where(
                    Participant.workshop_id == workshop_id,
                    Participant.status.not_in(left_out),
                )
            ),
        )
        .order_by(Registration.id)
    ).all()


def messages_of(session: Session, registration: Registration) -> list[OutboxMessage]:
    """A registration's messages, oldest first, for its staff page."""
    return session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.registration_id == registration.id)
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    ).all()
