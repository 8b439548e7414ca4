"""Sign-up load generator: real GET + POST per sign-up, over plain HTTP/1.1 on asyncio.

    python bench/loadgen.py signups --port P --slug S [--concurrency 16] [--duration 10]
    python bench/loadgen.py burst   --port P --slug S [--count 500]

Each sign-up is one family: GET /w/<slug> without a cookie, take the session cookie, the
CSRF token and the submission id from that answer, then POST the form with that cookie.
Only a 302 to /r/<token> counts as success; any other answer or a socket error is an error.
Results go to stdout as JSON. The client is one process and one thread, parses with a few
regular expressions and nothing else, so it leaves as much CPU as it can to the server.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import re
import sys
import time
from urllib.parse import quote

COOKIE = re.compile(rb"session=([^;]+)")
CSRF = re.compile(rb'name="csrf_token" type="hidden" value="([^"]+)"')
SUBMISSION = re.compile(rb'name="submission_id" type="hidden" value="([^"]+)"')
NAMES = ["Amira", "Jonas", "Elif", "Mohammed", "Sofia", "Yusuf", "Lena", "Darya", "Emre", "Hanna"]


class HttpError(Exception):
    pass


class Connection:
    """One keep-alive connection that reopens itself when the server closes it."""

    def __init__(self, host: str, port: int, accept_encoding: str | None):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.accept_encoding = accept_encoding

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    def build(self, method: str, path: str, cookie: bytes | None = None, body: bytes = b""):
        head = [f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n".encode()]
        head.append(b"User-Agent: signup-bench\r\nAccept: text/html\r\n")
        if self.accept_encoding:
            head.append(f"Accept-Encoding: {self.accept_encoding}\r\n".encode())
        if cookie:
            head.append(b"Cookie: session=" + cookie + b"\r\n")
        if method == "POST":
            head.append(b"Content-Type: application/x-www-form-urlencoded\r\n")
            head.append(f"Content-Length: {len(body)}\r\n".encode())
        head.append(b"\r\n")
        return b"".join(head) + body

    async def send(self, request: bytes) -> None:
        if self.writer is None:
            await self.open()
        self.writer.write(request)

    async def receive(self) -> tuple[int, dict[bytes, bytes], bytes]:
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        headers: dict[bytes, bytes] = {}
        for line in lines[1:]:
            if line:
                key, _, value = line.partition(b":")
                headers[key.strip().lower()] = value.strip()
        if b"content-length" in headers:
            body = await self.reader.readexactly(int(headers[b"content-length"]))
        elif headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            body = await self._read_chunked()
        else:
            body = await self.reader.read()
            headers[b"connection"] = b"close"
        if headers.get(b"connection", b"").lower() == b"close":
            self.close()
        return status, headers, body

    async def _read_chunked(self) -> bytes:
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)

    async def request(self, method, path, cookie=None, body=b""):
        request = self.build(method, path, cookie, body)
        try:
            await self.send(request)
            return await self.receive()
        except (ConnectionError, asyncio.IncompleteReadError) as error:
            # A kept-alive connection the server closed meanwhile: retry once on a new one.
            self.close()
            if isinstance(error, asyncio.IncompleteReadError) and error.partial:
                raise
            await self.send(request)
            return await self.receive()


def decode(headers: dict[bytes, bytes], body: bytes) -> bytes:
    encoding = headers.get(b"content-encoding")
    if encoding == b"br":
        import brotli

        return brotli.decompress(body)
    if encoding == b"gzip":
        import gzip

        return gzip.decompress(body)
    return body


def form_for(status: int, headers: dict[bytes, bytes], body: bytes) -> tuple[bytes, str, str]:
    """Take the session cookie, CSRF token and submission id from the form page."""
    if status != 200:
        raise HttpError(f"GET form: {status}")
    cookie = COOKIE.search(headers.get(b"set-cookie", b""))
    html = decode(headers, body)
    csrf, submission = CSRF.search(html), SUBMISSION.search(html)
    if not (cookie and csrf and submission):
        raise HttpError("GET form: no cookie, token or submission id")
    return cookie.group(1), csrf.group(1).decode(), submission.group(1).decode()


def signup_body(csrf: str, submission: str, number: int) -> bytes:
    fields = [
        ("csrf_token", csrf),
        ("submission_id", submission),
        ("children-0-first_name", NAMES[number % len(NAMES)]),
        ("children-0-age", str(6 + number % 9)),
        ("phone", f"+49151{number % 100_000_000:08d}"),
        ("email", ""),
        ("consent_participation", "y"),
        ("submit", "1"),
    ]
    return "&".join(f"{k}={quote(v, safe='')}" for k, v in fields).encode()


def check_signup(status: int, headers: dict[bytes, bytes]) -> str:
    location = headers.get(b"location", b"").decode()
    if status != 302 or "/r/" not in location:
        raise HttpError(f"POST: {status} {location[:40]}")
    return location[location.index("/r/") :]


def percentile(sorted_values: list[float], p: float) -> float | None:
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def summary(values: list[float]) -> dict:
    values = sorted(values)
    return {
        "count": len(values),
        "mean": sum(values) / len(values) if values else None,
        "p50": percentile(values, 50),
        "p90": percentile(values, 90),
        "p99": percentile(values, 99),
        "max": values[-1] if values else None,
    }


# --------------------------------------------------------------------------- throughput


async def run_signups(args) -> dict:
    path = f"/w/{args.slug}"
    numbers = itertools.count(args.phone_start)
    started = time.monotonic()
    measure_from = started + args.warmup
    stop_at = measure_from + args.duration
    signup_latency, get_latency, post_latency = [], [], []
    errors: dict[str, int] = {}
    counts = {"ok": 0, "ok_warmup": 0}

    async def family_loop() -> None:
        conn = Connection(args.host, args.port, args.accept_encoding)
        while True:
            t0 = time.monotonic()
            if t0 >= stop_at:
                break
            try:
                response = await conn.request("GET", path)
                cookie, csrf, submission = form_for(*response)
                t1 = time.monotonic()
                body = signup_body(csrf, submission, next(numbers))
                status, headers, _ = await conn.request("POST", path, cookie, body)
                check_signup(status, headers)
                t2 = time.monotonic()
            except (HttpError, OSError, asyncio.IncompleteReadError, ValueError) as error:
                conn.close()
                if t0 >= measure_from:
                    key = str(error)[:80] or error.__class__.__name__
                    errors[key] = errors.get(key, 0) + 1
                continue
            if t0 >= measure_from and t2 <= stop_at:
                counts["ok"] += 1
                signup_latency.append(t2 - t0)
                get_latency.append(t1 - t0)
                post_latency.append(t2 - t1)
            else:
                counts["ok_warmup"] += 1
        conn.close()

    await asyncio.gather(*(family_loop() for _ in range(args.concurrency)))
    measured = min(time.monotonic(), stop_at) - measure_from
    return {
        "mode": "signups",
        "concurrency": args.concurrency,
        "duration": measured,
        "signups": counts["ok"],
        "signups_per_second": counts["ok"] / measured,
        "requests_per_second": 2 * counts["ok"] / measured,
        "warmup_signups": counts["ok_warmup"],
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "signup_latency": summary(signup_latency),
        "get_latency": summary(get_latency),
        "post_latency": summary(post_latency),
        "phones_used_up_to": next(numbers),
    }


# --------------------------------------------------------------------------- burst


async def run_burst(args) -> dict:
    """Fetch `count` forms, then send all `count` POSTs at the same moment."""
    path = f"/w/{args.slug}"
    forms: list[tuple[bytes, str, str] | None] = [None] * args.count
    form_errors: dict[str, int] = {}
    queue = list(range(args.count))
    t_forms = time.monotonic()

    async def fetch_forms() -> None:
        conn = Connection(args.host, args.port, args.accept_encoding)
        while queue:
            index = queue.pop()
            try:
                forms[index] = form_for(*await conn.request("GET", path))
            except (HttpError, OSError, asyncio.IncompleteReadError) as error:
                conn.close()
                form_errors[str(error)[:80]] = form_errors.get(str(error)[:80], 0) + 1
        conn.close()

    await asyncio.gather(*(fetch_forms() for _ in range(args.form_concurrency)))
    forms_seconds = time.monotonic() - t_forms
    ready = [(i, f) for i, f in enumerate(forms) if f is not None]

    # Open every connection first, so that the requests leave together.
    connections = [Connection(args.host, args.port, args.accept_encoding) for _ in ready]
    await asyncio.gather(*(c.open() for c in connections))
    requests = [
        conn.build("POST", path, cookie, signup_body(csrf, sid, args.phone_start + index))
        for conn, (index, (cookie, csrf, sid)) in zip(connections, ready, strict=True)
    ]
    latencies: list[float] = []
    errors: dict[str, int] = {}
    locations: list[str] = []
    statuses: dict[int, int] = {}

    async def post(conn: Connection, request: bytes, t_start: float) -> None:
        try:
            await conn.writer.drain()
            status, headers, _ = await asyncio.wait_for(conn.receive(), args.timeout)
            statuses[status] = statuses.get(status, 0) + 1
            locations.append(check_signup(status, headers))
            latencies.append(time.monotonic() - t_start)
        except (HttpError, OSError, asyncio.IncompleteReadError, TimeoutError) as error:
            key = str(error)[:80] or error.__class__.__name__
            errors[key] = errors.get(key, 0) + 1
        finally:
            conn.close()

    t_start = time.monotonic()
    for conn, request in zip(connections, requests, strict=True):
        conn.writer.write(request)
    await asyncio.gather(*(post(c, r, t_start) for c, r in zip(connections, requests, strict=True)))
    total = time.monotonic() - t_start
    return {
        "mode": "burst",
        "count": args.count,
        "forms_fetched": len(ready),
        "form_errors": form_errors,
        "forms_seconds": forms_seconds,
        "posts_sent": len(requests),
        "accepted": len(locations),
        "errors": sum(errors.values()) + sum(form_errors.values()),
        "error_kinds": errors,
        "statuses": {str(k): v for k, v in statuses.items()},
        "seconds_until_all_answered": total,
        "post_latency": summary(latencies),
        "locations": locations,
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["signups", "burst"])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--slug", required=True)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--form-concurrency", type=int, default=16)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument(
        "--accept-encoding",
        default="br, gzip",
        help="what the client accepts; '' for uncompressed answers",
    )
    parser.add_argument(
        "--phone-start",
        type=int,
        default=None,
        help="first phone number suffix (default: random, unique per run)",
    )
    args = parser.parse_args(argv)
    if args.phone_start is None:
        args.phone_start = random.randrange(1_000_000, 90_000_000)
    runner = run_signups if args.mode == "signups" else run_burst
    result = asyncio.run(runner(args))
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
