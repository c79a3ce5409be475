"""The end of an erasure (access.privacy): the steps that a stopped process may leave to the next opening.

They live with the store because opening the database completes them (store.db.connect), before anyone reads a
count; they hold no name, only ids.
"""

from __future__ import annotations

import duckdb

from analytics.store.sql import query
from analytics.store.tallies import refresh_tallies
from analytics.store.transaction import transaction

# the rows of a person moved to a placeholder and back, in this order
MOVES = ("privacy_move_attendance", "privacy_move_delegations", "privacy_move_spans", "privacy_move_memberships",
         "privacy_move_replies", "privacy_move_reply_delegations")


def finish_erasures(conn: duckdb.DuckDBPyConnection) -> int:
    """Complete the erasures a stopped process left half-done; return how many there were."""
    cur = conn.cursor()
    pending = cur.execute(query("privacy_pending_erasures")).fetchall()
    for placeholder, person_id in pending:
        complete(cur, person_id, placeholder)
    return len(pending)


def complete(cur: duckdb.DuckDBPyConnection, person_id: int, placeholder: int) -> None:
    """Steps (2) and (3) of an erasure: the person's key changes and their rows come back; the placeholder goes."""
    # (2) the person's row is referenced by nothing since (1) committed: its key can change, then the rows return
    with transaction(cur):
        cur.execute(query("privacy_rekey_person"), {"person_id": person_id})
        for step in MOVES:
            cur.execute(query(step), {"source_id": placeholder, "target_id": person_id})
        refresh_tallies(cur)
    # (3) a separate transaction again: the rows left the placeholder only once (2) committed
    with transaction(cur):
        cur.execute(query("privacy_delete_placeholder"), {"placeholder_id": placeholder})
        refresh_tallies(cur)
