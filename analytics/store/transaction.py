"""One unit of work on one cursor: BEGIN … COMMIT, or ROLLBACK on any error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb


@contextmanager
def transaction(cur: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Run the block in one transaction on `cur`: committed when it ends, rolled back when it raises."""
    cur.execute("BEGIN TRANSACTION")
    try:
        yield cur
        cur.execute("COMMIT")
    except BaseException:
        rollback(cur)
        raise


@contextmanager
def snapshot(cur: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Read the block in one consistent snapshot; nothing it does is kept."""
    cur.execute("BEGIN TRANSACTION")
    try:
        yield cur
    finally:
        rollback(cur)


def rollback(cur: duckdb.DuckDBPyConnection) -> None:
    """Roll back, tolerating a transaction a failed COMMIT has already rolled back."""
    try:
        cur.execute("ROLLBACK")
    except duckdb.TransactionException:
        pass
