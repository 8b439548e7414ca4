"""Create an open benchmark workshop: `python bench/seed.py SLUG CAPACITY [WAITLIST 1|0]`.

Uses SIGNUP_DATABASE_URL like the app. The workshop is like the demo's KI4U one (three days,
two organisations, photo consents), a month ahead, for ages 6 to 14.
"""

import sys
from datetime import date, time, timedelta

import sqlalchemy as sa

from signup import create_app
from signup.extensions import db
from signup.staff.models import Organisation
from signup.workshops.models import Workshop, WorkshopDate, WorkshopStatus, WorkshopText


def create_workshop(slug: str, capacity: int, waitlist: bool = True) -> int:
    organisations = db.session.scalars(sa.select(Organisation).order_by(Organisation.id)).all()
    if not organisations:
        organisations = [Organisation(slug="bench-org", name="zdi-Zentrum Bench", kind="zdi")]
    start = date.today() + timedelta(days=30)
    workshop = Workshop(
        slug=slug,
        status=WorkshopStatus.OPEN,
        capacity=capacity,
        min_age=6,
        max_age=14,
        waitlist_enabled=waitlist,
        listed=False,  # keeps the start page the same as with the demo data alone
        place_name="Hochschule Ruhr West, Campus Bottrop",
        place_address="Lützowstraße 5\n46236 Bottrop",
        photo_uses="internal,website",
        organisations=organisations[:2],
        dates=[
            WorkshopDate(day=day, starts_at=time(10, 30), ends_at=time(14, 30))
            for day in (start, start + timedelta(days=1), start + timedelta(days=2))
        ],
        texts=[
            WorkshopText(
                language="de",
                title=f"Benchmark-Workshop {slug}",
                summary="Drei Tage lang entdeckt ihr, wie Künstliche Intelligenz lernt, und baut "
                "eigene kleine KI-Projekte. Am Ende zeigt ihr sie euren Eltern.",
                notes="Bitte bringt etwas zu trinken mit. Mittagessen gibt es vor Ort.",
            )
        ],
    )
    db.session.add(workshop)
    db.session.commit()
    return workshop.id


def main() -> None:
    slug, capacity = sys.argv[1], int(sys.argv[2])
    waitlist = len(sys.argv) < 4 or sys.argv[3] == "1"
    app = create_app()
    with app.app_context():
        create_workshop(slug, capacity, waitlist)
        db.engine.dispose()


if __name__ == "__main__":
    main()
