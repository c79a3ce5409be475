"""Speed of the dashboard pages on the demo database — a benchmark that prints figures, not a test.

    .venv/bin/python tests/bench_pages.py            # AppTest and browser
    .venv/bin/python tests/bench_pages.py --no-browser

- AppTest: the first run of each page (empty caches: the analytics run) and the median of warm reruns (what a
  click on a filter costs on the server once the figures are cached); goal under 150 ms.
- Browser (Debian's Chromium, headless): time from the address typed to the page finished and every chart drawn,
  for the first visitor after the server starts (nothing cached anywhere), for a returning user opening a link
  (browser files and server figures cached), and when moving from page to page in the menu; goal under 2 s.

Prints a Markdown table for the README.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

from analytics.ingest import demo  # noqa: E402
from analytics.rules import filters  # noqa: E402
from analytics.store import db  # noqa: E402

TODAY = date(2026, 11, 29)
PAGES = {  # title in the menu -> (url path, page file)
    "Synthèse": ("", "pages/tableau_de_bord/synthese.py"),
    "Instances": ("instances", "pages/tableau_de_bord/instances.py"),
    "Territoires": ("territoires", "pages/tableau_de_bord/territoires.py"),
    "Élus": ("elus", "pages/tableau_de_bord/elus.py"),
    "Conseil et sièges": ("conseil", "pages/tableau_de_bord/conseil.py"),
    "Calendrier": ("calendrier", "pages/tableau_de_bord/calendrier.py"),
}


def build(folder: Path) -> Path:
    path = folder / "demo.duckdb"
    conn = db.connect(path)
    demo.build(conn, seed=2020, today=TODAY)
    conn.close()
    return path


def apptest(database: Path, reruns: int) -> dict[str, tuple[float, float, float]]:
    """Per page: first run with empty caches, median and worst warm rerun, in milliseconds."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["GOUVERNANCE_DB"] = str(database)
    os.environ[filters.TODAY_VARIABLE] = TODAY.isoformat()
    results = {}
    for title, (_, script) in PAGES.items():
        st.cache_data.clear()
        st.cache_resource.clear()
        at = AppTest.from_file(str(HERE.parent / "app.py"), default_timeout=120)
        started = time.perf_counter()
        at.run()
        if not script.endswith("synthese.py"):
            at.switch_page(script).run()
        first = time.perf_counter() - started
        assert not at.exception, at.exception
        at.run()  # settle the caches of this page's own widgets
        times = []
        for _ in range(reruns):
            started = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - started)
        results[title] = (1000 * first, 1000 * statistics.median(times), 1000 * max(times))
    return results


def browser(database: Path) -> dict[str, tuple[float, float, float]]:
    """Per page: first visit after the server starts, later visit, page switch in the menu, in seconds."""
    from browser import CHROMIUM, CHROMIUM_FLAGS, streamlit_server, wait_idle
    from playwright.sync_api import sync_playwright

    results: dict[str, list[float]] = {title: [] for title in PAGES}

    def visit(page, path: str) -> float:
        started = time.perf_counter()
        page.goto(f"{url}/{path}")
        wait_idle(page, timeout=120_000)
        return time.perf_counter() - started

    with streamlit_server(database, {filters.TODAY_VARIABLE: TODAY.isoformat()}) as url, sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        # 1. the first visitor after the server starts: nothing cached, neither figures nor browser files
        for title, (path, _) in PAGES.items():
            context = chromium.new_context(viewport={"width": 1440, "height": 900}, locale="fr-FR")
            results[title].append(visit(context.new_page(), path))
            context.close()
        # 2. a returning user opening a link: the browser has its files, the server its figures
        context = chromium.new_context(viewport={"width": 1440, "height": 900}, locale="fr-FR")
        page = context.new_page()
        visit(page, "")
        for title, (path, _) in PAGES.items():
            results[title].append(visit(page, path))
        # 3. moving from page to page with the menu
        visit(page, "")
        for title in [*list(PAGES)[1:], list(PAGES)[0]]:
            started = time.perf_counter()
            page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).first.click()
            page.wait_for_function(
                "title => document.querySelector('[data-testid=\"stMainBlockContainer\"] h1')?.innerText"
                ".includes(title)", arg=title.split(" ")[0], timeout=120_000)
            wait_idle(page, timeout=120_000)
            results[title].append(time.perf_counter() - started)
        context.close()
        chromium.close()
    return {title: tuple(values) for title, values in results.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-browser", action="store_true", help="AppTest only")
    parser.add_argument("--reruns", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = build(Path(folder))
        # a copy for the server: the AppTest runs keep this process's connection (and its lock) on the first
        copy = Path(folder) / "serveur.duckdb"
        shutil.copy(database, copy)
        server = apptest(database, args.reruns)
        client = {} if args.no_browser else browser(copy)
    load = os.getloadavg()[0]
    print(f"\nBase de démonstration, {os.cpu_count()} processeur(s), charge moyenne {load:.1f} pendant la mesure.\n")
    header = "| page | AppTest : 1er calcul | AppTest : réexécution (médiane / pire) |"
    rule = "|---|---:|---:|"
    if client:
        header += (" navigateur : 1re visite après démarrage | navigateur : ouverture d'un lien |"
                   " navigateur : changement de page |")
        rule += "---:|---:|---:|"
    print(header)
    print(rule)
    for title, (first, median, worst) in server.items():
        line = f"| {title} | {first:,.0f} ms | {median:,.0f} ms / {worst:,.0f} ms |".replace(",", " ")
        if client:
            line += " " + " | ".join(f"{value:.2f} s".replace(".", ",") for value in client[title]) + " |"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
