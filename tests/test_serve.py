"""The dashboard's launcher (analytics.ui.serve): the page it serves states the server's root to a link to a page."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import streamlit
from browser import CHROMIUM, CHROMIUM_FLAGS, ROOT, free_port, require_chromium, wait_idle
from streamlit import file_util

from analytics.rules import filters
from analytics.ui import index_page

STREAMLIT_INDEX = Path(streamlit.__file__).parent / "static" / "index.html"
STATE = "window.__streamlit?.BACKEND_BASE_URL ?? null"


def test_the_page_states_the_root_before_streamlits_module() -> None:
    html = STREAMLIT_INDEX.read_text(encoding="utf-8")
    served = index_page.page(html, ["instances", "territoires"], "")
    script = '<script>if (new RegExp("^/(?:instances|territoires)/?$").test(location.pathname))'
    assert script in served
    # before Streamlit's own scripts (its module reads window.__streamlit once)
    assert served.index(script) < served.index('<script type="module"')
    # in French: the language, the title until the dashboard's own is set, the text without JavaScript
    assert '<html lang="fr">' in served and "<title>Gouvernance m2A</title>" in served
    assert "a besoin de JavaScript" in served and "You need to enable JavaScript" not in served
    # and nothing else changed
    rest = served.replace(served[served.index(script):served.index("</script>", served.index(script)) + 12], "", 1)
    rest = rest.replace('<html lang="fr">', '<html lang="en">', 1).replace(
        "<title>Gouvernance m2A</title>", "<title>Streamlit</title>", 1)
    noscript = re.search(r"<noscript>.*?</noscript>", html, re.DOTALL)
    assert noscript is not None
    assert rest.replace(index_page._NOSCRIPT, noscript.group(0), 1) == html


def test_under_a_base_path_the_root_is_that_path() -> None:
    served = index_page.page(STREAMLIT_INDEX.read_text(encoding="utf-8"), ["instances"], "/tableau/bord/")
    assert 'new RegExp("^/tableau/bord/(?:instances)/?$")' in served
    assert 'BACKEND_BASE_URL: new URL("/tableau/bord/", location.origin).href' in served


def test_a_page_without_a_head_script_is_refused() -> None:
    with pytest.raises(LookupError):
        index_page.page("<html><head></head><body><script></script></body></html>", ["instances"], "")


@pytest.fixture
def static_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A stand-in for Streamlit's static folder; install() leaves file_util as it found it."""
    folder = tmp_path / "static"
    (folder / "static" / "js").mkdir(parents=True)
    (folder / "static" / "js" / "index.abc.js").write_text("export {}", encoding="utf-8")
    (folder / "favicon.png").write_bytes(b"png")
    monkeypatch.setattr(file_util, "get_static_dir", lambda: str(folder))
    return folder


def test_install_serves_a_folder_with_the_page_and_streamlits_files(static_dir: Path) -> None:
    (static_dir / "index.html").write_text(
        '<html><head><script type="module" src="./static/js/index.abc.js"></script></head></html>', encoding="utf-8")
    index_page.install(["instances"])
    served = Path(file_util.get_static_dir())
    assert served != static_dir and file_util.get_static_dir() == str(served)  # one folder for the process
    assert "BACKEND_BASE_URL" in (served / "index.html").read_text(encoding="utf-8")
    assert (served / "static" / "js" / "index.abc.js").read_text(encoding="utf-8") == "export {}"
    assert (served / "favicon.png").read_bytes() == b"png"
    assert "BACKEND_BASE_URL" not in (static_dir / "index.html").read_text(encoding="utf-8")  # Streamlit's, intact


def test_install_leaves_streamlits_folder_when_the_page_is_not_as_expected(
        static_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    logged: list[str] = []
    monkeypatch.setattr(index_page._LOGGER, "exception", lambda message, *args: logged.append(message % args))
    (static_dir / "index.html").write_text("<html><body>autre page</body></html>", encoding="utf-8")
    index_page.install(["instances"])
    assert file_util.get_static_dir() == str(static_dir)
    assert logged == ["Page de Streamlit servie telle quelle : racine du serveur non indiquée"]


@pytest.mark.browser
def test_a_link_to_a_page_asks_the_root_at_once(demo_copy: Path) -> None:
    """The server as deployed: a link to /instances asks /_stcore/health, no 404 from /instances/_stcore/health,
    and the page is drawn; the root and an unknown address are left to Streamlit's own search."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    port = free_port()
    env = {**os.environ, "GOUVERNANCE_DB": str(demo_copy), filters.TODAY_VARIABLE: "2026-11-29"}
    process = subprocess.Popen([sys.executable, "-m", "analytics.ui.serve", "--server.port", str(port),
                                "--server.address", "127.0.0.1"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, "le serveur ne démarre pas"
                time.sleep(0.3)
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            context = chromium.new_context(viewport={"width": 1440, "height": 900}, locale="fr-FR")
            page = context.new_page()
            asked: list[tuple[str, int]] = []
            page.on("response", lambda response: asked.append((response.url, response.status)))
            page.goto(f"{url}/instances")
            wait_idle(page, timeout=120_000)
            assert page.locator('[data-testid="stMainBlockContainer"] h1').inner_text().endswith("Instances")
            health = [(address, status) for address, status in asked if address.endswith("/_stcore/health")]
            assert health == [(f"{url}/_stcore/health", 200)]
            assert page.evaluate(STATE) == f"{url}/"
            page.goto(url)
            wait_idle(page, timeout=120_000)
            assert page.evaluate(STATE) is None
            page.goto(f"{url}/ailleurs/instances")
            assert page.evaluate(STATE) is None
            chromium.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
