"""E-mail to families against a real SMTP server (aiosmtpd on 127.0.0.1): what arrives, in
which language, with which link and calendar; a server that is down; retries; reminders."""

import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import icalendar
import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from signup.extensions import db
from signup.i18n import _
from signup.mail import outbox, sender
from signup.mail.models import MailKind, MailStatus, OutboxMessage
from signup.registrations.models import Registration
from signup.staff.models import AuditEntry, Organisation
from signup.workshops import services as workshop_services
from signup.workshops.models import WorkshopStatus, WorkshopText
from tests.factories import (
    cancel,
    create_staff,
    create_workshop,
    csrf_token,
    form_fields,
    log_in,
    register,
    write_transaction,
)
from tests.smtp import SmtpServer, free_port

BERLIN = ZoneInfo("Europe/Berlin")
BASE_URL = "https://signup.example"


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


def configure_mail(app, port: int) -> None:
    app.config.update(
        SIGNUP_MAIL_HOST="127.0.0.1",
        SIGNUP_MAIL_PORT=port,
        SIGNUP_MAIL_SECURITY="none",
        SIGNUP_MAIL_FROM="signup@ki.example",
        SIGNUP_MAIL_TIMEOUT=5,
        SIGNUP_BASE_URL=BASE_URL,
    )


@pytest.fixture
def inbox(app, smtp):
    configure_mail(app, smtp.port)
    return smtp.inbox


def send_mail(runner, now: datetime | None = None) -> str:
    db.session.commit()
    args = ["send-mail"] + (["--now", now.isoformat()] if now else [])
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result.output


def run_at_once(app, database_url: str, smtp, processes: int, *command: str) -> list[str]:
    """Start the `signup` command in several processes together; return their outputs."""
    environment = os.environ | {
        "SIGNUP_DATABASE_URL": database_url,
        "SIGNUP_SECRET_KEY": app.config["SECRET_KEY"],
        "SIGNUP_MAIL_HOST": "127.0.0.1",
        "SIGNUP_MAIL_PORT": str(smtp.port),
        "SIGNUP_MAIL_SECURITY": "none",
        "SIGNUP_BASE_URL": BASE_URL,
    }
    argv = [sys.executable, "-c", "from signup.cli import main; main()", *command]
    runs = [
        subprocess.Popen(argv, env=environment, stdout=subprocess.PIPE, text=True)
        for _ in range(processes)
    ]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0] * processes, outputs
    return outputs


def in_language(language: str, message: str, **params) -> str:
    with force_locale(language):
        return _(message, **params)


def plain_text(message) -> str:
    return message.get_body(("plain",)).get_content()


def html_text(message) -> str:
    return message.get_body(("html",)).get_content()


def calendar_of(message) -> icalendar.Calendar:
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    return icalendar.Calendar.from_ical(attachment.get_payload(decode=True))


def sign_up_online(client, workshop, email: str, lang: str, name: str = "Elif") -> str:
    """Register through the public form in a language; return the family's token."""
    data = form_fields(client, workshop.slug, lang=lang)
    data.update(
        {
            "children-0-first_name": name,
            "children-0-age": "10",
            "email": email,
            "consent_participation": "y",
            "submit": "1",
        }
    )
    response = client.post(f"/w/{workshop.slug}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/r/", 1)[1]


def messages() -> list[OutboxMessage]:
    db.session.expire_all()
    return db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()


@pytest.fixture
def workshop(app):
    return create_workshop(
        capacity=1,
        days=[date.today() + timedelta(days=20), date.today() + timedelta(days=21)],
        texts={"de": "Roboter bauen", "tr": "Robot yapıyoruz"},
    )


def test_confirmation_arrives_in_the_family_language_with_german_link_and_calendar(
    client, runner, inbox, workshop
):
    token = sign_up_online(client, workshop, "Aylin@Example.org", "tr")

    send_mail(runner)

    (message,) = inbox.messages
    assert message["To"] == "aylin@example.org"
    assert message["From"] == "signup@ki.example"
    assert message["Content-Language"] == "tr, de"
    turkish = in_language("tr", "Anmeldung bestätigt: %(title)s", title="Robot yapıyoruz")
    german = in_language("de", "Anmeldung bestätigt: %(title)s", title="Roboter bauen")
    assert turkish != german, "the Turkish catalog has no translation"
    assert message["Subject"] == f"{turkish} / {german}"
    text = plain_text(message)
    thanks_tr = in_language(
        "tr", "Danke für Ihre Anmeldung zum Workshop „%(title)s“.", title="Robot yapıyoruz"
    )
    thanks_de = "Danke für Ihre Anmeldung zum Workshop „Roboter bauen“."
    # The family's language first, German below.
    assert text.index(thanks_tr) < text.index(thanks_de)
    assert "Elif: " + in_language("tr", "Platz sicher") in text
    family_url = f"{BASE_URL}/r/{token}?lang=tr"
    assert family_url in text
    html = html_text(message)
    assert '<div lang="tr" dir="ltr">' in html and '<div lang="de" dir="ltr">' in html
    assert f'href="{family_url}"' in html
    # The link in the mail opens the family's page.
    assert client.get(f"/r/{token}").status_code == 200

    calendar = calendar_of(message)
    events = list(calendar.walk("VEVENT"))
    assert [event.decoded("dtstart") for event in events] == [
        datetime.combine(d.day, time(10, 30), BERLIN) for d in workshop.dates
    ]
    assert all(event.decoded("dtstart").tzinfo.key == "Europe/Berlin" for event in events)
    assert [str(event["summary"]) for event in events] == ["Robot yapıyoruz"] * 2
    assert all(str(event["url"]) == family_url for event in events)
    assert "Schülerlabor" in str(events[0]["location"])
    assert calendar.walk("VTIMEZONE")[0]["tzid"] == "Europe/Berlin"

    (row,) = messages()
    assert row.status == MailStatus.SENT and row.attempts == 1 and row.sent_at is not None


def test_arabic_mail_is_right_to_left_with_german_left_to_right(client, runner, inbox, workshop):
    sign_up_online(client, workshop, "family@example.org", "ar", name="ليلى")
    send_mail(runner)
    (message,) = inbox.messages
    html = html_text(message)
    assert '<div lang="ar" dir="rtl">' in html and '<div lang="de" dir="ltr">' in html
    assert "ليلى" in plain_text(message)


def test_waiting_list_notice_then_a_place_when_another_child_cancels(
    client, runner, inbox, workshop
):
    first = register(workshop, "Mia", email="mia@example.org").registration
    register(workshop, "Noah", email="noah@example.org")
    send_mail(runner)
    (noah,) = inbox.to("noah@example.org")
    assert noah["Subject"] == "Auf der Warteliste: Roboter bauen"
    assert "Noah: Warteliste: Nummer 1" in plain_text(noah)
    assert "Wir schreiben Ihnen dann eine E-Mail." in plain_text(noah)

    cancel(first)
    send_mail(runner)

    promoted = inbox.to("noah@example.org")[1]
    assert promoted["Subject"] == "Ihr Kind hat einen Platz: Roboter bauen"
    assert "Noah: Platz sicher" in plain_text(promoted)
    assert calendar_of(promoted).walk("VEVENT")
    # Mia's family was told nothing more: it cancelled itself.
    assert len(inbox.to("mia@example.org")) == 1


def test_no_address_or_no_mail_server_means_no_mail_and_no_error(app, client, runner, workshop):
    # Mail is off (no SIGNUP_MAIL_HOST): the sign-up works, nothing is queued.
    token = sign_up_online(client, workshop, "off@example.org", "de")
    assert client.get(f"/r/{token}").status_code == 200
    assert messages() == []
    assert "E-mail is off" in send_mail(runner)

    # Mail on, but the family gave a phone number only.
    configure_mail(app, free_port())
    register(workshop, "Ben", phone="+4915112345678")
    assert messages() == []


def test_mail_server_down_keeps_the_registration_and_retries_later(app, client, runner, workshop):
    port = free_port()
    configure_mail(app, port)  # nothing listens there yet
    token = sign_up_online(client, workshop, "aylin@example.org", "de")
    assert client.get(f"/r/{token}").status_code == 200

    now = datetime.now(UTC)
    output = send_mail(runner, now)
    assert "retry later: 1" in output
    (row,) = messages()
    assert row.status == MailStatus.PENDING and row.attempts == 1
    assert row.due_at == now.replace(microsecond=row.due_at.microsecond) or row.due_at > now
    assert row.due_at - now == sender.BACKOFF[0]
    assert "refused" in row.last_error.lower() or "connect" in row.last_error.lower()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 1

    # Too early for the next try: nothing happens, even with the server back.
    server = SmtpServer(port).start()
    try:
        assert "sent: 0" in send_mail(runner, now + timedelta(seconds=30))
        send_mail(runner, now + sender.BACKOFF[0])
        assert len(server.inbox.messages) == 1
        (row,) = messages()
        assert row.status == MailStatus.SENT and row.attempts == 2
        # Sent once: later runs send nothing more.
        send_mail(runner, now + timedelta(hours=1))
        assert len(server.inbox.messages) == 1
    finally:
        server.stop()


def test_every_retry_failing_marks_the_message_failed_for_staff(app, client, runner, workshop):
    configure_mail(app, free_port())
    register(workshop, "Mia", email="mia@example.org")
    moment = datetime.now(UTC)
    for _attempt in range(sender.MAX_ATTEMPTS):
        send_mail(runner, moment)
        (row,) = messages()
        moment = row.due_at
    assert row.status == MailStatus.FAILED and row.attempts == sender.MAX_ATTEMPTS
    assert "failed: 0" in send_mail(runner, moment + timedelta(days=1))


def test_a_refused_address_fails_at_once_and_staff_can_try_again(client, runner, inbox, workshop):
    inbox.refuse.add("typo@example.org")
    register(workshop, "Mia", email="typo@example.org")
    assert "failed: 1" in send_mail(runner)
    (row,) = messages()
    assert row.status == MailStatus.FAILED and row.attempts == 1
    assert row.last_error.startswith("550")
    assert "typo@" not in row.last_error  # no address in what staff read in the log

    staff = create_staff(workshop.organisations[0])
    log_in(client, staff.email)
    page = client.get(f"/staff/workshops/{workshop.id}/messages").get_data(as_text=True)
    assert "nicht zugestellt" in page and "550" in page and "typo@example.org" in page
    inbox.refuse.clear()
    response = client.post(
        f"/staff/workshops/{workshop.id}/messages/{row.id}/retry",
        data={"csrf_token": csrf_token(client, f"/staff/workshops/{workshop.id}/messages")},
    )
    assert response.status_code == 302
    send_mail(runner)
    assert len(inbox.to("typo@example.org")) == 1
    assert messages()[0].status == MailStatus.SENT


def test_reminders_are_queued_once_per_family_and_date(app, runner, inbox):
    days = [date(2027, 3, 10), date(2027, 3, 11)]
    workshop = create_workshop(days=days, capacity=1, texts={"de": "Ozeane"})
    register(workshop, "Mia", email="mia@example.org", language="uk")
    register(workshop, "Noah", email="noah@example.org")  # waiting: no reminder
    cancelled = register(workshop, "Lea", email="lea@example.org").registration
    write_transaction()
    db.session.execute(sa.delete(OutboxMessage))
    db.session.commit()
    cancel(cancelled)

    evening_before = datetime(2027, 3, 9, 18, 0, tzinfo=BERLIN)
    early = datetime(2027, 3, 9, 0, 30, tzinfo=BERLIN)
    assert outbox.queue_reminders(db.session, datetime(2027, 3, 8, 23, 0, tzinfo=BERLIN)) == 0
    assert outbox.queue_reminders(db.session, early) == 1
    db.session.commit()
    for _run in range(3):
        assert outbox.queue_reminders(db.session, evening_before) == 0
    result = runner.invoke(args=["send-reminders", "--now", evening_before.isoformat()])
    assert "reminders queued: 0" in result.output
    (reminder,) = [m for m in messages() if m.kind == MailKind.REMINDER]
    assert reminder.due_at == datetime(2027, 3, 9, 10, 0, tzinfo=BERLIN)

    send_mail(runner, early)
    assert inbox.messages == []  # not before ten in the morning
    send_mail(runner, datetime(2027, 3, 9, 10, 0, tzinfo=BERLIN))
    (message,) = inbox.messages
    assert message["To"] == "mia@example.org"
    ukrainian_day = in_language("uk", "Morgen: %(title)s", title="Ozeane")
    assert message["Subject"] == f"{ukrainian_day} / Morgen: Ozeane"
    text = plain_text(message)
    assert "Mittwoch, 10. März 2027, 10:30–14:30 Uhr" in text
    assert "11. März" not in text  # the reminder names its own date only

    # The next day: the second date's reminder, once.
    assert outbox.queue_reminders(db.session, datetime(2027, 3, 10, 12, 0, tzinfo=BERLIN)) == 1
    db.session.commit()
    assert outbox.queue_reminders(db.session, datetime(2027, 3, 10, 13, 0, tzinfo=BERLIN)) == 0


def test_a_child_cancelled_after_the_reminder_was_queued_gets_none(runner, inbox):
    workshop = create_workshop(days=[date(2027, 5, 4)])
    registration = register(workshop, "Mia", email="mia@example.org").registration
    db.session.execute(sa.delete(OutboxMessage))
    db.session.commit()
    moment = datetime(2027, 5, 3, 12, 0, tzinfo=BERLIN)
    assert outbox.queue_reminders(db.session, moment) == 1
    cancel(registration)
    assert "dropped: 1" in send_mail(runner, moment)
    assert inbox.messages == []
    assert messages()[0].status == MailStatus.DROPPED


def edited(workshop, **changes) -> workshop_services.WorkshopData:
    """The workshop's own settings as staff would post them, with some changed."""
    values = {
        "texts": [workshop_services.Text(t.language, t.title) for t in workshop.texts],
        "place_name": workshop.place_name,
        "place_address": workshop.place_address,
        "capacity": workshop.capacity,
        "min_age": workshop.min_age,
        "max_age": workshop.max_age,
        "dates": [
            workshop_services.Slot(d.day, d.starts_at, d.ends_at, d.id) for d in workshop.dates
        ],
    }
    return workshop_services.WorkshopData(**(values | changes))


def test_families_hear_when_the_workshop_moves_or_is_cancelled(runner, inbox, workshop):
    register(workshop, "Mia", email="mia@example.org")
    register(workshop, "Noah", email="noah@example.org")  # waiting list
    gone = register(workshop, "Lea", email="lea@example.org").registration
    cancel(gone)
    send_mail(runner)
    inbox.received.clear()
    staff = create_staff(workshop.organisations[0])

    # New texts only: nobody is bothered.
    write_transaction()
    texts = [workshop_services.Text("de", "Roboter bauen", summary="Neu: mit Lego")]
    workshop_services.update_workshop(
        db.session, workshop, edited(workshop, texts=texts), actor=staff
    )
    db.session.commit()
    assert send_mail(runner).count("sent: 0") == 1

    # A date moves: families with a child still registered hear of it, with the new time.
    write_transaction()
    first, second = workshop.dates
    moved = [
        workshop_services.Slot(first.day, time(9, 0), time(12, 0), first.id),
        workshop_services.Slot(second.day, second.starts_at, second.ends_at, second.id),
    ]
    workshop_services.update_workshop(
        db.session, workshop, edited(workshop, dates=moved), actor=staff
    )
    db.session.commit()
    send_mail(runner)
    assert sorted(m["To"] for m in inbox.messages) == ["mia@example.org", "noah@example.org"]
    changed = inbox.to("mia@example.org")[0]
    assert changed["Subject"] == "Geändert: Roboter bauen"
    assert "09:00–12:00 Uhr" in plain_text(changed)
    starts = [e.decoded("dtstart") for e in calendar_of(changed).walk("VEVENT")]
    assert starts[0] == datetime.combine(first.day, time(9, 0), BERLIN)
    inbox.received.clear()

    write_transaction()
    workshop_services.change_status(db.session, workshop, WorkshopStatus.CANCELLED, actor=staff)
    db.session.commit()
    send_mail(runner)
    assert sorted(m["To"] for m in inbox.messages) == ["mia@example.org", "noah@example.org"]
    notice = inbox.to("noah@example.org")[0]
    assert notice["Subject"] == "Abgesagt: Roboter bauen"
    events = calendar_of(notice).walk("VEVENT")
    assert [str(e["status"]) for e in events] == ["CANCELLED", "CANCELLED"]


def test_a_new_link_is_the_one_later_mails_carry(client, runner, inbox, workshop):
    token = sign_up_online(client, workshop, "aylin@example.org", "de")
    send_mail(runner)
    page = client.get(f"/r/{token}").get_data(as_text=True)
    submission = re.search(r'name="submission_id" value="([^"]+)"', page).group(1)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        f"/r/{token}/new-link", data={"csrf_token": csrf, "submission_id": submission}
    )
    fresh = response.headers["Location"].rsplit("/r/", 1)[1]
    assert fresh != token

    write_transaction()
    staff = create_staff(workshop.organisations[0])
    workshop_services.change_status(db.session, workshop, WorkshopStatus.CANCELLED, actor=staff)
    db.session.commit()
    send_mail(runner)
    notice = inbox.messages[-1]
    assert f"/r/{fresh}?lang=de" in plain_text(notice)
    assert token not in plain_text(notice)


def test_without_the_secret_key_the_mail_links_to_the_workshop_instead(
    app, runner, inbox, workshop
):
    register(workshop, "Mia", email="mia@example.org")
    sealed = db.session.scalar(sa.select(outbox.MailLink.sealed))
    assert "Mia" not in sealed and len(sealed) > 50
    app.config["SECRET_KEY"] = "a-new-key"  # the key was changed since
    send_mail(runner)
    text = plain_text(inbox.messages[0])
    assert "/r/" not in text
    assert f"{BASE_URL}/w/{workshop.slug}?lang=de" in str(
        calendar_of(inbox.messages[0]).walk("VEVENT")[0]["url"]
    )


@pytest.mark.slow
def test_two_senders_at_once_send_each_message_once(app, database_url, smtp, workshop):
    """Two `signup send-mail` processes start together against a slow mail server."""
    configure_mail(app, smtp.port)
    smtp.inbox.delay = 0.02
    addresses = [f"family{n}@example.org" for n in range(30)]
    for number, address in enumerate(addresses):
        register(workshop, f"Kind{number}", email=address)
    db.session.commit()
    outputs = run_at_once(app, database_url, smtp, 2, "send-mail")

    received = sorted(m["To"] for m in smtp.inbox.messages)
    assert received == sorted(addresses)
    sent = [int(re.search(r"^sent: (\d+)$", out, re.M).group(1)) for out in outputs]
    assert sum(sent) == 30
    rows = messages()
    assert {row.status for row in rows} == {MailStatus.SENT}
    assert {row.attempts for row in rows} == {1}


def test_the_family_page_offers_the_calendar_and_sharing_the_workshop(client, runner, workshop):
    token = register(workshop, "Mia", email="mia@example.org").token
    page = client.get(f"/r/{token}", query_string={"lang": "de"}).get_data(as_text=True)
    assert f'href="/r/{token}/calendar.ics"' in page
    response = client.get(f"/r/{token}/calendar.ics")
    assert response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "no-store"
    assert f"{workshop.slug}.ics" in response.headers["Content-Disposition"]
    events = icalendar.Calendar.from_ical(response.data).walk("VEVENT")
    assert len(events) == 2 and token in str(events[0]["url"])
    # Sharing passes on the workshop's address, never the family's own link.
    shares = re.findall(r'<ul class="share-links">(.*?)</ul>', page, re.S)[0]
    assert "wa.me/?text=" in shares and "t.me/share/url?url=" in shares
    assert "sms:?&amp;body=" in shares and "mailto:?subject=" in shares
    assert "%2Fw%2F" + workshop.slug in shares
    assert token not in shares
    assert client.get("/r/not-a-token/calendar.ics").status_code == 404


def test_the_workshop_page_shares_in_the_visitor_language(client, workshop):
    page = client.get(f"/w/{workshop.slug}", query_string={"lang": "tr"}).get_data(as_text=True)
    text = in_language("tr", "Kostenloser Workshop für Kinder: %(title)s", title="Robot yapıyoruz")
    assert quote(text) in page
    assert quote(f"{workshop.slug}?lang=tr", safe="") in page
    response = client.get(f"/w/{workshop.slug}/calendar.ics", query_string={"lang": "tr"})
    events = icalendar.Calendar.from_ical(response.data).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["Robot yapıyoruz"] * 2


def test_staff_invite_a_family_in_its_language(client, workshop):
    staff = create_staff(workshop.organisations[0])
    log_in(client, staff.email)
    url = f"/staff/workshops/{workshop.id}/invite"
    page = client.get(url, query_string={"language": "tr", "name": "Ayşe\u202e\x00"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    hello = in_language("tr", "Hallo %(name)s,", name="Ayşe")
    invite = in_language(
        "tr", "wir laden Ihr Kind zum Workshop „%(title)s“ ein.", title="Robot yapıyoruz"
    )
    assert hello in html and invite in html
    assert f"{BASE_URL if False else 'http://127.0.0.1:5000'}/w/{workshop.slug}?lang=tr" in html
    assert '<svg class="qr"' in html or 'class="qr"' in html
    assert "\u202e" not in html
    # Unknown languages fall back to German; other organisations' staff find nothing.
    assert client.get(url, query_string={"language": "xx"}).status_code == 200
    other = create_staff(create_workshop().organisations[0])
    client.get("/staff/logout")
    log_in(client, other.email)
    assert client.get(url).status_code == 404
    assert client.get(f"/staff/workshops/{workshop.id}/messages").status_code == 404


def test_odd_workshop_titles_cannot_forge_headers_or_break_the_calendar(runner, inbox):
    title = "Roboter 🤖 \u202eبناء\u202c\r\nBcc: everyone@example.org"
    workshop = create_workshop(texts={"de": title}, place_name="Ort; mit, Zeichen\\")
    register(workshop, "Mia", email="mia@example.org")
    send_mail(runner)
    (message,) = inbox.messages
    assert message["Bcc"] is None
    assert "\n" not in message["Subject"] and "🤖" in message["Subject"]
    (received_to,) = [to for to, _message in inbox.received]
    assert received_to == ["mia@example.org"]
    (event,) = calendar_of(message).walk("VEVENT")
    assert str(event["summary"]) == "Roboter 🤖 \u202eبناء\u202c Bcc: everyone@example.org"
    assert str(event["location"]).startswith("Ort; mit, Zeichen\\")


@pytest.mark.parametrize(
    "params",
    [
        {"language": "x" * 5000, "name": "A" * 10_000},
        {"language": ["tr", "ar"], "name": ["Ayşe", "Mehmet"]},
        {"language": "ar\x00", "name": "\u202e\u2066😀\x07"},
        {"language": "../../etc/passwd"},
    ],
)
def test_the_invitation_page_takes_odd_input_calmly(client, workshop, params):
    staff = create_staff(workshop.organisations[0])
    log_in(client, staff.email)
    response = client.get(f"/staff/workshops/{workshop.id}/invite", query_string=params)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    value = re.search(r'id="invite-name" name="name" value="([^"]*)"', html).group(1)
    assert len(value) <= 60
    assert "\x00" not in html and "\u202e" not in html and "\x07" not in html


def test_staff_see_a_familys_messages_on_its_page(client, runner, inbox, workshop):
    registration = register(workshop, "Mia", email="mia@example.org").registration
    send_mail(runner)
    staff = create_staff(workshop.organisations[0])
    log_in(client, staff.email)
    page = client.get(f"/staff/registrations/{registration.id}").get_data(as_text=True)
    assert "E-Mails an die Familie" in page
    assert "Bestätigung der Anmeldung: <strong>verschickt</strong>" in page


def test_a_message_that_cannot_be_written_does_not_hold_up_the_others(runner, inbox, workshop):
    broken = create_workshop(texts={"de": "Ohne Text"})
    register(broken, "Mia", email="mia@example.org")
    register(workshop, "Noah", email="noah@example.org")
    write_transaction()
    db.session.execute(sa.delete(WorkshopText).where(WorkshopText.workshop_id == broken.id))
    db.session.commit()
    output = send_mail(runner)
    assert "sent: 1" in output and "failed: 1" in output
    assert [m["To"] for m in inbox.messages] == ["noah@example.org"]
    failed = [m for m in messages() if m.status == MailStatus.FAILED]
    assert [m.last_error for m in failed] == ["could not be written"]


def test_the_family_sees_its_mails_among_its_stored_data(client, runner, inbox, workshop):
    token = register(workshop, "Mia", email="mia@example.org").token
    send_mail(runner)
    data = client.get(f"/r/{token}/data.json").get_json()
    (mail,) = data["messages"]
    assert mail["kind"] == "confirmation" and mail["status"] == "sent"
    assert mail["sent_at"].endswith("+00:00")
    page = client.get(f"/r/{token}/data").get_data(as_text=True)
    assert "E-Mails an Sie" in page and "Bestätigung der Anmeldung" in page


def test_the_purge_takes_the_sealed_link_and_the_mails_with_the_contact(runner, inbox):
    organisation = Organisation(name="KI", slug="ki-sheets", sheet_retention_years=5)
    workshop = create_workshop(organisations=[organisation], days=[date(2027, 1, 10)])
    registration = register(workshop, "Mia", email="mia@example.org").registration
    send_mail(runner, datetime(2027, 1, 1, 12, 0, tzinfo=BERLIN))
    assert len(messages()) == 1 and db.session.scalar(sa.select(outbox.MailLink.sealed))
    result = runner.invoke(args=["purge", "--now", "2027-06-01T12:00"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    # Kept for the sign-in sheet, but without the contact, its mails or its sealed link.
    kept = db.session.get(Registration, registration.id)
    assert kept is not None and kept.contact_email is None
    assert messages() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(outbox.MailLink)) == 0


def family_form(client, url: str) -> dict:
    return {
        "csrf_token": re.search(
            r'name="csrf_token" [^>]*value="([^"]+)"', client.get(url).get_data(as_text=True)
        ).group(1)
    }


def test_a_family_corrects_its_address_and_the_waiting_mail_goes_there(
    app, client, runner, inbox, workshop
):
    token = register(workshop, "Mia", phone="+4915112345678").token
    assert messages() == []  # no address, no mail
    url = f"/r/{token}/contact"
    page = client.get(url).get_data(as_text=True)
    assert 'value="+4915112345678"' in page

    # Wrong input: said next to the field, what was typed kept, nothing changed.
    data = family_form(client, url) | {"phone": "12", "email": "mia(at)example"}
    response = client.post(url, data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Diese Telefonnummer stimmt nicht." in html and 'value="12"' in html
    assert "Diese E-Mail-Adresse stimmt nicht." in html and 'value="mia(at)example"' in html
    both_empty = family_form(client, url) | {"phone": "", "email": ""}
    assert "Bitte geben Sie eine Telefonnummer oder eine E-Mail-Adresse an." in client.post(
        url, data=both_empty
    ).get_data(as_text=True)

    data = family_form(client, url) | {"phone": "", "email": "Mia@Example.org"}
    response = client.post(url, data=data)
    assert response.status_code == 302
    db.session.expire_all()
    registration = db.session.scalar(sa.select(Registration))
    assert (registration.contact_phone, registration.contact_email) == (None, "mia@example.org")
    # Mail added by the family carries its own link: the page knew it.
    cancel_other = register(workshop, "Noah", email="noah@example.org")
    write_transaction()
    staff = create_staff(workshop.organisations[0])
    workshop_services.change_status(db.session, workshop, WorkshopStatus.CANCELLED, actor=staff)
    db.session.commit()
    send_mail(runner)
    (notice,) = inbox.to("mia@example.org")
    assert f"/r/{token}?lang=de" in plain_text(notice)
    assert cancel_other.token not in plain_text(notice)


def test_staff_correct_a_wrong_address_and_send_the_failed_mail_again(
    client, runner, inbox, workshop
):
    inbox.refuse.add("mia@exmaple.org")
    token = register(workshop, "Mia", email="mia@exmaple.org").token
    send_mail(runner)
    (failed,) = messages()
    staff = create_staff(workshop.organisations[0])
    log_in(client, staff.email)
    registration_id = failed.registration_id
    url = f"/staff/registrations/{registration_id}/contact"
    data = {"csrf_token": csrf_token(client, url), "phone": "", "email": "mia@example.org"}
    assert client.post(url, data=data).status_code == 302
    retry = f"/staff/workshops/{workshop.id}/messages/{failed.id}/retry"
    client.post(retry, data={"csrf_token": csrf_token(client, url)})
    send_mail(runner)
    (message,) = inbox.to("mia@example.org")
    # The family's link survived the change of address.
    assert f"/r/{token}?lang=de" in plain_text(message)
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert "contact_changed" in actions and "retry_mail" in actions
    # Nothing to change: no entry.
    before = len(actions)
    data = {"csrf_token": csrf_token(client, url), "phone": "", "email": "mia@example.org"}
    client.post(url, data=data)
    assert len(db.session.scalars(sa.select(AuditEntry.action)).all()) == before


@pytest.mark.slow
def test_two_reminder_runs_at_once_queue_each_reminder_once(app, database_url, smtp):
    configure_mail(app, smtp.port)
    workshop = create_workshop(days=[date(2027, 9, 8)])
    for number in range(20):
        register(workshop, f"Kind{number}", email=f"family{number}@example.org")
    db.session.execute(sa.delete(OutboxMessage))
    db.session.commit()
    outputs = run_at_once(app, database_url, smtp, 3, "send-reminders", "--now", "2027-09-07T11:00")
    queued = [int(re.search(r"reminders queued: (\d+)", out).group(1)) for out in outputs]
    assert sum(queued) == 20
    assert len(messages()) == 20
