"""Browser tests: the real app served by Streamlit, driven in Debian's Chromium through Playwright."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from analytics import db, demo
from browser import CHROMIUM, CHROMIUM_FLAGS, require_chromium, shot, streamlit_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    require_chromium()
    path = tmp_path_factory.mktemp("browser") / "demo.duckdb"
    conn = db.connect(path)
    demo.build(conn, seed=2020, today=date(2026, 11, 29))
    conn.close()
    with streamlit_server(path) as url:
        yield url


@pytest.fixture(scope="module")
def browser(server: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="fr-FR")
    yield context.new_page()
    context.close()


def wait_rendered(page) -> None:
    """Wait until Streamlit has finished running the script."""
    page.wait_for_selector('[data-testid="stApp"]')
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && document.querySelectorAll('[data-testid=\"stMetric\"]').length > 0",
        timeout=30_000,
    )


def test_home_page_loads_without_error(server: str, page, tmp_path: Path) -> None:
    started = time.perf_counter()
    page.goto(server)
    wait_rendered(page)
    print(f"\nPremier affichage de l'accueil : {time.perf_counter() - started:.2f} s")
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlert"]').count() == 0
    assert "Gouvernance m2A" in page.locator("h1").first.inner_text()
    assert page.get_by_text("Communes membres").count() == 1
    assert shot(page, "accueil", tmp_path).stat().st_size > 10_000
