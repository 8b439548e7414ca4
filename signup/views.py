"""Pages that belong to no area: the health check."""

import sqlalchemy as sa
from flask import Blueprint

from .extensions import db

bp = Blueprint("core", __name__)


@bp.get("/healthz")
def check_health():
    """Answer 200 when the database answers, 503 when it does not."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return {"status": "database unreachable"}, 503
    return {"status": "ok"}, 200
