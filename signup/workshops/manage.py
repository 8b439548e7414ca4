"""Staff pages for a workshop: create, edit, copy, open, close, cancel; the workshop's hub."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from ..extensions import db
from ..i18n import _, _l, ngettext
from ..registrations.services import slips_missing_by_workshop
from ..staff.access import organiser_only, workshop_for_staff
from ..staff.models import Role
from ..staff.services import organisations_where, role_for_workshop
from . import services
from .forms import NewWorkshopForm, WorkshopForm
from .models import Workshop, WorkshopStatus

bp = Blueprint("manage_workshops", __name__)

STATUS_BUTTONS = {
    WorkshopStatus.OPEN: _l("Anmeldung öffnen"),
    WorkshopStatus.CLOSED: _l("Anmeldung schließen"),
    WorkshopStatus.DRAFT: _l("Zurück in den Entwurf"),
    WorkshopStatus.CANCELLED: _l("Workshop absagen"),
}


def staff_link(endpoint: str, **values) -> str | None:
    """Link to another staff page, or None where that page does not exist (yet)."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def posted_form():
    return request.form if request.method == "POST" else None


@bp.route("/staff/workshops/new", methods=["GET", "POST"])
@login_required
def new_workshop():
    """Create a workshop, as a draft, for one or more of the user's organisations."""
    organisations = organisations_where(current_user, Role.ORGANISER)
    if not organisations:
        abort(403)
    form = NewWorkshopForm(organisations, formdata=posted_form())
    status = 200
    if form.is_submitted():
        if form.wants_more_dates:
            form.add_date_row()
        elif not form.validate():
            status = 422
        else:
            try:
                workshop = services.create_workshop(
                    db.session,
                    form.workshop_data(),
                    form.chosen_organisations(),
                    actor=current_user,
                    slug=form.slug.data,
                )
            except services.WorkshopError as problem:
                db.session.rollback()
                form.attach(problem)
                status = 422
            else:
                db.session.commit()
                flash(_("Der Workshop ist angelegt. Er ist noch ein Entwurf."))
                return redirect(url_for(".show_workshop_hub", workshop_id=workshop.id))
    return render_template("workshops/new_workshop.html", form=form), status


@bp.route("/staff/workshops/<int:workshop_id>/edit", methods=["GET", "POST"])
@organiser_only
def edit_workshop(workshop_id: int):
    """Change a workshop's texts, dates, place, places and questions."""
    workshop = workshop_for_staff(workshop_id, Role.ORGANISER)
    if request.method == "POST":
        form = WorkshopForm(formdata=request.form, zone=workshop.zone)
    else:
        form = WorkshopForm.for_workshop(workshop)
    status = 200
    if form.is_submitted():
        if form.wants_more_dates:
            form.add_date_row()
        elif not form.validate():
            status = 422
        else:
            try:
                promoted = services.update_workshop(
                    db.session, workshop, form.workshop_data(), actor=current_user
                )
            except services.WorkshopError as problem:
                db.session.rollback()
                form.attach(problem)
                status = 422
            else:
                db.session.commit()
                flash(_("Die Änderungen sind gespeichert."))
                if promoted:
                    flash(
                        ngettext(
                            "%(num)d Kind ist von der Warteliste nachgerückt.",
                            "%(num)d Kinder sind von der Warteliste nachgerückt.",
                            sum(p.headcount for p in promoted),
                        )
                    )
                return redirect(url_for(".show_workshop_hub", workshop_id=workshop.id))
    page = render_template("workshops/edit_workshop.html", form=form, workshop=workshop)
    return page, status


@bp.post("/staff/workshops/<int:workshop_id>/copy")
@organiser_only
def copy_workshop(workshop_id: int):
    """Offer the workshop again: a draft copy without dates or registrations, to edit next."""
    workshop = workshop_for_staff(workshop_id, Role.ORGANISER)
    try:
        copy = services.copy_workshop(db.session, workshop, actor=current_user)
    except services.WorkshopError as problem:
        db.session.rollback()
        return render_hub(workshop_for_staff(workshop_id), problem.message, 422)
    db.session.commit()
    flash(_("Die Kopie ist angelegt. Bitte tragen Sie die neuen Termine ein."))
    return redirect(url_for(".edit_workshop", workshop_id=copy.id))


@bp.post("/staff/workshops/<int:workshop_id>/status")
@organiser_only
def change_workshop_status(workshop_id: int):
    """Open, close or cancel the workshop, or take it back to draft (see services)."""
    workshop = workshop_for_staff(workshop_id, Role.ORGANISER)
    try:
        status = WorkshopStatus(request.form.get("status", ""))
    except ValueError:
        return render_hub(workshop, services.WorkshopError("transition").message, 422)
    if status == WorkshopStatus.CANCELLED and request.form.get("confirm") != "y":
        return render_hub(workshop, _("Bitte bestätigen Sie die Absage mit dem Häkchen."), 422)
    try:
        changed = services.change_status(db.session, workshop, status, actor=current_user)
    except services.WorkshopError as problem:
        db.session.rollback()
        return render_hub(workshop_for_staff(workshop_id), problem.message, 422)
    db.session.commit()
    if changed:
        flash(_("Neuer Status: %(status)s", status=status.label))
    return redirect(url_for(".show_workshop_hub", workshop_id=workshop_id))


@bp.get("/staff/workshops/<int:workshop_id>")
@login_required
def show_workshop_hub(workshop_id: int):
    """Show the workshop's figures, its public link and the way to each of its staff pages."""
    return render_hub(workshop_for_staff(workshop_id))


def render_hub(workshop: Workshop, status_error: str | None = None, status: int = 200):
    organiser = role_for_workshop(current_user, workshop) == Role.ORGANISER
    page = render_template(
        "workshops/show_workshop_hub.html",
        workshop=workshop,
        organiser=organiser,
        slips_missing=slips_missing_by_workshop(db.session, [workshop.id]).get(workshop.id, 0),
        status_buttons=[
            (target, str(STATUS_BUTTONS[target]))
            for target in services.allowed_statuses(db.session, workshop)
        ],
        status_error=status_error,
        staff_link=staff_link,
    )
    return page, status
