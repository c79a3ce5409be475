"""Gouvernance m2A — entry point: page configuration, login, and navigation only."""

from pathlib import Path
from typing import Literal

import streamlit as st

from analytics.access import auth
from analytics.ui import widgets as ui

# Page scripts sit in sub-folders of pages/: Streamlit's legacy automatic navigation only looks at files directly
# in pages/, and would otherwise show them as a raw list to a link opened right after a server restart.
PAGES = Path(__file__).resolve().parent / "pages"

st.set_page_config(page_title="Gouvernance m2A", page_icon="🏛️", layout="wide", initial_sidebar_state="expanded")

account = ui.gate()


def page(folder: str, name: str, title: str, icon: str, key: str, **options) -> st.Page:
    # a page the role may not open stays reachable by its URL, where the page itself refuses it (and logs it)
    visibility: Literal["visible", "hidden"] = "visible" if auth.can_open(account.role, key) else "hidden"
    return st.Page(PAGES / folder / f"{name}.py", title=title, icon=icon, url_path=name, visibility=visibility,
                   **options)


SECTIONS = {
    "Tableau de bord": [
        page("tableau_de_bord", "synthese", "Synthèse", ":material/dashboard:", "synthese", default=True),
        page("tableau_de_bord", "instances", "Instances", ":material/account_balance:", "instances"),
        page("tableau_de_bord", "territoires", "Territoires", ":material/map:", "territoires"),
        page("tableau_de_bord", "elus", "Élus", ":material/groups:", "elus"),
        page("tableau_de_bord", "conseil", "Conseil et sièges", ":material/event_seat:", "sieges"),
        page("tableau_de_bord", "calendrier", "Calendrier", ":material/calendar_month:", "calendrier"),
    ],
    "Données": [
        page("donnees", "saisie", "Saisie", ":material/upload_file:", "saisie"),
        page("donnees", "administration", "Administration", ":material/admin_panel_settings:", "administration"),
    ],
}

navigation = st.navigation(SECTIONS)
ui.account_box(account)
navigation.run()
