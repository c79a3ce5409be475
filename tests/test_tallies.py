"""The refresh of a few sittings' tallies (store/tallies.py, issue 15): the touched queries count exactly what the fill
queries count, and after every kind of write that names its sittings the tallies are fresh and equal a recount."""

from __future__ import annotations

import random
from datetime import date, timedelta

import duckdb
import pytest
from test_oracle import BODIES, build_random
from test_summary import assert_exact, fixture, months_of, recounts, save, tallies  # noqa: F401  (recounts: fixture)

from analytics.store import tallies as store_tallies
from analytics.store.check import recount_query
from analytics.store.sql import query
from tests import fixture_db

Sitting = tuple[str, date]
PAIRS = (("attendance_tallies_fill_meetings", "attendance_tallies_touched_meetings"),
         ("attendance_tallies_fill_months", "attendance_tallies_touched_months"))
OTHERS = ("present", "remote", "excused", "absent", "not_recorded")


def with_substitutes(conn: duckdb.DuckDBPyConnection, seed: int) -> None:
    """A random base (tests/test_oracle.py) with substitutes: in each body two people hold a substitute membership
    (one of them sometimes a member proper too), and about one titular row in twelve names one of them."""
    rng = random.Random(seed)
    build_random(conn, seed)
    cur = conn.cursor()
    for body in BODIES:
        for person_id in rng.sample(range(1, 61), 2):
            start = date(2023, 1, 1) + timedelta(days=rng.randrange(0, 400))
            end = None if rng.random() < 0.5 else start + timedelta(days=rng.randrange(30, 600))
            cur.execute("INSERT INTO memberships (person_id, body_code, role, start_date, end_date) "
                        "VALUES (?, ?, 'substitute', ?, ?)", [person_id, body, start, end])
    rows = cur.execute("SELECT a.meeting_id, a.person_id, m.body_code FROM attendance AS a "
                       "JOIN meetings AS m USING (meeting_id) ORDER BY ALL").fetchall()
    substitutes = cur.execute("SELECT body_code, list(DISTINCT person_id ORDER BY person_id) FROM memberships "
                              "WHERE role = 'substitute' GROUP BY body_code").fetchall()
    named = dict(substitutes)
    for meeting_id, person_id, body in rows:
        choices = [p for p in named[body] if p != person_id]
        if rng.random() < 1 / 12 and choices:
            cur.execute("UPDATE attendance SET status = 'substituted', delegate_id = ? "
                        "WHERE meeting_id = ? AND person_id = ?", [rng.choice(choices), meeting_id, person_id])


def selected(cur: duckdb.DuckDBPyConnection, name: str, sittings: list[Sitting]) -> list[tuple]:
    """The rows the touched query `name` would insert for these sittings (their convocations kept aside first, as
    store/tallies.py does), or those of the whole count by a fill query that fall to them (meetings: the sittings;
    months: theirs in their bodies), sorted."""
    text = recount_query(name)
    if "fill" in name:
        days = set(sittings) if "meetings" in name else {(body, day.replace(day=1)) for body, day in sittings}
        # both tables hold body_code and then the meeting's date or month in their second and third columns
        return sorted(row for row in cur.execute(text).fetchall() if (row[1], row[2]) in days)
    cur.execute(query("attendance_tallies_touched_convocations"),
                {"bodies": [b for b, _ in sittings], "days": [d for _, d in sittings]})
    try:
        return sorted(cur.execute(text).fetchall())
    finally:
        cur.execute(query("attendance_tallies_touched_forget"))


def sittings_of(cur: duckdb.DuckDBPyConnection) -> list[Sitting]:
    return cur.execute("SELECT body_code, meeting_date FROM meetings ORDER BY ALL").fetchall()


# --- the two definitions agree --------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_touched_queries_count_what_the_fill_queries_count(conn: duckdb.DuckDBPyConnection, seed: int) -> None:
    with_substitutes(conn, seed)
    cur = conn.cursor()
    every = sittings_of(cur)
    # the substitutes are there: some sit (a titular convened names them), so the comparison covers them
    assert cur.execute("SELECT count(*) FROM substitute_convocations()").fetchall()[0][0] > 5
    rng = random.Random(seed)
    for sittings in (every, rng.sample(every, 1), rng.sample(every, 7), rng.sample(every, 40)):
        for fill, touched in PAIRS:
            expected = selected(cur, fill, sittings)
            assert expected or sittings is not every  # one sitting may be cancelled, or have nobody convened
            assert selected(cur, touched, sittings) == expected, (touched, sittings[:3])


def test_the_touched_queries_count_the_fixture_by_hand(conn: duckdb.DuckDBPyConnection) -> None:
    fixture_db.build(conn)
    cur = conn.cursor()
    for fill, touched in PAIRS:
        assert selected(cur, touched, sittings_of(cur)) == selected(cur, fill, sittings_of(cur))
    # C2 on 29 February: DUPONT, MARTIN, BERNARD present, PETIT substituted by LEROY (present, convened there only);
    # communes Mulhouse, Kingersheim, Wittenheim, Rixheim (PETIT's and LEROY's), all represented
    meetings = selected(cur, "attendance_tallies_touched_meetings", [("conseil", date(2024, 2, 29))])
    assert meetings == [(2, "conseil", date(2024, 2, 29), 5, 4, 0, 0, 0, 0, 1, 4, 4)]
    # February's conseil in months: C2 alone, one row per person convened
    months = selected(cur, "attendance_tallies_touched_months", [("conseil", date(2024, 2, 29))])
    assert [row[0] for row in months] == [1, 2, 3, 4, 6]
    assert months[3] == (4, "conseil", date(2024, 2, 1), 1, 0, 0, 0, 0, 0, 1)
    assert months[4] == (6, "conseil", date(2024, 2, 1), 1, 1, 0, 0, 0, 0, 0)
    # a sitting named but not held (C5, cancelled) and a day with no sitting count nothing
    assert selected(cur, "attendance_tallies_touched_meetings", [("conseil", date(2024, 5, 20)),
                                                                 ("bureau", date(2024, 5, 21))]) == []


# --- every write of a few sittings leaves them exact ----------------------------------------------------------------

def written(conn: duckdb.DuckDBPyConnection, sittings: list[Sitting], *statements: tuple[str, list]) -> None:
    """A write path: the statements, then the refresh of the sittings they touched, in one transaction."""
    cur = conn.cursor()
    cur.execute("BEGIN TRANSACTION")
    for text, params in statements:
        cur.execute(text, params)
    store_tallies.refresh_tallies(cur, sittings)
    cur.execute("COMMIT")


def test_a_person_at_two_sittings_of_one_month(conn: duckdb.DuckDBPyConnection, recounts: list) -> None:  # noqa: F811
    fixture(conn)
    # a second January conseil, DUPONT excused: his January row counts C1 (present) and it
    save(conn, "conseil", date(2024, 1, 25), {1: "excused"})
    assert_exact(conn)
    # convened, present, remote, excused, absent, proxy, substituted
    assert months_of(conn, 1)[("conseil", date(2024, 1, 1))] == (2, 1, 0, 1, 0, 0, 0)
    # C1 written alone: the month row still counts the sitting of the 25th
    written(conn, [("conseil", date(2024, 1, 15))],
            ("UPDATE attendance SET status = 'absent' WHERE meeting_id = 1 AND person_id = 1", []))
    assert_exact(conn)
    assert months_of(conn, 1)[("conseil", date(2024, 1, 1))] == (2, 0, 0, 1, 1, 0, 0)
    assert recounts[1:] == [[("conseil", date(2024, 1, 25))], [("conseil", date(2024, 1, 15))]]


def test_a_sitting_that_moves_to_another_month(conn: duckdb.DuckDBPyConnection, recounts: list) -> None:  # noqa: F811
    fixture(conn)
    old, new = ("bureau", date(2024, 2, 5)), ("bureau", date(2024, 3, 11))
    kept = conn.execute("SELECT person_id, status FROM attendance WHERE meeting_id = 12 ORDER BY 1").fetchall()
    # DuckDB moves a sitting only once no sign-in references it: three writes, each naming what it touched
    written(conn, [old], ("DELETE FROM attendance WHERE meeting_id = 12", []))
    assert_exact(conn)
    written(conn, [old, new], ("UPDATE meetings SET meeting_date = ? WHERE meeting_id = 12", [new[1]]))
    assert_exact(conn)
    written(conn, [new], *(("INSERT INTO attendance (meeting_id, person_id, status) VALUES (12, ?, ?)", [p, s])
                           for p, s in kept))
    assert_exact(conn)
    assert len(recounts) == 4 and None not in recounts[1:]
    # by hand: no bureau in February any more; in March B3 (04/03) and B2 (11/03): DUPONT absent at both (his two
    # overlapping memberships convene him once), MARTIN excused then absent, PETIT present then remote
    assert all(month != date(2024, 2, 1) for (body, month) in months_of(conn, 1) if body == "bureau")
    assert months_of(conn, 1)[("bureau", date(2024, 3, 1))] == (2, 0, 0, 0, 2, 0, 0)
    assert months_of(conn, 2)[("bureau", date(2024, 3, 1))] == (2, 0, 0, 1, 1, 0, 0)
    assert months_of(conn, 4)[("bureau", date(2024, 3, 1))] == (2, 1, 1, 0, 0, 0, 0)
    meeting = {row[0]: row[1:] for row in tallies(conn)["attendance_meeting_tallies"]}
    # convened 3, remote 1 (PETIT), absent 2; communes Mulhouse, Kingersheim, Rixheim, represented Rixheim
    assert meeting[12] == ("bureau", date(2024, 3, 11), 3, 0, 1, 0, 2, 0, 0, 3, 1)


def test_a_substitute_no_longer_named(conn: duckdb.DuckDBPyConnection) -> None:
    fixture(conn)
    assert months_of(conn, 6) == {("conseil", date(2024, 2, 1)): (1, 1, 0, 0, 0, 0, 0)}
    written(conn, [("conseil", date(2024, 2, 29))],
            ("UPDATE attendance SET status = 'excused', delegate_id = NULL WHERE meeting_id = 2 AND person_id = 4",
             []))
    assert_exact(conn)
    assert months_of(conn, 6) == {}  # LEROY is convened nowhere now: his row is gone, not left at zero
    meeting = {row[0]: row[1:] for row in tallies(conn)["attendance_meeting_tallies"]}
    # DUPONT, MARTIN, BERNARD present, PETIT excused; Rixheim (PETIT's) is convened but no longer represented
    assert meeting[2] == ("conseil", date(2024, 2, 29), 4, 3, 0, 1, 0, 0, 0, 4, 3)


def test_a_sitting_cancelled_then_held_again(conn: duckdb.DuckDBPyConnection) -> None:
    fixture(conn)
    b3 = [("bureau", date(2024, 3, 4))]
    written(conn, b3, ("UPDATE meetings SET status = 'cancelled' WHERE meeting_id = 13", []))
    assert_exact(conn)
    assert 13 not in {row[0] for row in tallies(conn)["attendance_meeting_tallies"]}
    assert ("bureau", date(2024, 3, 1)) not in months_of(conn, 4)  # B3 was PETIT's only bureau in March
    written(conn, b3, ("UPDATE meetings SET status = 'held' WHERE meeting_id = 13", []))
    assert_exact(conn)
    assert months_of(conn, 4)[("bureau", date(2024, 3, 1))] == (1, 1, 0, 0, 0, 0, 0)


def test_a_membership_change_named_with_a_sitting_recounts_all(conn: duckdb.DuckDBPyConnection,
                                                               recounts: list) -> None:  # noqa: F811
    fixture(conn)
    # ROUX joins the bureau mid-February: a second segment in the month of B2, which the write does not name
    written(conn, [("bureau", date(2024, 1, 8))],
            ("INSERT INTO memberships (person_id, body_code, role, start_date) VALUES (5, 'bureau', 'member', ?)",
             [date(2024, 2, 10)]))
    assert recounts[1:] == [None]
    assert_exact(conn)
    assert months_of(conn, 5)[("bureau", date(2024, 3, 1))] == (1, 0, 0, 0, 0, 0, 0)  # B3, not recorded
    assert ("bureau", date(2024, 2, 1)) not in months_of(conn, 5)  # B2 (5 February) was before she joined


@pytest.mark.parametrize("seed", [1, 2])
def test_random_writes_of_a_few_sittings_stay_exact(conn: duckdb.DuckDBPyConnection, seed: int,
                                                    recounts: list) -> None:  # noqa: F811
    """Random writes through refresh_tallies(cur, sittings) on a random base with substitutes: a status changed (to
    a substitution too), a row deleted or added, a sitting cancelled, planned or held again, several sittings at
    once; after each, the tallies are fresh and equal a recount."""
    rng = random.Random(seed)
    with_substitutes(conn, seed)
    cur = conn.cursor()
    cur.execute("BEGIN TRANSACTION")
    store_tallies.refresh_tallies(cur)
    cur.execute("COMMIT")
    meetings = cur.execute("SELECT meeting_id, body_code, meeting_date FROM meetings ORDER BY 1").fetchall()
    substitutes = dict(cur.execute("SELECT body_code, list(DISTINCT person_id ORDER BY person_id) FROM memberships "
                                   "WHERE role = 'substitute' GROUP BY body_code").fetchall())

    def change(meeting_id: int, body: str) -> tuple[str, list]:
        people = [p for (p,) in cur.execute("SELECT person_id FROM attendance WHERE meeting_id = ? ORDER BY 1",
                                            [meeting_id]).fetchall()]
        kind = rng.choice(["status", "status", "substituted", "delete", "insert", "meeting"])
        if kind == "meeting":
            return "UPDATE meetings SET status = ? WHERE meeting_id = ?", [
                rng.choice(["held", "held", "cancelled", "planned"]), meeting_id]
        if kind == "insert" or not people:
            absent = [p for p in range(1, 61) if p not in people]
            return "INSERT INTO attendance (meeting_id, person_id, status) VALUES (?, ?, ?)", [
                meeting_id, rng.choice(absent), rng.choice(OTHERS)]
        person = rng.choice(people)
        if kind == "delete":
            return "DELETE FROM attendance WHERE meeting_id = ? AND person_id = ?", [meeting_id, person]
        if kind == "substituted" and [p for p in substitutes[body] if p != person]:
            return "UPDATE attendance SET status = 'substituted', delegate_id = ? WHERE meeting_id = ? AND " \
                   "person_id = ?", [rng.choice([p for p in substitutes[body] if p != person]), meeting_id, person]
        return "UPDATE attendance SET status = ?, delegate_id = NULL WHERE meeting_id = ? AND person_id = ?", [
            rng.choice(OTHERS), meeting_id, person]

    for _ in range(25):
        chosen = rng.sample(meetings, rng.choice([1, 1, 1, 2, 3]))
        statements = [change(meeting_id, body) for meeting_id, body, _ in chosen]
        written(conn, [(body, day) for _, body, day in chosen], *statements)
        assert_exact(conn)
    assert len(recounts) == 26 and None not in recounts[1:]  # every write counted only its sittings


def test_a_write_of_many_sittings_counts_them_all(conn: duckdb.DuckDBPyConnection, recounts: list,  # noqa: F811
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    fixture(conn)
    monkeypatch.setattr(store_tallies, "_MOST_SITTINGS", 2)
    two = [("bureau", date(2024, 1, 8)), ("bureau", date(2024, 2, 5))]
    written(conn, two, *(("UPDATE attendance SET status = 'excused' WHERE meeting_id = ? AND person_id = 2", [m])
                         for m in (11, 12)))
    assert_exact(conn)
    written(conn, [*two, ("bureau", date(2024, 3, 4))],
            ("UPDATE attendance SET status = 'absent' WHERE meeting_id IN (11, 12, 13) AND person_id = 2", []))
    assert_exact(conn)
    assert recounts[1:] == [two, None]  # two sittings counted alone, three all at once
    # MARTIN absent at B1, B2 and B3: one convocation each month
    assert [months_of(conn, 2)[("bureau", date(2024, m, 1))] for m in (1, 2, 3)] == [(1, 0, 0, 0, 1, 0, 0)] * 3
