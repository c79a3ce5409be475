"""The indicators as one JSON object (a contract used by other tools) and the `indicators` command that prints them.

Keys are never renamed; new keys may be added. Dates are ISO strings, rates floats or null (never NaN), counts
always the nine keys of attendance.COUNT_COLUMNS as integers. "bodies" lists the whole catalogue (zeros when
idle); "people", "communes" and "sectors" only those convened in the range. Each "quorum" entry gives the
opening's figures, "items" (the quorum at each point of the sitting's agenda: item, title, present, required,
reached; empty without agenda) and "lost_at" (the first point where the quorum, reached at the opening, was not;
null otherwise).
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from analytics.rules import agenda, alerts, attendance, cadence, quorum
from analytics.wording.format import long_date, number, percent

RATES = ("presence_rate", "participation_rate")


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _rate(value: Any) -> float | None:
    return None if _missing(value) else float(value)


def _int(value: Any) -> int | None:
    return None if _missing(value) else int(value)


def _iso(value: Any) -> str | None:
    return None if _missing(value) else pd.Timestamp(value).date().isoformat()


def _counts(row: Any | None) -> dict[str, int]:
    """The nine counts of a row of attendance.counts, zeros when the key was never convened."""
    return {column: 0 if row is None else int(row[column]) for column in attendance.COUNT_COLUMNS}


def _rates(row: Any | None, names: tuple[str, ...] = RATES) -> dict[str, float | None]:
    return {name: None if row is None else _rate(row[name]) for name in names}


def _bodies(summary: pd.DataFrame, detail: pd.DataFrame, by_body: pd.DataFrame) -> list[dict[str, Any]]:
    counted = {row["body_code"]: row for _, row in by_body.iterrows()}
    periods_of = {code: part for code, part in detail.groupby("body_code", sort=False)}
    result = []
    for _, body in summary.iterrows():
        row = counted.get(body["code"])
        part = periods_of.get(body["code"], detail.iloc[0:0])
        result.append({
            "code": body["code"],
            "name": body["name"],
            "meetings": {"held": int(body["held"]), "cancelled": int(body["cancelled"]),
                         "planned": int(body["planned"])},
            "counts": _counts(row),
            **_rates(row, (*RATES, "completeness")),
            "cadence": {
                "rule": body["rule"],
                "periods": int(body["periods"]),
                "periods_met": int(body["periods_met"]),
                "compliance": _rate(body["compliance"]),
                "longest_gap_days": _int(body["longest_gap_days"]),
                "next_due": _iso(body["next_due"]),
                "periods_detail": [
                    {"start": _iso(p.period_start), "end": _iso(p.period_end), "held": int(p.held),
                     "required": _int(p.required), "status": p.status}
                    for p in part.itertuples(index=False)
                ],
            },
        })
    return result


def compute(conn: duckdb.DuckDBPyConnection, start: date, end: date, as_of: date) -> dict[str, Any]:
    """Assemble the indicators JSON object for [start, end] judged at as_of."""
    summary = cadence.summary(conn, start, end, as_of)
    detail = cadence.periods(conn, start, end, as_of)
    # one pass of the attendance query for the four levels; each comes back in its display order
    levels = attendance.counts_many(conn, start, end, ["body", "person", "commune", "sector"])
    people, communes, sectors = levels["person"], levels["commune"], levels["sector"]
    sittings = quorum.quorum(conn, start, end)
    points, lost_at = _points(conn, start, end, sittings)
    found = alerts.compute(conn, start, end, as_of)
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "as_of": as_of.isoformat(),
        "bodies": _bodies(summary, detail, levels["body"]),
        "people": [
            {"name": p["name"], "commune": None if _missing(p["commune_insee"]) else p["commune_insee"],
             "counts": _counts(p), **_rates(p)}
            for _, p in people.iterrows()
        ],
        "communes": [
            {"insee": c["insee"], "name": c["name"], "sector": c["sector"], "counts": _counts(c), **_rates(c)}
            for _, c in communes.iterrows()
        ],
        "sectors": [{"sector": s["sector"], "counts": _counts(s), **_rates(s)} for _, s in sectors.iterrows()],
        "quorum": [
            {"body": q.body_code, "date": _iso(q.meeting_date), "in_office": int(q.in_office),
             "present": int(q.present), "required": int(q.required), "reached": bool(q.reached),
             "exempt": bool(q.exempt), "items": points.get(int(q.meeting_id), []),
             "lost_at": lost_at.get(int(q.meeting_id))}
            for q in sittings.itertuples(index=False)
        ],
        "alerts": [
            {"kind": a.kind, "body": None if _missing(a.body_code) else a.body_code,
             "person": None if _missing(a.person) else a.person, "date": _iso(a.date), "message": a.message}
            for a in found.itertuples(index=False)
        ],
    }


def _points(conn: duckdb.DuckDBPyConnection, start: date, end: date,
            sittings: pd.DataFrame) -> tuple[dict[int, list[dict[str, Any]]], dict[int, str]]:
    """The quorum at each point of each sitting with an agenda (the entry's own figures are the opening's), and
    the point where it was lost, by meeting id (DESIGN.md §4)."""
    frame = agenda.item_quorum(conn, start, end, sittings)
    points: dict[int, list[dict[str, Any]]] = {}
    for p in frame.itertuples(index=False):
        points.setdefault(int(p.meeting_id), []).append(
            {"item": p.item, "title": p.title, "present": int(p.present), "required": int(p.required),
             "reached": bool(p.reached)})
    lost = agenda.losses(frame)
    return points, {int(m): str(item) for m, item in zip(lost["meeting_id"], lost["lost_at"])}


def _total_rates(bodies: list[dict[str, Any]]) -> tuple[int, float | None, float | None, float | None]:
    """Convocations and the headline rates over every body (sum the counts, then divide)."""
    total = {key: sum(body["counts"][key] for body in bodies) for key in attendance.COUNT_COLUMNS}
    recorded, convened = total["recorded"], total["convened"]
    present = total["present"] + total["remote"]
    participating = present + total["proxy"] + total["substituted"]
    return (convened, present / recorded if recorded else None, participating / recorded if recorded else None,
            recorded / convened if convened else None)


def _plural(count: int, word: str) -> str:
    return f"{number(count)} {word}{'s' if count > 1 else ''}"


def render_text(result: dict[str, Any], catalogue: pd.DataFrame) -> str:
    """A readable French summary of the indicators object; `catalogue` is cadence.catalogue() for the rules."""
    start, end, as_of = (date.fromisoformat(result[key]) for key in ("from", "to", "as_of"))
    convened, presence, participation, completeness = _total_rates(result["bodies"])
    rules = {row.code: alerts.rule_text(row.rule, _int(row.cadence_n), row.cadence_phase)
             for row in catalogue.itertuples(index=False)}
    lines = [
        f"Gouvernance m2A — indicateurs du {long_date(start)} au {long_date(end)} (situation au {long_date(as_of)})",
        "",
        f"Assiduité : présence {percent(presence)} · participation {percent(participation)} · "
        f"émargements renseignés {percent(completeness)} ({_plural(convened, 'convocation')})",
        "",
        "Instances [règle] : séances tenues, périodes de la règle respectées, présence, prochaine échéance",
    ]
    for body in result["bodies"]:
        rhythm = body["cadence"]
        held = body["meetings"]["held"]
        parts = [_plural(held, "séance") + " tenue" + ("s" if held > 1 else "")]
        judged = sum(1 for p in rhythm["periods_detail"] if p["status"] in ("met", "missed"))
        if rhythm["rule"] == "on_demand":
            pass  # the rule text already says there is none
        elif judged == 0:
            parts.append("aucune période échue")
        else:
            ending = "s" if judged > 1 else ""
            parts.append(f"{rhythm['periods_met']}/{judged} période{ending} respectée{ending} "
                         f"({percent(rhythm['compliance'])})")
        if body["presence_rate"] is not None:
            parts.append(f"présence {percent(body['presence_rate'])}")
        if rhythm["next_due"]:
            parts.append(f"prochaine échéance le {long_date(date.fromisoformat(rhythm['next_due']))}")
        rule = rules.get(body["code"])
        lines.append(f"  {body['name']}" + (f" [{rule}]" if rule else "") + " : " + " ; ".join(parts))
    lines += ["", f"Alertes ({number(len(result['alerts']))}) :"]
    lines += [f"  - {alert['message']}" for alert in result["alerts"]] or ["  aucune"]
    return "\n".join(lines)
