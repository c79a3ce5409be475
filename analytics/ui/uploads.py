"""The server's guard on Streamlit's upload endpoint (issue 17.5): no file is held for a session that is not logged in,
and a logged-in session holds at most $GOUVERNANCE_MAX_UPLOAD_MB of files in all.

Streamlit accepts `PUT /_stcore/upload_file/<session id>/<file id>` from anyone who knows the id of an open session,
before any login, and keeps each file in memory (server.maxUploadSize applies per file, not per session) until the
session ends. The page scripts cannot see those requests, so the guard sits on the two objects the upload route of
Streamlit 1.67 calls (web/server/starlette/starlette_routes.py, `_upload_put`):

- `Runtime.is_active_session(session_id)`, called before the body is read: a session not logged in gets HTTP 403
  there, so its body is never read into memory;
- `MemoryUploadedFileManager.add_file(session_id, file)`, called once the body is read: the login is checked again
  (it may have ended during the transfer) and a file that would take the session past its limit gets HTTP 413 and
  is not kept.

The login state is the one the gate (widgets.gate) finds at every run, from the browser's signed session cookie
(auth.check_session) or the OpenID Connect login: app.py reports it here after the gate (admit) and before the login
form is drawn (refuse, which also drops the files the session held)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from unittest.mock import Mock

from starlette.exceptions import HTTPException
from streamlit.runtime import Runtime
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.uploaded_file_manager import UploadedFileRec

from analytics import settings

_LOCK = threading.Lock()
_ADD_LOCK = threading.Lock()  # one file checked against the limit and added at a time
_ADMITTED: set[str] = set()  # the Streamlit sessions whose last run found a logged-in account
_ACTIVE: list[Callable[[str], bool]] = []  # Streamlit's own is_active_session, once the guard is on
_GUARD_MARK = "_gouvernance_upload_guard"

LOGIN_NEEDED = "Connexion requise pour déposer un fichier."
OVER_LIMIT = "Fichiers trop volumineux pour cette session : {limit} Mo en tout. Retirez d'abord un fichier déposé."


def session_limit_bytes() -> int:
    """The most bytes of uploaded files one session may hold: $GOUVERNANCE_MAX_UPLOAD_MB, in Streamlit's megabytes."""
    # Streamlit's own per-file cap (server.maxUploadSize) counts 1024 × 1024 bytes a megabyte: the same unit here,
    # so that a file Streamlit accepts always fits in a session that holds nothing yet
    return settings.max_upload_mb() * 1024 * 1024


def install() -> None:
    """Put the guard on the running server's upload route (once per process; nothing to do without a server, as
    under AppTest, whose runtime is a mock without an upload route)."""
    if not Runtime.exists():
        return
    runtime = Runtime.instance()
    if isinstance(runtime, Mock):
        return
    manager = runtime.uploaded_file_mgr
    with _LOCK:
        if getattr(runtime, _GUARD_MARK, False):
            return
        if not isinstance(manager, MemoryUploadedFileManager):
            raise RuntimeError("gestionnaire de fichiers déposés inattendu : garde des dépôts non installée")
        _guard(runtime, manager)
        setattr(runtime, _GUARD_MARK, True)


def _guard(runtime: Runtime, manager: MemoryUploadedFileManager) -> None:
    active: Callable[[str], bool] = runtime.is_active_session
    _ACTIVE.append(active)
    add_file: Callable[[str, UploadedFileRec], None] = manager.add_file

    def is_active_session(session_id: str) -> bool:
        # Streamlit 1.67 calls this only from the upload route, before reading the body
        if not active(session_id):
            return False
        if not admitted(session_id):
            raise HTTPException(status_code=403, detail=LOGIN_NEEDED)
        return True

    def guarded_add_file(session_id: str, file: UploadedFileRec) -> None:
        limit = session_limit_bytes()
        # checked and added under one lock: two parallel uploads cannot both take the last room of a session
        with _ADD_LOCK:
            if not admitted(session_id):  # the login may have ended while the body was arriving
                raise HTTPException(status_code=403, detail=LOGIN_NEEDED)
            with manager._lock:  # the storage the manager changes from other threads (DELETE, session end)
                others = manager.file_storage.get(session_id, {})
                held = sum(len(rec.data) for file_id, rec in others.items() if file_id != file.file_id)
            if held + len(file.data) > limit:
                raise HTTPException(status_code=413, detail=OVER_LIMIT.format(limit=limit // (1024 * 1024)))
            add_file(session_id, file)

    runtime.is_active_session = is_active_session  # type: ignore[method-assign]
    manager.add_file = guarded_add_file  # type: ignore[method-assign]


def admitted(session_id: str) -> bool:
    """Whether the session's last run found a logged-in account."""
    with _LOCK:
        return session_id in _ADMITTED


def _session_id() -> str | None:
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


def admit() -> None:
    """The current session is logged in (the gate returned an account): it may upload, within its limit."""
    session_id = _session_id()
    if session_id is None:
        return
    with _LOCK:
        if _ACTIVE:  # forget the sessions that ended, so that the set stays as small as the open sessions
            _ADMITTED.intersection_update({s for s in _ADMITTED if _ACTIVE[0](s)})
        _ADMITTED.add(session_id)


def refuse() -> None:
    """The current session is not logged in (the login form is drawn): no upload, and the files it held are
    dropped (those of an account that logged out, or of a session resumed without its browser's cookie)."""
    session_id = _session_id()
    if session_id is None:
        return
    with _LOCK:
        _ADMITTED.discard(session_id)
    if Runtime.exists():
        Runtime.instance().uploaded_file_mgr.remove_session_files(session_id)
