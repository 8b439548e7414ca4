"""A burst: 500 sign-ups at the same moment for a workshop with 25 places and a waiting list.

    .venv/bin/python bench/burst.py [--backend postgresql|sqlite]... [--config sync:4]
                                    [--count 500] [--capacity 25] [--json out.json]

For every backend: a fresh database, `signup db upgrade`, `signup demo`, a workshop with 25
places (waiting list on), gunicorn. bench/loadgen.py fetches 500 forms (16 at a time), opens
500 connections and then sends the 500 POSTs together. Afterwards:
  * from the answers: 302s, errors (anything else), time until the last answer;
  * from the database: confirmed / waiting counts (overbookings = confirmed - capacity),
    waiting-list order numbers distinct and 1..475;
  * from the family pages: every /r/<token> shows "Platz sicher" or "Warteliste: Platz n",
    with 25 sure places and the positions 1..475 each exactly once.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import common
from common import ChildCpu, CpuMeter, ServerConfig, log, ms, table
from throughput import parse_config

SLUG = "burst"
#: The family page marks each child <li class="child-status confirmed|waiting|cancelled">;
#: a waiting child's <strong> carries its position ("Warteliste: Nummer 3" or so).
CHILD = re.compile(r'<li class="child-status (\w+)">(.*?)</li>', re.S)
NUMBER = re.compile(r"<strong>[^<]*?(\d+)[^<]*</strong>")


def family_status(port: int, location: str) -> str:
    """What the family page says: 'confirmed', 'waiting:<n>' or something unexpected."""
    response = common.http_request(
        "127.0.0.1", port, "GET", location, {"Accept-Language": "de"}, timeout=60
    )
    if response.status != 200:
        return f"http {response.status}"
    children = CHILD.findall(response.text())
    if len(children) != 1:
        return "unclear"
    status, inner = children[0]
    if status == "confirmed":
        return "confirmed"
    number = NUMBER.search(inner)
    if status == "waiting" and number:
        return f"waiting:{number.group(1)}"
    return "unclear"


def check_database(url: str, capacity: int) -> dict:
    rows = common.sql(
        url,
        "SELECT p.status, p.waitlist_order FROM participants p JOIN workshops w"
        " ON w.id = p.workshop_id WHERE w.slug = ? ORDER BY p.waitlist_order, p.id",
        (SLUG,),
    )
    confirmed = sum(1 for status, _ in rows if status == "confirmed")
    waiting_orders = [order for status, order in rows if status == "waiting"]
    registrations = common.sql(
        url,
        "SELECT count(*) FROM registrations r JOIN workshops w ON w.id = r.workshop_id"
        " WHERE w.slug = ?",
        (SLUG,),
    )[0][0]
    return {
        "registrations": registrations,
        "participants": len(rows),
        "confirmed": confirmed,
        "waiting": len(waiting_orders),
        "other_status": len(rows) - confirmed - len(waiting_orders),
        "overbooked": max(0, confirmed - capacity),
        "waitlist_orders_distinct": len(set(waiting_orders)) == len(waiting_orders),
        "waitlist_orders_are_1_to_n": sorted(waiting_orders)
        == list(range(1, len(waiting_orders) + 1)),
    }


def check_family_pages(port: int, locations: list[str]) -> dict:
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda loc: family_status(port, loc), locations))
    positions = sorted(int(s.split(":")[1]) for s in statuses if s.startswith("waiting:"))
    return {
        "pages": len(statuses),
        "confirmed": statuses.count("confirmed"),
        "waiting": len(positions),
        "unexpected": len(statuses) - statuses.count("confirmed") - len(positions),
        "positions_are_1_to_n": positions == list(range(1, len(positions) + 1)),
    }


def run_one(backend: str, config: ServerConfig, count: int, capacity: int) -> dict:
    with common.fresh_database(backend) as url:
        common.prepare_database(url)
        common.add_workshop(url, SLUG, capacity=capacity, waitlist=True)
        with common.gunicorn(url, config) as server:
            command = [
                common.PYTHON,
                str(common.BENCH / "loadgen.py"),
                "burst",
                "--port",
                str(server.port),
                "--slug",
                SLUG,
                "--count",
                str(count),
            ]
            common.http_request("127.0.0.1", server.port, "GET", "/w/ki4u")  # warm up
            quiet = common.wait_for_quiet()
            log(f"[{backend}] {config.label}: {count} sign-ups at once for {capacity} places")
            with ChildCpu() as client, CpuMeter(server, url) as meter:
                done = subprocess.run(command, capture_output=True, text=True, check=True)
            result = json.loads(done.stdout)
            result["cpu"] = meter.report(client.seconds)
            result["load_before"] = quiet
            result["command"] = " ".join(command[1:]).replace(str(common.ROOT) + "/", "")
            result["family_pages"] = check_family_pages(server.port, result.pop("locations"))
        result["database"] = check_database(url, capacity)
    result.update(backend=backend, config=config.label, capacity=capacity)
    waiting = count - capacity
    db, pages = result["database"], result["family_pages"]
    result["ok"] = (
        result["errors"] == 0
        and result["accepted"] == count
        and db["overbooked"] == 0
        and db["confirmed"] == capacity
        and db["waiting"] == waiting
        and db["waitlist_orders_are_1_to_n"]
        and pages["confirmed"] == capacity
        and pages["waiting"] == waiting
        and pages["positions_are_1_to_n"]
    )
    return result


def report(results: list[dict]) -> str:
    rows = []
    for r in results:
        db, pages, lat = r["database"], r["family_pages"], r["post_latency"]
        rows.append(
            [
                r["backend"],
                r["config"],
                f"{r['accepted']}/{r['count']}",
                r["errors"],
                db["overbooked"],
                db["confirmed"],
                db["waiting"],
                "yes" if db["waitlist_orders_are_1_to_n"] else "NO",
                "yes" if pages["positions_are_1_to_n"] and pages["unexpected"] == 0 else "NO",
                f"{r['seconds_until_all_answered']:.2f}",
                ms(lat["p50"]),
                ms(lat["max"]),
                "PASS" if r["ok"] else "FAIL",
            ]
        )
    return table(
        [
            "backend",
            "gunicorn",
            "302s",
            "errors",
            "overbooked",
            "confirmed",
            "waiting",
            "order 1..n (db)",
            "positions 1..n (pages)",
            "all answered after s",
            "p50 ms",
            "max ms",
            "check",
        ],
        rows,
        align="ll" + "r" * 11,
    )


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", action="append", choices=common.BACKENDS)
    parser.add_argument(
        "--config", default="sync:4", help="gunicorn worker class:workers[:threads]"
    )
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--capacity", type=int, default=25)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    common.snapshot_app()
    results = [
        run_one(backend, parse_config(args.config), args.count, args.capacity)
        for backend in args.backend or list(common.BACKENDS)
    ]
    print(report(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    sys.exit(0 if all(r["ok"] for r in main()) else 1)
