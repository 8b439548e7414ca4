"""Who gets a place: the one module that decides and that touches capacity.

Functions here take a session, model objects and plain values; they flush, never commit,
and know nothing about HTTP. Every change to places first locks the workshop row, so
places are decided inside the database transaction, never from a count read earlier.
"""

import base64
import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..database import begin_write, holds_write_lock
from ..i18n import _l, ngettext
from ..mail import outbox
from ..models_base import utcnow
from ..rules import RuleError
from ..staff.models import StaffUser
from ..workshops.models import Workshop, WorkshopDate, WorkshopStatus
from .consents import CONSENT_TEXT_VERSION
from .models import (
    Attendance,
    Channel,
    Consent,
    ConsentChannel,
    ConsentPurpose,
    Participant,
    ParticipantStatus,
    Registration,
    RegistrationNote,
    hash_token,
)

MAX_CHILDREN = 8

MESSAGES = {
    "draft": _l("Diesen Workshop gibt es nicht."),
    "cancelled": _l("Dieser Workshop wurde abgesagt."),
    "closed": _l("Die Anmeldung für diesen Workshop ist geschlossen."),
    "past": _l("Dieser Workshop ist schon vorbei."),
    "not_yet": _l("Die Anmeldung hat noch nicht begonnen."),
    "full": _l("Alle Plätze sind vergeben. Es gibt keine Warteliste."),
    "not_enough_places": lambda n: ngettext(
        "Es ist nur noch %(num)d Platz frei. Bitte melden Sie weniger Kinder an.",
        "Es sind nur noch %(num)d Plätze frei. Bitte melden Sie weniger Kinder an.",
        n,
    ),
    "no_children": _l("Bitte geben Sie mindestens ein Kind an."),
    "too_many_children": _l("Bitte melden Sie höchstens %(n)d Kinder auf einmal an."),
    "age": _l("Dieser Workshop ist für Kinder von %(min)d bis %(max)d Jahren."),
    "no_contact": _l("Bitte geben Sie eine Telefonnummer oder eine E-Mail-Adresse an."),
    "no_consent": _l("Ohne Ihr Einverständnis zur Teilnahme geht es leider nicht."),
}


class RegistrationError(RuleError):
    """A rule about places or consent said no; `message` says why in the reader's language."""

    messages = MESSAGES


@dataclass(frozen=True)
class Child:
    first_name: str
    age: int
    #: Optional fields, filled only where the workshop asks for them (Workshop.optional_fields).
    surname: str | None = None
    gender: str | None = None
    school: str | None = None
    school_year: str | None = None
    health_notes: str | None = None
    pickup_note: str | None = None

    @property
    def match_key(self) -> str:
        return unicodedata.normalize("NFKC", self.first_name).casefold().strip()


@dataclass
class RegistrationResult:
    registration: Registration
    #: False when every child was already registered: the family gets its existing page.
    created: bool
    #: The secret for the family's link; only known right after creating.
    token: str | None = None
    promoted: list[Participant] = field(default_factory=list)


def registration_state(workshop: Workshop, now: datetime | None = None) -> str:
    """Say whether the workshop takes registrations now: 'open' or the reason it does not."""
    now = now or utcnow()
    if workshop.status == WorkshopStatus.DRAFT:
        return "draft"
    if workshop.status == WorkshopStatus.CANCELLED:
        return "cancelled"
    if workshop.is_past(now):
        return "past"
    if workshop.status == WorkshopStatus.CLOSED:
        return "closed"
    window = workshop.window_state(now)
    if window == "before":
        return "not_yet"
    if window == "after":
        return "closed"
    if workshop.is_full and workshop.waiting_count == 0 and not workshop.waitlist_enabled:
        return "full"
    return "open"


def lock_workshop(session: Session, workshop: Workshop) -> None:
    """Hold the workshop's row until commit, so only one transaction changes its places."""
    if not holds_write_lock(session):
        raise RuntimeError("places change only in a write transaction: call begin_write() first")
    session.execute(
        sa.select(Workshop.id).where(Workshop.id == workshop.id).with_for_update()
    ).one()


def count_confirmed(session: Session, workshop: Workshop) -> int:
    """Count the places taken: one per child, a group's headcount for a group."""
    return session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Participant.headcount), 0)).where(
            Participant.workshop_id == workshop.id,
            Participant.status == ParticipantStatus.CONFIRMED,
        )
    )


def waiting_positions(session: Session, workshop: Workshop) -> dict[int, int]:
    """Map each waiting participant's id to its place in the queue, from 1."""
    ids = session.scalars(
        sa.select(Participant.id)
        .where(
            Participant.workshop_id == workshop.id,
            Participant.status == ParticipantStatus.WAITING,
        )
        .order_by(Participant.waitlist_order, Participant.id)
    )
    return {participant_id: position for position, participant_id in enumerate(ids, 1)}


SUBMISSION_ID = re.compile(r"[A-Za-z0-9_-]{22,64}")


def new_submission_id() -> str:
    """Return a fresh id for one rendering of the sign-up form."""
    return secrets.token_urlsafe(16)


def token_for_submission(secret_key: str, submission_id: str | None) -> str:
    """Derive the family's secret link from the form's submission id.

    A double submit carries the same id, so it finds the same registration; an id that is
    missing or malformed gets a fresh random token instead.
    """
    if not submission_id or not SUBMISSION_ID.fullmatch(submission_id):
        return secrets.token_urlsafe(32)
    digest = hmac.new(
        secret_key.encode(), b"registration:" + submission_id.encode(), hashlib.sha256
    )
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def new_checkin_code() -> str:
    """A code for the family page's QR: enough to find the children, useless without a login."""
    return secrets.token_urlsafe(9)


def find_by_token(session: Session, token: str) -> Registration | None:
    if not token or len(token) > 100:
        return None
    return session.scalar(
        sa.select(Registration).where(Registration.token_hash == hash_token(token))
    )


def register(
    session: Session,
    workshop: Workshop,
    children: Sequence[Child],
    *,
    phone: str | None,
    email: str | None,
    language: str,
    consents: Iterable[ConsentPurpose],
    together: bool = False,
    channel: Channel = Channel.ONLINE,
    assisted_by: StaffUser | None = None,
    consent_channel: ConsentChannel = ConsentChannel.ONLINE,
    token: str | None = None,
    outside_window: bool = False,
    now: datetime | None = None,
) -> RegistrationResult:
    """Register children for a workshop: places while they last, then the waiting list.

    `outside_window` lets staff add a child before or after the registration window (a
    walk-in at the door), as for groups; drafts, cancelled and past workshops still refuse.
    """
    begin_write(session)
    consents = set(consents)
    _check_submission(workshop, children, phone, email, consents)
    lock_workshop(session, workshop)
    now = now or utcnow()  # taken under the lock: first come, first served
    session.refresh(workshop)
    state = registration_state(workshop, now)
    if state not in ({"open", "full", "not_yet", "closed"} if outside_window else {"open", "full"}):
        raise RegistrationError(state)

    existing, children = _split_known_children(session, workshop, children, phone, email)
    if not children:
        return RegistrationResult(registration=existing, created=False)

    promoted = promote_waiting(session, workshop, now=now)
    free = workshop.capacity - count_confirmed(session, workshop)
    together = together and len(children) > 1
    if together:
        confirmed_count = len(children) if len(children) <= free else 0
    else:
        confirmed_count = max(0, min(free, len(children)))
    if confirmed_count < len(children) and not workshop.waitlist_enabled:
        raise (
            RegistrationError("full")
            if free <= 0
            else RegistrationError("not_enough_places", n=free)
        )

    if token is None or find_by_token(session, token) is not None:
        token = secrets.token_urlsafe(32)  # a form sent again with other children
    registration = Registration(
        workshop=workshop,
        token_hash=hash_token(token),
        checkin_code=new_checkin_code(),
        contact_phone=phone,
        contact_email=email,
        language=language,
        channel=channel,
        assisted_by=assisted_by,
        together=together,
        created_at=now,
    )
    next_order = _next_waitlist_order(session, workshop)
    for index, child in enumerate(children):
        participant = Participant(
            workshop_id=workshop.id,
            first_name=child.first_name,
            age=child.age,
            surname=child.surname,
            gender=child.gender,
            school=child.school,
            school_year=child.school_year,
            health_notes=child.health_notes,
            pickup_note=child.pickup_note,
            created_at=now,
        )
        if index < confirmed_count:
            participant.status = ParticipantStatus.CONFIRMED
            participant.confirmed_at = now
        else:
            participant.status = ParticipantStatus.WAITING
            participant.waitlist_order = next_order
            next_order += 1
        registration.participants.append(participant)
    for purpose in sorted(consents):
        registration.consents.append(
            Consent(
                purpose=purpose,
                text_version=CONSENT_TEXT_VERSION,
                language=language,
                channel=consent_channel,
                recorded_by=assisted_by,
                given_at=now,
            )
        )
    session.add(registration)
    session.flush()
    outbox.queue_registered(session, registration, token)
    session.expire(workshop, ["confirmed_count", "waiting_count"])
    return RegistrationResult(
        registration=registration, created=True, token=token, promoted=promoted
    )


def cancel(
    session: Session,
    registration: Registration,
    participants: Iterable[Participant] | None = None,
    *,
    now: datetime | None = None,
) -> list[Participant]:
    """Cancel some or all children of a registration; return who moved up in their place."""
    begin_write(session)
    now = now or utcnow()
    workshop = registration.workshop
    lock_workshop(session, workshop)
    targets = registration.participants if participants is None else list(participants)
    for participant in targets:
        session.refresh(participant)
        if participant.registration_id != registration.id:
            raise ValueError("participant belongs to another registration")
        if participant.status != ParticipantStatus.CANCELLED:
            participant.status = ParticipantStatus.CANCELLED
            participant.cancelled_at = now
    session.flush()
    promoted = promote_waiting(session, workshop, now=now)
    session.expire(workshop, ["confirmed_count", "waiting_count"])
    return promoted


def promote_waiting(
    session: Session, workshop: Workshop, *, now: datetime | None = None
) -> list[Participant]:
    """Give free places to the waiting list in order; siblings registered together move as one.

    A together-group that does not fit keeps its turn, but does not hold up the children behind
    it: a free place is never left empty while someone waiting could use it.
    """
    begin_write(session)
    now = now or utcnow()
    lock_workshop(session, workshop)
    if workshop.status == WorkshopStatus.CANCELLED:
        return []
    free = workshop.capacity - count_confirmed(session, workshop)
    if free <= 0:
        return []
    waiting = session.scalars(
        sa.select(Participant)
        .where(
            Participant.workshop_id == workshop.id,
            Participant.status == ParticipantStatus.WAITING,
        )
        .order_by(Participant.waitlist_order, Participant.id)
    ).all()
    promoted: list[Participant] = []
    handled: set[int] = set()
    for participant in waiting:
        if free <= 0:
            break
        if participant.id in handled:
            continue
        group = [participant]
        if participant.registration.together:
            group = [p for p in waiting if p.registration_id == participant.registration_id]
            handled.update(p.id for p in group)
        needed = sum(member.headcount for member in group)
        if needed > free:
            continue
        for member in group:
            member.status = ParticipantStatus.CONFIRMED
            member.confirmed_at = now
        promoted.extend(group)
        free -= needed
    session.flush()
    outbox.queue_promoted(session, promoted)
    return promoted


def _check_submission(workshop, children, phone, email, consents) -> None:
    if not children:
        raise RegistrationError("no_children")
    if len(children) > MAX_CHILDREN:
        raise RegistrationError("too_many_children", n=MAX_CHILDREN)
    if any(not workshop.min_age <= child.age <= workshop.max_age for child in children):
        raise RegistrationError("age", min=workshop.min_age, max=workshop.max_age)
    if not phone and not email:
        raise RegistrationError("no_contact")
    if ConsentPurpose.PARTICIPATION not in consents:
        raise RegistrationError("no_consent")


def _split_known_children(session, workshop, children, phone, email):
    """Find children this family registered already; return their registration and the rest."""
    same_contact = []
    if phone:
        same_contact.append(Registration.contact_phone == phone)
    if email:
        same_contact.append(Registration.contact_email == email)
    known = session.execute(
        sa.select(Participant.first_name, Registration)
        .join(Participant.registration)
        .where(
            Registration.workshop_id == workshop.id,
            Participant.status != ParticipantStatus.CANCELLED,
            sa.or_(*same_contact),
        )
        .order_by(Registration.id)
    ).all()
    registration_by_name = {}
    for first_name, registration in known:
        registration_by_name.setdefault(Child(first_name, 0).match_key, registration)
    new_children, seen = [], set()
    existing = None
    for child in children:
        if child.match_key in registration_by_name:
            existing = existing or registration_by_name[child.match_key]
        elif child.match_key not in seen:
            new_children.append(child)
        seen.add(child.match_key)
    return existing, new_children


def _next_waitlist_order(session: Session, workshop: Workshop) -> int:
    highest = session.scalar(
        sa.select(sa.func.max(Participant.waitlist_order)).where(
            Participant.workshop_id == workshop.id
        )
    )
    return (highest or 0) + 1


def register_group(
    session: Session,
    workshop: Workshop,
    *,
    group_name: str,
    responsible_adult: str,
    headcount: int,
    youngest_age: int,
    phone: str | None,
    email: str | None,
    language: str,
    assisted_by: StaffUser,
    school_year: str | None = None,
    token: str | None = None,
    now: datetime | None = None,
) -> RegistrationResult:
    """Register a school class or youth group as one headcount that takes that many places.

    The children are not named; consent is arranged by the school. The group gets its places
    whole or waits whole, like siblings registered together. A form sent twice carries the
    same `token` and finds the group it registered the first time.
    """
    begin_write(session)
    if headcount < 1:
        raise RegistrationError("no_children")
    if not phone and not email:
        raise RegistrationError("no_contact")
    lock_workshop(session, workshop)
    existing = find_by_token(session, token) if token else None
    if existing is not None and existing.workshop_id == workshop.id:
        return RegistrationResult(registration=existing, created=False)
    now = now or utcnow()
    session.refresh(workshop)
    state = registration_state(workshop, now)
    if state not in {"open", "full", "not_yet", "closed"}:  # staff may add after the window
        raise RegistrationError(state)
    promote_waiting(session, workshop, now=now)
    fits = headcount <= workshop.capacity - count_confirmed(session, workshop)
    if not fits and not workshop.waitlist_enabled:
        raise RegistrationError("full")
    if token is None or existing is not None:
        token = secrets.token_urlsafe(32)
    participant = Participant(
        workshop_id=workshop.id,
        first_name=group_name[:60],
        age=youngest_age,
        school_year=school_year,
        headcount=headcount,
        created_at=now,
        status=ParticipantStatus.CONFIRMED if fits else ParticipantStatus.WAITING,
        confirmed_at=now if fits else None,
        waitlist_order=None if fits else _next_waitlist_order(session, workshop),
    )
    registration = Registration(
        workshop=workshop,
        token_hash=hash_token(token),
        checkin_code=new_checkin_code(),
        contact_phone=phone,
        contact_email=email,
        language=language,
        channel=Channel.GROUP,
        assisted_by=assisted_by,
        together=True,
        group_name=group_name,
        responsible_adult=responsible_adult,
        created_at=now,
        participants=[participant],
        consents=[
            Consent(
                purpose=ConsentPurpose.PARTICIPATION,
                text_version=CONSENT_TEXT_VERSION,
                language=language,
                channel=ConsentChannel.SCHOOL,
                recorded_by=assisted_by,
                given_at=now,
            )
        ],
    )
    session.add(registration)
    session.flush()
    outbox.queue_registered(session, registration, token)
    session.expire(workshop, ["confirmed_count", "waiting_count"])
    return RegistrationResult(registration=registration, created=True, token=token)


def move_up(session: Session, participant: Participant, *, now: datetime | None = None) -> None:
    """Give a waiting participant a place out of turn (staff decision), if one is free."""
    begin_write(session)
    workshop = participant.registration.workshop
    lock_workshop(session, workshop)
    session.refresh(participant)
    if participant.status != ParticipantStatus.WAITING:
        return
    if participant.headcount > workshop.capacity - count_confirmed(session, workshop):
        raise RegistrationError("full")
    participant.status = ParticipantStatus.CONFIRMED
    participant.confirmed_at = now or utcnow()
    session.flush()
    outbox.queue_promoted(session, [participant])
    session.expire(workshop, ["confirmed_count", "waiting_count"])


def set_attendance(
    session: Session,
    participant: Participant,
    workshop_date: WorkshopDate,
    present: bool,
    *,
    marked_by: StaffUser | None = None,
    now: datetime | None = None,
) -> None:
    """Mark a participant present on a date, or take the mark back; twice changes nothing."""
    if workshop_date.workshop_id != participant.workshop_id:
        raise ValueError("the date belongs to another workshop")
    existing = session.scalar(
        sa.select(Attendance).where(
            Attendance.participant_id == participant.id,
            Attendance.workshop_date_id == workshop_date.id,
        )
    )
    if present and existing is None:
        session.add(
            Attendance(
                participant_id=participant.id,
                workshop_date_id=workshop_date.id,
                marked_by_id=marked_by.id if marked_by else None,
                marked_at=now or utcnow(),
            )
        )
    elif not present and existing is not None:
        session.delete(existing)
    session.flush()
    session.expire(participant, ["attendances"])


def slips_missing_by_workshop(session: Session, workshop_ids: list[int]) -> dict[int, int]:
    """Count, per workshop, the registrations whose signed consent slip has not come back."""
    rows = session.execute(
        sa.select(Registration.workshop_id, sa.func.count(sa.distinct(Registration.id)))
        .join(Registration.consents)
        .where(
            Registration.workshop_id.in_(workshop_ids),
            Registration.slip_received_at.is_(None),
            Consent.channel.in_([ConsentChannel.PAPER, ConsentChannel.VERBAL]),
        )
        .group_by(Registration.workshop_id)
    )
    return dict(rows.all())


#: Longest staff note kept; longer text is cut.
NOTE_MAX = 2000


def add_note(
    session: Session,
    registration: Registration,
    author: StaffUser,
    text: str,
    *,
    now: datetime | None = None,
) -> RegistrationNote:
    """Add a staff note to a registration ("called the mother, comes on day 2 only")."""
    if not text.strip():
        raise ValueError("a note needs text")
    note = RegistrationNote(author=author, text=text[:NOTE_MAX], created_at=now or utcnow())
    registration.notes.append(note)
    session.flush()
    return note


def set_slip_received(
    session: Session, registration: Registration, received: bool, *, now: datetime | None = None
) -> bool:
    """Mark the signed consent slip as received or as missing again; return whether it changed."""
    if received == (registration.slip_received_at is not None):
        return False
    registration.slip_received_at = (now or utcnow()) if received else None
    session.flush()
    return True
