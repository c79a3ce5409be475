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


def set_format(fx: duckdb.DuckDBPyConnection, meeting_id: int, fmt: str) -> None:
    fx.cursor().execute("UPDATE meetings SET format = ? WHERE meeting_id = ?", [fmt, meeting_id])


def test_remote_member_does_not_count_at_an_in_person_sitting(fx: duckdb.DuckDBPyConnection) -> None:
    c1 = by_meeting(fx, 1)
    # C1 is in person (the default format). In office: DUPONT, MARTIN, BERNARD, PETIT = 4 (LEROY is a substitute,
    # not a member in office); present: DUPONT in the room = 1; PETIT by video does not count at an in-person
    # sitting (CGCT L5211-11-1), MARTIN's proxy never counts; required: more than half of 4 = 4 // 2 + 1 = 3
    assert (c1["in_office"], c1["present"], c1["required"], c1["margin"]) == (4, 1, 3, -2)
    assert not c1["reached"]
    assert not c1["exempt"]


@pytest.mark.parametrize("fmt", ["video", "mixed"])
def test_remote_member_counts_at_a_teleconference(fx: duckdb.DuckDBPyConnection, fmt: str) -> None:
    set_format(fx, 1, fmt)
    c1 = by_meeting(fx, 1)
    # the same C1 held by teleconference: DUPONT in the room + PETIT by video = 2 of 4, 3 required → one short:
    # exactly half present is not a quorum
    assert (c1["in_office"], c1["present"], c1["required"], c1["margin"]) == (4, 2, 3, -1)
    assert not c1["reached"]


def test_substitute_who_sits_occupies_the_seat_once(fx: duckdb.DuckDBPyConnection) -> None:
    c2 = by_meeting(fx, 2)
    # DUPONT, MARTIN, BERNARD present = 3; PETIT substituted by LEROY, who sits: PETIT's seat is occupied = 4;
    # LEROY's own "present" row is that same seat, not a fifth (a substitute is not in office) → 4 of 3 required
    assert (c2["in_office"], c2["present"], c2["required"], c2["margin"]) == (4, 4, 3, 1)
    assert c2["reached"]


def test_substitute_without_a_row_still_occupies_the_seat(fx: duckdb.DuckDBPyConnection) -> None:
    # the sheet names LEROY on PETIT's "substituted" row but has no row for LEROY himself: the seat is occupied
    fx.cursor().execute("DELETE FROM attendance WHERE meeting_id = 2 AND person_id = 6")
    assert by_meeting(fx, 2)["present"] == 4


def test_substitute_marked_absent_leaves_the_seat_empty(fx: duckdb.DuckDBPyConnection) -> None:
    # LEROY's own row says he was absent: PETIT's seat was not occupied → DUPONT, MARTIN, BERNARD = 3
    fx.cursor().execute("UPDATE attendance SET status = 'absent' WHERE meeting_id = 2 AND person_id = 6")
    c2 = by_meeting(fx, 2)
    assert (c2["present"], c2["margin"]) == (3, 0)
    assert c2["reached"]


def test_proxies_do_not_make_a_quorum(fx: duckdb.DuckDBPyConnection) -> None:
    c3 = by_meeting(fx, 3)
    # BERNARD still in office on 2024-04-10 (until 2024-04-12); only DUPONT present, holding two proxies
    assert (c3["in_office"], c3["present"], c3["required"], c3["margin"]) == (4, 1, 3, -2)
    assert not c3["reached"]


def test_reconvened_sitting_is_exempt(fx: duckdb.DuckDBPyConnection) -> None:
    c4 = by_meeting(fx, 4)
    # BERNARD's membership ended 2024-04-12: 3 in office; her "present" row does not count; DUPONT alone present.
    # The previous held sitting, C3 (10 April), failed its quorum (1 of 3 required) and C4 comes 15 − 10 = 5 days
    # later: exempt
    assert (c4["in_office"], c4["present"], c4["required"], c4["margin"]) == (3, 1, 2, -1)
    assert not c4["reached"]
    assert c4["exempt"]
    assert c4["meeting_type"] == "reconvened"


def sitting(fx: duckdb.DuckDBPyConnection, meeting_id: int, day: str, kind: str = "ordinary",
            present: tuple[int, ...] = ()) -> None:
    """A held Conseil sitting of the fixture's people (ids from 7: the fixture uses 1 to 6)."""
    cur = fx.cursor()
    cur.execute("INSERT INTO meetings (meeting_id, body_code, meeting_date, meeting_type) VALUES (?, 'conseil', ?, ?)",
                [meeting_id, date.fromisoformat(day), kind])
    for person_id in present:
        cur.execute("INSERT INTO attendance (meeting_id, person_id, status) VALUES (?, ?, 'present')",
                    [meeting_id, person_id])


def test_reconvened_two_days_after_a_failed_sitting_needs_its_quorum(fx: duckdb.DuckDBPyConnection) -> None:
    # from 13 April DUPONT, MARTIN and PETIT are in office: 3, required 3 // 2 + 1 = 2.
    # 2 September: DUPONT alone, 1 of 2 → failed. 4 September, reconvened: 4 − 2 = 2 days later, less than 3:
    # the quorum applies as usual, and DUPONT alone (1 of 2) does not make it
    sitting(fx, 7, "2024-09-02", present=(1,))
    sitting(fx, 8, "2024-09-04", "reconvened", present=(1,))
    failed, c8 = by_meeting(fx, 7), by_meeting(fx, 8)
    assert (failed["present"], failed["required"], failed["reached"], failed["exempt"]) == (1, 2, False, False)
    assert (c8["in_office"], c8["present"], c8["required"], c8["margin"]) == (3, 1, 2, -1)
    assert not c8["reached"]
    assert not c8["exempt"]


@pytest.mark.parametrize(("day", "days_after"), [("2024-09-05", 3), ("2024-09-06", 4)])
def test_reconvened_three_or_more_days_after_a_failed_sitting_is_exempt(fx: duckdb.DuckDBPyConnection, day: str,
                                                                        days_after: int) -> None:
    # the same failed sitting of 2 September; reconvened on the 5th (5 − 2 = 3 days: "à trois jours au moins
    # d'intervalle") or the 6th (4 days): no quorum needed, DUPONT alone deliberates validly
    sitting(fx, 7, "2024-09-02", present=(1,))
    sitting(fx, 8, day, "reconvened", present=(1,))
    c8 = by_meeting(fx, 8)
    assert (pd.Timestamp(c8["meeting_date"]).date() - date(2024, 9, 2)).days == days_after
    assert (c8["in_office"], c8["present"], c8["required"], c8["reached"]) == (3, 1, 2, False)
    assert c8["exempt"]


def test_reconvened_after_a_sitting_that_reached_quorum_needs_its_own(fx: duckdb.DuckDBPyConnection) -> None:
    # C3 reached: MARTIN and PETIT come in person instead of giving proxies → DUPONT, MARTIN, PETIT = 3 of 3
    fx.cursor().execute("UPDATE attendance SET status = 'present', delegate_id = NULL "
                        "WHERE meeting_id = 3 AND person_id IN (2, 4)")
    c3, c4 = by_meeting(fx, 3), by_meeting(fx, 4)
    assert (c3["present"], c3["required"], c3["reached"]) == (3, 3, True)
    # C4, typed reconvened 5 days later, follows no failure: 1 present of 3 in office, 2 required, not exempt
    assert (c4["present"], c4["required"], c4["reached"], c4["exempt"]) == (1, 2, False, False)


def test_exemption_looks_before_the_range(fx: duckdb.DuckDBPyConnection) -> None:
    # C3 (10 April) is outside the range but is still the previous held sitting of C4
    sittings = quorum.quorum(fx, date(2024, 4, 11), date(2024, 12, 31))
    assert list(sittings["meeting_id"]) == [4]
    assert bool(sittings["exempt"].iloc[0])


def test_a_cancelled_sitting_is_not_the_previous_one(fx: duckdb.DuckDBPyConnection) -> None:
    # a reconvened sitting on 24 May: the previous HELD sitting is C4 (15 April), not the cancelled C5 (20 May);
    # C4 was exempt, so it did not fail its quorum: quorum required again (nobody came: 0 of 2)
    sitting(fx, 7, "2024-05-24", "reconvened")
    c7 = by_meeting(fx, 7)
    assert (c7["in_office"], c7["present"], c7["required"], c7["exempt"]) == (3, 0, 2, False)


def test_successive_reconvened_sittings(fx: duckdb.DuckDBPyConnection) -> None:
    # after C3 failed: C4 (15 April) exempt; C7 (20 April), reconvened again, follows an exempt sitting, which did
    # not fail (it needed no quorum): quorum required, and nobody came (0 of 2); C8 (25 April) follows C7's failure
    # 5 days later: exempt
    sitting(fx, 7, "2024-04-20", "reconvened")
    sitting(fx, 8, "2024-04-25", "reconvened")
    sittings = quorum.quorum(fx, *YEAR).set_index("meeting_id")
    assert sittings.loc[[4, 7, 8], "exempt"].tolist() == [True, False, True]
    assert sittings.loc[7, "present"] == 0 and not sittings.loc[7, "reached"]


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
