"""Where a request's time goes: the workshop page GET and a sign-up POST, profiled in-process.

    .venv/bin/python bench/profile_app.py [--backend postgresql|sqlite] [-n 200] [--pstats DIR]
                                          [--scaling]

Runs the app through Flask's test client (no gunicorn, no network) on a fresh database with
the demo data and a workshop with 1,000,000 places. Prints, per request type: CPU ms per
request without the profiler, SQL statements per request, and the share of profiled time
spent in the app's main steps (cProfile, standard library). --scaling also measures how the
cost grows with the number of participants already in the workshop.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

import common
from common import log, table

SLUG = "profile"

LOAD_WORKSHOP = "load workshop + texts/dates/organisations (SQL)"
# (label, file suffix, function name): cumulative time of these, as a share of the request.
STEPS_GET = [
    (LOAD_WORKSHOP, "workshops/views.py", "get_public_workshop"),
    ("SignupForm() (WTForms fields, CSRF token)", "registrations/forms.py", "__init__"),
    ("render_template (Jinja2, Babel)", "flask/templating.py", "render_template"),
    ("compression (Flask-Compress)", "flask_compress/flask_compress.py", "after_request"),
    ("session cookie (itsdangerous)", "flask/sessions.py", "save_session"),
    ("pool checkout incl. pre-ping", "sqlalchemy/pool/base.py", "_checkout"),
]
STEPS_POST = [
    (LOAD_WORKSHOP, "workshops/views.py", "get_public_workshop"),
    ("SignupForm() (WTForms fields)", "registrations/forms.py", "__init__"),
    ("form.validate() (CSRF, phonenumbers)", "registrations/forms.py", "validate"),
    ("services.register total", "registrations/services.py", "register"),
    ("  session.refresh(workshop) (+3 relationship loads)", "sqlalchemy/orm/session.py", "refresh"),
    ("  _split_known_children", "registrations/services.py", "_split_known_children"),
    ("  promote_waiting", "registrations/services.py", "promote_waiting"),
    ("  count_confirmed", "registrations/services.py", "count_confirmed"),
    ("  flush (INSERTs)", "sqlalchemy/orm/session.py", "_flush"),
    ("commit", "sqlalchemy/orm/session.py", "commit"),
    (
        "redirect_to_family_page (reloads registration)",
        "workshops/views.py",
        "redirect_to_family_page",
    ),
    ("session cookie (itsdangerous)", "flask/sessions.py", "save_session"),
    ("pool checkout incl. pre-ping", "sqlalchemy/pool/base.py", "_checkout"),
]
CSRF = re.compile(rb'name="csrf_token" type="hidden" value="([^"]+)"')
SUBMISSION = re.compile(rb'name="submission_id" type="hidden" value="([^"]+)"')


class App:
    """The app in this process, with a counter of SQL statements."""

    def __init__(self, url: str):
        os.environ.update(common.app_env(url))
        import sqlalchemy as sa

        from signup import create_app
        from signup.extensions import db

        self.app = create_app()
        self.statements = 0
        with self.app.app_context():
            self.engine = db.engine
        sa.event.listen(self.engine, "before_cursor_execute", self._count)
        # The write lock a sign-up holds: BEGIN IMMEDIATE (SQLite: the whole database) or
        # SELECT ... FOR UPDATE on the workshop row (PostgreSQL), until commit or rollback.
        self.log: list[str] | None = None
        self.lock_started: float | None = None
        self.lock_holds: list[float] = []
        sa.event.listen(sa.orm.Session, "after_commit", self._lock_released)
        sa.event.listen(sa.orm.Session, "after_rollback", self._lock_released)
        self.client = self.app.test_client()
        self.phone = 30_000_000

    def _count(self, _conn, _cursor, statement, *args, **kwargs) -> None:
        self.statements += 1
        if self.log is not None:
            self.log.append(statement)
        if self.lock_started is None and (
            statement.startswith("BEGIN IMMEDIATE") or "FOR UPDATE" in statement
        ):
            self.lock_started = time.perf_counter()

    def _lock_released(self, _session) -> None:
        if self.lock_started is not None:
            self.lock_holds.append(time.perf_counter() - self.lock_started)
            self.lock_started = None

    def get(self, slug: str = SLUG) -> bytes:
        self.client.delete_cookie("session")
        response = self.client.get(f"/w/{slug}", headers={"Accept-Encoding": "br, gzip"})
        assert response.status_code == 200, response.status_code
        return (
            self.client.get(f"/w/{slug}").get_data()
            if response.headers.get("Content-Encoding")
            else response.get_data()
        )

    def form(self) -> dict:
        self.client.delete_cookie("session")
        html = self.client.get(f"/w/{SLUG}").get_data()
        self.phone += 1
        return {
            "csrf_token": CSRF.search(html).group(1).decode(),
            "submission_id": SUBMISSION.search(html).group(1).decode(),
            "children-0-first_name": "Amira",
            "children-0-age": "9",
            "phone": f"+49151{self.phone:08d}",
            "consent_participation": "y",
            "submit": "1",
        }

    def post(self, data: dict) -> None:
        response = self.client.post(f"/w/{SLUG}", data=data)
        assert response.status_code == 302, response.status_code

    def close(self) -> None:
        self.engine.dispose()


def measure_get(app: App, n: int) -> dict:
    cpu, statements = [], []
    for _ in range(n):
        before_statements = app.statements
        t0 = time.process_time()
        app.client.delete_cookie("session")
        response = app.client.get(f"/w/{SLUG}", headers={"Accept-Encoding": "br, gzip"})
        cpu.append(time.process_time() - t0)
        statements.append(app.statements - before_statements)
        assert response.status_code == 200
    return {"cpu_ms": 1000 * statistics.median(cpu), "statements": statistics.median(statements)}


def measure_post(app: App, n: int) -> dict:
    cpu, wall, statements = [], [], []
    app.lock_holds.clear()
    for _ in range(n):
        data = app.form()
        before_statements = app.statements
        t0, w0 = time.process_time(), time.perf_counter()
        app.post(data)
        cpu.append(time.process_time() - t0)
        wall.append(time.perf_counter() - w0)
        statements.append(app.statements - before_statements)
    holds = sorted(app.lock_holds)
    return {
        "cpu_ms": 1000 * statistics.median(cpu),
        "wall_ms": 1000 * statistics.median(wall),
        "statements": statistics.median(statements),
        "lock_ms": 1000 * statistics.median(holds) if holds else None,
        "lock_p90_ms": 1000 * holds[int(0.9 * (len(holds) - 1))] if holds else None,
        "locks_per_post": len(holds) / n,
    }


def condense(statement: str) -> str:
    """One line per statement: verb and tables, with subqueries and FOR UPDATE marked."""
    text = " ".join(statement.split())
    verb = text.split(" ", 1)[0]
    if verb in {"BEGIN", "COMMIT", "ROLLBACK"}:
        return text[:40]
    subqueries = []
    while (start := text.find("(SELECT ")) >= 0:  # cut out each "(SELECT ...)" with its depth
        depth, end = 0, start
        for end in range(start, len(text)):
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            if depth == 0:
                break
        inner = text[start + 8 : end]
        function = re.match(r"(\w+)\(", inner)
        table = re.search(r"\bFROM\s+(\w+)", inner)
        subqueries.append(
            f"{function.group(1) if function else 'select'}() on {table.group(1) if table else '?'}"
        )
        text = text[:start] + "_" + text[end + 1 :]
    tables = list(dict.fromkeys(re.findall(r"\b(?:FROM|INTO|UPDATE|JOIN)\s+\(?(\w+)", text)))
    marks = []
    aggregate = re.match(r"SELECT (\w+)\(", text)
    if aggregate:
        marks.append(aggregate.group(1) + "()")
    if subqueries:
        kinds = sorted(set(subqueries))
        marks.append(f"+ {len(subqueries)} correlated subqueries: {', '.join(kinds)}")
    if "FOR UPDATE" in text:
        marks.append("FOR UPDATE")
    return f"{verb} {', '.join(tables)}" + (f" [{'; '.join(marks)}]" if marks else "")


def statements_of(app: App) -> tuple[list[str], list[str]]:
    """The SQL of one workshop-page GET and of one sign-up POST, condensed."""
    app.log = []
    app.client.delete_cookie("session")
    app.client.get(f"/w/{SLUG}")
    get, app.log = app.log, None
    data = app.form()
    app.log = []
    app.post(data)
    post, app.log = app.log, None
    return [condense(s) for s in get], [condense(s) for s in post]


def profile(app: App, n: int, kind: str, pstats_dir: Path | None) -> pstats.Stats:
    profiler = cProfile.Profile()
    if kind == "GET":
        for _ in range(n):
            app.client.delete_cookie("session")
            profiler.enable()
            app.client.get(f"/w/{SLUG}", headers={"Accept-Encoding": "br, gzip"})
            profiler.disable()
    else:
        for _ in range(n):
            data = app.form()
            profiler.enable()
            app.post(data)
            profiler.disable()
    stats = pstats.Stats(profiler)
    if pstats_dir:
        pstats_dir.mkdir(parents=True, exist_ok=True)
        stats.dump_stats(pstats_dir / f"{kind.lower()}.pstats")
    return stats


def step_shares(stats: pstats.Stats, steps) -> tuple[float, list[list[str]]]:
    total = 0.0
    for (filename, _line, name), row in stats.stats.items():
        if filename.endswith("flask/app.py") and name == "wsgi_app":
            total = row[3]
    rows = []
    for label, suffix, name in steps:
        found = [
            row[3]
            for (filename, _line, fname), row in stats.stats.items()
            if filename.endswith(suffix) and fname == name
        ]
        share = f"{100 * sum(found) / total:.0f}%" if total and found else "not called"
        rows.append([label, share])
    return total, rows


def top_functions(stats: pstats.Stats, limit: int = 12) -> list[list[str]]:
    """The functions with the most own time, excluding the profiler's own noise."""
    items = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:limit]
    total = sum(row[2] for row in stats.stats.values())
    rows = []
    for (filename, line, name), row in items:
        short = re.sub(r".*/site-packages/", "", filename).replace(str(common.ROOT) + "/", "")
        rows.append([f"{short}:{line}({name})", f"{row[1]}", f"{100 * row[2] / total:.1f}%"])
    return rows


def add_participants(url: str, count: int, offset: int) -> None:
    """Put `count` confirmed participants into the workshop straight through SQL."""
    import sqlalchemy as sa

    from signup.config import normalise_database_url

    engine = sa.create_engine(normalise_database_url(url))
    with engine.begin() as conn:
        workshop_id = conn.execute(
            sa.text("SELECT id FROM workshops WHERE slug = :s"), {"s": SLUG}
        ).scalar_one()
        for start in range(offset, offset + count, 5000):
            batch = range(start, min(offset + count, start + 5000))
            conn.execute(
                sa.text(
                    "INSERT INTO registrations (workshop_id, token_hash, contact_phone, language,"
                    " channel, together, created_at) VALUES (:w, :t, :p, 'de', 'online', false,"
                    " CURRENT_TIMESTAMP)"
                ),
                [{"w": workshop_id, "t": f"bulk{i:060d}", "p": f"+4917{i:09d}"} for i in batch],
            )
        conn.execute(
            sa.text(
                "INSERT INTO participants (registration_id, workshop_id, first_name, age, status,"
                " created_at, confirmed_at) SELECT id, workshop_id, 'Kind', 9, 'confirmed',"
                " created_at, created_at FROM registrations WHERE token_hash LIKE 'bulk%'"
                " AND id NOT IN (SELECT registration_id FROM participants)"
            )
        )
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("ANALYZE"))
    engine.dispose()


def run(backend: str, n: int, pstats_dir: Path | None, scaling: bool) -> str:
    out = []
    with common.fresh_database(backend) as url:
        common.prepare_database(url)
        common.add_workshop(url, SLUG, capacity=1_000_000)
        app = App(url)
        try:
            for _ in range(30):  # warm-up: templates compiled, pool filled, catalogs loaded
                app.post(app.form())
            get = measure_get(app, n)
            post = measure_post(app, n)
            out.append(f"### {backend}: cost per request (in-process, median of {n})\n")
            out.append(
                table(
                    ["request", "CPU ms", "SQL statements"],
                    [
                        ["GET /w/<slug> (br)", f"{get['cpu_ms']:.1f}", f"{get['statements']:.0f}"],
                        [
                            "POST /w/<slug> (sign-up)",
                            f"{post['cpu_ms']:.1f}",
                            f"{post['statements']:.0f}",
                        ],
                    ],
                )
            )
            if backend == "sqlite":
                lock, scope = "BEGIN IMMEDIATE, taken before the view runs", "the whole app"
            else:
                lock, scope = "SELECT ... FOR UPDATE on the workshop row", "one workshop"
            out.append(
                f"\nA sign-up POST takes {post['wall_ms']:.1f} ms wall time on an idle server;"
                f" it holds the write lock ({lock}) for {post['lock_ms']:.1f} ms (median; p90"
                f" {post['lock_p90_ms']:.1f} ms) until commit. Sign-ups needing the same lock"
                f" run one after another, so {scope} takes at most about"
                f" {1000 / post['lock_ms']:.0f} sign-ups/s on this machine, however many workers"
                f" or cores serve it (and less under load, when the lock holder shares the CPU)."
            )
            get_sql, post_sql = statements_of(app)
            out.append("\nSQL of one GET: " + " | ".join(get_sql))
            out.append("\nSQL of one sign-up POST:\n")
            out.extend(f"{i}. {text}" for i, text in enumerate(post_sql, 1))
            for kind, steps in (("GET", STEPS_GET), ("POST", STEPS_POST)):
                stats = profile(app, n, kind, pstats_dir and pstats_dir / backend)
                total, rows = step_shares(stats, steps)
                out.append(
                    f"\n{kind}: share of profiled request time ({1000 * total / n:.1f} ms "
                    "per request under cProfile)\n"
                )
                out.append(table(["step", "share"], rows))
                out.append(f"\n{kind}: functions with the most own time\n")
                out.append(table(["function", "calls", "own time"], top_functions(stats)))
            if scaling:
                out.append(f"\n{backend}: cost against participants already in the workshop\n")
                rows = []
                present = 30 + 3 * n + n  # warm-up, measured and profiled sign-ups
                for target in (0, 10_000, 100_000):
                    if target > present:
                        app.close()
                        add_participants(url, target - present, offset=present)
                        present = target
                        app = App(url)
                        for _ in range(10):
                            app.post(app.form())
                    get = measure_get(app, max(20, n // 4))
                    post = measure_post(app, max(20, n // 4))
                    rows.append([f"{present:,}", f"{get['cpu_ms']:.1f}", f"{post['cpu_ms']:.1f}"])
                out.append(table(["participants", "GET CPU ms", "POST CPU ms"], rows))
        finally:
            app.close()
    return "\n".join(out)


def main(argv=None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", action="append", choices=common.BACKENDS)
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--pstats", type=Path, help="also write .pstats files here")
    parser.add_argument("--scaling", action="store_true")
    args = parser.parse_args(argv)
    common.snapshot_app()
    parts = []
    for backend in args.backend or list(common.BACKENDS):
        log(f"[{backend}] profiling")
        common.wait_for_quiet()
        parts.append(run(backend, args.n, args.pstats, args.scaling))
    text = "\n\n".join(parts)
    print(text)
    return text


if __name__ == "__main__":
    main()
    sys.exit(0)
