"""Territoires: the sectors and the 39 communes — map, sector comparison, communes, bodies, rencontres."""

import streamlit as st

from analytics.outputs import charts
from analytics.rules import territory
from analytics.screens import territoires as territories
from analytics.ui import widgets as ui

data, chosen = ui.open_page("territoires", "Territoires")
period, sector, as_of = chosen.period, chosen.sector, chosen.as_of

communes = data(territory.communes, period.start, period.end, sector)
table = ui.derived(territories.communes_table, communes)
sectors = data(territory.sectors, period.start, period.end)

st.subheader("Carte des communes")
indicator = st.segmented_control("Couleur de la carte", list(territory.MAP_INDICATORS), default="Présence",
                                 required=True, key="indicateur", bind="query-params") or "Présence"
shapes = data(territory.shapes)
borders = ui.derived(territory.sector_borders, shapes)
coloured = ui.derived(territory.map_frame, communes, indicator)
left, right = st.columns([5, 2.3], gap="large")
with left:
    ui.chart(ui.figure(charts.communes_choropleth, coloured, shapes, borders, indicator.lower()), table,
             "communes-carte", rates=["Présence", "Participation", "Représentation"], integers=["Population"],
             alt=f"Carte des 39 communes, colorées selon le taux de {indicator.lower()}, secteurs délimités")
    st.caption(territories.map_caption(indicator, territory.MAP_HELP[indicator]))
with right:
    ui.table(ui.derived(territories.map_table, coloured, indicator), rates=[indicator], height=600)

sector_sheet = ui.derived(territories.sectors_table, sectors)
left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader("Comparaison des secteurs")
    ui.chart(ui.figure(charts.grouped_rates, sectors, "label"), sector_sheet,
             "secteurs", rates=["Présence", "Participation", "Représentation des communes"],
             integers=["Population"], alt="Taux de présence et de participation par secteur")
with right:
    st.subheader("Les trois secteurs")
    ui.table(ui.derived(territories.sectors_brief, sectors), rates=["Présence", "Participation", "Représentation"])
    st.caption("Présence et participation des élus et agents des communes du secteur, pondérées par les "
               "convocations.")

st.subheader("Présence et représentation par commune")
st.caption("Séances convoquées : celles où la commune était convoquée ; représentation : part de ces séances "
           "auxquelles au moins une de ses personnes était présente ou à distance.")
ui.table(table, rates=["Présence", "Participation", "Représentation"], integers=["Population"], height=420)
ui.download(table, "communes", rates=["Présence", "Participation", "Représentation"])

st.subheader("Participation des communes à chaque instance")
matrix = data(territory.body_matrix, period.start, period.end, sector)
ui.scroll_on_phone("communes-instances", 820)  # communes × bodies: on a phone it scrolls sideways
wide = ui.derived(territories.body_matrix_table, matrix)
ui.chart(ui.figure(charts.matrix, matrix, "name", "short_body", "presence_rate", "hover", title="présence"), wide,
         "communes-instances", rates=list(wide.columns[1:]),
         alt="Tableau coloré communes × instances : taux de présence des personnes de la commune")
st.caption("Case vide : la commune n'a personne de convoqué à cette instance sur la période.")

st.subheader("Rencontres avec les conseils municipaux")
met = data(territory.rencontres, chosen.mandate_start, as_of, sector)
summary = ui.derived(territory.rencontres_summary, met, chosen.mandate_start)
columns = st.columns([1, 3])
columns[0].metric("Communes rencontrées", f"{summary['met']} / {summary['total']}", border=True,
                  help=summary["help"])
columns[0].metric("Couverture", summary["coverage_text"], border=True)
with columns[1]:
    ui.chart(ui.figure(charts.communes_met_map, met, shapes, borders), ui.derived(territories.rencontres_table, met),
             "rencontres", alt="Carte des communes dont le conseil municipal a été rencontré par le Président")
st.markdown(territories.not_met_text(summary["not_met"]))
