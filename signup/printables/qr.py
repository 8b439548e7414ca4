"""QR codes drawn as vector squares: sharp on any printer, and no image library needed."""

from functools import lru_cache

import qrcode
from qrcode.constants import ERROR_CORRECT_M, ERROR_CORRECT_Q
from reportlab.lib.colors import black, white

from ..qr import QUIET_ZONE

#: Q restores a quarter of the code: enough for a photocopied or folded flyer.
LEVELS = {"M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q}


@lru_cache(maxsize=256)
def qr_matrix(data: str, level: str = "Q") -> tuple[tuple[bool, ...], ...]:
    """Return the modules of `data` as rows of booleans (True is dark), quiet zone included."""
    code = qrcode.QRCode(error_correction=LEVELS[level], border=QUIET_ZONE)
    code.add_data(data)
    code.make(fit=True)
    return tuple(tuple(row) for row in code.get_matrix())


def draw_qr(canvas, data: str, x: float, y: float, size: float, level: str = "Q") -> None:
    """Draw `data` as a square QR code of `size` points, lower left corner at (x, y)."""
    matrix = qr_matrix(data, level)
    module = size / len(matrix)
    canvas.saveState()
    canvas.setFillColor(white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + 1) * module
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            # A hair of overlap keeps viewers from drawing seams between neighbouring squares.
            path.rect(x + start * module, top, (column - start) * module + 0.01, module + 0.01)
    canvas.setFillColor(black)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
