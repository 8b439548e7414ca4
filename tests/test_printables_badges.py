"""Name tags, read back from the PDF: 24 labels of 70 x 37 mm to an A4 page."""

import re

import pytest

from signup.printables import text as t
from signup.printables.badges import render_name_tags
from signup.printables.data import SheetRow
from tests.factories import workshop_info
from tests.pdfs import chars, page_count, page_sizes_mm, pages_text, words

pytestmark = pytest.mark.usefixtures("plain_app")

MM = 72 / 25.4
LABEL_WIDTH, LABEL_HEIGHT = 70 * MM, 37 * MM
TOP = 0.5 * MM  # 8 x 37 mm on 297 mm: half a millimetre above and below
PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")


def tags(names, language="de") -> bytes:
    rows = [SheetRow(name=name, age=11) for name in names]
    return render_name_tags(workshop_info(), rows, language)


def label_of(glyph: dict) -> tuple[int, int]:
    """The label (row, column) a glyph lies in, from its position on the page."""
    return int((glyph["top"] - TOP) // LABEL_HEIGHT), int(glyph["x0"] // LABEL_WIDTH)


def test_24_tags_to_a_page_in_reading_order(plain_app):
    names = [f"Kind{n:02d}" for n in range(25)]
    pdf = tags(names)
    assert page_count(pdf) == 2
    assert page_sizes_mm(pdf) == [(210, 297), (210, 297)]
    first, second = pages_text(pdf)
    assert re.findall(r"Kind\d\d", first) == names[:24]
    assert re.findall(r"Kind\d\d", second) == names[24:]
    assert first.count("KI4U: Roboter bauen") == 24
    assert second.count("KI4U: Roboter bauen") == 1
    for number, name in enumerate(names[:24]):
        found = next(w for w in words(pdf) if w["text"] == name)
        assert label_of(found) == divmod(number, 3)
        assert found["bottom"] < TOP + (number // 3 + 1) * LABEL_HEIGHT


def test_the_name_is_large_and_the_title_small(plain_app):
    pdf = tags(["Anna Müller"])
    name = next(w for w in words(pdf) if w["text"] == "Anna")
    title = next(w for w in words(pdf) if w["text"] == "Roboter")
    assert name["bottom"] - name["top"] > 2 * (title["bottom"] - title["top"])
    assert name["bottom"] < title["top"]
    assert label_of(name) == label_of(title) == (0, 0)


def test_arabic_names_are_shaped(plain_app):
    pdf = tags(["Anna Müller", "أحمد الخطيب"])
    drawn = [c for c in chars(pdf) if t.has_arabic(c["text"])]
    assert drawn
    assert all(label_of(c) == (0, 1) for c in drawn)
    assert any(PRESENTATION_FORMS.match(c["text"]) for c in drawn)
    # Right to left: the first name stands to the right of the family name.
    first = next(w for w in words(pdf) if w["text"] == t.shaped("أحمد")[::-1])
    family = next(w for w in words(pdf) if w["text"] == t.shaped("الخطيب")[::-1])
    assert first["x0"] > family["x1"]


@pytest.mark.parametrize(
    "name",
    [
        "Maximilian-Alexander von Hohenzollern-Sigmaringen und Wittelsbach",
        "Bartholomäusmaximilianschwarzenbergerhausen",
        "محمد عبد الله الحسيني بن عبد الرحمن",
    ],
    ids=["many words", "one long word", "arabic"],
)
def test_long_names_stay_on_their_label(plain_app, name):
    pdf = tags(["Jo", name])
    glyphs = [c for c in chars(pdf) if c["x0"] >= LABEL_WIDTH and c["size"] > 9]
    assert glyphs
    assert min(c["x0"] for c in glyphs) >= LABEL_WIDTH
    assert max(c["x1"] for c in glyphs) <= 2 * LABEL_WIDTH
    assert min(c["top"] for c in glyphs) >= TOP
    assert max(c["bottom"] for c in glyphs) <= TOP + LABEL_HEIGHT
    assert len({round(c["top"]) for c in glyphs}) <= 2


def test_no_children_gives_one_empty_page(plain_app):
    pdf = tags([])
    assert page_count(pdf) == 1
    assert pages_text(pdf) == [""]
