"""Issue 17.5: no upload before login, and a bounded upload per session, checked on the server (analytics/ui/uploads.py)
— on the guard itself, on every page before login, and on a real server through its upload endpoint."""

from __future__ import annotations

import re
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import streamlit as st
from starlette.exceptions import HTTPException
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import UploadedFileRec
from streamlit.testing.v1 import AppTest

from analytics.access import auth
from analytics.ui import uploads
from tests.support import ROOT

APP = str(ROOT / "app.py")
PAGES = ["pages/tableau_de_bord/synthese.py", "pages/tableau_de_bord/instances.py",
         "pages/tableau_de_bord/territoires.py", "pages/tableau_de_bord/elus.py", "pages/tableau_de_bord/conseil.py",
         "pages/tableau_de_bord/calendrier.py", "pages/donnees/saisie.py", "pages/donnees/administration.py"]
PASSWORD = "correct horse battery"
MIB = 1024 * 1024


# -- the guard, on Streamlit's own file manager and a stand-in for its runtime -------------------------------------

class _Runtime:
    """The two things of streamlit's Runtime the guard touches."""

    def __init__(self, open_sessions: set[str]) -> None:
        self.open_sessions = open_sessions
        self.uploaded_file_mgr = MemoryUploadedFileManager("/_stcore/upload_file")

    def is_active_session(self, session_id: str) -> bool:
        return session_id in self.open_sessions


@pytest.fixture
def guarded(monkeypatch: pytest.MonkeyPatch) -> _Runtime:
    """A runtime with the sessions "connecte" (logged in) and "anonyme" (login form) open, the guard on, 1 MB a
    session."""
    monkeypatch.setenv("GOUVERNANCE_MAX_UPLOAD_MB", "1")
    monkeypatch.setattr(uploads, "_ADMITTED", set())
    monkeypatch.setattr(uploads, "_ACTIVE", [])
    runtime = _Runtime({"connecte", "anonyme"})
    monkeypatch.setattr(uploads, "Runtime", SimpleNamespace(exists=lambda: True, instance=lambda: runtime))
    uploads.install()
    monkeypatch.setattr(uploads, "_session_id", lambda: "connecte")
    uploads.admit()
    return runtime


def _file(size: int, file_id: str | None = None) -> UploadedFileRec:
    return UploadedFileRec(file_id or str(uuid.uuid4()), "presences.csv", "text/csv", b"x" * size)


def _held(runtime: _Runtime, session_id: str) -> int:
    return sum(len(f.data) for f in runtime.uploaded_file_mgr.file_storage.get(session_id, {}).values())


def test_a_session_not_logged_in_is_refused_before_its_body_is_read(guarded: _Runtime) -> None:
    with pytest.raises(HTTPException) as refused:
        guarded.is_active_session("anonyme")
    assert refused.value.status_code == 403
    assert guarded.is_active_session("connecte") is True
    assert guarded.is_active_session("fermee") is False  # Streamlit's own answer for an unknown session (400)


def test_a_file_for_a_session_not_logged_in_is_not_kept(guarded: _Runtime) -> None:
    with pytest.raises(HTTPException) as refused:
        guarded.uploaded_file_mgr.add_file("anonyme", _file(10))
    assert refused.value.status_code == 403
    assert guarded.uploaded_file_mgr.file_storage.get("anonyme") is None
    assert guarded.uploaded_file_mgr.get_stats() == {}  # not a byte held


def test_a_logged_in_session_holds_at_most_its_limit(guarded: _Runtime) -> None:
    manager = guarded.uploaded_file_mgr
    manager.add_file("connecte", _file(600_000, "premier"))
    with pytest.raises(HTTPException) as refused:  # 600 000 + 600 000 > 1 048 576
        manager.add_file("connecte", _file(600_000))
    assert refused.value.status_code == 413 and "1 Mo en tout" in refused.value.detail
    assert _held(guarded, "connecte") == 600_000
    manager.add_file("connecte", _file(448_576))  # exactly the limit: 600 000 + 448 576 = 1 048 576
    assert _held(guarded, "connecte") == MIB
    with pytest.raises(HTTPException):
        manager.add_file("connecte", _file(1))
    with pytest.raises(HTTPException):  # the first file replaced by a larger one: 700 000 + 448 576 > 1 048 576
        manager.add_file("connecte", _file(700_000, "premier"))
    manager.add_file("connecte", _file(500_000, "premier"))  # by a smaller one: 500 000 + 448 576
    assert _held(guarded, "connecte") == 948_576


def test_a_file_sent_again_counts_once(guarded: _Runtime) -> None:
    manager = guarded.uploaded_file_mgr
    manager.add_file("connecte", _file(900_000, "meme"))
    manager.add_file("connecte", _file(1_000_000, "meme"))  # replaces the 900 000 bytes: 1 000 000 ≤ 1 048 576
    assert _held(guarded, "connecte") == 1_000_000


def test_logging_out_drops_the_files_and_the_right(guarded: _Runtime) -> None:
    guarded.uploaded_file_mgr.add_file("connecte", _file(1000))
    uploads.refuse()  # the login form is drawn for "connecte"
    assert guarded.uploaded_file_mgr.file_storage.get("connecte") is None
    with pytest.raises(HTTPException):
        guarded.uploaded_file_mgr.add_file("connecte", _file(10))
    assert not uploads.admitted("connecte")


def test_the_sessions_that_ended_are_forgotten(guarded: _Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    guarded.open_sessions.discard("connecte")
    monkeypatch.setattr(uploads, "_session_id", lambda: "anonyme")
    uploads.admit()
    assert uploads._ADMITTED == {"anonyme"}


def test_the_guard_goes_on_once(guarded: _Runtime) -> None:
    wrapped = guarded.is_active_session
    uploads.install()  # every run of app.py calls it
    assert guarded.is_active_session is wrapped
    assert len(uploads._ACTIVE) == 1


def test_without_a_server_nothing_is_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "Runtime", SimpleNamespace(exists=lambda: False))
    monkeypatch.setattr(uploads, "_ACTIVE", [])
    uploads.install()  # AppTest runs app.py with no server: no error
    assert uploads._ACTIVE == []


# -- no upload widget before login, on any page ---------------------------------------------------------------

@pytest.fixture
def accounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_file: Path) -> Path:
    path = tmp_path / "utilisateurs.toml"
    auth.set_password("compte.saisie", PASSWORD, role="saisie", name="Compte saisie", path=path)
    monkeypatch.setenv("GOUVERNANCE_USERS", str(path))
    monkeypatch.setenv("GOUVERNANCE_DB", str(demo_file))
    monkeypatch.setenv("GOUVERNANCE_TODAY", "2026-11-29")
    st.cache_data.clear()
    st.cache_resource.clear()
    return path


def _uploaders(at: AppTest) -> list[Any]:
    return list(at.get("file_uploader"))


@pytest.mark.parametrize("page", PAGES)
def test_no_upload_widget_before_login(accounts: Path, page: str) -> None:
    at = AppTest.from_file(APP, default_timeout=30)
    at.switch_page(page)
    at.run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Identifiant", "Mot de passe"]
    assert _uploaders(at) == []


def test_the_saisie_page_has_its_upload_widgets_once_logged_in(accounts: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # the counterpart of the test above: the same probe finds the widgets where they are
    from analytics.ui import widgets as ui

    account = auth.Account("compte.saisie", "Compte saisie", "saisie", "local")
    monkeypatch.setattr(ui, "_checked_session", lambda config: (account, None))
    at = AppTest.from_file(APP, default_timeout=30)
    at.switch_page("pages/donnees/saisie.py")
    at.run()
    assert not at.exception
    keys = [u.key for u in _uploaders(at)]
    assert "fichiers-import" in keys and "restauration" not in keys  # the restore is for administrators only


# -- a real server: PUT /_stcore/upload_file/<session>/<file> ----------------------------------------------------

@pytest.fixture(scope="module")
def served(demo_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    """The dashboard with one local account (administrator) and 1 MB of uploads a session, on a copy of the demo
    base, and a Chromium to open it."""
    from browser import CHROMIUM, CHROMIUM_FLAGS, require_chromium, streamlit_server
    from playwright.sync_api import sync_playwright

    require_chromium()
    folder = tmp_path_factory.mktemp("depots")
    base = folder / "demo.duckdb"
    shutil.copy(demo_file, base)
    users = folder / "utilisateurs.toml"
    auth.set_password("adele", PASSWORD, role="admin", name="Adèle Admin", path=users)
    env = {"GOUVERNANCE_TODAY": "2026-11-29", "GOUVERNANCE_USERS": str(users), "GOUVERNANCE_MAX_UPLOAD_MB": "1"}
    with streamlit_server(base, env) as url, sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield url, chromium
        finally:
            chromium.close()


def _put(context: Any, server: str, session_id: str, size: int) -> int:
    """Send one file of `size` bytes as Streamlit's frontend does (multipart, the XSRF token of its cookie); the
    HTTP status."""
    xsrf = next(c["value"] for c in context.cookies() if c["name"] == "_streamlit_xsrf")
    response = context.request.put(
        f"{server}/_stcore/upload_file/{session_id}/{uuid.uuid4()}", headers={"X-Xsrftoken": xsrf},
        multipart={"file": {"name": "presences.csv", "mimeType": "text/csv", "buffer": b"x" * size}})
    return int(response.status)


def _held_on_server(context: Any, server: str) -> int:
    """The bytes of uploaded files the server holds, all sessions together (its /_stcore/metrics, which keeps its
    memory figures 5 s: read after that, so that the figure is the one of now)."""
    time.sleep(5.2)
    text = context.request.get(f"{server}/_stcore/metrics").text()
    found = re.search(r'cache_type="UploadedFileManager"[^}]*\} (\d+)', text)
    return int(found.group(1)) if found else 0


@pytest.mark.browser
def test_the_server_refuses_uploads_before_login_and_past_the_session_limit(served: tuple[str, Any]) -> None:
    from browser import wait_idle
    from test_browser import _session_ids  # the session ids of a page, from its websocket

    server, browser = served

    # a client that never logs in: its session is open (the login form), its upload is refused, nothing is held
    stranger = browser.new_context(locale="fr-FR")
    page = stranger.new_page()
    ids = _session_ids(page)
    page.goto(server)
    page.get_by_label("Identifiant").wait_for(timeout=60_000)
    wait_idle(page)
    assert ids, "aucune session Streamlit ouverte"
    assert [_put(stranger, server, ids[-1], 400_000) for _ in range(3)] == [403, 403, 403]
    assert _held_on_server(stranger, server) == 0

    # an administrator: 600 000 bytes held, then 600 000 more refused (1 MB = 1 048 576 bytes a session)
    admin = browser.new_context(locale="fr-FR")
    page = admin.new_page()
    ids = _session_ids(page)
    page.goto(server)
    page.get_by_label("Identifiant").fill("adele")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    with page.expect_navigation(timeout=30_000):  # the cookie is set, then the page reloads with it
        page.get_by_role("button", name="Se connecter").click()
    wait_idle(page)
    session = ids[-1]
    assert _put(admin, server, session, 600_000) == 204
    assert _put(admin, server, session, 600_000) == 413
    assert _held_on_server(admin, server) == 600_000
    # a client that knows a logged-in session's id (it shows in upload URLs) adds nothing past that session's room
    assert _put(stranger, server, session, 600_000) == 413
    assert _held_on_server(stranger, server) == 600_000

    # logging out takes the right back and drops the files
    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_label("Identifiant").wait_for(timeout=30_000)
    wait_idle(page)
    assert _held_on_server(admin, server) == 0
    assert _put(admin, server, ids[-1], 10) == 403
    stranger.close()
    admin.close()


def test_apptests_stand_in_runtime_is_left_alone_and_an_unknown_manager_is_an_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from unittest.mock import MagicMock

    from streamlit.runtime import Runtime

    monkeypatch.setattr(uploads, "_ACTIVE", [])
    stand_in = MagicMock(spec=Runtime)  # what AppTest puts in Runtime._instance
    monkeypatch.setattr(uploads, "Runtime", SimpleNamespace(exists=lambda: True, instance=lambda: stand_in))
    uploads.install()
    assert uploads._ACTIVE == []
    # a real runtime whose manager is not the one the guard knows: the server must not run unguarded
    other = SimpleNamespace(uploaded_file_mgr=object(), is_active_session=lambda s: True)
    monkeypatch.setattr(uploads, "Runtime", SimpleNamespace(exists=lambda: True, instance=lambda: other))
    with pytest.raises(RuntimeError, match="garde des dépôts non installée"):
        uploads.install()
