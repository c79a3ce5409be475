"""The pre-aggregated attendance tallies (migration 003): refreshed inside every write, checked by a fingerprint."""

from __future__ import annotations

import duckdb

from analytics.store.sql import query

TALLIES_VERSION = 3  # the schema version that added the pre-aggregated attendance counts (migration 003)
# The refresh of the pre-aggregated tallies (migration 003), in order.
_REFRESH = ("attendance_tallies_clear_meetings", "attendance_tallies_clear_months", "attendance_tallies_clear_state",
            "attendance_tallies_fill_meetings", "attendance_tallies_fill_months", "attendance_tallies_save_state")


def refresh_tallies(cur: duckdb.DuckDBPyConnection) -> None:
    """Recompute the pre-aggregated tallies from the rows stored now.

    Every path that writes attendance, memberships, meetings or persons calls it on its cursor, inside the
    transaction of its change, so that the indicators keep reading the tallies instead of every attendance row.
    A path that does not (a SQL shell, a test) costs only speed: the counts check the tallies' fingerprint and
    count from the rows when they are not fresh."""
    for step in _REFRESH:
        cur.execute(query(step))


def tallies_fresh(cur: duckdb.DuckDBPyConnection) -> bool:
    """Whether the pre-aggregated tallies were computed from exactly the rows stored now."""
    return bool(cur.execute(query("attendance_tallies_fresh")).fetchall()[0][0])
