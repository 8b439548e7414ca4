"""Forms for staff accounts."""

from email_validator import EmailNotValidError, validate_email
from flask_wtf import FlaskForm
from wtforms.fields import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length

from ..i18n import _, _l
from ..registrations.forms import check_length, cleaned
from .models import Organisation, Role
from .services import MIN_PASSWORD_LENGTH

DISPLAY_NAME_MAX = 120


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-Mail"), validators=[InputRequired(_l("Bitte geben Sie Ihre E-Mail an."))]
    )
    password = PasswordField(
        _l("Passwort"), validators=[InputRequired(_l("Bitte geben Sie Ihr Passwort ein."))]
    )
    submit = SubmitField(_l("Anmelden"))


class NewPasswordForm(FlaskForm):
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


class AddColleagueForm(FlaskForm):
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


class RoleForm(FlaskForm):
    """The role a colleague gets, from a button on the colleagues list."""

    role = StringField()
