"""Guards for staff views: log in first, and see only your organisations' workshops."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from ..database import begin_write
from ..extensions import db
from ..workshops.models import Workshop
from .models import Role
from .services import role_for_workshop


def staff_required(view):
    """Let only logged-in staff in; others go to the login page."""
    return login_required(view)


def start_audited_read() -> None:
    """Begin afresh as a write: the page records who saw it, and that write must not fail."""
    db.session.rollback()
    begin_write(db.session)


def workshop_for_staff(workshop_id: int, need: Role = Role.ASSISTANT) -> Workshop:
    """Return the workshop if the current user's organisations run it, with the needed role.

    Someone else's workshop is "not found", never "forbidden": its existence is not told.
    """
    workshop = db.session.get(Workshop, workshop_id)
    role = role_for_workshop(current_user, workshop) if workshop else None
    if role is None:
        abort(404)
    if need == Role.ORGANISER and role != Role.ORGANISER:
        abort(403)
    return workshop


def organiser_only(view):
    """For views that take workshop_id: only the workshop's organisers get in."""

    @wraps(view)
    def guarded(workshop_id: int, *args, **kwargs):
        workshop_for_staff(workshop_id, Role.ORGANISER)
        return view(workshop_id, *args, **kwargs)

    return login_required(guarded)
