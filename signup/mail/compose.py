"""The words of each message: the family's language first, German below, text and HTML.

A message is written when it is sent, from the data as it is then: a child who cancelled
meanwhile gets no reminder, a moved date shows its new time.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy.orm import object_session

from ..i18n import DEFAULT_LANGUAGE, _, format_clock, format_day, text_direction
from ..models_base import utcnow
from ..registrations.models import Participant, ParticipantStatus, Registration
from ..registrations.services import waiting_positions
from ..views import public_url
from ..workshops.calendar import calendar_filename, one_line, workshop_calendar
from ..workshops.models import Workshop, WorkshopDate, WorkshopStatus
from .models import MailKind, OutboxMessage


@dataclass
class Part:
    """The message in one language."""

    language: str
    direction: str
    subject: str
    paragraphs: list[str]
    children: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    place: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)


@dataclass
class Letter:
    """What goes to one family, before it becomes an e-mail."""

    recipient: str
    parts: list[Part]
    family_url: str | None
    calendar: bytes
    calendar_name: str


def letter_for(message: OutboxMessage, token: str | None, now: datetime | None = None):
    """Write the message, or return None when it is no longer worth sending."""
    registration = message.registration
    workshop = registration.workshop
    if not registration.contact_email:
        return None
    children = _children_for(message, registration, now or utcnow())
    if not children:
        return None
    dates = workshop.dates
    if message.kind == MailKind.REMINDER:
        dates = [d for d in workshop.dates if d.id == message.workshop_date_id]
    family_url = None
    if token:
        family_url = public_url(
            "registrations.show_registration", token=token, lang=registration.language
        )
    link = family_url or public_url(
        "workshops.show_workshop", slug=workshop.slug, lang=registration.language
    )
    positions = {}
    if any(child.status == ParticipantStatus.WAITING for child in children):
        positions = waiting_positions(object_session(registration), workshop)
    parts = []
    for language in dict.fromkeys([registration.language, DEFAULT_LANGUAGE]):
        with force_locale(language):
            parts.append(_part(language, message.kind, registration, children, dates, positions))
    return Letter(
        recipient=registration.contact_email,
        parts=parts,
        family_url=family_url,
        calendar=workshop_calendar(workshop, registration.language, link),
        calendar_name=calendar_filename(workshop),
    )


def _children_for(
    message: OutboxMessage, registration: Registration, now: datetime
) -> list[Participant]:
    """The children the message is about; none means it should not go."""
    workshop = registration.workshop
    active = registration.active_participants
    if message.kind == MailKind.CANCELLED:
        return active if workshop.status == WorkshopStatus.CANCELLED else []
    if workshop.status == WorkshopStatus.CANCELLED:
        return []
    if message.kind == MailKind.PROMOTED:
        named = set(message.participant_id_list)
        return [
            p for p in active if p.id in named and p.status == ParticipantStatus.CONFIRMED
        ]
    if message.kind == MailKind.REMINDER:
        day = _reminder_day(workshop.dates, message.workshop_date_id)
        if day is None or day < now.astimezone(workshop.zone).date():
            return []
        return [p for p in active if p.status == ParticipantStatus.CONFIRMED]
    return active


def _reminder_day(dates: list[WorkshopDate], date_id: int | None) -> date | None:
    return next((d.day for d in dates if d.id == date_id), None)


def _part(language, kind, registration, children, dates, positions) -> Part:
    workshop = registration.workshop
    title = workshop.text_for(language).title
    confirmed = [p for p in children if p.status == ParticipantStatus.CONFIRMED]
    if kind == MailKind.CONFIRMATION:
        if confirmed:
            subject = _("Anmeldung bestätigt: %(title)s", title=title)
        else:
            subject = _("Auf der Warteliste: %(title)s", title=title)
        paragraphs = [_("Danke für Ihre Anmeldung zum Workshop „%(title)s“.", title=title)]
        if len(confirmed) < len(children):
            paragraphs.append(
                _("Wird ein Platz frei, rückt Ihr Kind automatisch nach.")
                + " "
                + _("Wir schreiben Ihnen dann eine E-Mail.")
            )
    elif kind == MailKind.PROMOTED:
        subject = _("Ihr Kind hat einen Platz: %(title)s", title=title)
        paragraphs = [
            _("Gute Nachricht: Ein Platz ist frei geworden."),
            _("Ihr Kind hat jetzt einen Platz im Workshop „%(title)s“.", title=title),
        ]
    elif kind == MailKind.REMINDER:
        subject = _("Morgen: %(title)s", title=title)
        paragraphs = [
            _("Morgen ist der Workshop „%(title)s“. Wir freuen uns auf Ihr Kind.", title=title)
        ]
    elif kind == MailKind.CHANGED:
        subject = _("Geändert: %(title)s", title=title)
        paragraphs = [
            _("Der Workshop „%(title)s“ hat sich geändert.", title=title),
            _("Bitte sehen Sie sich die Termine und den Ort noch einmal an."),
        ]
    else:
        subject = _("Abgesagt: %(title)s", title=title)
        paragraphs = [
            _("Der Workshop „%(title)s“ wurde abgesagt. Es tut uns leid.", title=title),
        ]
    if kind in {MailKind.REMINDER, MailKind.CONFIRMATION, MailKind.PROMOTED}:
        paragraphs.append(
            _(
                "Ihr Kind kann nicht kommen? Bitte sagen Sie ab. "
                "Dann bekommt ein anderes Kind den Platz."
            )
        )
    return Part(
        language=language,
        direction=text_direction(language),
        subject=subject,
        paragraphs=paragraphs,
        children=[_child_line(registration, p, positions) for p in children],
        dates=[date_line(d) for d in dates],
        place=[workshop.place_name, *workshop.place_address.splitlines()],
        labels={
            "children": _("Ihre Kinder"),
            "dates": _("Wann"),
            "place": _("Wo"),
            "link": _("Ihre Anmeldung ansehen oder abmelden:"),
            "calendar": _("Die Termine sind als Kalenderdatei angehängt."),
            "footer": _(
                "Diese E-Mail kommt automatisch von %(organisers)s. Sie bekommen sie, weil Sie "
                "Ihr Kind angemeldet haben.",
                organisers=", ".join(o.name for o in workshop.organisations),
            ),
        },
    )


def date_line(workshop_date: WorkshopDate) -> str:
    hours = _(
        "%(start)s–%(end)s Uhr",
        start=format_clock(workshop_date.starts_at),
        end=format_clock(workshop_date.ends_at),
    )
    return f"{format_day(workshop_date.day)}, {hours}"


def _child_line(registration: Registration, participant: Participant, positions) -> str:
    name = registration.group_name if registration.is_group else participant.first_name
    if participant.status == ParticipantStatus.WAITING:
        state = _("Warteliste: Nummer %(n)d", n=positions.get(participant.id, 0))
    else:
        state = participant.status.label
    return f"{name}: {state}"


def email_for(letter: Letter) -> EmailMessage:
    """Turn a letter into a multipart e-mail: text, simple HTML, and the .ics attached."""
    config = current_app.config
    sender = config["SIGNUP_MAIL_FROM"] or default_sender(config["SIGNUP_BASE_URL"])
    first = letter.parts[0]
    email = EmailMessage()
    subject = " / ".join(dict.fromkeys(part.subject for part in letter.parts))
    email["Subject"] = one_line(subject)
    email["From"] = sender
    email["To"] = letter.recipient
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    # No holiday auto-replies back to us, please.
    email["Auto-Submitted"] = "auto-generated"
    context = {"parts": letter.parts, "family_url": letter.family_url, "first": first}
    email.set_content(render_template("mail/message.txt", **context))
    email.add_alternative(render_template("mail/message.html", **context), subtype="html")
    email.add_attachment(
        letter.calendar,
        maintype="text",
        subtype="calendar",
        filename=letter.calendar_name,
        params={"method": "PUBLISH"},
    )
    # Last: set_content and add_attachment move Content-* headers into the parts.
    email["Content-Language"] = ", ".join(part.language for part in letter.parts)
    return email


def default_sender(base_url: str) -> str:
    host = urlsplit(base_url).hostname or "localhost"
    if host.replace(".", "").isdigit() or "." not in host:
        host = "localhost.localdomain"
    return f"signup@{host}"


def invitation_text(workshop: Workshop, language: str, greeting: str) -> str:
    """The message a staff member pastes into a messenger, in the current locale."""
    text = workshop.text_for(language)
    lines = [_("Hallo %(name)s,", name=greeting) if greeting else _("Hallo,")]
    lines.append(_("wir laden Ihr Kind zum Workshop „%(title)s“ ein.", title=text.title))
    if text.summary:
        lines.append(text.summary)
    lines.extend(date_line(workshop_date) for workshop_date in workshop.dates)
    lines.append(workshop.place_name)
    lines.append(_("Der Workshop ist kostenlos."))
    lines.append(_("Anmelden geht hier, in einer Minute und ohne Konto:"))
    return "\n".join(lines)
