"""The sign-up form: few fields, every error next to its field, typed values kept."""

import re
import unicodedata

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import force_locale
from flask_wtf import FlaskForm
from wtforms import Form
from wtforms.fields import (
    BooleanField,
    EmailField,
    FormField,
    HiddenField,
    IntegerField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TelField,
    TextAreaField,
)
from wtforms.widgets import CheckboxInput, ListWidget

from ..formfields import PostedForm, SafeFieldList
from ..i18n import _, _l
from ..workshops.models import OptionalField, Workshop
from .consents import CONSENT_TEXTS, YOUNG_AGE
from .models import ConsentPurpose
from .services import MAX_CHILDREN, Child, new_submission_id

NAME_MAX = 60
#: Stored values of the gender field; reports count "female" as girls.
GENDERS = [
    ("", _l("keine Auswahl")),
    ("female", _l("Mädchen")),
    ("male", _l("Junge")),
    ("diverse", _l("divers")),
    ("undisclosed", _l("möchte ich nicht sagen")),
]
#: Each optional field: the Participant column it fills and its longest allowed text.
DETAILS = {
    OptionalField.SURNAME: ("surname", NAME_MAX),
    OptionalField.GENDER: ("gender", 20),
    OptionalField.SCHOOL: ("school", 120),
    OptionalField.SCHOOL_YEAR: ("school_year", 20),
    OptionalField.HEALTH: ("health_notes", 1000),
    OptionalField.PICKUP: ("pickup_note", 300),
}
# Bidi embeddings, overrides, isolates and marks: they can reorder what staff read on lists.
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def clean_text(value: str | None, max_length: int = 1000) -> str:
    """Return typed text in NFC, without control or bidi characters, spaces collapsed."""
    if not value or not isinstance(value, str):
        return ""
    value = value[: max_length * 4]
    value = BIDI_CONTROLS.sub("", value)
    value = "".join(
        " " if unicodedata.category(char) in {"Cc", "Zl", "Zp"} else char for char in value
    )
    return " ".join(unicodedata.normalize("NFC", value).split())


def normalise_phone(value: str, region: str) -> str | None:
    """Return the number in E.164 form, or None when it is not a valid number."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def cleaned(max_length: int):
    return lambda value: clean_text(value, max_length)


def check_length(field, max_length: int) -> bool:
    if field.data and len(field.data) > max_length:
        field.errors = [_("Bitte kürzen Sie den Text auf %(n)d Zeichen.", n=max_length)]
        return False
    return True


class LenientIntegerField(IntegerField):
    """An integer field whose error for non-numbers is ours, in the reader's language."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        text = unicodedata.normalize("NFKC", valuelist[0]).strip()
        if not re.fullmatch(r"\d{1,3}", text):
            self.data = None
            raise ValueError(_("Bitte geben Sie das Alter als Zahl ein."))
        self.data = int(text)


class ChildForm(Form):
    """A child's row; the optional fields show only where the workshop asks for them."""

    first_name = StringField(_l("Vorname des Kindes"), filters=[cleaned(NAME_MAX)])
    age = LenientIntegerField(_l("Alter"))
    surname = StringField(_l("Nachname"), filters=[cleaned(NAME_MAX)])
    gender = StringField(_l("Geschlecht"))  # one of GENDERS, rendered as a select
    school = StringField(_l("Schule"), filters=[cleaned(120)])
    school_year = StringField(_l("Klasse"), filters=[cleaned(20)])
    health_notes = TextAreaField(_l("Allergien und Gesundheit"), filters=[cleaned(1000)])
    pickup_note = TextAreaField(_l("Wer darf das Kind abholen?"), filters=[cleaned(300)])

    def is_blank(self) -> bool:
        """Nothing typed in this row at all (an extra row left empty)."""
        typed = [field.data for field in self if field.name != self.age.name]
        return not any(typed) and self.age.data is None and not self.age.errors


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SignupForm(FlaskForm):
    """One family's sign-up; children are rows, more rows come from "add a child"."""

    children = SafeFieldList(FormField(ChildForm), min_entries=1, max_entries=MAX_CHILDREN)
    together = BooleanField(_l("Nur zusammen: alle Kinder bekommen einen Platz oder alle warten."))
    phone = TelField(_l("Telefon (Handy)"), filters=[cleaned(40)])
    email = EmailField(_l("E-Mail"), filters=[cleaned(254)])
    consent_participation = BooleanField()
    consent_health = BooleanField()
    #: From 14 the child's own agreement to photos, asked where a workshop takes teenagers.
    consent_young = BooleanField()
    photo_consents = MultiCheckboxField(_l("Fotos und Filme"), choices=[], validate_choice=False)
    #: One id per rendering of the form: a double submit finds the registration it made.
    submission_id = HiddenField()
    #: Honeypot: hidden from people, filled in by bots.
    website = StringField(_l("Bitte leer lassen"))
    add_child = SubmitField(_l("Noch ein Kind anmelden"))
    submit = SubmitField(_l("Jetzt anmelden"))

    def __init__(self, workshop: Workshop, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.workshop = workshop
        if not self.submission_id.data:
            self.submission_id.data = new_submission_id()
        self.photo_consents.choices = [
            (
                ConsentPurpose.for_photo_use(use).value,
                str(CONSENT_TEXTS[ConsentPurpose.for_photo_use(use)]),
            )
            for use in workshop.photo_use_list
        ]
        self.consent_participation.label.text = str(CONSENT_TEXTS[ConsentPurpose.PARTICIPATION])
        self.consent_health.label.text = str(CONSENT_TEXTS[ConsentPurpose.HEALTH])
        self.consent_young.label.text = str(CONSENT_TEXTS[ConsentPurpose.YOUNG_AGREEMENT])
        self.asked = [field for field in workshop.optional_field_list if field in DETAILS]
        self.genders = GENDERS
        # The German text stays the legal master; families may read it beside their language.
        with force_locale("de"):
            self.german_consent_texts = {
                purpose.value: str(text) for purpose, text in CONSENT_TEXTS.items()
            }
        self.contact_errors: list[str] = []
        self.general_errors: list[str] = []
        self.normalised_phone: str | None = None
        self.normalised_email: str | None = None

    @property
    def wants_more_rows(self) -> bool:
        return bool(self.add_child.data) and len(self.children) < MAX_CHILDREN

    def add_row(self) -> None:
        self.children.append_entry()

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        ok = not any(field.errors for name, field in self._fields.items() if name != "csrf_token")
        ok &= self._validate_children()
        for form in self.filled_rows():
            ok &= self._validate_details(form)
        ok &= self._validate_contact()
        if not self.consent_participation.data:
            self.consent_participation.errors = [
                _("Ohne Ihr Einverständnis zur Teilnahme geht es leider nicht.")
            ]
            ok = False
        if self.photos_need_young_agreement():
            self.consent_young.errors = [
                _(
                    "Ein Kind ist 14 Jahre oder älter. Fragen Sie es bitte, ob es mit den Fotos "
                    "einverstanden ist. Sonst nehmen Sie die Häkchen bei den Fotos weg."
                )
            ]
            ok = False
        if self.website.data:
            # Only bots see this field; a person who somehow filled it can simply send again.
            self.general_errors.append(
                _("Ihre Anmeldung wurde nicht gesendet. Bitte versuchen Sie es noch einmal.")
            )
            ok = False
        if self.csrf_token.errors:
            self.general_errors.append(
                _(
                    "Die Seite war lange offen. "
                    "Bitte prüfen Sie die Angaben und senden Sie das Formular noch einmal ab."
                )
            )
            ok = False
        return ok

    def _validate_children(self) -> bool:
        ok = True
        low, high = self.workshop.min_age, self.workshop.max_age
        for index, entry in enumerate(self.children):
            child = entry.form
            if index > 0 and child.is_blank():
                continue
            if not child.first_name.data:
                child.first_name.errors = [_("Bitte geben Sie den Vornamen an.")]
                ok = False
            elif len(child.first_name.data) > NAME_MAX:
                child.first_name.errors = [
                    _("Bitte kürzen Sie den Namen auf %(n)d Zeichen.", n=NAME_MAX)
                ]
                ok = False
            if child.age.errors:
                ok = False
            elif child.age.data is None:
                child.age.errors = [_("Bitte geben Sie das Alter an.")]
                ok = False
            elif not low <= child.age.data <= high:
                child.age.errors = [
                    _(
                        "Dieser Workshop ist für Kinder von %(min)d bis %(max)d Jahren.",
                        min=low,
                        max=high,
                    )
                ]
                ok = False
        return ok

    def _validate_contact(self) -> bool:
        ok = True
        phone, email = self.phone.data, self.email.data
        if not phone and not email:
            self.contact_errors.append(
                _("Bitte geben Sie eine Telefonnummer oder eine E-Mail-Adresse an.")
            )
            return False
        if phone:
            region = current_app.config["SIGNUP_PHONE_REGION"]
            self.normalised_phone = normalise_phone(phone, region)
            if not self.normalised_phone:
                self.phone.errors = [
                    _("Diese Telefonnummer stimmt nicht. Bitte prüfen Sie die Nummer.")
                ]
                ok = False
        if email:
            try:
                checked = validate_email(email, check_deliverability=False)
            except EmailNotValidError:
                self.email.errors = [
                    _("Diese E-Mail-Adresse stimmt nicht. Bitte prüfen Sie die Adresse.")
                ]
                ok = False
            else:
                self.normalised_email = checked.normalized.lower()
        return ok

    def asks(self, field: str) -> bool:
        return OptionalField(field) in self.asked

    def _validate_details(self, form: ChildForm) -> bool:
        ok = True
        for field in self.asked:
            name, max_length = DETAILS[field]
            ok &= check_length(form[name], max_length)
        if self.asks("gender") and (form.gender.data or "") not in dict(GENDERS):
            form.gender.errors = [_("Bitte wählen Sie aus der Liste.")]
            ok = False
        if self.asks("health") and form.health_notes.data and not self.consent_health.data:
            form.health_notes.errors = [self.health_consent_missing()]
            ok = False
        return ok

    def health_consent_missing(self) -> str:
        return _(
            "Angaben zur Gesundheit speichern wir nur mit Ihrem Einverständnis. "
            "Bitte kreuzen Sie es unten an oder lassen Sie das Feld leer."
        )

    def filled_rows(self) -> list[ChildForm]:
        return [
            entry.form
            for index, entry in enumerate(self.children)
            if index == 0 or not entry.form.is_blank()
        ]

    def children_data(self) -> list[Child]:
        """Return the children with the optional fields the workshop asks, nothing more."""
        children = []
        for form in self.filled_rows():
            details = {}
            for field in self.asked:
                if field == OptionalField.HEALTH and not self.consent_health.data:
                    continue
                name, _max = DETAILS[field]
                details[name] = form[name].data or None
            children.append(Child(form.first_name.data, form.age.data, **details))
        return children

    @property
    def asks_young_agreement(self) -> bool:
        """Whether the form shows the box: photos are asked and teenagers may take part."""
        return bool(self.photo_consents.choices) and self.workshop.max_age >= YOUNG_AGE

    def photos_need_young_agreement(self) -> bool:
        """A child of 14 or more, photos allowed, and the child's own agreement not ticked."""
        teenager = any(
            isinstance(form.age.data, int) and form.age.data >= YOUNG_AGE
            for form in self.filled_rows()
        )
        photos = any(p.value.startswith("photo_") for p in self._photo_consents())
        return teenager and photos and not self.consent_young.data

    def _photo_consents(self) -> set[ConsentPurpose]:
        offered = {value for value, _label in self.photo_consents.choices}
        return {
            ConsentPurpose(value) for value in self.photo_consents.data or [] if value in offered
        }

    def consents_given(self) -> set[ConsentPurpose]:
        given = self._photo_consents()
        if given and self.asks_young_agreement and self.consent_young.data:
            given.add(ConsentPurpose.YOUNG_AGREEMENT)
        if self.consent_participation.data:
            given.add(ConsentPurpose.PARTICIPATION)
        if self.asks(OptionalField.HEALTH) and self.consent_health.data:
            given.add(ConsentPurpose.HEALTH)
        return given


class ContactForm(PostedForm):
    """A family's phone number and e-mail address, corrected later by the family or staff."""

    phone = TelField(_l("Telefon (Handy)"), filters=[cleaned(40)])
    email = EmailField(_l("E-Mail"), filters=[cleaned(254)])

    # The same phone and e-mail rules as the sign-up form, not a copy of them.
    _validate_contact = SignupForm._validate_contact

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.contact_errors: list[str] = []
        self.normalised_phone: str | None = None
        self.normalised_email: str | None = None

    @classmethod
    def for_registration(cls, registration) -> "ContactForm":
        """The form filled with what is stored; a posted form overrides it."""
        return cls(data={"phone": registration.contact_phone, "email": registration.contact_email})

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        return self._validate_contact()
