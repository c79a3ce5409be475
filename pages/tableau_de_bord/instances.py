"""Instances: one body — its meetings, its cadence period by period, attendance per meeting, composition, quorum."""

import streamlit as st

from analytics.outputs import charts, summary
from analytics.screens import forecast as ahead
from analytics.screens import instances
from analytics.ui import widgets as ui

data, chosen = ui.open_page("instances", "Instances")
period, sector, as_of = chosen.period, chosen.sector, chosen.as_of

bodies = data(instances.options, sector)
name = st.selectbox("Instance", bodies["name"].tolist(), key="instance", bind="query-params")
code = data(instances.code_of, name)
card = data(instances.card, code, period.start, period.end, as_of)
st.markdown(card["rule_line"])

columns = st.columns(3) + st.columns(3)
columns[0].metric("Séances tenues", card["held_text"], help=card["meetings_help"], border=True)
columns[1].metric("Périodes respectées", card["compliance_text"],
                  help="Périodes échues de la règle où le nombre de séances requis a été tenu.", border=True)
columns[2].metric("Plus long intervalle", card["longest_gap_text"],
                  help="Le plus long écart entre deux séances tenues de la période.", border=True)
columns[3].metric("Prochaine échéance", card["next_due_text"], card["next_due_delay"], "off", border=True,
                  delta_arrow="off", help="Fin de la prochaine période de la règle qui n'est pas encore respectée.")
columns[4].metric("Taux de présence", card["presence_text"], border=True,
                  help="Présents et à distance sur les convocations renseignées.")
columns[5].metric("Émargements renseignés", card["completeness_text"], border=True,
                  help="Part des convocations dont le statut a été saisi (complétude).")

idle = data(instances.outside_project, code, period.start, period.end)
if idle:  # an atelier-projet outside its project: one sentence rather than three empty charts
    st.info(idle, icon=":material/event_busy:")
else:
    st.subheader("Séances")
    meetings = data(instances.meetings, code, period.start, card["window_end"])
    ui.chart(ui.figure(charts.meetings_timeline, meetings), ui.derived(instances.meetings_table, meetings),
             f"seances-{code}", alt="Frise des séances tenues, annulées et prévues")

    st.subheader("Cadence, période par période")
    rhythm = data(instances.periods, code, period.start, period.end, as_of)
    ui.chart(ui.figure(charts.cadence_periods, rhythm, instances.periods_axis(card["rule"])),
             ui.derived(instances.periods_table, rhythm), f"cadence-{code}",
             alt="Séances tenues par période de la règle, comparées au nombre requis")
    if card["legal_floor"]:
        with st.expander("Plancher légal : une séance par trimestre (CGCT L5211-11)"):
            ui.table(data(instances.legal_floor, code, period.start, period.end, as_of))

    st.subheader("Présences à chaque séance")
    per_meeting = data(instances.attendance_per_meeting, code, period.start, period.end)
    ui.chart(ui.figure(charts.attendance_stacked, per_meeting, instances.ATTENDANCE_LABELS),
             ui.derived(instances.attendance_table, per_meeting), f"presences-{code}",
             rates=["Présence", "Complétude", "Représentation des communes"],
             alt="Statuts des convoqués, empilés, à chaque séance")

if code == instances.QUORUM_BODY:
    st.subheader("Quorum de chaque séance du Conseil")
    sittings = data(summary.quorum_sittings, period.start, period.end)
    ui.chart(ui.figure(charts.quorum_margin, sittings), ui.derived(instances.quorum_table, sittings), "quorum",
             alt="Marge de chaque séance au-dessus du quorum")
    st.caption("Quorum : plus de la moitié des membres en exercice présents, les pouvoirs ne comptant pas "
               "(CGCT L2121-17). Une séance reconvoquée au moins trois jours après un quorum manqué n'en a pas besoin.")
    with_agenda = data(instances.agenda_sittings, period.start, period.end)
    if not with_agenda.empty:
        st.subheader("Ordre du jour d'une séance, point par point")
        labels = dict(zip(with_agenda["meeting_id"], with_agenda["label"]))
        meeting_id = st.selectbox("Séance", list(labels), format_func=labels.get, key="seance_odj")
        strip = data(instances.agenda_strip, meeting_id, period.start, period.end)
        ui.chart(ui.figure(charts.agenda_strip, strip), ui.derived(instances.agenda_strip_table, strip),
                 f"ordre-du-jour-{meeting_id}", named=True,
                 alt="Présents à chaque point de l'ordre du jour, la ligne du quorum, le point où il est perdu")
        st.caption(ui.derived(instances.agenda_caption, strip))

planned_views = data(ahead.views, as_of, code)
if planned_views:
    st.subheader("Séances prévues : la prévision du quorum")
    st.caption(ahead.NOTE)
    ahead_table = data(ahead.sittings_table, as_of, code)
    ui.table(ahead_table, rates=ahead.SITTINGS_RATES)
    ui.download(ahead_table, f"prevision-seances-{code}", rates=ahead.SITTINGS_RATES)
    for view in planned_views:
        st.markdown(view["digest"])
        if view["chart"]:
            ui.chart(ui.figure(charts.member_probabilities, view["members"], view["required"]), view["table"],
                     f"prevision-{code}-{view['label']}", rates=ahead.MEMBERS_RATES, named=True,
                     alt="Probabilité de chaque membre d'occuper son siège à la séance prévue, couleur selon sa "
                         "réponse")
        else:
            with st.expander("Probabilité de chaque membre"):
                ui.table(view["table"], rates=ahead.MEMBERS_RATES, height=360, named=True)
                ui.download(view["table"], f"prevision-{code}-{view['label']}", named=True,
                            rates=ahead.MEMBERS_RATES)

st.subheader("Composition")
on = st.date_input("Membres en fonction le", value=card["composition_default"], format="DD/MM/YYYY",
                   key="composition_date")
members = data(instances.composition, code, on)
st.markdown(ui.derived(instances.composition_summary, members))
ui.table(members, height=360, named=True)
ui.download(members, f"composition-{code}", named=True)
