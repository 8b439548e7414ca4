"""Workshop rules: create, change, copy, open, close and cancel; slugs; places against bookings.

Like every services module: a session, model objects and plain values in; flush, never
commit; nothing of HTTP. Each change is written to the audit log of every organisation
that runs the workshop.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..database import begin_write
from ..i18n import LANGUAGES, _l, format_day, ngettext
from ..mail import outbox
from ..mail.models import MailKind
from ..models_base import utcnow
from ..registrations.models import Attendance, Participant, Registration
from ..registrations.services import count_confirmed, lock_workshop, promote_waiting
from ..rules import RuleError
from ..staff.models import Organisation, StaffUser
from ..staff.services import record_for_workshop
from .models import (
    OptionalField,
    PhotoUse,
    Workshop,
    WorkshopDate,
    WorkshopStatus,
    WorkshopText,
)
from .slugs import insert_with_slug, slugify

#: Ages a workshop may be for, inclusive.
YOUNGEST, OLDEST = 3, 21
MAX_CAPACITY = 10_000
#: Longest text per field of a WorkshopText.
TEXT_LIMITS = {"title": 200, "summary": 500, "description": 10_000, "notes": 2_000}
PLACE_NAME_MAX = 200
PLACE_ADDRESS_MAX = 500
#: What a copy takes over; an edit logs which of these changed (the values of SHOWN_VALUES).
COPIED = tuple(
    "capacity min_age max_age listed waitlist_enabled place_name place_address timezone "
    "photo_uses optional_fields retention_days health_retention_days".split()
)
#: Plain values of WorkshopData set on the workshop as they are.
SETTINGS = tuple(
    "place_name place_address capacity min_age max_age listed waitlist_enabled "
    "registration_opens_at registration_closes_at retention_days health_retention_days".split()
)
#: A workshop's own retention days, where they differ from its organisations' (privacy.py).
RETENTION_RANGE = (1, 1095)
#: What families are told about by e-mail when it changes (not the texts or the places).
FAMILIES_TOLD = ("dates", "place_name", "place_address")
SHOWN_VALUES = {"capacity", "min_age", "max_age", "listed", "waitlist_enabled"}

MESSAGES = {
    "no_title": _l("Bitte geben Sie einen deutschen Titel an."),
    "title_missing": _l("Bitte geben Sie auch einen Titel an, oder lassen Sie diese Sprache leer."),
    "too_long": _l("Bitte kürzen Sie den Text auf %(n)d Zeichen."),
    "no_place": _l("Bitte geben Sie den Ort an."),
    "no_capacity": _l("Bitte geben Sie an, wie viele Plätze es gibt."),
    "days": _l("Bitte geben Sie eine ganze Zahl von %(min)d bis %(max)d an."),
    "health_days": _l("Angaben zur Gesundheit dürfen nicht länger bleiben als die Kontaktdaten."),
    "capacity": _l("Bitte geben Sie zwischen 1 und %(max)d Plätze an."),
    "no_age": _l("Bitte geben Sie das Alter an."),
    "below_confirmed": lambda n: ngettext(
        "%(num)d Kind hat schon einen sicheren Platz. Weniger Plätze gehen nicht.",
        "%(num)d Kinder haben schon einen sicheren Platz. Weniger Plätze gehen nicht.",
        n,
    ),
    "age": _l("Bitte geben Sie ein Alter von %(min)d bis %(max)d an."),
    "age_order": _l("Das Mindestalter darf nicht höher sein als das Höchstalter."),
    "date_order": _l("Das Ende muss nach dem Beginn liegen."),
    "window_order": _l("Das Ende der Anmeldung muss nach ihrem Beginn liegen."),
    "no_organisation": _l("Bitte wählen Sie mindestens eine Organisation."),
    "slug_invalid": _l("Bitte nur Buchstaben von a bis z, Ziffern und Bindestriche."),
    "slug_taken": _l("Diese Adresse ist schon vergeben. Bitte wählen Sie eine andere."),
    "date_attended": _l(
        "Am %(day)s wurden schon Kinder als da eingetragen. Dieser Termin bleibt deshalb."
    ),
    "cancelled_is_final": _l(
        "Ein abgesagter Workshop kann nicht wieder geöffnet werden. "
        "Legen Sie stattdessen eine Kopie an."
    ),
    "transition": _l("Dieser Wechsel ist nicht möglich."),
    "no_dates": _l("Bitte tragen Sie zuerst mindestens einen Termin ein."),
    "past": _l("Dieser Workshop ist schon vorbei."),
    "has_registrations": _l(
        "Es gibt schon Anmeldungen. Der Workshop kann nicht mehr zurück in den Entwurf."
    ),
}

#: Which status may follow which. Cancelled is final: families were told, and their links
#: keep saying so; to offer the workshop again, copy it.
TRANSITIONS = {
    WorkshopStatus.DRAFT: (WorkshopStatus.OPEN, WorkshopStatus.CANCELLED),
    WorkshopStatus.OPEN: (WorkshopStatus.CLOSED, WorkshopStatus.DRAFT, WorkshopStatus.CANCELLED),
    WorkshopStatus.CLOSED: (WorkshopStatus.OPEN, WorkshopStatus.DRAFT, WorkshopStatus.CANCELLED),
    WorkshopStatus.CANCELLED: (),
}


class WorkshopError(RuleError):
    """A rule said no; `field` names the form field it belongs to, `message` says why."""

    messages = MESSAGES

    def __init__(self, code: str, field: str | None = None, **params):
        super().__init__(code, **params)
        self.field = field

    def message_params(self) -> dict:
        return {k: format_day(v) if isinstance(v, date) else v for k, v in self.params.items()}


@dataclass(frozen=True)
class Text:
    """A workshop's words in one language."""

    language: str
    title: str
    summary: str = ""
    description: str = ""
    notes: str = ""


@dataclass(frozen=True)
class Slot:
    """One date with wall-clock times; `id` keeps an existing date (and its attendance)."""

    day: date
    starts_at: time
    ends_at: time
    id: int | None = None


@dataclass
class WorkshopData:
    """Everything staff set on a workshop, except its organisations, slug and status."""

    texts: Sequence[Text]
    place_name: str
    #: None where not given (check() says so).
    capacity: int | None
    min_age: int | None
    max_age: int | None
    dates: Sequence[Slot] = ()
    place_address: str = ""
    listed: bool = True
    waitlist_enabled: bool = True
    #: UTC, aware; None: open-ended.
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    optional_fields: Sequence[OptionalField] = ()
    photo_uses: Sequence[PhotoUse] = ()
    #: None: the organisations' settings apply.
    retention_days: int | None = None
    health_retention_days: int | None = None


def check(data: WorkshopData) -> list[WorkshopError]:
    """Return every rule the data breaks, each with the form field it belongs to."""
    problems = []
    texts = {text.language: text for text in data.texts}
    if "de" not in texts or not texts["de"].title:
        problems.append(WorkshopError("no_title", "text_de-title"))
    for text in data.texts:
        if text.language != "de" and not text.title:
            problems.append(WorkshopError("title_missing", f"text_{text.language}-title"))
        for name, limit in TEXT_LIMITS.items():
            if len(getattr(text, name)) > limit:
                problems.append(WorkshopError("too_long", f"text_{text.language}-{name}", n=limit))
    if not data.place_name:
        problems.append(WorkshopError("no_place", "place_name"))
    for name, limit in (("place_name", PLACE_NAME_MAX), ("place_address", PLACE_ADDRESS_MAX)):
        if len(getattr(data, name)) > limit:
            problems.append(WorkshopError("too_long", name, n=limit))
    if data.capacity is None:
        problems.append(WorkshopError("no_capacity", "capacity"))
    elif not 1 <= data.capacity <= MAX_CAPACITY:
        problems.append(WorkshopError("capacity", "capacity", max=MAX_CAPACITY))
    ages_ok = True
    for name in ("min_age", "max_age"):
        age = getattr(data, name)
        if age is None or not YOUNGEST <= age <= OLDEST:
            code = "no_age" if age is None else "age"
            problems.append(WorkshopError(code, name, min=YOUNGEST, max=OLDEST))
            ages_ok = False
    if ages_ok and data.min_age > data.max_age:
        problems.append(WorkshopError("age_order", "max_age"))
    low, high = RETENTION_RANGE
    for name in ("retention_days", "health_retention_days"):
        days = getattr(data, name)
        if days is not None and not low <= days <= high:
            problems.append(WorkshopError("days", name, min=low, max=high))
    if (data.retention_days or high) < (data.health_retention_days or 0):
        problems.append(WorkshopError("health_days", "health_retention_days"))
    if any(slot.ends_at <= slot.starts_at for slot in data.dates):
        problems.append(WorkshopError("date_order", "dates"))
    opens, closes = data.registration_opens_at, data.registration_closes_at
    if opens and closes and closes <= opens:
        problems.append(WorkshopError("window_order", "registration_closes_at"))
    return problems


def create_workshop(
    session: Session,
    data: WorkshopData,
    organisations: Sequence[Organisation],
    *,
    actor: StaffUser,
    slug: str | None = None,
) -> Workshop:
    """Create a draft workshop run by these organisations; `slug` as chosen, else from the title.

    A chosen slug is normalised (slugify) and must be free; otherwise the German title gives
    one, numbered when taken ("ki4u-2").
    """
    problems = check(data)
    if not organisations:
        problems.append(WorkshopError("no_organisation", "organisations"))
    if problems:
        raise problems[0]
    chosen = None
    if slug:
        chosen = slugify(slug)
        if not chosen:
            raise WorkshopError("slug_invalid", "slug")
    workshop = Workshop(status=WorkshopStatus.DRAFT, organisations=list(organisations))
    _apply(session, workshop, data)
    title = next(text.title for text in data.texts if text.language == "de")
    if not insert_with_slug(session, workshop, chosen or slugify(title), fixed=bool(chosen)):
        raise WorkshopError("slug_taken", "slug")
    record_for_workshop(session, actor, "create_workshop", workshop, detail=workshop.slug)
    return workshop


def update_workshop(
    session: Session, workshop: Workshop, data: WorkshopData, *, actor: StaffUser
) -> list[Participant]:
    """Change a workshop; refuse fewer places than children confirmed; fill freed places.

    Returns the waiting children who got a place (more places, or the waiting list changed).
    A date where children were already marked present cannot be removed.
    """
    problems = check(data)
    if problems:
        raise problems[0]
    begin_write(session)
    lock_workshop(session, workshop)
    confirmed = count_confirmed(session, workshop)
    if data.capacity < confirmed:
        raise WorkshopError("below_confirmed", "capacity", n=confirmed)
    before = _settings(workshop)
    _apply(session, workshop, data)
    session.flush()
    promoted = promote_waiting(session, workshop)
    session.expire(workshop, ["confirmed_count", "waiting_count"])
    after = _settings(workshop)
    if workshop.status != WorkshopStatus.DRAFT and any(
        before[name] != after[name] for name in FAMILIES_TOLD
    ):
        outbox.queue_workshop_news(session, workshop, MailKind.CHANGED)
    detail = _changes(before, after)
    record_for_workshop(session, actor, "edit_workshop", workshop, detail=detail)
    return promoted


def copy_workshop(session: Session, source: Workshop, *, actor: StaffUser) -> Workshop:
    """Offer a workshop again: a draft with the same texts, place, settings and organisations.

    The copy has no dates, no registration window and no registrations; staff set new dates.
    """
    copy = Workshop(
        status=WorkshopStatus.DRAFT,
        organisations=list(source.organisations),
        texts=[
            WorkshopText(language=text.language, **{n: getattr(text, n) for n in TEXT_LIMITS})
            for text in source.texts
        ],
        **{name: getattr(source, name) for name in COPIED},
    )
    if not insert_with_slug(session, copy, slugify(source.text_for("de").title)):
        raise WorkshopError("slug_taken")
    record_for_workshop(
        session, actor, "copy_workshop", copy, detail=f"copy of workshop:{source.id}"
    )
    return copy


def allowed_statuses(session: Session, workshop: Workshop) -> list[WorkshopStatus]:
    """The statuses staff may move this workshop to (opening may still be refused)."""
    registered = _has_registrations(session, workshop)
    return [s for s in TRANSITIONS[workshop.status] if s != WorkshopStatus.DRAFT or not registered]


def change_status(
    session: Session,
    workshop: Workshop,
    status: WorkshopStatus,
    *,
    actor: StaffUser,
    now: datetime | None = None,
) -> bool:
    """Open, close, cancel or take back to draft; return False when it already had that status.

    - Cancelled is final (see TRANSITIONS); registrations stay, so families and staff still
      see them, and the family pages and the public page say the workshop was cancelled.
    - Opening needs at least one date, and not all of them past.
    - Back to draft hides the public page, so only while nobody has registered.
    """
    if status == workshop.status:
        return False
    if workshop.status == WorkshopStatus.CANCELLED:
        raise WorkshopError("cancelled_is_final")
    if status not in TRANSITIONS[workshop.status]:
        raise WorkshopError("transition")
    if status == WorkshopStatus.OPEN:
        if not workshop.dates:
            raise WorkshopError("no_dates")
        if workshop.is_past(now or utcnow()):
            raise WorkshopError("past")
    if status == WorkshopStatus.DRAFT and _has_registrations(session, workshop):
        raise WorkshopError("has_registrations")
    detail = f"{workshop.status.value} → {status.value}"
    workshop.status = status
    session.flush()
    if status == WorkshopStatus.CANCELLED:
        outbox.queue_workshop_news(session, workshop, MailKind.CANCELLED)
    record_for_workshop(session, actor, "change_status", workshop, detail=detail)
    return True


def _has_registrations(session: Session, workshop: Workshop) -> bool:
    query = sa.select(Registration.id).where(Registration.workshop_id == workshop.id).limit(1)
    return session.scalar(query) is not None


def _apply(session: Session, workshop: Workshop, data: WorkshopData) -> None:
    for name in SETTINGS:
        setattr(workshop, name, getattr(data, name))
    workshop.optional_fields = ",".join(f.value for f in OptionalField if f in data.optional_fields)
    workshop.photo_uses = ",".join(use.value for use in PhotoUse if use in data.photo_uses)
    _apply_texts(workshop, data.texts)
    _apply_dates(session, workshop, data.dates)


def _apply_texts(workshop: Workshop, texts: Sequence[Text]) -> None:
    # Update in place: a delete and an insert of the same language would clash at flush.
    existing = {text.language: text for text in workshop.texts}
    given = {text.language: text for text in texts}
    for language, text in given.items():
        row = existing.get(language)
        if row is None:
            row = WorkshopText(language=language)
            workshop.texts.append(row)
        row.title, row.summary = text.title, text.summary
        row.description, row.notes = text.description, text.notes
    for language, row in existing.items():
        # Texts in languages the app does not ship (none today) are left alone.
        if language not in given and language in LANGUAGES:
            workshop.texts.remove(row)


def _apply_dates(session: Session, workshop: Workshop, slots: Sequence[Slot]) -> None:
    existing = {workshop_date.id: workshop_date for workshop_date in workshop.dates}
    kept: list[WorkshopDate] = []
    for slot in slots:
        row = existing.pop(slot.id, None) if slot.id is not None else None
        row = row or WorkshopDate()
        row.day, row.starts_at, row.ends_at = slot.day, slot.starts_at, slot.ends_at
        kept.append(row)
    if existing:
        attended = session.scalar(
            sa.select(WorkshopDate)
            .join(Attendance, Attendance.workshop_date_id == WorkshopDate.id)
            .where(WorkshopDate.id.in_(list(existing)))
            .order_by(WorkshopDate.day)
            .limit(1)
        )
        if attended is not None:
            raise WorkshopError("date_attended", "dates", day=attended.day)
    workshop.dates = sorted(kept, key=lambda d: (d.day, d.starts_at))


def _settings(workshop: Workshop) -> dict[str, object]:
    """What an edit may change, as plain values, to log which of it changed."""
    return {name: getattr(workshop, name) for name in COPIED} | {
        "registration_window": (workshop.registration_opens_at, workshop.registration_closes_at),
        "texts": sorted(
            (t.language, *(getattr(t, n) for n in TEXT_LIMITS)) for t in workshop.texts
        ),
        "dates": [(d.day, d.starts_at, d.ends_at) for d in workshop.dates],
    }


def _changes(before: dict[str, object], after: dict[str, object]) -> str:
    """Say in a line what an edit changed: numbers and switches with values, the rest by name."""
    return "; ".join(
        f"{name}: {before[name]} → {after[name]}" if name in SHOWN_VALUES else name
        for name in after
        if before[name] != after[name]
    )
