"""French wording shared by the pages' analytics: short dates, signed changes, plurals, status labels.

analytics.format holds the basic number and date formats; this module builds the phrases the pages show on top
of them, so that the pages themselves never format or compute anything.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

import pandas as pd
from babel.dates import format_date

from analytics.wording.format import LOCALE, long_date, number, ordinal_day
from analytics.wording.labels import ALERT_GRAVITY

# Material Symbols (bundled with Streamlit, so they show offline and without an emoji font), coloured by gravity
_GRAVITY_MARKDOWN_COLOUR = {"legal": "red", "charter": "orange", "follow_up": "orange", "watch": "blue",
                            "data": "gray"}
_ALERT_SYMBOL = {"legal_floor_missed": "gavel", "quorum_not_reached": "gavel", "quorum_lost": "group_remove",
                 "proxy_limit": "gavel",
                 "request_rule": "gavel", "convocation_late": "schedule_send", "cadence_missed": "event_busy",
                 "consecutive_absences": "person_off",
                 "low_attendance": "trending_down", "cadence_at_risk": "schedule", "sheet_missing": "edit_note"}
ALERT_ICON = {kind: f":{_GRAVITY_MARKDOWN_COLOUR[ALERT_GRAVITY[kind]]}[:material/{symbol}:]"
              for kind, symbol in _ALERT_SYMBOL.items()}


def day(value: Any) -> date:
    """A date from a date, datetime or pandas Timestamp."""
    return pd.Timestamp(value).date()


def missing(value: Any) -> bool:
    return value is None or value is pd.NaT or (not isinstance(value, str) and bool(pd.isna(value)))


def _dash_when_missing(formatter: Callable[[date], str]) -> Callable[[Any], str]:
    """A date formatter that also takes datetimes and Timestamps, and gives an em dash for a missing value."""

    @wraps(formatter)
    def formatted(value: Any) -> str:
        return "—" if missing(value) else formatter(day(value))

    return formatted


@_dash_when_missing
def short_date(d: date) -> str:
    """"3 mars 2025", "1er janv. 2026": the abbreviated month of tables and axes; an em dash when missing."""
    return f"{ordinal_day(d)} {format_date(d, 'MMM y', locale=LOCALE)}"


@_dash_when_missing
def long_day(d: date) -> str:
    """"1er janvier 2026", "3 mars 2025"."""
    return long_date(d)


@_dash_when_missing
def weekday_date(d: date) -> str:
    """"jeudi 1er janvier 2026"."""
    return f"{format_date(d, 'EEEE', locale=LOCALE)} {long_date(d)}"


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
    if value is None or missing(value):
        return None
    text = number(abs(value), digits)
    sign = "-" if round(value, digits) < 0 else "+" if round(value, digits) > 0 else "±"
    return f"{sign}{text}{unit}"


def points(change: float | None) -> str | None:
    """A change of rate in percentage points: "+2,1 pts", "-0,4 pt"."""
    if change is None or missing(change):
        return None
    value = change * 100
    unit = "\u00a0pt" if abs(round(value, 1)) < 2 else "\u00a0pts"
    return signed(value, 1, unit)


def days_text(days: int) -> str:
    """"aujourd'hui", "dans 1 jour", "dans 12 jours", "il y a 3 jours"."""
    if days == 0:
        return "aujourd'hui"
    if days > 0:
        return f"dans {plural(days, 'jour')}"
    return f"il y a {plural(-days, 'jour')}"


def date_time(value: Any) -> str:
    """"1er décembre 2026 à 08:20": a moment (an import, an audit event) the French way; an em dash when missing."""
    if missing(value):
        return "—"
    moment = pd.Timestamp(value)
    return f"{long_date(moment.date())} à {moment:%H:%M}"


def file_size(size: int) -> str:
    """"113 octets", "2,4 ko", "1,2 Mo": a file's size the French way (1 ko = 1 024 octets)."""
    if size < 1024:
        return plural(size, "octet")
    if size < 1024 * 1024:
        return f"{number(size / 1024, 1)}\u00a0ko"
    return f"{number(size / (1024 * 1024), 1)}\u00a0Mo"
