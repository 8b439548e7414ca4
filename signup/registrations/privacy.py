"""Storage limitation: the clocks, the purge, and the facts the privacy notice states.

Three clocks count from a workshop's last date, in the workshop's time zone:

- health clock: ``health_retention_days`` after the last date (default 30);
- contact clock: ``retention_days`` after the last date (default 90), never before the
  health clock;
- sheet clock: only where an organisation keeps sign-in sheets for a funder
  (``sheet_retention_years``): to the end of the calendar year that many years after the
  last date.

The days come from the workshop's own override, else the longest of its organisations;
the years are the longest any of its organisations keeps. ``signup purge`` applies them.

Each personal field and what happens to it ("table: columns;" lists what is kept):

At the health clock:
    participants.health_notes        deleted
At the contact clock, after the registration's anonymous counts are written (stats.py):
    registrations.contact_phone      deleted
    registrations.contact_email      deleted
    registrations.responsible_adult  deleted
    registrations.checkin_code       deleted (there is no door any more)
    registrations.token_hash         replaced by the hash of a secret nobody keeps: the family
                                     link stops working
    consents.*                       deleted, every column (the proof is no longer needed)
    registration_notes.*             deleted, every column
    mail_links.*, outbox_messages.*  deleted, every column (the family's sealed link, its mails)
    participants.gender              deleted (kept in the counts, without a name)
    participants.school              deleted
    participants.school_year         deleted
    participants.pickup_note         deleted
    audit_entries.detail             cleared for subject "registration:<id>"; the id stays
Without sign-in sheets the whole registration goes at the contact clock. With them, the
children who had a place or were marked present keep what the sheet shows until the sheet
clock (the others go at the contact clock), and then the registration goes whole:
    participants: id, registration_id, workshop_id, first_name, surname, age, headcount,
        status, waitlist_order, created_at, confirmed_at, cancelled_at;
    attendances: id, participant_id, workshop_date_id, marked_at, marked_by_id;
    registrations: id, workshop_id, language, channel, assisted_by_id, together,
        group_name, slip_received_at, created_at;
The purge logs, per workshop and organisation, what went, as counts ("purge").
Staff, not families: login_throttles.key (an e-mail or an address) is deleted a day after
the last failed login. Staff accounts and the audit log's other columns stay.
"""

import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from ..database import begin_write
from ..mail.models import MailLink, OutboxMessage
from ..models_base import utcnow
from ..staff.models import (
    HEALTH_RETENTION_DAYS,
    NRW_AUTHORITY,
    RETENTION_DAYS,
    AuditEntry,
    LoginThrottle,
    Organisation,
    StaffUser,
)
from ..staff.services import record
from ..workshops.models import Workshop, WorkshopDate
from .models import Participant, ParticipantStatus, Registration, hash_token
from .stats import CountedRegistration, count_registrations

#: PostgreSQL advisory lock that lets one purge run at a time.
PURGE_LOCK = 0x5055524745
#: Failed logins are forgotten after an hour anyway; the rows go a day later.
THROTTLE_KEPT = timedelta(days=1)
#: What the purge reports, in the order it prints them.
PURGE_COUNTS = (
    "registrations counted",
    "registrations deleted",
    "registrations reduced to the sign-in sheet",
    "children deleted",
    "health notes deleted",
    "consents deleted",
    "staff notes deleted",
    "audit details cleared",
    "login throttles deleted",
)


@dataclass(frozen=True)
class Retention:
    """When a workshop's personal data goes; each `*_on` is the day it is deleted."""

    health_on: date
    contact_on: date
    #: The day the sign-in sheets go, where they are kept at all.
    sheets_on: date | None

    @property
    def sheets_until(self) -> date | None:
        """Return the last day the sheets are kept (the end of a year)."""
        return self.sheets_on - timedelta(days=1) if self.sheets_on else None


def retention_for(workshop: Workshop) -> Retention | None:
    """Work out the workshop's clocks; None while it has no dates."""
    if workshop.last_day is None:
        return None
    organisations = workshop.organisations
    contact = workshop.retention_days
    if contact is None:
        contact = max((o.retention_days for o in organisations), default=RETENTION_DAYS)
    health = workshop.health_retention_days
    if health is None:
        health = max(
            (o.health_retention_days for o in organisations), default=HEALTH_RETENTION_DAYS
        )
    contact = max(contact, 1)
    health = min(max(health, 1), contact)
    years = max((o.sheet_retention_years or 0 for o in organisations), default=0)
    last = workshop.last_day
    return Retention(
        health_on=last + timedelta(days=health),
        contact_on=last + timedelta(days=contact),
        sheets_on=date(last.year + years + 1, 1, 1) if years else None,
    )


def contact_days(workshop: Workshop) -> int:
    """Count the days from the last date to the contact clock (for printouts that say when)."""
    retention = retention_for(workshop)
    return (retention.contact_on - workshop.last_day).days if retention else RETENTION_DAYS


def authorities(names: Iterable[str]) -> list[str]:
    """Return each supervisory authority named once, in order; NRW's when none is."""
    return list(dict.fromkeys(name.strip() for name in names if name.strip())) or [NRW_AUTHORITY]


@dataclass(frozen=True)
class PrivacySettings:
    """What an organiser sets on the privacy settings page."""

    postal_address: str
    privacy_email: str
    dpo_contact: str
    supervisory_authority: str
    retention_days: int
    health_retention_days: int
    sheet_retention_years: int | None


def update_settings(
    session: Session, organisation: Organisation, settings: PrivacySettings, *, actor: StaffUser
) -> bool:
    """Store an organisation's privacy settings and log what changed; False when nothing did."""
    if settings.health_retention_days > settings.retention_days:
        raise ValueError("health notes cannot be kept longer than contact data")
    changed = []
    for name, value in vars(settings).items():
        if getattr(organisation, name) != value:
            setattr(organisation, name, value)
            changed.append(name)
    if not changed:
        return False
    session.flush()
    record(
        session,
        actor,
        "privacy_settings",
        f"organisation:{organisation.id}",
        organisation_id=organisation.id,
        detail=" ".join(changed),
    )
    return True


def purge(session: Session, now: datetime | None = None) -> Counter:
    """Apply every workshop's clocks as of `now`; return what went, as counts.

    Safe to run again: what is gone stays gone, and counts are written once per registration.
    Flushes only; the caller commits, or rolls back for a dry run.
    """
    begin_write(session)
    if session.get_bind().dialect.name == "postgresql":
        # Two hosts' cron jobs at once: the second waits, then finds the work done.
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": PURGE_LOCK})
    now = now or utcnow()
    done: Counter = Counter({name: 0 for name in PURGE_COUNTS})
    # A day's margin for time zones; retention_for decides exactly.
    ended = (
        sa.select(WorkshopDate.workshop_id)
        .group_by(WorkshopDate.workshop_id)
        .having(sa.func.max(WorkshopDate.day) < now.date() + timedelta(days=1))
    )
    workshops = session.scalars(
        sa.select(Workshop).where(Workshop.id.in_(ended)).order_by(Workshop.id)
    ).all()
    for workshop in workshops:
        here = _apply_clocks(session, workshop, now)
        if any(here.values()):
            # The organisers see in their log that the clocks ran, and what went; no names.
            detail = "; ".join(f"{name}: {n}" for name, n in here.items() if n)
            for organisation in workshop.organisations:
                record(
                    session,
                    None,
                    "purge",
                    f"workshop:{workshop.id}",
                    organisation_id=organisation.id,
                    detail=detail,
                )
        done.update(here)
    done["login throttles deleted"] += session.execute(
        sa.delete(LoginThrottle).where(
            LoginThrottle.last_failure_at < now - THROTTLE_KEPT,
            sa.or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < now),
        )
    ).rowcount
    session.flush()
    session.expire_all()
    return done


def _apply_clocks(session: Session, workshop: Workshop, now: datetime) -> Counter:
    """Apply one workshop's clocks; return what went."""
    done: Counter = Counter()
    retention = retention_for(workshop)
    today = now.astimezone(workshop.zone).date()
    if today >= retention.health_on:
        done["health notes deleted"] += session.execute(
            sa.update(Participant)
            .where(Participant.workshop_id == workshop.id, Participant.health_notes.is_not(None))
            .values(health_notes=None)
            .execution_options(synchronize_session=False)
        ).rowcount
    if today >= retention.contact_on:
        keep_sheets = retention.sheets_on is not None and today < retention.sheets_on
        _end_contact_clock(session, workshop, keep_sheets, done)
    return done


def _end_contact_clock(session: Session, workshop: Workshop, keep_sheets: bool, done) -> None:
    """Count, then delete or reduce to the sheet, every registration not handled before."""
    counted = sa.select(CountedRegistration.registration_id)
    fresh = session.scalars(
        sa.select(Registration)
        .where(Registration.workshop_id == workshop.id, Registration.id.not_in(counted))
        .options(selectinload(Registration.participants).selectinload(Participant.attendances))
        .options(selectinload(Registration.notes))
        .order_by(Registration.id)
    ).all()
    if fresh:
        count_registrations(session, workshop)
        done["registrations counted"] += len(fresh)
    done["audit details cleared"] += clear_audit_details(session, [r.id for r in fresh])
    if keep_sheets:
        for registration in fresh:
            _reduce_to_sheet(session, registration, done)
        return
    # Those reduced to the sheet earlier go too; the fresh ones are in the same list.
    ending = session.scalars(
        sa.select(Registration).where(Registration.workshop_id == workshop.id)
    ).all()
    done["audit details cleared"] += clear_audit_details(session, [r.id for r in ending])
    for registration in ending:
        done["children deleted"] += len(registration.participants)
        done["consents deleted"] += len(registration.consents)
        done["staff notes deleted"] += len(registration.notes)
        done["registrations deleted"] += 1
        session.delete(registration)
    session.flush()


def _reduce_to_sheet(session: Session, registration: Registration, done) -> None:
    """Keep only what a sign-in sheet shows: the children who had a place, and attendance."""
    registration.contact_phone = registration.contact_email = None
    registration.responsible_adult = registration.checkin_code = None
    registration.token_hash = hash_token(secrets.token_urlsafe(32))
    done["consents deleted"] += len(registration.consents)
    done["staff notes deleted"] += len(registration.notes)
    registration.consents.clear()
    registration.notes.clear()
    # The mails were to the contact that goes now; the sealed link with them.
    for table in (MailLink, OutboxMessage):
        session.execute(sa.delete(table).where(table.registration_id == registration.id))
    for participant in list(registration.participants):
        if participant.status == ParticipantStatus.CONFIRMED or participant.attendances:
            participant.gender = participant.school = participant.school_year = None
            participant.pickup_note = participant.health_notes = None
        else:
            registration.participants.remove(participant)
            done["children deleted"] += 1
    if registration.participants:
        done["registrations reduced to the sign-in sheet"] += 1
    else:
        session.delete(registration)
        done["registrations deleted"] += 1
    session.flush()


def clear_audit_details(session: Session, registration_ids: list[int]) -> int:
    """Empty the details of audit entries about these registrations; return how many."""
    if not registration_ids:
        return 0
    subjects = [f"registration:{number}" for number in registration_ids]
    return session.execute(
        sa.update(AuditEntry)
        .where(AuditEntry.subject.in_(subjects), AuditEntry.detail != "")
        .values(detail="")
        .execution_options(synchronize_session=False)
    ).rowcount
