"""The door: check children in on each workshop date, phone first."""

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from markupsafe import Markup, escape

from ..extensions import db
from ..i18n import _, get_locale, isolate
from ..models_base import utcnow
from ..qr import qr_svg
from ..registrations.forms import clean_text
from ..registrations.models import Participant, Registration
from ..registrations.services import RegistrationError, waiting_positions
from ..staff.access import start_audited_read, workshop_for_staff
from ..staff.services import record_for_workshop, role_for_workshop
from ..views import public_url
from ..workshops.models import OptionalField, Workshop, WorkshopDate
from . import services
from .forms import WalkInForm

bp = Blueprint("checkin", __name__, url_prefix="/staff")


def date_of(workshop: Workshop, date_id: int) -> WorkshopDate:
    workshop_date = db.session.get(WorkshopDate, date_id)
    if workshop_date is None or workshop_date.workshop_id != workshop.id:
        abort(404)
    return workshop_date


def search_text() -> str:
    return clean_text(request.values.get("q"), services.QUERY_MAX)


def registration_link(registration: Registration) -> str:
    return url_for("manage_registrations.show_registration_staff", registration_id=registration.id)


def render_checkin(workshop: Workshop, workshop_date: WorkshopDate, form: WalkInForm, status=200):
    query = search_text()
    return render_template(
        "checkin/show_checkin.html",
        workshop=workshop,
        workshop_date=workshop_date,
        door=services.door_list(db.session, workshop, workshop_date, query),
        positions=waiting_positions(db.session, workshop),
        q=query,
        form=form,
        **row_helpers(workshop),
    ), status


def row_helpers(workshop: Workshop) -> dict:
    return {
        "asks_health": workshop.asks(OptionalField.HEALTH),
        "photos_allowed": services.photos_allowed,
        "registration_link": registration_link,
    }


@bp.get("/workshops/<int:workshop_id>/checkin")
@login_required
def start_checkin(workshop_id: int):
    """Open the check-in of today's date, else the next one, else the last."""
    workshop = workshop_for_staff(workshop_id)
    if not workshop.dates:
        abort(404)
    today = utcnow().astimezone(workshop.zone).date()
    upcoming = [d for d in workshop.dates if d.day >= today]
    chosen = upcoming[0] if upcoming else workshop.dates[-1]
    return redirect(url_for(".show_checkin", workshop_id=workshop.id, date_id=chosen.id))


@bp.get("/workshops/<int:workshop_id>/checkin/<int:date_id>")
@login_required
def show_checkin(workshop_id: int, date_id: int):
    """Show who is expected on a date and who is here, with a button per child."""
    start_audited_read()
    workshop = workshop_for_staff(workshop_id)
    workshop_date = date_of(workshop, date_id)
    record_for_workshop(
        db.session, current_user, "view_list", workshop, detail=f"check-in {workshop_date.day}"
    )
    db.session.commit()
    return render_checkin(workshop, workshop_date, WalkInForm(workshop, formdata=None))


@bp.post("/workshops/<int:workshop_id>/checkin/<int:date_id>/participants/<int:participant_id>")
@login_required
def mark_attendance(workshop_id: int, date_id: int, participant_id: int):
    """Mark a child as here (present=1) or take it back (present=0); go back to its row."""
    workshop = workshop_for_staff(workshop_id)
    workshop_date = date_of(workshop, date_id)
    participant = db.session.get(Participant, participant_id)
    if participant is None or participant.workshop_id != workshop.id:
        abort(404)
    present = request.form.get("present") == "1"
    try:
        services.mark(db.session, participant, workshop_date, present, staff=current_user)
    except services.CheckinError as refused:
        db.session.rollback()
        flash(refused.message)
    else:
        record_for_workshop(
            db.session,
            current_user,
            "attendance",
            workshop,
            subject=f"registration:{participant.registration_id}",
            detail=f"participant {participant.id} {'present' if present else 'not present'} "
            f"on {workshop_date.day}",
        )
        db.session.commit()
    code = request.form.get("code")
    if code and participant.registration.checkin_code == code:
        return redirect(url_for(".find_by_code", code=code, _anchor=f"p{participant.id}"))
    query = search_text()
    return redirect(
        url_for(
            ".show_checkin",
            workshop_id=workshop.id,
            date_id=workshop_date.id,
            q=query or None,
            _anchor=f"p{participant.id}",
        )
    )


@bp.post("/workshops/<int:workshop_id>/checkin/<int:date_id>/walk-in")
@login_required
def add_walk_in(workshop_id: int, date_id: int):
    """Register a child who came without a sign-up, with a parent's phone, and mark it here."""
    workshop = workshop_for_staff(workshop_id)
    workshop_date = date_of(workshop, date_id)
    form = WalkInForm(workshop)
    if not form.validate_on_submit():
        return render_checkin(workshop, workshop_date, form, 422)
    try:
        participant, created = services.admit_walk_in(
            db.session,
            workshop,
            workshop_date,
            first_name=form.first_name.data,
            age=form.age.data,
            phone=form.normalised_phone,
            language=str(get_locale()),
            staff=current_user,
        )
    except (RegistrationError, services.CheckinError) as refused:
        db.session.rollback()
        if getattr(refused, "code", None) == "age":
            form.age.errors = [refused.message]
        else:
            form.general_errors.append(refused.message)
        return render_checkin(workshop, workshop_date, form, 409)
    record_for_workshop(
        db.session,
        current_user,
        "walk_in" if created else "attendance",
        workshop,
        subject=f"registration:{participant.registration_id}",
        detail=f"participant {participant.id} "
        f"{'registered at the door and ' if created else ''}present on {workshop_date.day}",
    )
    db.session.commit()
    name = isolate(participant.first_name)
    if created:
        message = _("Eingetragen und als da markiert: %(name)s. Der Zettel fehlt noch.")
    else:
        message = _("%(name)s war schon angemeldet und ist jetzt als da markiert.")
    flash(escape(message) % {"name": name})
    return redirect(
        url_for(
            ".show_checkin",
            workshop_id=workshop.id,
            date_id=workshop_date.id,
            _anchor=f"p{participant.id}",
        )
    )


@bp.get("/find/<code>")
@login_required
def find_by_code(code: str):
    """Show the children behind a family page's QR code, with buttons for today's date."""
    start_audited_read()
    registration = services.find_by_code(db.session, code)
    if registration is None or role_for_workshop(current_user, registration.workshop) is None:
        abort(404)
    workshop = registration.workshop
    record_for_workshop(
        db.session,
        current_user,
        "view_registration",
        workshop,
        subject=f"registration:{registration.id}",
        detail="check-in code",
    )
    db.session.commit()
    return render_template(
        "checkin/find_by_code.html",
        registration=registration,
        workshop=workshop,
        today=services.today_for(workshop),
        positions=waiting_positions(db.session, workshop),
        code=code,
        **row_helpers(workshop),
    )


@bp.app_template_global()
def checkin_qr(registration: Registration) -> Markup:
    """Draw the QR code staff scan at the door to find a family's children; empty without a code."""
    if not registration.checkin_code:
        return Markup("")
    return qr_svg(
        public_url("checkin.find_by_code", code=registration.checkin_code),
        _("QR-Code für den Einlass"),
    )
