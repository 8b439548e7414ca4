"""The audit log as staff read it: words for its verbs, names for its subjects, histories."""

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import Session, selectinload

from ..i18n import _, _l, ngettext
from ..staff.models import AuditEntry, StaffUser
from ..workshops.models import Workshop
from .models import Registration

#: Views are logged but left out of a registration's history of changes.
VIEW_ACTIONS = ("view_list", "view_registration")
#: The log's stable verbs in words; a verb not listed shows as it is.
ACTIONS = {
    "view_list": _l("Liste angesehen"),
    "view_registration": _l("Anmeldung angesehen"),
    "export": _l("Liste heruntergeladen"),
    "retry_mail": _l("E-Mail noch einmal verschickt"),
    "contact_changed": _l("Telefon oder E-Mail geändert"),
    "note": _l("Notiz geschrieben"),
    "slip_received": _l("Zettel als erhalten vermerkt"),
    "slip_missing": _l("Zettel als fehlend vermerkt"),
    "move_up": _l("Von Hand nachrücken lassen"),
    "promoted": _l("Von der Warteliste nachgerückt"),
    "cancel": _l("Abgemeldet"),
    "attendance": _l("Anwesenheit geändert"),
    "walk_in": _l("Vor Ort angemeldet"),
    "reset_link": _l("Link für neues Passwort erstellt"),
    "colleague_added": _l("Kollegin oder Kollegen hinzugefügt"),
    "role_changed": _l("Rolle geändert"),
    "colleague_removed": _l("Aus der Organisation entfernt"),
    "print_list": _l("Liste gedruckt"),
    "print_slip": _l("Einverständniszettel gedruckt"),
    "deleted_by_family": _l("Von der Familie gelöscht"),
    "export_registration": _l("Daten der Anmeldung heruntergeladen"),
    "deleted_on_request": _l("Auf Wunsch der Familie gelöscht"),
    "purge": _l("Alte Daten gelöscht"),
    "privacy_settings": _l("Datenschutz-Einstellungen geändert"),
}


def subject_of(registration: Registration) -> str:
    return f"registration:{registration.id}"


def detail_text(detail: str) -> str:
    """Say "2 Kinder" for a detail that lists children by id; other details stay as written."""
    tokens = detail.split()
    if tokens and all(t.startswith("participant:") for t in tokens):
        return ngettext("%(num)d Kind", "%(num)d Kinder", len(tokens))
    return detail


def registration_history(
    session: Session, registration: Registration, organisation_id: int, limit: int = 100
) -> list[AuditEntry]:
    """The changes to a registration, newest first, as logged for one organisation.

    record_for_workshop writes one entry per organisation; reading one organisation's copy
    shows each change once.
    """
    return session.scalars(
        sa.select(AuditEntry)
        .options(selectinload(AuditEntry.actor))
        .where(
            AuditEntry.subject == subject_of(registration),
            AuditEntry.organisation_id == organisation_id,
            AuditEntry.action.not_in(VIEW_ACTIONS),
        )
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    ).all()


def entries_page(
    session: Session, organisation_ids: list[int], page: int, size: int
) -> tuple[list[AuditEntry], bool]:
    """One page of the organisations' log, newest first, and whether another page follows."""
    entries = session.scalars(
        sa.select(AuditEntry)
        .options(selectinload(AuditEntry.actor))
        .where(AuditEntry.organisation_id.in_(organisation_ids))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(size + 1)
        .offset((page - 1) * size)
    ).all()
    return entries[:size], len(entries) > size


def describe_subjects(
    session: Session, entries: list[AuditEntry], locale: str
) -> dict[str, tuple[str, str | None]]:
    """Name what each entry happened to, with a link where the object still exists."""
    ids: dict[str, set[int]] = {"workshop": set(), "registration": set(), "staff": set()}
    for entry in entries:
        kind, _sep, number = entry.subject.partition(":")
        if kind in ids and number.isdecimal():
            ids[kind].add(int(number))
    workshops = session.scalars(sa.select(Workshop).where(Workshop.id.in_(ids["workshop"])))
    titles = {workshop.id: workshop.text_for(locale).title for workshop in workshops}
    registrations = set(
        session.scalars(sa.select(Registration.id).where(Registration.id.in_(ids["registration"])))
    )
    users = session.scalars(sa.select(StaffUser).where(StaffUser.id.in_(ids["staff"])))
    names = {user.id: user.display_name for user in users}
    described = {}
    for entry in entries:
        kind, _sep, number = entry.subject.partition(":")
        key = int(number) if number.isdecimal() else None
        label, link = entry.subject, None
        if kind == "workshop" and key in titles:
            label = titles[key]
            link = url_for("manage_registrations.list_registrations", workshop_id=key)
        elif kind == "registration":
            label = _("Anmeldung %(number)s", number=number)
            if key in registrations:
                link = url_for("manage_registrations.show_registration_staff", registration_id=key)
        elif kind == "staff" and key in names:
            label = names[key]
        described[entry.subject] = (label, link)
    return described
