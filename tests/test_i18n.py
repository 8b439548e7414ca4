"""Every shipped catalog is complete and current; the language is chosen as promised."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from signup.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = sorted((ROOT / "translations").glob("*/LC_MESSAGES/messages.po"))
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


def load(path):
    with path.open("rb") as fh:
        return read_po(fh)


@pytest.fixture(scope="module")
def source_messages(tmp_path_factory):
    """Extract the messages from the code as it is now."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "--ignore-dirs=.*",  # Babel skips _macros/ by default
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-o",
            str(pot),
            "--no-location",
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return {message.id for message in load(pot) if message.id}


def test_every_language_but_the_source_ships_a_catalog():
    assert {path.parts[-3] for path in CATALOGS} == set(LANGUAGES) - {"de"}


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.parts[-3])
def test_catalog_is_complete_and_not_fuzzy(path):
    catalog = load(path)
    untranslated, fuzzy = [], []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            untranslated.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert not untranslated, f"untranslated in {path.parts[-3]}: {untranslated}"
    assert not fuzzy, f"fuzzy in {path.parts[-3]}: {fuzzy}"


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.parts[-3])
def test_catalog_has_every_message_of_the_code(path, source_messages):
    catalog_ids = {message.id for message in load(path) if message.id}
    missing = {m if isinstance(m, str) else m[0] for m in source_messages - catalog_ids}
    assert not missing, f"run `make update-catalogs` and translate: {sorted(missing)}"


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.parts[-3])
def test_placeholders_match_the_source(path):
    for message in load(path):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = sorted(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            found = sorted(PLACEHOLDER.findall(string))
            # A singular form may name the number in words ("one place"), never invent another.
            assert set(found) <= set(expected) and (len(strings) > 1 or found == expected), (
                f"{path.parts[-3]}: {message.id!r} -> {string!r}"
            )


def test_lang_parameter_sets_and_remembers_the_language(client):
    response = client.get("/?lang=en")
    assert '<html lang="en" dir="ltr">' in response.get_data(as_text=True)
    assert "lang=en" in response.headers["Set-Cookie"]
    assert '<html lang="en"' in client.get("/").get_data(as_text=True)


def test_browser_language_decides_without_a_choice(client):
    html = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en"' in html


def test_german_is_the_fallback(client):
    html = client.get("/", headers={"Accept-Language": "xx, zz;q=0.5"}).get_data(as_text=True)
    assert '<html lang="de" dir="ltr">' in html


@pytest.mark.parametrize(
    "code", ["zz", "", "../../etc", "de\x00", "e" * 500, "%ff", "en-US-x-evil"]
)
def test_odd_language_codes_fall_back_quietly(client, code):
    response = client.get("/", query_string={"lang": code})
    assert response.status_code == 200
    if code != "en-US-x-evil":
        assert '<html lang="de"' in response.get_data(as_text=True)


def test_language_switcher_names_each_language_in_itself(client):
    html = client.get("/w/nothing-here").get_data(as_text=True)
    assert ">Deutsch<" in html and ">English<" in html
    assert 'href="/w/nothing-here?lang=en"' in html
