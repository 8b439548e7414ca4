"""Text for the printouts: cleaned, shaped, ordered and wrapped the way a reader needs it."""

from datetime import date, time

from reportlab.lib.pagesizes import A4

from signup.printables import text as t
from signup.printables.base import Sheet, day_and_time
from signup.printables.fonts import ARABIC, LATIN, register_fonts
from tests import pdfs

ARABIC_PRESENTATION_FORMS = range(0xFB50, 0xFF00)


def test_printable_drops_overrides_and_controls_but_keeps_the_letters():
    assert t.printable("Ami\u202era\u0000 X\u2067y\u2069") == "Amira  Xy"
    assert t.printable(None) == ""


def test_arabic_letters_are_joined_into_presentation_forms():
    shaped = t.shaped("مرحبا")
    assert all(ord(c) in ARABIC_PRESENTATION_FORMS for c in shaped)
    # Joined forms, not five isolated letters: the word has an initial and a final form.
    assert shaped != "".join(t.shaped(letter) for letter in "مرحبا")


def test_right_to_left_line_is_reversed_with_brackets_mirrored():
    drawn = t.visual("نص (اختياري)", rtl=True)
    assert drawn.startswith("(") and drawn.index("(") < drawn.index(")")
    assert drawn.endswith(t.shaped("نص")[::-1])


def test_latin_name_and_number_keep_their_order_inside_arabic(plain_app):
    drawn = t.visual("اسم الطفل: Amira Müller 2026", rtl=True)
    assert "Amira Müller 2026" in drawn
    times = day_and_time("ar", date(2026, 4, 13), time(10, 30), time(14, 30))
    assert "10:30–14:30" in t.visual(times, rtl=True)


def test_wrap_breaks_at_spaces_and_inside_a_word_too_long():
    register_fonts()
    lines = t.wrap("Robotik " + "x" * 200, LATIN.regular, 10, 100)
    assert lines[0] == "Robotik"
    assert all(t.width(line, LATIN.regular, 10) <= 100 for line in lines)
    assert "".join(lines[1:]) == "x" * 200


def test_face_follows_the_script_and_the_language():
    assert t.face_for("Amira") is LATIN
    assert t.face_for("أميرة") is ARABIC
    assert t.face_for("Amira", "fa") is ARABIC


def test_a_wrapped_arabic_paragraph_stays_flush_right_on_a_line_that_starts_in_latin(
    plain_app,
):
    sheet = Sheet(A4, "test")
    sheet.paragraph(100, 700, 120, "نص عربي طويل Amira Müller KI4U", 12)
    pdf = sheet.finish()
    right_edges = {}
    for char in pdfs.chars(pdf):
        right_edges.setdefault(round(char["top"]), []).append(char["x1"])
    assert len(right_edges) >= 2, "the text should wrap"
    for edges in right_edges.values():
        assert abs(max(edges) - 220) < 1.5
