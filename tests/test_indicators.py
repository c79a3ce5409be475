"""The indicators JSON contract: exact keys, nine integer counts, null (never NaN) rates, and the CLI around it.

Expected values are read from the attendance grid in the docstring of tests/fixture_db.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from analytics.outputs import indicators
from analytics.rules import alerts
from analytics.store import reference
from tests import fixture_db

D = date.fromisoformat
ROOT = Path(__file__).resolve().parent.parent
COUNT_KEYS = {"convened", "recorded", "present", "remote", "excused", "absent", "proxy", "substituted",
              "not_recorded"}
TOP_KEYS = {"from", "to", "as_of", "bodies", "people", "communes", "sectors", "quorum", "alerts"}
BODY_KEYS = {"code", "name", "meetings", "counts", "presence_rate", "participation_rate", "completeness", "cadence"}
CADENCE_KEYS = {"rule", "periods", "periods_met", "compliance", "longest_gap_days", "next_due", "periods_detail"}
PERIOD_KEYS = {"start", "end", "held", "required", "status"}
PERSON_KEYS = {"name", "commune", "counts", "presence_rate", "participation_rate"}
COMMUNE_KEYS = {"insee", "name", "sector", "counts", "presence_rate", "participation_rate"}
SECTOR_KEYS = {"sector", "counts", "presence_rate", "participation_rate"}
QUORUM_KEYS = {"body", "date", "in_office", "present", "required", "reached", "exempt", "items", "lost_at"}
ITEM_KEYS = {"item", "title", "present", "required", "reached"}
ALERT_KEYS = {"kind", "body", "person", "date", "message"}
# the 2024 fixture judged mid-year
ARGS = (D("2024-01-01"), D("2024-12-31"), D("2024-07-15"))


@pytest.fixture
def result(conn: duckdb.DuckDBPyConnection) -> dict:
    fixture_db.build(conn)
    return indicators.compute(conn, *ARGS)


def by(items: list[dict], key: str) -> dict:
    return {item[key]: item for item in items}


def test_key_sets_are_exact(result):
    assert set(result) == TOP_KEYS
    assert (result["from"], result["to"], result["as_of"]) == ("2024-01-01", "2024-12-31", "2024-07-15")
    for body in result["bodies"]:
        assert set(body) == BODY_KEYS
        assert set(body["meetings"]) == {"held", "cancelled", "planned"}
        assert set(body["cadence"]) == CADENCE_KEYS
        for period in body["cadence"]["periods_detail"]:
            assert set(period) == PERIOD_KEYS
    for key, expected in (("people", PERSON_KEYS), ("communes", COMMUNE_KEYS), ("sectors", SECTOR_KEYS),
                          ("quorum", QUORUM_KEYS), ("alerts", ALERT_KEYS)):
        assert result[key], key
        for item in result[key]:
            assert set(item) == expected, key


def test_counts_hold_nine_integers_everywhere(result):
    for key in ("bodies", "people", "communes", "sectors"):
        for item in result[key]:
            assert set(item["counts"]) == COUNT_KEYS
            assert all(type(value) is int for value in item["counts"].values())


def test_plain_json_without_nan(result):
    # allow_nan=False raises on NaN or infinity: rates must be floats or null
    text = json.dumps(result, ensure_ascii=False, allow_nan=False)
    assert json.loads(text) == result


def test_every_body_of_the_catalogue_is_listed(result):
    assert [body["code"] for body in result["bodies"]] == [body.code for body in reference.bodies()]
    idle = by(result["bodies"], "code")["direction"]
    # nothing happened: zero counts, null rates, but the cadence is still judged (6 months over, all missed)
    assert idle["counts"] == dict.fromkeys(COUNT_KEYS, 0)
    assert (idle["presence_rate"], idle["participation_rate"], idle["completeness"]) == (None, None, None)
    assert idle["meetings"] == {"held": 0, "cancelled": 0, "planned": 0}
    assert (idle["cadence"]["periods"], idle["cadence"]["periods_met"], idle["cadence"]["compliance"]) == (12, 0, 0.0)


def test_conseil_values(result):
    conseil = by(result["bodies"], "code")["conseil"]
    assert conseil["meetings"] == {"held": 4, "cancelled": 1, "planned": 1}
    # convened: C1 5 (DUPONT, MARTIN, BERNARD, PETIT, LEROY), C2 5, C3 5, C4 4 (BERNARD's term is over) = 19
    # not recorded: LEROY at C1, C3, C4 = 3; present: C1 1, C2 4, C3 1, C4 1 = 7; remote: PETIT at C1
    # absent: BERNARD C1, C3, MARTIN and PETIT C4 = 4; proxies: MARTIN C1, C3, PETIT C3 = 3; substituted: C2 PETIT
    # convened: C1 4, C2 5 (LEROY sits for PETIT, the only sitting where the substitute is convened), C3 4,
    # C4 3 (BERNARD's membership is over): 16, all recorded
    assert conseil["counts"] == {"convened": 16, "recorded": 16, "present": 7, "remote": 1, "excused": 0,
                                 "absent": 4, "proxy": 3, "substituted": 1, "not_recorded": 0}
    assert conseil["presence_rate"] == pytest.approx(8 / 16)
    assert conseil["participation_rate"] == pytest.approx(12 / 16)
    assert conseil["completeness"] == pytest.approx(16 / 16)
    cadence = conseil["cadence"]
    # rolling windows ending Jan–Dec 2024; the recorded history starts on 1 January 2024 (B1), so every window but
    # Jan–Dec 2024 reaches back before it and, with at most 4 held, is not judged: nothing judged yet → no compliance
    assert (cadence["rule"], cadence["periods"], cadence["periods_met"], cadence["compliance"]) == (
        "avg_every_months", 12, 0, None)
    # 15 Jan → 29 Feb = 45 days, 29 Feb → 10 Apr = 41, 10 → 15 Apr = 5
    assert cadence["longest_gap_days"] == 45
    # the first window wholly inside the history, Jan–Dec 2024, is the next one due
    assert cadence["next_due"] == "2024-12-31"
    assert cadence["periods_detail"][0] == {"start": "2023-02-01", "end": "2024-01-31", "held": 1, "required": 6,
                                            "status": "not_judged"}


def test_on_demand_body_has_null_compliance_and_due_date(result):
    cadence = by(result["bodies"], "code")["coordination_mulhouse"]["cadence"]
    assert (cadence["rule"], cadence["compliance"], cadence["next_due"], cadence["longest_gap_days"]) == (
        "on_demand", None, None, None)
    assert cadence["periods_detail"] == [{"start": "2024-01-01", "end": "2024-12-31", "held": 0, "required": None,
                                          "status": "no_rule"}]


def test_people_communes_sectors(result):
    people = by(result["people"], "name")
    # everyone convened in 2024 appears, nobody else
    assert set(people) == {"DUPONT Anne", "MARTIN Luc", "BERNARD Marie", "PETIT Paul", "ROUX Claire", "LEROY Jean",
                           "ÉTIENNE Zoé"}
    assert people["ROUX Claire"]["commune"] is None
    assert people["DUPONT Anne"]["commune"] == "68224"
    # ÉTIENNE: convened to F1 and F2, never recorded → null rates, not zero
    etienne = people["ÉTIENNE Zoé"]
    assert etienne["counts"]["convened"] == 2 and etienne["counts"]["not_recorded"] == 2
    assert (etienne["presence_rate"], etienne["participation_rate"]) == (None, None)
    communes = by(result["communes"], "insee")
    assert set(communes) == {"68224", "68166", "68376", "68278"}
    assert (communes["68376"]["name"], communes["68376"]["sector"]) == ("Wittenheim", "Nord")
    assert {s["sector"] for s in result["sectors"]} <= {"Centre", "Nord", "Sud", None}


def test_quorum_entries(result):
    # C1: DUPONT in the room, PETIT by video at an in-person sitting (not counted): 1 of 4 (3 required);
    # C2: DUPONT, MARTIN, BERNARD and PETIT's seat held by his substitute LEROY: 4 → reached; C3: 1;
    # C4 reconvened 5 days after the failed C3: 3 in office, 1 present, exempt
    # (issue 12) no sitting of the fixture has an agenda: no items, nothing lost
    assert result["quorum"] == [
        {"body": "conseil", "date": "2024-01-15", "in_office": 4, "present": 1, "required": 3, "reached": False,
         "exempt": False, "items": [], "lost_at": None},
        {"body": "conseil", "date": "2024-02-29", "in_office": 4, "present": 4, "required": 3, "reached": True,
         "exempt": False, "items": [], "lost_at": None},
        {"body": "conseil", "date": "2024-04-10", "in_office": 4, "present": 1, "required": 3, "reached": False,
         "exempt": False, "items": [], "lost_at": None},
        {"body": "conseil", "date": "2024-04-15", "in_office": 3, "present": 1, "required": 2, "reached": False,
         "exempt": True, "items": [], "lost_at": None},
    ]


def test_alerts_match_the_alerts_module(conn):
    fixture_db.build(conn)
    result = indicators.compute(conn, *ARGS)
    frame = alerts.compute(conn, *ARGS)
    assert [a["kind"] for a in result["alerts"]] == frame["kind"].tolist()
    assert [a["message"] for a in result["alerts"]] == frame["message"].tolist()
    proxy = next(a for a in result["alerts"] if a["kind"] == "proxy_limit")
    assert proxy == {"kind": "proxy_limit", "body": "conseil", "person": "DUPONT Anne", "date": "2024-04-10",
                     "message": proxy["message"]}


def test_body_with_convocations_but_no_sheet_has_null_rates(conn):
    # one member convened to one held Réunion de direction, no attendance row: recorded 0
    cur = conn.cursor()
    cur.execute("INSERT INTO persons (person_id, last_name, first_name, match_key) VALUES (100, 'Nom', 'Zoé', 'k')")
    cur.execute("INSERT INTO memberships (person_id, body_code, role, start_date) "
                "VALUES (100, 'direction', 'vice_president', DATE '2024-01-01')")
    cur.execute("INSERT INTO meetings (meeting_id, body_code, meeting_date)"
                " VALUES (100, 'direction', DATE '2024-03-05')")
    result = indicators.compute(conn, *ARGS)
    direction = by(result["bodies"], "code")["direction"]
    assert direction["counts"]["convened"] == 1 and direction["counts"]["not_recorded"] == 1
    assert (direction["presence_rate"], direction["participation_rate"]) == (None, None)
    assert direction["completeness"] == 0.0  # 0 recorded / 1 convened
    json.dumps(result, allow_nan=False)


# --- the command line ------------------------------------------------------------------------------------------

def _run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("GOUVERNANCE_DB", None)
    return subprocess.run([sys.executable, "-m", "analytics", "indicators", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def fixture_file(conn: duckdb.DuckDBPyConnection, db_file: Path) -> Path:
    fixture_db.build(conn)
    conn.close()  # release the write lock for the subprocess
    return db_file


@pytest.mark.skipif(not (ROOT / "analytics" / "cli.py").exists(), reason="analytics/cli.py is not written yet")
def test_cli_json_is_the_computed_object(fixture_file):
    done = _run("--json", "--db", str(fixture_file), "--from", "2024-01-01", "--to", "2024-12-31",
                "--as-of", "2024-07-15")
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)  # exactly one JSON object on stdout
    with duckdb.connect(str(fixture_file), read_only=True) as conn:
        assert printed == indicators.compute(conn, *ARGS)
    assert "ÉTIENNE Zoé" in done.stdout  # ensure_ascii=False


@pytest.mark.skipif(not (ROOT / "analytics" / "cli.py").exists(), reason="analytics/cli.py is not written yet")
def test_cli_default_range_is_the_rolling_12_months(fixture_file):
    done = _run("--json", "--db", str(fixture_file), "--as-of", "2024-07-15")
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    # --to defaults to --as-of, --from to the day after the same date a year earlier
    assert (printed["from"], printed["to"], printed["as_of"]) == ("2023-07-16", "2024-07-15", "2024-07-15")


@pytest.mark.skipif(not (ROOT / "analytics" / "cli.py").exists(), reason="analytics/cli.py is not written yet")
def test_cli_text_summary(fixture_file):
    done = _run("--db", str(fixture_file), "--from", "2024-01-01", "--to", "2024-12-31", "--as-of", "2024-07-15")
    assert done.returncode == 0, done.stderr
    assert ("Conseil d'Agglomération [en moyenne une séance tous les 2 mois, soit 6 sur 12 mois glissants] : "
            "4 séances tenues") in done.stdout
    assert "présence 50,0\u00a0%" in done.stdout  # the Conseil: 8 / 16
    assert "Alertes (" in done.stdout and "CGCT L2121-20" in done.stdout


@pytest.mark.skipif(not (ROOT / "analytics" / "cli.py").exists(), reason="analytics/cli.py is not written yet")
def test_cli_missing_database(tmp_path):
    done = _run("--json", "--db", str(tmp_path / "absent.duckdb"))
    assert done.returncode == 1
    assert done.stdout == ""
    assert "n'existe pas" in done.stderr


def test_quorum_entries_give_each_point_and_where_it_was_lost(conn):
    # (issue 12) C2 gets the agenda 1, 2, 10; MARTIN and BERNARD leave after point 1 (their rows bounded, their
    # sitting-level status still present): point 1 = the opening, DUPONT, MARTIN, BERNARD and PETIT's seat held by
    # his substitute = 4; points 2 and 10: DUPONT and PETIT's seat = 2, under the 3 required
    fixture_db.build(conn)
    cur = conn.cursor()
    for position, item in enumerate(["1", "2", "10"], start=1):
        cur.execute("INSERT INTO agenda_items VALUES (2, ?, ?, ?)", [position, item, f"Délibération {item}"])
    for person_id in (2, 3):
        cur.execute("INSERT INTO attendance_spans VALUES (2, ?, 1, NULL, '1', 'present', NULL)", [person_id])
    result = indicators.compute(conn, *ARGS)
    c2 = next(q for q in result["quorum"] if q["date"] == "2024-02-29")
    assert (c2["present"], c2["required"], c2["reached"], c2["lost_at"]) == (4, 3, True, "2")
    assert c2["items"] == [
        {"item": "1", "title": "Délibération 1", "present": 4, "required": 3, "reached": True},
        {"item": "2", "title": "Délibération 2", "present": 2, "required": 3, "reached": False},
        {"item": "10", "title": "Délibération 10", "present": 2, "required": 3, "reached": False},
    ]
    for item in c2["items"]:
        assert set(item) == ITEM_KEYS
    # the sittings without agenda: no items, nothing lost
    assert all(q["items"] == [] and q["lost_at"] is None for q in result["quorum"] if q["date"] != "2024-02-29")
    lost = [a for a in result["alerts"] if a["kind"] == "quorum_lost"]
    assert [(a["body"], a["date"]) for a in lost] == [("conseil", "2024-02-29")]
    assert "quorum perdu au point 2 (2 membres présents sur 4 en exercice, 3 requis" in lost[0]["message"]
    assert "non retrouvé jusqu'à la fin de la séance (2 points sans quorum)" in lost[0]["message"]
    json.dumps(result, ensure_ascii=False, allow_nan=False)
