"""Loads the SQL files of analytics/sql: one query per file, named like the function that runs it."""

from __future__ import annotations

from functools import cache

from analytics import settings

SQL_DIR = settings.SQL_DIR


@cache
def query(name: str) -> str:
    """Text of analytics/sql/<name>.sql."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
