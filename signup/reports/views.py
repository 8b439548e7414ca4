"""Report pages for staff: a workshop's, an organisation's for a period, and the network's.

Reports hold counts only, no one named, so opening or downloading one is not written to the
audit log (as with the flyer; lists with names are logged).
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, make_response, render_template, request
from flask_login import current_user, login_required

from ..extensions import db
from ..i18n import _, get_locale
from ..printables.views import pdf_response
from ..staff.access import workshop_for_staff
from ..staff.models import Organisation
from . import network, pdf, periods, report, tables
from .cells import NOTE
from .charts import bar_chart

bp = Blueprint("reports", __name__)


@bp.context_processor
def explain_small_cells():
    return {"small_cells": NOTE}


def today() -> date:
    return datetime.now(ZoneInfo(current_app.config["SIGNUP_TIMEZONE"])).date()


def chosen_period() -> tuple[periods.Period, str]:
    """The period asked for, or this year with a message saying why the other was refused."""
    try:
        return periods.period_from(request.args, today()), ""
    except ValueError:
        period = periods.period_from({}, today())
        return period, _("Bitte geben Sie zwei Daten an; das zweite nicht vor dem ersten.")


def organisation_for_staff(organisation_id: int) -> Organisation:
    """Return an organisation the current user belongs to; any other is "not found"."""
    for membership in current_user.memberships:
        if membership.organisation_id == organisation_id:
            return membership.organisation
    abort(404)


def csv_response(body: bytes, filename: str):
    response = make_response(body)
    response.mimetype = "text/csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def send(format: str, figures: report.Report, filename: str):
    if format == "pdf":
        body = pdf.render_report(figures, str(get_locale()), today())
        return pdf_response(body, f"{filename}.pdf")
    return csv_response(tables.report_csv(figures), f"{filename}.csv")


@bp.get("/staff/reports")
@login_required
def list_reports():
    """Offer the reports of the user's organisations, and the network's to administrators."""
    organisations = sorted((m.organisation for m in current_user.memberships), key=lambda o: o.name)
    return render_template(
        "reports/list_reports.html",
        organisations=organisations,
        choices=periods.period_choices(today()),
    )


@bp.get("/staff/workshops/<int:workshop_id>/report")
@login_required
def show_workshop_report(workshop_id: int):
    """Show a workshop's figures with bar charts; links to the PDF and the CSV."""
    workshop = workshop_for_staff(workshop_id)
    figures = report.workshop_report(db.session, workshop, today())
    return render_template(
        "reports/show_workshop_report.html", workshop=workshop, report=figures, chart=bar_chart
    )


@bp.get("/staff/workshops/<int:workshop_id>/report.<any(pdf, csv):format>")
@login_required
def download_workshop_report(workshop_id: int, format: str):
    """The same figures as a PDF with the same charts, or as CSV."""
    workshop = workshop_for_staff(workshop_id)
    figures = report.workshop_report(db.session, workshop, today())
    return send(format, figures, f"report-{workshop.slug}")


@bp.get("/staff/organisations/<int:organisation_id>/report")
@login_required
def show_organisation_report(organisation_id: int):
    """Show an organisation's figures for a period, its partner workshops included."""
    organisation = organisation_for_staff(organisation_id)
    period, error = chosen_period()
    figures = report.organisation_report(db.session, organisation, period, today())
    return render_template(
        "reports/show_organisation_report.html",
        organisation=organisation,
        report=figures,
        period=period,
        choices=periods.period_choices(today()),
        error=error,
        chart=bar_chart,
        columns=report.WORKSHOP_COLUMNS,
    ), (400 if error else 200)


@bp.get("/staff/organisations/<int:organisation_id>/report.<any(pdf, csv):format>")
@login_required
def download_organisation_report(organisation_id: int, format: str):
    """An organisation's period report as PDF or CSV."""
    organisation = organisation_for_staff(organisation_id)
    period, error = chosen_period()
    if error:
        abort(400)
    figures = report.organisation_report(db.session, organisation, period, today())
    return send(format, figures, f"report-{organisation.slug}-{period.start}-{period.end}")


def admin_only() -> None:
    """The network view is for instance administrators; for other staff it does not exist."""
    if not current_user.is_admin:
        abort(404)


@bp.get("/staff/network")
@login_required
def show_network_report():
    """All organisations side by side for a period; instance administrators only."""
    admin_only()
    period, error = chosen_period()
    figures = network.network_report(db.session, period, today(), _("Alle Organisationen"))
    return render_template(
        "reports/show_network_report.html",
        report=figures,
        period=period,
        choices=periods.period_choices(today()),
        error=error,
        chart=bar_chart(network.children_breakdown(figures, _("Kinder mit Platz"))),
    ), (400 if error else 200)


@bp.get("/staff/network.csv")
@login_required
def download_network_report():
    """The network view as CSV; instance administrators only."""
    admin_only()
    period, error = chosen_period()
    if error:
        abort(400)
    figures = network.network_report(db.session, period, today(), _("Alle Organisationen"))
    return csv_response(tables.network_csv(figures), f"network-{period.start}-{period.end}.csv")
