"""`python -m analytics bench`: how fast and how big the attendance indicators are on synthetic databases of
100 k, 1 M and 10 M attendance rows, against the pandas oracle (analytics/oracle.py).

Each scale is generated into a temporary DuckDB file, then measured in fresh processes, so that one scale's
memory peak (ru_maxrss, a high-water mark) is not another's: one process for generation, one for the SQL
indicators, one for the oracle."""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from analytics.bench import oracle
from analytics.rules import attendance, periods, quorum
from analytics.store import db
from analytics.store.sql import query
from analytics.store.tallies import refresh_tallies
from analytics.store.transaction import transaction

SCALES = [100_000, 1_000_000, 10_000_000]
PERSONS = 300
DAY0 = date(2000, 1, 1)
PILOT_DAYS = 200
REPEATS = 3
ORACLE_LEVELS = list(oracle.LEVELS)
GOAL_SECONDS, GOAL_RATIO, GOAL_MEMORY_MB = 0.5, 10, 2048


# --- data ------------------------------------------------------------------------------------------------------

def _fill(path: Path, days: int) -> int:
    """Create a database at `path` with `days` days of meetings; return its number of attendance rows."""
    conn = db.connect(path)
    try:
        cur = conn.cursor()
        cur.execute(query("attendance_bench_persons"), {"persons": PERSONS})
        cur.execute(query("attendance_bench_memberships"), {"day0": DAY0, "days": days})
        cur.execute(query("attendance_bench_meetings"), {"day0": DAY0, "days": days})
        cur.execute(query("attendance_bench_attendance"))
        # as an import would: the pre-aggregated counts the indicators read (migration 003)
        with transaction(cur):
            refresh_tallies(cur)
        return cur.execute(query("attendance_bench_rows")).fetchall()[0][0]
    finally:
        conn.close()


def generate(path: Path, rows: int) -> tuple[int, float]:
    """Write a synthetic database of about `rows` attendance rows at `path`; return (rows, seconds)."""
    started = time.perf_counter()
    # a short pilot gives the rows per day of this catalogue, then the mandate is stretched to reach `rows`
    pilot = path.with_name("pilot.duckdb")
    per_day = _fill(pilot, PILOT_DAYS) / PILOT_DAYS
    pilot.unlink()
    written = _fill(path, max(2, round(rows / per_day)))
    return written, time.perf_counter() - started


# --- measures --------------------------------------------------------------------------------------------------

def _best(work: Callable[[], Any]) -> float:
    """Best wall time of REPEATS runs, after one untimed run that loads the file's pages."""
    work()
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def _peak_mb() -> float | None:
    """Peak resident memory of this process in MB, if the platform tells."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    # ru_maxrss is in kilobytes on Linux, in bytes on macOS
    scale = 1 if os.uname().sysname == "Darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def _range(conn: duckdb.DuckDBPyConnection) -> tuple[date, date]:
    span = periods.mandate_range(conn)
    assert span is not None, "the benchmark database holds no meeting"
    return span


def measure_sql(path: Path) -> dict[str, float | None]:
    """Times of the complete indicators, of the floor pass and of the oracle's four levels in SQL; peak memory."""
    conn = duckdb.connect(str(path), read_only=True)
    try:
        start, end = _range(conn)
        levels = [level for level in attendance.LEVELS if level != "person_body"]

        def complete() -> None:
            attendance.counts_many(conn, start, end, levels)
            quorum.quorum(conn, start, end)

        return {
            "complete": _best(complete),
            "floor": _best(lambda: conn.cursor().execute(query("attendance_bench_floor")).fetchall()),
            "sql_levels": _best(lambda: attendance.counts_many(conn, start, end, ORACLE_LEVELS)),
            "memory": _peak_mb(),
        }
    finally:
        conn.close()


def measure_oracle(path: Path) -> dict[str, Any]:
    """Time of the pandas oracle on its four levels, whether it equals SQL, and peak memory."""
    conn = duckdb.connect(str(path), read_only=True)
    try:
        start, end = _range(conn)
        started = time.perf_counter()
        expected = oracle.counts_many(conn, start, end, ORACLE_LEVELS)
        seconds = time.perf_counter() - started
        found = attendance.counts_many(conn, start, end, ORACLE_LEVELS)
        equal = True
        for level in ORACLE_LEVELS:
            try:
                pd.testing.assert_frame_equal(found[level], expected[level], check_dtype=False)
            except AssertionError:
                equal = False
        return {"oracle": seconds, "equal": equal, "memory": _peak_mb()}
    finally:
        conn.close()


def _isolated(function: Callable[..., Any], *args: Any) -> Any:
    """Run function(*args) in a fresh process, so that its memory peak is its own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


# --- report ----------------------------------------------------------------------------------------------------

def _number(value: float, decimals: int = 0) -> str:
    """French number: narrow no-break space between thousands, decimal comma."""
    return f"{value:,.{decimals}f}".replace(",", "\u202f").replace(".", ",")


def _seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{_number(value * 1000)} ms" if value < 1 else f"{_number(value, 2)} s"


def _megabytes(value: float | None) -> str:
    return "n/d" if value is None else f"{_number(value)} Mo"


HEADERS = ["lignes", "génération", "indicateurs complets", "plancher", "SQL 4 niveaux", "oracle pandas",
           "rapport", "oracle = SQL", "mémoire SQL", "mémoire oracle"]


def _row(result: dict[str, Any]) -> list[str]:
    ratio = result["oracle"] / result["sql_levels"] if result.get("oracle") else None
    equal = {True: "oui", False: "NON", None: "non mesuré"}[result.get("equal")]
    return [
        _number(result["rows"]), _seconds(result["generation"]), _seconds(result["complete"]),
        _seconds(result["floor"]), _seconds(result["sql_levels"]), _seconds(result.get("oracle")),
        "—" if ratio is None else f"× {_number(ratio, 1)}", equal, _megabytes(result["memory"]),
        _megabytes(result.get("oracle_memory")),
    ]


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(line[i]) for line in [HEADERS, *rows]) for i in range(len(HEADERS))]
    lines = [" | ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True))
             for line in [HEADERS, *rows]]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def _verdict(results: list[dict[str, Any]]) -> list[str]:
    largest = max(results, key=lambda result: result["rows"])
    lines = [f"Objectifs, sur la plus grande base ({_number(largest['rows'])} lignes) :"]
    met = largest["complete"] < GOAL_SECONDS
    lines.append(f"  indicateurs complets en moins de {_number(GOAL_SECONDS, 1)} s : "
                 f"{'atteint' if met else 'non atteint'} ({_seconds(largest['complete'])})")
    if largest.get("oracle"):
        ratio = largest["oracle"] / largest["sql_levels"]
        lines.append(f"  au moins {GOAL_RATIO} fois plus rapide que pandas : "
                     f"{'atteint' if ratio >= GOAL_RATIO else 'non atteint'} (× {_number(ratio, 1)})")
    if largest["memory"] is not None:
        lines.append(f"  mémoire des indicateurs sous {_number(GOAL_MEMORY_MB)} Mo : "
                     f"{'atteint' if largest['memory'] < GOAL_MEMORY_MB else 'non atteint'}")
    return lines


def command(scales: list[int] | None = None, *, oracle_up_to: int | None = None) -> int:
    """Generate, measure and print the benchmark table in French; oracle_up_to skips the oracle above that size."""
    scales = scales or SCALES
    print(f"Banc d'essai des indicateurs d'assiduité — DuckDB {duckdb.__version__}, "
          f"{os.cpu_count()} processeur(s), meilleur temps de {REPEATS} exécutions après une de chauffe.")
    print("indicateurs complets = counts aux niveaux body, person, commune, sector, meeting, body_month, "
          "sector_month + quorum ; plancher = une agrégation de la table attendance ; SQL 4 niveaux et oracle "
          "pandas = body, person, commune, sector ; rapport = oracle ÷ SQL 4 niveaux.\n", flush=True)
    results = []
    for scale in scales:
        with tempfile.TemporaryDirectory(prefix="bench-") as folder:
            path = Path(folder) / "bench.duckdb"
            rows, generation = _isolated(generate, path, scale)
            result: dict[str, Any] = {"rows": rows, "generation": generation, **_isolated(measure_sql, path)}
            if oracle_up_to is None or scale <= oracle_up_to:
                found = _isolated(measure_oracle, path)
                result.update(oracle=found["oracle"], equal=found["equal"], oracle_memory=found["memory"])
            else:
                print(f"(oracle pandas non exécuté à {_number(scale)} lignes : au-delà de --oracle-jusqua "
                      f"{_number(oracle_up_to)})", flush=True)
        results.append(result)
        print(f"{_number(rows)} lignes mesurées.", flush=True)
    print()
    print(_table([_row(r) for r in results]))
    print()
    print("\n".join(_verdict(results)))
    return 0 if all(r.get("equal", True) for r in results) else 1
