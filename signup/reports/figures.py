"""The plain sums behind every report: what the purge kept plus what is still stored.

Kept counts (registrations/stats.py) and the registrations not counted yet are added up per
workshop. The not yet counted ones go through the same `stats.tally` the purge uses to write
the counts, so a workshop's figures are the same before and after its data is purged.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..registrations import stats
from ..registrations.models import ParticipantStatus, Registration
from ..workshops.models import Workshop

#: Gender values of the sign-up form as reports group them; the rest is "not stated".
GENDER_GROUPS = ("female", "male", "diverse")
NOT_STATED = "not_stated"


@dataclass
class Facts:
    """Sums of children for one workshop or several; nothing here is shown as it is."""

    #: Every child registered, with or without a place, cancelled ones included.
    registered: int = 0
    confirmed: int = 0
    waiting: int = 0
    cancelled: int = 0
    #: The longest the waiting list was (summed over workshops for a period).
    waiting_peak: int = 0
    #: Children marked present on at least one date, whatever their status.
    attended_once: int = 0
    #: Workshops whose first date has come.
    begun: int = 0
    #: Children with a place at workshops that have begun, and those of them never present.
    expected: int = 0
    no_shows: int = 0
    #: Children present per (day, start time).
    attendance: Counter = field(default_factory=Counter)
    # Children with a place, by one fact each.
    gender: Counter = field(default_factory=Counter)
    #: Children with a place whose gender was asked: the base of the share of girls.
    gender_asked: int = 0
    ages: Counter = field(default_factory=Counter)
    school_years: Counter = field(default_factory=Counter)
    languages: Counter = field(default_factory=Counter)
    channels: Counter = field(default_factory=Counter)
    first_time: Counter = field(default_factory=Counter)

    def add_row(self, facts: dict, children: int, begun: bool) -> None:
        """Add one combination of the counted facts (stats.KEY) for `children` children."""
        status = ParticipantStatus(facts["status"])
        self.registered += children
        if facts["attended_days"]:
            self.attended_once += children
        if status == ParticipantStatus.WAITING:
            self.waiting += children
        elif status == ParticipantStatus.CANCELLED:
            self.cancelled += children
        if status != ParticipantStatus.CONFIRMED:
            return
        self.confirmed += children
        if begun:
            self.expected += children
            if not facts["attended_days"]:
                self.no_shows += children
        if facts["gender_asked"]:
            self.gender_asked += children
            gender = facts["gender"]
            self.gender[gender if gender in GENDER_GROUPS else NOT_STATED] += children
        self.ages[facts["age"]] += children
        self.school_years[facts["school_year"]] += children
        self.languages[facts["language"]] += children
        self.channels[facts["channel"]] += children
        self.first_time[facts["first_time"]] += children

    def __iadd__(self, other: "Facts") -> "Facts":
        for name, value in vars(other).items():
            setattr(self, name, getattr(self, name) + value)
        return self


def facts_by_workshop(session: Session, workshops: list[Workshop], today: date) -> dict[int, Facts]:
    """Sum kept counts and not yet counted registrations for each workshop."""
    by_id = {w.id: w for w in workshops}
    result = {number: Facts() for number in by_id}
    if not by_id:
        return result
    begun = {w.id: bool(w.dates) and w.dates[0].day <= today for w in workshops}
    ids = list(by_id)
    for row in session.scalars(
        sa.select(stats.ReportCount).where(stats.ReportCount.workshop_id.in_(ids))
    ):
        facts = {name: getattr(row, name) for name in stats.KEY}
        result[row.workshop_id].add_row(facts, row.children, begun[row.workshop_id])
    for row in session.scalars(
        sa.select(stats.ReportAttendance).where(stats.ReportAttendance.workshop_id.in_(ids))
    ):
        result[row.workshop_id].attendance[(row.day, row.starts_at)] += row.children
    peaks = dict(
        session.execute(
            sa.select(stats.WaitingPeak.workshop_id, stats.WaitingPeak.children).where(
                stats.WaitingPeak.workshop_id.in_(ids)
            )
        ).all()
    )
    for number in _with_uncounted(session, ids):
        live = stats.tally(session, by_id[number])
        for key, children in live.counts.items():
            result[number].add_row(dict(zip(stats.KEY, key, strict=True)), children, begun[number])
        result[number].attendance.update(live.attendance)
        # Kept and live together only where a workshop was counted in two goes: the longer.
        peaks[number] = max(peaks.get(number, 0), live.waiting_peak)
    for number, peak in peaks.items():
        result[number].waiting_peak = peak
    for number, facts in result.items():
        facts.begun = int(begun[number])
    return result


def _with_uncounted(session: Session, ids: list[int]) -> list[int]:
    """Those of the workshops that have registrations not counted yet."""
    counted = sa.select(stats.CountedRegistration.registration_id).where(
        stats.CountedRegistration.registration_id == Registration.id
    )
    return list(
        session.scalars(
            sa.select(Registration.workshop_id)
            .where(Registration.workshop_id.in_(ids), ~sa.exists(counted))
            .distinct()
            .order_by(Registration.workshop_id)
        )
    )


def total(facts: list[Facts]) -> Facts:
    """Add up the facts of several workshops."""
    result = Facts()
    for each in facts:
        result += each
    return result
