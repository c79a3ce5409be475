"""Erasing a person: their name leaves the database, their anonymous counts stay.

The persons row keeps its id and commune, so memberships and attendance keep pointing at it and every indicator
(per body, commune, sector, meeting) is unchanged; only the name, the identifier and the match key, which holds the
folded name, are replaced, and every text of the change log, the import log and the audit trail that names the
person (analytics/sql/privacy_scrub_macros.sql says how it is recognised) is scrubbed.

DuckDB does not overwrite what an update replaces: the old values stay in the write-ahead log until a checkpoint,
and in the file's free blocks until they are reused. The erasure therefore checkpoints, and leaves the file to be
rewritten (store.db.rewrite: a copy into a new file, which keeps no free block). The command line does it at once,
holding the only connection; the dashboard cannot while other sessions share its connection, so it is done at the
next start (store.db.connect does any rewrite left due).

DuckDB refuses to change match_key (a UNIQUE column) on a row that other tables reference, even inside one
transaction, so the erasure runs in three short transactions: (1) the person's rows move to a temporary
anonymous person of the same commune, the name is replaced and scrubbed everywhere, the erasure is audited;
(2) the key is replaced and the rows move back; (3) the temporary person is deleted. After (1) the name is gone;
a process stopped after (1) or (2) leaves exact counts, and finish_erasures() completes the work.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from analytics.access import auth
from analytics.store import db
from analytics.store.erasure import MOVES, finish_erasures
from analytics.store.erasure import complete as _finish  # a name of this module, so that a test can stop it
from analytics.store.sql import query
from analytics.store.tallies import refresh_tallies
from analytics.store.transaction import transaction
from analytics.wording.text import display_name, fold

# each scrub and the parameters its query binds (DuckDB refuses unused ones)
_SCRUBS = {"privacy_scrub_change_log": ("person_id", "last_name", "first_name"),
           "privacy_scrub_import_log": ("last_name", "first_name"),
           "privacy_scrub_audit_events": ("person_id", "last_name", "first_name")}


class PersonNotFound(LookupError):
    """No person with that id; the message is French."""


def person(conn: duckdb.DuckDBPyConnection, person_id: int) -> dict[str, Any] | None:
    """One person: id, names, commune, memberships and attendance_rows counts, erased flag; None if unknown."""
    frame = conn.cursor().execute(query("privacy_person"), {"person_id": int(person_id)}).df()
    return None if frame.empty else frame.iloc[0].to_dict()


def find_person(conn: duckdb.DuckDBPyConnection, text: str) -> pd.DataFrame:
    """Persons whose "nom prénom" or "prénom nom" contains `text`, without case or accents (erased ones excluded)."""
    folded = fold(text or "")
    frame = conn.cursor().execute(query("privacy_find_person"), {"text": folded}).df()
    # an empty search would match everybody: nobody is a safer answer for a command that erases
    return frame.iloc[0:0] if not folded else frame


def erase_person(conn: duckdb.DuckDBPyConnection, person_id: int, username: str) -> None:
    """Replace a person's name by "ANONYME n° <id>" everywhere, keeping every count; audit it (id only); empty the
    write-ahead log and leave the file to be rewritten (store.db.rewrite, done by the caller or the next start)."""
    person_id = int(person_id)
    finish_erasures(conn)  # an erasure stopped half-way is completed before another one starts
    found = person(conn, person_id)
    if found is None or found["placeholder"]:
        raise PersonNotFound(f"Aucune personne n° {person_id}.")
    if found["erased"]:
        return  # already done: nothing named is left to remove
    names = {"person_id": person_id, "last_name": found["last_name"], "first_name": found["first_name"]}
    cur = conn.cursor()
    # first of all: a process stopped at any point after this still leaves the rewrite due
    db.schedule_rewrite(cur)
    cur.execute(query("privacy_scrub_macros"))  # temporary macros of this cursor, used by the scrubs
    with transaction(cur):
        placeholder = cur.execute(query("privacy_insert_placeholder"), {"person_id": person_id}).fetchall()[0][0]
        for step in MOVES:
            cur.execute(query(step), {"source_id": person_id, "target_id": placeholder})
        cur.execute(query("privacy_anonymise_person"), {"person_id": person_id})
        for step, params in _SCRUBS.items():
            cur.execute(query(step), {key: names[key] for key in params})
        auth.record(cur, username, "erase_person", f"personne n° {person_id}")
        refresh_tallies(cur)  # the counts now sit on the placeholder
    _finish(cur, person_id, placeholder)
    db.checkpoint(cur)  # the write-ahead log held the old values of the rows just changed


def describe(found: dict[str, Any]) -> str:
    """One line about a person for the command line: "n° 3 BERNARD Marie (Wittenheim) — 1 appartenance, …"."""
    commune = found.get("commune_name")
    where = commune if isinstance(commune, str) else "sans commune"
    memberships, rows = int(found["memberships"]), int(found["attendance_rows"])
    return (f"n° {int(found['person_id'])} {display_name(found['last_name'], found['first_name'])} ({where}) — "
            f"{memberships} appartenance{'s' if memberships > 1 else ''}, "
            f"{rows} présence{'s' if rows > 1 else ''} enregistrée{'s' if rows > 1 else ''}")
