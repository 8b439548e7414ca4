"""Consent slips, read back from the PDF as a parent, a member of staff and a scanner see them."""

import io
import re
import unicodedata
from datetime import date
from functools import cache
from types import SimpleNamespace

import pdfplumber
import pytest
from babel.dates import format_date
from reportlab.lib.pagesizes import A4

from signup.i18n import LANGUAGES, RTL_LANGUAGES, _l
from signup.printables import text as t
from signup.printables.base import in_language
from signup.printables.consent import render_consent_slip
from signup.printables.data import Child, SlipInfo
from signup.registrations.consents import CONSENT_TEXT_VERSION, CONSENT_TEXTS
from signup.registrations.models import ConsentPurpose
from signup.workshops.models import PhotoUse
from tests.factories import workshop_info
from tests.pdfs import page_count, page_sizes_mm, pages_text, qr_codes, text_of

pytestmark = pytest.mark.usefixtures("plain_app")

WIDTH, HEIGHT = A4
MIDDLE = WIDTH / 2
PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")
PARTICIPATION = CONSENT_TEXTS[ConsentPurpose.PARTICIPATION]
PHOTO_TEXTS = {use: CONSENT_TEXTS[ConsentPurpose.for_photo_use(PhotoUse(use))] for use in PhotoUse}
SCAN_URL = "https://signup.example/staff/slips/ABCD1234"
MONDAY = date(2026, 4, 13)


MEHMET = (Child("Mehmet Yılmaz", 11),)


def slip(language="tr", children=MEHMET, **workshop) -> bytes:
    """A slip for the KI4U workshop; pre-filled (with a code to scan) when there are children."""
    code = {"scan_url": SCAN_URL, "short_code": "ABCD1234"} if children else {}
    info = workshop_info(**workshop)
    return render_consent_slip(SlipInfo(info, language, tuple(children), **code))


@cache
def page_of(pdf: bytes, page: int = 0) -> SimpleNamespace:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        found = document.pages[page]
        return SimpleNamespace(words=found.extract_words(), chars=found.chars, rects=found.rects)


def flat(text: str) -> str:
    return " ".join(text.split())


def plain(word: str) -> str:
    """A word as typed: joined forms undone, marks and stops dropped."""
    word = unicodedata.normalize("NFKC", word)
    return "".join(c for c in word if unicodedata.category(c) not in ("Mn", "Cf")).strip(",.:;،")


def read(word: dict) -> str:
    """A drawn word as typed: Arabic turned back from drawing into reading order."""
    text = word["text"]
    return plain(text[::-1] if t.has_arabic(text) else text)


def vocabulary(pdf: bytes, side=lambda word: True) -> set[str]:
    return {read(w) for w in page_of(pdf).words if side(w)}


def right_half(word: dict) -> bool:
    return word["x0"] > MIDDLE


def expected(phrase: str) -> set[str]:
    return {plain(word) for word in phrase.split()} - {""}


def boxes(pdf: bytes, page: int = 0) -> int:
    """Count the squares to tick."""
    return sum(
        1
        for r in page_of(pdf, page).rects
        if 9 < r["width"] < 11 and abs(r["width"] - r["height"]) < 0.1
    )


def test_turkish_slip_has_the_child_the_workshop_and_each_consent_in_both_languages():
    pdf = slip("tr")
    text = flat(text_of(pdf))

    assert page_count(pdf) == 1
    assert page_sizes_mm(pdf) == [(210, 297)]
    assert "Mehmet Yılmaz" in text
    assert "KI4U: Roboter bauen" in text
    assert "KI4U: Robot yapıyoruz" in text
    assert "13 Nisan 2026 Pazartesi, 10:30–14:30" in text
    assert "Montag, 13. April 2026, 10:30–14:30" in text
    assert "zdi-Zentrum Bottrop" in text
    assert flat(in_language("de", PARTICIPATION)) in text
    turkish = flat(in_language("tr", PARTICIPATION))
    assert turkish != flat(in_language("de", PARTICIPATION))
    assert turkish in text
    for consent in PHOTO_TEXTS.values():
        assert flat(in_language("de", consent)) in text
        assert flat(in_language("tr", consent)) in text
    # Taking part, then one box for each of the four uses of photos.
    assert boxes(pdf) == 5


def test_turkish_column_stands_right_of_the_german_one():
    pdf = slip("tr")
    words = page_of(pdf).words
    german = [w for w in words if w["text"] in ("Roboter", "Montag,")]
    turkish = [w for w in words if w["text"] in ("yapıyoruz", "Pazartesi,")]
    assert german and all(w["x1"] < MIDDLE for w in german)
    assert turkish and all(w["x0"] > MIDDLE for w in turkish)


def test_code_to_scan_leads_to_the_registration_and_its_short_code_is_printed():
    pdf = slip("tr")
    assert qr_codes(pdf) == [SCAN_URL]
    assert "Code: ABCD1234" in text_of(pdf)


def test_only_the_declared_uses_of_photos_get_a_box():
    pdf = slip("tr", photo_uses=("internal", "press"))
    text = flat(text_of(pdf))

    assert boxes(pdf) == 3
    for use in ("internal", "press"):
        assert flat(in_language("de", PHOTO_TEXTS[use])) in text
    for use in ("website", "social"):
        assert flat(in_language("de", PHOTO_TEXTS[use])) not in text
        assert flat(in_language("tr", PHOTO_TEXTS[use])) not in text


def test_workshop_without_photos_asks_nothing_about_photos():
    for children in ((Child("Mehmet Yılmaz", 15),), ()):
        pdf = slip("tr", children, photo_uses=())
        text = text_of(pdf)
        assert "Fotos" not in text
        assert "Fotoğraf" not in text
        assert "Ab 14 Jahren" not in text
        assert boxes(pdf) == 1


def test_young_persons_own_agreement_is_asked_from_14():
    younger = slip("tr", (Child("Mehmet Yılmaz", 11), Child("Can Yılmaz", 13)))
    older = slip("tr", (Child("Mehmet Yılmaz", 11), Child("Elif Yılmaz", 14)))
    blank = slip("tr", ())

    assert "Ab 14 Jahren" not in text_of(younger)
    assert boxes(younger) == 5
    for pdf in (older, blank):
        assert "Ab 14 Jahren: Ich bin auch einverstanden." in text_of(pdf)
        assert "Unterschrift des Kindes ab 14 Jahren" in text_of(pdf)
        assert boxes(pdf) == 6
    # The signature line of the young person carries the name, below the box.
    elif_ = [w for w in page_of(older).words if w["text"] == "Elif"]
    ab_14 = next(w for w in page_of(older).words if w["text"] == "Ab")
    assert len(elif_) == 2 and max(w["top"] for w in elif_) > ab_14["bottom"]


def test_blank_slip_has_lines_for_the_children_and_a_contact_but_no_code():
    pdf = slip("tr", ())
    text = text_of(pdf)

    assert qr_codes(pdf) == []
    assert "Code:" not in text
    assert "Mehmet" not in text
    for label in ("Vorname", "Nachname", "Alter", "So erreichen wir Sie"):
        assert label in text
    assert expected(in_language("tr", "Vorname")) <= vocabulary(pdf)
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        rules = [line for line in document.pages[0].lines if line["width"] > 100]
    # Three rows for children (first name and surname each), a contact, place and signature.
    assert len(rules) >= 3 * 2 + 1 + 2


def test_arabic_slip_is_shaped_and_set_in_the_right_hand_column():
    pdf = slip("ar", (Child("Mehmet Yılmaz", 11),))
    arabic = [c for c in page_of(pdf).chars if t.has_arabic(c["text"])]

    assert PRESENTATION_FORMS.search("".join(c["text"] for c in arabic))
    assert expected(in_language("ar", PARTICIPATION)) <= vocabulary(pdf, right_half)
    assert expected(format_date(MONDAY, "EEEE", locale="ar")) <= vocabulary(pdf, right_half)
    # Flush right: the Arabic lines end at the column's right edge, where the boxes hang.
    assert max(c["x1"] for c in arabic) > WIDTH - 70
    # Only the table, read from the right, puts the age (and its heading) at the left.
    left = {read(w) for w in page_of(pdf).words if t.has_arabic(w["text"]) and w["x1"] < MIDDLE}
    assert left == expected(in_language("ar", _l("Alter")))
    squares = [r for r in page_of(pdf).rects if 9 < r["width"] < 11 and 9 < r["height"] < 11]
    assert len(squares) == 5 and all(r["x1"] > WIDTH - 60 for r in squares)
    assert flat(in_language("de", PARTICIPATION)) in flat(text_of(pdf))


def test_slip_says_when_the_data_is_deleted_and_which_wording_was_signed():
    info = workshop_info()
    pdf = render_consent_slip(SlipInfo(info, "tr", retention_days=30))
    text = flat(text_of(pdf))

    # The last date is 15 April 2026; 30 days later is 15 May.
    assert "15. Mai 2026" in text
    assert "15 Mayıs 2026" in text
    assert CONSENT_TEXT_VERSION in text
    assert "Kommunales Integrationszentrum Bottrop" in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_gives_one_page_beside_german(language):
    pdf = slip(language, (Child("Mehmet Yılmaz", 14),))
    found = vocabulary(pdf)

    assert page_count(pdf) == 1
    assert page_sizes_mm(pdf) == [(210, 297)]
    assert expected(in_language(language, PARTICIPATION)) <= found
    assert expected(format_date(MONDAY, "EEEE", locale=language)) <= found
    assert flat(in_language("de", PARTICIPATION)) in flat(text_of(pdf))
    heading = [w for w in page_of(pdf).words if w["text"] == "Einverständnis" and w["top"] < 80]
    if language == "de":
        # One column: the German text runs across the page, each box once.
        assert len(heading) == 1
        assert max(w["x1"] for w in page_of(pdf).words if w["text"] == "Workshop") > MIDDLE
        assert boxes(pdf) == 6
    else:
        assert heading and all(w["x1"] < MIDDLE for w in heading)
        assert expected(in_language(language, PARTICIPATION)) <= vocabulary(pdf, right_half)
    if language in RTL_LANGUAGES:
        assert PRESENTATION_FORMS.search(text_of(pdf))


@pytest.mark.parametrize("language", ["tr", "ar", "de"])
def test_a_200_character_name_stays_on_the_page(language):
    name = ("Maximilian-Alexander von Hohenzollern-Sigmaringen " * 5)[:200]
    pdf = slip(language, (Child(name, 11), Child("Anna", 12)))
    chars = page_of(pdf).chars

    assert page_count(pdf) == 1
    assert "Maximilian-Alexander" in text_of(pdf)
    assert all(40 < c["x0"] and c["x1"] < WIDTH - 40 for c in chars)
    assert all(0 < c["top"] and c["bottom"] < HEIGHT for c in chars)


def test_many_older_children_run_to_a_second_page_with_the_signature_last():
    children = [Child(f"Kind Nummer {n}", 15) for n in range(14)]
    pdf = slip("uk", children)
    first, second = pages_text(pdf)

    assert page_count(pdf) == 2
    assert "Seite 1 von 2" in first and "Seite 2 von 2" in second
    assert "Kind Nummer 0" in first
    assert "Unterschrift der sorgeberechtigten Person" in second
    assert qr_codes(pdf, page=2) == [SCAN_URL]
