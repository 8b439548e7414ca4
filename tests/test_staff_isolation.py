"""Staff of one organisation never see, guess or change anything of another's.

Walks every staff URL that names an object (workshop, date, registration, colleague, code)
of organisation A, by GET and by POST with a valid CSRF token, as a member of organisation B
and as an anonymous visitor.
"""

import pytest
import sqlalchemy as sa

from signup.extensions import db
from signup.registrations.models import Registration
from signup.staff.models import Role
from tests.factories import (
    create_organisation,
    create_staff,
    create_workshop,
    csrf_token,
    failed_message,
    log_in,
    register,
)

PUBLIC_STAFF_ENDPOINTS = {"staff.login", "staff.logout", "staff.reset_password"}


@pytest.fixture
def organisation_a(app):
    organisation = create_organisation("KI A")
    create_staff(organisation, Role.ORGANISER, "a@a.example", name="A")
    workshop = create_workshop(organisations=[organisation], capacity=1, optional_fields="health")
    result = register(workshop, "Amira")
    register(workshop, "Jonas")  # waiting, so move-up routes have a target
    registration = db.session.get(Registration, result.registration.id)
    values = {
        "workshop_id": workshop.id,
        "date_id": workshop.dates[0].id,
        "registration_id": registration.id,
        "participant_id": registration.participants[0].id,
        "user_id": registration.workshop.organisations[0].memberships[0].user_id,
        "membership_id": registration.workshop.organisations[0].memberships[0].id,
        "organisation_id": organisation.id,
        "code": registration.checkin_code,
        "format": "csv",
        "message_id": failed_message(registration).id,
    }
    db.session.commit()
    return values


def staff_routes(app):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/staff") or rule.endpoint in PUBLIC_STAFF_ENDPOINTS:
            continue
        if rule.arguments:
            yield rule


def url_for_rule(rule, values):
    missing = rule.arguments - set(values)
    assert not missing, f"teach this test the argument(s) {missing} of {rule.rule}"
    return rule.build({name: values[name] for name in rule.arguments})[1]


def test_the_matrix_covers_the_staff_area(app):
    assert len(list(staff_routes(app))) >= 2


def test_other_organisation_gets_not_found_or_forbidden_everywhere(app, organisation_a):
    create_staff(create_organisation("KI B"), Role.ORGANISER, "b@b.example", name="B")
    client = app.test_client()
    assert log_in(client, "b@b.example").status_code == 302
    token = csrf_token(client, "/staff/password")
    before = snapshot()
    for rule in staff_routes(app):
        url = url_for_rule(rule, organisation_a)
        for method in {"GET", "POST"} & rule.methods:
            response = client.open(url, method=method, data={"csrf_token": token})
            assert response.status_code in {403, 404}, (method, url, response.status_code)
    assert snapshot() == before


def test_anonymous_visitors_are_sent_to_the_login_everywhere(app, organisation_a):
    client = app.test_client()
    token = csrf_token(client, "/staff/login")
    before = snapshot()
    for rule in staff_routes(app):
        url = url_for_rule(rule, organisation_a)
        for method in {"GET", "POST"} & rule.methods:
            response = client.open(url, method=method, data={"csrf_token": token})
            assert response.status_code == 302, (method, url, response.status_code)
            assert response.headers["Location"].startswith("/staff/login")
    assert snapshot() == before


def snapshot():
    """Everything a request could have changed, as plain values."""
    db.session.rollback()
    tables = [t for t in db.metadata.sorted_tables if t.name not in {"login_throttles"}]
    return {
        table.name: sorted(map(tuple, db.session.execute(sa.select(table)).all()), key=repr)
        for table in tables
    }
