"""Text for reportlab: the right font for each script, and Arabic script shaped and ordered.

reportlab draws code points one after another, left to right, with no OpenType layout. So
Arabic letters are first replaced by their joined presentation forms (arabic-reshaper), then
each wrapped line is put into visual order (python-bidi). Reordering must happen per line,
after wrapping: a whole paragraph reordered at once would also reverse the order of its lines.
python-bidi's pure-Python algorithm is used because it also mirrors brackets in right-to-left
runs; its Rust `get_display` does not, and prints "(اختياري)" as ")اختياري(".
"""

import re
import unicodedata
from functools import lru_cache

from arabic_reshaper import ArabicReshaper
from bidi.algorithm import get_display
from reportlab.pdfbase.pdfmetrics import stringWidth

from ..i18n import RTL_LANGUAGES
from .fonts import ARABIC, LATIN, Face

ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
#: Marks that would fight the bidi algorithm, and invisible controls: printed text drops them.
UNPRINTABLE = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
#: The embedding our own code puts around times and numbers (see `ltr`).
LTR_EMBEDDING = re.compile("[\u202a\u202c]")
#: Every other direction control: never wanted, even in our own text.
OVERRIDES = re.compile("[\u202b\u202d\u202e\u2066-\u2069\u200e\u200f\u061c]")
ZERO_WIDTH_NON_JOINER = "\u200c"

_reshaper = ArabicReshaper(configuration={"delete_harakat": False, "support_ligatures": True})


def printable(text: str | None) -> str:
    """Drop control characters and bidi overrides; tabs and newlines become spaces."""
    if not text:
        return ""
    cleaned = UNPRINTABLE.sub("", text)
    return "".join(
        " " if unicodedata.category(c) == "Cc" else c
        for c in cleaned
        if unicodedata.category(c) not in {"Cf", "Cs", "Co"} or c == ZERO_WIDTH_NON_JOINER
    )


def tidy(text: str | None) -> str:
    """One line of our own text: whitespace collapsed, control characters gone, isolates kept."""
    text = OVERRIDES.sub("", text or "")
    return " ".join("".join(" " if unicodedata.category(c) == "Cc" else c for c in text).split())


def ltr(text: str) -> str:
    """Keep a time range or a number left to right inside right-to-left text, as <bdi> does."""
    return f"\u202a{text}\u202c"


def has_arabic(text: str) -> bool:
    return bool(ARABIC_SCRIPT.search(text))


def face_for(text: str, language: str | None = None) -> Face:
    """Noto Sans Arabic for Arabic script (it has Latin letters too), Noto Sans otherwise."""
    if has_arabic(text) or (language or "") in RTL_LANGUAGES:
        return ARABIC
    return LATIN


def is_rtl(text: str, language: str | None = None) -> bool:
    """Whether a paragraph reads right to left: by its language, else by its first strong letter."""
    if language:
        return language in RTL_LANGUAGES
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


@lru_cache(maxsize=4096)
def shaped(text: str) -> str:
    """Join Arabic letters into their presentation forms; other text stays as it is."""
    if not has_arabic(text):
        return text
    return _reshaper.reshape(text).replace(ZERO_WIDTH_NON_JOINER, "")


@lru_cache(maxsize=4096)
def visual(line: str, rtl: bool) -> str:
    """Return one line shaped and in the order reportlab must draw it, left to right."""
    if not rtl and not has_arabic(line):
        return LTR_EMBEDDING.sub("", line)
    return LTR_EMBEDDING.sub("", get_display(shaped(line), base_dir="R" if rtl else "L"))


def width(text: str, font: str, size: float) -> float:
    return stringWidth(shaped(LTR_EMBEDDING.sub("", text)), font, size)


def wrap(text: str, font: str, size: float, max_width: float) -> list[str]:
    """Break text into lines no wider than max_width, at spaces, or inside a word too long."""
    lines: list[str] = []
    for paragraph in printable_lines(text):
        current = ""
        for word in paragraph.split(" "):
            candidate = f"{current} {word}" if current else word
            if width(candidate, font, size) <= max_width:
                current = candidate
                continue
            if current:
                lines.append(current)
            current = ""
            while width(word, font, size) > max_width and len(word) > 1:
                cut = _longest_prefix(word, font, size, max_width)
                lines.append(word[:cut])
                word = word[cut:]
            current = word
        lines.append(current)
    return lines


def printable_lines(text: str) -> list[str]:
    """Split on line breaks, then tidy each line."""
    return [tidy(line) for line in (text or "").splitlines()] or [""]


def _longest_prefix(word: str, font: str, size: float, max_width: float) -> int:
    low, high = 1, len(word)
    while low < high:
        middle = (low + high + 1) // 2
        if width(word[:middle], font, size) <= max_width:
            low = middle
        else:
            high = middle - 1
    return low
