"""The figures the Synthèse page and the monthly pack share: headline figures, judged cadence periods, the
cadence grid and the alert list."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal, TypedDict

import duckdb
import pandas as pd

from analytics.rules import agenda, alerts, attendance, cadence, filters, quorum
from analytics.rules.alerts import rule_text
from analytics.rules.periods import month_start
from analytics.store.sql import query
from analytics.wording.display import ALERT_ICON, plural, points, short_date, signed, weekday_date
from analytics.wording.format import month_label, number, percent
from analytics.wording.labels import ALERT_GRAVITY, ALERT_KIND, CADENCE_STATUS, GRAVITY_WORD

HEATMAP_MAX_MONTHS = 24


@dataclass(frozen=True)
class Figure:
    """One headline figure as st.metric shows it, with the raw values the tests compare."""

    key: str
    label: str
    value: str
    delta: str | None
    delta_color: str  # "normal": up is good; "inverse": up is bad
    help: str
    raw: Any = None
    previous_raw: Any = None
    delta_description: str | None = None


class AttendanceTotals(TypedDict):
    """The counts of attendance.COUNT_COLUMNS, in that order, then the rates (None without a denominator)."""

    convened: int
    recorded: int
    present: int
    remote: int
    excused: int
    absent: int
    proxy: int
    substituted: int
    not_recorded: int
    presence_rate: float | None
    participation_rate: float | None
    completeness: float | None


def sum_rates(frame: pd.DataFrame) -> AttendanceTotals:
    """Counts summed over the rows, then the rates divided (convocations weigh, not rows)."""
    totals = {column: int(frame[column].sum()) if not frame.empty else 0 for column in attendance.COUNT_COLUMNS}
    recorded, convened = totals["recorded"], totals["convened"]
    present = totals["present"] + totals["remote"]
    participating = present + totals["proxy"] + totals["substituted"]
    return {"convened": convened, "recorded": recorded, "present": totals["present"], "remote": totals["remote"],
            "excused": totals["excused"], "absent": totals["absent"], "proxy": totals["proxy"],
            "substituted": totals["substituted"], "not_recorded": totals["not_recorded"],
            "presence_rate": present / recorded if recorded else None,
            "participation_rate": participating / recorded if recorded else None,
            "completeness": recorded / convened if convened else None}


def attendance_totals(conn: duckdb.DuckDBPyConnection, start: date, end: date,
                      sector: str | None = None) -> AttendanceTotals:
    """Counts and rates of every convocation in [start, end], or of the people of one sector's communes."""
    if sector is None:
        return sum_rates(attendance.counts(conn, start, end, "body"))
    rows = attendance.counts(conn, start, end, "sector")
    return sum_rates(rows[rows["sector"] == sector])


def judged_periods(conn: duckdb.DuckDBPyConnection, start: date, end: date, as_of: date,
                    sector: str | None) -> pd.DataFrame:
    """The cadence periods a range answers for, each counted in one range only.

    A period belongs to the range that holds its last day; one ending later counts only once already met (its
    obligation is fulfilled, the others are not due yet). Rolling 12-month windows overlap, so only every 12th is
    kept, counting back from the last month the range completes: a range of a year answers for one window.
    """
    codes = set(filters.bodies(conn, sector)["code"])
    frame = cadence.periods(conn, start, end, as_of)
    frame = frame[frame["body_code"].isin(codes) & frame["required"].notna()].copy()
    ends = frame["period_end"].dt.date
    inside = (ends >= start) & (ends <= end)
    later_met = (ends > end) & (frame["status"] == "met")
    frame = frame[(inside | later_met) & frame["status"].isin(["met", "missed"])]
    rolling = frame["rule"] == "avg_every_months"
    if rolling.any():
        last_complete = month_start(end + timedelta(days=1)) - timedelta(days=1)
        ends = frame["period_end"].dt.date
        keep = [(not is_rolling) or ((last_complete.year - e.year) * 12 + last_complete.month - e.month) % 12 == 0
                and e <= last_complete for is_rolling, e in zip(rolling, ends)]
        frame = frame[keep]
    return frame


def cadence_totals(conn: duckdb.DuckDBPyConnection, start: date, end: date, as_of: date,
                   sector: str | None = None) -> dict[str, Any]:
    """Required meetings of the periods the range answers for, how many of them were held, the bodies behind."""
    frame = judged_periods(conn, start, end, as_of, sector)
    required = int(frame["required"].sum())
    fulfilled = int(frame[["held", "required"]].min(axis=1).sum()) if not frame.empty else 0
    behind = frame[frame["status"] == "missed"].drop_duplicates("body_code")["body_name"].tolist()
    codes = set(filters.bodies(conn, sector)["code"])
    summary = cadence.summary(conn, start, end, as_of)
    held = int(summary[summary["code"].isin(codes)]["held"].sum())
    return {"required": required, "fulfilled": fulfilled, "missing": required - fulfilled, "held": held,
            "behind": behind, "periods": len(frame), "periods_missed": int((frame["status"] == "missed").sum())}


def _heatmap_months(start: date, end: date) -> list[date]:
    return filters.months_shown(start, end, HEATMAP_MAX_MONTHS, keep_last=True)


def cadence_grid(conn: duckdb.DuckDBPyConnection, start: date, end: date, as_of: date,
                 sector: str | None = None) -> pd.DataFrame:
    """One row per body and month: the status of the cadence period that month answers for, the meetings held that
    month, and a French hover text. Months with no obligation (the other months of an alternating body, outside an
    atelier's time frame) have status "none"."""
    months = _heatmap_months(start, end)
    chosen = filters.bodies(conn, sector)
    if not months or chosen.empty:
        return pd.DataFrame(columns=["body_code", "body_name", "month", "month_label", "status", "held",
                                     "cell_text", "hover"])
    first, last = months[0], end
    periods = cadence.periods(conn, first, last, as_of)
    held = conn.cursor().execute(query("synthesis_body_months"), {"start": first, "end": last}).df()
    held_of = {(b, pd.Timestamp(m).date()): int(h) for b, m, h in held.itertuples(index=False)}
    status_of: dict[tuple[str, date], Any] = {}
    for p in periods.itertuples(index=False):
        p_start, p_end = p.period_start.date(), p.period_end.date()
        if p.rule == "avg_every_months":
            covered = [month_start(p_end)]  # the window is judged for its last month
        else:
            covered = list(pd.date_range(month_start(p_start), month_start(p_end), freq="MS").date)
        for month in covered:
            status_of[(p.body_code, month)] = p
    rows = []
    for body in chosen.itertuples(index=False):
        n = None if pd.isna(body.cadence_n) else int(body.cadence_n)
        for month in months:
            p = status_of.get((body.code, month))
            count = held_of.get((body.code, month), 0)
            status = "none" if p is None else p.status
            hover = f"<b>{body.name}</b> — {month_label(month)}<br>{plural(count, 'séance tenue', 'séances tenues')}"
            if p is not None and p.status != "no_rule":
                phase = "odd" if p.period_start.month % 2 else "even"
                hover += (f"<br>règle : {rule_text(p.rule, n, phase)}"
                          f"<br>période du {short_date(p.period_start)} au {short_date(p.period_end)} : "
                          f"{number(p.held)} tenue(s) sur {number(p.required)} requise(s) — "
                          f"<b>{CADENCE_STATUS[p.status]}</b>")
                if p.status == "in_progress" and not pd.isna(p.days_left):
                    hover += f", échéance dans {plural(int(p.days_left), 'jour')}"
            elif p is not None:
                hover += "<br>pas de rythme fixé"
            else:
                hover += "<br>pas d'obligation ce mois-ci"
            rows.append({"body_code": body.code, "body_name": body.name, "month": month,
                         "month_label": month_label(month), "status": status, "held": count,
                         "cell_text": str(count) if count else "", "hover": hover})
    frame = pd.DataFrame(rows)
    # an atelier whose project ended before the window, say, has nothing to show: leave its row out
    idle = frame.groupby("body_code").apply(lambda g: (g["status"] == "none").all() and not g["held"].any(),
                                            include_groups=False)
    return frame[~frame["body_code"].isin(idle[idle].index)].reset_index(drop=True)


def headline(conn: duckdb.DuckDBPyConnection, period: filters.Period, as_of: date,
             sector: str | None = None) -> list[Figure]:
    """The four figures of the top of the page, each with its change against the previous period."""
    now = attendance_totals(conn, period.start, period.end, sector)
    rhythm = cadence_totals(conn, period.start, period.end, as_of, sector)
    before = before_rhythm = None
    if period.previous is not None:
        before = attendance_totals(conn, period.previous.start, period.previous.end, sector)
        before_rhythm = cadence_totals(conn, period.previous.start, period.previous.end, as_of, sector)
    compare = period.previous_text

    def change(key: Literal["presence_rate", "participation_rate"]) -> float | None:
        if before is None:
            return None
        value, previous = now[key], before[key]
        if value is None or previous is None:
            return None
        return value - previous

    behind = rhythm["behind"]
    figures = [
        Figure("presence", "Taux de présence", percent(now["presence_rate"]), points(change("presence_rate")),
               "normal", f"Présents et à distance, sur {_recorded(now['recorded'])} ; {compare}.",
               now["presence_rate"], None if before is None else before["presence_rate"]),
        Figure("participation", "Taux de participation", percent(now["participation_rate"]),
               points(change("participation_rate")), "normal",
               f"Présents, à distance, pouvoirs donnés et suppléés, sur les convocations renseignées ; {compare}.",
               now["participation_rate"], None if before is None else before["participation_rate"]),
        Figure("meetings", "Séances requises tenues", f"{number(rhythm['fulfilled'])} / {number(rhythm['required'])}",
               None if before_rhythm is None else _missing_delta(rhythm["missing"] - before_rhythm["missing"]),
               "inverse",
               f"{plural(rhythm['held'], 'séance tenue', 'séances tenues')} au total ; les règles de cadence en "
               f"demandaient {number(rhythm['required'])} sur les périodes échues, "
               f"{plural(rhythm['missing'], 'manque', 'manquent')} ; {compare}.",
               (rhythm["fulfilled"], rhythm["required"]),
               None if before_rhythm is None else (before_rhythm["fulfilled"], before_rhythm["required"])),
        Figure("behind", BEHIND_LABEL, number(len(behind)),
               None if before_rhythm is None else _bodies_delta(len(behind) - len(before_rhythm["behind"])),
               "inverse", behind_help(behind, None if before_rhythm is None else before_rhythm["behind"], compare),
               len(behind), None if before_rhythm is None else len(before_rhythm["behind"])),
    ]
    return figures


# the bodies that missed at least one period of their cadence rule in the range (short enough for the PDF's cards)
BEHIND_LABEL = "Instances hors cadence"


def _bodies_delta(change: int) -> str:
    """The change in number of bodies: "+2 instances", "-1 instance", "±0 instance"."""
    return f"{signed(change)} {'instance' if abs(change) < 2 else 'instances'}"


def behind_help(behind: list[str], before: list[str] | None, compare: str) -> str:
    """What the tile counts, which bodies, and what changed: those newly behind and those back in their cadence."""
    text = ("Instances ayant manqué au moins une période de leur règle de cadence (une période échue sans le nombre "
            "de séances requis) : " + ", ".join(behind) + "." if behind
            else "Aucune instance n'a manqué une période de sa règle de cadence.")
    if before is None:
        return text
    new = [name for name in behind if name not in before]
    back = [name for name in before if name not in behind]
    changes = ([f"nouvelles : {', '.join(new)}"] if new else []) + (
        [f"de nouveau dans leur cadence : {', '.join(back)}"] if back else [])
    return text + (f" Par rapport à la période précédente ({plural(len(before), 'instance')}) : "
                   + " ; ".join(changes) + "." if changes else f" Les mêmes instances {compare}.")


def comparison_text(period: filters.Period) -> str:
    """The caption under the headline figures: what the changes compare with."""
    if period.previous is None:
        return "Pas de comparaison pour cette période."
    return f"Variations {period.previous_text} ({period.previous.text})."


def _recorded(count: int) -> str:
    return plural(count, "convocation renseignée", "convocations renseignées")


def _missing_delta(change: int) -> str | None:
    if change == 0:
        return "± 0 séance manquante"
    word = "séance manquante" if abs(change) < 2 else "séances manquantes"
    return f"{signed(change)} {word}"


def alert_list(conn: duckdb.DuckDBPyConnection, start: date, end: date, as_of: date,
               sector: str | None = None) -> pd.DataFrame:
    """The alerts of the range, most serious first, kept for the sector (people of its communes, bodies of no
    sector or of the sector), with a French kind label and an icon."""
    frame = alerts.compute(conn, start, end, as_of)
    if sector is not None and not frame.empty:
        people = conn.cursor().execute(query("synthesis_person_sectors")).df()
        sector_of_person = dict(zip(people["person_id"], people["sector"]))
        body_sector = dict(zip(*filters.bodies(conn, None)[["code", "sector"]].T.values))
        keep = []
        for person_id, body_code in zip(frame["person_id"], frame["body_code"]):
            if not pd.isna(person_id):
                keep.append(sector_of_person.get(int(person_id)) == sector)
            else:
                owner = body_sector.get(body_code)
                keep.append(owner is None or pd.isna(owner) or owner == sector)
        frame = frame[keep]
    frame = frame.copy()
    frame["kind_label"] = frame["kind"].map(ALERT_KIND)
    frame["icon"] = frame["kind"].map(ALERT_ICON)
    frame["gravity"] = frame["kind"].map(ALERT_GRAVITY).map(GRAVITY_WORD)
    frame["date_label"] = frame["date"].map(short_date)
    return frame.reset_index(drop=True)


def short_message(message: str) -> str:
    """The message without its closing reminder of the rule or the law, for the projected screen."""
    # the consecutive-absences alert keeps a short form of its caveat: a follow-up signal, never a legal finding
    return _DISCLAIMER.sub(" (alerte de suivi, non un constat juridique).", _REMINDER.sub(".", message))


_DISCLAIMER = re.compile(r"\. Alerte de suivi de l'assiduité, non un constat juridique.*$")


_REMINDER = re.compile(r" \((?:règle|plancher légal|les pouvoirs)[^()]*(?:\([^()]*\)[^()]*)*\)\.$")


def quorum_sittings(conn: duckdb.DuckDBPyConnection, start: date, end: date) -> pd.DataFrame:
    """The Conseil's sittings with their quorum: margin, outcome (reached, missed, exempt) and a French hover; the
    figures are the opening's, and lost_at / back_at / lost_text say where a quorum reached at the opening was lost
    at a point of the agenda and found again (rules/agenda.py; None and "" otherwise)."""
    frame = quorum.quorum(conn, start, end)
    lost = agenda.losses(agenda.item_quorum(conn, start, end, frame)).set_index("meeting_id")
    frame["lost_at"] = [lost.at[m, "lost_at"] if m in lost.index else None for m in frame["meeting_id"]]
    frame["back_at"] = [lost.at[m, "back_at"] if m in lost.index else None for m in frame["meeting_id"]]
    frame["lost_text"] = [
        "" if m not in lost.index else
        f"quorum perdu au point {lost.at[m, 'lost_at']} ({number(int(lost.at[m, 'present']))} présents, "
        f"{number(int(lost.at[m, 'required']))} requis)"
        + (f", retrouvé au point {lost.at[m, 'back_at']}" if isinstance(lost.at[m, "back_at"], str) else "")
        for m in frame["meeting_id"]]
    frame["meeting_label"] = frame["meeting_date"].map(short_date)
    frame["outcome"] = ["exempt" if e else ("reached" if r else "missed")
                        for r, e in zip(frame["reached"], frame["exempt"])]
    labels = {"reached": "quorum atteint", "missed": "quorum non atteint",
              "exempt": "séance reconvoquée (sans condition de quorum)"}
    frame["outcome_label"] = frame["outcome"].map(labels)
    frame["hover"] = [
        f"<b>{weekday_date(d)}</b><br>{number(p)} présents sur {number(i)} en exercice<br>quorum : {number(q)} "
        f"— marge {'+' if m > 0 else ''}{number(m)}<br>{labels[o]}" + (f"<br><b>{lost_text}</b>" if lost_text else "")
        for d, p, i, q, m, o, lost_text in zip(frame["meeting_date"], frame["present"], frame["in_office"],
                                               frame["required"], frame["margin"], frame["outcome"],
                                               frame["lost_text"])
    ]
    return frame
