"""Staff pages: log in and out, passwords, the dashboard, colleagues."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db
from ..i18n import _
from ..registrations import privacy
from ..registrations.services import slips_missing_by_workshop
from ..views import public_url
from . import services
from .forms import (
    AddColleagueForm,
    ChangePasswordForm,
    LoginForm,
    NewPasswordForm,
    PrivacySettingsForm,
    RoleForm,
)
from .models import Membership, Organisation, Role, StaffUser

bp = Blueprint("staff", __name__, url_prefix="/staff")
#: An id in a URL: a larger number than the database's integer is simply not found.
ID = "int(max=2147483647)"


def safe_next(target: str | None) -> str:
    """Follow ?next= only to a path on this site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("staff.show_dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log a staff member in; repeated failures slow down and then block."""
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                db.session, form.email.data, form.password.data, request.remote_addr
            )
        except services.LoginBlocked as blocked:
            form.form_errors.append(
                _(
                    "Zu viele Versuche. Bitte warten Sie bis %(time)s.",
                    time=format_datetime(blocked.until, "HH:mm:ss"),
                )
            )
            status = 429
        else:
            db.session.commit()
            if user is not None:
                login_user(user)
                return redirect(safe_next(request.args.get("next")))
            form.form_errors.append(_("E-Mail oder Passwort stimmen nicht."))
            status = 401
    elif form.is_submitted():
        status = 422
    return render_template("staff/login.html", form=form), status


@bp.post("/logout")
def logout():
    """Log out (by POST only, so no link can do it behind the user's back)."""
    logout_user()
    return redirect(url_for("staff.login"))


@bp.get("/")
@login_required
def show_dashboard():
    """Show each workshop of the user's organisations with places, waiting list and slips."""
    workshops = db.session.scalars(services.visible_workshops(db.session, current_user)).all()
    slips_missing = slips_missing_by_workshop(db.session, [w.id for w in workshops])
    workshops.sort(key=lambda w: (w.dates[0].day if w.dates else w.created_at.date(), w.id))
    return render_template(
        "staff/show_dashboard.html",
        workshops=workshops,
        slips_missing=slips_missing,
        role_for=lambda w: services.role_for_workshop(current_user, w),
    )


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Let a staff member change their own password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("Das bisherige Passwort stimmt nicht."))
        else:
            services.set_password(db.session, current_user, form.password.data)
            db.session.commit()
            flash(_("Ihr Passwort ist geändert."))
            return redirect(url_for(".show_dashboard"))
    return render_template("staff/change_password.html", form=form)


def led_organisations() -> list:
    """The organisations the user leads; 403 for someone who leads none."""
    organisations = services.organisations_where(current_user, Role.ORGANISER)
    if not organisations:
        abort(403)
    return sorted(organisations, key=lambda o: (o.name.casefold(), o.id))


def render_colleagues(form: AddColleagueForm | None = None, problem: str | None = None):
    """The colleagues page: who belongs where with which role, and the form to add someone."""
    organisations = led_organisations()
    memberships = db.session.scalars(
        sa.select(Membership)
        .join(Membership.user)
        .where(Membership.organisation_id.in_([o.id for o in organisations]))
        .order_by(StaffUser.display_name, StaffUser.id, Membership.organisation_id)
    ).all()
    return render_template(
        "staff/list_colleagues.html",
        memberships=memberships,
        form=form or AddColleagueForm(organisations, formdata=None),
        problem=problem,
        may_reset=lambda user: services.may_issue_reset_link(current_user, user),
    )


def membership_to_manage(membership_id: int, lock: bool = False) -> Membership:
    """Return a membership of an organisation the user leads; 404 for other organisations."""
    if lock:
        membership = services.locked_membership(db.session, membership_id)
    else:
        membership = db.session.get(Membership, membership_id)
    role = services.role_in(current_user, [membership.organisation_id]) if membership else None
    if role is None:
        abort(404)
    if role != Role.ORGANISER:
        abort(403)
    return membership


@bp.get("/colleagues")
@login_required
def list_colleagues():
    """List the people of the organisations where the user is an organiser."""
    return render_colleagues()


@bp.post("/colleagues")
@login_required
def add_colleague():
    """Add a person to an organisation the user leads; show a new account its password link."""
    organisations = led_organisations()
    form = AddColleagueForm(organisations)
    if form.validate():
        organisation = db.session.get(Organisation, int(form.organisation.data))
        try:
            added = services.add_colleague(
                db.session,
                current_user,
                organisation,
                form.normalised_email,
                form.display_name.data,
                Role(form.role.data),
            )
        except services.ColleagueError as refused:
            db.session.rollback()
            form.email.errors = [refused.message]
        else:
            db.session.commit()
            if added.token is None:
                flash(
                    _(
                        "%(name)s hat schon ein Konto und gehört jetzt auch zu %(organisation)s. "
                        "Ein Link ist nicht nötig.",
                        name=added.membership.user.display_name,
                        organisation=organisation.name,
                    )
                )
                return redirect(url_for(".list_colleagues"))
            return render_template(
                "staff/show_set_password_link.html",
                membership=added.membership,
                link=public_url("staff.reset_password", token=added.token),
            )
    return render_colleagues(form), 422


@bp.post(f"/colleagues/memberships/<{ID}:membership_id>/role")
@login_required
def change_role(membership_id: int):
    """Make a colleague an organiser or an assistant of one organisation."""
    membership = membership_to_manage(membership_id, lock=True)
    form = RoleForm()
    if not form.validate() or form.role.data not in set(Role):
        abort(422)
    try:
        services.change_role(db.session, current_user, membership, Role(form.role.data))
    except services.ColleagueError as refused:
        db.session.rollback()
        return render_colleagues(problem=refused.message), 409
    db.session.commit()
    flash(
        _(
            "Die Rolle von %(name)s in %(organisation)s ist jetzt: %(role)s.",
            name=membership.user.display_name,
            organisation=membership.organisation.name,
            role=membership.role.label,
        )
    )
    return redirect(colleagues_or_dashboard())


@bp.route(f"/colleagues/memberships/<{ID}:membership_id>/remove", methods=["GET", "POST"])
@login_required
def remove_colleague(membership_id: int):
    """Ask, then take a colleague out of an organisation; the account stays."""
    membership = membership_to_manage(membership_id, lock=request.method == "POST")
    if request.method == "GET":
        return render_template("staff/remove_colleague.html", membership=membership)
    name, organisation = membership.user.display_name, membership.organisation.name
    try:
        services.remove_colleague(db.session, current_user, membership)
    except services.ColleagueError as refused:
        db.session.rollback()
        return render_colleagues(problem=refused.message), 409
    db.session.commit()
    flash(
        _(
            "%(name)s gehört nicht mehr zu %(organisation)s.",
            name=name,
            organisation=organisation,
        )
    )
    return redirect(colleagues_or_dashboard())


def colleagues_or_dashboard() -> str:
    """Back to the list, or to the dashboard for someone who just stopped leading."""
    if services.organisations_where(current_user, Role.ORGANISER):
        return url_for(".list_colleagues")
    return url_for(".show_dashboard")


@bp.post(f"/colleagues/<{ID}:user_id>/reset")
@login_required
def create_reset_link(user_id: int):
    """Make a one-time password link for a colleague, shown once to the organiser."""
    colleague = db.session.get(StaffUser, user_id)
    shared = {m.organisation_id for m in colleague.memberships} if colleague else set()
    allowed = {o.id for o in services.organisations_where(current_user, Role.ORGANISER)}
    if colleague is None or not shared & allowed:
        abort(404)
    if not services.may_issue_reset_link(current_user, colleague):
        abort(403)
    token = services.issue_reset_link(db.session, colleague)
    for organisation_id in shared & allowed:
        services.record(
            db.session,
            current_user,
            "reset_link",
            f"staff:{colleague.id}",
            organisation_id=organisation_id,
        )
    db.session.commit()
    return render_template(
        "staff/show_reset_link.html",
        colleague=colleague,
        link=public_url("staff.reset_password", token=token),
    )


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Set a new password with a one-time link."""
    user = services.user_for_reset(db.session, token)
    if user is None:
        return render_template("staff/reset_password.html", form=None), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        services.set_password(db.session, user, form.password.data)
        db.session.commit()
        flash(_("Ihr Passwort ist gespeichert. Bitte melden Sie sich an."))
        return redirect(url_for(".login"))
    return render_template("staff/reset_password.html", form=form)


@bp.route(f"/organisations/<{ID}:organisation_id>/privacy", methods=["GET", "POST"])
@login_required
def edit_organisation(organisation_id: int):
    """Let an organiser set the privacy notice's contacts and how long data is kept."""
    organisation = db.session.get(Organisation, organisation_id)
    role = services.role_in(current_user, [organisation_id]) if organisation else None
    if role is None:
        abort(404)
    if role != Role.ORGANISER:
        abort(403)
    form = PrivacySettingsForm(obj=organisation)
    if form.validate_on_submit():
        privacy.update_settings(db.session, organisation, form.settings(), actor=current_user)
        db.session.commit()
        flash(_("Die Einstellungen zum Datenschutz sind gespeichert."))
        return redirect(url_for(".edit_organisation", organisation_id=organisation.id))
    page = render_template(
        "staff/edit_organisation.html",
        form=form,
        organisation=organisation,
        organisations=led_organisations(),
    )
    return page, 422 if form.is_submitted() else 200
