"""Workshops: what is offered, when, where, for whom and how many."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..i18n import _l
from ..models_base import LabelledEnum, UTCDateTime, enum_column, utcnow
from ..staff.models import Organisation


class WorkshopStatus(LabelledEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


WorkshopStatus.__labels__ = {
    "draft": _l("Entwurf"),
    "open": _l("Anmeldung offen"),
    "closed": _l("Anmeldung geschlossen"),
    "cancelled": _l("Abgesagt"),
}


class PhotoUse(LabelledEnum):
    """The uses of photos and films a workshop may ask consent for, one box each."""

    INTERNAL = "internal"
    WEBSITE = "website"
    PRESS = "press"
    SOCIAL = "social"


PhotoUse.__labels__ = {
    "internal": _l("für die interne Dokumentation"),
    "website": _l("auf der Internetseite des Veranstalters"),
    "press": _l("in der Presse"),
    "social": _l("in sozialen Medien"),
}


class OptionalField(LabelledEnum):
    """What a workshop may ask beyond first name and age; nothing is asked unless switched on."""

    SURNAME = "surname"
    GENDER = "gender"
    SCHOOL = "school"
    SCHOOL_YEAR = "school_year"
    HEALTH = "health"
    PICKUP = "pickup"


OptionalField.__labels__ = {
    "surname": _l("Nachname"),
    "gender": _l("Geschlecht"),
    "school": _l("Schule"),
    "school_year": _l("Klasse"),
    "health": _l("Allergien und Gesundheit"),
    "pickup": _l("Wer darf das Kind abholen?"),
}


workshop_organisations = sa.Table(
    "workshop_organisations",
    db.metadata,
    sa.Column("workshop_id", sa.ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "organisation_id", sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    ),
)


class Workshop(db.Model):
    __tablename__ = "workshops"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The workshop's address in URLs and QR codes; never reused.
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    #: Draft, open, closed or cancelled; "past" follows from the dates.
    status: Mapped[WorkshopStatus] = mapped_column(
        enum_column(WorkshopStatus), default=WorkshopStatus.DRAFT
    )
    #: Places, counted per child.
    capacity: Mapped[int]
    #: Youngest and oldest age (in years, inclusive) that may take part.
    min_age: Mapped[int]
    max_age: Mapped[int]
    #: Shown on the start page; otherwise reachable by link or QR code only.
    listed: Mapped[bool] = mapped_column(default=True)
    #: When places run out, further children wait in order instead of being turned away.
    waitlist_enabled: Mapped[bool] = mapped_column(default=True)
    #: Registration window in UTC; open-ended where empty.
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Name of the place ("Schülerlabor der Hochschule").
    place_name: Mapped[str] = mapped_column(sa.String(200))
    #: Street address, one line per line.
    place_address: Mapped[str] = mapped_column(sa.Text, default="")
    #: IANA time zone of the dates.
    timezone: Mapped[str] = mapped_column(sa.String(40), default="Europe/Berlin")
    #: Comma-separated PhotoUse values the workshop asks consent for; empty: no photos.
    photo_uses: Mapped[str] = mapped_column(sa.String(100), default="")
    #: Comma-separated OptionalField values families are asked besides name and age.
    optional_fields: Mapped[str] = mapped_column(sa.String(200), default="")
    #: Overrides of the organisations' retention days (see registrations/privacy.py).
    retention_days: Mapped[int | None]
    health_retention_days: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    texts: Mapped[list["WorkshopText"]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan", lazy="selectin"
    )
    dates: Mapped[list["WorkshopDate"]] = relationship(
        back_populates="workshop",
        cascade="all, delete-orphan",
        order_by="(WorkshopDate.day, WorkshopDate.starts_at)",
        lazy="selectin",
    )
    organisations: Mapped[list[Organisation]] = relationship(
        secondary=workshop_organisations, lazy="selectin"
    )

    # confirmed_count and waiting_count are column properties added in registrations.models.
    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.confirmed_count)

    @property
    def is_full(self) -> bool:
        return self.confirmed_count >= self.capacity

    def text_for(self, language: str) -> "WorkshopText":
        """Return the text in this language, else the German one."""
        by_language = {text.language: text for text in self.texts}
        return by_language.get(language) or by_language["de"]

    @property
    def photo_use_list(self) -> list[PhotoUse]:
        return [PhotoUse(value) for value in self.photo_uses.split(",") if value]

    @property
    def optional_field_list(self) -> list["OptionalField"]:
        return [OptionalField(value) for value in self.optional_fields.split(",") if value]

    def asks(self, field: "OptionalField") -> bool:
        return field in self.optional_field_list

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def last_day(self) -> date | None:
        return self.dates[-1].day if self.dates else None

    def is_past(self, now: datetime) -> bool:
        last = self.last_day
        return last is not None and last < now.astimezone(self.zone).date()

    def window_state(self, now: datetime) -> str:
        """Say where `now` lies against the registration window: before, open or after."""
        if self.registration_opens_at and now < self.registration_opens_at:
            return "before"
        if self.registration_closes_at and now >= self.registration_closes_at:
            return "after"
        return "open"

    def is_public(self) -> bool:
        return self.status != WorkshopStatus.DRAFT


class WorkshopText(db.Model):
    __tablename__ = "workshop_texts"
    __table_args__ = (sa.UniqueConstraint("workshop_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(sa.ForeignKey("workshops.id", ondelete="CASCADE"))
    #: Language code of this text; German ("de") always exists.
    language: Mapped[str] = mapped_column(sa.String(10))
    title: Mapped[str] = mapped_column(sa.String(200))
    #: One or two sentences for lists and flyers.
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    #: The full description.
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: Practical notes ("bring a packed lunch").
    notes: Mapped[str] = mapped_column(sa.Text, default="")

    workshop: Mapped[Workshop] = relationship(back_populates="texts")


class WorkshopDate(db.Model):
    __tablename__ = "workshop_dates"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    #: Calendar day in the workshop's time zone.
    day: Mapped[date]
    #: Wall-clock start and end in the workshop's time zone.
    starts_at: Mapped[time]
    ends_at: Mapped[time]

    workshop: Mapped[Workshop] = relationship(back_populates="dates")
