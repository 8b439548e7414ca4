"""Staff register families on their behalf, and school classes as a group."""

from babel import Locale
from flask import Blueprint, current_app, make_response, render_template, request
from flask_babel import get_locale
from flask_login import current_user, login_required

from ..extensions import csrf, db
from ..i18n import LANGUAGES, _
from ..qr import qr_svg
from ..staff.access import workshop_for_staff
from ..staff.services import record_for_workshop
from ..views import public_url
from ..workshops.models import Workshop
from . import services
from .assisted_forms import AssistedSignupForm, GroupForm
from .models import Channel, ConsentChannel, ParticipantStatus, hash_token

bp = Blueprint("assisted", __name__, url_prefix="/staff/workshops")

#: Staff may register before and after the families' window; drafts, past and cancelled no.
STAFF_STATES = {"open", "not_yet", "closed"}


def posted_form():
    # Only a posted form counts (Flask-WTF would also read JSON, with values of any type).
    return request.form if request.method == "POST" else None


def submission_token(form) -> str:
    return services.token_for_submission(current_app.config["SECRET_KEY"], form.submission_id.data)


def name_in_ui_language(code: str) -> str:
    """Name a language in the staff member's language (Arabisch, Arabic …)."""
    return Locale.parse(code).get_display_name(str(get_locale())) or code


def state_notice(state: str) -> str | None:
    """Say why the form is not shown, or None when staff may register."""
    return None if state in STAFF_STATES else services.RegistrationError(state).message


@bp.route("/<int:workshop_id>/assist", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token and keeps what was typed when it expired
@login_required
def new_assisted_registration(workshop_id: int):
    """Register a family on its behalf: its language first, then children and consent."""
    workshop = workshop_for_staff(workshop_id)
    family_language = request.args.get("family_language", "")
    if family_language not in LANGUAGES:
        return render_template(
            "assisted/new_assisted_registration_language.html",
            workshop=workshop,
            staff_language_name=name_in_ui_language,
        )
    form = AssistedSignupForm(workshop, family_language, formdata=posted_form())

    def register(token: str) -> services.RegistrationResult:
        return services.register(
            db.session,
            workshop,
            form.children_data(),
            phone=form.normalised_phone,
            email=form.normalised_email,
            language=family_language,
            consents=form.consents_given(),
            together=form.together.data,
            channel=Channel.ASSISTED,
            assisted_by=current_user._get_current_object(),
            consent_channel=ConsentChannel(form.consent_channel.data),
            token=token,
            outside_window=True,
        )

    return save_or_show(
        workshop, form, register, "assisted/new_assisted_registration.html", "register_family"
    )


@bp.route("/<int:workshop_id>/group", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token and keeps what was typed when it expired
@login_required
def new_group_registration(workshop_id: int):
    """Register a school class or youth group as a headcount that gets its places whole."""
    workshop = workshop_for_staff(workshop_id)
    form = GroupForm(workshop, formdata=posted_form())

    def register(token: str) -> services.RegistrationResult:
        return services.register_group(
            db.session,
            workshop,
            group_name=form.group_name.data,
            responsible_adult=form.responsible_adult.data,
            headcount=form.headcount.data,
            youngest_age=form.youngest_age.data,
            school_year=form.school_year.data or None,
            phone=form.normalised_phone,
            email=form.normalised_email,
            language=form.language.data,
            assisted_by=current_user._get_current_object(),
            token=token,
        )

    return save_or_show(
        workshop, form, register, "assisted/new_group_registration.html", "register_group"
    )


def save_or_show(workshop: Workshop, form, register, template: str, action: str):
    """Save a valid form through `register(token)`, or show it again with what went wrong."""
    state = services.registration_state(workshop)
    failed = False
    if form.is_submitted() and state in STAFF_STATES:
        if getattr(form, "wants_more_rows", False):
            form.add_row()
        elif not form.validate():
            failed = True
        else:
            token = submission_token(form)
            try:
                result = register(token)
            except services.RegistrationError as error:
                db.session.rollback()
                failed = True
                form.general_errors.append(error.message)
                state = services.registration_state(workshop)
            else:
                return show_saved(workshop, result, token, action)
    page = render_template(
        template,
        workshop=workshop,
        form=form,
        notice=state_notice(state),
        outside_window=state != "open",
    )
    return page, 422 if failed else 200


def show_saved(workshop: Workshop, result: services.RegistrationResult, token: str, action: str):
    """Log and commit a registration, then show its states, link and QR code, once.

    The secret link is rendered into this response only: never stored, never redirected to.
    A form sent twice derives the same token and shows the same page again.
    """
    registration = result.registration
    if result.created:
        record_for_workshop(
            db.session,
            current_user,
            action,
            workshop,
            subject=f"registration:{registration.id}",
            detail=f"language={registration.language} places={sum_places(registration)}",
        )
    db.session.commit()
    token = result.token or (token if registration.token_hash == hash_token(token) else None)
    link = None
    if token:
        link = public_url(
            "registrations.show_registration", token=token, lang=registration.language
        )
    response = make_response(
        render_template(
            "assisted/saved_registration.html",
            workshop=workshop,
            registration=registration,
            created=result.created,
            positions=services.waiting_positions(db.session, workshop),
            statuses=ParticipantStatus,
            link=link,
            token=token,
            qr=qr_svg(link, qr_label(registration)) if link else None,
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def qr_label(registration) -> str:
    if registration.is_group:
        return _("QR-Code mit dem Link für die Gruppe")
    return _("QR-Code mit dem Link für die Familie")


def sum_places(registration) -> int:
    return sum(p.headcount for p in registration.participants)
