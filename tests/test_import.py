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


def test_template_files_are_refused_and_store_nothing(conn: duckdb.DuckDBPyConnection) -> None:
    # their example rows ("EXEMPLE Camille") must never become data: each is refused where it is
    templates = sorted((ROOT / "data" / "templates").glob("*.csv"))
    assert [t.name for t in templates] == ["membres.csv", "ordre_du_jour.csv", "presences.csv", "reponses.csv",
                                           "seances.csv"]
    before = snapshot(conn)
    with pytest.raises(importer.ImportRefused) as refused:
        importer.import_files(conn, templates, today=TODAY)
    assert [str(p).split(" : ")[0] for p in refused.value.problems] == [
        "membres.csv, ligne 2, colonne A « nom »",
        "membres.csv, ligne 3, colonne A « nom »",
        "ordre_du_jour.csv, ligne 2, colonne D « intitule »",
        "presences.csv, ligne 2, colonne C « nom »",
        "reponses.csv, ligne 2, colonne C « nom »",
        "seances.csv, ligne 2, colonne J « remarque »",
    ]
    assert all("ligne d'exemple du modèle" in str(p) for p in refused.value.problems)
    assert snapshot(conn) == before


def test_templates_without_their_example_rows_are_valid(conn: duckdb.DuckDBPyConnection) -> None:
    # the headers are right: the secretariat deletes the example rows and types its own
    sources = [(t.name, t.read_bytes().split(b"\n")[0] + b"\n")
               for t in sorted((ROOT / "data" / "templates").glob("*.csv"))]
    result = importer.import_sources(conn, sources, today=TODAY)
    assert (result.added, result.updated, result.unchanged) == (0, 0, 0)


def test_an_example_row_is_refused_even_among_real_rows(conn: duckdb.DuckDBPyConnection) -> None:
    text = MEMBERS + "Exemple;Camille;Mulhouse;conseil;conseiller communautaire;2020-07-16;\n"
    with pytest.raises(importer.ImportRefused) as refused:
        run(conn, ("membres.csv", text))
    assert [str(p) for p in refused.value.problems] == [
        "membres.csv, ligne 5, colonne A « nom » : ligne d'exemple du modèle (« Exemple ») : supprimez-la, puis "
        "importez le fichier avec vos seules lignes."]
    assert conn.execute("SELECT count(*) FROM persons").fetchall() == [(0,)]


# --- names ---------------------------------------------------------------------------------------------------------

def persons(conn: duckdb.DuckDBPyConnection) -> list[tuple]:
    return conn.execute("SELECT last_name, first_name, commune_insee, identifier FROM persons ORDER BY person_id"
                        ).fetchall()


def test_hyphens_spaces_and_apostrophes_do_not_separate_a_person(conn: duckdb.DuckDBPyConnection) -> None:
    members = ("nom;prenom;commune;instance;role;debut;fin\n"
               "PSEUDO-NYME;Jean-Paul;Mulhouse;conseil;conseiller communautaire;2020-07-16;\n"
               "PSEUDO NYME;Jean Paul;Mulhouse;forum;membre;2020-07-16;\n"
               "D'ARTOIS;Anne-Marie;Rixheim;conseil;conseiller communautaire;2020-07-16;\n")
    sign_in = ("instance;date;nom;prenom;commune;statut;mandataire\n"
               "conseil;2024-03-20;Pseudo Nyme;jean paul;68224;présent;\n"
               "conseil;2024-03-20;D ARTOIS;Anne Marie;Rixheim;pouvoir;PSEUDO NYME Jean Paul\n"
               "forum;2024-03-25;pseudo-nyme;JEAN-PAUL;Mulhouse;présent;\n")
    result = run(conn, ("membres.csv", members), ("presences.csv", sign_in))
    # 2 persons (not 3), 3 memberships; 2 meetings made by the sign-ins; 3 sign-ins
    assert result.by_kind == {"members": (5, 0, 0), "meetings": (2, 0, 0), "attendance": (3, 0, 0)}
    assert persons(conn) == [("PSEUDO-NYME", "Jean-Paul", "68224", None), ("D'ARTOIS", "Anne-Marie", "68278", None)]
    assert conn.execute("SELECT match_key FROM persons ORDER BY person_id").fetchall() == [
        ("pseudonyme|jeanpaul|68224",), ("dartois|annemarie|68278",)]
    assert conn.execute("SELECT a.status, a.delegate_id FROM attendance a JOIN persons p USING (person_id) "
                        "WHERE p.last_name = 'D''ARTOIS'").fetchall() == [("proxy", 1)]


def test_commune_names_typed_with_spaces_match_their_commune(conn: duckdb.DuckDBPyConnection) -> None:
    members = ("nom;prenom;commune;instance;role;debut;fin\n"
               "AULNE;Marc;Morschwiller le Bas;conseil;conseiller communautaire;2020-07-16;\n"
               "BUIS;Léa;Petit Landau;conseil;conseiller communautaire;2020-07-16;\n"
               "CÈDRE;Paul;steinbrunn le bas;conseil;conseiller communautaire;2020-07-16;\n"
               "CHARME;Lucie;BRUNSTATT DIDENHEIM;conseil;conseiller communautaire;2020-07-16;\n")
    run(conn, ("membres.csv", members))
    assert [r[2] for r in persons(conn)] == ["68218", "68254", "68323", "68056"]


HOMONYMS = """nom;prenom;commune;instance;role;debut;fin;identifiant
HOMONYME;Claude;Mulhouse;conseil;conseiller communautaire;2020-07-16;;MUL-C1
HOMONYME;Claude;Mulhouse;dgs;DGS;2020-09-01;;MUL-DGS
HOMONYME;Claude;Mulhouse;forum;membre;2020-07-16;;MUL-C1
HOMONYME;Claude;Mulhouse;forum;membre;2020-09-01;;mul-dgs
"""


def test_two_homonyms_with_distinct_identifiers_stay_two(conn: duckdb.DuckDBPyConnection) -> None:
    result = run(conn, ("membres.csv", HOMONYMS))
    assert result.by_kind["members"] == (6, 0, 0)  # 2 persons, 4 memberships
    assert persons(conn) == [("HOMONYME", "Claude", "68224", "MUL-C1"), ("HOMONYME", "Claude", "68224", "MUL-DGS")]
    # the second one's stored key carries its identifier: match_key stays unique
    assert conn.execute("SELECT match_key FROM persons ORDER BY person_id").fetchall() == [
        ("homonyme|claude|68224",), ("homonyme|claude|68224|mul-dgs",)]
    roles = conn.execute("SELECT person_id, body_code FROM memberships ORDER BY person_id, body_code").fetchall()
    assert roles == [(1, "conseil"), (1, "forum"), (2, "dgs"), (2, "forum")]
    # a sign-in without identifier is the one homonym convened there; where both are, the identifier says who
    sign_in = ("instance;date;nom;prenom;commune;statut;identifiant\n"
               "conseil;2024-03-20;HOMONYME;Claude;Mulhouse;présent;\n"
               "dgs;2024-03-21;HOMONYME;Claude;Mulhouse;excusé;\n"
               "forum;2024-03-25;HOMONYME;Claude;Mulhouse;présent;MUL-DGS\n")
    run(conn, ("presences.csv", sign_in))
    assert conn.execute("SELECT m.body_code, a.person_id, a.status FROM attendance a JOIN meetings m "
                        "USING (meeting_id) ORDER BY m.meeting_date").fetchall() == [
        ("conseil", 1, "present"), ("dgs", 2, "excused"), ("forum", 2, "present")]
    with pytest.raises(importer.ImportRefused) as refused:
        run(conn, ("p.csv", "instance;date;nom;prenom;commune;statut\nforum;2024-03-25;HOMONYME;Claude;Mulhouse;"
                            "absent\n"))
    assert [str(p) for p in refused.value.problems] == [
        "p.csv, ligne 2, colonne C « nom » : 2 personnes s'appellent « HOMONYME Claude (Mulhouse) » "
        "(n° 1 « MUL-C1 », n° 2 « MUL-DGS ») : indiquez laquelle dans la colonne « identifiant »."]


def test_homonyms_of_different_families_without_identifier_are_refused(conn: duckdb.DuckDBPyConnection) -> None:
    members = ("nom;prenom;commune;instance;role;debut;fin\n"
               "HOMONYME;Claude;Mulhouse;conseil;conseiller communautaire;2020-07-16;\n"
               "HOMONYME;Claude;Mulhouse;forum;membre;2020-07-16;\n"
               "Homonyme;Claude;68224;dgs;DGS;2020-09-01;\n")
    before = snapshot(conn)
    with pytest.raises(importer.ImportRefused) as refused:
        run(conn, ("membres.csv", members))
    assert [str(p) for p in refused.value.problems] == [
        "membres.csv, ligne 4, colonne A « nom » : « HOMONYME Claude (Mulhouse) » est déjà enregistré comme élu "
        "(conseil) ; cette ligne en fait un agent. S'il s'agit de deux personnes homonymes, donnez à chacune un "
        "identifiant (colonne « identifiant ») ; sinon, corrigez le rôle."]
    assert snapshot(conn) == before


def test_a_homonym_of_another_family_is_refused_against_the_database_too(conn: duckdb.DuckDBPyConnection) -> None:
    loaded(conn)
    with pytest.raises(importer.ImportRefused) as refused:
        run(conn, ("m.csv", "nom;prenom;commune;instance;role;debut\nHETRE;Anne;Mulhouse;dgs;directeur;2021-01-01\n"))
    assert str(refused.value.problems[0]).startswith(
        "m.csv, ligne 2, colonne A « nom » : « HÊTRE Anne (Mulhouse) » est déjà enregistré comme élu (conseil)")
    # with an identifier, she is another person, the directeur
    run(conn, ("m.csv", "nom;prenom;commune;instance;role;debut;identifiant\n"
                        "HETRE;Anne;Mulhouse;dgs;directeur;2021-01-01;DIR-7\n"))
    assert persons(conn)[0] == ("HÊTRE", "Anne", "68224", None)
    assert persons(conn)[-1] == ("HETRE", "Anne", "68224", "DIR-7")


def test_an_identifier_given_later_goes_to_the_known_person(conn: duckdb.DuckDBPyConnection) -> None:
    loaded(conn)
    result = run(conn, ("m.csv", "nom;prenom;commune;instance;role;debut;fin;identifiant\n"
                                 "HÊTRE;Anne;Mulhouse;conseil;conseiller communautaire;2020-07-16;;MUL-12\n"))
    assert result.by_kind["members"] == (0, 1, 1)  # the identifier is new, the membership unchanged
    assert persons(conn)[0] == ("HÊTRE", "Anne", "68224", "MUL-12")
    assert conn.execute("SELECT table_name, row_key, column_name, old_value, new_value FROM change_log").fetchall() \
        == [("persons", "1", "identifier", None, "MUL-12")]
    # an identifier is one person's: another name with it is refused
    with pytest.raises(importer.ImportRefused) as refused:
        run(conn, ("m.csv", "nom;prenom;commune;instance;role;debut;identifiant\n"
                            "SAULE;Paul;Kingersheim;forum;membre;2020-07-16;mul-12\n"))
    assert str(refused.value.problems[0]) == (
        "m.csv, ligne 2, colonne G « identifiant » : l'identifiant « mul-12 » est celui de « HÊTRE Anne (Mulhouse) », "
        "pas de « SAULE Paul (Kingersheim) ».")


def test_two_stored_persons_that_now_fold_alike_are_never_merged(conn: duckdb.DuckDBPyConnection) -> None:
    # a database from before the names folded hyphens: two persons for one name
    cur = conn.cursor()
    for pid, last, first in ((1, "PSEUDO-NYME", "Jean-Paul"), (2, "PSEUDO NYME", "Jean Paul")):
        cur.execute("INSERT INTO persons (person_id, last_name, first_name, commune_insee, match_key) "
                    "VALUES (?, ?, ?, '68224', ?)", [pid, last, first, f"{last.lower()}|{first.lower()}|68224"])
        cur.execute("INSERT INTO memberships (person_id, body_code, role, start_date) "
                    "VALUES (?, 'forum', 'member', DATE '2020-07-16')", [pid])
    with pytest.raises(importer.ImportRefused) as refused:
        run(conn, ("p.csv", "instance;date;nom;prenom;commune;statut\nforum;2024-03-25;PSEUDO-NYME;Jean-Paul;"
                            "Mulhouse;présent\n"))
    assert str(refused.value.problems[0]).startswith(
        "p.csv, ligne 2, colonne C « nom » : 2 personnes s'appellent « PSEUDO-NYME Jean-Paul (Mulhouse) » "
        "(n° 1, n° 2)")
    assert conn.execute("SELECT count(*) FROM attendance").fetchall() == [(0,)]


# --- substitutes ---------------------------------------------------------------------------------------------------

# Berrwiller and Bruebach hold one seat each, and a substitute each; Mulhouse two seats.
COUNCIL = """nom;prenom;commune;instance;role;debut;fin
TITULAIRE;Anne;Berrwiller;conseil;conseiller communautaire;2020-07-16;
SUPPLÉANT;Marc;Berrwiller;conseil;suppléant;2020-07-16;
TITULAIRE;Paul;Bruebach;conseil;conseiller communautaire;2020-07-16;
SUPPLÉANT;Léa;Bruebach;conseil;suppléant;2020-07-16;
HÊTRE;Anne;Mulhouse;conseil;conseiller communautaire;2020-07-16;
SAULE;Paul;Mulhouse;conseil;vice-président;2020-07-16;
"""
SITTING = "instance;date;nom;prenom;commune;statut;mandataire\n"


def council(conn: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    run(conn, ("membres.csv", COUNCIL))
    return conn


def refused_by(conn: duckdb.DuckDBPyConnection, *files: tuple[str, str]) -> list[str]:
    before = snapshot(conn)
    with pytest.raises(importer.ImportRefused) as refused:
        run(conn, *files)
    assert snapshot(conn) == before
    return [str(p) for p in refused.value.problems]


def test_the_substitute_who_sits_signs_in(conn: duckdb.DuckDBPyConnection) -> None:
    council(conn)
    result = run(conn, ("p.csv", SITTING + "conseil;2024-03-20;TITULAIRE;Anne;Berrwiller;suppléé;SUPPLEANT Marc\n"
                                           "conseil;2024-03-20;SUPPLÉANT;Marc;Berrwiller;présent;\n"))
    assert result.by_kind["attendance"] == (2, 0, 0)
    # in two imports too: the titular's row stored first, the substitute's later
    run(conn, ("p.csv", SITTING + "conseil;2024-05-22;TITULAIRE;Paul;Bruebach;suppléé;SUPPLÉANT Léa\n"))
    run(conn, ("p.csv", SITTING + "conseil;2024-05-22;SUPPLÉANT;Léa;Bruebach;présent;\n"))
    assert conn.execute("SELECT count(*) FROM attendance WHERE status = 'present'").fetchall() == [(2,)]


def test_a_substitute_of_a_commune_with_several_seats_is_refused(conn: duckdb.DuckDBPyConnection) -> None:
    problems = refused_by(conn, ("membres.csv", COUNCIL + "CHÊNE;Luc;Mulhouse;conseil;suppléant;2020-07-16;\n"))
    assert problems == [
        "membres.csv, ligne 8, colonne E « role » : Mulhouse compte 2 sièges au Conseil le 16/07/2020 : seule une "
        "commune à siège unique a un suppléant (CGCT L5211-6), « CHÊNE Luc (Mulhouse) » ne peut pas l'être."]


def test_a_second_seat_for_a_commune_with_a_substitute_is_refused(conn: duckdb.DuckDBPyConnection) -> None:
    council(conn)
    problems = refused_by(conn, ("m.csv", "nom;prenom;commune;instance;role;debut;fin\n"
                                          "FRÊNE;Joël;Berrwiller;conseil;conseiller communautaire;2022-01-01;\n"))
    assert problems == [
        "m.csv, ligne 2, colonne E « role » : Berrwiller compte 2 sièges au Conseil le 01/01/2022 : seule une "
        "commune à siège unique a un suppléant (CGCT L5211-6), « SUPPLÉANT Marc (Berrwiller) » ne peut pas l'être."]
    # once the substitute's membership ends the day before, the commune may have two seats
    run(conn, ("m.csv", "nom;prenom;commune;instance;role;debut;fin\n"
                        "SUPPLÉANT;Marc;Berrwiller;conseil;suppléant;2020-07-16;2021-12-31\n"
                        "FRÊNE;Joël;Berrwiller;conseil;conseiller communautaire;2022-01-01;\n"))


def test_a_substitute_needs_a_commune(conn: duckdb.DuckDBPyConnection) -> None:
    problems = refused_by(conn, ("m.csv", "nom;prenom;commune;instance;role;debut;fin\n"
                                          "CHÊNE;Luc;;conseil;suppléant;2020-07-16;\n"))
    assert problems == ["m.csv, ligne 2, colonne C « commune » : un suppléant est celui d'une commune : indiquez-la."]


@pytest.mark.parametrize("rows, expected", [
    ("conseil;2024-03-20;TITULAIRE;Anne;Berrwiller;suppléé;SUPPLÉANT Léa\n",
     "p.csv, ligne 2, colonne G « mandataire » : « SUPPLÉANT Léa (Bruebach) » n'est pas le suppléant de Berrwiller : "
     "« TITULAIRE Anne (Berrwiller) » ne peut être suppléé que par le suppléant de sa commune."),
    ("conseil;2024-03-20;HÊTRE;Anne;Mulhouse;suppléé;SAULE Paul\n",
     "p.csv, ligne 2, colonne G « mandataire » : « SAULE Paul (Mulhouse) » n'est pas suppléant à l'instance conseil "
     "le 20/03/2024"),
    ("conseil;2024-03-20;SUPPLÉANT;Marc;Berrwiller;présent;\n",
     "p.csv, ligne 2, colonne F « statut » : « SUPPLÉANT Marc (Berrwiller) » est suppléant : il ne siège qu'à la "
     "place du titulaire de sa commune, dont la ligne de cette séance doit dire « suppléé » et le nommer"),
    ("conseil;2024-03-20;TITULAIRE;Paul;Bruebach;suppléé;SUPPLÉANT Léa\n"
     "conseil;2024-03-20;SUPPLÉANT;Marc;Berrwiller;présent;\n",
     "p.csv, ligne 3, colonne F « statut » : « SUPPLÉANT Marc (Berrwiller) » est suppléant : il ne siège"),
    ("conseil;2024-03-20;SUPPLÉANT;Marc;Berrwiller;excusé;\n",
     "p.csv, ligne 2, colonne F « statut » : « SUPPLÉANT Marc (Berrwiller) » est suppléant : il ne siège qu'à la "
     "place du titulaire de sa commune, et n'a donc pour statut que « présent », « à distance » ou « non renseigné »."),
    ("conseil;2024-03-20;HÊTRE;Anne;Mulhouse;pouvoir;SUPPLÉANT Marc\n",
     "p.csv, ligne 2, colonne G « mandataire » : « SUPPLÉANT Marc (Berrwiller) » est suppléant et ne siège pas à "
     "cette séance : il ne peut pas porter de pouvoir."),
], ids=["another commune's substitute", "not a substitute", "sits for nobody", "sits for another commune",
        "excused substitute", "proxy to a substitute who does not sit"])
def test_substitutions_that_break_the_rules_are_refused(conn: duckdb.DuckDBPyConnection, rows: str,
                                                        expected: str) -> None:
    council(conn)
    problems = refused_by(conn, ("p.csv", SITTING + rows))
    assert any(problem.startswith(expected) for problem in problems), problems


def test_a_stored_substitute_of_a_commune_that_now_has_two_seats_cannot_be_named(
        conn: duckdb.DuckDBPyConnection) -> None:
    # a database written before the check: Mulhouse's substitute, beside its two seats
    council(conn).cursor().execute("""
        INSERT INTO persons (person_id, last_name, first_name, commune_insee, match_key)
        VALUES (99, 'CHÊNE', 'Luc', '68224', 'chene|luc|68224');
        INSERT INTO memberships (person_id, body_code, role, start_date) VALUES (99, 'conseil', 'substitute',
                                                                                 DATE '2020-07-16')""")
    problems = refused_by(conn, ("p.csv", SITTING + "conseil;2024-03-20;HÊTRE;Anne;Mulhouse;suppléé;CHÊNE Luc\n"))
    assert problems == [
        "p.csv, ligne 2, colonne G « mandataire » : Mulhouse compte 2 sièges au Conseil le 20/03/2024 : seule une "
        "commune à siège unique a un suppléant (CGCT L5211-6)."]


# --- agenda (« ordre du jour ») and sign-ins bounded to points (DESIGN.md §3, issue 12) ----------------------------

AGENDA = """instance;date;point;intitulé
conseil;20/03/2024;10;Questions diverses
conseil;20/03/2024;3.1;Budget annexe des transports
conseil;20/03/2024;1;Approbation du procès-verbal
conseil;20/03/2024;3;Budget primitif
conseil;20/03/2024;2;Communications du Président
"""
BOUNDED = "instance;date;nom;prenom;commune;statut;mandataire;depuis;jusqu'à\n"
# HÊTRE leaves after point 3 and comes back at point 10 (two rows); SAULE leaves after point 3 and gives HÊTRE a
# proxy from point 3.1; ÉRABLE, excused, has one row for the whole sitting
POINTS = BOUNDED + """conseil;20/03/2024;HÊTRE;Anne;Mulhouse;présent;;;3
conseil;20/03/2024;HÊTRE;Anne;Mulhouse;présent;;10;
conseil;20/03/2024;SAULE;Paul;Kingersheim;présent;;;3
conseil;20/03/2024;SAULE;Paul;Kingersheim;pouvoir;HÊTRE Anne;3.1;
conseil;20/03/2024;ÉRABLE;Léa;Kingersheim;excusé;;;
"""


def points_tables(conn: duckdb.DuckDBPyConnection) -> tuple[list, list]:
    return (conn.execute("SELECT * FROM agenda_items ORDER BY ALL").fetchall(),
            conn.execute("SELECT * FROM attendance_spans ORDER BY ALL").fetchall())


def with_points(conn: duckdb.DuckDBPyConnection) -> importer.ImportResult:
    run(conn, ("membres.csv", MEMBERS), ("seances.csv", MEETINGS))
    return run(conn, ("ordre_du_jour.csv", AGENDA), ("presences.csv", POINTS))


def test_an_agenda_and_rows_bounded_to_points(conn: duckdb.DuckDBPyConnection) -> None:
    result = with_points(conn)
    # 5 points; 3 sitting-level rows (one per person), whatever the number of lines
    assert (result.by_kind["agenda"], result.by_kind["attendance"]) == ((5, 0, 0), (3, 0, 0))
    # the points in natural order: 3 < 3.1 < 10
    assert conn.execute("SELECT position, item, title FROM agenda_items ORDER BY position").fetchall() == [
        (1, "1", "Approbation du procès-verbal"), (2, "2", "Communications du Président"), (3, "3", "Budget primitif"),
        (4, "3.1", "Budget annexe des transports"), (5, "10", "Questions diverses")]
    hetre, saule = (conn.execute("SELECT person_id FROM persons WHERE last_name = ?", [n]).fetchall()[0][0]
                    for n in ("HÊTRE", "SAULE"))
    assert conn.execute("SELECT person_id, span, from_item, to_item, status, delegate_id FROM attendance_spans "
                        "ORDER BY person_id, span").fetchall() == [
        (hetre, 1, None, "3", "present", None), (hetre, 2, "10", None, "present", None),
        (saule, 1, None, "3", "present", None), (saule, 2, "3.1", None, "proxy", hetre)]
    # one status per person and sitting (DESIGN §3): there for a point → present, before the proxy
    assert conn.execute("SELECT p.last_name, a.status, a.delegate_id FROM attendance a JOIN persons p "
                        "USING (person_id) ORDER BY a.person_id").fetchall() == [
        ("HÊTRE", "present", None), ("SAULE", "present", None), ("ÉRABLE", "excused", None)]


def test_reimporting_the_agenda_and_the_bounds_changes_nothing(conn: duckdb.DuckDBPyConnection) -> None:
    with_points(conn)
    before = (data_tables(conn), points_tables(conn))
    result = run(conn, ("presences.csv", POINTS), ("ordre_du_jour.csv", AGENDA))
    assert (result.added, result.updated, result.unchanged) == (0, 0, 8)
    assert (data_tables(conn), points_tables(conn)) == before


def test_a_changed_arrival_is_an_update_and_is_logged(conn: duckdb.DuckDBPyConnection) -> None:
    with_points(conn)
    # HÊTRE comes back at point 3.1 instead of 10: still present at the sitting, but her rows changed
    moved = POINTS.replace("présent;;10;", "présent;;3.1;")
    result = run(conn, ("presences.csv", moved))
    assert result.by_kind["attendance"] == (0, 1, 2)
    assert conn.execute("SELECT table_name, column_name, old_value, new_value FROM change_log").fetchall() == [
        ("attendance_spans", "plages", "présent jusqu'au point 3 ; présent à partir du point 10",
         "présent jusqu'au point 3 ; présent à partir du point 3.1")]
    # and a single row without bounds covers the whole sitting again: the bounded rows go
    run(conn, ("presences.csv", SITTING + "conseil;20/03/2024;HÊTRE;Anne;Mulhouse;présent;\n"))
    assert [row[1] for row in points_tables(conn)[1]] == [2, 2]  # SAULE's two rows are left as they were


def test_a_sitting_without_bounds_keeps_its_counts(conn: duckdb.DuckDBPyConnection) -> None:
    from analytics.rules import attendance, quorum

    loaded(conn)
    period = (date(2024, 1, 1), date(2024, 12, 31))
    before = (attendance.counts(conn, *period, "person"), quorum.quorum(conn, *period))
    run(conn, ("ordre_du_jour.csv", AGENDA))
    assert attendance.counts(conn, *period, "person").equals(before[0])
    assert quorum.quorum(conn, *period).equals(before[1])


def test_an_agenda_sheet_in_a_workbook(conn: duckdb.DuckDBPyConnection) -> None:
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, text in (("membres", MEMBERS), ("séances", MEETINGS), ("ordre du jour", AGENDA),
                        ("présences", POINTS)):
        sheet = book.create_sheet(title)
        for line in text.strip().split("\n"):
            sheet.append(line.split(";"))
    buffer = io.BytesIO()
    book.save(buffer)
    result = run(conn, ("saisie.xlsx", buffer.getvalue()))
    assert result.by_kind["agenda"] == (5, 0, 0) and result.by_kind["attendance"] == (3, 0, 0)
    assert len(points_tables(conn)[1]) == 4


POINT_CASES = {
    "a bound not on the agenda": (
        BOUNDED + "conseil;20/03/2024;HÊTRE;Anne;Mulhouse;présent;;7;\n",
        "p.csv, ligne 2, colonne H « depuis » : le point « 7 » n'est pas à l'ordre du jour de la séance conseil du "
        "20/03/2024 (points 1 à 10)."),
    "overlapping ranges": (
        BOUNDED + "conseil;20/03/2024;HÊTRE;Anne;Mulhouse;présent;;;3\n"
                  "conseil;20/03/2024;HÊTRE;Anne;Mulhouse;pouvoir;SAULE Paul;2;\n",
        "p.csv, ligne 3, colonne H « depuis » : plages qui se chevauchent : points 2 à 10 ici, 1 à 3 à la ligne 2 "
        "(même séance, même personne)."),
    "a row for the whole sitting beside a bounded one": (
        BOUNDED + "conseil;20/03/2024;HÊTRE;Anne;Mulhouse;présent;;;3\n"
                  "conseil;20/03/2024;HÊTRE;Anne;Mulhouse;absent;;;\n",
        "p.csv, ligne 3, colonne H « depuis » : plages qui se chevauchent : même séance et même personne qu'à la "
        "ligne 2, bornée à des points"),
    "bounds without an agenda": (
        BOUNDED + "conseil;25/09/2024;HÊTRE;Anne;Mulhouse;présent;;5;\n",
        "p.csv, ligne 2, colonne H « depuis » : bornes sans ordre du jour : la séance conseil du 25/09/2024 n'a pas "
        "d'ordre du jour"),
    "depuis after jusqua": (
        BOUNDED + "conseil;20/03/2024;HÊTRE;Anne;Mulhouse;présent;;10;3.1\n",
        "p.csv, ligne 2, colonne H « depuis » : « depuis » (point 10) vient après « jusqu'à » (point 3.1)."),
    "a bounded row saying nothing": (
        BOUNDED + "conseil;20/03/2024;HÊTRE;Anne;Mulhouse;non renseigné;;2;\n",
        "p.csv, ligne 2, colonne H « depuis » : « non renseigné » ne se borne pas à des points"),
    "an agenda of an unknown sitting": (
        "instance;date;point;intitule\nconseil;21/03/2024;1;Ouverture\n",
        "p.csv, ligne 2, colonne B « date » : la séance conseil du 21/03/2024 n'existe pas"),
    "an unreadable point": (
        "instance;date;point;intitule\nconseil;20/03/2024;premier;Ouverture\n",
        "p.csv, ligne 2, colonne C « point » : point « premier » illisible (attendu : 1, 2, 3.1, 4 bis…)."),
    "one point with two titles": (
        "instance;date;point;intitule\nconseil;20/03/2024;1;Ouverture\nconseil;20/03/2024;1;Clôture\n",
        "p.csv, ligne 3, colonne D « intitule » : point 1 déjà donné à la ligne 2 avec un autre intitulé."),
}


@pytest.mark.parametrize("case", list(POINT_CASES))
def test_bounds_that_break_the_rules_are_refused(conn: duckdb.DuckDBPyConnection, case: str) -> None:
    loaded(conn)
    run(conn, ("ordre_du_jour.csv", AGENDA))
    content, expected = POINT_CASES[case]
    before = points_tables(conn)
    problems = refused_by(conn, ("p.csv", content))
    assert any(problem.startswith(expected) for problem in problems), problems
    assert points_tables(conn) == before


def test_an_agenda_cannot_drop_a_point_that_bounds_a_row(conn: duckdb.DuckDBPyConnection) -> None:
    with_points(conn)
    # point 10 goes, but HÊTRE's row "from point 10" stays: refused, unless her rows come in the same import
    shorter = "\n".join(line for line in AGENDA.split("\n") if ";10;" not in line)
    problems = refused_by(conn, ("o.csv", shorter))
    assert problems == [
        "o.csv, ligne 2, colonne C « point » : le point 10 n'est plus à l'ordre du jour alors que la présence de "
        "« HÊTRE Anne (Mulhouse) » y est bornée : importez aussi ses présences de cette séance."]
    fixed = POINTS.replace("présent;;10;", "présent;;3.1;")
    result = run(conn, ("o.csv", shorter), ("p.csv", fixed))
    assert result.by_kind["agenda"] == (0, 1, 4)  # one point removed, four unchanged
    assert [row[1] for row in points_tables(conn)[0]] == [1, 2, 3, 4]


MEMBER_HEADER = "nom;prenom;commune;instance;role;debut;fin\n"


@pytest.mark.parametrize(("last", "first", "column", "message"), [
    ("HÊTRE", "![pixel](http://x/p.png)", "B « prenom »", "caractère « ! » refusé dans un nom"),
    ('=HYPERLINK("x")', "Anne", "A « nom »", "un nom ne peut pas commencer par « = »"),
    ("HÊTRE", "+33 6 12 34 56 78", "B « prenom »", "un nom ne peut pas commencer par « + »"),
    ("@SUM", "Anne", "A « nom »", "un nom ne peut pas commencer par « @ »"),
    ("-HÊTRE", "Anne", "A « nom »", "un nom ne peut pas commencer par « - »"),
    ("HÊTRE2", "Anne", "A « nom »", "caractère « 2 » refusé dans un nom"),
    ("HÊTRE", "<b>Anne</b>", "B « prenom »", "caractère « < » refusé dans un nom"),
])
def test_a_name_that_is_not_letters_is_refused(conn: duckdb.DuckDBPyConnection, last: str, first: str, column: str,
                                               message: str) -> None:
    loaded(conn)
    row = f"{last};{first};Mulhouse;conseil;conseiller communautaire;2020-07-16;\n"
    problems = refused_by(conn, ("m.csv", MEMBER_HEADER + row))
    assert len(problems) == 1 and problems[0].startswith(f"m.csv, ligne 2, colonne {column} : {message}"), problems


def test_a_bad_name_is_refused_in_sign_in_replies_and_register(conn: duckdb.DuckDBPyConnection) -> None:
    loaded(conn)
    problems = refused_by(conn, ("p.csv", "instance;date;nom;prenom;commune;statut;mandataire\n"
                                          "conseil;20/03/2024;HÊTRE;[Cliquez](http://x);Mulhouse;présent;\n"
                                          "conseil;20/03/2024;HÊTRE;[Cliquez](http://x);Mulhouse;présent;\n"))
    assert [p.split(" : ")[0] for p in problems] == ["p.csv, ligne 2, colonne D « prenom »",
                                                     "p.csv, ligne 3, colonne D « prenom »"]
    assert problems[0].endswith("caractère « [ » refusé dans un nom : un nom ne contient que des lettres, espaces, "
                                "traits d'union, apostrophes et points.")
    problems = refused_by(conn, ("r.csv", "instance;date;nom;prenom;commune;reponse;mandataire\n"
                                          "conseil;20/03/2024;=1+1;Anne;Mulhouse;présent;\n"))
    assert problems[0].startswith("r.csv, ligne 2, colonne C « nom » : un nom ne peut pas commencer par « = »")
    header = ("Code du département;Code de la commune de rattachement;N° SIREN;Nom de l'élu;Prénom de l'élu;"
              "Date de début du mandat;Libellé de la fonction;Date de début de la fonction\n")
    problems = refused_by(conn, ("rne.csv", header + "68;68224;200066009;HÊTRE;An_ne;2020-07-16;;\n"))
    assert problems == ["rne.csv, ligne 2, colonne E « prenom de l'elu » : caractère « _ » refusé dans un nom : un "
                        "nom ne contient que des lettres, espaces, traits d'union, apostrophes et points."]


def test_a_control_character_is_refused_in_any_cell(conn: duckdb.DuckDBPyConnection) -> None:
    loaded(conn)
    valid = "HÊTRE;Anne;Mulhouse;conseil;conseiller communautaire;2020-07-16;\n"
    padding = valid * (4200 // len(valid.encode()) + 1)  # after the first 4 KB, which the binary check reads
    rows = padding + "SAU\x00LE;Paul;Kingersheim;conseil;vice-président;16/07/2020;\n"
    line = padding.count("\n") + 2
    assert refused_by(conn, ("m.csv", MEMBER_HEADER + rows)) == [
        f"m.csv, ligne {line}, colonne A « nom » : caractère de contrôle U+0000 refusé : retirez-le de la cellule."]
    # in a cell that is no name either, and in a column the template does not know
    problems = refused_by(conn, ("s.csv", "instance;date;statut;format;type;demandeurs;note\n"
                                          "conseil;2024-03-20;tenue;présentiel;ordinaire;;vu\u202e\n"
                                          "conseil;2024-05-22;annulée;;;;\n"
                                          "conseil;2024-06-20;tenue;pré\x85sentiel;;;\n"))
    assert "s.csv, ligne 2, colonne G « note » : caractère de contrôle U+202E refusé : retirez-le de la cellule." \
        in problems
    assert "s.csv, ligne 4, colonne D « format » : caractère de contrôle U+0085 refusé : retirez-le de la cellule." \
        in problems


def test_names_of_any_script_with_hyphens_apostrophes_and_dots_are_accepted(
        conn: duckdb.DuckDBPyConnection) -> None:
    names = [("D'ALEMBERT", "Jean"), ("HÊTRE", "Anne-Marie"), ("DUPONT", "Jean-Paul Ier"), ("ŌTA", "Ōta"),
             ("O’BRIEN", "Seán"), ("ST. EXUPÉRY", "Antoine"), ("ΠΑΠΑΔΟΠΟΥΛΟΣ", "Νίκος"), ("ИВАНОВ", "Иван"),
             ("NGUYÊ\u0303N", "Thi"), ("LEE–SMITH", "Ann‐Lee")]
    rows = "".join(f"{last};{first};Mulhouse;conseil;conseiller communautaire;2020-07-16;\n" for last, first in names)
    run(conn, ("m.csv", MEMBER_HEADER + rows))
    assert conn.execute("SELECT count(*) FROM persons").fetchone() == (len(names),)


def test_a_proxy_holder_that_is_no_name_is_refused_unless_an_identifier(conn: duckdb.DuckDBPyConnection) -> None:
    loaded(conn)
    header = "instance;date;nom;prenom;commune;statut;mandataire\n"
    problems = refused_by(conn, ("p.csv", header + "conseil;2024-03-20;SAULE;Paul;Kingersheim;pouvoir;=HÊTRE Anne\n"))
    assert problems == ["p.csv, ligne 2, colonne G « mandataire » : un nom ne peut pas commencer par « = » (un "
                        "tableur le lirait comme une formule) : corrigez la cellule."]
    problems = refused_by(conn, ("p.csv", header + "conseil;2024-03-20;SAULE;Paul;Kingersheim;pouvoir;HÊTRE <b>\n"))
    assert problems == ["p.csv, ligne 2, colonne G « mandataire » : caractère « < » refusé dans un nom : un nom ne "
                        "contient que des lettres, espaces, traits d'union, apostrophes et points."]
    problems = refused_by(conn, ("r.csv", "instance;date;nom;prenom;commune;reponse;mandataire\n"
                                          "conseil;2024-03-20;SAULE;Paul;Kingersheim;pouvoir;@HÊTRE\n"))
    assert problems[0].startswith("r.csv, ligne 2, colonne G « mandataire » : un nom ne peut pas commencer par « @ »")
    # an identifier with digits names the holder all the same
    run(conn, ("m.csv", MEMBER_HEADER.replace("fin\n", "fin;identifiant\n")
               + "HÊTRE;Anne;Mulhouse;conseil;conseiller communautaire;2020-07-16;;P-0042\n"))
    run(conn, ("p.csv", header + "conseil;2024-03-20;SAULE;Paul;Kingersheim;pouvoir;P-0042\n"))
    assert conn.execute("SELECT d.last_name FROM attendance a JOIN persons p USING (person_id) JOIN persons d "
                        "ON d.person_id = a.delegate_id WHERE p.last_name = 'SAULE'").fetchall() == [("HÊTRE",)]


def test_persons_are_keyed_on_a_tuple_not_on_a_joined_text() -> None:
    # joined with "|", these two were one person (issue 17.9); the import refuses both names anyway
    assert importer._person_key("A|B", "C", None) != importer._person_key("A", "B|C", None)
    assert importer._person_key("A;B", "C", "68224") != importer._person_key("A", "B;C", "68224")
    assert importer._person_key("Hêtre-Dupont", "Anne", None) == importer._person_key("HETRE DUPONT", "anne", "")


def test_a_line_break_is_kept_in_a_quoted_title_and_refused_in_a_name(conn: duckdb.DuckDBPyConnection) -> None:
    loaded(conn)
    run(conn, ("o.csv", 'instance;date;point;intitule\nconseil;2024-03-20;1;"Budget\r\nprimitif\tannexe"\n'))
    assert conn.execute("SELECT title FROM agenda_items").fetchall() == [("Budget\r\nprimitif\tannexe",)]
    problems = refused_by(conn, ("m.csv", MEMBER_HEADER + '"HÊ\nTRE";Anne;Mulhouse;conseil;conseiller '
                                                         "communautaire;2020-07-16;\n"))
    assert problems == ["m.csv, ligne 3, colonne A « nom » : caractère U+000A refusé dans un nom : un nom ne contient "
                        "que des lettres, espaces, traits d'union, apostrophes et points."]
    problems = refused_by(conn, ("m.csv", MEMBER_HEADER + "HÊTRE;An\tne;Mulhouse;conseil;conseiller communautaire;"
                                                         "2020-07-16;\n"))
    assert problems[0].startswith("m.csv, ligne 2, colonne B « prenom » : caractère U+0009 refusé dans un nom")


def test_control_characters_anywhere_are_refused_with_their_place(conn: duckdb.DuckDBPyConnection) -> None:
    loaded(conn)
    valid = "conseil;20/03/2024;HÊTRE;Anne;Mulhouse;présent;\n"
    padding = valid * 200  # 9 KB: past the first 4 KB, which the binary check reads
    # NUL in a column the template does not know, an escape, a C1 character, an astral format character, and one
    # past the last column (a row whose other cells are valid: only the control character is reported)
    sheet = ("instance;date;nom;prenom;commune;statut;mandataire;note\n" + padding
             + "conseil;20/03/2024;SAULE;Paul;Kingersheim;excusé;;vu\x00\n"
             + "conseil;20/03/2024;ÉRABLE;Léa;Kingersheim;excu\x9bsé;;\x1b\n"
             + "conseil;20/03/2024;ÉRABLE;Léa;Kingersheim;excusé;;\U000e0041\n"
             + "conseil;20/03/2024;ÉRABLE;Léa;Kingersheim;excusé;;;\u202e\n")
    assert refused_by(conn, ("p.csv", sheet)) == [
        "p.csv, ligne 202, colonne H « note » : caractère de contrôle U+0000 refusé : retirez-le de la cellule.",
        "p.csv, ligne 203, colonne F « statut » : caractère de contrôle U+009B refusé : retirez-le de la cellule.",
        "p.csv, ligne 203, colonne H « note » : caractère de contrôle U+001B refusé : retirez-le de la cellule.",
        "p.csv, ligne 204, colonne H « note » : caractère de contrôle U+E0041 refusé : retirez-le de la cellule.",
        "p.csv, ligne 205, colonne I : caractère de contrôle U+202E refusé : retirez-le de la cellule."]


def test_a_file_mixing_utf8_and_windows_1252_lines_is_refused(conn: duckdb.DuckDBPyConnection) -> None:
    loaded(conn)
    header = b"nom;prenom;commune;instance;role;debut;fin\n"
    utf8 = "HÊTRE;Benoît;Mulhouse;conseil;conseiller communautaire;2020-07-16;\n".encode()
    cp1252 = "SAULE;Zoé;Mulhouse;conseil;conseiller communautaire;2020-07-16;\n".encode("cp1252")
    ascii_line = b"CHENE;Luc;Mulhouse;conseil;conseiller communautaire;2020-07-16;\n"
    # lines 2, 3 and 6 in UTF-8, line 4 (the minority) in Windows-1252, line 5 in ASCII (either)
    content = header + utf8 + utf8 + cp1252 + ascii_line + utf8
    before = snapshot(conn)
    with pytest.raises(importer.ImportRefused) as refused:
        importer.import_sources(conn, [("m.csv", content)], today=TODAY)
    assert [str(p) for p in refused.value.problems] == [
        "m.csv, ligne 4 : encodages mêlés : cette ligne est en Windows-1252, 3 autre(s) ligne(s) en UTF-8 (à partir "
        "de la ligne 2) ; enregistrez le fichier entier en « CSV UTF-8 »."]
    # the other way round: a Windows-1252 file with one UTF-8 line pasted in
    with pytest.raises(importer.ImportRefused) as refused:
        importer.import_sources(conn, [("m.csv", header + cp1252 + cp1252 + utf8)], today=TODAY)
    assert str(refused.value.problems[0]).startswith("m.csv, ligne 4 : encodages mêlés : cette ligne est en UTF-8, 2 "
                                                     "autre(s) ligne(s) en Windows-1252 (à partir de la ligne 2)")
    assert snapshot(conn) == before
    # one encoding throughout, either of them, is read as before
    run(conn, ("m.csv", header + cp1252.replace(b"SAULE", b"TILLEUL") + ascii_line))
    assert conn.execute("SELECT first_name FROM persons WHERE last_name = 'TILLEUL'").fetchall() == [("Zoé",)]


@pytest.mark.parametrize(("cell", "message"), [
    ("²", "date impossible « ² » (attendu JJ/MM/AAAA ou AAAA-MM-JJ)."),
    ("２０２４-03-20", "date impossible « ２０２４-03-20 » (attendu JJ/MM/AAAA ou AAAA-MM-JJ)."),
    ("٢٠/03/2024", "date impossible « ٢٠/03/2024 » (attendu JJ/MM/AAAA ou AAAA-MM-JJ)."),
    ("9999-12-31", "date hors de la période admise « 9999-12-31 » (du 01/01/1945 au 31/12/2100)."),
    ("31/12/1944", "date hors de la période admise « 31/12/1944 » (du 01/01/1945 au 31/12/2100)."),
    ("2101-01-01", "date hors de la période admise « 2101-01-01 » (du 01/01/1945 au 31/12/2100)."),
    ("73051", "date impossible « 73051 » (attendu JJ/MM/AAAA ou AAAA-MM-JJ)."),  # Excel's 1 January 2100: no serial
])
def test_a_date_is_ascii_digits_within_1945_to_2100(conn: duckdb.DuckDBPyConnection, cell: str, message: str) -> None:
    loaded(conn)
    for name, header, row in (
            ("s.csv", "instance;date;statut", f"conseil;{cell};prévue"),
            ("p.csv", "instance;date;nom;prenom;commune;statut", f"conseil;{cell};HÊTRE;Anne;Mulhouse;présent"),
            ("r.csv", "instance;date;nom;prenom;commune;reponse", f"conseil;{cell};HÊTRE;Anne;Mulhouse;présent"),
            ("o.csv", "instance;date;point;intitule", f"conseil;{cell};1;Budget"),
            ("m.csv", MEMBER_HEADER.strip(), f"HÊTRE;Anne;Mulhouse;forum;membre;{cell};")):
        column = "F « debut »" if name == "m.csv" else "B « date »"
        assert refused_by(conn, (name, f"{header}\n{row}\n")) == [f"{name}, ligne 2, colonne {column} : {message}"]


def test_the_bounds_of_the_date_range_are_accepted(conn: duckdb.DuckDBPyConnection) -> None:
    loaded(conn)
    run(conn, ("s.csv", "instance;date;statut\nconseil;01/01/1945;tenue\nconseil;2100-12-31;prévue\n"))
    assert conn.execute("SELECT meeting_date::VARCHAR FROM meetings WHERE meeting_date < '1950-01-01' OR "
                        "meeting_date > '2099-12-31' ORDER BY 1").fetchall() == [("1945-01-01",), ("2100-12-31",)]


@pytest.mark.parametrize(("cell", "message"), [
    ("³", "« ³ » n'est pas un nombre entier positif."),
    ("١٣", "« ١٣ » n'est pas un nombre entier positif."),
    ("99999999999999", "« 99999999999999 » dépasse le plus grand nombre admis (2\u202f147\u202f483\u202f647)."),
    ("2147483648", "« 2147483648 » dépasse le plus grand nombre admis (2\u202f147\u202f483\u202f647)."),
])
def test_a_count_is_ascii_digits_within_the_column_type(conn: duckdb.DuckDBPyConnection, cell: str,
                                                        message: str) -> None:
    loaded(conn)
    problems = refused_by(conn, ("s.csv", f"instance;date;statut;type;demandeurs\n"
                                          f"conf_maires;2024-06-25;tenue;à la demande;{cell}\n"))
    assert problems == [f"s.csv, ligne 2, colonne E « demandeurs » : {message}"]
    problems = refused_by(conn, ("m.csv", MEMBER_HEADER.replace("fin\n", "fin;rang\n")
                                 + f"HÊTRE;Anne;Mulhouse;bureau;vice-président;2020-07-16;;{cell}\n"))
    assert problems == [f"m.csv, ligne 2, colonne H « rang » : {message}"]
    # the largest INTEGER is written
    run(conn, ("s.csv", "instance;date;statut;type;demandeurs\nconf_maires;2024-06-25;tenue;à la demande;"
                        "2 147 483 647\n"))
    assert conn.execute("SELECT requesters FROM meetings WHERE body_code = 'conf_maires'").fetchall() \
        == [(2_147_483_647,)]


def test_correcting_the_format_type_and_status_of_a_sitting_keeps_its_rows(conn: duckdb.DuckDBPyConnection) -> None:
    loaded(conn)
    rows = "SELECT person_id, status, delegate_id FROM attendance ORDER BY person_id"
    signed = conn.execute(rows).fetchall()
    meeting_id = conn.execute("SELECT meeting_id FROM meetings WHERE meeting_date = '2024-03-20'").fetchone()
    run(conn, ("o.csv", "instance;date;point;intitule\nconseil;2024-03-20;1;Budget\n"))
    header = "instance;date;statut;format;type;demandeurs\n"
    for fmt, kind, status in (("visioconférence", "ordinaire", "tenue"), ("mixte", "reconvoquée", "tenue"),
                              ("présentiel", "ordinaire", "tenue")):
        result = run(conn, ("s.csv", f"{header}conseil;2024-03-20;{status};{fmt};{kind};\n"))
        assert result.by_kind["meetings"] == (0, 1, 0)
    assert conn.execute("SELECT meeting_id, format, meeting_type FROM meetings WHERE meeting_date = '2024-03-20'"
                        ).fetchall() == [(meeting_id[0] if meeting_id else None, "in_person", "ordinary")]
    assert conn.execute(rows).fetchall() == signed and len(signed) == 3
    assert conn.execute("SELECT count(*) FROM agenda_items").fetchall() == [(1,)]
    # three updates: the format (1), then the format and the type (2), then both back (2)
    assert conn.execute("SELECT column_name, old_value, new_value FROM change_log WHERE table_name = 'meetings' "
                        "ORDER BY change_id").fetchall() == [
        ("format", "in_person", "video"), ("format", "video", "mixed"), ("meeting_type", "ordinary", "reconvened"),
        ("format", "mixed", "in_person"), ("meeting_type", "reconvened", "ordinary")]
    # a held sitting with sign-ins is not cancelled by an import (only held sittings have attendance): refused
    before = snapshot(conn)
    assert refused_by(conn, ("s.csv", f"{header}conseil;2024-03-20;annulée;;;\n")) == [
        "s.csv, ligne 2, colonne C « statut » : la séance conseil du 20/03/2024 a des présences enregistrées : elle "
        "ne peut pas devenir « annulée » par un import. Corrigez son statut dans le formulaire « Saisir une séance », "
        "qui retire ces présences en les inscrivant à l'historique."]
    assert snapshot(conn) == before


def test_the_commune_of_a_sitting_with_rows_is_refused_before_writing(conn: duckdb.DuckDBPyConnection) -> None:
    loaded(conn)
    problems = refused_by(conn, ("s.csv", "instance;date;statut;commune\nconseil;2024-03-20;tenue;Mulhouse\n"))
    assert problems == ["s.csv, ligne 2, colonne D « commune » : la séance conseil du 20/03/2024 a déjà des présences, "
                        "des réponses ou un ordre du jour : sa commune (aucune) ne peut plus être changée par un "
                        "import. Laissez-la telle qu'elle est ; le format, le type et le statut, eux, se corrigent."]
    # a sitting nothing references yet takes its commune
    run(conn, ("s.csv", "instance;date;statut;commune\nconseil;2024-05-22;annulée;Mulhouse\n"))
    assert conn.execute("SELECT commune_insee FROM meetings WHERE meeting_date = '2024-05-22'").fetchall() \
        == [("68224",)]


def test_a_point_of_the_agenda_is_ascii(conn: duckdb.DuckDBPyConnection) -> None:
    with_points(conn)
    # fold() would make "²" a point 2, and int() reads "٣" as 3
    problems = refused_by(conn, ("o.csv", "instance;date;point;intitule\nconseil;2024-03-20;²;Budget\n"))
    assert problems == ["o.csv, ligne 2, colonne C « point » : point « ² » illisible (attendu : 1, 2, 3.1, 4 bis…)."]
    problems = refused_by(conn, ("p.csv", BOUNDED + "conseil;20/03/2024;HÊTRE;Anne;Mulhouse;présent;;٣;\n"))
    assert problems == ["p.csv, ligne 2, colonne H « depuis » : point « ٣ » illisible (attendu : 1, 2, 3.1, 4 bis…)."]
