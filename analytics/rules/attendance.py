"""Attendance indicators (assiduité): counts and rates per body, person, commune, sector, meeting and month,
a person's timeline, and the facts behind the attendance alerts. DESIGN.md §3 defines every figure."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from analytics.rules import periods
from analytics.store.sql import query
from analytics.store.tallies import refresh_tallies, tallies_fresh  # noqa: F401  (refresh_tallies: see ingest)
from analytics.store.transaction import snapshot
from analytics.wording.text import display_name, fold

COUNT_COLUMNS = ["convened", "recorded", "present", "remote", "excused", "absent", "proxy", "substituted",
                 "not_recorded"]
MIN_RECORDED = 4  # DESIGN §3: nobody is judged or ranked on fewer recorded convocations
RATE_COLUMNS = ["presence_rate", "participation_rate", "excused_share", "unexcused_share", "completeness"]


@dataclass(frozen=True)
class _Level:
    """Where a level's rows come from and how they are shown."""

    source: str                  # the SQL file computing it (with other levels of the same grain)
    keys: list[str]              # key columns, before the counts
    sort: list[str]              # sort columns; "name" sorts without case or accents
    extras: tuple[str, ...] = ()  # columns after the rates
    nullable: tuple[tuple[str, str], ...] = ()  # integer columns given as pandas nullable integers when not empty


# The allow-list of `by`: each level's query, key columns and order. A query computing several levels tells them
# apart in its column `level`; attendance_counts_meetings computes the level meeting alone, in its order.
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
                      ("communes_convened", "communes_represented", "representation"),
                      # as callers have always received them (the level used to share a query with body_month)
                      (("meeting_id", "Int32"), ("communes_convened", "Int64"), ("communes_represented", "Int64"))),
    "body_month": _Level("attendance_counts_people", ["body_code", "month"], ["sort_order", "body_code", "month"]),
    "sector_month": _Level("attendance_counts_people", ["sector", "month"], ["sector", "month"]),
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
    shown = level.keys + COUNT_COLUMNS + RATE_COLUMNS + list(level.extras)
    if "level" not in rows:
        # a query of one level (a row per meeting) that sorts its rows itself
        return rows[shown].astype(dict(level.nullable)) if len(rows) else rows[shown]
    mask = (rows["level"] == by).to_numpy()
    if "name" not in level.keys:
        # sort on the keys alone, then copy the shown columns once (the rows' index is a RangeIndex: labels are
        # positions)
        return rows[shown].take(_order(rows.loc[mask, level.sort])).reset_index(drop=True)
    frame = rows.loc[mask]
    if by == "commune":
        frame = frame.rename(columns={"commune_insee": "insee", "commune_name": "name"})
    else:
        frame = with_display_name(frame)
    # names sort without case or accents ("Élodie" next to "Eric"), everything else as is
    order = frame[level.sort].copy()
    order["name"] = order["name"].map(fold)
    frame = frame.loc[order.sort_values(level.sort, kind="stable").index]
    return frame[shown].reset_index(drop=True)


def _order(keys: pd.DataFrame) -> np.ndarray:
    """The index labels of `keys` sorted on all its columns, stably (missing values last)."""
    integral = all(pd.api.types.is_integer_dtype(t) or pd.api.types.is_datetime64_dtype(t) for t in keys.dtypes)
    if integral and not keys.isna().to_numpy().any():
        # numpy's lexsort on integers is several times faster than sort_values (its last key sorts first)
        order = np.lexsort([keys[column].to_numpy(dtype="int64") for column in reversed(keys.columns)])
        return keys.index.to_numpy()[order]
    return keys.sort_values(list(keys.columns), kind="stable").index.to_numpy()


def _frame(cur: duckdb.DuckDBPyConnection, sql: str, params: dict) -> pd.DataFrame:
    """The rows of a query as .df() gives them (integers nullable only where NULL, dates as datetime64[us]),
    converted through Arrow: .df() builds a Python object for every string, too slow for 10^5 meeting rows."""
    table = cur.sql(sql, params=params).to_arrow_table()
    for index, field in enumerate(table.schema):
        if pa.types.is_date(field.type):
            table = table.set_column(index, field.name, table.column(index).cast(pa.timestamp("us")))
    frame = table.to_pandas()
    for name, column in zip(table.column_names, table.columns, strict=True):
        if pa.types.is_integer(column.type) and column.null_count:
            frame[name] = column.to_pandas(types_mapper={column.type: _NULLABLE[column.type]}.get)
        elif pa.types.is_string(column.type) and not len(column):
            frame[name] = frame[name].astype(object)  # .df() has no string dtype for an empty column
    return frame


_NULLABLE = {pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
             pa.int64(): pd.Int64Dtype()}


def counts_many(conn: duckdb.DuckDBPyConnection, start: date, end: date,
                levels: Iterable[str]) -> dict[str, pd.DataFrame]:
    """counts() for several levels at once, running each underlying query a single time."""
    wanted = list(levels)
    unknown = [by for by in wanted if by not in LEVELS]
    if unknown:
        raise ValueError(f"unknown level(s) {unknown}; expected one of {list(LEVELS)}")
    sources = {source: [by for by in wanted if LEVELS[by].source == source]
               for source in dict.fromkeys(LEVELS[by].source for by in wanted)}
    # the two queries run side by side, as each one alone keeps about one core busy; each on its own cursor, made
    # here (a connection is never shared between threads)
    jobs = [(conn.cursor(), source, levels_of) for source, levels_of in sources.items()]
    if len(jobs) == 1:
        frames = _counted(*jobs[0], start, end)
    else:
        with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
            done = [pool.submit(_counted, *job, start, end) for job in jobs]
            frames = {by: frame for future in done for by, frame in future.result().items()}
    return {by: frames[by] for by in wanted}


def _counted(cur: duckdb.DuckDBPyConnection, source: str, levels: list[str], start: date,
             end: date) -> dict[str, pd.DataFrame]:
    """The levels of one counts query, read in one snapshot: the tallies judged fresh are the ones then read."""
    with snapshot(cur):
        fresh = tallies_fresh(cur)
        rows = _frame(cur, query(source), _params(cur, source, start, end, fresh))
    return {by: _shape(rows, by) for by in levels}


def _params(cur: duckdb.DuckDBPyConnection, source: str, start: date, end: date, fresh: bool) -> dict:
    """The values a counts query binds. DuckDB plans with them: a False $fresh or $counted drops a whole part."""
    if source == "attendance_counts_meetings":
        return {"start": start, "end": end, "fresh": fresh}
    # the people levels take whole months from the tallies, and count the meetings of the months the range cuts
    whole_from, whole_to = _whole_months(start, end) if fresh else (date.max, date.min)
    params = {"start": start, "end": end, "whole_from": whole_from, "whole_to": whole_to}
    counted = not fresh or bool(cur.execute(query("attendance_counts_outside"), params).fetchall()[0][0])
    return {**params, "counted": counted}


def _whole_months(start: date, end: date) -> tuple[date, date]:
    """First and last day of the calendar months lying wholly in [start, end]; first after last when none does."""
    try:
        first = start if start.day == 1 else (start.replace(day=1) + timedelta(days=32)).replace(day=1)
        last = end if end == date.max or (end + timedelta(days=1)).day == 1 else end.replace(day=1) - timedelta(days=1)
    except OverflowError:  # a month beyond the year 9999
        return date.max, date.min
    return first, last


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


def low_attendance(conn: duckdb.DuckDBPyConnection, as_of: date, min_recorded: int = MIN_RECORDED) -> pd.DataFrame:
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
