"""Backups while the dashboard runs, against a real `streamlit run` (issue 18.1): the command line's backup is
written by the server that holds the base, the server's own schedule writes one too, both restore to the same
indicators as the source, and a restore is still refused while the server holds the base."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from analytics.store import backup
from analytics.store import backup_schedule as schedule
from analytics.wording.format import number
from tests.browser import streamlit_server
from tests.support import ROOT

TODAY = date(2026, 11, 29)  # the day the shared demo base (conftest.demo_file) believes it is


def command(*args: str) -> subprocess.CompletedProcess:
    """`python -m analytics …` in its own process, as an administrator runs it beside the service."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("GOUVERNANCE_BACKUP")}
    return subprocess.run([sys.executable, "-m", "analytics", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=180, env=env)


def indicators_json(base: Path) -> dict:
    done = command("indicators", "--json", "--db", str(base), "--as-of", TODAY.isoformat())
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def open_session(url: str) -> None:
    """What a browser does when it opens the dashboard: a websocket session that runs the app's script once (the
    server opens its connection to the base, and starts its backup thread, in that first run)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    with connect(url.replace("http://", "ws://") + "/_stcore/stream", subprotocols=["streamlit"],
                 open_timeout=30) as socket:
        message = BackMsg()
        message.rerun_script.query_string = ""
        socket.send(message.SerializeToString())
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            answer = ForwardMsg()
            answer.ParseFromString(socket.recv(timeout=90))
            if answer.WhichOneof("type") == "script_finished":
                return
    raise AssertionError("le script du tableau de bord n'a pas fini en 90 s")


def wait_for(found: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not found():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


@pytest.fixture
def base(demo_copy: Path) -> Path:
    """A copy of the shared demo base, for the server to hold."""
    return demo_copy


def test_backups_while_the_dashboard_serves_the_base(base: Path, tmp_path: Path) -> None:
    expected = indicators_json(base)  # before the server holds the base
    assert len(expected["quorum"]) > 0 and len(expected["people"]) > 50
    nightly, asked = tmp_path / "nuit", tmp_path / "demandee"
    env = {"GOUVERNANCE_TODAY": TODAY.isoformat(), "GOUVERNANCE_USERS": str(tmp_path / "utilisateurs.toml"),
           "GOUVERNANCE_BACKUP_DIR": str(nightly), "GOUVERNANCE_BACKUP_HOUR": "0", "GOUVERNANCE_BACKUP_KEEP": "2"}
    with streamlit_server(base, env) as url:
        open_session(url)
        open_session(url)  # a second session: still one thread, one scheduled backup
        wait_for(lambda: len(schedule.scheduled_backups(nightly)) == 1, "pas de sauvegarde planifiée en 30 s")

        done = command("backup", str(asked), "--db", str(base))
        assert done.returncode == 0, done.stderr
        manifest = backup.read_manifest(asked)
        rows = number(sum(manifest["rows"].values()))
        assert done.stdout == (f"Sauvegarde écrite par le tableau de bord en service dans {asked} : "
                               f"{len(manifest['rows'])} tables, {rows} lignes.\n")

        # a restore is refused while the server holds the base: French, no traceback, the base untouched
        before = base.stat().st_size, base.read_bytes()[:4096]
        refused = command("restore", str(asked), "--db", str(base))
        assert refused.returncode == 1
        assert refused.stderr == (f"La base de données {base} est ouverte en écriture par un autre programme "
                                  "(tableau de bord, import…). Fermez-le puis réessayez.\n")
        assert (base.stat().st_size, base.read_bytes()[:4096]) == before

        # a folder that is not new is refused by the server, and said by the command line
        again = command("backup", str(asked), "--db", str(base))
        assert (again.returncode, again.stdout) == (1, "")
        assert again.stderr == (f"Sauvegarde refusée : {asked} existe déjà et n'est pas un dossier vide ; donnez "
                                "un dossier nouveau.\n")
        assert len(schedule.scheduled_backups(nightly)) == 1
        assert [p.name for p in nightly.iterdir() if p.name.startswith(".")] == []
        assert sorted(p.name for p in schedule.requests_folder(base).iterdir()) == [schedule.SERVER_FILE]

    # the server stopped cleanly: it no longer says it answers
    assert not (schedule.requests_folder(base) / schedule.SERVER_FILE).exists()
    [(_, scheduled)] = schedule.scheduled_backups(nightly)
    for source in (asked, scheduled):
        fresh = tmp_path / f"restauree-{source.name}.duckdb"
        done = command("restore", str(source), "--db", str(fresh))
        assert done.returncode == 0, done.stderr
        assert indicators_json(fresh) == expected
    # the server gone, the command line backs up by itself again
    done = command("backup", str(tmp_path / "apres"), "--db", str(base))
    assert done.returncode == 0 and done.stdout.startswith(f"Sauvegarde écrite dans {tmp_path / 'apres'} :")
