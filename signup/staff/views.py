"""Staff pages: log in and out, passwords, the dashboard."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db
from ..i18n import _
from ..registrations.services import slips_missing_by_workshop
from ..views import public_url
from . import services
from .forms import ChangePasswordForm, LoginForm, NewPasswordForm
from .models import Membership, Role, StaffUser

bp = Blueprint("staff", __name__, url_prefix="/staff")


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


@bp.get("/colleagues")
@login_required
def list_colleagues():
    """List the people of the organisations where the user is an organiser."""
    organisations = services.organisations_where(current_user, Role.ORGANISER)
    if not organisations:
        abort(403)
    memberships = db.session.scalars(
        sa.select(Membership).where(Membership.organisation_id.in_([o.id for o in organisations]))
    ).all()
    return render_template("staff/list_colleagues.html", memberships=memberships)


@bp.post("/colleagues/<int:user_id>/reset")
@login_required
def create_reset_link(user_id: int):
    """Make a one-time password link for a colleague, shown once to the organiser."""
    colleague = db.session.get(StaffUser, user_id)
    shared = {m.organisation_id for m in colleague.memberships} if colleague else set()
    allowed = {o.id for o in services.organisations_where(current_user, Role.ORGANISER)}
    if colleague is None or not shared & allowed:
        abort(404)
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
