"""Attendance indicators (assiduité): counts and rates per body, person, commune, sector, meeting and month,
a person's timeline, and the facts behind the attendance alerts. DESIGN.md §3 defines every figure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from analytics import periods
from analytics.sql import query
from analytics.text import display_name, fold

COUNT_COLUMNS = ["convened", "recorded", "present", "remote", "excused", "absent", "proxy", "substituted",
                 "not_recorded"]
RATE_COLUMNS = ["presence_rate", "participation_rate", "excused_share", "unexcused_share", "completeness"]


@dataclass(frozen=True)
class _Level:
    """Where a level's rows come from and how they are shown."""

    source: str                  # the SQL file computing it (with other levels of the same grain)
    keys: list[str]              # key columns, before the counts
    sort: list[str]              # sort columns; "name" sorts without case or accents
    extras: tuple[str, ...] = ()  # columns after the rates


# The allow-list of `by`: each level's query, key columns and order.
LEVELS: dict[str, _Level] = {
    "body": _Level("attendance_counts_people", ["body_code", "body_name", "sort_order"], ["sort_order", "body_code"]),
    "person": _Level("attendance_counts_people", ["person_id", "name", "commune_insee", "sector"],
                     ["name", "person_id"]),
    "commune": _Level("attendance_counts_people", ["insee", "name", "sector"], ["name", "insee"]),
    "sector": _Level("attendance_counts_people", ["sector"], ["sector"]),
    "person_body": _Level("attendance_counts_people",
                          ["person_id", "name", "body_code", "body_name", "required_rate"],
                          ["name", "person_id", "sort_order", "body_code"]),
    "meeting": _Level("attendance_counts_meetings", ["meeting_id", "body_code", "body_name", "meeting_date"],
                      ["meeting_date", "sort_order", "meeting_id"],
                      ("communes_convened", "communes_represented", "representation")),
    "body_month": _Level("attendance_counts_meetings", ["body_code", "month"], ["sort_order", "body_code", "month"]),
    "sector_month": _Level("attendance_counts_sector_months", ["sector", "month"], ["sector", "month"]),
}


def with_display_name(frame: pd.DataFrame, last: str = "last_name", first: str = "first_name",
                      to: str = "name") -> pd.DataFrame:
    """Replace the two name columns by the display form "NOM Prénom" (text.display_name; None stays None).

    Built in Python rather than SQL so that every page spells a name the same way (DuckDB and Python disagree
    on the upper case of a few letters, such as ß)."""
    names = [
        None if pd.isna(last_name) else display_name(last_name, first_name)
        for last_name, first_name in zip(frame[last], frame[first], strict=True)
    ]
    frame = frame.copy()
    frame.insert(frame.columns.get_loc(last), to, names)  # where the name parts were
    return frame.drop(columns=[last, first])


def _shape(rows: pd.DataFrame, by: str) -> pd.DataFrame:
    """The rows of one level, with its columns, in its order."""
    level = LEVELS[by]
    frame = rows[rows["level"] == by]
    if by == "commune":
        frame = frame.rename(columns={"commune_insee": "insee", "commune_name": "name"})
    elif "name" in level.keys:
        frame = with_display_name(frame)
    # names sort without case or accents ("Élodie" next to "Eric"), everything else as is
    order = frame[level.sort].copy()
    if "name" in order:
        order["name"] = order["name"].map(fold)
    frame = frame.loc[order.sort_values(level.sort, kind="stable").index]
    return frame[level.keys + COUNT_COLUMNS + RATE_COLUMNS + list(level.extras)].reset_index(drop=True)


def counts_many(conn: duckdb.DuckDBPyConnection, start: date, end: date,
                levels: Iterable[str]) -> dict[str, pd.DataFrame]:
    """counts() for several levels at once, running each underlying query a single time."""
    wanted = list(levels)
    unknown = [by for by in wanted if by not in LEVELS]
    if unknown:
        raise ValueError(f"unknown level(s) {unknown}; expected one of {list(LEVELS)}")
    cur = conn.cursor()
    frames: dict[str, pd.DataFrame] = {}
    for source in dict.fromkeys(LEVELS[by].source for by in wanted):
        rows = cur.execute(query(source), {"start": start, "end": end}).df()
        for by in wanted:
            if LEVELS[by].source == source:
                frames[by] = _shape(rows, by)
    return {by: frames[by] for by in wanted}


def counts(conn: duckdb.DuckDBPyConnection, start: date, end: date, by: str) -> pd.DataFrame:
    """Attendance counts and rates per `by` key over [start, end], for keys with someone convened."""
    return counts_many(conn, start, end, [by])[by]


def rolling_12_months(conn: duckdb.DuckDBPyConnection, as_of: date, by: str) -> pd.DataFrame:
    """counts() over the 12 months ending on as_of."""
    start, end = periods.rolling_12_months(as_of)
    return counts(conn, start, end, by)


def whole_mandate(conn: duckdb.DuckDBPyConnection, by: str) -> pd.DataFrame:
    """counts() from the first to the last meeting of the database."""
    span = periods.mandate_range(conn)
    if span is None:
        # no meeting at all: an empty range gives the empty frame with the right columns
        return counts(conn, date.max, date.min, by)
    return counts(conn, span[0], span[1], by)


def timeline(conn: duckdb.DuckDBPyConnection, person_id: int, start: date, end: date) -> pd.DataFrame:
    """Every held meeting the person was convened to in [start, end], with their status and delegate."""
    cur = conn.cursor()
    rows = cur.execute(query("attendance_timeline"), {"person_id": person_id, "start": start, "end": end}).df()
    return with_display_name(rows, "delegate_last_name", "delegate_first_name", "delegate_name")


def consecutive_absences(conn: duckdb.DuckDBPyConnection, start: date, end: date, run: int = 3) -> pd.DataFrame:
    """Streaks of at least `run` unexcused absences in a row, per person and body, within [start, end].

    One row per streak: first_date is its first absence, last_date the absence that completes `run` (the date the
    alert is due) and streak its full length so far. Only recorded convocations form the sequence: not_recorded
    ones neither break nor extend a streak; any other recorded status breaks it."""
    if run < 1:
        raise ValueError("run must be at least 1")
    cur = conn.cursor()
    rows = cur.execute(query("attendance_consecutive_absences"), {"start": start, "end": end, "run": run}).df()
    return with_display_name(rows)


def missing_sheets(conn: duckdb.DuckDBPyConnection, start: date, end: date) -> pd.DataFrame:
    """Held meetings in [start, end] where some convened members have no recorded status."""
    meetings = counts(conn, start, end, "meeting")
    missing = meetings[meetings["not_recorded"] > 0]
    return missing[["meeting_id", "body_code", "body_name", "meeting_date", "convened", "not_recorded"]].reset_index(
        drop=True)


def low_attendance(conn: duckdb.DuckDBPyConnection, as_of: date, min_recorded: int = 4) -> pd.DataFrame:
    """People under their body's required presence rate over the 12 months ending on as_of.

    Only bodies with a required rate, and only people with at least `min_recorded` recorded convocations there:
    fewer would judge someone on too little evidence (DESIGN §3)."""
    pairs = rolling_12_months(conn, as_of, "person_body")
    under = pairs[
        pairs["required_rate"].notna()
        & (pairs["recorded"] >= min_recorded)
        & (pairs["presence_rate"] < pairs["required_rate"])
    ]
    columns = ["person_id", "name", "body_code", "body_name", "required_rate", "recorded", "presence_rate"]
    return under[columns].reset_index(drop=True)
