"""The demo mandate: deterministic, realistic, fictitious, and imported through the ordinary path."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from analytics.ingest import demo
from analytics.rules import seats
from analytics.store import db
from analytics.store.reference import communes_frame
from tests.support import snapshot

TODAY = date(2026, 11, 29)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    conn = db.connect(tmp_path_factory.mktemp("demo") / "demo.duckdb")
    demo.build(conn, seed=2020, today=TODAY)
    yield conn
    conn.close()


def _without_log(conn: duckdb.DuckDBPyConnection) -> dict:
    state = snapshot(conn)
    del state["import_log"]  # holds the time of the import
    return state


def test_same_seed_same_database(demo_db: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    again = db.connect(tmp_path / "again.duckdb")
    demo.build(again, seed=2020, today=TODAY)
    assert _without_log(again) == _without_log(demo_db)
    other = db.connect(tmp_path / "other.duckdb")
    demo.build(other, seed=7, today=TODAY)
    assert _without_log(other) != _without_log(demo_db)


def test_demo_goes_through_the_import(demo_db: duckdb.DuckDBPyConnection) -> None:
    assert demo_db.execute("SELECT source, file_names FROM import_log").fetchall() == [
        ("demo", "membres.csv, seances.csv, ordre_du_jour.csv, presences.csv, reponses.csv")
    ]


@pytest.mark.parametrize("day, vintage", [(date(2022, 1, 10), "population_2019"), (TODAY, "population_2025")])
def test_conseil_follows_the_droit_commun(demo_db: duckdb.DuckDBPyConnection, day: date, vintage: str) -> None:
    communes = communes_frame()
    expected = seats.allocate([seats.CommunePopulation(r.insee, r.name, int(getattr(r, vintage)), int(r.council_size))
                               for r in communes.itertuples()]).seats
    rows = demo_db.execute("""
        SELECT p.commune_insee, count(*) FROM memberships m JOIN persons p USING (person_id)
        WHERE m.body_code = 'conseil' AND m.role <> 'substitute'
          AND m.start_date <= $day AND (m.end_date IS NULL OR $day <= m.end_date)
        GROUP BY 1""", {"day": day}).fetchall()
    assert dict(rows) == {insee: n for insee, n in expected.items()}
    substitutes = demo_db.execute("""
        SELECT p.commune_insee FROM memberships m JOIN persons p USING (person_id)
        WHERE m.body_code = 'conseil' AND m.role = 'substitute'
          AND m.start_date <= $day AND (m.end_date IS NULL OR $day <= m.end_date)""", {"day": day}).fetchall()
    assert sorted(r[0] for r in substitutes) == sorted(i for i, n in expected.items() if n == 1)


def test_executive(demo_db: duckdb.DuckDBPyConnection) -> None:
    roles = Counter(r[0] for r in demo_db.execute("""
        SELECT role FROM memberships WHERE body_code = 'conseil' AND start_date <= DATE '2026-11-29'
          AND (end_date IS NULL OR end_date >= DATE '2026-11-29')""").fetchall())
    assert roles["president"] == 1 and roles["vice_president"] == 15
    ranks = demo_db.execute("SELECT list(rank ORDER BY rank) FROM memberships WHERE body_code = 'conseil' "
                            "AND role = 'vice_president' AND end_date IS NULL").fetchall()[0][0]
    assert ranks == list(range(1, 16))


def test_realistic_deviations(demo_db: duckdb.DuckDBPyConnection) -> None:
    one = lambda sql: demo_db.execute(sql).fetchall()  # noqa: E731
    assert one("SELECT requesters FROM meetings WHERE meeting_type = 'requested' ORDER BY 1") == [(13,), (15,)]
    assert one("SELECT meeting_date::VARCHAR FROM meetings WHERE meeting_type = 'reconvened'") == [("2023-12-15",)]
    # the sitting of 11 December 2023 lacked its quorum: at most half of the 104 members present
    present = one("""SELECT count(*) FROM attendance JOIN meetings USING (meeting_id)
                     WHERE body_code = 'conseil' AND meeting_date = '2023-12-11'
                       AND attendance.status IN ('present', 'remote')""")
    assert present[0][0] <= 52
    assert one("SELECT count(*) > 0 FROM meetings WHERE status = 'cancelled'") == [(True,)]
    assert one("SELECT count(*) FROM meetings WHERE body_code = 'direction' AND month(meeting_date) = 8") == [(0,)]
    planned = one("SELECT min(meeting_date), max(meeting_date) FROM meetings WHERE status = 'planned'")[0]
    assert TODAY < planned[0] and planned[1] <= TODAY + timedelta(days=92)
    assert one("SELECT max(meeting_date) <= DATE '2026-11-29' FROM meetings WHERE status = 'held'") == [(True,)]
    statuses = dict(one("SELECT status, count(*) FROM attendance GROUP BY 1"))
    assert {"present", "remote", "excused", "absent", "proxy", "substituted"} <= set(statuses)
    # some convened members have no sign-in row: missing sheets
    assert one("""SELECT count(*) > 0 FROM meetings mt JOIN memberships ms USING (body_code)
                  WHERE mt.status = 'held' AND ms.role <> 'substitute'
                    AND ms.start_date <= mt.meeting_date AND (ms.end_date IS NULL OR mt.meeting_date <= ms.end_date)
                    AND NOT EXISTS (SELECT 1 FROM attendance a WHERE a.meeting_id = mt.meeting_id
                                    AND a.person_id = ms.person_id)""") == [(True,)]
    # membership changes during the mandate: someone left and somebody else arrived mid-mandate
    assert one("SELECT count(*) > 0 FROM memberships WHERE body_code = 'conseil' AND end_date < DATE '2026-04-15'"
               ) == [(True,)]


def test_people_are_fictitious(demo_db: duckdb.DuckDBPyConnection) -> None:
    surnames = {r[0] for r in demo_db.execute("SELECT DISTINCT last_name FROM persons").fetchall()}
    assert surnames <= set(demo.SURNAMES)


def _conseil_sittings(conn: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Per held Conseil sitting: convened, seats in office, substituted titulars, substitutes signed in present."""
    from analytics.rules import attendance

    meetings = attendance.counts(conn, date(2020, 1, 1), TODAY, "meeting")
    convened = dict(zip(meetings["meeting_id"], zip(meetings["convened"], meetings["not_recorded"])))
    rows = conn.execute("""
        SELECT mt.meeting_id,
               (SELECT count(DISTINCT ms.person_id) FROM memberships ms
                WHERE ms.body_code = 'conseil' AND ms.role <> 'substitute' AND ms.start_date <= mt.meeting_date
                  AND (ms.end_date IS NULL OR mt.meeting_date <= ms.end_date)) AS seats,
               (SELECT count(*) FROM attendance a WHERE a.meeting_id = mt.meeting_id AND a.status = 'substituted')
                   AS substituted,
               (SELECT count(*) FROM attendance t JOIN attendance s
                    ON s.meeting_id = t.meeting_id AND s.person_id = t.delegate_id
                WHERE t.meeting_id = mt.meeting_id AND t.status = 'substituted' AND s.status = 'present') AS signed
        FROM meetings mt WHERE mt.body_code = 'conseil' AND mt.status = 'held' ORDER BY mt.meeting_date""").fetchall()
    return [(*convened[mid], seats, substituted, signed) for mid, seats, substituted, signed in rows]


def test_conseil_convenes_its_seats_and_the_substitutes_who_sit(demo_db: duckdb.DuckDBPyConnection) -> None:
    sittings = _conseil_sittings(demo_db)
    assert len(sittings) > 30
    for convened, _, in_office, substituted, signed in sittings:
        # every seat in office, plus a substitute for each titular who is substituted (and signs in as present)
        assert convened == in_office + substituted
        assert signed == substituted
    # the two mandates (2019 and 2025 populations)
    assert {in_office for _, _, in_office, _, _ in sittings} == {104, 103}
    assert sum(substituted for *_, substituted, _ in sittings) > 50


def test_no_missing_sheet_alert_at_every_conseil_sitting(demo_db: duckdb.DuckDBPyConnection) -> None:
    from analytics.rules import alerts, attendance

    sittings = _conseil_sittings(demo_db)
    missing = [not_recorded for _, not_recorded, *_ in sittings if not_recorded]
    # a few rows lost now and then, as in real life; never the substitutes of every sitting
    assert len(missing) <= len(sittings) // 10 and max(missing) <= 3
    conseil = attendance.counts(demo_db, date(2020, 1, 1), TODAY, "body").set_index("body_code").loc["conseil"]
    assert conseil["completeness"] > 0.99
    found = alerts.compute(demo_db, date(2020, 7, 1), TODAY, TODAY)
    held = dict(demo_db.execute("SELECT body_code, count(*) FROM meetings WHERE status = 'held' "
                                "GROUP BY 1").fetchall())
    per_body = Counter(found.loc[found["kind"] == "sheet_missing", "body_code"])
    assert per_body["conseil"] == len(missing)
    assert all(count < held[body] / 2 for body, count in per_body.items() if held[body] >= 4), per_body


def test_conseil_agendas_arrivals_and_departures(demo_db: duckdb.DuckDBPyConnection) -> None:
    from analytics.rules import agenda

    # (issue 12) every held Conseil sitting has its agenda; a few members arrive late or leave early
    held = demo_db.execute("SELECT count(*) FROM meetings WHERE body_code = 'conseil' AND status = 'held'"
                           ).fetchall()[0][0]
    with_agenda = demo_db.execute("SELECT count(DISTINCT meeting_id) FROM agenda_items").fetchall()[0][0]
    assert with_agenda == held
    assert demo_db.execute("SELECT count(*) FROM attendance_spans WHERE status = 'proxy'").fetchall()[0][0] > 0
    # a bounded row never changes the sitting-level status of who was there for a point: still « présent »
    assert demo_db.execute("""SELECT DISTINCT a.status FROM attendance a
                              SEMI JOIN attendance_spans s USING (meeting_id, person_id)""").fetchall() == [
        ("present",)]
    # one sitting where a group walks out: the quorum lost at a point, for two points, then found again
    lost = agenda.losses(agenda.item_quorum(demo_db, date(2020, 1, 1), TODAY))
    assert len(lost) == 1
    row = lost.iloc[0]
    assert row["points_lost"] == 2 and isinstance(row["back_at"], str)
    assert row["present"] == row["required"] - 2
