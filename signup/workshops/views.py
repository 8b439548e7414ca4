"""Public pages: the list of open workshops, and each workshop with its sign-up form."""

import re

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from sqlalchemy.orm import joinedload

from ..extensions import csrf, db
from ..registrations import privacy, services
from ..registrations.forms import SignupForm
from ..registrations.models import hash_token
from ..registrations.views import recall_token, remember_token
from ..staff.models import Organisation
from ..views import public_url
from .calendar import calendar_response, workshop_calendar
from .models import Workshop, WorkshopStatus

bp = Blueprint("workshops", __name__)
SLUG = re.compile(r"[A-Za-z0-9_-]{1,80}")


@bp.get("/")
def list_workshops():
    """Show the open, publicly listed workshops, soonest first."""
    workshops = db.session.scalars(
        sa.select(Workshop).where(Workshop.listed, Workshop.status == WorkshopStatus.OPEN)
    ).all()
    open_now = [w for w in workshops if services.registration_state(w) in {"open", "full"}]
    open_now.sort(key=lambda w: (w.dates[0].day.isoformat() if w.dates else "", w.id))
    return render_template("workshops/list_workshops.html", workshops=open_now)


def get_public_workshop(slug: str) -> Workshop:
    # Slugs are plain ASCII; anything else is no workshop (a NUL byte would fail the query).
    if not SLUG.fullmatch(slug):
        abort(404)
    # One round trip: the page needs the texts, dates and organisers anyway.
    workshop = db.session.scalar(
        sa.select(Workshop)
        .where(Workshop.slug == slug)
        .options(
            joinedload(Workshop.texts),
            joinedload(Workshop.dates),
            joinedload(Workshop.organisations),
        )
    )
    if workshop is None or not workshop.is_public():
        abort(404)
    return workshop


@bp.route("/w/<slug>", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token and shows an expired one next to the form
def show_workshop(slug: str):
    """Show a workshop with its sign-up form; register the family on submit."""
    workshop = get_public_workshop(slug)
    # Only a posted form counts (Flask-WTF would also read JSON, with values of any type).
    form = SignupForm(workshop, formdata=request.form if request.method == "POST" else None)
    state = services.registration_state(workshop)
    failed = False
    if form.is_submitted() and state in {"open", "full"}:
        if form.wants_more_rows:
            form.add_row()
        elif not form.validate():
            failed = True
        else:
            token = services.token_for_submission(
                current_app.config["SECRET_KEY"], form.submission_id.data
            )
            try:
                result = services.register(
                    db.session,
                    workshop,
                    form.children_data(),
                    phone=form.normalised_phone,
                    email=form.normalised_email,
                    language=str(get_locale()),
                    consents=form.consents_given(),
                    together=form.together.data,
                    token=token,
                )
            except services.RegistrationError as error:
                db.session.rollback()
                failed = True
                form.general_errors.append(error.message)
                state = services.registration_state(get_public_workshop(slug))
            else:
                db.session.commit()
                return redirect_to_family_page(result, token, slug)
    page = render_template(
        "workshops/show_workshop.html", workshop=workshop, form=form, state=state
    )
    return page, 422 if failed else 200


@bp.get("/w/<slug>/calendar.ics")
def download_calendar(slug: str):
    """The workshop's dates for a calendar, linking back to the workshop page."""
    workshop = get_public_workshop(slug)
    language = str(get_locale())
    url = public_url("workshops.show_workshop", slug=workshop.slug, lang=language)
    return calendar_response(workshop_calendar(workshop, language, url), workshop, private=False)


@bp.get("/w/<slug>/privacy")
def show_privacy(slug: str):
    """Show a workshop's privacy notice, filled from the organisations that run it."""
    workshop = get_public_workshop(slug)
    return render_template(
        "workshops/show_privacy.html",
        workshop=workshop,
        retention=privacy.retention_for(workshop),
        authorities=privacy.authorities(o.supervisory_authority for o in workshop.organisations),
    )


@bp.get("/privacy")
def show_general_privacy():
    """Show the privacy notice's parts that hold for every workshop."""
    named = db.session.scalars(sa.select(Organisation.supervisory_authority).distinct())
    return render_template(
        "workshops/show_privacy.html",
        workshop=None,
        retention=None,
        authorities=privacy.authorities(named),
    )


def redirect_to_family_page(result: services.RegistrationResult, token: str, slug: str):
    """Send the family to its page; a repeat finds the page it made before."""
    if result.registration.token_hash != hash_token(token):
        token = recall_token(result.registration)
        if token is None:
            return redirect(url_for("registrations.show_known_registration", slug=slug))
    remember_token(token)
    return redirect(url_for("registrations.show_registration", token=token))
