"""The consent texts families agree to; a new wording needs a new version."""

from ..i18n import _l
from .models import ConsentPurpose

#: Bump when any consent wording changes; each consent stores the version it was given under.
CONSENT_TEXT_VERSION = "2026-11-1"

CONSENT_TEXTS = {
    ConsentPurpose.PARTICIPATION: _l(
        "Ich bin sorgeberechtigt. Mein Kind darf am Workshop teilnehmen. "
        "Die Angaben werden nur für diesen Workshop genutzt."
    ),
    ConsentPurpose.PHOTO_INTERNAL: _l(
        "Fotos und Filme, auf denen mein Kind zu sehen ist, dürfen für die interne "
        "Dokumentation genutzt werden."
    ),
    ConsentPurpose.PHOTO_WEBSITE: _l(
        "Fotos und Filme, auf denen mein Kind zu sehen ist, dürfen auf der Internetseite "
        "des Veranstalters gezeigt werden."
    ),
    ConsentPurpose.PHOTO_PRESS: _l(
        "Fotos und Filme, auf denen mein Kind zu sehen ist, dürfen an die Presse gegeben werden."
    ),
    ConsentPurpose.PHOTO_SOCIAL: _l(
        "Fotos und Filme, auf denen mein Kind zu sehen ist, dürfen in sozialen Medien "
        "gezeigt werden."
    ),
}
