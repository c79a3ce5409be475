"""Benchmark of the monthly pack: the time build_pack takes, for each edition.

`python -m analytics bench report [--db BASE] [--month AAAA-MM] [--runs N]`. Without --db it builds the demo
database (seed 2020, 29 November 2026) in a temporary folder, as the tests do, and times the pack of October 2026.
Each edition is built once to warm up (imports, font parsing), then N times; the median and the slowest are printed.
A benchmark, not a test: the figure goes to the README.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

DEMO_TODAY = date(2026, 11, 29)
DEMO_MONTH = "2026-10"


def measure(db_path: Path, month: date, runs: int) -> dict[str, list[tuple[float, float]]]:
    """(wall-clock, CPU) seconds per build of each edition, after one warm-up build. The CPU time tells the cost
    when other programs share the processor; DuckDB's own threads count in it."""
    from analytics.report import pack as report
    from analytics.store import db

    conn = db.connect(db_path, read_only=True)
    try:
        timings: dict[str, list[tuple[float, float]]] = {}
        for anonymise in (False, True):
            report.build_pack(conn, month, anonymise=anonymise)
            runs_of = []
            for _ in range(runs):
                wall, cpu = time.perf_counter(), time.process_time()
                report.build_pack(conn, month, anonymise=anonymise)
                runs_of.append((time.perf_counter() - wall, time.process_time() - cpu))
            timings["anonymisée" if anonymise else "interne"] = runs_of
        return timings
    finally:
        conn.close()


def command(db_arg: str | None = None, month_text: str | None = None, runs: int = 5) -> int:
    """`python -m analytics bench report [--db BASE] [--month AAAA-MM] [--runs N]`: print the build times."""
    from analytics.ingest import demo
    from analytics.report import pack as report
    from analytics.store import db
    from analytics.wording.format import number

    try:
        month = report.parse_month(month_text or DEMO_MONTH)
    except ValueError as exc:
        print(f"{exc}.", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as folder:
        path = Path(db_arg) if db_arg else Path(folder) / "demo.duckdb"
        if not db_arg:
            conn = db.connect(path)
            demo.build(conn, seed=2020, today=DEMO_TODAY)
            conn.close()
        timings = measure(path, month, max(runs, 1))
    for edition, builds in timings.items():
        walls = [wall for wall, _ in builds]
        cpus = [cpu for _, cpu in builds]
        print(f"Dossier {month_text or DEMO_MONTH}, édition {edition} : "
              f"médiane {number(statistics.median(walls), 2)} s, "
              f"max {number(max(walls), 2)} s, temps processeur médian {number(statistics.median(cpus), 2)} s "
              f"({len(builds)} constructions).")
    return 0

