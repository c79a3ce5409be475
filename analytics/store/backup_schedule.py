"""Backups while the dashboard runs: a daily schedule the server keeps, and the backups the command line asks it for.

DuckDB lets one process write a file: while the dashboard holds the base, `python -m analytics backup DIR` cannot
open it. So the dashboard's process runs one worker thread (started with its connection, once per process), which
reads the base through its own cursor of that connection and

- once a day, from $GOUVERNANCE_BACKUP_HOUR (server time), writes a backup into $GOUVERNANCE_BACKUP_DIR/<date and
  time>/ (written hidden, then renamed: see backup.backup_whole), then deletes the oldest of those dated folders
  beyond $GOUVERNANCE_BACKUP_KEEP. Nothing else in the folder is ever deleted. A backup that fails is tried again
  RETRY_AFTER later; a server that was stopped at the hour makes up for it when it next holds the base;
- every POLL_SECONDS, answers the requests of the command line: a file <id>.demande.json in <base>.demandes/ (a
  folder of the service's account alone, 0700), claimed by renaming it, answered by <id>.resultat.json. A request
  may ask for one thing only: a backup into an absolute folder, new or empty, that the server's account can write.

This module knows no Streamlit: analytics.ui starts the worker, the command line calls ask_server().
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import re
import shutil
import stat
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from analytics import settings
from analytics.store import backup, db
from analytics.wording.format import number

STAMP_FORMAT = "%Y-%m-%dT%H%M%S"  # the name of a scheduled backup: 2026-12-01T020000 (no colon: any file system)
_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{6}")
REQUESTS_SUFFIX = ".demandes"
REQUEST_SUFFIX = ".demande.json"
CLAIMED_SUFFIX = ".en-cours.json"
RESULT_SUFFIX = ".resultat.json"
SERVER_FILE = "serveur.pid"  # the process that answers, written when its worker starts
REQUEST_KIND = "sauvegarde"  # the only thing a request may ask
_REQUEST_ID = re.compile(r"[0-9a-f]{32}")
MAX_REQUEST_BYTES = 4096  # a real request is 200 bytes
POLL_SECONDS = 1.0
CLAIM_TIMEOUT = 60.0  # seconds the command line waits for the server to take its request
RESULT_TIMEOUT = 3600.0  # then for the backup itself (measured: demo base 0.1 s; 1 M attendance rows 1.5 s)
RETRY_AFTER = timedelta(minutes=15)
STALE_AFTER = timedelta(hours=1)  # answers nobody came for are deleted after this

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Schedule:
    """Where, at what hour and how many scheduled backups."""

    folder: Path
    hour: int
    keep: int


def schedule_from_environment() -> tuple[Schedule | None, list[str]]:
    """The schedule $GOUVERNANCE_BACKUP_DIR/_HOUR/_KEEP give (None: no folder, no schedule), and French warnings
    for the values that were not understood (the defaults are used instead)."""
    warnings = []
    for variable, value, expected in (
            (settings.BACKUP_HOUR_VARIABLE, settings.backup_hour(), "une heure de 0 à 23"),
            (settings.BACKUP_KEEP_VARIABLE, settings.backup_keep(), "un nombre entier, 1 au moins")):
        given = os.environ.get(variable, "").strip()
        if given and given != str(value):
            warnings.append(f"{variable}={given} n'est pas compris (attendu : {expected}) ; valeur utilisée : "
                            f"{value}.")
    folder = settings.backup_dir()
    if folder is not None and not folder.is_absolute():
        warnings.append(f"{settings.BACKUP_DIR_VARIABLE}={folder} n'est pas un chemin absolu : aucune sauvegarde "
                        "planifiée.")
        folder = None
    if folder is None:
        return None, warnings
    return Schedule(folder, settings.backup_hour(), settings.backup_keep()), warnings


# --- the schedule ---------------------------------------------------------------------------------------------

def last_slot(now: datetime, hour: int) -> datetime:
    """The most recent time a daily backup at `hour` was due, at or before `now`."""
    today = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return today if today <= now else today - timedelta(days=1)


def scheduled_backups(folder: Path) -> list[tuple[datetime, Path]]:
    """The scheduled backups in `folder`, oldest first: the folders named by a date and time that hold a manifest
    (a folder named otherwise, a manual backup say, is none of the schedule's business)."""
    found = []
    try:
        entries = list(folder.iterdir())
    except FileNotFoundError:
        return []
    except NotADirectoryError as exc:
        raise backup.BackupError(f"{folder} n'est pas un dossier.") from exc
    except OSError as exc:
        raise backup.BackupError(f"Le dossier des sauvegardes {folder} est illisible : {_system_cause(exc)}.") \
            from exc
    for entry in entries:
        if not _STAMP.fullmatch(entry.name) or entry.is_symlink() or not (entry / backup.MANIFEST).is_file():
            continue
        try:
            found.append((datetime.strptime(entry.name, STAMP_FORMAT), entry))
        except ValueError:  # 2026-13-45T…: the shape of a stamp, not a date
            continue
    return sorted(found)


def is_due(now: datetime, hour: int, taken: list[datetime]) -> bool:
    """Whether a backup is due: none was taken since the last time one was due."""
    slot = last_slot(now, hour)
    return not any(slot <= moment <= now for moment in taken)


def beyond(kept: list[tuple[datetime, Path]], keep: int) -> list[Path]:
    """The backups to delete so that the newest `keep` remain (`kept` oldest first)."""
    return [path for _, path in kept[:max(0, len(kept) - keep)]]


def take_scheduled(conn: duckdb.DuckDBPyConnection, schedule: Schedule, now: datetime) -> tuple[Path, list[Path]]:
    """Write today's backup into the schedule's folder, then delete the oldest beyond `keep`; return the new
    folder and the deleted ones. BackupError (in French) when it cannot be written; nothing is deleted then."""
    try:
        schedule.folder.mkdir(parents=True, exist_ok=True)
        for stale in schedule.folder.glob(f".*{backup.PARTIAL_SUFFIX}"):
            shutil.rmtree(stale, ignore_errors=True)  # a backup a crash interrupted
    except OSError as exc:
        raise backup.BackupError(f"Sauvegarde planifiée impossible dans {schedule.folder} : "
                                 f"{_system_cause(exc)}.") from exc
    target = schedule.folder / now.strftime(STAMP_FORMAT)
    backup.backup_whole(conn, target)
    deleted = []
    for old in beyond(scheduled_backups(schedule.folder), schedule.keep):
        try:
            shutil.rmtree(old)
        except OSError as exc:
            log.warning("Sauvegarde ancienne %s impossible à supprimer : %s.", old, _system_cause(exc))
            continue
        deleted.append(old)
    return target, deleted


# --- the requests of the command line ---------------------------------------------------------------------------

def requests_folder(base: Path) -> Path:
    """The folder of the requests to the server that holds `base`: <base>.demandes beside it."""
    return base.with_name(base.name + REQUESTS_SUFFIX)


def open_requests_folder(base: Path) -> Path:
    """The requests folder, created 0700 if missing; BackupError when it exists but another account could write
    in it (its owner, or its permissions): nobody else may ask the server for anything."""
    folder = requests_folder(base)
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
    except OSError as exc:
        raise backup.BackupError(f"Le dossier des demandes {folder} ne peut pas être créé : "
                                 f"{_system_cause(exc)}.") from exc
    if stat.S_ISDIR(info.st_mode) and info.st_uid != os.geteuid() and not info.st_mode & 0o077:
        raise backup.BackupError(
            f"Le dossier des demandes {folder} appartient à un autre compte, celui du service : lancez la commande "
            "sous ce compte (sudo gouvernance-m2a backup DOSSIER).")
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o077:
        raise backup.BackupError(
            f"Le dossier des demandes {folder} n'est pas réservé au compte du service (il doit lui appartenir, "
            f"droits 0700, pas un lien) : supprimez-le, le service le recrée.")
    return folder


def ask_server(base: Path, folder: Path, *, claim_timeout: float = CLAIM_TIMEOUT,
               result_timeout: float = RESULT_TIMEOUT, poll: float = 0.1) -> dict:
    """Ask the dashboard that holds `base` for a backup into `folder` (absolute); wait for it and return its
    manifest. BackupError, in French, when no dashboard serves the base, when it does not answer, or when the
    backup fails."""
    if not folder.is_absolute():
        raise backup.BackupError(f"Sauvegarde refusée : {folder} n'est pas un chemin absolu.")
    requests = open_requests_folder(base)
    if not _server_alive(requests):
        raise backup.BackupError(
            f"La base de données {base} est ouverte en écriture par un autre programme qu'un tableau de bord en "
            "service (un import, une autre commande…) : attendez qu'il finisse puis réessayez.")
    name = uuid.uuid4().hex
    request, result = requests / (name + REQUEST_SUFFIX), requests / (name + RESULT_SUFFIX)
    _write_whole(request, {"demande": REQUEST_KIND, "dossier": str(folder), "pid": os.getpid(),
                           "le": datetime.now().isoformat(timespec="seconds")})
    deadline = time.monotonic() + claim_timeout
    while request.exists() and not result.exists():
        if time.monotonic() > deadline:
            try:
                request.unlink()  # withdrawn: a server that wakes up later finds nothing to do
            except FileNotFoundError:
                break  # taken at the last moment: wait for its answer
            raise backup.BackupError(
                f"Sauvegarde impossible : la base est ouverte par le tableau de bord, qui n'a pas répondu en "
                f"{claim_timeout:.0f} s à la demande de sauvegarde. Vérifiez qu'il fonctionne "
                "(journalctl -u gouvernance-m2a), ou arrêtez-le puis relancez la commande.")
        time.sleep(poll)
    deadline = time.monotonic() + result_timeout
    while not result.exists():
        if not _server_alive(requests) and not result.exists():
            raise backup.BackupError("Sauvegarde inachevée : le tableau de bord s'est arrêté pendant la sauvegarde "
                                     "(voir journalctl -u gouvernance-m2a) ; relancez la commande.")
        if time.monotonic() > deadline:
            raise backup.BackupError(f"Sauvegarde inachevée : le tableau de bord a pris la demande mais n'a pas "
                                     f"répondu en {result_timeout:.0f} s.")
        time.sleep(poll)
    try:
        answer = json.loads(result.read_text(encoding="utf-8"))
        result.unlink()
    except (OSError, ValueError) as exc:
        raise backup.BackupError(f"La réponse du tableau de bord ({result}) est illisible.") from exc
    if not isinstance(answer, dict) or not isinstance(answer.get("manifeste"), dict):
        message = answer.get("message") if isinstance(answer, dict) else None
        raise backup.BackupError(message if isinstance(message, str) else "La sauvegarde a échoué.")
    return answer["manifeste"]


def serve_requests(conn: duckdb.DuckDBPyConnection, requests: Path) -> int:
    """Answer the requests waiting in `requests`, oldest first; return how many were answered."""
    answered = 0
    try:
        waiting = sorted(requests.glob("*" + REQUEST_SUFFIX), key=_modified)
    except OSError:
        return 0
    for request in waiting:
        name = request.name.removesuffix(REQUEST_SUFFIX)
        if not _REQUEST_ID.fullmatch(name):
            continue
        claimed = requests / (name + CLAIMED_SUFFIX)
        try:
            os.rename(request, claimed)  # taken: the command line now waits for the answer
        except OSError:
            continue  # withdrawn meanwhile
        try:
            answer = _answer(conn, claimed)
        except Exception:  # the command line gets an answer whatever happens, and the log the details
            log.exception("Demande de sauvegarde impossible à traiter.")
            answer = {"message": "Sauvegarde impossible : erreur inattendue du tableau de bord (voir son journal)."}
        finally:
            claimed.unlink(missing_ok=True)
        _write_whole(requests / (name + RESULT_SUFFIX), answer)
        answered += 1
    return answered


def _answer(conn: duckdb.DuckDBPyConnection, claimed: Path) -> dict:
    """Run one claimed request: {"manifeste": …} or {"message": French reason}."""
    try:
        if claimed.stat().st_size > MAX_REQUEST_BYTES:
            raise ValueError("too large")
        request = json.loads(claimed.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"message": "Demande refusée : le fichier de la demande est illisible."}
    if not isinstance(request, dict) or request.get("demande") != REQUEST_KIND:
        return {"message": "Demande refusée : le tableau de bord ne fait, sur demande, que des sauvegardes."}
    folder = request.get("dossier")
    if not isinstance(folder, str) or "\0" in folder or not Path(folder).is_absolute():
        return {"message": "Demande refusée : le dossier de la sauvegarde doit être un chemin absolu."}
    target = Path(os.path.normpath(folder))
    if claimed.parent == target or claimed.parent in target.parents:
        return {"message": "Demande refusée : le dossier de la sauvegarde ne peut pas être celui des demandes."}
    started = time.perf_counter()
    try:
        manifest = backup.backup_whole(conn, target)
    except backup.BackupError as exc:
        log.warning("Sauvegarde demandée, non faite : %s", exc)
        return {"message": str(exc)}
    except duckdb.Error as exc:
        log.warning("Sauvegarde demandée impossible dans %s : %s", target, exc)
        return {"message": f"Sauvegarde impossible dans {target} : la base n'a pas pu être lue."}
    log.info("Sauvegarde demandée écrite dans %s (%s lignes, %s s).", target, number(sum(manifest["rows"].values())),
             number(time.perf_counter() - started, 1))
    return {"manifeste": manifest}


# --- the worker thread ------------------------------------------------------------------------------------------

class Worker(threading.Thread):
    """The server's thread: the requests every POLL_SECONDS, the scheduled backup when it is due."""

    def __init__(self, base: Path, conn: duckdb.DuckDBPyConnection, schedule: Schedule | None,
                 clock: Callable[[], datetime] = datetime.now) -> None:
        super().__init__(name="gouvernance-sauvegardes", daemon=True)
        self.base = base
        self.schedule = schedule
        self.clock = clock
        self._conn: duckdb.DuckDBPyConnection | None = conn
        # held for one round of work; paused() waits for it. Reentrant: a restore that holds it may open the
        # connection again in the same thread (start() then hands it over through use())
        self._busy = threading.RLock()
        self._halt = threading.Event()
        self._retry_at: datetime | None = None
        self.requests: Path | None = None

    def use(self, conn: duckdb.DuckDBPyConnection | None) -> None:
        """Work with this connection from now on (None: the base is being replaced, do nothing)."""
        with self._busy:
            self._conn = conn

    @contextmanager
    def paused(self) -> Iterator[None]:
        """No backup runs inside the block; the worker holds no connection after it until use() gives one."""
        with self._busy:
            self._conn = None
            yield

    def stop(self) -> None:
        """End the thread after its current round (the tests)."""
        self._halt.set()

    def run(self) -> None:
        """Loop until stopped: never raises (a failure is logged, in French, and tried again later)."""
        try:
            self.requests = open_requests_folder(self.base)
            (self.requests / SERVER_FILE).write_text(f"{os.getpid()}\n", encoding="utf-8")
            atexit.register(_forget_server, self.requests / SERVER_FILE)
        except (backup.BackupError, OSError) as exc:
            log.warning("Les commandes « backup » ne pourront pas être servies : %s", exc)
            self.requests = None
        while not self._halt.is_set():
            self.round()
            self._halt.wait(POLL_SECONDS)

    def round(self) -> None:
        """One round of work: the waiting requests, then the scheduled backup if due."""
        with self._busy:
            conn = self._conn
            if conn is None:
                return
            try:
                conn.cursor().close()
            except duckdb.ConnectionException:  # closed, and no new one given: the process is done with the base
                self._halt.set()
                return
            if self.requests is not None:
                try:
                    serve_requests(conn, self.requests)
                    _clean_stale(self.requests)
                except Exception:  # a worker that dies would leave the command line waiting: log and go on
                    log.exception("Demande de sauvegarde impossible à traiter.")
            self._scheduled(conn)

    def _scheduled(self, conn: duckdb.DuckDBPyConnection) -> None:
        if self.schedule is None:
            return
        now = self.clock()
        if self._retry_at is not None and now < self._retry_at:
            return
        try:
            if not is_due(now, self.schedule.hour, [moment for moment, _ in scheduled_backups(self.schedule.folder)]):
                return
            started = time.perf_counter()
            target, deleted = take_scheduled(conn, self.schedule, now)
        except (backup.BackupError, duckdb.Error, OSError) as exc:
            self._retry_at = now + RETRY_AFTER
            log.warning("Sauvegarde planifiée manquée (nouvel essai à %s) : %s", self._retry_at.strftime("%H:%M"),
                        _said(exc))
            return
        self._retry_at = None
        log.info("Sauvegarde planifiée écrite dans %s en %s s ; %d ancienne(s) supprimée(s).", target,
                 number(time.perf_counter() - started, 1), len(deleted))


_WORKERS: dict[Path, Worker] = {}
_WORKERS_LOCK = threading.Lock()


def start(base: Path, conn: duckdb.DuckDBPyConnection) -> Worker:
    """The worker of this process for `base`, started on its first call and given `conn` on the next ones (the
    dashboard reopens its connection after a restore): one thread per process, whatever the sessions."""
    base = base.resolve()
    with _WORKERS_LOCK:
        worker = _WORKERS.get(base)
        if worker is not None and worker.is_alive():
            worker.use(conn)
            return worker
        _log_to_stderr()
        schedule, warnings = schedule_from_environment()
        for warning in warnings:
            log.warning(warning)
        if schedule is not None:
            log.info("Sauvegardes planifiées : chaque jour à %d h dans %s, les %d dernières gardées.",
                     schedule.hour, schedule.folder, schedule.keep)
        worker = Worker(base, conn, schedule)
        _WORKERS[base] = worker
        worker.start()
        return worker


def stop_all(timeout: float = 10.0) -> None:
    """End every worker of this process and let go of their connections (tests that open many short-lived apps in
    one process: a worker keeping a connection would keep its base open)."""
    with _WORKERS_LOCK:
        workers = list(_WORKERS.values())
        _WORKERS.clear()
    for worker in workers:
        worker.use(None)
        worker.stop()
        worker.join(timeout=timeout)


@contextmanager
def paused(base: Path) -> Iterator[None]:
    """No backup of this process runs on `base` inside the block (a restore replaces the file)."""
    with _WORKERS_LOCK:
        worker = _WORKERS.get(base.resolve())
    if worker is None:
        yield
        return
    with worker.paused():
        yield


# --- small helpers ----------------------------------------------------------------------------------------------

def _server_alive(requests: Path) -> bool:
    """Whether the process named in serveur.pid is running (it may be another account's: then it is alive)."""
    try:
        pid = int((requests / SERVER_FILE).read_text(encoding="utf-8").strip())
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except (OSError, ValueError):
        return False
    return True


def _forget_server(pid_file: Path) -> None:
    """At exit: no command should wait for this process any more (unless another one took the file over)."""
    try:
        if pid_file.read_text(encoding="utf-8").strip() == str(os.getpid()):
            pid_file.unlink()
    except OSError:
        pass


def _write_whole(path: Path, content: dict) -> None:
    """Write a JSON file that the reader sees whole or not at all."""
    partial = path.with_name(f".{path.name}.partiel")
    partial.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    os.replace(partial, path)


def _clean_stale(requests: Path) -> None:
    """Delete the answers no command came for (it was interrupted)."""
    for answer in requests.glob("*" + RESULT_SUFFIX):
        if time.time() - _modified(answer) > STALE_AFTER.total_seconds():  # the files' clock, not the schedule's
            answer.unlink(missing_ok=True)


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _system_cause(exc: OSError) -> str:
    return db.disk_cause(exc) or "erreur du système"


def _said(exc: BaseException) -> str:
    # DuckDB's own messages are English and name paths: the French sentence only
    return str(exc) if isinstance(exc, backup.BackupError) else \
        _system_cause(exc) if isinstance(exc, OSError) else "la base n'a pas pu être lue"


def _log_to_stderr() -> None:
    """Send this module's messages to the server's standard error (journald under systemd), once."""
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s sauvegardes : %(message)s"))
        log.addHandler(handler)  # Streamlit configures only its own loggers: without this, nothing would show
        log.setLevel(logging.INFO)
