"""What the pages' global filters mean: the periods offered, their dates, the period they are compared with.

The period selector shows French labels ("12 derniers mois", "Année 2025"…); the label is also what the URL
carries, so a copied link reproduces the view. Every date computation of the filters lives here, not in the pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import pandas as pd

from analytics import settings
from analytics.rules.periods import months_before, rolling_12_months
from analytics.store.sql import query
from analytics.wording.display import long_day

# the URL parameters of the global filters: ?periode=Année+2025&secteur=Nord
PERIOD_KEY = "periode"
SECTOR_KEY = "secteur"
ROLLING = "12 derniers mois"
MANDATE = "Mandat en cours"
HISTORY = "Tout l'historique"
YEAR = "Année {}"
ALL_SECTORS = "Tous les secteurs"
SECTORS = ("Centre", "Nord", "Sud")
TODAY_VARIABLE = settings.TODAY_VARIABLE


@dataclass(frozen=True)
class Period:
    """A range of days, both ends included, and the range it is compared with (None: no comparison)."""

    label: str
    start: date
    end: date
    previous_start: date | None = None
    previous_end: date | None = None

    @property
    def text(self) -> str:
        """"du 30 novembre 2025 au 29 novembre 2026"."""
        return f"du {long_day(self.start)} au {long_day(self.end)}"

    @property
    def previous(self) -> Period | None:
        if self.previous_start is None or self.previous_end is None:
            return None
        return Period(f"période précédente ({self.label})", self.previous_start, self.previous_end)

    @property
    def previous_text(self) -> str:
        """How the comparison reads under a figure: "par rapport aux 12 mois précédents"."""
        previous = self.previous
        if previous is None:
            return "sans comparaison"
        if self.label == ROLLING:
            return "par rapport aux 12 mois précédents"
        if self.label.startswith("Année"):
            if previous.end.month == 12 and previous.end.day == 31:
                return f"par rapport à l'année {previous.start.year}"
            return f"par rapport à la même période de {previous.start.year}"
        return f"par rapport à la période {previous.text}"


def data_version(conn: duckdb.DuckDBPyConnection) -> tuple[int, ...]:
    """A value that changes with every import, recorded sheet or change: the key of the pages' caches."""
    row = conn.cursor().execute(query("views_data_version")).fetchall()[0]
    return tuple(int(value) for value in row)


def span(conn: duckdb.DuckDBPyConnection) -> dict:
    """First and last held meeting (None when none) and the number of held meetings."""
    first, last, held = conn.cursor().execute(query("views_span")).fetchall()[0]
    return {"first_held": first, "last_held": last, "meetings_held": int(held)}


def mandate_start(conn: duckdb.DuckDBPyConnection, as_of: date) -> date | None:
    """The installation day of the Conseil in office at as_of, or None when no Conseil is recorded."""
    rows = conn.cursor().execute(query("views_mandate_start"), {"as_of": as_of}).fetchall()
    return rows[0][0] if rows else None


def period_labels(first_held: date | None, as_of: date, mandate: date | None) -> list[str]:
    """The choices of the period selector, the default first: rolling 12 months, mandate, years, everything."""
    labels = [ROLLING]
    if mandate is not None:
        labels.append(MANDATE)
    first_year = first_held.year if first_held else as_of.year
    labels += [YEAR.format(year) for year in range(as_of.year, min(first_year, as_of.year) - 1, -1)]
    if first_held is not None:
        labels.append(HISTORY)
    return labels


def resolve(label: str, as_of: date, first_held: date | None = None, mandate: date | None = None) -> Period:
    """The dates of a period label; an unknown label falls back to the rolling 12 months."""
    if label == MANDATE and mandate is not None:
        return Period(label, mandate, as_of)
    if label == HISTORY and first_held is not None:
        return Period(label, min(first_held, as_of), as_of)
    if label.startswith("Année ") and label[6:].isdigit():
        year = int(label[6:])
        if year < as_of.year:
            return Period(label, date(year, 1, 1), date(year, 12, 31), date(year - 1, 1, 1), date(year - 1, 12, 31))
        if year == as_of.year:
            # the year so far, compared with the same days of the year before
            return Period(label, date(year, 1, 1), as_of, date(year - 1, 1, 1), months_before(as_of, 12))
    start, end = rolling_12_months(as_of)
    previous_start, previous_end = rolling_12_months(start - timedelta(days=1))
    return Period(ROLLING, start, end, previous_start, previous_end)


def sector_labels() -> list[str]:
    """The choices of the sector selector."""
    return [ALL_SECTORS, *SECTORS]


def sector_code(label: str | None) -> str | None:
    """None for every sector, else the sector name as stored."""
    return label if label in SECTORS else None


def bodies(conn: duckdb.DuckDBPyConnection, sector: str | None = None) -> pd.DataFrame:
    """The catalogue of bodies a sector filter keeps (bodies of no sector and of that sector), in display order."""
    return conn.cursor().execute(query("views_bodies"), {"sector": sector}).df()


MIN_DAYS_IN_MONTH = 7  # a range that only grazes a month at either end does not show that month


def months_shown(start: date, end: date, limit: int | None = None, *, keep_last: bool = False) -> list[date]:
    """First days of the months a chart of [start, end] shows: every month the range touches, except a first or last
    month it covers for less than a week (the rolling 12 months start on the 30th…), unless keep_last (the month in
    progress); the last `limit` at most."""
    first, last = start.replace(day=1), end.replace(day=1)
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    if len(months) > 1:
        first_end = months[1] - timedelta(days=1)
        if (first_end - start).days + 1 < MIN_DAYS_IN_MONTH:
            months = months[1:]
    if len(months) > 1 and end.day < MIN_DAYS_IN_MONTH and not keep_last:
        months = months[:-1]
    return months[-limit:] if limit else months
