"""Headline counts of the whole database, for the home page and the command line."""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics.store.sql import query


def headline(conn: duckdb.DuckDBPyConnection) -> pd.Series:
    """Counts of communes, bodies, persons, meetings by status, sign-ins, and the span of the meetings."""
    return conn.cursor().execute(query("headline")).df().iloc[0]
