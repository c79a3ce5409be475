"""Conseil et sièges: seats in force beside the droit commun of a population vintage, and a seats simulator."""

import streamlit as st

from analytics.outputs import charts
from analytics.rules import seats
from analytics.screens import conseil as council
from analytics.ui import widgets as ui

ui.require_page("sieges")
data = ui.data()
chosen = ui.filters(data)
sector, as_of = chosen.sector, chosen.as_of

ui.header("Conseil et sièges", chosen, "répartition des sièges du Conseil d'Agglomération (CGCT L5211-6-1)")

vintage = st.selectbox("Populations de référence", council.vintage_labels(), key="populations",
                       bind="query-params")
year = council.vintage_year(vintage)
on = council.seats_date(chosen.period.end, as_of)
frame, totals = data(council.comparison, on, year, sector)

columns = st.columns(4)
columns[0].metric("Sièges en vigueur", totals["in_force_text"], f"au {totals['on_text']}", "off", border=True,
                  delta_arrow="off", help=totals["in_force_help"])
columns[1].metric("Droit commun", totals["total_text"], totals["gap_text"], "off", border=True,
                  delta_arrow="off", help=totals["detail"])
columns[2].metric("Communes avec un écart", totals["communes_differing_text"], border=True,
                  help="Communes dont les sièges en vigueur diffèrent du droit commun de ces populations.")
columns[3].metric(f"Population totale ({year})", totals["population_text"], border=True)
if not totals["in_force"]:
    ui.empty_state("**Aucune donnée** sur les conseillers en fonction : seule la répartition de droit commun est "
                   "affichée. Importez le fichier des membres du Conseil pour la comparer aux sièges en vigueur.")

st.subheader("Sièges par commune")
ui.chart(ui.figure(charts.seats_comparison, frame, "seats_in_force", "droit_commun", "sièges en vigueur",
                   "droit commun"),
         ui.derived(council.comparison_table, frame, year), f"sieges-{year}", integers=[f"Population {year}"],
         alt="Sièges en vigueur et sièges de droit commun, commune par commune")
st.caption("Le droit commun est recalculé à partir des populations choisies : base selon la population totale, "
           "répartition à la plus forte moyenne, un siège de droit pour chaque commune qui n'en a pas, plafond "
           "de la moitié des sièges, 10 % de sièges supplémentaires quand les sièges de droit dépassent 30 % de la "
           "base. Un accord local peut s'en écarter dans les limites de la loi.")

st.subheader("Simulateur")
st.markdown("Modifiez les populations dans le tableau : la répartition de droit commun est recalculée aussitôt et "
            f"comparée à celle des populations {year}.")
baseline = data(council.populations, year)
left, right = st.columns([2, 3], gap="large")
with left:
    edited = st.data_editor(
        baseline, key=f"simulateur-{year}", hide_index=True, height=520, disabled=["insee", "Commune"],
        # "%d": digits only, whatever the browser's language ("localized" writes 104,924 in English)
        column_config={"insee": None, "Population": st.column_config.NumberColumn(
            "Population", min_value=0, step=1, format="%d", required=True)},
    )
    st.button("Revenir aux populations de référence", on_click=ui.forget, args=(f"simulateur-{year}",))
with right:
    try:
        simulated, result = ui.derived(council.simulate, edited, baseline)
    except seats.SeatsInputError as error:
        st.error(ui.inert(error))
    else:
        cells = st.columns(2)
        cells[0].metric("Sièges simulés", result["after"]["total_text"], result["total_change"],
                        "off", border=True, delta_arrow="off", help=result["after"]["detail"])
        cells[1].metric("Communes dont les sièges changent", result["changed_text"], border=True,
                        help=result["changed_help"])
        numbers = ui.derived(council.simulation_table, simulated)
        if result["changed"]:
            ui.chart(ui.figure(charts.seats_comparison, council.changed_only(simulated), "seats_before",
                               "seats_after", f"populations {year}", "populations simulées"),
                     numbers, "simulation", integers=["Population de référence", "Population simulée"],
                     alt="Sièges avant et après la simulation, pour les communes qui changent")
        else:
            st.markdown("Aucune commune ne change de nombre de sièges : modifiez une population dans le tableau.")
            ui.download(numbers, "simulation")
