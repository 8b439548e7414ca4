"""Reports as people read them: labelled figures and breakdowns, the small-cell rule applied.

The screen, the PDF and the CSV all show a `Report` built here, so they never disagree.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from babel import Locale
from flask_babel import format_date, format_percent, get_locale
from sqlalchemy.orm import Session

from ..i18n import _, _l, _lp, format_clock
from ..registrations.models import Channel
from ..registrations.stats import OTHER_SCHOOL_YEAR
from ..staff.models import Organisation
from ..workshops.models import Workshop, WorkshopDate
from .cells import Figure, figure, protect, share, share_value
from .figures import NOT_STATED, Facts, facts_by_workshop, total
from .periods import Period, workshops_in

#: Age groups as (key, youngest, oldest, label): two years each, as schools group them.
AGE_GROUPS = (
    ("0-5", 0, 5, _l("unter 6 Jahre")),
    ("6-7", 6, 7, _l("6 und 7 Jahre")),
    ("8-9", 8, 9, _l("8 und 9 Jahre")),
    ("10-11", 10, 11, _l("10 und 11 Jahre")),
    ("12-13", 12, 13, _l("12 und 13 Jahre")),
    ("14-15", 14, 15, _l("14 und 15 Jahre")),
    ("16-17", 16, 17, _l("16 und 17 Jahre")),
    ("18+", 18, 999, _l("18 Jahre und älter")),
)
GENDERS = (
    ("female", _lp("Anzahl", "Mädchen")),
    ("male", _l("Jungen")),
    ("diverse", _l("divers")),
    (NOT_STATED, _l("keine Angabe")),
)
FIRST_TIME = (
    (True, "first", _l("zum ersten Mal dabei")),
    (False, "again", _l("schon einmal dabei")),
    (None, "group", _l("in einer Gruppe (nicht erfasst)")),
)
KEY_FIGURES = {
    "registered": _l("Kinder angemeldet"),
    "confirmed": _l("Kinder mit Platz"),
    "cancelled": _l("abgemeldet"),
    "waiting_peak": _l("Warteliste, längster Stand"),
    "attended_once": _l("mindestens einen Tag da"),
    "no_shows": _l("nicht gekommen"),
    "girls": _lp("Anzahl", "Mädchen"),
    "first_time": _l("zum ersten Mal dabei"),
}
BREAKDOWNS = {
    "attendance": _l("Da an jedem Termin"),
    "gender": _l("Geschlecht"),
    "ages": _l("Alter"),
    "school_years": _l("Klasse"),
    "languages": _l("Sprache der Familie"),
    "channels": _l("Wie angemeldet"),
    "first_time": _l("Zum ersten Mal dabei?"),
}


@dataclass(frozen=True)
class Bar:
    """One line of a breakdown: a stable key (for CSV), a label and the children in it."""

    key: str
    label: str
    figure: Figure
    #: Of the breakdown's base, from 0 to 1; None where the figure is hidden.
    share: float | None

    @property
    def percent(self) -> str:
        return "–" if self.share is None else format_percent(self.share)


@dataclass(frozen=True)
class Breakdown:
    key: str
    title: str
    #: The children the shares are of.
    base: int
    bars: tuple[Bar, ...]
    #: Said instead of, or under, the bars ("The gender was not asked.").
    note: str = ""


@dataclass(frozen=True)
class KeyFigure:
    key: str
    label: str
    #: None where there is nothing to count yet (no-shows before the first date).
    figure: Figure | None
    #: A share or a remark beside the number.
    detail: str = ""


@dataclass(frozen=True)
class WorkshopRow:
    """One workshop in an organisation's period report."""

    workshop_id: int
    slug: str
    title: str
    first_day: date | None
    #: The other organisations running it ("with partners").
    partners: tuple[str, ...]
    figures: dict


@dataclass(frozen=True)
class Report:
    title: str
    subtitle: str
    key_figures: tuple[KeyFigure, ...]
    breakdowns: tuple[Breakdown, ...]
    workshops: tuple[WorkshopRow, ...] = ()

    def key_figure(self, key: str) -> KeyFigure:
        return next(item for item in self.key_figures if item.key == key)

    def breakdown(self, key: str) -> Breakdown:
        return next(item for item in self.breakdowns if item.key == key)


def workshop_report(session: Session, workshop: Workshop, today: date) -> Report:
    """The report of one workshop, its dates one by one."""
    facts = facts_by_workshop(session, [workshop], today)[workshop.id]
    dates = ", ".join(format_date(d.day) for d in workshop.dates) or _("keine Termine")
    attendance = attendance_breakdown(facts, workshop.dates)
    return Report(
        title=workshop.text_for(str(get_locale())).title,
        subtitle=dates,
        key_figures=key_figures(facts),
        breakdowns=(attendance, *breakdowns(facts)),
    )


def organisation_report(
    session: Session, organisation: Organisation, period: Period, today: date
) -> Report:
    """The report of an organisation for a period: all its workshops, and each one."""
    workshops = workshops_in(session, [organisation.id], period)
    by_workshop = facts_by_workshop(session, workshops, today)
    facts = total(list(by_workshop.values()))
    language = str(get_locale())
    rows = tuple(
        WorkshopRow(
            workshop_id=w.id,
            slug=w.slug,
            title=w.text_for(language).title,
            first_day=w.dates[0].day if w.dates else None,
            partners=tuple(o.name for o in w.organisations if o.id != organisation.id),
            figures=workshop_row_figures(by_workshop[w.id]),
        )
        for w in workshops
    )
    return Report(
        title=organisation.name,
        subtitle=period.label,
        key_figures=key_figures(facts),
        breakdowns=breakdowns(facts),
        workshops=rows,
    )


#: The columns of a workshop's line in a period report, with their (short) headings.
WORKSHOP_COLUMNS = {
    "registered": _l("angemeldet"),
    "confirmed": _l("mit Platz"),
    "cancelled": _l("abgemeldet"),
    "attended_once": _l("da gewesen"),
    "girls": _lp("Anzahl", "Mädchen"),
}


def workshop_row_figures(facts: Facts) -> dict:
    return {
        "registered": figure(facts.registered),
        "confirmed": figure(facts.confirmed),
        "cancelled": figure(facts.cancelled),
        "attended_once": figure(facts.attended_once),
        "girls": figure(facts.gender["female"]) if facts.gender_asked else None,
    }


def key_figures(facts: Facts) -> tuple[KeyFigure, ...]:
    """The figures funders ask first, with a share where one helps."""
    gender = protect(gender_counts(facts))
    first = protect(first_time_counts(facts))
    no_shows = figure(facts.no_shows)

    def item(key, value, detail=""):
        return KeyFigure(key, str(KEY_FIGURES[key]), value, detail)

    if facts.gender_asked:
        girls = item("girls", gender["female"], _share_of_asked(gender["female"], facts))
    else:
        girls = item("girls", None, _("Das Geschlecht wurde nicht gefragt."))
    if facts.begun:
        absent = item("no_shows", no_shows, _share_of_places(no_shows, facts.expected))
    else:
        absent = item("no_shows", None, _("Noch kein Workshop hat begonnen."))
    attended = figure(facts.attended_once)
    return (
        item("registered", figure(facts.registered)),
        item("confirmed", figure(facts.confirmed)),
        item("cancelled", figure(facts.cancelled)),
        item("waiting_peak", figure(facts.waiting_peak)),
        item("attended_once", attended, _share_of_places(attended, facts.confirmed)),
        absent,
        girls,
        item("first_time", first["first"]),
    )


def _share_of_places(part: Figure, places: int) -> str:
    if part.hidden or not places:
        return ""
    return _("%(share)s der Kinder mit Platz", share=share(part, places))


def _share_of_asked(girls: Figure, facts: Facts) -> str:
    if girls.hidden:
        return ""
    return _(
        "%(share)s der Kinder mit Platz, die gefragt wurden",
        share=share(girls, facts.gender_asked),
    )


def gender_counts(facts: Facts) -> dict:
    return {key: facts.gender[key] for key, _label in GENDERS}


def first_time_counts(facts: Facts) -> dict:
    return {key: facts.first_time[value] for value, key, _label in FIRST_TIME}


def breakdowns(facts: Facts) -> tuple[Breakdown, ...]:
    """Who had a place, split by one fact at a time."""
    base = facts.confirmed
    labels = {key: str(label) for key, label in GENDERS}
    gender = split("gender", gender_counts(facts), labels, facts.gender_asked)
    if not facts.gender_asked:
        gender = Breakdown("gender", gender.title, 0, (), _("Das Geschlecht wurde nicht gefragt."))
    elif facts.gender_asked < base:
        gender = Breakdown(
            "gender",
            gender.title,
            gender.base,
            gender.bars,
            _("Nur Kinder, nach deren Geschlecht gefragt wurde; Gruppen nicht."),
        )
    ages = Counter()
    for age, children in facts.ages.items():
        key = next(key for key, low, high, _label in AGE_GROUPS if low <= age <= high)
        ages[key] += children
    age_labels = {key: str(label) for key, _low, _high, label in AGE_GROUPS}
    years = sorted(facts.school_years, key=_school_year_order)
    school_labels = {year: school_year_label(year) for year in years}
    languages = sorted(facts.languages, key=lambda code: (-facts.languages[code], code))
    first_labels = {key: str(label) for _value, key, label in FIRST_TIME}
    first = first_time_counts(facts)
    if not first["group"]:
        del first["group"]
    return (
        gender,
        split("ages", {k: ages[k] for k in age_labels if ages[k]}, age_labels, base),
        split("school_years", {y: facts.school_years[y] for y in years}, school_labels, base),
        split(
            "languages",
            {code: facts.languages[code] for code in languages},
            {code: language_label(code) for code in languages},
            base,
        ),
        split(
            "channels",
            {c.value: facts.channels[c] for c in Channel},
            {c.value: c.label for c in Channel},
            base,
        ),
        split("first_time", first, first_labels, base),
    )


def split(key: str, counts: dict, labels: dict, base: int) -> Breakdown:
    """A breakdown of `base` children whose parts are `counts`, with both small-cell rules."""
    figures = protect(counts)
    bars = tuple(
        Bar(str(item), labels[item], figures[item], share_value(figures[item], base))
        for item in counts
    )
    return Breakdown(key, str(BREAKDOWNS[key]), base, bars)


def attendance_breakdown(facts: Facts, dates: list[WorkshopDate]) -> Breakdown:
    """Children present on each date (its own count each: only the first rule applies)."""
    moments = {(d.day, d.starts_at) for d in dates} | set(facts.attendance)
    bars = []
    for day, starts_at in sorted(moments):
        count = figure(facts.attendance[(day, starts_at)])
        bars.append(
            Bar(
                f"{day.isoformat()}T{starts_at.strftime('%H:%M')}",
                f"{format_date(day, 'EEE dd.MM.yyyy')}, {format_clock(starts_at)}",
                count,
                share_value(count, facts.confirmed),
            )
        )
    note = "" if bars else _("Der Workshop hat noch keine Termine.")
    return Breakdown(
        "attendance", str(BREAKDOWNS["attendance"]), facts.confirmed, tuple(bars), note
    )


def school_year_label(year: str) -> str:
    if year == OTHER_SCHOOL_YEAR:
        return _("andere Angabe")
    if not year:
        return _("keine Angabe")
    return _("Klasse %(year)s", year=year)


def _school_year_order(year: str) -> tuple[int, int]:
    if year.isdigit():
        return (0, int(year))
    return (1 if year == OTHER_SCHOOL_YEAR else 2, 0)


def language_label(code: str) -> str:
    """Name a family's language in the reader's language (Arabisch, Arabic …)."""
    try:
        return Locale.parse(code).get_display_name(str(get_locale())) or code
    except (ValueError, TypeError):
        return code
