"""The report as CSV: one figure a row, the same figures and "< 3" cells as on screen.

Columns: section, key, label, children, percent. `section` and `key` are stable codes
(`figures`/`registered`, `ages`/`10-13`, `workshop:<slug>`/`confirmed` …); `label` is in the
reader's language; `children` is a number or "< 3"; `percent` is of the section's base, empty
where it is not shown. The network view's CSV has one row per organisation and the total.
"""

import csv
import io

from ..registrations.export import neutralise
from .cells import Figure
from .network import NetworkReport
from .report import WORKSHOP_COLUMNS, Report

COLUMNS = ("section", "key", "label", "children", "percent")


def report_rows(report: Report) -> list[tuple]:
    rows = [
        ("report", "title", report.title, "", ""),
        ("report", "period", report.subtitle, "", ""),
    ]
    for item in report.key_figures:
        rows.append(("figures", item.key, item.label, _children(item.figure), ""))
    for breakdown in report.breakdowns:
        for bar in breakdown.bars:
            percent = "" if bar.share is None else f"{bar.share * 100:.1f}"
            rows.append((breakdown.key, bar.key, bar.label, bar.figure.csv, percent))
    for workshop in report.workshops:
        section = f"workshop:{workshop.slug}"
        day = workshop.first_day.isoformat() if workshop.first_day else ""
        rows.append((section, "title", workshop.title, "", ""))
        rows.append((section, "first_day", day, "", ""))
        rows.append((section, "partners", ", ".join(workshop.partners), "", ""))
        for column, label in WORKSHOP_COLUMNS.items():
            value = workshop.figures[column]
            rows.append((section, column, str(label), _children(value), ""))
    return rows


def _children(value: Figure | None) -> str:
    return "" if value is None else value.csv


def report_csv(report: Report) -> bytes:
    return as_csv(COLUMNS, report_rows(report))


#: The network view's columns: one row per organisation, the instance's total last.
NETWORK_COLUMNS = ("organisation", "workshops", "children", "girls", "languages")


def network_csv(report: NetworkReport) -> bytes:
    rows = [
        (row.name, row.workshops, row.children.csv, _children(row.girls), row.languages)
        for row in (*report.rows, report.total)
    ]
    return as_csv(NETWORK_COLUMNS, rows)


def as_csv(columns, rows) -> bytes:
    """UTF-8 with a byte-order mark (Excel then reads umlauts and Arabic), CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralise(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode()
