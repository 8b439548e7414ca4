"""The `signup` command: Flask's CLI for this app, plus demo, export and translate."""

import contextlib
import os
import sqlite3
import sys
from datetime import datetime
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import FlaskGroup

from .extensions import db


def main() -> None:
    from . import create_app

    FlaskGroup(create_app=create_app, help="signup: registration for free STEM workshops.")()


def init_app(app: Flask) -> None:
    app.cli.add_command(demo_command)
    app.cli.add_command(export_command)
    app.cli.add_command(user_group)
    app.cli.add_command(purge_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(send_mail_command)
    app.cli.add_command(send_reminders_command)


@click.group("user")
def user_group():
    """Manage staff accounts."""


@user_group.command("create")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True, help="The name colleagues see.")
@click.option("--organisation", "organisation_slug", help="Slug of the organisation to join.")
@click.option("--organisation-name", help="Create the organisation with this name if missing.")
@click.option("--role", type=click.Choice(["organiser", "assistant"]), default="organiser")
@click.option("--admin", is_flag=True, help="Instance administrator: sees the network report.")
@click.password_option(help="At least 10 characters; asked for when not given.")
def create_user_command(
    email, display_name, organisation_slug, organisation_name, role, admin, password
):
    """Create a staff account (the first one, or more), optionally in an organisation."""
    from .database import begin_write
    from .staff.models import Organisation, Role
    from .staff.services import create_user

    begin_write(db.session)
    organisation = None
    if organisation_slug:
        organisation = db.session.scalar(
            sa.select(Organisation).where(Organisation.slug == organisation_slug)
        )
        if organisation is None:
            if not organisation_name:
                raise click.ClickException(
                    f"no organisation {organisation_slug!r}; give --organisation-name to create it"
                )
            organisation = Organisation(slug=organisation_slug, name=organisation_name)
    try:
        user = create_user(db.session, email, display_name, password, organisation, Role(role))
        user.is_admin = admin
        db.session.commit()
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    except sa.exc.IntegrityError as error:
        raise click.ClickException(f"there is already an account for {email}") from error
    click.echo(f"Created {user.email}.")


@user_group.command("admin")
@click.argument("email")
@click.option("--off", is_flag=True, help="Take the administrator's rights away again.")
def admin_user_command(email: str, off: bool):
    """Make a staff account an instance administrator (or, with --off, no longer one)."""
    from .database import begin_write
    from .staff.models import StaffUser

    begin_write(db.session)
    user = db.session.scalar(sa.select(StaffUser).where(StaffUser.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"there is no account for {email}")
    user.is_admin = not off
    db.session.commit()
    click.echo(f"{user.email} is {'no longer ' if off else ''}an administrator.")


@click.command("demo")
def demo_command():
    """Load the demo data (safe to run again) and print the staff login."""
    from .demo import load_demo

    login = load_demo(db.session)
    db.session.commit()
    click.echo("Demo data loaded.")
    click.echo(f"Staff login: {login.email} / {login.password}")


@click.command("export")
@click.argument("slug")
def export_command(slug: str):
    """Write a workshop's participants as CSV to standard output."""
    from .registrations.export import write_participants_csv
    from .workshops.models import Workshop

    workshop = db.session.scalar(sa.select(Workshop).where(Workshop.slug == slug))
    if workshop is None:
        raise click.ClickException(f"no workshop with the slug {slug!r}")
    write_participants_csv(db.session, workshop, sys.stdout)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path):
    """Write a consistent copy of the SQLite database to PATH, while the app runs."""
    if db.engine.dialect.name != "sqlite":
        raise click.ClickException(
            "signup backup copies SQLite databases only; back up PostgreSQL with pg_dump, "
            'for example: pg_dump --format=custom --file=signup.dump "$SIGNUP_DATABASE_URL"'
        )
    try:
        tables = backup_sqlite(db.engine, path)
    except (ValueError, OSError, sqlite3.Error) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backed up {tables} tables to {path} ({path.stat().st_size} bytes).")


def backup_sqlite(engine: sa.Engine, target: Path) -> int:
    """Copy the database to target with SQLite's online backup; return its number of tables."""
    source = engine.url.database
    if not source or source == ":memory:" or engine.url.query.get("mode") == "memory":
        raise ValueError("the database lives in memory only; there is no file to back up")
    if not target.parent.is_dir():
        raise ValueError(f"there is no folder {target.parent}")
    if target.exists() and target.resolve() == Path(source).resolve():
        raise ValueError(f"{target} is the database itself")
    # Written beside the target and renamed at the end: a cron job that is interrupted
    # never leaves a half copy in place of yesterday's good one. Only the owner may read it.
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        with (
            contextlib.closing(engine.raw_connection()) as raw,
            contextlib.closing(sqlite3.connect(partial)) as copy,
        ):
            # One step holds one read snapshot: the copy is consistent, and in WAL mode the
            # app keeps writing meanwhile.
            raw.driver_connection.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
            check = copy.execute("PRAGMA quick_check").fetchone()[0]
            tables = copy.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'")
            count = tables.fetchone()[0]
        if check != "ok":
            raise ValueError(f"the copy failed its check: {check}")
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return count


def parse_moment(_context, _param, value: str | None):
    """Read --now; a time without a zone is in SIGNUP_TIMEZONE."""
    if value is None:
        return None
    from zoneinfo import ZoneInfo

    from flask import current_app

    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter("expected an ISO date or date and time") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(current_app.config["SIGNUP_TIMEZONE"]))
    return moment


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Show what would go; change nothing.")
@click.option("--now", callback=parse_moment, metavar="ISO-DATETIME", help="Act as of this time.")
def purge_command(dry_run: bool, now: datetime | None):
    """Delete personal data past its clocks, keeping anonymous counts; safe to run from cron."""
    from .registrations.privacy import PURGE_COUNTS, purge

    done = purge(db.session, now)
    if dry_run:
        db.session.rollback()
        click.echo("Dry run: nothing was changed. It would be:")
    else:
        db.session.commit()
    for name in PURGE_COUNTS:
        click.echo(f"{name}: {done[name]}")


@click.command("send-reminders")
@click.option("--now", callback=parse_moment, metavar="ISO-DATETIME", help="Act as of this time.")
def send_reminders_command(now: datetime | None):
    """Queue the day-before reminders (each family and date once); send-mail does it too."""
    queue_reminders_or_say_off(now)


@click.command("send-mail")
@click.option("--now", callback=parse_moment, metavar="ISO-DATETIME", help="Act as of this time.")
def send_mail_command(now: datetime | None):
    """Queue the reminders, then send every e-mail that is due; safe to run every minute."""
    from flask import current_app

    from .mail.sender import OUTCOMES, send_due

    if not queue_reminders_or_say_off(now):
        return
    # Links in the messages are built as if for a request to the public address.
    with current_app.test_request_context(base_url=current_app.config["SIGNUP_BASE_URL"]):
        done = send_due(db.session, now=now)
    for outcome in OUTCOMES:
        click.echo(f"{outcome}: {done[outcome]}")


def queue_reminders_or_say_off(now: datetime | None) -> bool:
    """Queue the day-before reminders and say how many; False when e-mail is off."""
    from .mail.outbox import mail_enabled, queue_reminders

    if not mail_enabled():
        click.echo("E-mail is off: SIGNUP_MAIL_HOST is not set.")
        return False
    queued = queue_reminders(db.session, now)
    db.session.commit()
    click.echo(f"reminders queued: {queued}")
    return True
