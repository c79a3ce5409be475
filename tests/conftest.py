"""Shared fixtures: fresh databases built by code, never a committed file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from analytics.store import db

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    """Path of a database file that does not exist yet."""
    return tmp_path / "test.duckdb"


@pytest.fixture
def conn(db_file: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A new database with the schema and the reference data (39 communes, the bodies catalogue)."""
    connection = db.connect(db_file)
    yield connection
    connection.close()


TABLES = ("communes", "bodies", "persons", "memberships", "meetings", "attendance", "import_log", "change_log",
          "audit_events")


def snapshot(connection: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Every row of every table, sorted: equal snapshots mean an unchanged database."""
    cur = connection.cursor()
    return {table: sorted(map(repr, cur.execute(f"SELECT * FROM {table}").fetchall())) for table in TABLES}
