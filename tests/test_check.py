"""`python -m analytics check`: a sound base passes with a short French report; a base corrupted on purpose fails
with one French line per problem, and the check itself never writes."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from analytics import cli
from analytics.access import auth, privacy
from analytics.ingest import importer
from analytics.store import backup, check, db, tallies
from tests.support import ROOT


@pytest.fixture
def base(demo_copy: Path) -> Path:
    """A copy of the shared demo base, free to corrupt."""
    return demo_copy


def run(capsys: pytest.CaptureFixture[str], path: Path, *options: str) -> tuple[int, str]:
    """The check command on `path`: its exit code and everything it printed."""
    code = cli.main(["check", "--db", str(path), *options])
    out = capsys.readouterr()
    return code, out.out + out.err


def corrupt(path: Path, *statements: str) -> None:
    """Change the base by plain SQL, as a shell would: no refresh of the tallies, no validation."""
    conn = duckdb.connect(str(path))
    try:
        for statement in statements:
            conn.execute(statement)
    finally:
        conn.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------------------------------------------------------
# Sound bases

def test_the_demo_base_passes_with_a_short_report(base: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = digest(base)
    code, out = run(capsys, base)
    assert code == 0, out
    assert out.splitlines()[0] == (f"Base {base} : aucune anomalie (schéma version {check.latest_version()}, "
                                   "12 vérifications).")
    assert "Lignes : personnes 266" in out
    assert "ERREUR" not in out and "ATTENTION" not in out
    assert digest(base) == before  # read-only: not one byte changed


def test_the_json_report_lists_the_checks_and_the_rows(base: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, base, "--json")
    report = json.loads(out)
    assert code == 0
    assert report["ok"] is True and report["errors"] == [] and report["warnings"] == []
    assert report["schema_version"] == report["expected_version"] == check.latest_version()
    assert report["checked"] == list(check.CHECKS)
    assert report["tallies_fresh"] is True
    assert report["rows"]["communes"] == 39


def test_a_base_upgraded_step_by_step_has_the_schema_of_a_new_one(tmp_path: Path) -> None:
    # a file created at version 2, then upgraded: its structure equals that of a base built by all migrations
    path = tmp_path / "ancienne.duckdb"
    conn = duckdb.connect(str(path))
    db.migrate(conn, up_to=2)
    conn.close()
    conn = db.connect(path)
    report = check.check(conn)
    conn.close()
    assert report.ok, report.findings
    assert report.findings == []


def test_a_restored_backup_passes(base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the restore drill of docs/exploitation.md: backup, restore into a scratch file, check
    conn = db.connect(base)
    manifest = backup.backup(conn, tmp_path / "sauvegarde")
    conn.close()
    backup.restore(tmp_path / "sauvegarde", tmp_path / "essai.duckdb")
    code, out = run(capsys, tmp_path / "essai.duckdb", "--json")
    report = json.loads(out)
    assert code == 0, out
    assert report["rows"] == manifest["rows"]


def test_a_base_after_an_import_and_an_erasure_passes(base: Path) -> None:
    # the write paths keep every promise the check counts again (and their temporary objects are not the schema's)
    conn = db.connect(base)
    privacy.erase_person(conn, 1, "test")
    result = importer.import_sources(conn, [("seances.csv", "instance;date;statut\nconseil;2030-01-15;prévue\n"
                                                             .encode())])
    assert result.added == 1
    report = check.check(conn)
    conn.close()
    assert report.ok and report.findings == [], report.findings


def test_check_on_a_working_connection_leaves_nothing_behind(base: Path) -> None:
    # the recount hides the tally tables behind temporary twins on a cursor of its own: none survives it
    conn = db.connect(base)
    stored = conn.execute("SELECT count(*) FROM attendance_meeting_tallies").fetchall()
    assert check.check(conn).ok
    assert conn.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchall() == [(0,)]
    assert conn.execute("SELECT count(*) FROM attendance_meeting_tallies").fetchall() == stored
    assert tallies.tallies_fresh(conn.cursor())
    conn.close()


@pytest.mark.parametrize("column, values", [
    ("status", "attendance_statuses"), ("family", "families"), ("cadence_rule", "cadence_rules"),
    ("source", "import_sources"), ("event", "audit_events"), ("role", "roles"), ("format", "meeting_formats"),
    ("meeting_type", "meeting_types"),
])
def test_the_accepted_values_are_those_of_the_schema(column: str, values: str) -> None:
    # the sets bound to check_values.sql are read again from the CHECK constraints a new database carries
    conn = duckdb.connect(":memory:")
    db.migrate(conn)
    texts = [t for (t,) in conn.execute("SELECT constraint_text FROM duckdb_constraints() WHERE constraint_type = "
                                        "'CHECK'").fetchall() if re.search(rf"\(\(?\"?{column}\"? IN \(", t)]
    conn.close()
    schema_sets = [re.findall(r"'([^']*)'", t.split(" IN (", 1)[1].split(")", 1)[0]) for t in texts]
    assert list(check.accepted_values()[values]) in schema_sets
    assert check.AUDIT_EVENTS == auth.EVENTS


# ---------------------------------------------------------------------------------------------------------------
# Bases corrupted on purpose: exit code 1 and the right French line

def first_meeting(path: Path) -> int:
    conn = duckdb.connect(str(path), read_only=True)
    try:
        return conn.execute("SELECT min(meeting_id) FROM attendance_meeting_tallies").fetchall()[0][0]
    finally:
        conn.close()


def test_an_altered_meeting_tally_fails(base: Path, capsys: pytest.CaptureFixture[str]) -> None:
    meeting = first_meeting(base)
    corrupt(base, f"UPDATE attendance_meeting_tallies SET present = present + 1 WHERE meeting_id = {meeting}")
    code, out = run(capsys, base)
    assert code == 1
    assert out.splitlines()[0] == f"Base {base} : 1 anomalie, la base n'est pas saine."
    assert ("ERREUR : Compteurs pré-agrégés par séance : 1 séance dont les comptes enregistrés diffèrent d'un "
            "recomptage, alors que leur empreinte les dit à jour : les indicateurs seraient faux.") in out
    assert f"séance n° {meeting} (" in out


def test_rows_changed_outside_the_application_only_warn(base: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # a SQL shell changes a status: the tallies are no longer fresh, the indicators count from the rows
    corrupt(base, "UPDATE attendance SET status = 'absent' WHERE status = 'present' AND "
                  "(meeting_id, person_id) IN (SELECT (meeting_id, person_id) FROM attendance "
                  "WHERE status = 'present' ORDER BY ALL LIMIT 1)")
    code, out = run(capsys, base, "--json")
    report = json.loads(out)
    assert code == 0
    assert report["tallies_fresh"] is False
    [warning] = report["warnings"]
    assert warning["message"].startswith("Compteurs pré-agrégés : pas à jour")


def test_a_schema_behind_fails_and_stops(base: Path, capsys: pytest.CaptureFixture[str]) -> None:
    latest = check.latest_version()
    corrupt(base, f"DELETE FROM schema_version WHERE version = {latest}")
    before = digest(base)
    code, out = run(capsys, base)
    assert code == 1
    assert (f"ERREUR : Version du schéma : la base est en version {latest - 1}, ce logiciel attend la version "
            f"{latest}. Elle sera mise à niveau à sa prochaine ouverture") in out
    assert "Vérifié : version du schéma." in out
    assert digest(base) == before  # the check never migrates


def test_a_file_that_is_not_a_base_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "autre.duckdb"
    corrupt(path, "CREATE TABLE t (x INTEGER)")
    code, out = run(capsys, path)
    assert code == 1
    assert "Ce fichier n'est pas une base de Gouvernance m2A" in out


def test_a_missing_base_cannot_be_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, tmp_path / "absente.duckdb")
    assert code == 2
    assert "Vérification impossible : La base de données" in out and "n'existe pas" in out
    assert not (tmp_path / "absente.duckdb").exists()


def test_a_base_held_by_another_program_cannot_be_checked(base: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the dashboard holds its base read-write: the check says so, in French, with its own exit code
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ok', flush=True); "
                               "time.sleep(60)", str(base)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        code, out = run(capsys, base)
    finally:
        holder.kill()
        holder.wait(timeout=10)
    assert code == 2
    assert "est ouverte en écriture par un autre programme" in out


# attendance dropped and recreated by hand, without its keys and checks, with its rows
WITHOUT_CONSTRAINTS = (
    "CREATE TEMP TABLE saved AS SELECT * FROM attendance",
    "DROP TABLE attendance",
    "CREATE TABLE attendance (meeting_id INTEGER, person_id INTEGER, status VARCHAR, delegate_id INTEGER)",
    "INSERT INTO attendance SELECT * FROM saved",
)


def recreate_attendance_without_constraints(path: Path, *statements: str) -> None:
    """Attendance dropped and recreated by hand, without its keys and checks, with its rows, then `statements`."""
    corrupt(path, *WITHOUT_CONSTRAINTS, *statements)


def test_a_table_recreated_without_constraints_fails(base: Path, capsys: pytest.CaptureFixture[str]) -> None:
    recreate_attendance_without_constraints(base)
    code, out = run(capsys, base, "--json")
    report = json.loads(out)
    assert code == 1
    [error] = report["errors"]
    assert error["check"] == "structure"
    # 4 CHECKs (migration 009 split the delegate one in two: a substitution names its substitute; only a proxy or a
    # substitution names a delegate), 3 NOT NULL, the key…; no foreign key since migration 010
    assert error["message"].startswith("Structure : 11 éléments du schéma attendu manquent à la base")
    assert any(e.startswith("colonne attendance : meeting_id INTEGER NOT NULL") for e in error["examples"])


@pytest.mark.parametrize(("statements", "expected"), [
    pytest.param(
        ("DELETE FROM attendance_month_tallies WHERE (person_id, body_code, month) IN "
         "(SELECT (person_id, body_code, month) FROM attendance_month_tallies ORDER BY ALL LIMIT 2)",
         "INSERT INTO attendance_month_tallies SELECT * FROM attendance_month_tallies ORDER BY ALL DESC LIMIT 1"),
        ("ERREUR : Compteurs pré-agrégés par mois : 3 lignes (personne, instance, mois) diffèrent",),
        id="a_missing_or_doubled_month_tally"),
    pytest.param(
        ("INSERT INTO schema_version (version) VALUES (99)",),
        (f"la base est en version 99, plus récente que ce logiciel (version {check.latest_version()})",),
        id="a_schema_ahead"),
    pytest.param(
        (*WITHOUT_CONSTRAINTS,
         "UPDATE attendance SET status = 'presnt' WHERE (meeting_id, person_id) IN "
         "(SELECT (meeting_id, person_id) FROM attendance WHERE status = 'present' ORDER BY ALL LIMIT 2)",
         # a substitution naming no substitute (a proxy may name no holder: migration 009)
         "UPDATE attendance SET status = 'substituted' WHERE (meeting_id, person_id) IN "
         "(SELECT (meeting_id, person_id) FROM attendance WHERE status = 'present' ORDER BY ALL LIMIT 1 OFFSET 5)"),
        ("ERREUR : Valeurs : 2 lignes de présences (attendance) avec status « presnt », hors des valeurs admises.",
         "ERREUR : Valeurs : 1 ligne de présences (attendance) au statut suppléé sans suppléant nommé."),
        id="a_status_outside_its_set"),
    pytest.param(
        (*WITHOUT_CONSTRAINTS,
         "INSERT INTO attendance VALUES (999999, 1, 'present', NULL)",
         "INSERT INTO attendance VALUES (1, 888888, 'proxy', 777777)",
         "INSERT INTO attendance SELECT * FROM attendance ORDER BY ALL LIMIT 1"),
        ("ERREUR : Rattachements : 1 ligne de présences (attendance) dont meeting_id ne désigne aucune ligne de "
         "séances (meetings) (exemple : meeting_id = 999999).",
         "dont person_id ne désigne aucune ligne de personnes (persons) (exemple : person_id = 888888).",
         "dont delegate_id ne désigne aucune ligne de personnes (persons) (exemple : delegate_id = 777777).",
         "ERREUR : Clés : 1 valeur en double de meeting_id, person_id dans présences (attendance), que le schéma "
         "déclare unique"),
        id="orphan_and_duplicate_rows"),
    pytest.param(
        # the UNIQUE key is (person, body, start): a second period starting a day later passes the schema, not the
        # check
        ("INSERT INTO memberships (person_id, body_code, role, start_date, end_date) "
         "SELECT person_id, body_code, role, start_date + 1, end_date FROM memberships "
         "WHERE end_date IS NULL OR end_date > start_date + 1 ORDER BY membership_id LIMIT 1",),
        ("ERREUR : Appartenances : 1 paire d'appartenances d'une même personne à une même instance se "
         "chevauchent ; l'import le refuse.",),
        id="overlapping_memberships"),
    pytest.param(
        ("INSERT INTO meetings (body_code, meeting_date, status) VALUES ('conseil', DATE '2021-08-15', 'cancelled')",
         "INSERT INTO attendance SELECT m.meeting_id, s.person_id, 'present', NULL FROM meetings AS m, memberships "
         "AS s WHERE m.meeting_date = DATE '2021-08-15' AND m.body_code = 'conseil' AND s.body_code = 'conseil' "
         "AND s.start_date <= DATE '2021-08-15' ORDER BY s.membership_id LIMIT 3"),
        ("ERREUR : Présences : 1 séance non tenue (annulée ou prévue) porte des lignes de présence ; "
         "l'import et la saisie le refusent, les indicateurs les ignorent.",
         "(conseil du 15/08/2021) : annulée, 3 lignes de présence"),
        id="attendance_at_a_cancelled_meeting"),
    pytest.param(
        ("UPDATE attendance SET status = 'substituted', delegate_id = (SELECT max(person_id) FROM persons) "
         "WHERE (meeting_id, person_id) IN (SELECT (meeting_id, person_id) FROM attendance WHERE meeting_id "
         "= (SELECT min(meeting_id) FROM attendance) AND person_id <> (SELECT max(person_id) FROM persons) "
         "ORDER BY ALL LIMIT 2)",),
        ("ERREUR : Suppléances : 1 fois un suppléant remplace plusieurs titulaires à une même séance",),
        id="one_substitute_for_two_titulars"),
])
def test_a_corrupted_base_fails(base: Path, capsys: pytest.CaptureFixture[str], statements: tuple[str, ...],
                                expected: tuple[str, ...]) -> None:
    # each case corrupts a copy of the demo base one way: exit code 1 and each of its French lines in the report
    corrupt(base, *statements)
    code, out = run(capsys, base)
    assert code == 1
    for line in expected:
        assert line in out


def test_attendance_of_a_former_member_only_warns(base: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # a membership shortened by hand leaves sign-in rows the indicators do not count: a warning, not a failure
    corrupt(base, "UPDATE memberships SET end_date = start_date WHERE membership_id = (SELECT min(s.membership_id) "
                  "FROM memberships AS s JOIN meetings AS m ON m.body_code = s.body_code JOIN attendance AS a "
                  "ON a.meeting_id = m.meeting_id AND a.person_id = s.person_id WHERE m.meeting_date > s.start_date "
                  "AND s.role <> 'substitute')")
    code, out = run(capsys, base)
    assert code == 0, out
    assert re.search(r"ATTENTION : Présences : [\d  ]+ lignes? d'une personne qui n'était pas membre de l'instance",
                     out)
    assert "ATTENTION : Compteurs pré-agrégés : pas à jour" in out


def test_a_check_that_cannot_run_is_reported_and_the_others_run(base: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(cur: duckdb.DuckDBPyConnection) -> list[check.Finding]:
        cur.execute("SELECT * FROM no_such_table")
        return []

    monkeypatch.setattr(check, "_keys", broken)
    conn = duckdb.connect(str(base), read_only=True)
    report = check.check(conn)
    conn.close()
    [error] = report.errors
    assert error.message.startswith("Vérification « clés uniques » impossible : Catalog Error")
    assert report.checked == list(check.CHECKS)
