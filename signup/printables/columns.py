"""Two-language pages: German beside the family's language, laid out as rows, then drawn.

A page is a list of rows, each a height and a way to draw itself. In a row the German column
(left) and the family's column (right) stand side by side, so that each sentence is level with
its German master. The rows are tried at smaller and smaller type until they fit one page;
only then do they run on to a second. Used by the consent slip and the confirmation.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.lib.colors import black, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from ..i18n import RTL_LANGUAGES, _l, ngettext
from . import base
from . import text as t
from .data import Child, WorkshopInfo
from .layout import Block, Cell, draw_block, fit_line, fit_lines, paginate, row_height

WHEN = _l("Wann")
WHERE = _l("Wo")
PAGE_OF = _l("Seite %(page)d von %(pages)d")

PAGE = A4
MARGIN = 15 * mm
TOP = PAGE[1] - 14 * mm
BOTTOM = 34  # above the footer
BOX = 10
PAD = 3
#: Type sizes to try before a second page: a slip is easier to handle on one sheet.
SCALES = (1.0, 0.95, 0.9, 0.85, 0.8)


@dataclass(frozen=True)
class Frame:
    """Where the German and the family's column go, where boxes hang, how large type is."""

    language: str
    #: (language, x, width) of each column, German first (at the left).
    columns: tuple[tuple[str, float, float], ...]
    box_x: float
    left: float
    right: float
    scale: float = 1.0

    @property
    def rtl(self) -> bool:
        return self.language in RTL_LANGUAGES

    @property
    def reading(self) -> tuple[str, ...]:
        """The family's language first, German after it (as the smaller master)."""
        return ("de",) if self.language == "de" else (self.language, "de")

    def size(self, points: float) -> float:
        return max(base.MIN_SIZE, points * self.scale)


@dataclass(frozen=True)
class Row:
    """A strip across the page: its height, and how to draw it given its top."""

    height: float
    draw: Callable[[float], None]


def frame_for(language: str, scale: float = 1.0, boxes: bool = True) -> Frame:
    """Put German on the left, the family's language on the right, boxes where its lines start."""
    left, right = MARGIN, PAGE[0] - MARGIN
    gutter = 18 if boxes else 0
    if language == "de":
        return Frame(
            "de", (("de", left + gutter, right - left - gutter),), left, left + gutter, right, scale
        )
    if language in RTL_LANGUAGES:
        width = (right - left - 14 - gutter) / 2
        family = (language, left + width + 14, width)
        return Frame(
            language, (("de", left, width), family), right - BOX, left, right - gutter, scale
        )
    middle = 14 + gutter
    width = (right - left - middle) / 2
    family = (language, right - width, width)
    return Frame(language, (("de", left, width), family), left + width + 14, left, right, scale)


def say(frame: Frame, lang: str, message, points, bold=False, color=black, space=0.0, **params):
    """Return a message in one column's language as a block of text."""
    text = base.in_language(lang, message, **params)
    if lang != "de" and text == base.in_language("de", message, **params):
        lang = "de"  # not translated yet: German words read left to right, even in Arabic
    return Block(text, frame.size(points), bold, lang, color=color, space=space * frame.scale)


def columns_row(sheet, frame: Frame, blocks: Callable[[str], Sequence[Block]], box=False) -> Row:
    """Draw each column's blocks top down; with `box`, hang a box by the family's first line."""
    cells = [
        Cell(tuple(blocks(lang)), x, width, "right" if lang in RTL_LANGUAGES else "left")
        for lang, x, width in frame.columns
    ]

    def draw(top: float) -> None:
        for cell in cells:
            y = top
            for block in cell.blocks:
                y = draw_block(sheet, cell, block, y, BOTTOM)
        if box:
            first = cells[-1].blocks[0]
            checkbox(sheet, frame.box_x, top - first.space - first.size - 1.5)

    return Row(row_height(sheet, cells), draw)


def said(message, points: float, **options) -> tuple:
    """Bundle a message for `text_row` with the size and options `say` takes."""
    return message, points, options


def text_row(sheet, frame: Frame, *messages: tuple, box=False) -> Row:
    """Set messages (see `said`) one under another, each in every column's language."""
    return columns_row(
        sheet, frame, lambda lang: [say(frame, lang, m, p, **o) for m, p, o in messages], box
    )


def checkbox(sheet, x: float, y: float) -> None:
    sheet.canvas.setStrokeColor(black)
    sheet.canvas.setFillColor(white)
    sheet.canvas.setLineWidth(0.9)
    sheet.canvas.rect(x, y, BOX, BOX, stroke=1, fill=1)


def rule_row(sheet, frame: Frame, space: float = 14) -> Row:
    """Draw a light line across the page between sections, in the middle of `space`."""
    space *= frame.scale

    def draw(top: float) -> None:
        sheet.canvas.setStrokeColor(base.LIGHT)
        sheet.canvas.setLineWidth(0.8)
        sheet.canvas.line(frame.left, top - space / 2, frame.right, top - space / 2)

    return Row(space, draw)


def spans(left: float, right: float, widths: Sequence[float], rtl: bool, gap=14) -> list:
    """Split a width into cells by fractions, in reading order: from the right when `rtl`."""
    room = right - left - gap * (len(widths) - 1)
    cells, x = [], left
    for fraction in widths:
        cells.append((x, room * fraction))
        x += room * fraction + gap
    if rtl:
        cells = [(left + right - x - w, w) for x, w in cells]
    return cells


#: One line of a table cell: text, size, bold, colour, language (None: by its letters).
Line = tuple[str, float, bool, object, str | None]


def labels(frame: Frame, message, points: float = 8, **params) -> list[Line]:
    """Return a message in the family's language (bold), then in German (grey)."""
    blocks = (
        say(frame, lang, message, points - n / 2, n == 0, base.GREY if n else black, **params)
        for n, lang in enumerate(frame.reading)
    )
    return [(b.text, b.size, b.bold, b.color, b.language) for b in blocks]


def grid_row(sheet, frame: Frame, widths, cells: Sequence[Sequence[Line]], high=0.0, rule=None):
    """Stack each cell's lines in a table row; `rule` is the colour of a line under each cell."""
    places = spans(frame.left, frame.right, widths, frame.rtl)
    height = max(high * frame.scale, *(stack_height(lines) + 2 * PAD for lines in cells))

    def draw(top: float) -> None:
        for lines, (x, w) in zip(cells, places, strict=True):
            draw_stack(sheet, frame, lines, x, w, top - PAD)
            if rule is not None:
                sheet.canvas.setStrokeColor(rule)
                sheet.canvas.setLineWidth(0.7)
                sheet.canvas.line(x, top - height, x + w, top - height)

    return Row(height, draw)


def sign_fields(sheet, frame: Frame, fields, left: float, right: float):
    """Lay out lines to write on, labelled below; return the height and a way to draw them."""
    places = spans(left, right, [f for f, _ in fields], frame.rtl, gap=18)
    room = 26 * frame.scale
    height = room + max(stack_height(lines) for _, lines in fields) + 4

    def draw(top: float) -> None:
        for (_, lines), (x, w) in zip(fields, places, strict=True):
            sheet.canvas.setStrokeColor(black)
            sheet.canvas.setLineWidth(0.7)
            sheet.canvas.line(x, top - room, x + w, top - room)
            draw_stack(sheet, frame, lines, x, w, top - room - 2)

    return height, draw


def stack_height(lines: Sequence[Line]) -> float:
    return sum(line[1] * 1.25 for line in lines)


def draw_stack(sheet, frame: Frame, lines: Sequence[Line], x, width, y) -> None:
    """Draw lines down from y, each cut to the width, all set from the frame's reading side."""
    anchor, align = (x + width, "right") if frame.rtl else (x, "left")
    for text, size, bold, color, lang in lines:
        text, fitted = fit_line(sheet, text, width, size, base.MIN_SIZE, bold)
        sheet.line(anchor, y - size, text, fitted, bold, align, lang, color)
        y -= size * 1.25


def sign_row(sheet, frame: Frame, fields) -> Row:
    return Row(*sign_fields(sheet, frame, fields, frame.left, frame.right))


def when_and_where(frame: Frame, info: WorkshopInfo, lang: str, one_line_place=True) -> list[Block]:
    """Return the dates with weekdays and times, then the place, each under its label."""
    dates = "\n".join(base.day_and_time(lang, s.day, s.starts, s.ends) for s in info.dates)
    joiner = ", " if one_line_place else "\n"
    place = joiner.join(p for p in (info.place_name, *info.place_address.splitlines()) if p.strip())
    blocks = []
    for label, value, language in ((WHEN, dates, lang), (WHERE, place, None)):
        if t.tidy(value):
            blocks.append(say(frame, lang, label, 8, True, base.GREY, space=7))
            blocks.append(Block(value, frame.size(9.5), False, language, max_lines=8))
    return blocks


def child_name(frame: Frame, sheet, child: Child, width: float, points=10.5) -> list[Line]:
    """Return the child's name in bold, cut to two lines; a group's headcount under it."""
    lines, size = fit_lines(sheet, child.name, width, frame.size(points), 8, 2, True)
    found = [(line, size, True, black, None) for line in lines]
    if child.headcount > 1:
        for n, lang in enumerate(frame.reading):
            with base.language(lang):
                count = ngettext("%(num)d Kind", "%(num)d Kinder", child.headcount)
            found.append((count, frame.size(8), False, black if n == 0 else base.GREY, lang))
    return found


def fit_pages(build: Callable[[float], list[Row]]) -> list[list[Row]]:
    """Lay the rows out on one page at the largest scale that fits, else over several."""
    room = TOP - BOTTOM
    for scale in SCALES:
        rows = build(scale)
        if sum(row.height for row in rows) <= room:
            return [rows]
    return paginate(rows, room)


def draw_pages(sheet, pages: list[list[Row]], note: str) -> None:
    """Draw the pages with a quiet footer: `note`, and page numbers where there are several."""
    for number, rows in enumerate(pages, 1):
        top = TOP
        for row in rows:
            row.draw(top)
            top -= row.height
        note_text, size = fit_line(sheet, note, PAGE[0] - 2 * MARGIN - 80, 7.5)
        sheet.line(MARGIN, 20, note_text, size, color=base.GREY)
        if len(pages) > 1:
            page = base.in_language("de", PAGE_OF, page=number, pages=len(pages))
            sheet.line(PAGE[0] - MARGIN, 20, page, 7.5, color=base.GREY, align="right")
        sheet.canvas.showPage()
