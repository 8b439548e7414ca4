"""What every printout shares: a canvas with the fonts, shaped text, languages, page footers.

Renderers take plain data (printables/data.py) and language codes and return PDF bytes. They
never read the request; what they print in a language comes from the catalogs under
`force_locale`, so a Turkish slip is Turkish whatever language the staff member reads.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO

from flask_babel import force_locale
from reportlab.lib.colors import Color, black
from reportlab.pdfgen.canvas import Canvas

from ..i18n import DEFAULT_LANGUAGE, RTL_LANGUAGES, format_clock, format_day
from . import text as t
from .fonts import register_fonts

GREY = Color(0.35, 0.35, 0.35)
LIGHT = Color(0.85, 0.85, 0.85)
#: Smallest type on any printout: still readable on a photocopy.
MIN_SIZE = 6.5


def in_language(language: str, message, **params) -> str:
    """Render a lazily translated message in `language`."""
    with force_locale(language):
        return str(message) % params if params else str(message)


@contextmanager
def language(code: str) -> Iterator[None]:
    """Translate, format dates and times in `code` inside the block."""
    with force_locale(code):
        yield


def day_and_time(language_code: str, day, start, end) -> str:
    """ "Montag, 13. April 2026, 10:30–14:30" in the given language; the times stay in order."""
    comma = "، " if language_code in RTL_LANGUAGES else ", "
    with force_locale(language_code):
        return f"{format_day(day)}{comma}{t.ltr(f'{format_clock(start)}–{format_clock(end)}')}"


class Sheet:
    """A PDF canvas with drawing helpers that know about scripts and direction."""

    def __init__(self, pagesize, title: str, language_code: str = DEFAULT_LANGUAGE):
        register_fonts()
        self.buffer = BytesIO()
        self.width, self.height = pagesize
        self.language = language_code
        # invariant: the same data gives the same bytes (no timestamps or random ids inside).
        self.canvas = Canvas(
            self.buffer, pagesize=pagesize, pageCompression=1, invariant=1, lang=language_code
        )
        self.canvas.setTitle(t.printable(title))
        self.canvas.setAuthor("signup")
        self.canvas.setCreator("signup")

    def font(self, text: str, bold: bool = False, language_code: str | None = None) -> str:
        return t.face_for(text, language_code).name(bold)

    def line(
        self,
        x: float,
        y: float,
        text: str,
        size: float = 10,
        bold: bool = False,
        align: str = "left",
        language_code: str | None = None,
        color=black,
        box_width: float = 0,
        rtl: bool | None = None,
        font: str | None = None,
    ) -> None:
        """Draw one line with its baseline at y.

        `align` is left or center (at x), right (ending at x), or start or end of the box
        from x to x + box_width, following the text's direction: start is right for
        right-to-left text. `rtl` and `font` override what the language or the text suggest:
        a wrapped line of an Arabic paragraph may start with a Latin word, yet belongs to it.
        """
        text = t.tidy(text)
        if not text:
            return
        if rtl is None:
            rtl = t.is_rtl(text, language_code)
        canvas = self.canvas
        canvas.setFont(font or self.font(text, bold, language_code), size)
        canvas.setFillColor(color)
        drawn = t.visual(text, rtl)
        if align in ("start", "end"):
            if (align == "start") == rtl:
                canvas.drawRightString(x + box_width, y, drawn)
            else:
                canvas.drawString(x, y, drawn)
        elif align == "right":
            canvas.drawRightString(x, y, drawn)
        elif align == "center":
            canvas.drawCentredString(x, y, drawn)
        else:
            canvas.drawString(x, y, drawn)

    def paragraph(
        self,
        x: float,
        y: float,
        box_width: float,
        text: str,
        size: float = 10,
        bold: bool = False,
        language_code: str | None = None,
        align: str = "start",
        leading: float = 1.25,
        max_lines: int | None = None,
        color=black,
    ) -> float:
        """Draw wrapped text whose first baseline is y below the top; return the next top.

        `y` is the top of the box; lines go down from there. Right-to-left text is set flush
        right. Text beyond `max_lines` is cut with an ellipsis rather than overflowing.
        """
        if not t.tidy(text):
            return y
        font = self.font(text, bold, language_code)
        rtl = t.is_rtl(t.tidy(text), language_code)
        lines = t.wrap(text, font, size, box_width)
        if max_lines and len(lines) > max_lines:
            lines = lines[:max_lines]
            lines[-1] = shorten(lines[-1], font, size, box_width)
        step = size * leading
        anchor = {"right": x + box_width, "center": x + box_width / 2}.get(align, x)
        for number, line_text in enumerate(lines):
            baseline = y - size - number * step
            self.line(
                anchor,
                baseline,
                line_text,
                size,
                bold,
                align,
                language_code,
                color,
                box_width,
                rtl,
                font,
            )
        return y - size - (len(lines) - 1) * step - size * (leading - 1) - 2

    def fitted_size(
        self,
        text: str,
        box_width: float,
        size: float,
        bold: bool = False,
        minimum=MIN_SIZE,
        language_code: str | None = None,
    ) -> float:
        """The largest size up to `size` at which `text` fits on one line, not below minimum."""
        font = self.font(text, bold, language_code)
        natural = t.width(t.tidy(text), font, size)
        if natural <= box_width:
            return size
        return max(minimum, size * box_width / natural)

    def footer(self, left: str, right: str) -> None:
        """A quiet footer line: what this is on the left, "page x of y" on the right."""
        self.line(36, 20, left, 7.5, color=GREY, align="left")
        self.line(self.width - 36, 20, right, 7.5, color=GREY, align="right")

    def finish(self) -> bytes:
        self.canvas.save()
        return self.buffer.getvalue()


def shorten(line: str, font: str, size: float, box_width: float) -> str:
    """Cut a line so that it and an ellipsis fit the width."""
    while line and t.width(line + "…", font, size) > box_width:
        line = line[:-1]
    return line + "…"
