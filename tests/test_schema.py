"""The schema refuses rows that break the domain, and upgrades an existing file in place."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from analytics.store import check, db
from analytics.store.sql import query
from tests.support import ROOT


def _setup(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("INSERT INTO persons (last_name, first_name, commune_insee, match_key) VALUES "
                 "('HÊTRE', 'Anne', '68224', 'k1'), ('SAULE', 'Paul', '68166', 'k2')")
    conn.execute("INSERT INTO meetings (body_code, meeting_date) VALUES ('conseil', '2024-03-20')")


@pytest.mark.parametrize(
    "statement",
    [
        # attendance: unknown status, substitution without substitute (a proxy may lack its holder: migration 009),
        # holder on a plain presence, holder is the member (an unknown sitting or person: see below)
        "INSERT INTO attendance VALUES (1, 1, 'late', NULL)",
        "INSERT INTO attendance VALUES (1, 1, 'substituted', NULL)",
        "INSERT INTO attendance VALUES (1, 1, 'present', 2)",
        "INSERT INTO attendance VALUES (1, 1, 'proxy', 1)",
        # meetings: enumerations, unknown body, requesters on an ordinary meeting, same body and date twice
        "INSERT INTO meetings (body_code, meeting_date, status) VALUES ('bureau', '2024-01-01', 'postponed')",
        "INSERT INTO meetings (body_code, meeting_date, format) VALUES ('bureau', '2024-01-01', 'phone')",
        "INSERT INTO meetings (body_code, meeting_date, meeting_type) VALUES ('bureau', '2024-01-01', 'urgent')",
        "INSERT INTO meetings (body_code, meeting_date) VALUES ('nowhere', '2024-01-01')",
        "INSERT INTO meetings (body_code, meeting_date, requesters) VALUES ('conf_maires', '2024-01-01', 14)",
        "INSERT INTO meetings (body_code, meeting_date) VALUES ('conseil', '2024-03-20')",
        # memberships: unknown role, end before start
        "INSERT INTO memberships (person_id, body_code, role, start_date) VALUES (1, 'bureau', 'king', '2024-01-01')",
        "INSERT INTO memberships (person_id, body_code, role, start_date, end_date) "
        "VALUES (1, 'bureau', 'member', '2024-01-01', '2023-01-01')",
        # communes and persons
        "INSERT INTO communes VALUES ('6822', 'Nulle-part', 1, 1, 1, 7, 47.7, 7.3, 'Centre')",
        "INSERT INTO communes VALUES ('68999', 'Ailleurs', 1, 1, 1, 7, 47.7, 7.3, 'Est')",
        "INSERT INTO persons (last_name, first_name, commune_insee, match_key) VALUES ('A', 'B', '75056', 'k3')",
        "INSERT INTO persons (last_name, first_name, match_key) VALUES ('HÊTRE', 'Anne', 'k1')",
    ],
)
def test_schema_refuses_bad_rows(conn: duckdb.DuckDBPyConnection, statement: str) -> None:
    _setup(conn)
    with pytest.raises(duckdb.ConstraintException):
        conn.execute(statement)


def test_one_attendance_row_per_meeting_and_person(conn: duckdb.DuckDBPyConnection) -> None:
    _setup(conn)
    conn.execute("INSERT INTO attendance VALUES (1, 1, 'present', NULL)")
    with pytest.raises(duckdb.ConstraintException):
        conn.execute("INSERT INTO attendance VALUES (1, 1, 'absent', NULL)")


def test_orphan_sign_ins_are_found_by_the_check(conn: duckdb.DuckDBPyConnection) -> None:
    """Since migration 010 the sign-in table has no foreign keys (their indexes cost more than the rest of a large
    import): a row naming no sitting, no person or no holder passes the schema, and the check fails on each."""
    _setup(conn)
    conn.execute("INSERT INTO attendance VALUES (99, 1, 'present', NULL), (1, 98, 'present', NULL), "
                 "(1, 1, 'proxy', 97)")
    orphans = [f for f in check.check(conn).findings if f.check == "orphans"]
    assert [(f.severity, f.count) for f in orphans] == [(check.ERROR, 1)] * 3
    assert [f.examples for f in orphans] == [()] * 3
    assert ["= 97)" in orphans[0].message, "= 99)" in orphans[1].message, "= 98)" in orphans[2].message] == [True] * 3


def test_schema_accepts_the_domain(conn: duckdb.DuckDBPyConnection) -> None:
    _setup(conn)
    conn.execute("INSERT INTO attendance VALUES (1, 1, 'proxy', 2), (1, 2, 'present', NULL)")
    conn.execute("INSERT INTO meetings (body_code, meeting_date, meeting_type, requesters) "
                 "VALUES ('conf_maires', '2024-06-25', 'requested', 13)")
    assert conn.execute("SELECT count(*) FROM attendance").fetchall() == [(2,)]


def test_new_file_gets_reference_data(conn: duckdb.DuckDBPyConnection) -> None:
    assert conn.execute("SELECT count(*), sum(population_2025) FROM communes").fetchall() == [(39, 272950)]
    codes = {row[0] for row in conn.execute("SELECT code FROM bodies").fetchall()}
    assert {"conseil", "bureau", "direction", "conf_maires", "conf_centre", "conf_nord", "conf_sud", "dgs",
            "forum", "assises", "coordination_mulhouse", "rencontres_communes", "voeux"} <= codes
    assert db.schema_version(conn) == len(db.migrations())


def test_upgrade_keeps_data(db_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file at version 1 gets a later migration applied in place, its rows intact."""
    conn = db.connect(db_file)
    _setup(conn)
    conn.close()
    extra = tmp_path / "migrations"
    extra.mkdir()
    for _, script in db.migrations():
        (extra / script.name).write_text(script.read_text(encoding="utf-8"), encoding="utf-8")
    (extra / "999_add_note.sql").write_text("ALTER TABLE meetings ADD COLUMN note VARCHAR;", encoding="utf-8")
    monkeypatch.setattr(db, "MIGRATIONS_DIR", extra)
    conn = db.connect(db_file)
    assert db.schema_version(conn) == 999
    assert conn.execute("SELECT body_code, meeting_date::VARCHAR, note FROM meetings").fetchall() == [
        ("conseil", "2024-03-20", None)
    ]
    assert conn.execute("SELECT count(*) FROM persons").fetchall() == [(2,)]
    conn.close()


def test_locked_database_gives_a_french_message(db_file: Path) -> None:
    """A second process cannot open a file another process writes: the message says so in French."""
    import subprocess
    import sys
    import textwrap

    db.connect(db_file).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys, time
            c = duckdb.connect({str(db_file)!r})
            print("ready", flush=True)
            sys.stdin.read()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(db.DatabaseUnavailable, match="ouverte en écriture par un autre programme"):
            db.connect(db_file)
    finally:
        holder.communicate("")


def _schema(conn: duckdb.DuckDBPyConnection) -> tuple[set[tuple[str, str, str]], set[tuple[str, str]]]:
    """The schema objects the check compares (check_schema_objects.sql), and each macro with its definition."""
    objects = set(conn.execute(query("check_schema_objects")).fetchall())
    macros = set(conn.execute("SELECT function_name, macro_definition FROM duckdb_functions() "
                              "WHERE database_name = current_database() AND NOT internal "
                              "AND function_type IN ('macro', 'table_macro')").fetchall())
    return objects, macros


@pytest.mark.parametrize("version", range(1, len(db.migrations())))
def test_a_base_upgraded_from_any_version_equals_a_new_one(tmp_path: Path, version: int) -> None:
    """Migrations are history applied to users' files: a file created at `version` then upgraded, reopened from disk,
    has exactly the schema and the macros of a file the migrations build from nothing."""
    path = tmp_path / "ancienne.duckdb"
    conn = duckdb.connect(str(path))
    db.migrate(conn, up_to=version)
    conn.close()
    conn = duckdb.connect(str(path))
    db.migrate(conn)
    upgraded = _schema(conn)
    conn.close()
    fresh = duckdb.connect(":memory:")
    db.migrate(fresh)
    new = _schema(fresh)
    fresh.close()
    assert upgraded == new
    # the shared macros of migration 008 are there, with their definitions
    assert {"there_for_quorum", "office_terms", "mandate_start_on", "attendance_figures"} <= {
        name for name, _ in new[1]}


def test_a_process_killed_right_after_the_migrations_leaves_a_base_that_opens_offline(tmp_path: Path) -> None:
    # DuckDB 2.0 replays a DROP TABLE from its journal only by downloading an extension: migrate() checkpoints,
    # so a kill after the migrations (here os._exit, no close) leaves no journal to replay
    path = tmp_path / "tuee.duckdb"
    killed = (
        "import os, sys, duckdb\n"
        "from analytics.store import db\n"
        "conn = duckdb.connect(sys.argv[1])\n"
        "db.migrate(conn, up_to=8)\n"
        "conn.execute('CHECKPOINT')\n"
        "db.migrate(conn)\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", killed, str(path)], cwd=ROOT, check=True, timeout=120)
    reopened = subprocess.run(
        [sys.executable, "-c", "import sys, duckdb; duckdb.connect(sys.argv[1]); print('ouverte')", str(path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert reopened.stdout.strip() == "ouverte", reopened.stderr
