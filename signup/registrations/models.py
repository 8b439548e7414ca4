"""Registrations: a family's submission, its children and the consents it gave."""

import hashlib
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from ..extensions import db
from ..i18n import _l
from ..models_base import LabelledEnum, UTCDateTime, enum_column, utcnow
from ..staff.models import StaffUser
from ..workshops.models import PhotoUse, Workshop


class Channel(LabelledEnum):
    ONLINE = "online"
    ASSISTED = "assisted"
    PAPER = "paper"
    GROUP = "group"


Channel.__labels__ = {
    "online": _l("online"),
    "assisted": _l("mit Hilfe von Fachkräften"),
    "paper": _l("auf Papier"),
    "group": _l("als Gruppe"),
}


class ParticipantStatus(LabelledEnum):
    CONFIRMED = "confirmed"
    WAITING = "waiting"
    CANCELLED = "cancelled"


ParticipantStatus.__labels__ = {
    "confirmed": _l("Platz sicher"),
    "waiting": _l("auf der Warteliste"),
    "cancelled": _l("abgemeldet"),
}


class ConsentPurpose(LabelledEnum):
    PARTICIPATION = "participation"
    PHOTO_INTERNAL = "photo_internal"
    PHOTO_WEBSITE = "photo_website"
    PHOTO_PRESS = "photo_press"
    PHOTO_SOCIAL = "photo_social"

    @classmethod
    def for_photo_use(cls, use: PhotoUse) -> "ConsentPurpose":
        return cls("photo_" + use.value)


ConsentPurpose.__labels__ = {
    "participation": _l("Teilnahme"),
    "photo_internal": _l("Fotos und Filme für die interne Dokumentation"),
    "photo_website": _l("Fotos und Filme auf der Internetseite"),
    "photo_press": _l("Fotos und Filme in der Presse"),
    "photo_social": _l("Fotos und Filme in sozialen Medien"),
}


class ConsentChannel(LabelledEnum):
    ONLINE = "online"
    PAPER = "paper"
    VERBAL = "verbal"


ConsentChannel.__labels__ = {
    "online": _l("online"),
    "paper": _l("auf Papier"),
    "verbal": _l("mündlich"),
}


def hash_token(token: str) -> str:
    """Hash a manage token; only the hash is stored, so a database copy opens no family page."""
    return hashlib.sha256(token.encode()).hexdigest()


class Registration(db.Model):
    __tablename__ = "registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    #: SHA-256 of the secret in the family's link.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: Parent's phone number in E.164 form, if given.
    contact_phone: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    #: Parent's e-mail address, lower-cased, if given.
    contact_email: Mapped[str | None] = mapped_column(sa.String(254), index=True)
    #: The family's language: pages, mail and printouts for it use this.
    language: Mapped[str] = mapped_column(sa.String(10))
    #: How the registration reached us.
    channel: Mapped[Channel] = mapped_column(enum_column(Channel), default=Channel.ONLINE)
    #: The staff member who registered the family on its behalf.
    assisted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    #: The children get places only all together, or all wait.
    together: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    workshop: Mapped[Workshop] = relationship()
    assisted_by: Mapped[StaffUser | None] = relationship()
    participants: Mapped[list["Participant"]] = relationship(
        back_populates="registration",
        cascade="all, delete-orphan",
        order_by="Participant.id",
        lazy="selectin",
    )
    consents: Mapped[list["Consent"]] = relationship(
        back_populates="registration", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def active_participants(self) -> list["Participant"]:
        return [p for p in self.participants if p.status != ParticipantStatus.CANCELLED]

    def has_consent(self, purpose: ConsentPurpose) -> bool:
        return any(c.purpose == purpose and c.withdrawn_at is None for c in self.consents)


class Participant(db.Model):
    __tablename__ = "participants"
    __table_args__ = (sa.Index(None, "workshop_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    #: Copied from the registration so places are counted without a join.
    workshop_id: Mapped[int] = mapped_column(sa.ForeignKey("workshops.id", ondelete="CASCADE"))
    #: The child's first name, as the family wrote it (NFC, no control characters).
    first_name: Mapped[str] = mapped_column(sa.String(60))
    #: Age in years when registered.
    age: Mapped[int]
    status: Mapped[ParticipantStatus] = mapped_column(enum_column(ParticipantStatus))
    #: Order on the waiting list (lower goes first); kept after promotion for the record.
    waitlist_order: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the child got a place (at once, or on moving up).
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    registration: Mapped[Registration] = relationship(back_populates="participants")


class Consent(db.Model):
    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[ConsentPurpose] = mapped_column(enum_column(ConsentPurpose))
    #: Version of the exact text the family agreed to (see registrations/consents.py).
    text_version: Mapped[str] = mapped_column(sa.String(20))
    #: Language the text was shown or read in.
    language: Mapped[str] = mapped_column(sa.String(10))
    channel: Mapped[ConsentChannel] = mapped_column(enum_column(ConsentChannel))
    #: Staff member who recorded a paper or verbal consent.
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Set when the family withdraws; the proof of the earlier consent stays.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    registration: Mapped[Registration] = relationship(back_populates="consents")
    recorded_by: Mapped[StaffUser | None] = relationship()


def _count_participants(status: ParticipantStatus):
    return (
        sa.select(sa.func.count(Participant.id))
        .where(Participant.workshop_id == Workshop.id, Participant.status == status)
        .correlate_except(Participant)
        .scalar_subquery()
    )


# Derived counts on the workshop, loaded with it in one query.
Workshop.confirmed_count = column_property(_count_participants(ParticipantStatus.CONFIRMED))
Workshop.waiting_count = column_property(_count_participants(ParticipantStatus.WAITING))
