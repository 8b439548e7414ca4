"""Periods a report covers, and the workshops that fall into one."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import format_date
from sqlalchemy.orm import Session

from ..i18n import _
from ..workshops.models import Workshop, WorkshopDate, workshop_organisations


@dataclass(frozen=True)
class Period:
    """From one day to another, both included: a year, a half-year or any span."""

    start: date
    end: date

    @property
    def label(self) -> str:
        return f"{format_date(self.start)} – {format_date(self.end)}"

    @property
    def query(self) -> dict:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def period_from(args, today: date) -> Period:
    """Read ?from=&to= (ISO dates); without them, this calendar year. Raise ValueError."""
    start, end = args.get("from"), args.get("to")
    if not start and not end:
        return Period(date(today.year, 1, 1), date(today.year, 12, 31))
    period = Period(date.fromisoformat(start or ""), date.fromisoformat(end or ""))
    if period.end < period.start:
        raise ValueError("the period ends before it starts")
    return period


def period_choices(today: date) -> list[tuple[str, Period]]:
    """Periods organisers report most often: this and last year, and their half-years."""
    choices = []
    for year in (today.year, today.year - 1):
        choices += [
            (str(year), Period(date(year, 1, 1), date(year, 12, 31))),
            (_("1. Halbjahr %(year)d", year=year), Period(date(year, 1, 1), date(year, 6, 30))),
            (_("2. Halbjahr %(year)d", year=year), Period(date(year, 7, 1), date(year, 12, 31))),
        ]
    return choices


def workshops_in(session: Session, organisation_ids, period: Period) -> list[Workshop]:
    """The workshops the organisations run, alone or with partners, that begin in the period.

    A workshop belongs to the period of its first date, so no child is counted in two periods.
    """
    first_day = (
        sa.select(WorkshopDate.workshop_id, sa.func.min(WorkshopDate.day).label("day"))
        .group_by(WorkshopDate.workshop_id)
        .subquery()
    )
    run_by = sa.select(workshop_organisations.c.workshop_id).where(
        workshop_organisations.c.organisation_id.in_(list(organisation_ids))
    )
    return list(
        session.scalars(
            sa.select(Workshop)
            .join(first_day, first_day.c.workshop_id == Workshop.id)
            .where(Workshop.id.in_(run_by), first_day.c.day.between(period.start, period.end))
            .order_by(first_day.c.day, Workshop.id)
        )
    )
