"""Quorum and proxy checks on the fixture of tests/fixture_db.py (its docstring has the grid)."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest

from analytics.rules import agenda, quorum
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
    # item (issue 12): the first point of the overload when a proxy is bounded to points; None here
    assert list(found.columns) == ["meeting_id", "body_code", "body_name", "meeting_date", "holder_id",
                                   "holder_name", "proxies", "item"]
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


# --- agenda items: the quorum at each point (DESIGN.md §3 "agenda items", §4; issue 12) ---------------------------

def with_agenda(fx: duckdb.DuckDBPyConnection, meeting_id: int, items: list[str]) -> None:
    """The agenda of a sitting, its points ranked in natural order as the import ranks them."""
    for position, item in enumerate(agenda.ordered(items), start=1):
        fx.cursor().execute("INSERT INTO agenda_items (meeting_id, position, item, title) VALUES (?, ?, ?, ?)",
                            [meeting_id, position, item, f"Délibération {item}"])


def bounded(fx: duckdb.DuckDBPyConnection, meeting_id: int, person_id: int,
            rows: list[tuple[str | None, str | None, str, int | None]]) -> None:
    """A person's rows at a sitting bounded to points (from, to, status, delegate), and their sitting-level row
    derived as the import derives it."""
    cur = fx.cursor()
    positions = dict(cur.execute("SELECT item, position FROM agenda_items WHERE meeting_id = ?",
                                 [meeting_id]).fetchall())
    spans = []
    for n, (first, last, status, delegate) in enumerate(rows, start=1):
        cur.execute("INSERT INTO attendance_spans VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [meeting_id, person_id, n, first, last, status, delegate])
        spans.append(agenda.Span(status, delegate, positions[first] if first else 1,
                                 positions[last] if last else len(positions)))
    status, delegate = agenda.sitting_status(spans)
    cur.execute("DELETE FROM attendance WHERE meeting_id = ? AND person_id = ?", [meeting_id, person_id])
    cur.execute("INSERT INTO attendance (meeting_id, person_id, status, delegate_id) VALUES (?, ?, ?, ?)",
                [meeting_id, person_id, status, delegate])


def walkout(fx: duckdb.DuckDBPyConnection) -> None:
    """C2 (29 February, 4 in office, 3 required) with the agenda 1, 2, 3, 3.1, 10. DUPONT stays throughout, PETIT's
    seat is held by his substitute LEROY throughout; MARTIN leaves after point 3 and comes back at point 10 (two
    rows); BERNARD arrives at point 2 and leaves after point 3."""
    with_agenda(fx, 2, ["10", "3.1", "1", "3", "2"])
    bounded(fx, 2, 2, [(None, "3", "present", None), ("10", None, "present", None)])
    bounded(fx, 2, 3, [("2", "3", "present", None)])


def test_points_follow_the_natural_order() -> None:
    assert agenda.ordered(["10", "3.1", "3", "2", "1", "3.2", "4 bis", "4"]) == [
        "1", "2", "3", "3.1", "3.2", "4", "4 bis", "10"]
    # spaces, case and leading zeros do not make another point
    assert [agenda.canonical_item(t) for t in ("03.1", " 4BIS ", "12A", "3.", "x", "")] == [
        "3.1", "4 bis", "12a", None, None, None]


def test_quorum_drops_below_at_one_point_and_comes_back(fx: duckdb.DuckDBPyConnection) -> None:
    walkout(fx)
    points = agenda.item_quorum(fx, *YEAR)
    assert points["item"].tolist() == ["1", "2", "3", "3.1", "10"]
    # 1: DUPONT, MARTIN, PETIT's seat = 3 (BERNARD not there yet); 2 and 3: + BERNARD = 4; 3.1: MARTIN and BERNARD
    # gone, DUPONT and PETIT's seat = 2 < 3; 10: MARTIN back = 3
    assert points["present"].tolist() == [3, 4, 4, 2, 3]
    assert points["required"].tolist() == [3] * 5
    assert points["reached"].tolist() == [True, True, True, False, True]
    lost = agenda.losses(points).iloc[0]
    assert (lost["meeting_id"], lost["lost_at"], lost["present"], lost["required"], lost["back_at"],
            lost["points_lost"]) == (2, "3.1", 2, 3, "10", 1)
    # the sitting's figure is the opening's: 3 present, not the 4 who each came at some point
    c2 = by_meeting(fx, 2)
    assert (c2["in_office"], c2["present"], c2["required"], c2["margin"], c2["reached"]) == (4, 3, 3, 0, True)


def test_sitting_level_counts_are_those_of_the_whole_sitting(fx: duckdb.DuckDBPyConnection) -> None:
    from analytics.rules import attendance

    before = attendance.counts(fx, *YEAR, "meeting")
    walkout(fx)
    # MARTIN and BERNARD were there for some points: present at the sitting, as before
    assert attendance.counts(fx, *YEAR, "meeting").equals(before)
    assert fx.execute("SELECT person_id, status FROM attendance WHERE meeting_id = 2 ORDER BY 1").fetchall() == [
        (1, "present"), (2, "present"), (3, "present"), (4, "substituted"), (6, "present")]


def test_an_agenda_without_bounds_changes_no_figure(fx: duckdb.DuckDBPyConnection) -> None:
    from analytics.rules import attendance

    before = (quorum.quorum(fx, *YEAR), attendance.counts(fx, *YEAR, "person"), quorum.proxy_overload(fx, *YEAR))
    for meeting_id in (1, 2, 3, 4):
        with_agenda(fx, meeting_id, ["1", "2", "3"])
    after = (quorum.quorum(fx, *YEAR), attendance.counts(fx, *YEAR, "person"), quorum.proxy_overload(fx, *YEAR))
    assert all(a.equals(b) for a, b in zip(before, after))
    # every point has the opening's figure: 1, 4, 1, 1 present; nothing lost (C1 and C3 never had the quorum)
    points = agenda.item_quorum(fx, *YEAR)
    assert points.groupby("meeting_id")["present"].agg(list).to_dict() == {
        1: [1, 1, 1], 2: [4, 4, 4], 3: [1, 1, 1], 4: [1, 1, 1]}
    assert agenda.losses(points).empty


def test_a_substitute_who_leaves_empties_the_seat(fx: duckdb.DuckDBPyConnection) -> None:
    # C2: LEROY, sitting for PETIT, leaves after point 2: at point 3 the seat is empty → DUPONT, MARTIN, BERNARD = 3
    with_agenda(fx, 2, ["1", "2", "3"])
    bounded(fx, 2, 6, [(None, "2", "present", None)])
    assert agenda.item_quorum(fx, *YEAR)["present"].tolist() == [4, 4, 3]


def test_a_reconvened_exempt_sitting_loses_nothing(fx: duckdb.DuckDBPyConnection) -> None:
    # C4, exempt: DUPONT leaves after point 1 — no quorum was needed, none is lost
    with_agenda(fx, 4, ["1", "2"])
    bounded(fx, 4, 1, [(None, "1", "present", None)])
    points = agenda.item_quorum(fx, *YEAR)
    assert points["present"].tolist() == [1, 0] and points["exempt"].all()
    assert agenda.losses(points).empty


def test_the_quorum_lost_alert_names_the_point_and_the_figures(fx: duckdb.DuckDBPyConnection) -> None:
    from analytics.rules import alerts

    walkout(fx)
    found = alerts.compute(fx, *YEAR, as_of=date(2025, 1, 15))
    lost = found[found["kind"] == "quorum_lost"]
    assert len(lost) == 1
    assert (lost["body_code"].iloc[0], pd.Timestamp(lost["date"].iloc[0]).date()) == ("conseil", date(2024, 2, 29))
    assert lost["message"].iloc[0] == (
        "Conseil d'Agglomération, séance du 29 février 2024 : quorum perdu au point 3.1 (2 membres présents sur 4 "
        "en exercice, 3 requis ; les pouvoirs ne comptent pas), retrouvé au point 10 (1 point sans quorum) ; les "
        "délibérations votées sans quorum sont exposées à l'annulation (CGCT L2121-17).")
    # legal: right after the quorum not reached at an opening
    assert alerts.SEVERITY["quorum_lost"] == alerts.SEVERITY["quorum_not_reached"] + 1


def test_a_proxy_starting_at_a_point_is_counted_from_that_point(fx: duckdb.DuckDBPyConnection) -> None:
    from analytics.rules import alerts

    # C3: MARTIN's proxy to DUPONT covers the whole sitting; PETIT, excused for point 1, gives his from point 2:
    # DUPONT holds one proxy at point 1, two at points 2 and 3 → flagged at point 2
    with_agenda(fx, 3, ["1", "2", "3"])
    bounded(fx, 3, 4, [(None, "1", "excused", None), ("2", None, "proxy", 1)])
    assert fx.execute("SELECT status, delegate_id FROM attendance WHERE meeting_id = 3 AND person_id = 4"
                      ).fetchall() == [("proxy", 1)]  # the sitting-level row: a proxy covering a point
    overload = quorum.proxy_overload(fx, *YEAR).iloc[0]
    assert (overload["meeting_id"], overload["holder_id"], overload["proxies"], overload["item"]) == (3, 1, 2, "2")
    message = alerts.compute(fx, *YEAR, as_of=date(2025, 1, 15)).query("kind == 'proxy_limit'")["message"].iloc[0]
    assert message == ("Conseil d'Agglomération, séance du 10 avril 2024 : DUPONT Anne détient 2 pouvoirs au point 2, "
                       "un membre ne peut en détenir qu'un seul (CGCT L2121-20).")


def test_two_proxies_that_never_meet_at_a_point_are_not_an_overload(fx: duckdb.DuckDBPyConnection) -> None:
    # C3: MARTIN's proxy to DUPONT until point 1, PETIT's from point 2: one at a time, although both rows of the
    # sitting say "proxy to DUPONT"
    with_agenda(fx, 3, ["1", "2", "3"])
    bounded(fx, 3, 2, [(None, "1", "proxy", 1), ("2", None, "absent", None)])
    bounded(fx, 3, 4, [(None, "1", "excused", None), ("2", None, "proxy", 1)])
    assert quorum.proxy_overload(fx, *YEAR).empty


def test_the_fiche_says_when_a_member_arrived_or_left() -> None:
    from types import SimpleNamespace

    def span(from_item, to_item, status="present", delegate=None):
        return SimpleNamespace(from_item=from_item, to_item=to_item, status=status, delegate_name=delegate,
                               first_item="1", last_item="30")

    assert agenda.presence_text([span("5", None)]) == "arrivé(e) au point 5"
    assert agenda.presence_text([span(None, "24"), span("25", None, "proxy", "DUPONT Anne")]) == (
        "parti(e) après le point 24 ; pouvoir à DUPONT Anne à partir du point 25")
    assert agenda.presence_text([span(None, "3"), span("10", None)]) == (
        "parti(e) après le point 3 ; revenu(e) au point 10")
    # a bound at an end of the agenda says nothing: from point 1 to point 30 is the whole sitting
    assert agenda.presence_text([span("1", "12"), span("13", "30", "excused")]) == (
        "parti(e) après le point 12 ; excusé(e) à partir du point 13")
