"""AppTest of the router and the home page, on the demo database and on an empty one."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analytics.screens import overview
from analytics.store import db
from analytics.wording.format import number
from tests.support import ROOT

APP = str(ROOT / "app.py")


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


def _run(monkeypatch: pytest.MonkeyPatch, path: Path) -> AppTest:
    monkeypatch.setenv("GOUVERNANCE_DB", str(path))
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    return at


def test_home_shows_the_database_counts(monkeypatch: pytest.MonkeyPatch, demo_file: Path) -> None:
    at = _run(monkeypatch, demo_file)
    metrics = {m.label: m.value for m in at.metric}
    conn = db.connect(demo_file)
    counts = overview.headline(conn)
    assert metrics["Communes membres"] == "39"
    assert metrics["Séances tenues"] == number(counts["meetings_held"])
    assert metrics["Émargements enregistrés"] == number(counts["attendance_rows"])
    assert counts["attendance_rows"] > 10_000  # so the French thousands separator is exercised
    assert "\u202f" in metrics["Émargements enregistrés"]
    assert not at.info


def test_home_on_an_empty_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    at = _run(monkeypatch, tmp_path / "empty.duckdb")
    assert "Aucune donnée" in at.info[0].value
    assert {m.label: m.value for m in at.metric}["Séances tenues"] == "0"
