"""The outbox: every e-mail to a family is a row first, written with the change it reports."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..i18n import _l
from ..models_base import LabelledEnum, UTCDateTime, enum_column, utcnow
from ..registrations.models import Registration


class MailKind(LabelledEnum):
    CONFIRMATION = "confirmation"
    PROMOTED = "promoted"
    REMINDER = "reminder"
    CHANGED = "changed"
    CANCELLED = "cancelled"


MailKind.__labels__ = {
    "confirmation": _l("Bestätigung der Anmeldung"),
    "promoted": _l("Platz von der Warteliste"),
    "reminder": _l("Erinnerung am Tag vorher"),
    "changed": _l("Workshop geändert"),
    "cancelled": _l("Workshop abgesagt"),
}


class MailStatus(LabelledEnum):
    PENDING = "pending"
    SENT = "sent"
    #: Given up: the server refused the address, or every retry failed.
    FAILED = "failed"
    #: No longer worth sending: the children cancelled, the date passed, the address went.
    DROPPED = "dropped"


MailStatus.__labels__ = {
    "pending": _l("wartet"),
    "sent": _l("verschickt"),
    "failed": _l("nicht zugestellt"),
    "dropped": _l("nicht mehr nötig"),
}


class OutboxMessage(db.Model):
    """One e-mail to a family; its text is written when it is sent, from the data then."""

    __tablename__ = "outbox_messages"
    __table_args__ = (sa.Index(None, "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    #: Copied from the registration for the staff's list per workshop.
    workshop_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[MailKind] = mapped_column(enum_column(MailKind))
    #: Makes a message unique where it must go once: "reminder:<registration>:<date>".
    once_key: Mapped[str | None] = mapped_column(sa.String(80), unique=True)
    #: The date a reminder is about.
    workshop_date_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("workshop_dates.id", ondelete="CASCADE")
    )
    #: The children a "promoted" message names, as comma-separated participant ids.
    participant_ids: Mapped[str] = mapped_column(sa.String(200), default="")
    status: Mapped[MailStatus] = mapped_column(
        enum_column(MailStatus), default=MailStatus.PENDING
    )
    #: Not before this time: when queued, and after a failure the next try.
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: A sender that took the message holds it until then; another sender leaves it alone.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    #: The mail server's last answer when sending failed (no address in it).
    last_error: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    registration: Mapped[Registration] = relationship()

    @property
    def participant_id_list(self) -> list[int]:
        return [int(value) for value in self.participant_ids.split(",") if value]


class MailLink(db.Model):
    """The family's link, sealed with the app's secret key, for the mails that carry it.

    Only the hash of the link opens the family page (registrations.models.hash_token); a copy
    of the database without the secret key opens none of these either.
    """

    __tablename__ = "mail_links"

    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True
    )
    sealed: Mapped[str] = mapped_column(sa.String(300))
