"""The SQL indicators agree with the independent pandas oracle, on the fixture and on random databases."""

from __future__ import annotations

import random
from datetime import date, timedelta

import duckdb
import pandas as pd
import pytest

from analytics.bench import oracle
from analytics.rules import attendance
from analytics.wording.text import person_key
from tests import fixture_db

BODIES = ["conseil", "bureau", "direction", "conf_maires", "conf_nord", "dgs", "forum", "atelier_velo"]
STATUSES = ["present", "remote", "excused", "absent", "proxy", "substituted", "not_recorded"]


def build_random(conn: duckdb.DuckDBPyConnection, seed: int) -> None:
    """A few thousand attendance rows with every awkward case: overlapping and ended memberships, people with no
    commune, rows for people not convened, rows on cancelled and planned meetings, explicit not_recorded rows."""
    rng = random.Random(seed)
    cur = conn.cursor()
    communes = [insee for (insee,) in cur.execute("SELECT insee FROM communes ORDER BY insee").fetchall()]
    day0 = date(2023, 1, 1)
    people = list(range(1, 61))
    persons, memberships, meetings, rows = [], [], [], []
    for person_id in people:
        insee = None if rng.random() < 0.1 else rng.choice(communes)
        last, first = f"Nom{person_id}", f"Prénom{person_id}"
        persons.append((person_id, last, first, insee, person_key(last, first, insee)))
        for body in rng.sample(BODIES, 3):
            for offset in sorted(rng.sample(range(0, 900), rng.choice([1, 1, 2, 3]))):
                end = None if rng.random() < 0.5 else day0 + timedelta(days=offset + rng.randrange(0, 500))
                memberships.append((person_id, body, "member", day0 + timedelta(days=offset), end))
    for body in BODIES:
        for offset in sorted(rng.sample(range(0, 1000), 25)):
            meeting_id = len(meetings) + 1
            status = rng.choices(["held", "cancelled", "planned"], [85, 10, 5])[0]
            meetings.append((meeting_id, body, day0 + timedelta(days=offset), status))
            # anyone may have a row, convened or not: the indicators must ignore the rows of the others
            for person_id in rng.sample(people, 18):
                status = rng.choice(STATUSES)
                delegate = rng.choice([p for p in people if p != person_id]) if status in ("proxy", "substituted") \
                    else None
                rows.append((meeting_id, person_id, status, delegate))
    tables = {
        "persons": (persons, ["person_id", "last_name", "first_name", "commune_insee", "match_key"]),
        "memberships": (memberships, ["person_id", "body_code", "role", "start_date", "end_date"]),
        "meetings": (meetings, ["meeting_id", "body_code", "meeting_date", "status"]),
        "attendance": (rows, ["meeting_id", "person_id", "status", "delegate_id"]),
    }
    for table, (values, columns) in tables.items():
        frame = pd.DataFrame(values, columns=columns)
        if "delegate_id" in frame:
            frame["delegate_id"] = frame["delegate_id"].astype("Int64")  # not float with NaN
        cur.register("new_rows", frame)
        # table and columns come from the literal dict above, never from data
        cur.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM new_rows")
        cur.unregister("new_rows")


def assert_same(conn: duckdb.DuckDBPyConnection, start: date, end: date) -> None:
    expected = oracle.counts_many(conn, start, end, list(oracle.LEVELS))
    for by, frame in expected.items():
        pd.testing.assert_frame_equal(attendance.counts(conn, start, end, by), frame, check_dtype=False, obj=by)


def test_oracle_equals_sql_on_the_fixture(conn: duckdb.DuckDBPyConnection) -> None:
    fixture_db.build(conn)
    assert_same(conn, date(2024, 1, 1), date(2024, 12, 31))
    assert_same(conn, date(2024, 2, 29), date(2024, 4, 12))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_oracle_equals_sql_on_random_databases(conn: duckdb.DuckDBPyConnection, seed: int) -> None:
    build_random(conn, seed)
    rows = conn.cursor().execute("SELECT count(*) FROM attendance").fetchall()[0][0]
    assert rows > 2500
    assert_same(conn, date(2023, 1, 1), date(2025, 12, 31))
    assert_same(conn, date(2023, 7, 14), date(2024, 8, 2))


def test_meeting_and_month_levels_agree_with_the_oracle_convocations(conn: duckdb.DuckDBPyConnection) -> None:
    build_random(conn, 4)
    start, end = date(2023, 1, 1), date(2025, 12, 31)
    cur = conn.cursor()
    tables = {name: cur.table(name).df() for name in ("attendance", "meetings", "memberships", "persons",
                                                      "communes")}
    rows = oracle.convocations(tables, start, end)
    rows = rows.merge(tables["persons"][["person_id", "commune_insee"]], on="person_id")
    rows = rows.merge(tables["communes"][["insee", "sector"]], left_on="commune_insee", right_on="insee", how="left")
    rows = rows.merge(tables["meetings"][["meeting_id", "meeting_date"]], on="meeting_id")
    rows["month"] = rows["meeting_date"].dt.to_period("M").dt.to_timestamp()
    rows["here"] = rows["status"].isin(["present", "remote"])

    def tally(keys: list[str]) -> pd.DataFrame:
        table = rows.groupby(keys + ["status"]).size().unstack(fill_value=0).reindex(columns=STATUSES, fill_value=0)
        table["convened"] = table.sum(axis=1)
        return table.rename_axis(columns=None)

    meetings = attendance.counts(conn, start, end, "meeting").set_index("meeting_id")
    expected = tally(["meeting_id"])
    assert sorted(meetings.index) == sorted(expected.index)
    for column in ["convened", *STATUSES]:
        assert (meetings[column] == expected[column].reindex(meetings.index)).all(), column
    communes = rows.dropna(subset=["commune_insee"]).groupby("meeting_id").agg(
        convened=("commune_insee", "nunique"),
        represented=("commune_insee", lambda s: s[rows.loc[s.index, "here"]].nunique()))
    communes = communes.reindex(meetings.index, fill_value=0)
    assert (meetings["communes_convened"] == communes["convened"]).all()
    assert (meetings["communes_represented"] == communes["represented"]).all()

    for by, keys in (("body_month", ["body_code", "month"]), ("sector_month", ["sector", "month"])):
        found = attendance.counts(conn, start, end, by).set_index(keys)
        expected = tally(keys)
        assert sorted(found.index) == sorted(expected.index), by
        for column in ["convened", *STATUSES]:
            assert (found[column] == expected[column].reindex(found.index)).all(), (by, column)


def test_levels_add_up(conn: duckdb.DuckDBPyConnection) -> None:
    # every level weighs by convocations, so each one sums to the levels above it
    build_random(conn, 5)
    levels = attendance.counts_many(conn, date(2023, 1, 1), date(2025, 12, 31), attendance.LEVELS)
    counts = attendance.COUNT_COLUMNS
    bodies = levels["body"].set_index("body_code")[counts]
    for finer in ("meeting", "body_month", "person_body"):
        summed = levels[finer].groupby("body_code")[counts].sum().reindex(bodies.index)
        pd.testing.assert_frame_equal(summed, bodies, check_dtype=False, obj=finer)
    sectors = levels["sector"].set_index("sector")[counts]
    for finer in ("sector_month", "commune"):
        summed = levels[finer].groupby("sector")[counts].sum().reindex(sectors.index)
        pd.testing.assert_frame_equal(summed, sectors, check_dtype=False, obj=finer)
    people = levels["person"].set_index("person_id")[counts]
    summed = levels["person_body"].groupby("person_id")[counts].sum().reindex(people.index)
    pd.testing.assert_frame_equal(summed, people, check_dtype=False)
