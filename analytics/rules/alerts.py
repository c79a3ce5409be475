"""Alerts for the réunion de direction: what breaks the law or the charter, what is at risk, what data is missing.

Severity (1 = most serious) ranks the kinds, not the individual alerts:
legal obligations of the CGCT first (legal floor, quorum, proxies, requested conferences, convocation delay), then
the charter's cadence, then the attendance of individuals, then what can still be saved (cadence at risk), and last
the completeness of the data (missing sign-in sheets). Within a severity the most recent date comes first.

The date of an alert: the end of the period (cadence, legal floor), the meeting (quorum, proxies, requests,
convocations, sheets), the absence that completes the run of three (consecutive absences), as_of (low attendance,
judged on the 12 months ending at as_of whatever the range). A planned sitting after the range whose convocation was
already sent too late is reported too, dated by the sitting.

Cadence (DESIGN.md §2): periods `not_judged` (before the recorded history or the mandate, or made only of paused
months) never raise an alert. A rolling rule is judged month by month, so one shortfall spans several months: each
run of consecutive missed months raises one cadence_missed alert, naming its first and last month and dated by the
end of the last. An alternating territorial conference whose sittings of a bimester all fell in months of the
plenary conférence (a clash, see analytics/rules/cadence.py) misses that bimester; its alert says so.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import duckdb
import pandas as pd
from babel.dates import format_date

from analytics.rules import agenda, attendance, cadence, quorum
from analytics.rules.forecast import clear_days, convocation_on_time, legal_delay
from analytics.store.sql import query
from analytics.wording.format import long_date, percent

KINDS = (
    "legal_floor_missed",    # CGCT L5211-11: the Conseil met in no sitting during a calendar quarter
    "quorum_not_reached",    # CGCT L2121-17: the deliberations of that sitting are open to annulment
    "quorum_lost",           # CGCT L2121-17: reached at the opening, lost at a point put to the vote
    "proxy_limit",           # CGCT L2121-20: a vote cast under a second proxy is irregular
    "request_rule",          # CGCT L5211-11-3: requested conférence below ⅓ of the mayors or beyond 4 a year
    "convocation_late",      # CGCT L2121-12: the Conseil convened less than 5 clear days before the sitting
    "cadence_missed",        # the charter's cadence was not kept during a period now over
    "consecutive_absences",  # an individual follow-up signal, not a legal finding for an EPCI
    "low_attendance",        # an individual under the body's expected rate
    "cadence_at_risk",       # still fixable: the period ends within AT_RISK_DAYS
    "sheet_missing",         # data completeness, not behaviour
)
SEVERITY = {kind: rank for rank, kind in enumerate(KINDS, start=1)}
COLUMNS = ["kind", "severity", "body_code", "body_name", "person_id", "person", "date", "message"]
AT_RISK_DAYS = 15

_RULE_TEXT = {
    "monthly": "au moins une séance par mois",
    "bimonthly": "au moins une séance tous les deux mois",
    "quarterly": "au moins une séance par trimestre",
    "alternating": ("au moins une séance tous les deux mois, la conférence plénière et la conférence territoriale "
                    "d'un secteur ne se réunissant jamais le même mois"),
}


def month_year(day: date) -> str:
    """"mars 2025" (French month names are lower-case)."""
    return format_date(day, "MMMM y", locale="fr_FR")


def quarter_label(day: date) -> str:
    """"1er trimestre 2025", "3e trimestre 2024"."""
    quarter = (day.month - 1) // 3 + 1
    return f"{quarter}{'er' if quarter == 1 else 'e'} trimestre {day.year}"


def rule_text(rule: str, n: int | None = None, phase: str | None = None) -> str:
    """The cadence rule in French for messages: "au moins 5 séances par an", "au moins une séance par mois"…

    `phase` is accepted for the callers that pass the catalogue's cadence_phase; it no longer says anything: the
    months of an alternating body are whatever its sittings show.
    """
    if rule == "min_per_year":
        return "au moins une séance par an" if n == 1 else f"au moins {n} séances par an"
    if rule == "avg_every_months":
        return f"en moyenne une séance tous les {n} mois, soit {max(1, 12 // (n or 12))} sur 12 mois glissants"
    if rule == "on_demand":
        return "pas de rythme fixé"
    return _RULE_TEXT[rule]


def _of(text: str) -> str:
    """French "de" with elision: "de mars", "d'avril", "d'octobre"."""
    return f"d'{text}" if text[:1] in "aeiouyéèêàâîôûh" else f"de {text}"


def _period_text(rule: str, start: date, end: date) -> str:
    """The period as it reads after a verb: "en mars 2024", "au 3e trimestre 2024", "d'avril 2023 à mars 2024…"."""
    if rule == "monthly":
        return f"en {month_year(start)}"
    if rule in ("bimonthly", "alternating"):
        return f"en {format_date(start, 'MMMM', locale='fr_FR')}–{month_year(end)}"
    if rule == "quarterly":
        return f"au {quarter_label(start)}"
    if rule == "avg_every_months":
        return f"{_of(month_year(start))} à {month_year(end)} (12 mois glissants)"
    return f"en {start.year}"


def _held_text(held: int, required: int, when: str) -> str:
    """"aucune séance tenue en mars 2024" or "4 séances tenues … pour 6 requises"."""
    if held == 0:
        return f"aucune séance tenue {when}"
    plural = "s" if held > 1 else ""
    return f"{held} séance{plural} tenue{plural} {when} pour {required} requises"


def _day(value: Any) -> date:
    return pd.Timestamp(value).date()


def _alert(kind: str, body_code: str | None, body_name: str | None, day: Any, message: str,
           person_id: int | None = None, person: str | None = None) -> dict[str, Any]:
    return {"kind": kind, "severity": SEVERITY[kind], "body_code": body_code, "body_name": body_name,
            "person_id": person_id, "person": person, "date": _day(day), "message": message}


def _cadence(conn: duckdb.DuckDBPyConnection, start: date, end: date, as_of: date) -> list[dict[str, Any]]:
    rules = cadence.catalogue(conn).set_index("code")
    found = []
    run: list[Any] = []  # consecutive missed months of a rolling rule, waiting for their one alert

    def close_run() -> None:
        if run:
            found.append(_rolling_run_alert(run, _rule_of(rules, run[0])))
            run.clear()

    for p in cadence.periods(conn, start, end, as_of).itertuples(index=False):
        if p.rule == "avg_every_months" and p.status == "missed":
            follows = bool(run) and run[-1].body_code == p.body_code and (
                _next_month_end(_day(run[-1].period_end)) == _day(p.period_end))
            if not follows:
                close_run()
            run.append(p)
            continue
        close_run()
        if p.status not in ("missed", "in_progress"):
            continue  # met, not judged, or no rule: nothing to report
        period_start, period_end = _day(p.period_start), _day(p.period_end)
        rule = _rule_of(rules, p)
        when = _period_text(p.rule, period_start, period_end)
        clashes = int(p.clashes)
        counted = int(p.held) - clashes
        if clashes:
            # the only sittings of the bimester fell in months of the plenary: the alternation was not kept
            sittings = "la séance tenue" if clashes == 1 else f"les {clashes} séances tenues"
            verb = "ne compte" if clashes == 1 else "ne comptent"
            held = (f"{_held_text(counted, int(p.required), when)} hors des mois de réunion de "
                    f"{_partner_name(rules, p.body_code)} ; {sittings} le même mois que celle-ci {verb} pas, "
                    "l'alternance l'exclut")
        else:
            held = _held_text(counted, int(p.required), when)
        if p.status == "missed":
            found.append(_alert("cadence_missed", p.body_code, p.body_name, period_end,
                                f"{p.body_name} : {held} (règle : {rule})."))
        elif int(p.days_left) <= AT_RISK_DAYS:
            days = int(p.days_left)
            left = "aujourd'hui" if days == 0 else f"dans {days} jour{'s' if days > 1 else ''}"
            found.append(_alert("cadence_at_risk", p.body_code, p.body_name, period_end,
                                f"{p.body_name} : {held} ; échéance le {long_date(period_end)}, {left} "
                                f"(règle : {rule})."))
    close_run()
    return found


def _rule_of(rules: pd.DataFrame, period: Any) -> str:
    n = rules.at[period.body_code, "cadence_n"]
    return rule_text(period.rule, None if pd.isna(n) else int(n))


def _partner_name(rules: pd.DataFrame, code: str) -> str:
    """The name of the body an alternating body alternates with, with its article: "la Conférence des maires"."""
    partner = rules.at[code, "alternates_with"]
    if not isinstance(partner, str) or partner not in rules.index:
        return "l'instance plénière"
    name = str(rules.at[partner, "name"])
    return f"la {name}" if name.startswith("Conférence") else f"l'instance « {name} »"


def _plural_sittings(count: int) -> str:
    """"1 séance tenue", "2 séances tenues"."""
    return f"{count} séance tenue" if count == 1 else f"{count} séances tenues"


def _next_month_end(day: date) -> date:
    """The last day of the month after the month of `day`."""
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return date(following.year + following.month // 12, following.month % 12 + 1, 1) - timedelta(days=1)


def _rolling_run_alert(run: list[Any], rule: str) -> dict[str, Any]:
    """One alert for consecutive missed months of a rolling rule (one month: the window's own message)."""
    first, last = run[0], run[-1]
    if len(run) == 1:
        held = _held_text(int(first.held), int(first.required),
                          _period_text(first.rule, _day(first.period_start), _day(first.period_end)))
        return _alert("cadence_missed", first.body_code, first.body_name, last.period_end,
                      f"{first.body_name} : {held} (règle : {rule}).")
    counts = [int(p.held) for p in run]
    low, high = min(counts), max(counts)
    if high == 0:
        held = "aucune séance tenue"
    elif low == high:
        held = _plural_sittings(low)
    else:
        held = f"entre {low} et {high} séances tenues selon le mois"
    first_month, last_month = month_year(_day(first.period_end)), month_year(_day(last.period_end))
    return _alert("cadence_missed", first.body_code, first.body_name, last.period_end,
                  f"{first.body_name} : {_of(first_month)} à {last_month}, {len(run)} mois de suite sous la cadence "
                  f": {held} sur les 12 mois glissants se terminant chacun de ces mois, pour "
                  f"{int(first.required)} requises (règle : {rule}).")


def _legal_floor(conn: duckdb.DuckDBPyConnection, start: date, end: date, as_of: date) -> list[dict[str, Any]]:
    return [
        _alert("legal_floor_missed", q.body_code, q.body_name, q.period_end,
               f"{q.body_name} : aucune séance au {quarter_label(_day(q.period_start))} "
               "(plancher légal : une par trimestre, CGCT L5211-11).")
        for q in cadence.legal_floor(conn, start, end, as_of).itertuples(index=False)
        if q.status == "missed"
    ]


def _quorum(conn: duckdb.DuckDBPyConnection, start: date, end: date) -> list[dict[str, Any]]:
    sittings = quorum.quorum(conn, start, end)
    names = _body_names(conn)
    found = []
    for s in sittings.itertuples(index=False):
        # a sitting reconvened after a failed one needs no quorum (exempt)
        if bool(s.reached) or bool(s.exempt):
            continue
        present = int(s.present)
        members = f"{present} membre{'s' if present > 1 else ''} présent{'s' if present > 1 else ''}"
        found.append(_alert(
            "quorum_not_reached", s.body_code, names.get(s.body_code), s.meeting_date,
            f"{names.get(s.body_code)}, séance du {long_date(_day(s.meeting_date))} : quorum non atteint "
            f"({members} sur {int(s.in_office)} en exercice, {int(s.required)} requis ; "
            "les pouvoirs ne comptent pas, CGCT L2121-17)."))
    return found


def _quorum_lost(conn: duckdb.DuckDBPyConnection, start: date, end: date) -> list[dict[str, Any]]:
    """Sittings whose quorum, reached at the opening, was lost at a later point (DESIGN.md §4, rules/agenda.py)."""
    names = _body_names(conn)
    found = []
    for s in agenda.losses(agenda.item_quorum(conn, start, end)).itertuples(index=False):
        present, lost = int(s.present), int(s.points_lost)
        members = f"{present} membre{'s' if present > 1 else ''} présent{'s' if present > 1 else ''}"
        points = f"{lost} point{'s' if lost > 1 else ''} sans quorum"
        back = (f"retrouvé au point {s.back_at} ({points})" if isinstance(s.back_at, str)
                else f"non retrouvé jusqu'à la fin de la séance ({points})")
        body = names.get(agenda.QUORUM_BODY)
        found.append(_alert(
            "quorum_lost", agenda.QUORUM_BODY, body, s.meeting_date,
            f"{body}, séance du {long_date(_day(s.meeting_date))} : quorum perdu au point {s.lost_at} ({members} "
            f"sur {int(s.in_office)} en exercice, {int(s.required)} requis ; les pouvoirs ne comptent pas), {back} ; "
            "les délibérations votées sans quorum sont exposées à l'annulation (CGCT L2121-17)."))
    return found


def _proxies(conn: duckdb.DuckDBPyConnection, start: date, end: date) -> list[dict[str, Any]]:
    return [
        _alert("proxy_limit", p.body_code, p.body_name, p.meeting_date,
               f"{p.body_name}, séance du {long_date(_day(p.meeting_date))} : {p.holder_name} détient "
               f"{int(p.proxies)} pouvoirs" + (f" au point {p.item}" if isinstance(p.item, str) else "")
               + ", un membre ne peut en détenir qu'un seul (CGCT L2121-20).",
               person_id=int(p.holder_id), person=p.holder_name)
        for p in quorum.proxy_overload(conn, start, end).itertuples(index=False)
    ]


def _requests(conn: duckdb.DuckDBPyConnection, start: date, end: date) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for r in cadence.requested_conferences(conn, start, end).itertuples(index=False):
        if r.status == "cancelled":
            continue  # never convened: neither rule applies
        day = _day(r.meeting_date)
        broken = []  # a conference may break both rules of L5211-11-3: one alert for each
        if not pd.isna(r.threshold_met) and not bool(r.threshold_met):
            broken.append(f"{r.body_name} du {long_date(day)}, convoquée à la demande de {int(r.requesters)} maire"
                          f"{'s' if r.requesters > 1 else ''} : il faut la demande d'au moins un tiers des maires, "
                          f"soit {int(r.threshold)} sur {int(r.mayors)} (CGCT L5211-11-3).")
        if bool(r.over_limit):
            broken.append(f"{r.body_name} du {long_date(day)} : {int(r.rank_in_year)}e réunion à la demande des "
                          f"maires en {day.year}, au-delà des 4 permises par an (CGCT L5211-11-3).")
        found.extend(_alert("request_rule", r.body_code, r.body_name, day, text) for text in broken)
    return found


def _convocations(conn: duckdb.DuckDBPyConnection, start: date, end: date) -> list[dict[str, Any]]:
    # dated by the sitting; a planned sitting after `end` whose convocation already left too late is reported now
    found = []
    for c in conn.cursor().execute(query("alerts_convocations"), {"start": start, "end": end}).df().itertuples():
        sent, day = _day(c.convocation_date), _day(c.meeting_date)
        delay = legal_delay(None if pd.isna(c.convocation_delay) else int(c.convocation_delay), c.meeting_type)
        if delay is None:
            continue
        if convocation_on_time(sent, day, delay):
            continue
        days = clear_days(sent, day)
        if sent > day:
            detail = "après la séance"
        else:
            detail = f"{days} jour{'s' if days > 1 else ''} franc{'s' if days > 1 else ''} avant la séance"
        law = ("séance reconvoquée après un quorum manqué, CGCT L2121-17"
               if c.meeting_type == "reconvened" and delay < int(c.convocation_delay) else "CGCT L2121-12")
        found.append(_alert(
            "convocation_late", c.body_code, c.body_name, day,
            f"{c.body_name}, séance du {long_date(day)} : convocation envoyée le {long_date(sent)}, {detail} ; "
            f"le délai légal est de {delay} jours francs ({law})."))
    return found


def _absences(conn: duckdb.DuckDBPyConnection, start: date, end: date) -> list[dict[str, Any]]:
    return [
        # dated by the absence that completes the run of 3 (attendance.consecutive_absences' last_date)
        _alert("consecutive_absences", a.body_code, a.body_name, a.last_date,
               f"{a.body_name} — {a.name} : {int(a.streak)} absences non excusées consécutives depuis le "
               f"{long_date(_day(a.first_date))} (la 3e le {long_date(_day(a.last_date))}). Alerte de suivi de "
               "l'assiduité, non un constat juridique : la règle des trois absences du droit local "
               "d'Alsace-Moselle (CGCT L2541-10) vise les conseils municipaux, pas l'intercommunalité.",
               person_id=int(a.person_id), person=a.name)
        for a in attendance.consecutive_absences(conn, start, end, run=3).itertuples(index=False)
    ]


def _low_attendance(conn: duckdb.DuckDBPyConnection, as_of: date) -> list[dict[str, Any]]:
    return [
        _alert("low_attendance", p.body_code, p.body_name, as_of,
               f"{p.body_name} — {p.name} : présence de {percent(p.presence_rate)} sur les 12 derniers mois "
               f"({int(p.recorded)} convocations renseignées), sous le taux attendu de {percent(p.required_rate)}.",
               person_id=int(p.person_id), person=p.name)
        for p in attendance.low_attendance(conn, as_of, min_recorded=4).itertuples(index=False)
    ]


def _sheets(conn: duckdb.DuckDBPyConnection, start: date, end: date) -> list[dict[str, Any]]:
    found = []
    for s in attendance.missing_sheets(conn, start, end).itertuples(index=False):
        day = _day(s.meeting_date)
        convened, missing = int(s.convened), int(s.not_recorded)
        if missing >= convened:
            detail = f"feuille d'émargement non saisie ({convened} convoqué{'s' if convened > 1 else ''})"
        else:
            detail = f"présence non renseignée pour {missing} des {convened} convoqués"
        found.append(_alert("sheet_missing", s.body_code, s.body_name, day,
                            f"{s.body_name}, séance du {long_date(day)} : {detail}."))
    return found


def _body_names(conn: duckdb.DuckDBPyConnection) -> dict[str, str]:
    frame = cadence.catalogue(conn)
    return dict(zip(frame["code"], frame["name"]))


def compute(conn: duckdb.DuckDBPyConnection, start: date, end: date, as_of: date) -> pd.DataFrame:
    """Alerts about [start, end] judged at as_of (low attendance: the 12 months to as_of), most serious first."""
    sources: list[Callable[[], list[dict[str, Any]]]] = [
        lambda: _legal_floor(conn, start, end, as_of),
        lambda: _quorum(conn, start, end),
        lambda: _quorum_lost(conn, start, end),
        lambda: _proxies(conn, start, end),
        lambda: _requests(conn, start, end),
        lambda: _convocations(conn, start, end),
        lambda: _cadence(conn, start, end, as_of),
        lambda: _absences(conn, start, end),
        lambda: _low_attendance(conn, as_of),
        lambda: _sheets(conn, start, end),
    ]
    found = [alert for source in sources for alert in source()]
    frame = pd.DataFrame(found, columns=COLUMNS)
    frame["severity"] = frame["severity"].astype(int)
    frame["person_id"] = frame["person_id"].astype("Int64")
    # None, not NaN, where an alert concerns no one
    frame["person"] = frame["person"].astype(object).where(frame["person"].notna(), None)
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[us]")
    frame = frame.sort_values(["severity", "date", "body_code", "message"], ascending=[True, False, True, True],
                              kind="stable", na_position="last")
    return frame.reset_index(drop=True)
