"""ICS calendar of planned meetings: one event per meeting, stable identifiers."""

from __future__ import annotations

from datetime import date

import duckdb
from icalendar import Calendar

from analytics.outputs import ics


def test_planned_meetings_become_stable_events(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("""INSERT INTO meetings (body_code, meeting_date, status, format) VALUES
        ('conseil', '2025-01-27', 'planned', 'in_person'), ('bureau', '2025-01-13', 'planned', 'video'),
        ('conseil', '2024-12-16', 'held', 'in_person'), ('conseil', '2025-02-03', 'cancelled', 'in_person'),
        ('conseil', '2024-11-04', 'planned', 'in_person')""")
    all_bodies = Calendar.from_ical(ics.planned_calendar(conn, since=date(2025, 1, 1)))
    events = [(str(e["summary"]), e.decoded("dtstart"), str(e["uid"])) for e in all_bodies.walk("VEVENT")]
    # held, cancelled and past planned meetings are left out; ordered by date
    assert events == [("Bureau", date(2025, 1, 13), "bureau-20250113@gouvernance.m2a"),
                      ("Conseil d'Agglomération", date(2025, 1, 27), "conseil-20250127@gouvernance.m2a")]
    only_conseil = Calendar.from_ical(ics.planned_calendar(conn, since=date(2025, 1, 1), body_code="conseil"))
    assert [str(e["uid"]) for e in only_conseil.walk("VEVENT")] == ["conseil-20250127@gouvernance.m2a"]
    assert "visio" in str(list(all_bodies.walk("VEVENT"))[0]["description"])


def test_a_sitting_dated_out_of_range_is_left_out_without_error(conn: duckdb.DuckDBPyConnection) -> None:
    # issue 17.8: a planned sitting on 31/12/9999 has no next day (its DTEND), and the calendar is built on every run
    # of the Saisie page; such a slip is left out, the plausible sittings around it stay
    conn.execute("""INSERT INTO meetings (body_code, meeting_date, status, format) VALUES
        ('conseil', '9999-12-31', 'planned', 'in_person'), ('bureau', '2101-01-01', 'planned', 'in_person'),
        ('bureau', '2100-12-31', 'planned', 'in_person'), ('conseil', '2025-01-27', 'planned', 'in_person')""")
    calendar = Calendar.from_ical(ics.planned_calendar(conn, since=date(2025, 1, 1)))
    events = [(e.decoded("dtstart"), e.decoded("dtend")) for e in calendar.walk("VEVENT")]
    assert events == [(date(2025, 1, 27), date(2025, 1, 28)), (date(2100, 12, 31), date(2101, 1, 1))]
