"""The small-cell rule: no figure a reader could trace back to one or two children.

Every count of children that a report shows goes through `protect`:

- A count of 1 or 2 children shows "< 3"; 0 shows 0 (nobody to recognise).
- Secondary suppression: where counts split a total that is shown (girls, boys, … of all
  children with a place), a single hidden cell could be worked out as the total minus the
  others. So whenever a cell of such a split is hidden, the smallest cell of 3 or more is
  hidden too and shows "x"; the hidden cells together never tell their parts. (Where every
  cell is 2 or less there is nothing to cover with; such a split is of 4 children or so.)
- A share (a percentage) is shown only where its count is shown.

Counts that do not split a total (children present on each date) need only the first rule.
"""

from dataclasses import dataclass

from flask_babel import format_decimal, format_percent

from ..i18n import _l

#: Fewer children than this in a cell are not shown as a number.
SMALL = 3
HIDDEN_TEXT = "< 3"
#: A larger cell hidden so that a small one cannot be worked out from the total.
COVERED_TEXT = "x"
#: The rule in words, under every report.
NOTE = _l(
    "„< 3“ steht für 1 oder 2 Kinder: so lässt sich kein Kind wiedererkennen. "
    "„x“ ist eine größere Zahl, verdeckt, damit sich die kleine nicht aus der Summe errechnen "
    "lässt. Die Zahlen bleiben, wenn die Daten der Familien gelöscht sind."
)


@dataclass(frozen=True)
class Figure:
    """A count of children as a report shows it."""

    children: int
    #: Why the number is not shown: "small" (1 or 2 children), "cover" (see protect), or "".
    reason: str = ""

    @property
    def hidden(self) -> bool:
        return bool(self.reason)

    def __str__(self) -> str:
        return self.csv if self.hidden else format_decimal(self.children)

    @property
    def csv(self) -> str:
        """The cell in a CSV file: the number, "< 3" or "x"."""
        if self.hidden:
            return HIDDEN_TEXT if self.reason == "small" else COVERED_TEXT
        return str(self.children)


def is_small(children: int) -> bool:
    return 0 < children < SMALL


def figure(children: int) -> Figure:
    """Apply the first rule to a count that splits no total."""
    return Figure(children, "small" if is_small(children) else "")


def protect(counts: dict) -> dict:
    """Apply both rules to counts that split a total; return a Figure for each key."""
    reasons = {key: "small" for key, children in counts.items() if is_small(children)}
    covers = [key for key, children in counts.items() if children >= SMALL]
    if reasons and covers:
        reasons[min(covers, key=lambda key: (counts[key], str(key)))] = "cover"
    return {key: Figure(children, reasons.get(key, "")) for key, children in counts.items()}


def share(part: Figure, whole: int) -> str:
    """The part as a percentage of whole, or "–" where the part is hidden or whole is 0."""
    if part.hidden or whole <= 0:
        return "–"
    return format_percent(part.children / whole)


def share_value(part: Figure, whole: int) -> float | None:
    """The same as a number from 0 to 1 (for bars and CSV); None where it is not shown."""
    if part.hidden or whole <= 0:
        return None
    return part.children / whole
