"""Forms for staff: a family registered on its behalf, and a school class as a group."""

from flask_babel import force_locale
from flask_wtf import FlaskForm
from wtforms.fields import (
    EmailField,
    HiddenField,
    StringField,
    SubmitField,
    TelField,
)

from ..i18n import DEFAULT_LANGUAGE, LANGUAGES, _, _l, language_name
from ..workshops.models import Workshop
from .consents import CONSENT_TEXTS
from .forms import LenientIntegerField, SignupForm, check_length, cleaned
from .models import ConsentChannel, ConsentPurpose
from .services import new_submission_id

#: How a family can agree when staff register it: on the paper slip, or by word of mouth.
CONSENT_CHANNELS = [
    (ConsentChannel.PAPER.value, _l("auf Papier")),
    (ConsentChannel.VERBAL.value, _l("mündlich, Zettel wird nachgereicht")),
]


class CountField(LenientIntegerField):
    """A whole number typed by staff; the error for anything else names what is asked."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Bitte geben Sie eine Zahl ein.")) from None


class AssistedSignupForm(SignupForm):
    """The public sign-up, filled in by staff: consent texts in the family's language."""

    #: One of CONSENT_CHANNELS, rendered as radio buttons.
    consent_channel = StringField(_l("So hat die Familie zugestimmt"))
    submit = SubmitField(_l("Anmeldung speichern"))

    def __init__(self, workshop: Workshop, family_language: str, *args, **kwargs):
        super().__init__(workshop, *args, **kwargs)
        self.family_language = family_language
        self.consent_channels = CONSENT_CHANNELS
        # Staff tick short labels in their own language; the family reads the full text.
        self.consent_participation.label.text = _(
            "Einverstanden: %(purpose)s", purpose=ConsentPurpose.PARTICIPATION.label
        )
        self.photo_consents.choices = [
            (value, _("Einverstanden: %(purpose)s", purpose=ConsentPurpose(value).label))
            for value, _label in self.photo_consents.choices
        ]
        for field, purpose in (
            (self.consent_health, ConsentPurpose.HEALTH),
            (self.consent_young, ConsentPurpose.YOUNG_AGREEMENT),
        ):
            field.label.text = _("Einverstanden: %(purpose)s", purpose=purpose.label)
        with force_locale(family_language):
            self.family_consent_texts = {
                purpose.value: str(text) for purpose, text in CONSENT_TEXTS.items()
            }

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.consent_participation.errors:
            self.consent_participation.errors = [
                _("Ohne Einverständnis zur Teilnahme kann die Familie nicht angemeldet werden.")
            ]
        if self.consent_channel.data not in dict(CONSENT_CHANNELS):
            self.consent_channel.errors = [_("Bitte wählen Sie, wie die Familie zugestimmt hat.")]
            ok = False
        return ok

    def health_consent_missing(self) -> str:
        return _(
            "Angaben zur Gesundheit nur mit Einverständnis. "
            "Bitte kreuzen Sie es an oder lassen Sie das Feld leer."
        )


class GroupForm(FlaskForm):
    """A school class or youth group: a headcount, the adult in charge, a way to reach them."""

    group_name = StringField(_l("Name der Gruppe"), filters=[cleaned(200)])
    responsible_adult = StringField(_l("Verantwortliche erwachsene Person"), filters=[cleaned(200)])
    phone = TelField(_l("Telefon"), filters=[cleaned(40)])
    email = EmailField(_l("E-Mail"), filters=[cleaned(254)])
    headcount = CountField(_l("Anzahl der Kinder"))
    youngest_age = CountField(_l("Alter des jüngsten Kindes"))
    school_year = StringField(_l("Klasse (freiwillig)"), filters=[cleaned(20)])
    #: One of LANGUAGES, rendered as a select.
    language = StringField(_l("Sprache für Link und Nachrichten"))
    #: One id per rendering of the form: a double submit finds the group it registered.
    submission_id = HiddenField()
    submit = SubmitField(_l("Gruppe anmelden"))

    # The same phone and e-mail rules as the public form, not a copy of them.
    _validate_contact = SignupForm._validate_contact

    def __init__(self, workshop: Workshop, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.workshop = workshop
        if not self.submission_id.data:
            self.submission_id.data = new_submission_id()
        if not self.language.data:
            self.language.data = DEFAULT_LANGUAGE
        self.languages = [(code, language_name(code)) for code in LANGUAGES]
        self.contact_errors: list[str] = []
        self.general_errors: list[str] = []
        self.normalised_phone: str | None = None
        self.normalised_email: str | None = None

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        ok = not any(field.errors for name, field in self._fields.items() if name != "csrf_token")
        for field, message in (
            (self.group_name, _("Bitte geben Sie den Namen der Gruppe an.")),
            (self.responsible_adult, _("Bitte geben Sie an, wer die Gruppe begleitet.")),
        ):
            if not field.data:
                field.errors = [message]
                ok = False
            else:
                ok &= check_length(field, 200)
        ok &= check_length(self.school_year, 20)
        ok &= self._validate_contact()
        ok &= self._validate_number(self.headcount, 1, self.workshop.capacity)
        ok &= self._validate_number(self.youngest_age, self.workshop.min_age, self.workshop.max_age)
        if self.language.data not in LANGUAGES:
            self.language.errors = [_("Bitte wählen Sie aus der Liste.")]
            ok = False
        if self.csrf_token.errors:
            self.general_errors.append(
                _(
                    "Die Seite war lange offen. "
                    "Bitte prüfen Sie die Angaben und speichern Sie noch einmal."
                )
            )
            ok = False
        return ok

    @staticmethod
    def _validate_number(field, low: int, high: int) -> bool:
        if field.errors:
            return False
        if field.data is None or not low <= field.data <= high:
            field.errors = [
                _("Bitte geben Sie eine Zahl von %(min)d bis %(max)d an.", min=low, max=high)
            ]
            return False
        return True
