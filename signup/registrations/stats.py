"""Anonymous counts that outlive the registrations, for the figures funders ask for; and
the counting itself: one function (`tally`) works out the facts of the registrations not yet
counted, for the purge to write down (`count_registrations`) and for reports to add to what
was written before (signup/reports), so a report reads the same before and after the purge."""

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..extensions import db
from ..models_base import enum_column
from ..workshops.models import OptionalField, Workshop, WorkshopDate, workshop_organisations
from .models import Attendance, Channel, Participant, ParticipantStatus, Registration

#: The columns a ReportCount is aggregated by, in order.
KEY = (
    "status",
    "age",
    "gender",
    "channel",
    "language",
    "attended_days",
    "first_time",
    "school_year",
    "gender_asked",
)
#: School years as the report groups them: the first number of what was typed, 1 to 13.
SCHOOL_YEAR = re.compile(r"\d{1,2}")
#: What the report shows for a school year typed without a number ("Förderklasse").
OTHER_SCHOOL_YEAR = "other"


class ReportCount(db.Model):
    """How many children of a workshop shared one combination of plain facts; no one named.

    Written by the purge (registrations/privacy.py) just before the registrations lose their
    personal data; no names, no contact, no registration or participant ids.
    """

    __tablename__ = "report_counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    #: Confirmed, waiting or cancelled when the contact clock ended.
    status: Mapped[ParticipantStatus] = mapped_column(enum_column(ParticipantStatus))
    #: Age in years when registered (for a group: the youngest).
    age: Mapped[int]
    #: A gender value of the sign-up form where the workshop asked; empty otherwise.
    gender: Mapped[str] = mapped_column(sa.String(20), default="")
    #: How the registration reached the organisers.
    channel: Mapped[Channel] = mapped_column(enum_column(Channel))
    #: The family's language code.
    language: Mapped[str] = mapped_column(sa.String(10))
    #: On how many of the workshop's dates the child was marked present.
    attended_days: Mapped[int]
    #: No earlier registration with an organisation of the workshop was known; empty for groups.
    first_time: Mapped[bool | None]
    #: The school year as a number from 1 to 13, "other", or empty where none was given.
    school_year: Mapped[str] = mapped_column(sa.String(10), default="")
    #: The child's gender was asked (not for a group): the share of girls counts only these.
    gender_asked: Mapped[bool] = mapped_column(default=False)
    #: Children with these facts (a group counts its headcount).
    children: Mapped[int]

    @property
    def key(self) -> tuple:
        return tuple(getattr(self, name) for name in KEY)


class CountedRegistration(db.Model):
    """A registration already in the counts: the purge never counts it twice.

    Goes with the registration (ON DELETE CASCADE), so no id outlives it.
    """

    __tablename__ = "counted_registrations"

    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True
    )


class ReturningParticipant(db.Model):
    """A child known from an earlier workshop whose data is gone now; read when counting.

    Goes with the participant (ON DELETE CASCADE).
    """

    __tablename__ = "returning_participants"

    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participants.id", ondelete="CASCADE"), primary_key=True
    )


class ReportAttendance(db.Model):
    """How many children were there on one date of a workshop; no one named.

    Keeps the date itself rather than the workshop date's id: a date edited or removed after
    the purge (nothing protects it once attendance is gone) must not take its figure along.
    """

    __tablename__ = "report_attendance"
    __table_args__ = (sa.UniqueConstraint("workshop_id", "day", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    #: The date and start time, in the workshop's time zone.
    day: Mapped[date]
    starts_at: Mapped[time]
    #: Children marked present (a group counts its headcount).
    children: Mapped[int]


class WaitingPeak(db.Model):
    """The most children that waited for a place at one time, per workshop."""

    __tablename__ = "report_waiting_peaks"

    workshop_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True
    )
    #: Children on the waiting list at its longest (a group counts its headcount).
    children: Mapped[int]


def add_counts(session: Session, workshop_id: int, counts: Counter) -> None:
    """Add children to the workshop's counts, merging rows with the same facts."""
    if not counts:
        return
    rows = session.scalars(sa.select(ReportCount).where(ReportCount.workshop_id == workshop_id))
    existing = {row.key: row for row in rows}
    for key, children in counts.items():
        row = existing.get(key)
        if row is None:
            facts = dict(zip(KEY, key, strict=True))
            session.add(ReportCount(workshop_id=workshop_id, children=children, **facts))
        else:
            row.children += children
    session.flush()


def figures(session: Session, workshop_id: int, *by: str) -> Counter:
    """Sum the kept counts of a workshop by some of the KEY columns (all when none given)."""
    names = by or KEY
    totals: Counter = Counter()
    for row in session.scalars(
        sa.select(ReportCount).where(ReportCount.workshop_id == workshop_id)
    ):
        values = tuple(getattr(row, name) for name in names)
        totals[values if len(values) > 1 else values[0]] += row.children
    return totals


@dataclass
class Tally:
    """The anonymous facts of a workshop's registrations that are not counted yet."""

    #: Children per combination of the KEY columns.
    counts: Counter = field(default_factory=Counter)
    #: Children present per (day, start time) of the workshop's dates.
    attendance: Counter = field(default_factory=Counter)
    #: The longest the waiting list was, in children, among these registrations.
    waiting_peak: int = 0
    #: Later sign-ups (at other workshops) of the same children: marked when these go.
    later: set = field(default_factory=set)
    #: The registrations these facts come from.
    registration_ids: list = field(default_factory=list)


def _name_key(name: str) -> str:
    return unicodedata.normalize("NFKC", name).casefold().strip()


def school_year_of(text: str | None) -> str:
    """Group a typed school year: "5b" and "Klasse 5" are "5"; no number is "other"."""
    if not text or not text.strip():
        return ""
    found = SCHOOL_YEAR.search(text)
    if found and 1 <= int(found.group()) <= 13:
        return str(int(found.group()))
    return OTHER_SCHOOL_YEAR


def _not_counted():
    counted = sa.select(CountedRegistration.registration_id).where(
        CountedRegistration.registration_id == Registration.id
    )
    return ~sa.exists(counted)


def tally(session: Session, workshop: Workshop) -> Tally:
    """Work out the facts of every registration of the workshop not counted yet; write nothing.

    A child is "the same" as at another workshop of the same organisations when the contact
    and the first name match; a child known from a workshop whose data is gone carries a mark
    (ReturningParticipant). Groups have no first time.
    """
    # Plain rows, not ORM objects: a report counts 10,000 registrations in well under a second.
    rows = session.connection().execute(
        sa.select(
            Registration.id.label("registration_id"),
            Registration.channel,
            Registration.language,
            Registration.contact_phone,
            Registration.contact_email,
            Registration.created_at.label("registered_at"),
            Participant.id,
            Participant.first_name,
            Participant.age,
            Participant.gender,
            Participant.school_year,
            Participant.status,
            Participant.headcount,
            Participant.created_at,
            Participant.waitlist_order,
            Participant.confirmed_at,
            Participant.cancelled_at,
        )
        .outerjoin(Participant, Participant.registration_id == Registration.id)
        .where(Registration.workshop_id == workshop.id, _not_counted())
        .order_by(Registration.id, Participant.id)
    ).all()
    result = Tally(registration_ids=list(dict.fromkeys(row.registration_id for row in rows)))
    children = [row for row in rows if row.id is not None]
    if not children:
        return result
    present = _present(session, workshop)
    returning = set(
        session.scalars(
            sa.select(ReturningParticipant.participant_id)
            .join(Participant)
            .where(Participant.workshop_id == workshop.id)
        )
    )
    # The other workshops' children by contact and name, each row once per key.
    others: dict[tuple[str, str], list] = {}
    for other in _same_families(session, workshop):
        for contact in {other.contact_phone, other.contact_email} - {None}:
            others.setdefault((contact, _name_key(other.first_name)), []).append(other)
    asks_gender = workshop.asks(OptionalField.GENDER)
    for row in children:
        group = row.channel == Channel.GROUP
        if group:
            first_time = None
        else:
            contacts = {row.contact_phone, row.contact_email} - {None}
            name = _name_key(row.first_name)
            found = [other for contact in contacts for other in others.get((contact, name), [])]
            matches = list({other.participant_id: other for other in found}.values())
            earlier = [other for other in matches if other.created_at < row.registered_at]
            first_time = row.id not in returning and not earlier
            result.later.update(
                other.participant_id
                for other in matches
                if other.created_at > row.registered_at and not other.counted
            )
        dates = present.get(row.id, ())
        for moment in dates:
            result.attendance[moment] += row.headcount
        key = (
            row.status,
            row.age,
            row.gender or "",
            row.channel,
            row.language,
            len(dates),
            first_time,
            school_year_of(row.school_year),
            not group and (asks_gender or bool(row.gender)),
        )
        result.counts[key] += row.headcount
    result.waiting_peak = waiting_peak(children)
    return result


def _present(session: Session, workshop: Workshop) -> dict[int, list[tuple[date, time]]]:
    """The dates each not yet counted child of the workshop was marked present on."""
    present: dict[int, list] = {}
    for participant_id, day, starts_at in session.connection().execute(
        sa.select(Attendance.participant_id, WorkshopDate.day, WorkshopDate.starts_at)
        .join(WorkshopDate, WorkshopDate.id == Attendance.workshop_date_id)
        .join(Participant, Participant.id == Attendance.participant_id)
        .join(Registration, Registration.id == Participant.registration_id)
        .where(Registration.workshop_id == workshop.id, _not_counted())
    ):
        present.setdefault(participant_id, []).append((day, starts_at))
    return present


def waiting_peak(participants) -> int:
    """The most children on the waiting list at one time, from when each joined and left it.

    A child waited when it has a waiting-list number: from its sign-up until it got a place or
    cancelled, whichever came first (or until now). Leaving counts before joining at the same
    moment: a cancellation that gives a waiting child its place never makes the list longer.
    """
    changes = []
    for p in participants:
        if p.waitlist_order is None:
            continue
        changes.append((p.created_at, 1, p.headcount))
        left = [moment for moment in (p.confirmed_at, p.cancelled_at) if moment is not None]
        if left:
            changes.append((min(left), 0, -p.headcount))
    waiting = peak = 0
    for _moment, _order, change in sorted(changes):
        waiting += change
        peak = max(peak, waiting)
    return peak


def count_registrations(session: Session, workshop: Workshop) -> Tally:
    """Write the anonymous facts of the workshop's registrations not counted yet (see tally);
    tell later sign-ups that a child came before; return what was counted."""
    facts = tally(session, workshop)
    add_counts(session, workshop.id, facts.counts)
    _add_attendance(session, workshop.id, facts.attendance)
    if facts.waiting_peak:
        peak = session.get(WaitingPeak, workshop.id)
        if peak is None:
            session.add(WaitingPeak(workshop_id=workshop.id, children=facts.waiting_peak))
        else:
            # Counted in two goes (rare: a sign-up after the contact clock): the longer one.
            peak.children = max(peak.children, facts.waiting_peak)
    _mark_returning(session, facts.later)
    session.add_all(
        CountedRegistration(registration_id=number) for number in facts.registration_ids
    )
    session.flush()
    return facts


def _add_attendance(session: Session, workshop_id: int, attendance: Counter) -> None:
    rows = session.scalars(
        sa.select(ReportAttendance).where(ReportAttendance.workshop_id == workshop_id)
    )
    existing = {(row.day, row.starts_at): row for row in rows}
    for (day, starts_at), children in attendance.items():
        row = existing.get((day, starts_at))
        if row is None:
            session.add(
                ReportAttendance(
                    workshop_id=workshop_id, day=day, starts_at=starts_at, children=children
                )
            )
        else:
            row.children += children


def _mark_returning(session: Session, participant_ids: set[int]) -> None:
    """Mark children known from an earlier workshop whose data goes now; each mark once."""
    if not participant_ids:
        return
    marked = session.scalars(
        sa.select(ReturningParticipant.participant_id).where(
            ReturningParticipant.participant_id.in_(participant_ids)
        )
    )
    fresh = participant_ids - set(marked)
    if fresh:
        session.execute(
            sa.insert(ReturningParticipant), [{"participant_id": number} for number in fresh]
        )


def _same_families(session: Session, workshop: Workshop):
    """Children of the same contacts (as the workshop's uncounted registrations) at the
    organisations' other workshops."""
    mine = (
        sa.select(Registration)
        .where(Registration.workshop_id == workshop.id, _not_counted())
        .subquery()
    )
    organisations = [o.id for o in workshop.organisations]
    related = sa.select(workshop_organisations.c.workshop_id).where(
        workshop_organisations.c.organisation_id.in_(organisations),
        workshop_organisations.c.workshop_id != workshop.id,
    )
    counted = sa.select(CountedRegistration.registration_id).where(
        CountedRegistration.registration_id == Registration.id
    )
    return session.execute(
        sa.select(
            Registration.contact_phone,
            Registration.contact_email,
            Registration.created_at,
            Participant.id.label("participant_id"),
            Participant.first_name,
            sa.exists(counted).label("counted"),
        )
        .join(Participant, Participant.registration_id == Registration.id)
        .where(
            Registration.workshop_id.in_(related),
            Registration.channel != Channel.GROUP,
            sa.or_(
                Registration.contact_phone.in_(
                    sa.select(mine.c.contact_phone).where(mine.c.contact_phone.is_not(None))
                ),
                Registration.contact_email.in_(
                    sa.select(mine.c.contact_email).where(mine.c.contact_email.is_not(None))
                ),
            ),
        )
    ).all()
