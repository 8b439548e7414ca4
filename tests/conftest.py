"""Fixtures: every database test runs on SQLite and on a real PostgreSQL.

PostgreSQL comes from SIGNUP_TEST_POSTGRES_URL; with CI=true it defaults to the local
server, and a missing server fails the run. Each run gets its own fresh database, built
through the Alembic migrations.
"""

import contextvars
import os
import re
import uuid

os.environ.setdefault("SIGNUP_SECRET_KEY", "test-secret-key")

import psycopg  # noqa: E402
import pytest  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from flask import has_app_context  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from jinja2 import BytecodeCache  # noqa: E402

from signup import create_app  # noqa: E402
from signup.extensions import db  # noqa: E402

CI_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
BACKENDS = ("sqlite", "postgresql")


def postgres_server_url() -> str | None:
    url = os.environ.get("SIGNUP_TEST_POSTGRES_URL")
    if not url and os.environ.get("CI", "").lower() == "true":
        url = CI_POSTGRES_URL
    return url


def libpq_url(url: str) -> str:
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", url)


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    """Create a fresh, migrated database for this run on each backend."""
    if request.param == "sqlite":
        url = "sqlite:///" + str(tmp_path_factory.mktemp("sqlite") / "signup.db")
        _migrate(url)
        yield url
        return
    server = postgres_server_url()
    if server is None:
        pytest.skip(
            "PostgreSQL tests need SIGNUP_TEST_POSTGRES_URL (CI=true uses the local server)"
        )
    name = "signup_test_" + uuid.uuid4().hex[:12]
    admin_url = libpq_url(server)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        _migrate(url)
        yield url
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _migrate(url: str) -> None:
    app = create_app(test_config(url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


def test_config(url: str, **overrides) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret-key",
        "SERVER_NAME": None,
        "RATELIMIT_ENABLED": False,  # tests/test_security_hardening.py switches them on
        **overrides,
    }


test_config.__test__ = False


class RequestIsolatedClient(FlaskClient):
    """Run each request in its own app context and database session, as in production.

    The test's own session (in the fixture's app context) commits first, so that the
    request sees what the test made and the test then sees what the request did.
    """

    def open(self, *args, **kwargs):
        if has_app_context():  # not when following a redirect inside the request's context
            db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)


class SharedBytecodeCache(BytecodeCache):
    """Compiled templates, shared by all the apps of a run: each test builds its own app, and
    compiling the templates again for each one took most of the run's time."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


TEMPLATES = SharedBytecodeCache()


@pytest.fixture
def app(database_url):
    """An app on the run's database; every table is emptied after the test."""
    app = create_app(test_config(database_url))
    app.jinja_env.bytecode_cache = TEMPLATES
    app.test_client_class = RequestIsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


def _empty_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(sa.text(f"DELETE FROM {table}"))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def session(app):
    return db.session


@pytest.fixture(scope="session")
def plain_app_instance():
    app = create_app(test_config("sqlite://"))
    app.jinja_env.bytecode_cache = TEMPLATES
    return app


@pytest.fixture
def plain_app(plain_app_instance):
    """An app context with the catalogs but no database, for pure code such as the printouts."""
    with plain_app_instance.app_context():
        yield plain_app_instance
