"""The Content-Security-Policy in a real browser: no page breaks it, no page asks another site.

Chromium reports each violation as a `securitypolicyviolation` event and a console message;
an init script (which the policy does not govern) collects the events. Every request a page
makes must stay on the app's own origin: no CDN, no font, no analytics.
"""

import itertools
import re
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import expect

from signup.extensions import db
from signup.registrations.models import ConsentPurpose
from signup.staff.models import Role
from signup.staff.services import issue_reset_link
from tests.browser.conftest import FAMILY_PAGE, consent_checkbox, fill_child, submit_button
from tests.factories import (
    STAFF_PASSWORD,
    create_organisation,
    create_staff,
    create_workshop,
    register,
)

pytestmark = pytest.mark.browser

_numbers = itertools.count(1)
#: Addresses that answer no HTML page: the health check (JSON) and the stylesheets.
NOT_HTML = {"core.check_health", "static"}
COLLECT_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}`);
});
"""


@dataclass
class Watch:
    """What the browser reported while the pages loaded."""

    origin: str
    console: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    pages: int = 0

    def check(self, page) -> None:
        """The page that is open broke no rule of the policy and asked only its own site."""
        expect(page.locator("h1")).to_be_visible()
        violations = page.evaluate("window.__violations")
        assert not violations, (page.url, violations)
        policy = [m for m in self.console if "Content Security Policy" in m or "Refused" in m]
        assert not policy, (page.url, policy)
        foreign = [url for url in self.requests if not self.own(url)]
        assert not foreign, (page.url, foreign)
        self.pages += 1

    def own(self, url: str) -> bool:
        return url == self.origin or url.startswith(self.origin + "/") or url.startswith("data:")


@pytest.fixture
def watch(page, live_server) -> Watch:
    watched = Watch(live_server.url)
    page.add_init_script(COLLECT_VIOLATIONS)
    page.on("console", lambda message: watched.console.append(message.text))
    page.on("request", lambda request: watched.requests.append(request.url))
    return watched


@pytest.fixture
def site(live_server) -> dict:
    """A workshop asking everything, a family with a health note and photo consent, an
    organiser and a colleague with a password link: the values every page's address needs."""
    number = next(_numbers)
    with live_server.app.app_context():
        organisation = create_organisation(f"KI Richtlinie {number}")
        email = f"csp{number}@ki.example"
        # An instance administrator too, so the network view is among the pages checked.
        create_staff(organisation, Role.ORGANISER, email).is_admin = True
        colleague = create_staff(organisation, Role.ASSISTANT, f"csp-k{number}@ki.example")
        workshop = create_workshop(
            organisations=[organisation],
            optional_fields="surname,gender,school,school_year,health,pickup",
        )
        consents = {ConsentPurpose.PARTICIPATION, ConsentPurpose.PHOTO_WEBSITE}
        result = register(workshop, "Amira", consents=consents)
        registration = result.registration
        registration.participants[0].health_notes = "Erdnussallergie"
        values = {
            "email": email,
            "slug": workshop.slug,
            "token": result.token,
            "reset_token": issue_reset_link(db.session, colleague),
            "workshop_id": workshop.id,
            "date_id": workshop.dates[0].id,
            "registration_id": registration.id,
            "user_id": colleague.id,
            "membership_id": colleague.memberships[0].id,
            "organisation_id": organisation.id,
            "code": registration.checkin_code,
        }
        db.session.commit()
        db.session.remove()
    return values


def html_pages(app, values: dict) -> list[str]:
    """The address of every page the app answers with HTML (no PDF, export or stylesheet)."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in NOT_HTML or "." in rule.rule:
            continue
        arguments = dict(values, token=values["reset_token"]) if "reset" in rule.rule else values
        missing = rule.arguments - set(arguments)
        assert not missing, f"teach this test the argument(s) {missing} of {rule.rule}"
        url = rule.build({name: arguments[name] for name in rule.arguments})[1]
        urls.append(url + ("?family_language=ar" if rule.endpoint.startswith("assisted.") else ""))
    return sorted(urls)


def test_public_pages_keep_the_policy_and_ask_no_other_site(page, watch, site):
    page.goto("/")
    watch.check(page)
    page.goto(f"/w/{site['slug']}?lang=ar")
    watch.check(page)

    page.goto(f"/w/{site['slug']}?lang=de")  # the language chosen last is remembered
    fill_child(page, 1, "Lina", 9)
    consent_checkbox(page).check()
    submit_button(page).click()  # no phone, no e-mail: the form comes back with the error
    expect(page.locator(".error-summary, .error").first).to_be_visible()
    watch.check(page)

    page.get_by_label("Telefon (Handy)").fill("0151 23456789")
    submit_button(page).click()
    expect(page).to_have_url(FAMILY_PAGE)
    watch.check(page)
    page.goto("/w/no-such-workshop")
    watch.check(page)
    assert watch.pages == 5
    assert len(watch.requests) >= watch.pages


def test_every_page_keeps_the_policy_and_asks_no_other_site(page, watch, site, live_server):
    """Every HTML page of the app, public and staff, as a logged-in organiser."""
    page.goto("/staff/login")
    watch.check(page)
    page.get_by_label("E-Mail").fill(site["email"])
    page.get_by_label("Passwort").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page).to_have_url(re.compile(r"/staff/$"))
    urls = html_pages(live_server.app, site)
    for url in urls:
        response = page.goto(url)
        assert response.ok, (url, response.status)
        watch.check(page)
    assert len(urls) >= 30
