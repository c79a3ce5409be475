"""Reference data shipped in data/: the 39 communes and the catalogue of bodies."""

from __future__ import annotations

import csv
import json
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from analytics import settings
from analytics.store.sql import query
from analytics.store.transaction import transaction

DATA_DIR = settings.DATA_DIR
COMMUNES_FILE = DATA_DIR / "communes.csv"
BODIES_FILE = DATA_DIR / "bodies.toml"
# the outline of each commune (IGN Admin Express via france-geojson, Licence Ouverte: data/LICENCE.md)
OUTLINES_FILE = DATA_DIR / "communes-m2a.geojson"


@dataclass(frozen=True)
class Body:
    """One governance body of the catalogue."""

    code: str
    name: str
    family: str
    cadence_rule: str
    cadence_n: int | None = None
    cadence_phase: str | None = None
    alternates_with: str | None = None
    legal_floor: str | None = None
    required_rate: float | None = None
    sector: str | None = None
    project_start: date | None = None
    project_end: date | None = None
    sort_order: int = 0
    # months of the body's break (1 = January … 12 = December): a cadence period made only of them is not judged
    pause: tuple[int, ...] = ()
    # legal delay of the convocations in clear days (jours francs, CGCT L2121-12: 5 for the Conseil), None for none
    convocation_delay: int | None = None


_TOML_KEYS = {
    "code": "code", "nom": "name", "famille": "family", "regle": "cadence_rule", "n": "cadence_n",
    "phase": "cadence_phase", "alterne_avec": "alternates_with", "plancher_legal": "legal_floor",
    "seuil": "required_rate", "secteur": "sector", "debut": "project_start", "fin": "project_end",
    "ordre": "sort_order", "pause": "pause", "delai_convocation": "convocation_delay",
}


def communes_frame(path: Path = COMMUNES_FILE) -> pd.DataFrame:
    """The communes file as a DataFrame with the columns of the communes table."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    return pd.DataFrame(
        {
            "insee": [r["insee"] for r in rows],
            "name": [r["commune"] for r in rows],
            "population_2019": [int(r["population_2019"]) for r in rows],
            "population_2022": [int(r["population_2022"]) for r in rows],
            "population_2025": [int(r["population_2025"]) for r in rows],
            "council_size": [int(r["conseil_municipal"]) for r in rows],
            "lat": [float(r["lat"]) for r in rows],
            "lon": [float(r["lon"]) for r in rows],
            "sector": [r["secteur"] for r in rows],
        }
    )


def commune_outlines(path: Path = OUTLINES_FILE) -> pd.DataFrame:
    """The communes' outlines, one row per vertex: insee, part (one closed ring of a commune, numbered from 0),
    lon, lat (WGS 84), in the file's order. The holes of a polygon, if any, are rings of their own."""
    collection = json.loads(path.read_text(encoding="utf-8"))
    rows: list[tuple[str, int, float, float]] = []
    for feature in collection["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        insee, part = str(feature["properties"]["code"]), 0
        for polygon in polygons:
            for ring in polygon:
                rows += [(insee, part, float(lon), float(lat)) for lon, lat in ring]
                part += 1
    return pd.DataFrame(rows, columns=["insee", "part", "lon", "lat"])


def bodies(path: Path = BODIES_FILE) -> list[Body]:
    """The catalogue of bodies, in display order."""
    with path.open("rb") as handle:
        entries = tomllib.load(handle)["instance"]
    catalogue = []
    for entry in entries:
        unknown = set(entry) - set(_TOML_KEYS)
        if unknown:
            raise ValueError(f"{path.name} : clé(s) inconnue(s) {sorted(unknown)} pour l'instance {entry.get('code')}")
        values = {_TOML_KEYS[key]: value for key, value in entry.items()}
        if "pause" in values:
            values["pause"] = _pause_months(values["pause"], path.name, entry.get("code"))
        if "convocation_delay" in values:
            _check_delay(values["convocation_delay"], path.name, entry.get("code"))
        catalogue.append(Body(**values))
    codes = {body.code for body in catalogue}
    for body in catalogue:
        if body.alternates_with and body.alternates_with not in codes:
            raise ValueError(f"{path.name} : {body.code} alterne avec une instance inconnue {body.alternates_with}")
    return sorted(catalogue, key=lambda body: (body.sort_order, body.code))


def _pause_months(value: object, file_name: str, code: object) -> tuple[int, ...]:
    """The `pause` of a catalogue entry as sorted month numbers; a French error unless a list of months 1–12."""
    if not isinstance(value, list) or not all(type(month) is int and 1 <= month <= 12 for month in value):
        raise ValueError(f"{file_name} : pause invalide pour l'instance {code} ({value!r}) ; une liste de numéros "
                         "de mois de 1 à 12 est attendue, par exemple pause = [8] pour août")
    if len(set(value)) == 12:
        raise ValueError(f"{file_name} : l'instance {code} ne peut pas être en pause les douze mois de l'année")
    return tuple(sorted(set(value)))


def _check_delay(value: object, file_name: str, code: object) -> None:
    """The `delai_convocation` of a catalogue entry: a whole number of clear days, 0 to 60; else a French error."""
    if type(value) is not int or not 0 <= value <= 60:
        raise ValueError(f"{file_name} : délai de convocation invalide pour l'instance {code} ({value!r}) ; un nombre "
                         "de jours francs de 0 à 60 est attendu, par exemple delai_convocation = 5 pour le Conseil")


def pause_text(months: tuple[int, ...]) -> str | None:
    """The pause as stored in bodies.pause: "8", "7,8"; None when there is none."""
    return ",".join(str(month) for month in months) or None


def bodies_frame(path: Path = BODIES_FILE) -> pd.DataFrame:
    """The catalogue as a DataFrame with the columns of the bodies table."""
    frame = pd.DataFrame([body.__dict__ for body in bodies(path)])
    frame["pause"] = frame["pause"].map(pause_text).astype(object)
    # keep integer and date columns typed even where every value is missing
    frame["cadence_n"] = frame["cadence_n"].astype("Int64")
    frame["convocation_delay"] = frame["convocation_delay"].astype("Int64")
    for column in ("project_start", "project_end"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def load(conn: duckdb.DuckDBPyConnection) -> None:
    """Insert the communes and bodies the database lacks; rows already there are left as edited."""
    cur = conn.cursor()
    # a file at an older schema version (upgraded later by db.migrate) lacks the newer columns (pause, from
    # migration 004): insert the columns the table has, by name
    columns = set(cur.table("bodies").columns)
    catalogue = bodies_frame()
    cur.register("ref_communes", communes_frame())
    cur.register("ref_bodies", catalogue[[column for column in catalogue.columns if column in columns]])
    try:
        with transaction(cur):
            cur.execute(query("reference_insert_communes"))
            cur.execute(query("reference_insert_bodies"))
    finally:
        cur.unregister("ref_communes")
        cur.unregister("ref_bodies")
