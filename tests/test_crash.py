"""An import killed with SIGKILL in the middle of writing leaves no trace: DuckDB's transaction holds. A damaged
file, a full disk: a French message, and the file as it was."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from analytics import cli
from analytics.bench import imports as import_bench
from analytics.ingest import importer
from analytics.store import db
from tests import fixture_db
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


def test_the_bench_files_the_crash_tests_use_are_valid(conn: duckdb.DuckDBPyConnection) -> None:
    # the tests below need an import that reaches its writing: its names are letters only (issue 17), all distinct
    sources = import_bench.files(1_000)
    problems, ready = importer.check_sources(conn, sources, today=date(2030, 1, 1))
    assert problems == []
    assert ready["members"] == import_bench.MEMBERS and ready["attendance"] == 1_000
    names = {line.split(";")[0] for line in sources[0][1].decode().splitlines()[1:]}
    assert len(names) == import_bench.MEMBERS and not any(ch.isdigit() for name in names for ch in name)


def test_sigkill_midway_leaves_no_partial_import(tmp_path: Path) -> None:
    path = tmp_path / "crash.duckdb"
    db.connect(path).close()
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "writing"
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


# --- damaged files and full disks: a French message, the file as it was -----------------------------------------

@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small base with data in every table: the fixture year."""
    path = tmp_path_factory.mktemp("crash") / "base.duckdb"
    conn = db.connect(path)
    fixture_db.build(conn)
    conn.close()
    return path


def damaged(base: Path, tmp_path: Path, how: str) -> Path:
    path = tmp_path / "damaged.duckdb"
    shutil.copyfile(base, path)
    if how.startswith("truncated"):
        with open(path, "r+b") as file:
            file.truncate({"truncated-empty": 0, "truncated-header": 100,
                           "truncated-half": path.stat().st_size // 2}[how])
        return path
    conn = duckdb.connect(str(path), read_only=True)
    block, offset = conn.execute("SELECT block_id, block_offset FROM pragma_storage_info('persons') "
                                 "WHERE column_name = 'last_name' AND block_id >= 0").fetchall()[0]
    total, size = conn.execute("SELECT total_blocks, block_size FROM pragma_database_size()").fetchall()[0]
    conn.close()
    where = {"flipped-header": 10, "flipped-database-header": 4096 + 20,
             "flipped-names": 3 * 4096 + block * size + offset + 8}[how]
    with open(path, "r+b") as file:
        file.seek(where)
        byte = file.read(1)[0]
        file.seek(where)
        file.write(bytes([byte ^ 0xFF]))
    return path


@pytest.mark.parametrize("how", ["truncated-empty", "truncated-header", "truncated-half", "flipped-header",
                                 "flipped-database-header", "flipped-names"])
@pytest.mark.parametrize("read_only", [False, True])
def test_a_damaged_file_gives_a_french_message_and_stays_as_it_was(base: Path, tmp_path: Path, how: str,
                                                                   read_only: bool) -> None:
    path = damaged(base, tmp_path, how)
    before = path.read_bytes()
    with pytest.raises(db.DatabaseUnavailable) as refused:
        db.connect(path, read_only=read_only)
    message = str(refused.value)
    assert refused.value.reason == "unreadable"
    assert message.startswith(f"La base de données {path} est illisible : le fichier est tronqué, endommagé")
    assert ".py" not in message and "Error" not in message
    assert path.read_bytes() == before and not path.with_name(path.name + ".wal").exists()


def test_the_commands_say_it_in_french_without_a_traceback(base: Path, tmp_path: Path) -> None:
    path = damaged(base, tmp_path, "flipped-names")
    for args in (["indicators", "--db", str(path)], ["import", str(ROOT / "data" / "templates" / "membres.csv"),
                                                      "--db", str(path)]):
        done = subprocess.run([sys.executable, "-m", "analytics", *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 1, done.stderr
        assert "est illisible : le fichier est tronqué, endommagé" in done.stderr
        assert "Traceback" not in done.stderr and ".py" not in done.stderr


FULL_DISK = textwrap.dedent("""
    import resource, signal, sys
    from analytics import cli

    # the disk is "full" a little past the file's present size: every write beyond fails (EFBIG), as ENOSPC would
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    limit = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    sys.exit(cli.main(sys.argv[2:]))
""")


def counts(path: Path) -> tuple:
    conn = duckdb.connect(str(path))  # replays a write-ahead log, as the app would
    try:
        return conn.execute("""SELECT (SELECT count(*) FROM persons), (SELECT count(*) FROM memberships),
                                      (SELECT count(*) FROM attendance), (SELECT count(*) FROM import_log)"""
                            ).fetchall()[0]
    finally:
        conn.close()


def test_a_full_disk_during_an_import_leaves_the_base_as_it_was(demo_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "full.duckdb"
    shutil.copyfile(demo_file, path)
    before = counts(path)
    files = []
    for name, content in import_bench.files(100_000):
        files.append(tmp_path / name)
        files[-1].write_bytes(content)
    limit = path.stat().st_size + 200_000
    done = subprocess.run([sys.executable, "-c", FULL_DISK, str(limit), "import", *map(str, files), "--db", str(path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert (f"Écriture impossible dans la base de données {path} : le fichier dépasse la taille permise par le "
            "système. L'opération en cours est annulée") in done.stderr
    assert "Traceback" not in done.stderr and "FATAL" not in done.stderr
    assert counts(path) == before
    conn = db.connect(path)  # and it opens as usual afterwards
    conn.close()


def test_a_disk_error_injected_in_an_import(demo_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "full.duckdb"
    shutil.copyfile(demo_file, path)
    before = counts(path)

    def full(conn: duckdb.DuckDBPyConnection, paths: object, **options: object) -> None:
        cur = conn.cursor()
        cur.execute("BEGIN TRANSACTION")
        cur.execute("DELETE FROM attendance")
        try:
            raise duckdb.IOException('IO Error: Could not write file "x": No space left on device')
        except duckdb.IOException:
            cur.execute("ROLLBACK")
            raise

    monkeypatch.setattr(importer, "import_files", full)
    members = ROOT / "data" / "templates" / "membres.csv"
    assert cli.main(["import", str(members), "--db", str(path)]) == 1
    assert "le disque est plein. L'opération en cours est annulée" in capsys.readouterr().err
    assert counts(path) == before


def test_a_failed_rewrite_leaves_the_file_and_stays_due(base: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "rewrite.duckdb"
    shutil.copyfile(base, path)
    conn = db.connect(path)
    db.schedule_rewrite(conn)
    conn.close()
    before = path.read_bytes()

    def full(source: object, target: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(db.DatabaseUnavailable, match="le disque est plein"):
        db.rewrite(path)
    assert path.read_bytes() == before and db.rewrite_marker(path).exists()
    assert not path.with_name(path.name + ".reecriture").exists()
    db.connect(path).close()  # an opening does not fail for it: the rewrite stays due
    assert db.rewrite_marker(path).exists()
    monkeypatch.undo()
    db.connect(path).close()  # the next opening does it
    assert not db.rewrite_marker(path).exists()
    assert counts(path) == counts(base)
