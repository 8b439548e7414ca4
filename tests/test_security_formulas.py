"""Formula injection: names a spreadsheet would run (=HYPERLINK, +SUM, @cmd, -2+3) are text
in the CSV download, the Excel download and `signup export`, as README "Export columns" says."""

import csv
import io
import re

import pytest

from signup.registrations.export import FORMULA_START
from tests.hostile import cheap_passwords, count, post_form, print_tally, spreadsheet_rows  # noqa: F401
from tests.test_security_xss import make_stage, signup_spec


@pytest.fixture
def stage(app):
    return make_stage(app)


FORMULAS = ['=HYPERLINK("http://x.example","y")', "+SUM(1)", "@cmd", "-2+3", "\t=1+1"]
FORMULA_EMAILS = ["=1+2@example.org", "-2+3@example.org", "+1@example.org"]
FORMULA_FIELDS = {"first_name": None, "surname": None, "school": None, "pickup_note": None}
FORMULA_FIELDS["school_year"] = 20  # its longest text


def test_formulas_are_text_in_both_exports_and_the_export_command(stage, runner):
    spec = signup_spec(stage, assisted=False)
    for number, formula in enumerate(FORMULAS):
        body = {f"children-0-{name}": formula[:limit] for name, limit in FORMULA_FIELDS.items()}
        body["email"] = FORMULA_EMAILS[number % len(FORMULA_EMAILS)]
        assert post_form(stage.client, spec.url, spec.base() | body).status_code == 302
    exports = {format: spreadsheet_rows(stage, format) for format in ("csv", "xlsx")}
    result = runner.invoke(args=["export", stage.slug])
    assert result.exit_code == 0
    exports["command"] = list(csv.DictReader(io.StringIO(result.output)))
    for name, rows in exports.items():
        assert len(rows) == len(FORMULAS)
        for column, limit in FORMULA_FIELDS.items():
            expected = {"'" + formula.strip()[:limit] for formula in FORMULAS}
            assert {row[column] for row in rows} == expected, (name, column)
        assert {row["contact_email"] for row in rows} == {"'" + e for e in FORMULA_EMAILS}
        cells = [str(value or "") for row in rows for value in row.values()]
        assert not [cell for cell in cells if cell.startswith(FORMULA_START)], name
        neutralised = [cell for cell in cells if re.match(r"'[-=+@]", cell)]
        count("formula injection", f"cells neutralised in {name}", len(neutralised))
