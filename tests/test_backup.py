"""Backup and restore: a complete, portable copy; restoring gives back the same database."""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import threading
import time
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analytics import cli
from analytics.ingest import demo, importer
from analytics.outputs import indicators
from analytics.store import backup, db
from analytics.store import backup_schedule as schedule
from tests.support import ROOT, snapshot


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("backup") / "demo.duckdb"
    conn = db.connect(path)
    demo.build(conn, seed=3, today=date(2025, 6, 30))
    conn.close()
    return path


@pytest.fixture
def demo_file(built: Path, tmp_path: Path) -> Path:
    """A copy of the demo base (seed 3), for one test to change."""
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(built, path)
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


def test_zip_round_trip_refuses_foreign_paths(demo_file: Path, tmp_path: Path) -> None:
    conn = db.connect(demo_file)
    content = backup.backup_zip(conn)
    expected = snapshot(conn)
    conn.close()
    backup.restore_zip(content, tmp_path / "from-zip.duckdb")
    restored = db.connect(tmp_path / "from-zip.duckdb")
    assert snapshot(restored) == expected
    restored.close()
    # a hostile archive entry: the archive is refused, nothing is written outside the temporary folder
    buffer = io.BytesIO(content)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("../../evil.txt", "x")
    with pytest.raises(backup.BackupError,
                       match=r"contient 14 fichiers, pas les 13 .* \(fichier inattendu : nom illisible\)"):
        backup.restore_zip(buffer.getvalue(), tmp_path / "other.duckdb")
    assert not (tmp_path.parent / "evil.txt").exists() and not (tmp_path / "other.duckdb").exists()
    with pytest.raises(backup.BackupError, match="pas une sauvegarde ZIP"):
        backup.restore_zip(b"not a zip", tmp_path / "x.duckdb")


# --- integrity: checksums and row counts ------------------------------------------------------------------------

def fingerprint(path: Path) -> tuple[str, bool]:
    """The bytes of a database file, and whether a write-ahead log sits beside it: equal means untouched."""
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.with_name(path.name + ".wal").exists()


def manifest_of(folder: Path) -> dict:
    return json.loads((folder / backup.MANIFEST).read_text(encoding="utf-8"))


def write_manifest(folder: Path, manifest: object) -> None:
    (folder / backup.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def reseal(folder: Path) -> None:
    """What someone who knows the format does after editing a file: the manifest's counts and checksums follow."""
    manifest = manifest_of(folder)
    for table in backup.TABLES:
        path = folder / f"{table}.parquet"
        manifest["sha256"][table] = hashlib.sha256(path.read_bytes()).hexdigest()
        try:
            manifest["rows"][table] = pq.ParquetFile(path).metadata.num_rows
        except Exception:  # not Parquet any more: the count stays
            pass
    write_manifest(folder, manifest)


@pytest.fixture
def copy(demo_file: Path, tmp_path: Path) -> Path:
    """A backup of the demo base, in tmp_path/copie."""
    conn = db.connect(demo_file)
    backup.backup(conn, tmp_path / "copie")
    conn.close()
    return tmp_path / "copie"


def refused(folder: Path, base: Path, match: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The restore is refused with a French message, by the function and by the command, and the base is untouched."""
    before = fingerprint(base)
    with pytest.raises(backup.BackupError, match=match):
        backup.restore(folder, base)
    assert fingerprint(base) == before
    capsys.readouterr()
    assert cli.main(["restore", str(folder), "--db", str(base)]) == 1
    err = capsys.readouterr().err
    assert re.search(match, err) and "La base n'a pas été modifiée." in err, err
    assert fingerprint(base) == before
    assert not base.with_name(base.name + ".restauration").exists()


def test_the_manifest_carries_the_checksum_of_each_file(copy: Path) -> None:
    manifest = manifest_of(copy)
    assert manifest["format"] == 2 and set(manifest["sha256"]) == set(backup.TABLES)
    for table in backup.TABLES:
        assert manifest["sha256"][table] == hashlib.sha256((copy / f"{table}.parquet").read_bytes()).hexdigest()


def test_rows_removed_with_the_count_adjusted_are_refused(copy: Path, demo_file: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    attendance = pq.read_table(copy / "attendance.parquet")
    half = attendance.num_rows // 2
    pq.write_table(attendance.slice(0, half), copy / "attendance.parquet")
    manifest = manifest_of(copy)
    manifest["rows"]["attendance"] = half
    write_manifest(copy, manifest)
    refused(copy, demo_file, "attendance.parquet ne correspond pas à son empreinte SHA-256", capsys)


def test_a_count_changed_in_the_manifest_alone_is_refused(copy: Path, demo_file: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    manifest = manifest_of(copy)
    manifest["rows"]["meetings"] -= 1
    write_manifest(copy, manifest)
    refused(copy, demo_file, r"meetings.parquet contient \d+ lignes, le manifeste en annonce", capsys)


def _drop(key: str) -> Callable[[dict], None]:
    return lambda manifest: manifest.pop(key)


def _set(key: str, value: object) -> Callable[[dict], None]:
    return lambda manifest: manifest.update({key: value})


def _set_in(key: str, table: str, value: object) -> Callable[[dict], None]:
    return lambda manifest: manifest[key].update({table: value})


@pytest.mark.parametrize(("edit", "match"), [
    (_drop("created_at"), "« created_at » doit être une date"),
    (_set("created_at", 20250630), "« created_at » doit être une date"),
    (_set("created_at", "hier"), "« created_at » doit être une date"),
    (_drop("rows"), "« rows » doit donner, pour chaque table, un nombre de lignes"),
    (_set("rows", [1, 2, 3]), "« rows » doit donner, pour chaque table"),
    (_set_in("rows", "persons", "266"), "« rows » de la table persons doit être un nombre de lignes"),
    (_set_in("rows", "persons", -1), "« rows » de la table persons doit être un nombre de lignes"),
    (_set_in("rows", "persons", True), "« rows » de la table persons doit être un nombre de lignes"),
    (_set_in("rows", "secrets", 3), r"nomme une table inconnue \(secrets\) dans « rows »"),
    (_set_in("rows", "![x](http://pixel)", 3), r"table inconnue \(nom illisible\)"),
    (lambda m: m["rows"].pop("attendance"), "ne donne pas « rows » pour la table attendance"),
    (_drop("schema_version"), "« schema_version » doit être un entier positif"),
    (_set("schema_version", "5"), "« schema_version » doit être un entier positif"),
    (_set("schema_version", 0), "« schema_version » doit être un entier positif"),
    (_set("schema_version", 99), "version plus récente du logiciel"),
    (_set("format", 3), "version plus récente du logiciel"),
    (_set("format", "2"), "« format » doit être un entier"),
    (_drop("sha256"), "« sha256 » doit être présent"),
    (_set_in("sha256", "persons", "abc"), "« sha256 » de la table persons doit être une empreinte SHA-256"),
    (_set("sha256", None), "« sha256 » doit donner, pour chaque table"),
    (_drop("application"), "n'est pas une sauvegarde de Gouvernance m2A"),
    (lambda m: m.clear(), "n'est pas une sauvegarde de Gouvernance m2A"),
])
def test_an_edited_manifest_is_refused_in_french(copy: Path, demo_file: Path, capsys: pytest.CaptureFixture[str],
                                                 edit: Callable[[dict], None], match: str) -> None:
    manifest = manifest_of(copy)
    edit(manifest)
    write_manifest(copy, manifest)
    refused(copy, demo_file, match, capsys)


@pytest.mark.parametrize(("content", "match"), [
    ("[1, 2]", "n'est pas une sauvegarde de Gouvernance m2A"),
    ("{pas du json", "fichier sauvegarde.json absent ou illisible"),
    ("", "fichier sauvegarde.json absent ou illisible"),
])
def test_a_manifest_that_is_not_one_is_refused(copy: Path, demo_file: Path, capsys: pytest.CaptureFixture[str],
                                               content: str, match: str) -> None:
    (copy / backup.MANIFEST).write_text(content, encoding="utf-8")
    refused(copy, demo_file, match, capsys)


def test_files_that_are_not_the_tables_are_refused(copy: Path, demo_file: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    # each edit is resealed (checksums and counts rewritten), so that what refuses it is the check of the content
    (copy / "bodies.parquet").write_bytes(b"ceci n'est pas un fichier Parquet")
    reseal(copy)
    refused(copy, demo_file, "bodies.parquet n'est pas un fichier Parquet lisible", capsys)


def test_a_parquet_with_other_columns_is_refused(copy: Path, demo_file: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    persons = pq.read_table(copy / "persons.parquet")
    pq.write_table(persons.drop_columns(["match_key"]).append_column("secret", pa.array(["x"] * persons.num_rows)),
                   copy / "persons.parquet")
    reseal(copy)
    refused(copy, demo_file, r"persons.parquet n'a pas les colonnes de la table persons \(il manque match_key, "
                             r"1 colonne\(s\) inconnue\(s\)", capsys)


def test_values_that_break_the_schema_are_refused(copy: Path, demo_file: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    attendance = pq.read_table(copy / "attendance.parquet")
    pq.write_table(pa.concat_tables([attendance, attendance.slice(0, 1)]), copy / "attendance.parquet")  # a duplicate
    reseal(copy)
    refused(copy, demo_file, "le contenu de attendance.parquet n'entre pas dans la table attendance", capsys)
    meetings = pq.read_table(copy / "meetings.parquet")
    pq.write_table(meetings.set_column(0, "meeting_id", pa.array(["un"] * meetings.num_rows)),
                   copy / "meetings.parquet")
    pq.write_table(attendance, copy / "attendance.parquet")
    reseal(copy)
    refused(copy, demo_file, "le contenu de meetings.parquet n'entre pas dans la table meetings", capsys)


def test_a_backup_from_before_the_checksums(copy: Path, demo_file: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    manifest = manifest_of(copy)
    del manifest["format"], manifest["sha256"]  # as every backup was written before
    write_manifest(copy, manifest)
    # the command line restores it, and says it could not be verified
    assert cli.main(["restore", str(copy), "--db", str(tmp_path / "old.duckdb")]) == 0
    out = capsys.readouterr()
    assert "Base restaurée" in out.out and "Attention : cette sauvegarde date d'avant les empreintes" in out.err
    # its row counts are still checked
    manifest["rows"]["persons"] += 1
    write_manifest(copy, manifest)
    refused(copy, demo_file, "persons.parquet contient", capsys)
    # the dashboard refuses it: its backups come by upload
    manifest["rows"]["persons"] -= 1
    write_manifest(copy, manifest)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out_zip:
        for file in copy.iterdir():
            out_zip.write(file, file.name)
    before = fingerprint(demo_file)
    with pytest.raises(backup.BackupError, match="date d'avant les empreintes SHA-256.*python -m analytics restore"):
        backup.restore_zip(archive.getvalue(), demo_file)
    assert fingerprint(demo_file) == before


def test_a_base_this_process_still_holds_is_not_replaced(copy: Path, demo_file: Path) -> None:
    conn = db.connect(demo_file)
    with pytest.raises(backup.BackupError, match="encore ouverte par ce programme"):
        backup.restore(copy, demo_file)
    assert conn.execute("SELECT count(*) FROM persons").fetchall()[0][0] > 0
    conn.close()


def test_an_unreadable_base_is_replaced_and_kept_aside(copy: Path, demo_file: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    conn = db.connect(demo_file)
    expected = snapshot(conn)
    conn.close()
    with open(demo_file, "r+b") as file:
        file.truncate(5000)
    damaged = demo_file.read_bytes()
    assert cli.main(["restore", str(copy), "--db", str(demo_file)]) == 0
    assert "L'ancienne base, illisible, est gardée sous" in capsys.readouterr().err
    assert demo_file.with_name(demo_file.name + ".illisible").read_bytes() == damaged
    conn = db.connect(demo_file)
    assert snapshot(conn) == expected
    conn.close()


def test_a_full_disk_during_a_restore_leaves_the_base(copy: Path, demo_file: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    before = fingerprint(demo_file)
    real_replace = os.replace

    def full(source: object, target: object) -> None:
        if str(source).endswith(".restauration"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real_replace(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(backup.BackupError, match="la base n'a pas pu être remplacée : le disque est plein"):
        backup.restore(copy, demo_file)
    assert fingerprint(demo_file) == before
    assert not demo_file.with_name(demo_file.name + ".restauration").exists()


# --- an uploaded ZIP: sizes bounded before anything is decompressed ---------------------------------------------

def raw_zip(members: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A ZIP written by hand: (name, data as stored, method, declared size, CRC) each. zipfile would compress a
    gigabyte to write one; here the deflate stream of a bomb is a repeated piece, built in milliseconds."""
    out, central = io.BytesIO(), io.BytesIO()
    for name, data, method, size, crc in members:
        offset, encoded = out.tell(), name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(data), size,
                              len(encoded), 0) + encoded + data)
        central.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, len(data),
                                  size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    directory, start = central.getvalue(), out.tell()
    out.write(directory + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory),
                                      start, 0))
    return out.getvalue()


def zeros(size: int) -> tuple[bytes, int]:
    """A real deflate stream of `size` zero bytes (a multiple of 1 MiB), and their CRC."""
    block = bytes(1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(size >> 20):
        crc = zlib.crc32(block, crc)
    return piece * (size >> 20) + zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH), crc


def with_attendance(content: bytes, data: bytes, method: int, size: int, crc: int) -> bytes:
    """A backup ZIP whose attendance.parquet is replaced; the other files stored as they are."""
    source = zipfile.ZipFile(io.BytesIO(content))
    members = []
    for info in source.infolist():
        if info.filename == "attendance.parquet":
            members.append((info.filename, data, method, size, crc))
        else:
            plain = source.read(info)
            members.append((info.filename, plain, zipfile.ZIP_STORED, len(plain), zlib.crc32(plain)))
    return raw_zip(members)


@pytest.fixture
def content(demo_file: Path) -> bytes:
    conn = db.connect(demo_file)
    content = backup.backup_zip(conn)
    conn.close()
    return content


def refused_fast(content: bytes, target: Path, match: str) -> None:
    """Refused in under 3 s, with under 50 MB of Python memory, and nothing written."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(backup.BackupError, match=match):
            backup.restore_zip(content, target)
        elapsed, peak = time.perf_counter() - started, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < 3 and peak < 50 * 1024 * 1024, (elapsed, peak)
    assert not target.exists()


def test_a_zip_bomb_is_refused_at_once(content: bytes, tmp_path: Path) -> None:
    stream, crc = zeros(1 << 30)  # 1 GiB of zeros in about 1 MB
    bomb = with_attendance(content, stream, zipfile.ZIP_DEFLATED, 1 << 30, crc)
    assert len(bomb) < 1.5e6
    refused_fast(bomb, tmp_path / "bomb.duckdb",
                 r"attendance.parquet se décompresserait en 1024.0 Mo pour 1.0 Mo compressés.*bombe")


def test_a_zip_whose_headers_lie_is_refused_while_read(content: bytes, tmp_path: Path) -> None:
    # 1 GiB of zeros declared as 40 MiB: the ratio looks plausible, reading stops at 40 MiB and the file is refused
    stream, _ = zeros(1 << 30)
    _, crc = zeros(40 << 20)
    lying = with_attendance(content, stream, zipfile.ZIP_DEFLATED, 40 << 20, crc ^ 1)
    refused_fast(lying, tmp_path / "lying.duckdb", r"l'archive est abîmée \(attendance.parquet")
    # declared smaller than it is, with the right CRC of what the declared size covers: what comes out is cut there,
    # and no longer matches its checksum
    lying = with_attendance(content, stream, zipfile.ZIP_DEFLATED, 40 << 20, crc)
    refused_fast(lying, tmp_path / "lying.duckdb", "attendance.parquet ne correspond pas à son empreinte")


def test_a_zip_larger_than_the_limit_is_refused(content: bytes, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOUVERNANCE_MAX_UPLOAD_MB", "1")  # 10 MB decompressed at most
    noise = os.urandom(11 << 20)  # stored, ratio 1: only the total can refuse it
    big = with_attendance(content, noise, zipfile.ZIP_STORED, len(noise), zlib.crc32(noise))
    refused_fast(big, tmp_path / "big.duckdb", r"se décompresserait en 1\d.\d Mo, plus que les 10.0 Mo permis")


def test_a_zip_with_missing_or_doubled_files_is_refused(content: bytes, tmp_path: Path) -> None:
    source = zipfile.ZipFile(io.BytesIO(content))
    members = [(i.filename, source.read(i), 0, i.file_size, i.CRC) for i in source.infolist()]
    with pytest.raises(backup.BackupError,
                       match=r"contient 12 fichiers, pas les 13 d'une sauvegarde \(il manque attendance.parquet\)"):
        backup.restore_zip(raw_zip([m for m in members if m[0] != "attendance.parquet"]), tmp_path / "a.duckdb")
    doubled = [m for m in members if m[0] != "persons.parquet"] + [m for m in members if m[0] == "meetings.parquet"]
    with pytest.raises(backup.BackupError,
                       match=r"n.a pas les fichiers .* \(il manque persons.parquet; meetings.parquet en double\)"):
        backup.restore_zip(raw_zip(doubled), tmp_path / "a.duckdb")
    assert not (tmp_path / "a.duckdb").exists()


# ---------------------------------------------------------------------------------------------------------------
# Backups while the dashboard runs (issue 18.1): the schedule, the rotation, the requests of the command line

AT = datetime(2026, 12, 1, 2, 0)  # a Tuesday, at the default hour


def fake_backup(folder: Path, name: str) -> Path:
    """A folder that looks like a scheduled backup to the rotation (a manifest in it)."""
    (folder / name).mkdir(parents=True)
    (folder / name / backup.MANIFEST).write_text("{}", encoding="utf-8")
    return folder / name


def test_a_backup_is_due_once_per_day_from_its_hour() -> None:
    yesterday = datetime(2026, 11, 30, 2, 0, 4)
    assert schedule.last_slot(datetime(2026, 12, 1, 1, 59), 2) == datetime(2026, 11, 30, 2, 0)
    assert schedule.last_slot(AT, 2) == AT
    assert not schedule.is_due(datetime(2026, 12, 1, 1, 59), 2, [yesterday])
    assert schedule.is_due(AT, 2, [yesterday])
    assert not schedule.is_due(datetime(2026, 12, 1, 23, 0), 2, [yesterday, datetime(2026, 12, 1, 2, 0, 5)])
    # a server stopped at 2 h makes up for it at 9 h; a new installation takes its first backup at once
    assert schedule.is_due(datetime(2026, 12, 1, 9, 0), 2, [yesterday])
    assert schedule.is_due(datetime(2026, 12, 1, 1, 0), 2, [])
    # a backup taken before the hour is not today's
    assert schedule.is_due(datetime(2026, 12, 1, 2, 30), 2, [datetime(2026, 12, 1, 1, 0)])


def test_the_rotation_keeps_the_newest_and_only_looks_at_dated_backups(tmp_path: Path) -> None:
    for day in range(1, 10):
        fake_backup(tmp_path, f"2026-11-{day:02d}T020000")
    manual = fake_backup(tmp_path, "avant-v2")
    (tmp_path / "2026-11-20T020000").mkdir()  # no manifest: not a backup
    fake_backup(tmp_path, "2026-13-45T020000")  # the shape of a stamp, not a date
    found = schedule.scheduled_backups(tmp_path)
    assert [moment.day for moment, _ in found] == list(range(1, 10))
    assert schedule.beyond(found, 7) == [tmp_path / "2026-11-01T020000", tmp_path / "2026-11-02T020000"]
    assert schedule.beyond(found, 9) == [] == schedule.beyond(found, 20)
    assert schedule.scheduled_backups(tmp_path / "absent") == []
    assert manual.exists()


def test_a_scheduled_backup_restores_and_the_oldest_go(demo_file: Path, tmp_path: Path) -> None:
    folder = tmp_path / "sauvegardes"
    for day in range(24, 31):
        fake_backup(folder, f"2026-11-{day}T020000")
    manual = fake_backup(folder, "avant-v2")
    stale = folder / f".2026-11-23T020000{backup.PARTIAL_SUFFIX}"  # a backup a crash cut short
    stale.mkdir()
    conn = db.connect(demo_file)
    before = snapshot(conn)
    target, deleted = schedule.take_scheduled(conn, schedule.Schedule(folder, 2, 3), AT)
    conn.close()
    assert target == folder / "2026-12-01T020000"
    assert deleted == [folder / f"2026-11-{day}T020000" for day in range(24, 29)]
    assert sorted(p.name for p in folder.iterdir()) == ["2026-11-29T020000", "2026-11-30T020000",
                                                         "2026-12-01T020000", "avant-v2"]
    assert manual.exists() and not stale.exists()
    backup.restore(target, tmp_path / "restored.duckdb")
    restored = db.connect(tmp_path / "restored.duckdb")
    assert snapshot(restored) == before
    restored.close()


def test_a_backup_cut_short_is_never_seen_under_its_name(demo_file: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    conn = db.connect(demo_file)
    written = []

    def full_disk(table: pa.Table, where: Path) -> None:
        if written:
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(where)
        real(table, where)

    real = pq.write_table
    monkeypatch.setattr(pq, "write_table", full_disk)
    target = tmp_path / "nuit"
    with pytest.raises(backup.BackupError, match=f"Sauvegarde impossible dans {target} : le disque est plein"):
        backup.backup_whole(conn, target)
    assert list(tmp_path.iterdir()) == [demo_file]  # neither the folder nor its hidden partial copy
    assert written and written[0].parent.name == f".nuit{backup.PARTIAL_SUFFIX}"
    monkeypatch.undo()
    # a folder that exists must be empty; an empty one is taken
    fake_backup(tmp_path, "pleine")
    with pytest.raises(backup.BackupError, match="existe déjà et n'est pas un dossier vide"):
        backup.backup_whole(conn, tmp_path / "pleine")
    (tmp_path / "vide").mkdir()
    assert backup.backup_whole(conn, tmp_path / "vide")["rows"]["communes"] == 39
    conn.close()


def test_the_schedule_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("GOUVERNANCE_BACKUP_DIR", "GOUVERNANCE_BACKUP_HOUR", "GOUVERNANCE_BACKUP_KEEP"):
        monkeypatch.delenv(name, raising=False)
    assert schedule.schedule_from_environment() == (None, [])
    monkeypatch.setenv("GOUVERNANCE_BACKUP_DIR", str(tmp_path))
    assert schedule.schedule_from_environment() == (schedule.Schedule(tmp_path, 2, 7), [])
    monkeypatch.setenv("GOUVERNANCE_BACKUP_HOUR", "23")
    monkeypatch.setenv("GOUVERNANCE_BACKUP_KEEP", "30")
    assert schedule.schedule_from_environment() == (schedule.Schedule(tmp_path, 23, 30), [])
    monkeypatch.setenv("GOUVERNANCE_BACKUP_HOUR", "24")
    monkeypatch.setenv("GOUVERNANCE_BACKUP_KEEP", "sept")
    found, warnings = schedule.schedule_from_environment()
    assert found == schedule.Schedule(tmp_path, 2, 7)
    assert warnings == ["GOUVERNANCE_BACKUP_HOUR=24 n'est pas compris (attendu : une heure de 0 à 23) ; valeur "
                        "utilisée : 2.",
                        "GOUVERNANCE_BACKUP_KEEP=sept n'est pas compris (attendu : un nombre entier, 1 au moins) ; "
                        "valeur utilisée : 7."]
    monkeypatch.setenv("GOUVERNANCE_BACKUP_DIR", "sauvegardes")
    assert schedule.schedule_from_environment()[0] is None


class Clock:
    """The worker's clock, moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_the_worker_backs_up_once_a_day_and_rotates(demo_file: Path, tmp_path: Path) -> None:
    folder = tmp_path / "sauvegardes"
    conn = db.connect(demo_file)
    clock = Clock(datetime(2026, 12, 1, 3, 0))
    worker = schedule.Worker(demo_file, conn, schedule.Schedule(folder, 2, 2), clock=clock)
    seen = []
    # 1 December 3 h (a first backup at once), 3 h 01, 2 December 2 h, 3 December 1 h 59, 2 h, 4 December 2 h
    for step in (timedelta(0), timedelta(minutes=1), timedelta(hours=22, minutes=59),
                 timedelta(hours=23, minutes=59), timedelta(minutes=1), timedelta(days=1)):
        clock.now += step
        worker.round()
        seen.append(sorted(p.name for p in folder.iterdir()))
    conn.close()
    assert seen == [["2026-12-01T030000"], ["2026-12-01T030000"],
                    ["2026-12-01T030000", "2026-12-02T020000"], ["2026-12-01T030000", "2026-12-02T020000"],
                    ["2026-12-02T020000", "2026-12-03T020000"],
                    ["2026-12-03T020000", "2026-12-04T020000"]]


def test_a_failed_scheduled_backup_is_tried_again_later(demo_file: Path, tmp_path: Path,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "sauvegardes"
    folder.write_text("un fichier, pas un dossier")
    conn = db.connect(demo_file)
    clock = Clock(AT)
    worker = schedule.Worker(demo_file, conn, schedule.Schedule(folder, 2, 7), clock=clock)
    with caplog.at_level("INFO", logger=schedule.__name__):
        worker.round()
        clock.now += timedelta(minutes=14)
        worker.round()  # not before 15 minutes
        folder.unlink()
        worker.round()
        clock.now += timedelta(minutes=1)
        worker.round()
    conn.close()
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2, messages
    assert messages[0] == f"Sauvegarde planifiée manquée (nouvel essai à 02:15) : {folder} n'est pas un dossier."
    assert messages[1].startswith(f"Sauvegarde planifiée écrite dans {folder / '2026-12-01T021500'}")


@pytest.fixture
def serving(demo_file: Path) -> Iterator[schedule.Worker]:
    """The server's thread on the demo base, answering requests (no schedule)."""
    conn = db.connect(demo_file)
    worker = schedule.Worker(demo_file, conn, None)
    worker.start()
    while not (schedule.requests_folder(demo_file) / schedule.SERVER_FILE).exists():
        time.sleep(0.05)
    yield worker
    worker.stop()
    worker.join(timeout=10)
    conn.close()


def test_a_backup_asked_of_the_server_restores_to_the_same_indicators(demo_file: Path, tmp_path: Path,
                                                                     serving: schedule.Worker) -> None:
    requests = schedule.requests_folder(demo_file)
    assert requests.stat().st_mode & 0o777 == 0o700
    manifest = schedule.ask_server(demo_file, tmp_path / "demandee")
    assert manifest["rows"]["communes"] == 39
    assert sorted(p.name for p in requests.iterdir()) == [schedule.SERVER_FILE]  # request and answer are gone
    backup.restore(tmp_path / "demandee", tmp_path / "restored.duckdb")
    serving.stop()
    serving.join(timeout=10)
    source, restored = db.connect(demo_file), db.connect(tmp_path / "restored.duckdb")
    start, end = date(2024, 7, 1), date(2025, 6, 30)
    expected = indicators.compute(source, start, end, end)
    assert len(expected["quorum"]) == 6 and len(expected["people"]) > 50  # a real comparison, not of two empties
    assert indicators.compute(restored, start, end, end) == expected
    assert snapshot(restored) == snapshot(source)
    source.close()
    restored.close()


def test_the_server_refuses_what_is_not_a_backup_into_a_new_absolute_folder(demo_file: Path, tmp_path: Path,
                                                                           serving: schedule.Worker) -> None:
    requests = schedule.requests_folder(demo_file)

    def answer(content: object) -> dict:
        name = os.urandom(16).hex()
        (requests / f"{name}{schedule.REQUEST_SUFFIX}").write_text(json.dumps(content), encoding="utf-8")
        result = requests / f"{name}{schedule.RESULT_SUFFIX}"
        deadline = time.monotonic() + 20
        while not result.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        return json.loads(result.read_text(encoding="utf-8"))

    assert answer({"demande": "restauration", "dossier": str(tmp_path)}) == {
        "message": "Demande refusée : le tableau de bord ne fait, sur demande, que des sauvegardes."}
    assert answer({"demande": "sauvegarde", "dossier": "relatif"}) == {
        "message": "Demande refusée : le dossier de la sauvegarde doit être un chemin absolu."}
    assert answer({"demande": "sauvegarde", "dossier": str(requests / "x")})["message"].endswith(
        "ne peut pas être celui des demandes.")
    assert answer(["sauvegarde"])["message"].startswith("Demande refusée")
    fake_backup(tmp_path, "pleine")
    assert "existe déjà et n'est pas un dossier vide" in answer({"demande": "sauvegarde",
                                                                   "dossier": str(tmp_path / "pleine")})["message"]
    with pytest.raises(backup.BackupError, match="n'est pas un chemin absolu"):
        schedule.ask_server(demo_file, Path("relatif"))


def test_a_paused_worker_serves_nothing_until_it_gets_a_connection(demo_file: Path, tmp_path: Path) -> None:
    conn = db.connect(demo_file)
    worker = schedule.Worker(demo_file, conn, None)
    worker.requests = schedule.open_requests_folder(demo_file)
    request = worker.requests / f"{'a' * 32}{schedule.REQUEST_SUFFIX}"
    request.write_text(json.dumps({"demande": "sauvegarde", "dossier": str(tmp_path / "b")}), encoding="utf-8")
    with worker.paused():
        pass
    worker.round()
    assert request.exists()  # no connection: not taken
    worker.use(conn)
    worker.round()
    assert not request.exists() and (tmp_path / "b" / backup.MANIFEST).is_file()
    conn.close()
    worker.round()  # its connection closed and none given: the worker ends
    assert worker._halt.is_set()


def test_the_command_line_without_an_answering_server(demo_file: Path, tmp_path: Path) -> None:
    requests = schedule.open_requests_folder(demo_file)
    # no server at all (never started, or its process is gone): said at once
    (requests / schedule.SERVER_FILE).write_text("999999999\n")
    with pytest.raises(backup.BackupError, match="ouverte en écriture par un autre programme qu'un tableau de bord"):
        schedule.ask_server(demo_file, tmp_path / "x")
    # a server that is alive but does not answer: the request is withdrawn after the wait
    (requests / schedule.SERVER_FILE).write_text(f"{os.getpid()}\n")
    started = time.monotonic()
    with pytest.raises(backup.BackupError, match="la base est ouverte par le tableau de bord, qui n'a pas répondu "
                                                 "en 1 s à la demande de sauvegarde"):
        schedule.ask_server(demo_file, tmp_path / "x", claim_timeout=1)
    assert 1 <= time.monotonic() - started < 5
    assert sorted(p.name for p in requests.iterdir()) == [schedule.SERVER_FILE]
    assert not (tmp_path / "x").exists()


def test_a_requests_folder_others_could_write_in_is_refused(demo_file: Path, tmp_path: Path) -> None:
    requests = schedule.requests_folder(demo_file)
    requests.mkdir(mode=0o700)
    requests.chmod(0o777)
    with pytest.raises(backup.BackupError, match="n'est pas réservé au compte du service"):
        schedule.ask_server(demo_file, tmp_path / "x")
    worker = schedule.Worker(demo_file, db.connect(demo_file), None)
    worker.stop()
    worker.run()  # refuses to serve, says why, does not raise
    assert worker.requests is None


def test_one_worker_per_process_and_base(demo_file: Path, tmp_path: Path) -> None:
    conn = db.connect(demo_file)
    first = schedule.start(demo_file, conn)
    try:
        # every new session calls it again (a cached connection is created once; a restore makes a new one)
        assert schedule.start(demo_file.parent / "." / demo_file.name, conn) is first
        with schedule.paused(demo_file):
            assert first._conn is None  # a restore is replacing the file: nothing reads it
        assert schedule.start(demo_file, conn) is first and first._conn is conn
    finally:
        first.stop()
        first.join(timeout=10)
        conn.close()
    assert not first.is_alive()
    conn = db.connect(demo_file)
    second = schedule.start(demo_file, conn)  # the old thread ended: a new one
    assert second is not first and second.is_alive()
    conn.close()
    second.join(timeout=10)
    assert not second.is_alive()  # its connection closed, none given: it ended by itself


def test_the_dashboard_restore_pauses_the_worker_and_hands_it_the_new_connection(
        demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from analytics.ui import widgets

    monkeypatch.setenv("GOUVERNANCE_DB", str(demo_file))
    monkeypatch.delenv("GOUVERNANCE_BACKUP_DIR", raising=False)
    old = widgets._connection(str(demo_file))
    worker = schedule.start(demo_file, old)  # the one _connection started
    content = backup.backup_zip(old)
    try:
        widgets.restore_database(content)
        new = widgets._connection(str(demo_file))
        assert new is not old and worker._conn is new and worker.is_alive()
        assert schedule.ask_server(demo_file, tmp_path / "apres")["rows"]["communes"] == 39
    finally:
        worker.stop()
        worker.join(timeout=10)
        widgets._connection(str(demo_file)).close()
        widgets._connection.clear()


def test_cli_backup_while_another_program_than_the_dashboard_holds_the_base(
        demo_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # an import (no backup thread) holds the base: said at once, no waiting, nothing written
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
                               "print('ouverte', flush=True); sys.stdin.read()", str(demo_file)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ouverte"
        started = time.monotonic()
        assert cli.main(["backup", str(tmp_path / "copie"), "--db", str(demo_file)]) == 1
        assert time.monotonic() - started < 10
    finally:
        holder.communicate("")
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (f"La base de données {demo_file} est ouverte en écriture par un autre programme qu'un "
                            "tableau de bord en service (un import, une autre commande…) : attendez qu'il finisse "
                            "puis réessayez.\n")
    assert not (tmp_path / "copie").exists()


def test_the_command_line_stops_waiting_when_the_server_dies_with_its_request(demo_file: Path,
                                                                              tmp_path: Path) -> None:
    requests = schedule.open_requests_folder(demo_file)
    (requests / schedule.SERVER_FILE).write_text(f"{os.getpid()}\n")

    def dying_server() -> None:
        # takes the request, then its process is gone (the pid file names a process that no longer exists)
        deadline = time.monotonic() + 10
        while not list(requests.glob("*" + schedule.REQUEST_SUFFIX)) and time.monotonic() < deadline:
            time.sleep(0.02)
        [request] = requests.glob("*" + schedule.REQUEST_SUFFIX)
        request.rename(request.with_name(request.name.replace(schedule.REQUEST_SUFFIX, schedule.CLAIMED_SUFFIX)))
        time.sleep(0.3)
        (requests / schedule.SERVER_FILE).write_text("999999999\n")

    server = threading.Thread(target=dying_server)
    server.start()
    started = time.monotonic()
    with pytest.raises(backup.BackupError, match="le tableau de bord s'est arrêté pendant la sauvegarde"):
        schedule.ask_server(demo_file, tmp_path / "x", claim_timeout=10)
    server.join()
    assert time.monotonic() - started < 5  # not the hour of RESULT_TIMEOUT


def test_answers_nobody_came_for_are_deleted_after_an_hour(demo_file: Path) -> None:
    conn = db.connect(demo_file)
    worker = schedule.Worker(demo_file, conn, None)
    worker.requests = schedule.open_requests_folder(demo_file)
    old, recent = (worker.requests / f"{c * 32}{schedule.RESULT_SUFFIX}" for c in "ab")
    for answer in (old, recent):
        answer.write_text("{}")
    hour_ago = time.time() - 3601
    os.utime(old, (hour_ago, hour_ago))
    worker.round()
    conn.close()
    assert not old.exists() and recent.exists()
