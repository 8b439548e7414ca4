"""Forms for staff accounts."""

from flask_wtf import FlaskForm
from wtforms.fields import EmailField, PasswordField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length

from ..i18n import _l
from .services import MIN_PASSWORD_LENGTH


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
