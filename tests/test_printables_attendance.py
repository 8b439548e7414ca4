"""The sign-in sheet, read back from the PDF: what it lists, where, and on how many pages."""

import io
import math
import re

import pdfplumber
import pytest
from babel.dates import format_date

from signup.printables import text as t
from signup.printables.attendance import render_sign_in_sheet
from signup.printables.data import SheetRow
from tests.factories import workshop_info
from tests.pdfs import chars, page_count, page_sizes_mm, pages_text, text_of, words

pytestmark = pytest.mark.usefixtures("plain_app")

PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]")


def child(name: str, **kw) -> SheetRow:
    kw.setdefault("age", 11)
    kw.setdefault("phone", "0176 5550101")
    return SheetRow(name=name, **kw)


def render(rows, *, combined=False, language="de", **kw) -> bytes:
    info = workshop_info(**kw)
    return render_sign_in_sheet(info, rows, None if combined else info.dates[0], language)


def word(pdf: bytes, text: str, page: int = 0) -> dict:
    return next(w for w in words(pdf, page) if w["text"] == text)


def name_cell(pdf: bytes) -> tuple[float, float]:
    """The name column's left and right edges, from the column rules drawn on the page."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        lines = document.pages[0].lines
    edges = sorted({round(line["x0"], 1) for line in lines if line["x0"] == line["x1"]})
    return edges[0], edges[1]


def boxes(pdf: bytes) -> int:
    """Count the small squares to tick on the first page."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        rects = document.pages[0].rects
    return sum(1 for r in rects if 10 < r["width"] < 12 and abs(r["width"] - r["height"]) < 0.1)


def row_chars(pdf: bytes) -> list[dict]:
    """The glyphs between the column headings and the footer: the rows' own text."""
    below = word(pdf, "Name")["bottom"] + 5
    above = word(pdf, "Seite")["top"] - 2
    return [c for c in chars(pdf) if below < c["top"] < above]


def test_one_date_sheet_lists_the_children_with_title_date_and_place(plain_app):
    rows = [
        child("Anna Müller", age=10, phone="0176 1110001"),
        child("Mehmet Yılmaz", age=12, phone="0176 1110002"),
        child("Olena Shevchenko", age=14, phone="+49 176 1110003"),
    ]
    pdf = render(rows)
    text = text_of(pdf)
    for expected in ("KI4U: Roboter bauen", "Montag, 13. April 2026", "10:30–14:30"):
        assert expected in text
    assert "zdi-Zentrum Bottrop" in text
    assert "Seite 1 von 1" in text
    for row in rows:
        assert row.name in text
        assert row.phone in text
    for number, row in enumerate(rows, 1):
        first = word(pdf, row.name.split()[0])
        same_line = [w for w in words(pdf) if abs(w["top"] - first["top"]) < 3]
        assert str(number) in [w["text"] for w in same_line if w["x1"] < first["x0"]]
        assert str(row.age) in [w["text"] for w in same_line if w["x0"] > first["x1"]]
    assert page_sizes_mm(pdf) == [(297, 210)]


def test_no_photos_mark_only_where_consent_is_missing(plain_app):
    names = ("Anna", "Ben", "Cem", "Dora", "Emil")
    rows = [child(f"{name} Schulz", photo_ok=n % 2 == 0) for n, name in enumerate(names)]
    pdf = render(rows)
    assert text_of(pdf).count("KEINE Fotos") == 2
    for row in rows:
        name = word(pdf, row.name.split()[0])
        line = " ".join(w["text"] for w in words(pdf) if abs(w["top"] - name["top"]) < 3)
        assert ("KEINE Fotos" in line) == (row.photo_ok is False)


def test_photo_column_left_out_when_the_workshop_asks_no_consent(plain_app):
    pdf = render([child("Anna Müller"), child("Ben Schulz")], photo_uses=())
    assert "Fotos" not in text_of(pdf)


def test_health_flag_and_legend_only_when_the_workshop_asks(plain_app):
    rows = [child("Anna Müller", health=True), child("Ben Schulz"), child("Cem Ak", health=True)]
    pdf = render(rows, asks_health=True)
    assert "Gesundheitshinweis" in text_of(pdf)
    flagged = set()
    for row in rows:
        name = word(pdf, row.name.split()[0])
        if any(c["text"] == "!" and abs(c["top"] - name["top"]) < 4 for c in chars(pdf)):
            flagged.add(row.name)
    assert flagged == {"Anna Müller", "Cem Ak"}

    pdf = render(rows, asks_health=False)
    assert "!" not in text_of(pdf)
    assert "Gesundheitshinweis" not in text_of(pdf)


def test_pickup_column_only_when_asked_and_cut_after_two_lines(plain_app):
    long_note = "Oma Gül oder Tante Ayşe oder die Nachbarin Frau Schmidt " * 6
    rows = [child("Anna Müller", pickup="Mutter"), child("Ben Schulz", pickup=long_note)]
    pdf = render(rows, asks_pickup=True)
    text = text_of(pdf)
    assert "Wer darf das Kind abholen?" in text
    assert "Mutter" in text
    assert "…" in text
    start = word(pdf, "Oma")
    note_lines = {
        round(w["top"])
        for w in words(pdf)
        if abs(w["x0"] - start["x0"]) < 1 and w["top"] >= start["top"] - 1
    }
    assert len(note_lines) == 2

    pdf = render(rows, asks_pickup=False)
    assert "abholen" not in text_of(pdf)
    assert "Mutter" not in text_of(pdf)


def test_groups_show_their_headcount(plain_app):
    rows = [
        child("Anna Müller"),
        child("Klasse 5b", headcount=24, group=True),
        child("Ben Schulz"),
    ]
    text = text_of(render(rows))
    assert "Klasse 5b (24 Kinder)" in text
    assert "26 Kinder" in text


def test_long_lists_break_across_pages_with_header_and_page_numbers(plain_app):
    rows = [child(f"Kind {n:03d}", phone=f"0176 {n:07d}") for n in range(1, 501)]
    pdf = render(rows)
    pages = pages_text(pdf)
    total = page_count(pdf)
    on_first_page = len(re.findall(r"Kind \d{3}", pages[0]))
    assert on_first_page >= 18
    assert total == math.ceil(500 / on_first_page)
    for number, page in enumerate(pages, 1):
        assert f"Seite {number} von {total}" in page
        assert "KI4U: Roboter bauen" in page
        assert "Montag, 13. April 2026" in page
        assert "Name" in page and "Telefon" in page and "Unterschrift" in page
    listed = re.findall(r"Kind \d{3}", "\n".join(pages))
    assert listed == [row.name for row in rows]


def test_combined_sheet_has_a_box_per_date_and_no_single_date(plain_app):
    rows = [child("Anna Müller"), child("Ben Schulz")]
    info = workshop_info()
    pdf = render(rows, combined=True)
    text = text_of(pdf)
    for slot in info.dates:
        assert format_date(slot.day, "EEE dd.MM.", locale="de") in text
    assert "Montag, 13. April 2026" not in text
    assert "Unterschrift" not in text
    assert boxes(pdf) == 3 * len(rows)
    assert boxes(render(rows)) == len(rows)


@pytest.mark.parametrize(
    "name",
    [
        "Anna-Lena Maria Sophie " * 9,
        "Maximilianalexanderbartholomäus" * 6,
    ],
    ids=["200 characters", "one long word"],
)
def test_long_names_stay_inside_their_cell(plain_app, name):
    # Pickup and health columns leave the name its narrowest cell.
    pdf = render([child(name.strip(), phone="")], asks_pickup=True, asks_health=True)
    left, right = name_cell(pdf)
    letters = [c for c in row_chars(pdf) if c["text"].isalpha() or c["text"] in "-…"]
    assert "".join(c["text"] for c in letters).startswith(name[:20].replace(" ", ""))
    assert min(c["x0"] for c in letters) >= left
    assert max(c["x1"] for c in letters) <= right
    assert len({round(c["top"]) for c in letters}) == 2
    assert letters[-1]["text"] == "…"


def test_arabic_names_are_shaped_and_set_right_in_their_cell(plain_app):
    arabic, latin = "أحمد الخطيب", "Anna Müller"
    pdf = render([child(latin), child(arabic)], photo_uses=())
    left, right = name_cell(pdf)
    drawn = [c for c in row_chars(pdf) if t.has_arabic(c["text"])]
    assert any(PRESENTATION_FORMS.match(c["text"]) for c in drawn)
    assert right - max(c["x1"] for c in drawn) < 6
    assert min(c["x0"] for c in drawn) - left > 50
    assert word(pdf, "Anna")["x0"] - left < 6
    # Read right to left: the first name stands to the right of the family name.
    first = word(pdf, t.shaped("أحمد")[::-1])
    family = word(pdf, t.shaped("الخطيب")[::-1])
    assert first["x0"] > family["x1"]


def test_headings_follow_the_staff_language(plain_app):
    rows = [child("Anna Müller", photo_ok=False, pickup="Mutter")]
    german = text_of(render(rows, asks_pickup=True, language="de"))
    english = text_of(render(rows, asks_pickup=True, language="en"))
    for expected in ("Alter", "Telefon", "KEINE Fotos", "Wer darf das Kind abholen?", "Seite 1"):
        assert expected in german
    for expected in ("Age", "Phone", "NO photos", "Who may pick up the child?", "Page 1 of 1"):
        assert expected in english
    assert "Monday, April 13, 2026" in english
    assert "Telefon" not in english
    # The workshop has no English text: its German title stands in.
    assert "KI4U: Roboter bauen" in english
