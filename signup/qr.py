"""QR codes as inline SVG: one helper for the screen and, later, the printouts."""

from xml.etree import ElementTree

import qrcode
from markupsafe import Markup
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.svg import SvgPathFillImage

#: White modules around the code: four is what the standard asks, and what old phones need.
QUIET_ZONE = 4


def qr_svg(data: str, label: str) -> Markup:
    """Return `data` as an inline <svg> QR code that screen readers announce as `label`.

    Error correction M survives a scratched screen or a folded flyer. The code is one path
    of one-unit squares on a white background; its size comes from CSS (class "qr").
    """
    code = qrcode.QRCode(
        error_correction=ERROR_CORRECT_M, border=QUIET_ZONE, image_factory=SvgPathFillImage
    )
    code.add_data(data)
    code.make(fit=True)
    svg = code.make_image().get_image()
    for name in ("width", "height"):
        svg.attrib.pop(name, None)
    svg.set("class", "qr")
    svg.set("role", "img")
    svg.set("aria-label", label)
    for path in svg.iter("path"):
        path.attrib.pop("id", None)  # several codes on one page must not share an id
    return Markup(ElementTree.tostring(svg, encoding="unicode"))  # noqa: S704 - ElementTree escapes it
