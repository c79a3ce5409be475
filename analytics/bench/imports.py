"""Benchmark of the import path: a synthetic sign-in file of N rows imported into a new database, then again
unchanged, against DuckDB's own read_csv of the same file (issue 15). Medians of five runs at least."""

from __future__ import annotations

import io
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from analytics.ingest import importer
from analytics.store import db
from analytics.store.sql import query
from analytics.wording.format import number

MEMBERS = 500
SIGN_INS = ("présent", "présent", "présent", "à distance", "excusé", "absent")  # as the sheet writes them
STATUSES = ("present", "present", "present", "remote", "excused", "absent")    # as the base stores them
GOAL_SECONDS = 2  # issue 15: a million rows into an empty base, and re-imported unchanged
GOAL_RATIO = 5    # ... within five times DuckDB's own read_csv of the same file
FIRST_DAY = date(2000, 1, 3)


def _letters(index: int) -> str:
    """`index` written in four capital letters (0 -> AAAA, 27 -> AABB): a name holds no digit (issue 17)."""
    letters = ""
    for _ in range(4):
        index, rest = divmod(index, 26)
        letters = chr(65 + rest) + letters
    return letters


def files(rows: int) -> list[tuple[str, bytes]]:
    """A members file (500 Forum members) and a sign-in file of `rows` rows over as many meetings as needed."""
    members = io.StringIO()
    members.write("nom;prenom;commune;instance;role;debut;fin\n")
    for index in range(MEMBERS):
        members.write(f"BENCH{_letters(index)};Personne;68224;forum;membre;1999-01-01;\n")
    sheet = io.StringIO()
    sheet.write("instance;date;nom;prenom;commune;statut;mandataire\n")
    for row in range(rows):
        meeting, member = divmod(row, MEMBERS)
        day = FIRST_DAY + timedelta(days=meeting)
        sheet.write(f"forum;{day:%d/%m/%Y};BENCH{_letters(member)};Personne;Mulhouse;{SIGN_INS[row % 6]};\n")
    return [("membres.csv", members.getvalue().encode()), ("presences.csv", sheet.getvalue().encode("utf-8"))]


@dataclass
class _Run:
    """One import timed, and the moments its progress reported (importer.import_sources)."""

    seconds: float
    result: importer.ImportResult
    phases: dict[str, float]  # "lecture", "écriture", "validation": seconds spent in each


def _timed_import(conn: duckdb.DuckDBPyConnection, sources: list[tuple[str, bytes]]) -> _Run:
    marks: list[tuple[str, float]] = []

    def progress(fraction: float, message: str) -> None:
        marks.append((message, time.perf_counter()))

    started = time.perf_counter()
    result = importer.import_sources(conn, sources, today=date(2030, 1, 1), progress=progress)
    ended = time.perf_counter()
    moments = {message: moment for message, moment in reversed(marks)}  # each message's first moment
    writing, committing = moments.get("Écriture dans la base…", ended), moments.get("Validation de la transaction…",
                                                                                      ended)
    return _Run(ended - started, result, {"lecture": writing - started, "écriture": committing - writing,
                                          "validation": ended - committing})


def _floor(folder: Path, content: bytes) -> float:
    """DuckDB's own read_csv of the sign-in file into a table, in a base of its own (the floor of issue 15)."""
    path = folder / "presences.csv"
    path.write_bytes(content)
    conn = duckdb.connect(str(folder / "floor.duckdb"))
    try:
        started = time.perf_counter()
        conn.execute(query("bench_read_csv_floor"), [str(path)])
        return time.perf_counter() - started
    finally:
        conn.close()


def _keys_floor(folder: Path, rows: int) -> float:
    """DuckDB writing `rows` resolved sign-ins, in one go, into a table with the key and checks of the attendance
    table and committing: what the key costs, whoever writes the rows."""
    meeting, member = divmod(np.arange(rows), MEMBERS)
    staged = pa.table({"meeting_id": (meeting + 1).astype(np.int32), "person_id": (member + 1).astype(np.int32),
                       "status": pa.array(STATUSES).take(pa.array(np.arange(rows) % len(STATUSES))),
                       "delegate_id": pa.nulls(rows, pa.int32())})
    conn = duckdb.connect(str(folder / "keys.duckdb"))
    try:
        conn.execute(query("bench_keys_floor_schema"))
        conn.execute("CHECKPOINT")
        conn.register("staged", staged)
        started = time.perf_counter()
        conn.execute("BEGIN TRANSACTION")
        conn.execute(query("bench_keys_floor_insert"))
        conn.execute("COMMIT")
        return time.perf_counter() - started
    finally:
        conn.close()


def _median(values: list[float]) -> str:
    return (f"{number(statistics.median(values), 2)} s (de {number(min(values), 2)} à "
            f"{number(max(values), 2)} s)")


def command(rows: int = 1_000_000, runs: int = 5) -> int:
    """Print the time to import `rows` sign-in rows into an empty base, then to re-import them unchanged, each
    `runs` times (medians, fastest and slowest), against DuckDB's own read_csv of the file, with their ratio."""
    runs = max(runs, 5)
    sources = files(rows)
    size = sum(len(content) for _, content in sources)
    first: list[_Run] = []
    again: list[_Run] = []
    floors: list[float] = []
    keys: list[float] = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            floors.append(_floor(folder, sources[1][1]))
            keys.append(_keys_floor(folder, rows))
            conn = db.connect(folder / "bench.duckdb")
            try:
                first.append(_timed_import(conn, sources))
                again.append(_timed_import(conn, sources))
            finally:
                conn.close()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    print(f"Import de {number(rows)} présences ({number(size / 1e6, 1)} Mo de CSV) — DuckDB {duckdb.__version__}, "
          f"{os.cpu_count()} processeur(s), charge {number(load, 1)} ; médiane de {runs} exécutions :")
    floor = statistics.median(floors)
    for label, timed in (("base vide", first), ("réimport identique", again)):
        phases = {phase: statistics.median(run.phases[phase] for run in timed) for phase in timed[0].phases}
        result = timed[0].result
        print(f"  {label:<20} {_median([run.seconds for run in timed])}   ajoutées {number(result.added)}, "
              f"inchangées {number(result.unchanged)}")
        print(f"  {'':<20} dont lecture et vérification {number(phases['lecture'], 2)} s, écriture "
              f"{number(phases['écriture'], 2)} s, validation de la transaction {number(phases['validation'], 2)} s")
    print(f"  {'read_csv de DuckDB':<20} {_median(floors)}   (le plancher : le fichier lu dans une table)")
    print(f"  {'clés de la table':<20} {_median(keys)}   (DuckDB écrivant les mêmes lignes, déjà résolues, dans une "
          "table à la clé primaire et aux contraintes de celle des présences)")
    ratio = statistics.median(run.seconds for run in first) / floor
    met = statistics.median(run.seconds for run in first) < GOAL_SECONDS and ratio <= GOAL_RATIO \
        and statistics.median(run.seconds for run in again) < GOAL_SECONDS
    print(f"Rapport import / plancher : {number(ratio, 1)} (objectif : moins de {number(GOAL_SECONDS)} s, au plus "
          f"{number(GOAL_RATIO)} fois le plancher, réimport en moins de {number(GOAL_SECONDS)} s) : "
          f"{'atteint' if met else 'non atteint'}.")
    return 0
