"""Rules at the door: who is expected, who is there, and children who come without a place.

Like every services module: session, model objects and plain values in; flush, never commit.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, contains_eager

from ..i18n import _l
from ..models_base import utcnow
from ..registrations import services as registrations
from ..registrations.models import (
    PHOTO_PURPOSES,
    Channel,
    ConsentChannel,
    ConsentPurpose,
    Participant,
    ParticipantStatus,
    Registration,
)
from ..rules import RuleError
from ..staff.models import StaffUser
from ..workshops.models import Workshop, WorkshopDate

#: What new_checkin_code makes, within the column's length; anything else finds nothing.
CHECKIN_CODE = re.compile(r"[A-Za-z0-9_-]{1,16}")
#: Longest search text looked at; the rest is ignored.
QUERY_MAX = 100

MESSAGES = {
    "no_place": _l("Dieses Kind hat keinen sicheren Platz. Es kann nicht als da markiert werden."),
    "full": _l(
        "Alle Plätze sind vergeben. Ein Kind ohne Anmeldung kann nur einen freien Platz bekommen."
    ),
    "waiting": _l("Dieses Kind steht auf der Warteliste. Es hat noch keinen sicheren Platz."),
}


class CheckinError(RuleError):
    """The door said no; `message` says why."""

    messages = MESSAGES


@dataclass
class DoorList:
    """The check-in list of one date: who has a place, who waits, and the figures."""

    confirmed: list[Participant] = field(default_factory=list)
    waiting: list[Participant] = field(default_factory=list)
    #: Places taken (a group counts its headcount) and how many of them are here.
    expected: int = 0
    present: int = 0


def fold(text: str | None) -> str:
    """Fold text for matching: compatibility forms, case and extra spaces do not count."""
    return " ".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def sort_key(participant: Participant) -> tuple[str, str, int]:
    return (fold(participant.first_name), fold(participant.surname), participant.id)


def matches(participant: Participant, query: str) -> bool:
    """Tell whether every word of the query is in the first name, surname or group name."""
    haystack = " ".join(
        fold(part)
        for part in (
            participant.first_name,
            participant.surname,
            participant.registration.group_name,
        )
    )
    return all(word in haystack for word in fold(query[:QUERY_MAX]).split())


def door_list(
    session: Session, workshop: Workshop, workshop_date: WorkshopDate, query: str = ""
) -> DoorList:
    """List the workshop's children for one date, sorted by name; `query` narrows the lists."""
    participants = session.scalars(
        sa.select(Participant)
        .join(Participant.registration)
        .options(contains_eager(Participant.registration))
        .where(
            Participant.workshop_id == workshop.id,
            Participant.status != ParticipantStatus.CANCELLED,
        )
    ).all()
    result = DoorList()
    for participant in sorted(participants, key=sort_key):
        if participant.status == ParticipantStatus.CONFIRMED:
            result.expected += participant.headcount
            if participant.present_on(workshop_date.id):
                result.present += participant.headcount
            target = result.confirmed
        else:
            target = result.waiting
        if not query or matches(participant, query):
            target.append(participant)
    return result


def photos_allowed(registration: Registration) -> bool:
    """Tell whether the family allowed photos or films for any use (and has not withdrawn)."""
    return any(registration.has_consent(purpose) for purpose in PHOTO_PURPOSES)


def date_for_day(workshop: Workshop, day: date) -> WorkshopDate | None:
    return next((d for d in workshop.dates if d.day == day), None)


def today_for(workshop: Workshop, now: datetime | None = None) -> WorkshopDate | None:
    """Return the workshop's date that is today where the workshop takes place, if any."""
    return date_for_day(workshop, (now or utcnow()).astimezone(workshop.zone).date())


def find_by_code(session: Session, code: str) -> Registration | None:
    if not CHECKIN_CODE.fullmatch(code or ""):
        return None
    return session.scalar(sa.select(Registration).where(Registration.checkin_code == code))


def mark(
    session: Session,
    participant: Participant,
    workshop_date: WorkshopDate,
    present: bool,
    *,
    staff: StaffUser,
    now: datetime | None = None,
) -> None:
    """Mark a child with a sure place as here, or take the mark back (also for anyone).

    Two taps at once (two staff, or a double tap) wait for each other on the workshop's row,
    so the second finds the first's mark instead of tripping over it.
    """
    registrations.lock_workshop(session, participant.registration.workshop)
    session.refresh(participant)
    if present and participant.status != ParticipantStatus.CONFIRMED:
        raise CheckinError("no_place")
    registrations.set_attendance(
        session, participant, workshop_date, present, marked_by=staff, now=now
    )


def admit_walk_in(
    session: Session,
    workshop: Workshop,
    workshop_date: WorkshopDate,
    *,
    first_name: str,
    age: int,
    phone: str,
    language: str,
    staff: StaffUser,
    now: datetime | None = None,
) -> tuple[Participant, bool]:
    """Register a child who came without a sign-up and mark it present; return it and whether
    it is new.

    Consent to take part is taken by word of mouth (the signed slip follows); no photo
    consent. A walk-in gets only a free place, never the waiting list: on failure the caller
    rolls back. A child this phone number registered already is simply marked present.
    """
    child = registrations.Child(first_name, age)
    result = registrations.register(
        session,
        workshop,
        [child],
        phone=phone,
        email=None,
        language=language,
        consents={ConsentPurpose.PARTICIPATION},
        channel=Channel.ASSISTED,
        assisted_by=staff,
        consent_channel=ConsentChannel.VERBAL,
        outside_window=True,
        now=now,
    )
    participant = next(
        p
        for p in result.registration.active_participants
        if registrations.Child(p.first_name, 0).match_key == child.match_key
    )
    if participant.status != ParticipantStatus.CONFIRMED:
        raise CheckinError("full" if result.created else "waiting")
    mark(session, participant, workshop_date, True, staff=staff, now=now)
    return participant, result.created
