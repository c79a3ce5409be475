"""Erasing a person: the name leaves every table, every anonymous count stays."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from tests import fixture_db
from analytics import cli
from analytics.access import auth, privacy
from analytics.rules import attendance
from analytics.store import db
from analytics.wording.text import fold

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
