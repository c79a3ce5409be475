"""Speed of the dashboard pages on the demo database — a benchmark that prints figures, not a test.

    .venv/bin/python tests/bench_pages.py            # AppTest and browser
    .venv/bin/python tests/bench_pages.py --no-browser
    .venv/bin/python tests/bench_pages.py --no-apptest --runs 5
    .venv/bin/python tests/bench_pages.py --no-apptest --floor   # and the stack's own floor

- AppTest: the first run of each page (empty caches: the analytics run) and the median of warm reruns (what a
  click on a filter costs on the server once the figures are cached); goal under 150 ms.
- Browser (Debian's Chromium, headless), on the server as deployed (analytics.ui.serve): time from the address
  typed (or the click) to the page settled, Streamlit's running indicator gone and every chart drawn (issue 15):
  the first visit after a server start (alone, once the warm-up is over; goal under 2 s), then with two other
  people browsing at the same time a link opened in a new browser (under 1,5 s), a page switch in the menu and
  a change of the Période filter (under 0,5 s each). Medians of 5 runs at least, with the fastest and slowest.
- Floor (--floor): the same browser measures on a bare Streamlit app (tests/bench_floor_app.py: no chart, one
  small Plotly chart, seven), alone on the machine, with the dashboard's settings: what the stack itself costs.
- The load model: the two other people sit at the same réunion de direction with their own computers, so their
  browsers render nothing on this machine; each is a Streamlit client over the websocket (tests/ws_client.py)
  that clicks a page of the menu or a new Période, alternately, THINK (1 s) after the server answered its last
  click. The bench prints how fast the server answered them.

Prints Markdown tables for the README, with the date and the machine's load.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

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
    os.environ["GOUVERNANCE_DB"] = str(database)
    os.environ[filters.TODAY_VARIABLE] = TODAY.isoformat()
    results = {}
    # AppTest leaves app.py as this process's __main__: the browser part's other sessions, spawned, would no longer
    # find this module's _browse there
    main = sys.modules["__main__"]
    try:
        _apptest_pages(results, reruns)
    finally:
        sys.modules["__main__"] = main
    return results


def _apptest_pages(results: dict[str, tuple[float, float, float]], reruns: int) -> None:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

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


FILTER = "Période"
BACKGROUND = 2  # other sessions browsing the app while the figures are measured (issue 15)
VIEWPORT = {"width": 1440, "height": 900}


@contextmanager
def served(database: Path) -> Iterator[tuple[str, threading.Event]]:
    """The server as deployed (analytics.ui.serve: no legacy pages, warmed up) on `database`; yields its URL once
    it listens, and an event set when its log says the warm-up is over (the log is read to its end: a full pipe
    would stop the server)."""
    from browser import free_port

    port = free_port()
    env = {**os.environ, "GOUVERNANCE_DB": str(database), filters.TODAY_VARIABLE: TODAY.isoformat()}
    process = subprocess.Popen([sys.executable, "-m", "analytics.ui.serve", "--server.port", str(port),
                                "--server.address", "127.0.0.1"], cwd=HERE.parent, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    warmed = threading.Event()

    def read_log() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            if "Pages préchauffées" in line:
                warmed.set()

    threading.Thread(target=read_log, daemon=True).start()
    try:
        _wait_healthy(url, process)
        yield url, warmed
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_healthy(url: str, process: subprocess.Popen) -> None:
    while True:
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).close()
            return
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("le serveur ne démarre pas") from None
            time.sleep(0.2)


THINK = 1.0  # seconds a person looks at the page before the next click


def _browse(url: str, stop: Any, answers: Any, seed: int) -> None:
    """Another person at the réunion de direction, whose browser runs on their own computer: a Streamlit client over
    the websocket (tests/ws_client.py) that clicks a page of the menu or a new Période, alternately, the next click
    THINK seconds after the server has answered the last one, until `stop` is set; puts the seconds of each answer
    in `answers`."""
    from ws_client import Session

    paths = [path for path, _ in PAGES.values()]
    session = Session(url)
    try:
        session.open(paths[seed % len(paths)])
        step = seed
        while not stop.is_set():
            step += 1
            if step % 2 and FILTER in session.choices:
                options = session.choices[FILTER].options
                answers.put(session.choose(FILTER, options[step // 2 % len(options)]))
            else:
                answers.put(session.page(paths[step // 2 % len(paths)]))
            stop.wait(THINK)
    except Exception:  # noqa: BLE001 (a run cut short by the end of the measure: the server stops)
        pass
    finally:
        session.close()


def _settle(page) -> None:
    from browser import wait_idle

    wait_idle(page, timeout=120_000)


def _visit(page, url: str, path: str) -> float:
    started = time.perf_counter()
    page.goto(f"{url}/{path}")
    _settle(page)
    return time.perf_counter() - started


def _filter_changes(page, url: str, path: str, runs: int) -> list[float]:
    """Seconds from a choice in the Période filter to the page settled again, `runs` times (none: no filter)."""
    page.goto(f"{url}/{path}")
    _settle(page)
    box = page.locator('[data-testid="stSelectbox"]').filter(has=page.get_by_text(FILTER, exact=True)).first
    if box.count() == 0:
        return []
    box.click()
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    times = []
    for run in range(runs):
        box.click()
        before = page.url
        started = time.perf_counter()
        page.get_by_role("option", name=options[(run + 1) % len(options)], exact=True).click()
        page.wait_for_function("before => window.location.href !== before", arg=before, timeout=60_000)
        _settle(page)
        times.append(time.perf_counter() - started)
    return times


def browser(database: Path, runs: int, background: list[float], first: bool = True
            ) -> dict[str, dict[str, list[float]]]:
    """Per page and measure, the seconds of each run, in headless Chromium, the pages settled (Streamlit's running
    indicator gone, every chart drawn): first visit after a server start (once the warm-up is over, alone); then,
    with BACKGROUND other sessions browsing, a link opened in a new browser, a page switch in the menu and a change
    of the Période filter. The seconds the others waited for each of their clicks go into `background`."""
    import multiprocessing

    from browser import CHROMIUM, CHROMIUM_FLAGS
    from playwright.sync_api import sync_playwright

    results: dict[str, dict[str, list[float]]] = {title: {} for title in PAGES}
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        for title, (path, _) in PAGES.items() if first else ():
            results[title]["first"] = []
            for _ in range(runs):
                with served(database) as (url, warmed):
                    warmed.wait(timeout=300)
                    context = chromium.new_context(viewport=VIEWPORT, locale="fr-FR")
                    results[title]["first"].append(_visit(context.new_page(), url, path))
                    context.close()
        with served(database) as (url, warmed):
            warmed.wait(timeout=300)
            spawn = multiprocessing.get_context("spawn")
            stop, answers = spawn.Event(), spawn.Queue()
            others = [spawn.Process(target=_browse, args=(url, stop, answers, seed)) for seed in range(BACKGROUND)]
            for other in others:
                other.start()
            try:
                time.sleep(5)  # the other sessions are browsing
                for title, (path, _) in PAGES.items():
                    link = []
                    for _ in range(runs):
                        context = chromium.new_context(viewport=VIEWPORT, locale="fr-FR")
                        link.append(_visit(context.new_page(), url, path))
                        context.close()
                    results[title]["link"] = link
                context = chromium.new_context(viewport=VIEWPORT, locale="fr-FR")
                page = context.new_page()
                _visit(page, url, "")
                for title in PAGES:
                    results[title]["switch"] = []
                for _ in range(runs):
                    for title in [*list(PAGES)[1:], list(PAGES)[0]]:
                        started = time.perf_counter()
                        _menu(page, title)
                        results[title]["switch"].append(time.perf_counter() - started)
                for title, (path, _) in PAGES.items():
                    results[title]["filter"] = _filter_changes(page, url, path, runs)
                context.close()
            finally:
                stop.set()
                for other in others:
                    other.join(timeout=120)
                background.extend(_drain(answers))
        chromium.close()
    return results


FLOOR = {"aucun graphique": "", "1 graphique": "un-graphique", "7 graphiques": "sept-graphiques"}


def floor(runs: int) -> dict[str, list[float]]:
    """The stack's own floor, alone on the machine: seconds for a link opened in a new browser to each page of a bare
    Streamlit app (tests/bench_floor_app.py: nothing, one small chart, seven), and for a switch in the menu from
    its empty page to the seven charts, measured as the dashboard's pages are."""
    from browser import CHROMIUM, CHROMIUM_FLAGS, free_port
    from playwright.sync_api import sync_playwright

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(HERE / "bench_floor_app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=HERE.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # the dashboard's own settings
    url = f"http://127.0.0.1:{port}"
    results: dict[str, list[float]] = {}
    try:
        _wait_healthy(url, process)
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            for title, path in FLOOR.items():
                results[title] = []
                for run in range(runs + 1):  # the first run loads the server's modules: not counted
                    context = chromium.new_context(viewport=VIEWPORT, locale="fr-FR")
                    seconds = _visit(context.new_page(), url, path)
                    context.close()
                    if run:
                        results[title].append(seconds)
            context = chromium.new_context(viewport=VIEWPORT, locale="fr-FR")
            page = context.new_page()
            _visit(page, url, "")
            results["changement de page"] = []
            for run in range(runs + 1):
                started = time.perf_counter()
                _menu(page, "7 graphiques")
                if run:
                    results["changement de page"].append(time.perf_counter() - started)
                _menu(page, "Aucun graphique")
            chromium.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
    return results


def _menu(page, title: str) -> None:
    """Click `title` in the menu and wait for its page (its heading starts with the title's first word) settled."""
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).first.click()
    page.wait_for_function("title => document.querySelector('[data-testid=\"stMainBlockContainer\"] h1')"
                           "?.innerText.includes(title)", arg=title.split(" ")[0], timeout=120_000)
    _settle(page)


def _drain(queue: Any) -> list[float]:
    found = []
    while True:
        try:
            found.append(queue.get(timeout=1))
        except Exception:  # noqa: BLE001 (queue.Empty: every answer read)
            return found


GOALS = {"first": 2.0, "link": 1.5, "switch": 0.5, "filter": 0.5}  # seconds (issue 15)
COLUMNS = {"first": "1re visite après démarrage", "link": "lien dans un nouveau navigateur",
           "switch": "changement de page", "filter": "changement de Période"}


def _seconds(value: float) -> str:
    return f"{value:.2f} s".replace(".", ",")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-browser", action="store_true", help="AppTest only")
    parser.add_argument("--no-apptest", action="store_true", help="browser only")
    parser.add_argument("--reruns", type=int, default=15)
    parser.add_argument("--runs", type=int, default=5, help="browser runs per page and measure (5 at least)")
    parser.add_argument("--no-first", action="store_true", help="browser: skip the first visits after a start")
    parser.add_argument("--floor", action="store_true",
                        help="browser: also the floor of the stack, a bare Streamlit app (tests/bench_floor_app.py)")
    args = parser.parse_args()
    runs = max(args.runs, 5)
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory() as folder:
        database = build(Path(folder))
        # a copy for the server: the AppTest runs keep this process's connection (and its lock) on the first
        copy = Path(folder) / "serveur.duckdb"
        shutil.copy(database, copy)
        server = {} if args.no_apptest else apptest(database, args.reruns)
        loads.append(os.getloadavg()[0])
        background: list[float] = []
        client = {} if args.no_browser else browser(copy, runs, background, first=not args.no_first)
        loads.append(os.getloadavg()[0])
        bare = floor(runs) if args.floor and not args.no_browser else {}
        if bare:
            loads.append(os.getloadavg()[0])
    measured_loads = " / ".join(f"{load:.1f}".replace(".", ",") for load in loads)
    print(f"\n{datetime.now():%Y-%m-%d %H:%M}, base de démonstration, {os.cpu_count()} processeur(s), charge "
          f"moyenne (1 min) {measured_loads} au début, entre les mesures et à la fin.")
    if server:
        print("\n| page | AppTest : 1er calcul | AppTest : réexécution (médiane / pire) |")
        print("|---|---:|---:|")
        for title, (first, median, worst) in server.items():
            print(f"| {title} | {first:,.0f} ms | {median:,.0f} ms / {worst:,.0f} ms |".replace(",", "\u202f"))
    if client:
        print(f"\nNavigateur (Chromium sans écran), médiane de {runs} mesures (de la plus rapide à la plus lente) ; "
              f"1re visite : seule, préchauffage fini ; les autres : {BACKGROUND} autres personnes naviguent en "
              "même temps, chacune avec son navigateur sur son ordinateur : un client Streamlit par le websocket "
              "(tests/ws_client.py, sans rendu sur cette machine) qui change de page ou de Période, à tour de rôle, "
              f"{_seconds(THINK)} après la réponse du serveur au clic précédent.\n")
        print("| page | " + " | ".join(COLUMNS.values()) + " |")
        print("|---|" + "---:|" * len(COLUMNS))
        for title, measured in client.items():
            cells = []
            for kind in COLUMNS:
                values = measured.get(kind) or []
                cells.append(f"{_seconds(statistics.median(values))} ({_seconds(min(values))} – "
                             f"{_seconds(max(values))})" if values else "—")
            print(f"| {title} | " + " | ".join(cells) + " |")
        print("| objectif | " + " | ".join(f"< {_seconds(goal)}" for goal in GOALS.values()) + " |")
        missed = [f"{title} ({COLUMNS[kind]})" for title, measured in client.items() for kind, goal in GOALS.items()
                  if measured.get(kind) and statistics.median(measured[kind]) >= goal]
        if background:
            print(f"\nLes {BACKGROUND} autres personnes : {len(background)} clics, réponse du serveur en "
                  f"{_seconds(statistics.median(background))} (médiane, la plus lente {_seconds(max(background))}).")
        print("\nObjectifs : " + ("tous atteints." if not missed else "non atteints pour " + ", ".join(missed) + "."))
    if bare:
        print(f"\nLe plancher (--floor) : une application Streamlit nue (tests/bench_floor_app.py), seule, mêmes "
              f"réglages, même Chromium ; médiane de {runs} mesures (de la plus rapide à la plus lente).\n")
        print("| mesure | temps |")
        print("|---|---:|")
        for title, values in bare.items():
            what = (f"lien dans un nouveau navigateur : {title}" if title in FLOOR
                    else "changement de page vers les 7 graphiques")
            print(f"| {what} | {_seconds(statistics.median(values))} ({_seconds(min(values))} – "
                  f"{_seconds(max(values))}) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
