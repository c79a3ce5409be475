"""Backup and restore: one Parquet file per table and a manifest, a complete and portable copy of the database.

The manifest (sauvegarde.json, format 2) gives the schema version, the date, the rows of each table and the SHA-256
of each file. A restore checks all of it before it touches the base: the manifest's keys and types, every file
against its checksum, its row count and its columns; then it loads a staging copy beside the base, which replaces
the base only once it is whole. Anything wrong is a BackupError, in French, and the base is left as it was.

SHA-256 finds a file changed or damaged after the backup (rows removed, a bit flipped); it does not stop someone who
edits a file and writes its new checksum into the manifest as well: that would take a signing key, which a
portable backup does not have. Backups made before the checksums (format 1, no "sha256"): the command line
restores them with a warning that they could not be verified; the dashboard, which receives its backups by upload,
refuses them (unzip one and restore it from the command line).

An uploaded ZIP (restore_zip) is bounded before anything is decompressed: exactly the ten expected files, at most
ZIP_FACTOR times the upload limit once decompressed, no file more than MAX_ZIP_RATIO times smaller compressed than
decompressed (Parquet is already compressed: ours deflate 1.4 to 3 times; a ZIP bomb, about 1,000 times), and at
most MAX_UPLOAD_ROWS rows. The sizes come from the ZIP's headers, and are counted again while each file is
decompressed, chunk by chunk, to disk.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import tempfile
import zipfile
import zlib
from datetime import datetime
from pathlib import Path
from typing import Any, TypeGuard

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from analytics import settings
from analytics.store import db
from analytics.store.tallies import TALLIES_VERSION, refresh_tallies
from analytics.store.transaction import snapshot

# Tables in foreign-key order, each with the schema version that created it: a restore loads them in this order.
# Identifiers come only from this list.
_TABLE_SINCE = (("communes", 1), ("bodies", 1), ("persons", 1), ("memberships", 1), ("meetings", 1),
                ("attendance", 1), ("import_log", 1), ("change_log", 1), ("audit_events", 1),
                ("agenda_items", 6), ("attendance_spans", 6), ("replies", 7))
TABLES = tuple(name for name, _ in _TABLE_SINCE)


def tables_for(version: int) -> tuple[str, ...]:
    """The tables a base of this schema version holds, in foreign-key order."""
    return tuple(name for name, since in _TABLE_SINCE if since <= version)
SEQUENCES = {"persons": ("person_id_seq", "person_id"), "memberships": ("membership_id_seq", "membership_id"),
             "meetings": ("meeting_id_seq", "meeting_id"), "import_log": ("import_id_seq", "import_id"),
             "change_log": ("change_id_seq", "change_id"), "audit_events": ("audit_id_seq", "id")}
MANIFEST = "sauvegarde.json"
APPLICATION = "Gouvernance m2A"
PARTIAL_SUFFIX = ".partielle"  # a backup being written: .<name>.partielle beside its final folder
FORMAT = 2  # 2: the manifest carries "sha256"; 1 (no "format" key): a backup made before the checksums

MIB = 1024 * 1024
MAX_MANIFEST_BYTES = MIB  # a real manifest is 1 KB
ZIP_FACTOR = 10  # an uploaded backup holds at most 10 × the upload limit ($GOUVERNANCE_MAX_UPLOAD_MB) decompressed
MAX_ZIP_RATIO = 50  # decompressed / compressed size of one file, checked above RATIO_FLOOR
RATIO_FLOOR = MIB  # below it, a file may compress as well as it likes: it cannot weigh anything
MAX_UPLOAD_ROWS = 20_000_000  # twice the largest base measured (bench indicators, 10 M attendance rows)
_CHUNK = MIB
_SHA256 = re.compile(r"[0-9a-f]{64}")
_SHOWN = re.compile(r"[A-Za-z0-9_.-]{1,40}")
# A connection of the restore alone: DuckDB refuses it while this process holds the file with other settings
_RESTORER: dict[str, str | bool | int | float | list[str]] = {"custom_user_agent": "gouvernance-restauration"}


class BackupError(RuntimeError):
    """A backup that cannot be written or restored; the message is French."""


def backup(conn: duckdb.DuckDBPyConnection, folder: Path, *, named: Path | None = None) -> dict:
    """Write every table to `folder` (created if needed) inside one read transaction; return the manifest.

    `named`: the folder the messages name, when `folder` is a temporary one (backup_whole)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        cur = conn.cursor()
        with snapshot(cur):  # one consistent snapshot of all the tables
            counts, digests = {}, {}
            for table in tables_for(db.schema_version(conn)):
                data = cur.sql(f"SELECT * FROM {table}").to_arrow_table()
                path = folder / f"{table}.parquet"
                pq.write_table(data, path)
                counts[table], digests[table] = data.num_rows, _sha256(path)
            manifest = {"application": APPLICATION, "format": FORMAT, "schema_version": db.schema_version(conn),
                        "created_at": datetime.now().isoformat(timespec="seconds"), "rows": counts,
                        "sha256": digests}
        # the manifest comes last, whole or not at all: a backup cut short has none and is refused
        partial = folder / (MANIFEST + ".partiel")
        partial.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(partial, folder / MANIFEST)
    except OSError as exc:
        raise BackupError(f"Sauvegarde impossible dans {named or folder} : {db.disk_cause(exc)}.") from exc
    return manifest


def backup_whole(conn: duckdb.DuckDBPyConnection, folder: Path) -> dict:
    """Like backup(), but into a hidden folder beside `folder`, renamed to it once whole: a backup cut short (a
    crash, a full disk) is never seen under its name. `folder` must not exist, or be empty."""
    partial = folder.with_name(f".{folder.name}{PARTIAL_SUFFIX}")
    try:
        if folder.is_symlink() or (folder.exists() and (not folder.is_dir() or any(folder.iterdir()))):
            raise BackupError(f"Sauvegarde refusée : {folder} existe déjà et n'est pas un dossier vide ; donnez "
                              "un dossier nouveau.")
        if partial.exists():  # left by a backup a crash interrupted: its name says it is ours
            shutil.rmtree(partial)
        manifest = backup(conn, partial, named=folder)
        os.rename(partial, folder)  # POSIX: replaces an empty folder in one step
    except OSError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise BackupError(f"Sauvegarde impossible dans {folder} : {db.disk_cause(exc)}.") from exc
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return manifest


def verified(manifest: dict) -> bool:
    """Whether the files of this backup were checked against their SHA-256 (False: a backup of format 1)."""
    return "sha256" in manifest


def read_manifest(folder: Path) -> dict:
    """The manifest of a backup folder, its keys and types checked, and its files present; else BackupError."""
    path = folder / MANIFEST
    try:
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            raise BackupError(_refused(f"le fichier {MANIFEST} de {folder} est bien trop grand pour un manifeste"))
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(_refused(f"{folder} n'est pas une sauvegarde de Gouvernance m2A "
                                   f"(fichier {MANIFEST} absent ou illisible)")) from exc
    manifest = _checked_manifest(raw, folder)
    missing = [t for t in tables_for(manifest["schema_version"]) if not (folder / f"{t}.parquet").is_file()]
    if missing:
        raise BackupError(_refused(f"sauvegarde incomplète dans {folder} : il manque {', '.join(missing)}"))
    return manifest


def restore(folder: Path, target: str | Path | None = None) -> dict:
    """Replace the database at `target` with the backup in `folder`; the old file stays until the copy is whole.

    Returns the manifest, with "warnings": French sentences to show (a backup without checksums, an unreadable
    base kept aside)."""
    return _restore(folder, target, upload=False)


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
    """Restore from a ZIP made by backup_zip (an upload): its sizes are bounded before and while it is read, only
    the expected file names are accepted (no path), and a backup without checksums is refused."""
    limit = ZIP_FACTOR * settings.max_upload_mb() * MIB
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise BackupError("Ce fichier n'est pas une sauvegarde ZIP de Gouvernance m2A.") from exc
    with archive, tempfile.TemporaryDirectory() as folder:
        members = _checked_members(archive, limit)
        _extract(archive, members, Path(folder), limit)
        return _restore(Path(folder), target, upload=True)


# --- restore ----------------------------------------------------------------------------------------------------

def _restore(folder: Path, target: str | Path | None, *, upload: bool) -> dict:
    manifest = read_manifest(folder)
    warnings = []
    if not verified(manifest):
        if upload:
            raise BackupError(_refused(
                "cette sauvegarde date d'avant les empreintes SHA-256 : son intégrité ne peut pas être vérifiée, et "
                "le tableau de bord ne restaure que des sauvegardes vérifiables. Un administrateur peut la restaurer "
                "sur le serveur : décompressez-la dans un dossier, puis « python -m analytics restore DOSSIER »"))
        warnings.append("Attention : cette sauvegarde date d'avant les empreintes SHA-256 : son intégrité n'a pas "
                        "pu être vérifiée (seuls ses nombres de lignes l'ont été). Refaites une sauvegarde "
                        "maintenant.")
    columns = _checked_files(folder, manifest, MAX_UPLOAD_ROWS if upload else None)
    path = db.db_path(target)
    unreadable = path.exists() and _held_or_unreadable(path)
    staging = path.with_name(path.name + ".restauration")
    try:
        _stage(folder, manifest, columns, staging)
    except BaseException:
        for stale in (staging, staging.with_name(staging.name + ".wal")):
            stale.unlink(missing_ok=True)
        raise
    try:
        if unreadable:
            kept = path.with_name(path.name + ".illisible")
            os.replace(path, kept)
            warnings.append(f"L'ancienne base, illisible, est gardée sous {kept} ; supprimez-la quand vous n'en "
                            "aurez plus besoin.")
        path.with_name(path.name + ".wal").unlink(missing_ok=True)
        os.replace(staging, path)
    except OSError as exc:
        staging.unlink(missing_ok=True)
        raise BackupError(_refused(f"la base n'a pas pu être remplacée : {db.disk_cause(exc)}")) from exc
    db.rewrite_marker(path).unlink(missing_ok=True)  # a new file: no free block holds an erased name
    return manifest | {"warnings": warnings}


def _stage(folder: Path, manifest: dict, columns: dict[str, list[str]], staging: Path) -> None:
    """Load the backup into a new file beside the base; BackupError (and no file) when anything is refused."""
    for stale in (staging, staging.with_name(staging.name + ".wal")):
        stale.unlink(missing_ok=True)
    table = None
    try:
        conn = duckdb.connect(str(staging))
    except duckdb.Error as exc:
        raise BackupError(_refused(f"la copie n'a pas pu être créée : {_cause(exc)}")) from exc
    try:
        db.migrate(conn, up_to=manifest["schema_version"])
        cur = conn.cursor()
        _check_columns(cur, columns, manifest["schema_version"])
        cur.execute("BEGIN TRANSACTION")  # not committed on failure: the staging file is deleted whole
        for table in tables_for(manifest["schema_version"]):
            # the columns were checked: BY NAME puts each in its place, whatever the order in the file
            cur.execute(f"INSERT INTO {table} BY NAME SELECT * FROM read_parquet(?)",
                        [str(folder / f"{table}.parquet")])
        table = None
        for name, (sequence, column) in SEQUENCES.items():
            # sequences restart past the restored ids so that new rows never collide with them
            highest = cur.execute(f"SELECT coalesce(max({column}), 0) FROM {name}").fetchall()[0][0]
            cur.execute(f"SELECT max(nextval('{sequence}')) FROM range(?)", [highest])
        if manifest["schema_version"] >= TALLIES_VERSION:
            # the pre-aggregated counts are not in the backup: they are counted again from the restored rows
            # (an older backup gets them from the migration that creates them, just below)
            refresh_tallies(cur)
        cur.execute("COMMIT")
        db.migrate(conn)
        counts = {t: cur.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
                  for t in tables_for(manifest["schema_version"])}
    except (duckdb.Error, OSError) as exc:
        if db.disk_cause(exc) is not None or table is None:
            raise BackupError(_refused(f"la copie n'a pas pu être écrite : {_cause(exc)}")) from exc
        raise BackupError(_refused(
            f"le contenu de {table}.parquet n'entre pas dans la table {table} (valeur d'un autre type, doublon, "
            "référence à une ligne absente ou valeur interdite)")) from exc
    finally:
        conn.close()
    if counts != manifest["rows"]:
        raise BackupError(_refused("les nombres de lignes restaurés diffèrent de ceux de la sauvegarde"))


def _held_or_unreadable(path: Path) -> bool:
    """Refuse a base another program (or this one, elsewhere) holds; True when the file cannot be read at all —
    a restore is then the way out, and the file is kept aside."""
    try:
        conn = duckdb.connect(str(path), config=_RESTORER)
    except duckdb.ConnectionException as exc:
        raise BackupError(_refused("la base est encore ouverte par ce programme ; fermez-la puis réessayez")) from exc
    except duckdb.Error as exc:
        failure = db.open_failure(exc, path)
        if failure.reason == "unreadable":
            return True
        raise failure from exc
    conn.close()
    return False


# --- checks of the manifest and of the files --------------------------------------------------------------------

def _checked_manifest(raw: Any, folder: Path) -> dict:
    """The manifest's keys and types, each refused with its own French reason."""
    if not isinstance(raw, dict) or raw.get("application") != APPLICATION:
        raise BackupError(_refused(f"{folder} n'est pas une sauvegarde de Gouvernance m2A (en-tête du fichier "
                                   f"{MANIFEST} absent)"))

    def bad(key: str, expected: str) -> BackupError:
        return BackupError(_refused(f"le fichier {MANIFEST} a été modifié ou abîmé : « {key} » doit être "
                                    f"{expected}"))

    version_format = raw.get("format", 1)
    if not _is_count(version_format) or version_format < 1:
        raise bad("format", "un entier")
    version = raw.get("schema_version")
    if not _is_count(version) or version < 1:
        raise bad("schema_version", "un entier positif")
    if version_format > FORMAT or version > len(db.migrations()):
        raise BackupError(_refused("cette sauvegarde vient d'une version plus récente du logiciel : mettez-le à "
                                   "jour d'abord"))
    created = raw.get("created_at")
    if not isinstance(created, str) or not _is_datetime(created):
        raise bad("created_at", "une date et heure AAAA-MM-JJTHH:MM:SS")
    tables = tables_for(version)
    rows = _per_table(raw.get("rows"), "rows", _is_count, "un nombre de lignes", tables)
    manifest = {"application": APPLICATION, "format": version_format, "schema_version": version,
                "created_at": created, "rows": rows}
    if "sha256" in raw:
        manifest["sha256"] = _per_table(raw["sha256"], "sha256",
                                        lambda v: isinstance(v, str) and bool(_SHA256.fullmatch(v)),
                                        "une empreinte SHA-256 (64 chiffres hexadécimaux)", tables)
    elif version_format >= 2:
        raise bad("sha256", "présent : une sauvegarde de ce format a toujours ses empreintes")
    return manifest


def _per_table(value: Any, key: str, valid: Any, expected: str, tables: tuple[str, ...]) -> dict:
    """A mapping of exactly the tables of the backup's schema version to valid values."""
    if not isinstance(value, dict):
        raise BackupError(_refused(f"le fichier {MANIFEST} a été modifié ou abîmé : « {key} » doit donner, pour "
                                   f"chaque table, {expected}"))
    unknown = [name for name in value if name not in tables]
    if unknown:
        raise BackupError(_refused(f"le fichier {MANIFEST} nomme une table inconnue ({_shown(unknown[0])}) dans "
                                   f"« {key} »"))
    missing = [name for name in tables if name not in value]
    if missing:
        raise BackupError(_refused(f"le fichier {MANIFEST} ne donne pas « {key} » pour la table {missing[0]}"))
    wrong = [name for name in tables if not valid(value[name])]
    if wrong:
        raise BackupError(_refused(f"le fichier {MANIFEST} a été modifié ou abîmé : « {key} » de la table "
                                   f"{wrong[0]} doit être {expected}"))
    return {name: value[name] for name in tables}


def _checked_files(folder: Path, manifest: dict, max_rows: int | None) -> dict[str, list[str]]:
    """Every file against its checksum, then its rows and columns as Parquet says; return the columns."""
    digests = manifest.get("sha256")
    columns = {}
    for table in tables_for(manifest["schema_version"]):
        path = folder / f"{table}.parquet"
        try:
            if digests is not None and _sha256(path) != digests[table]:
                raise BackupError(_refused(
                    f"le fichier {table}.parquet ne correspond pas à son empreinte SHA-256 : il a été modifié ou "
                    "abîmé depuis la sauvegarde"))
            parquet = pq.ParquetFile(path)
            try:
                rows, names = parquet.metadata.num_rows, list(parquet.schema_arrow.names)
            finally:
                parquet.close()
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise BackupError(_refused(f"le fichier {table}.parquet n'est pas un fichier Parquet lisible")) from exc
        if rows != manifest["rows"][table]:
            raise BackupError(_refused(f"le fichier {table}.parquet contient {rows} lignes, le manifeste en annonce "
                                       f"{manifest['rows'][table]}"))
        columns[table] = names
    total = sum(manifest["rows"].values())
    if max_rows is not None and total > max_rows:
        raise BackupError(_refused(f"la sauvegarde compte {total} lignes, plus que les {max_rows} qu'accepte le "
                                   "tableau de bord ; restaurez-la en ligne de commande"))
    return columns


def _check_columns(cur: duckdb.DuckDBPyConnection, columns: dict[str, list[str]], version: int) -> None:
    """Each file has exactly the columns of its table at the backup's schema version."""
    for table in tables_for(version):
        expected = [row[0] for row in cur.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ? "
            "ORDER BY ordinal_position", [table]).fetchall()]
        if not expected:
            raise BackupError(_refused(f"la table {table} n'existe pas dans le schéma version {version} de la "
                                       "sauvegarde"))
        names = columns[table]
        if sorted(names) != sorted(expected):
            missing = [name for name in expected if name not in names]
            extra = len([name for name in names if name not in expected]) + len(names) - len(set(names))
            detail = ", ".join(part for part in (
                f"il manque {', '.join(missing)}" if missing else "",
                f"{extra} colonne(s) inconnue(s) ou en double" if extra else "") if part)
            raise BackupError(_refused(f"le fichier {table}.parquet n'a pas les colonnes de la table {table} "
                                       f"({detail})"))


# --- the ZIP of an upload ---------------------------------------------------------------------------------------

def _checked_members(archive: zipfile.ZipFile, limit: int) -> list[zipfile.ZipInfo]:
    """The archive's entries, refused unless they are exactly the expected files, of bounded sizes."""
    infos = archive.infolist()
    names = [info.filename for info in infos]
    # the files of a backup at one of the schema versions that created tables (the newest when none fits)
    layouts = [[MANIFEST, *(f"{t}.parquet" for t in tables_for(since))]
               for since in sorted({since for _, since in _TABLE_SINCE}, reverse=True)]
    expected = next((files for files in layouts if sorted(files) == sorted(names)), layouts[0])
    if len(infos) != len(expected) or sorted(names) != sorted(expected):
        unknown = [name for name in names if name not in expected]
        missing = [name for name in expected if name not in names]
        doubled = sorted({name for name in names if name in expected and names.count(name) > 1})
        detail = "; ".join(part for part in (
            f"fichier inattendu : {_shown(unknown[0])}" if unknown else "",
            f"il manque {', '.join(missing)}" if missing else "",
            f"{', '.join(doubled)} en double" if doubled else "") if part)
        count = f"contient {len(infos)} fichiers, pas les {len(expected)}" if len(infos) != len(expected) else \
            "n'a pas les fichiers"
        raise BackupError(_refused(f"l'archive {count} d'une sauvegarde ({detail})"))
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise BackupError(_refused(f"{info.filename} est chiffré dans l'archive"))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise BackupError(_refused(f"{info.filename} est compressé d'une façon que le logiciel n'écrit pas"))
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
            raise BackupError(_refused(
                f"{info.filename} se décompresserait en {_size(info.file_size)} pour {_size(info.compress_size)} "
                "compressés : ce n'est pas une sauvegarde (bombe de décompression)"))
        total += info.file_size
    if total > limit:
        raise BackupError(_refused(f"l'archive se décompresserait en {_size(total)}, plus que les {_size(limit)} "
                                   f"permis ({ZIP_FACTOR} fois la taille maximale d'un envoi)"))
    return infos


def _extract(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], folder: Path, limit: int) -> None:
    """Decompress each member to disk, chunk by chunk, counting what comes out against the declared sizes."""
    total = 0
    for info in members:
        written = 0
        try:
            with archive.open(info) as source, open(folder / info.filename, "wb") as sink:
                while chunk := source.read(_CHUNK):
                    written += len(chunk)
                    total += len(chunk)
                    if written > info.file_size or total > limit:
                        raise BackupError(_refused(f"{info.filename} est plus grand que ne l'annonce l'archive"))
                    sink.write(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
            if isinstance(exc, BackupError):
                raise
            raise BackupError(_refused(f"l'archive est abîmée ({info.filename} ne se décompresse pas)")) from exc
        except OSError as exc:
            raise BackupError(_refused(f"décompression impossible : {db.disk_cause(exc)}")) from exc
        if written != info.file_size:
            raise BackupError(_refused(f"l'archive est abîmée ({info.filename} est incomplet)"))


# --- small helpers ----------------------------------------------------------------------------------------------

def _refused(reason: str) -> str:
    return f"Restauration refusée : {reason}. La base n'a pas été modifiée."


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _is_count(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_datetime(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _cause(exc: BaseException) -> str:
    return db.disk_cause(exc) or "erreur de la base de données"


def _shown(text: str) -> str:
    # a name from the file, shown only when it is plainly a file or table name (messages go through markdown)
    return text if _SHOWN.fullmatch(text) else "nom illisible"


def _size(count: int) -> str:
    return f"{count / MIB:.1f} Mo" if count >= MIB else f"{count} octets"
