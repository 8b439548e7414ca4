"""Rate limits, HTTPS headers, cookie flags, friendly 413/429/503 pages and backups."""

import contextlib
import logging
import os
import secrets
import sqlite3
import time
import uuid

import pytest
import redis
import sqlalchemy as sa
from flask_babel import gettext

from signup import create_app
from signup.extensions import db
from signup.registrations.models import Registration
from tests.conftest import TEMPLATES, RequestIsolatedClient, _empty_tables, test_config
from tests.factories import (
    STAFF_PASSWORD,
    create_organisation,
    create_staff,
    create_workshop,
    csrf_token,
    register,
    signup_data,
)

#: A PostgreSQL that does not answer: nothing listens on port 1.
UNREACHABLE_DATABASE = "postgresql://postgres@127.0.0.1:1/x"
REDIS_URL = os.environ.get("SIGNUP_TEST_REDIS_URL", "redis://127.0.0.1:6379")
#: Keys this run leaves in the shared Redis carry it, so they can be found and removed.
RUN_PREFIX = f"signup-test-{uuid.uuid4().hex[:12]}"
OTHER_ADDRESS = {"REMOTE_ADDR": "198.51.100.23"}


def make_app(config: dict):
    app = create_app(config)
    app.jinja_env.bytecode_cache = TEMPLATES
    app.test_client_class = RequestIsolatedClient
    return app


@contextlib.contextmanager
def running(app):
    """Serve the app for a while, then empty its database (failed logins are counted there)."""
    with app.app_context():
        yield app.test_client()
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


def limited_config(database_url: str, **overrides) -> dict:
    return test_config(
        database_url, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", **overrides
    )


@pytest.fixture
def limited_app(database_url):
    """An app on the run's database with the rate limits on, counting in memory."""
    app = make_app(limited_config(database_url))
    with running(app):
        yield app


@pytest.fixture
def limited(limited_app):
    return limited_app.test_client()


@pytest.fixture
def redis_url():
    """The local Redis; in CI a missing one fails the run instead of skipping."""
    server = redis.Redis.from_url(REDIS_URL)
    try:
        server.ping()
    except redis.RedisError as error:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis at {REDIS_URL} is needed in CI: {error}")
        pytest.skip(f"no Redis at {REDIS_URL} (SIGNUP_TEST_REDIS_URL)")
    yield REDIS_URL
    keys = list(server.scan_iter(f"*{RUN_PREFIX}*"))
    if keys:
        server.delete(*keys)
    server.close()


def translated(app, language: str, text: str) -> str:
    with app.test_request_context(f"/?lang={language}"):
        return gettext(text)


def is_rate_limited(response) -> bool:
    """Tell the limiter's 429 (with Retry-After) from the login's own slow-down (without)."""
    return response.status_code == 429 and "Retry-After" in response.headers


def failed_logins(client, email: str, times: int, **kw) -> list:
    data = {"email": email, "password": "not the password", "csrf_token": csrf_token(client)}
    return [client.post("/staff/login", data=data, **kw) for _ in range(times)]


def login(client, email: str, password: str = STAFF_PASSWORD, **kw):
    data = {"email": email, "password": password, "csrf_token": csrf_token(client)}
    return client.post("/staff/login", data=data, **kw)


# --------------------------------------------------------------------------- rate limits


def test_login_is_refused_after_ten_tries_a_minute_with_a_page_that_says_when(limited):
    user = create_staff(create_organisation())
    allowed = failed_logins(limited, user.email, 10)
    assert not any(is_rate_limited(r) for r in allowed)
    assert all('name="password"' in r.get_data(as_text=True) for r in allowed)

    refused = failed_logins(limited, user.email, 1, headers={"Accept-Language": "tr"})[0]
    assert is_rate_limited(refused)
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    html = refused.get_data(as_text=True)
    assert '<html lang="tr"' in html
    assert translated(limited.application, "tr", "Bitte kurz warten") in html
    assert 'name="password"' not in html and "Traceback" not in html

    # Even the right password is not tried any more from this address, but from another it is.
    colleague = create_staff(user.memberships[0].organisation)
    assert is_rate_limited(login(limited, colleague.email))
    elsewhere = limited.application.test_client()
    assert login(elsewhere, colleague.email, environ_base=OTHER_ADDRESS).status_code == 302


def test_the_429_page_counts_minutes_in_german(limited):
    failed_logins(limited, "nobody@ki.example", 10)
    html = failed_logins(limited, "nobody@ki.example", 1)[0].get_data(as_text=True)
    assert "Bitte kurz warten" in html
    assert "Bitte versuchen Sie es in 1 Minute noch einmal." in html


def test_a_class_of_thirty_families_registers_from_one_address(limited):
    workshop = create_workshop(capacity=60)
    for n in range(30):
        phone = f"0151 23{n:06d}"
        if n % 3 == 0:  # without JavaScript, a sibling's row costs one more post
            extra = signup_data(limited, workshop, phone=phone, add_child="1", submit=None)
            assert limited.post(f"/w/{workshop.slug}", data=extra).status_code == 200
        data = signup_data(limited, workshop, children=[("Amira", 9)], phone=phone)
        response = limited.post(f"/w/{workshop.slug}", data=data)
        assert response.status_code == 302, (n, response.status_code)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 30


def test_a_flood_of_sign_up_posts_is_stopped_after_sixty_a_minute(limited):
    workshop = create_workshop()
    # One count for all workshops: spreading a flood over many of them does not help.
    flood = [limited.post(f"/w/no-such-workshop-{n}").status_code for n in range(60)]
    assert flood == [404] * 60
    refused = limited.post(f"/w/{workshop.slug}", data=signup_data(limited, workshop))
    assert is_rate_limited(refused)
    assert limited.get(f"/w/{workshop.slug}").status_code == 200  # reading stays open


def test_guessing_links_is_stopped_while_families_reload_their_pages_freely(limited):
    workshop = create_workshop()
    family_page = "/r/" + register(workshop, "Amira").token
    assert all(limited.get(family_page).status_code == 200 for _ in range(40))

    guesses = [limited.get("/r/" + secrets.token_urlsafe(32)) for _ in range(30)]
    assert [r.status_code for r in guesses] == [404] * 30
    assert is_rate_limited(limited.get("/r/" + secrets.token_urlsafe(32)))
    assert is_rate_limited(limited.get("/staff/reset/" + secrets.token_urlsafe(32)))
    # The guessing address is refused even a right link: a hit must look like a miss.
    assert is_rate_limited(limited.get(family_page + "/cancel"))

    family = limited.application.test_client()
    assert family.get(family_page, environ_base=OTHER_ADDRESS).status_code == 200


def test_rate_limits_are_switched_off_by_the_environment(database_url, monkeypatch):
    config = test_config(database_url)
    del config["RATELIMIT_ENABLED"]
    monkeypatch.setenv("SIGNUP_RATELIMIT_ENABLED", "false")
    switched_off = make_app(config)
    monkeypatch.setenv("SIGNUP_RATELIMIT_ENABLED", "true")
    switched_on = make_app(config)
    with running(switched_off) as client:
        assert not any(is_rate_limited(r) for r in failed_logins(client, "x@ki.example", 15))
    with running(switched_on) as client:
        assert is_rate_limited(failed_logins(client, "x@ki.example", 11)[-1])


def test_counts_kept_in_redis_are_shared_by_every_worker(database_url, redis_url, monkeypatch):
    monkeypatch.setenv("SIGNUP_RATELIMIT_STORAGE_URI", redis_url)
    config = test_config(database_url, RATELIMIT_ENABLED=True, RATELIMIT_KEY_PREFIX=RUN_PREFIX)
    with running(make_app(config)) as first_worker:
        responses = failed_logins(first_worker, "x@ki.example", 10)
        assert not any(is_rate_limited(r) for r in responses)
    assert list(redis.Redis.from_url(redis_url).scan_iter(f"*{RUN_PREFIX}*login*"))
    # A second worker starts with empty memory: only Redis can know about the ten tries.
    with running(make_app(config)) as second_worker:
        assert is_rate_limited(failed_logins(second_worker, "x@ki.example", 1)[0])


def test_counts_kept_in_memory_start_afresh_in_each_worker(database_url):
    for _ in range(2):  # each app stands for a worker process with its own memory
        with running(make_app(limited_config(database_url))) as worker:
            responses = failed_logins(worker, "x@ki.example", 10)
            assert not any(is_rate_limited(r) for r in responses)


def test_pages_keep_working_and_counting_when_redis_goes_away(database_url):
    config = limited_config(database_url)
    config["RATELIMIT_STORAGE_URI"] = "redis://127.0.0.1:1"  # nothing listens there
    with running(make_app(config)) as client:
        assert client.get("/").status_code == 200
        responses = failed_logins(client, "x@ki.example", 11)
        assert not any(is_rate_limited(r) for r in responses[:10])
        assert is_rate_limited(responses[10])


# --------------------------------------------------------------------------- headers, cookies


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert secure.headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in secure.headers["Content-Security-Policy"]
    # Without SIGNUP_PROXY_COUNT nobody's X-Forwarded-Proto is believed.
    spoofed = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in spoofed.headers


def test_behind_a_proxy_its_forwarded_protocol_and_address_count(database_url):
    with running(make_app(limited_config(database_url, SIGNUP_PROXY_COUNT=1))) as client:
        school = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.5"}
        assert "Strict-Transport-Security" in client.get("/", headers=school).headers
        # The school behind the proxy uses up its tries; a family elsewhere keeps its own.
        assert is_rate_limited(failed_logins(client, "x@ki.example", 11, headers=school)[-1])
        family = {"X-Forwarded-For": "203.0.113.77"}
        assert not is_rate_limited(login(client, "x@ki.example", headers=family))


def cookie(response, name: str) -> str:
    found = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(name + "=")]
    assert found, response.headers.getlist("Set-Cookie")
    return found[0]


@pytest.mark.parametrize("secure", [True, False])
def test_cookies_are_httponly_samesite_and_secure_behind_https(database_url, monkeypatch, secure):
    monkeypatch.setenv("SIGNUP_COOKIE_SECURE", "true" if secure else "false")
    with running(make_app(test_config(database_url))) as client:
        user = create_staff(create_organisation())
        for set_cookie in (
            cookie(client.get("/?lang=tr"), "lang"),
            cookie(login(client, user.email), "session"),
        ):
            assert "HttpOnly" in set_cookie
            assert "SameSite=Lax" in set_cookie
            assert ("; Secure" in set_cookie) is secure


# --------------------------------------------------------------------------- friendly failures


def test_oversized_forms_get_a_friendly_413_public_and_staff(app, client):
    workshop = create_workshop()
    too_big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    public = client.post(
        f"/w/{workshop.slug}", data={**signup_data(client, workshop), "notes": too_big}
    )
    many_parts = client.post(  # MAX_FORM_PARTS counts multipart parts only
        f"/w/{workshop.slug}",
        data={f"f{n}": "x" for n in range(app.config["MAX_FORM_PARTS"] + 1)},
        content_type="multipart/form-data",
    )
    assert login(client, create_staff(workshop.organisations[0]).email).status_code == 302
    staff = client.post(
        "/staff/workshops/new", data={"csrf_token": csrf_token(client), "title_de": too_big}
    )
    for response in (public, many_parts, staff):
        html = response.get_data(as_text=True)
        assert response.status_code == 413, response.request.path
        assert "Zu viele Angaben" in html and "Traceback" not in html
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0


def test_database_down_gives_a_friendly_503_and_one_line_in_the_log(caplog):
    app = create_app(test_config(UNREACHABLE_DATABASE))
    app.jinja_env.bytecode_cache = TEMPLATES
    client = app.test_client()
    token = "A" * 43
    caplog.set_level(logging.INFO)

    def attempt(*args, **kw):
        caplog.clear()
        response = client.open(*args, **kw)
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(errors) == 1, [r.getMessage() for r in errors]
        assert errors[0].exc_info is None  # one line, no traceback
        return response, errors[0].getMessage()

    public, _ = attempt("/w/ki4u")
    family, logged = attempt(f"/r/{token}?lang=ar")
    assert "registrations.show_registration" in logged and token not in logged
    assert "Connection refused" in logged
    data = {"email": "x@ki.example", "password": "secret", "csrf_token": csrf_token(client)}
    staff_login, _ = attempt("/staff/login", method="POST", data=data)
    with client.session_transaction() as session:
        session["_user_id"] = "1"  # a staff member already logged in
    dashboard, _ = attempt("/staff/")

    for response in (public, family, staff_login, dashboard):
        html = response.get_data(as_text=True)
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "120"
        assert "Traceback" not in html and "OperationalError" not in html
    assert "Gerade geht es nicht" in public.get_data(as_text=True)
    assert translated(app, "ar", "Gerade geht es nicht") in family.get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in family.get_data(as_text=True)
    assert client.get("/healthz").status_code == 503


# --------------------------------------------------------------------------- backup


# SQLite only: PostgreSQL is backed up with pg_dump (the refusal is tested below).
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_backup_copies_the_sqlite_database_with_the_same_rows_while_it_is_written(
    app, runner, tmp_path
):
    assert db.engine.dialect.name == "sqlite"
    workshop = create_workshop()
    register(workshop, "Amira", "Jonas")
    register(workshop, "Elif")
    tables = [t.name for t in db.metadata.sorted_tables]
    live = {t: db.session.scalar(sa.text(f"SELECT count(*) FROM {t}")) for t in tables}
    db.session.commit()

    # Someone is in the middle of a write: the backup neither waits for it nor sees it.
    writer = sqlite3.connect(db.engine.url.database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM participants")
    started = time.monotonic()
    target = tmp_path / "backup.db"
    result = runner.invoke(args=["backup", str(target)])
    writer.execute("ROLLBACK")
    writer.close()

    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 5
    assert f"to {target}" in result.output
    assert target.stat().st_mode & 0o077 == 0  # children's data: the owner's eyes only
    assert not list(tmp_path.glob(".*partial"))
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert {t: copy.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables} == live
        names = {row[0] for row in copy.execute("SELECT first_name FROM participants")}
        assert names == {"Amira", "Jonas", "Elif"}
    finally:
        copy.close()


def test_backup_refuses_postgresql_and_names_pg_dump(tmp_path):
    app = create_app(test_config(UNREACHABLE_DATABASE))
    with app.app_context():  # as the `signup` command pushes it
        result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x.db")])
    assert result.exit_code != 0
    assert "pg_dump" in result.output
    assert not (tmp_path / "x.db").exists()
