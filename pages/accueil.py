"""Accueil: the mandate at a glance, read from the database."""

import streamlit as st

from analytics import overview
from analytics.format import long_date, number
from analytics.ui import connection

counts = overview.headline(connection())

st.title("Gouvernance m2A")
st.caption("Mulhouse Alsace Agglomération — assiduité et cadence des instances de gouvernance")

if not counts["meetings_held"]:
    st.info("Aucune donnée : la base ne contient encore aucune séance. Importez des fichiers ou lancez « make demo ».")
else:
    st.markdown(
        f"Séances tenues du **{long_date(counts['first_meeting'])}** au **{long_date(counts['last_meeting'])}**."
    )

columns = st.columns(4)
columns[0].metric("Communes membres", number(counts["communes"]))
columns[1].metric("Instances suivies", number(counts["bodies"]))
columns[2].metric("Conseillers communautaires en fonction", number(counts["councillors"]))
columns[3].metric("Personnes enregistrées", number(counts["persons"]))

columns = st.columns(4)
columns[0].metric("Séances tenues", number(counts["meetings_held"]))
columns[1].metric("Séances annulées", number(counts["meetings_cancelled"]))
columns[2].metric("Séances prévues", number(counts["meetings_planned"]))
columns[3].metric("Émargements enregistrés", number(counts["attendance_rows"]))
