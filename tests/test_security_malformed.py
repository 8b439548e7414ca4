"""Malformed requests against every URL and form, counted: ids too big for the database,
bytes that are not UTF-8, NUL bytes, JSON where a form is expected, repeated keys. Each gets
an answer, never a 500. The figures are in SECURITY.md."""

import re

import pytest

from tests.factories import csrf_token
from tests.hostile import cheap_passwords, count, post_form, print_tally  # noqa: F401
from tests.test_security_attacks import (
    assert_friendly,
    make_world,
    organiser_client,
    routes,
    url_for_rule,
)
from tests.test_staff_isolation import snapshot

HUGE = "99999999999999999999"


@pytest.fixture
def world(app):
    return make_world()


#: Path segments in place of an id, slug, token or code.
BAD_SEGMENTS = [HUGE, "9" * 5000, "-1", "0", "%FF%FE", "%ED%A0%80", "%00", "%E2%80%AE", "x" * 300]
#: Query strings on every page: broken UTF-8 and NUL; huge numbers and repeated keys.
BAD_QUERIES = [
    "q=%FF%FE&lang=%FF&page=%00&state=%FF&language=%00&family_language=%FF&next=%FF"
    "&participant=%00&layout=%FF&channel=%00&slip=%ED%A0%80",
    f"q=a&q=b&page={HUGE}&participant={HUGE}&language=de&language=ar&lang=de&lang=ar"
    "&state=confirmed&state=waiting&layout=poster&layout=x&family_language=de&family_language=x",
]
#: Field names of every form in the app, filled with hostile values.
FIELD_NAMES = [
    "children-0-first_name",
    "children-0-age",
    "children-0-gender",
    "phone",
    "email",
    "consent_participation",
    "photo_consents",
    "submission_id",
    "consent_channel",
    "text",
    "first_name",
    "age",
    "consent",
    "present",
    "status",
    "confirm",
    "role",
    "display_name",
    "organisation",
    "group_name",
    "headcount",
    "youngest_age",
    "language",
    "password",
    "current",
    "received",
    "token",
    "participant",
    "code",
    "text_de-title",
    "dates-0-day",
    "capacity",
    "organisations",
]
BAD_VALUES = {
    "invalid UTF-8": b"Ami\xff\xfera",
    "encoded surrogate": b"\xed\xa0\x80",
    "NUL": b"a\x00b",
    "huge number": HUGE.encode(),
    "negative number": b"-1",
}


def raw_path(rule, values: dict, bad: dict) -> str:
    """The rule's path with real values, and the `bad` ones put in as they are."""
    path = rule.rule
    for name in rule.arguments:
        value = bad.get(name, values.get(name))
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(value), path)
    return path


def expected_for_bad_segment(rule) -> set[int]:
    if rule.endpoint == "staff.logout":  # takes no argument: it logs out
        return {302}
    if rule.endpoint == "registrations.show_known_registration":  # a note with a link back
        return {200, 404}
    return {404}


def test_bad_path_segments_are_not_found_never_a_crash(app, world):
    client = organiser_client(app)
    token = csrf_token(client, "/staff/password")
    before = snapshot()
    for rule in routes(app, "GET") + routes(app, "POST"):
        for name in rule.arguments - {"filename", "format"}:
            # Routing refuses anything but digits for an id before a view runs.
            numeric = rule._converters[name].regex == r"\d+"
            for segment in BAD_SEGMENTS[:4] if numeric else BAD_SEGMENTS:
                values = {**world, "token": world["reset_token"]}
                if rule.endpoint != "staff.reset_password":
                    values["token"] = world["token"]
                path = raw_path(rule, values, {name: segment})
                method = "GET" if "GET" in rule.methods else "POST"
                response = client.open(path, method=method, data={"csrf_token": token})
                assert_friendly(response, *expected_for_bad_segment(rule))
                count("bad path segments", str(response.status_code))
    assert snapshot() == before


def test_bad_query_strings_get_an_answer_never_a_crash(app, world):
    client = organiser_client(app)
    for rule in routes(app, "GET"):
        path = url_for_rule(rule, world)
        for query in BAD_QUERIES:
            response = client.get(f"{path}?{query}")
            assert_friendly(response, 200, 302, 304, 400, 404)
            count("bad query strings", str(response.status_code))


def bad_bodies(token: str):
    """Form bodies where each field gets each bad value first, then the others repeated."""
    values = list(BAD_VALUES.values())
    for turn in range(len(values)):
        pairs = [("csrf_token", token)]
        for index, name in enumerate(FIELD_NAMES):
            start = (index + turn) % len(values)
            pairs += [(name, value) for value in values[start:] + values[:start]]
        yield "form", pairs
    yield "json", {name: [v.decode("utf-8", "replace") for v in values] for name in FIELD_NAMES}
    yield "json", {name: 10**30 for name in FIELD_NAMES}


def test_bad_bodies_get_an_answer_never_a_crash(app, world):
    client = organiser_client(app)
    token = csrf_token(client, "/staff/password")
    for rule in routes(app, "POST"):
        url = url_for_rule(rule, world)
        if rule.endpoint.startswith("assisted."):
            url += "?family_language=de"
        for kind, body in bad_bodies(token):
            if kind == "json":
                response = client.post(url, json=body, headers={"X-CSRFToken": token})
            else:
                response = post_form(client, url, body)
            assert_friendly(response, 200, 302, 400, 401, 404, 409, 422, 429)
            count(f"bad bodies ({kind})", str(response.status_code))
