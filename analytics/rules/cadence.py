"""Cadence compliance: does each body meet as often as the charter and the law require, and when is it next due.

Every rule is judged on calendar periods; a period is `met` when it holds at least `required` held meetings
(cancelled and planned meetings never count). The periods of each rule:

- `monthly`: each calendar month, 1 required.
- `bimonthly`: the windows January–February, March–April… November–December, 1 required.
- `quarterly`: each calendar quarter, 1 required.
- `min_per_year`: each calendar year, `cadence_n` required.
- `avg_every_months` (rolling 12 months): judged once per calendar month; the period of month M is the 12 months
  ending with M (first day of M − 11 months to the last day of M) and `max(1, 12 // cadence_n)` meetings are
  required in it (6 for "every 2 months"). The range selects the months M, so a window may reach back 11 months
  before `start`: meetings there count, and a database without that history reports the first windows as missed.
  Monthly evaluation (rather than per calendar year) is what "rolling" means and catches a gap within months.
- `alternating`: one period per month of the body's phase (`odd`: January, March…; `even`: February, April…),
  1 required; months of the other phase belong to the body it alternates with.
- `on_demand`: no requirement; one period per calendar year shows the activity, with `required` missing and
  status `no_rule`; such bodies never count as met or missed and have no next due date.

Bodies with a project time frame (ateliers-projets: `project_start`/`project_end`) only get the periods that
overlap that frame (for the rolling rule, the judged month must overlap it).

Status at `as_of`: `met` as soon as the count is reached (even before the period ends); otherwise `in_progress` if
the period ends on or after `as_of` (this includes periods that have not started yet, so that the obligations to
come stay visible; `days_left` says how far they are), else `missed`. `days_left` = period_end − as_of, only for
`in_progress` periods.

Next due date (summary, next_due): the end of the first period ending on or after `as_of` that is not met, looked
for up to two years ahead whatever the range. For the rolling rule this is exact under the monthly evaluation above
(the end of the month by which the window would fall short, i.e. the month after the window loses its 6th most
recent meeting), not the "last meeting + n months" approximation. None for `on_demand` and for a project that is
over.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import duckdb
import pandas as pd

from analytics.store.sql import query

RULES = ("monthly", "bimonthly", "quarterly", "min_per_year", "avg_every_months", "alternating", "on_demand")
STATUSES = ("met", "missed", "in_progress", "no_rule")
PERIOD_COLUMNS = ["body_code", "body_name", "rule", "period_start", "period_end", "held", "required", "status",
                  "days_left"]
# How far after as_of to look for the next period that is not met: two years covers a yearly rule whose current
# year is already met, and a rolling window whose 6th most recent meeting is up to 12 months old.
_NEXT_DUE_HORIZON_DAYS = 2 * 366


def _check_range(start: date, end: date) -> None:
    if start > end:
        raise ValueError(f"période vide : le début ({start.isoformat()}) est après la fin ({end.isoformat()})")


def _month_index(day: date) -> int:
    """Months since year 0, so that month arithmetic is integer arithmetic."""
    return day.year * 12 + day.month - 1


def _month_first(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def _month_last(index: int) -> date:
    return _month_first(index + 1) - timedelta(days=1)


def rule_periods(rule: str, n: int | None, phase: str | None, start: date, end: date
                 ) -> Iterator[tuple[date, date, int | None, date, date]]:
    """Calendar periods of one rule over [start, end]: (period_start, period_end, required, anchor_start, anchor_end).

    The anchor is the part of the period that must overlap the range: the whole period, except for the rolling
    rule where it is the judged month.
    """
    first, last = _month_index(start), _month_index(end)
    if rule in ("monthly", "alternating"):
        parity = {"odd": 1, "even": 0}.get(phase or "", None)
        for index in range(first, last + 1):
            month = index % 12 + 1
            if rule == "alternating" and month % 2 != parity:
                continue
            yield _month_first(index), _month_last(index), 1, _month_first(index), _month_last(index)
    elif rule in ("bimonthly", "quarterly"):
        size = 2 if rule == "bimonthly" else 3
        # windows are aligned on January: Jan–Feb, Mar–Apr… or Jan–Mar, Apr–Jun…
        for index in range(first - (first % 12) % size, last + 1, size):
            period = (_month_first(index), _month_last(index + size - 1))
            yield period[0], period[1], 1, period[0], period[1]
    elif rule in ("min_per_year", "on_demand"):
        required = n if rule == "min_per_year" else None
        for year in range(start.year, end.year + 1):
            yield date(year, 1, 1), date(year, 12, 31), required, date(year, 1, 1), date(year, 12, 31)
    elif rule == "avg_every_months":
        # a rule sparser than once a year cannot be judged on 12 months: require at least one
        required = max(1, 12 // (n or 12))
        for index in range(first, last + 1):
            yield _month_first(index - 11), _month_last(index), required, _month_first(index), _month_last(index)
    else:
        raise ValueError(f"règle de cadence inconnue : {rule}")


def _bodies(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    result = cur.execute(query("cadence_bodies"))
    names = [column[0] for column in result.description]
    return [dict(zip(names, row)) for row in result.fetchall()]


def _overlaps(a_start: date, a_end: date, b_start: date | None, b_end: date | None) -> bool:
    return (b_start is None or a_end >= b_start) and (b_end is None or a_start <= b_end)


def _grid(bodies: list[dict[str, Any]], start: date, end: date, rule: str | None = None) -> dict[str, list]:
    """The periods of every body as parallel lists, ready to bind; `rule` overrides the bodies' own rule."""
    grid: dict[str, list] = {"body_codes": [], "rules": [], "period_starts": [], "period_ends": [], "required": []}
    for body in bodies:
        body_rule = rule or body["rule"]
        for p_start, p_end, required, a_start, a_end in rule_periods(
            body_rule, body["cadence_n"], body["cadence_phase"], start, end
        ):
            if not _overlaps(a_start, a_end, start, end):
                continue
            # ateliers-projets only owe meetings during their project's time frame
            if rule is None and not _overlaps(a_start, a_end, body["project_start"], body["project_end"]):
                continue
            grid["body_codes"].append(body["code"])
            grid["rules"].append(body_rule)
            grid["period_starts"].append(p_start)
            grid["period_ends"].append(p_end)
            grid["required"].append(required)
    return grid


def _count(cur: duckdb.DuckDBPyConnection, grid: dict[str, list], as_of: date) -> pd.DataFrame:
    frame = cur.execute(query("cadence_periods"), {**grid, "as_of": as_of}).df()
    return frame[PERIOD_COLUMNS]


def catalogue(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The bodies with their cadence attributes (code, name, family, rule, cadence_n…), in display order."""
    cur = conn.cursor()
    return cur.execute(query("cadence_bodies")).df()


def periods(conn: duckdb.DuckDBPyConnection, start: date, end: date, as_of: date) -> pd.DataFrame:
    """One row per body and cadence period overlapping [start, end], judged at as_of (see the module docstring)."""
    _check_range(start, end)
    cur = conn.cursor()
    return _count(cur, _grid(_bodies(cur), start, end), as_of)


def next_due(conn: duckdb.DuckDBPyConnection, as_of: date) -> pd.DataFrame:
    """Per body with a rule: the end of the first period ending on or after as_of that is not met yet (else NaT).

    For the rolling rule this is exact, not an approximation: the first month whose 12-month window would fall
    short if no further meeting were held (the month after the window loses its 6th most recent meeting).
    """
    cur = conn.cursor()
    bodies = _bodies(cur)
    return _next_due(cur, bodies, as_of)


def _next_due(cur: duckdb.DuckDBPyConnection, bodies: list[dict[str, Any]], as_of: date) -> pd.DataFrame:
    ahead = _count(cur, _grid(bodies, as_of, as_of + timedelta(days=_NEXT_DUE_HORIZON_DAYS)), as_of)
    pending = ahead[(ahead["period_end"] >= pd.Timestamp(as_of)) & ahead["status"].isin(["in_progress", "missed"])]
    first = pending.groupby("body_code", sort=False)["period_end"].min()
    frame = pd.DataFrame({"body_code": [body["code"] for body in bodies]})
    frame["next_due"] = frame["body_code"].map(first).astype("datetime64[us]")
    return frame


def summary(conn: duckdb.DuckDBPyConnection, start: date, end: date, as_of: date) -> pd.DataFrame:
    """Per body: rule, periods met/missed/in progress, compliance, longest gap, last held, next due, meeting counts.

    compliance = met / (met + missed), NaN when no period is over; longest_gap_days, last_held and the counts of
    held/cancelled/planned meetings look only inside [start, end]; next_due looks ahead from as_of.
    """
    _check_range(start, end)
    cur = conn.cursor()
    bodies = _bodies(cur)
    detail = _count(cur, _grid(bodies, start, end), as_of)
    meetings = cur.execute(query("cadence_summary"), {"start": start, "end": end}).df()
    due = _next_due(cur, bodies, as_of)

    tally = pd.crosstab(detail["body_code"], detail["status"]).reindex(columns=list(STATUSES), fill_value=0)
    frame = meetings.merge(due, left_on="code", right_on="body_code", how="left").drop(columns="body_code")
    for status, column in (("met", "periods_met"), ("missed", "periods_missed"),
                           ("in_progress", "periods_in_progress")):
        frame[column] = frame["code"].map(tally[status]).fillna(0).astype(int)
    frame["periods"] = frame["code"].map(detail.groupby("body_code").size()).fillna(0).astype(int)
    judged = frame["periods_met"] + frame["periods_missed"]
    # periods still open are judged later: they weigh neither for nor against compliance
    frame["compliance"] = (frame["periods_met"] / judged.where(judged > 0)).astype(float)
    return frame[["code", "name", "family", "rule", "cadence_n", "periods", "periods_met", "periods_missed",
                  "periods_in_progress", "compliance", "longest_gap_days", "last_held", "next_due",
                  "held", "cancelled", "planned"]]


def legal_floor(conn: duckdb.DuckDBPyConnection, start: date, end: date, as_of: date) -> pd.DataFrame:
    """Calendar quarters overlapping [start, end] for bodies with a quarterly legal floor (CGCT L5211-11)."""
    _check_range(start, end)
    cur = conn.cursor()
    bound = [body for body in _bodies(cur) if body["legal_floor"] == "quarterly"]
    return _count(cur, _grid(bound, start, end, rule="quarterly"), as_of)


def requested_conferences(conn: duckdb.DuckDBPyConnection, start: date, end: date,
                          body_code: str = "conf_maires") -> pd.DataFrame:
    """Requested conférences des maires in [start, end]: ⅓-of-mayors threshold and rank among the year's requests.

    mayors = the number of communes, threshold = ceil(mayors / 3); threshold_met is NA when requesters is unknown.
    rank_in_year counts the calendar year's requested meetings that were not cancelled, including those before
    `start`; cancelled ones have no rank. over_limit = rank_in_year > 4.
    """
    _check_range(start, end)
    cur = conn.cursor()
    return cur.execute(query("cadence_requested_conferences"),
                       {"start": start, "end": end, "body_code": body_code}).df()


def planned_vs_held(conn: duckdb.DuckDBPyConnection, start: date, end: date, as_of: date,
                    body_code: str = "dgs") -> pd.DataFrame:
    """Per calendar year overlapping [start, end] (whole years): meetings scheduled, held, cancelled, still planned.

    planned = every meeting put in the year's calendar (held + cancelled + still planned); overdue = still planned
    although its date is before as_of (the calendar needs updating); required = cadence_n under min_per_year;
    status as for periods().
    """
    _check_range(start, end)
    cur = conn.cursor()
    return cur.execute(query("cadence_planned_vs_held"),
                       {"start": start, "end": end, "as_of": as_of, "body_code": body_code}).df()
