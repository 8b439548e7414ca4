"""Staff rules: who may see and do what, login throttling, password resets, the audit log."""

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models_base import utcnow
from ..registrations.models import hash_token
from ..workshops.models import Workshop, workshop_organisations
from .models import AuditEntry, LoginThrottle, Membership, Organisation, Role, StaffUser

#: Failures before each further attempt has to wait, the first wait, and the longest block.
FREE_FAILURES = 3
FIRST_WAIT = timedelta(seconds=5)
LONGEST_BLOCK = timedelta(minutes=15)
#: A quiet hour forgets earlier failures.
FORGET_AFTER = timedelta(hours=1)
RESET_LINK_VALID = timedelta(hours=24)
#: Looking again at the same page within this time is not logged again (a door list reloads
#: after every tap).
VIEW_LOGGED_FOR = timedelta(minutes=30)
MIN_PASSWORD_LENGTH = 10


class LoginBlocked(Exception):
    def __init__(self, until: datetime):
        super().__init__(until)
        self.until = until


def throttle_keys(email: str, address: str | None) -> list[str]:
    keys = ["account:" + email.strip().lower()[:254]]
    if address:
        keys.append("address:" + address[:60])
    return keys


def check_not_blocked(session: Session, keys: list[str], now: datetime | None = None) -> None:
    """Raise LoginBlocked while any key has to wait."""
    now = now or utcnow()
    throttles = session.scalars(sa.select(LoginThrottle).where(LoginThrottle.key.in_(keys)))
    waits = [t.locked_until for t in throttles if t.locked_until and t.locked_until > now]
    if waits:
        raise LoginBlocked(max(waits))


def record_failure(session: Session, keys: list[str], now: datetime | None = None) -> None:
    """Count a failed login; from the fourth on, each waits twice as long, up to 15 minutes."""
    now = now or utcnow()
    for key in keys:
        throttle = session.get(LoginThrottle, key)
        if throttle is None:
            throttle = LoginThrottle(key=key, failures=0, last_failure_at=now)
            session.add(throttle)
        elif now - throttle.last_failure_at > FORGET_AFTER:
            throttle.failures = 0
        throttle.failures += 1
        throttle.last_failure_at = now
        extra = throttle.failures - FREE_FAILURES
        if extra > 0:
            throttle.locked_until = now + min(LONGEST_BLOCK, FIRST_WAIT * 2 ** (extra - 1))
    session.flush()


def authenticate(
    session: Session, email: str, password: str, address: str | None, now: datetime | None = None
) -> StaffUser | None:
    """Return the active user with these credentials; count failures; raise LoginBlocked."""
    keys = throttle_keys(email, address)
    check_not_blocked(session, keys, now)
    user = session.scalar(sa.select(StaffUser).where(StaffUser.email == email.strip().lower()))
    if user is None or not user.active or not user.check_password(password):
        record_failure(session, keys, now)
        return None
    session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == keys[0]))
    return user


def create_user(
    session: Session,
    email: str,
    display_name: str,
    password: str,
    organisation: Organisation | None = None,
    role: Role = Role.ORGANISER,
) -> StaffUser:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    user = StaffUser(email=email.strip().lower(), display_name=display_name)
    user.set_password(password)
    if organisation is not None:
        user.memberships.append(Membership(organisation=organisation, role=role))
    session.add(user)
    session.flush()
    return user


def issue_reset_link(session: Session, user: StaffUser, now: datetime | None = None) -> str:
    """Return a one-time secret for a new password; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    user.reset_token_hash = hash_token(token)
    user.reset_expires_at = (now or utcnow()) + RESET_LINK_VALID
    session.flush()
    return token


def user_for_reset(session: Session, token: str, now: datetime | None = None) -> StaffUser | None:
    if not token or len(token) > 100:
        return None
    user = session.scalar(
        sa.select(StaffUser).where(StaffUser.reset_token_hash == hash_token(token))
    )
    if user is None or user.reset_expires_at is None or user.reset_expires_at < (now or utcnow()):
        return None
    return user


def set_password(session: Session, user: StaffUser, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError("password too short")
    user.set_password(password)
    user.reset_token_hash = None
    user.reset_expires_at = None
    session.flush()


def role_in(user: StaffUser, organisation_ids) -> Role | None:
    """The strongest role the user holds in any of these organisations."""
    roles = {m.role for m in user.memberships if m.organisation_id in set(organisation_ids)}
    if Role.ORGANISER in roles:
        return Role.ORGANISER
    return Role.ASSISTANT if roles else None


def role_for_workshop(user: StaffUser, workshop: Workshop) -> Role | None:
    return role_in(user, [o.id for o in workshop.organisations])


def organisations_where(user: StaffUser, role: Role | None = None) -> list[Organisation]:
    return [m.organisation for m in user.memberships if role is None or m.role == role]


def visible_workshops(session: Session, user: StaffUser) -> sa.Select:
    """Select the workshops run by any of the user's organisations (shared ones included)."""
    organisation_ids = [m.organisation_id for m in user.memberships]
    run_by_them = sa.select(workshop_organisations.c.workshop_id).where(
        workshop_organisations.c.organisation_id.in_(organisation_ids)
    )
    return sa.select(Workshop).where(Workshop.id.in_(run_by_them))


def record(
    session: Session,
    actor: StaffUser | None,
    action: str,
    subject: str,
    *,
    organisation_id: int | None = None,
    detail: str = "",
    now: datetime | None = None,
) -> AuditEntry:
    """Write one line of the audit log."""
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        action=action,
        subject=subject[:80],
        organisation_id=organisation_id,
        detail=detail,
        at=now or utcnow(),
    )
    session.add(entry)
    return entry


def record_for_workshop(
    session: Session,
    actor: StaffUser,
    action: str,
    workshop: Workshop,
    subject: str | None = None,
    detail: str = "",
) -> None:
    """Log for each organisation that runs the workshop, so each one's organisers see it."""
    subject = subject or f"workshop:{workshop.id}"
    if action.startswith("view_") and seen_lately(session, actor, action, subject, detail):
        return
    for organisation in workshop.organisations:
        record(
            session,
            actor,
            action,
            subject,
            organisation_id=organisation.id,
            detail=detail,
        )


def seen_lately(session: Session, actor: StaffUser, action: str, subject: str, detail: str) -> bool:
    """Whether this person's same look at the same thing was logged a moment ago."""
    return session.scalar(
        sa.select(
            sa.exists().where(
                AuditEntry.actor_id == actor.id,
                AuditEntry.action == action,
                AuditEntry.subject == subject[:80],
                AuditEntry.detail == detail,
                AuditEntry.at > utcnow() - VIEW_LOGGED_FOR,
            )
        )
    )
