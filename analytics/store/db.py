"""The DuckDB file: where it is, opening it, upgrading its schema in place, and rewriting it after an erasure."""

from __future__ import annotations

import errno
import os
import re
import shutil
import time
from collections.abc import Iterator
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


# A DuckDB file starts with three 4 KiB headers, then its blocks: a file shorter than that was truncated.
_FILE_HEADERS = 3 * 4096
# Beside the database: the file holds erased values in its free blocks until rewrite() copies it (see there).
REWRITE_SUFFIX = ".reecriture-due"
# A connection opened by rewrite() alone: DuckDB refuses it while this process has the file open with other settings
_REWRITER: dict[str, str | bool | int | float | list[str]] = {"custom_user_agent": "gouvernance-reecriture"}
# What the operating system said, in French, for the errors a full or protected disk gives
_DISK_CAUSES = (("no space left", "le disque est plein"), ("disk full", "le disque est plein"),
                ("quota", "le quota du disque est dépassé"),
                ("file too large", "le fichier dépasse la taille permise par le système"),
                ("read-only file system", "le disque est en lecture seule"),
                ("permission denied", "les droits sur le fichier ou son dossier sont insuffisants"))
_ERRNO_CAUSES = {errno.ENOSPC: "le disque est plein", errno.EDQUOT: "le quota du disque est dépassé",
                 errno.EFBIG: "le fichier dépasse la taille permise par le système",
                 errno.EROFS: "le disque est en lecture seule",
                 errno.EACCES: "les droits sur le fichier ou son dossier sont insuffisants",
                 errno.EPERM: "les droits sur le fichier ou son dossier sont insuffisants"}
# DuckDB's words for a file it cannot trust: a bad checksum, a short read, a header that is not its own
_DAMAGE_WORDS = ("corrupt", "checksum", "could not read enough bytes", "not a valid duckdb database",
                 "serialization", "deserializ")


class DatabaseUnavailable(RuntimeError):
    """The database file cannot be opened or written; the message is French and meant for the user.

    `reason` says why, for the callers that act on it: "missing", "locked", "unreadable" (truncated, damaged, not
    a DuckDB file), "version" (another DuckDB storage version), "storage" (full or protected disk)."""

    def __init__(self, message: str, reason: str = "unreadable") -> None:
        super().__init__(message)
        self.reason = reason


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
    if applied:
        # DuckDB 2.0 cannot replay a DROP TABLE (migration 009) from its journal without downloading an extension
        # it has built in: a crash would leave a base that no longer opens offline. Checkpointed, the journal never
        # holds a migration.
        cur.execute("CHECKPOINT")
    return current


def connect(path: str | Path | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the database (creating it with schema and reference data if new) or raise DatabaseUnavailable.

    A truncated or damaged file, a full disk, a file held by another program: each gives a French message, and the
    file is left as it was. A rewrite left due by an erasure (rewrite()) is done first, when this process holds no
    other connection to the file."""
    target = db_path(path)
    if read_only and not target.exists():
        raise DatabaseUnavailable(f"La base de données {target} n'existe pas. Lancez « make demo » ou un import.",
                                  "missing")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _disk_failure(target, disk_cause(exc) or "erreur du système") from exc
    if not read_only and rewrite_marker(target).exists():
        _rewrite_if_alone(target)
    try:
        conn = duckdb.connect(str(target), read_only=read_only)
    except duckdb.Error as exc:
        raise open_failure(exc, target) from exc
    try:
        _check_readable(conn, target)
        if not read_only:
            migrate(conn)
            reference.load(conn)
            finish_erasures(conn)  # completes an erasure a crash interrupted
    except BaseException as exc:
        _close_quietly(conn)
        failure = write_failure(exc, target) if isinstance(exc, duckdb.Error | OSError) else None
        if failure is None:
            raise
        raise failure from exc
    return conn


def write_failure(exc: BaseException, target: str | Path) -> DatabaseUnavailable | None:
    """The French message for an error that comes from the database file or its disk (full, protected, damaged),
    None for any other error. DuckDB's own message (English, with paths) is not repeated: it stays the cause."""
    target = Path(target)
    cause = disk_cause(exc)
    if cause is not None:
        return _disk_failure(target, cause)
    if any(isinstance(e, duckdb.Error) and any(w in str(e).lower() for w in _DAMAGE_WORDS) for e in _causes(exc)):
        return _unreadable(target)
    return None


def disk_cause(exc: BaseException) -> str | None:
    """Why the disk refused a write, in French ("le disque est plein"…), or None when the error is not the disk's."""
    for cause in _causes(exc):
        if isinstance(cause, OSError):
            return _ERRNO_CAUSES.get(cause.errno or 0,
                                     f"erreur du système ({cause.strerror or cause.__class__.__name__})")
        if not isinstance(cause, duckdb.Error):
            continue
        text = str(cause).lower()
        for words, french in _DISK_CAUSES:
            if words in text:
                return french
        if any(words in text for words in _DAMAGE_WORDS):
            return None
        if isinstance(cause, duckdb.IOException | duckdb.FatalException) or "could not write" in text:
            return "le système a refusé une lecture ou une écriture"
    return None


def open_failure(exc: duckdb.Error, target: str | Path) -> DatabaseUnavailable:
    """The French message for a file DuckDB cannot open: held by another program, damaged, of another version."""
    target = Path(target)
    text = str(exc).lower()
    if "could not set lock" in text or "conflicting lock" in text:
        return DatabaseUnavailable(
            f"La base de données {target} est ouverte en écriture par un autre programme "
            "(tableau de bord, import…). Fermez-le puis réessayez.", "locked")
    if "version" in text and ("newer" in text or "older" in text or "storage" in text):
        return DatabaseUnavailable(
            f"La base de données {target} a été écrite par une autre version de DuckDB que celle installée : "
            "installez les versions de requirements.lock, ou restaurez une sauvegarde.", "version")
    return write_failure(exc, target) or _unreadable(target)


def database_file(conn: duckdb.DuckDBPyConnection) -> Path | None:
    """The file of the connection's database (None in memory)."""
    rows = conn.cursor().execute(
        "SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()
    return Path(rows[0][0]).resolve() if rows and rows[0][0] else None


def checkpoint(conn: duckdb.DuckDBPyConnection, attempts: int = 20) -> bool:
    """Write the write-ahead log into the file and empty it; False if other sessions kept transactions open the
    whole time (DuckDB refuses then; it checkpoints by itself later, and at the latest when the file is closed)."""
    cur = conn.cursor()
    for attempt in range(attempts):
        try:
            cur.execute("CHECKPOINT")
            return True
        except duckdb.TransactionException:
            time.sleep(0.05 * (attempt + 1))
    return False


def rewrite_marker(path: str | Path) -> Path:
    """The file that says a rewrite of the database is due: <base>.reecriture-due."""
    target = db_path(path)
    return target.with_name(target.name + REWRITE_SUFFIX)


def schedule_rewrite(conn: duckdb.DuckDBPyConnection) -> Path | None:
    """Note that the database of `conn` must be rewritten (an erasure); return the marker, None in memory."""
    path = database_file(conn)
    if path is None:
        return None
    marker = rewrite_marker(path)
    marker.write_text("Une personne a été effacée : le fichier garde son nom dans des blocs libres jusqu'à sa "
                      "réécriture, faite à la prochaine ouverture par un programme seul sur la base.\n",
                      encoding="utf-8")
    return marker


def rewrite(path: str | Path) -> bool:
    """Copy the database into a new file that takes its place, so that no free block keeps an erased value.

    DuckDB does not overwrite the blocks an update or a deletion frees: the old values stay in the file (and a
    `strings` shows them) until the blocks are reused. The copy (COPY FROM DATABASE: tables, constraints, sequences
    and macros) holds only the live rows; it replaces the file atomically, while the lock on the old one is still
    held, and the old file's blocks leave with it. Refused (DatabaseUnavailable) when another program holds the
    file; False, the rewrite staying due, when this process has the file open elsewhere (the dashboard's shared
    connection: it is rewritten at the next start). The file is left as it was on any failure."""
    target = db_path(path)
    marker = rewrite_marker(target)
    if not target.exists():
        marker.unlink(missing_ok=True)
        return False
    try:
        conn = duckdb.connect(str(target), config=_REWRITER)
    except duckdb.ConnectionException:
        return False  # this process holds the file through another connection: not now
    except duckdb.Error as exc:
        raise open_failure(exc, target) from exc
    fresh = target.with_name(target.name + ".reecriture")
    try:
        for stale in _with_wal(fresh):
            stale.unlink(missing_ok=True)
        cur = conn.cursor()
        cur.execute("CHECKPOINT")
        name = cur.execute("SELECT current_database()").fetchall()[0][0]
        alias = _quoted(f"{name}_reecriture")
        literal = str(fresh).replace("'", "''")
        cur.execute(f"ATTACH '{literal}' AS {alias}")
        try:
            cur.execute(f"COPY FROM DATABASE {_quoted(name)} TO {alias}")
            _check_copy(cur, name, f"{name}_reecriture", target)
        finally:
            cur.execute(f"DETACH {alias}")
        if _with_wal(target)[1].exists():  # the checkpoint emptied it; the new file must not inherit a log
            raise _rewrite_failed(target)
        shutil.copymode(target, fresh)
        os.replace(fresh, target)
    except BaseException as exc:
        for stale in _with_wal(fresh):
            stale.unlink(missing_ok=True)
        if isinstance(exc, duckdb.Error | OSError):
            raise write_failure(exc, target) or _rewrite_failed(target) from exc
        raise
    finally:
        _close_quietly(conn)  # the old file, now unlinked: nothing of it stays on the path
    marker.unlink(missing_ok=True)
    return True


def _rewrite_if_alone(target: Path) -> None:
    # at an opening: a due rewrite is done when possible; if the disk refuses, the file opens as it is and the
    # rewrite stays due (a lock or damage is reported by the opening itself, just after)
    try:
        rewrite(target)
    except DatabaseUnavailable:
        pass


def _check_copy(cur: duckdb.DuckDBPyConnection, source: str, copy: str, target: Path) -> None:
    """The copy has every table with as many rows, every sequence at the same value: else it is not used."""
    def state(database: str) -> tuple[list, list]:
        tables = [row[0] for row in cur.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ? ORDER BY table_name",
            [database]).fetchall()]
        counts = [(table, cur.execute(f"SELECT count(*) FROM {_quoted(database)}.main.{_quoted(table)}")
                   .fetchall()[0][0]) for table in tables]
        sequences = cur.execute("SELECT sequence_name, last_value FROM duckdb_sequences() WHERE database_name = ? "
                                "ORDER BY sequence_name", [database]).fetchall()
        return counts, sequences

    if state(source) != state(copy):
        raise _rewrite_failed(target)


def _check_readable(conn: duckdb.DuckDBPyConnection, target: Path) -> None:
    """Refuse a truncated or damaged file before anything writes to it. DuckDB checks a block's checksum only when
    a query reads the block: a file shorter than its blocks, or a damaged row, would otherwise fail on some page,
    later. Every row of every table is read once (about 10 ms for the demo base); a damaged index or free block
    is found only when used."""
    cur = conn.cursor()
    # (no comparison of the file size with the block count: while this process already has the file open, blocks
    # it allocated are not on disk yet, and a sound file would be called truncated)
    tables = cur.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
                         "AND schema_name = 'main'").fetchall()
    for (table,) in tables:
        cur.execute(f"SELECT count(*), min(hash(COLUMNS(*))) FROM main.{_quoted(table)}").fetchall()


def _unreadable(target: Path) -> DatabaseUnavailable:
    return DatabaseUnavailable(
        f"La base de données {target} est illisible : le fichier est tronqué, endommagé ou n'est pas une base de "
        "Gouvernance m2A. Il n'a pas été modifié. Restaurez la dernière sauvegarde "
        "(python -m analytics restore DOSSIER), qui le remplace.", "unreadable")


def _rewrite_failed(target: Path) -> DatabaseUnavailable:
    return DatabaseUnavailable(
        f"Réécriture de la base de données {target} abandonnée : la copie n'a pas pu être faite à l'identique. Le "
        "fichier n'a pas été modifié ; la réécriture reste à faire (à la prochaine ouverture).", "storage")


def _disk_failure(target: Path, cause: str) -> DatabaseUnavailable:
    return DatabaseUnavailable(
        f"Écriture impossible dans la base de données {target} : {cause}. L'opération en cours est annulée et la "
        "base reste dans son dernier état enregistré ; libérez de la place (ou corrigez les droits) puis "
        "recommencez.", "storage")


def _causes(exc: BaseException) -> Iterator[BaseException]:
    # a failed COMMIT is often followed by a failed ROLLBACK: the disk error is the context of the second one
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _with_wal(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + ".wal")]


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _close_quietly(conn: duckdb.DuckDBPyConnection) -> None:
    try:
        conn.close()
    except duckdb.Error:
        pass  # a database invalidated by a fatal error closes with an error of its own
