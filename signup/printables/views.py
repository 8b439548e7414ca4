"""Printouts as PDF: flyers, consent slips, sign-in sheets and name tags for staff; the
confirmation and the pre-filled consent slip for the family itself."""

from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..checkin.services import find_by_code
from ..extensions import db
from ..i18n import LANGUAGES, get_locale, normalise_language
from ..registrations import privacy
from ..registrations.manage import registration_for_staff
from ..registrations.models import Registration, hash_token
from ..registrations.services import waiting_positions
from ..registrations.views import get_registration
from ..staff.access import start_audited_read, workshop_for_staff
from ..staff.services import record_for_workshop, role_for_workshop
from ..views import public_url
from ..workshops.models import Workshop
from . import attendance, badges, confirmation, consent, data, flyer

bp = Blueprint("printables", __name__)

LAYOUTS = ("poster", "handout")


def pdf_response(body: bytes, filename: str, private: bool = True):
    """Send a PDF to open in the browser; personal ones are never kept in a cache."""
    response = make_response(body)
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store" if private else "private, max-age=300"
    return response


def info_for(workshop: Workshop) -> data.WorkshopInfo:
    return data.workshop_info(workshop, public_url("workshops.show_workshop", slug=workshop.slug))


def chosen_language(name: str = "language", default: str | None = None) -> str:
    """A language from the query string; an unknown code is "not found", not a guess."""
    value = request.args.get(name)
    if value is None:
        return default or str(get_locale())
    language = normalise_language(value)
    if language is None or language != value:
        abort(404)
    return language


def staff_language() -> str:
    return str(get_locale())


def slip_info(registration: Registration) -> data.SlipInfo:
    workshop = registration.workshop
    return data.SlipInfo(
        workshop=info_for(workshop),
        language=registration.language,
        children=data.children_of(registration, waiting_positions(db.session, workshop)),
        scan_url=slip_scan_url(registration),
        short_code=registration.checkin_code,
        retention_days=privacy.contact_days(registration.workshop),
    )


def slip_scan_url(registration: Registration) -> str | None:
    if not registration.checkin_code:
        return None
    return public_url("printables.find_slip", code=registration.checkin_code)


def confirmation_info(registration: Registration, token: str) -> data.ConfirmationInfo:
    workshop = registration.workshop
    return data.ConfirmationInfo(
        workshop=info_for(workshop),
        language=registration.language,
        children=data.children_of(registration, waiting_positions(db.session, workshop)),
        family_url=public_url(
            "registrations.show_registration", token=token, lang=registration.language
        ),
    )


# Staff: everything printable for one workshop.


@bp.get("/staff/workshops/<int:workshop_id>/print")
@login_required
def list_printables(workshop_id: int):
    """Offer the workshop's printouts, with the choices each one needs."""
    workshop = workshop_for_staff(workshop_id)
    return render_template(
        "printables/list_printables.html", workshop=workshop, languages=LANGUAGES
    )


@bp.get("/staff/workshops/<int:workshop_id>/flyer.pdf")
@login_required
def print_flyer(workshop_id: int):
    """A QR flyer: an A4 poster or four A6 hand-outs; German beside one language, or all 13."""
    workshop = workshop_for_staff(workshop_id)
    layout = request.args.get("layout", "poster")
    if layout not in LAYOUTS:
        abort(404)
    language = request.args.get("language", "de")
    if language != "many":
        language = chosen_language(default="de")
    body = flyer.render_flyer(info_for(workshop), layout=layout, language=language)
    return pdf_response(body, f"flyer-{workshop.slug}-{layout}-{language}.pdf", private=False)


@bp.get("/staff/workshops/<int:workshop_id>/consent-slip.pdf")
@login_required
def print_blank_slip(workshop_id: int):
    """A blank consent slip for paper sign-ups, in one language beside German."""
    workshop = workshop_for_staff(workshop_id)
    language = chosen_language(default="de")
    slip = data.SlipInfo(
        info_for(workshop), language, retention_days=privacy.contact_days(workshop)
    )
    body = consent.render_consent_slip(slip)
    return pdf_response(body, f"consent-{workshop.slug}-{language}.pdf", private=False)


@bp.get("/staff/workshops/<int:workshop_id>/sign-in.pdf")
@bp.get("/staff/workshops/<int:workshop_id>/sign-in/<int:date_id>.pdf")
@login_required
def print_sign_in_sheet(workshop_id: int, date_id: int | None = None):
    """The sign-in sheet for one date, or one sheet with a column for each date."""
    start_audited_read()
    workshop = workshop_for_staff(workshop_id)
    info = info_for(workshop)
    slot = None
    if date_id is not None:
        slot = next((s for s in info.dates if s.id == date_id), None)
        if slot is None:
            abort(404)
    rows = data.sheet_rows(db.session, workshop)
    record_for_workshop(
        db.session, current_user, "print_list", workshop, detail=f"date:{date_id or 'all'}"
    )
    db.session.commit()
    body = attendance.render_sign_in_sheet(info, rows, slot, staff_language())
    suffix = slot.day.isoformat() if slot else "all"
    return pdf_response(body, f"sign-in-{workshop.slug}-{suffix}.pdf")


@bp.get("/staff/workshops/<int:workshop_id>/name-tags.pdf")
@login_required
def print_name_tags(workshop_id: int):
    """Name tags for the confirmed children, first names large, on a common label sheet."""
    start_audited_read()
    workshop = workshop_for_staff(workshop_id)
    rows = [row for row in data.sheet_rows(db.session, workshop) if not row.group]
    record_for_workshop(db.session, current_user, "print_list", workshop, detail="name-tags")
    db.session.commit()
    body = badges.render_name_tags(info_for(workshop), rows, staff_language())
    return pdf_response(body, f"name-tags-{workshop.slug}.pdf")


@bp.get("/staff/registrations/<int:registration_id>/consent-slip.pdf")
@login_required
def print_registration_slip(registration_id: int):
    """The consent slip filled in for one family, in the family's language beside German."""
    start_audited_read()
    registration = registration_for_staff(registration_id)
    record_for_workshop(
        db.session,
        current_user,
        "print_slip",
        registration.workshop,
        subject=f"registration:{registration.id}",
    )
    db.session.commit()
    body = consent.render_consent_slip(slip_info(registration))
    return pdf_response(body, f"consent-{registration.workshop.slug}-{registration.id}.pdf")


@bp.post("/staff/registrations/<int:registration_id>/confirmation.pdf")
@login_required
def print_registration_confirmation(registration_id: int):
    """The family's confirmation, right after staff saved it: the page posts the family's link.

    Only the link's hash is stored, so the secret comes with the request and is checked here.
    """
    registration = registration_for_staff(registration_id)
    token = request.form.get("token", "")
    if not token or hash_token(token) != registration.token_hash:
        abort(404)
    body = confirmation.render_confirmation(confirmation_info(registration, token))
    return pdf_response(body, f"confirmation-{registration.workshop.slug}.pdf")


@bp.get("/staff/slips/<code>")
@login_required
def find_slip(code: str):
    """Where the QR code on a signed slip leads: the registration, to mark the slip received."""
    registration = find_by_code(db.session, code)
    if registration is None or role_for_workshop(current_user, registration.workshop) is None:
        abort(404)
    return redirect(
        url_for(
            "manage_registrations.show_registration_staff",
            registration_id=registration.id,
            _anchor="slip",
        )
    )


# The family, on its own page.


@bp.get("/r/<token>/confirmation.pdf")
def download_confirmation(token: str):
    """The family's confirmation to print or keep, in its language beside German."""
    registration = get_registration(token)
    body = confirmation.render_confirmation(confirmation_info(registration, token))
    return pdf_response(body, f"confirmation-{registration.workshop.slug}.pdf")


@bp.get("/r/<token>/consent-slip.pdf")
def download_consent_slip(token: str):
    """The family's consent slip, filled in, to sign and bring along."""
    registration = get_registration(token)
    body = consent.render_consent_slip(slip_info(registration))
    return pdf_response(body, f"consent-{registration.workshop.slug}.pdf")
