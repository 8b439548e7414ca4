"""The `signup` command: Flask's CLI for this app, plus demo, export and translate."""

import sys

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


@click.group("user")
def user_group():
    """Manage staff accounts."""


@user_group.command("create")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True, help="The name colleagues see.")
@click.option("--organisation", "organisation_slug", help="Slug of the organisation to join.")
@click.option("--organisation-name", help="Create the organisation with this name if missing.")
@click.option("--role", type=click.Choice(["organiser", "assistant"]), default="organiser")
@click.password_option(help="At least 10 characters; asked for when not given.")
def create_user_command(email, display_name, organisation_slug, organisation_name, role, password):
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
        db.session.commit()
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    except sa.exc.IntegrityError as error:
        raise click.ClickException(f"there is already an account for {email}") from error
    click.echo(f"Created {user.email}.")


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
