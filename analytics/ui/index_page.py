"""The page Streamlit serves, in French and stating the server's root: a link to a page connects 0,1 s sooner
(issue 15).

Opened on a page's address (/instances), Streamlit's page does not know where the server's root is: it asks
/instances/_stcore/health first, gets a 404, waits 100 ms and asks the root. For a link to one of the dashboard's
pages, this page tells it the root (window.__streamlit.BACKEND_BASE_URL, the setting Streamlit reads for a host
that embeds it), so that it asks the root at once. Any other address is left to Streamlit's own search (a proxy
that adds a prefix unknown to server.baseUrlPath still works). Its language, its first title and its text without
JavaScript are French: Streamlit's are English (lang="en" had a screen reader read the dashboard with an English
voice).

The file is that of the installed Streamlit (pinned in requirements.lock), read at start. If anything is not as
expected, the server logs it and serves Streamlit's own page, as before.
"""

from __future__ import annotations

import atexit
import functools
import json
import re
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from streamlit import config, file_util
from streamlit.logger import get_logger

from analytics import settings

_LOGGER = get_logger(__name__)


def page(index_html: str, pages: Iterable[str], base_path: str) -> str:
    """Streamlit's `index_html`, stating the server's root to a link to one of `pages` (url paths) under
    `base_path` (server.baseUrlPath)."""
    root = "/" + "".join(f"{part}/" for part in base_path.split("/") if part)
    pattern = "^" + re.escape(root) + "(?:" + "|".join(re.escape(name) for name in pages) + ")/?$"
    # a classic script runs before Streamlit's module, which reads window.__streamlit once, when it is evaluated
    script = (
        f"<script>if (new RegExp({json.dumps(pattern)}).test(location.pathname))"
        " window.__streamlit = {...window.__streamlit,"
        f" BACKEND_BASE_URL: new URL({json.dumps(root)}, location.origin).href}}</script>\n  "
    )
    head = index_html.split("<script", 1)
    if index_html.count("</head>") != 1 or len(head) != 2 or "</head>" not in head[1]:
        raise LookupError("index.html de Streamlit : pas de script dans un <head> unique")
    return _in_french(head[0] + script + "<script" + head[1])


# what the page says before Streamlit's script has run, or if it cannot run: in French, like the dashboard
_NOSCRIPT = (f"<noscript><p>{settings.APP_NAME} a besoin de JavaScript : activez-le dans votre navigateur.</p>"
             "</noscript>")


def _in_french(html: str) -> str:
    """The page's language (a screen reader reads the dashboard with a French voice), its title until the
    dashboard's own is set, and its text without JavaScript, in French; any of them not found is left as it is."""
    html = re.sub(r"<html lang=\"[^\"]*\">", '<html lang="fr">', html, count=1)
    html = re.sub(r"<title>[^<]*</title>", f"<title>{settings.APP_NAME}</title>", html, count=1)
    return re.sub(r"<noscript>.*?</noscript>", _NOSCRIPT, html, count=1, flags=re.DOTALL)


def install(pages: Iterable[str]) -> None:
    """Have Streamlit serve its static folder with this page as index.html; on any surprise, log it and leave
    Streamlit's own page."""
    original = file_util.get_static_dir

    @functools.cache  # one folder for the process, whoever asks
    def static_dir() -> str:
        served = original()
        try:
            source = Path(served)
            html = page((source / "index.html").read_text(encoding="utf-8"), pages,
                        str(config.get_option("server.baseUrlPath") or ""))
            folder = Path(tempfile.mkdtemp(prefix="gouvernance-static-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            for entry in source.iterdir():  # the other files and folders as they are: their URLs do not change
                if entry.name != "index.html":
                    (folder / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
            (folder / "index.html").write_text(html, encoding="utf-8")
        except Exception:  # the hook never stops the server: Streamlit's own page, as before
            _LOGGER.exception("Page de Streamlit servie telle quelle : racine du serveur non indiquée")
            return served
        return str(folder)

    file_util.get_static_dir = static_dir
