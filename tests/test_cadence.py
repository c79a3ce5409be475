"""Cadence compliance on small meeting-only fixtures; every expected value is worked out by hand in comments."""

from __future__ import annotations

import math
from datetime import date

import duckdb
import pandas as pd
import pytest

from analytics.rules import cadence
from analytics.store import db, reference

D = date.fromisoformat


def add(conn: duckdb.DuckDBPyConnection, body: str, day: str, status: str = "held",
        meeting_type: str = "ordinary", requesters: int | None = None) -> None:
    """Insert one meeting (the bodies catalogue is preloaded by the conn fixture)."""
    conn.cursor().execute(
        "INSERT INTO meetings (body_code, meeting_date, status, meeting_type, requesters) VALUES (?, ?, ?, ?, ?)",
        [body, D(day), status, meeting_type, requesters],
    )


def set_rule(conn: duckdb.DuckDBPyConnection, body: str, rule: str) -> None:
    """The catalogue has no bimonthly body: tests give one a rule of their choice."""
    conn.cursor().execute("UPDATE bodies SET cadence_rule = ? WHERE code = ?", [rule, body])


def rows(frame: pd.DataFrame, body: str) -> list[tuple]:
    """(period_start, period_end, held, required, status, days_left) of one body, NA as None."""
    part = frame[frame["body_code"] == body]
    return [
        (r.period_start.date().isoformat(), r.period_end.date().isoformat(), int(r.held),
         None if pd.isna(r.required) else int(r.required), r.status,
         None if pd.isna(r.days_left) else int(r.days_left))
        for r in part.itertuples()
    ]


def periods(conn: duckdb.DuckDBPyConnection, body: str, start: str, end: str, as_of: str) -> list[tuple]:
    """The judged periods of `body` over start–end, seen on `as_of`, as rows()."""
    return rows(cadence.periods(conn, D(start), D(end), as_of=D(as_of)), body)


def body_summary(frame: pd.DataFrame, code: str) -> pd.Series:
    return frame.set_index("code").loc[code]


# --- monthly -------------------------------------------------------------------------------------------------------

def test_monthly_boundaries_leap_day_cancelled_and_planned(conn):
    add(conn, "direction", "2024-01-31")               # last day of January: counts for January
    add(conn, "direction", "2024-02-29")               # leap day: counts for February
    add(conn, "direction", "2024-03-10", "cancelled")  # does not count: March missed
    add(conn, "direction", "2024-04-15", "planned")    # does not count: April missed
    add(conn, "direction", "2024-05-02")
    frame = cadence.periods(conn, D("2024-01-01"), D("2024-06-30"), as_of=D("2024-06-20"))
    assert list(frame.columns) == cadence.PERIOD_COLUMNS
    assert rows(frame, "direction") == [
        ("2024-01-01", "2024-01-31", 1, 1, "met", None),
        ("2024-02-01", "2024-02-29", 1, 1, "met", None),
        ("2024-03-01", "2024-03-31", 0, 1, "missed", None),
        ("2024-04-01", "2024-04-30", 0, 1, "missed", None),
        ("2024-05-01", "2024-05-31", 1, 1, "met", None),
        # June: not met, ends after as_of; 30 June − 20 June = 10 days left
        ("2024-06-01", "2024-06-30", 0, 1, "in_progress", 10),
    ]


def test_monthly_summary(conn):
    add(conn, "direction", "2024-01-31")
    add(conn, "direction", "2024-02-29")
    add(conn, "direction", "2024-03-10", "cancelled")
    add(conn, "direction", "2024-04-15", "planned")
    add(conn, "direction", "2024-05-02")
    summary = cadence.summary(conn, D("2024-01-01"), D("2024-06-30"), as_of=D("2024-06-20"))
    row = body_summary(summary, "direction")
    assert (row.rule, row.periods, row.periods_met, row.periods_missed, row.periods_in_progress) == (
        "monthly", 6, 3, 2, 1)
    # met / (met + missed) = 3 / 5; the June period still open weighs neither way
    assert row.compliance == pytest.approx(0.6)
    # held 31 Jan → 29 Feb = 29 days; 29 Feb → 2 May = 31 (March) + 30 (April) + 2 = 63 days
    assert row.longest_gap_days == 63
    assert row.last_held == pd.Timestamp("2024-05-02")
    # June (the current period) is not met yet: due by its end
    assert row.next_due == pd.Timestamp("2024-06-30")
    assert (row.held, row.cancelled, row.planned) == (3, 1, 1)
    assert row["name"] == "Réunion de direction" and row.family == "validation"


def test_period_met_before_its_end_and_next_due_moves_on(conn):
    add(conn, "direction", "2024-06-05")
    # June already holds its meeting: met, not in progress, no days left
    assert periods(conn, "direction", "2024-06-01", "2024-06-30", "2024-06-10") == [
        ("2024-06-01", "2024-06-30", 1, 1, "met", None),
    ]
    summary = cadence.summary(conn, D("2024-06-01"), D("2024-06-30"), as_of=D("2024-06-10"))
    # June is met, so the next obligation is July, due 31 July
    assert body_summary(summary, "direction").next_due == pd.Timestamp("2024-07-31")


def test_future_period_not_started_is_in_progress(conn):
    # July has not started: in progress with 31 July − 20 June = 41 days left
    assert periods(conn, "direction", "2024-06-01", "2024-07-31", "2024-06-20") == [
        ("2024-06-01", "2024-06-30", 0, 1, "in_progress", 10),
        ("2024-07-01", "2024-07-31", 0, 1, "in_progress", 41),
    ]


def test_body_without_meetings_misses_everything(conn):
    summary = cadence.summary(conn, D("2024-01-01"), D("2024-12-31"), as_of=D("2025-01-15"))
    row = body_summary(summary, "travail_finances")
    # 12 months, none held, all over at as_of; the database holds no sitting at all, so no history bound applies.
    # The catalogue gives the commissions de travail their August pause: 11 months missed, August not judged
    assert (row.periods, row.periods_met, row.periods_missed, row.periods_in_progress) == (12, 0, 11, 0)
    assert row.periods_not_judged == 1
    assert row.compliance == 0.0
    assert pd.isna(row.longest_gap_days) and pd.isna(row.last_held)
    # January 2025 is the first period not met that ends on or after as_of
    assert row.next_due == pd.Timestamp("2025-01-31")
    assert (row.held, row.cancelled, row.planned) == (0, 0, 0)


def test_longest_gap_needs_two_held_meetings_in_range(conn):
    add(conn, "direction", "2023-12-15")  # before the range: not part of the gap
    add(conn, "direction", "2024-03-01")
    add(conn, "direction", "2024-03-20", "cancelled")
    summary = cadence.summary(conn, D("2024-01-01"), D("2024-12-31"), as_of=D("2025-01-15"))
    row = body_summary(summary, "direction")
    assert pd.isna(row.longest_gap_days)
    assert row.last_held == pd.Timestamp("2024-03-01")


# --- bimonthly, quarterly, yearly ----------------------------------------------------------------------------------

def test_bimonthly_windows(conn):
    set_rule(conn, "assises", "bimonthly")
    add(conn, "assises", "2024-01-05")  # before the range but inside the Jan–Feb window, which overlaps it
    add(conn, "assises", "2024-04-30")  # last day of the Mar–Apr window
    add(conn, "assises", "2024-07-01")  # first day of Jul–Aug, outside the range
    assert periods(conn, "assises", "2024-02-15", "2024-06-30", "2024-07-01") == [
        ("2024-01-01", "2024-02-29", 1, 1, "met", None),
        ("2024-03-01", "2024-04-30", 1, 1, "met", None),
        ("2024-05-01", "2024-06-30", 0, 1, "missed", None),
    ]


def test_quarterly(conn):
    add(conn, "forum", "2024-03-31")               # last day of Q1
    add(conn, "forum", "2024-04-01")               # first day of Q2
    add(conn, "forum", "2024-08-01", "cancelled")  # Q3 has only a cancelled meeting: missed
    assert periods(conn, "forum", "2024-01-01", "2024-12-31", "2024-11-15") == [
        ("2024-01-01", "2024-03-31", 1, 1, "met", None),
        ("2024-04-01", "2024-06-30", 1, 1, "met", None),
        ("2024-07-01", "2024-09-30", 0, 1, "missed", None),
        # 15 days left in November + 31 in December = 46
        ("2024-10-01", "2024-12-31", 0, 1, "in_progress", 46),
    ]
    row = body_summary(cadence.summary(conn, D("2024-01-01"), D("2024-12-31"), D("2024-11-15")), "forum")
    assert row.compliance == pytest.approx(2 / 3)
    assert row.next_due == pd.Timestamp("2024-12-31")


def test_min_per_year(conn):
    for day in ("2023-01-10", "2023-03-10", "2023-05-10", "2023-09-10", "2023-12-31"):
        add(conn, "dgs", day)  # 5 in 2023, the last on 31 December: met
    for day in ("2024-01-10", "2024-03-10", "2024-05-10", "2024-09-10"):
        add(conn, "dgs", day)  # 4 held in 2024 …
    add(conn, "dgs", "2024-11-10", "cancelled")  # … and a cancelled one: 4 < 5, missed
    assert periods(conn, "dgs", "2023-01-01", "2025-12-31", "2025-01-10") == [
        ("2023-01-01", "2023-12-31", 5, 5, "met", None),
        ("2024-01-01", "2024-12-31", 4, 5, "missed", None),
        # 21 days left in January + 334 in the rest of 2025 = 355
        ("2025-01-01", "2025-12-31", 0, 5, "in_progress", 355),
    ]


def test_min_per_year_met_moves_next_due_to_next_year(conn):
    for day in ("2023-01-10", "2023-03-10", "2023-05-10", "2023-09-10", "2023-10-10"):
        add(conn, "dgs", day)
    row = body_summary(cadence.summary(conn, D("2023-01-01"), D("2023-12-31"), D("2023-12-01")), "dgs")
    # 2023 is met on 1 December: the next year to fill is 2024
    assert row.next_due == pd.Timestamp("2024-12-31")
    assert (row.periods, row.periods_met, row.compliance) == (1, 1, 1.0)


# --- rolling 12 months ---------------------------------------------------------------------------------------------

def _conseil_history(conn):
    for day in ("2023-02-10", "2023-04-10", "2023-06-10", "2023-08-10", "2023-10-10", "2023-12-10", "2024-03-10"):
        add(conn, "conseil", day)


def test_avg_every_months_rolling_windows(conn):
    _conseil_history(conn)
    # required = 12 // 2 = 6 in each window of 12 months ending with the judged month
    assert periods(conn, "conseil", "2024-01-01", "2024-03-31", "2024-04-15") == [
        # Feb 2023 – Jan 2024: the six meetings of 2023
        ("2023-02-01", "2024-01-31", 6, 6, "met", None),
        # Mar 2023 – Feb 2024: 10 Feb 2023 has left the window, 5 remain
        ("2023-03-01", "2024-02-29", 5, 6, "missed", None),
        # Apr 2023 – Mar 2024: Apr, Jun, Aug, Oct, Dec 2023 + 10 Mar 2024 = 6
        ("2023-04-01", "2024-03-31", 6, 6, "met", None),
    ]


def test_avg_every_months_summary_and_next_due(conn):
    _conseil_history(conn)
    row = body_summary(cadence.summary(conn, D("2024-01-01"), D("2024-03-31"), D("2024-04-15")), "conseil")
    assert (row.rule, row.cadence_n, row.periods, row.periods_met, row.periods_missed) == (
        "avg_every_months", 2, 3, 2, 1)
    assert row.compliance == pytest.approx(2 / 3)
    # the 6th most recent meeting on or before 15 April 2024 is 10 April 2023; the window ending April 2024
    # (May 2023 – Apr 2024) holds only 5, so a meeting is due by 30 April 2024
    assert row.next_due == pd.Timestamp("2024-04-30")
    # only one held meeting inside the range: no gap
    assert pd.isna(row.longest_gap_days)


# --- alternating ---------------------------------------------------------------------------------------------------

def clashes(frame: pd.DataFrame, body: str) -> list[int]:
    return frame.loc[frame["body_code"] == body, "clashes"].astype(int).tolist()


def test_alternating_bimonthly_windows_and_a_clash(conn):
    add(conn, "conf_maires", "2024-01-20")
    add(conn, "conf_maires", "2024-02-15")  # two plenaries in Jan–Feb: still one window, met
    add(conn, "conf_maires", "2024-05-31")  # last day of May
    add(conn, "conf_nord", "2024-02-29")    # February: the plenary met on 15 February too → a clash
    add(conn, "conf_nord", "2024-06-01")    # June: no plenary that month → counts
    frame = cadence.periods(conn, D("2024-01-01"), D("2024-06-30"), as_of=D("2024-07-01"))
    # every alternating body is bimonthly on Jan–Feb, Mar–Apr…; the plenary alternates with nobody: no clash
    assert rows(frame, "conf_maires") == [
        ("2024-01-01", "2024-02-29", 2, 1, "met", None),
        ("2024-03-01", "2024-04-30", 0, 1, "missed", None),
        ("2024-05-01", "2024-06-30", 1, 1, "met", None),
    ]
    assert clashes(frame, "conf_maires") == [0, 0, 0]
    # the Nord conference held 1 sitting in Jan–Feb, but in a month of the plenary: 1 − 1 clash = 0 < 1, missed
    assert rows(frame, "conf_nord") == [
        ("2024-01-01", "2024-02-29", 1, 1, "missed", None),
        ("2024-03-01", "2024-04-30", 0, 1, "missed", None),
        ("2024-05-01", "2024-06-30", 1, 1, "met", None),
    ]
    assert clashes(frame, "conf_nord") == [1, 0, 0]
    # the other bodies keep 0 clashes
    assert set(frame.loc[~frame["rule"].eq("alternating"), "clashes"]) == {0}
    summary = cadence.summary(conn, D("2024-01-01"), D("2024-06-30"), D("2024-07-01"))
    # July–August is the plenary's next window; the territorial conferences pause in July and August (catalogue:
    # pause = [7, 8]), so that window is not judged for them and their next one is September–October
    assert body_summary(summary, "conf_maires").next_due == pd.Timestamp("2024-08-31")
    assert body_summary(summary, "conf_nord").next_due == pd.Timestamp("2024-10-31")
    assert body_summary(summary, "conf_nord").compliance == pytest.approx(1 / 3)


def test_alternating_with_plenaries_in_even_months_is_all_met(conn):
    # a perfect alternation the other way round from the catalogue's phases: plenaries in February, April…,
    # territorial conferences in January, March…: which months are plenary is whatever the sittings show
    for month in (2, 4, 6, 8, 10, 12):
        add(conn, "conf_maires", f"2024-{month:02d}-12")
    for month in (1, 3, 5, 7, 9, 11):
        for body in ("conf_centre", "conf_nord", "conf_sud"):
            add(conn, body, f"2024-{month:02d}-14")
    frame = cadence.periods(conn, D("2024-01-01"), D("2024-12-31"), as_of=D("2025-01-15"))
    for body in ("conf_maires", "conf_centre", "conf_nord", "conf_sud"):
        # six windows, each with its one sitting (July is a paused month of the territorial conferences, and a
        # sitting held in it still meets the window), none in a month of the other
        assert [(r[2], r[4]) for r in rows(frame, body)] == [(1, "met")] * 6, body
        assert clashes(frame, body) == [0] * 6
    summary = cadence.summary(conn, D("2024-01-01"), D("2024-12-31"), D("2025-01-15"))
    assert body_summary(summary, "conf_maires").compliance == 1.0
    assert body_summary(summary, "conf_sud").compliance == 1.0


def test_a_clash_does_not_hide_a_sitting_that_alternates(conn):
    add(conn, "conf_maires", "2024-02-10")
    add(conn, "conf_sud", "2024-01-20")  # January: no plenary → counts
    add(conn, "conf_sud", "2024-02-25")  # February: clash
    frame = cadence.periods(conn, D("2024-01-01"), D("2024-02-29"), as_of=D("2024-03-15"))
    # 2 held, 1 clash: 2 − 1 = 1 ≥ 1 → met
    assert rows(frame, "conf_sud") == [("2024-01-01", "2024-02-29", 2, 1, "met", None)]
    assert clashes(frame, "conf_sud") == [1]


def test_a_plenary_requested_by_the_mayors_makes_no_clash(conn):
    # a conférence des maires convened at the request of a third of the mayors is outside the alternation
    add(conn, "conf_maires", "2024-02-06", meeting_type="requested", requesters=15)
    add(conn, "conf_centre", "2024-02-20")
    frame = cadence.periods(conn, D("2024-01-01"), D("2024-02-29"), as_of=D("2024-03-15"))
    assert rows(frame, "conf_centre") == [("2024-01-01", "2024-02-29", 1, 1, "met", None)]
    assert clashes(frame, "conf_centre") == [0]
    # it still is a sitting of the plenary, which meets its own window with it
    assert rows(frame, "conf_maires") == [("2024-01-01", "2024-02-29", 1, 1, "met", None)]


# --- pause ---------------------------------------------------------------------------------------------------------

def test_august_pause_of_a_monthly_body(conn):
    # the catalogue pauses the réunion de direction in August
    add(conn, "direction", "2024-06-05")
    add(conn, "direction", "2024-07-03")
    add(conn, "direction", "2024-09-04")
    frame = cadence.periods(conn, D("2024-06-01"), D("2024-09-30"), as_of=D("2024-10-15"))
    assert rows(frame, "direction") == [
        ("2024-06-01", "2024-06-30", 1, 1, "met", None),
        ("2024-07-01", "2024-07-31", 1, 1, "met", None),
        # a period made only of paused months: not judged, not missed
        ("2024-08-01", "2024-08-31", 0, 1, "not_judged", None),
        ("2024-09-01", "2024-09-30", 1, 1, "met", None),
    ]
    row = body_summary(cadence.summary(conn, D("2024-06-01"), D("2024-09-30"), D("2024-10-15")), "direction")
    # 3 met, 0 missed, August left out: 3 / 3
    assert (row.periods, row.periods_met, row.periods_missed, row.periods_not_judged) == (4, 3, 0, 1)
    assert row.compliance == 1.0
    # 5 June → 3 July = 28 days; 3 July → 4 September = 63 days, of which August's 31 are the pause: 32
    assert row.longest_gap_days == 32


def test_pause_is_skipped_by_the_next_due_date(conn):
    add(conn, "direction", "2024-07-03")
    row = body_summary(cadence.summary(conn, D("2024-07-01"), D("2024-07-31"), D("2024-07-20")), "direction")
    # July is met; August is paused: the next obligation is September, due 30 September (not 31 August)
    assert row.next_due == pd.Timestamp("2024-09-30")


def test_a_sitting_in_a_paused_month_meets_it(conn):
    add(conn, "direction", "2024-08-20")
    assert periods(conn, "direction", "2024-08-01", "2024-08-31", "2024-09-15") == [
        ("2024-08-01", "2024-08-31", 1, 1, "met", None),
    ]


def test_a_paused_month_inside_a_longer_period_changes_nothing(conn):
    # a bimonthly body pausing in August: the July–August window still requires its sitting
    set_rule(conn, "assises", "bimonthly")
    conn.cursor().execute("UPDATE bodies SET pause = '8' WHERE code = 'assises'")
    add(conn, "assises", "2024-05-10")
    assert periods(conn, "assises", "2024-07-01", "2024-08-31", "2024-09-15") == [
        ("2024-07-01", "2024-08-31", 0, 1, "missed", None),
    ]


def test_pause_months_are_validated():
    assert cadence.pause_months("direction", "7, 8") == frozenset({7, 8})
    assert cadence.pause_months("direction", None) == frozenset()
    assert cadence.pause_months("direction", " ") == frozenset()
    for bad in ("13", "août", "8;9"):
        with pytest.raises(ValueError, match="pause"):
            cadence.pause_months("direction", bad)


def test_catalogue_pauses():
    catalogue = {body.code: body for body in reference.bodies()}
    assert catalogue["direction"].pause == (8,) and catalogue["travail_culture"].pause == (8,)
    assert catalogue["conf_sud"].pause == (7, 8)
    assert catalogue["conseil"].pause == () and catalogue["conf_maires"].pause == ()
    assert reference.pause_text((7, 8)) == "7,8" and reference.pause_text(()) is None


@pytest.mark.parametrize("value", ["8", "[13]", "[0]", '["août"]', "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]"])
def test_catalogue_pause_must_be_months(tmp_path, value):
    path = tmp_path / "bodies.toml"
    path.write_text('[[instance]]\ncode = "direction"\nnom = "Réunion de direction"\nfamille = "validation"\n'
                    f'regle = "monthly"\npause = {value}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="bodies.toml : .*pause"):
        reference.bodies(path)


def test_an_existing_file_gets_the_catalogue_pauses(db_file):
    # a file of schema version 3 whose bodies are already referenced by a meeting
    old = duckdb.connect(str(db_file))
    db.migrate(old, up_to=3)
    reference.load(old)
    old.execute("INSERT INTO meetings (body_code, meeting_date) VALUES ('direction', DATE '2024-01-05')")
    old.close()
    conn = db.connect(db_file)
    try:
        pauses = dict(conn.execute("SELECT code, pause FROM bodies").fetchall())
        assert (pauses["direction"], pauses["conf_nord"], pauses["conseil"]) == ("8", "7,8", None)
    finally:
        conn.close()


# --- periods before the recorded history or the mandate --------------------------------------------------------------

def test_year_begun_before_the_recorded_history(conn):
    # the earliest held sitting in the base is on 10 March 2024: the history begins on 1 March 2024, and the year
    # 2024 began before it. Four DGS sittings are fewer than 5: not judged (the first two months are unknown)
    for day in ("2024-03-10", "2024-05-10", "2024-09-10", "2024-11-10"):
        add(conn, "dgs", day)
    assert periods(conn, "dgs", "2024-01-01", "2025-12-31", "2025-01-10") == [
        ("2024-01-01", "2024-12-31", 4, 5, "not_judged", None),
        # 2025 begins inside the history: judged as usual
        ("2025-01-01", "2025-12-31", 0, 5, "in_progress", 355),
    ]
    row = body_summary(cadence.summary(conn, D("2024-01-01"), D("2024-12-31"), D("2025-01-10")), "dgs")
    assert (row.periods, row.periods_met, row.periods_missed, row.periods_not_judged) == (1, 0, 0, 1)
    assert math.isnan(row.compliance)


def test_year_begun_before_the_recorded_history_met_when_sufficient(conn):
    for day in ("2024-03-10", "2024-05-10", "2024-06-10", "2024-09-10", "2024-11-10"):
        add(conn, "dgs", day)
    # 5 recorded sittings suffice whatever came before: met
    assert periods(conn, "dgs", "2024-01-01", "2024-12-31", "2025-01-10") == [
        ("2024-01-01", "2024-12-31", 5, 5, "met", None),
    ]


def test_history_is_that_of_all_bodies(conn):
    add(conn, "forum", "2023-11-20")  # another body's sitting takes the history back to November 2023
    for day in ("2024-03-10", "2024-05-10", "2024-09-10", "2024-11-10"):
        add(conn, "dgs", day)
    assert periods(conn, "dgs", "2024-01-01", "2024-12-31", "2025-01-10") == [
        ("2024-01-01", "2024-12-31", 4, 5, "missed", None),
    ]


def test_rolling_windows_reaching_back_before_the_history(conn):
    _conseil_history(conn)  # the earliest sitting is on 10 February 2023: the history begins on 1 February 2023
    assert periods(conn, "conseil", "2023-11-01", "2024-02-29", "2024-04-15") == [
        # Dec 2022 – Nov 2023 begins before the history: 5 recorded < 6, not judged
        ("2022-12-01", "2023-11-30", 5, 6, "not_judged", None),
        # Jan 2023 – Dec 2023 begins before it too, but its 6 recorded sittings suffice: met
        ("2023-01-01", "2023-12-31", 6, 6, "met", None),
        # Feb 2023 – Jan 2024 begins with the history: judged
        ("2023-02-01", "2024-01-31", 6, 6, "met", None),
        ("2023-03-01", "2024-02-29", 5, 6, "missed", None),
    ]


def _installation(conn, day: str, ended: str | None = None, count: int = 3, first_id: int = 1) -> None:
    """`count` councillors of the Conseil from `day` (the installation of a mandate), until `ended`."""
    cur = conn.cursor()
    for person_id in range(first_id, first_id + count):
        cur.execute("INSERT INTO persons (person_id, last_name, first_name, match_key) VALUES (?, 'Nom', ?, ?)",
                    [person_id, f"P{person_id}", f"nom|p{person_id}|"])
        cur.execute("INSERT INTO memberships (person_id, body_code, role, start_date, end_date) "
                    "VALUES (?, 'conseil', 'councillor', ?, ?)", [person_id, D(day), ended and D(ended)])


def test_periods_begun_before_the_mandate_in_force(conn):
    # the old Conseil sat from 15 July 2020 to 9 July 2024; the new one was installed on 10 July 2024
    _installation(conn, "2020-07-15", "2024-07-09")
    _installation(conn, "2024-07-10", first_id=10)
    add(conn, "direction", "2024-01-10")  # the history begins in January 2024
    assert periods(conn, "direction", "2024-06-01", "2024-07-31", "2024-09-01") == [
        # June: wholly inside the old mandate (in force on 30 June, installed 15 July 2020): judged, missed
        ("2024-06-01", "2024-06-30", 0, 1, "missed", None),
        # July began on the 1st, before the installation of the mandate in force on 31 July: not judged
        ("2024-07-01", "2024-07-31", 0, 1, "not_judged", None),
    ]


def test_rolling_windows_of_a_new_mandate(conn):
    _installation(conn, "2020-07-15", "2024-07-09")
    _installation(conn, "2024-07-10", first_id=10)
    # the new Conseil meets every other month from its installation
    for day in ("2023-01-10", "2024-07-10", "2024-09-10", "2024-11-10", "2025-01-10", "2025-03-10", "2025-05-10"):
        add(conn, "conseil", day)
    assert periods(conn, "conseil", "2025-05-01", "2025-08-31", "2025-09-15") == [
        # Jun 2024 – May 2025 reaches back before 10 July 2024: 6 recorded suffice anyway → met
        ("2024-06-01", "2025-05-31", 6, 6, "met", None),
        # Jul 2024 – Jun 2025 also begins before the 10th: 6 → met
        ("2024-07-01", "2025-06-30", 6, 6, "met", None),
        # Aug 2024 – Jul 2025: 5 (July 2024 has left) and the window lies in the new mandate: missed
        ("2024-08-01", "2025-07-31", 5, 6, "missed", None),
        ("2024-09-01", "2025-08-31", 5, 6, "missed", None),
    ]
    short = cadence.periods(conn, D("2025-01-01"), D("2025-01-31"), as_of=D("2025-09-15"))
    # Feb 2024 – Jan 2025 began before the mandate: 4 recorded (Jul, Sep, Nov 2024, Jan 2025) < 6, not judged
    assert rows(short, "conseil") == [("2024-02-01", "2025-01-31", 4, 6, "not_judged", None)]


def test_not_judged_periods_weigh_nothing_in_the_summary(conn):
    _conseil_history(conn)
    row = body_summary(cadence.summary(conn, D("2023-11-01"), D("2024-02-29"), D("2024-04-15")), "conseil")
    # the four windows above: met, met, missed count; the not judged one does not
    assert (row.periods, row.periods_met, row.periods_missed, row.periods_not_judged) == (4, 2, 1, 1)
    assert row.compliance == pytest.approx(2 / 3)


# --- on demand and project time frames -----------------------------------------------------------------------------

def test_on_demand_lists_activity_without_rule(conn):
    add(conn, "coordination_mulhouse", "2024-02-01")
    add(conn, "coordination_mulhouse", "2024-09-01")
    frame = cadence.periods(conn, D("2024-01-01"), D("2024-12-31"), as_of=D("2025-01-15"))
    assert rows(frame, "coordination_mulhouse") == [("2024-01-01", "2024-12-31", 2, None, "no_rule", None)]
    row = body_summary(cadence.summary(conn, D("2024-01-01"), D("2024-12-31"), D("2025-01-15")),
                       "coordination_mulhouse")
    assert (row.periods, row.periods_met, row.periods_missed) == (1, 0, 0)
    assert math.isnan(row.compliance)
    assert pd.isna(row.next_due)
    # 1 Feb → 1 Sep 2024 = 29 + 31 + 30 + 31 + 30 + 31 + 31 = 213 days
    assert row.longest_gap_days == 213


def test_atelier_only_within_project_time_frame(conn):
    # atelier_velo runs from 1 March 2021 to 30 June 2023; give it a quarterly rule to see its periods
    set_rule(conn, "atelier_velo", "quarterly")
    add(conn, "atelier_velo", "2021-03-15")
    frame = cadence.periods(conn, D("2020-01-01"), D("2024-12-31"), as_of=D("2025-01-15"))
    got = rows(frame, "atelier_velo")
    # Q1 2021 overlaps the project (from 1 March) … Q2 2023 is the last: 3 + 4 + 2 = 10 quarters
    assert len(got) == 10
    assert got[0] == ("2021-01-01", "2021-03-31", 1, 1, "met", None)
    assert got[-1] == ("2023-04-01", "2023-06-30", 0, 1, "missed", None)
    row = body_summary(cadence.summary(conn, D("2020-01-01"), D("2024-12-31"), D("2025-01-15")), "atelier_velo")
    assert (row.periods, row.periods_met, row.periods_missed) == (10, 1, 9)
    # the project is over: nothing is due any more
    assert pd.isna(row.next_due)


def test_on_demand_atelier_years_within_frame(conn):
    frame = cadence.periods(conn, D("2020-01-01"), D("2024-12-31"), as_of=D("2025-01-15"))
    # 2021, 2022 and 2023 overlap 1 March 2021 – 30 June 2023
    assert [r[0] for r in rows(frame, "atelier_velo")] == ["2021-01-01", "2022-01-01", "2023-01-01"]
    # atelier_zae starts in June 2026: no period before
    assert rows(frame, "atelier_zae") == []


def test_range_must_not_be_empty(conn):
    with pytest.raises(ValueError):
        cadence.periods(conn, D("2024-02-01"), D("2024-01-01"), as_of=D("2024-03-01"))


# --- legal floor ---------------------------------------------------------------------------------------------------

def test_legal_floor_quarters_of_the_conseil(conn):
    add(conn, "conseil", "2024-03-31")               # Q1, last day
    add(conn, "conseil", "2024-05-10", "cancelled")  # Q2 only cancelled: missed
    add(conn, "bureau", "2024-05-10")                # another body does not help the Conseil
    frame = cadence.legal_floor(conn, D("2024-01-01"), D("2024-09-30"), as_of=D("2024-07-15"))
    assert set(frame["body_code"]) == {"conseil"}  # the only body with legal_floor = 'quarterly'
    assert rows(frame, "conseil") == [
        ("2024-01-01", "2024-03-31", 1, 1, "met", None),
        ("2024-04-01", "2024-06-30", 0, 1, "missed", None),
        # 16 days left in July + 31 + 30 = 77
        ("2024-07-01", "2024-09-30", 0, 1, "in_progress", 77),
    ]


# --- requested conférences des maires ------------------------------------------------------------------------------

def test_requested_conferences_threshold_and_yearly_limit(conn):
    add(conn, "conf_maires", "2024-12-10", meeting_type="requested", requesters=20)  # 1st of 2024
    add(conn, "conf_maires", "2025-01-10", meeting_type="requested", requesters=12)  # 1st of 2025, before the range
    add(conn, "conf_maires", "2025-02-10", meeting_type="requested", requesters=13)  # 2nd
    add(conn, "conf_maires", "2025-03-10", "cancelled", "requested", 13)             # cancelled: no rank
    add(conn, "conf_maires", "2025-04-10", meeting_type="requested", requesters=20)  # 3rd
    add(conn, "conf_maires", "2025-05-10", "planned", "requested", 13)               # 4th (planned still counts)
    add(conn, "conf_maires", "2025-06-10", meeting_type="requested", requesters=14)  # 5th: over the limit
    add(conn, "conf_maires", "2025-07-10")                                          # ordinary: not listed
    frame = cadence.requested_conferences(conn, D("2025-01-01"), D("2025-12-31"))
    assert frame["mayors"].tolist() == [39] * 6
    assert frame["threshold"].tolist() == [13] * 6  # ceil(39 / 3)
    assert [d.date().isoformat() for d in frame["meeting_date"]] == [
        "2025-01-10", "2025-02-10", "2025-03-10", "2025-04-10", "2025-05-10", "2025-06-10"]
    # 12 < 13: below the third of the mayors; 13 is enough
    assert frame["threshold_met"].tolist() == [False, True, True, True, True, True]
    assert [None if pd.isna(r) else int(r) for r in frame["rank_in_year"]] == [1, 2, None, 3, 4, 5]
    assert frame["over_limit"].tolist() == [False, False, False, False, False, True]

    later = cadence.requested_conferences(conn, D("2025-02-01"), D("2025-12-31"))
    # the January request is outside the range but still ranks first in 2025
    assert [int(r) for r in later["rank_in_year"].dropna()] == [2, 3, 4, 5]


# --- planned vs held -----------------------------------------------------------------------------------------------

def test_planned_vs_held_dgs(conn):
    for day in ("2024-01-10", "2024-03-10", "2024-05-10", "2024-09-10"):
        add(conn, "dgs", day)
    add(conn, "dgs", "2024-10-10", "cancelled")
    add(conn, "dgs", "2024-11-20", "planned")  # date passed, never updated
    add(conn, "dgs", "2025-01-05")
    add(conn, "dgs", "2025-03-01", "planned")
    add(conn, "dgs", "2025-06-01", "planned")
    frame = cadence.planned_vs_held(conn, D("2024-03-01"), D("2025-02-28"), as_of=D("2025-01-10"))
    got = frame[["year", "planned", "held", "cancelled", "still_planned", "overdue", "required", "status"]]
    assert [tuple(r) for r in got.itertuples(index=False)] == [
        # whole 2024: 4 held + 1 cancelled + 1 planned = 6 scheduled; 4 < 5 and the year is over
        (2024, 6, 4, 1, 1, 1, 5, "missed"),
        # whole 2025: 1 held + 2 planned = 3 scheduled; the year runs on
        (2025, 3, 1, 0, 2, 0, 5, "in_progress"),
    ]
