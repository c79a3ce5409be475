"""Backup and restore: a complete, portable copy; restoring gives back the same database."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from analytics.ingest import demo, importer
from analytics.store import backup, db
from tests.support import ROOT, snapshot


@pytest.fixture
def demo_file(tmp_path: Path) -> Path:
    path = tmp_path / "demo.duckdb"
    conn = db.connect(path)
    demo.build(conn, seed=3, today=date(2025, 6, 30))
    conn.close()
    return path


def test_restore_into_an_empty_database_gives_the_same_data(demo_file: Path, tmp_path: Path) -> None:
    conn = db.connect(demo_file)
    manifest = backup.backup(conn, tmp_path / "copie")
    before = snapshot(conn)
    conn.close()
    assert manifest["rows"]["communes"] == 39
    assert json.loads((tmp_path / "copie" / "sauvegarde.json").read_text())["rows"] == manifest["rows"]

    target = tmp_path / "restored.duckdb"
    backup.restore(tmp_path / "copie", target)
    restored = db.connect(target)
    assert snapshot(restored) == before
    # new rows get fresh ids after a restore: the sequences went past the restored ones
    result = importer.import_sources(restored, [(
        "p.csv", b"nom;prenom;commune;instance;role;debut\nNOUVEAU;Jean;Mulhouse;forum;membre;2025-01-01\n")],
        today=date(2025, 6, 30))
    assert result.added == 2
    restored.close()


def test_restore_replaces_an_existing_database(demo_file: Path, tmp_path: Path) -> None:
    conn = db.connect(demo_file)
    backup.backup(conn, tmp_path / "copie")
    expected = snapshot(conn)
    conn.execute("DELETE FROM attendance")
    conn.close()
    backup.restore(tmp_path / "copie", demo_file)
    conn = db.connect(demo_file)
    assert snapshot(conn) == expected


def test_broken_backup_is_refused_and_the_database_kept(demo_file: Path, tmp_path: Path) -> None:
    conn = db.connect(demo_file)
    backup.backup(conn, tmp_path / "copie")
    expected = snapshot(conn)
    conn.close()
    (tmp_path / "copie" / "attendance.parquet").unlink()
    with pytest.raises(backup.BackupError, match="il manque attendance"):
        backup.restore(tmp_path / "copie", demo_file)
    with pytest.raises(backup.BackupError, match="n'est pas une sauvegarde"):
        backup.restore(tmp_path, demo_file)
    conn = db.connect(demo_file)
    assert snapshot(conn) == expected


def test_cli_backup_and_restore(demo_file: Path, tmp_path: Path) -> None:
    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "analytics", *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=120)

    done = cli("backup", str(tmp_path / "copie"), "--db", str(demo_file))
    assert done.returncode == 0 and "Sauvegarde écrite" in done.stdout, done.stderr
    done = cli("restore", str(tmp_path / "copie"), "--db", str(tmp_path / "neuve.duckdb"))
    assert done.returncode == 0 and "Base restaurée" in done.stdout, done.stderr
    refused = cli("restore", str(tmp_path / "nulle-part"), "--db", str(tmp_path / "neuve.duckdb"))
    assert refused.returncode == 1 and "n'est pas une sauvegarde" in refused.stderr


def test_zip_round_trip_ignores_foreign_paths(demo_file: Path, tmp_path: Path) -> None:
    import io
    import zipfile

    conn = db.connect(demo_file)
    content = backup.backup_zip(conn)
    expected = snapshot(conn)
    conn.close()
    # a hostile archive entry is never written outside the temporary folder
    buffer = io.BytesIO(content)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("../../evil.txt", "x")
    backup.restore_zip(buffer.getvalue(), tmp_path / "from-zip.duckdb")
    assert not (tmp_path.parent / "evil.txt").exists()
    restored = db.connect(tmp_path / "from-zip.duckdb")
    assert snapshot(restored) == expected
    with pytest.raises(backup.BackupError, match="pas une sauvegarde ZIP"):
        backup.restore_zip(b"not a zip", tmp_path / "x.duckdb")
