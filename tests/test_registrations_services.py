"""The rules about places, on SQLite and PostgreSQL."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from signup.extensions import db
from signup.registrations import services
from signup.registrations.consents import CONSENT_TEXT_VERSION
from signup.registrations.models import (
    ConsentChannel,
    ConsentPurpose,
    Participant,
    ParticipantStatus,
    Registration,
)
from signup.workshops.models import WorkshopStatus
from tests.factories import cancel, create_workshop, register, write_transaction

CONFIRMED, WAITING, CANCELLED = (
    ParticipantStatus.CONFIRMED,
    ParticipantStatus.WAITING,
    ParticipantStatus.CANCELLED,
)


def statuses(result):
    return [p.status for p in result.registration.participants]


def test_register_gives_places_while_they_last(app):
    workshop = create_workshop(capacity=2)
    assert statuses(register(workshop, "Amira")) == [CONFIRMED]
    assert statuses(register(workshop, "Jonas")) == [CONFIRMED]
    assert statuses(register(workshop, "Elif")) == [WAITING]
    assert (workshop.confirmed_count, workshop.waiting_count, workshop.places_left) == (2, 1, 0)


def test_three_children_two_places_gives_two_places_and_one_wait(app):
    workshop = create_workshop(capacity=2)
    result = register(workshop, "Amira", "Jonas", "Elif")
    assert statuses(result) == [CONFIRMED, CONFIRMED, WAITING]


def test_together_children_all_wait_when_not_all_fit(app):
    workshop = create_workshop(capacity=2)
    result = register(workshop, "Amira", "Jonas", "Elif", together=True)
    assert statuses(result) == [WAITING, WAITING, WAITING]
    assert result.registration.together


def test_together_children_all_get_places_when_they_fit(app):
    workshop = create_workshop(capacity=3)
    assert statuses(register(workshop, "Amira", "Jonas", "Elif", together=True)) == [CONFIRMED] * 3


def test_together_means_nothing_for_one_child(app):
    workshop = create_workshop(capacity=1)
    result = register(workshop, "Amira", together=True)
    assert not result.registration.together
    assert statuses(result) == [CONFIRMED]


def test_waiting_positions_count_from_one_in_order(app):
    workshop = create_workshop(capacity=1)
    register(workshop, "Amira")
    waiting = [register(workshop, name).registration.participants[0] for name in ("B", "C", "D")]
    positions = services.waiting_positions(db.session, workshop)
    assert [positions[p.id] for p in waiting] == [1, 2, 3]


def test_cancel_promotes_the_next_child_in_line(app):
    workshop = create_workshop(capacity=1)
    first = register(workshop, "Amira").registration
    second = register(workshop, "Jonas").registration
    third = register(workshop, "Elif").registration
    promoted = cancel(first)
    assert [p.first_name for p in promoted] == ["Jonas"]
    assert statuses(services.RegistrationResult(first, True)) == [CANCELLED]
    assert second.participants[0].status == CONFIRMED
    assert second.participants[0].confirmed_at is not None
    assert third.participants[0].status == WAITING
    assert services.waiting_positions(db.session, workshop) == {third.participants[0].id: 1}


def test_cancel_one_child_keeps_the_sibling(app):
    workshop = create_workshop(capacity=5)
    registration = register(workshop, "Amira", "Jonas").registration
    cancel(registration, [registration.participants[0]])
    assert statuses(services.RegistrationResult(registration, True)) == [CANCELLED, CONFIRMED]


def test_cancelling_twice_changes_nothing(app):
    workshop = create_workshop(capacity=1)
    first = register(workshop, "Amira").registration
    register(workshop, "Jonas")
    cancel(first)
    assert cancel(first) == []
    assert workshop.confirmed_count == 1


def test_together_group_moves_up_together(app):
    workshop = create_workshop(capacity=2)
    a = register(workshop, "A").registration
    b = register(workshop, "B").registration
    family = register(workshop, "C", "D", together=True).registration
    cancel(a)
    assert [p.status for p in family.participants] == [WAITING, WAITING]
    cancel(b)
    assert [p.status for p in family.participants] == [CONFIRMED, CONFIRMED]


def test_group_that_does_not_fit_keeps_its_turn_but_leaves_no_place_empty(app):
    workshop = create_workshop(capacity=2)
    a = register(workshop, "A").registration
    register(workshop, "B")
    family = register(workshop, "C", "D", together=True).registration
    single = register(workshop, "E").registration
    cancel(a)
    assert single.participants[0].status == CONFIRMED
    positions = services.waiting_positions(db.session, workshop)
    assert [positions[p.id] for p in family.participants] == [1, 2]


def test_full_workshop_without_waiting_list_says_no(app):
    workshop = create_workshop(capacity=1, waitlist_enabled=False)
    register(workshop, "Amira")
    with pytest.raises(services.RegistrationError) as error:
        register(workshop, "Jonas")
    assert error.value.code == "full"
    assert db.session.scalar(sa.select(sa.func.count(Participant.id))) == 1


def test_without_waiting_list_too_many_children_are_refused_whole(app):
    workshop = create_workshop(capacity=2, waitlist_enabled=False)
    with pytest.raises(services.RegistrationError) as error:
        register(workshop, "A", "B", "C")
    assert (error.value.code, error.value.params) == ("not_enough_places", {"n": 2})
    assert "2" in error.value.message


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"status": WorkshopStatus.CLOSED}, "closed"),
        ({"status": WorkshopStatus.CANCELLED}, "cancelled"),
        ({"status": WorkshopStatus.DRAFT}, "draft"),
        ({"days": [date.today() - timedelta(days=1)]}, "past"),
        ({"registration_opens_at": datetime.now(UTC) + timedelta(days=1)}, "not_yet"),
        ({"registration_closes_at": datetime.now(UTC) - timedelta(minutes=1)}, "closed"),
    ],
)
def test_registration_is_refused_outside_the_open_state(app, changes, code):
    workshop = create_workshop(**changes)
    assert services.registration_state(workshop) == code
    with pytest.raises(services.RegistrationError) as error:
        register(workshop, "Amira")
    assert error.value.code == code


def test_registration_window_open_inside_it(app):
    now = datetime.now(UTC)
    workshop = create_workshop(
        registration_opens_at=now - timedelta(days=1),
        registration_closes_at=now + timedelta(days=1),
    )
    assert statuses(register(workshop, "Amira")) == [CONFIRMED]


def test_same_child_same_contact_is_not_booked_twice(app):
    workshop = create_workshop(capacity=5)
    first = register(workshop, "Amira", phone="+4915112345678")
    again = register(workshop, "amira ", phone="+4915112345678")
    assert not again.created
    assert again.registration.id == first.registration.id
    assert db.session.scalar(sa.select(sa.func.count(Participant.id))) == 1


def test_known_child_is_found_by_email_too(app):
    workshop = create_workshop()
    first = register(workshop, "Jonas", email="eltern@example.org")
    again = register(workshop, "Jonas", email="eltern@example.org", phone="+4915100000001")
    assert again.registration.id == first.registration.id and not again.created


def test_new_sibling_from_same_family_is_registered(app):
    workshop = create_workshop()
    register(workshop, "Amira", phone="+4915112345678")
    result = register(workshop, "Amira", "Jonas", phone="+4915112345678")
    assert result.created
    assert [p.first_name for p in result.registration.participants] == ["Jonas"]


def test_cancelled_child_can_register_again(app):
    workshop = create_workshop()
    first = register(workshop, "Amira", phone="+4915112345678").registration
    cancel(first)
    again = register(workshop, "Amira", phone="+4915112345678")
    assert again.created and statuses(again) == [CONFIRMED]


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"names": ()}, "no_children"),
        ({"names": ("A:3",)}, "age"),
        ({"names": ("A:15",)}, "age"),
        ({"phone": None, "email": None}, "no_contact"),
        ({"consents": {ConsentPurpose.PHOTO_INTERNAL}}, "no_consent"),
    ],
)
def test_register_checks_its_input(app, kwargs, code):
    workshop = create_workshop()
    kwargs = dict(kwargs)
    names = kwargs.pop("names", ("A:8",))
    children = [services.Child(n.split(":")[0], int(n.split(":")[1])) for n in names]
    params = {
        "phone": "+4915112345678",
        "email": None,
        "language": "de",
        "consents": {ConsentPurpose.PARTICIPATION},
    } | kwargs
    write_transaction()
    with pytest.raises(services.RegistrationError) as error:
        services.register(db.session, workshop, children, **params)
    assert error.value.code == code
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0


def test_consents_are_stored_with_version_language_time_and_channel(app):
    workshop = create_workshop()
    before = datetime.now(UTC)
    registration = register(
        workshop,
        "Amira",
        language="tr",
        consents={ConsentPurpose.PARTICIPATION, ConsentPurpose.PHOTO_WEBSITE},
    ).registration
    consents = {c.purpose: c for c in registration.consents}
    assert set(consents) == {ConsentPurpose.PARTICIPATION, ConsentPurpose.PHOTO_WEBSITE}
    for consent in consents.values():
        assert consent.text_version == CONSENT_TEXT_VERSION
        assert consent.language == "tr"
        assert consent.channel == ConsentChannel.ONLINE
        assert consent.given_at >= before.replace(microsecond=0)
    assert registration.language == "tr"


def test_only_the_token_hash_is_stored(app):
    workshop = create_workshop()
    result = register(workshop, "Amira")
    assert len(result.token) >= 43  # at least 256 bits, URL-safe
    assert result.token not in result.registration.token_hash
    assert services.find_by_token(db.session, result.token) == result.registration
    assert services.find_by_token(db.session, result.token + "x") is None
    assert services.find_by_token(db.session, "") is None


def test_submission_id_gives_a_stable_token_and_a_bad_id_a_random_one():
    first = services.token_for_submission("key", "a" * 22)
    assert first == services.token_for_submission("key", "a" * 22)
    assert first != services.token_for_submission("other key", "a" * 22)
    assert services.token_for_submission("key", "short") != services.token_for_submission(
        "key", "short"
    )


def test_places_change_only_inside_a_write_transaction(app):
    workshop = create_workshop()
    db.session.execute(sa.select(1))  # a plain read transaction is open now
    if db.engine.dialect.name == "sqlite":
        with pytest.raises(RuntimeError, match="write transaction"):
            services.lock_workshop(db.session, workshop)
    else:
        services.lock_workshop(db.session, workshop)  # PostgreSQL locks the row with FOR UPDATE
    db.session.rollback()


def test_one_place_left_is_said_in_the_singular(app):
    workshop = create_workshop(capacity=1, waitlist_enabled=False)
    with pytest.raises(services.RegistrationError) as error:
        register(workshop, "A", "B")
    assert error.value.message == (
        "Es ist nur noch 1 Platz frei. Bitte melden Sie weniger Kinder an."
    )


def test_every_state_has_a_label_for_people(app):
    from flask_babel import force_locale

    from signup.i18n import LANGUAGES
    from signup.models_base import LabelledEnum

    enums = LabelledEnum.__subclasses__()
    assert len(enums) >= 6
    with app.test_request_context():
        for language in LANGUAGES:
            with force_locale(language):
                labels = [member.label for enum_class in enums for member in enum_class]
                assert all(isinstance(label, str) and label.strip() for label in labels)
        with force_locale("en"):
            assert ParticipantStatus.WAITING.label == "on the waiting list"
