"""Synthèse: the page projected in the réunion de direction — headline figures, alerts, cadence, trend, due dates."""

import streamlit as st

from analytics.outputs import charts, summary
from analytics.report import pack as report
from analytics.rules.periods import month_start
from analytics.screens import forecast as ahead
from analytics.screens import overview
from analytics.screens import synthese as synthesis
from analytics.ui import widgets as ui
from analytics.wording.display import long_day
from analytics.wording.format import month_label, number

ui.require_page("synthese")
data = ui.data()
chosen = ui.filters(data)
period, sector, as_of = chosen.period, chosen.sector, chosen.as_of

ui.header("Gouvernance m2A · Synthèse", chosen)
counts = data(overview.headline)

if counts["meetings_held"]:
    ui.metrics(data(summary.headline, period, as_of, sector))
    st.caption(summary.comparison_text(period))

    # the alerts' long sentences take the page's width; the due dates and the quorum share the row below
    st.subheader("Alertes, les plus graves d'abord")
    found = data(summary.alert_list, period.start, period.end, as_of, sector)
    st.markdown(ui.derived(synthesis.alerts_digest, found))
    with st.expander(f"Toutes les alertes ({number(len(found))})"):
        every = ui.derived(synthesis.alert_table, found)
        ui.table(every, height=360, named=True)  # the messages name people
        ui.download(every, "alertes", named=True)
    left, right = st.columns([1, 1], gap="large")
    with left:
        st.subheader("Prochaines échéances")
        st.markdown(data(synthesis.next_due_digest, as_of, sector))
        with st.expander("Tableau des échéances"):
            due = data(synthesis.next_due, as_of, sector, 30)
            ui.table(due)
            ui.download(due, "prochaines-echeances")
    with right:
        st.subheader("Prochain Conseil : le quorum")
        upcoming = data(ahead.next_view, as_of)
        if upcoming is None:
            st.markdown("Aucune séance du Conseil prévue.")
        else:
            st.markdown(upcoming["digest"])
            with st.expander("Probabilité de chaque membre (le graphique : page Instances)"):
                ui.table(upcoming["table"], rates=ahead.MEMBERS_RATES, height=360, named=True)
                ui.download(upcoming["table"], "prevision-quorum-conseil", named=True, rates=ahead.MEMBERS_RATES)
                st.caption(ahead.NOTE)

    st.subheader("Cadence des instances, mois par mois")
    grid = data(summary.cadence_grid, period.start, period.end, as_of, sector)
    ui.scroll_on_phone("cadence-par-mois", 900)  # bodies × months: on a phone it scrolls sideways
    ui.chart(ui.figure(charts.cadence_heatmap, grid, font=15), ui.derived(synthesis.cadence_grid_table, grid),
             "cadence-par-mois",
             alt="Carte de chaleur : une ligne par instance, une colonne par mois, couleur selon la cadence")
    st.caption("Chaque case dit si la période de la règle à laquelle appartient le mois est respectée, manquée ou "
               "en cours ; le nombre est celui des séances tenues dans le mois.")

    st.subheader("Présence sur 12 mois")
    trend = data(synthesis.trend, period.end, sector)
    ui.chart(ui.figure(charts.presence_trend, trend, font=15), ui.derived(synthesis.trend_table, trend),
             "presence-12-mois", rates=["Présence", "Participation"],
             alt="Courbes mensuelles des taux de présence et de participation")
else:
    ui.empty_state("**Aucune donnée** : la base ne contient encore aucune séance tenue. Importez des fichiers de "
                   "membres, de séances et de présences, ou lancez « make demo » pour la base de démonstration.")

if counts["meetings_held"] and ui.allowed("monthly_pack", quiet=True):
    st.subheader("Dossier mensuel de la réunion de direction")
    month = month_start(as_of)
    st.caption(f"PDF de {month_label(month)} : chiffres clés, alertes, cadence, familles d'instances, territoires, "
               "personnes sous le seuil et calendrier des deux mois à venir.")
    named = ui.allowed("export_named", quiet=True)  # the internal edition names people: a named export
    anonymous = st.toggle("Édition sans aucun nom de personne", key="dossier-anonyme", value=not named,
                          disabled=not named)
    if st.button("Préparer le dossier PDF", icon=":material/picture_as_pdf:"):
        with st.spinner("Préparation du dossier…"):
            pack = report.build_pack(ui.connection(), month, anonymise=anonymous, as_of=as_of)
        st.download_button("Télécharger le dossier", pack, mime="application/pdf", on_click="ignore",
                           file_name=f"dossier-{month:%Y-%m}{'-anonyme' if anonymous else ''}.pdf")

st.subheader("La base de données")
if counts["meetings_held"]:
    st.caption(f"Séances tenues du {long_day(counts['first_meeting'])} au {long_day(counts['last_meeting'])}.")
columns = st.columns(4)
columns[0].metric("Communes membres", number(counts["communes"]))
columns[1].metric("Instances suivies", number(counts["bodies"]))
columns[2].metric("Conseillers communautaires", number(counts["councillors"]),
                  help="En fonction aujourd'hui.")  # a label that stays whole in a quarter of the page
columns[3].metric("Personnes enregistrées", number(counts["persons"]))
columns = st.columns(4)
columns[0].metric("Séances tenues", number(counts["meetings_held"]))
columns[1].metric("Séances annulées", number(counts["meetings_cancelled"]))
columns[2].metric("Séances prévues", number(counts["meetings_planned"]))
columns[3].metric("Émargements enregistrés", number(counts["attendance_rows"]))
