"""Browser tests: the app as a real HTTP server, driven by Debian's Chromium.

The server runs in a background thread on a random free port of 127.0.0.1, on its own SQLite
database built through the migrations. Playwright's own browser download does not work here,
so pytest-playwright launches /usr/bin/chromium.
"""

import re
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import expect
from werkzeug.serving import WSGIRequestHandler, make_server

from signup import create_app
from signup.extensions import db
from tests.conftest import _migrate, test_config
from tests.factories import create_workshop

CHROMIUM = "/usr/bin/chromium"
#: A cheap phone held upright.
PHONE_VIEWPORT = {"width": 360, "height": 740}
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


class QuietRequestHandler(WSGIRequestHandler):
    """Keep the access log out of the test output."""

    def log_request(self, *args, **kwargs) -> None:
        pass


@dataclass
class LiveServer:
    app: Flask
    url: str

    def create_workshop(self, **kw):
        """Create an open workshop (ages 6 to 14, 25 places, photos for internal use and
        the website) and return its slug."""
        kw.setdefault("capacity", 25)
        kw.setdefault("min_age", 6)
        kw.setdefault("max_age", 14)
        kw.setdefault("photo_uses", "internal,website")
        with self.app.app_context():
            workshop = create_workshop(**kw)
            slug = workshop.slug
            db.session.remove()
        return slug


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """Serve the app on 127.0.0.1 on a random free port until the session ends."""
    url = "sqlite:///" + str(tmp_path_factory.mktemp("browser") / "signup.db")
    _migrate(url)
    app = create_app(test_config(url))
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    base_url = f"http://127.0.0.1:{server.server_port}"
    app.config["SIGNUP_BASE_URL"] = base_url
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=base_url)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def workshop_slug(live_server):
    """A fresh open workshop for each test, so places taken elsewhere do not matter."""
    return live_server.create_workshop()


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    """A phone-sized window on the live server, in German (the source language)."""
    return {
        **browser_context_args,
        "base_url": live_server.url,
        "viewport": PHONE_VIEWPORT,
        "locale": "de-DE",
    }


@pytest.fixture(scope="session")
def artifacts_dir():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# Helpers shared by the browser tests: they find fields the way a person does, by label.

#: The family page; the browser keeps the form's "#signup-heading" across the redirect.
FAMILY_PAGE = re.compile(r"/r/[A-Za-z0-9_-]+(#signup-heading)?$")


def child_row(page, number: int):
    """The fieldset "Kind <number>" of the sign-up form."""
    return page.get_by_role("group", name=f"Kind {number}", exact=True)


def fill_child(page, number: int, first_name: str, age: int | str) -> None:
    row = child_row(page, number)
    row.get_by_label("Vorname des Kindes").fill(first_name)
    row.get_by_label("Alter").fill(str(age))


def consent_checkbox(page):
    return page.get_by_role("checkbox", name="Ich bin sorgeberechtigt")


def submit_button(page):
    """The visible "Jetzt anmelden"; the hidden default button before it has no role here."""
    return page.get_by_role("button", name="Jetzt anmelden", exact=True)


def sign_up(page, slug: str, children=(("Amira", 9),), phone="0151 23456789") -> str:
    """Register children through the form, as a family would; return the family page's URL."""
    page.goto(f"/w/{slug}")
    for number, (first_name, age) in enumerate(children, start=1):
        if number > 1:
            page.get_by_role("button", name="Noch ein Kind anmelden").click()
        fill_child(page, number, first_name, age)
    page.get_by_label("Telefon (Handy)").fill(phone)
    consent_checkbox(page).check()
    submit_button(page).click()
    expect(page).to_have_url(FAMILY_PAGE)
    return page.url


WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
SCRIPT = re.compile(r"<script\b.*?</script>", re.S | re.I)
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": list(WCAG_TAGS)},
    "resultTypes": ["violations"],
}


@pytest.fixture(scope="session")
def axe():
    """axe-core, bundled with axe-playwright-python: it scans offline."""
    return Axe()


def describe(violations: list[dict]) -> str:
    """Say what is wrong, why it matters and where, so the report can be acted on."""
    lines = []
    for violation in violations:
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']}\n"
            f"  {violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            lines.append(f"  - {' '.join(map(str, node['target']))}: {node['html']}")
            if node.get("failureSummary"):
                lines.append("    " + node["failureSummary"].replace("\n", "\n    "))
    return "\n".join(lines)


def assert_accessible(axe, page) -> None:
    """Scan what the page shows now with axe-core, in a twin page that runs JavaScript.

    In a context without JavaScript the page's timers never fire, and axe waits on them
    for ever on some pages; so the twin gets the same markup (scripts removed, so it stays
    the page a browser without JavaScript shows) on the same origin, with the same styles.
    """
    twin_context = page.context.browser.new_context(
        viewport=page.viewport_size, locale="de-DE", java_script_enabled=True
    )
    try:
        twin = twin_context.new_page()
        origin = re.match(r"https?://[^/]+", page.url).group(0)
        twin.goto(f"{origin}/healthz")
        twin.set_content(SCRIPT.sub("", page.content()), wait_until="load")
        results = axe.run(twin, options=AXE_OPTIONS)
    finally:
        twin_context.close()
    violations = [
        violation
        for violation in results.response["violations"]
        if set(violation["tags"]) & set(WCAG_TAGS)
    ]
    assert not violations, f"axe found on {page.url}:\n{describe(violations)}"
