"""Gouvernance m2A — entry point: page configuration, login, and navigation only."""

from pathlib import Path
from typing import Literal

import streamlit as st

from analytics import settings
from analytics.access import auth
from analytics.ui import uploads
from analytics.ui import widgets as ui

# Page scripts sit in sub-folders of pages/: Streamlit's legacy automatic navigation only looks at files directly
# in pages/, and would otherwise show them as a raw list to a link opened right after a server restart.
# Served by `python -m analytics.ui.serve` (analytics/ui/serve.py): with `streamlit run app.py`, the first run after a
# start still goes the legacy way (a pages/ folder exists) and answers a link to a page with an English dialog.
PAGES = Path(__file__).resolve().parent / "pages"

# "auto": the menu open on a computer, closed on a phone (where it would cover most of the screen)
st.set_page_config(page_title=settings.APP_NAME, page_icon="🏛️", layout="wide", initial_sidebar_state="auto")


def page(role: str | None, folder: str, name: str, title: str, icon: str, key: str, **options) -> st.Page:
    # a page the role may not open stays reachable by its URL, where the page itself refuses it (and logs it)
    visibility: Literal["visible", "hidden"] = "visible" if auth.can_open(role, key) else "hidden"
    return st.Page(PAGES / folder / f"{name}.py", title=title, icon=icon, url_path=name, visibility=visibility,
                   **options)


def sections(role: str | None) -> dict[str, list[st.Page]]:
    """The pages, in the menu those `role` opens."""
    return {
        "Tableau de bord": [
            page(role, "tableau_de_bord", "synthese", "Synthèse", ":material/dashboard:", "synthese", default=True),
            page(role, "tableau_de_bord", "instances", "Instances", ":material/account_balance:", "instances"),
            page(role, "tableau_de_bord", "territoires", "Territoires", ":material/map:", "territoires"),
            page(role, "tableau_de_bord", "elus", "Élus", ":material/groups:", "elus"),
            page(role, "tableau_de_bord", "conseil", "Conseil et sièges", ":material/event_seat:", "sieges"),
            page(role, "tableau_de_bord", "calendrier", "Calendrier", ":material/calendar_month:", "calendrier"),
        ],
        "Données": [
            page(role, "donnees", "saisie", "Saisie", ":material/upload_file:", "saisie"),
            page(role, "donnees", "administration", "Administration", ":material/admin_panel_settings:",
                 "administration"),
        ],
    }


# Before login the pages are declared without a menu, so that a link to one of them keeps its path and its filters
# in the address bar through the login, and the page reloaded after it is the one the link named (issue 16.4).
# Streamlit's upload endpoint takes files from any open session: the server holds none for a session that is not
# logged in, and at most the upload limit for one that is (issue 17.5). Every run that ends without an account
# (login form, error, stop) takes that right back.
uploads.install()
try:
    account = ui.gate(before_login=lambda: st.navigation(sections(None), position="hidden"))
except BaseException:  # st.stop() and st.rerun() are exceptions: a run that ends without an account
    uploads.refuse()
    raise
uploads.admit()
navigation = st.navigation(sections(account.role))
ui.opened_page(navigation)  # the filters follow from page to page
ui.account_box(account)
navigation.run()
