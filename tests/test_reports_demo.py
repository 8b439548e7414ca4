"""The issue's "done when", from the demo data: an organiser gets last year's KI4U report on
screen, as PDF and as CSV, and the same figures after `signup purge`."""

import csv
import io
from datetime import date

import sqlalchemy as sa

from signup.demo import DEMO_EMAIL, DEMO_PASSWORD, load_demo
from signup.extensions import db
from signup.registrations.models import Registration
from signup.workshops.models import Workshop
from tests import pdfs
from tests.factories import log_in


def figures_of(client, workshop_id: int) -> dict:
    response = client.get(f"/staff/workshops/{workshop_id}/report.csv")
    assert response.status_code == 200
    rows = csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))
    return {(row["section"], row["key"]): row["children"] for row in rows}


def test_the_ki4u_report_from_the_demo_data_survives_the_purge(app, client, runner):
    load_demo(db.session)
    db.session.commit()
    assert log_in(client, DEMO_EMAIL, DEMO_PASSWORD).status_code == 302
    last_year = db.session.scalar(sa.select(Workshop).filter_by(slug="ki4u-vorjahr"))
    this_year = db.session.scalar(sa.select(Workshop).filter_by(slug="ki4u"))
    hub = client.get(f"/staff/workshops/{last_year.id}").get_data(as_text=True)
    assert f"/staff/workshops/{last_year.id}/report" in hub

    # On screen: participants, girls, ages, attendance per day, channel.
    url = f"/staff/workshops/{last_year.id}/report"
    html = client.get(url).get_data(as_text=True)
    assert "<dt>Kinder mit Platz</dt>\n    <dd><strong>25</strong>" in html
    assert "<dt>Mädchen</dt>\n    <dd><strong>16</strong>" in html
    for heading in ("Da an jedem Termin", "Alter", "Wie angemeldet", "Sprache der Familie"):
        assert f">{heading}</h2>" in html
    assert html.count('class="chart"') == 7

    # As CSV: the article's figures, the days one by one.
    before = figures_of(client, last_year.id)
    assert before[("figures", "confirmed")] == "25"
    assert before[("gender", "female")] == "16" and before[("gender", "male")] == "9"
    assert [before[("attendance", f"{d.day.isoformat()}T10:30")] for d in last_year.dates] == [
        "22",
        "20",
        "23",
    ]
    assert before[("figures", "waiting_peak")] == "3"
    assert before[("figures", "cancelled")] == "< 3"
    assert before[("ages", "12-13")] == "12"
    assert (before[("channels", "assisted")], before[("channels", "online")]) == ("14", "6")
    # This year, Amira, Elif and Yusuf come again.
    assert figures_of(client, this_year.id)[("first_time", "again")] == "3"
    this_year_before = figures_of(client, this_year.id)

    # As PDF, with the same figures.
    pdf = client.get(f"{url}.pdf").data
    text = pdfs.text_of(pdf)
    assert "\n25\nKinder mit Platz\n" in text and "\n16\nMädchen\n" in text
    assert "Mo. 13.10." in text or "13.10." in text

    # Years later every registration is gone; the report is the same, to the byte.
    far = date.today().replace(year=date.today().year + 10).isoformat()
    result = runner.invoke(args=["purge", "--now", far])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0
    assert figures_of(client, last_year.id) == before
    assert figures_of(client, this_year.id) == this_year_before
    assert client.get(f"{url}.pdf").data == pdf
    after = client.get(url).get_data(as_text=True)
    assert after.split('<dl class="key-figures">')[1] == html.split('<dl class="key-figures">')[1]

    # Loading the demo again does not bring last year's families back.
    load_demo(db.session)
    db.session.commit()
    assert figures_of(client, last_year.id) == before
