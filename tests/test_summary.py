"""The pre-aggregated attendance counts (migration 003): every write path keeps them equal to a count from the rows,
the indicators read them only while they are fresh, and they give exactly the numbers the rows give."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from test_oracle import build_random

from analytics.access import privacy
from analytics.bench import indicators as bench
from analytics.bench import oracle
from analytics.ingest import demo, importer, recording
from analytics.rules import attendance
from analytics.store import backup, db, reference
from analytics.store import tallies as store_tallies
from analytics.store.sql import query
from tests import fixture_db

TALLIES = ("attendance_meeting_tallies", "attendance_month_tallies")
CHECKING: list[bool] = []  # not empty while recounted() counts from scratch
# ranges that cut months in every way: whole months, a cut first or last month, one day, inside one month, empty
RANGES = [
    (date(2023, 1, 1), date(2025, 12, 31)),
    (date(2023, 7, 14), date(2024, 8, 2)),
    (date(2024, 2, 1), date(2024, 2, 29)),
    (date(2024, 2, 10), date(2024, 2, 20)),
    (date(2024, 3, 1), date(2024, 6, 14)),
    (date(2024, 1, 31), date(2024, 3, 1)),
    (date(2024, 5, 6), date(2024, 5, 6)),
    (date(2024, 6, 1), date(2024, 5, 1)),
    (date.min, date.max),
]


def tallies(conn: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """The rows of the two tally tables, sorted."""
    cur = conn.cursor()
    return {table: sorted(cur.execute(f"SELECT * FROM {table}").fetchall()) for table in TALLIES}


def recounted(conn: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """The tallies counted again from scratch, leaving the database as it was."""
    cur = conn.cursor()
    cur.execute("BEGIN TRANSACTION")
    CHECKING.append(True)  # not a write's recount: the spy below leaves it out
    try:
        store_tallies.refresh_tallies(cur)
        return tallies(cur)
    finally:
        CHECKING.pop()
        cur.execute("ROLLBACK")


def assert_exact(conn: duckdb.DuckDBPyConnection) -> None:
    """The tallies are fresh and equal to a count from scratch, and no row names a missing sitting or person (the
    sign-in table has no foreign keys since migration 010: each write path must hold its references)."""
    assert store_tallies.tallies_fresh(conn.cursor())
    assert tallies(conn) == recounted(conn)
    assert conn.cursor().execute(query("check_orphans")).fetchall() == []


def refresh(conn: duckdb.DuckDBPyConnection) -> None:
    cur = conn.cursor()
    cur.execute("BEGIN TRANSACTION")
    store_tallies.refresh_tallies(cur)
    cur.execute("COMMIT")


def every_level(conn: duckdb.DuckDBPyConnection) -> dict[tuple, pd.DataFrame]:
    return {(start, end, by): frame for start, end in RANGES
            for by, frame in attendance.counts_many(conn, start, end, attendance.LEVELS).items()}


def assert_same_levels(found: dict[tuple, pd.DataFrame], expected: dict[tuple, pd.DataFrame]) -> None:
    assert found.keys() == expected.keys()
    for key, frame in expected.items():
        pd.testing.assert_frame_equal(found[key], frame, obj=str(key))


# --- what they hold ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [1, 2, 3])
def test_tallies_are_the_convocations_counted_in_pandas(conn: duckdb.DuckDBPyConnection, seed: int) -> None:
    # an independent count: the oracle's convocations (DESIGN §3 literally), grouped per meeting and per month
    build_random(conn, seed)
    refresh(conn)
    cur = conn.cursor()
    tables = {name: cur.table(name).df() for name in ("attendance", "meetings", "memberships", "persons")}
    rows = oracle.convocations(tables, date.min, date.max)
    rows = rows.merge(tables["meetings"][["meeting_id", "meeting_date"]], on="meeting_id")
    rows = rows.merge(tables["persons"][["person_id", "commune_insee"]], on="person_id")
    rows["month"] = rows["meeting_date"].dt.to_period("M").dt.to_timestamp().dt.date
    rows["meeting_date"] = rows["meeting_date"].dt.date
    statuses = oracle.STATUSES[:-1]  # all but not_recorded

    def counted(keys: list[str]) -> pd.DataFrame:
        table = rows.groupby(keys + ["status"]).size().unstack(fill_value=0).reindex(columns=oracle.STATUSES,
                                                                                      fill_value=0)
        table.insert(0, "convened", table.sum(axis=1))
        return table[["convened", *statuses]]

    meetings = counted(["meeting_id", "body_code", "meeting_date"])
    here = rows[rows["status"].isin(["present", "remote"])]
    meetings["communes_convened"] = rows.groupby("meeting_id")["commune_insee"].nunique().reindex(
        meetings.index.get_level_values("meeting_id")).to_numpy()
    meetings["communes_represented"] = here.groupby("meeting_id")["commune_insee"].nunique().reindex(
        meetings.index.get_level_values("meeting_id"), fill_value=0).to_numpy()
    expected_meetings = sorted(
        (meeting_id, body, day, convened, *counts, communes, represented)
        for (meeting_id, body, day), (convened, *counts, communes, represented)
        in zip(meetings.index, meetings.itertuples(index=False), strict=True))
    months = counted(["person_id", "body_code", "month"])
    expected_months = sorted((*key, *values) for key, values in zip(months.index, months.itertuples(index=False),
                                                                    strict=True))
    found = tallies(conn)
    assert found["attendance_meeting_tallies"] == expected_meetings
    assert found["attendance_month_tallies"] == expected_months


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fresh_tallies_give_the_numbers_of_the_rows(conn: duckdb.DuckDBPyConnection, seed: int) -> None:
    build_random(conn, seed)
    assert not store_tallies.tallies_fresh(conn.cursor())  # written with plain INSERTs: counted from the rows
    from_rows = every_level(conn)
    refresh(conn)
    assert store_tallies.tallies_fresh(conn.cursor())
    assert_same_levels(every_level(conn), from_rows)  # same numbers, same columns, same dtypes, same order
    for start, end in RANGES[:2]:
        expected = oracle.counts_many(conn, start, end, list(oracle.LEVELS))
        for by, frame in expected.items():
            pd.testing.assert_frame_equal(attendance.counts(conn, start, end, by), frame, check_dtype=False)


@pytest.mark.parametrize("change", [
    "UPDATE attendance SET status = 'absent' WHERE status = 'present' AND meeting_id = 3",
    "DELETE FROM attendance WHERE meeting_id = 3",
    "INSERT INTO attendance VALUES (5, 6, 'remote', NULL)",
    "UPDATE meetings SET status = 'cancelled' WHERE meeting_id = 13",
    "UPDATE meetings SET meeting_date = DATE '2024-07-12' WHERE meeting_id = 22",  # F2, no attendance row
    "UPDATE memberships SET end_date = DATE '2024-02-15' WHERE person_id = 2 AND body_code = 'bureau'",
    "DELETE FROM memberships WHERE person_id = 6",
    "INSERT INTO persons (person_id, last_name, first_name, commune_insee, match_key) "
    "VALUES (8, 'Neuf', 'Anne', '68166', 'neuf|anne|68166')",
    "INSERT INTO memberships (person_id, body_code, role, start_date) VALUES (2, 'forum', 'member', DATE '2024-05-01')",
])
def test_a_change_made_outside_the_application_is_counted_from_the_rows(conn: duckdb.DuckDBPyConnection,
                                                                         change: str) -> None:
    fixture_db.build(conn)
    refresh(conn)
    assert store_tallies.tallies_fresh(conn.cursor())
    conn.execute(change)  # a SQL shell: the tallies are not refreshed
    assert not store_tallies.tallies_fresh(conn.cursor())
    stale = every_level(conn)
    refresh(conn)
    assert_same_levels(every_level(conn), stale)


def test_whole_months() -> None:
    whole = attendance._whole_months
    assert whole(date(2024, 1, 1), date(2024, 12, 31)) == (date(2024, 1, 1), date(2024, 12, 31))
    assert whole(date(2024, 1, 2), date(2024, 12, 30)) == (date(2024, 2, 1), date(2024, 11, 30))
    assert whole(date(2024, 2, 29), date(2024, 4, 12)) == (date(2024, 3, 1), date(2024, 3, 31))
    first, last = whole(date(2024, 3, 5), date(2024, 3, 20))
    assert first > last
    assert whole(date.min, date.max) == (date.min, date.max)
    first, last = whole(date(9999, 12, 15), date.max)
    assert first > last


# --- every path that writes keeps them exact --------------------------------------------------------------------

def test_an_existing_version_2_file_is_upgraded_with_its_tallies(db_file: Path) -> None:
    old = duckdb.connect(str(db_file))
    db.migrate(old, up_to=2)
    reference.load(old)
    fixture_db.build(old)
    rows = {table: sorted(old.execute(f"SELECT * FROM {table}").fetchall())
            for table in ("persons", "memberships", "meetings", "attendance")}
    columns = {table: old.table(table).columns for table in rows}
    old.close()

    conn = db.connect(db_file)
    assert db.schema_version(conn) == len(db.migrations())  # upgraded to the latest schema
    # every row kept, in the columns it had (later migrations may add columns)
    assert {table: sorted(conn.execute(f"SELECT {', '.join(columns[table])} FROM {table}").fetchall())
            for table in rows} == rows
    assert_exact(conn)
    assert len(tallies(conn)["attendance_meeting_tallies"]) == 13  # the held meetings of the fixture
    # the hand-computed figures of tests/test_attendance.py, now read from the tallies
    bodies = attendance.counts(conn, date(2024, 1, 1), date(2024, 12, 31), "body").set_index("body_code")
    # DUPONT 4, MARTIN 4, BERNARD 3 (C1–C3), PETIT 4, and LEROY convened only at C2 where he sits for PETIT: 16
    assert bodies.loc["conseil", ["convened", "present", "remote", "absent", "proxy", "substituted",
                                  "not_recorded"]].tolist() == [16, 7, 1, 4, 3, 1, 0]
    expected = oracle.counts_many(conn, date(2024, 1, 1), date(2024, 12, 31), list(oracle.LEVELS))
    for by, frame in expected.items():
        pd.testing.assert_frame_equal(attendance.counts(conn, date(2024, 1, 1), date(2024, 12, 31), by), frame,
                                      check_dtype=False)
    conn.close()


MEMBERS = """nom;prenom;commune;instance;role;debut;fin
HÊTRE;Anne;Mulhouse;bureau;président;2020-07-16;
SAULE;Paul;Kingersheim;bureau;vice-président;2020-07-16;
ÉRABLE;Léa;Rixheim;bureau;vice-président;2020-07-16;2024-01-31
ORME;Luc;Wittenheim;bureau;vice-président;2024-02-01;
"""
SHEET = """instance;date;nom;prenom;commune;statut;mandataire
bureau;08/01/2024;HÊTRE;Anne;Mulhouse;présent;
bureau;08/01/2024;SAULE;Paul;Kingersheim;excusé;
bureau;08/01/2024;ÉRABLE;Léa;Rixheim;pouvoir;HÊTRE Anne
bureau;05/02/2024;ORME;Luc;Wittenheim;à distance;
"""
TODAY = date(2024, 12, 31)


def test_import_keeps_them_exact(conn: duckdb.DuckDBPyConnection) -> None:
    importer.import_sources(conn, [("membres.csv", MEMBERS.encode()), ("presences.csv", SHEET.encode())],
                            today=TODAY)
    assert_exact(conn)
    # a changed status, an ended membership: both change the counts
    changed = SHEET.replace("SAULE;Paul;Kingersheim;excusé", "SAULE;Paul;Kingersheim;absent")
    members = MEMBERS.replace("ORME;Luc;Wittenheim;bureau;vice-président;2024-02-01;",
                              "ORME;Luc;Wittenheim;bureau;vice-président;2024-02-01;2024-06-30")
    importer.import_sources(conn, [("membres.csv", members.encode()), ("presences.csv", changed.encode())],
                            today=TODAY)
    assert_exact(conn)
    months = {row[:3]: row[3:] for row in tallies(conn)["attendance_month_tallies"]}
    saule = conn.execute("SELECT person_id FROM persons WHERE last_name = 'SAULE'").fetchall()[0][0]
    assert months[(saule, "bureau", date(2024, 1, 1))] == (1, 0, 0, 0, 1, 0, 0)


def test_demo_import_keeps_them_exact(conn: duckdb.DuckDBPyConnection) -> None:
    demo.build(conn, seed=3, today=date(2025, 6, 30))
    assert_exact(conn)


def test_save_sheet_keeps_them_exact(conn: duckdb.DuckDBPyConnection) -> None:
    importer.import_sources(conn, [("membres.csv", MEMBERS.encode())], today=TODAY)
    day = date(2024, 3, 12)
    sheet = recording.load_sheet(conn, "bureau", day)
    recording.save_sheet(conn, sheet, sheet.rows[["person_id", "status", "delegate_id"]], username="secretariat",
                         today=TODAY)
    assert_exact(conn)
    again = recording.load_sheet(conn, "bureau", day)
    statuses = again.rows[["person_id", "status", "delegate_id"]].copy()
    statuses["status"] = ["excused", "not_recorded", "absent"]
    recording.save_sheet(conn, again, statuses, username="secretariat", today=TODAY)
    assert_exact(conn)
    meeting = attendance.counts(conn, day, day, "meeting").iloc[0]
    assert (meeting["convened"], meeting["excused"], meeting["absent"], meeting["not_recorded"]) == (3, 1, 1, 1)


def test_erasure_keeps_them_exact(conn: duckdb.DuckDBPyConnection) -> None:
    fixture_db.build(conn)
    refresh(conn)
    before = every_level(conn)
    privacy.erase_person(conn, 1, "admin")  # DUPONT Anne: every kind of reference to a person
    assert_exact(conn)
    after = every_level(conn)

    def anonymous(frame: pd.DataFrame) -> pd.DataFrame:
        # the only change is the erased name, and where it sorts
        if "person_id" not in frame:
            return frame
        keys = [column for column in ("person_id", "body_code") if column in frame]
        return frame.drop(columns="name").sort_values(keys).reset_index(drop=True)

    for key, frame in before.items():
        pd.testing.assert_frame_equal(anonymous(after[key]), anonymous(frame), obj=str(key))


def test_an_erasure_stopped_half_way_keeps_them_exact(conn: duckdb.DuckDBPyConnection,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    fixture_db.build(conn)
    refresh(conn)

    def crash(*args: object) -> None:
        raise KeyboardInterrupt  # the process stops right after the first transaction

    monkeypatch.setattr(privacy, "_finish", crash)
    with pytest.raises(KeyboardInterrupt):
        privacy.erase_person(conn, 1, "admin")
    monkeypatch.undo()
    assert_exact(conn)  # the rows on the placeholder are counted
    assert privacy.finish_erasures(conn) == 1
    assert_exact(conn)


def test_restore_keeps_them_exact(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    demo.build(conn, seed=3, today=date(2025, 6, 30))
    backup.backup(conn, tmp_path / "copie")
    target = tmp_path / "restored.duckdb"
    backup.restore(tmp_path / "copie", target)
    restored = db.connect(target)
    assert_exact(restored)
    assert tallies(restored) == tallies(conn)
    restored.close()


def test_restore_of_a_version_2_backup_counts_them(tmp_path: Path) -> None:
    old = duckdb.connect(str(tmp_path / "old.duckdb"))
    db.migrate(old, up_to=2)
    reference.load(old)
    fixture_db.build(old)
    manifest = backup.backup(old, tmp_path / "copie")
    old.close()
    assert manifest["schema_version"] == 2
    backup.restore(tmp_path / "copie", tmp_path / "restored.duckdb")
    restored = db.connect(tmp_path / "restored.duckdb")
    assert db.schema_version(restored) == len(db.migrations())
    assert_exact(restored)
    restored.close()


def test_bench_data_comes_with_exact_tallies(tmp_path: Path) -> None:
    path = tmp_path / "bench.duckdb"
    rows = bench._fill(path, 40)
    assert rows > 1000
    conn = duckdb.connect(str(path))
    assert_exact(conn)
    conn.close()
    shutil.rmtree(tmp_path, ignore_errors=True)


# --- a write of a few sittings counts only theirs again --------------------------------------------------------

@pytest.fixture
def recounts(monkeypatch: pytest.MonkeyPatch) -> list[list | None]:
    """The sittings of every recount of the tallies from here on (None: all of them)."""
    seen: list[list | None] = []
    original = store_tallies._recount

    def spy(cur: duckdb.DuckDBPyConnection, touched: list | None) -> None:
        if not CHECKING:
            seen.append(None if touched is None else list(touched))
        original(cur, touched)

    monkeypatch.setattr(store_tallies, "_recount", spy)
    return seen


def save(conn: duckdb.DuckDBPyConnection, body: str, day: date, statuses: dict[int, str] | None = None) -> None:
    """Save a sign-in sheet from the form: as it loads (a new one: the members present), but for `statuses`."""
    sheet = recording.load_sheet(conn, body, day)
    rows = sheet.rows[["person_id", "status", "delegate_id"]].copy()
    rows["status"] = [(statuses or {}).get(pid, status) for pid, status in zip(rows["person_id"], rows["status"])]
    recording.save_sheet(conn, sheet, rows, username="secretariat", today=TODAY)


def fixture(conn: duckdb.DuckDBPyConnection) -> None:
    """The fixture of tests/fixture_db.py with fresh tallies, its sequences past the ids it wrote by hand."""
    fixture_db.build(conn)
    conn.execute("SELECT max(nextval('meeting_id_seq')) FROM range(100)")
    conn.execute("SELECT max(nextval('person_id_seq')) FROM range(100)")
    refresh(conn)


def months_of(conn: duckdb.DuckDBPyConnection, person_id: int) -> dict[tuple, tuple]:
    return {(body, month): tuple(rest) for pid, body, month, *rest in tallies(conn)["attendance_month_tallies"]
            if pid == person_id}


def test_sittings_saved_from_the_form_at_a_month_boundary_recount_only_theirs(conn: duckdb.DuckDBPyConnection,
                                                                              recounts: list) -> None:
    fixture(conn)
    # DUPONT (1) sits in the conseil and the bureau: a new conseil on 31 January, a new bureau on 1 February
    save(conn, "conseil", date(2024, 1, 31), {2: "absent"})
    assert_exact(conn)
    save(conn, "bureau", date(2024, 2, 1), {1: "excused"})
    assert_exact(conn)
    # and a stored sitting changed: C2 on 29 February (LEROY sits there for PETIT), MARTIN now excused
    save(conn, "conseil", date(2024, 2, 29), {2: "excused"})
    assert_exact(conn)
    assert recounts == [None, [("conseil", date(2024, 1, 31))], [("bureau", date(2024, 2, 1))],
                        [("conseil", date(2024, 2, 29))]]  # the fixture's whole count, then one sitting each
    # by hand: DUPONT convened to C1 (present) and the new conseil of 31/01 (present) in January; to B1 (present),
    # then to B2 (absent) and the new bureau of 01/02 (excused) in February
    dupont = months_of(conn, 1)
    # convened, present, remote, excused, absent, proxy, substituted
    assert dupont[("conseil", date(2024, 1, 1))] == (2, 2, 0, 0, 0, 0, 0)
    assert dupont[("bureau", date(2024, 1, 1))] == (1, 1, 0, 0, 0, 0, 0)
    assert dupont[("bureau", date(2024, 2, 1))] == (2, 0, 0, 1, 1, 0, 0)
    # MARTIN in January's conseil: C1 by proxy, absent on 31/01; in February's C2 excused
    martin = months_of(conn, 2)
    assert martin[("conseil", date(2024, 1, 1))] == (2, 0, 0, 0, 1, 1, 0)
    assert martin[("conseil", date(2024, 2, 1))] == (1, 0, 0, 1, 0, 0, 0)
    meeting = {row[1:3]: row[3:] for row in tallies(conn)["attendance_meeting_tallies"]}
    # 31/01 conseil: DUPONT, MARTIN, BERNARD, PETIT convened (LEROY substitutes no one): 3 present, 1 absent;
    # communes convened Mulhouse, Kingersheim, Wittenheim, Rixheim; represented all but Kingersheim
    assert meeting[("conseil", date(2024, 1, 31))] == (4, 3, 0, 0, 1, 0, 0, 4, 3)


def test_a_sign_in_import_recounts_only_its_sittings(conn: duckdb.DuckDBPyConnection, recounts: list) -> None:
    importer.import_sources(conn, [("membres.csv", MEMBERS.encode()), ("presences.csv", SHEET.encode())],
                            today=TODAY)
    assert recounts == [None]  # new persons and memberships: who is convened may change anywhere
    sheet = ("instance;date;nom;prenom;commune;statut;mandataire\n"
             "bureau;31/01/2024;HÊTRE;Anne;Mulhouse;présent;\n"      # a new sitting, last day of January
             "bureau;31/01/2024;SAULE;Paul;Kingersheim;absent;\n"
             "bureau;05/02/2024;SAULE;Paul;Kingersheim;excusé;\n"    # a stored sitting: a row added
             "bureau;08/01/2024;SAULE;Paul;Kingersheim;absent;\n")   # and a stored row changed
    importer.import_sources(conn, [("presences.csv", sheet.encode())], today=TODAY)
    assert_exact(conn)
    assert len(recounts) == 2
    assert sorted(recounts[1]) == [("bureau", date(2024, 1, 8)), ("bureau", date(2024, 1, 31)),
                                   ("bureau", date(2024, 2, 5))]
    saule = conn.execute("SELECT person_id FROM persons WHERE last_name = 'SAULE'").fetchall()[0][0]
    # by hand: SAULE absent on 08/01 and 31/01 (ÉRABLE's membership runs to 31/01: she is convened too); excused
    # on 05/02
    assert months_of(conn, saule)[("bureau", date(2024, 1, 1))] == (2, 0, 0, 0, 2, 0, 0)
    assert months_of(conn, saule)[("bureau", date(2024, 2, 1))] == (1, 0, 0, 1, 0, 0, 0)


def test_stale_tallies_stay_stale_after_a_write_of_a_few_sittings(conn: duckdb.DuckDBPyConnection,
                                                                  recounts: list) -> None:
    fixture(conn)
    conn.execute("UPDATE attendance SET status = 'absent' WHERE meeting_id = 3 AND person_id = 1")  # a SQL shell
    save(conn, "bureau", date(2024, 2, 1))
    assert recounts == [None, [("bureau", date(2024, 2, 1))]]
    assert not store_tallies.tallies_fresh(conn.cursor())  # the outside change keeps them untrusted
    from_rows = every_level(conn)
    refresh(conn)
    assert_same_levels(every_level(conn), from_rows)


def test_a_write_that_names_too_few_sittings_leaves_them_stale(conn: duckdb.DuckDBPyConnection) -> None:
    fixture(conn)
    cur = conn.cursor()
    cur.execute("BEGIN TRANSACTION")
    cur.execute("UPDATE attendance SET status = 'excused' WHERE meeting_id = 12 AND person_id = 2")  # B2
    store_tallies.refresh_tallies(cur, [("bureau", date(2024, 1, 8))])  # names B1 only
    cur.execute("COMMIT")
    assert not store_tallies.tallies_fresh(conn.cursor())
    cur.execute("BEGIN TRANSACTION")
    cur.execute("UPDATE attendance SET status = 'absent' WHERE meeting_id = 12 AND person_id = 2")  # back
    store_tallies.refresh_tallies(cur, [("bureau", date(2024, 2, 5))])
    cur.execute("COMMIT")
    assert not store_tallies.tallies_fresh(conn.cursor())  # B2's tallies right, the fingerprint still not


def test_a_membership_change_recounts_everything(conn: duckdb.DuckDBPyConnection, recounts: list) -> None:
    fixture(conn)
    cur = conn.cursor()
    cur.execute("BEGIN TRANSACTION")
    cur.execute("UPDATE memberships SET end_date = DATE '2024-02-15' WHERE person_id = 2 AND body_code = 'bureau'")
    store_tallies.refresh_tallies(cur, [("bureau", date(2024, 1, 8))])
    cur.execute("COMMIT")
    assert recounts == [None, None]
    assert_exact(conn)


def test_the_share_of_every_sitting_is_the_fingerprint(conn: duckdb.DuckDBPyConnection) -> None:
    # the share query hashes as the view attendance_fingerprint does: over every sitting they are equal
    fixture_db.build(conn)
    cur = conn.cursor()
    sittings = cur.execute("SELECT body_code, meeting_date FROM meetings").fetchall()
    share = cur.execute(query("attendance_tallies_share"),
                        {"bodies": [b for b, _ in sittings], "days": [d for _, d in sittings]}).fetchall()[0]
    whole = cur.execute("SELECT attendance_rows, attendance_hash, meetings_rows, meetings_hash "
                        "FROM attendance_fingerprint").fetchall()[0]
    assert share == whole
    assert share[0] == len(fixture_db.ATTENDANCE) and share[2] == len(fixture_db.MEETINGS)
