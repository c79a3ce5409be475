"""ICS calendar of the planned meetings, for Outlook, Thunderbird or a phone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import duckdb
from icalendar import Calendar, Event

from analytics.settings import EARLIEST_DAY, LATEST_DAY
from analytics.store.sql import query
from analytics.wording import labels

PRODID = "-//Mulhouse Alsace Agglomération//Gouvernance m2A//FR"


def uid(body_code: str, day: date) -> str:
    """A meeting's identifier in calendars: stable across exports, imports and restores (body and date)."""
    return f"{body_code}-{day:%Y%m%d}@gouvernance.m2a"


def planned_calendar(conn: duckdb.DuckDBPyConnection, since: date, body_code: str | None = None) -> bytes:
    """Every planned meeting from `since` on (of one body, or all) as an all-day event; a sitting dated outside the
    plausible range (settings.EARLIEST_DAY … LATEST_DAY, a typing slip such as 31/12/9999) is left out, never an
    error: its next day may not exist, and the calendar is drawn on every run of the Saisie page."""
    rows = conn.cursor().execute(query("ics_planned_meetings"), {"since": since, "body": body_code}).fetchall()
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Gouvernance m2A — séances prévues")
    stamp = datetime.now(UTC).replace(microsecond=0)
    for code, name, day, fmt, kind in rows:
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            continue
        event = Event()
        event.add("uid", uid(code, day))
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("summary", name)
        event.add("description", f"Séance prévue — {labels.MEETING_FORMAT[fmt]}, {labels.MEETING_TYPE[kind]}.")
        event.add("categories", [code])
        calendar.add_component(event)
    return calendar.to_ical()
