"""The family's confirmation: each child's place, the dates, and the code to the family page.

Laid out in rows by columns.py, the family's language beside German, on one page. The family
page's address holds the family's secret: it is printed because this paper is the family's.
"""

from reportlab.lib.colors import black
from reportlab.lib.units import mm

from ..i18n import _l
from . import base
from . import text as t
from .columns import (
    PAGE,
    Frame,
    Row,
    child_name,
    columns_row,
    draw_pages,
    fit_pages,
    frame_for,
    grid_row,
    labels,
    rule_row,
    say,
    spans,
    when_and_where,
)
from .data import Child, ConfirmationInfo
from .layout import Block, Cell, draw_block, row_height
from .qr import draw_qr

HEADING = _l("Anmeldebestätigung")
CHILDREN = _l("Kinder")
CONFIRMED = _l("Platz sicher")
WAITING = _l("Warteliste: Nummer %(n)d")
WAITING_LIST = _l("Warteliste")
CANCELLED = _l("Abgemeldet")
STATES = {"waiting": WAITING_LIST, "cancelled": CANCELLED}
GOOD_TO_KNOW = _l("Gut zu wissen:")
FALLBACK = _l("Diesen Text gibt es noch nicht in Ihrer Sprache. Hier steht er auf Deutsch.")
ORGANISERS = _l("Veranstalter")
SCAN = _l(
    "Mit dem Handy den QR-Code scannen. Auf der Seite stehen die Plätze, "
    "und dort kann man auch absagen."
)
#: The code itself (without its white margin) at least 30 mm: easy for any phone, even faint.
QR_SIZE = 38 * mm


def render_confirmation(info: ConfirmationInfo) -> bytes:
    """Render the confirmation in the family's language beside German."""
    title = info.workshop.text("de").title
    heading = base.in_language("de", HEADING)
    sheet = base.Sheet(PAGE, f"{heading}: {title}", info.language)
    pages = fit_pages(
        lambda scale: confirmation_rows(sheet, info, frame_for(info.language, scale, boxes=False))
    )
    draw_pages(sheet, pages, f"{heading} · {title}")
    return sheet.finish()


def confirmation_rows(sheet, info: ConfirmationInfo, frame: Frame) -> list[Row]:
    """Lay out every row of the confirmation, top to bottom."""
    workshop = info.workshop

    def header(lang: str) -> list[Block]:
        text = workshop.text(lang)
        title = Block(text.title, frame.size(13), True, text.language, max_lines=3, space=5)
        return [say(frame, lang, HEADING, 18, True), title]

    def facts(lang: str) -> list[Block]:
        where = when_and_where(frame, workshop, lang, False)
        return [*where, *notes(frame, info, lang), *organisers(frame, info, lang)]

    rows = [columns_row(sheet, frame, header), rule_row(sheet, frame, 18)]
    if info.children:
        # Names under the German column, places under the family's: the columns stay in line.
        widths = (0.6, 0.4) if frame.language == "de" else (0.5, 0.5)
        rows.append(grid_row(sheet, frame, widths, [labels(frame, CHILDREN), []]))
        name_width = spans(frame.left, frame.right, widths, False)[0][1]
        for child in info.children:
            cells = [child_name(frame, sheet, child, name_width), state_lines(frame, child)]
            rows.append(grid_row(sheet, frame, widths, cells, 22, base.LIGHT))
    rows.append(rule_row(sheet, frame, 14))
    rows.append(columns_row(sheet, frame, facts))
    if info.family_url:
        rows.append(rule_row(sheet, frame, 22))
        rows.append(code_row(sheet, info.family_url, frame))
    return rows


def state_lines(frame: Frame, child: Child) -> list:
    """Say where the child stands, in the family's language (bold) and in German."""
    if child.status == "waiting" and child.waiting_position:
        return labels(frame, WAITING, 10.5, n=child.waiting_position)
    return labels(frame, STATES.get(child.status, CONFIRMED), 10.5)


def notes(frame: Frame, info: ConfirmationInfo, lang: str) -> list[Block]:
    """Return what to bring in the column's language, else in German with a word about it."""
    workshop = info.workshop
    own = workshop.texts.get(lang)
    fallback = not (own and t.tidy(own.notes))
    text = workshop.text("de").notes if fallback else own.notes
    if not t.tidy(text):
        return []
    label = base.in_language(lang, GOOD_TO_KNOW).rstrip(":： ")
    blocks = [
        Block(label, frame.size(8), True, lang, color=base.GREY, space=7 * frame.scale),
        Block(text, frame.size(9.5), False, "de" if fallback else lang, 8),
    ]
    if fallback and lang != "de":
        blocks.append(say(frame, lang, FALLBACK, 7.5, color=base.GREY, space=2))
    return blocks


def organisers(frame: Frame, info: ConfirmationInfo, lang: str) -> list[Block]:
    """Return who runs the workshop, under its label."""
    names = "\n".join(info.workshop.organisers)
    if not t.tidy(names):
        return []
    label = say(frame, lang, ORGANISERS, 8, True, base.GREY, space=7)
    return [label, Block(names, frame.size(9.5), max_lines=4)]


def code_row(sheet, url: str, frame: Frame) -> Row:
    """Draw the family page's QR code, what it does, and its address to type in."""
    # The code at the side where the family's lines start; the words turned towards it.
    if frame.rtl:
        qr_x, text = frame.right - QR_SIZE, (frame.left, frame.right - QR_SIZE - 14)
    else:
        qr_x, text = frame.left, (frame.left + QR_SIZE + 14, frame.right)
    blocks = [
        say(frame, lang, SCAN, 10.5 - 1.5 * n, n == 0, black if n == 0 else base.GREY, 5 * n)
        for n, lang in enumerate(frame.reading)
    ]
    url_size = sheet.fitted_size(url, text[1] - text[0], 8, minimum=6.5)
    blocks.append(Block(url, url_size, False, None, 3, base.GREY, 6))
    cell = Cell(tuple(blocks), text[0], text[1] - text[0], "right" if frame.rtl else "left")

    def draw(top: float) -> None:
        draw_qr(sheet.canvas, url, qr_x, top - QR_SIZE, QR_SIZE, level="M")
        y = top - 8
        for block in blocks:
            y = draw_block(sheet, cell, block, y, 0)

    return Row(max(QR_SIZE, row_height(sheet, [cell]) + 8), draw)
