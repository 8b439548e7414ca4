"""Bar charts as inline SVG, drawn on the server: no script, no request, prints as it shows.

Built with ElementTree, which escapes every text it is given (labels come from organisers).
Colours come from classes in staff.css: the Content-Security-Policy allows no style attribute.
"""

import xml.etree.ElementTree as ET

from markupsafe import Markup

from .report import Breakdown

WIDTH = 480
#: Room for the number after the longest bar.
VALUE_WIDTH = 50
#: A label character's width at the chart's font size, generously (digits, capitals).
CHARACTER_WIDTH = 9.5
ROW = 30
BAR_HEIGHT = 18
#: Longer labels are cut in the chart; the table beside it has them whole.
LABEL_CHARACTERS = 22


def bar_chart(breakdown: Breakdown) -> Markup:
    """Draw one horizontal bar per line; a hidden figure gets no bar, only "< 3"."""
    visible = [bar.figure.children for bar in breakdown.bars if not bar.figure.hidden]
    longest = max(visible, default=0) or 1
    height = ROW * len(breakdown.bars) + 8
    labels = [_cut(bar.label) for bar in breakdown.bars]
    label_width = 12 + CHARACTER_WIDTH * max((len(label) for label in labels), default=0)
    bar_width = WIDTH - label_width - VALUE_WIDTH
    title_id = f"chart-{breakdown.key}"  # one chart per breakdown on a page
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "class": "chart",
            "viewBox": f"0 0 {WIDTH} {height}",
            "role": "img",
            "aria-labelledby": title_id,
            "direction": "ltr",
        },
    )
    title = ET.SubElement(svg, "title", {"id": title_id})
    title.text = f"{breakdown.title}: " + "; ".join(
        f"{bar.label} {bar.figure}" for bar in breakdown.bars
    )
    for row, (bar, text) in enumerate(zip(breakdown.bars, labels, strict=True)):
        middle = 4 + row * ROW + ROW / 2
        label = ET.SubElement(
            svg,
            "text",
            {"x": f"{label_width - 8:g}", "y": f"{middle + 5:g}", "text-anchor": "end"},
        )
        label.text = text
        length = 0.0
        if not bar.figure.hidden and bar.figure.children:
            length = max(2.0, bar_width * bar.figure.children / longest)
            ET.SubElement(
                svg,
                "rect",
                {
                    "class": "bar",
                    "x": f"{label_width:g}",
                    "y": f"{middle - BAR_HEIGHT / 2:g}",
                    "width": f"{length:.1f}",
                    "height": str(BAR_HEIGHT),
                },
            )
        value = ET.SubElement(
            svg,
            "text",
            {"class": "value", "x": f"{label_width + length + 6:.1f}", "y": f"{middle + 5:g}"},
        )
        value.text = str(bar.figure)
    return Markup(ET.tostring(svg, encoding="unicode"))  # noqa: S704 - ElementTree escaped it


def _cut(label: str) -> str:
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…"
