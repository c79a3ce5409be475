"""An import killed with SIGKILL in the middle of writing leaves no trace: DuckDB's transaction holds."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb

from analytics.store import db
from tests.support import ROOT

CHILD = textwrap.dedent("""
    import sys
    from datetime import date
    from analytics.bench import imports as import_bench
    from analytics.ingest import importer
    from analytics.store import db

    conn = db.connect(sys.argv[1])
    sources = import_bench.files(300_000)

    def progress(fraction, message):
        if fraction >= 0.45:  # the first chunk of sign-ins is written: now is a good time to die
            print("writing", flush=True)

    importer.import_sources(conn, sources, today=date(2030, 1, 1), progress=progress)
    print("finished", flush=True)
""")


def test_sigkill_midway_leaves_no_partial_import(tmp_path: Path) -> None:
    path = tmp_path / "crash.duckdb"
    db.connect(path).close()
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "writing"
    time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    conn = duckdb.connect(str(path))  # replays the write-ahead log, as the app would
    counts = conn.execute("""SELECT (SELECT count(*) FROM persons), (SELECT count(*) FROM memberships),
                                    (SELECT count(*) FROM meetings), (SELECT count(*) FROM attendance),
                                    (SELECT count(*) FROM import_log)""").fetchall()[0]
    assert counts == (0, 0, 0, 0, 0)
    assert conn.execute("SELECT count(*) FROM communes").fetchall() == [(39,)]
