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
