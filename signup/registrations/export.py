"""A workshop's participants: the query behind the staff list, and the export as CSV or Excel.

The export reads its rows through a server-side cursor and writes them as they come, so
100,000 children cost the same memory as ten. Every text cell is made safe to open in a
spreadsheet (see `neutralise`). The columns are documented in README.md ("Export columns").
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import BinaryIO, TextIO

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy.orm import Session

from ..workshops.models import Workshop
from .forms import clean_text
from .models import (
    PHOTO_PURPOSES,
    Channel,
    Consent,
    ConsentChannel,
    Participant,
    ParticipantStatus,
    Registration,
)

#: The export's columns, in order; new ones are only ever added at the end.
COLUMNS = (
    "status",
    "waiting_position",
    "first_name",
    "age",
    "registered_at",
    "channel",
    "language",
    "contact_phone",
    "contact_email",
    "photo_consents",
    "registration_id",
    "surname",
    "headcount",
    "consent_slip",
    "gender",
    "school",
    "school_year",
    "pickup_note",
)
STATUS_ORDER = {
    ParticipantStatus.CONFIRMED: 0,
    ParticipantStatus.WAITING: 1,
    ParticipantStatus.CANCELLED: 2,
}
SLIP_STATES = ("received", "missing")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
QUERY_MAX = 100
#: Rows fetched from the database at a time while exporting.
BATCH = 1000
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value) -> str:
    """Keep a spreadsheet from running a cell as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


@dataclass(frozen=True)
class ParticipantFilter:
    """What the staff list is narrowed to; empty fields mean "all"."""

    q: str = ""
    state: ParticipantStatus | None = None
    language: str = ""
    channel: Channel | None = None
    slip: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> "ParticipantFilter":
        """Read the list's GET parameters; values that name nothing known mean "all"."""
        language = clean_text(args.get("language"), 10)
        return cls(
            q=clean_text(args.get("q"), QUERY_MAX)[:QUERY_MAX],
            state=_member(ParticipantStatus, args.get("state")),
            language=language if re.fullmatch(r"[a-z]{2,3}", language) else "",
            channel=_member(Channel, args.get("channel")),
            slip=args.get("slip") if args.get("slip") in SLIP_STATES else "",
        )

    def as_args(self) -> dict[str, str]:
        """The filter as GET parameters, for links that keep it (pages, export)."""
        values = {
            "q": self.q,
            "state": self.state.value if self.state else "",
            "language": self.language,
            "channel": self.channel.value if self.channel else "",
            "slip": self.slip,
        }
        return {key: value for key, value in values.items() if value}

    def apply(self, statement: sa.Select, slip_needed: sa.ColumnElement) -> sa.Select:
        if self.q:
            found = [
                Participant.first_name.icontains(self.q, autoescape=True),
                Participant.surname.icontains(self.q, autoescape=True),
                Registration.group_name.icontains(self.q, autoescape=True),
                Registration.contact_email.icontains(self.q, autoescape=True),
            ]
            # Phones are stored as +49151…; "0151 234" finds them by the digits after the zero.
            digits = re.sub(r"\D", "", self.q).lstrip("0")
            if len(digits) >= 3:
                found.append(Registration.contact_phone.contains(digits, autoescape=True))
            statement = statement.where(sa.or_(*found))
        if self.state:
            statement = statement.where(Participant.status == self.state)
        if self.language:
            statement = statement.where(Registration.language == self.language)
        if self.channel:
            statement = statement.where(Registration.channel == self.channel)
        if self.slip == "received":
            statement = statement.where(Registration.slip_received_at.is_not(None))
        elif self.slip == "missing":
            statement = statement.where(Registration.slip_received_at.is_(None), slip_needed == 1)
        return statement

    def __bool__(self) -> bool:
        return bool(self.as_args())


def _member(enum_class, value):
    try:
        return enum_class(value)
    except ValueError:
        return None


def consent_summary(workshop_id: int) -> sa.Subquery:
    """One row per registration: 1 for each photo use agreed and not withdrawn, and for a
    registration that needs a signed slip (consent on paper or by word of mouth, as
    Registration.needs_slip); one grouped pass instead of a lookup per row and use."""

    def flag(condition):
        return sa.func.max(sa.case((condition, 1), else_=0))

    photo = [
        flag(sa.and_(Consent.purpose == purpose, Consent.withdrawn_at.is_(None))).label(
            purpose.value
        )
        for purpose in PHOTO_PURPOSES
    ]
    return (
        sa.select(
            Consent.registration_id,
            *photo,
            flag(Consent.channel.in_([ConsentChannel.PAPER, ConsentChannel.VERBAL])).label(
                "slip_needed"
            ),
        )
        .join(Registration, Registration.id == Consent.registration_id)
        .where(Registration.workshop_id == workshop_id)
        .group_by(Consent.registration_id)
        .subquery("given")
    )


def select_participants(workshop_id: int, filters: ParticipantFilter | None = None) -> sa.Select:
    """Select one row per participant: confirmed, then waiting in queue order, then cancelled.

    `waiting_position` is the place in the whole queue, whatever the filter leaves out.
    """
    queue = (
        sa.select(
            Participant.id.label("participant_id"),
            sa.func.row_number()
            .over(order_by=(Participant.waitlist_order, Participant.id))
            .label("position"),
        )
        .where(
            Participant.workshop_id == workshop_id,
            Participant.status == ParticipantStatus.WAITING,
        )
        .subquery("queue")
    )
    given = consent_summary(workshop_id)
    flags = [sa.func.coalesce(given.c[p.value], 0).label(p.value) for p in PHOTO_PURPOSES]
    statement = (
        sa.select(
            Participant.id,
            Participant.status,
            Participant.first_name,
            Participant.surname,
            Participant.gender,
            Participant.school,
            Participant.school_year,
            Participant.pickup_note,
            Participant.age,
            Participant.headcount,
            Participant.created_at,
            Registration.id.label("registration_id"),
            Registration.channel,
            Registration.language,
            Registration.contact_phone,
            Registration.contact_email,
            Registration.slip_received_at,
            queue.c.position.label("waiting_position"),
            sa.func.coalesce(given.c.slip_needed, 0).label("slip_needed"),
            *flags,
        )
        .select_from(Participant)
        .join(Registration, Registration.id == Participant.registration_id)
        .outerjoin(queue, queue.c.participant_id == Participant.id)
        .outerjoin(given, given.c.registration_id == Registration.id)
        .where(Participant.workshop_id == workshop_id)
        .order_by(
            sa.case(STATUS_ORDER, value=Participant.status),
            queue.c.position,
            Registration.created_at,
            Participant.id,
        )
    )
    return filters.apply(statement, given.c.slip_needed) if filters else statement


def photo_consents(row) -> list[str]:
    """The photo uses a row's family agreed to and has not withdrawn: internal, website …"""
    return sorted(p.value.removeprefix("photo_") for p in PHOTO_PURPOSES if getattr(row, p.value))


def slip_state(row) -> str:
    if row.slip_received_at is not None:
        return "received"
    return "missing" if row.slip_needed else "not_needed"


def export_row(row) -> dict:
    """Turn a row of `select_participants` into the export's columns (plain values)."""
    return {
        "status": row.status.value,
        "waiting_position": row.waiting_position or "",
        "first_name": row.first_name,
        "age": row.age,
        "registered_at": row.created_at.isoformat(timespec="seconds"),
        "channel": row.channel.value,
        "language": row.language,
        "contact_phone": row.contact_phone or "",
        "contact_email": row.contact_email or "",
        "photo_consents": " ".join(photo_consents(row)),
        "registration_id": row.registration_id,
        "surname": row.surname or "",
        "headcount": row.headcount,
        "consent_slip": slip_state(row),
        "gender": row.gender or "",
        "school": row.school or "",
        "school_year": row.school_year or "",
        "pickup_note": row.pickup_note or "",
    }


def iter_participant_rows(
    executor: Session | sa.Connection, workshop_id: int, filters: ParticipantFilter | None = None
) -> Iterator[dict]:
    """Yield the export's rows, fetched from the database a batch at a time."""
    result = executor.execute(
        select_participants(workshop_id, filters), execution_options={"yield_per": BATCH}
    )
    for row in result:
        yield export_row(row)


def participant_rows(session: Session, workshop: Workshop) -> list[dict]:
    """Return one row per participant: confirmed, then waiting in order, then cancelled."""
    return list(iter_participant_rows(session, workshop.id))


def csv_chunks(rows: Iterable[dict], batch: int = 500) -> Iterator[str]:
    """Yield the CSV text (header first) in pieces of `batch` rows."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for count, row in enumerate(rows, 1):
        writer.writerow({key: neutralise(value) for key, value in row.items()})
        if count % batch == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_participants_csv(session: Session, workshop: Workshop, out: TextIO) -> None:
    for chunk in csv_chunks(iter_participant_rows(session, workshop.id)):
        out.write(chunk)


def stream_csv(
    engine: sa.Engine, workshop_id: int, filters: ParticipantFilter | None = None
) -> Iterator[bytes]:
    """Yield the CSV as UTF-8 with a byte-order mark (so Excel reads umlauts and Arabic).

    It reads on a connection of its own: a streamed response outlives the request's session.
    """
    with engine.connect() as connection:
        yield "\ufeff".encode()
        for chunk in csv_chunks(iter_participant_rows(connection, workshop_id, filters)):
            yield chunk.encode()


def xlsx_cell(value):
    """Numbers stay numbers; text is neutralised and stripped of what XML cannot hold."""
    if isinstance(value, int):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", neutralise(value))
    return text or None


def write_participants_xlsx(rows: Iterable[dict], target: BinaryIO) -> None:
    """Write the rows as one Excel sheet, row by row (openpyxl's write-only mode)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("participants")
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append([xlsx_cell(row[column]) for column in COLUMNS])
    workbook.save(target)
