"""The dashboard pages: AppTest of every page on the demo database and on an empty one, the figures shown against
the analytics, the filters (and their URL binding), and the analytics written for the pages."""

from __future__ import annotations

import csv
import gc
import io
import json
import math
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analytics.ingest import importer, templates
from analytics.outputs import charts, summary
from analytics.outputs.export import to_excel_csv
from analytics.rules import attendance, cadence, filters, schedule, seats, territory
from analytics.screens import conseil as council
from analytics.screens import elus as people
from analytics.screens import synthese as synthesis
from analytics.store import db
from analytics.wording.format import number, percent
from tests.support import ROOT

APP = str(ROOT / "app.py")
TODAY = date(2026, 11, 29)
PAGES = {
    "synthese": "pages/tableau_de_bord/synthese.py",
    "instances": "pages/tableau_de_bord/instances.py",
    "territoires": "pages/tableau_de_bord/territoires.py",
    "elus": "pages/tableau_de_bord/elus.py",
    "conseil": "pages/tableau_de_bord/conseil.py",
    "calendrier": "pages/tableau_de_bord/calendrier.py",
}


@pytest.fixture(autouse=True)
def _fresh_caches(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    st.cache_data.clear()
    st.cache_resource.clear()
    # the dashboard's "today": the day the demo database was built for
    monkeypatch.setenv(filters.TODAY_VARIABLE, TODAY.isoformat())
    yield
    # the app's connection (a cached resource) would hold the shared demo base open for the next test modules,
    # which may open it read-only
    st.cache_resource.clear()
    gc.collect()


@pytest.fixture(scope="module")
def demo_conn(demo_file: Path):
    """A connection to the demo database for computing the expected figures (the same process as AppTest, so the
    same DuckDB instance)."""
    conn = db.connect(demo_file)
    yield conn
    conn.close()


def _open(monkeypatch: pytest.MonkeyPatch, path: Path, page: str = "synthese", query: dict | None = None) -> AppTest:
    """Run the app (once, as AppTest needs before switch_page), then the page; fail on any exception."""
    monkeypatch.setenv("GOUVERNANCE_DB", str(path))
    at = AppTest.from_file(APP, default_timeout=30)
    if query:
        at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    if page != "synthese":
        at.switch_page(PAGES[page]).run()
        assert not at.exception, at.exception
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _period(label: str = filters.ROLLING) -> filters.Period:
    return filters.resolve(label, TODAY)


def _plotly(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


# -- every page, demo and empty ------------------------------------------------------------------------------------

@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_on_the_demo_database(monkeypatch: pytest.MonkeyPatch, demo_file: Path, page: str) -> None:
    at = _open(monkeypatch, demo_file, page)
    assert not at.error, [e.value for e in at.error]
    assert at.title, "every page has a title"
    # French figures everywhere: no English decimal point in a percentage, no "None"
    for metric in at.metric:
        assert "None" not in metric.value and "nan" not in metric.value.lower()
        assert not any(ch.isdigit() and nxt == "." for ch, nxt in zip(metric.value, metric.value[1:])), metric.value
    # every chart is French: decimal comma and the French locale given in its config
    for spec in _plotly(at):
        assert spec["layout"]["separators"] == ", "
    # drawn once: no Streamlit theme nor template, numbers as lists, a data revision (analytics.ui.widgets.chart)
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        assert chart.proto.theme == "" and "template" not in spec["layout"] and spec["layout"]["datarevision"] == 1
        assert "bdata" not in chart.proto.spec


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_says_aucune_donnee_on_an_empty_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                             page: str) -> None:
    at = _open(monkeypatch, tmp_path / "empty.duckdb", page)
    assert not at.error, [e.value for e in at.error]
    assert any("Aucune donnée" in info.value for info in at.info), [i.value for i in at.info]


def test_charts_carry_the_french_locale(monkeypatch: pytest.MonkeyPatch, demo_file: Path) -> None:
    at = _open(monkeypatch, demo_file)
    charts_ = at.get("plotly_chart")
    assert charts_
    config = json.loads(charts_[0].proto.config)
    assert config["locale"] == "fr"
    assert config["locales"]["fr"]["format"]["shortMonths"][0] == "janv."
    assert config["locales"]["fr"]["format"]["decimal"] == ","


def test_a_chart_is_sent_with_its_numbers_as_lists() -> None:
    import numpy as np
    import plotly.graph_objects as go

    from analytics.ui import widgets

    figure = go.Figure([go.Heatmap(z=np.array([[1.5, np.nan], [2.0, 3.0]])),
                        go.Bar(x=["a", "b"], y=np.array([1, 300_000]), marker={"color": np.array([0.25, 0.5])})])
    spec = figure.to_dict()
    assert "bdata" in spec["data"][0]["z"]  # what Plotly writes
    for trace in spec["data"]:
        widgets._as_lists(trace)
    assert spec["data"][0]["z"][0][0] == 1.5 and math.isnan(spec["data"][0]["z"][0][1])
    assert spec["data"][0]["z"][1] == [2.0, 3.0]
    assert spec["data"][1]["y"] == [1, 300_000] and spec["data"][1]["marker"]["color"] == [0.25, 0.5]
    assert spec["data"][1]["x"] == ["a", "b"]


def test_charts_keep_the_style_of_streamlits_theme() -> None:
    figure = charts.cadence_periods(pd.DataFrame({
        "period_label": ["janv. 2026", "févr. 2026"], "held": [1, 0], "required": [1, 1],
        "status": ["met", "missed"], "status_label": ["respectée", "non respectée"], "hover": ["a", "b"]}))
    layout = figure.layout
    assert layout.font.family == '"Source Sans", sans-serif' and layout.legend.font.size == 12
    assert layout.xaxis.automargin and layout.yaxis.automargin and layout.xaxis.showgrid is False
    assert layout.yaxis.gridcolor == charts.LIGHT  # a chart's own choice wins over the common style
    assert layout.xaxis.tickfont.color == "#808495" and layout.yaxis.zeroline is True
    assert layout.xaxis.tickcolor is None  # no ticks outside a heatmap, as under the theme
    assert figure.to_dict()["layout"].get("template") is None


def test_the_bands_chart_keeps_its_labels_apart_and_inside() -> None:
    """The median's label sits left of its line and the count over the 100 % bar has room right of the plot: with a
    median of 95 %, both were drawn over the 95–100 % bins and the count ran past the chart's edge."""
    rates = pd.DataFrame({"presence_rate": [0.5, 0.9, 0.95, 1.0, 1.0]})
    figure = charts.rate_bands(rates, (0.9, 0.95, 1.0), ["a", "b", "c", "d"])
    [label] = figure.layout.annotations
    assert (label.text, label.x, label.xanchor) == ("médiane", 0.95, "right")
    assert figure.data[1].text == ("2 à 100\u00a0%",) and figure.layout.margin.r == charts.RIGHT_ROOM
    no_full = charts.rate_bands(rates.iloc[:3], (0.6, 0.9, 0.93), ["a", "b", "c", "d"])
    assert no_full.layout.margin.r == 10  # no 100 % bar, no room kept for it


# -- Synthèse ------------------------------------------------------------------------------------------------------

def _presence(frame: pd.DataFrame) -> float:
    """Presence weighted by convocations, computed here from the engine's counts (not through synthesis)."""
    return (frame["present"].sum() + frame["remote"].sum()) / frame["recorded"].sum()


def test_synthese_headline_equals_the_analytics(monkeypatch: pytest.MonkeyPatch, demo_file: Path, demo_conn) -> None:
    at = _open(monkeypatch, demo_file)
    shown = _metrics(at)
    period = _period()
    bodies = attendance.counts(demo_conn, period.start, period.end, "body")
    assert shown["Taux de présence"] == percent(_presence(bodies))
    participating = bodies[["present", "remote", "proxy", "substituted"]].to_numpy().sum()
    assert shown["Taux de participation"] == percent(participating / bodies["recorded"].sum())
    rhythm = summary.cadence_totals(demo_conn, period.start, period.end, TODAY)
    assert shown["Séances requises tenues"] == f"{number(rhythm['fulfilled'])} / {number(rhythm['required'])}"
    assert shown[summary.BEHIND_LABEL] == number(len(rhythm["behind"]))
    # the database counts of the former home page are still there
    assert shown["Communes membres"] == "39"
    assert not at.info


def _refiltered(monkeypatch: pytest.MonkeyPatch, demo_file: Path, key: str, value: str,
                metric: str) -> tuple[AppTest, str]:
    """The synthesis page run again after the filter `key` is set to `value`, and `metric` as it was before."""
    at = _open(monkeypatch, demo_file)
    before = _metrics(at)[metric]
    at.selectbox(key=key).set_value(value).run()
    assert not at.exception
    return at, before


def test_synthese_sector_filter_changes_the_figures(monkeypatch: pytest.MonkeyPatch, demo_file: Path,
                                                   demo_conn) -> None:
    at, before = _refiltered(monkeypatch, demo_file, filters.SECTOR_KEY, "Nord", "Taux de présence")
    after = _metrics(at)["Taux de présence"]
    period = _period()
    sectors = attendance.counts(demo_conn, period.start, period.end, "sector")
    assert after == percent(_presence(sectors[sectors["sector"] == "Nord"]))
    assert after != before
    assert "secteur Nord" in at.caption[0].value


def test_synthese_period_filter_changes_the_figures(monkeypatch: pytest.MonkeyPatch, demo_file: Path,
                                                   demo_conn) -> None:
    at, before = _refiltered(monkeypatch, demo_file, filters.PERIOD_KEY, "Année 2024", "Séances requises tenues")
    shown = _metrics(at)
    bodies = attendance.counts(demo_conn, date(2024, 1, 1), date(2024, 12, 31), "body")
    assert shown["Taux de présence"] == percent(_presence(bodies))
    assert shown["Séances requises tenues"] != before


def test_a_copied_url_reproduces_the_filters(monkeypatch: pytest.MonkeyPatch, demo_file: Path, demo_conn) -> None:
    at = _open(monkeypatch, demo_file, query={filters.PERIOD_KEY: "Année 2025", filters.SECTOR_KEY: "Sud"})
    assert at.selectbox(key=filters.PERIOD_KEY).value == "Année 2025"
    assert at.selectbox(key=filters.SECTOR_KEY).value == "Sud"
    sectors = attendance.counts(demo_conn, date(2025, 1, 1), date(2025, 12, 31), "sector")
    assert _metrics(at)["Taux de présence"] == percent(_presence(sectors[sectors["sector"] == "Sud"]))


def test_synthese_heatmap_has_a_row_per_body_and_a_column_per_month(monkeypatch: pytest.MonkeyPatch,
                                                                      demo_file: Path) -> None:
    at = _open(monkeypatch, demo_file)
    heatmap = next(spec for spec in _plotly(at) if spec["data"][0]["type"] == "heatmap")
    assert len(heatmap["data"][0]["x"]) == 12  # the rolling 12 months
    assert "Conseil d'Agglomération" in heatmap["data"][0]["y"]


def test_caches_refresh_after_an_import(monkeypatch: pytest.MonkeyPatch, demo_file: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.duckdb"
    shutil.copy(demo_file, copy)
    at = _open(monkeypatch, copy, "calendrier")
    before = _metrics(at)["Séances prévues à venir"]
    conn = db.connect(copy)  # same process: the DuckDB instance AppTest's connection uses
    importer.import_sources(conn, [("seances.csv", "instance;date;statut\nforum;15/12/2026;prévue\n".encode())],
                            username="test", source="cli", today=TODAY)
    at.run()
    assert _metrics(at)["Séances prévues à venir"] == number(int(before) + 1)


# -- Instances -----------------------------------------------------------------------------------------------------

def test_instances_figures_equal_the_cadence(monkeypatch: pytest.MonkeyPatch, demo_file: Path, demo_conn) -> None:
    at = _open(monkeypatch, demo_file, "instances")
    period = _period()
    summary = cadence.summary(demo_conn, period.start, period.end, TODAY).set_index("code")
    assert _metrics(at)["Séances tenues"] == number(summary.loc["conseil", "held"])
    assert any(spec["data"][0]["type"] == "bar" and "quorum" in spec["data"][0]["name"] for spec in _plotly(at))
    at.selectbox(key="instance").set_value("Bureau").run()
    assert not at.exception
    assert _metrics(at)["Séances tenues"] == number(summary.loc["bureau", "held"])
    judged = summary.loc["bureau", "periods_met"] + summary.loc["bureau", "periods_missed"]
    assert _metrics(at)["Périodes respectées"] == f"{summary.loc['bureau', 'periods_met']} / {judged}"
    # the quorum is the Conseil's only
    assert not any("quorum" in trace.get("name", "") for spec in _plotly(at) for trace in spec["data"])


def test_instances_shows_a_sitting_point_by_point(monkeypatch: pytest.MonkeyPatch, demo_file: Path, demo_conn) -> None:
    from analytics.rules import agenda

    # the demo's sitting where a group walks out: the quorum lost at a point and found again (issue 12)
    period = _period()
    lost = agenda.losses(agenda.item_quorum(demo_conn, period.start, period.end)).iloc[0]
    at = _open(monkeypatch, demo_file, "instances")
    at.selectbox(key="seance_odj").set_value(int(lost["meeting_id"])).run()
    assert not at.exception
    at.session_state[f"chiffres-ordre-du-jour-{int(lost['meeting_id'])}"] = True  # its numbers: the expander open
    at.run()
    strip = next(spec for spec in _plotly(at) if any(t.get("name") == "quorum" for t in spec["data"]))
    points = agenda.items(demo_conn, int(lost["meeting_id"]))
    # one column per point, in the agenda's order, the quorum as a line, the point where it was lost marked
    assert strip["layout"]["xaxis"]["categoryarray"] == points["item"].tolist()
    assert [a["text"] for a in strip["layout"]["annotations"]] == [f"quorum perdu au point {lost['lost_at']}"]
    assert any(f"Quorum perdu au point {lost['lost_at']}" in c.value for c in at.caption)
    table = next(df.value for df in at.dataframe if "Arrivé(e)s" in df.value.columns)
    assert table["Point"].tolist() == points["item"].tolist()
    assert table.set_index("Point").loc[lost["lost_at"], "Présents (pouvoirs exclus)"] == lost["present"]


def test_the_meeting_form_offers_the_points_of_the_agenda(monkeypatch: pytest.MonkeyPatch, demo_file: Path,
                                                          demo_conn) -> None:
    # the form of a Conseil sitting with an agenda says how to record an arrival, a departure, a proxy from a point
    from analytics.rules import agenda

    period = _period()
    sitting = agenda.sittings(demo_conn, "conseil", period.start, period.end).iloc[0]
    at = _open(monkeypatch, demo_file)
    at.switch_page(str(ROOT / "pages" / "donnees" / "saisie.py")).run()
    at.selectbox[0].set_value("conseil").run()
    at.date_input[0].set_value(pd.Timestamp(sitting["meeting_date"]).date()).run()
    assert not at.exception, at.exception
    points = agenda.items(demo_conn, int(sitting["meeting_id"]))["item"].tolist()
    assert any(c.value.startswith(f"Ordre du jour : {len(points)} points (du point {points[0]} au point "
                                  f"{points[-1]}).") for c in at.caption), [c.value for c in at.caption]


# -- Territoires ---------------------------------------------------------------------------------------------------

def test_territoires_commune_table_equals_the_attendance(monkeypatch: pytest.MonkeyPatch, demo_file: Path,
                                                        demo_conn) -> None:
    at = _open(monkeypatch, demo_file, "territoires")
    table = next(df.value for df in at.dataframe if {"Commune", "Représentation"} <= set(df.value.columns))
    assert len(table) == 39
    period = _period()
    expected = attendance.counts(demo_conn, period.start, period.end, "commune").set_index("name")
    shown = table.set_index("Commune")
    assert shown.loc["Mulhouse", "Présence"] == pytest.approx(expected.loc["Mulhouse", "presence_rate"])
    assert shown.loc["Mulhouse", "Convocations"] == expected.loc["Mulhouse", "convened"]
    met = territory.rencontres(demo_conn, filters.mandate_start(demo_conn, TODAY), TODAY)
    assert _metrics(at)["Communes rencontrées"] == f"{int(met['met'].sum())} / 39"
    at.selectbox(key=filters.SECTOR_KEY).set_value("Sud").run()
    table = next(df.value for df in at.dataframe if {"Commune", "Représentation"} <= set(df.value.columns))
    assert set(table["Secteur"]) == {"Sud"}


# -- Élus ----------------------------------------------------------------------------------------------------------

def test_elus_bands_and_no_ranking(monkeypatch: pytest.MonkeyPatch, demo_file: Path) -> None:
    at = _open(monkeypatch, demo_file, "elus")
    table = next(df.value for df in at.dataframe if "Bande de présence" in df.value.columns)
    assert list(table["Nom"]) == sorted(table["Nom"], key=people.fold), "alphabetical, not ranked"
    few = table[table["Renseignées"] < people.MIN_RECORDED]
    assert not few.empty and set(few["Bande de présence"]) == {people.UNRANKED}
    everyone = len(table)
    at.selectbox(key="elus_instance").set_value("Bureau").run()
    assert not at.exception
    table = next(df.value for df in at.dataframe if "Bande de présence" in df.value.columns)
    assert 0 < len(table) < everyone


def test_elus_person_view_shows_the_evidence(monkeypatch: pytest.MonkeyPatch, demo_file: Path, demo_conn) -> None:
    label = people.persons(demo_conn)["label"].iloc[10]
    at = _open(monkeypatch, demo_file, "elus", query={"personne": label})
    assert not at.exception
    person_id = people.person_id_of(demo_conn, label)
    period = _period()
    timeline = attendance.timeline(demo_conn, person_id, period.start, period.end)
    assert _metrics(at)["Convocations"] == number(len(timeline))
    evidence = next(df.value for df in at.dataframe if "Feuille d'émargement" in df.value.columns)
    assert len(evidence) == len(timeline)
    assert evidence["Feuille d'émargement"].str.contains("feuille").all()


def test_elus_fiche_says_when_a_member_arrived_or_left(monkeypatch: pytest.MonkeyPatch, demo_file: Path,
                                                       demo_conn) -> None:
    # a member who left the walkout sitting after a point (issue 12): "parti(e) après le point …"
    period = _period()
    person_id = demo_conn.execute(
        "SELECT min(s.person_id) FROM attendance_spans s JOIN meetings m USING (meeting_id) "
        "WHERE s.to_item IS NOT NULL AND s.status = 'present' AND m.meeting_date BETWEEN ? AND ?",
        [period.start, period.end]).fetchall()[0][0]
    label = people.persons(demo_conn).set_index("person_id").loc[person_id, "label"]
    at = _open(monkeypatch, demo_file, "elus", query={"personne": label})
    assert not at.exception
    evidence = next(df.value for df in at.dataframe if "Présence aux points" in df.value.columns)
    assert evidence["Présence aux points"].str.contains(r"parti\(e\) après le point").any()


# -- Conseil et sièges ---------------------------------------------------------------------------------------------

def test_conseil_droit_commun_equals_the_allocation(monkeypatch: pytest.MonkeyPatch, demo_file: Path,
                                                   demo_conn) -> None:
    at = _open(monkeypatch, demo_file, "conseil")
    frame = council.populations(demo_conn, "2025")
    expected = seats.allocate([seats.CommunePopulation(i, n, p) for i, n, p in
                               zip(frame["insee"], frame["Commune"], frame["Population"])])
    assert _metrics(at)["Droit commun"] == f"{expected.total} sièges"
    assert _metrics(at)["Sièges en vigueur"] == "103 sièges"
    at.selectbox(key="populations").set_value(council.vintage_label("2019")).run()
    assert not at.exception
    assert _metrics(at)["Population totale (2019)"] != _metrics(at).get("Population totale (2025)")


# -- Calendrier ----------------------------------------------------------------------------------------------------

def test_calendrier_shows_planned_meetings_and_alsace_holidays(monkeypatch: pytest.MonkeyPatch, demo_file: Path,
                                                              demo_conn) -> None:
    at = _open(monkeypatch, demo_file, "calendrier")
    planned = demo_conn.cursor().execute(
        "SELECT count(*) FROM meetings WHERE status = 'planned' AND meeting_date >= ?", [TODAY]).fetchall()[0][0]
    assert _metrics(at)["Séances prévues à venir"] == number(planned)
    holidays = next(df.value for df in at.dataframe if "Jour férié" in df.value.columns
                    and "Propre à l'Alsace-Moselle" in df.value.columns)
    alsace = holidays[holidays["Propre à l'Alsace-Moselle"] == "oui"]
    assert {"Vendredi saint", "Saint-Étienne"} <= set(alsace["Jour férié"])


# -- analytics of the pages ----------------------------------------------------------------------------------------

def test_periods_of_the_selector() -> None:
    rolling = filters.resolve(filters.ROLLING, TODAY)
    assert (rolling.start, rolling.end) == (date(2025, 11, 30), TODAY)
    assert (rolling.previous_start, rolling.previous_end) == (date(2024, 11, 30), date(2025, 11, 29))
    this_year = filters.resolve("Année 2026", TODAY)
    assert (this_year.start, this_year.end, this_year.previous_end) == (date(2026, 1, 1), TODAY, date(2025, 11, 29))
    past = filters.resolve("Année 2024", TODAY)
    assert (past.end, past.previous_start) == (date(2024, 12, 31), date(2023, 1, 1))
    assert filters.resolve("n'importe quoi", TODAY).label == filters.ROLLING
    labels = filters.period_labels(date(2020, 7, 20), TODAY, date(2026, 4, 16))
    assert labels[:3] == [filters.ROLLING, filters.MANDATE, "Année 2026"] and labels[-1] == filters.HISTORY
    assert filters.resolve(filters.MANDATE, TODAY, mandate=date(2026, 4, 16)).previous is None


def test_mandate_start_is_the_installation_of_the_conseil(demo_conn) -> None:
    assert filters.mandate_start(demo_conn, TODAY) == date(2026, 4, 16)
    assert filters.mandate_start(demo_conn, date(2024, 1, 1)) == date(2020, 7, 16)


def test_the_data_version_moves_with_a_recorded_sheet(demo_file: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.duckdb"
    shutil.copy(demo_file, copy)
    conn = db.connect(copy)
    before = filters.data_version(conn)
    # a sheet recorded in the app adds attendance rows without an import or a logged change
    conn.execute("DELETE FROM attendance WHERE meeting_id = (SELECT min(meeting_id) FROM attendance)")
    assert filters.data_version(conn) != before
    conn.close()


def test_excel_csv_is_french() -> None:
    frame = pd.DataFrame({"Commune": ["Mulhouse"], "Présence": [0.875], "Date": [pd.Timestamp(2025, 3, 1)]})
    data = to_excel_csv(frame)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows == [["Commune", "Présence", "Date"], ["Mulhouse", "0,875", "01/03/2025"]]


def test_alsace_holidays_in_french() -> None:
    found = schedule.holidays(date(2026, 1, 1), date(2026, 12, 31)).set_index("day")
    assert found.loc[date(2026, 4, 3), "name"] == "Vendredi saint" and found.loc[date(2026, 4, 3), "alsace"]
    assert found.loc[date(2026, 12, 26), "name"] == "Saint-Étienne"
    assert not found.loc[date(2026, 7, 14), "alsace"]


def test_judged_periods_count_each_obligation_once(demo_conn) -> None:
    # consecutive ranges share no period: a year and the next never count the same obligation twice
    first = summary.judged_periods(demo_conn, date(2024, 1, 1), date(2024, 12, 31), TODAY, None)
    second = summary.judged_periods(demo_conn, date(2025, 1, 1), date(2025, 12, 31), TODAY, None)
    keys = lambda f: set(zip(f["body_code"], f["period_start"], f["period_end"]))  # noqa: E731
    assert not keys(first) & keys(second)
    # one rolling window per year for the Conseil: 6 meetings required
    conseil = first[first["body_code"] == "conseil"]
    assert len(conseil) == 1 and int(conseil["required"].iloc[0]) == 6


def test_bands_rank_nobody_under_four_recorded() -> None:
    cuts = people.quartiles(pd.Series([0.2, 0.5, 0.7, 0.9, 1.0]))
    assert cuts == pytest.approx((0.5, 0.7, 0.9))
    assert people.band(0.95, 3, cuts) == people.UNRANKED
    assert people.band(0.95, 4, cuts) == "quart supérieur"
    assert people.band(0.1, 10, cuts) == "quart inférieur"
    assert people.quartiles(pd.Series([0.5, 0.6])) is None


def test_simulator_moves_seats_with_populations(demo_conn) -> None:
    base = council.populations(demo_conn, "2025")
    edited = base.copy()
    edited.loc[edited["Commune"] == "Wittenheim", "Population"] = 30_000
    frame, result = council.simulate(edited, base)
    change = frame.set_index("name")["difference"]
    assert change["Wittenheim"] > 0 and change["Mulhouse"] < 0
    assert "Wittenheim" in result["changed"]
    edited.loc[edited["Commune"] == "Wittenheim", "Population"] = -5
    with pytest.raises(seats.SeatsInputError, match="Wittenheim"):
        council.simulate(edited, base)


def test_map_draws_the_communes_outlines_with_true_distances(demo_conn) -> None:
    shapes = territory.shapes(demo_conn)
    assert shapes["insee"].nunique() == 39
    period = _period()
    communes = territory.communes(demo_conn, period.start, period.end)
    frame = territory.map_frame(communes, "Présence")
    figure = charts.communes_choropleth(frame, shapes, territory.sector_borders(shapes), "présence")
    assert figure.layout.yaxis.scaleanchor == "x"
    assert figure.layout.yaxis.scaleratio == pytest.approx(1.49, abs=0.01)
    assert all(trace.type == "scatter" for trace in figure.data)  # no geo trace, no tiles: works offline
    fills = [trace for trace in figure.data if trace.fill == "toself"]
    assert len(fills) == shapes.groupby(["insee", "part"]).ngroups  # one filled shape per ring of a commune
    # every commune is named on hover of its surface, with its rate the French way
    mulhouse = communes.set_index("name").loc["Mulhouse", "presence_rate"]
    assert any("Mulhouse" in trace.name and percent(mulhouse) in trace.name for trace in fills)
    colorbar = next(trace for trace in figure.data if trace.marker and trace.marker.showscale).marker.colorbar
    assert colorbar.ticktext[-1] == percent(1, 0) and colorbar.title.text == "présence"
    # a sector chosen: the other communes stay, grey, for context
    south = territory.map_frame(communes[communes["sector"] == "Sud"], "Participation")
    figure = charts.communes_choropleth(south, shapes, territory.sector_borders(shapes), "participation")
    assert sum(trace.fillcolor == charts.LIGHT for trace in figure.data if trace.fill == "toself") == \
        (shapes.drop_duplicates("insee")["sector"] != "Sud").sum()


def test_sector_borders_are_the_outline_of_their_communes() -> None:
    # two unit squares side by side in one sector, one above in another: the shared edge is no border
    square = lambda x, y: [(x, y), (x + 1, y), (x + 1, y + 1), (x, y + 1), (x, y)]  # noqa: E731
    rows = [(code, sector, 0, lon, lat) for code, sector, ring in
            (("a", "Nord", square(0, 0)), ("b", "Nord", square(1, 0)), ("c", "Sud", square(0, 1)))
            for lon, lat in ring]
    outlines = pd.DataFrame(rows, columns=["insee", "sector", "part", "lon", "lat"])
    borders = territory.sector_borders(outlines)
    north = borders[borders["sector"] == "Nord"]
    assert north["part"].nunique() == 1 and len(north) == 7  # a closed ring round the 2×1 rectangle
    assert (1.0, 0.5) not in set(zip(north["lon"], north["lat"]))
    assert set(zip(north["lon"], north["lat"])) == {(0, 0), (1, 0), (2, 0), (2, 1), (1, 1), (0, 1)}


def test_tables_read_french_whatever_the_browser() -> None:
    from analytics.screens import tables

    frame = pd.DataFrame({"Commune": ["Mulhouse"], "Population": [104924], "Présence": [0.8784],
                          "Marge": [2.5], "Le": [pd.Timestamp("2026-12-01 08:20:05")],
                          "Jour": [pd.Timestamp("2026-12-01")], "Vide": [float("nan")]})
    formats = tables.cell_formats(frame, rates=["Présence"])
    shown = {column: formats[column](frame[column].iloc[0]) for column in formats}
    assert shown == {"Population": "104\u202f924", "Présence": "87,8\u00a0%", "Marge": "2,5",
                     "Le": "1er décembre 2026 à 08:20", "Jour": "1er déc. 2026", "Vide": "—"}
    assert "Commune" not in formats  # text stays text


def test_bands_say_when_many_share_the_top_rate() -> None:
    rates = [0.5, 0.6, 0.7, 0.8, 0.85, 0.9] + [1.0] * 6
    frame = pd.DataFrame({"presence_rate": rates, "recorded": [10] * len(rates)})
    cuts = people.quartiles(frame["presence_rate"])
    frame["band"] = [people.band(r, 10, cuts) for r in rates]
    legend = people.band_legend(frame)
    assert legend[-1] == "6 personnes à 100\u00a0%"
    assert not any("et plus" in label for label in legend)
    counts = people.band_counts(frame).set_index("Bande")
    assert counts.loc["quart supérieur", "Personnes"] == 6 and counts.loc["quart supérieur", "Part"] == 0.5
    assert "6 personnes sont à 100\u00a0% (50\u00a0%)" in people.quartiles_text(cuts, frame["presence_rate"])


def test_cadence_chart_shows_a_missed_period_with_no_meeting() -> None:
    frame = pd.DataFrame({"period_label": ["janv. 2026", "févr. 2026", "mars 2026"], "held": [1, 0, 0],
                          "required": [1, 1, 1], "status": ["met", "missed", "in_progress"],
                          "status_label": ["respectée", "manquée", "en cours"], "hover": ["a", "b", "c"]})
    figure = charts.cadence_periods(frame)
    outlined = {trace.name: trace for trace in figure.data if trace.type == "bar" and trace.showlegend is not False
                and trace.marker.pattern.shape in ("/", ".")}
    assert set(outlined) == {"manquée", "en cours"}
    assert list(outlined["manquée"].y) == [1] and list(outlined["manquée"].text) == ["0 / 1"]


def test_alerts_of_one_kind_and_month_read_as_one_line() -> None:
    rows = [{"kind": "cadence_missed", "body_name": f"Commission {i}", "person_id": None,
             "date": pd.Timestamp("2026-08-31"), "kind_label": "Cadence manquée",
             "message": f"Commission {i} : aucune séance tenue en août 2026 (règle : au moins une séance par mois)."}
            for i in range(10)]
    rows.append({**rows[0], "body_name": "Bureau", "date": pd.Timestamp("2026-07-31"),
                 "message": "Bureau : aucune séance tenue en juillet 2026 (règle : au moins une séance par mois)."})
    lines = synthesis.alert_lines(pd.DataFrame(rows))
    assert lines[0][1] == 10 and lines[0][0].startswith("**10 instances sans séance en août 2026** : Commission 0")
    assert lines[1][1] == 1 and "juillet 2026" in lines[1][0]


def test_behind_tile_names_what_it_counts_and_changes_in_bodies() -> None:
    assert summary._bodies_delta(2) == "+2 instances" and summary._bodies_delta(0) == "±0 instance"
    text = summary.behind_help(["A", "B"], ["B", "C"], "par rapport aux 12 mois précédents")
    assert "au moins une période" in text and "nouvelles : A" in text and "de nouveau dans leur cadence : C" in text


def test_holidays_table_starts_with_the_period() -> None:
    assert schedule.holiday_window(date(2025, 11, 30), date(2027, 3, 1), TODAY) == (date(2025, 11, 30),
                                                                                     date(2027, 11, 29))
    assert schedule.holiday_window(date(2024, 1, 1), date(2024, 12, 31), TODAY) == (date(2024, 1, 1),
                                                                                     date(2024, 12, 31))


def test_an_ended_atelier_says_so_in_one_sentence(demo_conn) -> None:
    from analytics.screens import instances

    text = instances.outside_project(demo_conn, "atelier_velo", date(2025, 11, 30), TODAY)
    assert text is not None and "s'est terminé le 30 juin 2023" in text
    assert instances.outside_project(demo_conn, "atelier_velo", date(2021, 1, 1), TODAY) is None
    assert instances.outside_project(demo_conn, "conseil", date(2025, 11, 30), TODAY) is None


def test_a_saved_sitting_is_shown_as_recorded(monkeypatch: pytest.MonkeyPatch, demo_file: Path,
                                               tmp_path: Path) -> None:
    base = tmp_path / "saisie.duckdb"
    shutil.copy(demo_file, base)
    at = _open(monkeypatch, base)
    at.switch_page("pages/donnees/saisie.py").run()
    at.date_input[0].set_value(date(2026, 11, 28)).run()  # a Saturday: no sitting of the Conseil yet
    assert any(c.value.startswith("Nouvelle séance") for c in at.caption)
    next(b for b in at.button if b.label == "Enregistrer la séance").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("enregistrée" in s.value for s in at.success)
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Séance déjà enregistrée") for c in captions), captions
    assert not any(c.startswith("Nouvelle séance") for c in captions)


def test_the_meeting_form_corrects_a_sittings_format(monkeypatch: pytest.MonkeyPatch, demo_file: Path,
                                                     tmp_path: Path) -> None:
    # issue 17.10: the form starts from the stored format (not always « présentiel »), and a correction saves
    # without the false « enregistrée par quelqu'un d'autre »
    base = tmp_path / "correction.duckdb"
    shutil.copy(demo_file, base)
    conn = db.connect(base)
    conn.execute("UPDATE meetings SET format = 'video' WHERE body_code = 'conseil' AND meeting_date = '2026-09-21'")
    conn.close()
    at = _open(monkeypatch, base)
    at.switch_page("pages/donnees/saisie.py").run()
    at.date_input[0].set_value(date(2026, 9, 21)).run()
    fmt = next(s for s in at.selectbox if s.label == "Format")
    assert fmt.value == "video"
    assert next(s for s in at.selectbox if s.label == "Type").value == "ordinary"
    assert next(s for s in at.selectbox if s.label == "Statut de la séance").value == "held"
    fmt.set_value("mixed").run()
    next(b for b in at.button if b.label == "Enregistrer la séance").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert not any("quelqu'un d'autre" in w.value for w in at.warning)
    assert any(s.value.endswith("Séance corrigée (format : mixte).") for s in at.success), [s.value for s in at.success]
    assert next(s for s in at.selectbox if s.label == "Format").value == "mixed"
    # another sitting starts from its own stored format
    at.date_input[0].set_value(date(2026, 7, 20)).run()
    assert next(s for s in at.selectbox if s.label == "Format").value == "in_person"
    conn = db.connect(base)  # the configuration of the app's own connection, in this same process
    try:
        assert conn.execute("SELECT format FROM meetings WHERE body_code = 'conseil' AND meeting_date = '2026-09-21'"
                            ).fetchall() == [("mixed",)]
    finally:
        conn.close()


def test_a_cached_table_is_keyed_by_the_whole_content_of_its_frame(monkeypatch: pytest.MonkeyPatch) -> None:
    # issue 15: the tables and figures built from frames are cached by a digest of the pickled frame (cheaper than
    # Streamlit's own hash); a frame differing in one cell, one dtype, the index or a column name never gets
    # another frame's result, and an equal frame gets the cached one
    from analytics import screens
    from analytics.screens import escape_markdown, static_table
    from analytics.ui import widgets as ui

    calls = []

    def counted(*args: object) -> pd.DataFrame:
        calls.append(args)
        return static_table(*args)  # type: ignore[arg-type]

    counted.__module__, counted.__qualname__ = "analytics.screens", "static_table"  # what the cache resolves
    monkeypatch.setattr(screens, "static_table", counted)

    def shown_rates(*rates: float) -> list[str]:
        return [escape_markdown(percent(rate)) for rate in rates]  # st.table cells are markdown

    st.cache_data.clear()
    frame = pd.DataFrame({"Instance": ["Bureau", "Conseil"], "Présence": [0.5, 0.875]})
    shown = ui.derived(counted, frame, ("Présence",), ())
    assert shown["Présence"].tolist() == shown_rates(0.5, 0.875)
    changed = frame.copy()
    changed.loc[1, "Présence"] = 0.75
    assert ui.derived(counted, changed, ("Présence",), ())["Présence"].tolist() == shown_rates(0.5, 0.75)
    assert len(calls) == 2
    assert ui.derived(counted, frame.copy(), ("Présence",), ()).equals(shown)  # an equal frame: from the cache
    assert len(calls) == 2
    variants = [frame, changed, frame.astype({"Présence": "float32"}), frame.set_axis([1, 2]),
                frame.rename(columns={"Présence": "Participation"})]
    assert len({ui.content_digest(variant) for variant in variants}) == len(variants)
    assert ui.content_digest(frame) == ui.content_digest(frame.copy())


def test_the_filters_follow_to_the_next_page(monkeypatch: pytest.MonkeyPatch, demo_file: Path) -> None:
    at = _open(monkeypatch, demo_file)
    at.selectbox(key=filters.PERIOD_KEY).select("Année 2024").run()
    at.selectbox(key=filters.SECTOR_KEY).select("Nord").run()
    # the menu opens another page without the URL's parameters: the choice follows
    at.query_params.clear()
    at.switch_page(PAGES["elus"]).run()
    assert not at.exception, at.exception
    assert at.selectbox(key=filters.PERIOD_KEY).value == "Année 2024"
    assert at.selectbox(key=filters.SECTOR_KEY).value == "Nord"


def test_the_saisie_page_checks_the_same_files_once_per_data_version(monkeypatch: pytest.MonkeyPatch,
                                                                     demo_copy: Path) -> None:
    from analytics.ui import widgets

    monkeypatch.setenv("GOUVERNANCE_DB", str(demo_copy))
    checks: list[int] = []
    check = importer.check_sources

    def counted(conn, sources, today=None):  # type: ignore[no-untyped-def]
        checks.append(len(sources))
        return check(conn, sources, today)

    monkeypatch.setattr(importer, "check_sources", counted)
    sheet = [("p.csv", "instance;date;nom;prenom;commune;statut\nconseil;2026-11-30;INCONNU;Jean;Mulhouse;présent\n"
              .encode())]
    first = widgets.inspected(sheet, TODAY)[1:]
    assert widgets.inspected(sheet, TODAY)[1:] == first and len(checks) == 1  # a rerun: no check again
    assert [p.message[:17] for p in first[0]] == ["personne inconnue"]
    other = [("p.csv", sheet[0][1].replace(b"INCONNU", b"AUTRE"))]
    widgets.inspected(other, TODAY)
    assert len(checks) == 2  # other content: checked
    # the base changes (a sitting recorded): the same files are checked again against it
    conn = widgets.connection()
    importer.import_sources(conn, [("s.csv", b"instance;date;statut\nbureau;2026-11-30;annul\xc3\xa9e\n")],
                            today=TODAY)
    widgets.inspected(sheet, TODAY)
    assert len(checks) == 3
    assert widgets.inspected(sheet, TODAY)[0] == widgets.inspected(sheet, TODAY)[0] == templates.preview(*sheet[0])
