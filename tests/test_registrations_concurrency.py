"""Many families at once: never more confirmed places than exist, nobody lost."""

import multiprocessing
import re

import pytest
import sqlalchemy as sa

from signup import create_app
from signup.extensions import db
from signup.registrations import services
from signup.registrations.models import Participant, ParticipantStatus, Registration
from tests.conftest import test_config
from tests.factories import create_workshop

PROCESSES = 4
THREADS_PER_PROCESS = 4
SIGNUPS_PER_THREAD = 13  # 4 x 4 x 13 = 208 sign-ups
CAPACITY = 25
TOKEN_FIELD = re.compile(r'name="(csrf_token|submission_id)" type="hidden" value="([^"]+)"')


def sign_up_many(database_url, slug, worker, barrier, results):
    """In a separate process: sign up children through HTTP, as fast as possible."""
    import threading

    app = create_app(test_config(database_url))
    outcomes = []

    def run(thread):
        client = app.test_client()
        for n in range(SIGNUPS_PER_THREAD):
            page = client.get(f"/w/{slug}").get_data(as_text=True)
            data = dict(TOKEN_FIELD.findall(page))
            data.update(
                {
                    "children-0-first_name": f"Kind {worker}-{thread}-{n}",
                    "children-0-age": "9",
                    "phone": f"+49151{worker:02d}{thread:02d}{n:04d}",
                    "consent_participation": "y",
                    "submit": "1",
                }
            )
            response = client.post(f"/w/{slug}", data=data)
            outcomes.append((response.status_code, response.headers.get("Location", "")))

    barrier.wait()
    threads = [threading.Thread(target=run, args=(t,)) for t in range(THREADS_PER_PROCESS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        db.engine.dispose()
    results.put(outcomes)


@pytest.mark.slow
def test_concurrent_signups_never_overbook_and_lose_nobody(app, database_url):
    workshop = create_workshop(capacity=CAPACITY, min_age=6, max_age=14)
    slug = workshop.slug
    db.session.commit()
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(PROCESSES)
    results = spawn.Queue()
    workers = [
        spawn.Process(target=sign_up_many, args=(database_url, slug, w, barrier, results))
        for w in range(PROCESSES)
    ]
    for process in workers:
        process.start()
    outcomes = [item for _ in workers for item in results.get(timeout=300)]
    for process in workers:
        process.join(timeout=60)
        assert process.exitcode == 0

    total = PROCESSES * THREADS_PER_PROCESS * SIGNUPS_PER_THREAD
    assert len(outcomes) == total
    assert all(status == 302 and "/r/" in location for status, location in outcomes), {
        status for status, _ in outcomes
    }

    db.session.rollback()
    participants = db.session.scalars(sa.select(Participant)).all()
    assert len(participants) == total
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == total
    confirmed = [p for p in participants if p.status == ParticipantStatus.CONFIRMED]
    waiting = [p for p in participants if p.status == ParticipantStatus.WAITING]
    assert len(confirmed) == CAPACITY
    assert len(waiting) == total - CAPACITY

    positions = services.waiting_positions(db.session, workshop)
    queue = sorted(waiting, key=lambda p: positions[p.id])
    assert [positions[p.id] for p in queue] == list(range(1, len(waiting) + 1))
    arrival = [p.created_at for p in queue]
    assert arrival == sorted(arrival), "the waiting list keeps the order of arrival"
    assert max(p.created_at for p in confirmed) <= min(arrival), "first come, first served"
