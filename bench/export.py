"""Export: time and memory of the staff download of 100,000 participants as CSV and Excel.

    .venv/bin/python bench/export.py [--rows 100000] [--small 10000] [--json out.json]

For each database (a fresh SQLite file, a fresh PostgreSQL database created and dropped here)
the schema comes from `signup db upgrade`; one organisation, one organiser and two workshops
are then bulk-inserted with plain INSERTs: ROWS participants (60 % confirmed, 35 % waiting,
5 % cancelled; some names that look like formulas; photo consents for a third; paper consent
for a tenth) and SMALL ones. Each export runs in a fresh child process through the real view
(`GET /staff/workshops/<id>/export.<fmt>`, Flask's test client, organiser logged in),
reading the streamed body chunk by chunk: once for the time, once under tracemalloc for the
peak of Python allocations. The resident set size is read from /proc/self/status: its
high-water mark (VmHWM) is reset just before the export (after a warm-up request), so
"peak RSS" is the whole process at its largest during the export and "growth" that minus the
size before. Equal figures for SMALL and ROWS mean the memory does not grow with the list.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from datetime import time as clock

import common
from common import log, table

PASSWORD = "bench password 123"
EMAIL = "export@bench.example"
LANGUAGES = ("de", "tr", "ar", "uk", "fa", "ru", "en", "pl")
BATCH = 10_000


# --------------------------------------------------------------------------- seeding


def seed(url: str, sizes: dict[str, int]) -> dict[str, int]:
    """Bulk-insert an organiser and one workshop per size; return the workshops' ids."""
    import sqlalchemy as sa

    from signup import create_app
    from signup.config import normalise_database_url
    from signup.extensions import db
    from signup.registrations.models import Consent, Participant, Registration
    from signup.staff.models import Organisation, Role
    from signup.staff.services import create_user
    from signup.workshops.models import Workshop, WorkshopDate, WorkshopStatus, WorkshopText

    app = create_app({"SQLALCHEMY_DATABASE_URI": normalise_database_url(url)})
    ids = {}
    with app.app_context():
        organisation = Organisation(slug="bench-export", name="zdi-Zentrum Export")
        create_user(db.session, EMAIL, "Bench", PASSWORD, organisation, Role.ORGANISER)
        day = datetime.now(UTC).date() + timedelta(days=30)
        for label, rows in sizes.items():
            workshop = Workshop(
                slug=f"export-{label}",
                status=WorkshopStatus.OPEN,
                capacity=int(rows * 0.6),
                min_age=6,
                max_age=14,
                place_name="Schülerlabor",
                photo_uses="internal,website",
                organisations=[organisation],
                dates=[WorkshopDate(day=day, starts_at=clock(10, 30), ends_at=clock(14, 30))],
                texts=[WorkshopText(language="de", title=f"Export {label}")],
            )
            db.session.add(workshop)
            db.session.flush()
            ids[label] = workshop.id
        db.session.commit()
        next_id = 1
        started = time.perf_counter()
        for label, rows in sizes.items():
            workshop_id = ids[label]
            for start in range(0, rows, BATCH):
                batch = range(start, min(rows, start + BATCH))
                registrations, participants, consents = [], [], []
                for i in batch:
                    rid = next_id + i
                    at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=i)
                    paper = i % 10 == 0
                    registrations.append(
                        {
                            "id": rid,
                            "workshop_id": workshop_id,
                            "token_hash": hashlib.sha256(f"t{rid}".encode()).hexdigest(),
                            "checkin_code": f"c{rid}",
                            "contact_phone": f"+49151{rid:08d}",
                            "contact_email": f"familie{rid}@example.org" if i % 3 == 0 else None,
                            "language": LANGUAGES[i % len(LANGUAGES)],
                            "channel": "paper" if paper else "online",
                            "together": False,
                            "created_at": at,
                        }
                    )
                    if i < rows * 0.6:
                        status, order = "confirmed", None
                    elif i < rows * 0.95:
                        status, order = "waiting", i
                    else:
                        status, order = "cancelled", None
                    participants.append(
                        {
                            "id": rid,
                            "registration_id": rid,
                            "workshop_id": workshop_id,
                            "first_name": "=SUM(A1:A9)" if i % 50 == 0 else f"Kind {i}",
                            "age": 6 + i % 9,
                            "headcount": 1,
                            "status": status,
                            "waitlist_order": order,
                            "created_at": at,
                            "confirmed_at": at if status == "confirmed" else None,
                        }
                    )
                    channel = "paper" if paper else "online"
                    for purpose in ["participation"] + (
                        ["photo_internal", "photo_website"] if i % 3 == 0 else []
                    ):
                        consents.append(
                            {
                                "registration_id": rid,
                                "purpose": purpose,
                                "text_version": "bench",
                                "language": "de",
                                "channel": channel,
                                "given_at": at,
                            }
                        )
                with db.engine.begin() as connection:
                    connection.execute(sa.insert(Registration.__table__), registrations)
                    connection.execute(sa.insert(Participant.__table__), participants)
                    connection.execute(sa.insert(Consent.__table__), consents)
            next_id += rows
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                for table_name in ("registrations", "participants"):
                    connection.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{table_name}', 'id'), "
                            f"(SELECT max(id) FROM {table_name}))"
                        )
                    )
            connection.execute(sa.text("ANALYZE"))
        seconds = time.perf_counter() - started
        log(f"  seeded {sum(sizes.values()):,} participants in {seconds:.1f} s")
        db.engine.dispose()
    return ids


# --------------------------------------------------------------------------- measuring (child)


def memory_kib(field: str) -> int:
    with open("/proc/self/status") as fh:
        return int(re.search(rf"{field}:\s+(\d+)", fh.read()).group(1))


def reset_peak() -> None:
    """Start the high-water mark afresh from the current size (Linux 4.0 and later)."""
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")


def measure(url: str, workshop_id: int, fmt: str, trace: bool) -> dict:
    """Export once through the view in this (fresh) process; return time, bytes and memory."""
    from signup import create_app
    from signup.config import normalise_database_url

    app = create_app({"SQLALCHEMY_DATABASE_URI": normalise_database_url(url)})
    client = app.test_client()
    html = client.get("/staff/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    response = client.post(
        "/staff/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, response.status_code
    # Warm up: imports, templates, openpyxl, connections.
    client.get(f"/staff/workshops/{workshop_id}/registrations").close()
    warm = client.get(f"/staff/workshops/{workshop_id}/export.{fmt}?q=nobody")
    b"".join(warm.response)
    warm.close()
    reset_peak()
    rss_before = memory_kib("VmRSS")
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    response = client.get(f"/staff/workshops/{workshop_id}/export.{fmt}", buffered=False)
    first_byte = None
    size = lines = 0
    for chunk in response.response:
        if first_byte is None:
            first_byte = time.perf_counter() - started
        size += len(chunk)
        lines += chunk.count(b"\n")
    response.close()
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if trace else None
    if trace:
        tracemalloc.stop()
    assert response.status_code == 200, response.status_code
    return {
        "seconds": elapsed,
        "first_byte": first_byte,
        "bytes": size,
        "csv_lines": lines if fmt == "csv" else None,
        "rss_peak_kib": memory_kib("VmHWM"),
        "rss_growth_kib": memory_kib("VmHWM") - rss_before,
        "tracemalloc_peak": peak,
    }


def run_child(url: str, workshop_id: int, fmt: str, trace: bool) -> dict:
    args = [common.PYTHON, __file__, "--measure", url, str(workshop_id), fmt]
    done = subprocess.run(
        args + (["--trace"] if trace else []),
        cwd=common.APP_DIR,
        env=common.app_env(url),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--backend", choices=common.BACKENDS, action="append")
    parser.add_argument("--json")
    parser.add_argument("--measure", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    common.snapshot_app()
    if args.measure:
        url, workshop_id, fmt = args.measure
        print(json.dumps(measure(url, int(workshop_id), fmt, args.trace)))
        return

    sizes = {"small": args.small, "large": args.rows}
    results = []
    for backend in args.backend or common.BACKENDS:
        with common.fresh_database(backend) as url:
            log(f"{backend}: migrating and seeding")
            common.prepare_database(url, demo=False)
            ids = seed(url, sizes)
            for label, rows in sizes.items():
                for fmt in ("csv", "xlsx"):
                    log(f"  export {fmt} of {rows:,} rows")
                    timed = run_child(url, ids[label], fmt, trace=False)
                    traced = run_child(url, ids[label], fmt, trace=True)
                    if fmt == "csv" and timed["csv_lines"] != rows + 1:
                        raise RuntimeError(f"expected {rows + 1} CSV lines, got {timed}")
                    results.append(
                        {
                            "backend": backend,
                            "rows": rows,
                            "format": fmt,
                            **timed,
                            "tracemalloc_peak": traced["tracemalloc_peak"],
                        }
                    )

    print(f"Export of participants ({common.app_state()})\n")
    print(
        table(
            [
                "database",
                "format",
                "rows",
                "seconds",
                "rows/s",
                "first byte ms",
                "file MB",
                "peak RSS MiB",
                "RSS growth MiB",
                "tracemalloc peak MiB",
            ],
            [
                [
                    r["backend"],
                    r["format"],
                    f"{r['rows']:,}",
                    f"{r['seconds']:.2f}",
                    f"{r['rows'] / r['seconds']:,.0f}",
                    f"{r['first_byte'] * 1000:.0f}",
                    f"{r['bytes'] / 1e6:.1f}",
                    f"{r['rss_peak_kib'] / 1024:.1f}",
                    f"{r['rss_growth_kib'] / 1024:.1f}",
                    f"{r['tracemalloc_peak'] / 2**20:.1f}",
                ]
                for r in results
            ],
            align="llrrrrrrrr",
        )
    )
    if args.json:
        machine = common.machine_info()
        with open(args.json, "w") as fh:
            json.dump(
                {"machine": machine, "app": common.app_state(), "results": results}, fh, indent=2
            )


if __name__ == "__main__":
    sys.exit(main())
