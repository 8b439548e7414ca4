"""The family's own page at a secret address: see the places, cancel one child or all."""

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from markupsafe import Markup, escape

from ..extensions import db
from ..i18n import _, isolate
from . import services
from .models import Participant, ParticipantStatus, Registration

bp = Blueprint("registrations", __name__)

#: How many family links one browser remembers, for "you are already registered".
REMEMBERED_TOKENS = 10


def remember_token(token: str) -> None:
    """Keep the family's link in its own browser session, newest first."""
    tokens = [token] + [t for t in session.get("family_tokens", []) if t != token]
    session["family_tokens"] = tokens[:REMEMBERED_TOKENS]


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
