"""Erasing a person: the name leaves every table and the bytes of the file, every anonymous count stays."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from analytics import cli
from analytics.access import auth, privacy
from analytics.rules import attendance
from analytics.store import backup, db
from analytics.wording.text import fold
from tests import fixture_db

# DUPONT Anne (person 1, Mulhouse): member of conseil, bureau (twice) and forum, present at many meetings, and
# holder of the proxies of MARTIN (C1, C3) and PETIT (C3): every kind of reference to a person.
DUPONT = 1


@pytest.fixture
def built(conn: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """The fixture year, plus traces of Anne Dupont's name in the logs, as corrections and exports leave them."""
    fixture_db.build(conn)
    conn.execute("INSERT INTO import_log (import_id, username, source, file_names, rows_added, rows_updated, "
                 "rows_unchanged) VALUES (1, 'sam', 'ui', 'presences.csv, courrier Anne  DUPONT.csv', 1, 1, 0), "
                 "(2, 'sam', 'cli', 'membres.csv', 3, 0, 0)")
    conn.execute(
        "INSERT INTO change_log (import_id, username, table_name, row_key, column_name, old_value, new_value) VALUES "
        # a correction of the person's own row, as a future name-editing form would log it
        "(1, 'sam', 'persons', '1', 'last_name', 'Dupond', 'Dupont'), "
        "(1, 'sam', 'persons', '1', 'first_name', 'Ane', 'Anne'), "
        "(1, 'sam', 'persons', '1', 'match_key', 'dupond|ane|68224', 'dupont|anne|68224'), "
        "(1, 'sam', 'persons', '1', 'commune_insee', '68166', '68224'), "
        # a value naming her in free text, in another case and with accents
        "(1, 'sam', 'meetings', '1', 'note', 'pouvoir remis à DUPÔNT anne', NULL), "
        # other people's changes stay as they are
        "(1, 'sam', 'attendance', '1/2', 'status', 'absent', 'proxy'), "
        "(2, 'sam', 'persons', '2', 'last_name', 'Martinn', 'Martin')"
    )
    auth.audit(conn, "sam", "export_named", "fiche de Anne Dupont (Mulhouse)", at=datetime(2024, 7, 2, 10, 0))
    auth.audit(conn, "lea", "login", "compte local", at=datetime(2024, 7, 2, 9, 0))
    return conn


def indicators(conn: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """Anonymous figures: counts per body, commune and status by plain SQL, and the engine's own indicators."""
    cur = conn.cursor()
    plain = {
        "attendance": cur.execute(
            "SELECT m.body_code, p.commune_insee, a.status, count(*) FROM attendance AS a "
            "JOIN meetings AS m USING (meeting_id) JOIN persons AS p USING (person_id) GROUP BY ALL ORDER BY ALL"
        ).fetchall(),
        "delegates": cur.execute(
            "SELECT p.commune_insee, a.status, count(*) FROM attendance AS a "
            "JOIN persons AS p ON p.person_id = a.delegate_id GROUP BY ALL ORDER BY ALL").fetchall(),
        "memberships": cur.execute(
            "SELECT ms.body_code, p.commune_insee, ms.role, count(*) FROM memberships AS ms "
            "JOIN persons AS p USING (person_id) GROUP BY ALL ORDER BY ALL").fetchall(),
        "attendance_rows": cur.execute("SELECT * FROM attendance ORDER BY ALL").fetchall(),
        "membership_rows": cur.execute("SELECT * FROM memberships ORDER BY ALL").fetchall(),
        "meetings": cur.execute("SELECT * FROM meetings ORDER BY ALL").fetchall(),
        "person_ids": cur.execute("SELECT person_id, commune_insee FROM persons ORDER BY ALL").fetchall(),
    }
    # NaN (a rate with nothing recorded) never equals itself: compare it as None
    engine = {by: attendance.counts(conn, date(2024, 1, 1), date(2024, 12, 31), by).astype(object)
              .where(lambda frame: frame.notna(), None).to_dict("records")
              for by in ("body", "commune", "sector", "meeting")}
    return plain | engine


def text_values(conn: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(table, column, value) for every non-null value of every VARCHAR column of every table."""
    cur = conn.cursor()
    columns = cur.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE data_type = 'VARCHAR' AND table_schema = 'main' ORDER BY ALL").fetchall()
    assert ("persons", "last_name") in columns and ("audit_events", "detail") in columns
    values = []
    for table, column in columns:
        # identifiers from the catalogue, quoted; this is a test, not a query of the application
        rows = cur.execute(f'SELECT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL').fetchall()
        values += [(table, column, value) for (value,) in rows]
    return values


def naming(conn: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """Every stored value that names Anne Dupont: "dupon…" anywhere (Dupont, DUPÔNT, the misspelt Dupond), or her
    first name (Anne, the misspelt Ane) as a whole value or a part of a match key."""
    return [(t, c, v) for t, c, v in text_values(conn)
            if "dupon" in fold(v) or {"anne", "ane"} & set(fold(v).split("|"))]


def test_erasure_keeps_every_indicator_and_removes_the_name(built: duckdb.DuckDBPyConnection) -> None:
    before = indicators(built)
    assert len(naming(built)) == 12  # the test looks where the name really is: persons 3, change_log 6, logs 3
    persons_before = built.execute("SELECT count(*) FROM persons").fetchall()

    privacy.erase_person(built, DUPONT, "adele")

    assert indicators(built) == before
    assert naming(built) == []
    assert built.execute("SELECT * FROM persons WHERE person_id = 1").fetchall() == [
        (1, "ANONYME", "n° 1", "68224", "effacé|1", None)]  # no identifier left either
    assert built.execute("SELECT count(*) FROM persons").fetchall() == persons_before  # no placeholder left
    assert built.execute(
        "SELECT row_key, column_name, old_value, new_value FROM change_log ORDER BY change_id").fetchall() == [
        ("1", "last_name", "ANONYME", "ANONYME"),
        ("1", "first_name", "n° 1", "n° 1"),
        ("1", "match_key", "effacé|1", "effacé|1"),
        ("1", "commune_insee", "68166", "68224"),
        ("1", "note", "ANONYME n° 1", None),
        ("1/2", "status", "absent", "proxy"),
        ("2", "last_name", "Martinn", "Martin"),
    ]
    assert built.execute("SELECT file_names FROM import_log ORDER BY import_id").fetchall() == [
        ("[noms de fichiers effacés]",), ("membres.csv",)]
    assert built.execute("SELECT username, event, detail FROM audit_events ORDER BY id").fetchall() == [
        ("sam", "export_named", "donnée effacée (personne n° 1)"),
        ("lea", "login", "compte local"),
        ("adele", "erase_person", "personne n° 1"),
    ]
    # the others are untouched
    assert built.execute("SELECT last_name, first_name, match_key FROM persons WHERE person_id = 7").fetchall() == [
        ("Étienne", "Zoé", "etienne|zoe|68376")]


def test_erasure_of_a_person_nobody_refers_to(built: duckdb.DuckDBPyConnection) -> None:
    built.execute("INSERT INTO persons (person_id, last_name, first_name, commune_insee, match_key) "
                  "VALUES (50, 'O''Brien', 'Seán', NULL, 'o''brien|sean|')")
    privacy.erase_person(built, 50, "adele")
    assert built.execute("SELECT * FROM persons WHERE person_id = 50").fetchall() == [
        (50, "ANONYME", "n° 50", None, "effacé|50", None)]


def test_erasing_twice_or_nobody(built: duckdb.DuckDBPyConnection) -> None:
    privacy.erase_person(built, DUPONT, "adele")
    after = indicators(built), text_values(built)
    privacy.erase_person(built, DUPONT, "adele")  # nothing named is left: a no-op
    assert (indicators(built), text_values(built)) == after
    with pytest.raises(privacy.PersonNotFound, match="Aucune personne n° 999."):
        privacy.erase_person(built, 999, "adele")


def test_an_erasure_stopped_half_way_is_completed(built: duckdb.DuckDBPyConnection,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    before = indicators(built)

    def crash(*args: object) -> None:
        raise KeyboardInterrupt  # the process stops right after the first transaction

    monkeypatch.setattr(privacy, "_finish", crash)
    with pytest.raises(KeyboardInterrupt):
        privacy.erase_person(built, DUPONT, "adele")
    monkeypatch.undo()
    # the name is already gone; her rows sit on a placeholder of the same commune, so per-commune and per-body
    # figures are still exact
    assert [v for t, c, v in naming(built) if c != "match_key"] == []
    assert indicators(built)["attendance"] == before["attendance"]
    assert indicators(built)["body"] == before["body"] and indicators(built)["commune"] == before["commune"]
    assert len(built.execute("SELECT * FROM persons WHERE starts_with(match_key, 'effacé-en-cours|')").fetchall()) == 1
    assert privacy.find_person(built, "anonyme").empty

    assert privacy.finish_erasures(built) == 1
    assert indicators(built) == before
    assert naming(built) == []
    assert privacy.finish_erasures(built) == 0


def test_a_placeholder_left_after_the_second_step_is_removed(built: duckdb.DuckDBPyConnection) -> None:
    privacy.erase_person(built, DUPONT, "adele")
    after = indicators(built)
    # as if the process had stopped between steps (2) and (3): the placeholder is left, referenced by nothing
    built.execute("INSERT INTO persons (person_id, last_name, first_name, commune_insee, match_key) "
                  "VALUES (99, 'ANONYME', 'n° 1', '68224', 'effacé-en-cours|1')")
    assert privacy.finish_erasures(built) == 1
    assert built.execute("SELECT count(*) FROM persons WHERE person_id = 99").fetchall() == [(0,)]
    assert indicators(built) == after


def test_find_person_ignores_case_accents_and_order(built: duckdb.DuckDBPyConnection) -> None:
    def ids(text: str) -> list[int]:
        return privacy.find_person(built, text)["person_id"].tolist()

    assert ids("etienne") == [7] and ids("ZOE  Étienne") == [7] and ids("  étienne zoé ") == [7]
    assert ids("DUPONT Anne") == [1] and ids("anne dupont") == [1]
    assert ids("ar") == [3, 2]  # BERNARD Marie, MARTIN Luc: sorted by name
    assert ids("") == [] and ids("   ") == [] and ids("personne") == []
    assert ids("'; DROP TABLE persons; --") == []
    found = privacy.find_person(built, "dupont").iloc[0].to_dict()
    assert (found["commune_name"], found["memberships"], found["attendance_rows"]) == ("Mulhouse", 4, 12)
    privacy.erase_person(built, DUPONT, "adele")
    assert ids("dupont") == []


# --- command line ---------------------------------------------------------------------------------------------

@pytest.fixture
def closed(built: duckdb.DuckDBPyConnection, db_file: Path) -> Path:
    """The fixture database, closed so that the command can open it."""
    built.close()
    return db_file


def test_erase_command_by_id(closed: Path, capsys: pytest.CaptureFixture[str],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "cli_username", lambda: "cli:test")
    assert cli.erase_command(1, None, str(closed), yes=True) == 0
    out = capsys.readouterr().out
    assert "Personne à effacer : n° 1 DUPONT Anne (Mulhouse) — 4 appartenances, 12 présences enregistrées." in out
    assert "Personne n° 1 effacée." in out
    assert cli.erase_command(1, None, str(closed), yes=True) == 0
    assert "La personne n° 1 est déjà effacée." in capsys.readouterr().out
    assert cli.erase_command(999, None, str(closed), yes=True) == 1
    assert "Aucune personne n° 999." in capsys.readouterr().err
    conn = db.connect(closed)
    assert conn.execute("SELECT last_name FROM persons WHERE person_id = 1").fetchall() == [("ANONYME",)]
    assert conn.execute("SELECT username, detail FROM audit_events WHERE event = 'erase_person'").fetchall() == [
        ("cli:test", "personne n° 1")]
    conn.close()


def test_erase_command_by_name_asks_first(closed: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter(["non", "oui"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    assert cli.erase_command(None, "étienne ZOÉ", str(closed), yes=False) == 1
    assert "Abandon : rien n'a été effacé." in capsys.readouterr().err
    conn = db.connect(closed)
    assert conn.execute("SELECT last_name FROM persons WHERE person_id = 7").fetchall() == [("Étienne",)]
    conn.close()
    assert cli.erase_command(None, "étienne ZOÉ", str(closed), yes=False) == 0
    assert "n° 7 ÉTIENNE Zoé (Wittenheim) — 1 appartenance, 0 présence enregistrée" in capsys.readouterr().out
    conn = db.connect(closed)
    assert conn.execute("SELECT last_name FROM persons WHERE person_id = 7").fetchall() == [("ANONYME",)]
    conn.close()


def test_erase_command_refuses_ambiguous_or_unknown_names(closed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.erase_command(None, "ar", str(closed), yes=True) == 1
    err = capsys.readouterr().err
    assert "2 personnes correspondent à « ar » :" in err and "Relancez avec --id N" in err
    assert "n° 3 BERNARD Marie (Wittenheim)" in err and "n° 2 MARTIN Luc (Kingersheim)" in err
    assert cli.erase_command(None, "Personne Inconnue", str(closed), yes=True) == 1
    assert "Aucune personne ne correspond à « Personne Inconnue »." in capsys.readouterr().err
    assert cli.erase_command(1, "DUPONT Anne", str(closed), yes=True) == 1
    assert cli.erase_command(None, None, str(closed), yes=True) == 1
    missing = closed.with_name("absente.duckdb")
    assert cli.erase_command(1, None, str(missing), yes=True) == 1
    assert f"La base de données {missing} n'existe pas." in capsys.readouterr().err and not missing.exists()
    conn = db.connect(closed)
    assert conn.execute("SELECT count(*) FROM persons WHERE last_name = 'ANONYME'").fetchall() == [(0,)]
    conn.close()


# --- what an erasure recognises, and what it leaves in the file -------------------------------------------------

def test_the_scrubs_find_the_name_in_its_forms(built: duckdb.DuckDBPyConnection) -> None:
    built.execute("INSERT INTO persons (person_id, last_name, first_name, commune_insee, match_key) "
                  "VALUES (50, 'Le Goff', 'Yann', '68224', 'le goff|yann|68224')")
    files = {
        # they name Anne Dupont or Yann Le Goff: the last name as words, a long part of it, both names glued
        "DUPONT.csv": True, "courrier_dupont_2024.xlsx": True, "AnneDupont.csv": True, "dupont-anne.ods": True,
        "Dupônt (copie).csv": True, "LE-GOFF Y.csv": True, "goff.csv": True, "YannLeGoff.csv": True,
        # they do not: another word that begins like the name, a first name or a particle alone
        "Dupontel.csv": False, "anne.csv": False, "le.csv": False, "yann.csv": False, "membres.csv": False,
    }
    for index, name in enumerate(files, start=10):
        built.execute("INSERT INTO import_log (import_id, username, source, file_names, rows_added, rows_updated, "
                      "rows_unchanged) VALUES (?, 'sam', 'ui', ?, 0, 0, 0)", [index, name])
        auth.audit(built, "sam", "export_named", f"export {name}")
    privacy.erase_person(built, DUPONT, "adele")
    privacy.erase_person(built, 50, "adele")
    kept = {name for (name,) in built.execute("SELECT file_names FROM import_log WHERE import_id >= 10").fetchall()}
    assert kept == {name for name, names in files.items() if not names} | {"[noms de fichiers effacés]"}
    details = {detail for (detail,) in built.execute("SELECT detail FROM audit_events").fetchall()}
    assert {f"export {name}" for name, names in files.items() if not names} <= details
    assert not {f"export {name}" for name, names in files.items() if names} & details


def traces(path: Path, name: str) -> dict[str, int]:
    """How many times the name's bytes appear in the file and its write-ahead log, whatever the case."""
    needles = {form.encode() for form in (name, name.lower(), name.upper(), name.title(), fold(name))}
    found = {}
    for file in (path, path.with_name(path.name + ".wal")):
        if file.exists():
            data = file.read_bytes()
            found[file.name] = sum(data.count(needle) + data.lower().count(needle.lower()) for needle in needles)
    return found


def unique_person(conn: duckdb.DuckDBPyConnection) -> tuple[int, str]:
    """A person whose last name no other stored text holds (else its bytes stay, rightly, after the erasure)."""
    values = text_values(conn)
    for person_id, last_name in conn.execute(
            "SELECT person_id, last_name FROM persons WHERE length(last_name) >= 5 ORDER BY person_id").fetchall():
        if len([v for t, c, v in values if fold(last_name) in fold(v)]) == 2:  # its own last_name and match_key
            return person_id, last_name
    raise AssertionError("no person with a name of their own")


def by_commune(conn: duckdb.DuckDBPyConnection) -> list[tuple]:
    return conn.execute("SELECT p.commune_insee, a.status, count(*) FROM attendance AS a JOIN persons AS p "
                        "USING (person_id) GROUP BY ALL ORDER BY ALL").fetchall()


@pytest.fixture
def demo_copy(demo_file: Path, tmp_path: Path) -> Path:
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_file, path)
    return path


def test_erase_person_leaves_no_byte_of_the_name(demo_copy: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    conn = db.connect(demo_copy)
    person_id, last_name = unique_person(conn)
    counts = by_commune(conn)
    conn.close()
    assert sum(traces(demo_copy, last_name).values()) > 0  # the scan does see the name before

    assert cli.main(["erase-person", "--id", str(person_id), "--db", str(demo_copy), "--yes"]) == 0
    assert "Fichier de la base réécrit : aucun bloc libre ne garde le nom effacé." in capsys.readouterr().out
    assert traces(demo_copy, last_name) == {demo_copy.name: 0}
    assert not db.rewrite_marker(demo_copy).exists()
    conn = db.connect(demo_copy)
    assert by_commune(conn) == counts
    # a backup made afterwards holds no trace either
    backup.backup(conn, tmp_path / "copie")
    conn.close()
    for file in (tmp_path / "copie").iterdir():
        assert last_name.encode() not in file.read_bytes().upper()
        if file.suffix == ".parquet":
            assert fold(last_name) not in fold(str(pq.read_table(file).to_pylist()))


def test_an_erasure_from_the_dashboard_is_rewritten_at_the_next_start(demo_copy: Path) -> None:
    conn = db.connect(demo_copy)  # the dashboard's shared connection
    person_id, last_name = unique_person(conn)
    privacy.erase_person(conn, person_id, "adele")
    # while it runs: the write-ahead log no longer holds the name, the file's free blocks may, and the rewrite
    # waits, since this process holds the file
    assert traces(demo_copy, last_name).get(demo_copy.name + ".wal", 0) == 0
    assert db.rewrite_marker(demo_copy).exists()
    assert db.rewrite(demo_copy) is False and db.rewrite_marker(demo_copy).exists()
    conn.close()
    conn = db.connect(demo_copy)  # the next start
    assert not db.rewrite_marker(demo_copy).exists()
    assert conn.execute("SELECT last_name FROM persons WHERE person_id = ?", [person_id]).fetchall() == [("ANONYME",)]
    conn.close()
    assert traces(demo_copy, last_name) == {demo_copy.name: 0}


def test_erasure_keeps_the_rows_bounded_to_points(built: duckdb.DuckDBPyConnection) -> None:
    # (issue 12) C3 with an agenda: PETIT excused for point 1 then a proxy to DUPONT from point 2; DUPONT is erased,
    # her id stays on PETIT's bounded row (the erasure moves these rows to its placeholder and back, as attendance)
    cur = built.cursor()
    cur.execute("INSERT INTO agenda_items VALUES (3, 1, '1', 'Ouverture'), (3, 2, '2', 'Budget')")
    cur.execute("INSERT INTO attendance_spans VALUES (3, 4, 1, NULL, '1', 'excused', NULL), "
                "(3, 4, 2, '2', NULL, 'proxy', 1), (3, 1, 1, NULL, '1', 'present', NULL)")
    before = cur.execute("SELECT * FROM attendance_spans ORDER BY ALL").fetchall()
    privacy.erase_person(built, 1, "admin")
    assert cur.execute("SELECT * FROM attendance_spans ORDER BY ALL").fetchall() == before
    assert cur.execute("SELECT last_name FROM persons WHERE person_id = 1").fetchall() == [("ANONYME",)]
