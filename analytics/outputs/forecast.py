"""The quorum forecast of the sittings to come, and its backtest (DESIGN.md §5c, issue 14).

For each planned sitting of a body after `as_of`, each member in office gets a probability that their seat counts
for the quorum (analytics/rules/forecast.py member_probability):

- their own history at the body: the share of their recorded sittings where their seat counted (present; remote
  at a sitting by video or mixed; substituted by a substitute who sat — the rule of quorum_quorum.sql), smoothed
  towards the body's average rate (smoothed_rate: 0 of 1 is not a certainty of absence);
- their reply to the convocation: excused or a proxy rules the seat out (0); a remote reply counts only at a
  sitting by teleconference; "present", a remote reply at such a sitting and "substitute" are confirmations, kept at
  the share measured on the body's past replies (kept_rate: how often an announced seat did count, smoothed towards
  KEPT_RATE) — a confirmation is not a certainty.

The probability of the quorum is the exact Poisson-binomial tail P(present ≥ required), required = more than half
of the members in office (in_office // 2 + 1, as quorum_quorum.sql). `call_first` lists the members without a reply,
those whose confirmation would raise that probability most first.

What is known at `as_of`: the attendance of the sittings held up to as_of, and the replies stored (they carry no
date of their own: a forecast replayed at a past as_of sees the replies as they are now). The backtest replays
every held sitting with what was known before it (the sittings held earlier, and its own replies, which came before
it), and scores the probabilities against what happened with the Brier score, beside a forecast that gives every
member the body's average rate. A member's outcome is their sitting-level status (their seat counted at some point
of the sitting); the quorum's outcome is the dashboard's, the opening's (quorum_quorum.sql: a member who arrives at
point 5 is not counted there), so a late arrival makes the forecast slightly optimistic, and the backtest says by
how much.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from html import escape
from typing import Any

import duckdb
import pandas as pd

from analytics.rules.forecast import (
    KEPT_RATE,
    REMOTE_FORMATS,
    REPLIES,
    body_prior,
    brier_score,
    call_first,
    clear_days,
    convocation_on_time,
    legal_delay,
    member_probability,
    quorum_probability,
    smoothed_rate,
)
from analytics.rules.quorum import QUORUM_BODY
from analytics.store.sql import query
from analytics.wording.display import plural
from analytics.wording.format import long_date, number, percent
from analytics.wording.labels import MEETING_FORMAT, REPLY, REPLY_NONE
from analytics.wording.text import fold

FAR = date(9999, 12, 31)
REPLY_KEYS = (*REPLIES, "none")  # the keys of `replies` in the JSON, in this order
# The replies that announce the seat: what kept_rate measures (a remote reply only at a sitting by teleconference)
_ANNOUNCING = frozenset({"present", "substitute"})
# Plural labels of the replies in the summaries ("3 excusés", "2 pouvoirs")
_REPLY_PLURALS = {"present": "présents", "remote": "à distance", "excused": "excusés", "proxy": "pouvoirs",
                  "substitute": "suppléants", "none": "sans réponse"}


@dataclass(frozen=True)
class MemberForecast:
    """One member in office at a sitting to come: their reply, their history at the body and their probability."""

    person_id: int
    name: str
    commune: str | None        # INSEE code
    commune_name: str | None
    reply: str | None          # a code of rules.forecast.REPLIES, None without a reply
    counted: int               # recorded sittings of their history where their seat counted
    recorded: int              # recorded sittings of their history
    history_rate: float        # counted / recorded, smoothed towards the body's rate
    probability: float         # that their seat counts at this sitting


@dataclass(frozen=True)
class SittingForecast:
    """The forecast of one sitting."""

    meeting_id: int
    body: str
    body_name: str
    day: date
    format: str
    meeting_type: str
    convocation: date | None
    convocation_delay: int | None   # the clear days its convocation needs (None: no delay to check)
    in_office: int
    required: int
    quorum_probability: float
    expected_present: float
    replies: dict[str, int]
    members: tuple[MemberForecast, ...]
    call_first: tuple[str, ...]      # names of the members without a reply, the most useful call first
    body_rate: float                 # the body's average rate, the prior of every history
    kept_rate: float                 # the share of announcing replies kept, as measured

    @property
    def clear_days(self) -> int | None:
        """Clear days between the convocation and the sitting (None when the convocation date is unknown)."""
        return None if self.convocation is None else clear_days(self.convocation, self.day)

    @property
    def on_time(self) -> bool | None:
        """Whether the convocation respects the legal delay (None: no date, or no delay for the body)."""
        if self.convocation is None or self.convocation_delay is None:
            return None
        return convocation_on_time(self.convocation, self.day, self.convocation_delay)


@dataclass(frozen=True)
class Forecast:
    """The forecasts of the planned sittings of one body after `as_of`."""

    as_of: date
    body: str
    body_name: str
    sittings: tuple[SittingForecast, ...]


@dataclass
class _History:
    """What the held sittings tell, accumulated sitting by sitting in date order."""

    counted: Counter = field(default_factory=Counter)
    recorded: Counter = field(default_factory=Counter)
    body_counted: int = 0
    body_recorded: int = 0
    kept: int = 0
    announced: int = 0

    def add(self, outcomes: pd.DataFrame, replies: dict[int, str], meeting_format: str) -> None:
        """One held sitting: its recorded outcomes (person_id, recorded, counted) and the replies it had."""
        for pid, recorded, counted in zip(outcomes["person_id"], outcomes["recorded"], outcomes["counted"]):
            if not recorded:
                continue
            pid, counted = int(pid), bool(counted)
            self.recorded[pid] += 1
            self.counted[pid] += counted
            self.body_recorded += 1
            self.body_counted += counted
            reply = replies.get(pid)
            if reply in _ANNOUNCING or (reply == "remote" and meeting_format in REMOTE_FORMATS):
                self.announced += 1
                self.kept += counted

    def prior(self) -> float:
        return body_prior(self.body_counted, self.body_recorded)

    def kept_rate(self) -> float:
        return smoothed_rate(self.kept, self.announced, KEPT_RATE)


def body_code(conn: duckdb.DuckDBPyConnection, text: str) -> tuple[str, str]:
    """(code, name) of a body given by its code or its name (case and accents ignored); ValueError in French."""
    rows = conn.cursor().execute(query("forecast_bodies")).fetchall()
    for code, name in rows:
        if fold(text) in (fold(code), fold(name)):
            return code, name
    raise ValueError(f"instance inconnue « {text} » (codes : {', '.join(code for code, _ in rows)})")


def _frames(conn: duckdb.DuckDBPyConnection, body: str, status: str, after: date, until: date,
            history_until: date) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dict[int, dict[int, str]]]:
    cur = conn.cursor()
    params = {"body": body, "status": status, "after": after, "until": until}
    sittings = cur.execute(query("forecast_sittings"), params).df()
    members = cur.execute(query("forecast_members"), params).df()
    outcomes = cur.execute(query("forecast_outcomes"), {"body": body, "until": history_until}).df()
    rows = cur.execute(query("forecast_replies"), {"body": body, "until": FAR}).df()
    replies: dict[int, dict[int, str]] = {}
    for mid, pid, reply in zip(rows["meeting_id"], rows["person_id"], rows["reply"]):
        replies.setdefault(int(mid), {})[int(pid)] = str(reply)
    return sittings, members, outcomes, replies


def _day(value: Any) -> date:
    return pd.Timestamp(value).date()


def _optional_day(value: Any) -> date | None:
    return None if value is None or pd.isna(value) else _day(value)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _sitting(row: Any, members: pd.DataFrame, replies: dict[int, str], history: _History) -> SittingForecast:
    """The forecast of one sitting from what `history` holds (the sittings held before it) and its replies."""
    prior, kept = history.prior(), history.kept_rate()
    fmt = str(row.format)
    forecasts = []
    for pid, name, insee, commune in zip(members["person_id"], members["name"], members["commune_insee"],
                                         members["commune_name"]):
        pid = int(pid)
        counted, recorded = history.counted[pid], history.recorded[pid]
        rate = smoothed_rate(counted, recorded, prior)
        reply = replies.get(pid)
        forecasts.append(MemberForecast(pid, str(name), _text(insee), _text(commune), reply, counted, recorded, rate,
                                        member_probability(rate, reply, fmt, kept)))
    forecasts.sort(key=lambda m: (fold(m.name), m.person_id))
    probabilities = [m.probability for m in forecasts]
    in_office = len(forecasts)
    required = in_office // 2 + 1  # more than half of the members in office (quorum_quorum.sql)
    keys = {(fold(m.name), m.person_id): m for m in forecasts}
    order = call_first({key: m.probability for key, m in keys.items()},
                       [key for key, m in keys.items() if m.reply is None], required, kept)
    counts = Counter(m.reply or "none" for m in forecasts)
    delay = None if pd.isna(row.convocation_delay) else int(row.convocation_delay)
    return SittingForecast(
        meeting_id=int(row.meeting_id), body=str(row.body_code), body_name=str(row.body_name),
        day=_day(row.meeting_date), format=fmt, meeting_type=str(row.meeting_type),
        convocation=_optional_day(row.convocation_date),
        convocation_delay=legal_delay(delay, str(row.meeting_type)), in_office=in_office, required=required,
        quorum_probability=quorum_probability(probabilities, required),
        expected_present=math.fsum(probabilities), replies={key: counts.get(key, 0) for key in REPLY_KEYS},
        members=tuple(forecasts), call_first=tuple(keys[key].name for key in order), body_rate=prior,
        kept_rate=kept)


def forecast(conn: duckdb.DuckDBPyConnection, as_of: date, body: str = QUORUM_BODY,
             until: date | None = None) -> Forecast:
    """The forecasts of the planned sittings of `body` (code or name) dated after `as_of` (and up to `until`),
    from the sittings held up to as_of and the replies stored."""
    code, name = body_code(conn, body)
    sittings, members, outcomes, replies = _frames(conn, code, "planned", as_of, until or FAR, as_of)
    history = _History()
    held = outcomes.groupby("meeting_id", sort=False)
    for mid, part in held:
        history.add(part, replies.get(int(mid), {}), str(part["format"].iloc[0]))
    by_meeting = {int(mid): part for mid, part in members.groupby("meeting_id", sort=False)}
    empty = members.iloc[0:0]
    found = tuple(_sitting(row, by_meeting.get(int(row.meeting_id), empty), replies.get(int(row.meeting_id), {}),
                           history)
                  for row in sittings.itertuples(index=False))
    return Forecast(as_of, code, name, found)


def next_sitting(conn: duckdb.DuckDBPyConnection, as_of: date, body: str = QUORUM_BODY) -> SittingForecast | None:
    """The forecast of the first planned sitting of `body` after as_of, None when none is planned."""
    sittings = forecast(conn, as_of, body).sittings
    return sittings[0] if sittings else None


def decision_forecasts(conn: duckdb.DuckDBPyConnection, as_of: date, until: date) -> list[SittingForecast]:
    """The forecasts of the planned sittings of the decision bodies (family decision: the Conseil, the Bureau, which
    deliberate) in (as_of, until], by date: the monthly pack's calendar shows them."""
    codes = [row[0] for row in conn.cursor().execute(query("forecast_decision_bodies")).fetchall()]
    found = [s for code in codes for s in forecast(conn, as_of, code, until).sittings]
    return sorted(found, key=lambda s: (s.day, s.body))


# -- the command's JSON and text --------------------------------------------------------------------------------------

def as_json(result: Forecast) -> dict:
    """The JSON of `python -m analytics forecast --json` (README, issue 14)."""
    return {"as_of": result.as_of.isoformat(), "sittings": [
        {"body": s.body, "date": s.day.isoformat(), "in_office": s.in_office, "required": s.required,
         "quorum_probability": s.quorum_probability, "expected_present": round(s.expected_present, 2),
         "replies": dict(s.replies),
         "members": [{"name": m.name, "commune": m.commune, "reply": m.reply, "probability": m.probability}
                     for m in s.members],
         "call_first": list(s.call_first)}
        for s in result.sittings]}


def quorum_text(probability: float) -> str:
    """"Quorum probable à 87 %", "Quorum assuré", "Quorum hors d'atteinte" (too many members ruled out)."""
    if probability == 0.0:
        return "Quorum hors d'atteinte"
    if probability == 1.0:
        return "Quorum assuré"
    if probability < 0.005:
        return "Quorum probable à moins de 1 %"
    if probability > 0.995:
        return "Quorum probable à plus de 99 %"
    return f"Quorum probable à {percent(probability, 0)}"


def replies_text(counts: dict[str, int]) -> str:
    """"1 présent, 3 excusés, 2 pouvoirs, 3 sans réponse" (the replies no one gave are left out)."""
    parts = [plural(counts[key], REPLY.get(key, REPLY_NONE), _REPLY_PLURALS[key])
             for key in REPLY_KEYS if counts.get(key)]
    return ", ".join(parts) if parts else "aucun membre en exercice"


def convocation_text(sitting: SittingForecast) -> str:
    """"convocation envoyée le 10 septembre 2025, 7 jours francs avant (délai légal : 5)", or not recorded."""
    if sitting.convocation is None:
        return "date d'envoi de la convocation non enregistrée"
    days = sitting.clear_days or 0
    text = (f"convocation envoyée le {long_date(sitting.convocation)}, "
            f"{plural(days, 'jour franc', 'jours francs')} avant")
    if sitting.convocation_delay is not None:
        verdict = "à temps" if sitting.on_time else "EN RETARD"
        text += f" (délai légal : {sitting.convocation_delay} ; {verdict})"
    return text


def render_text(result: Forecast, calls: int = 5) -> str:
    """The French summary the command prints without --json."""
    lines = [f"Prévision du quorum — {result.body_name}, situation au {long_date(result.as_of)}"]
    if not result.sittings:
        lines.append(f"Aucune séance prévue après le {long_date(result.as_of)}.")
        return "\n".join(lines)
    for s in result.sittings:
        lines += [
            "",
            f"Séance du {long_date(s.day)} ({MEETING_FORMAT.get(s.format, s.format)}) : "
            f"{plural(s.in_office, 'membre')} en exercice, quorum à {number(s.required)}.",
            f"  {quorum_text(s.quorum_probability)} ; présents attendus : {number(s.expected_present, 1)}.",
            f"  Réponses : {replies_text(s.replies)}.",
        ]
        if s.call_first:
            shown = ", ".join(s.call_first[:calls])
            more = len(s.call_first) - calls
            lines.append(f"  À appeler en premier : {shown}" + (f" (et {plural(more, 'autre')})." if more > 0
                                                                  else "."))
        lines.append(f"  {convocation_text(s).capitalize()}.")
    return "\n".join(lines)


# -- the backtest -----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Backtest:
    """Brier scores of the forecast replayed on every held sitting, and of the body's average rate alone."""

    body: str
    body_name: str
    sittings: int          # held sittings replayed (those with a recorded sign-in sheet)
    members: int           # members' forecasts scored (recorded statuses)
    reached: int           # sittings whose quorum was reached
    replies: int           # members' forecasts that had a reply
    quorum_brier: float | None
    quorum_baseline: float | None
    members_brier: float | None
    members_baseline: float | None


def backtest(conn: duckdb.DuckDBPyConnection, body: str = QUORUM_BODY) -> Backtest:
    """Replay every held sitting of `body` with only what was known before it; score against what happened."""
    code, name = body_code(conn, body)
    sittings, members, outcomes, replies = _frames(conn, code, "held", date.min, FAR, FAR)
    # whether each sitting reached its quorum: the dashboard's figure, the opening's (quorum_quorum.sql, DESIGN §4)
    official = conn.cursor().execute(query("quorum_quorum"), {"body": code, "start": date.min, "end": FAR}).df()
    reached = dict(zip(official["meeting_id"].astype(int), official["reached"].astype(bool)))
    by_meeting = {int(mid): part for mid, part in outcomes.groupby("meeting_id", sort=False)}
    in_office = {int(mid): part for mid, part in members.groupby("meeting_id", sort=False)}
    history = _History()
    quorum_f, quorum_b, quorum_o = [], [], []
    member_f, member_b, member_o = [], [], []
    answered = 0
    for row in sittings.itertuples(index=False):
        mid = int(row.meeting_id)
        seats = by_meeting.get(mid)
        given = replies.get(mid, {})
        if seats is None or not seats["recorded"].any():
            continue  # no sign-in sheet: nothing to judge (and nothing learnt)
        predicted = _sitting(row, in_office.get(mid, members.iloc[0:0]), given, history)
        outcome = dict(zip(seats["person_id"].astype(int), seats["counted"].astype(bool)))
        recorded = dict(zip(seats["person_id"].astype(int), seats["recorded"].astype(bool)))
        prior = predicted.body_rate
        quorum_f.append(predicted.quorum_probability)
        quorum_b.append(quorum_probability([prior] * predicted.in_office, predicted.required))
        quorum_o.append(reached.get(mid, sum(outcome.values()) >= predicted.required))
        for m in predicted.members:
            if recorded.get(m.person_id):
                member_f.append(m.probability)
                member_b.append(prior)
                member_o.append(outcome[m.person_id])
                answered += m.reply is not None
        history.add(seats, given, str(row.format))

    def score(forecasts: list[float], outcomes: list[bool]) -> float | None:
        return brier_score(forecasts, outcomes) if forecasts else None

    return Backtest(code, name, len(quorum_f), len(member_f), sum(quorum_o), answered,
                    score(quorum_f, quorum_o), score(quorum_b, quorum_o), score(member_f, member_o),
                    score(member_b, member_o))


def backtest_json(result: Backtest) -> dict:
    return {"body": result.body, "sittings": result.sittings, "members": result.members, "reached": result.reached,
            "replies": result.replies,
            "brier": {"quorum": result.quorum_brier, "quorum_baseline": result.quorum_baseline,
                      "members": result.members_brier, "members_baseline": result.members_baseline}}


def render_backtest(result: Backtest) -> str:
    """The French report of `forecast --backtest`."""
    lines = [f"Rétro-évaluation de la prévision du quorum — {result.body_name}"]
    if not result.sittings:
        lines.append("Aucune séance tenue avec une feuille d'émargement : rien à rejouer.")
        return "\n".join(lines)
    lines += [
        f"{plural(result.sittings, 'séance tenue rejouée', 'séances tenues rejouées')}, dont "
        f"{number(result.reached)} au quorum atteint, chacune avec ce qui était connu avant elle : les présences "
        "des séances précédentes et les réponses à sa convocation ;",
        f"{plural(result.members, 'prévision individuelle', 'prévisions individuelles')} comparées au statut "
        f"enregistré, dont {number(result.replies)} avec une réponse.",
        "Score de Brier (0 : parfait ; 0,25 : pile ou face ; plus bas, meilleur) :",
        f"  probabilité du quorum          : {_brier(result.quorum_brier)} "
        f"(taux moyen de l'instance pour tous : {_brier(result.quorum_baseline)})",
        f"  probabilité de chaque membre   : {_brier(result.members_brier)} "
        f"(taux moyen de l'instance pour tous : {_brier(result.members_baseline)})",
    ]
    return "\n".join(lines)


def _brier(value: float | None) -> str:
    return number(value, 3) if value is not None else "—"


# -- frames for the pages and the pack --------------------------------------------------------------------------------

def sittings_table(sittings: Iterable[SittingForecast]) -> pd.DataFrame:
    """One row per sitting: date, body, format, in office, required, quorum probability, expected, replies."""
    rows = []
    for s in sittings:
        rows.append({"Séance": s.day, "Instance": s.body_name, "Format": MEETING_FORMAT.get(s.format, s.format),
                     "Membres en exercice": s.in_office, "Quorum": s.required,
                     "Probabilité du quorum": s.quorum_probability,
                     "Présents attendus": round(s.expected_present, 1),
                     **{_REPLY_PLURALS[key].capitalize(): s.replies[key] for key in REPLY_KEYS},
                     "Convocation envoyée le": s.convocation,
                     "Jours francs": s.clear_days})
    columns = ["Séance", "Instance", "Format", "Membres en exercice", "Quorum", "Probabilité du quorum",
               "Présents attendus", *(_REPLY_PLURALS[key].capitalize() for key in REPLY_KEYS),
               "Convocation envoyée le", "Jours francs"]
    return pd.DataFrame(rows, columns=columns)


def members_frame(sitting: SittingForecast) -> pd.DataFrame:
    """The members of a sitting, the least likely first: name, commune, reply (code and label), history, probability,
    and a hover text, for the chart and its table."""
    rows = []
    for m in sitting.members:
        label = REPLY_NONE if m.reply is None else REPLY[m.reply]
        history = (f"{number(m.counted)} sur {number(m.recorded)} séances" if m.recorded
                   else "aucune séance enregistrée")
        rows.append({"name": m.name, "commune": m.commune_name or "—", "reply": m.reply or "none",
                     "reply_label": label, "history": history, "probability": m.probability,
                     # names from the data are escaped: Plotly renders a subset of HTML in hover texts
                     "hover": f"<b>{escape(m.name)}</b> ({escape(m.commune_name or 'sans commune')})<br>réponse : "
                              f"{label}<br>siège occupé : {history}<br>probabilité : {percent(m.probability, 0)}"})
    frame = pd.DataFrame(rows, columns=["name", "commune", "reply", "reply_label", "history", "probability", "hover"])
    return frame.sort_values(["probability", "name"], kind="stable").reset_index(drop=True)


def members_table(frame: pd.DataFrame) -> pd.DataFrame:
    """members_frame in French, for the table under the chart and its download."""
    return pd.DataFrame({"Membre": frame["name"], "Commune": frame["commune"], "Réponse": frame["reply_label"],
                         "Siège occupé (séances passées)": frame["history"], "Probabilité": frame["probability"]})
