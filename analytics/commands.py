"""Bodies of the `import` and `demo` commands: open the database, run, report in French."""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

from analytics.ingest import demo, importer
from analytics.store import db
from analytics.wording.format import number


def import_command(files: list[Path], db_arg: str | None) -> int:
    """Import template files in one transaction; list every problem and change nothing on error."""
    missing = [f for f in files if not f.is_file()]
    for path in missing:
        print(f"{path} : fichier introuvable.", file=sys.stderr)
    if missing:
        return 1
    try:
        conn = db.connect(db_arg)
    except db.DatabaseUnavailable as exc:
        print(exc, file=sys.stderr)
        return 1
    try:
        result = importer.import_files(conn, files)
    except importer.ImportRefused as refused:
        print(f"Import refusé : {len(refused.problems)} erreur(s), la base n'a pas été modifiée.", file=sys.stderr)
        for problem in refused.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    finally:
        conn.close()
    print(f"Import réussi : {number(result.added)} ligne(s) ajoutée(s), {number(result.updated)} modifiée(s), "
          f"{number(result.unchanged)} inchangée(s).")
    return 0


def demo_command(db_arg: str | None, seed: int, today: date | None) -> int:
    """Build the demo database from scratch (the file is replaced)."""
    path = db.db_path(db_arg)
    started = time.perf_counter()
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    try:
        conn = db.connect(path)
    except db.DatabaseUnavailable as exc:
        print(exc, file=sys.stderr)
        return 1
    try:
        result = demo.build(conn, seed=seed, today=today or date.today())
    finally:
        conn.close()
    print(f"Base de démonstration créée : {path} ({number(result.added)} lignes, "
          f"{number(time.perf_counter() - started, 1)} s). Toutes les personnes sont fictives.")
    return 0
