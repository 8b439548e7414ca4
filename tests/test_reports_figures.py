"""Every figure of a report, worked out on constructed data; the same before and after the
purge; the edge cases (nobody came, all cancelled, gender not asked, groups)."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from signup.extensions import db
from signup.registrations import privacy, services, stats
from signup.registrations.models import Channel, ParticipantStatus
from signup.reports import figures, periods, report
from signup.staff.models import Role
from tests.factories import (
    cancel,
    create_organisation,
    create_staff,
    create_workshop,
    register,
    write_transaction,
)

TODAY = date.today()
#: The workshop took place half a year ago, on two days; sign-ups came a month before.
FIRST = TODAY - timedelta(days=180)
SIGNUP = datetime.combine(FIRST - timedelta(days=30), time(9), tzinfo=UTC)


def rows(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def at(hours: int) -> datetime:
    return SIGNUP + timedelta(hours=hours)


def child(name, age, **details):
    return services.Child(name, age, **details)


def sign_up(workshop, children, *, hours, phone, language="de", channel=Channel.ONLINE, **kw):
    write_transaction()
    result = services.register(
        db.session,
        workshop,
        children,
        phone=phone,
        email=None,
        language=language,
        consents={services.ConsentPurpose.PARTICIPATION},
        channel=channel,
        now=at(hours),
        **kw,
    )
    db.session.commit()
    return result.registration


def present(staff, registration, *dates):
    write_transaction()
    for workshop_date in dates:
        participant = registration.participants[0]
        services.set_attendance(db.session, participant, workshop_date, True, marked_by=staff)
    db.session.commit()


@pytest.fixture
def scenario(app):
    """Four places, two dates: Omar came before, a class of 12 waits, Amira cancelled."""
    organisation = create_organisation("KI Bottrop")
    staff = create_staff(organisation, Role.ORGANISER)
    earlier = create_workshop(
        organisations=[organisation], days=[FIRST - timedelta(days=100)], slug="earlier"
    )
    register(earlier, "Omar:11", phone="+4915100000002", now=at(-24 * 150))
    workshop = create_workshop(
        organisations=[organisation],
        capacity=4,
        optional_fields="gender,school_year",
        days=[FIRST, FIRST + timedelta(days=1)],
        slug="ki4u-test",
    )
    amira = sign_up(
        workshop,
        [child("Amira", 10, gender="female", school_year="5a")],
        hours=1,
        phone="+4915100000001",
        language="ar",
    )
    omar = sign_up(
        workshop,
        [child("omar", 12, gender="male", school_year="6")],
        hours=2,
        phone="+4915100000002",
        language="tr",
        channel=Channel.ASSISTED,
        assisted_by=staff,
    )
    siblings = sign_up(
        workshop,
        [child("Lea", 8, gender="diverse"), child("Mia", 9, gender="undisclosed", school_year="3")],
        hours=3,
        phone="+4915100000003",
        channel=Channel.PAPER,
        assisted_by=staff,
    )
    zoe = sign_up(
        workshop,
        [child("Zoe", 11, gender="female", school_year="Förderklasse")],
        hours=4,
        phone="+4915100000004",
        language="uk",
    )
    write_transaction()
    services.register_group(
        db.session,
        workshop,
        group_name="Klasse 4b",
        responsible_adult="Frau Lehrerin",
        headcount=12,
        youngest_age=9,
        phone="+4915100000005",
        email=None,
        language="de",
        assisted_by=staff,
        school_year="4",
        now=at(5),
    )
    db.session.commit()
    write_transaction()
    services.cancel(db.session, amira, now=at(6))  # Zoe moves up; the class still waits
    db.session.commit()
    first, second = workshop.dates
    present(staff, omar, first, second)
    present(staff, siblings, first)  # Lea only; Mia never came
    present(staff, zoe, second)
    return workshop, organisation


def facts_of(workshop) -> figures.Facts:
    db.session.rollback()
    return figures.facts_by_workshop(db.session, [workshop], TODAY)[workshop.id]


def purge_everything() -> None:
    write_transaction()
    privacy.purge(db.session, datetime.combine(TODAY + timedelta(days=3 * 365), time(12), UTC))
    db.session.commit()
    db.session.expire_all()


def test_every_figure_of_the_constructed_workshop(scenario):
    workshop, _organisation = scenario
    facts = facts_of(workshop)
    assert (facts.registered, facts.confirmed, facts.waiting, facts.cancelled) == (17, 4, 12, 1)
    assert facts.waiting_peak == 13  # Zoe and the class of 12, until Amira cancelled
    assert (facts.attended_once, facts.expected, facts.no_shows) == (3, 4, 1)
    first, second = workshop.dates
    assert facts.attendance == {(first.day, first.starts_at): 2, (second.day, second.starts_at): 2}
    assert facts.gender == {"female": 1, "male": 1, "diverse": 1, "not_stated": 1}
    assert facts.gender_asked == 4
    assert facts.ages == {12: 1, 8: 1, 9: 1, 11: 1}
    assert facts.school_years == {"6": 1, "": 1, "3": 1, "other": 1}
    assert facts.languages == {"tr": 1, "de": 2, "uk": 1}
    assert facts.channels == {Channel.ASSISTED: 1, Channel.PAPER: 2, Channel.ONLINE: 1}
    assert facts.first_time == {True: 3, False: 1}  # Omar came to the earlier workshop


def test_the_report_is_the_same_before_and_after_the_purge(scenario):
    workshop, organisation = scenario
    period = periods.Period(FIRST - timedelta(days=365), FIRST + timedelta(days=30))
    before = report.workshop_report(db.session, workshop, TODAY)
    before_period = report.organisation_report(db.session, organisation, period, TODAY)
    before_facts = facts_of(workshop)
    purge_everything()
    assert rows(stats.ReportCount) > 0
    assert rows(services.Registration) == 0
    assert facts_of(workshop) == before_facts
    assert report.workshop_report(db.session, workshop, TODAY) == before
    assert report.organisation_report(db.session, organisation, period, TODAY) == before_period


def test_the_report_is_the_same_while_the_sign_in_sheets_are_kept(scenario):
    workshop, organisation = scenario
    organisation.sheet_retention_years = 5
    db.session.commit()
    before = report.workshop_report(db.session, workshop, TODAY)
    write_transaction()
    privacy.purge(db.session, datetime.combine(FIRST + timedelta(days=120), time(12), UTC))
    db.session.commit()
    assert rows(services.Registration) > 0  # reduced to the sheet, already counted
    assert report.workshop_report(db.session, workshop, TODAY) == before
    purge_everything()
    assert report.workshop_report(db.session, workshop, TODAY) == before


def test_waiting_peak_counts_who_waited_at_the_same_time():
    def waited(hours, headcount=1, confirmed=None, cancelled=None):
        return services.Participant(
            created_at=at(hours),
            waitlist_order=1,
            headcount=headcount,
            confirmed_at=confirmed and at(confirmed),
            cancelled_at=cancelled and at(cancelled),
        )

    placed = services.Participant(created_at=at(0), waitlist_order=None, headcount=1)
    assert stats.waiting_peak([placed]) == 0
    assert stats.waiting_peak([waited(1, confirmed=2), waited(3), waited(4, 5, cancelled=6)]) == 6
    # Moving up and a new sign-up at the same moment: the list never got longer.
    assert stats.waiting_peak([waited(1, confirmed=2), waited(2)]) == 1


@pytest.mark.parametrize(
    ("typed", "grouped"),
    [
        ("5b", "5"),
        ("Klasse 7", "7"),
        ("07", "7"),
        ("", ""),
        (None, ""),
        ("EF", "other"),
        ("20", "other"),
    ],
)
def test_school_years_are_grouped_by_their_number(typed, grouped):
    assert stats.school_year_of(typed) == grouped


def test_nobody_attended(app):
    workshop = create_workshop(days=[FIRST])
    register(workshop, "Amira", "Omar", now=at(0))
    facts = facts_of(workshop)
    assert (facts.confirmed, facts.attended_once, facts.no_shows) == (2, 0, 2)
    built = report.workshop_report(db.session, workshop, TODAY)
    assert [bar.figure.children for bar in built.breakdown("attendance").bars] == [0]
    assert str(built.key_figure("no_shows").figure) == "< 3"


def test_all_cancelled(app):
    workshop = create_workshop(days=[FIRST])
    result = register(workshop, "Amira", "Omar", "Lea", now=at(0))
    cancel(result.registration)
    built = report.workshop_report(db.session, workshop, TODAY)
    assert built.key_figure("registered").figure.children == 3
    assert built.key_figure("cancelled").figure.children == 3
    assert built.key_figure("confirmed").figure.children == 0
    assert built.key_figure("no_shows").figure.children == 0
    assert all(bar.share is None for bar in built.breakdown("channels").bars)
    assert built.breakdown("ages").bars == ()


def test_gender_not_asked_says_so_instead_of_a_share(app):
    workshop = create_workshop(days=[FIRST])
    register(workshop, "Amira", "Omar", "Lea", now=at(0))
    built = report.workshop_report(db.session, workshop, TODAY)
    girls = built.key_figure("girls")
    assert girls.figure is None and "nicht gefragt" in girls.detail
    assert built.breakdown("gender").bars == ()
    assert "nicht gefragt" in built.breakdown("gender").note


def test_a_workshop_not_begun_has_no_no_show_figure(app):
    workshop = create_workshop()  # a month ahead
    register(workshop, "Amira")
    no_shows = report.workshop_report(db.session, workshop, TODAY).key_figure("no_shows")
    assert no_shows.figure is None and "begonnen" in no_shows.detail


def test_a_group_counts_its_headcount_and_has_no_first_time(scenario):
    workshop, _organisation = scenario
    workshop.capacity = 16
    write_transaction()
    group = db.session.scalars(
        sa.select(services.Registration).filter_by(channel=Channel.GROUP)
    ).one()
    services.move_up(db.session, group.participants[0])
    db.session.commit()
    facts = facts_of(workshop)
    assert facts.confirmed == 16
    assert facts.first_time[None] == 12
    assert facts.gender_asked == 4  # a class has no gender: the share of girls leaves it out
    assert facts.school_years["4"] == 12


def test_the_period_report_covers_workshops_run_with_partners(scenario):
    workshop, organisation = scenario
    partner = create_organisation("zdi Bottrop")
    shared = create_workshop(
        organisations=[organisation, partner], days=[FIRST + timedelta(days=5)]
    )
    register(shared, "Ben:9", "Ida:10", "Ela:11", now=at(0))
    elsewhere = create_workshop(organisations=[partner], days=[FIRST])
    register(elsewhere, "Tom:9", now=at(0))
    later = create_workshop(organisations=[organisation], days=[TODAY + timedelta(days=400)])
    register(later, "Kai:9")
    period = periods.Period(FIRST - timedelta(days=30), FIRST + timedelta(days=30))
    built = report.organisation_report(db.session, organisation, period, TODAY)
    assert [row.slug for row in built.workshops] == ["ki4u-test", shared.slug]
    assert built.workshops[1].partners == ("zdi Bottrop",)
    assert built.key_figure("confirmed").figure.children == 4 + 3
    partner_report = report.organisation_report(db.session, partner, period, TODAY)
    assert {row.slug for row in partner_report.workshops} == {shared.slug, elsewhere.slug}


def test_a_workshop_belongs_to_the_period_of_its_first_date(app):
    organisation = create_organisation()
    across = create_workshop(
        organisations=[organisation], days=[date(2030, 12, 31), date(2031, 1, 2)]
    )
    in_2030 = periods.Period(date(2030, 1, 1), date(2030, 12, 31))
    in_2031 = periods.Period(date(2031, 1, 1), date(2031, 12, 31))
    assert periods.workshops_in(db.session, [organisation.id], in_2030) == [across]
    assert periods.workshops_in(db.session, [organisation.id], in_2031) == []


def test_period_from_the_query_string():
    today = date(2026, 12, 2)
    assert periods.period_from({}, today) == periods.Period(date(2026, 1, 1), date(2026, 12, 31))
    assert periods.period_from({"from": "2025-08-01", "to": "2026-01-31"}, today) == (
        periods.Period(date(2025, 8, 1), date(2026, 1, 31))
    )
    for bad in (
        {"from": "2026-02-01", "to": "2026-01-01"},
        {"from": "x", "to": "y"},
        {"to": "2026-01-01"},
    ):
        with pytest.raises(ValueError):
            periods.period_from(bad, today)


def test_status_values_of_kept_counts_are_read_back(scenario):
    workshop, _organisation = scenario
    purge_everything()
    kept = stats.figures(db.session, workshop.id, "status")
    assert kept == {
        ParticipantStatus.CONFIRMED: 4,
        ParticipantStatus.WAITING: 12,
        ParticipantStatus.CANCELLED: 1,
    }
    assert db.session.get(stats.WaitingPeak, workshop.id).children == 13
