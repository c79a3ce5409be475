"""Shared fixtures: fresh databases built by code, never a committed file."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest

from analytics.ingest import demo
from analytics.store import backup_schedule, db

DEMO_TODAY = date(2026, 11, 29)  # the day the shared demo database believes it is


@pytest.fixture(scope="module", autouse=True)
def _no_backup_worker_outlives_its_module() -> Iterator[None]:
    """The pages tests run the app in this process: its backup thread holds the connection it was given, which would
    keep that base open (DuckDB then refuses another connection to it with other settings, e.g. read-only)."""
    yield
    backup_schedule.stop_all()


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


@pytest.fixture
def demo_copy(demo_file: Path, tmp_path: Path) -> Path:
    """A copy of the shared demo base, for one test to change, corrupt or have a server hold."""
    path = tmp_path / "base.duckdb"
    shutil.copyfile(demo_file, path)
    return path


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo mandate (seed 2020, built on 29 November 2026), built once for the whole run: tests read it, and
    copy it before any change."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    connection = db.connect(path)
    demo.build(connection, seed=2020, today=DEMO_TODAY)
    connection.close()
    return path
