"""French wording shared by the pages' analytics: short dates, signed changes, plurals, status labels.

analytics.format holds the basic number and date formats; this module builds the phrases the pages show on top
of them, so that the pages themselves never format or compute anything.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from babel.dates import format_date

from analytics.wording.format import LOCALE, number, percent
from analytics.wording.labels import CADENCE_STATUS  # noqa: F401  (re-exported until the screens import labels)

MEETING_STATUS_PLURAL = {"held": "tenues", "cancelled": "annulées", "planned": "prévues"}
ALERT_KIND = {
    "legal_floor_missed": "Plancher légal non tenu",
    "quorum_not_reached": "Quorum non atteint",
    "proxy_limit": "Pouvoirs en surnombre",
    "request_rule": "Conférence à la demande irrégulière",
    "cadence_missed": "Cadence manquée",
    "consecutive_absences": "Absences consécutives",
    "low_attendance": "Assiduité insuffisante",
    "cadence_at_risk": "Échéance proche",
    "sheet_missing": "Émargement manquant",
}
# Material Symbols (bundled with Streamlit, so they show offline and without an emoji font), coloured by gravity
SEVERITY_ICON = {1: ":red[:material/gavel:]", 2: ":red[:material/gavel:]", 3: ":red[:material/gavel:]",
                 4: ":red[:material/gavel:]", 5: ":orange[:material/event_busy:]", 6: ":orange[:material/person_off:]",
                 7: ":orange[:material/trending_down:]", 8: ":blue[:material/schedule:]",
                 9: ":gray[:material/edit_note:]"}
# in tables, where markdown is not rendered: the gravity in words
SEVERITY_WORD = {1: "légale", 2: "légale", 3: "légale", 4: "légale", 5: "charte", 6: "suivi", 7: "suivi",
                 8: "à surveiller", 9: "donnée manquante"}


def day(value: Any) -> date:
    """A date from a date, datetime or pandas Timestamp."""
    return pd.Timestamp(value).date()


def missing(value: Any) -> bool:
    return value is None or value is pd.NaT or (not isinstance(value, str) and bool(pd.isna(value)))


def _ordinal(d: date) -> str:
    """The day of the month the French way: "1er", "2", "31"."""
    return "1er" if d.day == 1 else str(d.day)


def short_date(value: Any) -> str:
    """"3 mars 2025", "1er janv. 2026": the abbreviated month of tables and axes; an em dash when missing."""
    if missing(value):
        return "—"
    d = day(value)
    return f"{_ordinal(d)} {format_date(d, 'MMM y', locale=LOCALE)}"


def long_day(value: Any) -> str:
    """"1er janvier 2026", "3 mars 2025"."""
    if missing(value):
        return "—"
    d = day(value)
    return f"{_ordinal(d)} {format_date(d, 'MMMM y', locale=LOCALE)}"


def weekday_date(value: Any) -> str:
    """"jeudi 1er janvier 2026"."""
    if missing(value):
        return "—"
    d = day(value)
    return f"{format_date(d, 'EEEE', locale=LOCALE)} {long_day(d)}"


def month_name(value: Any) -> str:
    """"février 2025"."""
    return format_date(day(value), "MMMM y", locale=LOCALE)


def plural_label(label: str) -> str:
    """The plural of a role or status label: "vice-président" → "vice-présidents", "conseiller délégué" →
    "conseillers délégués", "membre du Conseil de développement" → "membres du Conseil de développement"."""
    head, sep, tail = label.partition(" du ")
    words = [w if w.endswith(("s", "x")) or w.isupper() else w + "s" for w in head.split(" ")]
    return " ".join(words) + (sep + tail if sep else "")


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """"1 séance", "12 séances", "1 234 convocations" (French: 0 and 1 are singular)."""
    word = singular if abs(count) < 2 else (plural_form or singular + "s")
    return f"{number(count)} {word}"


def signed(value: float | None, digits: int = 0, unit: str = "") -> str | None:
    """A change with its sign, French: "+3", "-1,5 pt"; None when there is nothing to compare.

    The minus is the ASCII hyphen because Streamlit's st.metric reads it to choose the arrow and colour.
    """
    if missing(value):
        return None
    text = number(abs(value), digits)
    sign = "-" if round(value, digits) < 0 else "+" if round(value, digits) > 0 else "±"
    return f"{sign}{text}{unit}"


def points(change: float | None) -> str | None:
    """A change of rate in percentage points: "+2,1 pts", "-0,4 pt"."""
    if missing(change):
        return None
    value = change * 100
    unit = "\u00a0pt" if abs(round(value, 1)) < 2 else "\u00a0pts"
    return signed(value, 1, unit)


def rate(value: float | None) -> str:
    """"87,5 %", or an em dash."""
    return percent(value)


def days_text(days: int) -> str:
    """"aujourd'hui", "dans 1 jour", "dans 12 jours", "il y a 3 jours"."""
    if days == 0:
        return "aujourd'hui"
    if days > 0:
        return f"dans {plural(days, 'jour')}"
    return f"il y a {plural(-days, 'jour')}"
