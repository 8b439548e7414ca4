"""Layout pieces the printouts share: blocks of text in cells, fitting text into boxes, pages."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from reportlab.lib.colors import Color, black

from . import text as t
from .base import MIN_SIZE, Sheet, shorten

#: Line height as a multiple of the type size, as Sheet.paragraph sets it.
LEADING = 1.25
Item = TypeVar("Item")


@dataclass(frozen=True)
class Block:
    """A paragraph to place; `language` picks font and direction (None: by its letters)."""

    text: str
    size: float
    bold: bool = False
    language: str | None = None
    max_lines: int | None = None
    color: Color = black
    space: float = 0


@dataclass(frozen=True)
class Cell:
    """Blocks stacked in a box `width` wide from `x`, set left, right or centred."""

    blocks: tuple[Block, ...]
    x: float
    width: float
    align: str = "left"
    #: Dropped when nothing else makes the flyer fit: 2 first, then 1; 0 is always kept.
    drop: int = 0


def row_height(sheet: Sheet, row: list[Cell]) -> float:
    return max(sum(block_height(sheet, b, cell.width) for b in cell.blocks) for cell in row)


def block_height(sheet: Sheet, block: Block, width: float) -> float:
    """Return the height `Sheet.paragraph` gives the block, the space above it included."""
    if not t.tidy(block.text):
        return 0
    font = sheet.font(block.text, block.bold, block.language)
    count = len(t.wrap(block.text, font, block.size, width))
    count = min(count, block.max_lines or count)
    return block.space + count * block.size * LEADING + 2


def draw_block(sheet: Sheet, cell: Cell, block: Block, top: float, bottom: float) -> float:
    """Draw a block as far as it fits above `bottom`; return the top of what comes next."""
    if not t.tidy(block.text):
        return top
    top -= block.space
    room = int((top - bottom - 2) // (block.size * LEADING))
    lines = min(room, block.max_lines or room)
    if lines <= 0:
        return top
    look = dict(bold=block.bold, language_code=block.language, color=block.color)
    return sheet.paragraph(
        cell.x, top, cell.width, block.text, block.size, align=cell.align, max_lines=lines, **look
    )


def fit_lines(
    sheet, text, box_width, size, minimum, max_lines, bold=False
) -> tuple[tuple[str, ...], float]:
    """Wrap text, shrinking it towards `minimum` to keep within `max_lines`, then cut it."""
    text = t.tidy(text)
    font = sheet.font(text, bold)
    if t.width(text, font, size) <= box_width:
        return (text,), size
    while True:
        lines = t.wrap(text, font, size, box_width)
        if len(lines) <= max_lines or size <= minimum:
            break
        size = max(minimum, size - 1)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = shorten(lines[-1], font, size, box_width)
    # A line may be drawn in another face than the whole text was measured in: check again.
    return tuple(fit_line(sheet, line, box_width, size, size, bold)[0] for line in lines), size


def fit_line(sheet, text, box_width, size, minimum=MIN_SIZE, bold=False) -> tuple[str, float]:
    """Shrink one line towards `minimum`, then cut it with an ellipsis if still too wide."""
    text = t.tidy(text)
    size = sheet.fitted_size(text, box_width, size, bold, minimum)
    font = sheet.font(text, bold)
    if text and t.width(text, font, size) > box_width:
        text = shorten(text, font, size, box_width)
    return text, size


def paginate(items: Sequence[Item], room: float) -> list[list[Item]]:
    """Split items (each with a `height`) into pages of `room` points; at least one page."""
    pages: list[list[Item]] = [[]]
    used = 0.0
    for item in items:
        if pages[-1] and used + item.height > room:
            pages.append([])
            used = 0.0
        pages[-1].append(item)
        used += item.height
    return pages
