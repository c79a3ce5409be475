"""How a table's cells read, whatever the browser's language: French numbers ("2 577"), rates ("87,8 %"),
dates ("3 mars 2025") and moments ("1er décembre 2026 à 08:20").

Streamlit's grid formats numbers with the browser's locale (an en-US browser shows "2,577" and "87.8%"); the page
gives it these texts as a pandas Styler's display values instead, so that the columns keep their numbers and sort
as numbers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

import pandas as pd
from pandas.api import types

from analytics.wording.display import date_time, missing, short_date
from analytics.wording.format import number, percent

MISSING = "—"


def rate_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return MISSING if missing(value) else percent(float(value))


def integer_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return MISSING if missing(value) else number(float(value))


def decimal_text(value: Any) -> str:
    """"12", "12,5": one decimal only when the number has one."""
    if isinstance(value, str):
        return value
    if missing(value):
        return MISSING
    return number(float(value), 0 if float(value).is_integer() else 1)


def moment_text(value: Any) -> str:
    """A timestamp: its date alone at midnight, else with its time."""
    if missing(value):
        return MISSING
    stamp = pd.Timestamp(value)
    return short_date(stamp) if stamp == stamp.normalize() else date_time(stamp)


def date_text(value: Any) -> str:
    if isinstance(value, datetime):
        return moment_text(value)
    return short_date(value) if isinstance(value, date) else ("" if value is None else str(value))


def cell_formats(frame: pd.DataFrame, rates: Iterable[str] = (),
                 integers: Iterable[str] = ()) -> dict[Any, Callable[[Any], str]]:
    """The French text of each cell, per column that needs one: the `rates` (0–1) as percentages, the `integers`
    and every other integer column with thin-space thousands, decimals with a comma, dates and timestamps in
    words. Text columns keep their text."""
    rate_columns, integer_columns = set(rates), set(integers)
    formats: dict[Any, Callable[[Any], str]] = {}
    for column in frame.columns:
        series = frame[column]
        if column in rate_columns:
            formats[column] = rate_text
        elif types.is_bool_dtype(series):
            continue
        elif column in integer_columns or types.is_integer_dtype(series):
            formats[column] = integer_text
        elif types.is_float_dtype(series):
            formats[column] = decimal_text
        elif types.is_datetime64_any_dtype(series):
            formats[column] = moment_text
        elif series.dtype == object and any(isinstance(v, date) for v in series.head(20)):
            formats[column] = date_text
    return formats
