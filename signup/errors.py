"""Friendly error pages: no stack trace, the way back, in the visitor's language."""

import contextlib
import logging
import math
import time

import sqlalchemy as sa
from flask import Flask, g, render_template, request
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from .extensions import db, limiter, login

log = logging.getLogger("signup")
#: Seconds a visitor is asked to wait when the database does not answer.
DATABASE_RETRY_AFTER = 120


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(RateLimitExceeded, handle_rate_limit)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(sa.exc.DBAPIError, handle_database_error)
    app.register_error_handler(sa.exc.TimeoutError, handle_database_error)
    app.register_error_handler(Exception, handle_unexpected_error)


def render_error(code: int, template: str = "errors/error.html", **context):
    """Render an error page that asks nothing of the database."""
    # Flask-Login hands every template the current user; loading a staff member would ask
    # the database, which may be the very thing that failed. Error pages show no user.
    if "_login_user" not in g:
        g._login_user = login.anonymous_user()
    return render_template(template, code=code, **context)


def handle_csrf_error(error: CSRFError):
    return render_error(400, "errors/csrf.html"), 400


def handle_http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    return render_error(error.code), error.code


def handle_rate_limit(error: RateLimitExceeded):
    current = limiter.current_limit
    wait = max(1, math.ceil(current.window.reset_time - time.time())) if current else 60
    html = render_error(429, minutes=math.ceil(wait / 60))
    return html, 429, {"Retry-After": str(wait)}


def handle_database_error(error: sa.exc.SQLAlchemyError):
    unreachable = isinstance(
        error, sa.exc.OperationalError | sa.exc.InterfaceError | sa.exc.TimeoutError
    ) or getattr(error, "connection_invalidated", False)
    if not unreachable:
        return handle_unexpected_error(error)
    rollback()
    # One line, no traceback: the driver's first line says why (refused, locked, too many
    # clients); SQL parameters are hidden by the engine, the path is left out.
    cause = getattr(error, "orig", None) or error
    reason = (str(cause).strip().splitlines() or [""])[0][:200]
    log.error("database unavailable on %s: %s: %s", where(), type(cause).__name__, reason)
    html = render_error(ServiceUnavailable.code)
    return html, ServiceUnavailable.code, {"Retry-After": str(DATABASE_RETRY_AFTER)}


def handle_unexpected_error(error: Exception):
    rollback()
    log.error("unhandled error on %s", where(), exc_info=error)
    return render_error(InternalServerError.code), InternalServerError.code


def rollback() -> None:
    # The session may sit on a broken connection; the page must still be shown.
    with contextlib.suppress(sa.exc.SQLAlchemyError):
        db.session.rollback()


def where() -> str:
    """Name the request for a log line by method and endpoint, never by its path.

    A family's secret link is part of the path (/r/<token>), and a query string may carry
    what was typed into a form.
    """
    return f"{request.method} {request.endpoint or '(no endpoint)'}"
