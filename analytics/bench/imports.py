"""Benchmark of the import path: a synthetic sign-in file of N rows, imported into a new database."""

from __future__ import annotations

import io
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from analytics.ingest import importer
from analytics.store import db
from analytics.wording.format import number

MEMBERS = 500
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
    statuses = ("présent", "présent", "présent", "à distance", "excusé", "absent")
    for row in range(rows):
        meeting, member = divmod(row, MEMBERS)
        day = FIRST_DAY + timedelta(days=meeting)
        sheet.write(f"forum;{day:%d/%m/%Y};BENCH{_letters(member)};Personne;Mulhouse;{statuses[row % 6]};\n")
    return [("membres.csv", members.getvalue().encode()), ("presences.csv", sheet.getvalue().encode("utf-8"))]


def command(rows: int = 1_000_000) -> int:
    """Print the time to import `rows` sign-in rows into an empty database, then to re-import them unchanged."""
    sources = files(rows)
    size = sum(len(content) for _, content in sources)
    with tempfile.TemporaryDirectory() as folder:
        conn = db.connect(Path(folder) / "bench.duckdb")
        timings = []
        for _ in range(2):
            started = time.perf_counter()
            result = importer.import_sources(conn, sources, today=date(2030, 1, 1))
            timings.append((time.perf_counter() - started, result))
        conn.close()
    print(f"Import de {number(rows)} présences ({number(size / 1e6, 1)} Mo de CSV) :")
    for label, (seconds, result) in zip(("base vide", "réimport identique"), timings):
        print(f"  {label:<20} {number(seconds, 2):>8} s   ajoutées {number(result.added):>11}   "
              f"inchangées {number(result.unchanged):>11}")
    return 0
