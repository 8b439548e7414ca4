"""Headers on every response, and the write lock taken before a form changes anything."""

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from .database import begin_write
from .extensions import db

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
#: Browsers remember for a year to come back only over HTTPS.
HSTS = "max-age=31536000"


def init_app(app: Flask) -> None:
    proxies = app.config.get("SIGNUP_PROXY_COUNT", 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
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
    # Meaningful only over HTTPS (RFC 6797); behind a proxy, SIGNUP_PROXY_COUNT tells.
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if request.path.startswith("/r/"):
        response.headers["Cache-Control"] = "no-store"
    return response
