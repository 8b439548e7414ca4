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
    #: Storing allergies and health notes: special-category data needs its own consent.
    HEALTH = "health"
    #: From 14 a child's own agreement to the photo uses the parent allowed (DESIGN.md).
    YOUNG_AGREEMENT = "young_agreement"

    @classmethod
    def for_photo_use(cls, use: PhotoUse) -> "ConsentPurpose":
        return cls("photo_" + use.value)


#: The photo and film uses a family can agree to, one consent each.
PHOTO_PURPOSES = tuple(purpose for purpose in ConsentPurpose if purpose.value.startswith("photo_"))

ConsentPurpose.__labels__ = {
    "participation": _l("Teilnahme"),
    "photo_internal": _l("Fotos und Filme für die interne Dokumentation"),
    "photo_website": _l("Fotos und Filme auf der Internetseite"),
    "photo_press": _l("Fotos und Filme in der Presse"),
    "photo_social": _l("Fotos und Filme in sozialen Medien"),
    "health": _l("Allergien und Gesundheit"),
    "young_agreement": _l("Fotos und Filme: eigenes Einverständnis ab 14 Jahren"),
}


class ConsentChannel(LabelledEnum):
    ONLINE = "online"
    PAPER = "paper"
    VERBAL = "verbal"
    SCHOOL = "school"


ConsentChannel.__labels__ = {
    "online": _l("online"),
    "paper": _l("auf Papier"),
    "verbal": _l("mündlich"),
    "school": _l("über die Schule geregelt"),
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
    #: A school class or youth group registered as a headcount: its name and the adult in charge.
    group_name: Mapped[str | None] = mapped_column(sa.String(200))
    responsible_adult: Mapped[str | None] = mapped_column(sa.String(200))
    #: Short random code in the QR on the family page: staff scan it to find the children.
    checkin_code: Mapped[str | None] = mapped_column(sa.String(16), unique=True)
    #: When staff received the signed consent slip (paper or verbal consents need one).
    slip_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
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
    notes: Mapped[list["RegistrationNote"]] = relationship(
        back_populates="registration", cascade="all, delete-orphan", order_by="RegistrationNote.id"
    )

    @property
    def is_group(self) -> bool:
        return self.channel == Channel.GROUP

    @property
    def needs_slip(self) -> bool:
        """Consent given on paper or by word of mouth waits for a signed slip."""
        return self.slip_received_at is None and any(
            c.channel in {ConsentChannel.PAPER, ConsentChannel.VERBAL} for c in self.consents
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
    #: Age in years when registered (for a group: the youngest).
    age: Mapped[int]
    #: Places this row takes: 1 for a named child, the headcount for a group.
    headcount: Mapped[int] = mapped_column(default=1)
    #: Optional fields, asked only where the workshop switches them on.
    surname: Mapped[str | None] = mapped_column(sa.String(60))
    gender: Mapped[str | None] = mapped_column(sa.String(20))
    school: Mapped[str | None] = mapped_column(sa.String(120))
    school_year: Mapped[str | None] = mapped_column(sa.String(20))
    #: Special-category data (allergies, health): only the workshop's staff see it.
    health_notes: Mapped[str | None] = mapped_column(sa.Text)
    pickup_note: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[ParticipantStatus] = mapped_column(enum_column(ParticipantStatus))
    #: Order on the waiting list (lower goes first); kept after promotion for the record.
    waitlist_order: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the child got a place (at once, or on moving up).
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    registration: Mapped[Registration] = relationship(back_populates="participants")
    attendances: Mapped[list["Attendance"]] = relationship(
        back_populates="participant", cascade="all, delete-orphan", lazy="selectin"
    )

    def present_on(self, workshop_date_id: int) -> bool:
        return any(a.workshop_date_id == workshop_date_id for a in self.attendances)


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


class RegistrationNote(db.Model):
    """A staff note on a registration ("called the mother, comes on day 2 only")."""

    __tablename__ = "registration_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration] = relationship(back_populates="notes")
    author: Mapped[StaffUser | None] = relationship()


class Attendance(db.Model):
    """A participant was there on one workshop date."""

    __tablename__ = "attendances"
    __table_args__ = (sa.UniqueConstraint("participant_id", "workshop_date_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("participants.id", ondelete="CASCADE")
    )
    workshop_date_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workshop_dates.id", ondelete="CASCADE"), index=True
    )
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    marked_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL")
    )

    participant: Mapped[Participant] = relationship(back_populates="attendances")


def _count_participants(status: ParticipantStatus):
    return (
        sa.select(sa.func.coalesce(sa.func.sum(Participant.headcount), 0))
        .where(Participant.workshop_id == Workshop.id, Participant.status == status)
        .correlate_except(Participant)
        .scalar_subquery()
    )


# Derived counts on the workshop, loaded with it in one query.
Workshop.confirmed_count = column_property(_count_participants(ParticipantStatus.CONFIRMED))
Workshop.waiting_count = column_property(_count_participants(ParticipantStatus.WAITING))
