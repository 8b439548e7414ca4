"""Printouts: time and peak memory to make the poster, the 13-language flyer and sign-in sheets.

    .venv/bin/python bench/printables.py [--repeat 15] [--json out.json]

Each renderer runs in this process on plain data (printables/data.py), in an app context for
the catalogs, as the views call them: the database query in front of a sheet is not timed.
Fonts are registered and each document rendered once before timing, so the figures are those
of a running server; the first PDF of a fresh process costs about 0.2 s more (fonts). Time is
the median of --repeat runs (wall clock); memory is the peak of Python allocations during
one run (tracemalloc), which should grow with the list and no faster.
Names on the sheets: a mix of Latin, Turkish, Cyrillic and Arabic, some with surnames, a
pick-up note on every fifth child, health flags and missing photo consents scattered.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import tracemalloc
from datetime import date
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SIGNUP_SECRET_KEY", "bench-secret-key-not-for-production")

from common import log, machine_info, table  # noqa: E402

from signup import create_app  # noqa: E402
from signup.printables import attendance, flyer  # noqa: E402
from signup.printables.data import SheetRow, Slot, Text, WorkshopInfo  # noqa: E402

TARGETS = {"poster": 0.150, "sheet-1000": 2.0}
NAMES = ("Amira", "Zeynep Yılmaz", "Jonas", "Олена Коваль", "محمد", "Elif", "Darius", "زهرا رضایی")


def workshop() -> WorkshopInfo:
    texts = {
        "de": Text("de", "KI4U: Roboter bauen und programmieren", "Drei Tage Robotik."),
        "ar": Text("ar", "KI4U: نبني روبوتات ونبرمجها", "ثلاثة أيام من الروبوتات."),
    }
    return WorkshopInfo(
        slug="ki4u",
        url="https://anmeldung.example.org/w/ki4u",
        texts=texts,
        dates=tuple(
            Slot(date(2026, 4, 13 + n), clock(10, 30), clock(14, 30), n + 1) for n in range(3)
        ),
        place_name="zdi-Zentrum Bottrop",
        place_address="Hauptstraße 1\n46236 Bottrop",
        min_age=10,
        max_age=14,
        organisers=("zdi-Zentrum Bottrop", "Kommunales Integrationszentrum Bottrop"),
        photo_uses=("internal", "website"),
        asks_health=True,
        asks_pickup=True,
    )


def rows(count: int) -> list[SheetRow]:
    made = [
        SheetRow(
            name=f"{NAMES[n % len(NAMES)]} {n}",
            age=10 + n % 5,
            phone=f"+49151{n:08d}",
            photo_ok=n % 7 != 0,
            health=n % 11 == 0,
            pickup="Mutter oder Tante Ayşe" if n % 5 == 0 else "",
        )
        for n in range(count)
    ]
    return sorted(made, key=lambda r: r.name.casefold())


def measure(render, repeat: int) -> dict:
    render()  # warm-up: fonts, caches
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        pdf = render()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    render()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "median_s": statistics.median(times),
        "max_s": max(times),
        "peak_bytes": peak,
        "pdf_bytes": len(pdf),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--json")
    args = parser.parse_args()
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    info = workshop()
    cases = {
        "poster": lambda: flyer.render_flyer(info, "poster", "de"),
        "poster-ar": lambda: flyer.render_flyer(info, "poster", "ar"),
        "flyer-13-languages": lambda: flyer.render_flyer(info, "poster", "many"),
        "handout-13-languages": lambda: flyer.render_flyer(info, "handout", "many"),
    }
    for count in (100, 500, 1000):
        listed = rows(count)
        cases[f"sheet-{count}"] = lambda listed=listed: attendance.render_sign_in_sheet(
            info, listed, info.dates[0], "de"
        )
    listed = rows(1000)
    cases["sheet-1000-all-dates"] = lambda: attendance.render_sign_in_sheet(
        info, listed, None, "de"
    )
    results = {}
    with app.app_context():
        for name, render in cases.items():
            log(f"measuring {name}")
            results[name] = measure(render, args.repeat)
    print(
        table(
            ["document", "median", "slowest", "peak memory", "PDF size", "target"],
            [
                [
                    name,
                    f"{r['median_s'] * 1000:.0f} ms",
                    f"{r['max_s'] * 1000:.0f} ms",
                    f"{r['peak_bytes'] / 1e6:.1f} MB",
                    f"{r['pdf_bytes'] / 1e3:.0f} kB",
                    f"< {TARGETS[name] * 1000:.0f} ms" if name in TARGETS else "",
                ]
                for name, r in results.items()
            ],
        )
    )
    met = all(results[name]["median_s"] < limit for name, limit in TARGETS.items())
    print(f"\nmachine: {machine_info()}\ntargets met: {met}")
    if args.json:
        Path(args.json).write_text(json.dumps({"results": results, "machine": machine_info()}))
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
