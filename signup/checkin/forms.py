"""The walk-in form: a child who came without a sign-up, added at the door."""

from flask import current_app
from wtforms.fields import BooleanField, StringField, SubmitField, TelField

from ..formfields import PostedForm
from ..i18n import _, _l
from ..registrations.forms import NAME_MAX, LenientIntegerField, clean_text, normalise_phone
from ..workshops.models import Workshop


class WalkInForm(PostedForm):
    first_name = StringField(_l("Vorname"), filters=[lambda v: clean_text(v, NAME_MAX)])
    age = LenientIntegerField(_l("Alter"))
    phone = TelField(_l("Telefon der Eltern"), filters=[lambda v: clean_text(v, 40)])
    consent = BooleanField(
        _l("Die Eltern sind einverstanden (mündlich, Zettel wird nachgereicht).")
    )
    submit = SubmitField(_l("Eintragen: ist da"))

    def __init__(self, workshop: Workshop, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.workshop = workshop
        self.general_errors: list[str] = []
        self.normalised_phone: str | None = None

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        if self.csrf_token.errors:
            self.general_errors.append(
                _("Die Seite war lange offen. Bitte senden Sie noch einmal.")
            )
        if not self.first_name.data:
            self.first_name.errors = [_("Bitte geben Sie den Vornamen an.")]
        elif len(self.first_name.data) > NAME_MAX:
            # The filter keeps more than fits, so that the box shows what was typed.
            self.first_name.errors = [
                _("Bitte kürzen Sie den Namen auf %(n)d Zeichen.", n=NAME_MAX)
            ]
        if not self.age.errors:
            low, high = self.workshop.min_age, self.workshop.max_age
            if self.age.data is None:
                self.age.errors = [_("Bitte geben Sie das Alter an.")]
            elif not low <= self.age.data <= high:
                self.age.errors = [
                    _(
                        "Dieser Workshop ist für Kinder von %(min)d bis %(max)d Jahren.",
                        min=low,
                        max=high,
                    )
                ]
        if not self.phone.data:
            self.phone.errors = [_("Bitte geben Sie eine Telefonnummer der Eltern an.")]
        else:
            region = current_app.config["SIGNUP_PHONE_REGION"]
            self.normalised_phone = normalise_phone(self.phone.data, region)
            if not self.normalised_phone:
                self.phone.errors = [
                    _("Diese Telefonnummer stimmt nicht. Bitte prüfen Sie die Nummer.")
                ]
        if not self.consent.data:
            self.consent.errors = [_("Ohne Einverständnis der Eltern geht es nicht.")]
        return not self.general_errors and not any(
            f.errors for name, f in self._fields.items() if name != "csrf_token"
        )

    @property
    def error_links(self) -> list[tuple[str, str]]:
        """Each field error with the id of its field, for the summary above the form."""
        return [
            (f.id, error)
            for f in (self.first_name, self.age, self.phone, self.consent)
            for error in f.errors
        ]
