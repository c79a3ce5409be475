"""The quorum forecast as the Synthèse (the next Conseil) and the Instances page (each planned sitting of a body)
show it: a markdown digest, the members' probabilities for the chart, and their table (DESIGN.md §5c)."""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb
import pandas as pd

from analytics.outputs import forecast
from analytics.rules.quorum import QUORUM_BODY
from analytics.screens import escape_all, escape_markdown
from analytics.wording.display import days_text, plural
from analytics.wording.format import long_date, number
from analytics.wording.labels import MEETING_FORMAT

CALLS = 5  # members to call named on screen; the table lists them all
CHART_MEMBERS = 150


def _colour(probability: float) -> str:
    # the colours of the alerts' gravity: red when the quorum is at risk, orange when uncertain
    return "green" if probability >= 0.9 else "orange" if probability >= 0.5 else "red"


def digest(sitting: forecast.SittingForecast, as_of: date, *, title: bool = True) -> str:
    """Markdown of one sitting's forecast: "Quorum probable à 87 %", the replies, whom to call first, the
    convocation."""
    lines = []
    if title:
        lines.append(f"**{escape_markdown(sitting.body_name)}, séance du {long_date(sitting.day)}** "
                     f"({MEETING_FORMAT.get(sitting.format, sitting.format)}, {days_text((sitting.day - as_of).days)})")
    quorum = forecast.quorum_text(sitting.quorum_probability)
    lines.append(f":{_colour(sitting.quorum_probability)}[:material/groups:] **{quorum}** — "
                 f"{number(sitting.required)} présents requis sur {number(sitting.in_office)} membres en exercice ; "
                 f"{number(sitting.expected_present, 1)} attendus.")
    lines.append(f"- Réponses : {forecast.replies_text(sitting.replies)}.")
    if sitting.call_first:
        more = len(sitting.call_first) - CALLS
        lines.append("- À appeler en premier : " + ", ".join(escape_all(sitting.call_first[:CALLS]))
                     + (f" (et {plural(more, 'autre membre', 'autres membres')} sans réponse)." if more > 0 else "."))
    else:
        lines.append("- Tous les membres en exercice ont répondu.")
    late = sitting.on_time is False
    lines.append(f"- {':red[:material/schedule_send:] ' if late else ''}"
                 f"{escape_markdown(forecast.convocation_text(sitting).capitalize())}.")
    return "\n".join(lines)


def _view(sitting: forecast.SittingForecast, as_of: date) -> dict[str, Any]:
    members = forecast.members_frame(sitting)
    return {"meeting_id": sitting.meeting_id, "day": sitting.day, "label": f"{sitting.day:%Y-%m-%d}",
            "digest": digest(sitting, as_of), "digest_body": digest(sitting, as_of, title=False),
            "required": sitting.required, "members": members, "table": forecast.members_table(members),
            # a bar per member: beyond CHART_MEMBERS (the Forum, the Assises) the table alone stays readable
            "chart": len(members) <= CHART_MEMBERS}


def next_view(conn: duckdb.DuckDBPyConnection, as_of: date) -> dict[str, Any] | None:
    """The forecast of the next planned sitting of the Conseil after as_of, None when none is planned."""
    sitting = forecast.next_sitting(conn, as_of, QUORUM_BODY)
    return None if sitting is None else _view(sitting, as_of)


def views(conn: duckdb.DuckDBPyConnection, as_of: date, body: str) -> list[dict[str, Any]]:
    """The forecasts of every planned sitting of `body` after as_of."""
    return [_view(s, as_of) for s in forecast.forecast(conn, as_of, body).sittings]


def sittings_table(conn: duckdb.DuckDBPyConnection, as_of: date, body: str) -> pd.DataFrame:
    """One row per planned sitting of `body` after as_of, with its forecast (for the table and its download)."""
    return forecast.sittings_table(forecast.forecast(conn, as_of, body).sittings)


SITTINGS_RATES = ["Probabilité du quorum"]
MEMBERS_RATES = ["Probabilité"]
NOTE = ("Probabilité que le siège de chaque membre compte pour le quorum, d'après sa présence aux séances passées "
        "de l'instance (lissée vers le taux moyen de l'instance) et sa réponse à la convocation : « excusé » ou "
        "« pouvoir » l'exclut (les pouvoirs ne comptent pas), « à distance » ne compte qu'à une séance en visio ou "
        "mixte, une confirmation vaut la part des confirmations tenues par le passé. Quorum : plus de la moitié des "
        "membres en exercice (CGCT L2121-17) ; probabilité exacte, en supposant les membres indépendants.")
