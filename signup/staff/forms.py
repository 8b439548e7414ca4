"""Forms for staff accounts."""

from email_validator import EmailNotValidError, validate_email
from wtforms.fields import EmailField, PasswordField, StringField, SubmitField, TextAreaField
from wtforms.validators import EqualTo, InputRequired, Length

from ..formfields import PostedForm
from ..i18n import _, _l
from ..registrations.forms import check_length, clean_text, cleaned
from ..registrations.privacy import PrivacySettings
from .models import Organisation, Role
from .services import MIN_PASSWORD_LENGTH

DISPLAY_NAME_MAX = 120


class LoginForm(PostedForm):
    # Cleaned like every typed text: a NUL byte would reach the database in the lookup.
    email = EmailField(
        _l("E-Mail"),
        filters=[cleaned(254)],
        validators=[InputRequired(_l("Bitte geben Sie Ihre E-Mail an."))],
    )
    password = PasswordField(
        _l("Passwort"), validators=[InputRequired(_l("Bitte geben Sie Ihr Passwort ein."))]
    )
    submit = SubmitField(_l("Anmelden"))


class NewPasswordForm(PostedForm):
    password = PasswordField(
        _l("Neues Passwort"),
        validators=[
            InputRequired(_l("Bitte geben Sie ein neues Passwort ein.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=_l("Das Passwort braucht mindestens %(min)d Zeichen."),
            ),
        ],
    )
    confirm = PasswordField(
        _l("Neues Passwort wiederholen"),
        validators=[EqualTo("password", _l("Die beiden Passwörter sind nicht gleich."))],
    )
    submit = SubmitField(_l("Passwort speichern"))


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(
        _l("Bisheriges Passwort"),
        validators=[InputRequired(_l("Bitte geben Sie Ihr bisheriges Passwort ein."))],
    )


class AddColleagueForm(PostedForm):
    """A person for one of the organisations the organiser leads, with a role."""

    display_name = StringField(_l("Name"), filters=[cleaned(DISPLAY_NAME_MAX)])
    email = EmailField(_l("E-Mail"), filters=[cleaned(254)])
    #: The id of one of `organisations`, rendered as a select when there are several.
    organisation = StringField(_l("Organisation"))
    #: A Role value, rendered as radio buttons.
    role = StringField(_l("Rolle"), default=Role.ASSISTANT.value)
    submit = SubmitField(_l("Hinzufügen"))

    def __init__(self, organisations: list[Organisation], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = [(str(o.id), o.name) for o in organisations]
        if len(self.organisations) == 1:
            self.organisation.data = self.organisations[0][0]
        self.roles = [
            (Role.ASSISTANT.value, Role.ASSISTANT.label),
            (Role.ORGANISER.value, Role.ORGANISER.label),
        ]
        self.normalised_email: str | None = None

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        if not self.display_name.data:
            self.display_name.errors = [_("Bitte geben Sie den Namen an.")]
        else:
            check_length(self.display_name, DISPLAY_NAME_MAX)
        if not self.email.data:
            self.email.errors = [_("Bitte geben Sie die E-Mail-Adresse an.")]
        else:
            try:
                checked = validate_email(self.email.data, check_deliverability=False)
            except EmailNotValidError:
                self.email.errors = [
                    _("Diese E-Mail-Adresse stimmt nicht. Bitte prüfen Sie die Adresse.")
                ]
            else:
                self.normalised_email = checked.normalized.lower()
        if self.organisation.data not in dict(self.organisations):
            self.organisation.errors = [_("Bitte wählen Sie eine Organisation.")]
        if self.role.data not in dict(self.roles):
            self.role.errors = [_("Bitte wählen Sie eine Rolle.")]
        return not any(field.errors for field in self)

    def error_links(self) -> list[tuple[str, str]]:
        """Each error with the id of the element it belongs to, for the summary."""
        targets = {self.role.id: f"{self.role.id}-{self.roles[0][0]}"}
        return [
            (targets.get(f.id, f.id), e) for f in self if f.name != "csrf_token" for e in f.errors
        ]


class RoleForm(PostedForm):
    """The role a colleague gets, from a button on the colleagues list."""

    role = StringField()


TEXT_MAX = 500
#: Allowed ranges of the retention settings, inclusive.
DAYS_RANGE = (1, 1095)
YEARS_RANGE = (1, 30)


def cleaned_lines(value: str | None) -> str:
    """Clean each line of an address, keeping the line breaks."""
    lines = (clean_text(line, TEXT_MAX) for line in (value or "").splitlines())
    return "\n".join(line for line in lines if line)


class PrivacySettingsForm(PostedForm):
    """An organisation's privacy settings: who families write to, and how long data stays."""

    postal_address = TextAreaField(_l("Postanschrift"), filters=[cleaned_lines])
    privacy_email = EmailField(_l("E-Mail für Fragen zum Datenschutz"), filters=[cleaned(254)])
    dpo_contact = TextAreaField(
        _l("Beauftragte für den Datenschutz (falls vorhanden)"), filters=[cleaned_lines]
    )
    supervisory_authority = TextAreaField(_l("Aufsichtsbehörde"), filters=[cleaned_lines])
    retention_days = StringField(
        _l("Kontaktdaten und Einverständnisse: nach wie vielen Tagen löschen?")
    )
    health_retention_days = StringField(
        _l("Angaben zur Gesundheit: nach wie vielen Tagen löschen?")
    )
    sheet_retention_years = StringField(_l("Anwesenheitslisten: wie viele Jahre aufbewahren?"))
    submit = SubmitField(_l("Speichern"))

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        required = {
            self.postal_address: _("Bitte geben Sie die Postanschrift an."),
            self.privacy_email: _("Bitte geben Sie die E-Mail-Adresse an."),
            self.supervisory_authority: _("Bitte geben Sie die Aufsichtsbehörde an."),
        }
        for field, message in required.items():
            if not field.data:
                field.errors = [message]
        for field in (self.postal_address, self.dpo_contact, self.supervisory_authority):
            check_length(field, TEXT_MAX)
        if self.privacy_email.data:
            try:
                checked = validate_email(self.privacy_email.data, check_deliverability=False)
            except EmailNotValidError:
                self.privacy_email.errors = [
                    _("Diese E-Mail-Adresse stimmt nicht. Bitte prüfen Sie die Adresse.")
                ]
            else:
                self.privacy_email.data = checked.normalized
        days = self._number(self.retention_days, DAYS_RANGE)
        health = self._number(self.health_retention_days, DAYS_RANGE)
        if days is not None and health is not None and health > days:
            self.health_retention_days.errors = [
                _("Angaben zur Gesundheit dürfen nicht länger bleiben als die Kontaktdaten.")
            ]
        if self.sheet_retention_years.data:
            self._number(self.sheet_retention_years, YEARS_RANGE)
        return not any(field.errors for field in self)

    def _number(self, field, limits: tuple[int, int]) -> int | None:
        """Read a whole number within the limits, or put an error on the field."""
        text = str(field.data or "").strip()
        if text.isdecimal() and limits[0] <= int(text) <= limits[1]:
            return int(text)
        field.errors = [
            _(
                "Bitte geben Sie eine ganze Zahl von %(min)d bis %(max)d an.",
                min=limits[0],
                max=limits[1],
            )
        ]
        return None

    def settings(self) -> PrivacySettings:
        years = (self.sheet_retention_years.data or "").strip()
        return PrivacySettings(
            postal_address=self.postal_address.data,
            privacy_email=self.privacy_email.data,
            dpo_contact=self.dpo_contact.data or "",
            supervisory_authority=self.supervisory_authority.data,
            retention_days=int(self.retention_days.data),
            health_retention_days=int(self.health_retention_days.data),
            sheet_retention_years=int(years) if years else None,
        )

    def error_links(self) -> list[tuple[str, str]]:
        return [(f.id, e) for f in self if f.name != "csrf_token" for e in f.errors]
