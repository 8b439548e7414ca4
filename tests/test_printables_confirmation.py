"""The family's confirmation, read back from the PDF: places, dates, notes and the family page."""

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
from reportlab.lib.units import mm

from signup.i18n import LANGUAGES, RTL_LANGUAGES, _l
from signup.printables import text as t
from signup.printables.base import in_language
from signup.printables.confirmation import render_confirmation
from signup.printables.data import Child, ConfirmationInfo, Text
from signup.printables.qr import qr_matrix
from tests.factories import workshop_info
from tests.pdfs import page_count, page_sizes_mm, qr_codes, text_of

pytestmark = pytest.mark.usefixtures("plain_app")

WIDTH, HEIGHT = A4
MIDDLE = WIDTH / 2
PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")
FAMILY_URL = "https://signup.example/r/Xy3kP9qLmN2vB7tR5wZ8aC4dF6gH1jK0"
CONFIRMED = _l("Platz sicher")
MONDAY = date(2026, 4, 13)
CHILDREN = (
    Child("Mehmet Yılmaz", 11),
    Child("Elif Yılmaz", 9, status="waiting", waiting_position=3),
)


def confirmation(language="tr", children=CHILDREN, url=FAMILY_URL, **workshop) -> bytes:
    info = ConfirmationInfo(workshop_info(**workshop), language, tuple(children), url)
    return render_confirmation(info)


@cache
def page_of(pdf: bytes) -> SimpleNamespace:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        page = document.pages[0]
        return SimpleNamespace(words=page.extract_words(), chars=page.chars, rects=page.rects)


def flat(text: str) -> str:
    return " ".join(text.split())


def plain(word: str) -> str:
    word = unicodedata.normalize("NFKC", word)
    return "".join(c for c in word if unicodedata.category(c) not in ("Mn", "Cf")).strip(",.:;،")


def vocabulary(pdf: bytes, side=lambda word: True) -> set[str]:
    """The words on the page as typed; Arabic ones turned from drawing into reading order."""
    return {
        plain(w["text"][::-1] if t.has_arabic(w["text"]) else w["text"])
        for w in page_of(pdf).words
        if side(w)
    }


def expected(phrase: str) -> set[str]:
    return {plain(word) for word in phrase.split()} - {""}


def right_half(word: dict) -> bool:
    return word["x0"] > MIDDLE


def row_of(pdf: bytes, word: str) -> list[str]:
    """The words level with `word` and on the line under it: one child's row."""
    found = next(w for w in page_of(pdf).words if w["text"] == word)
    return [w["text"] for w in page_of(pdf).words if -2 < w["top"] - found["top"] < 14]


def test_each_child_has_its_place_or_its_number_on_the_waiting_list():
    pdf = confirmation("tr")
    text = flat(text_of(pdf))

    assert page_count(pdf) == 1
    assert page_sizes_mm(pdf) == [(210, 297)]
    assert "KI4U: Roboter bauen" in text and "KI4U: Robot yapıyoruz" in text
    assert {"Mehmet", "Platz", "sicher", "Yer", "kesinleşti"} <= set(row_of(pdf, "Mehmet"))
    waiting = row_of(pdf, "Elif")
    assert {"Bekleme", "listesi:", "3.", "sıra", "Warteliste:", "Nummer", "3"} <= set(waiting)
    assert "Mehmet" not in waiting
    assert "Warteliste: Nummer 3" in text
    assert text.count("Platz sicher") == 1


def test_group_shows_its_headcount():
    pdf = confirmation("tr", [Child("Klasse 4b", 9, headcount=23)])
    text = flat(text_of(pdf))
    assert "Klasse 4b" in text
    assert "23 Kinder" in text
    assert "23 çocuk" in text


def test_confirmation_has_dates_place_notes_and_organisers_in_both_languages():
    pdf = confirmation("tr")
    text = flat(text_of(pdf))

    for fact in (
        "Montag, 13. April 2026, 10:30–14:30",
        "Mittwoch, 15. April 2026, 10:30–14:30",
        "13 Nisan 2026 Pazartesi, 10:30–14:30",
        "Hauptstraße 1",
        "46236 Bottrop",
        "Kommunales Integrationszentrum Bottrop",
        "Essen mitbringen.",
        "Yemek getirin.",
    ):
        assert fact in text
    assert {"Yemek", "getirin"} <= vocabulary(pdf, right_half)
    assert {"Essen", "mitbringen"} <= vocabulary(pdf, lambda w: w["x1"] < MIDDLE)


def test_notes_fall_back_to_german_where_the_language_has_none():
    texts = {
        "de": Text("de", "KI4U: Roboter bauen", "", "Essen mitbringen."),
        "tr": Text("tr", "KI4U: Robot yapıyoruz", "", ""),
    }
    for language, info in (("tr", {"texts": texts}), ("uk", {})):
        pdf = confirmation(language, **info)
        assert {"Essen", "mitbringen"} <= vocabulary(pdf, right_half)
        assert {"Essen", "mitbringen"} <= vocabulary(pdf, lambda w: w["x1"] < MIDDLE)


def test_code_opens_the_family_page_and_is_large_enough():
    pdf = confirmation("tr")

    assert qr_codes(pdf) == [FAMILY_URL]
    assert FAMILY_URL in text_of(pdf)
    squares = [r for r in page_of(pdf).rects if r["width"] > 20 * mm]
    side = max(r["width"] for r in squares if abs(r["width"] - r["height"]) < 1)
    modules = len(qr_matrix(FAMILY_URL, "M"))
    # Without its white margin (four modules each side) the code is still 30 mm or more.
    assert side * (modules - 8) / modules >= 30 * mm
    scan = "Mit dem Handy den QR-Code scannen."
    assert scan in flat(text_of(pdf))


def test_without_a_family_link_there_is_no_code():
    pdf = confirmation("tr", url=None)
    assert qr_codes(pdf) == []
    assert "QR" not in text_of(pdf)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_gives_one_page_beside_german(language):
    pdf = confirmation(language)
    found = vocabulary(pdf)

    assert page_count(pdf) == 1
    assert page_sizes_mm(pdf) == [(210, 297)]
    assert expected(in_language(language, CONFIRMED)) <= found
    assert expected(format_date(MONDAY, "EEEE", locale=language)) <= found
    assert "Platz sicher" in text_of(pdf)
    if language == "de":
        assert "Montag" in text_of(pdf) and text_of(pdf).count("Montag,") == 1
    else:
        day = expected(format_date(MONDAY, "EEEE", locale=language))
        assert day <= vocabulary(pdf, right_half)
        # The table of children reads from the right in right-to-left languages: names first.
        states = vocabulary(pdf, lambda w: right_half(w) != (language in RTL_LANGUAGES))
        assert expected(in_language(language, CONFIRMED)) <= states
    if language in RTL_LANGUAGES:
        assert PRESENTATION_FORMS.search(text_of(pdf))
        # Flush right, beside the German text on the left.
        arabic = [c for c in page_of(pdf).chars if t.has_arabic(c["text"])]
        assert max(c["x1"] for c in arabic) > WIDTH - 50


def test_a_200_character_name_stays_on_the_page():
    name = ("Maximilian-Alexander von Hohenzollern-Sigmaringen " * 5)[:200]
    for language in ("tr", "ar"):
        pdf = confirmation(language, [Child(name, 11), *CHILDREN])
        assert page_count(pdf) == 1
        assert "Maximilian-Alexander" in text_of(pdf)
        assert all(40 < c["x0"] and c["x1"] < WIDTH - 40 for c in page_of(pdf).chars)
