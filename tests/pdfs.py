"""Read printouts back: their text, words with positions, page sizes and the QR codes on them."""

import io
import subprocess
import tempfile
from pathlib import Path

import pdfplumber
from pypdf import PdfReader


def pages_text(pdf: bytes) -> list[str]:
    """The text of each page, as a PDF reader extracts it."""
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def text_of(pdf: bytes) -> str:
    return "\n".join(pages_text(pdf))


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def page_sizes_mm(pdf: bytes) -> list[tuple[int, int]]:
    """Width and height of each page in whole millimetres."""
    return [
        (round(float(p.mediabox.width) / 72 * 25.4), round(float(p.mediabox.height) / 72 * 25.4))
        for p in PdfReader(io.BytesIO(pdf)).pages
    ]


def words(pdf: bytes, page: int = 0) -> list[dict]:
    """The words on a page with their positions (x0, x1, top, bottom in points)."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return document.pages[page].extract_words(keep_blank_chars=False, use_text_flow=False)


def chars(pdf: bytes, page: int = 0) -> list[dict]:
    """Every drawn glyph on a page, in drawing order, with its font and position."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return list(document.pages[page].chars)


def font_names(pdf: bytes) -> set[str]:
    """The base names of the fonts embedded in the document (subset prefixes removed)."""
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for font in fonts.values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1].lstrip("/"))
    return names


def qr_codes(pdf: bytes, page: int = 1, dpi: int = 200) -> list[str]:
    """Decode every QR code on a page (1-based), rendered as a printer would (pdftoppm, zbarimg)."""
    with tempfile.TemporaryDirectory() as directory:
        source = Path(directory) / "page.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                str(dpi),
                "-f",
                str(page),
                "-l",
                str(page),
                "-gray",
                "-png",
                str(source),
                str(Path(directory) / "page"),
            ],
            check=True,
        )
        image = next(Path(directory).glob("page*.png"))
        found = subprocess.run(
            ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(image)],
            capture_output=True,
            text=True,
        )
    # zbarimg exits 4 when it finds no code; that is an empty answer, not an error.
    assert found.returncode in (0, 4), found.stderr
    return sorted(line for line in found.stdout.splitlines() if line)
