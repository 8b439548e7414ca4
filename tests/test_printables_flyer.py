"""QR flyers: read back as a family or a printer would see them, codes decoded."""

import io
import re
import unicodedata
from datetime import date, time
from functools import cache
from types import SimpleNamespace

import pdfplumber
import pytest
from babel.dates import format_date
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from signup.i18n import LANGUAGES, RTL_LANGUAGES, _l
from signup.printables.base import in_language
from signup.printables.data import Slot, Text
from signup.printables.flyer import render_flyer
from tests.factories import workshop_info
from tests.pdfs import page_count, page_sizes_mm, qr_codes, text_of

pytestmark = pytest.mark.usefixtures("plain_app")

FOREIGN = [code for code in LANGUAGES if code != "de"]
A4_WIDTH, A4_HEIGHT = A4
ARABIC_LETTERS = re.compile("[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]")
PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")
PUNCTUATION = ",.:;،()"
#: Existing msgids with translations in every catalog.
LABELS = [_l("Wann"), _l("Wo"), _l("Für wen"), _l("Kosten"), _l("kostenlos")]
REGISTER = _l("Jetzt anmelden")
AGES = _l("Kinder von %(min)d bis %(max)d Jahren")
MONDAY = date(2026, 4, 13)


def plain(word: str) -> str:
    """Return a word as a reader would type it: joined forms undone, marks and stops dropped."""
    word = unicodedata.normalize("NFKC", word)
    kept = "".join(c for c in word if unicodedata.category(c) not in ("Mn", "Cf"))
    return kept.strip(PUNCTUATION)


@cache
def page_of(pdf: bytes) -> SimpleNamespace:
    """What pdfplumber finds on the first page, read once per document (it is slow on codes)."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        page = document.pages[0]
        return SimpleNamespace(
            words=page.extract_words(), chars=page.chars, rects=page.rects, lines=page.lines
        )


def placed_words(pdf: bytes) -> list[dict]:
    """The words on the page, right-to-left ones turned from drawing into reading order."""
    found = []
    for word in page_of(pdf).words:
        text = word["text"][::-1] if ARABIC_LETTERS.search(word["text"]) else word["text"]
        found.append({**word, "plain": plain(text)})
    return found


def vocabulary(pdf: bytes) -> set[str]:
    return {word["plain"] for word in placed_words(pdf)}


def expected(phrase: str) -> set[str]:
    return {plain(word) for word in phrase.split()} - {""}


def squares_mm(pdf: bytes) -> list[float]:
    """Sides of the square white backgrounds the QR codes are drawn on, in millimetres."""
    rects = page_of(pdf).rects
    return [
        r["width"] / mm for r in rects if r["width"] > 10 * mm and abs(r["width"] - r["height"]) < 1
    ]


def long_texts() -> dict[str, Text]:
    """A title of 300 characters, and a summary with one word too long for any line."""
    title = ("Roboter bauen und programmieren mit Freunden " * 8)[:300]
    word = "Donaudampfschifffahrtsgesellschaftskapitän" * 6
    arabic = "نبني روبوتات ونبرمجها مع الأصدقاء " * 9
    return {
        "de": Text("de", title, f"{word} und noch ein Satz. " * 5),
        "ar": Text("ar", arabic[:300], arabic + word),
    }


def test_poster_in_german_gives_every_fact_and_a_code_to_the_form():
    info = workshop_info()
    pdf = render_flyer(info, "poster", "de")
    text = text_of(pdf)

    assert page_count(pdf) == 1
    assert page_sizes_mm(pdf) == [(210, 297)]
    for fact in (
        "KI4U: Roboter bauen",
        "Drei Tage bauen und programmieren.",
        "Montag, 13. April 2026, 10:30–14:30",
        "Mittwoch, 15. April 2026, 10:30–14:30",
        "zdi-Zentrum Bottrop",
        "Hauptstraße 1",
        "46236 Bottrop",
        "Kinder von 10 bis 14 Jahren",
        "kostenlos",
        "Kommunales Integrationszentrum Bottrop",
        "Jetzt anmelden",
        info.url,
    ):
        assert fact in text
    # German only: the code opens the page in the phone's language, as the printed address does.
    assert qr_codes(pdf) == [info.url]
    assert max(squares_mm(pdf)) >= 60


def test_poster_in_german_leaves_other_languages_out():
    pdf = render_flyer(workshop_info(), "poster", "de")

    assert "Robot yapıyoruz" not in text_of(pdf)
    assert not ARABIC_LETTERS.search(text_of(pdf))


@pytest.mark.parametrize("language", FOREIGN)
def test_bilingual_poster_gives_the_facts_in_german_and_on_the_right_in_the_language(language):
    info = workshop_info()
    pdf = render_flyer(info, "poster", language)
    found = vocabulary(pdf)
    middle = A4_WIDTH / 2

    for label in (*LABELS, REGISTER):
        assert expected(in_language("de", label)) <= found
    assert expected("Montag Kinder von 10 bis 14 Jahren") <= found
    for label in LABELS:
        assert expected(in_language(language, label)) <= found
    assert expected(in_language(language, REGISTER)) <= found
    assert expected(in_language(language, AGES, min=10, max=14)) <= found
    assert expected(format_date(MONDAY, "EEEE", locale=language)) <= found
    assert info.url_in(language) in text_of(pdf)

    when = expected(in_language(language, LABELS[0]))
    family = [w for w in placed_words(pdf) if w["plain"] in when]
    german = [w for w in placed_words(pdf) if w["plain"] == "Wann"]
    assert family and all(w["x0"] >= middle for w in family)
    assert german and all(w["x1"] <= middle for w in german)
    # Right-to-left languages are set flush right, the others flush left like German.
    if language in RTL_LANGUAGES:
        assert max(w["x1"] for w in family) > A4_WIDTH - 60
    else:
        assert min(w["x0"] for w in family) < middle + 30


def test_german_and_turkish_poster_shows_the_turkish_title_and_weekday():
    pdf = render_flyer(workshop_info(), "poster", "tr")
    placed = placed_words(pdf)

    assert "13 Nisan 2026 Pazartesi, 10:30–14:30" in text_of(pdf)
    title = [w for w in placed if w["plain"] in ("Robot", "yapıyoruz")]
    assert len(title) == 2
    assert all(w["x0"] > A4_WIDTH / 2 for w in title)


def test_german_and_arabic_poster_opens_the_form_in_arabic():
    info = workshop_info()
    pdf = render_flyer(info, "poster", "ar")

    assert qr_codes(pdf) == [info.url_in("ar")]
    assert info.url_in("ar") == "https://signup.example/w/ki4u?lang=ar"
    assert info.url_in("ar") in text_of(pdf)


def test_german_and_arabic_poster_joins_the_letters_and_sets_them_right_to_left():
    pdf = render_flyer(workshop_info(), "poster", "ar")
    glyphs = "".join(c["text"] for c in page_of(pdf).chars)
    placed = placed_words(pdf)
    call = expected(in_language("ar", REGISTER))
    # Everything Arabic but the call to register, which stands centred over the code.
    arabic = [w for w in placed if ARABIC_LETTERS.search(w["text"]) and w["plain"] not in call]

    assert PRESENTATION_FORMS.search(glyphs)
    shapes = {
        unicodedata.decomposition(c).split(" ")[0] for c in PRESENTATION_FORMS.findall(glyphs)
    }
    assert {"<initial>", "<medial>", "<final>"} <= shapes
    found = {w["plain"] for w in arabic}
    assert {"نبني", "روبوتات", "ثلاثة", "أيام", "متى", "أين", "مجاني", "الاثنين"} <= found
    assert max(len(w["plain"]) for w in arabic) >= 7
    assert all(w["x0"] >= A4_WIDTH / 2 for w in arabic)
    # "KI4U: نبني روبوتات" read right to left: the name comes first, at the right.
    robots = next(w for w in arabic if w["plain"] == "روبوتات")
    we_build = next(w for w in arabic if w["plain"] == "نبني")
    name = next(w for w in placed if "KI4U" in w["text"] and w["x0"] > A4_WIDTH / 2)
    assert robots["x1"] < we_build["x0"] < we_build["x1"] < name["x0"]
    # The Arabic column is set flush right, the German one flush left.
    assert max(w["x1"] for w in arabic) > A4_WIDTH - 60
    assert min(w["x0"] for w in placed) < 60


def test_language_without_workshop_text_shows_the_german_text_with_its_own_words():
    info = workshop_info()
    pdf = render_flyer(info, "poster", "uk")
    placed = placed_words(pdf)
    found = {w["plain"] for w in placed}

    left, right = sorted(w["x0"] for w in placed if w["plain"] == "Roboter")
    assert left < A4_WIDTH / 2 < right
    assert expected(in_language("uk", LABELS[0])) <= found
    assert "понеділок" in found
    assert qr_codes(pdf) == [info.url_in("uk")]


def test_handout_puts_four_flyers_with_codes_and_cutting_marks_on_a4():
    info = workshop_info()
    pdf = render_flyer(info, "handout", "de")
    placed = placed_words(pdf)

    assert page_sizes_mm(pdf) == [(210, 297)]
    assert page_count(pdf) == 1
    assert qr_codes(pdf) == [info.url] * 4
    assert len([w for w in placed if w["plain"] == "Roboter"]) == 4
    assert len([w for w in placed if w["plain"] == "kostenlos"]) == 4
    assert squares_mm(pdf) and min(squares_mm(pdf)) >= 30

    marks = page_of(pdf).lines
    glyphs = page_of(pdf).chars
    assert len(marks) >= 4
    for mark in marks:
        vertical = mark["x0"] == mark["x1"] == pytest.approx(A4_WIDTH / 2)
        horizontal = mark["top"] == mark["bottom"] == pytest.approx(A4_HEIGHT / 2)
        assert vertical or horizontal
        near = [
            glyph["text"]
            for glyph in glyphs
            if glyph["x0"] - 2 <= mark["x1"]
            and mark["x0"] <= glyph["x1"] + 2
            and glyph["top"] - 2 <= mark["bottom"]
            and mark["top"] <= glyph["bottom"] + 2
        ]
        assert not near, mark


def test_bilingual_handout_codes_open_the_form_in_the_language():
    info = workshop_info()
    pdf = render_flyer(info, "handout", "ar")

    assert qr_codes(pdf) == [info.url_in("ar")] * 4
    assert len([w for w in placed_words(pdf) if w["plain"] == "روبوتات"]) == 4


def test_many_languages_poster_has_a_code_and_a_call_in_each_language():
    info = workshop_info()
    pdf = render_flyer(info, "poster", "many")
    found = vocabulary(pdf)

    assert qr_codes(pdf) == sorted(info.url_in(code) for code in LANGUAGES)
    for code in LANGUAGES:
        assert expected(in_language(code, REGISTER)) <= found, code
    assert len([side for side in squares_mm(pdf) if side >= 18]) == len(LANGUAGES)
    # The facts themselves are German only.
    assert "Montag, 13. April 2026, 10:30–14:30" in text_of(pdf)
    assert "Pazartesi" not in found
    assert info.url in text_of(pdf)


def test_many_languages_handout_still_has_the_essential_facts():
    text = text_of(render_flyer(workshop_info(), "handout", "many"))

    for words in ("Roboter", "Montag", "Bottrop", "Jahren", "kostenlos", "Register now"):
        assert text.count(words) >= 4, words


LAYOUTS = [
    ("poster", "de"),
    ("poster", "ar"),
    ("poster", "many"),
    ("handout", "de"),
    ("handout", "ar"),
    ("handout", "many"),
]


@pytest.mark.parametrize(("layout", "language"), LAYOUTS)
def test_long_texts_stay_on_the_page_and_off_the_cuts(layout, language):
    pdf = render_flyer(workshop_info(texts=long_texts()), layout, language)
    glyphs = page_of(pdf).chars

    assert glyphs
    assert all(c["x0"] >= 0 and c["x1"] <= A4_WIDTH for c in glyphs)
    assert all(c["top"] >= 0 and c["bottom"] <= A4_HEIGHT for c in glyphs)
    if layout == "handout":
        assert not [c for c in glyphs if c["x0"] < A4_WIDTH / 2 < c["x1"]]
        assert not [c for c in glyphs if c["top"] < A4_HEIGHT / 2 < c["bottom"]]
    text = text_of(pdf)
    assert "…" in text
    assert "kostenlos" in text


def test_long_title_is_cut_before_it_reaches_the_code():
    info = workshop_info(texts=long_texts())
    pdf = render_flyer(info, "poster", "ar")

    assert qr_codes(pdf) == [info.url_in("ar")]


def test_many_dates_are_cut_and_the_other_facts_kept():
    days = tuple(
        Slot(date(2026, 4, 1 + n), time(10, 30), time(14, 30), id=n + 1) for n in range(25)
    )
    info = workshop_info(dates=days)
    pdf = render_flyer(info, "poster", "de")
    text = text_of(pdf)

    assert "Mittwoch, 1. April 2026, 10:30–14:30" in text
    assert "Samstag, 25. April 2026" not in text
    assert "kostenlos" in text
    assert "Kinder von 10 bis 14 Jahren" in text
    assert qr_codes(pdf) == [info.url]
