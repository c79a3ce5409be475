"""The Synthèse page, projected in the réunion de direction: headline figures against the previous period, the
alerts, the cadence of every body month by month, the presence trend and the next due meetings.

The sector filter keeps the people of the sector's communes for attendance, and the bodies of no sector plus the
sector's own (its conférence territoriale) for cadence.
"""

from __future__ import annotations

import re
from datetime import date

import duckdb
import pandas as pd

from analytics.outputs import summary
from analytics.rules import attendance, schedule
from analytics.rules.periods import month_start, months_before
from analytics.screens import calendrier as calendar
from analytics.screens import escape_all, escape_markdown
from analytics.wording.display import days_text, month_name, plural, short_date
from analytics.wording.format import month_label, number, percent
from analytics.wording.labels import CADENCE_STATUS

# -- attendance ----------------------------------------------------------------------------------------------------


def trend(conn: duckdb.DuckDBPyConnection, end: date, sector: str | None = None) -> pd.DataFrame:
    """Presence and participation per month over the 12 months ending with the month of `end`."""
    first = months_before(month_start(end), 11)
    months = pd.date_range(first, month_start(end), freq="MS").date
    if sector is None:
        rows = attendance.counts(conn, first, end, "body_month")
    else:
        rows = attendance.counts(conn, first, end, "sector_month")
        rows = rows[rows["sector"] == sector]
    by_month = {pd.Timestamp(m).date(): part for m, part in rows.groupby("month")} if not rows.empty else {}
    out = []
    for month in months:
        totals = summary.sum_rates(by_month.get(month, rows.iloc[0:0]))
        out.append({"month": month, "month_label": month_label(month), **totals})
    frame = pd.DataFrame(out)
    frame["presence_text"] = frame["presence_rate"].map(percent)
    frame["participation_text"] = frame["participation_rate"].map(percent)
    frame["recorded_text"] = frame["recorded"].map(lambda n: plural(n, "convocation renseignée",
                                                                    "convocations renseignées"))
    return frame


def trend_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"Mois": frame["month_label"], "Convocations renseignées": frame["recorded"],
                         "Présence": frame["presence_rate"], "Participation": frame["participation_rate"]})


# -- cadence -------------------------------------------------------------------------------------------------------


def cadence_grid_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The heatmap as a table: one row per body, one column per month, the status and the meetings held."""
    labels = {**CADENCE_STATUS, "none": "—"}
    cells = frame.assign(cell=[f"{labels[s]} ({h})" if s != "none" else (f"— ({h})" if h else "—")
                               for s, h in zip(frame["status"], frame["held"])])
    table = cells.pivot(index="body_name", columns="month_label", values="cell")
    table = table.reindex(index=list(dict.fromkeys(frame["body_name"])),
                          columns=list(dict.fromkeys(frame["month_label"])))
    table.index.name = "Instance"
    return table.reset_index()


# -- headline ------------------------------------------------------------------------------------------------------


# -- alerts and due dates ----------------------------------------------------------------------------------------


def alert_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Alerts per kind, most serious kind first: icon, kind_label, count."""
    if frame.empty:
        return pd.DataFrame(columns=["severity", "icon", "kind_label", "count"])
    grouped = frame.groupby(["severity", "icon", "kind_label"], as_index=False).size()
    return grouped.rename(columns={"size": "count"}).sort_values("severity").reset_index(drop=True)


def alert_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"Gravité": frame["gravity"], "Type": frame["kind_label"], "Date": frame["date_label"],
                         "Instance": frame["body_name"].fillna(""), "Alerte": frame["message"]})


def next_due(conn: duckdb.DuckDBPyConnection, as_of: date, sector: str | None = None,
             limit: int = 8) -> pd.DataFrame:
    """The soonest due dates, as calendar.due_dates_table shows them (for the table and its download)."""
    frame = schedule.due_dates(conn, as_of, sector)
    frame = frame[frame["next_due"].notna()].head(limit)
    return calendar.due_dates_table(frame)


def next_due_digest(conn: duckdb.DuckDBPyConnection, as_of: date, sector: str | None = None,
                    dates: int = 4) -> str:
    """Markdown for the projected screen: the next due dates, the bodies due on each, and those with no meeting
    planned in time."""
    frame = schedule.due_dates(conn, as_of, sector)
    frame = frame[frame["next_due"].notna()]
    if frame.empty:
        return "Aucune échéance à venir."
    lines = []
    for due, part in list(frame.groupby("next_due", sort=True))[:dates]:
        days = int(part["days_left"].iloc[0])
        covered, missing = part[part["covered"]], part[~part["covered"]]
        lines.append(f"**{short_date(due)}** ({days_text(days)})")
        if not missing.empty and days <= schedule.PLANNED_HORIZON_DAYS:
            lines.append("- :orange[:material/event_busy:] **aucune séance prévue à temps** : "
                         + ", ".join(escape_all(missing["name"])))
        elif not missing.empty:
            # beyond the months the calendar is published for, no planned meeting yet is normal
            lines.append("- :gray[:material/event:] pas encore de séance au calendrier : "
                         + ", ".join(escape_all(missing["name"])))
        if len(covered) > 3:
            lines.append(f"- :blue[:material/event_available:] séance prévue pour {plural(len(covered), 'instance')} : "
                         + ", ".join(escape_all(covered["name"])))
        elif not covered.empty:
            lines.append("- :blue[:material/event_available:] séance prévue : " + ", ".join(
                f"{escape_markdown(name)} ({short_date(day)})"
                for name, day in zip(covered["name"], covered["next_planned"])))
        lines.append("")
    return "\n".join(lines)


def alerts_digest(frame: pd.DataFrame, kinds: int = 3, per_kind: int = 2) -> str:
    """Markdown for the projected screen: the most serious kinds of alert, each with its count and its latest
    alerts, then the count of the other kinds."""
    if frame.empty:
        return ":green[:material/check_circle:] Aucune alerte sur la période."
    counts = alert_counts(frame)
    lines = []
    for row in counts.head(kinds).itertuples(index=False):
        lines.append(f"{row.icon} **{row.kind_label}** : {number(row.count)}")
        grouped = alert_lines(frame[frame["kind_label"] == row.kind_label])
        lines += [f"- {text}" for text, _ in grouped[:per_kind]]
        rest = sum(covered for _, covered in grouped[per_kind:])
        if rest:
            lines.append(f"- … et {plural(rest, 'autre', 'autres')}")
        lines.append("")
    others = counts.iloc[kinds:]
    if not others.empty:
        lines.append("Autres alertes : " + " · ".join(
            f"{row.icon} {row.kind_label} : **{number(row.count)}**" for row in others.itertuples(index=False)))
    return "\n".join(lines)


def _escape(text: str) -> str:
    """Markdown-safe text: the messages hold names, which may hold any markup (issue 17)."""
    return escape_markdown(text)


# how a group of alerts of one kind, one month and several bodies reads in one line
_GROUP_WORDS = {"cadence_missed": "instances hors cadence", "sheet_missing": "séances sans émargement complet",
                "legal_floor_missed": "instances sous le plancher légal", "quorum_not_reached": "séances sans quorum"}
_NO_MEETING = re.compile(r"^aucune séance tenue (en .+)$")


def _tail(message: str, body: str) -> str:
    """The message after its body's name, without the closing reminder of the rule: "aucune séance tenue en août
    2026"."""
    text = summary.short_message(message).rstrip(".")
    for head in (f"{body} : ", f"{body}, "):
        if text.startswith(head):
            return text[len(head):]
    return text


def _names(names: list[str], shown: int = 3) -> str:
    escaped = escape_all(names[:shown])
    more = len(names) - shown
    return ", ".join(escaped) + (f" et {plural(more, 'autre', 'autres')}" if more > 0 else "")


def alert_lines(frame: pd.DataFrame) -> list[tuple[str, int]]:
    """The alerts of one kind as the projected screen lists them, markdown-escaped, each with the number of alerts
    it stands for: the alerts about bodies that share a kind and a month read as one line ("10 instances sans
    séance en août 2026 : …"); alerts about people, or alone in their month, keep their own line."""
    out: list[tuple[str, int]] = []
    done: set[int] = set()
    rows = frame.reset_index(drop=True)
    months = rows["date"].map(lambda d: (d.year, d.month) if not pd.isna(d) else None)
    for i, row in rows.iterrows():
        if i in done:
            continue
        same = rows[(rows["kind"] == row["kind"]) & (months == months[i]) & rows["person_id"].isna()
                    & rows["body_name"].notna()] if pd.isna(row["person_id"]) else rows.iloc[0:0]
        if len(same) < 2:
            done.add(int(i))
            out.append((_escape(summary.short_message(row["message"])), 1))
            continue
        done.update(int(j) for j in same.index)
        tails = {_tail(m, b) for m, b in zip(same["message"], same["body_name"])}
        bodies = list(dict.fromkeys(same["body_name"]))
        match = _NO_MEETING.match(next(iter(tails))) if len(tails) == 1 else None
        if match:
            head = f"{number(len(bodies))} instances sans séance {match.group(1)}"
        else:
            words = _GROUP_WORDS.get(str(row["kind"]), f"alertes « {row['kind_label']} »")
            head = f"{number(len(same))} {words} en {month_name(row['date'])}"
        out.append((f"**{_escape(head)}** : {_names(bodies)}", len(same)))
    return out
