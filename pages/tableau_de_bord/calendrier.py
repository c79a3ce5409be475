"""Calendrier: meetings held and planned by month, the coming weeks, next due dates, public holidays of Alsace."""

import streamlit as st

from analytics.outputs import charts
from analytics.rules import schedule
from analytics.screens import calendrier as calendar
from analytics.ui import widgets as ui

ui.require_page("calendrier")
data = ui.data()
chosen = ui.filters(data)
period, sector, as_of = chosen.period, chosen.sector, chosen.as_of

ui.header("Calendrier", chosen)
window = schedule.months_window(period.start, period.end, as_of)
agenda_start, agenda_end = schedule.agenda_window(as_of)
overview = data(calendar.overview, period.start, period.end, as_of, sector)

ui.metrics(overview["figures"])
if not overview["any_meeting"]:
    ui.empty_state("**Aucune donnée** : aucune séance n'est enregistrée. Les jours fériés restent affichés "
                   "ci-dessous.")
else:
    st.subheader("Séances par mois")
    months = data(schedule.months, window[0], window[1], sector)
    ui.chart(ui.figure(charts.months_stacked, months), ui.derived(calendar.months_table, months), "seances-par-mois",
             alt="Barres empilées des séances tenues, annulées et prévues, mois par mois")

    st.subheader(f"Les {schedule.AGENDA_WEEKS} prochaines semaines")
    agenda = data(schedule.meetings, agenda_start, agenda_end, sector)
    off = ui.derived(schedule.holidays, agenda_start, agenda_end)
    ui.chart(ui.figure(charts.agenda, agenda, off, agenda_start, agenda_end), ui.derived(calendar.agenda_table, agenda),
             "agenda",
             alt="Séances des prochaines semaines par instance, jours fériés grisés")

    st.subheader("Prochaines échéances par instance")
    due = ui.derived(calendar.due_dates_table, data(schedule.due_dates, as_of, sector))
    ui.table(due, height=420, widths=calendar.DUE_WIDTHS)
    ui.download(due, "echeances")

    clashes = ui.derived(schedule.meetings_on_holidays, data(schedule.meetings, window[0], window[1], sector))
    if not clashes.empty:
        st.subheader("Séances un jour férié")
        ui.table(clashes)

st.subheader("Jours fériés en Alsace-Moselle")
first_day, last_day = schedule.holiday_window(period.start, window[1], as_of)
holidays = ui.derived(calendar.holidays_table, first_day, last_day)
ui.table(holidays, height=360)
ui.download(holidays, "jours-feries")
st.caption(calendar.holidays_caption(first_day, last_day))
