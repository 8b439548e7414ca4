"""Organisations and the staff who work for them."""

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..i18n import _l
from ..models_base import LabelledEnum, UTCDateTime, enum_column, utcnow


class Role(LabelledEnum):
    ORGANISER = "organiser"
    ASSISTANT = "assistant"


Role.__labels__ = {"organiser": _l("Leitung"), "assistant": _l("Assistenz")}


#: The data-protection authority for organisations in North Rhine-Westphalia.
NRW_AUTHORITY = (
    "Landesbeauftragte für Datenschutz und Informationsfreiheit Nordrhein-Westfalen, "
    "Kavalleriestraße 2–4, 40213 Düsseldorf"
)
#: Days after a workshop's last date until contact data and consents go, and health notes.
RETENTION_DAYS = 90
HEALTH_RETENTION_DAYS = 30


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Public name, printed on flyers and consent slips.
    name: Mapped[str] = mapped_column(sa.String(200))
    #: Short stable key for URLs and the command line.
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    #: What kind of body it is: zdi network, integration centre, school, association.
    kind: Mapped[str] = mapped_column(sa.String(40), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Postal address of the controller, one line per line, for the privacy notice.
    postal_address: Mapped[str] = mapped_column(sa.Text, default="")
    #: Where families write about their data.
    privacy_email: Mapped[str] = mapped_column(sa.String(254), default="")
    #: The data-protection officer's name and contact, where the organisation has one.
    dpo_contact: Mapped[str] = mapped_column(sa.Text, default="")
    #: Name and address of the authority families may complain to.
    supervisory_authority: Mapped[str] = mapped_column(sa.Text, default=NRW_AUTHORITY)
    #: Days after a workshop's last date until contact data, consents and notes are deleted.
    retention_days: Mapped[int] = mapped_column(default=RETENTION_DAYS)
    #: Days after the last date until health notes are deleted; never more than retention_days.
    health_retention_days: Mapped[int] = mapped_column(default=HEALTH_RETENTION_DAYS)
    #: Years a funder requires sign-in sheets (names and attendance) to be kept, counted to
    #: the end of the calendar year; empty where no funder asks.
    sheet_retention_years: Mapped[int | None]

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )


class StaffUser(UserMixin, db.Model):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Login name; stored lower-case.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    #: Name shown to colleagues and stored on assisted registrations.
    display_name: Mapped[str] = mapped_column(sa.String(120))
    #: Salted hash (scrypt by default); never the password.
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    #: Off-switch without deleting the person's audit trail.
    active: Mapped[bool] = mapped_column(default=True)
    #: Instance administrator: sees the network report of all organisations (no personal
    #: data); set with `signup user admin EMAIL`.
    is_admin: Mapped[bool] = mapped_column(default=False)
    #: SHA-256 of a one-time password-reset secret, and when it stops working.
    reset_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    reset_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:
        return self.active


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (sa.UniqueConstraint("user_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_users.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE")
    )
    #: What the person may do for this organisation.
    role: Mapped[Role] = mapped_column(enum_column(Role))

    user: Mapped[StaffUser] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")


class LoginThrottle(db.Model):
    """Failed logins per account or per address, to slow guessing down and then stop it."""

    __tablename__ = "login_throttles"

    #: "account:<email>" or "address:<ip>".
    key: Mapped[str] = mapped_column(sa.String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: No login for this key before then.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEntry(db.Model):
    """Who saw, exported, changed or deleted what, and when."""

    __tablename__ = "audit_entries"
    __table_args__ = (sa.Index(None, "organisation_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The staff member; empty for the family itself or the system.
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL")
    )
    #: Whose data it was: organisers of this organisation see the entry.
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE")
    )
    #: What happened, a stable verb: "view_list", "export", "change_state", "cancel" …
    action: Mapped[str] = mapped_column(sa.String(40))
    #: What it happened to: "workshop:12", "registration:40".
    subject: Mapped[str] = mapped_column(sa.String(80))
    #: Plain words for people; no personal data beyond what staff already see.
    detail: Mapped[str] = mapped_column(sa.Text, default="")

    actor: Mapped[StaffUser | None] = relationship()
