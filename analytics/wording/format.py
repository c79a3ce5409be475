"""French formatting of numbers, rates and dates, through babel (no system locale needed)."""

from __future__ import annotations

import math
from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal

LOCALE = "fr_FR"


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: float | None, digits: int = 0) -> str:
    """A number the French way: "1 234", "12,5"; an em dash when missing."""
    if value is None or _missing(value):
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


def percent(rate: float | None, digits: int = 1) -> str:
    """A rate (0 to 1) as a French percentage: "87,5 %"; an em dash when missing."""
    if rate is None or _missing(rate):
        return "—"
    return f"{number(rate * 100, digits)}\u00a0%"


def ordinal_day(day: date) -> str:
    """The day of the month the French way: "1er", "2", "31"."""
    return "1er" if day.day == 1 else str(day.day)


def long_date(day: date) -> str:
    """"1er janvier 2026", "3 mars 2025"."""
    return f"{ordinal_day(day)} {format_date(day, 'MMMM y', locale=LOCALE)}"


def month_label(day: date) -> str:
    """"janv. 2025"."""
    return format_date(day, "MMM y", locale=LOCALE)
