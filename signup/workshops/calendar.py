"""The workshop's dates as an iCalendar file (RFC 5545) for the family's phone."""

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import Response
from icalendar import Calendar, Event

from ..models_base import utcnow
from .models import Workshop, WorkshopStatus

PRODUCT_ID = "-//signup//Workshops//DE"
#: Line breaks and control characters: a one-line property must not carry them.
BREAKS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def one_line(value: str) -> str:
    return " ".join(BREAKS.sub(" ", value).split())


def workshop_calendar(
    workshop: Workshop, language: str, url: str, *, now: datetime | None = None
) -> bytes:
    """One event per date, in the workshop's time zone, with the place and `url`.

    The events keep their UID when a date is moved, so a calendar that imports the file again
    (a "changed" e-mail) updates them; a cancelled workshop's events say CANCELLED.
    """
    text = workshop.text_for(language)
    host = urlsplit(url).hostname or "signup"
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    title = one_line(text.title)
    calendar.add("x-wr-calname", title)
    stamp = now or utcnow()
    location = one_line(", ".join([workshop.place_name, *workshop.place_address.splitlines()]))
    description = "\n\n".join(part for part in (text.summary, url) if part)
    for workshop_date in workshop.dates:
        event = Event()
        event.add("uid", f"signup-{workshop.id}-{workshop_date.id}@{host}")
        event.add("dtstamp", stamp)
        day, zone = workshop_date.day, workshop.zone
        event.add("dtstart", datetime.combine(day, workshop_date.starts_at, zone))
        event.add("dtend", datetime.combine(day, workshop_date.ends_at, zone))
        event.add("summary", title)
        event.add("location", location)
        event.add("description", description)
        event.add("url", url)
        if workshop.status == WorkshopStatus.CANCELLED:
            event.add("status", "CANCELLED")
        calendar.add_component(event)
    if workshop.dates:
        # Only the years the dates need, not the zone's whole history.
        first, last = workshop.dates[0].day, workshop.dates[-1].day
        calendar.add_missing_timezones(
            first_date=first.replace(month=1, day=1), last_date=last + timedelta(days=366)
        )
    return calendar.to_ical()


def calendar_filename(workshop: Workshop) -> str:
    return f"{workshop.slug}.ics"


def calendar_response(body: bytes, workshop: Workshop, *, private: bool) -> Response:
    """Send the file so that phones offer to add it to the calendar."""
    response = Response(body, mimetype="text/calendar")
    response.headers.set("Content-Disposition", "attachment", filename=calendar_filename(workshop))
    response.headers["Cache-Control"] = "no-store" if private else "public, max-age=300"
    return response
