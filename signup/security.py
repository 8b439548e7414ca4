"""Headers on every response, and the write lock taken before a form changes anything."""

from flask import Flask, request

from .database import begin_write
from .extensions import db

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
    app.before_request(start_write_transaction)
    app.after_request(set_security_headers)


def start_write_transaction() -> None:
    # On SQLite a write transaction must hold the lock from its first read, or a count
    # read earlier in the request could be stale by the time places are decided.
    if request.method not in {"GET", "HEAD", "OPTIONS"}:
        begin_write(db.session)


def set_security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.path.startswith("/r/"):
        response.headers["Cache-Control"] = "no-store"
    return response
