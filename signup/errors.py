"""Friendly error pages: no stack trace, the way back, in the visitor's language."""

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected_error)


def handle_csrf_error(error: CSRFError):
    return render_template("errors/csrf.html"), 400


def handle_http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    return render_template("errors/error.html", code=error.code), error.code


def handle_unexpected_error(error: Exception):
    db.session.rollback()
    logging.getLogger("signup").exception("unhandled error", exc_info=error)
    return render_template("errors/error.html", code=500), InternalServerError.code
