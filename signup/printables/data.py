"""Plain data for the printouts, read from the models once, so renderers stay pure."""

from dataclasses import dataclass
from datetime import date, time
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..registrations.export import select_participants
from ..registrations.models import (
    PHOTO_PURPOSES,
    Participant,
    ParticipantStatus,
    Registration,
)
from ..staff.models import RETENTION_DAYS
from ..workshops.models import OptionalField, Workshop
from .text import printable


@dataclass(frozen=True)
class Text:
    """A workshop's words in one language (German where the language has none)."""

    language: str
    title: str
    summary: str = ""
    notes: str = ""


@dataclass(frozen=True)
class Slot:
    """One workshop date: the day and its wall-clock times."""

    day: date
    starts: time
    ends: time
    id: int = 0


@dataclass(frozen=True)
class WorkshopInfo:
    """What a printout says about a workshop."""

    slug: str
    #: Public address of the workshop page, without a language.
    url: str
    texts: dict[str, Text]
    dates: tuple[Slot, ...]
    place_name: str
    place_address: str
    min_age: int
    max_age: int
    organisers: tuple[str, ...]
    #: PhotoUse values the workshop asks consent for, in the order families see them.
    photo_uses: tuple[str, ...] = ()
    asks_health: bool = False
    asks_pickup: bool = False

    def text(self, language: str) -> Text:
        """The text in `language`, else German; `.language` says which it is."""
        return self.texts.get(language) or self.texts["de"]

    def url_in(self, language: str) -> str:
        """The workshop's address that opens the form in `language` (what a QR code holds)."""
        return with_language(self.url, language)


def with_language(url: str, language: str) -> str:
    """Add ?lang= to an address: one helper for every QR code, so all carry the same form."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}{urlencode({'lang': language})}"


def printable_block(text: str | None) -> str:
    """Clean text that may run over several lines, keeping its line breaks."""
    return "\n".join(printable(line) for line in (text or "").splitlines())


def workshop_info(workshop: Workshop, url: str) -> WorkshopInfo:
    return WorkshopInfo(
        slug=workshop.slug,
        url=url,
        texts={
            text.language: Text(
                text.language,
                printable(text.title),
                printable_block(text.summary),
                printable_block(text.notes),
            )
            for text in workshop.texts
        },
        dates=tuple(Slot(d.day, d.starts_at, d.ends_at, d.id) for d in workshop.dates),
        place_name=printable(workshop.place_name),
        place_address=printable_block(workshop.place_address),
        min_age=workshop.min_age,
        max_age=workshop.max_age,
        organisers=tuple(printable(o.name) for o in workshop.organisations),
        photo_uses=tuple(use.value for use in workshop.photo_use_list),
        asks_health=workshop.asks(OptionalField.HEALTH),
        asks_pickup=workshop.asks(OptionalField.PICKUP),
    )


@dataclass(frozen=True)
class Child:
    """A child (or a group, with its headcount) as printed on slips and confirmations."""

    name: str
    age: int
    #: ParticipantStatus value: confirmed, waiting or cancelled.
    status: str = "confirmed"
    waiting_position: int | None = None
    headcount: int = 1


@dataclass(frozen=True)
class SlipInfo:
    """A consent slip: blank (no children) for paper sign-ups, or pre-filled for a family."""

    workshop: WorkshopInfo
    language: str
    children: tuple[Child, ...] = ()
    #: Address staff scan to find the registration and mark the slip as received.
    scan_url: str | None = None
    #: The same as a short code to type, for staff without a phone at hand.
    short_code: str | None = None
    #: Days after the last date until the data goes (privacy.contact_days works it out).
    retention_days: int = RETENTION_DAYS


@dataclass(frozen=True)
class ConfirmationInfo:
    """A family's confirmation: the children's places, the dates, and the family page."""

    workshop: WorkshopInfo
    language: str
    children: tuple[Child, ...]
    #: The family page's address (it holds the secret: printed only for the family).
    family_url: str | None = None


@dataclass(frozen=True)
class SheetRow:
    """One line of a sign-in sheet: a confirmed child, or a group with its headcount."""

    name: str
    age: int
    phone: str = ""
    #: None where the workshop asks no photo consent at all.
    photo_ok: bool | None = None
    health: bool = False
    pickup: str = ""
    headcount: int = 1
    group: bool = False


def sheet_rows(session: Session, workshop: Workshop) -> list[SheetRow]:
    """The confirmed children and groups of a workshop, sorted by name (waiting list left out)."""
    asks_photos = bool(workshop.photo_uses)
    health = sa.and_(Participant.health_notes.is_not(None), Participant.health_notes != "")
    statement = (
        select_participants(workshop.id)
        .add_columns(
            sa.case((health, True), else_=False).label("has_health"),
            Registration.group_name,
        )
        .where(Participant.status == ParticipantStatus.CONFIRMED)
    )
    rows = []
    for row in session.execute(statement):
        group = row.channel.value == "group"
        name = row.group_name if group and row.group_name else full_name(row)
        rows.append(
            SheetRow(
                name=printable(name),
                age=row.age,
                phone=row.contact_phone or "",
                photo_ok=any(getattr(row, p.value) for p in PHOTO_PURPOSES)
                if asks_photos
                else None,
                health=bool(row.has_health),
                pickup=printable(row.pickup_note),
                headcount=row.headcount,
                group=group,
            )
        )
    rows.sort(key=lambda r: (r.name.casefold(), r.age))
    return rows


def full_name(row) -> str:
    name = f"{row.first_name} {row.surname}" if row.surname else row.first_name
    return printable(name)


def children_of(registration: Registration, positions: dict[int, int]) -> tuple[Child, ...]:
    """The registration's children (cancelled ones left out) as plain data."""
    return tuple(
        Child(
            name=registration.group_name if registration.is_group else full_name(p),
            age=p.age,
            status=p.status.value,
            waiting_position=positions.get(p.id),
            headcount=p.headcount,
        )
        for p in registration.participants
        if p.status != ParticipantStatus.CANCELLED
    )
