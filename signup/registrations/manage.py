"""Staff pages for registrations: list, detail, changes, notes, export, deletion on request;
the audit log."""

import math
from datetime import date
from itertools import groupby
from tempfile import SpooledTemporaryFile

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from werkzeug.datastructures import Headers
from wtforms.fields import TextAreaField
from wtforms.validators import ValidationError

from ..extensions import db
from ..formfields import PostedForm
from ..i18n import _, _l, isolate
from ..mail import outbox
from ..staff.access import start_audited_read, workshop_for_staff
from ..staff.models import Role
from ..staff.services import organisations_where, record_for_workshop, role_for_workshop
from ..workshops.models import OptionalField, Workshop
from . import audit, export, rights, services
from .forms import ContactForm, clean_text
from .models import Channel, Participant, ParticipantStatus, Registration
from .views import json_download

bp = Blueprint("manage_registrations", __name__, url_prefix="/staff")

PAGE_SIZE = 100
#: An Excel file stays in memory up to this size, then goes to a temporary file.
SPOOL_MEMORY = 1024 * 1024
PHOTO_SHORT = {
    "internal": _l("intern"),
    "website": _l("Internetseite"),
    "press": _l("Presse"),
    "social": _l("soziale Medien"),
}
SLIP_LABELS = {
    "received": _l("erhalten"),
    "missing": _l("fehlt"),
    "not_needed": _l("nicht nötig"),
}


def clean_note(value: str | None) -> str:
    """Clean each line of a note as typed text, keeping the line breaks."""
    lines = (clean_text(line, services.NOTE_MAX) for line in (value or "").splitlines())
    return "\n".join(line for line in lines if line)


class NoteForm(PostedForm):
    text = TextAreaField(_l("Neue Notiz"), filters=[clean_note])

    def validate_text(self, field):
        if not field.data:
            raise ValidationError(_("Bitte schreiben Sie etwas in die Notiz."))
        if len(field.data) > services.NOTE_MAX:
            raise ValidationError(
                _("Bitte kürzen Sie die Notiz auf %(n)d Zeichen.", n=services.NOTE_MAX)
            )


def registration_for_staff(registration_id: int, need: Role = Role.ASSISTANT) -> Registration:
    """Return the registration if the user's organisations run its workshop; else 404 (or 403)."""
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        abort(404)
    workshop_for_staff(registration.workshop_id, need)
    return registration


def participant_of(registration: Registration, participant_id) -> Participant:
    for participant in registration.participants:
        if str(participant.id) == str(participant_id):
            return participant
    abort(404)


def participant_detail(participants) -> str:
    """Name children in the audit log by id: the log outlives their names."""
    return " ".join(f"participant:{p.id}" for p in participants)


def log(registration: Registration, action: str, participants=()) -> None:
    """Record a change to (or a look at) a registration in the audit log."""
    record_for_workshop(
        db.session,
        current_user,
        action,
        registration.workshop,
        subject=audit.subject_of(registration),
        detail=participant_detail(participants),
    )


def queue_position(participant: Participant) -> int | None:
    """A waiting child's place in the queue (1 = next), counted in the database."""
    if participant.status != ParticipantStatus.WAITING:
        return None
    ahead = sa.or_(
        Participant.waitlist_order < participant.waitlist_order,
        sa.and_(
            Participant.waitlist_order == participant.waitlist_order,
            Participant.id < participant.id,
        ),
    )
    return 1 + db.session.scalar(
        sa.select(sa.func.count()).where(
            Participant.workshop_id == participant.workshop_id,
            Participant.status == ParticipantStatus.WAITING,
            ahead,
        )
    )


def page_number() -> int:
    text = request.args.get("page", "")
    return int(text) if text.isdecimal() and len(text) < 7 and int(text) > 0 else 1


def is_organiser(workshop: Workshop) -> bool:
    return role_for_workshop(current_user, workshop) == Role.ORGANISER


def back_to(registration: Registration, anchor: str = ""):
    url = url_for(".show_registration_staff", registration_id=registration.id)
    return redirect(url + (f"#{anchor}" if anchor else ""))


@bp.get("/workshops/<int:workshop_id>/registrations")
@login_required
def list_registrations(workshop_id: int):
    """List a workshop's participants, searchable and filtered, a page at a time."""
    start_audited_read()
    workshop = workshop_for_staff(workshop_id)
    filters = export.ParticipantFilter.from_args(request.args)
    statement = export.select_participants(workshop.id, filters)
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())
    )
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(page_number(), pages)
    rows = db.session.execute(statement.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    languages = db.session.scalars(
        sa.select(Registration.language)
        .where(Registration.workshop_id == workshop.id)
        .distinct()
        .order_by(Registration.language)
    ).all()
    record_for_workshop(db.session, current_user, "view_list", workshop)
    db.session.commit()
    return render_template(
        "registrations/list_registrations.html",
        workshop=workshop,
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        filters=filters,
        languages=languages,
        statuses=ParticipantStatus,
        channels=Channel,
        is_organiser=is_organiser(workshop),
        asks_surname=workshop.asks(OptionalField.SURNAME),
        photo_consents=export.photo_consents,
        slip_state=export.slip_state,
        photo_short=PHOTO_SHORT,
        slip_labels=SLIP_LABELS,
    )


def render_detail(registration: Registration, note_form=None, error=None, status=200):
    workshop = registration.workshop
    own = {m.organisation_id for m in current_user.memberships}
    viewer_organisation = min(own & {o.id for o in workshop.organisations})
    history = audit.registration_history(db.session, registration, viewer_organisation)
    names = {f"participant:{p.id}": p.first_name for p in registration.participants}
    page = render_template(
        "registrations/show_registration_staff.html",
        registration=registration,
        workshop=workshop,
        positions={p.id: queue_position(p) for p in registration.participants},
        is_organiser=is_organiser(workshop),
        note_form=note_form or NoteForm(formdata=None),
        history=history,
        actions=audit.ACTIONS,
        names_in=lambda detail: [names[t] for t in detail.split() if t in names],
        asks=workshop.asks,
        fields=OptionalField,
        statuses=ParticipantStatus,
        error=error,
        messages=outbox.messages_of(db.session, registration),
    )
    return page, status


@bp.get("/registrations/<int:registration_id>")
@login_required
def show_registration_staff(registration_id: int):
    """Show a registration with its children, consents, notes and history of changes."""
    start_audited_read()
    registration = registration_for_staff(registration_id)
    log(registration, "view_registration")
    db.session.commit()
    return render_detail(registration)


@bp.route("/registrations/<int:registration_id>/contact", methods=["GET", "POST"])
@login_required
def edit_contact_staff(registration_id: int):
    """Correct the family's phone number or e-mail address (a typo, a new number)."""
    registration = registration_for_staff(registration_id)
    form = ContactForm.for_registration(registration)
    if not form.is_submitted() or not form.validate():
        page = render_template(
            "registrations/edit_contact_staff.html", form=form, registration=registration
        )
        return page, 422 if form.is_submitted() else 200
    registration = rights.lock_for_change(db.session, registration)
    if registration is None:
        abort(404)
    if rights.change_contact(
        db.session,
        registration,
        phone=form.normalised_phone,
        email=form.normalised_email,
        actor=current_user,
    ):
        flash(_("Telefon und E-Mail sind gespeichert."))
    db.session.commit()
    return back_to(registration)


@bp.post("/registrations/<int:registration_id>/notes")
@login_required
def add_note(registration_id: int):
    """Add a staff note to a registration."""
    registration = registration_for_staff(registration_id)
    form = NoteForm()
    if not form.validate():
        return render_detail(registration, note_form=form, status=422)
    services.add_note(db.session, registration, current_user, form.text.data)
    log(registration, "note")
    db.session.commit()
    flash(_("Die Notiz ist gespeichert."))
    return back_to(registration, "notes")


@bp.post("/registrations/<int:registration_id>/slip")
@login_required
def mark_slip(registration_id: int):
    """Mark the signed consent slip as received, or as missing after all."""
    registration = registration_for_staff(registration_id)
    received = request.form.get("received") == "1"
    if services.set_slip_received(db.session, registration, received):
        log(registration, "slip_received" if received else "slip_missing")
    db.session.commit()
    if received:
        flash(_("Der Zettel ist als erhalten vermerkt."))
    else:
        flash(_("Der Zettel ist als fehlend vermerkt."))
    return back_to(registration, "slip")


@bp.post("/registrations/<int:registration_id>/participants/<int:participant_id>/move-up")
@login_required
def move_up_participant(registration_id: int, participant_id: int):
    """Give a waiting child a place out of turn, if one is free; organisers only."""
    registration = registration_for_staff(registration_id, Role.ORGANISER)
    participant = participant_of(registration, participant_id)
    was_waiting = participant.status == ParticipantStatus.WAITING
    try:
        services.move_up(db.session, participant)
    except services.RegistrationError:
        db.session.rollback()
        message = _(
            "Es ist kein Platz frei: %(name)s kann nicht nachrücken. "
            "Melden Sie zuerst ein anderes Kind ab oder erhöhen Sie die Zahl der Plätze."
        )
        error = escape(message) % {"name": isolate(participant.first_name)}
        return render_detail(registration, error=error, status=409)
    if was_waiting and participant.status == ParticipantStatus.CONFIRMED:
        log(registration, "move_up", [participant])
        message = _("%(name)s hat jetzt einen Platz.")
        flash(escape(message) % {"name": isolate(participant.first_name)})
    db.session.commit()
    return back_to(registration)


@bp.route("/registrations/<int:registration_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel_registration_staff(registration_id: int):
    """Ask, then cancel one child or the whole registration; the waiting list moves up."""
    registration = registration_for_staff(registration_id, Role.ORGANISER)
    participant_id = request.values.get("participant")
    participant = participant_of(registration, participant_id) if participant_id else None
    targets = [participant] if participant else registration.participants
    targets = [p for p in targets if p.status != ParticipantStatus.CANCELLED]
    if request.method == "POST":
        if targets:
            cancel_and_record(registration, targets)
            db.session.commit()
            names = Markup(", ").join(isolate(p.first_name) for p in targets)
            flash(escape(_("Abgemeldet: %(names)s.")) % {"names": names})
        return back_to(registration)
    return render_template(
        "registrations/cancel_registration_staff.html",
        registration=registration,
        targets=targets,
        participant=participant,
    )


def cancel_and_record(registration: Registration, targets: list[Participant]) -> None:
    promoted = services.cancel(db.session, registration, targets)
    log(registration, "cancel", targets)
    record_promoted(registration.workshop, promoted)


def record_promoted(workshop: Workshop, promoted: list[Participant]) -> None:
    """Log who moved up from the waiting list, per registration, and tell the organiser."""
    promoted.sort(key=lambda p: p.registration_id)
    for registration_id, moved in groupby(promoted, key=lambda p: p.registration_id):
        record_for_workshop(
            db.session,
            current_user,
            "promoted",
            workshop,
            subject=f"registration:{registration_id}",
            detail=participant_detail(moved),
        )
    if promoted:
        flash(
            _(
                "Von der Warteliste nachgerückt: %(num)d.",
                num=sum(p.headcount for p in promoted),
            )
        )


@bp.get("/registrations/<int:registration_id>/data.json")
@login_required
def export_registration(registration_id: int):
    """Download everything stored about a registration as JSON, as the family asked; organisers."""
    start_audited_read()
    registration = registration_for_staff(registration_id, Role.ORGANISER)
    data = rights.stored_data(registration)
    log(registration, "export_registration")
    db.session.commit()
    return json_download(data, registration)


@bp.route("/registrations/<int:registration_id>/delete", methods=["GET", "POST"])
@login_required
def delete_registration_staff(registration_id: int):
    """Ask, then delete a registration with all its data, as the family asked; organisers."""
    registration = registration_for_staff(registration_id, Role.ORGANISER)
    if request.method == "GET":
        return render_template(
            "registrations/delete_registration_staff.html", registration=registration
        )
    workshop = registration.workshop
    registration = rights.lock_for_change(db.session, registration)
    if registration is None:
        abort(404)  # deleted meanwhile, by the family or a colleague
    promoted = rights.delete_registration(
        db.session, registration, actor=current_user, action="deleted_on_request"
    )
    record_promoted(workshop, promoted)
    db.session.commit()
    flash(_("Die Anmeldung ist mit allen Daten gelöscht."))
    return redirect(url_for(".list_registrations", workshop_id=workshop.id))


@bp.get("/workshops/<int:workshop_id>/export.<any(csv, xlsx):format>")
@login_required
def export_registrations(workshop_id: int, format: str):
    """Download the participants as CSV or Excel, streamed; organisers only."""
    start_audited_read()
    workshop = workshop_for_staff(workshop_id, Role.ORGANISER)
    filters = export.ParticipantFilter.from_args(request.args)
    record_for_workshop(db.session, current_user, "export", workshop, detail=format)
    db.session.commit()
    headers = Headers({"Cache-Control": "no-store"})
    filename = f"{workshop.slug}-anmeldungen-{date.today().isoformat()}.{format}"
    headers.add("Content-Disposition", "attachment", filename=filename)
    if format == "csv":
        body = export.stream_csv(db.engine, workshop.id, filters)
        return Response(body, mimetype="text/csv", headers=headers)
    spool = SpooledTemporaryFile(max_size=SPOOL_MEMORY)
    try:
        rows = export.iter_participant_rows(db.session, workshop.id, filters)
        export.write_participants_xlsx(rows, spool)
    except BaseException:
        spool.close()
        raise
    headers["Content-Length"] = str(spool.tell())
    return Response(
        file_chunks(spool), mimetype=export.XLSX_MIMETYPE, headers=headers, direct_passthrough=True
    )


def file_chunks(spool, size: int = 64 * 1024):
    """Yield a finished file in pieces, then close (and so delete) it."""
    try:
        spool.seek(0)
        while chunk := spool.read(size):
            yield chunk
    finally:
        spool.close()


@bp.get("/audit")
@login_required
def list_audit_entries():
    """List who saw, exported or changed what in the user's organisations, newest first."""
    organisations = organisations_where(current_user, Role.ORGANISER)
    if not organisations:
        abort(403)
    page = page_number()
    ids = [o.id for o in organisations]
    entries, has_next = audit.entries_page(db.session, ids, page, PAGE_SIZE)
    return render_template(
        "registrations/list_audit_entries.html",
        entries=entries,
        page=page,
        has_next=has_next,
        organisations={o.id: o for o in organisations},
        actions=audit.ACTIONS,
        detail_text=audit.detail_text,
        subjects=audit.describe_subjects(db.session, entries, str(get_locale())),
    )
