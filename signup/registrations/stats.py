"""Anonymous counts that outlive the registrations, for the figures funders ask for; and
the counting itself, done by the purge just before the personal data goes."""

import unicodedata
from collections import Counter

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..extensions import db
from ..models_base import enum_column
from ..workshops.models import Workshop, workshop_organisations
from .models import Channel, Participant, ParticipantStatus, Registration

#: The columns a ReportCount is aggregated by, in order.
KEY = ("status", "age", "gender", "channel", "language", "attended_days", "first_time")


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


def _name_key(name: str) -> str:
    return unicodedata.normalize("NFKC", name).casefold().strip()


def count_registrations(
    session: Session, workshop: Workshop, registrations: list[Registration]
) -> None:
    """Write the registrations' anonymous counts; tell later sign-ups that a child came before.

    A child is "the same" when the contact and the first name match a registration for
    another workshop of the same organisations.
    """
    returning = set(
        session.scalars(
            sa.select(ReturningParticipant.participant_id)
            .join(Participant)
            .where(Participant.workshop_id == workshop.id)
        )
    )
    # The other workshops' children by contact and name, each row once per key.
    others: dict[tuple[str, str], list] = {}
    for row in _same_families(session, workshop, registrations):
        for contact in {row.contact_phone, row.contact_email} - {None}:
            others.setdefault((contact, _name_key(row.first_name)), []).append(row)
    counts: Counter = Counter()
    later: set[int] = set()
    for registration in registrations:
        contacts = {registration.contact_phone, registration.contact_email} - {None}
        for participant in registration.participants:
            if registration.channel == Channel.GROUP:
                first_time = None
            else:
                name = _name_key(participant.first_name)
                found = [row for contact in contacts for row in others.get((contact, name), [])]
                matches = list({row.participant_id: row for row in found}.values())
                earlier = [row for row in matches if row.created_at < registration.created_at]
                first_time = participant.id not in returning and not earlier
                later.update(
                    row.participant_id
                    for row in matches
                    if row.created_at > registration.created_at and not row.counted
                )
            key = (
                participant.status,
                participant.age,
                participant.gender or "",
                registration.channel,
                registration.language,
                len(participant.attendances),
                first_time,
            )
            counts[key] += participant.headcount
    add_counts(session, workshop.id, counts)
    _mark_returning(session, later)
    session.add_all(CountedRegistration(registration_id=r.id) for r in registrations)
    session.flush()


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


def _same_families(session: Session, workshop: Workshop, registrations: list[Registration]):
    """Children of the same contacts at the organisations' other workshops."""
    phones = {r.contact_phone for r in registrations if r.contact_phone}
    emails = {r.contact_email for r in registrations if r.contact_email}
    if not phones and not emails:
        return []
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
            sa.or_(Registration.contact_phone.in_(phones), Registration.contact_email.in_(emails)),
        )
    ).all()
