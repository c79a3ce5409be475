"""The Territoires page: the three sectors and the 39 communes — attendance of their people, their representation
at meetings, which bodies they take part in, and the communes the Président has met since the mandate began."""

from __future__ import annotations

import pandas as pd

from analytics.screens import escape_all
from analytics.wording.display import short_date


def communes_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The commune table: rates as numbers (0–1) so that the page formats them as percentages."""
    return pd.DataFrame({
        "Commune": frame["name"], "Secteur": frame["sector"], "Population": frame["population"],
        "Convocations": frame["convened"], "Renseignées": frame["recorded"],
        "Présence": frame["presence_rate"], "Participation": frame["participation_rate"],
        "Séances convoquées": frame["meetings_convened"],  # a short header: the table fits the page (issue 16)
        "Représentation": frame["representation"],
    })


def sectors_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Secteur": frame["sector"], "Communes": frame["communes"], "Population": frame["population"],
        "Convocations renseignées": frame["recorded"].fillna(0).astype(int), "Présence": frame["presence_rate"],
        "Participation": frame["participation_rate"], "Représentation des communes": frame["representation"],
    })


def body_matrix_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Commune × body presence rates as a wide table (numbers 0–1, blank where nobody is convened)."""
    if frame.empty:
        return pd.DataFrame(columns=["Commune"])
    table = frame.pivot(index="name", columns="body_name", values="presence_rate")
    table = table.reindex(columns=list(dict.fromkeys(frame.sort_values("sort_order")["body_name"])))
    table.index.name = "Commune"
    table.columns.name = None
    return table.reset_index()


def rencontres_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Commune": frame["name"], "Secteur": frame["sector"],
        "Rencontrée": frame["met"].map({True: "oui", False: "non"}),
        "Dernière rencontre": frame["last_met"].map(short_date),
    })


def not_met_text(not_met: list[str]) -> str:
    """Markdown under the rencontres map: the communes not met yet, their names escaped."""
    if not not_met:
        return "Toutes les communes ont été rencontrées."
    return "**Pas encore rencontrées** : " + ", ".join(escape_all(not_met)) + "."


def map_table(frame: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """The table beside the map: every commune by name, its sector and the rate the map shows (0–1)."""
    return pd.DataFrame({"Commune": frame["name"], "Secteur": frame["sector"], indicator: frame["value"]})


def map_caption(indicator: str, help_text: str) -> str:
    """Under the map: what the colour says, and where the outlines come from."""
    return (f"**{indicator}** : {help_text}. Plus la commune est foncée, plus le taux est élevé ; trait épais : "
            "limite de secteur. Contours des communes : IGN Admin Express, via france-geojson (Licence Ouverte).")


def sectors_brief(frame: pd.DataFrame) -> pd.DataFrame:
    """The three sectors beside their chart: the rates only (the full table is under the chart)."""
    return pd.DataFrame({"Secteur": frame["sector"], "Présence": frame["presence_rate"],
                         "Participation": frame["participation_rate"], "Représentation": frame["representation"]})
