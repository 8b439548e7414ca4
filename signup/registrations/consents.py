"""The consent texts families agree to; a new wording needs a new version."""

from ..i18n import _l
from .models import ConsentPurpose

#: From this age a photo consent also needs the young person's own agreement.
YOUNG_AGE = 14
#: Bump when any consent wording changes; each consent stores the version it was given under.
CONSENT_TEXT_VERSION = "2026-12-1"

CONSENT_TEXTS = {
    ConsentPurpose.PARTICIPATION: _l(
        "Ich bin sorgeberechtigt. Die angemeldeten Kinder dürfen am Workshop teilnehmen. "
        "Die Angaben werden nur für diesen Workshop genutzt."
    ),
    ConsentPurpose.PHOTO_INTERNAL: _l(
        "Fotos und Filme, auf denen die angemeldeten Kinder zu sehen sind, "
        "dürfen für die interne Dokumentation genutzt werden."
    ),
    ConsentPurpose.PHOTO_WEBSITE: _l(
        "Fotos und Filme, auf denen die angemeldeten Kinder zu sehen sind, "
        "dürfen auf der Internetseite des Veranstalters gezeigt werden."
    ),
    ConsentPurpose.PHOTO_PRESS: _l(
        "Fotos und Filme, auf denen die angemeldeten Kinder zu sehen sind, "
        "dürfen an die Presse gegeben werden."
    ),
    ConsentPurpose.PHOTO_SOCIAL: _l(
        "Fotos und Filme, auf denen die angemeldeten Kinder zu sehen sind, "
        "dürfen in sozialen Medien gezeigt werden."
    ),
    ConsentPurpose.YOUNG_AGREEMENT: _l(
        "Mein Kind ist 14 Jahre oder älter. Es ist mit den Fotos und Filmen, "
        "die ich oben erlaube, selbst einverstanden."
    ),
    ConsentPurpose.HEALTH: _l(
        "Ich bin einverstanden, dass die Angaben zu Allergien und Gesundheit für diesen Workshop "
        "gespeichert werden. Nur das Team des Workshops sieht sie."
    ),
}
