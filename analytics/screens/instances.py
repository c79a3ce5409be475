"""The Instances page: one body — its meetings, its cadence period by period, the attendance at each meeting, its
composition on a date and, for the Conseil, the quorum of each sitting with its margin."""

from __future__ import annotations

from datetime import date
from html import escape

import duckdb
import pandas as pd

from analytics.rules import agenda, attendance, cadence, filters, quorum, schedule
from analytics.rules.alerts import quarter_label, rule_text
from analytics.screens import escape_markdown
from analytics.screens.elus import ROLE_ORDER, STATUS_ORDER
from analytics.store.sql import query
from analytics.wording.display import days_text, long_day, plural, plural_label, short_date
from analytics.wording.format import month_label, number, percent
from analytics.wording.labels import CADENCE_STATUS, ROLE
from analytics.wording.text import display_name, fold


def options(conn: duckdb.DuckDBPyConnection, sector: str | None = None) -> pd.DataFrame:
    """The bodies to choose from (code, name), in the catalogue's order."""
    return filters.bodies(conn, sector)[["code", "name", "rule", "cadence_n", "cadence_phase", "legal_floor",
                                       "required_rate", "project_start", "project_end"]]


def code_of(conn: duckdb.DuckDBPyConnection, name: str | None) -> str | None:
    frame = filters.bodies(conn, None)
    match = frame[frame["name"] == name]
    return None if match.empty else str(match["code"].iloc[0])


def card(conn: duckdb.DuckDBPyConnection, code: str, start: date, end: date, as_of: date) -> dict:
    """The figures of one body over [start, end]: rule, meetings, compliance, gaps, due date, attendance."""
    summary = cadence.summary(conn, start, end, as_of)
    row = summary[summary["code"] == code].iloc[0]
    body = filters.bodies(conn, None).set_index("code").loc[code]
    n = None if pd.isna(body["cadence_n"]) else int(body["cadence_n"])
    phase = body["cadence_phase"] if isinstance(body["cadence_phase"], str) else None
    rates = attendance.counts(conn, start, end, "body")
    mine = rates[rates["body_code"] == code]
    presence = None if mine.empty else mine["presence_rate"].iloc[0]
    completeness = None if mine.empty else mine["completeness"].iloc[0]
    next_due = row["next_due"]
    judged = int(row["periods_met"]) + int(row["periods_missed"])
    held, cancelled, planned = int(row["held"]), int(row["cancelled"]), int(row["planned"])
    required_rate = None if pd.isna(body["required_rate"]) else float(body["required_rate"])
    project = (None if pd.isna(body["project_start"]) else
               f"fiche projet du {short_date(body['project_start'])} au {short_date(body['project_end'])}")
    line = f"**Règle de cadence** : {rule_text(body['rule'], n, phase)}"
    if isinstance(body["legal_floor"], str):
        line += " · **plancher légal** : une séance par trimestre civil (CGCT L5211-11)"
    if required_rate is not None:
        line += f" · **assiduité attendue** : {percent(required_rate)}"
    if project:
        line += f" · {project}"
    return {
        "name": body["name"], "rule": body["rule"], "rule_text": rule_text(body["rule"], n, phase),
        "legal_floor": body["legal_floor"] if isinstance(body["legal_floor"], str) else None,
        "required_rate": required_rate, "project": project, "rule_line": line,
        "held": held, "cancelled": cancelled, "planned": planned, "held_text": number(held),
        "meetings_help": (f"{plural(held, 'séance tenue', 'séances tenues')}, "
                          f"{plural(cancelled, 'annulée', 'annulées')} et {plural(planned, 'prévue', 'prévues')} "
                          "sur la période (les séances annulées ne comptent pas pour la cadence)."),
        # the timeline also shows the meetings planned after a period that reaches today
        "window_end": schedule.months_window(start, end, as_of)[1],
        "composition_default": min(end, as_of),
        "periods_met": int(row["periods_met"]), "periods_judged": judged,
        "compliance": None if pd.isna(row["compliance"]) else float(row["compliance"]),
        "compliance_text": f"{number(row['periods_met'])} / {number(judged)}" if judged else "—",
        "longest_gap": None if pd.isna(row["longest_gap_days"]) else int(row["longest_gap_days"]),
        "longest_gap_text": "—" if pd.isna(row["longest_gap_days"]) else plural(int(row["longest_gap_days"]), "jour"),
        "last_held_text": short_date(row["last_held"]),
        "next_due": None if pd.isna(next_due) else pd.Timestamp(next_due).date(),
        "next_due_text": short_date(next_due),
        "next_due_delay": None if pd.isna(next_due) else days_text((pd.Timestamp(next_due).date() - as_of).days),
        "presence_rate": None if presence is None or pd.isna(presence) else float(presence),
        "presence_text": percent(None if presence is None or pd.isna(presence) else float(presence)),
        "completeness_text": percent(None if completeness is None or pd.isna(completeness) else float(completeness)),
    }


def meetings(conn: duckdb.DuckDBPyConnection, code: str, start: date, end: date) -> pd.DataFrame:
    """The body's meetings of [start, end], any status, as schedule.meetings gives them."""
    frame = schedule.meetings(conn, start, end, None)
    return frame[frame["body_code"] == code].reset_index(drop=True)


def meetings_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"Date": frame["date_label"], "Statut": frame["status_label"],
                         "Jour férié": frame["holiday"], "N° de séance": frame["meeting_id"]})


def period_label(rule: str, start: pd.Timestamp, end: pd.Timestamp) -> str:
    """How a cadence period reads on an axis: "janv. 2026", "janv.–févr. 2026", "1er trimestre 2026", "2026",
    "fin janv. 2026" (the 12 months ending then)."""
    start, end = start.date(), end.date()
    if rule in ("monthly", "alternating"):
        return month_label(start)
    if rule == "bimonthly":
        return f"{month_label(start).split(' ')[0]}–{month_label(end)}"
    if rule == "quarterly":
        return quarter_label(start)
    if rule == "avg_every_months":
        return f"fin {month_label(end)}"
    return str(start.year)


def periods(conn: duckdb.DuckDBPyConnection, code: str, start: date, end: date, as_of: date) -> pd.DataFrame:
    """The cadence periods of the body over [start, end] with French labels and hover texts."""
    frame = cadence.periods(conn, start, end, as_of)
    frame = frame[frame["body_code"] == code].reset_index(drop=True)
    frame["period_label"] = [period_label(r, s, e) for r, s, e in
                             zip(frame["rule"], frame["period_start"], frame["period_end"])]
    frame["status_label"] = frame["status"].map(CADENCE_STATUS)
    frame["hover"] = [
        f"<b>{label}</b> (du {short_date(s)} au {short_date(e)})<br>"
        + (f"{plural(h, 'séance tenue', 'séances tenues')} sur {number(r)} requise(s) — <b>{st}</b>"
           if not pd.isna(r) else f"{plural(h, 'séance tenue', 'séances tenues')} — pas de rythme fixé")
        + (f"<br>échéance dans {plural(int(d), 'jour')}" if not pd.isna(d) else "")
        for label, s, e, h, r, st, d in zip(frame["period_label"], frame["period_start"], frame["period_end"],
                                            frame["held"], frame["required"], frame["status_label"],
                                            frame["days_left"])
    ]
    return frame


def periods_axis(rule: str) -> str:
    """What the periods of a rule are, under the cadence chart."""
    return {"avg_every_months": "période de 12 mois glissants, désignée par son dernier mois",
            "monthly": "mois", "alternating": "bimestre", "bimonthly": "bimestre",
            "quarterly": "trimestre", "min_per_year": "année", "on_demand": "année"}.get(rule, "")


def periods_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Période": frame["period_label"], "Du": frame["period_start"].map(short_date),
        "Au": frame["period_end"].map(short_date), "Séances tenues": frame["held"],
        "Séances requises": frame["required"], "Statut": frame["status_label"],
    })


def legal_floor(conn: duckdb.DuckDBPyConnection, code: str, start: date, end: date, as_of: date) -> pd.DataFrame:
    """Quarters of the legal floor (CGCT L5211-11) for the body, empty if it has none."""
    frame = cadence.legal_floor(conn, start, end, as_of)
    frame = frame[frame["body_code"] == code]
    return pd.DataFrame({"Trimestre": frame["period_start"].map(lambda d: quarter_label(d.date())),
                         "Séances tenues": frame["held"], "Statut": frame["status"].map(CADENCE_STATUS)})


def attendance_per_meeting(conn: duckdb.DuckDBPyConnection, code: str, start: date, end: date) -> pd.DataFrame:
    """Statuses of the convened at each held meeting of the body (counts per status), completeness and
    representation of the communes."""
    frame = attendance.counts(conn, start, end, "meeting")
    frame = frame[frame["body_code"] == code].reset_index(drop=True)
    frame["meeting_label"] = frame["meeting_date"].map(short_date)
    return frame


def attendance_table(frame: pd.DataFrame) -> pd.DataFrame:
    table = pd.DataFrame({"Séance": frame["meeting_label"], "Convoqués": frame["convened"]})
    for code, label in STATUS_ORDER.items():
        table[label.capitalize()] = frame[code]
    table["Présence"] = frame["presence_rate"]
    table["Complétude"] = frame["completeness"]
    table["Représentation des communes"] = frame["representation"]
    return table


def composition(conn: duckdb.DuckDBPyConnection, code: str, on: date) -> pd.DataFrame:
    """The members in force on `on`, by seniority of role then name, in French."""
    frame = conn.cursor().execute(query("instances_composition"), {"body_code": code, "on": on}).df()
    rank = {role: i for i, role in enumerate(ROLE_ORDER)}
    frame["name"] = [display_name(last, first) for last, first in zip(frame["last_name"], frame["first_name"])]
    frame["order"] = frame["role"].map(rank)
    frame["key"] = frame["name"].map(fold)
    frame = frame.sort_values(["order", "rank", "key"], na_position="last")
    return pd.DataFrame({
        "Nom": frame["name"],
        "Fonction": [ROLE[r] + (f" (rang {int(k)})" if not pd.isna(k) else "") for r, k in
                     zip(frame["role"], frame["rank"])],
        "Commune": frame["commune_name"].fillna("—"), "Secteur": frame["sector"].fillna("—"),
        "Depuis le": frame["start_date"].map(short_date),
        "Jusqu'au": frame["end_date"].map(lambda d: "en cours" if pd.isna(d) else short_date(d)),
    }).reset_index(drop=True)


def composition_summary(frame: pd.DataFrame) -> str:
    """"87 membres : 1 président, 15 vice-présidents, …"."""
    if frame.empty:
        return "Aucun membre à cette date."
    roles = frame["Fonction"].str.replace(r" \(rang \d+\)", "", regex=True).value_counts(sort=False)
    parts = [f"{number(count)} {role if count < 2 else plural_label(role)}" for role, count in roles.items()]
    return f"{plural(len(frame), 'membre')} : " + ", ".join(parts) + "."


def quorum_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Séance": frame["meeting_label"], "Membres en exercice": frame["in_office"],
        "Présents (pouvoirs exclus)": frame["present"], "Quorum": frame["required"], "Marge": frame["margin"],
        "Résultat": frame["outcome_label"],
        "En cours de séance": frame["lost_text"] if "lost_text" in frame else "",
    })


# -- the agenda of a sitting, as a strip (DESIGN.md §4: the quorum at each point) ----------------------------------

def agenda_sittings(conn: duckdb.DuckDBPyConnection, start: date, end: date) -> pd.DataFrame:
    """The Conseil's held sittings of [start, end] with an agenda, newest first, each with a selector label
    "12 mars 2025 — 24 points, quorum perdu au point 6"."""
    frame = agenda.sittings(conn, QUORUM_BODY, start, end)
    lost = agenda.losses(agenda.item_quorum(conn, start, end)).set_index("meeting_id")["lost_at"]
    frame["label"] = [
        f"{short_date(d)} — {plural(int(n), 'point')}"
        + (f", quorum perdu au point {lost[m]}" if m in lost.index else "")
        for m, d, n in zip(frame["meeting_id"], frame["meeting_date"], frame["points"])]
    return frame


def agenda_strip(conn: duckdb.DuckDBPyConnection, meeting_id: int, start: date, end: date) -> pd.DataFrame:
    """Each point of a Conseil sitting: item, title, present (seats occupied, as the quorum counts them),
    required, reached, outcome and its label, lost (the point where the quorum was lost), arrived and left (who
    came or went since the point before, "NOM Prénom"), and the hover text."""
    points = agenda.item_quorum(conn, start, end)
    points = points[points["meeting_id"] == meeting_id].sort_values("position").reset_index(drop=True)
    people = agenda.strip(conn, meeting_id).set_index("position")
    lost = agenda.losses(points)
    lost_at = None if lost.empty else lost["lost_at"].iloc[0]
    frame = points[["position", "item", "title", "present", "required", "reached", "exempt"]].copy()
    frame["outcome"] = ["exempt" if e else ("reached" if r else "missed")
                        for r, e in zip(frame["reached"], frame["exempt"])]
    frame["outcome_label"] = frame["outcome"].map({"reached": "quorum atteint", "missed": "quorum non atteint",
                                                   "exempt": "séance reconvoquée (sans condition de quorum)"})
    frame["lost"] = frame["item"] == lost_at
    frame["arrived"] = [people.at[p, "arrived"] if p in people.index else [] for p in frame["position"]]
    frame["left"] = [people.at[p, "left"] if p in people.index else [] for p in frame["position"]]
    # Plotly reads tags in hover text: titles and names are HTML-escaped
    frame["hover"] = [
        f"<b>Point {escape(str(item))}</b>" + (f" — {escape(str(title))}" if title else "")
        + f"<br>{plural(int(present), 'présent')} (pouvoirs exclus), quorum {number(int(required))}<br>{label}"
        + (f"<br>arrivé(e)s : {escape(', '.join(came))}" if came else "")
        + (f"<br>parti(e)s : {escape(', '.join(went))}" if went else "")
        for item, title, present, required, label, came, went in zip(
            frame["item"], frame["title"], frame["present"], frame["required"], frame["outcome_label"],
            frame["arrived"], frame["left"])]
    return frame


def agenda_strip_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The strip's numbers: one row per point."""
    return pd.DataFrame({
        "Point": frame["item"], "Intitulé": frame["title"], "Présents (pouvoirs exclus)": frame["present"],
        "Quorum": frame["required"], "Résultat": frame["outcome_label"],
        "Arrivé(e)s": frame["arrived"].map(", ".join), "Parti(e)s": frame["left"].map(", ".join),
    })


AGENDA_RULE = (" Le quorum doit être atteint à l'ouverture et à chaque point mis au vote (CGCT L2121-17) ; un membre "
               "arrivé en cours de séance compte à partir de son arrivée, un membre parti ne compte plus.")


def agenda_caption(frame: pd.DataFrame) -> str:
    """"Quorum perdu au point 6 (50 présents, 53 requis), retrouvé au point 8." or "Quorum tenu à chaque point.",
    then the rule."""
    return _agenda_outcome(frame) + ("" if frame.empty else AGENDA_RULE)


def _agenda_outcome(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "Aucun ordre du jour pour cette séance."
    if bool(frame["exempt"].iloc[0]):
        return "Séance reconvoquée après un quorum manqué : aucun quorum n'est exigé."
    if not bool(frame["reached"].iloc[0]):
        return (f"Quorum non atteint à l'ouverture ({plural(int(frame['present'].iloc[0]), 'présent')}, "
                f"{number(int(frame['required'].iloc[0]))} requis).")
    lost = frame[frame["lost"]]
    if lost.empty:
        return f"Quorum tenu à chacun des {plural(len(frame), 'point')} de l'ordre du jour."
    row = lost.iloc[0]
    later = frame[(frame["position"] > row["position"]) & frame["reached"]]
    back = f", retrouvé au point {later['item'].iloc[0]}" if not later.empty else ", jamais retrouvé ensuite"
    return (f"Quorum perdu au point {row['item']} ({plural(int(row['present']), 'présent')}, "
            f"{number(int(row['required']))} requis){back}.")


ATTENDANCE_LABELS = dict(STATUS_ORDER)
QUORUM_BODY = quorum.QUORUM_BODY


def outside_project(conn: duckdb.DuckDBPyConnection, code: str, start: date, end: date) -> str | None:
    """For an atelier-projet whose project does not overlap [start, end] (ended before, or not begun), the one
    sentence the page shows instead of its empty charts; None otherwise."""
    body = filters.bodies(conn, None).set_index("code").loc[code]
    if pd.isna(body["project_start"]) or pd.isna(body["project_end"]):
        return None
    first, last = pd.Timestamp(body["project_start"]).date(), pd.Timestamp(body["project_end"]).date()
    if last < start:
        when = f"s'est terminé le {long_day(last)}"
    elif first > end:
        when = f"commence le {long_day(first)}"
    else:
        return None
    return (f"**{escape_markdown(body['name'])}** {when} (fiche projet du {short_date(first)} au "
            f"{short_date(last)}) : aucune séance, aucune cadence ni présence à montrer sur la période. Choisissez "
            "une période qui couvre le projet (« Tout l'historique », par exemple) pour voir ses séances.")
