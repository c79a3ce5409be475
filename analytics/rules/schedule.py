"""Calendar rules: Alsace-Moselle public holidays, the meetings of a range, the next due date of every body."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import duckdb
import holidays as holidays_package
import pandas as pd

from analytics.rules import cadence, filters
from analytics.rules.alerts import rule_text
from analytics.store.sql import query
from analytics.wording.display import weekday_date
from analytics.wording.format import month_label
from analytics.wording.labels import MEETING_FORMAT, MEETING_STATUS, MEETING_TYPE

ALSACE = "6AE"


AGENDA_WEEKS = 13  # the agenda shows the quarter to come


PLANNED_HORIZON_DAYS = 92  # planned meetings are published about three months ahead


@lru_cache(maxsize=64)
def _holidays_of(year: int) -> tuple[tuple[date, str], ...]:
    found = holidays_package.country_holidays("FR", subdiv=ALSACE, years=year, language="fr")
    return tuple(sorted(found.items()))


def holidays(start: date, end: date) -> pd.DataFrame:
    """Public holidays of Alsace between start and end: day, name, label ("vendredi 3 avril 2026"), alsace (bool:
    a holiday of Alsace-Moselle only)."""
    rows = []
    for year in range(start.year, end.year + 1):
        national = dict(holidays_package.country_holidays("FR", years=year, language="fr"))
        for day, name in _holidays_of(year):
            if start <= day <= end:
                rows.append({"day": day, "name": name, "label": weekday_date(day),
                             "alsace": day not in national})
    return pd.DataFrame(rows, columns=["day", "name", "label", "alsace"])


def months_window(start: date, end: date, as_of: date) -> tuple[date, date]:
    """The months to draw: the period, stretched to the planned meetings when the period reaches today."""
    if end >= as_of:
        return start, max(end, as_of + timedelta(days=PLANNED_HORIZON_DAYS))
    return start, end


def months(conn: duckdb.DuckDBPyConnection, start: date, end: date, sector: str | None = None) -> pd.DataFrame:
    """Meetings per month of [start, end]: month, month_label ("janv. 2025"), held, cancelled, planned."""
    codes = filters.bodies(conn, sector)["code"].tolist()
    frame = conn.cursor().execute(query("calendar_months"),
                                  {"start": start, "end": end, "body_codes": codes}).df()
    shown = set(filters.months_shown(start, end))
    frame = frame[frame["month"].map(lambda m: pd.Timestamp(m).date() in shown)].copy()
    frame["month_label"] = frame["month"].map(month_label)
    return frame[["month", "month_label", "held", "cancelled", "planned"]].reset_index(drop=True)


def meetings(conn: duckdb.DuckDBPyConnection, start: date, end: date, sector: str | None = None) -> pd.DataFrame:
    """Meetings of [start, end] (any status) with French labels, a hover text and the holiday they fall on."""
    codes = filters.bodies(conn, sector)["code"].tolist()
    frame = conn.cursor().execute(query("calendar_meetings"),
                                  {"start": start, "end": end, "body_codes": codes}).df()
    off = {day: name for day, name in holidays(start, end)[["day", "name"]].itertuples(index=False)}
    frame["status_label"] = frame["status"].map(MEETING_STATUS)
    frame["date_label"] = frame["meeting_date"].map(weekday_date)
    frame["holiday"] = frame["meeting_date"].map(lambda d: off.get(pd.Timestamp(d).date(), ""))
    frame["hover"] = [
        f"<b>{body}</b><br>{when}<br>séance {status} — {MEETING_FORMAT[fmt]}"
        + (f", {MEETING_TYPE[kind]}" if kind != "ordinary" else "")
        + (f"<br>commune : {commune}" if isinstance(commune, str) else "")
        + (f"<br>⚠ jour férié : {holiday}" if holiday else "")
        for body, when, status, fmt, kind, commune, holiday in zip(
            frame["body_name"], frame["date_label"], frame["status_label"], frame["format"], frame["meeting_type"],
            frame["commune_name"], frame["holiday"])
    ]
    return frame


def agenda_window(as_of: date) -> tuple[date, date]:
    """The weeks of the agenda: from the Monday of this week, AGENDA_WEEKS weeks."""
    monday = as_of - timedelta(days=as_of.weekday())
    return monday, monday + timedelta(weeks=AGENDA_WEEKS) - timedelta(days=1)


def meetings_on_holidays(frame: pd.DataFrame) -> pd.DataFrame:
    """The meetings (from `meetings`) that fall on a public holiday, as a French table."""
    part = frame[frame["holiday"] != ""]
    return pd.DataFrame({"Date": part["date_label"], "Instance": part["body_name"],
                         "Statut": part["status_label"], "Jour férié": part["holiday"]})


def due_dates(conn: duckdb.DuckDBPyConnection, as_of: date, sector: str | None = None) -> pd.DataFrame:
    """Per body with a cadence rule: the next due date, the days left, the first planned meeting and whether it
    comes in time. Sorted by due date, bodies with nothing due last."""
    chosen = filters.bodies(conn, sector)
    due = cadence.next_due(conn, as_of)
    planned = conn.cursor().execute(query("calendar_next_planned"), {"as_of": as_of}).df()
    frame = (chosen[chosen["rule"] != "on_demand"]
             .merge(due, left_on="code", right_on="body_code", how="left")
             .drop(columns="body_code")
             .merge(planned, left_on="code", right_on="body_code", how="left"))
    frame["days_left"] = [None if pd.isna(d) else (pd.Timestamp(d).date() - as_of).days for d in frame["next_due"]]
    frame["covered"] = [
        (not pd.isna(p)) and (not pd.isna(d)) and pd.Timestamp(p) <= pd.Timestamp(d)
        for p, d in zip(frame["next_planned"], frame["next_due"])
    ]
    frame["rule_text"] = [rule_text(r, None if pd.isna(n) else int(n), p if isinstance(p, str) else None)
                          for r, n, p in zip(frame["rule"], frame["cadence_n"], frame["cadence_phase"])]
    frame = frame.sort_values(["next_due", "sort_order"], na_position="last", kind="stable").reset_index(drop=True)
    return frame[["code", "name", "rule", "rule_text", "next_due", "days_left", "next_planned", "planned_count",
                  "covered", "sort_order"]]


def holiday_window(start: date, end: date, as_of: date) -> tuple[date, date]:
    """The days the holidays table lists: those of the period shown (from its first day, not from the 1st of
    January of its first year), and, when the period reaches today, the twelve months ahead, to plan meetings."""
    if end >= as_of:
        return start, max(end, as_of + timedelta(days=365))
    return start, end
