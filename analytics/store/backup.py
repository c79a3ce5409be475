"""Backup and restore: one Parquet file per table and a manifest, a complete and portable copy of the database."""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from analytics.store import db
from analytics.store.tallies import TALLIES_VERSION, refresh_tallies
from analytics.store.transaction import snapshot

# Tables in foreign-key order: a restore loads them in this order. Identifiers come only from this list.
TABLES = ("communes", "bodies", "persons", "memberships", "meetings", "attendance", "import_log", "change_log",
          "audit_events")
SEQUENCES = {"persons": ("person_id_seq", "person_id"), "memberships": ("membership_id_seq", "membership_id"),
             "meetings": ("meeting_id_seq", "meeting_id"), "import_log": ("import_id_seq", "import_id"),
             "change_log": ("change_id_seq", "change_id"), "audit_events": ("audit_id_seq", "id")}
MANIFEST = "sauvegarde.json"


class BackupError(RuntimeError):
    """A backup folder that cannot be restored; the message is French."""


def backup(conn: duckdb.DuckDBPyConnection, folder: Path) -> dict:
    """Write every table to `folder` (created if needed) inside one read transaction; return the manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    cur = conn.cursor()
    with snapshot(cur):  # one consistent snapshot of all the tables
        counts = {}
        for table in TABLES:
            data = cur.sql(f"SELECT * FROM {table}").to_arrow_table()
            pq.write_table(data, folder / f"{table}.parquet")
            counts[table] = data.num_rows
        manifest = {"application": "Gouvernance m2A", "schema_version": db.schema_version(conn),
                    "created_at": datetime.now().isoformat(timespec="seconds"), "rows": counts}
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def read_manifest(folder: Path) -> dict:
    """The manifest of a backup folder, checked against its files."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{folder} n'est pas une sauvegarde de Gouvernance m2A "
                          f"(fichier {MANIFEST} illisible).") from exc
    missing = [t for t in TABLES if not (folder / f"{t}.parquet").is_file()]
    if missing:
        raise BackupError(f"Sauvegarde incomplète dans {folder} : il manque {', '.join(missing)}.")
    if manifest.get("schema_version", 0) > len(db.migrations()):
        raise BackupError("Cette sauvegarde vient d'une version plus récente du logiciel : mettez-le à jour d'abord.")
    return manifest


def restore(folder: Path, target: str | Path | None = None) -> dict:
    """Replace the database at `target` with the backup in `folder`; the old file stays until the copy is whole."""
    manifest = read_manifest(folder)
    path = db.db_path(target)
    if path.exists():
        db.connect(path).close()  # refuses, with the usual French message, when another program holds the file
    staging = path.with_name(path.name + ".restauration")
    for stale in (staging, staging.with_name(staging.name + ".wal")):
        stale.unlink(missing_ok=True)
    conn = duckdb.connect(str(staging))
    try:
        db.migrate(conn, up_to=manifest["schema_version"])
        cur = conn.cursor()
        cur.execute("BEGIN TRANSACTION")  # not committed on failure: the staging file is deleted whole
        for table in TABLES:
            cur.execute(f"INSERT INTO {table} SELECT * FROM read_parquet(?)", [str(folder / f"{table}.parquet")])
        for table, (sequence, column) in SEQUENCES.items():
            # sequences restart past the restored ids so that new rows never collide with them
            highest = cur.execute(f"SELECT coalesce(max({column}), 0) FROM {table}").fetchall()[0][0]
            cur.execute(f"SELECT max(nextval('{sequence}')) FROM range(?)", [highest])
        if manifest["schema_version"] >= TALLIES_VERSION:
            # the pre-aggregated counts are not in the backup: they are counted again from the restored rows
            # (an older backup gets them from the migration that creates them, just below)
            refresh_tallies(cur)
        cur.execute("COMMIT")
        db.migrate(conn)
        counts = {t: cur.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in TABLES}
    except Exception:
        conn.close()
        staging.unlink(missing_ok=True)
        raise
    conn.close()
    if counts != manifest["rows"]:
        staging.unlink(missing_ok=True)
        raise BackupError(f"Restauration interrompue : nombres de lignes différents de la sauvegarde ({counts}).")
    path.with_name(path.name + ".wal").unlink(missing_ok=True)
    os.replace(staging, path)
    return manifest


def backup_zip(conn: duckdb.DuckDBPyConnection) -> bytes:
    """The backup as one ZIP file, for a download from the dashboard."""
    with tempfile.TemporaryDirectory() as folder:
        backup(conn, Path(folder))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for file in sorted(Path(folder).iterdir()):
                archive.write(file, file.name)
    return buffer.getvalue()


def restore_zip(content: bytes, target: str | Path | None = None) -> dict:
    """Restore from a ZIP made by backup_zip; only the expected file names are read (no path in the archive)."""
    expected = {MANIFEST, *(f"{t}.parquet" for t in TABLES)}
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as exc:
        raise BackupError("Ce fichier n'est pas une sauvegarde ZIP de Gouvernance m2A.") from exc
    with archive, tempfile.TemporaryDirectory() as folder:
        for name in expected & set(archive.namelist()):
            (Path(folder) / name).write_bytes(archive.read(name))
        return restore(Path(folder), target)
