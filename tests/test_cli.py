"""The signup command: db upgrade, demo, export."""

import csv
import io
import os
import subprocess
import sys

import sqlalchemy as sa

from signup.extensions import db
from signup.registrations.export import neutralise
from signup.registrations.models import Participant, Registration
from signup.staff.models import Organisation, StaffUser
from signup.workshops.models import Workshop
from tests.factories import create_workshop, register


def counts():
    db.session.rollback()
    return [
        db.session.scalar(sa.select(sa.func.count()).select_from(m))
        for m in (Organisation, StaffUser, Workshop, Registration, Participant)
    ]


def test_demo_loads_the_article_workshops_once(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Staff login: organiser@demo.signup.example / " in result.output
    first = counts()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert counts() == first
    assert first[:3] == [2, 1, 5]
    ki4u = db.session.scalar(sa.select(Workshop).filter_by(slug="ki4u"))
    assert (ki4u.capacity, ki4u.min_age, ki4u.max_age, len(ki4u.dates)) == (25, 10, 14, 3)
    assert {(d.starts_at.strftime("%H:%M"), d.ends_at.strftime("%H:%M")) for d in ki4u.dates} == {
        ("10:30", "14:30")
    }
    robots = db.session.scalar(sa.select(Workshop).filter_by(slug="roboter"))
    assert robots.is_full and robots.waiting_count > 0


def test_export_writes_participants_as_csv(runner):
    workshop = create_workshop(capacity=1)
    register(workshop, "Amira", phone="+4915112345678")
    register(workshop, "=cmd|' /C calc'!A0", phone="+4915112345679")
    result = runner.invoke(args=["export", workshop.slug])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert {"status", "waiting_position", "first_name", "age", "registered_at", "channel"} <= set(
        rows[0]
    )
    assert [(r["status"], r["waiting_position"]) for r in rows] == [
        ("confirmed", ""),
        ("waiting", "1"),
    ]
    assert rows[0]["first_name"] == "Amira" and rows[0]["channel"] == "online"
    assert rows[1]["first_name"].startswith("'=")  # a spreadsheet shows it, never runs it
    assert rows[0]["contact_phone"] == "'+4915112345678"


def test_export_of_an_unknown_workshop_fails_clearly(runner):
    result = runner.invoke(args=["export", "nope"])
    assert result.exit_code != 0
    assert "no workshop" in result.output


def test_neutralise_leaves_plain_values_alone():
    assert neutralise("Amira") == "Amira"
    assert neutralise(None) == ""
    for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(dangerous) == "'" + dangerous


def test_signup_console_script_upgrades_and_exports(tmp_path):
    env = dict(os.environ, SIGNUP_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}")
    signup = os.path.join(os.path.dirname(sys.executable), "signup")
    for args in (["db", "upgrade"], ["demo"]):
        subprocess.run([signup, *args], env=env, check=True, capture_output=True, cwd=tmp_path)
    out = subprocess.run(
        [signup, "export", "roboter"],
        env=env,
        check=True,
        capture_output=True,
        cwd=tmp_path,
        text=True,
    ).stdout
    statuses = [row["status"] for row in csv.DictReader(io.StringIO(out))]
    assert statuses.count("confirmed") == 12 and statuses.count("waiting") == 3
