"""Élus: attendance of people as quartile bands (no ranking), their alerts, and one person's record with evidence."""

import streamlit as st

from analytics.outputs import charts, summary
from analytics.screens import elus as people
from analytics.ui import widgets as ui

data, chosen = ui.open_page("elus", "Élus")
period, sector, as_of = chosen.period, chosen.sector, chosen.as_of

options = data(people.filter_options, sector)
columns = st.columns(3)
body = columns[0].selectbox("Instance", options["bodies"], key="elus_instance", bind="query-params")
commune = columns[1].selectbox("Commune", options["communes"], key="commune", bind="query-params")
role = columns[2].selectbox("Fonction", options["roles"], key="fonction", bind="query-params")
codes = data(people.filter_codes, body, commune, role)

group = data(people.directory, period.start, period.end, sector=sector, **codes)
cuts = group.attrs.get("quartiles")
st.caption(ui.derived(people.directory_caption, group))

left, right = st.columns([1, 1], gap="large")
with left:
    st.subheader("Répartition des taux de présence")
    bands = ui.derived(people.band_counts, group)
    ui.chart(ui.figure(charts.rate_bands, ui.derived(people.band_rates, group), cuts,
                       ui.derived(people.band_legend, group)),
             bands, "bandes-presence", rates=["Part"],
             alt="Histogramme des taux de présence avec les quatre quarts colorés")
with right:
    st.subheader("Personnes par bande")
    ui.table(bands, rates=["Part"])
    st.caption("Les bandes situent chacun dans le groupe affiché, sans classement. Personne n'est placé sous "
               "4 convocations renseignées.")

st.subheader("Les personnes")
listing = ui.derived(people.directory_table, group)
ui.table(listing, rates=["Présence", "Participation"], height=420, named=True, widths=people.DIRECTORY_WIDTHS)
st.caption(f"Non classé : moins de {people.MIN_RECORDED} convocations renseignées sur la période.")
ui.download(listing, "elus", named=True, rates=["Présence", "Participation"])

st.subheader("Alertes sur ces personnes")
found = data(summary.alert_list, period.start, period.end, as_of, sector)
personal = ui.derived(people.person_alerts, found, group["person_id"].tolist())
if personal.empty:
    st.markdown("Aucune alerte sur ces personnes pendant la période.")
else:
    ui.table(personal, height=300, named=True)
    ui.download(personal, "alertes-elus", named=True)

st.divider()
st.subheader("Fiche d'une personne")
everyone = data(people.persons)
label = st.selectbox("Personne", everyone["label"].tolist(), index=None, key="personne", bind="query-params",
                     placeholder="Choisir une personne (taper un nom)…")
person_id = data(people.person_id_of, label)
if person_id is None:
    st.caption("La fiche montre chaque séance à laquelle la personne était convoquée, son statut et la preuve : "
               "la séance, la feuille d'émargement et les modifications apportées par les imports.")
else:
    card = data(people.card, person_id, period.start, period.end, cuts)
    st.markdown(f"### {ui.inert(card['name'])}")
    st.caption(ui.inert(card["subtitle"]))
    ui.metrics(people.card_figures(card))
    memberships = data(people.memberships, person_id)
    with st.expander(f"Appartenances ({len(memberships)})"):
        ui.table(memberships, named=True)  # one named person's record
    timeline = data(people.timeline, person_id, period.start, period.end)
    ui.chart(ui.figure(charts.person_timeline, timeline, people.STATUS_ORDER),
             ui.derived(people.timeline_table, timeline), f"convocations-{person_id}", expanded=True, named=True,
             alt="Frise des convocations de la personne, une ligne par instance, le statut en couleur")
    mine = ui.derived(people.person_alerts, found, [person_id])
    if not mine.empty:
        st.markdown("**Alertes**")
        ui.table(mine, named=True)
