"""An independent pandas implementation of attendance.counts for the levels body, person, commune and sector.

It reads the raw tables whole and follows DESIGN.md §3 literally (every convocation as a row, then group and
count), sharing no SQL with the engine: the tests and the benchmark compare the two."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analytics.rules.attendance import COUNT_COLUMNS, RATE_COLUMNS
from analytics.wording.text import display_name, fold

STATUSES = ["present", "remote", "excused", "absent", "proxy", "substituted", "not_recorded"]
LEVELS = {
    "body": ["body_code", "body_name", "sort_order"],
    "person": ["person_id", "name", "commune_insee", "sector"],
    "commune": ["insee", "name", "sector"],
    "sector": ["sector"],
}


def _tables(conn: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    cur = conn.cursor()
    return {name: cur.table(name).df() for name in ("attendance", "meetings", "memberships", "persons",
                                                   "communes", "bodies")}


def convocations(tables: dict[str, pd.DataFrame], start: date, end: date) -> pd.DataFrame:
    """One row per (held meeting, convened person) with the person's status, not_recorded when no row."""
    meetings = tables["meetings"]
    held = meetings[(meetings["status"] == "held")
                    & (meetings["meeting_date"] >= pd.Timestamp(start))
                    & (meetings["meeting_date"] <= pd.Timestamp(end))]
    pairs = tables["memberships"].merge(held[["meeting_id", "body_code", "meeting_date"]], on="body_code")
    covered = (pairs["start_date"] <= pairs["meeting_date"]) & (
        pairs["end_date"].isna() | (pairs["meeting_date"] <= pairs["end_date"]))
    pairs = pairs.loc[covered]
    # a substitute is convened only where they sit: at the meetings where a titular's row names them (DESIGN §3)
    attendance = tables["attendance"]
    # …named on the row of a titular who is convened there
    members = pairs.loc[pairs["role"] != "substitute", ["meeting_id", "person_id"]].drop_duplicates()
    named = attendance.loc[attendance["status"] == "substituted", ["meeting_id", "person_id", "delegate_id"]]
    named = named.merge(members, on=["meeting_id", "person_id"])
    sat = set(zip(named["meeting_id"], named["delegate_id"].astype("Int64")))
    sits = [(m, p) in sat for m, p in zip(pairs["meeting_id"], pairs["person_id"])]
    pairs = pairs[(pairs["role"] != "substitute") | pd.Series(sits, index=pairs.index, dtype=bool)]
    # overlapping memberships convene a person once
    pairs = pairs[["meeting_id", "person_id", "body_code"]].drop_duplicates(["meeting_id", "person_id"])
    rows = pairs.merge(tables["attendance"][["meeting_id", "person_id", "status"]], on=["meeting_id", "person_id"],
                       how="left")
    rows["status"] = rows["status"].fillna("not_recorded")
    return rows


def _rates(frame: pd.DataFrame) -> pd.DataFrame:
    recorded = frame["recorded"].where(frame["recorded"] > 0)
    convened = frame["convened"].where(frame["convened"] > 0)
    frame["presence_rate"] = (frame["present"] + frame["remote"]) / recorded
    participating = frame["present"] + frame["remote"] + frame["proxy"] + frame["substituted"]
    frame["participation_rate"] = participating / recorded
    frame["excused_share"] = frame["excused"] / recorded
    frame["unexcused_share"] = frame["absent"] / recorded
    frame["completeness"] = frame["recorded"] / convened
    return frame


def counts_many(conn: duckdb.DuckDBPyConnection, start: date, end: date,
                levels: list[str]) -> dict[str, pd.DataFrame]:
    """counts() for several levels, reading the tables and building the convocations once."""
    unknown = [by for by in levels if by not in LEVELS]
    if unknown:
        raise ValueError(f"the oracle covers {list(LEVELS)}, not {unknown}")
    tables = _tables(conn)
    persons = tables["persons"].merge(
        tables["communes"][["insee", "sector"]], left_on="commune_insee", right_on="insee", how="left")
    persons["name"] = [display_name(last, first) for last, first in zip(persons["last_name"], persons["first_name"])]
    rows = convocations(tables, start, end).merge(persons[["person_id", "insee", "sector"]], on="person_id")
    return {by: _level(rows, tables, persons, by) for by in levels}


def counts(conn: duckdb.DuckDBPyConnection, start: date, end: date, by: str) -> pd.DataFrame:
    """Same frame as attendance.counts(conn, start, end, by), computed in pandas (by: body, person, commune, sector)."""
    return counts_many(conn, start, end, [by])[by]


def _level(rows: pd.DataFrame, tables: dict[str, pd.DataFrame], persons: pd.DataFrame, by: str) -> pd.DataFrame:
    key = {"body": "body_code", "person": "person_id", "commune": "insee", "sector": "sector"}[by]
    # people with no commune belong to no commune or sector row (groupby drops the missing keys)
    table = rows.groupby([key, "status"]).size().unstack(fill_value=0).reindex(columns=STATUSES, fill_value=0)
    table["convened"] = table.sum(axis=1)
    table["recorded"] = table["convened"] - table["not_recorded"]
    frame = _rates(table[COUNT_COLUMNS].astype("int64").reset_index())
    if by == "body":
        bodies = tables["bodies"].rename(columns={"code": "body_code", "name": "body_name"})
        frame = frame.merge(bodies[["body_code", "body_name", "sort_order"]], on="body_code")
        frame = frame.sort_values(["sort_order", "body_code"])
    elif by == "person":
        frame = frame.merge(persons[["person_id", "name", "commune_insee", "sector"]], on="person_id")
        frame = frame.sort_values(["name", "person_id"], key=_folded)
    elif by == "commune":
        communes = tables["communes"][["insee", "name", "sector"]]
        frame = frame.merge(communes, on="insee").sort_values(["name", "insee"], key=_folded)
    return frame[LEVELS[by] + COUNT_COLUMNS + RATE_COLUMNS].reset_index(drop=True).rename_axis(columns=None)


def _folded(column: pd.Series) -> pd.Series:
    return column.map(fold) if column.name == "name" else column
