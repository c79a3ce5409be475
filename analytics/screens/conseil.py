"""The Conseil et sièges page: the seats in force per commune beside the droit commun (CGCT L5211-6-1) recomputed
from the populations of a chosen vintage, and a simulator of the distribution for edited populations.

The allocation itself is analytics.seats.allocate; this module only feeds it and compares its results.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analytics.rules import seats
from analytics.screens import escape_all
from analytics.store.sql import query
from analytics.wording.display import plural, short_date
from analytics.wording.format import number

VINTAGES = {"2025": "population_2025", "2022": "population_2022", "2019": "population_2019"}


def vintage_labels() -> list[str]:
    """The vintages offered, the most recent first: "Populations légales en vigueur au 1er janvier 2025"…"""
    return [vintage_label(year) for year in VINTAGES]


def vintage_label(year: str) -> str:
    return f"Populations en vigueur au 1er janvier {year}"


def vintage_year(label: str | None) -> str:
    """The year of a vintage label; the most recent when the label is unknown."""
    for year in VINTAGES:
        if label == vintage_label(year):
            return year
    return next(iter(VINTAGES))


def seats_date(period_end: date, as_of: date) -> date:
    """The day whose seats in force are shown: the end of the period, never after today."""
    return min(period_end, as_of)


def _communes(conn: duckdb.DuckDBPyConnection, on: date) -> pd.DataFrame:
    return conn.cursor().execute(query("council_seats_in_force"), {"on": on}).df()


def populations(conn: duckdb.DuckDBPyConnection, year: str) -> pd.DataFrame:
    """The communes and their population of the vintage, for the simulator's editor (largest first)."""
    frame = _communes(conn, date.today())
    return pd.DataFrame({"insee": frame["insee"], "Commune": frame["name"],
                         "Population": frame[VINTAGES[year]].astype(int)})


def allocation(frame: pd.DataFrame, population: str = "Population") -> seats.Allocation:
    """The droit commun distribution for a frame of communes (insee, Commune, `population`).

    Each municipal council's size follows from the population given (CGCT L2121-2), as the law reads: the cap
    of rule 5 then moves with the populations simulated. Raises seats.SeatsInputError on invalid populations.
    """
    values = pd.to_numeric(frame[population], errors="coerce")
    bad = frame.loc[values.isna() | (values < 0) | (values % 1 != 0), "Commune"].tolist()
    if bad:
        raise seats.SeatsInputError(
            "Population invalide (un nombre entier positif est attendu) pour : " + ", ".join(bad) + ".")
    return seats.allocate([seats.CommunePopulation(i, n, int(p))
                           for i, n, p in zip(frame["insee"], frame["Commune"], values)])


def summary(result: seats.Allocation) -> dict:
    """The totals of an allocation, French texts included."""
    return {
        "population": result.population, "population_text": number(result.population),
        "base": result.base, "de_droit": result.de_droit, "supplementary": result.supplementary,
        "tie_extra": result.tie_extra, "total": result.total, "total_text": plural(result.total, "siège"),
        "detail": (f"{number(result.base)} sièges à la proportionnelle (population de {number(result.population)} "
                   f"habitants), {plural(result.de_droit, 'siège de droit', 'sièges de droit')}"
                   + (f", {plural(result.supplementary, 'siège supplémentaire', 'sièges supplémentaires')} (+10 %)"
                      if result.supplementary else "")
                   + (f", {plural(result.tie_extra, 'siège', 'sièges')} pour égalité de moyenne"
                      if result.tie_extra else "") + "."),
    }


def comparison(conn: duckdb.DuckDBPyConnection, on: date, year: str,
               sector: str | None = None) -> tuple[pd.DataFrame, dict]:
    """Per commune: population of the vintage, seats in force on `on`, droit commun seats, difference; and the
    summary of the droit commun allocation (computed on all 39 communes whatever the sector shown)."""
    frame = _communes(conn, on)
    frame["population"] = frame[VINTAGES[year]].astype(int)
    result = allocation(frame.rename(columns={"name": "Commune"}), "population")
    frame["droit_commun"] = frame["insee"].map(result.seats).astype(int)
    frame["difference"] = frame["seats_in_force"] - frame["droit_commun"]
    frame = frame.sort_values(["population", "name"], ascending=[False, True]).reset_index(drop=True)
    frame["hover"] = [
        f"<b>{n}</b> — {number(p)} habitants ({year})<br>sièges en vigueur : {number(f)}<br>"
        f"droit commun : {number(d)}<br>écart : {'+' if x > 0 else ''}{number(x)}"
        for n, p, f, d, x in zip(frame["name"], frame["population"], frame["seats_in_force"], frame["droit_commun"],
                                 frame["difference"])
    ]
    in_force = int(frame["seats_in_force"].sum())
    differing = int((frame["difference"] != 0).sum())
    gap = result.total - in_force
    totals = summary(result) | {
        "on": on, "on_text": short_date(on),
        "in_force": in_force, "in_force_text": plural(in_force, "siège"),
        "in_force_help": (f"Conseillers communautaires en fonction ce jour-là, suppléants non compris "
                          f"({plural(int(frame['substitutes'].sum()), 'suppléant')})."),
        "gap_text": ("même total" if gap == 0 else f"{'+' if gap > 0 else '-'}{plural(abs(gap), 'siège')} "
                     "par rapport aux sièges en vigueur"),
        "substitutes": int(frame["substitutes"].sum()),
        "communes_differing": differing, "communes_differing_text": f"{number(differing)} / {number(len(frame))}",
    }
    if sector is not None:
        frame = frame[frame["sector"] == sector].reset_index(drop=True)
    return frame, totals


def comparison_table(frame: pd.DataFrame, year: str) -> pd.DataFrame:
    return pd.DataFrame({
        "Commune": frame["name"], "Secteur": frame["sector"], f"Population {year}": frame["population"],
        "Sièges en vigueur": frame["seats_in_force"], "Droit commun": frame["droit_commun"],
        "Écart": frame["difference"], "Suppléants": frame["substitutes"],
    })


def simulate(edited: pd.DataFrame, baseline: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Allocate the seats for edited populations and compare with the baseline populations' allocation.

    edited and baseline: insee, Commune, Population. Raises seats.SeatsInputError on invalid populations."""
    before = allocation(baseline)
    after = allocation(edited)
    frame = pd.DataFrame({
        "insee": edited["insee"], "name": edited["Commune"],
        "population_before": baseline.set_index("insee").loc[edited["insee"], "Population"].to_numpy(),
        "population": pd.to_numeric(edited["Population"]).astype(int),
    })
    frame["seats_before"] = frame["insee"].map(before.seats).astype(int)
    frame["seats_after"] = frame["insee"].map(after.seats).astype(int)
    frame["difference"] = frame["seats_after"] - frame["seats_before"]
    frame = frame.sort_values(["population", "name"], ascending=[False, True]).reset_index(drop=True)
    frame["hover"] = [
        f"<b>{n}</b><br>population : {number(pb)} → {number(p)}<br>sièges : {number(b)} → {number(a)}"
        for n, pb, p, b, a in zip(frame["name"], frame["population_before"], frame["population"],
                                  frame["seats_before"], frame["seats_after"])
    ]
    changed = frame.loc[frame["difference"] != 0, "name"].tolist()
    change = after.total - before.total
    return frame, {"before": summary(before), "after": summary(after), "changed": changed,
                   "total_change": ("même total" if change == 0 else
                                    f"{'+' if change > 0 else '-'}{plural(abs(change), 'siège')}"),
                   "changed_text": number(len(changed)),
                   "changed_help": ", ".join(escape_all(changed)) + "." if changed else "Aucune commune ne change."}


def changed_only(frame: pd.DataFrame) -> pd.DataFrame:
    """The simulated communes whose seats change (all of them when none changes, so the chart is never empty)."""
    part = frame[frame["difference"] != 0]
    return frame if part.empty else part


def simulation_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Commune": frame["name"], "Population de référence": frame["population_before"],
        "Population simulée": frame["population"], "Sièges de référence": frame["seats_before"],
        "Sièges simulés": frame["seats_after"], "Écart": frame["difference"],
    })
