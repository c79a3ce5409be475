"""Date ranges of the views: a chosen period, the rolling 12 months, the whole mandate."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb

from analytics.store.sql import query


def months_before(d: date, months: int) -> date:
    """`d` moved back by `months` calendar months, the day clamped to the end of a shorter month (29 Feb → 28 Feb)."""
    index = d.year * 12 + (d.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, days_in_month(year, month)))


def days_in_month(year: int, month: int) -> int:
    """Number of days of a calendar month."""
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


def month_start(d: date) -> date:
    """First day of the month of `d`."""
    return d.replace(day=1)


def rolling_12_months(as_of: date) -> tuple[date, date]:
    """The 12 months ending on `as_of`, both ends included (as_of 2024-02-29 → 2023-03-01 … 2024-02-29)."""
    # minus 12 months then plus one day, so that consecutive windows neither overlap nor leave a gap
    return months_before(as_of, 12) + timedelta(days=1), as_of


def mandate_range(conn: duckdb.DuckDBPyConnection) -> tuple[date, date] | None:
    """First and last meeting dates in the database (any status), or None when it holds no meeting."""
    cur = conn.cursor()
    first, last = cur.execute(query("attendance_mandate_range")).fetchall()[0]
    if first is None:
        return None
    return first, last
