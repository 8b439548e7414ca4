"""Sending what the outbox holds: each message once, retried with back-off, given up loudly.

Two senders at once (cron on two hosts, or a run that overlaps the next) each claim a
message with one conditional UPDATE before they send it; the database lets only one of
them win. A sender that dies after claiming leaves the claim to expire (CLAIM_TIME), so the
message goes at least once; it can go twice only if the process dies between the mail
server's "OK" and the commit right after it.
"""

import logging
import smtplib
import socket
import ssl
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from ..database import begin_write
from ..models_base import utcnow
from .compose import email_for, letter_for
from .models import MailStatus, OutboxMessage
from .outbox import link_token

log = logging.getLogger(__name__)

#: Waits before the 2nd, 3rd, … try; after the last one the message is marked failed.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
#: Long enough to send one message, short enough that a crashed sender's messages go soon.
CLAIM_TIME = timedelta(minutes=5)
#: Messages read from the outbox at a time.
BATCH = 200
#: What the command prints, in this order.
OUTCOMES = ("sent", "retry later", "failed", "dropped")


class MailServerDown(Exception):
    """The mail server could not be reached or talked to: try again later."""


def connect_smtp() -> smtplib.SMTP:
    """Open a connection to the configured server (SIGNUP_MAIL_*)."""
    config = current_app.config
    host, port = config["SIGNUP_MAIL_HOST"], config["SIGNUP_MAIL_PORT"]
    timeout = config["SIGNUP_MAIL_TIMEOUT"]
    security = config["SIGNUP_MAIL_SECURITY"]
    try:
        if security == "tls":
            smtp = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
            if security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        if config["SIGNUP_MAIL_USERNAME"]:
            smtp.login(config["SIGNUP_MAIL_USERNAME"], config["SIGNUP_MAIL_PASSWORD"])
    except (OSError, smtplib.SMTPException) as error:
        raise MailServerDown(describe(error)) from error
    return smtp


def describe(error: Exception) -> str:
    """The server's answer in a line, without the address it may quote."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(error.recipients.values()), (0, b""))
        text = f"{code} {reply.decode(errors='replace')}"
    elif isinstance(error, smtplib.SMTPResponseException):
        text = f"{error.smtp_code} {error.smtp_error.decode(errors='replace')}"
    elif isinstance(error, socket.timeout | TimeoutError):
        text = "timeout"
    else:
        text = f"{type(error).__name__}: {error}"
    text = " ".join(text.split())
    return text.replace("@", " at ")[:300]


def is_permanent(error: Exception) -> bool:
    """A 5xx answer about this message (unknown address, refused): trying again won't help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _reply in error.recipients.values())
    if isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return False


def send_due(
    session: Session,
    *,
    now: datetime | None = None,
    connect: Callable[[], smtplib.SMTP] = connect_smtp,
) -> Counter:
    """Send every message that is due; return how many went, wait, failed or were dropped.

    Works through the outbox in batches until nothing is due; stops early when the mail
    server cannot be reached, so the rest wait for the next run instead of each timing out.
    """
    now = now or utcnow()
    done: Counter = Counter({outcome: 0 for outcome in OUTCOMES})
    connection = Connection(connect)
    try:
        while batch := _due(session, now):
            for message_id in batch:
                if not _claim(session, message_id, now):
                    continue  # another sender has it
                outcome = _deliver(session, message_id, now, connection)
                done[outcome] += 1
                if connection.down:
                    return done
    finally:
        connection.close()
    return done


class Connection:
    """One SMTP connection for a run, opened when the first message is ready."""

    def __init__(self, connect: Callable[[], smtplib.SMTP]):
        self.connect = connect
        self.smtp: smtplib.SMTP | None = None
        self.down = False

    def send(self, email) -> None:
        if self.smtp is None:
            try:
                self.smtp = self.connect()
            except MailServerDown:
                self.down = True
                raise
        try:
            self.smtp.send_message(email)
        except smtplib.SMTPServerDisconnected:
            self.smtp = None  # the next message opens a new one
            raise

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass


def _unclaimed(now: datetime) -> sa.ColumnElement[bool]:
    """Pending, and no sender holds it (or the one that did gave up long ago)."""
    return sa.and_(
        OutboxMessage.status == MailStatus.PENDING,
        sa.or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
    )


def _due(session: Session, now: datetime) -> list[int]:
    due = session.scalars(
        sa.select(OutboxMessage.id)
        .where(_unclaimed(now), OutboxMessage.due_at <= now)
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
        .limit(BATCH)
    ).all()
    session.commit()
    return due


def _deliver(session: Session, message_id: int, now: datetime, connection: Connection) -> str:
    """Write and send one claimed message; record and return the outcome."""
    message = session.get(OutboxMessage, message_id)
    attempts = message.attempts
    try:
        letter = letter_for(message, link_token(session, message.registration_id), now)
        email = email_for(letter) if letter else None
    except Exception:
        # One message that cannot be written must not hold up all the others.
        log.exception("mail %s could not be written", message_id)
        session.rollback()
        _finish(session, message_id, MailStatus.FAILED, now, "could not be written")
        return "failed"
    # End the read before talking to the server: the outcome is written in a write
    # transaction of its own (on SQLite a read that turns into a write can fail).
    session.commit()
    if email is None:
        _finish(session, message_id, MailStatus.DROPPED, now)
        return "dropped"
    try:
        connection.send(email)
    except MailServerDown as error:
        return _retry_later(session, message_id, attempts, str(error), now)
    except (OSError, smtplib.SMTPException) as error:
        if is_permanent(error):
            _finish(session, message_id, MailStatus.FAILED, now, describe(error))
            return "failed"
        return _retry_later(session, message_id, attempts, describe(error), now)
    _finish(session, message_id, MailStatus.SENT, now)
    return "sent"


def _claim(session: Session, message_id: int, now: datetime) -> bool:
    begin_write(session)
    claimed = session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, _unclaimed(now))
        .values(claimed_until=now + CLAIM_TIME, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    return claimed == 1


def _write(session: Session, message_id: int, **values) -> None:
    begin_write(session)
    session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(claimed_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _finish(
    session: Session,
    message_id: int,
    status: MailStatus,
    now: datetime,
    error: str | None = None,
) -> None:
    sent_at = now if status == MailStatus.SENT else None
    _write(session, message_id, status=status, last_error=error, sent_at=sent_at)
    if status == MailStatus.FAILED:
        log.warning("mail %s not delivered: %s", message_id, error)


def _retry_later(
    session: Session, message_id: int, attempts: int, error: str, now: datetime
) -> str:
    if attempts >= MAX_ATTEMPTS:
        _finish(session, message_id, MailStatus.FAILED, now, error)
        return "failed"
    _write(session, message_id, due_at=now + BACKOFF[attempts - 1], last_error=error)
    return "retry later"


def try_again(session: Session, message: OutboxMessage, now: datetime | None = None) -> bool:
    """Staff send a failed message once more: it is due now, with fresh attempts."""
    if message.status != MailStatus.FAILED:
        return False
    message.status = MailStatus.PENDING
    message.attempts = 0
    message.due_at = now or utcnow()
    message.claimed_until = None
    session.flush()
    return True
