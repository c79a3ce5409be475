"""The DuckDB file: where it is, opening it, and upgrading its schema in place."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from analytics import settings
from analytics.settings import db_path
from analytics.store import reference
from analytics.store.erasure import finish_erasures
from analytics.store.tallies import TALLIES_VERSION, refresh_tallies
from analytics.store.transaction import transaction

MIGRATIONS_DIR = settings.MIGRATIONS_DIR
_MIGRATION_NAME = re.compile(r"(\d{3})_[a-z0-9_]+\.sql")


class DatabaseUnavailable(RuntimeError):
    """The database file cannot be opened; the message is French and meant for the user."""


def migrations() -> list[tuple[int, Path]]:
    """The migration scripts, in version order."""
    found = []
    for script in MIGRATIONS_DIR.glob("*.sql"):
        match = _MIGRATION_NAME.fullmatch(script.name)
        if match:
            found.append((int(match.group(1)), script))
    return sorted(found)


def schema_version(conn: duckdb.DuckDBPyConnection) -> int:
    """The version of the schema stored in the file (0 for a new file)."""
    cur = conn.cursor()
    exists = cur.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchall()[0][0]
    if not exists:
        return 0
    return cur.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()[0][0]


def migrate(conn: duckdb.DuckDBPyConnection, up_to: int | None = None) -> int:
    """Apply the migrations the file lacks (up to a version), each in its own transaction; return the version."""
    cur = conn.cursor()
    cur.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, applied_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())"
    )
    current = schema_version(conn)
    applied = False
    for version, script in migrations():
        if version <= current or (up_to is not None and version > up_to):
            continue
        with transaction(cur):
            cur.execute(script.read_text(encoding="utf-8"))
            cur.execute("INSERT INTO schema_version (version) VALUES (?)", [version])
        current, applied = version, True
    if applied and up_to is None and current >= TALLIES_VERSION:
        # the pre-aggregated counts are filled here, with the queries of analytics/sql, after the last migration
        # (which may have changed who is convened): no migration keeps its own copy of the fill
        with transaction(cur):
            refresh_tallies(cur)
    return current


def connect(path: str | Path | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the database (creating it with schema and reference data if new) or raise DatabaseUnavailable."""
    target = db_path(path)
    if read_only and not target.exists():
        raise DatabaseUnavailable(f"La base de données {target} n'existe pas. Lancez « make demo » ou un import.")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = duckdb.connect(str(target), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise DatabaseUnavailable(
                f"La base de données {target} est ouverte en écriture par un autre programme "
                "(tableau de bord, import…). Fermez-le puis réessayez."
            ) from exc
        raise DatabaseUnavailable(f"Impossible d'ouvrir la base de données {target} : {exc}") from exc
    if not read_only:
        migrate(conn)
        reference.load(conn)
        finish_erasures(conn)  # completes an erasure a crash interrupted
    return conn
