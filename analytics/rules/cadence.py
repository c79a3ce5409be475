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
  before `start`: meetings there count, and a window that reaches back before the recorded history or the mandate
  is not judged unless its recorded meetings suffice (below).
  Monthly evaluation (rather than per calendar year) is what "rolling" means and catches a gap within months.
- `alternating` (the plenary conférence des maires and the territorial conferences): each body is bimonthly, on
  the windows January–February, March–April…, 1 required. A body that alternates with another (`alternates_with`:
  a territorial conference with the plenary) must not meet in a calendar month in which the other held a sitting
  of its own calendar (a conférence requested by the mayors, `meeting_type` requested, is outside the alternation):
  such a sitting is a clash (`clashes`), shown but not counted towards the window, so that a window whose only
  sittings clash is not met. Which months are plenary is whatever the sittings show: there is no fixed odd/even
  calendar (the catalogue's `cadence_phase` documents the usual months and is not used for judging). The clash is
  laid on the territorial conference, the body that alternates with the plenary, never on the plenary itself.
- `on_demand`: no requirement; one period per calendar year shows the activity, with `required` missing and
  status `no_rule`; such bodies never count as met or missed and have no next due date.

Bodies with a project time frame (ateliers-projets: `project_start`/`project_end`) only get the periods that
overlap that frame (for the rolling rule, the judged month must overlap it).

Status at `as_of`: `met` as soon as the count is reached (even before the period ends); otherwise `not_judged` if
the period cannot be held against the body (below), else `in_progress` if the period ends on or after `as_of` (this
includes periods that have not started yet, so that the obligations to come stay visible; `days_left` says how far
they are), else `missed`. `days_left` = period_end − as_of, only for `in_progress` periods.

A period is `not_judged` (shown, never counted in compliance, never alerted, never a next due date) when it is not
met and (DESIGN.md §2):
- it begins before the recorded history: the first day of the month of the earliest held sitting in the base, all
  bodies together (a base without any held sitting has no such bound: everything is judged);
- or it begins before the start of the mandate in force at the period: the installation day of the Conseil in force
  on the period's last day (the day most of the Conseil's memberships then in force began, as in
  views_mandate_start.sql). A rolling window reaching back before either is the usual case; a period that straddles
  an installation is not judged, the first period wholly inside the new mandate is;
- or it is made only of months of the body's `pause` (catalogue: e.g. `pause = [8]`, August). A paused month inside
  a longer period (a bimester, a quarter, a year, a rolling window) does not change the required count: the break
  is then already allowed for by the rule. A paused period in which the body met anyway is `met`.

Next due date (summary, next_due): the end of the first period ending on or after `as_of` that is neither met nor
not judged, looked for up to two years ahead whatever the range. For the rolling rule this is exact under the
monthly evaluation above (the end of the month by which the window would fall short, i.e. the month after the
window loses its 6th most recent meeting), not the "last meeting + n months" approximation. None for `on_demand`
and for a project that is over.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import duckdb
import pandas as pd

from analytics.store.sql import query

STATUSES = ("met", "missed", "in_progress", "not_judged", "no_rule")
# held counts every held sitting of the period; clashes those of them that do not count (an alternating body's
# sittings in a month where the body it alternates with met), 0 for every other rule
PERIOD_COLUMNS = ["body_code", "body_name", "rule", "period_start", "period_end", "held", "required", "status",
                  "days_left", "clashes"]
# The body whose installation starts a mandate (views_mandate_start.sql): the Conseil d'Agglomération.
MANDATE_BODY = "conseil"
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


def rule_periods(rule: str, n: int | None, start: date, end: date
                 ) -> Iterator[tuple[date, date, int | None, date, date]]:
    """Calendar periods of one rule over [start, end]: (period_start, period_end, required, anchor_start, anchor_end).

    The anchor is the part of the period that must overlap the range: the whole period, except for the rolling
    rule where it is the judged month.
    """
    first, last = _month_index(start), _month_index(end)
    if rule == "monthly":
        for index in range(first, last + 1):
            yield _month_first(index), _month_last(index), 1, _month_first(index), _month_last(index)
    elif rule in ("bimonthly", "alternating", "quarterly"):
        # an alternating body is bimonthly; its catalogue phase is not used for judging (module docstring)
        size = 3 if rule == "quarterly" else 2
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


def pause_months(code: str, text: str | None) -> frozenset[int]:
    """The months of a body's pause from bodies.pause ("8", "7,8"); empty when there is none."""
    if text is None or not text.strip():
        return frozenset()
    parts = [part.strip() for part in text.split(",")]
    if not all(part.isdigit() and 1 <= int(part) <= 12 for part in parts):
        raise ValueError(f"instance {code} : pause « {text} » invalide ; des numéros de mois de 1 à 12 séparés par "
                         "des virgules sont attendus (« 8 » pour août)")
    return frozenset(int(part) for part in parts)


def _bodies(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    result = cur.execute(query("cadence_bodies"))
    names = [column[0] for column in result.description]
    bodies = [dict(zip(names, row)) for row in result.fetchall()]
    for body in bodies:
        body["pause_months"] = pause_months(body["code"], body["pause"])
    return bodies


def _only_paused(p_start: date, p_end: date, paused: frozenset[int]) -> bool:
    """Whether every month of [p_start, p_end] is a month of the pause."""
    months = range(_month_index(p_start), _month_index(p_end) + 1)
    return bool(paused) and all(index % 12 + 1 in paused for index in months)


def _overlaps(a_start: date, a_end: date, b_start: date | None, b_end: date | None) -> bool:
    return (b_start is None or a_end >= b_start) and (b_end is None or a_start <= b_end)


def _grid(bodies: list[dict[str, Any]], start: date, end: date, rule: str | None = None) -> dict[str, list]:
    """The periods of every body as parallel lists, ready to bind; `rule` overrides the bodies' own rule."""
    grid: dict[str, list] = {"body_codes": [], "rules": [], "period_starts": [], "period_ends": [], "required": [],
                             "partners": [], "paused": []}
    for body in bodies:
        body_rule = rule or body["rule"]
        # the body whose months an alternating body must keep clear of
        partner = body["alternates_with"] if body_rule == "alternating" else None
        for p_start, p_end, required, a_start, a_end in rule_periods(body_rule, body["cadence_n"], start, end):
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
            grid["partners"].append(partner)
            grid["paused"].append(_only_paused(p_start, p_end, body["pause_months"]))
    return grid


def _count(cur: duckdb.DuckDBPyConnection, grid: dict[str, list], as_of: date) -> pd.DataFrame:
    frame = cur.execute(query("cadence_periods"), {**grid, "as_of": as_of, "mandate_body": MANDATE_BODY}).df()
    return frame[PERIOD_COLUMNS]


def catalogue(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The bodies with their cadence attributes (code, name, family, rule, cadence_n, alternates_with, pause…), in
    display order."""
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
    """Per body: rule, periods met/missed/in progress/not judged, compliance, longest gap, last held, next due,
    meeting counts.

    compliance = met / (met + missed), NaN when no period is over: periods in progress and not judged weigh neither
    way. longest_gap_days, last_held and the counts of held/cancelled/planned meetings look only inside [start, end];
    the longest gap leaves out what cannot be judged: the days of the body's paused months between two sittings,
    and the gap from the last sitting of a mandate to the first of the next (cadence_summary.sql). next_due looks
    ahead from as_of and skips not_judged periods.
    """
    _check_range(start, end)
    cur = conn.cursor()
    bodies = _bodies(cur)
    detail = _count(cur, _grid(bodies, start, end), as_of)
    meetings = cur.execute(query("cadence_summary"),
                           {"start": start, "end": end, "mandate_body": MANDATE_BODY}).df()
    due = _next_due(cur, bodies, as_of)

    tally = pd.crosstab(detail["body_code"], detail["status"]).reindex(columns=list(STATUSES), fill_value=0)
    frame = meetings.merge(due, left_on="code", right_on="body_code", how="left").drop(columns="body_code")
    for status, column in (("met", "periods_met"), ("missed", "periods_missed"),
                           ("in_progress", "periods_in_progress"), ("not_judged", "periods_not_judged")):
        frame[column] = frame["code"].map(tally[status]).fillna(0).astype(int)
    frame["periods"] = frame["code"].map(detail.groupby("body_code").size()).fillna(0).astype(int)
    judged = frame["periods_met"] + frame["periods_missed"]
    # periods still open are judged later, periods not judged never: neither weighs for nor against compliance
    frame["compliance"] = (frame["periods_met"] / judged.where(judged > 0)).astype(float)
    return frame[["code", "name", "family", "rule", "cadence_n", "periods", "periods_met", "periods_missed",
                  "periods_in_progress", "compliance", "longest_gap_days", "last_held", "next_due",
                  "held", "cancelled", "planned", "periods_not_judged"]]


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
