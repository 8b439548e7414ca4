"""Engine set-up per database, and the write transaction that guards places."""

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session
from werkzeug.routing import IntegerConverter

from .extensions import db

SQLITE_BUSY_TIMEOUT_MS = 30_000
#: The largest id a column can hold (PostgreSQL's integer; SQLite's is larger).
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:…>` in a URL: an id larger than the database's integer is simply not found."""

    def __init__(self, map, *args, max=MAX_ID, **kwargs):
        super().__init__(map, *args, max=max, **kwargs)


def configure_engine(app: Flask) -> None:
    """Tune the engine for its dialect once the app has one."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)


def _configure_sqlite(engine: Engine) -> None:
    # Python's sqlite3 begins a transaction only at the first write, so a count read before
    # it would be outside the transaction. Take over BEGIN ourselves: writes use
    # BEGIN IMMEDIATE, which holds SQLite's single write lock from the first statement.
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        immediate = connection.get_execution_options().get("sqlite_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
        connection.info["sqlite_immediate"] = immediate


def begin_write(session: Session | scoped_session) -> None:
    """Start the session's transaction as a write transaction (before anything is read)."""
    if isinstance(session, scoped_session):
        session = session()
    if session.in_transaction():
        return
    session.connection(execution_options={"sqlite_immediate": True})


def holds_write_lock(session: Session) -> bool:
    """Tell whether rows read now stay current until commit (see begin_write)."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return True  # PostgreSQL: the caller locks the rows it needs with FOR UPDATE.
    return bool(connection.info.get("sqlite_immediate"))
