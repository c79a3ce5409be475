"""Gouvernance m2A — entry point: page configuration and navigation only."""

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).resolve().parent / "pages"

st.set_page_config(page_title="Gouvernance m2A", page_icon="🏛️", layout="wide")

navigation = st.navigation(
    [
        st.Page(PAGES / "accueil.py", title="Accueil", icon="🏠", default=True),
    ]
)
navigation.run()
