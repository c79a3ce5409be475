"""`python -m analytics.ui.serve [options of streamlit run]`: the dashboard's server, ready before its first visitor.

`streamlit run app.py` has these faults on a first visit, the first two after a start only (issue 15):
- A `pages/` folder next to app.py makes Streamlit run that first script run the legacy way (multipage apps of
  version 1, `PagesManager.uses_pages_directory`): the address of a page (/territoires) matches none of the legacy
  pages, Streamlit sends its English « Page not found » dialog, and only then app.py declares its pages with
  st.navigation, which turns the legacy way off for the rest of the process. This server turns it off at once: the
  app declares its pages with st.navigation, always.
- Nothing is loaded: the modules, the database connection and the cached figures of every page wait for the first
  visitor. Once the server listens, every dashboard page is run once in a session of its own that no browser
  holds (as Streamlit's own script health check does), so that the first visitor finds them ready. Those runs go
  through the same gate as any visitor's: without an account (login configured) they load the modules, the
  database and the login form, and nothing more.
- A link to a page (/instances) first asks /instances/_stcore/health, gets a 404 and asks the root 100 ms later:
  the page this server serves states the root for a link to a dashboard page (analytics/ui/index_page.py).
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from pathlib import Path

from streamlit.logger import get_logger
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.runtime import Runtime, RuntimeState
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.script_data import ScriptData
from streamlit.runtime.state import SCRIPT_RUN_WITHOUT_ERRORS_KEY
from streamlit.web import cli

from analytics.ui import index_page

APP = Path(__file__).resolve().parents[2] / "app.py"
# the url paths of the dashboard pages (app.py), the default page first: the pages a link is most often sent to
WARMED = ("", "instances", "territoires", "elus", "conseil", "calendrier")
RUN_TIMEOUT = 120.0  # seconds one warm-up run may take before the next page is tried
_LOGGER = get_logger(__name__)  # Streamlit's: its level and format, in the server's log


async def _run_page(runtime: Runtime, page_name: str) -> bool:
    """Run app.py once on `page_name` in a session no browser holds; whether it ran without error.

    Streamlit's Runtime.does_script_run_without_error does the same for the default page only; its private parts
    are read the same way (Streamlit is pinned in requirements.lock)."""
    session = AppSession(
        script_data=ScriptData(runtime._main_script_path, False),
        uploaded_file_manager=runtime._uploaded_file_mgr,
        script_cache=runtime._script_cache,
        message_enqueued_callback=runtime._enqueued_some_message,
        user_info={},
    )
    try:
        session.request_rerun(ClientState(page_name=page_name))  # what a browser opening /<page_name> sends
        started = time.perf_counter()
        while SCRIPT_RUN_WITHOUT_ERRORS_KEY not in session.session_state:  # noqa: ASYNC110 (as Streamlit does)
            if time.perf_counter() - started > RUN_TIMEOUT:
                return False
            await asyncio.sleep(0.05)
        return bool(session.session_state[SCRIPT_RUN_WITHOUT_ERRORS_KEY])
    finally:
        session.shutdown()


def _warm_up() -> None:
    """Wait for the server to listen, then run every dashboard page once on its event loop, one after the other."""
    while not Runtime.exists() or Runtime.instance().state not in (RuntimeState.NO_SESSIONS_CONNECTED,
                                                                   RuntimeState.ONE_OR_MORE_SESSIONS_CONNECTED):
        if Runtime.exists() and Runtime.instance().state in (RuntimeState.STOPPING, RuntimeState.STOPPED):
            return
        time.sleep(0.05)
    runtime = Runtime.instance()
    loop = runtime._get_async_objs().eventloop
    started = time.perf_counter()
    for page_name in WARMED:
        try:
            ok = asyncio.run_coroutine_threadsafe(_run_page(runtime, page_name), loop).result()
        except Exception:  # a warm-up never stops the server: the visitor then pays the first run, as before
            _LOGGER.exception("Préchauffage de la page « %s » impossible", page_name or "synthese")
            continue
        if not ok:
            _LOGGER.warning("Préchauffage de la page « %s » : erreur dans le script", page_name or "synthese")
        _LOGGER.info("Page « %s » préchauffée (%.1f s)", page_name or "synthese", time.perf_counter() - started)
    _LOGGER.info("Pages préchauffées en %.1f s", time.perf_counter() - started)


def main(argv: list[str] | None = None) -> None:
    """Serve app.py as `streamlit run app.py` does with these options, without the legacy pages, warmed up."""
    PagesManager.uses_pages_directory = False  # before any session exists: see the module's docstring
    index_page.install(WARMED[1:])  # a link to a page finds the server at once (analytics/ui/index_page.py)
    threading.Thread(target=_warm_up, name="prechauffage", daemon=True).start()
    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
