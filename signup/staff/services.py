"""Staff rules: who may see and do what, colleagues, login throttling, password resets, the
audit log."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..database import begin_write
from ..i18n import _l
from ..models_base import utcnow
from ..registrations.models import hash_token
from ..rules import RuleError
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
#: Why a change to an organisation's staff was refused, in words for the organiser.
COLLEAGUE_MESSAGES = {
    "already_member": _l("Diese Person gehört schon zu %(organisation)s."),
    "last_organiser": _l(
        "%(organisation)s braucht mindestens eine Leitung. "
        "Tragen Sie zuerst eine andere Person als Leitung ein."
    ),
}


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


class ColleagueError(RuleError):
    """A staff rule said no; `message` says why."""

    messages = COLLEAGUE_MESSAGES


@dataclass(frozen=True)
class AddedColleague:
    membership: Membership
    #: The one-time secret for a new account's first password; None for an existing account.
    token: str | None


def lock_organisation(session: Session, organisation_id: int) -> None:
    """Hold the organisation's row until commit, so only one transaction changes its roles."""
    begin_write(session)
    session.execute(
        sa.select(Organisation.id).where(Organisation.id == organisation_id).with_for_update()
    ).one()


def locked_membership(session: Session, membership_id: int) -> Membership | None:
    """Return the membership as it is once its organisation is locked, or None."""
    begin_write(session)
    membership = session.get(Membership, membership_id)
    if membership is None:
        return None
    lock_organisation(session, membership.organisation_id)
    return session.get(Membership, membership_id, populate_existing=True)


def add_colleague(
    session: Session,
    actor: StaffUser,
    organisation: Organisation,
    email: str,
    display_name: str,
    role: Role,
) -> AddedColleague:
    """Give a person a role in the organisation; a new account gets a link to set a password."""
    lock_organisation(session, organisation.id)
    email = email.strip().lower()
    user = session.scalar(sa.select(StaffUser).where(StaffUser.email == email))
    if user is not None and any(m.organisation_id == organisation.id for m in user.memberships):
        raise ColleagueError("already_member", organisation=organisation.name)
    token = None
    if user is None:
        # Nobody knows this password; the person sets their own through the link.
        user = create_user(session, email, display_name, secrets.token_urlsafe(32))
        token = issue_reset_link(session, user)
    membership = Membership(user=user, organisation=organisation, role=role)
    session.add(membership)
    session.flush()
    record(
        session,
        actor,
        "colleague_added",
        f"staff:{user.id}",
        organisation_id=organisation.id,
        detail=f"role: {role.value}",
    )
    return AddedColleague(membership, token)


def change_role(session: Session, actor: StaffUser, membership: Membership, role: Role) -> None:
    """Give a colleague the other role; the last organiser of an organisation stays one.

    The membership must come from locked_membership.
    """
    if membership.role == role:
        return
    before = membership.role
    if before == Role.ORGANISER:
        keep_an_organiser(session, membership)
    membership.role = role
    session.flush()
    record(
        session,
        actor,
        "role_changed",
        f"staff:{membership.user_id}",
        organisation_id=membership.organisation_id,
        detail=f"role: {before.value} → {role.value}",
    )


def remove_colleague(session: Session, actor: StaffUser, membership: Membership) -> None:
    """Take a person out of an organisation; the account and its audit trail stay.

    The membership must come from locked_membership.
    """
    if membership.role == Role.ORGANISER:
        keep_an_organiser(session, membership)
    user_id, organisation_id, role = membership.user_id, membership.organisation_id, membership.role
    session.delete(membership)
    session.flush()
    record(
        session,
        actor,
        "colleague_removed",
        f"staff:{user_id}",
        organisation_id=organisation_id,
        detail=f"role: {role.value}",
    )


def keep_an_organiser(session: Session, leaving: Membership) -> None:
    """Raise ColleagueError when no other organiser would be left in the organisation."""
    others = session.scalar(
        sa.select(sa.func.count())
        .select_from(Membership)
        .where(
            Membership.organisation_id == leaving.organisation_id,
            Membership.role == Role.ORGANISER,
            Membership.id != leaving.id,
        )
    )
    if not others:
        raise ColleagueError("last_organiser", organisation=leaving.organisation.name)


def may_issue_reset_link(actor: StaffUser, colleague: StaffUser) -> bool:
    """Whether the actor leads every organisation of the colleague.

    A reset link hands over the account, with its roles in all its organisations; an
    organiser who added someone else's account to their own organisation must not get that.
    """
    led = {o.id for o in organisations_where(actor, Role.ORGANISER)}
    return bool(colleague.memberships) and all(
        m.organisation_id in led for m in colleague.memberships
    )


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
