"""The workshop form: texts per language, dates, place, places, ages, what families are asked."""

import re
import unicodedata
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from wtforms import Form
from wtforms.fields import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
)

from ..formfields import SafeFieldList
from ..i18n import LANGUAGES, _, _l, language_name
from ..registrations.forms import BIDI_CONTROLS, MultiCheckboxField, clean_text
from ..staff.models import Organisation
from . import services
from .models import OptionalField, PhotoUse, Workshop
from .slugs import slugify

MAX_DATES = 30
#: Empty date rows offered on a new form; more come from "add a date".
EMPTY_DATE_ROWS = 3


def clean_lines(value: str | None, max_length: int) -> str:
    """Like clean_text, but keep line breaks (at most one empty line in a row)."""
    if not value or not isinstance(value, str):
        return ""
    value = BIDI_CONTROLS.sub("", value[: max_length * 4])
    lines = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    cleaned = [clean_text(line, max_length) for line in lines.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(cleaned)).strip()


def text_filter(limit: int):
    return lambda value: clean_text(value, limit)


def lines_filter(limit: int):
    return lambda value: clean_lines(value, limit)


class ParsedField(StringField):
    """A text box whose content is parsed; what was typed stays in the box when it does not."""

    def parse(self, text: str):
        raise NotImplementedError

    def format(self, value) -> str:
        return str(value)

    def process_formdata(self, valuelist):
        self.data = None
        text = unicodedata.normalize("NFKC", clean_text(valuelist[0] if valuelist else "", 40))
        if text:
            self.data = self.parse(text)  # a ValueError becomes the field's error

    def _value(self) -> str:
        if self.data is not None:
            return self.format(self.data)
        return clean_text(self.raw_data[0], 40) if self.raw_data else ""


class NumberField(ParsedField):
    def parse(self, text):
        if not re.fullmatch(r"\d{1,6}", text):
            raise ValueError(_("Bitte geben Sie eine Zahl ein."))
        return int(text)


def _day(text: str) -> date:
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if match:
        year, month, day = map(int, match.groups())
    else:
        match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text)
        if not match:
            raise ValueError
        day, month, year = map(int, match.groups())
    if not 2000 <= year <= 2100:
        raise ValueError
    return date(year, month, day)


def _clock(text: str) -> time:
    match = re.fullmatch(r"(\d{1,2})(?:[:.](\d{2}))?(?:[:.]\d{2})?(?: ?Uhr)?", text)
    if not match:
        raise ValueError
    return time(int(match.group(1)), int(match.group(2) or 0))


class DayField(ParsedField):
    def parse(self, text):
        try:
            return _day(text)
        except ValueError:
            raise ValueError(_("Bitte geben Sie das Datum so ein: 13.04.2026.")) from None

    def format(self, value):
        return value.isoformat()


class ClockField(ParsedField):
    def parse(self, text):
        try:
            return _clock(text)
        except ValueError:
            raise ValueError(_("Bitte geben Sie die Uhrzeit so ein: 10:30.")) from None

    def format(self, value):
        return value.strftime("%H:%M")


class MomentField(ParsedField):
    """A local date and time (datetime-local, or "13.04.2026 10:30" where browsers lack it)."""

    def parse(self, text):
        day, _sep, clock = re.sub(r"\s+", " ", text.replace("T", " ")).partition(" ")
        try:
            return datetime.combine(_day(day), _clock(clock or "0:00"))
        except ValueError:
            raise ValueError(
                _("Bitte geben Sie Datum und Uhrzeit so ein: 13.04.2026 10:30.")
            ) from None

    def format(self, value):
        return value.strftime("%Y-%m-%dT%H:%M")


class TextForm(Form):
    title = StringField(_l("Titel"), filters=[text_filter(services.TEXT_LIMITS["title"])])
    summary = TextAreaField(
        _l("Kurzbeschreibung (ein, zwei Sätze)"),
        filters=[lines_filter(services.TEXT_LIMITS["summary"])],
    )
    description = TextAreaField(
        _l("Beschreibung"), filters=[lines_filter(services.TEXT_LIMITS["description"])]
    )
    notes = TextAreaField(
        _l("Gut zu wissen (zum Beispiel: Essen mitbringen)"),
        filters=[lines_filter(services.TEXT_LIMITS["notes"])],
    )

    def is_blank(self) -> bool:
        return not any(field.data for field in self)


class DateForm(Form):
    #: The WorkshopDate this row shows, so a changed time keeps the date's attendance.
    id = HiddenField()
    day = DayField(_l("Tag"))
    starts_at = ClockField(_l("Beginn"))
    ends_at = ClockField(_l("Ende"))

    def is_blank(self) -> bool:
        parts = (self.day, self.starts_at, self.ends_at)
        return not any(f.data is not None or (f.raw_data and f.raw_data[0].strip()) for f in parts)

    def is_complete(self) -> bool:
        return None not in (self.day.data, self.starts_at.data, self.ends_at.data)


class WorkshopForm(FlaskForm):
    """Everything about a workshop but its status; a text row per language, German first."""

    dates = SafeFieldList(FormField(DateForm), min_entries=EMPTY_DATE_ROWS, max_entries=MAX_DATES)
    add_date = SubmitField(_l("Weiteren Termin hinzufügen"))
    place_name = StringField(_l("Ort"), filters=[text_filter(services.PLACE_NAME_MAX)])
    place_address = TextAreaField(_l("Adresse"), filters=[lines_filter(services.PLACE_ADDRESS_MAX)])
    capacity = NumberField(_l("Plätze"))
    min_age = NumberField(_l("Mindestalter"))
    max_age = NumberField(_l("Höchstalter"))
    waitlist_enabled = BooleanField(
        _l("Warteliste: Sind alle Plätze vergeben, können Kinder nachrücken."), default=True
    )
    visibility = RadioField(
        _l("Wer findet den Workshop?"),
        choices=[],
        default="listed",
        validate_choice=False,
    )
    registration_opens_at = MomentField(_l("Anmeldung ab"))
    registration_closes_at = MomentField(_l("Anmeldung bis"))
    optional_fields = MultiCheckboxField(_l("Was fragen wir außerdem?"), validate_choice=False)
    photo_uses = MultiCheckboxField(
        _l("Fotos und Filme: wofür fragen wir nach dem Einverständnis?"), validate_choice=False
    )
    retention_days = NumberField(
        _l("Kontaktdaten und Einverständnisse: nach wie vielen Tagen löschen?")
    )
    health_retention_days = NumberField(
        _l("Angaben zur Gesundheit: nach wie vielen Tagen löschen?")
    )
    submit = SubmitField(_l("Speichern"))

    def __init__(self, *args, zone: ZoneInfo | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        #: Dates and the registration window are typed in this zone's wall-clock time.
        self.zone = zone or ZoneInfo("Europe/Berlin")
        self.visibility.choices = [
            ("listed", _("Öffentlich: auf der Startseite")),
            ("link", _("Nur über den Link oder QR-Code")),
        ]
        self.optional_fields.choices = [(f.value, f.label) for f in OptionalField]
        self.photo_uses.choices = [(use.value, use.label) for use in PhotoUse]
        self.general_errors: list[str] = []
        #: Errors about the dates as a whole ("this date already has attendance").
        self.date_errors: list[str] = []

    @property
    def texts(self) -> list[tuple[str, TextForm]]:
        return [(code, getattr(self, f"text_{code}").form) for code in LANGUAGES]

    @property
    def wants_more_dates(self) -> bool:
        return bool(self.add_date.data) and len(self.dates) < MAX_DATES

    def add_date_row(self) -> None:
        self.dates.append_entry()

    @classmethod
    def for_workshop(cls, workshop: Workshop, **kwargs) -> "WorkshopForm":
        """The form filled with the workshop as it is (times in its own time zone)."""
        zone = workshop.zone
        data = {f"text_{t.language}": t for t in workshop.texts if t.language in LANGUAGES}
        rows = [
            {"id": str(d.id), "day": d.day, "starts_at": d.starts_at, "ends_at": d.ends_at}
            for d in workshop.dates
        ]
        rows += [{}] * max(1, EMPTY_DATE_ROWS - len(rows))
        for name in ("registration_opens_at", "registration_closes_at"):
            moment = getattr(workshop, name)
            data[name] = moment.astimezone(zone).replace(tzinfo=None) if moment else None
        data.update(
            dates=rows,
            place_name=workshop.place_name,
            place_address=workshop.place_address,
            capacity=workshop.capacity,
            min_age=workshop.min_age,
            max_age=workshop.max_age,
            waitlist_enabled=workshop.waitlist_enabled,
            visibility="listed" if workshop.listed else "link",
            optional_fields=workshop.optional_fields.split(","),
            photo_uses=workshop.photo_uses.split(","),
            retention_days=workshop.retention_days,
            health_retention_days=workshop.health_retention_days,
        )
        return cls(formdata=None, data=data, zone=zone, **kwargs)

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        if self.csrf_token.errors:
            self.general_errors.append(
                _("Die Seite war lange offen. Bitte senden Sie das Formular noch einmal ab.")
            )
        for entry in self.dates:
            row = entry.form
            if row.is_blank():
                continue
            for field in (row.day, row.starts_at, row.ends_at):
                if field.data is None and not field.errors:
                    field.errors = [_("Bitte ergänzen Sie diese Angabe.")]
            if row.starts_at.data and row.ends_at.data and row.ends_at.data <= row.starts_at.data:
                row.ends_at.errors = [services.WorkshopError("date_order").message]
        for problem in services.check(self.workshop_data()):
            if problem.code != "date_order":  # each row shows its own
                self.attach(problem)
        return not self.has_errors()

    def has_errors(self) -> bool:
        return bool(
            self.general_errors
            or self.date_errors
            or any(field.errors for field in self.all_fields() if field.name != "csrf_token")
        )

    def all_fields(self):
        """Every input in the order the page shows them, languages and date rows included."""
        shown_first = ("csrf_token", "organisations")
        yield from (self[name] for name in shown_first if name in self)
        for _code, text in self.texts:
            yield from text
        for name, field in self._fields.items():
            if isinstance(field, FieldList):
                for entry in field:
                    yield from entry.form
            elif not isinstance(field, FormField) and name not in shown_first:
                yield field

    def attach(self, problem: services.WorkshopError) -> None:
        """Show a rule's refusal next to the field it names, else above the form."""
        if problem.field == "dates":
            self.date_errors.append(problem.message)
            return
        target = next((f for f in self.all_fields() if f.name == problem.field), None)
        if target is None:
            self.general_errors.append(problem.message)
        elif not target.errors:  # one thing at a time: "not a number" before "too big"
            target.errors = [problem.message]

    def error_links(self) -> list[tuple[str, str, str]]:
        """Each field's error with the input's id and a name that tells the inputs apart."""
        return [
            (field.id, self._name_of(field), message)
            for field in self.all_fields()
            if field.name != "csrf_token"
            for message in field.errors
        ]

    def _name_of(self, field) -> str:
        group, _sep, rest = field.name.partition("-")
        label = str(field.label.text)
        if group.startswith("text_") and group != "text_de":
            return f"{label} ({language_name(group[5:])})"
        if group == "dates":
            return _("Termin %(n)d: %(field)s", n=int(rest.split("-")[0]) + 1, field=label)
        return label

    def workshop_data(self) -> services.WorkshopData:
        """The form as plain values; call after validate()."""
        texts = [
            services.Text(
                code, form.title.data, form.summary.data, form.description.data, form.notes.data
            )
            for code, form in self.texts
            if code == "de" or not form.is_blank()
        ]
        slots = [
            services.Slot(
                row.day.data,
                row.starts_at.data,
                row.ends_at.data,
                int(row.id.data) if re.fullmatch(r"[0-9]{1,9}", row.id.data or "") else None,
            )
            for row in (entry.form for entry in self.dates)
            if row.is_complete()
        ]
        return services.WorkshopData(
            texts=texts,
            dates=slots,
            place_name=self.place_name.data,
            place_address=self.place_address.data,
            capacity=self.capacity.data,
            min_age=self.min_age.data,
            max_age=self.max_age.data,
            listed=self.visibility.data != "link",
            waitlist_enabled=bool(self.waitlist_enabled.data),
            registration_opens_at=_utc(self.registration_opens_at.data, self.zone),
            registration_closes_at=_utc(self.registration_closes_at.data, self.zone),
            optional_fields=[
                f for f in OptionalField if f.value in (self.optional_fields.data or [])
            ],
            photo_uses=[u for u in PhotoUse if u.value in (self.photo_uses.data or [])],
            retention_days=self.retention_days.data,
            health_retention_days=self.health_retention_days.data,
        )


for _code in LANGUAGES:
    setattr(WorkshopForm, f"text_{_code}", FormField(TextForm))


class NewWorkshopForm(WorkshopForm):
    """The workshop form plus who runs it and the address in its link (set once)."""

    organisations = MultiCheckboxField(_l("Wer bietet den Workshop an?"), validate_choice=False)
    slug = StringField(_l("Adresse im Link"), filters=[text_filter(200)])

    def __init__(self, organisations: list[Organisation], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations.choices = [(str(o.id), o.name) for o in organisations]
        self.allowed = {str(o.id): o for o in organisations}
        if len(organisations) == 1 and not self.is_submitted():
            self.organisations.data = [str(organisations[0].id)]

    def chosen_organisations(self) -> list[Organisation]:
        return [self.allowed[i] for i in self.organisations.data or [] if i in self.allowed]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not self.chosen_organisations():
            self.organisations.errors = [services.WorkshopError("no_organisation").message]
            ok = False
        if self.slug.data and not slugify(self.slug.data):
            self.slug.errors = [services.WorkshopError("slug_invalid").message]
            ok = False
        return ok


def _utc(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    return moment.replace(tzinfo=zone).astimezone(UTC) if moment else None
