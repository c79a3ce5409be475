"""Quorum and proxy checks on the fixture of tests/fixture_db.py (its docstring has the grid)."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest

from analytics.rules import quorum
from tests import fixture_db

YEAR = (date(2024, 1, 1), date(2024, 12, 31))


@pytest.fixture
def fx(conn: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    fixture_db.build(conn)
    return conn


def test_quorum_columns_and_sittings(fx: duckdb.DuckDBPyConnection) -> None:
    sittings = quorum.quorum(fx, *YEAR)
    assert list(sittings.columns) == ["meeting_id", "body_code", "meeting_date", "meeting_type", "in_office",
                                      "present", "required", "reached", "margin", "exempt"]
    # held sittings of the conseil only: cancelled C5, planned C6 and the bureau's meetings are not there
    assert list(sittings["meeting_id"]) == [1, 2, 3, 4]
    assert set(sittings["body_code"]) == {"conseil"}


def by_meeting(fx: duckdb.DuckDBPyConnection, meeting_id: int) -> dict:
    sittings = quorum.quorum(fx, *YEAR)
    return sittings[sittings["meeting_id"] == meeting_id].iloc[0].to_dict()


def test_exactly_half_present_is_not_a_quorum(fx: duckdb.DuckDBPyConnection) -> None:
    c1 = by_meeting(fx, 1)
    # in office: DUPONT, MARTIN, BERNARD, PETIT = 4 (LEROY is a substitute, not a member in office);
    # present: DUPONT in the room, PETIT by video = 2; MARTIN's proxy does not count;
    # required: more than half of 4 = 4 // 2 + 1 = 3 → not reached, one short
    assert (c1["in_office"], c1["present"], c1["required"], c1["margin"]) == (4, 2, 3, -1)
    assert not c1["reached"]
    assert not c1["exempt"]


def test_quorum_reached_with_no_margin(fx: duckdb.DuckDBPyConnection) -> None:
    c2 = by_meeting(fx, 2)
    # DUPONT, MARTIN, BERNARD present = 3; PETIT substituted; LEROY sits but is not in office → 3 of 3 required
    assert (c2["in_office"], c2["present"], c2["required"], c2["margin"]) == (4, 3, 3, 0)
    assert c2["reached"]


def test_proxies_do_not_make_a_quorum(fx: duckdb.DuckDBPyConnection) -> None:
    c3 = by_meeting(fx, 3)
    # BERNARD still in office on 2024-04-10 (until 2024-04-12); only DUPONT present, holding two proxies
    assert (c3["in_office"], c3["present"], c3["required"], c3["margin"]) == (4, 1, 3, -2)
    assert not c3["reached"]


def test_reconvened_sitting_is_exempt(fx: duckdb.DuckDBPyConnection) -> None:
    c4 = by_meeting(fx, 4)
    # BERNARD's membership ended 2024-04-12: 3 in office; her "present" row does not count; DUPONT alone present
    assert (c4["in_office"], c4["present"], c4["required"], c4["margin"]) == (3, 1, 2, -1)
    assert not c4["reached"]
    assert c4["exempt"]
    assert c4["meeting_type"] == "reconvened"


def test_quorum_of_ten_members_with_five_present(conn: duckdb.DuckDBPyConnection) -> None:
    # the example of the specification: 10 in office, 5 present → 6 required, not reached, margin -1
    cur = conn.cursor()
    cur.execute("INSERT INTO meetings (meeting_id, body_code, meeting_date) VALUES (1, 'conseil', DATE '2024-03-01')")
    for person_id in range(1, 11):
        cur.execute("INSERT INTO persons (person_id, last_name, first_name, match_key) VALUES (?, 'Nom', ?, ?)",
                    [person_id, f"P{person_id}", f"nom|p{person_id}|"])
        cur.execute("INSERT INTO memberships (person_id, body_code, role, start_date) "
                    "VALUES (?, 'conseil', 'councillor', DATE '2020-07-01')", [person_id])
        status = "present" if person_id <= 5 else "excused"
        cur.execute("INSERT INTO attendance (meeting_id, person_id, status) VALUES (1, ?, ?)", [person_id, status])
    sitting = quorum.quorum(conn, date(2024, 1, 1), date(2024, 12, 31)).iloc[0]
    assert (sitting["in_office"], sitting["present"], sitting["required"], sitting["margin"]) == (10, 5, 6, -1)
    assert not sitting["reached"]


def test_quorum_outside_the_range_is_empty(fx: duckdb.DuckDBPyConnection) -> None:
    assert quorum.quorum(fx, date(2024, 2, 1), date(2024, 2, 28)).empty
    # the range bounds are inclusive: 29 February alone holds C2
    assert list(quorum.quorum(fx, date(2024, 2, 29), date(2024, 2, 29))["meeting_id"]) == [2]


def test_proxy_overload(fx: duckdb.DuckDBPyConnection) -> None:
    found = quorum.proxy_overload(fx, *YEAR)
    assert list(found.columns) == ["meeting_id", "body_code", "body_name", "meeting_date", "holder_id",
                                   "holder_name", "proxies"]
    # C3: MARTIN and PETIT both gave their proxy to DUPONT; at C1 DUPONT held only MARTIN's
    assert len(found) == 1
    overload = found.iloc[0]
    assert (overload["meeting_id"], overload["body_code"], overload["holder_id"], overload["holder_name"],
            overload["proxies"]) == (3, "conseil", 1, "DUPONT Anne", 2)
    assert pd.Timestamp(overload["meeting_date"]).date() == date(2024, 4, 10)


def test_proxy_overload_ignores_cancelled_meetings(conn: duckdb.DuckDBPyConnection) -> None:
    fixture_db.build(conn)
    # the same two proxies on a cancelled sitting are not an overload
    conn.cursor().execute("UPDATE meetings SET status = 'cancelled' WHERE meeting_id = 3")
    assert quorum.proxy_overload(conn, *YEAR).empty
