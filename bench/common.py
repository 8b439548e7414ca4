"""Shared helpers for the benchmarks: databases, a gunicorn server, raw HTTP, CPU accounting.

Everything here talks to the app from the outside (CLI, HTTP, SQL), as production would.
Nothing is imported from tests/.
"""

from __future__ import annotations

import contextlib
import os
import platform
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VENV_BIN = Path(sys.executable).parent
SIGNUP = str(VENV_BIN / "signup")
GUNICORN = str(VENV_BIN / "gunicorn")
PYTHON = sys.executable
SECRET_KEY = "bench-secret-key-not-for-production"
#: The server the benchmarks create their throw-away databases on.
POSTGRES_ADMIN_URL = os.environ.get(
    "SIGNUP_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
BACKENDS = ("postgresql", "sqlite")
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------- the app under test

#: What the app is made of; the benchmarks run a copy of these, taken once at the start.
APP_FILES = ("signup", "templates", "static", "translations", "wsgi.py")
APP_DIR = ROOT


def snapshot_app() -> Path:
    """Copy the app to a temporary directory and run everything from that copy.

    Other people may edit the working tree while a benchmark runs (a new column in the
    models would not match the database migrated a minute earlier). The copy keeps one run on
    one version of the app; PYTHONPATH puts it before the editable install. Idempotent: a
    child process finds the copy in SIGNUP_BENCH_APP.
    """
    global APP_DIR
    existing = os.environ.get("SIGNUP_BENCH_APP")
    if existing:
        APP_DIR = Path(existing)
    else:
        import atexit
        import hashlib
        import shutil

        APP_DIR = Path(tempfile.mkdtemp(prefix="signup-bench-app-"))
        atexit.register(shutil.rmtree, APP_DIR, ignore_errors=True)
        digest = hashlib.sha256()
        for name in APP_FILES:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(
                    source, APP_DIR / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
                )
            else:
                shutil.copy2(source, APP_DIR / name)
        for path in sorted(APP_DIR.rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(APP_DIR)).encode() + b"\0" + path.read_bytes())
        os.environ["SIGNUP_BENCH_APP"] = str(APP_DIR)
        state = f"{_git_state()}; copied files sha256 {digest.hexdigest()[:12]}"
        os.environ["SIGNUP_BENCH_APP_STATE"] = state
        os.environ["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(APP_DIR), os.environ.get("PYTHONPATH")) if p
        )
    if str(APP_DIR) not in sys.path:
        sys.path.insert(0, str(APP_DIR))
    return APP_DIR


def app_state() -> str:
    """Which version of the app the figures belong to."""
    return os.environ.get("SIGNUP_BENCH_APP_STATE") or _git_state()


def _git_state() -> str:
    def git(*args):
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    changed = git("status", "--porcelain", "--", *APP_FILES)
    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return f"commit {head}" + (
        f" + uncommitted changes in {len(changed.splitlines())} app files" if changed else ""
    )


def log(*parts) -> None:
    print(*parts, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- databases


@contextlib.contextmanager
def fresh_database(backend: str) -> Iterator[str]:
    """Yield the URL of a new, empty database; remove it afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="signup-bench-") as tmp:
            yield f"sqlite:///{tmp}/signup.db"
        return
    if backend != "postgresql":
        raise ValueError(backend)
    import psycopg

    name = "signup_bench_" + uuid.uuid4().hex[:10]
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = re.sub(r"/[^/]*$", "/" + name, POSTGRES_ADMIN_URL)
    try:
        yield url
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def app_env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(SIGNUP_DATABASE_URL=url, SIGNUP_SECRET_KEY=SECRET_KEY, PYTHONUNBUFFERED="1")
    # The load comes from one address; rate limits would measure themselves, not the app.
    env["SIGNUP_RATELIMIT_ENABLED"] = "false"
    return env


def signup_cli(url: str, *args: str) -> str:
    """Run the `signup` command against the database; return its output."""
    done = subprocess.run(
        [SIGNUP, *args],
        cwd=APP_DIR,
        env=app_env(url),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"signup {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def prepare_database(url: str, demo: bool = True) -> None:
    """Migrate the database (`signup db upgrade`) and load the demo data (`signup demo`)."""
    signup_cli(url, "db", "upgrade")
    if demo:
        signup_cli(url, "demo")


def add_workshop(url: str, slug: str, capacity: int, waitlist: bool = True) -> None:
    """Create an open workshop (in a subprocess, so this process stays free of the app)."""
    subprocess.run(
        [PYTHON, str(BENCH / "seed.py"), slug, str(capacity), "1" if waitlist else "0"],
        cwd=APP_DIR,
        env=app_env(url),
        check=True,
    )


# --------------------------------------------------------------------------- versions


def machine_info() -> dict[str, str]:
    cpu = "unknown"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    info = {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }
    try:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN_URL) as conn:
            info["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
    except Exception as error:  # noqa: BLE001 - reported, not fatal
        info["postgresql"] = f"unavailable ({error.__class__.__name__})"
    with contextlib.suppress(Exception):
        info["gunicorn"] = subprocess.run(
            [GUNICORN, "--version"], capture_output=True, text=True, check=False
        ).stdout.strip()
    with contextlib.suppress(Exception):
        info["wrk"] = subprocess.run(
            ["wrk", "-v"], capture_output=True, text=True, check=False
        ).stdout.splitlines()[0]
    return info


# --------------------------------------------------------------------------- the server


@dataclass(frozen=True)
class ServerConfig:
    workers: int = 2
    worker_class: str = "sync"
    threads: int = 1

    @property
    def label(self) -> str:
        if self.worker_class == "gthread":
            return f"gthread w={self.workers} t={self.threads}"
        return f"{self.worker_class} w={self.workers}"

    def args(self) -> list[str]:
        args = ["--workers", str(self.workers), "--worker-class", self.worker_class]
        if self.worker_class == "gthread":
            args += ["--threads", str(self.threads)]
        return args


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    config: ServerConfig
    command: list[str] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def pids(self) -> list[int]:
        """The master and its workers."""
        return [self.process.pid, *children_of(self.process.pid)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(url: str, config: ServerConfig, log_path: Path | None = None) -> Iterator[Server]:
    """Serve wsgi:app with gunicorn on a free loopback port until the block ends."""
    port = free_port()
    command = [
        GUNICORN,
        "--bind",
        f"127.0.0.1:{port}",
        *config.args(),
        "--log-level",
        "warning",
        "--graceful-timeout",
        "10",
        "wsgi:app",
    ]
    log_file = open(log_path or os.devnull, "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        command,
        cwd=APP_DIR,
        env=app_env(url),
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = Server(process, port, config, command)
    try:
        wait_until_healthy(server, log_path)
        yield server
    finally:
        stop_process(process)
        log_file.close()


def wait_until_healthy(server: Server, log_path: Path | None, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    workers_seen = 0
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            tail = log_path.read_text()[-3000:] if log_path and log_path.exists() else ""
            raise RuntimeError(f"gunicorn exited with {server.process.returncode}\n{tail}")
        with contextlib.suppress(OSError):
            if http_request("127.0.0.1", server.port, "GET", "/healthz", timeout=2).status == 200:
                workers_seen = len(children_of(server.process.pid))
                if workers_seen >= server.config.workers:
                    return
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not become healthy ({workers_seen} workers)")


def stop_process(process: subprocess.Popen, timeout: float = 15) -> None:
    """Stop a process we started (and its group), gracefully first."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


# --------------------------------------------------------------------------- raw HTTP


@dataclass
class RawResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    header_bytes: int
    request_bytes: int

    @property
    def wire_bytes(self) -> int:
        """Bytes the server sent: status line, headers and body as transferred."""
        return self.header_bytes + len(self.body)

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def text(self) -> str:
        return decode_body(self.body, self.header("Content-Encoding")).decode("utf-8", "replace")


def decode_body(body: bytes, encoding: str | None) -> bytes:
    if not encoding or encoding == "identity":
        return body
    if encoding == "br":
        import brotli

        return brotli.decompress(body)
    if encoding == "gzip":
        import gzip

        return gzip.decompress(body)
    raise ValueError(f"unknown content encoding {encoding}")


def http_request(
    host: str,
    port: int,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    timeout: float = 30,
) -> RawResponse:
    """One HTTP/1.1 request on its own connection; count the bytes exactly as sent."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
    for key, value in (headers or {}).items():
        lines.append(f"{key}: {value}")
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    raw = b"".join(chunks)
    head, _, body_bytes = raw.partition(b"\r\n\r\n")
    head_lines = head.decode("latin-1").split("\r\n")
    status = int(head_lines[0].split()[1])
    parsed = []
    for line in head_lines[1:]:
        key, _, value = line.partition(":")
        parsed.append((key.strip(), value.strip()))
    response = RawResponse(status, parsed, body_bytes, len(head) + 4, len(request))
    length = response.header("Content-Length")
    if length is not None and int(length) != len(body_bytes):
        raise RuntimeError(f"{path}: short body {len(body_bytes)} of {length}")
    return response


# --------------------------------------------------------------------------- CPU accounting


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def _proc_stat(pid: int) -> tuple[str, float] | None:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            stat = fh.read()
    except OSError:
        return None
    name = stat[stat.index("(") + 1 : stat.rindex(")")]
    fields = stat.rsplit(")", 1)[1].split()
    return name, (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def postgres_pids(database: str | None = None) -> list[int]:
    """PostgreSQL processes: the backends of `database` and the shared helper processes.

    Backends of other databases (other people's tests on the same server) are left out.
    """
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        stat = _proc_stat(int(entry))
        if not stat or stat[0] not in {"postgres", "postmaster"}:
            continue
        cmdline = _cmdline(int(entry))
        is_backend = re.search(r"\(\d+\)|\[local\]", cmdline)
        if database is None or not is_backend or f" {database} " in cmdline:
            pids.append(int(entry))
    return pids


def _machine_busy() -> tuple[float, float]:
    with open("/proc/stat") as fh:
        values = [int(v) for v in fh.readline().split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / CLK_TCK, sum(values) / CLK_TCK


def machine_load(seconds: float = 1.0) -> float:
    """Busy cores, averaged over `seconds`."""
    busy0, total0 = _machine_busy()
    time.sleep(seconds)
    busy1, total1 = _machine_busy()
    cores = os.cpu_count() or 1
    return (busy1 - busy0) / (total1 - total0) * cores if total1 > total0 else 0.0


def wait_for_quiet(threshold: float = 0.15, max_wait: float = 180.0) -> float:
    """Wait until the machine is (nearly) idle; return the load last seen.

    Other sessions may run their test suites on the same two cores. A benchmark that starts
    while they do measures them, not us. After `max_wait` we go ahead and report the noise.
    """
    deadline = time.monotonic() + max_wait
    said = False
    while True:
        load = machine_load(1.0)
        if load <= threshold or time.monotonic() > deadline:
            return load
        if not said:
            log(f"  waiting for a quiet machine ({load:.2f} cores busy with other work)")
            said = True


def database_name(url: str) -> str | None:
    return None if url.startswith("sqlite") else url.rsplit("/", 1)[1]


class CpuMeter:
    """CPU seconds used by gunicorn (master + workers), PostgreSQL and everything else."""

    def __init__(self, server: Server, url: str):
        self.server = server
        self.database = database_name(url)

    def _snapshot(self) -> dict[str, dict[int, float]]:
        groups: dict[str, dict[int, float]] = {"server": {}, "postgres": {}}
        for pid in self.server.pids():
            stat = _proc_stat(pid)
            if stat:
                groups["server"][pid] = stat[1]
        if self.database:
            for pid in postgres_pids(self.database):
                stat = _proc_stat(pid)
                if stat:
                    groups["postgres"][pid] = stat[1]
        return groups

    def __enter__(self) -> CpuMeter:
        self.before = self._snapshot()
        self.busy_before = _machine_busy()
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc) -> None:
        after = self._snapshot()
        busy_after = _machine_busy()
        self.elapsed = time.monotonic() - self.started
        self.seconds = {
            group: sum(t - self.before[group].get(pid, 0.0) for pid, t in after[group].items())
            for group in after
        }
        self.busy_seconds = busy_after[0] - self.busy_before[0]
        total = busy_after[1] - self.busy_before[1]
        self.machine_busy = self.busy_seconds / total if total else 0.0

    def share(self, group: str) -> float:
        """Cores used on average by a group during the block."""
        return self.seconds.get(group, 0.0) / self.elapsed if self.elapsed else 0.0

    def report(self, client_seconds: float) -> dict:
        """Cores used on average: ours, the client's, and other work on the machine."""
        elapsed = self.elapsed or 1.0
        ours = self.seconds["server"] + self.seconds["postgres"] + client_seconds
        return {
            "server_cores": self.share("server"),
            "postgres_cores": self.share("postgres"),
            "client_cores": client_seconds / elapsed,
            "other_cores": max(0.0, (self.busy_seconds - ours) / elapsed),
            "machine_busy": self.machine_busy,
            "server_seconds": self.seconds["server"],
            "postgres_seconds": self.seconds["postgres"],
            "elapsed": elapsed,
        }


class ChildCpu:
    """CPU seconds used by child processes that finished inside the block (the clients)."""

    def __enter__(self) -> ChildCpu:
        import resource

        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        self._start = usage.ru_utime + usage.ru_stime
        return self

    def __exit__(self, *exc) -> None:
        import resource

        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.seconds = usage.ru_utime + usage.ru_stime - self._start


# --------------------------------------------------------------------------- formatting


def table(headers: list[str], rows: list[list], align: str | None = None) -> str:
    """A Markdown table; numbers right-aligned."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [
        max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)
    ]
    align = align or "l" + "r" * (len(headers) - 1)

    def line(values):
        out = []
        for value, width, a in zip(values, widths, align, strict=True):
            out.append(value.rjust(width) if a == "r" else value.ljust(width))
        return "| " + " | ".join(out) + " |"

    rules = [
        ("-" * (w + 1) + ":") if a == "r" else ("-" * (w + 2))
        for w, a in zip(widths, align, strict=True)
    ]
    sep = "|" + "|".join(rules) + "|"
    return "\n".join([line(headers), sep, *(line(r) for r in cells)])


def ms(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds * 1000:.1f}"


# --------------------------------------------------------------------------- plain SQL


def sql(url: str, query: str, params: tuple = ()) -> list[tuple]:
    """Run one read query straight on the database (qmark style placeholders)."""
    if url.startswith("sqlite:///"):
        conn = sqlite3.connect(url[len("sqlite:///") :])
        try:
            return conn.execute(query, params).fetchall()
        finally:
            conn.close()
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(query.replace("?", "%s"), params).fetchall()
