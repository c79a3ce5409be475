"""Attendance of the territory: per commune, per sector, bodies per commune, and the rencontres with the municipal
councils."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from analytics.rules import attendance, filters
from analytics.store import reference
from analytics.store.sql import query
from analytics.wording.display import plural, short_date
from analytics.wording.format import number, percent

RENCONTRES = "rencontres_communes"


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    return (numerator / denominator.where(denominator > 0)).astype(float)


def commune_bodies(conn: duckdb.DuckDBPyConnection, start: date, end: date,
                   sector: str | None = None) -> pd.DataFrame:
    """Per commune and body: meetings convened and represented, convocations, presence and representation rates."""
    frame = conn.cursor().execute(query("territories_commune_bodies"), {"start": start, "end": end}).df()
    if sector is not None:
        frame = frame[frame["sector"] == sector]
    frame = frame.copy()
    frame["presence_rate"] = _ratio(frame["attending"], frame["recorded"])
    frame["representation"] = _ratio(frame["meetings_represented"], frame["meetings_convened"])
    return frame.reset_index(drop=True)


def communes(conn: duckdb.DuckDBPyConnection, start: date, end: date, sector: str | None = None) -> pd.DataFrame:
    """One row per commune (of the sector): centroid, population, attendance rates of its people, and its
    representation (share of the meetings it was convened to where one of its people was present or remote)."""
    base = conn.cursor().execute(query("territories_communes")).df()
    rates = attendance.counts(conn, start, end, "commune")
    pairs = commune_bodies(conn, start, end)
    represented = pairs.groupby("insee")[["meetings_convened", "meetings_represented"]].sum()
    frame = (base.merge(rates.drop(columns=["name", "sector"]), on="insee", how="left")
             .merge(represented, left_on="insee", right_index=True, how="left"))
    for column in attendance.COUNT_COLUMNS + ["meetings_convened", "meetings_represented"]:
        frame[column] = frame[column].fillna(0).astype(int)
    frame["representation"] = _ratio(frame["meetings_represented"], frame["meetings_convened"])
    if sector is not None:
        frame = frame[frame["sector"] == sector]
    frame["hover"] = [
        f"<b>{name}</b> — secteur {sec}<br>{number(pop)} habitants<br>présence {percent(pr)}, "
        f"participation {percent(pa)}<br>représentée à {percent(rep)} des séances où elle était convoquée"
        for name, sec, pop, pr, pa, rep in zip(frame["name"], frame["sector"], frame["population"],
                                               frame["presence_rate"], frame["participation_rate"],
                                               frame["representation"])
    ]
    return frame.reset_index(drop=True)


def sectors(conn: duckdb.DuckDBPyConnection, start: date, end: date) -> pd.DataFrame:
    """The three sectors: communes, population, attendance rates and representation, with French texts."""
    rates = attendance.counts(conn, start, end, "sector")
    base = conn.cursor().execute(query("territories_communes")).df()
    sizes = base.groupby("sector").agg(communes=("insee", "size"), population=("population", "sum"))
    pairs = commune_bodies(conn, start, end).groupby("sector")[["meetings_convened", "meetings_represented"]].sum()
    frame = (pd.DataFrame({"sector": list(filters.SECTORS)})
             .merge(sizes, left_on="sector", right_index=True, how="left")
             .merge(rates, on="sector", how="left")
             .merge(pairs, left_on="sector", right_index=True, how="left"))
    frame["representation"] = _ratio(frame["meetings_represented"], frame["meetings_convened"])
    frame["label"] = "Secteur " + frame["sector"]
    frame["presence_text"] = frame["presence_rate"].map(percent)
    frame["participation_text"] = frame["participation_rate"].map(percent)
    return frame


def body_matrix(conn: duckdb.DuckDBPyConnection, start: date, end: date, sector: str | None = None) -> pd.DataFrame:
    """Commune × body: the presence of the commune's people in that body, for the heatmap; blank where the commune
    has nobody convened. Bodies with a single commune (rencontres) are left out: they say nothing of taking part."""
    frame = commune_bodies(conn, start, end, sector)
    frame = frame[frame["body_code"] != RENCONTRES].sort_values(["sort_order", "body_code", "name"])
    frame["short_body"] = frame["body_name"].str.replace("Commission de travail", "Travail", regex=False) \
        .str.replace("Commission thématique", "Thématique", regex=False) \
        .str.replace("Conférence territoriale des maires", "Conf. territoriale", regex=False) \
        .str.replace("Atelier-projet", "Atelier", regex=False)
    frame["hover"] = [
        f"<b>{name}</b> — {body}<br>présence {percent(rate)} "
        f"({plural(rec, 'convocation renseignée', 'convocations renseignées')})"
        f"<br>représentée à {number(rep)} séance(s) sur {number(conv)}"
        for name, body, rate, rec, rep, conv in zip(frame["name"], frame["body_name"], frame["presence_rate"],
                                                    frame["recorded"], frame["meetings_represented"],
                                                    frame["meetings_convened"])
    ]
    return frame.sort_values(["name", "sort_order"]).reset_index(drop=True)


def rencontres(conn: duckdb.DuckDBPyConnection, since: date | None, as_of: date,
               sector: str | None = None) -> pd.DataFrame:
    """Every commune, with whether the Président met its municipal council since `since` (start of the mandate)."""
    base = conn.cursor().execute(query("territories_communes")).df()
    start = since or date.min
    met = conn.cursor().execute(query("territories_meetings_with_communes"),
                                {"body_code": RENCONTRES, "start": start, "end": as_of}).df()
    frame = base.merge(met, on="insee", how="left")
    frame["met"] = frame["meetings"].notna()
    frame["meetings"] = frame["meetings"].fillna(0).astype(int)
    if sector is not None:
        frame = frame[frame["sector"] == sector]
    frame["hover"] = [
        f"<b>{name}</b> — secteur {sec}<br>" + (f"conseil municipal rencontré le {short_date(last)}" if m
                                              else "conseil municipal pas encore rencontré")
        for name, sec, m, last in zip(frame["name"], frame["sector"], frame["met"], frame["last_met"])
    ]
    return frame.reset_index(drop=True)


def rencontres_summary(frame: pd.DataFrame, since: date | None = None) -> dict:
    """Communes met, communes in all, coverage rate, and the names of those not met yet."""
    total, met = len(frame), int(frame["met"].sum())
    not_met = frame.loc[~frame["met"], "name"].tolist()
    start = f"depuis le début du mandat ({short_date(since)})" if since else "depuis le début des données"
    return {"met": met, "total": total, "coverage": met / total if total else None,
            "coverage_text": percent(met / total if total else None), "not_met": not_met,
            "help": f"Communes dont le conseil municipal a rencontré le Président {start}.",
            "not_met_text": ("**Pas encore rencontrées** : " + ", ".join(not_met) + "." if not_met
                             else "Toutes les communes ont été rencontrées.")}


# -- the map: the communes' outlines and the sectors' borders ------------------------------------------------------

def shapes(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The outline of every commune, one row per vertex: insee, name, sector, part (one ring), lon, lat."""
    base = conn.cursor().execute(query("territories_communes")).df()[["insee", "name", "sector"]]
    return reference.commune_outlines().merge(base, on="insee", how="inner")


def _edges(ring: pd.DataFrame) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    points = list(zip(ring["lon"], ring["lat"]))
    return list(zip(points, points[1:]))


def sector_borders(outlines: pd.DataFrame) -> pd.DataFrame:
    """The outline of each sector, the union of its communes, as closed lines: sector, part, lon, lat.

    The communes share their borders vertex for vertex (one topology simplified as a whole), so a commune's edge
    lies on its sector's border exactly when no other commune of the sector has it too."""
    rows: list[tuple[str, int, float, float]] = []
    for sector, communes in outlines.groupby("sector", sort=True):
        count: dict[frozenset, int] = {}
        for _, ring in communes.groupby(["insee", "part"], sort=False):
            for a, b in _edges(ring):
                if a != b:
                    key = frozenset((a, b))
                    count[key] = count.get(key, 0) + 1
        border = [tuple(edge) for edge, n in count.items() if n == 1]
        for part, line in enumerate(_chain(border)):
            rows += [(str(sector), part, lon, lat) for lon, lat in line]
    return pd.DataFrame(rows, columns=["sector", "part", "lon", "lat"])


def _chain(edges: list[tuple]) -> list[list[tuple[float, float]]]:
    """Undirected edges joined end to end into as few lines as a walk finds (closed rings for a border)."""
    around: dict[tuple[float, float], list[int]] = {}
    for i, (a, b) in enumerate(edges):
        around.setdefault(a, []).append(i)
        around.setdefault(b, []).append(i)
    used = [False] * len(edges)
    lines = []
    for first in range(len(edges)):
        if used[first]:
            continue
        used[first] = True
        line = list(edges[first])
        while True:
            end = line[-1]
            following = next((i for i in around[end] if not used[i]), None)
            if following is None:
                break
            used[following] = True
            a, b = edges[following]
            line.append(b if a == end else a)
        lines.append(line)
    return lines


def map_frame(frame: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """The communes as the map colours them: insee, name, sector, population, lon, lat, value (the indicator's
    rate, 0–1), value_text ("88,4 %") and hover; `indicator` is a key of MAP_INDICATORS."""
    column = MAP_INDICATORS[indicator]
    out = frame[["insee", "name", "sector", "population", "lon", "lat", "hover"]].copy()
    out["value"] = frame[column].astype(float)
    out["value_text"] = out["value"].map(percent)
    return out.reset_index(drop=True)


# the map's indicators: the selector's label → the column of `communes`
MAP_INDICATORS = {"Présence": "presence_rate", "Participation": "participation_rate",
                  "Représentation": "representation"}
MAP_HELP = {
    "Présence": "présents et à distance, sur les convocations renseignées des personnes de la commune",
    "Participation": "présents, à distance, pouvoirs donnés et suppléés, sur les convocations renseignées",
    "Représentation": "part des séances où la commune était convoquée auxquelles au moins une de ses personnes "
                      "était présente ou à distance",
}
