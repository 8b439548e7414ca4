"""Name tags on a common label sheet: the child's name large, the workshop's title small.

Layout: Avery Zweckform 3474 (and its look-alikes): A4 portrait, 3 columns x 8 rows = 24
labels of 70 x 37 mm. The three columns fill the page's width; the eight rows take 296 of its
297 mm, which leaves 0.5 mm above and below. Every position is measured from the page's edge.
Labels come pre-cut, so no borders or cut marks are drawn; the text keeps 6 mm from the
label's sides, because printers cannot print at the edge of the sheet.
"""

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from . import base
from . import text as t
from .data import SheetRow, WorkshopInfo
from .layout import fit_line, fit_lines

COLUMNS, ROWS = 3, 8
LABEL_WIDTH, LABEL_HEIGHT = 70 * mm, 37 * mm
TOP = (A4[1] - ROWS * LABEL_HEIGHT) / 2
PER_PAGE = COLUMNS * ROWS
SIDE = 6 * mm
TEXT_WIDTH = LABEL_WIDTH - 2 * SIDE
#: The name: one line from NAME_SIZE down to ONE_LINE_MIN, else two lines down to NAME_MIN.
NAME_SIZE = 26
ONE_LINE_MIN = 17
TWO_LINES = 20
NAME_MIN = 11
TITLE_SIZE = 8
#: The name is centred between the label's top and the title line.
NAME_TOP = 5 * mm
NAME_BOTTOM = 11 * mm
TITLE_BASELINE = 6 * mm


def render_name_tags(info: WorkshopInfo, rows: list[SheetRow], language: str) -> bytes:
    """Draw one name tag per row, 24 to a page, as many pages as it takes."""
    title = info.text(language).title
    sheet = base.Sheet(A4, title, language)
    workshop, title_size = fit_line(sheet, title, TEXT_WIDTH, TITLE_SIZE)
    for start in range(0, max(len(rows), 1), PER_PAGE):
        for position, row in enumerate(rows[start : start + PER_PAGE]):
            x, top = label_origin(position)
            lines, size = name_lines(sheet, row.name)
            draw_name(sheet, x, top, lines, size)
            centre = x + LABEL_WIDTH / 2
            bottom = top - LABEL_HEIGHT
            sheet.line(
                centre,
                bottom + TITLE_BASELINE,
                workshop,
                title_size,
                align="center",
                color=base.GREY,
            )
        sheet.canvas.showPage()
    return sheet.finish()


def label_origin(position: int) -> tuple[float, float]:
    """Return a label's left edge and top, counting left to right, then down the page."""
    row, column = divmod(position, COLUMNS)
    return column * LABEL_WIDTH, A4[1] - TOP - row * LABEL_HEIGHT


def name_lines(sheet: base.Sheet, name: str) -> tuple[tuple[str, ...], float]:
    """Set a name on one line as large as fits, else on two; a single long word shrinks first."""
    name = t.tidy(name)
    size = sheet.fitted_size(name, TEXT_WIDTH, NAME_SIZE, bold=True, minimum=0)
    if size >= ONE_LINE_MIN or (" " not in name and size >= NAME_MIN):
        return (name,), size
    return fit_lines(sheet, name, TEXT_WIDTH, TWO_LINES, NAME_MIN, 2, bold=True)


def draw_name(sheet: base.Sheet, x: float, top: float, lines, size: float) -> None:
    """Centre the name's lines in the label's upper part; Arabic is shaped line by line."""
    step = size * 1.15
    # Cap height is about 0.72 of the size in Noto Sans: centre what the eye sees.
    block = size * 0.72 + step * (len(lines) - 1)
    room = LABEL_HEIGHT - NAME_TOP - NAME_BOTTOM
    baseline = top - NAME_TOP - (room - block) / 2 - size * 0.72
    for line in lines:
        sheet.line(x + LABEL_WIDTH / 2, baseline, line, size, bold=True, align="center")
        baseline -= step
