"""The consent slip: the family's language beside the German master text, to tick and sign.

Blank for paper sign-ups, or with the family's children printed in and a code for staff to
scan when it comes back signed. One box per consent, as online: taking part, then each use of
photos the workshop asks for. Laid out in rows by columns.py.
"""

from datetime import timedelta

from babel.dates import format_date
from reportlab.lib.colors import black
from reportlab.lib.units import mm

from ..i18n import _l
from ..registrations.consents import CONSENT_TEXT_VERSION, CONSENT_TEXTS
from ..registrations.models import ConsentPurpose
from ..workshops.models import PhotoUse
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
    said,
    say,
    sign_fields,
    sign_row,
    spans,
    text_row,
    when_and_where,
)
from .data import SlipInfo
from .layout import Block
from .qr import draw_qr

HEADING = _l("Einverständnis")
NAME = _l("Name")
AGE = _l("Alter")
FIRST_NAME = _l("Vorname")
SURNAME = _l("Nachname")
CONTACT = _l("So erreichen wir Sie")
CONTACT_HINT = _l("Telefon oder E-Mail. Eins reicht.")
PARTICIPATION = _l("Teilnahme")
PHOTOS = _l("Fotos und Filme")
VOLUNTARY = _l(
    "Ihr Kind kann auch ohne dieses Einverständnis mitmachen. Kreuzen Sie nur an, was Sie erlauben."
)
YOUNG = _l("Ab 14 Jahren: Ich bin auch einverstanden.")
YOUNG_SIGNATURE = _l("Unterschrift des Kindes ab 14 Jahren")
CONTROLLER = _l("Verantwortlich für Ihre Daten: %(names)s.")
RETENTION = _l(
    "Am %(date)s löschen wir Ihre Angaben. Nur wenn ein Geldgeber es verlangt, "
    "heben wir Name und Anwesenheit länger auf."
)
WITHDRAW = _l(
    "Sie können Ihr Einverständnis jederzeit zurücknehmen. Sagen Sie es dem Veranstalter. "
    "Das gilt ab diesem Tag."
)
PLACE_DATE = _l("Ort, Datum")
SIGNATURE = _l("Unterschrift der sorgeberechtigten Person")
CODE = _l("Code: %(code)s")
VERSION = _l("Fassung %(version)s")

#: From this age a photo consent needs the young person's own agreement too (DESIGN.md).
YOUNG_AGE = 14
#: Small: the code is for staff, who scan it when the signed slip comes back.
QR_SIZE = 24 * mm


def slip_rows(sheet, slip: SlipInfo, frame: Frame) -> list[Row]:
    """Lay out every row of the slip, top to bottom."""
    info = slip.workshop

    def header(lang: str) -> list[Block]:
        text = info.text(lang)
        title = Block(text.title, frame.size(13), True, text.language, max_lines=3, space=5)
        return [say(frame, lang, HEADING, 18, True), title, *when_and_where(frame, info, lang)]

    rows = [columns_row(sheet, frame, header), rule_row(sheet, frame, 18)]
    rows += children_rows(sheet, slip, frame)
    rows.append(text_row(sheet, frame, said(PARTICIPATION, 10, bold=True, space=8)))
    participation = CONSENT_TEXTS[ConsentPurpose.PARTICIPATION]
    rows.append(text_row(sheet, frame, said(participation, 9.5, space=3), box=True))
    if info.photo_uses:
        rows += photo_rows(sheet, slip, frame)
    rows.append(rule_row(sheet, frame, 20))
    rows.append(columns_row(sheet, frame, lambda lang: about_data(frame, slip, lang)))
    rows.append(signing_row(sheet, slip, frame))
    return rows


def children_rows(sheet, slip: SlipInfo, frame: Frame) -> list[Row]:
    """Print the children in, or give empty rows for up to three and a line for the contact."""
    if slip.children:
        widths = (0.8, 0.2)
        rows = [grid_row(sheet, frame, widths, [labels(frame, NAME), labels(frame, AGE)])]
        name_width = spans(frame.left, frame.right, widths, False)[0][1]
        for child in slip.children:
            age = [(str(child.age), frame.size(10.5), False, black, None)]
            cells = [child_name(frame, sheet, child, name_width), age]
            rows.append(grid_row(sheet, frame, widths, cells, 20, base.LIGHT))
        return [*rows, rule_row(sheet, frame, 10)]
    widths = (0.42, 0.42, 0.16)
    headings = [labels(frame, FIRST_NAME), labels(frame, SURNAME), labels(frame, AGE)]
    rows = [grid_row(sheet, frame, widths, headings)]
    rows += [grid_row(sheet, frame, widths, [[], [], []], 26, black) for _ in range(3)]
    contact = text_row(
        sheet,
        frame,
        said(CONTACT, 8.5, bold=True, space=12),
        said(CONTACT_HINT, 8, color=base.GREY),
    )
    line = grid_row(sheet, frame, (1,), [[]], 26, black)
    return [*rows, contact, line, rule_row(sheet, frame, 10)]


def photo_rows(sheet, slip: SlipInfo, frame: Frame) -> list[Row]:
    """Give a box to each use of photos the workshop asks for; from 14 the young person's own."""
    heading = said(PHOTOS, 10, bold=True, space=14)
    rows = [text_row(sheet, frame, heading, said(VOLUNTARY, 8.5, color=base.GREY, space=1))]
    for use in slip.workshop.photo_uses:
        consent = CONSENT_TEXTS[ConsentPurpose.for_photo_use(PhotoUse(use))]
        rows.append(text_row(sheet, frame, said(consent, 9.5, space=7), box=True))
    young = [c for c in slip.children if c.age >= YOUNG_AGE]
    if slip.children and not young:
        return rows
    rows.append(text_row(sheet, frame, said(YOUNG, 9.5, bold=True, space=10), box=True))
    signers = [[(c.name, frame.size(8), True, black, None)] for c in young] or [[]]
    for pair in range(0, len(signers), 2):
        fields = [
            (0.5, [*name, *labels(frame, YOUNG_SIGNATURE, 7.5)])
            for name in signers[pair : pair + 2]
        ]
        rows.append(sign_row(sheet, frame, fields))
    return rows


def about_data(frame: Frame, slip: SlipInfo, lang: str) -> list[Block]:
    """Say who is responsible, when the data goes, and how to take the consent back."""
    info = slip.workshop
    blocks = []
    if info.organisers:
        # Names keep their own direction inside a right-to-left sentence, as <bdi> does.
        names = ", ".join(t.ltr(name) for name in info.organisers)
        blocks.append(say(frame, lang, CONTROLLER, 8.5, names=names))
    if info.dates:
        last = max(slot.day for slot in info.dates)
        day = format_date(last + timedelta(days=slip.retention_days), "long", locale=lang)
        blocks.append(say(frame, lang, RETENTION, 8.5, space=4, date=day))
    return [*blocks, say(frame, lang, WITHDRAW, 8.5, space=4)]


def signing_row(sheet, slip: SlipInfo, frame: Frame) -> Row:
    """Lay out place, date and the parent's signature, and the code staff scan on return."""
    qr = QR_SIZE if slip.scan_url else 0
    code = base.in_language("de", CODE, code=slip.short_code) if slip.short_code else ""
    code_size = frame.size(8.5)
    area = max(qr, t.width(code, sheet.font(code, True), code_size)) if qr else 0
    left, right = frame.left, frame.right
    # The code stands at the end of the lines, away from where the family starts to write.
    if area:
        left, right = (left + area + 18, right) if frame.rtl else (left, right - area - 18)
    fields = [(0.4, labels(frame, PLACE_DATE, 8)), (0.6, labels(frame, SIGNATURE, 8))]
    height, draw_fields = sign_fields(sheet, frame, fields, left, right)
    space = 24 * frame.scale
    # Beside a code, the lines to write on stand level with its lower edge.
    shift = max(0.0, qr - 26 * frame.scale)
    height = space + max(shift + height, qr + code_size + 6 if qr else 0)

    def draw(top: float) -> None:
        draw_fields(top - space - shift)
        if qr:
            middle = frame.left + area / 2 if frame.rtl else frame.right - area / 2
            draw_qr(sheet.canvas, slip.scan_url, middle - qr / 2, top - space - qr, qr, level="M")
            sheet.line(middle, top - space - qr - code_size, code, code_size, True, "center")

    return Row(height, draw)


def render_consent_slip(slip: SlipInfo) -> bytes:
    """Render the slip: blank for paper sign-ups, or with the family's children printed in."""
    title = slip.workshop.text("de").title
    sheet = base.Sheet(PAGE, f"{base.in_language('de', HEADING)}: {title}", slip.language)
    pages = fit_pages(lambda scale: slip_rows(sheet, slip, frame_for(slip.language, scale)))
    # The version ties a signed slip to the exact wording it was signed under.
    version = base.in_language("de", VERSION, version=CONSENT_TEXT_VERSION)
    draw_pages(sheet, pages, f"{base.in_language('de', HEADING)} · {version} · {title}")
    return sheet.finish()
