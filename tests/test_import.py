"""Import of the templates: all or nothing, every error located in French, idempotent."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from analytics.ingest import importer
from tests.support import ROOT, snapshot

MEMBERS = """nom;prenom;commune;instance;role;debut;fin
HÊTRE;Anne;Mulhouse;conseil;conseiller communautaire;2020-07-16;
SAULE;Paul;68166;conseil;vice-président;16/07/2020;
ÉRABLE;Léa;Kingersheim;Conseil d'Agglomération;conseiller communautaire;2020-07-16;2024-06-30
"""
MEETINGS = """instance;date;statut;format;type;demandeurs
conseil;2024-03-20;tenue;présentiel;ordinaire;
conseil;2024-05-22;annulée;;;
conf_maires;2024-06-25;tenue;présentiel;à la demande;13
"""
ATTENDANCE = """instance;date;nom;prenom;commune;statut;mandataire
conseil;20/03/2024;HÊTRE;Anne;Mulhouse;présent;
conseil;20/03/2024;SAULE;Paul;Kingersheim;pouvoir;HÊTRE Anne
conseil;20/03/2024;ÉRABLE;Léa;Kingersheim;excusé;
"""
TODAY = date(2024, 12, 31)


def run(conn: duckdb.DuckDBPyConnection, *files: tuple[str, str | bytes]) -> importer.ImportResult:
    sources = [(name, text.encode("utf-8") if isinstance(text, str) else text) for name, text in files]
    return importer.import_sources(conn, sources, today=TODAY)


def loaded(conn: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    run(conn, ("membres.csv", MEMBERS), ("seances.csv", MEETINGS), ("presences.csv", ATTENDANCE))
    return conn


def data_tables(conn: duckdb.DuckDBPyConnection) -> dict:
    state = snapshot(conn)
    del state["import_log"]
    return state


def test_files_apply_members_then_meetings_then_attendance(conn: duckdb.DuckDBPyConnection) -> None:
    # given in the wrong order on purpose
    result = run(conn, ("presences.csv", ATTENDANCE), ("seances.csv", MEETINGS), ("membres.csv", MEMBERS))
    # members: 3 persons + 3 memberships; meetings: 3; attendance: 3
    assert result.by_kind == {"members": (6, 0, 0), "meetings": (3, 0, 0), "attendance": (3, 0, 0)}
    assert (result.added, result.updated, result.unchanged) == (12, 0, 0)
    rows = conn.execute("""
        SELECT p.last_name, a.status, d.last_name FROM attendance a JOIN persons p USING (person_id)
        LEFT JOIN persons d ON d.person_id = a.delegate_id ORDER BY a.person_id""").fetchall()
    assert rows == [("HÊTRE", "present", None), ("SAULE", "proxy", "HÊTRE"), ("ÉRABLE", "excused", None)]
    assert conn.execute("SELECT meeting_type, requesters FROM meetings WHERE body_code = 'conf_maires'").fetchall() \
        == [("requested", 13)]
    assert conn.execute("SELECT status FROM meetings WHERE meeting_date = '2024-05-22'").fetchall() == [("cancelled",)]
    assert conn.execute("SELECT role FROM memberships JOIN persons USING (person_id) WHERE last_name = 'SAULE'"
                        ).fetchall() == [("vice_president",)]


def test_reimport_changes_nothing(conn: duckdb.DuckDBPyConnection) -> None:
    before = data_tables(loaded(conn))
    result = loaded(conn) and run(conn, ("membres.csv", MEMBERS), ("seances.csv", MEETINGS),
                                  ("presences.csv", ATTENDANCE))
    assert (result.added, result.updated) == (0, 0)
    assert result.unchanged == 9  # 3 memberships, 3 meetings, 3 sign-ins
    assert data_tables(conn) == before


def test_changed_status_updates_and_is_logged(conn: duckdb.DuckDBPyConnection) -> None:
    loaded(conn)
    # case and accents differ from the first import: still the same person
    result = run(conn, ("corr.csv", "instance;date;nom;prenom;commune;statut;mandataire\n"
                                    "conseil;2024-03-20;erable;LEA;68166;absent;\n"))
    assert (result.added, result.updated, result.unchanged) == (0, 1, 0)
    assert conn.execute("SELECT table_name, column_name, old_value, new_value FROM change_log").fetchall() == [
        ("attendance", "status", "excused", "absent")
    ]
    assert conn.execute("SELECT count(*) FROM persons").fetchall() == [(3,)]


def test_sign_in_for_an_unknown_meeting_creates_it_as_held(conn: duckdb.DuckDBPyConnection) -> None:
    loaded(conn)
    run(conn, ("p.csv", "instance;date;nom;prenom;commune;statut\nconseil;2024-09-25;HÊTRE;Anne;68224;présent\n"))
    assert conn.execute("SELECT status, format, meeting_type FROM meetings WHERE meeting_date = '2024-09-25'"
                        ).fetchall() == [("held", "in_person", "ordinary")]


def test_headers_ignore_case_accents_and_separator(conn: duckdb.DuckDBPyConnection) -> None:
    text = "\ufeffNOM,Prénom,COMMUNE,Instance,Rôle,Début,Fin\nTILLEUL,Marc,Rixheim,bureau,membre,01/01/2021,\n"
    result = run(conn, ("membres.csv", text))
    assert result.by_kind["members"] == (2, 0, 0)
    assert conn.execute("SELECT last_name, commune_insee FROM persons").fetchall() == [("TILLEUL", "68278")]


BAD_CASES = {
    "unknown body": (
        "instance;date;nom;prenom;commune;statut\nconsel;2024-03-20;HÊTRE;Anne;Mulhouse;présent\n",
        "p.csv, ligne 2, colonne A « instance » : instance inconnue « consel »",
    ),
    "unknown commune": (
        "instance;date;nom;prenom;commune;statut\nconseil;2024-03-20;HÊTRE;Anne;Mulhuse;présent\n",
        "p.csv, ligne 2, colonne E « commune » : commune inconnue « Mulhuse »",
    ),
    "unknown status": (
        "instance;date;nom;prenom;commune;statut\nconseil;2024-03-20;HÊTRE;Anne;Mulhouse;en retard\n",
        "p.csv, ligne 2, colonne F « statut » : valeur inconnue « en retard »",
    ),
    "impossible date": (
        "instance;date;nom;prenom;commune;statut\nconseil;31/02/2024;HÊTRE;Anne;Mulhouse;présent\n",
        "p.csv, ligne 2, colonne B « date » : date impossible « 31/02/2024 »",
    ),
    "not a member on that date": (
        # Léa ÉRABLE left the Conseil on 30 June 2024
        "instance;date;nom;prenom;commune;statut\nconseil;2024-09-25;ÉRABLE;Léa;Kingersheim;présent\n",
        "p.csv, ligne 2, colonne C « nom » : « ÉRABLE Léa (Kingersheim) » n'est pas membre de l'instance conseil "
        "le 25/09/2024",
    ),
    "unknown person": (
        "instance;date;nom;prenom;commune;statut\nconseil;2024-03-20;CHÊNE;Luc;Mulhouse;présent\n",
        "p.csv, ligne 2, colonne C « nom » : personne inconnue « CHÊNE Luc (Mulhouse) »",
    ),
    "same person twice": (
        "instance;date;nom;prenom;commune;statut\nconseil;2024-09-25;HÊTRE;Anne;Mulhouse;présent\n"
        "conseil;25/09/2024;hetre;anne;68224;absent\n",
        "p.csv, ligne 3, colonne F « statut » : même séance et même personne qu'à la ligne 2, avec un autre statut",
    ),
    "unknown proxy holder": (
        "instance;date;nom;prenom;commune;statut;mandataire\nconseil;2024-03-20;HÊTRE;Anne;Mulhouse;pouvoir;"
        "CHÊNE Luc\n",
        "p.csv, ligne 2, colonne G « mandataire » : mandataire « CHÊNE Luc » inconnu parmi les membres",
    ),
    "proxy without holder": (
        "instance;date;nom;prenom;commune;statut;mandataire\nconseil;2024-03-20;HÊTRE;Anne;Mulhouse;pouvoir;\n",
        "p.csv, ligne 2, colonne G « mandataire » : indiquez le mandataire",
    ),
    "missing column": (
        "instance;date;nom;prenom;commune\nconseil;2024-03-20;HÊTRE;Anne;Mulhouse\n",
        "p.csv, ligne 1, colonne « statut » : colonne manquante pour un fichier de présences",
    ),
    "unrecognised header": ("a;b;c\n1;2;3\n", "p.csv, ligne 1 : en-tête non reconnu"),
    "empty file": ("", "p.csv : le fichier est vide"),
    "blank file": ("\n  \n", "p.csv : le fichier est vide"),
    "binary file": (b"\x7fELF\x02\x01\x01\x00\x00\x00binary", "p.csv : ce n'est pas un fichier texte CSV"),
    "broken workbook": (b"PK\x03\x04 not really a zip", "p.csv : classeur Excel illisible"),
    "held in the future": (
        "instance;date;statut\nconseil;2025-03-20;tenue\n",
        "p.csv, ligne 2, colonne C « statut » : une séance tenue ne peut pas être datée dans le futur",
    ),
    "requesters on an ordinary meeting": (
        "instance;date;type;demandeurs\nconf_maires;2024-03-20;ordinaire;14\n",
        "p.csv, ligne 2, colonne D « demandeurs »",
    ),
    "end before start": (
        "nom;prenom;commune;instance;role;debut;fin\nHÊTRE;Anne;Mulhouse;bureau;membre;2024-01-01;2023-01-01\n",
        "p.csv, ligne 2, colonne G « fin » : la date de fin précède la date de début",
    ),
    "overlapping membership": (
        "nom;prenom;commune;instance;role;debut;fin\nHÊTRE;Anne;Mulhouse;conseil;membre;2022-01-01;\n",
        "p.csv, ligne 2, colonne F « debut » : cette période chevauche une autre appartenance",
    ),
    "sign-in for a cancelled meeting": (
        "instance;date;nom;prenom;commune;statut\nconseil;2024-05-22;HÊTRE;Anne;Mulhouse;présent\n",
        "p.csv, ligne 2, colonne B « date » : la séance conseil du 22/05/2024 est annulée",
    ),
}


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_bad_input_is_refused_and_changes_nothing(conn: duckdb.DuckDBPyConnection, case: str) -> None:
    content, expected = BAD_CASES[case]
    before = snapshot(loaded(conn))
    with pytest.raises(importer.ImportRefused) as refused:
        run(conn, ("p.csv", content))
    messages = [str(problem) for problem in refused.value.problems]
    assert any(message.startswith(expected) for message in messages), messages
    assert snapshot(conn) == before


def test_every_error_is_listed_and_good_files_are_not_applied(conn: duckdb.DuckDBPyConnection) -> None:
    before = snapshot(conn)
    bad = "instance;date;nom;prenom;commune;statut\nconsel;2024-03-20;HÊTRE;Anne;Mulhouse;présent\n" \
          "conseil;2024-13-01;HÊTRE;Anne;Mulhouse;présent\n"
    with pytest.raises(importer.ImportRefused) as refused:
        run(conn, ("membres.csv", MEMBERS), ("p.csv", bad))
    assert [(p.file, p.line) for p in refused.value.problems] == [("p.csv", 2), ("p.csv", 3)]
    assert snapshot(conn) == before  # the valid members file was not applied either


def test_cli_import_reports_and_exits(tmp_path: Path) -> None:
    database = tmp_path / "cli.duckdb"
    (tmp_path / "membres.csv").write_text(MEMBERS, encoding="utf-8")
    (tmp_path / "bad.csv").write_text(BAD_CASES["unknown status"][0], encoding="utf-8")

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "analytics", "import", *args, "--db", str(database)],
                              cwd=ROOT, capture_output=True, text=True, timeout=60)

    done = cli(str(tmp_path / "membres.csv"))
    assert done.returncode == 0, done.stderr
    assert "Import réussi : 6 ligne(s) ajoutée(s)" in done.stdout
    refused = cli(str(tmp_path / "bad.csv"))
    assert refused.returncode == 1
    assert "Import refusé : 1 erreur(s)" in refused.stderr
    assert "bad.csv, ligne 2, colonne F « statut »" in refused.stderr
    missing = cli(str(tmp_path / "nowhere.csv"))
    assert missing.returncode == 1 and "fichier introuvable" in missing.stderr


def test_template_files_import_cleanly(conn: duckdb.DuckDBPyConnection) -> None:
    templates = sorted((ROOT / "data" / "templates").glob("*.csv"))
    assert [t.name for t in templates] == ["membres.csv", "presences.csv", "seances.csv"]
    result = importer.import_files(conn, templates, today=TODAY)
    # one person, one membership, one meeting, one sign-in
    assert (result.added, result.updated) == (4, 0)
