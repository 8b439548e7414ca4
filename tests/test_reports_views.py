"""The report pages: what staff see, the PDF and CSV downloads, who may open them, and the
administrator's network view."""

import csv
import io
from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from signup.extensions import db
from signup.registrations import services
from signup.registrations.models import Channel
from signup.staff.models import Role, StaffUser
from tests import pdfs
from tests.factories import (
    create_organisation,
    create_staff,
    create_workshop,
    log_in,
    register,
    write_transaction,
)

FIRST = date.today() - timedelta(days=60)
BEFORE = datetime.combine(FIRST - timedelta(days=20), time(9), tzinfo=UTC)
GIRLS = ["Amiraqx", "Elifqx", "Nourqx", "Sarahqx"]
BOYS = ["Omarqx", "Jonasqx", "Taraqx"]


@pytest.fixture
def workshop(app):
    """A past workshop of "KI Bottrop" with 7 children, gender asked; 5 came on day one."""
    organisation = create_organisation("KI Bottrop", slug="ki-bottrop")
    staff = create_staff(organisation, Role.ORGANISER, email="leitung@ki.example")
    workshop = create_workshop(
        organisations=[organisation],
        optional_fields="gender",
        days=[FIRST, FIRST + timedelta(days=1)],
        texts={"de": "Roboterqx-Tage"},
    )
    children = [(name, "female") for name in GIRLS] + [(name, "male") for name in BOYS]
    for index, (name, gender) in enumerate(children):
        write_transaction()
        result = services.register(
            db.session,
            workshop,
            [services.Child(name, 9 + index % 3, gender=gender)],
            phone=f"+49151000000{index:02d}",
            email=None,
            language="tr" if index < 3 else "de",
            consents={services.ConsentPurpose.PARTICIPATION},
            channel=Channel.ASSISTED if index % 2 else Channel.ONLINE,
            assisted_by=staff if index % 2 else None,
            now=BEFORE + timedelta(hours=index),
        )
        if index < 5:
            participant = result.registration.participants[0]
            services.set_attendance(db.session, participant, workshop.dates[0], True)
        db.session.commit()
    return workshop


def as_organiser(client):
    assert log_in(client, "leitung@ki.example").status_code == 302


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_the_report_page_shows_the_key_figures_charts_and_tables(client, workshop):
    as_organiser(client)
    html = page(client, f"/staff/workshops/{workshop.id}/report")
    assert "Bericht: Roboterqx-Tage" in html
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in html
    assert 'role="img"' in html and "<title id=" in html
    assert "Mädchen: 4" not in html  # the key figures are a list, the charts have titles
    assert "<dt>Kinder mit Platz</dt>\n    <dd><strong>7</strong>" in html
    assert "<dt>Mädchen</dt>\n    <dd><strong>4</strong>" in html
    assert "57\xa0% der Kinder mit Platz, die gefragt wurden" in html
    assert "<script" not in html
    assert f"/staff/workshops/{workshop.id}/report.pdf" in html
    for name in GIRLS + BOYS:
        assert name not in html


def test_the_hub_and_the_dashboard_link_to_the_reports(client, workshop):
    as_organiser(client)
    assert f"/staff/workshops/{workshop.id}/report" in page(
        client, f"/staff/workshops/{workshop.id}"
    )
    dashboard = page(client, "/staff/")
    assert "/staff/reports" in dashboard and "/staff/network" not in dashboard
    organisation = workshop.organisations[0]
    assert f"/staff/organisations/{organisation.id}/report?" in page(client, "/staff/reports")


def test_the_csv_has_every_figure_and_hides_small_cells(client, workshop):
    as_organiser(client)
    response = client.get(f"/staff/workshops/{workshop.id}/report.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    cells = {(row["section"], row["key"]): row for row in rows}
    assert cells[("figures", "registered")]["children"] == "7"
    assert cells[("figures", "attended_once")]["children"] == "5"
    assert cells[("figures", "no_shows")]["children"] == "< 3"
    assert cells[("gender", "female")]["children"] == "4"
    assert cells[("gender", "female")]["percent"] == "57.1"
    assert cells[("gender", "male")]["children"] == "3"
    assert cells[("languages", "tr")]["children"] == "3"
    assert cells[("attendance", f"{FIRST.isoformat()}T10:30")]["children"] == "5"
    assert (
        cells[("attendance", f"{(FIRST + timedelta(days=1)).isoformat()}T10:30")]["children"] == "0"
    )
    for name in GIRLS + BOYS:
        assert name not in response.get_data(as_text=True)


def test_the_pdf_reads_back_with_the_same_figures(client, workshop):
    as_organiser(client)
    response = client.get(f"/staff/workshops/{workshop.id}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdfs.text_of(response.data)
    assert "Roboterqx-Tage" in text
    # Each key figure is its number over its label; each bar its label beside its number.
    for number, label in (("7", "Kinder angemeldet"), ("5", "mindestens einen Tag da")):
        assert f"\n{number}\n{label}\n" in text
    assert "\n< 3\nnicht gekommen\n" in text
    for label, number in (("Mädchen", "4"), ("Jungen", "3"), ("Türkisch", "3"), ("Deutsch", "4")):
        assert f"{label}\n{number}\n" in text
    assert "Seite 1 von 2" in text and pdfs.page_count(response.data) == 2
    for name in GIRLS + BOYS:
        assert name not in text


def test_the_organisation_report_covers_a_period(client, workshop):
    as_organiser(client)
    organisation = workshop.organisations[0]
    year = FIRST.year
    url = f"/staff/organisations/{organisation.id}/report?from={year}-01-01&to={year}-12-31"
    html = page(client, url)
    assert "Roboterqx-Tage" in html and "Die Workshops einzeln" in html
    pdf = client.get(url.replace("/report?", "/report.pdf?"))
    assert "Roboterqx-Tage" in pdfs.text_of(pdf.data)
    rows = client.get(url.replace("/report?", "/report.csv?")).get_data(as_text=True)
    assert f"workshop:{workshop.slug},confirmed,mit Platz,7," in rows
    empty = page(
        client, f"/staff/organisations/{organisation.id}/report?from=2001-01-01&to=2001-12-31"
    )
    assert "kein Workshop" in empty


def test_a_wrong_period_is_refused_with_a_message(client, workshop):
    as_organiser(client)
    organisation = workshop.organisations[0]
    url = f"/staff/organisations/{organisation.id}/report?from=2026-05-01&to=2026-01-01"
    response = client.get(url)
    assert response.status_code == 400
    assert "nicht vor dem ersten" in response.get_data(as_text=True)
    assert client.get(url.replace("/report?", "/report.csv?")).status_code == 400


def test_staff_of_another_organisation_find_no_report(client, workshop):
    stranger = create_organisation("Anderer Verein")
    create_staff(stranger, Role.ORGANISER, email="fremd@verein.example")
    assert log_in(client, "fremd@verein.example").status_code == 302
    own = workshop.organisations[0]
    for url in (
        f"/staff/workshops/{workshop.id}/report",
        f"/staff/workshops/{workshop.id}/report.pdf",
        f"/staff/workshops/{workshop.id}/report.csv",
        f"/staff/organisations/{own.id}/report",
        f"/staff/organisations/{own.id}/report.pdf",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/staff/organisations/{stranger.id}/report").status_code == 200


def test_assistants_see_reports_and_visitors_must_log_in(client, workshop):
    url = f"/staff/workshops/{workshop.id}/report"
    assert client.get(url).status_code == 302
    assert client.get("/staff/network").status_code == 302
    create_staff(workshop.organisations[0], Role.ASSISTANT, email="assistenz@ki.example")
    assert log_in(client, "assistenz@ki.example").status_code == 302
    assert client.get(url).status_code == 200


def test_only_administrators_see_the_network(client, workshop):
    as_organiser(client)
    assert client.get("/staff/network").status_code == 404
    assert client.get("/staff/network.csv").status_code == 404
    db.session.scalar(sa.select(StaffUser).filter_by(email="leitung@ki.example")).is_admin = True
    other = create_organisation("zdi Gelsenkirchen")
    later = create_workshop(organisations=[other], days=[FIRST + timedelta(days=3)])
    register(later, "Kaiqx", "Linaqx", "Benqx", now=BEFORE)
    year = FIRST.year
    html = page(client, f"/staff/network?from={year}-01-01&to={year}-12-31")
    assert "KI Bottrop" in html and "zdi Gelsenkirchen" in html
    assert "Alle Organisationen" in html and 'class="chart"' in html
    for name in GIRLS + BOYS + ["Kaiqx"]:
        assert name not in html
    assert "/staff/network" in page(client, "/staff/")
    rows = client.get(f"/staff/network.csv?from={year}-01-01&to={year}-12-31")
    table = list(csv.reader(io.StringIO(rows.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0] == ["organisation", "workshops", "children", "girls", "languages"]
    assert ["KI Bottrop", "1", "7", "4", "2"] in table
    assert ["zdi Gelsenkirchen", "1", "3", "", "1"] in table
    assert table[-1] == ["Alle Organisationen", "2", "10", "4", "2"]


def test_user_admin_command_makes_and_unmakes_an_administrator(runner, workshop):
    user = db.session.scalar(sa.select(StaffUser).filter_by(email="leitung@ki.example"))
    assert not user.is_admin
    result = runner.invoke(args=["user", "admin", "Leitung@KI.example"])
    assert result.exit_code == 0, result.output
    db.session.refresh(user)
    assert user.is_admin
    assert runner.invoke(args=["user", "admin", "leitung@ki.example", "--off"]).exit_code == 0
    db.session.refresh(user)
    assert not user.is_admin
    missing = runner.invoke(args=["user", "admin", "nobody@ki.example"])
    assert missing.exit_code != 0 and "no account" in missing.output
    created = runner.invoke(
        args=["user", "create", "--email", "admin@land.example", "--name", "Admin", "--admin"],
        input="a long password\na long password\n",
    )
    assert created.exit_code == 0, created.output
    admin = db.session.scalar(sa.select(StaffUser).filter_by(email="admin@land.example"))
    assert admin.is_admin and admin.memberships == []


def test_typed_names_stay_text_in_charts_and_csv(client, workshop):
    hostile = '<script>alert(1)</script>"><svg onload=x>'
    organisation = workshop.organisations[0]
    organisation.name = hostile
    workshop.texts[0].title = '=HYPERLINK("http://x.example","y")'
    db.session.scalar(sa.select(StaffUser).filter_by(email="leitung@ki.example")).is_admin = True
    db.session.commit()
    as_organiser(client)
    year = FIRST.year
    network = page(client, f"/staff/network?from={year}-01-01&to={year}-12-31")
    assert "<script>alert" not in network and "onload=x>" not in network
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in network  # in the chart and the table
    rows = client.get(f"/staff/workshops/{workshop.id}/report.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in rows
    report = page(
        client, f"/staff/organisations/{organisation.id}/report?from={year}-01-01&to={year}-12-31"
    )
    assert "<script>alert" not in report
