"""The public path in every shipped language: direction, translated text, no German left over."""

import gzip
import html as html_lib
import re
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from signup.i18n import LANGUAGES, RTL_LANGUAGES
from tests.factories import create_workshop, form_fields, register, signup_data

ROOT = Path(__file__).resolve().parent.parent
FOREIGN = [code for code in LANGUAGES if code != "de"]
#: One TCP initial window (10 segments of 1,460 bytes), rounded down.
PAGE_BUDGET = 14 * 1024
GERMAN_ONLY = re.compile(r'<(\w+)[^>]*\blang="de"[^>]*>.*?</\1>', re.DOTALL)


@cache
def catalog(language: str) -> dict[str, str]:
    with (ROOT / "translations" / language / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id and isinstance(m.id, str)}


def german_leftovers(german_page: str, page: str, language: str) -> list[str]:
    """Return German interface sentences of `german_page` that `page` still shows untranslated."""
    page = html_lib.unescape(GERMAN_ONLY.sub("", page))
    german_page = html_lib.unescape(german_page)
    translations = "\n".join(catalog(language).values())
    leftovers = []
    for msgid, translation in catalog(language).items():
        if "%" in msgid or len(msgid) < 4 or translation == msgid:
            continue
        pattern = re.compile(r"(?<!\w)" + re.escape(msgid) + r"(?!\w)")
        # A word both languages share ("Telefon" in Albanian, Turkish, Polish) is no leftover.
        if pattern.search(german_page) and pattern.search(page):
            if not pattern.search(translations):
                leftovers.append(msgid)
    return leftovers


def pages(client, workshop) -> dict[str, str]:
    """Render the public pages of the path, in whatever language the client has chosen."""
    family = client.post(f"/w/{workshop.slug}", data=signup_data(client, workshop))
    location = family.headers["Location"]
    errors = client.post(f"/w/{workshop.slug}", data=form_fields(client, workshop.slug))
    assert errors.status_code == 422
    return {
        "start": client.get("/").get_data(as_text=True),
        "workshop": client.get(f"/w/{workshop.slug}").get_data(as_text=True),
        "errors": errors.get_data(as_text=True),
        "family": client.get(location).get_data(as_text=True),
        "cancel": client.get(f"{location}/cancel").get_data(as_text=True),
        "missing": client.get("/w/no-such-workshop").get_data(as_text=True),
    }


@pytest.fixture
def german_pages(app):
    workshop = create_workshop(texts={"de": "Roboter bauen"}, days=[date(2031, 4, 14)])
    register(workshop, "Amira")
    client = app.test_client()
    client.get("/?lang=de")
    return workshop, pages(client, workshop)


@pytest.mark.parametrize("language", FOREIGN)
def test_public_path_speaks_the_language(app, german_pages, language):
    workshop, german = german_pages
    client = app.test_client()
    client.get(f"/?lang={language}")
    direction = "rtl" if language in RTL_LANGUAGES else "ltr"
    site_name = catalog(language)["MINT-Workshops"]
    for name, page in pages(client, workshop).items():
        assert f'<html lang="{language}" dir="{direction}">' in page, name
        assert f"– {html_lib.escape(site_name)}</title>" in page, name
        assert not german_leftovers(german[name], page, language), (name, language)


@pytest.mark.parametrize("language", FOREIGN)
def test_form_errors_are_in_the_language(app, client, language):
    workshop = create_workshop(min_age=10, max_age=14)
    client.get(f"/?lang={language}")
    data = signup_data(
        client,
        workshop,
        children=[("", "zehn")],
        phone="12",
        email="x@",
        consent_participation=None,
    )
    html = client.post(f"/w/{workshop.slug}", data=data).get_data(as_text=True)
    messages = catalog(language)
    for msgid in (
        "Bitte geben Sie den Vornamen an.",
        "Bitte geben Sie das Alter als Zahl ein.",
        "Diese Telefonnummer stimmt nicht. Bitte prüfen Sie die Nummer.",
        "Diese E-Mail-Adresse stimmt nicht. Bitte prüfen Sie die Adresse.",
        "Ohne Ihr Einverständnis zur Teilnahme geht es leider nicht.",
    ):
        assert html_lib.escape(messages[msgid], quote=False) in html
    assert 'value="zehn"' in html


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", "Montag, 14. April 2031"),
        ("tr", "14 Nisan 2031 Pazartesi"),
        ("uk", "понеділок, 14 квітня 2031\u202fр."),
        ("ar", "الاثنين، 14 أبريل 2031"),
        ("ku", "duşem, 14ê nîsana 2031an"),
        ("en", "Monday, April 14, 2031"),
    ],
)
def test_dates_are_written_the_way_the_language_writes_them(client, language, expected):
    workshop = create_workshop(days=[date(2031, 4, 14)])
    html = client.get(f"/w/{workshop.slug}?lang={language}").get_data(as_text=True)
    assert expected in html
    assert "10:30" in html and "14:30" in html  # 24-hour times in every language
    assert not re.search(r"\b\d{1,2}:\d\d\s?[AP]M\b", html)  # not "2:30 PM"
    assert "2:30" not in html.replace("12:30", "")


@pytest.mark.parametrize("language", LANGUAGES)
def test_workshop_page_fits_one_tcp_window_in_every_language(client, language):
    workshop = create_workshop(texts={"de": "Roboter bauen mit dem Calliope"})
    headers = {"Accept-Encoding": "gzip"}
    page = client.get(f"/w/{workshop.slug}?lang={language}", headers=headers)
    css = client.get("/static/style.css", headers=headers)
    assert page.headers["Content-Encoding"] == "gzip"
    assert len(gzip.decompress(page.data)) > len(page.data)
    total = len(page.data) + len(css.data)
    css.close()
    assert total <= PAGE_BUDGET, f"{language}: {total} bytes in two requests"


def test_german_consent_master_is_offered_beside_the_translation(client):
    workshop = create_workshop()
    html = client.get(f"/w/{workshop.slug}?lang=ar").get_data(as_text=True)
    assert '<p lang="de" dir="ltr">Ich bin sorgeberechtigt.' in html
    german = client.get(f"/w/{workshop.slug}?lang=de").get_data(as_text=True)
    assert 'lang="de" dir="ltr">Ich bin sorgeberechtigt' not in german


def test_registration_keeps_the_language_the_family_used(client):
    from signup.extensions import db
    from signup.registrations.models import Registration

    workshop = create_workshop()
    client.get("/?lang=fa")
    client.post(f"/w/{workshop.slug}", data=signup_data(client, workshop))
    registration = db.session.query(Registration).one()
    assert registration.language == "fa"
    assert {consent.language for consent in registration.consents} == {"fa"}


def test_choice_in_the_url_beats_the_cookie_and_the_cookie_beats_the_browser(client):
    client.get("/?lang=tr")
    assert '<html lang="tr"' in client.get("/", headers={"Accept-Language": "ru"}).get_data(
        as_text=True
    )
    assert '<html lang="pl"' in client.get("/?lang=pl").get_data(as_text=True)


def test_rtl_pages_keep_phone_numbers_left_to_right(client):
    workshop = create_workshop()
    html = client.get(f"/w/{workshop.slug}?lang=ar").get_data(as_text=True)
    assert re.search(r'<input type="tel"[^>]*dir="ltr"', html)
    assert re.search(r'<input type="email"[^>]*dir="ltr"', html)


def test_addresses_and_names_keep_their_order_in_rtl(client):
    workshop = create_workshop(place_address="Hauptstraße 1\n46236 Bottrop")
    html = client.get(f"/w/{workshop.slug}?lang=fa").get_data(as_text=True)
    assert "<bdi>46236 Bottrop</bdi>" in html
    assert "<bdi>Schülerlabor</bdi>" in html
