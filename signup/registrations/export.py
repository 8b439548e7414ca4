"""A workshop's participants as CSV, safe to open in a spreadsheet."""

import csv
from typing import TextIO

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from ..workshops.models import Workshop
from .models import ConsentPurpose, Participant, ParticipantStatus, Registration
from .services import waiting_positions

COLUMNS = (
    "status",
    "waiting_position",
    "first_name",
    "age",
    "registered_at",
    "channel",
    "language",
    "contact_phone",
    "contact_email",
    "photo_consents",
    "registration_id",
)
STATUS_ORDER = {
    ParticipantStatus.CONFIRMED: 0,
    ParticipantStatus.WAITING: 1,
    ParticipantStatus.CANCELLED: 2,
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """Keep a spreadsheet from running a cell as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def participant_rows(session: Session, workshop: Workshop) -> list[dict]:
    """Return one row per participant: confirmed, then waiting in order, then cancelled."""
    participants = session.scalars(
        sa.select(Participant)
        .join(Participant.registration)
        .options(selectinload(Participant.registration))
        .where(Participant.workshop_id == workshop.id)
        .order_by(Registration.created_at, Participant.id)
    ).all()
    positions = waiting_positions(session, workshop)
    participants.sort(key=lambda p: (STATUS_ORDER[p.status], positions.get(p.id, 0)))
    rows = []
    for participant in participants:
        registration = participant.registration
        photo = [
            c.purpose.value.removeprefix("photo_")
            for c in registration.consents
            if c.purpose != ConsentPurpose.PARTICIPATION and c.withdrawn_at is None
        ]
        rows.append(
            {
                "status": participant.status.value,
                "waiting_position": positions.get(participant.id, ""),
                "first_name": participant.first_name,
                "age": participant.age,
                "registered_at": participant.created_at.isoformat(timespec="seconds"),
                "channel": registration.channel.value,
                "language": registration.language,
                "contact_phone": registration.contact_phone or "",
                "contact_email": registration.contact_email or "",
                "photo_consents": " ".join(sorted(photo)),
                "registration_id": registration.id,
            }
        )
    return rows


def write_participants_csv(session: Session, workshop: Workshop, out: TextIO) -> None:
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in participant_rows(session, workshop):
        writer.writerow({key: neutralise(value) for key, value in row.items()})
