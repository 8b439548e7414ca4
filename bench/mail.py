"""E-mail: what queuing costs a registration, and how fast the outbox empties.

    .venv/bin/python bench/mail.py [--families 300] [--backend sqlite|postgresql|both]

In this process, on a fresh migrated database per backend, with a real SMTP server
(aiosmtpd on 127.0.0.1) that accepts everything:
- register N families (one child, an e-mail address) through services.register, each in its
  own write transaction and commit, once with mail off and once with mail on (after 40
  warm-up registrations); the figure is the median time per registration;
- `send_due`: the N confirmations written (language + German, text + HTML, .ics) and sent
  over one SMTP connection; the figure is messages per second, and the time to write one
  message without sending it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SIGNUP_SECRET_KEY", "bench-secret-key-not-for-production")

from common import fresh_database, log, machine_info, table  # noqa: E402

from signup import create_app  # noqa: E402
from signup.database import begin_write  # noqa: E402
from signup.extensions import db  # noqa: E402
from signup.mail.compose import email_for, letter_for  # noqa: E402
from signup.mail.models import OutboxMessage  # noqa: E402
from signup.mail.outbox import link_token  # noqa: E402
from signup.mail.sender import send_due  # noqa: E402
from signup.registrations import services  # noqa: E402
from signup.registrations.models import ConsentPurpose  # noqa: E402
from signup.staff.models import Organisation  # noqa: E402
from signup.workshops.models import Workshop, WorkshopDate, WorkshopStatus, WorkshopText  # noqa: E402
from tests.smtp import SmtpServer  # noqa: E402

LANGUAGES = ("de", "tr", "ar", "uk", "fa", "ru")


def make_app(url: str, smtp_port: int | None):
    from flask_migrate import upgrade

    config = {
        "SQLALCHEMY_DATABASE_URI": url,
        "SIGNUP_BASE_URL": "https://anmeldung.example.org",
        "RATELIMIT_ENABLED": False,
    }
    if smtp_port:
        config.update(
            SIGNUP_MAIL_HOST="127.0.0.1", SIGNUP_MAIL_PORT=smtp_port, SIGNUP_MAIL_SECURITY="none"
        )
    app = create_app(config)
    with app.app_context():
        upgrade()
    return app


def add_workshop(slug: str, capacity: int) -> Workshop:
    organisation = Organisation(name="zdi-Zentrum Bottrop", slug=f"org-{slug}")
    workshop = Workshop(
        slug=slug,
        status=WorkshopStatus.OPEN,
        capacity=capacity,
        min_age=6,
        max_age=14,
        place_name="Schülerlabor",
        place_address="Hauptstraße 1\n46236 Bottrop",
        organisations=[organisation],
        texts=[WorkshopText(language="de", title="KI4U: Roboter bauen")],
        dates=[
            WorkshopDate(
                day=date.today() + timedelta(days=20 + n),
                starts_at=clock(10, 30),
                ends_at=clock(14, 30),
            )
            for n in range(3)
        ],
    )
    db.session.add(workshop)
    db.session.commit()
    return workshop


def register_families(workshop: Workshop, families: int, prefix: str) -> list[float]:
    times = []
    for number in range(families):
        started = time.perf_counter()
        begin_write(db.session)
        services.register(
            db.session,
            workshop,
            [services.Child(f"Kind{number}", 9)],
            phone=None,
            email=f"{prefix}{number}@example.org",
            language=LANGUAGES[number % len(LANGUAGES)],
            consents={ConsentPurpose.PARTICIPATION},
        )
        db.session.commit()
        times.append(time.perf_counter() - started)
    return times


def run(backend: str, families: int) -> dict:
    server = SmtpServer().start()
    try:
        with fresh_database(backend) as url:
            off_app = make_app(url, None)
            with off_app.app_context():
                register_families(add_workshop("warm", 40), 40, "warm")  # caches, first queries
                workshop = add_workshop("off", families * 2)
                off = register_families(workshop, families, "off")
                db.engine.dispose()
            app = make_app(url, server.port)
            with (
                app.app_context(),
                app.test_request_context(base_url="https://anmeldung.example.org"),
            ):
                register_families(add_workshop("warm-on", 40), 40, "warm-on")
                workshop = add_workshop("on", families * 2)
                on = register_families(workshop, families, "on")
                messages = db.session.query(OutboxMessage).all()
                started = time.perf_counter()
                for message in messages[:50]:
                    email_for(letter_for(message, link_token(db.session, message.registration_id)))
                compose = (time.perf_counter() - started) / 50
                db.session.commit()
                started = time.perf_counter()
                done = send_due(db.session)
                elapsed = time.perf_counter() - started
                db.engine.dispose()
    finally:
        server.stop()
    sent = families + 40  # the warm-up families' confirmations go too
    assert done["sent"] == sent and len(server.inbox.messages) == sent, done
    return {
        "backend": backend,
        "register_off": statistics.median(off),
        "register_on": statistics.median(on),
        "compose": compose,
        "send_rate": sent / elapsed,
        "send_total": elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--families", type=int, default=300)
    parser.add_argument("--backend", default="both", choices=("sqlite", "postgresql", "both"))
    args = parser.parse_args()
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    log(machine_info())
    rows = []
    for backend in backends:
        result = run(backend, args.families)
        rows.append(
            [
                backend,
                f"{result['register_off'] * 1000:.1f}",
                f"{result['register_on'] * 1000:.1f}",
                f"{result['compose'] * 1000:.1f}",
                f"{result['send_rate']:.0f}",
                f"{result['send_total']:.2f}",
            ]
        )
    print(
        table(
            [
                "database",
                "register, mail off (ms)",
                "register, mail on (ms)",
                "write one mail (ms)",
                "sent per second",
                f"send {args.families + 40} (s)",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    main()
