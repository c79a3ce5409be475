"""Helpers the tests share (fixtures live in conftest.py): the project root and a snapshot of every table."""

from __future__ import annotations

from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent

TABLES = ("communes", "bodies", "persons", "memberships", "meetings", "attendance", "import_log", "change_log",
          "audit_events", "agenda_items", "attendance_spans", "replies")


def snapshot(connection: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Every row of every table, sorted: equal snapshots mean an unchanged database."""
    cur = connection.cursor()
    return {table: sorted(map(repr, cur.execute(f"SELECT * FROM {table}").fetchall())) for table in TABLES}
