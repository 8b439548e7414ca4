"""QR flyers to pin up or hand out: German alone, beside the family's language, or all 13.

A flyer is rows of cells, each cell a stack of paragraphs, set top down at the largest type
size that fits above the QR code. If none does, the summary and then the organisers go, and
what still does not fit is cut with an ellipsis: nothing is ever drawn outside its box.
"""

from dataclasses import dataclass, replace
from math import ceil

from reportlab.lib.colors import black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from ..i18n import LANGUAGES, RTL_LANGUAGES, _l, language_name
from . import text as t
from .base import GREY, MIN_SIZE, Sheet, day_and_time, in_language
from .data import WorkshopInfo
from .layout import LEADING, Block, Cell, draw_block, row_height
from .qr import draw_qr

WHEN = _l("Wann")
WHERE = _l("Wo")
FOR_WHOM = _l("Für wen")
COST = _l("Kosten")
FREE = _l("kostenlos")
AGES = _l("Kinder von %(min)d bis %(max)d Jahren")
ORGANISERS = _l("Veranstalter")
REGISTER = _l("Jetzt anmelden")

#: Type sizes to try, largest first: a short text grows to fill the page, a long one shrinks.
SCALES = (1.3, 1.2, 1.1, 1.0, 0.9, 0.8, 0.7, 0.6)


@dataclass(frozen=True)
class Style:
    """Sizes of one layout, in points."""

    margin: float
    title: float
    summary: float
    body: float
    label: float
    gap: float
    qr: float
    heading: float
    url: float
    #: Each of the 13 codes on the many-languages flyer, its caption, and whether the
    #: language's name goes under it.
    small_qr: float
    caption: float
    names: bool


POSTER = Style(18 * mm, 44, 18, 16, 12, 14, 70 * mm, 22, 12, 24 * mm, 10, True)
HANDOUT = Style(8 * mm, 17, 8.5, 8, 6.5, 6, 34 * mm, 10, 6.5, 15 * mm, MIN_SIZE, False)


def render_flyer(info: WorkshopInfo, layout: str = "poster", language: str = "de") -> bytes:
    """Render an A4 poster, or four A6 hand-outs with cutting marks on one A4 page."""
    if layout not in ("poster", "handout"):
        raise ValueError(f"unknown flyer layout {layout!r}")
    if language != "many" and language not in LANGUAGES:
        raise ValueError(f"unknown flyer language {language!r}")
    sheet = Sheet(A4, info.text("de").title, "de" if language == "many" else language)
    if layout == "poster":
        draw_flyer(sheet, info, language, POSTER, *A4)
    else:
        # Drawn once as a form and placed four times: a quarter of the work and of the file.
        # Each is a quarter of A4 (105 x 148.5 mm), so that two cuts make four.
        width, height = A4[0] / 2, A4[1] / 2
        canvas = sheet.canvas
        canvas.beginForm("flyer", lowerx=0, lowery=0, upperx=width, uppery=height)
        draw_flyer(sheet, info, language, HANDOUT, width, height)
        canvas.endForm()
        for x, y in ((0, 0), (width, 0), (0, height), (width, height)):
            canvas.saveState()
            canvas.translate(x, y)
            canvas.doForm("flyer")
            canvas.restoreState()
        draw_cutting_marks(sheet)
    return sheet.finish()


def draw_flyer(sheet: Sheet, info, language: str, style: Style, width, height) -> None:
    """Draw one flyer on a page or form `width` by `height`."""
    x, inner = style.margin, width - 2 * style.margin
    if language == "many":
        codes_top = draw_code_grid(sheet, info, style, x, inner, style.margin)
    else:
        languages = ("de",) if language == "de" else ("de", language)
        codes_top = draw_code(sheet, info, languages, style, x, inner, style.margin)
    if language in ("de", "many"):
        rows = german_rows(sheet, info, style, x, inner)
    else:
        rows = side_by_side(info, language, style, x, inner)
    place(sheet, rows, height - style.margin, codes_top + 2 * style.gap)


def pieces(info: WorkshopInfo, language: str, style: Style) -> list[tuple[tuple[Block, ...], int]]:
    """Return the title, the summary and each fact (a label over a value), with their `drop`."""
    text = info.text(language)
    dates = (day_and_time(language, s.day, s.starts, s.ends) for s in info.dates)
    ages = in_language(language, AGES, min=info.min_age, max=info.max_age)
    where = "\n".join((info.place_name, *info.place_address.splitlines()))
    # Names and addresses are data: they keep their own direction, whatever the column's.
    facts = (
        (WHEN, Block("\n".join(dates), style.body, language=language, max_lines=8), 0),
        (WHERE, Block(where, style.body), 0),
        (FOR_WHOM, Block(ages, style.body, language=language), 0),
        (COST, Block(in_language(language, FREE), style.body, True, language), 0),
        (ORGANISERS, Block("\n".join(info.organisers), style.body), 1),
    )
    label = Block("", style.label, True, language, 2, GREY, 2 * style.gap)
    return [
        ((Block(text.title, style.title, True, text.language, 3),), 0),
        ((Block(text.summary, style.summary, False, text.language, 4, space=style.gap),), 2),
        *(
            ((replace(label, text=in_language(language, name)), value), drop)
            for name, value, drop in facts
            if t.tidy(value.text)
        ),
    ]


def german_rows(sheet: Sheet, info, style: Style, x: float, width: float) -> list[list[Cell]]:
    """Lay out the German text across the width, its facts as a table of labels and values."""
    (title, _), (summary, _), *facts = pieces(info, "de", style)
    rows = [[Cell(title, x, width)], [Cell(summary, x, width, drop=2)]]
    # Wide enough for the longest label at the largest scale, so that no label breaks.
    widest = max(t.width(b[0].text, sheet.font(b[0].text, True), b[0].size) for b, _ in facts)
    labels = min(widest * SCALES[0] + 2 * style.gap, width / 3)
    for (label, value), drop in facts:
        # The label's baseline lines up with the value's first line.
        label = replace(label, space=style.gap + value.size - label.size)
        value = replace(value, space=style.gap)
        rows.append(
            [
                Cell((label,), x, labels - style.gap, drop=drop),
                Cell((value,), x + labels, width - labels, drop=drop),
            ]
        )
    return rows


def side_by_side(info, language: str, style: Style, x: float, width: float) -> list[list[Cell]]:
    """Lay out German on the left and `language` on the right, row by row, so facts line up."""
    column = (width - 2 * style.gap) / 2
    right = x + column + 2 * style.gap
    align = "right" if language in RTL_LANGUAGES else "left"
    # A two-column title must stay short enough to leave room for the facts.
    two = replace(style, title=style.title * 0.75, summary=style.summary * 0.9)
    both = zip(pieces(info, "de", two), pieces(info, language, two), strict=True)
    return [
        [Cell(german, x, column, drop=drop), Cell(family, right, column, align, drop)]
        for (german, drop), (family, _) in both
    ]


def draw_code(sheet: Sheet, info, languages, style: Style, x, width, bottom) -> float:
    """Draw the QR code, "Jetzt anmelden" above it and its address below; return its top."""
    # Bilingual: the form opens in the family's language. German: the phone's own language.
    url = info.url if languages == ("de",) else info.url_in(languages[-1])
    y = draw_url(sheet, url, style, x, width, bottom) + style.gap / 2
    draw_qr(sheet.canvas, url, x + (width - style.qr) / 2, y, style.qr, level="Q")
    # The quiet zone is white already: the heading may sit close to the code.
    y += style.qr - style.heading * 0.2
    for language in reversed(languages):
        heading = in_language(language, REGISTER)
        size = sheet.fitted_size(heading, width, style.heading, bold=True)
        sheet.line(x + width / 2, y, heading, size, True, "center", language)
        y += size * LEADING
    return y


def draw_code_grid(sheet: Sheet, info, style: Style, x, width, bottom) -> float:
    """Draw a small QR code for each language, captioned in it; return the grid's top."""
    bottom = draw_url(sheet, info.url, style, x, width, bottom) + style.gap
    caption_height = (2 + style.names) * style.caption * LEADING + 4
    row_height = style.small_qr + caption_height + style.gap
    # Rows of 5, 4 and 4 rather than 5, 5 and 3: wider cells for the long Cyrillic words.
    rows = ceil(len(LANGUAGES) / 5)
    top = bottom + rows * row_height
    done = 0
    for row in range(rows):
        count = ceil((len(LANGUAGES) - done) / (rows - row))
        cell = width / count
        y = top - (row + 1) * row_height + caption_height + style.gap
        for column, language in enumerate(LANGUAGES[done : done + count]):
            left = x + column * cell
            qr_x = left + (cell - style.small_qr) / 2
            draw_qr(sheet.canvas, info.url_in(language), qr_x, y, style.small_qr)
            caption = in_language(language, REGISTER)
            fitted = sheet.fitted_size(caption, cell - 4, style.caption)
            below = sheet.paragraph(
                left + 2, y, cell - 4, caption, fitted, False, language, "center", max_lines=2
            )
            if style.names:
                name = language_name(language)
                size = sheet.fitted_size(name, cell - 4, style.caption)
                centre = left + cell / 2
                sheet.line(centre, below - size, name, size, False, "center", language, GREY)
        done += count
    return top


def draw_url(sheet: Sheet, url: str, style: Style, x, width, bottom) -> float:
    """Print an address to type, centred above `bottom`, on two lines if it must; return its top."""
    size = sheet.fitted_size(url, width, style.url)
    top = bottom + 2 * size * LEADING + 2
    sheet.paragraph(x, top, width, url, size, align="center", max_lines=2)
    return top


def place(sheet: Sheet, rows: list[list[Cell]], top: float, bottom: float) -> None:
    """Draw rows down from `top` at the largest scale that fits above `bottom`, else the last."""
    for scaled in attempts(rows):
        if top - sum(row_height(sheet, row) for row in scaled) >= bottom:
            break
    for row in scaled:
        lowest = top
        for cell in row:
            y = top
            for block in cell.blocks:
                y = draw_block(sheet, cell, block, y, bottom)
            lowest = min(lowest, y)
        top = lowest


def attempts(rows: list[list[Cell]]):
    """Yield the rows at each scale, then again without the rows that can go (see Cell.drop)."""
    for keep in (3, 2, 1):
        kept = [row for row in rows if min(cell.drop for cell in row) < keep]
        for scale in SCALES:
            yield [[shrunk(cell, scale) for cell in row] for row in kept]


def shrunk(cell: Cell, scale: float) -> Cell:
    blocks = (
        replace(b, size=max(MIN_SIZE, b.size * scale), space=b.space * scale) for b in cell.blocks
    )
    return replace(cell, blocks=tuple(blocks))


def draw_cutting_marks(sheet: Sheet) -> None:
    """Mark the two cuts at the page's edges and where they cross."""
    canvas, (width, height) = sheet.canvas, A4
    x, y = width / 2, height / 2
    # 6 mm long, inside the hand-outs' 8 mm margin: the marks never touch the text.
    length = 6 * mm
    canvas.setLineWidth(0.4)
    canvas.setStrokeColor(black)
    canvas.lines(
        [
            (x, 0, x, length),
            (x, height, x, height - length),
            (0, y, length, y),
            (width, y, width - length, y),
            (x - length / 2, y, x + length / 2, y),
            (x, y - length / 2, x, y + length / 2),
        ]
    )
