"""Storage limitation: two clocks, the purge, anonymous counts, and each field's rule."""

import re
import uuid
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from signup import create_app
from signup.extensions import db
from signup.registrations import privacy, services, stats
from signup.registrations.models import (
    Channel,
    ConsentPurpose,
    Participant,
    ParticipantStatus,
    Registration,
)
from signup.staff.models import NRW_AUTHORITY, AuditEntry, LoginThrottle, Role
from signup.staff.services import record_for_workshop
from tests.conftest import libpq_url, postgres_server_url, test_config
from tests.factories import (
    cancel,
    create_organisation,
    create_staff,
    create_workshop,
    register,
    write_transaction,
)

BERLIN = ZoneInfo("Europe/Berlin")
ALL_FIELDS = "surname,gender,school,school_year,health,pickup"
#: Everything personal the scenario stores; none of it may survive the purge.
CONTACTS = ["+4915112340001", "eltern.qx@example.org", "+4915112340002", "+4915112340003"]
DETAILS = ["Qxschule", "Jg5qx", "Erdnussqx", "Omaqx", "Frau Adultqx", "Mutter angerufen qx"]
NAMES = ["Zeynepqx", "Yildizqx", "Emreqx", "Leaqx", "Milanqx", "Klasse 4qx"]
ADDRESS = "203.0.113.77"


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=BERLIN)


def child(name, age=10, **details):
    return services.Child(name, age, **details)


@pytest.fixture
def scenario(app):
    """A workshop on two days with every optional field: a family of two, a class, two waiting."""
    organisation = create_organisation("KI Datenschutz")
    staff = create_staff(organisation, Role.ORGANISER)
    first_day = date.today() + timedelta(days=30)
    workshop = create_workshop(
        organisations=[organisation],
        capacity=14,
        optional_fields=ALL_FIELDS,
        days=[first_day, first_day + timedelta(days=1)],
    )
    write_transaction()
    family = services.register(
        db.session,
        workshop,
        [
            child(
                "Zeynepqx",
                surname="Yildizqx",
                gender="female",
                school="Qxschule",
                school_year="Jg5qx",
                health_notes="Erdnussqx",
                pickup_note="Omaqx",
            ),
            child("Emreqx", 8, surname="Yildizqx", gender="male"),
        ],
        phone=CONTACTS[0],
        email=CONTACTS[1],
        language="tr",
        consents={ConsentPurpose.PARTICIPATION, ConsentPurpose.HEALTH},
    )
    group = services.register_group(
        db.session,
        workshop,
        group_name="Klasse 4qx",
        responsible_adult="Frau Adultqx",
        headcount=12,
        youngest_age=9,
        phone=CONTACTS[3],
        email=None,
        language="de",
        assisted_by=staff,
    )
    db.session.commit()
    waiting = register(workshop, "Leaqx:7", "Milanqx:11", phone=CONTACTS[2], language="ar")
    cancel(waiting.registration, [waiting.registration.participants[1]])
    write_transaction()
    zeynep, emre = family.registration.participants
    services.set_attendance(db.session, zeynep, workshop.dates[0], True, marked_by=staff)
    services.set_attendance(db.session, zeynep, workshop.dates[1], True, marked_by=staff)
    services.set_attendance(db.session, emre, workshop.dates[0], True, marked_by=staff)
    services.set_attendance(
        db.session, group.registration.participants[0], workshop.dates[0], True, marked_by=staff
    )
    services.add_note(db.session, family.registration, staff, "Mutter angerufen qx")
    record_for_workshop(
        db.session,
        staff,
        "note",
        workshop,
        subject=f"registration:{family.registration.id}",
        detail="Mutter angerufen qx",
    )
    long_ago = datetime.now(UTC) - timedelta(days=3)
    db.session.add(LoginThrottle(key=f"address:{ADDRESS}", failures=4, last_failure_at=long_ago))
    db.session.commit()
    return workshop, organisation, family


def last_day(workshop) -> date:
    return workshop.dates[-1].day


def run_purge(now: datetime) -> Counter:
    write_transaction()
    done = privacy.purge(db.session, now)
    db.session.commit()
    return done


def traces(*markers: str) -> list[tuple[str, str, str]]:
    """Every (table, column, marker) where a marker still stands, in any column of any table."""
    db.session.rollback()
    found = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)).mappings():
            for column, value in row.items():
                for marker in markers:
                    if isinstance(value, str) and marker.casefold() in value.casefold():
                        found.append((table.name, column, marker))
    return found


def snapshot() -> dict:
    db.session.rollback()
    return {
        table.name: sorted(map(tuple, db.session.execute(sa.select(table)).all()), key=repr)
        for table in db.metadata.sorted_tables
    }


def live_figures(workshop) -> dict[str, Counter]:
    """The report's figures, worked out from the registrations themselves."""
    db.session.rollback()
    participants = db.session.scalars(
        sa.select(Participant).where(Participant.workshop_id == workshop.id)
    ).all()
    figures = {name: Counter() for name in ("status", "age", "gender", "channel", "days")}
    for p in participants:
        figures["status"][p.status] += p.headcount
        figures["age"][p.age] += p.headcount
        figures["gender"][p.gender or ""] += p.headcount
        figures["channel"][p.registration.channel] += p.headcount
        figures["days"][len(p.attendances)] += p.headcount
    return figures


def kept_figures(workshop) -> dict[str, Counter]:
    db.session.rollback()
    by = {"status": "status", "age": "age", "gender": "gender", "channel": "channel"}
    figures = {name: stats.figures(db.session, workshop.id, column) for name, column in by.items()}
    figures["days"] = stats.figures(db.session, workshop.id, "attended_days")
    return figures


def test_clocks_default_to_90_and_30_days_after_the_last_date(app):
    workshop = create_workshop(days=[date(2031, 3, 1), date(2031, 3, 4)])
    retention = privacy.retention_for(workshop)
    assert retention.health_on == date(2031, 4, 3)
    assert retention.contact_on == date(2031, 6, 2)
    assert retention.sheets_on is None and retention.sheets_until is None


def test_workshop_overrides_win_and_health_never_outlasts_contact(app):
    workshop = create_workshop(days=[date(2031, 3, 1)], retention_days=20)
    workshop.organisations[0].health_retention_days = 60
    retention = privacy.retention_for(workshop)
    assert (retention.contact_on, retention.health_on) == (date(2031, 3, 21), date(2031, 3, 21))
    workshop.health_retention_days = 7
    assert privacy.retention_for(workshop).health_on == date(2031, 3, 8)


def test_shared_workshop_keeps_to_the_longest_setting_and_sheets_to_the_end_of_a_year(app):
    short = create_organisation("KI", retention_days=60, health_retention_days=10)
    long = create_organisation("zdi", retention_days=120, sheet_retention_years=5)
    workshop = create_workshop(organisations=[short, long], days=[date(2031, 3, 1)])
    retention = privacy.retention_for(workshop)
    assert retention.contact_on == date(2031, 6, 29)
    assert retention.health_on == date(2031, 3, 31)
    assert (retention.sheets_until, retention.sheets_on) == (date(2036, 12, 31), date(2037, 1, 1))


def test_purge_before_the_first_clock_changes_nothing(scenario):
    workshop, _organisation, _family = scenario
    before = snapshot()
    done = run_purge(noon(last_day(workshop) + timedelta(days=29)))
    assert done["health notes deleted"] == 0
    assert done["login throttles deleted"] == 1  # staff-side, a day after the failure
    after = snapshot()
    del before["login_throttles"], after["login_throttles"]
    assert after == before


def test_health_notes_go_first(scenario):
    workshop, _organisation, family = scenario
    done = run_purge(noon(last_day(workshop) + timedelta(days=30)))
    assert done["health notes deleted"] == 1
    assert done["registrations counted"] == 0
    assert traces("Erdnussqx") == []
    registration = db.session.get(Registration, family.registration.id)
    assert registration.contact_phone == CONTACTS[0]
    assert registration.participants[0].pickup_note == "Omaqx"


def test_purge_leaves_nothing_personal_in_any_table_and_keeps_the_counts(scenario):
    workshop, _organisation, _family = scenario
    assert traces(*NAMES, *CONTACTS, *DETAILS, ADDRESS)  # the scan finds what is there
    figures = live_figures(workshop)
    done = run_purge(noon(last_day(workshop) + timedelta(days=90)))

    assert traces(*NAMES, *CONTACTS, *DETAILS, ADDRESS) == []
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0
    assert kept_figures(workshop) == figures
    assert figures["status"] == {
        ParticipantStatus.CONFIRMED: 14,
        ParticipantStatus.WAITING: 1,
        ParticipantStatus.CANCELLED: 1,
    }
    assert done["registrations counted"] == done["registrations deleted"] == 3
    assert done["children deleted"] == 5
    assert done["consents deleted"] == 4
    assert (done["staff notes deleted"], done["audit details cleared"]) == (1, 1)


def test_counts_hold_no_names_contacts_or_ids(scenario):
    workshop, _organisation, _family = scenario
    run_purge(noon(last_day(workshop) + timedelta(days=90)))
    columns = {c.name for c in stats.ReportCount.__table__.columns}
    assert columns == {"id", "workshop_id", "children", *stats.KEY}
    assert stats.figures(db.session, workshop.id, "gender") == {
        "female": 1,
        "male": 1,
        "": 14,
    }


def test_purge_twice_changes_nothing_the_second_time(scenario):
    workshop, _organisation, _family = scenario
    now = noon(last_day(workshop) + timedelta(days=90))
    run_purge(now)
    first = snapshot()
    done = run_purge(now + timedelta(days=1))
    assert set(done.values()) == {0}
    assert snapshot() == first


def test_dry_run_changes_nothing_and_names_no_one(scenario, runner):
    workshop, _organisation, _family = scenario
    before = snapshot()
    moment = (last_day(workshop) + timedelta(days=90)).isoformat() + "T12:00"
    result = runner.invoke(args=["purge", "--dry-run", "--now", moment])
    assert result.exit_code == 0, result.output
    assert "Dry run" in result.output
    assert "registrations deleted: 3" in result.output
    assert snapshot() == before
    for marker in [*NAMES, *CONTACTS, *DETAILS]:
        assert marker not in result.output


def test_purge_command_deletes_and_reports_counts(scenario, runner):
    workshop, _organisation, _family = scenario
    moment = (last_day(workshop) + timedelta(days=90)).isoformat()
    result = runner.invoke(args=["purge", "--now", moment])
    assert result.exit_code == 0, result.output
    assert "health notes deleted: 1" in result.output
    assert traces(*NAMES, *CONTACTS) == []
    assert "registrations deleted: 0" in runner.invoke(args=["purge", "--now", moment]).output


def test_purge_command_refuses_a_malformed_time(app, runner):
    result = runner.invoke(args=["purge", "--now", "next tuesday"])
    assert result.exit_code == 2
    assert "ISO" in result.output


def test_sheets_keep_names_and_attendance_until_the_end_of_the_sheet_clock(scenario):
    workshop, organisation, family = scenario
    organisation.sheet_retention_years = 5
    db.session.commit()
    figures = live_figures(workshop)
    done = run_purge(noon(last_day(workshop) + timedelta(days=90)))
    assert done["registrations reduced to the sign-in sheet"] == 2
    assert done["registrations deleted"] == 1  # the waiting family had no place
    assert traces(*CONTACTS, *DETAILS, "Leaqx", "Milanqx") == []
    assert {marker for _t, _c, marker in traces(*NAMES)} == {
        "Zeynepqx",
        "Yildizqx",
        "Emreqx",
        "Klasse 4qx",
    }
    registration = db.session.get(Registration, family.registration.id)
    zeynep = registration.participants[0]
    assert (zeynep.first_name, zeynep.surname, len(zeynep.attendances)) == (
        "Zeynepqx",
        "Yildizqx",
        2,
    )
    assert (registration.consents, registration.notes, registration.checkin_code) == ([], [], None)
    assert services.find_by_token(db.session, family.token) is None  # the family link is dead
    assert kept_figures(workshop) == figures

    sheet_end = date(last_day(workshop).year + 5, 12, 31)
    assert set(run_purge(noon(sheet_end)).values()) == {0}
    done = run_purge(noon(sheet_end + timedelta(days=1)))
    assert done["registrations deleted"] == 2
    assert done["registrations counted"] == 0
    assert traces(*NAMES, *CONTACTS, *DETAILS, ADDRESS) == []
    assert kept_figures(workshop) == figures


def test_audit_entries_keep_the_subject_and_lose_the_detail(scenario):
    workshop, _organisation, family = scenario
    subject = f"registration:{family.registration.id}"
    run_purge(noon(last_day(workshop) + timedelta(days=90)))
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.subject == subject)).all()
    assert [(e.action, e.detail) for e in entries] == [("note", "")]
    purged = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "purge")).one()
    assert (purged.subject, purged.actor_id) == (f"workshop:{workshop.id}", None)
    assert purged.organisation_id == workshop.organisations[0].id
    assert "registrations deleted: 3" in purged.detail


def test_a_child_from_an_earlier_workshop_is_not_counted_as_new(app):
    organisation = create_organisation("KI")
    today = date.today()
    earlier = create_workshop(organisations=[organisation], days=[today + timedelta(days=10)])
    later = create_workshop(organisations=[organisation], days=[today + timedelta(days=40)])
    register(earlier, "Aylinqx", phone="+4915100000001")
    register(later, "aylinqx", "Bariqx", phone="+4915100000001")
    register(later, "Neuqx", phone="+4915100000002")
    # The earlier workshop's data goes first; it leaves a mark on the later sign-up.
    run_purge(noon(today + timedelta(days=100)))
    assert traces("Aylinqx") == [("participants", "first_name", "Aylinqx")]
    run_purge(noon(today + timedelta(days=130)))
    assert stats.figures(db.session, earlier.id, "first_time") == {True: 1}
    assert stats.figures(db.session, later.id, "first_time") == {False: 1, True: 2}
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(stats.ReturningParticipant)) == 0
    )


def test_a_child_still_stored_from_before_is_not_counted_as_new(app):
    organisation = create_organisation("KI")
    today = date.today()
    earlier = create_workshop(organisations=[organisation], days=[today + timedelta(days=10)])
    later = create_workshop(
        organisations=[organisation], days=[today + timedelta(days=20)], retention_days=1
    )
    register(earlier, "Aylinqx", phone="+4915100000001")
    register(later, "Aylinqx", phone="+4915100000001")
    run_purge(noon(today + timedelta(days=21)))  # the later one first: short retention
    assert stats.figures(db.session, later.id, "first_time") == {False: 1}
    run_purge(noon(today + timedelta(days=100)))
    assert stats.figures(db.session, earlier.id, "first_time") == {True: 1}


def test_groups_count_their_headcount_and_no_first_time(scenario):
    workshop, _organisation, _family = scenario
    run_purge(noon(last_day(workshop) + timedelta(days=90)))
    assert (
        stats.figures(db.session, workshop.id, "channel", "first_time")[(Channel.GROUP, None)] == 12
    )


def test_update_settings_logs_what_changed(app):
    organisation = create_organisation("KI")
    user = create_staff(organisation)
    settings = privacy.PrivacySettings(
        postal_address="Rathausplatz 1\n46236 Bottrop",
        privacy_email="datenschutz@ki.example",
        dpo_contact="",
        supervisory_authority=NRW_AUTHORITY,
        retention_days=60,
        health_retention_days=14,
        sheet_retention_years=5,
    )
    assert privacy.update_settings(db.session, organisation, settings, actor=user)
    assert not privacy.update_settings(db.session, organisation, settings, actor=user)
    entry = db.session.scalar(sa.select(AuditEntry))
    assert entry.subject == f"organisation:{organisation.id}"
    assert entry.detail.split() == [
        "postal_address",
        "privacy_email",
        "retention_days",
        "health_retention_days",
        "sheet_retention_years",
    ]
    longer = privacy.PrivacySettings(**{**vars(settings), "health_retention_days": 61})
    with pytest.raises(ValueError):
        privacy.update_settings(db.session, organisation, longer, actor=user)


FAMILY_TABLES = ("registrations", "participants", "consents", "registration_notes", "attendances")


@pytest.mark.parametrize("table", FAMILY_TABLES)
def test_every_column_of_a_family_table_has_a_retention_rule(app, table):
    rules = privacy.__doc__
    for column in db.metadata.tables[table].columns:
        named = (
            f"{table}.{column.name}" in rules
            or f"{table}.*" in rules
            or re.search(rf"\b{table}: [^;]*\b{column.name}\b", rules)
        )
        assert named, f"say in privacy.py what happens to {table}.{column.name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    """A database with no tables, on each backend, dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    server = postgres_server_url()
    if server is None:
        pytest.skip("PostgreSQL tests need SIGNUP_TEST_POSTGRES_URL")
    name = "signup_migration_" + uuid.uuid4().hex[:12]
    with psycopg.connect(libpq_url(server), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield sa.engine.make_url(libpq_url(server)).set(database=name).render_as_string(False)
    finally:
        with psycopg.connect(libpq_url(server), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_migration_0003_upgrades_existing_organisations_and_goes_back(empty_database):
    app = create_app(test_config(empty_database))
    with app.app_context():
        upgrade(revision="0002")
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO organisations (id, name, slug, kind, created_at) "
                    "VALUES (1, 'KI Bottrop', 'ki-bottrop', '', CURRENT_TIMESTAMP)"
                )
            )
        upgrade(revision="0003")
        with db.engine.connect() as connection:
            row = connection.execute(sa.text("SELECT * FROM organisations")).mappings().one()
        assert row["name"] == "KI Bottrop"
        assert (row["retention_days"], row["health_retention_days"]) == (90, 30)
        assert (row["supervisory_authority"], row["sheet_retention_years"]) == (NRW_AUTHORITY, None)
        assert (row["postal_address"], row["privacy_email"], row["dpo_contact"]) == ("", "", "")
        assert {"report_counts", "counted_registrations"} <= set(
            sa.inspect(db.engine).get_table_names()
        )

        downgrade(revision="0002")
        inspector = sa.inspect(db.engine)
        assert "report_counts" not in inspector.get_table_names()
        assert "retention_days" not in {c["name"] for c in inspector.get_columns("organisations")}
        assert "retention_days" not in {c["name"] for c in inspector.get_columns("workshops")}
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT name FROM organisations")).scalar() == (
                "KI Bottrop"
            )
        upgrade()
        db.engine.dispose()
