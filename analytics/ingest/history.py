"""The history of imports: who imported which files, when, and what it changed."""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics.store.sql import query

SOURCES = {"cli": "ligne de commande", "demo": "démonstration", "ui": "tableau de bord"}


def imports(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Imports, most recent first, with French column names ready to show."""
    frame = conn.cursor().execute(query("history_imports")).df()
    frame["source"] = frame["source"].map(SOURCES)
    return frame.rename(columns={
        "imported_at": "Date", "username": "Par", "source": "Depuis", "file_names": "Fichiers",
        "rows_added": "Lignes ajoutées", "rows_updated": "Lignes modifiées", "rows_unchanged": "Lignes inchangées",
    })
