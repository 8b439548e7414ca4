"""From 14 a photo consent needs the young person's own agreement, online and at the desk."""

import sqlalchemy as sa

from signup.extensions import db
from signup.registrations import rights
from signup.registrations.models import ConsentPurpose, Registration
from tests.factories import create_workshop, signup_data
from tests.test_registrations_assisted import assist_url, family_data, saved_link, staff_member

TEENAGERS = {"min_age": 10, "max_age": 16, "photo_uses": "internal,website"}


def stored() -> Registration | None:
    db.session.rollback()
    return db.session.scalars(sa.select(Registration)).one_or_none()


def purposes(registration: Registration) -> set[ConsentPurpose]:
    return {c.purpose for c in registration.consents if c.withdrawn_at is None}


def test_photos_for_a_fifteen_year_old_wait_for_the_childs_own_agreement(client):
    workshop = create_workshop(**TEENAGERS)
    data = signup_data(client, workshop, children=[("Deniz", 15)], photo_consents="photo_website")
    response = client.post(f"/w/{workshop.slug}", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Ein Kind ist 14 Jahre oder älter" in page
    assert 'value="Deniz"' in page  # what was typed stays
    assert stored() is None

    data["consent_young"] = "y"
    assert client.post(f"/w/{workshop.slug}", data=data).status_code == 302
    assert purposes(stored()) == {
        ConsentPurpose.PARTICIPATION,
        ConsentPurpose.PHOTO_WEBSITE,
        ConsentPurpose.YOUNG_AGREEMENT,
    }


def test_younger_children_and_no_photos_need_no_agreement(client):
    workshop = create_workshop(**TEENAGERS)
    data = signup_data(client, workshop, children=[("Mila", 12)], photo_consents="photo_internal")
    assert client.post(f"/w/{workshop.slug}", data=data).status_code == 302
    assert ConsentPurpose.YOUNG_AGREEMENT not in purposes(stored())

    other = create_workshop(**TEENAGERS)
    data = signup_data(client, other, children=[("Deniz", 15)])
    assert client.post(f"/w/{other.slug}", data=data).status_code == 302


def test_the_box_shows_only_where_teenagers_and_photos_meet(client):
    assert 'name="consent_young"' in client.get(f"/w/{create_workshop(**TEENAGERS).slug}").text
    children = create_workshop(min_age=6, max_age=12)
    assert 'name="consent_young"' not in client.get(f"/w/{children.slug}").text
    no_photos = create_workshop(max_age=16, photo_uses="")
    assert 'name="consent_young"' not in client.get(f"/w/{no_photos.slug}").text


def test_staff_record_the_agreement_given_at_the_desk(client):
    workshop = create_workshop(**TEENAGERS)
    staff_member(client, workshop)
    data = family_data(client, workshop, children=[("Deniz", 15)], photo_consents="photo_internal")
    assert client.post(assist_url(workshop, "tr"), data=data).status_code == 422
    data["consent_young"] = "y"
    saved_link(client.post(assist_url(workshop, "tr"), data=data))
    assert ConsentPurpose.YOUNG_AGREEMENT in purposes(stored())


def test_the_teenagers_no_withdraws_the_photo_consents_and_keeps_the_proof(client):
    workshop = create_workshop(**TEENAGERS)
    data = signup_data(
        client,
        workshop,
        children=[("Deniz", 15)],
        photo_consents=["photo_internal", "photo_website"],
        consent_young="y",
    )
    assert client.post(f"/w/{workshop.slug}", data=data).status_code == 302
    registration = stored()
    rights.withdraw_consent(db.session, registration, ConsentPurpose.YOUNG_AGREEMENT)
    db.session.commit()
    assert purposes(stored()) == {ConsentPurpose.PARTICIPATION}
    assert len(stored().consents) == 4  # every consent is still there, marked withdrawn
