"""Staff pages for messages to families: what was sent to whom, and personal invitations."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..i18n import LANGUAGES, _, normalise_language
from ..qr import qr_svg
from ..registrations.forms import clean_text
from ..staff.access import start_audited_read, workshop_for_staff
from ..staff.services import record_for_workshop
from ..views import public_url
from ..workshops.sharing import share_links
from . import sender
from .compose import invitation_text
from .models import MailStatus, OutboxMessage
from .outbox import mail_enabled

bp = Blueprint("messages", __name__, url_prefix="/staff")

#: Newest messages shown on the page; older ones are counted only.
SHOWN = 500
#: Longest name for the greeting of an invitation.
GREETING_MAX = 60


@bp.get("/workshops/<int:workshop_id>/messages")
@login_required
def list_messages(workshop_id: int):
    """Show what was sent to whom for a workshop, newest first, failures on top."""
    start_audited_read()
    workshop = workshop_for_staff(workshop_id)
    messages = db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.workshop_id == workshop.id)
        .options(selectinload(OutboxMessage.registration))
        .order_by(
            (OutboxMessage.status == MailStatus.FAILED).desc(),
            OutboxMessage.created_at.desc(),
            OutboxMessage.id.desc(),
        )
        .limit(SHOWN)
    ).all()
    counts = dict(
        db.session.execute(
            sa.select(OutboxMessage.status, sa.func.count())
            .where(OutboxMessage.workshop_id == workshop.id)
            .group_by(OutboxMessage.status)
        ).all()
    )
    record_for_workshop(db.session, current_user, "view_list", workshop, detail="messages")
    db.session.commit()
    return render_template(
        "mail/list_messages.html",
        workshop=workshop,
        messages=messages,
        counts=counts,
        statuses=MailStatus,
        mail_enabled=mail_enabled(),
    )


@bp.post("/workshops/<int:workshop_id>/messages/<int:message_id>/retry")
@login_required
def retry_message(workshop_id: int, message_id: int):
    """Send a message that could not be delivered once more (after fixing the address)."""
    workshop = workshop_for_staff(workshop_id)
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.workshop_id != workshop.id:
        abort(404)
    if sender.try_again(db.session, message):
        record_for_workshop(
            db.session,
            current_user,
            "retry_mail",
            workshop,
            subject=f"registration:{message.registration_id}",
        )
        flash(_("Die Nachricht wird noch einmal verschickt."))
    db.session.commit()
    return redirect(url_for(".list_messages", workshop_id=workshop.id))


@bp.get("/workshops/<int:workshop_id>/invite")
@login_required
def show_invitation(workshop_id: int):
    """A personal invitation: the link and QR code in the family's language, and a text to
    paste into a messenger. Nothing about the family is stored."""
    workshop = workshop_for_staff(workshop_id)
    language = normalise_language(request.args.get("language")) or "de"
    greeting = clean_text(request.args.get("name"), GREETING_MAX)[:GREETING_MAX]
    link = public_url("workshops.show_workshop", slug=workshop.slug, lang=language)
    with force_locale(language):
        text = invitation_text(workshop, language, greeting)
        subject = workshop.text_for(language).title
    return render_template(
        "mail/show_invitation.html",
        workshop=workshop,
        language=language,
        languages=LANGUAGES,
        greeting=greeting,
        link=link,
        text=text,
        qr=qr_svg(link, _("QR-Code: Anmeldung zum Workshop")),
        shares=share_links(link, text, subject),
    )
