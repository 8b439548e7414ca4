"""The report as a PDF (A4): the key figures, then the same bar charts as on screen.

Laid out first, then drawn, so every footer can say "page x of y". Takes a finished Report
(the small-cell rule already applied) and the reader's language; never reads the request.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import format_date
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4

from ..i18n import _l
from ..printables import base
from ..printables.layout import fit_line, paginate
from .cells import NOTE
from .report import WORKSHOP_COLUMNS, Breakdown, Report

MARGIN = 48
TOP = A4[1] - 48
BOTTOM = 48
WIDTH = A4[0] - 2 * MARGIN
ACCENT = Color(0.04, 0.36, 0.68)
LABEL_WIDTH = 180
BAR_WIDTH = 240
ROW = 17
FIGURE_COLUMNS = 4
FIGURE_HEIGHT = 74

PAGE_OF = _l("Seite %(page)d von %(pages)d")
DOCUMENT = _l("Bericht: %(title)s")
AS_OF = _l("Stand: %(day)s")
WORKSHOPS = _l("Die Workshops einzeln")
WITH_PARTNERS = _l("mit %(partners)s")


@dataclass(frozen=True)
class Item:
    """A piece of the report with its height; `draw` gets the sheet and the top edge."""

    height: float
    draw: Callable[[base.Sheet, float], None]


def render_report(report: Report, language: str, as_of) -> bytes:
    """Draw the report in `language` (labels in it are already translated)."""
    title = base.in_language(language, DOCUMENT, title=report.title)
    sheet = base.Sheet(A4, title, language)
    with base.language(language):
        items = [header(report, format_date(as_of)), key_figures(report)]
        for breakdown in report.breakdowns:
            items += chart(breakdown)
        items += workshop_table(report)
        items.append(note(str(NOTE)))
    pages = paginate(items, TOP - BOTTOM)
    for number, page in enumerate(pages, 1):
        top = TOP
        for item in page:
            item.draw(sheet, top)
            top -= item.height
        footer = base.in_language(language, PAGE_OF, page=number, pages=len(pages))
        sheet.footer(report.title, footer)
        sheet.canvas.showPage()
    return sheet.finish()


def header(report: Report, as_of: str) -> Item:
    as_of = str(AS_OF) % {"day": as_of}

    def draw(sheet, top):
        heading, size = fit_line(sheet, report.title, WIDTH, 18, 11, True)
        sheet.line(MARGIN, top - 18, heading, size, bold=True)
        sheet.line(MARGIN, top - 38, report.subtitle, 11)
        sheet.line(MARGIN, top - 54, as_of, 8.5, color=base.GREY)

    return Item(70, draw)


def key_figures(report: Report) -> Item:
    """The headline figures in a grid: a big number, its label, a share or remark."""
    column = WIDTH / FIGURE_COLUMNS
    rows = -(-len(report.key_figures) // FIGURE_COLUMNS)

    def draw(sheet, top):
        for index, item in enumerate(report.key_figures):
            x = MARGIN + (index % FIGURE_COLUMNS) * column
            y = top - (index // FIGURE_COLUMNS) * FIGURE_HEIGHT
            number = "–" if item.figure is None else str(item.figure)
            sheet.line(x, y - 22, number, 20, bold=True, color=ACCENT)
            label, size = fit_line(sheet, item.label, column - 8, 9, 7)
            sheet.line(x, y - 36, label, size)
            if item.detail:
                sheet.paragraph(x, y - 40, column - 8, item.detail, 7.5, color=base.GREY)

    return Item(rows * FIGURE_HEIGHT + 10, draw)


def chart(breakdown: Breakdown) -> list[Item]:
    """A heading and one bar per line, as the screen draws them; hidden figures get no bar."""
    visible = [bar.figure.children for bar in breakdown.bars if not bar.figure.hidden]
    longest = max(visible, default=0) or 1

    def draw_heading(sheet, top):
        sheet.line(MARGIN, top - 16, breakdown.title, 12, bold=True)
        if breakdown.note:
            sheet.line(MARGIN, top - 30, breakdown.note, 8.5, color=base.GREY)

    items = [Item(36 if breakdown.note else 24, draw_heading)]
    for bar in breakdown.bars:

        def draw_bar(sheet, top, bar=bar):
            baseline = top - 12
            label, size = fit_line(sheet, bar.label, LABEL_WIDTH - 8, 9, 7)
            sheet.line(MARGIN + LABEL_WIDTH - 8, baseline, label, size, align="right")
            length = 0.0
            if not bar.figure.hidden and bar.figure.children:
                length = max(1.5, BAR_WIDTH * bar.figure.children / longest)
                sheet.canvas.setFillColor(ACCENT)
                sheet.canvas.rect(MARGIN + LABEL_WIDTH, baseline - 3, length, 12, stroke=0, fill=1)
            sheet.line(MARGIN + LABEL_WIDTH + length + 5, baseline, str(bar.figure), 9)

        items.append(Item(ROW, draw_bar))
    items.append(Item(10, lambda sheet, top: None))
    return items


def workshop_table(report: Report) -> list[Item]:
    """The workshops of a period one per line, partner workshops named as such."""
    if not report.workshops:
        return []
    first = MARGIN + WIDTH - 60 * len(WORKSHOP_COLUMNS)
    heading = str(WORKSHOPS)
    labels = [str(label) for label in WORKSHOP_COLUMNS.values()]

    def draw_heading(sheet, top):
        sheet.line(MARGIN, top - 16, heading, 12, bold=True)
        for n, text in enumerate(labels):
            label, size = fit_line(sheet, text, 56, 7.5, 6.5)
            sheet.line(first + 60 * n + 56, top - 32, label, size, align="right")

    items = [Item(40, draw_heading)]
    for row in report.workshops:
        day = format_date(row.first_day) if row.first_day else ""
        partners = str(WITH_PARTNERS) % {"partners": ", ".join(row.partners)}
        detail = " · ".join(part for part in (day, partners if row.partners else "") if part)

        def draw_row(sheet, top, row=row, detail=detail):
            title, size = fit_line(sheet, row.title, first - MARGIN - 8, 9, 7)
            sheet.line(MARGIN, top - 11, title, size)
            small, small_size = fit_line(sheet, detail, first - MARGIN - 8, 7.5, 6.5)
            sheet.line(MARGIN, top - 21, small, small_size, color=base.GREY)
            for n, column in enumerate(WORKSHOP_COLUMNS):
                value = row.figures[column]
                text = "–" if value is None else str(value)
                sheet.line(first + 60 * n + 56, top - 11, text, 9, align="right")

        items.append(Item(28, draw_row))
    return items


def note(text: str) -> Item:
    def draw(sheet, top):
        sheet.paragraph(MARGIN, top - 8, WIDTH, text, 8, color=base.GREY)

    return Item(40, draw)
