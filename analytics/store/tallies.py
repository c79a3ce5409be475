"""The pre-aggregated attendance tallies (migration 003): refreshed inside every write, checked by a fingerprint."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import duckdb

from analytics.store.sql import query

TALLIES_VERSION = 3  # the schema version that added the pre-aggregated attendance counts (migration 003)
# The refresh of the pre-aggregated tallies (migration 003), in order: forget them, count them again. The fill
# queries are also the recount of store/check.py: each stands alone (no table kept aside between them).
_STEPS = ("attendance_tallies_clear_meetings", "attendance_tallies_clear_months", "attendance_tallies_fill_meetings",
          "attendance_tallies_fill_months")
# The same for a few sittings. The fill queries read the macros that cut the time of every body into membership
# segments: about 30 ms each on a 10 M-row base, most of a one-sitting write. The touched queries read who is
# convened in the sittings' months from their rows alone, kept aside once for the two counts (about 13 ms in all, 17
# for a month of 30 sittings); tests/test_tallies.py proves that both ways give the same tallies.
_TOUCHED_STEPS = ("attendance_tallies_clear_meetings", "attendance_tallies_clear_months",
                  "attendance_tallies_touched_convocations", "attendance_tallies_touched_meetings",
                  "attendance_tallies_touched_months", "attendance_tallies_touched_forget")
# Beyond this many sittings a write counts every tally again: the touched queries keep aside every convocation of
# their months (1.4 M rows for 1,000 sittings of the 10 M-row bench base, as long as the whole count: 1.5 s), which
# the whole count streams through instead.
_MOST_SITTINGS = 1000

Sitting = tuple[str, date]  # (body_code, meeting_date): a meeting, whose key never changes


def refresh_tallies(cur: duckdb.DuckDBPyConnection, sittings: Iterable[Sitting] | None = None) -> None:
    """Recompute the pre-aggregated tallies: all of them, or only those of the sittings a write touched.

    Every path that writes attendance, memberships, meetings or persons calls it on its cursor, inside the
    transaction of its change, so that the indicators keep reading the tallies instead of every attendance row.
    `sittings`: the (body, date) of every meeting whose row or attendance rows the write added, changed or deleted;
    then only their meetings and the person × body × month rows of their months are counted again, unless the
    write changed memberships or persons too (who is convened anywhere), which needs the whole count (None).
    A path that does not call it (a SQL shell, a test), or names too few sittings, costs only speed: the counts
    check the tallies' fingerprint and count from the rows when they are not fresh."""
    if sittings is None:
        _recount(cur, None)
        return
    touched = sorted(set(sittings))
    state = cur.execute(query("attendance_tallies_state")).fetchall()
    if not state or not state[0][-1]:  # never counted, or who is convened may have changed anywhere
        _recount(cur, None)
        return
    if not touched:
        return
    if len(touched) > _MOST_SITTINGS:  # a large share of the base: the whole count is as fast
        _recount(cur, None)
        return
    lists = {"bodies": [body for body, _ in touched], "days": [day for _, day in touched]}
    # The fingerprint is a XOR of row hashes: the one saved becomes saved ^ share before ^ share after, which is
    # the fingerprint of the rows now exactly when it was the fingerprint of the rows before the write and nothing
    # else changed. Stale tallies stay judged stale, and a write that named too few sittings leaves them judged
    # stale: they are never trusted wrongly, without reading every attendance row. A cursor of its own sees the
    # rows as last committed, before this transaction's write.
    committed = cur.cursor()
    try:
        before = committed.execute(query("attendance_tallies_share"), lists).fetchall()[0]
    finally:
        committed.close()
    after = cur.execute(query("attendance_tallies_share"), lists).fetchall()[0]
    _recount(cur, touched)
    saved = state[0]
    stepped = {
        "attendance_rows": saved[0] - before[0] + after[0], "attendance_hash": saved[1] ^ before[1] ^ after[1],
        "meetings_rows": saved[2] - before[2] + after[2], "meetings_hash": saved[3] ^ before[3] ^ after[3],
    }
    cur.execute(query("attendance_tallies_step_state"), stepped)


def _recount(cur: duckdb.DuckDBPyConnection, touched: list[Sitting] | None) -> None:
    """Count the tallies again: every one and their fingerprint (None), or those of these sittings and their months."""
    if touched is None:
        params: dict[str, object] = {"all": True, "bodies": [], "days": []}
    else:
        params = {"all": False, "bodies": [body for body, _ in touched], "days": [day for _, day in touched]}
    for step in _STEPS if touched is None else _TOUCHED_STEPS:
        text = query(step)
        # DuckDB refuses a value bound to no placeholder: each step gets the ones it names
        cur.execute(text, {key: value for key, value in params.items() if f"${key}" in text})
    if touched is None:
        cur.execute(query("attendance_tallies_clear_state"))
        cur.execute(query("attendance_tallies_save_state"))


def tallies_fresh(cur: duckdb.DuckDBPyConnection) -> bool:
    """Whether the pre-aggregated tallies were computed from exactly the rows stored now."""
    return bool(cur.execute(query("attendance_tallies_fresh")).fetchall()[0][0])
