"""The printing story from the demo data: flyer, slip, sign-in sheets and name tags for KI4U."""

import sqlalchemy as sa

from signup.demo import DEMO_EMAIL, DEMO_PASSWORD, load_demo
from signup.extensions import db
from signup.registrations.models import Registration
from signup.workshops.models import Workshop
from tests import pdfs
from tests.factories import log_in


def test_demo_organiser_prints_everything_for_ki4u(app, client):
    load_demo(db.session)
    db.session.commit()
    assert log_in(client, DEMO_EMAIL, DEMO_PASSWORD).status_code == 302
    ki4u = db.session.scalar(sa.select(Workshop).where(Workshop.slug == "ki4u"))
    base = app.config["SIGNUP_BASE_URL"]

    flyer = client.get(f"/staff/workshops/{ki4u.id}/flyer.pdf?language=ar")
    assert pdfs.qr_codes(flyer.get_data()) == [f"{base}/w/ki4u?lang=ar"]
    assert client.get("/w/ki4u?lang=ar").status_code == 200

    turkish = db.session.scalars(
        sa.select(Registration).where(
            Registration.workshop_id == ki4u.id, Registration.language == "tr"
        )
    ).first()
    slip = client.get(f"/staff/registrations/{turkish.id}/consent-slip.pdf").get_data()
    text = " ".join(pdfs.text_of(slip).split())
    assert turkish.participants[0].first_name in text
    assert "Senin için yapay zekâ" in text and "Künstliche Intelligenz für dich" in text

    names = [
        p.first_name
        for r in db.session.scalars(
            sa.select(Registration).where(Registration.workshop_id == ki4u.id)
        )
        for p in r.participants
    ]
    assert len(ki4u.dates) == 3
    for date in ki4u.dates:
        sheet = client.get(f"/staff/workshops/{ki4u.id}/sign-in/{date.id}.pdf").get_data()
        sheet_text = pdfs.text_of(sheet)
        assert all(name in sheet_text for name in names)
        assert str(date.day.day) in sheet_text
    tags = pdfs.text_of(client.get(f"/staff/workshops/{ki4u.id}/name-tags.pdf").get_data())
    assert all(name in tags for name in names)
