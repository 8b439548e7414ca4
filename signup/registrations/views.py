"""The family's own page at a secret address: places, cancelling, consents, its data.

Every route looks its token up through services.find_by_token, so a wrong token gets the
same 404 as a missing one; changes lock through registration_for_change first.
"""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from markupsafe import Markup, escape

from ..extensions import db
from ..i18n import _, isolate
from ..views import public_url
from ..workshops.calendar import calendar_response, workshop_calendar
from . import rights, services
from .forms import ContactForm
from .models import ConsentPurpose, Participant, ParticipantStatus, Registration

bp = Blueprint("registrations", __name__)

#: How many family links one browser remembers, for "you are already registered".
REMEMBERED_TOKENS = 10


def remember_token(token: str) -> None:
    """Keep the family's link in its own browser session, newest first."""
    tokens = [token] + [t for t in session.get("family_tokens", []) if t != token]
    session["family_tokens"] = tokens[:REMEMBERED_TOKENS]


def forget_token(token: str) -> None:
    """Drop a family link that stopped working from the browser session."""
    tokens = session.get("family_tokens", [])
    if token in tokens:
        session["family_tokens"] = [t for t in tokens if t != token]


def recall_token(registration: Registration) -> str | None:
    for token in session.get("family_tokens", []):
        if services.find_by_token(db.session, token) == registration:
            return token
    return None


def get_registration(token: str) -> Registration:
    registration = services.find_by_token(db.session, token)
    if registration is None:
        abort(404)
    return registration


def registration_for_change(token: str) -> Registration:
    """Find the registration and lock it for a change; 404 if it went meanwhile."""
    registration = rights.lock_for_change(db.session, get_registration(token), token)
    if registration is None:
        abort(404)
    return registration


def find_participant(registration: Registration, participant_id: str | None) -> Participant | None:
    for participant in registration.participants:
        if str(participant.id) == participant_id:
            return participant
    return None


@bp.get("/r/<token>")
def show_registration(token: str):
    """Show the family its children's places, the dates and how to cancel."""
    registration = get_registration(token)
    positions = services.waiting_positions(db.session, registration.workshop)
    return render_template(
        "registrations/show_registration.html",
        registration=registration,
        workshop=registration.workshop,
        positions=positions,
        token=token,
        statuses=ParticipantStatus,
        consents=sorted(registration.consents, key=lambda c: (c.given_at, c.id)),
        withdrawable=rights.WITHDRAWABLE,
        submission_id=services.new_submission_id(),
        shareable=services.registration_state(registration.workshop) in {"open", "full"},
    )


@bp.get("/r/<token>/calendar.ics")
def download_calendar(token: str):
    """The workshop's dates for the family's calendar, with the link to this page."""
    registration = get_registration(token)
    url = public_url("registrations.show_registration", token=token, lang=registration.language)
    body = workshop_calendar(registration.workshop, registration.language, url)
    return calendar_response(body, registration.workshop, private=True)


@bp.route("/r/<token>/contact", methods=["GET", "POST"])
def edit_contact(token: str):
    """Let the family correct its phone number or e-mail address."""
    registration = get_registration(token)
    form = ContactForm.for_registration(registration)
    if form.is_submitted():
        if not form.validate():
            return render_contact_form(form, registration, token), 422
        registration = registration_for_change(token)
        if rights.change_contact(
            db.session,
            registration,
            phone=form.normalised_phone,
            email=form.normalised_email,
            actor=None,
            token=token,
        ):
            flash(_("Gespeichert. So erreichen wir Sie jetzt."))
        db.session.commit()
        return redirect(url_for(".show_registration", token=token))
    return render_contact_form(form, registration, token)


def render_contact_form(form: ContactForm, registration: Registration, token: str) -> str:
    return render_template(
        "registrations/edit_contact.html", form=form, registration=registration, token=token
    )


@bp.get("/w/<slug>/already-registered")
def show_known_registration(slug: str):
    """Tell a family on another device that its children are registered already."""
    return render_template("registrations/show_known_registration.html", slug=slug)


@bp.route("/r/<token>/cancel", methods=["GET", "POST"])
def cancel_registration(token: str):
    """Ask before cancelling one child or all; on POST cancel and move the waiting list up."""
    registration = get_registration(token)
    participant_id = request.values.get("participant")
    participant = find_participant(registration, participant_id)
    if participant_id and participant is None:
        abort(404)
    targets = [participant] if participant else registration.active_participants
    if request.method == "POST" and targets:
        services.cancel(db.session, registration, targets)
        db.session.commit()
        names = Markup(", ").join(isolate(p.first_name) for p in targets)
        message = _("Abgemeldet: %(names)s. Danke, dass Sie Bescheid gesagt haben.")
        flash(escape(message) % {"names": names})
        return redirect(url_for(".show_registration", token=token))
    return render_template(
        "registrations/cancel_registration.html",
        registration=registration,
        targets=[p for p in targets if p.status != ParticipantStatus.CANCELLED],
        participant=participant,
        token=token,
    )


@bp.post("/r/<token>/consents/<purpose>/withdraw")
def withdraw_consent(token: str, purpose: str):
    """Withdraw one consent; the proof stays, marked as withdrawn."""
    registration = registration_for_change(token)
    if purpose not in {p.value for p in rights.WITHDRAWABLE}:
        abort(404)
    purpose = ConsentPurpose(purpose)
    if rights.withdraw_consent(db.session, registration, purpose):
        flash(_("Zurückgenommen: %(purpose)s.", purpose=purpose.label))
    db.session.commit()
    return redirect(url_for(".show_registration", token=token, _anchor="consents"))


@bp.get("/r/<token>/data")
def show_stored_data(token: str):
    """Show everything stored about the registration, in words."""
    registration = get_registration(token)
    return render_template(
        "registrations/show_stored_data.html",
        data=rights.stored_data(registration),
        labels=rights.LABELS,
        readable=rights.readable,
        token=token,
    )


@bp.get("/r/<token>/data.json")
def download_stored_data(token: str):
    """Download everything stored about the registration as JSON."""
    registration = get_registration(token)
    return json_download(rights.stored_data(registration), registration)


def json_download(data: dict, registration: Registration) -> Response:
    response = Response(rights.as_json(data), mimetype="application/json")
    filename = f"anmeldung-{registration.id}.json"
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/r/<token>/delete", methods=["GET", "POST"])
def delete_registration(token: str):
    """Ask, then delete the registration with all its data; the places go to others."""
    if request.method == "GET":
        registration = get_registration(token)
        return render_template(
            "registrations/delete_registration.html", registration=registration, token=token
        )
    registration = registration_for_change(token)
    workshop = registration.workshop
    rights.delete_registration(db.session, registration, actor=None, action="deleted_by_family")
    db.session.commit()
    forget_token(token)
    return render_template("registrations/delete_registration_done.html", workshop=workshop)


@bp.post("/r/<token>/new-link")
def renew_link(token: str):
    """Give the family a new secret link; the old one stops working at once."""
    fresh = services.token_for_submission(
        current_app.config["SECRET_KEY"], request.form.get("submission_id")
    )
    registration = services.find_by_token(db.session, token)
    if registration is not None:
        registration = rights.lock_for_change(db.session, registration, token)
    if registration is not None:
        fresh = rights.renew_link(db.session, registration, fresh)
        db.session.commit()
        flash(_("Das ist Ihr neuer Link. Der alte Link geht nicht mehr. Bitte speichern Sie ihn."))
    elif services.find_by_token(db.session, fresh) is None:
        abort(404)
    # Else the same form came twice, and the first one made the new link: show it again.
    forget_token(token)
    remember_token(fresh)
    return redirect(url_for(".show_registration", token=fresh))
