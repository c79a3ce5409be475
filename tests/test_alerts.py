"""Alerts: each kind appears when it should and not when it should not.

Most tests use the 2024 fixture of tests/fixture_db.py (its docstring has the attendance grid the hand counts
below read from); the cadence and request tests add their own meetings. Ids from 100 avoid the fixture's
explicit ids.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest

from analytics.rules import alerts
from tests import fixture_db

D = date.fromisoformat
YEAR = (D("2024-01-01"), D("2024-12-31"))


@pytest.fixture
def fixture(conn: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    fixture_db.build(conn)
    return conn


def add_meeting(conn: duckdb.DuckDBPyConnection, meeting_id: int, body: str, day: str, status: str = "held",
                meeting_type: str = "ordinary", requesters: int | None = None) -> None:
    conn.cursor().execute(
        "INSERT INTO meetings (meeting_id, body_code, meeting_date, status, meeting_type, requesters)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [meeting_id, body, D(day), status, meeting_type, requesters],
    )


def of_kind(frame: pd.DataFrame, kind: str, body: str | None = None) -> pd.DataFrame:
    part = frame[frame["kind"] == kind]
    return part if body is None else part[part["body_code"] == body]


def dates(frame: pd.DataFrame) -> list[str]:
    return [d.date().isoformat() for d in frame["date"]]


# --- shape and order ---------------------------------------------------------------------------------------------

def test_columns_kinds_and_order(fixture):
    frame = alerts.compute(fixture, *YEAR, as_of=D("2025-01-15"))
    assert list(frame.columns) == alerts.COLUMNS
    assert set(frame["kind"]) <= set(alerts.KINDS)
    assert frame["severity"].tolist() == [alerts.SEVERITY[kind] for kind in frame["kind"]]
    # most serious first, then the most recent date first within a severity
    keys = list(zip(frame["severity"], -frame["date"].astype("int64")))
    assert keys == sorted(keys)
    assert frame["message"].str.len().min() > 20
    # no alert about nobody carries NaN: person is None
    assert all(p is None for p in frame.loc[frame["person_id"].isna(), "person"])


def test_severity_order_is_the_documented_one():
    # quorum_lost (issue 12) and convocation_late (issue 14) are legal: they come before the charter's cadence
    assert alerts.KINDS == (
        "legal_floor_missed", "quorum_not_reached", "quorum_lost", "proxy_limit", "request_rule",
        "convocation_late", "cadence_missed", "consecutive_absences", "low_attendance", "cadence_at_risk",
        "sheet_missing")
    assert alerts.SEVERITY["legal_floor_missed"] == 1 and alerts.SEVERITY["sheet_missing"] == 11


# --- legal floor -----------------------------------------------------------------------------------------------

def test_legal_floor_missed(fixture):
    # Conseil held C1 (15 Jan), C2 (29 Feb), C3 (10 Apr), C4 (15 Apr); C5 cancelled in May, C6 planned in Dec:
    # Q1 and Q2 are met, Q3 and Q4 have no held sitting
    frame = of_kind(alerts.compute(fixture, *YEAR, as_of=D("2025-01-15")), "legal_floor_missed")
    assert dates(frame) == ["2024-12-31", "2024-09-30"]
    assert frame["message"].iloc[1] == (
        "Conseil d'Agglomération : aucune séance au 3e trimestre 2024 "
        "(plancher légal : une par trimestre, CGCT L5211-11).")
    assert set(frame["body_code"]) == {"conseil"} and frame["person"].isna().all()


def test_legal_floor_not_missed_while_the_quarter_runs(fixture):
    # on 15 July 2024 the third quarter is still in progress, Q1 and Q2 are met
    frame = alerts.compute(fixture, *YEAR, as_of=D("2024-07-15"))
    assert of_kind(frame, "legal_floor_missed").empty


# --- quorum and proxies ----------------------------------------------------------------------------------------------

def test_quorum_not_reached(fixture):
    frame = of_kind(alerts.compute(fixture, *YEAR, as_of=D("2025-01-15")), "quorum_not_reached")
    # in office: DUPONT, MARTIN, BERNARD, PETIT (LEROY is a substitute, not a member): 4, required 4 // 2 + 1 = 3
    # C1 (in person): DUPONT present = 1, PETIT by video does not count at an in-person sitting → alert;
    # C2: DUPONT, MARTIN, BERNARD + PETIT's seat held by LEROY = 4 → reached, no alert
    # C3: DUPONT only = 1 → alert; C4 (reconvened 5 days after C3 failed): 1 present but exempt → no alert
    assert dates(frame) == ["2024-04-10", "2024-01-15"]
    assert "(1 membre présent sur 4 en exercice, 3 requis" in frame["message"].iloc[1]
    assert "(1 membre présent sur 4 en exercice, 3 requis" in frame["message"].iloc[0]
    assert "CGCT L2121-17" in frame["message"].iloc[0]


def test_proxy_limit(fixture):
    frame = of_kind(alerts.compute(fixture, *YEAR, as_of=D("2025-01-15")), "proxy_limit")
    # C3: MARTIN and PETIT both gave their proxy to DUPONT → 2 proxies; C1: only MARTIN's → fine
    assert dates(frame) == ["2024-04-10"]
    row = frame.iloc[0]
    assert (row["person"], int(row["person_id"]), row["body_code"]) == ("DUPONT Anne", 1, "conseil")
    assert "DUPONT Anne détient 2 pouvoirs" in row["message"] and "CGCT L2121-20" in row["message"]


# --- requested conférences des maires --------------------------------------------------------------------------------

def test_request_rule(conn):
    add_meeting(conn, 100, "conf_maires", "2025-01-10", meeting_type="requested", requesters=12)  # below ⅓ → alert
    add_meeting(conn, 101, "conf_maires", "2025-02-10", meeting_type="requested", requesters=13)  # 13 = ⅓ → fine
    add_meeting(conn, 102, "conf_maires", "2025-03-10", "cancelled", "requested", 5)            # cancelled → none
    add_meeting(conn, 103, "conf_maires", "2025-04-10", meeting_type="requested", requesters=20)  # 3rd
    add_meeting(conn, 104, "conf_maires", "2025-05-10", meeting_type="requested", requesters=13)  # 4th
    add_meeting(conn, 105, "conf_maires", "2025-06-10", meeting_type="requested", requesters=14)  # 5th → alert
    frame = of_kind(alerts.compute(conn, D("2025-01-01"), D("2025-12-31"), as_of=D("2025-07-01")), "request_rule")
    assert dates(frame) == ["2025-06-10", "2025-01-10"]
    assert frame["message"].iloc[1] == (
        "Conférence des maires du 10 janvier 2025, convoquée à la demande de 12 maires : il faut la demande d'au "
        "moins un tiers des maires, soit 13 sur 39 (CGCT L5211-11-3).")
    assert "5e réunion à la demande des maires en 2025, au-delà des 4 permises par an" in frame["message"].iloc[0]


def test_no_request_rule_for_ordinary_conferences(conn):
    add_meeting(conn, 100, "conf_maires", "2025-01-10")
    frame = alerts.compute(conn, D("2025-01-01"), D("2025-12-31"), as_of=D("2025-07-01"))
    assert of_kind(frame, "request_rule").empty


# --- cadence -----------------------------------------------------------------------------------------------------

def test_cadence_missed_and_at_risk(conn):
    add_meeting(conn, 100, "direction", "2025-04-10")
    add_meeting(conn, 101, "direction", "2025-05-20", "cancelled")
    frame = alerts.compute(conn, D("2025-04-01"), D("2025-06-30"), as_of=D("2025-06-20"))
    # April held; May only cancelled → missed; June not met with 30 − 20 = 10 days left → at risk
    assert dates(of_kind(frame, "cadence_missed", "direction")) == ["2025-05-31"]
    assert of_kind(frame, "cadence_missed", "direction")["message"].iloc[0] == (
        "Réunion de direction : aucune séance tenue en mai 2025 (règle : au moins une séance par mois).")
    risk = of_kind(frame, "cadence_at_risk", "direction")
    assert dates(risk) == ["2025-06-30"]
    assert "échéance le 30 juin 2025, dans 10 jours" in risk["message"].iloc[0]


def test_cadence_not_at_risk_with_more_than_15_days_left(conn):
    add_meeting(conn, 100, "direction", "2025-04-10")
    frame = alerts.compute(conn, D("2025-04-01"), D("2025-06-30"), as_of=D("2025-06-14"))
    # 30 − 14 = 16 days left: not yet at risk
    assert of_kind(frame, "cadence_at_risk", "direction").empty
    # exactly 15 days left: at risk
    frame = alerts.compute(conn, D("2025-04-01"), D("2025-06-30"), as_of=D("2025-06-15"))
    assert dates(of_kind(frame, "cadence_at_risk", "direction")) == ["2025-06-30"]


def test_no_cadence_alert_for_a_body_that_keeps_its_rule(conn):
    for meeting_id, day in enumerate(("2025-04-10", "2025-05-31", "2025-06-02"), start=100):
        add_meeting(conn, meeting_id, "direction", day)
    frame = alerts.compute(conn, D("2025-04-01"), D("2025-06-30"), as_of=D("2025-06-20"))
    assert frame[frame["body_code"] == "direction"].empty


def test_rolling_cadence_message(conn):
    # a sitting of another body in May 2024 starts the recorded history then, so that the window below is judged
    add_meeting(conn, 99, "direction", "2024-05-02")
    for meeting_id, day in enumerate(("2024-07-10", "2024-09-10", "2024-11-10", "2025-01-10"), start=100):
        add_meeting(conn, meeting_id, "bureau", day)
    frame = of_kind(alerts.compute(conn, D("2025-04-01"), D("2025-04-30"), as_of=D("2025-06-01")),
                    "cadence_missed", "bureau")
    # May 2024 – April 2025 holds 4 sittings, 12 // 2 = 6 required
    assert frame["message"].tolist() == [
        ("Bureau : 4 séances tenues de mai 2024 à avril 2025 (12 mois glissants) pour 6 requises "
        "(règle : en moyenne une séance tous les 2 mois, soit 6 sur 12 mois glissants).")]


def test_rolling_window_before_the_history_raises_nothing(conn):
    # without the earlier sitting, the history begins in July 2024: May 2024 – April 2025 is not judged
    for meeting_id, day in enumerate(("2024-07-10", "2024-09-10", "2024-11-10", "2025-01-10"), start=100):
        add_meeting(conn, meeting_id, "bureau", day)
    frame = alerts.compute(conn, D("2025-04-01"), D("2025-04-30"), as_of=D("2025-06-01"))
    assert of_kind(frame, "cadence_missed", "bureau").empty


def test_consecutive_missed_months_of_a_rolling_rule_raise_one_alert(conn):
    # Bureau, 6 sittings required in every 12 rolling months:
    for meeting_id, day in enumerate(("2024-02-10", "2024-03-10", "2024-05-10", "2024-07-10", "2024-09-10",
                                      "2024-11-10", "2025-01-10", "2025-06-05", "2025-06-20"), start=100):
        add_meeting(conn, meeting_id, "bureau", day)
    frame = of_kind(alerts.compute(conn, D("2025-02-01"), D("2025-06-30"), as_of=D("2025-07-15")),
                    "cadence_missed", "bureau")
    # window ending Feb 2025 (Mar 2024 – Feb 2025): Mar, May, Jul, Sep, Nov, Jan = 6 → met
    #               Mar 2025 (Apr 2024 – Mar 2025): May, Jul, Sep, Nov, Jan = 5 → missed
    #               Apr 2025 (May 2024 – Apr 2025): the same 5 → missed
    #               May 2025 (Jun 2024 – May 2025): Jul, Sep, Nov, Jan = 4 → missed
    #               Jun 2025 (Jul 2024 – Jun 2025): Jul, Sep, Nov, Jan + 5 and 20 June = 6 → met
    # three consecutive missed months: one alert, dated by the end of the last one
    assert dates(frame) == ["2025-05-31"]
    assert frame["message"].tolist() == [
        ("Bureau : de mars 2025 à mai 2025, 3 mois de suite sous la cadence : entre 4 et 5 séances tenues selon le "
        "mois sur les 12 mois glissants se terminant chacun de ces mois, pour 6 requises "
        "(règle : en moyenne une séance tous les 2 mois, soit 6 sur 12 mois glissants).")]


def test_two_runs_of_missed_months_raise_two_alerts(conn):
    add_meeting(conn, 99, "direction", "2023-01-05")  # the history begins in January 2023
    # no Bureau sitting at all: every window of 2024 is missed, one run; then a met window cuts a second run
    frame = of_kind(alerts.compute(conn, D("2024-01-01"), D("2024-03-31"), as_of=D("2024-06-30")),
                    "cadence_missed", "bureau")
    assert dates(frame) == ["2024-03-31"]
    assert frame["message"].iloc[0].startswith(
        "Bureau : de janvier 2024 à mars 2024, 3 mois de suite sous la cadence : aucune séance tenue sur les 12 mois "
        "glissants")
    for meeting_id, day in enumerate(["2023-09-05", "2023-10-05", "2023-11-05", "2023-12-05", "2024-01-05",
                                      "2024-02-05"], start=100):
        add_meeting(conn, meeting_id, "bureau", day)
    # windows ending Jan 2024 (5 sittings), Feb 2024 (6: met), Mar 2024 (6: met)… ending Jan is missed alone,
    # then everything is met up to the window ending Aug 2024 (Sep 2023 – Aug 2024: 6) and September misses
    frame = of_kind(alerts.compute(conn, D("2024-01-01"), D("2024-10-31"), as_of=D("2024-12-31")),
                    "cadence_missed", "bureau")
    assert dates(frame) == ["2024-10-31", "2024-01-31"]
    assert frame["message"].iloc[1] == (
        "Bureau : 5 séances tenues de février 2023 à janvier 2024 (12 mois glissants) pour 6 requises "
        "(règle : en moyenne une séance tous les 2 mois, soit 6 sur 12 mois glissants).")
    assert frame["message"].iloc[0].startswith("Bureau : de septembre 2024 à octobre 2024, 2 mois de suite")


def test_no_cadence_alert_in_a_paused_month(conn):
    # the réunion de direction pauses in August (catalogue): no sitting then is no failure
    add_meeting(conn, 100, "direction", "2025-07-03")
    add_meeting(conn, 101, "direction", "2025-09-04")
    frame = alerts.compute(conn, D("2025-07-01"), D("2025-09-30"), as_of=D("2025-10-15"))
    assert frame[frame["body_code"] == "direction"].empty


def test_alternation_clash_message(conn):
    add_meeting(conn, 100, "conf_maires", "2025-02-11")
    add_meeting(conn, 101, "conf_nord", "2025-02-25")  # the plenary's month: does not count
    add_meeting(conn, 102, "conf_centre", "2025-01-21")
    frame = alerts.compute(conn, D("2025-01-01"), D("2025-02-28"), as_of=D("2025-03-15"))
    assert of_kind(frame, "cadence_missed", "conf_centre").empty and of_kind(frame, "cadence_missed",
                                                                             "conf_maires").empty
    nord = of_kind(frame, "cadence_missed", "conf_nord")
    assert dates(nord) == ["2025-02-28"]
    assert nord["message"].tolist() == [
        ("Conférence territoriale des maires – Nord : aucune séance tenue en janvier–février 2025 hors des mois de "
        "réunion de la Conférence des maires ; la séance tenue le même mois que celle-ci ne compte pas, "
        "l'alternance l'exclut (règle : au moins une séance tous les deux mois, la conférence plénière et la "
        "conférence territoriale d'un secteur ne se réunissant jamais le même mois).")]
    # the Sud conference did not meet at all: the plain message
    assert of_kind(frame, "cadence_missed", "conf_sud")["message"].iloc[0].startswith(
        "Conférence territoriale des maires – Sud : aucune séance tenue en janvier–février 2025 (règle :")


# --- attendance ------------------------------------------------------------------------------------------------------

def test_consecutive_absences(fixture):
    frame = of_kind(alerts.compute(fixture, *YEAR, as_of=D("2025-01-15")), "consecutive_absences")
    # DUPONT at the Bureau: B2 absent, B3 absent, B4 no row (not recorded: skipped), B5 absent → alert on B5
    # MARTIN at the Bureau: absent, absent, EXCUSED, absent, absent → interrupted by the excused one: no alert
    assert frame[["person", "body_code"]].values.tolist() == [["DUPONT Anne", "bureau"]]
    assert dates(frame) == ["2024-05-06"]
    message = frame["message"].iloc[0]
    assert "3 absences non excusées consécutives depuis le 5 février 2024" in message
    # an alert, never a legal finding: L2541-10 concerns municipal councils, not the EPCI
    assert "non un constat juridique" in message and "conseils municipaux" in message
    assert "démission" not in message


def test_low_attendance(fixture):
    frame = of_kind(alerts.compute(fixture, *YEAR, as_of=D("2024-07-15")), "low_attendance")
    # 12 months to 15 July 2024, required 75 % at the Conseil and the Bureau:
    #   Bureau  DUPONT 3 present / 6 recorded = 50 %    MARTIN 1 / 6 = 16.7 %    PETIT 6 / 7 = 85.7 % (fine)
    #   Conseil MARTIN 1 / 4 = 25 %    PETIT 1 (remote) / 4 = 25 %    DUPONT 4 / 4 (fine)
    #           BERNARD 1 / 3: fewer than 4 recorded, not judged;  LEROY 1 recorded, not judged
    assert sorted(frame[["person", "body_code"]].itertuples(index=False, name=None)) == [
        ("DUPONT Anne", "bureau"), ("MARTIN Luc", "bureau"), ("MARTIN Luc", "conseil"), ("PETIT Paul", "conseil")]
    assert set(dates(frame)) == {"2024-07-15"}
    dupont = frame[frame["person"] == "DUPONT Anne"]["message"].iloc[0]
    assert dupont == ("Bureau — DUPONT Anne : présence de 50,0\u00a0% sur les 12 derniers mois "
                      "(6 convocations renseignées), sous le taux attendu de 75,0\u00a0%.")


def test_sheet_missing(fixture):
    frame = of_kind(alerts.compute(fixture, *YEAR, as_of=D("2025-01-15")), "sheet_missing")
    # DUPONT has no row at B4; MARTIN explicit not_recorded at B7; ÉTIENNE none at F1; nobody at F2. LEROY, a
    # substitute, is convened only to C2 where he sits for PETIT (DESIGN.md §3, issue 11): his missing rows at C1,
    # C3 and C4 are no missing sheet. C1–C4, B1–B3, B5, B6 are complete.
    assert dates(frame) == ["2024-07-01", "2024-06-14", "2024-04-08", "2024-03-15"]
    messages = dict(zip(dates(frame), frame["message"]))
    assert messages["2024-06-14"] == (
        "Forum m2A, séance du 14 juin 2024 : feuille d'émargement non saisie (3 convoqués).")
    assert messages["2024-04-08"] == (
        "Bureau, séance du 8 avril 2024 : présence non renseignée pour 1 des 3 convoqués.")


def test_empty_database_has_only_cadence_alerts(conn):
    frame = alerts.compute(conn, D("2025-01-01"), D("2025-03-31"), as_of=D("2025-06-30"))
    # nothing happened: every rule with a period over is missed, and nothing else can be reported
    assert set(frame["kind"]) == {"cadence_missed", "legal_floor_missed"}
