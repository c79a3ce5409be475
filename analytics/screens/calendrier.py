"""The calendar: meetings held and planned by month, the next due dates, and the public holidays of Alsace.

Alsace-Moselle keeps two public holidays the rest of France does not have, Vendredi saint and the 26 December
(Saint-Étienne): the `holidays` package knows them as the subdivision "6AE" of France. Names are asked in French.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pandas as pd

from analytics.rules import filters, schedule
from analytics.screens import escape_markdown
from analytics.wording.display import days_text, long_day, plural, short_date
from analytics.wording.format import number


def holidays_table(start: date, end: date) -> pd.DataFrame:
    """The holidays with French column names, for a table and its download."""
    frame = schedule.holidays(start, end)
    return pd.DataFrame({
        "Date": frame["label"],
        "Jour férié": frame["name"],
        "Propre à l'Alsace-Moselle": frame["alsace"].map({True: "oui", False: ""}),
    })


def months_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"Mois": frame["month_label"], "Séances tenues": frame["held"],
                         "Séances annulées": frame["cancelled"], "Séances prévues": frame["planned"]})


# the rule's column wide enough for "au moins une séance tous les deux mois": the grid sized it on shorter rules
DUE_WIDTHS = {"Règle": 300}


def due_dates_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The due dates in French: instance, rule, due date, delay, planned meeting."""
    # short cells, the header saying "prévue": the table's columns stay whole at 1440 px (issue 16)
    def planned(row) -> str:
        if pd.isna(row.next_planned):
            return "aucune"
        text = short_date(row.next_planned)
        if pd.isna(row.next_due):
            return text
        return text + (" ✓" if row.covered else ", après l'échéance")

    return pd.DataFrame({
        "Instance": frame["name"],
        "Règle": frame["rule_text"],
        "Prochaine échéance": frame["next_due"].map(short_date),
        "Délai": [("—" if pd.isna(d) else days_text(int(d))) for d in frame["days_left"]],
        "Prochaine séance prévue": [planned(row) for row in frame.itertuples(index=False)],
    })


def agenda_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"Date": frame["date_label"], "Instance": frame["body_name"],
                         "Statut": frame["status_label"], "Jour férié": frame["holiday"]})


def overview(conn: duckdb.DuckDBPyConnection, start: date, end: date, as_of: date,
             sector: str | None = None) -> dict:
    """The figures at the top of the page: held in the period, planned ahead, due soon, next holiday."""
    span = filters.span(conn)
    held = schedule.meetings(conn, start, end, sector)
    ahead = schedule.meetings(conn, as_of, as_of + timedelta(days=3660), sector)
    planned = ahead[ahead["status"] == "planned"]
    due = schedule.due_dates(conn, as_of, sector)
    soon = due[due["days_left"].notna() & (due["days_left"] <= 31)]
    uncovered = soon[~soon["covered"]]
    upcoming = schedule.holidays(as_of, as_of + timedelta(days=366))
    nxt = upcoming.iloc[0] if not upcoming.empty else None
    figures = [
        {"label": "Séances tenues sur la période", "value": number(int((held["status"] == "held").sum())),
         "help": f"{plural(int((held['status'] == 'cancelled').sum()), 'séance annulée', 'séances annulées')} "
                 "sur la même période."},
        {"label": "Séances prévues à venir", "value": number(len(planned)),
         "help": "Séances inscrites au calendrier à partir d'aujourd'hui." + (
             f" Première : {escape_markdown(planned['body_name'].iloc[0])}, "
             f"le {short_date(planned['meeting_date'].iloc[0])}."
             if not planned.empty else "")},
        {"label": "Échéances dans le mois", "value": number(len(soon)),
         "delta": (f"{plural(len(uncovered), 'sans séance prévue', 'sans séance prévue')}" if len(uncovered)
                   else None), "delta_color": "off", "delta_arrow": "off",
         "help": "Instances dont la période de la règle se termine dans les 31 jours sans être encore respectée."},
        {"label": "Prochain jour férié", "value": "—" if nxt is None else short_date(nxt["day"]),
         "help": None if nxt is None else f"{nxt['name']} ({nxt['label']})."},
    ]
    return {"figures": figures, "any_meeting": bool(span["meetings_held"]) or not planned.empty}


def holidays_caption(start: date, end: date) -> str:
    """Under the holidays table: which days it covers and which holidays are Alsace-Moselle's own."""
    return (f"Du {long_day(start)} au {long_day(end)} : jours fériés nationaux et, propres à l'Alsace-Moselle, "
            "le Vendredi saint et le 26 décembre (Saint-Étienne).")
