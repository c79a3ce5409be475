"""The only module of the engine that knows Streamlit: the per-process connection and its error page."""

from __future__ import annotations

import duckdb
import streamlit as st

from analytics import db


@st.cache_resource(show_spinner=False)
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    # one connection per process; every unit of work opens its own cursor on it
    return db.connect(path)


def connection() -> duckdb.DuckDBPyConnection:
    """The process-wide connection, or a French error message and a stopped page."""
    try:
        return _connection(str(db.db_path()))
    except db.DatabaseUnavailable as exc:
        st.error(str(exc), icon="🔒")
        st.stop()
