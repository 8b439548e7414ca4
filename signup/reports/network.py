"""The network view for an instance administrator: every organisation side by side for a
period, in counts only (workshops, children, girls, languages), no personal data."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..staff.models import Organisation
from .cells import SMALL, Figure, figure, share
from .figures import Facts, facts_by_workshop, total
from .periods import Period, workshops_in
from .report import Bar, Breakdown, language_label


@dataclass(frozen=True)
class OrganisationRow:
    name: str
    workshops: int
    #: Children with a place.
    children: Figure
    #: None where none of its workshops asked for the gender.
    girls: Figure | None
    girls_share: str
    #: How many languages the families chose, and those chosen by at least 3 children.
    languages: int
    language_names: tuple[str, ...]


@dataclass(frozen=True)
class NetworkReport:
    subtitle: str
    rows: tuple[OrganisationRow, ...]
    #: Each workshop once, also where two organisations run it together.
    total: OrganisationRow


def network_report(session: Session, period: Period, today: date, total_name: str):
    """Every organisation's figures for the period, and the whole instance's."""
    organisations = session.scalars(sa.select(Organisation).order_by(Organisation.name)).all()
    workshops = {o.id: workshops_in(session, [o.id], period) for o in organisations}
    every = {w.id: w for listed in workshops.values() for w in listed}
    facts = facts_by_workshop(session, list(every.values()), today)
    rows = tuple(
        organisation_row(o.name, [facts[w.id] for w in workshops[o.id]]) for o in organisations
    )
    return NetworkReport(period.label, rows, organisation_row(total_name, list(facts.values())))


def organisation_row(name: str, workshop_facts: list[Facts]) -> OrganisationRow:
    facts = total(workshop_facts)
    girls = figure(facts.gender["female"]) if facts.gender_asked else None
    languages = sorted(facts.languages, key=lambda code: (-facts.languages[code], code))
    return OrganisationRow(
        name=name,
        workshops=len(workshop_facts),
        children=figure(facts.confirmed),
        girls=girls,
        girls_share=share(girls, facts.gender_asked) if girls else "–",
        languages=len(languages),
        language_names=tuple(
            language_label(code) for code in languages if facts.languages[code] >= SMALL
        ),
    )


def children_breakdown(report: NetworkReport, title: str) -> Breakdown:
    """Children with a place per organisation, for a bar chart."""
    bars = tuple(
        Bar(str(number), row.name, row.children, None) for number, row in enumerate(report.rows)
    )
    return Breakdown("organisations", title, report.total.children.children, bars)
