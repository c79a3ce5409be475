"""A real Streamlit server and a real Chromium for the browser tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--no-first-run"]
# set SCREENSHOTS=docs (make screenshots) to refresh the pictures the README shows
SCREENSHOTS = os.environ.get("SCREENSHOTS")


def require_chromium() -> None:
    """Skip, with the reason shown, where Debian's Chromium is not installed."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"Chromium absent ({CHROMIUM}) : « apt-get install chromium » pour les tests navigateur")


def free_port() -> int:
    """A TCP port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def streamlit_server(database: Path, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """`streamlit run app.py` on a free port against `database`; yields its URL."""
    port = free_port()
    env = {**os.environ, "GOUVERNANCE_DB": str(database), **(extra_env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    failure = process.stderr.read().decode()[-2000:]
                    raise RuntimeError(f"Streamlit n'a pas démarré : {failure}") from None
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def shot(page, name: str, tmp: Path) -> Path:
    """Screenshot of the whole page: into docs/ when SCREENSHOTS is set, else a temporary folder.

    Streamlit scrolls inside its main container, not the document, so "full page" would stop at the window: the
    window is stretched to the content's height for the picture, then put back."""
    folder = ROOT / SCREENSHOTS if SCREENSHOTS else tmp
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    size = page.viewport_size
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], [data-testid=stMainBlockContainer]')]"
        ".map(e => e.scrollHeight), window.innerHeight)")
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 12_000)})
    page.wait_for_timeout(800)  # charts resize to the new window
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    return path


def wait_idle(page, timeout: int = 30_000) -> None:
    """Wait until Streamlit has finished running the script (the app's data-test-script-state says so) and every
    Plotly chart is drawn (its bundle loads lazily, after the script)."""
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', state="attached", timeout=timeout)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stApp\"]')?.dataset.testScriptState === 'notRunning'"
        " && !document.querySelector('[data-testid=\"stSkeleton\"]')"
        " && [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
        ".every(chart => chart.querySelector('.main-svg'))",
        timeout=timeout,
    )
