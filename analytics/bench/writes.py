"""`python -m analytics bench write`: how long a small write takes on a large base (issue 15), now that a write
counts again only the tallies of the sittings it touched: one sitting saved from the form, 100 sign-in rows
imported, against the whole recount every write used to pay. Medians of several runs, printed in French."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

from analytics.bench import indicators
from analytics.ingest import importer, recording
from analytics.rules import attendance
from analytics.store import db, tallies
from analytics.store.transaction import snapshot
from analytics.wording.format import number

GOAL_SECONDS = 0.15
IMPORTED = 100  # the persons, and the rows of each imported sign-in sheet
FAR = date(2100, 1, 1)  # "today" of the writes: every bench sitting lies before it
# the sequences the generator leaves behind (it writes its ids by hand): a write would reuse its ids
SEQUENCES = (("meeting_id_seq", "meetings", "meeting_id"), ("person_id_seq", "persons", "person_id"),
             ("membership_id_seq", "memberships", "membership_id"))


def _name(index: int) -> str:
    """A last name without digits (the import refuses them): ECRIT + the index written in letters A–J."""
    return "ECRIT" + "".join(chr(65 + int(digit)) for digit in f"{index:03d}")


def _prepare(conn: duckdb.DuckDBPyConnection) -> date:
    """Ready a generated base for writes; return the first free day after its last meeting."""
    for sequence, table, column in SEQUENCES:
        conn.execute(f"SELECT max(nextval('{sequence}')) FROM range((SELECT coalesce(max({column}), 0) FROM {table}))")
    last = conn.execute("SELECT max(meeting_date) FROM meetings").fetchall()[0][0]
    first = last + timedelta(days=1)
    # persons whose names an import can match, Forum members from the first free day
    members = ["nom;prenom;commune;instance;role;debut;fin"]
    members += [f"{_name(i)};Banc;68224;forum;membre;{first:%Y-%m-%d};" for i in range(IMPORTED)]
    importer.import_sources(conn, [("membres.csv", "\n".join(members).encode())], today=FAR)
    return first


def _sheet(day: date) -> bytes:
    statuses = ("présent", "présent", "présent", "à distance", "excusé", "absent")
    rows = ["instance;date;nom;prenom;commune;statut;mandataire"]
    rows += [f"forum;{day:%d/%m/%Y};{_name(i)};Banc;Mulhouse;{statuses[i % len(statuses)]};" for i in range(IMPORTED)]
    return "\n".join(rows).encode()


def _timed(work: Callable[..., object], *args: Any, **kwargs: Any) -> float:
    started = time.perf_counter()
    work(*args, **kwargs)
    return time.perf_counter() - started


@dataclass(frozen=True)
class Measured:
    """The seconds of each run of each kind of write, on a base of `rows` attendance rows."""

    rows: int
    form: list[float]
    imported: list[float]
    whole: list[float]
    form_tallies: list[float]  # the part of each write spent counting its tallies again
    imported_tallies: list[float]
    fresh: bool  # the tallies judged fresh after the writes: read by the indicators, not counted from the rows


def measure(path: Path, runs: int) -> Measured:
    """Time `runs` writes of each kind on the base at `path` (it is changed); return the times and checks."""
    conn = db.connect(path)
    spent: list[float] = []
    counted = attendance.refresh_tallies

    def timed_refresh(cur: duckdb.DuckDBPyConnection, sittings: Iterable[tuple[str, date]] | None = None) -> None:
        # the write paths call it through analytics.rules.attendance: timed there, in this process only
        started = time.perf_counter()
        counted(cur, sittings)
        spent.append(time.perf_counter() - started)

    try:
        day = _prepare(conn)
        attendance.refresh_tallies = timed_refresh
        rows = conn.execute("SELECT count(*) FROM attendance").fetchall()[0][0]
        form, imported, form_tallies, imported_tallies = [], [], [], []
        for run in range(runs):
            # a new conseil sitting each run, its members present as a new sheet starts
            sheet = recording.load_sheet(conn, "conseil", day + timedelta(days=2 * run))
            statuses = sheet.rows[["person_id", "status", "delegate_id"]]
            form.append(_timed(recording.save_sheet, conn, sheet, statuses, username="banc", today=FAR))
            form_tallies.append(spent.pop())
            source = [("presences.csv", _sheet(day + timedelta(days=2 * run + 1)))]
            imported.append(_timed(importer.import_sources, conn, source, today=FAR))
            imported_tallies.append(spent.pop())
        attendance.refresh_tallies = counted
        fresh = tallies.tallies_fresh(conn.cursor())
        cur = conn.cursor()
        whole = []
        for _ in range(runs):
            with snapshot(cur):  # what every write paid before: every tally counted again, then rolled back
                whole.append(_timed(tallies.refresh_tallies, cur))
        return Measured(rows, form, imported, whole, form_tallies, imported_tallies, fresh)
    finally:
        conn.close()


def _isolated(function: Callable[..., Any], *args: Any) -> Any:
    """Run function(*args) in a fresh process (the generator's memory is not the writes')."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def _seconds(values: list[float]) -> str:
    median = statistics.median(values)
    spread = f"(de {number(min(values) * 1000)} à {number(max(values) * 1000)} ms)"
    return f"{number(median * 1000)} ms {spread}"


def command(rows: int = 10_000_000, runs: int = 5, base: Path | None = None) -> int:
    """Generate (or copy `base`), measure and print the write times in French; exit code 1 if a goal is missed."""
    runs = max(runs, 5)
    with tempfile.TemporaryDirectory(prefix="bench-write-") as folder:
        path = Path(folder) / "bench.duckdb"
        if base is not None:
            shutil.copyfile(base, path)  # the writes change the base: a copy keeps the one given
            print(f"Base copiée de {base}.", flush=True)
        else:
            written, seconds = _isolated(indicators.generate, path, rows)
            print(f"Base générée : {number(written)} présences en {number(seconds, 1)} s.", flush=True)
        result: Measured = _isolated(measure, path, runs)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    print(f"Écritures sur une base de {number(result.rows)} présences — DuckDB {duckdb.__version__}, "
          f"{os.cpu_count()} processeur(s), charge {number(load, 1)} ; médiane de {runs} exécutions.")
    lines = [("une séance enregistrée depuis le formulaire", result.form),
             ("  dont ses comptes pré-agrégés", result.form_tallies),
             (f"un import de {IMPORTED} lignes (une feuille d'émargement)", result.imported),
             ("  dont ses comptes pré-agrégés", result.imported_tallies),
             ("pour comparaison : tous les comptes recomptés", result.whole)]
    width = max(len(label) for label, _ in lines)
    for label, values in lines:
        print(f"  {label:<{width}}  {_seconds(values)}")
    print(f"  comptes pré-agrégés à jour après les écritures : {'oui' if result.fresh else 'NON'}")
    met = all(statistics.median(times) < GOAL_SECONDS for times in (result.form, result.imported))
    verdict = "atteint" if met else "non atteint"
    print(f"Objectif : chaque écriture en moins de {number(GOAL_SECONDS, 2)} s : {verdict}.")
    return 0 if result.fresh else 1
