"""Reports: time to show a workshop's report for 10,000 registrations, live and after the purge.

    .venv/bin/python bench/reports.py [--backend sqlite|postgresql]... [--count 10000]
                                      [--repeat 7] [--json out.json]

For each database a fresh one is migrated and filled with one past workshop (three dates) of
--count registrations, one child each (9 % waiting, 5 % cancelled, 70 % present per date,
gender and school year asked, five languages, four channels), plus an earlier workshop of the
same organisation that 1,000 of the families came to before (for "first time"). Rows go in
with bulk INSERTs; the rules are not timed here.

Then, in this process, through the app's test client with a logged-in organiser, as a browser
would ask: the report page (HTML with its seven SVG charts), the PDF and the CSV, and the
organisation's report for the year. First "live" (every figure worked out from the stored
registrations with stats.tally), then after `purge` (every registration counted and deleted,
the figures read from the kept counts). Time is the median of --repeat requests after one
warm-up (wall clock, the whole request: queries, figures, template or PDF). The purge of the
10,000 registrations is timed once. Exit status 1 if the report page misses its target.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SIGNUP_SECRET_KEY", "bench-secret-key-not-for-production")

from common import BACKENDS, fresh_database, log, machine_info, table  # noqa: E402

#: The report page for 10,000 registrations, whole request.
TARGET_S = 1.0
LANGUAGES = ("de", "tr", "ar", "uk", "fa")
CHANNELS = ("online", "assisted", "paper", "online")
GENDERS = ("female", "male", "female", "male", "diverse", "undisclosed", "")


def fill(app, count: int) -> dict:
    """Create the organisation, an organiser, the workshops and the registrations."""
    import sqlalchemy as sa

    from signup.extensions import db
    from signup.registrations.models import Attendance, Participant, Registration
    from signup.staff.models import Organisation
    from signup.staff.services import create_user
    from signup.workshops.models import Workshop, WorkshopDate, WorkshopText

    with app.app_context():
        organisation = Organisation(name="zdi-Zentrum Bench", slug="bench")
        db.session.add(organisation)
        user = create_user(
            db.session, "bench@zdi.example", "Bench", "a long password", organisation
        )
        first = date.today() - timedelta(days=200)
        workshops = []
        for slug, day in (("earlier", first - timedelta(days=120)), ("big", first)):
            workshop = Workshop(
                slug=slug,
                capacity=count,
                min_age=6,
                max_age=16,
                place_name="Campus",
                optional_fields="gender,school_year",
                organisations=[organisation],
                dates=[
                    WorkshopDate(
                        day=day + timedelta(days=n), starts_at=clock(10), ends_at=clock(14)
                    )
                    for n in range(3)
                ],
                texts=[WorkshopText(language="de", title=f"Bench {slug}")],
            )
            db.session.add(workshop)
            workshops.append(workshop)
        db.session.commit()
        earlier, big = workshops
        signed_up = datetime.combine(first - timedelta(days=30), clock(9), tzinfo=UTC)
        _insert(db, Registration, Participant, earlier, 1000, signed_up - timedelta(days=150))
        ids = _insert(db, Registration, Participant, big, count, signed_up)
        # Children with a place: 70 % on each date, one in twenty never.
        present = [
            {"participant_id": pid, "workshop_date_id": d.id, "marked_at": signed_up}
            for n, pid in enumerate(ids)
            for i, d in enumerate(big.dates)
            if status_of(n) == "confirmed" and n % 20 != 0 and (n + i) % 10 < 7
        ]
        for start in range(0, len(present), 5000):
            db.session.execute(sa.insert(Attendance), present[start : start + 5000])
        db.session.commit()
        result = {"workshop_id": big.id, "organisation_id": organisation.id, "user_id": user.id}
        result["attendances"] = len(present)
        db.session.remove()
        return result


def status_of(n: int) -> str:
    return "cancelled" if n % 20 == 19 else "waiting" if n % 11 == 10 else "confirmed"


def _insert(db, Registration, Participant, workshop, count: int, start: datetime) -> list[int]:
    """Insert `count` one-child registrations; return the participants' ids."""
    import sqlalchemy as sa

    registrations = [
        {
            "workshop_id": workshop.id,
            "token_hash": secrets.token_hex(32),
            "contact_phone": f"+49151{n:08d}",
            "language": LANGUAGES[n % len(LANGUAGES)],
            "channel": CHANNELS[n % len(CHANNELS)],
            "together": False,
            "created_at": start + timedelta(seconds=30 * n),
        }
        for n in range(count)
    ]
    ids = []
    for begin in range(0, count, 2000):
        chunk = registrations[begin : begin + 2000]
        ids += db.session.scalars(
            sa.insert(Registration).returning(Registration.id, sort_by_parameter_order=True),
            chunk,
        ).all()
    participants = []
    for n, (registration_id, row) in enumerate(zip(ids, registrations, strict=True)):
        status = status_of(n)
        participants.append(
            {
                "registration_id": registration_id,
                "workshop_id": workshop.id,
                "first_name": f"Kind{n}",
                "age": 6 + n % 11,
                "headcount": 1,
                "gender": GENDERS[n % len(GENDERS)] or None,
                "school_year": f"{1 + n % 10}{'abc'[n % 3]}",
                "status": status,
                "waitlist_order": n if status == "waiting" else None,
                "created_at": row["created_at"],
                "confirmed_at": row["created_at"] if status == "confirmed" else None,
                "cancelled_at": row["created_at"] + timedelta(days=3)
                if status == "cancelled"
                else None,
            }
        )
    pids = []
    for begin in range(0, count, 2000):
        pids += db.session.scalars(
            sa.insert(Participant).returning(Participant.id, sort_by_parameter_order=True),
            participants[begin : begin + 2000],
        ).all()
    db.session.commit()
    return pids


def timed(client, url: str, repeat: int) -> dict:
    response = client.get(url)  # warm-up: templates, fonts
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(repeat):
        begin = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - begin)
    return {"median_s": statistics.median(times), "max_s": max(times), "bytes": len(response.data)}


def run(backend: str, count: int, repeat: int) -> dict:
    from flask_migrate import upgrade

    from signup import create_app
    from signup.extensions import db
    from signup.registrations import privacy

    with fresh_database(backend) as url:
        config = {"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False}
        app = create_app(config)
        with app.app_context():
            upgrade()
        log(f"{backend}: filling {count} registrations")
        made = fill(app, count)
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(made["user_id"])
            session["_fresh"] = True
        year = (date.today() - timedelta(days=200)).year
        urls = {
            "report page": f"/staff/workshops/{made['workshop_id']}/report",
            "report PDF": f"/staff/workshops/{made['workshop_id']}/report.pdf",
            "report CSV": f"/staff/workshops/{made['workshop_id']}/report.csv",
            "organisation, year": f"/staff/organisations/{made['organisation_id']}/report"
            f"?from={year}-01-01&to={year}-12-31",
        }
        result = {"live": {}, "counted": {}}
        for name, url_path in urls.items():
            log(f"{backend}: live {name}")
            result["live"][name] = timed(client, url_path, repeat)
        with app.app_context():
            begin = time.perf_counter()
            privacy.purge(db.session, datetime.now(UTC) + timedelta(days=3 * 365))
            db.session.commit()
            result["purge_s"] = time.perf_counter() - begin
            db.session.remove()
        for name, url_path in urls.items():
            log(f"{backend}: counted {name}")
            result["counted"][name] = timed(client, url_path, repeat)
        with app.app_context():
            db.engine.dispose()
        result["attendances"] = made["attendances"]
        return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", action="append", choices=BACKENDS)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    results = {
        backend: run(backend, args.count, args.repeat) for backend in args.backend or BACKENDS
    }
    rows = []
    for backend, result in results.items():
        for state in ("live", "counted"):
            for name, r in result[state].items():
                target = f"< {TARGET_S:.0f} s" if name == "report page" else ""
                rows.append(
                    [
                        backend,
                        state,
                        name,
                        f"{r['median_s'] * 1000:.0f} ms",
                        f"{r['max_s'] * 1000:.0f} ms",
                        f"{r['bytes'] / 1e3:.0f} kB",
                        target,
                    ]
                )
    print(table(["database", "figures", "request", "median", "slowest", "size", "target"], rows))
    for backend, result in results.items():
        print(
            f"\n{backend}: purge counted and deleted {args.count:,} registrations "
            f"({result['attendances']:,} attendances) in {result['purge_s']:.1f} s"
        )
    met = all(
        result[state]["report page"]["median_s"] < TARGET_S
        for result in results.values()
        for state in ("live", "counted")
    )
    print(f"\nmachine: {machine_info()}\ntargets met: {met}")
    if args.json:
        Path(args.json).write_text(json.dumps({"results": results, "machine": machine_info()}))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
