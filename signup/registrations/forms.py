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
)
from wtforms.widgets import CheckboxInput, ListWidget

from ..formfields import SafeFieldList
from ..i18n import _, _l
from ..workshops.models import Workshop
from .consents import CONSENT_TEXTS
from .models import ConsentPurpose
from .services import MAX_CHILDREN, Child, new_submission_id

NAME_MAX = 60
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
    first_name = StringField(_l("Vorname des Kindes"), filters=[lambda v: clean_text(v, NAME_MAX)])
    age = LenientIntegerField(_l("Alter"))

    def is_blank(self) -> bool:
        return not self.first_name.data and self.age.data is None and not self.age.errors


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SignupForm(FlaskForm):
    """One family's sign-up; children are rows, more rows come from "add a child"."""

    children = SafeFieldList(FormField(ChildForm), min_entries=1, max_entries=MAX_CHILDREN)
    together = BooleanField(_l("Nur zusammen: alle Kinder bekommen einen Platz oder alle warten."))
    phone = TelField(_l("Telefon (Handy)"), filters=[lambda v: clean_text(v, 40)])
    email = EmailField(_l("E-Mail"), filters=[lambda v: clean_text(v, 254)])
    consent_participation = BooleanField()
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
        ok &= self._validate_contact()
        if not self.consent_participation.data:
            self.consent_participation.errors = [
                _("Ohne Ihr Einverständnis zur Teilnahme geht es leider nicht.")
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

    def children_data(self) -> list[Child]:
        return [
            Child(entry.form.first_name.data, entry.form.age.data)
            for index, entry in enumerate(self.children)
            if index == 0 or not entry.form.is_blank()
        ]

    def consents_given(self) -> set[ConsentPurpose]:
        offered = {value for value, _label in self.photo_consents.choices}
        given = {
            ConsentPurpose(value) for value in self.photo_consents.data or [] if value in offered
        }
        if self.consent_participation.data:
            given.add(ConsentPurpose.PARTICIPATION)
        return given
