"""Pages that belong to no area: the health check."""

import sqlalchemy as sa
from flask import Blueprint, current_app, url_for

from .extensions import db

bp = Blueprint("core", __name__)


def public_url(endpoint: str, **values) -> str:
    """Build an address that leaves the browser (printed, shared) from SIGNUP_BASE_URL."""
    return current_app.config["SIGNUP_BASE_URL"].rstrip("/") + url_for(endpoint, **values)


@bp.get("/healthz")
def check_health():
    """Answer 200 when the database answers, 503 when it does not."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return {"status": "database unreachable"}, 503
    return {"status": "ok"}, 200
