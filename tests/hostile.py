"""Hostile input for the security tests: the payloads, the checks that output is inert, a
driver that sends a payload through a form, and the tally whose figures go into SECURITY.md.

Every module that attacks imports `print_tally` and `cheap_passwords` (both autouse).
"""

import csv
import functools
import io
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from markupsafe import escape
from openpyxl import load_workbook
from pypdf import PdfReader
from werkzeug.security import generate_password_hash

from signup.extensions import db
from signup.registrations.export import FORMULA_START
from tests.pdfs import pages_text

#: What was tried and how it ended, per database and kind of attack.
TALLY: dict[str, Counter] = {}


def count(group: str, outcome: str, n: int = 1) -> None:
    """Count one outcome of one kind of attack, on the database the test runs on."""
    TALLY.setdefault(f"{db.engine.dialect.name}: {group}", Counter())[outcome] += n


@pytest.fixture(scope="module", autouse=True)
def print_tally(request):
    """Print the counts after a module's tests, one line per database and attack."""
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None and TALLY:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            for group, outcomes in sorted(TALLY.items()):
                reporter.write_line(f"tally {group}: {json.dumps(dict(sorted(outcomes.items())))}")
    TALLY.clear()


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch):
    """Hash passwords with one round: hashing is not under attack here, and scrypt on every
    account and log-in took a third of the run."""
    cheap = functools.partial(generate_password_hash, method="pbkdf2:sha256:1")
    monkeypatch.setattr("signup.staff.models.generate_password_hash", cheap)


def post_form(client, url: str, fields):
    """Post a form (a dict or pairs) as a browser encodes it; bytes go out as they are."""
    return client.post(
        url, data=urlencode(fields), content_type="application/x-www-form-urlencoded"
    )


# The payloads


@dataclass(frozen=True)
class Payload:
    name: str
    #: What the browser sends: text, or bytes that are not valid UTF-8.
    sent: str | bytes
    #: What cleaning leaves of it (control and bidi characters go); None: the same as sent.
    cleaned: str | None = None

    @property
    def text(self) -> str:
        return self.sent if self.cleaned is None else self.cleaned

    @property
    def markup(self) -> str | None:
        """The payload as sent, when a page that showed it unescaped would run it."""
        if isinstance(self.sent, str) and re.search(r"[<>\"']", self.sent):
            return self.sent
        return None


LONG = ("<b>" + "Lorem ipsum " * 834)[:10_000]
PAYLOADS = [
    Payload("script element", "<script>alert(1)</script>"),
    Payload("attribute breakout", '"><img src=x onerror=alert(1)>'),
    Payload("textarea breakout", "</textarea><script>alert(1)</script>"),
    Payload("javascript: URL", "javascript:alert(document.cookie)"),
    Payload("SVG onload", "<svg/onload=alert(1)>"),
    Payload("template injection", "{{7*7}} ${7*7} {% print 1 %}"),
    Payload("format string", "%(name)s {0} %s"),
    Payload("bidi override", "\u202eevil\u202c \u2066Amira\u2069", cleaned="evil Amira"),
    Payload("zero-width characters", "Ami\u200bra\u200d\u2060"),
    Payload("10,000 characters", LONG),
    Payload("emoji", "👩‍👧‍👦 Zoë 🚀"),
    Payload("NUL and control characters", "Am\x00i\x07ra\x1b[31m\x7f", cleaned="Am i ra [31m"),
    # Werkzeug keeps bytes that are not UTF-8 as they came, percent-encoded.
    Payload("invalid UTF-8, encoded surrogate", b"Ami\xed\xa0\x80ra\xff", "Ami%ED%A0%80ra%FF"),
    Payload("SQL: OR 1=1", "' OR 1=1 --"),
    Payload("SQL: DROP TABLE", '"; DROP TABLE participants; --'),
    Payload("spreadsheet formula", '=HYPERLINK("http://x.example","y")'),
]
#: Valid e-mail addresses that are hostile all the same: stored, then shown and exported.
HOSTILE_EMAILS = ["o'or'1'='1@example.org", "=1+2@example.org", "-2+3@example.org"]


# Inert output

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}
ACTIVE_TAGS = {"script", "iframe", "frame", "object", "embed", "applet", "base"}
PDF_ACTIONS = (b"/JavaScript", b"/JS ", b"/Launch", b"/SubmitForm", b"/RichMedia")


class ActiveContent(HTMLParser):
    """Collect whatever in a page could run or mislead: scripts, frames, event handlers,
    inline styles, script URLs, and bidi overrides or NUL bytes in its text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ACTIVE_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on") or name == "style":
                self.found.append(f"<{tag} {name}>")
            # data: only as an empty icon or an image, never as a page or a script
            if name in URL_ATTRIBUTES and re.match(r"(javascript|vbscript|data):", value):
                if value != "data:," and not value.startswith("data:image/"):
                    self.found.append(f"<{tag} {name}={value[:30]}>")
            if tag == "meta" and name == "http-equiv" and value == "refresh":
                self.found.append("<meta refresh>")
            if name != "value":  # an input may show what was just typed into it, as typed
                self.check_text(value)

    def handle_data(self, data):
        self.check_text(data)

    def check_text(self, text: str) -> None:
        if re.search("[\u202a-\u202e\x00]", text):
            self.found.append(f"bidi override or NUL in {text[:30]!r}")


def assert_inert(html: str, payload: Payload | None = None) -> None:
    """Nothing in the page can run, and the payload never appears as markup."""
    parser = ActiveContent()
    parser.feed(html)
    parser.close()
    assert not parser.found, parser.found
    if payload is not None and payload.markup:
        assert payload.markup not in html, payload.name


def shown(value: str) -> str:
    """A stored value as an HTML page must show it: escaped."""
    return str(escape(value))


def field_errors(html: str) -> set[str]:
    """The ids of the fields that have an error next to them."""
    return set(re.findall(r'<p class="error" id="([^"]+)-error"', html))


# A form under attack, and what it stored


@dataclass
class FormSpec:
    """A form under attack: where it posts, a valid body, and its text fields."""

    name: str
    url: str
    base: Callable[[], dict]
    #: Fields that take any text (up to a length).
    free: tuple[str, ...]
    #: Fields that take only a format or a choice (phone, e-mail, age, a select).
    checked: tuple[str, ...] = ()
    #: Checked fields rendered as a select or radios: the typed value is not shown again.
    choices: tuple[str, ...] = ()
    #: The status of a saved submission.
    saved: int = 302


@dataclass
class Stored:
    """A payload that a field stored, and the places that must show it."""

    form: str
    field: str
    payload: Payload
    value: str
    places: tuple[str, ...]
    #: The registration (or workshop) whose own pages show it.
    owner: int | None = None
    found: set[str] = field(default_factory=set)


@dataclass
class Stage:
    """A logged-in organiser, the workshop under attack, and what the attacks stored."""

    client: object
    workshop_id: int
    slug: str
    date_id: int
    stored: list[Stored] = field(default_factory=list)
    #: The family link of each registration made, where the answer showed it.
    tokens: dict[int, str | None] = field(default_factory=dict)


def attack(stage: Stage, spec: FormSpec, payload: Payload) -> tuple[object, list[str]]:
    """Send the payload in every field at once, then again in the fields that took it.

    A field that refuses it says so next to itself and keeps what was typed, escaped.
    Returns the answer to the saving post and the fields that stored the payload.
    """
    client, fields = stage.client, spec.free + spec.checked
    response = post_form(client, spec.url, spec.base() | dict.fromkeys(fields, payload.sent))
    html = response.get_data(as_text=True)
    assert_inert(html, payload)
    rejected = {name for name in fields if name in field_errors(html)}
    if response.status_code == spec.saved:
        assert not spec.checked, (spec.name, payload.name, "saved with a checked field")
    else:
        assert 400 <= response.status_code < 500, (spec.name, payload.name, response.status_code)
        assert set(spec.checked) <= rejected, (spec.name, payload.name, field_errors(html))
        assert rejected, (spec.name, payload.name, "refused, but no field says why")
        for name in rejected - set(spec.choices):
            assert shown(payload.text[:20]) in html, (spec.name, name, payload.name)
    kept = [name for name in spec.free if name not in rejected]
    count(spec.name, "tried", len(fields))
    count(spec.name, "refused with a message at the field", len(rejected))
    count(spec.name, "stored", len(kept))
    if rejected and (kept or spec.checked):
        response = post_form(client, spec.url, spec.base() | dict.fromkeys(kept, payload.sent))
        assert response.status_code == spec.saved, (spec.name, payload.name, response.status_code)
        assert_inert(response.get_data(as_text=True), payload)
    return response, kept


def record(stage: Stage, spec: FormSpec, payload: Payload, values: dict, places: dict, **kw):
    """Keep what the fields stored; cleaning must have left exactly the payload's text."""
    for name, value in values.items():
        assert value == payload.text, (spec.name, name, payload.name, value[:80])
        stage.stored.append(Stored(spec.name, name, payload, value, places[name], **kw))


def latest(model):
    """The row of `model` made last, as the database has it now."""
    db.session.rollback()
    return db.session.scalars(sa.select(model).order_by(model.id.desc()).limit(1)).one()


def family_token(response) -> str | None:
    """The family's secret link in a redirect or on a page, if the answer carries one."""
    for text in (response.headers.get("Location", ""), response.get_data(as_text=True)):
        found = re.search(r"/r/([A-Za-z0-9_-]{40,})", text)
        if found:
            return found.group(1)
    return None


# Looking for what was stored, everywhere it shows


def look_at_page(stage: Stage, place: str, url: str, owner: int | None = None) -> None:
    response = stage.client.get(url)
    assert response.status_code == 200, (place, url, response.status_code)
    html = response.get_data(as_text=True)
    assert_inert(html)
    for item in stage.stored:
        if place in item.places and owner in (None, item.owner) and shown(item.value) in html:
            item.found.add(place)
            count(item.form, f"inert in HTML: {place}")


def spreadsheet_rows(stage: Stage, format: str) -> list[dict]:
    """The workshop's export as rows; an Excel file must hold no formula cell at all."""
    response = stage.client.get(f"/staff/workshops/{stage.workshop_id}/export.{format}")
    assert response.status_code == 200
    if format == "csv":
        return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    header, *rows = load_workbook(io.BytesIO(response.get_data())).active.iter_rows()
    assert not [c for row in rows for c in row if c.data_type == "f"], "a formula in Excel"
    names = [cell.value for cell in header]
    return [dict(zip(names, (cell.value for cell in row), strict=True)) for row in rows]


def look_at_exports(stage: Stage, columns: dict[str, str]) -> None:
    """No cell starts a formula; each stored value sits, neutralised, in its column."""
    for format, place in (("csv", "CSV"), ("xlsx", "Excel")):
        rows = spreadsheet_rows(stage, format)
        cells = [str(value or "") for row in rows for value in row.values()]
        assert not [cell for cell in cells if cell.startswith(FORMULA_START)], format
        for item in stage.stored:
            if place in item.places:
                column = {str(row[columns[item.field]] or "") for row in rows}
                text = "'" + item.value if item.value.startswith(FORMULA_START) else item.value
                if text in column:
                    item.found.add(place)
                    count(item.form, f"neutral in {place}")


def look_at_pdf(stage: Stage, place: str, url: str, owner: int | None = None) -> None:
    """The printout renders, carries no action or script, and shows each plain value."""
    response = stage.client.get(url)
    assert response.status_code == 200, (place, url)
    pdf = response.get_data()
    assert not [action for action in PDF_ACTIONS if action in pdf], place
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 1
    text = re.sub(r"\s+", "", "".join(pages_text(pdf)))
    for item in stage.stored:
        if place in item.places and owner in (None, item.owner):
            # Text extraction gives back plain ASCII reliably; shaped scripts and emoji
            # only have to render.
            plain = item.value.isascii() and item.value.isprintable() and len(item.value) <= 40
            if not plain or re.sub(r"\s+", "", item.value) in text:
                item.found.add(place)
                count(item.form, f"rendered in PDF: {place}")


def assert_found_everywhere(stage: Stage) -> None:
    """Each stored value was seen, inert, in every place that must show it."""
    assert stage.stored
    for item in stage.stored:
        missing = set(item.places) - item.found
        assert not missing, (item.form, item.field, item.payload.name, missing)
