"""The sign-in sheet for the door: one workshop date, or every date side by side (A4 landscape).

Laid out first, then drawn: each row's lines and height are known before the first page, so
every footer can say "page x of y". Text goes straight onto the canvas (no Paragraphs), which
keeps a 1,000-row list well under a second. Health details are never printed: the row only
says that there is a note, and the legend sends staff to the check-in page.
"""

from dataclasses import dataclass

from babel.dates import format_date
from reportlab.lib.colors import Color, black, white
from reportlab.lib.pagesizes import A4, landscape

from ..i18n import _l, ngettext
from . import base
from . import text as t
from .data import SheetRow, Slot, WorkshopInfo
from .layout import fit_line, fit_lines, paginate

PAGE = landscape(A4)
MARGIN = 36  # left and right, where Sheet.footer sets its text
BODY_TOP = PAGE[1] - 114  # below the page header and the column headings
BODY_BOTTOM = 34  # above the footer line
HEADINGS_TOP = PAGE[1] - 88
HEADINGS_HEIGHT = HEADINGS_TOP - BODY_TOP
NAME_SIZE = 10
#: Names may shrink this far to fit two lines before they are cut.
NAME_MIN = 8
SMALL = 8.5
#: A one-line row: high enough to tick a box and sign; each further line adds LINE_STEP.
ROW_HEIGHT = 20
LINE_STEP = 11
PAD = 3
BOX = 11
ZEBRA = Color(0.94, 0.94, 0.94)
HEADING_FILL = Color(0.86, 0.86, 0.86)

NUMBER = "#"  # a sign, not a word: nothing to translate
HEALTH_MARK = "!"
PAGE_OF = _l("Seite %(page)d von %(pages)d")
DOCUMENT = _l("Einlass: %(title)s")
NAME = _l("Name")
AGE = _l("Alter")
PHONE = _l("Telefon")
PHOTOS = _l("Fotos und Filme")
NO_PHOTOS = _l("KEINE Fotos")
PICKUP = _l("Wer darf das Kind abholen?")
PRESENT = _l("Da")
SIGNATURE = _l("Unterschrift")
HEALTH_LEGEND = _l("Gesundheitshinweis: Details auf der Einlass-Seite")


@dataclass(frozen=True)
class Column:
    key: str
    heading: str
    x: float
    width: float


@dataclass(frozen=True)
class Laid:
    """A row ready to draw: its lines, their sizes and the row's height."""

    number: int
    row: SheetRow
    name: tuple[str, ...]
    name_size: float
    pickup: tuple[str, ...]
    phone: str
    phone_size: float
    height: float


def render_sign_in_sheet(
    info: WorkshopInfo, rows: list[SheetRow], slot: Slot | None, language: str
) -> bytes:
    """Draw the sign-in sheet for `slot`, or with a box per date when `slot` is None."""
    title = info.text(language).title
    sheet = base.Sheet(PAGE, base.in_language(language, DOCUMENT, title=title), language)
    asks_photos = any(r.photo_ok is not None for r in rows) if rows else bool(info.photo_uses)
    with base.language(language):
        columns = layout_columns(info, slot, asks_photos, language)
        width = {c.key: c.width - 2 * PAD for c in columns}
        laid = [lay_out(sheet, n, row, width) for n, row in enumerate(rows, 1)]
        pages = paginate(laid, BODY_TOP - BODY_BOTTOM)
        children = sum(r.headcount for r in rows)
        count = ngettext("%(num)d Kind", "%(num)d Kinder", children)
        headings = {c.key: heading_lines(sheet, c) for c in columns}
        no_photos = str(NO_PHOTOS)
        legend = str(HEALTH_LEGEND) if info.asks_health else ""
    subtitle = base.day_and_time(language, slot.day, slot.starts, slot.ends) if slot else ""
    place = ", ".join(p for p in (info.place_name, info.place_address.split("\n")[0]) if p)
    place, _size = fit_line(sheet, place, PAGE[0] / 2, 9, 9)
    heading, heading_size = fit_line(sheet, title, PAGE[0] - 2 * MARGIN - 150, 15, 10, True)
    for index, page_rows in enumerate(pages, 1):
        sheet.line(MARGIN, PAGE[1] - 44, heading, heading_size, bold=True, align="left")
        sheet.line(PAGE[0] - MARGIN, PAGE[1] - 44, count, 11, bold=True, align="right")
        if subtitle:
            sheet.line(MARGIN, PAGE[1] - 62, subtitle, 11, language_code=language)
        place_y = PAGE[1] - (78 if subtitle else 62)
        sheet.line(MARGIN, place_y, place, 9, color=base.GREY)
        if legend:
            draw_legend(sheet, legend)
        draw_headings(sheet, columns, headings)
        draw_rows(sheet, columns, page_rows, no_photos)
        footer = base.in_language(language, PAGE_OF, page=index, pages=len(pages))
        sheet.footer(title, footer)
        sheet.canvas.showPage()
    return sheet.finish()


def layout_columns(info: WorkshopInfo, slot: Slot | None, asks_photos: bool, language: str):
    """Place the columns across the page; the name takes what the others leave."""
    wanted = [("number", NUMBER, 26), ("name", str(NAME), 0), ("age", str(AGE), 32)]
    wanted.append(("phone", str(PHONE), 92))
    if asks_photos:
        wanted.append(("photo", str(PHOTOS), 64))
    if info.asks_health:
        wanted.append(("health", HEALTH_MARK, 20))
    if info.asks_pickup:
        wanted.append(("pickup", str(PICKUP), 140))
    if slot is not None:
        wanted += [("present", str(PRESENT), 34), ("signature", str(SIGNATURE), 140)]
    else:
        fixed = sum(w for _key, _heading, w in wanted)
        room = PAGE[0] - 2 * MARGIN - fixed - 150  # keep at least 150 pt for the name
        each = min(50.0, max(20.0, room / max(1, len(info.dates))))
        for n, day in enumerate(info.dates):
            label = format_date(day.day, "EEE dd.MM.", locale=language)
            wanted.append((f"date{n}", label, each))
    name_width = PAGE[0] - 2 * MARGIN - sum(w for _key, _heading, w in wanted)
    columns, x = [], MARGIN
    for key, heading, w in wanted:
        w = w or max(name_width, 60)
        columns.append(Column(key, heading, x, w))
        x += w
    return columns


def lay_out(sheet: base.Sheet, number: int, row: SheetRow, width: dict) -> Laid:
    """Fit one row's texts into their cells and work out the row's height."""
    name = row.name
    if row.group:
        children = ngettext("%(num)d Kind", "%(num)d Kinder", row.headcount)
        name = f"{name} ({children})"
    name_lines, name_size = fit_lines(sheet, name, width["name"], NAME_SIZE, NAME_MIN, 2)
    pickup: tuple[str, ...] = ()
    if "pickup" in width and row.pickup:
        pickup, _size = fit_lines(sheet, row.pickup, width["pickup"], SMALL, SMALL, 2)
    phone, phone_size = fit_line(sheet, row.phone, width["phone"], 9)
    lines = max(len(name_lines), len(pickup), 1)
    height = ROW_HEIGHT + LINE_STEP * (lines - 1)
    return Laid(number, row, name_lines, name_size, pickup, phone, phone_size, height)


def heading_lines(sheet: base.Sheet, column: Column) -> tuple[tuple[str, ...], float]:
    """Fit a column's heading into two lines of small bold type."""
    return fit_lines(sheet, column.heading, column.width - 2 * PAD, 8, base.MIN_SIZE, 2, True)


def draw_headings(sheet: base.Sheet, columns: list[Column], headings: dict) -> None:
    """Draw the column headings on their grey band; they repeat on every page."""
    canvas = sheet.canvas
    canvas.setFillColor(HEADING_FILL)
    canvas.rect(MARGIN, BODY_TOP, PAGE[0] - 2 * MARGIN, HEADINGS_HEIGHT, stroke=0, fill=1)
    for column in columns:
        lines, size = headings[column.key]
        centred = column.key not in ("name", "phone", "pickup", "signature")
        draw_lines(sheet, column, HEADINGS_TOP, HEADINGS_HEIGHT, lines, size, True, centred)


def draw_rows(sheet: base.Sheet, columns: list[Column], rows: list[Laid], no_photos: str):
    """Draw one page of rows: zebra stripes, texts, marks and the boxes to tick."""
    canvas = sheet.canvas
    top = BODY_TOP
    for laid in rows:
        if laid.number % 2 == 0:
            canvas.setFillColor(ZEBRA)
            canvas.rect(MARGIN, top - laid.height, PAGE[0] - 2 * MARGIN, laid.height, 0, 1)
        for column in columns:
            draw_cell(sheet, column, laid, top, no_photos)
        top -= laid.height
    # Light column rules down to the last row help the eye along a wide row.
    canvas.setStrokeColor(base.LIGHT)
    canvas.setLineWidth(0.5)
    for column in columns[1:]:
        canvas.line(column.x, BODY_TOP, column.x, top)
    canvas.line(MARGIN, top, PAGE[0] - MARGIN, top)


def draw_cell(sheet: base.Sheet, column: Column, laid: Laid, top: float, no_photos: str):
    """Draw what one row shows in one column."""
    key, row, height = column.key, laid.row, laid.height
    if key == "number":
        y = top - height / 2 - SMALL * 0.35
        sheet.line(column.x + column.width - PAD, y, str(laid.number), SMALL, align="right")
    elif key == "name":
        draw_lines(sheet, column, top, height, laid.name, laid.name_size, False, False)
    elif key == "age":
        draw_lines(sheet, column, top, height, (str(row.age),), 9.5, False, True)
    elif key == "phone":
        draw_lines(sheet, column, top, height, (laid.phone,), laid.phone_size, False, False)
    elif key == "pickup":
        draw_lines(sheet, column, top, height, laid.pickup, SMALL, False, False)
    elif key == "photo" and row.photo_ok is False:
        draw_mark(sheet, column, top, height, no_photos, 8)
    elif key == "health" and row.health:
        draw_mark(sheet, column, top, height, HEALTH_MARK, 9)
    elif key == "present" or key.startswith("date"):
        box = min(BOX, column.width - 2 * PAD)
        x = column.x + (column.width - box) / 2
        sheet.canvas.setStrokeColor(black)
        sheet.canvas.setFillColor(white)
        sheet.canvas.setLineWidth(0.9)
        sheet.canvas.rect(x, top - (height + box) / 2, box, box, stroke=1, fill=1)


def draw_lines(sheet, column, top, height, lines, size, bold, centred) -> None:
    """Set lines in a cell, centred vertically; right-to-left text keeps to the cell's right."""
    step = size * 1.2
    block = size + step * (len(lines) - 1)
    baseline = top - (height - block) / 2 - size * 0.85
    for line in lines:
        if centred:
            sheet.line(column.x + column.width / 2, baseline, line, size, bold, align="center")
        else:
            inner = column.width - 2 * PAD
            sheet.line(column.x + PAD, baseline, line, size, bold, "start", box_width=inner)
        baseline -= step


def draw_mark(sheet, column, top, height, label, size) -> None:
    """Draw a bold label in a box, centred in its cell: it must catch the eye at the door."""
    font = sheet.font(label, bold=True)
    size = sheet.fitted_size(label, column.width - 2 * PAD - 4, size, bold=True)
    box_width = max(t.width(label, font, size) + 4, size + 3)
    x = column.x + (column.width - box_width) / 2
    y = top - height / 2 - (size + 3) / 2
    sheet.canvas.setStrokeColor(black)
    sheet.canvas.setLineWidth(1)
    sheet.canvas.rect(x, y, box_width, size + 3, stroke=1, fill=0)
    sheet.line(x + box_width / 2, y + 2.2, label, size, bold=True, align="center")


def draw_legend(sheet: base.Sheet, legend: str) -> None:
    """Explain the health flag top right, under the headcount; details stay on the web."""
    right = PAGE[0] - MARGIN
    y = PAGE[1] - 62
    sheet.line(right, y, legend, 9, align="right")
    width = t.width(legend, sheet.font(legend), 9)
    column = Column("legend", "", right - width - 22, 18)
    draw_mark(sheet, column, y + 10, 14, HEALTH_MARK, 9)
