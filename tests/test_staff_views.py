"""Staff accounts: log in and out, throttling, passwords, reset links, the dashboard."""

import re
from datetime import timedelta

import sqlalchemy as sa

from signup.extensions import db
from signup.models_base import utcnow
from signup.staff import services
from signup.staff.models import AuditEntry, LoginThrottle, Role, StaffUser
from tests.factories import (
    STAFF_PASSWORD,
    create_organisation,
    create_workshop,
    register,
)
from tests.factories import (
    csrf_token as csrf,
)
from tests.factories import (
    log_in as staff_login,
)

PASSWORD = STAFF_PASSWORD


def make_user(email="ana@ki.example", role=Role.ORGANISER, organisation=None, password=PASSWORD):
    organisation = organisation or create_organisation("KI Bottrop")
    user = services.create_user(db.session, email, "Ana", password, organisation, role)
    db.session.commit()
    return user


def log_in(client, email="ana@ki.example", password=PASSWORD):
    return staff_login(client, email, password)


def test_staff_pages_send_anonymous_visitors_to_the_login(client):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login?next=")


def test_login_with_the_right_password_opens_the_dashboard(client):
    make_user()
    response = log_in(client)
    assert response.headers["Location"] == "/staff/"
    html = client.get("/staff/").get_data(as_text=True)
    assert "Übersicht" in html and "Abmelden (Ana)" in html


def test_login_follows_next_only_within_the_site(client):
    make_user()
    data = {"email": "ana@ki.example", "password": PASSWORD, "csrf_token": csrf(client)}
    assert (
        client.post("/staff/login?next=//evil.example/x", data=data).headers["Location"]
        == "/staff/"
    )


def test_wrong_password_says_so_without_telling_which_part(client):
    make_user()
    response = log_in(client, password="wrong password")
    assert response.status_code == 401
    assert "E-Mail oder Passwort stimmen nicht." in response.get_data(as_text=True)
    assert 'value="ana@ki.example"' in response.get_data(as_text=True)
    assert 'value="wrong password"' not in response.get_data(as_text=True)


def test_repeated_failures_slow_down_and_then_block(client):
    make_user()
    for _ in range(services.FREE_FAILURES):
        assert log_in(client, password="nope").status_code == 401
    assert log_in(client, password="nope").status_code == 401  # the fourth sets a wait
    blocked = log_in(client)  # even the right password waits now
    assert blocked.status_code == 429
    assert "Zu viele Versuche. Bitte warten Sie bis" in blocked.get_data(as_text=True)


def test_blocks_grow_but_never_beyond_fifteen_minutes(app):
    keys = services.throttle_keys("x@y.z", "10.0.0.1")
    now = utcnow()
    for _ in range(30):
        services.record_failure(db.session, keys, now)
    throttle = db.session.get(LoginThrottle, keys[0])
    assert throttle.locked_until - now == services.LONGEST_BLOCK


def test_a_quiet_hour_forgets_old_failures(app):
    keys = services.throttle_keys("x@y.z", None)
    long_ago = utcnow() - timedelta(hours=2)
    for _ in range(5):
        services.record_failure(db.session, keys, long_ago)
    services.record_failure(db.session, keys)
    assert db.session.get(LoginThrottle, keys[0]).failures == 1


def test_logout_is_a_post_only(client):
    make_user()
    log_in(client)
    assert client.get("/staff/logout").status_code == 405
    token = csrf(client, "/staff/")
    client.post("/staff/logout", data={"csrf_token": token})
    assert client.get("/staff/").status_code == 302


def test_inactive_accounts_cannot_log_in(client):
    user = make_user()
    user.active = False
    db.session.commit()
    assert log_in(client).status_code == 401


def test_password_is_stored_as_a_salted_hash(app):
    user = make_user()
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))
    assert user.check_password(PASSWORD) and not user.check_password(PASSWORD + "x")


def test_change_password_checks_the_old_one_and_the_length(client):
    make_user()
    log_in(client)
    token = csrf(client, "/staff/password")
    short = client.post(
        "/staff/password",
        data={"csrf_token": token, "current": PASSWORD, "password": "short", "confirm": "short"},
    )
    assert "Das Passwort braucht mindestens 10 Zeichen." in short.get_data(as_text=True)
    wrong = client.post(
        "/staff/password",
        data={
            "csrf_token": token,
            "current": "nope",
            "password": "a much longer one",
            "confirm": "a much longer one",
        },
    )
    assert "Das bisherige Passwort stimmt nicht." in wrong.get_data(as_text=True)
    ok = client.post(
        "/staff/password",
        data={
            "csrf_token": token,
            "current": PASSWORD,
            "password": "a much longer one",
            "confirm": "a much longer one",
        },
    )
    assert ok.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(StaffUser)).check_password("a much longer one")


def test_organiser_makes_a_one_time_reset_link_for_a_colleague(app, client):
    organisation = create_organisation("KI Bottrop")
    make_user(organisation=organisation)
    colleague = make_user("ben@ki.example", Role.ASSISTANT, organisation)
    log_in(client)
    page = client.get("/staff/colleagues").get_data(as_text=True)
    assert "ben@ki.example" in page
    token = csrf(client, "/staff/colleagues")
    shown = client.post(f"/staff/colleagues/{colleague.id}/reset", data={"csrf_token": token})
    link = re.search(r"/staff/reset/[A-Za-z0-9_-]+", shown.get_data(as_text=True)).group(0)
    assert db.session.scalar(sa.select(AuditEntry.action)) == "reset_link"

    other_browser = app.test_client()
    form = csrf(other_browser, link)
    response = other_browser.post(
        link,
        data={"csrf_token": form, "password": "brand new secret", "confirm": "brand new secret"},
    )
    assert response.headers["Location"] == "/staff/login"
    assert other_browser.get(link).status_code == 404  # only once
    db.session.expire_all()
    assert db.session.get(StaffUser, colleague.id).check_password("brand new secret")


def test_reset_links_expire(app):
    user = make_user()
    token = services.issue_reset_link(db.session, user, now=utcnow() - timedelta(days=2))
    assert services.user_for_reset(db.session, token) is None


def test_assistants_and_strangers_cannot_make_reset_links(app, client):
    organisation = create_organisation("KI Bottrop")
    make_user("boss@ki.example", Role.ORGANISER, organisation)
    make_user("ana@ki.example", Role.ASSISTANT, organisation)
    stranger = make_user("eve@other.example", Role.ORGANISER, create_organisation("Other"))
    log_in(client)
    assert client.get("/staff/colleagues").status_code == 403
    other = app.test_client()
    log_in(other, "eve@other.example")
    token = csrf(other, "/staff/colleagues")
    boss = db.session.scalar(sa.select(StaffUser).filter_by(email="boss@ki.example"))
    assert (
        other.post(f"/staff/colleagues/{boss.id}/reset", data={"csrf_token": token}).status_code
        == 404
    )
    assert stranger.reset_token_hash is None


def test_dashboard_shows_only_the_own_organisations_workshops_with_figures(client):
    mine = create_organisation("KI Bottrop")
    shared_partner = create_organisation("zdi Bottrop")
    make_user(organisation=mine)
    own = create_workshop(texts={"de": "KI4U"}, capacity=1, organisations=[mine, shared_partner])
    create_workshop(texts={"de": "Fremder Workshop"})
    register(own, "Amira")
    register(own, "Jonas")
    log_in(client)
    html = client.get("/staff/").get_data(as_text=True)
    assert "KI4U" in html and "Fremder Workshop" not in html
    assert "1 / 1" in html  # places taken / places
    assert re.search(r"<td>1</td>\s*<td>0</td>", html)  # one waiting, no slip missing


def test_user_create_command_makes_the_first_account(runner):
    result = runner.invoke(
        args=[
            "user",
            "create",
            "--email",
            "First@KI.example",
            "--name",
            "Ana",
            "--organisation",
            "ki",
            "--organisation-name",
            "KI Bottrop",
            "--role",
            "organiser",
        ],
        input="a long password\na long password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(StaffUser))
    assert user.email == "first@ki.example" and user.memberships[0].role == Role.ORGANISER
    again = runner.invoke(
        args=[
            "user",
            "create",
            "--email",
            "first@ki.example",
            "--name",
            "A",
            "--password",
            "another long one",
        ]
    )
    assert again.exit_code != 0 and "already an account" in again.output
    short = runner.invoke(
        args=["user", "create", "--email", "b@ki.example", "--name", "B", "--password", "short"]
    )
    assert short.exit_code != 0 and "at least 10" in short.output
