"""Import of the Répertoire national des élus (conseillers communautaires), current and older editions."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from analytics.ingest import importer

HEADER = ["Code du département", "Libellé du département", "Code de la collectivité à statut particulier",
          "Libellé de la collectivité à statut particulier", "N° SIREN", "Libellé de l'EPCI",
          "Code de la commune de rattachement", "Libellé de la commune de rattachement", "Nom de l'élu",
          "Prénom de l'élu", "Code sexe", "Date de naissance", "Code de la catégorie socio-professionnelle",
          "Libellé de la catégorie socio-professionnelle", "Date de début du mandat", "Libellé de la fonction",
          "Date de début de la fonction"]
ROWS = [
    ["68", "Haut-Rhin", "", "", "200066009", "CA Mulhouse Alsace Agglomération", "68032", "Berrwiller", "ORME",
     "Lucien", "M", "1961-04-02", "23", "Chefs d'entreprise", "2020-07-16", "Président du conseil communautaire",
     "2020-07-16"],
    ["68", "Haut-Rhin", "", "", "200066009", "CA Mulhouse Alsace Agglomération", "68224", "Mulhouse", "SAULE",
     "Paule", "F", "1970-11-30", "33", "Cadres de la fonction publique", "2020-07-16",
     "1er vice-président du conseil communautaire", "2020-07-16"],
    ["68", "Haut-Rhin", "", "", "200066009", "CA Mulhouse Alsace Agglomération", "68166", "Kingersheim", "FRÊNE",
     "Joël", "M", "1958-01-12", "74", "Anciens cadres", "2020-07-16",
     "4eme Vice-président du conseil communautaire", "2022-09-26"],
    ["68", "Haut-Rhin", "", "", "200066009", "CA Mulhouse Alsace Agglomération", "68376", "Wittenheim", "NOYER",
     "Ines", "F", "1981-05-05", "34", "Professeurs", "2020-07-16", "", ""],
    # another EPCI of the file: ignored
    ["68", "Haut-Rhin", "", "", "246800726", "CA Colmar Agglomération", "68066", "Colmar", "CÈDRE", "Marc", "M",
     "1965-03-03", "23", "Chefs d'entreprise", "2020-07-15", "", ""],
]


def _french(day: str) -> str:
    return day and f"{day[8:10]}/{day[5:7]}/{day[:4]}"


CURRENT = "\n".join(";".join(row) for row in [HEADER, *ROWS]).encode("utf-8")
# older editions: tab-separated, DD/MM/YYYY dates
OLDER = "\n".join("\t".join(row) for row in [HEADER] + [
    [*row[:11], _french(row[11]), *row[12:14], _french(row[14]), row[15], _french(row[16])] for row in ROWS
]).encode("utf-8")


@pytest.mark.parametrize("content", [CURRENT, OLDER], ids=["current", "older"])
def test_register_gives_members_functions_and_bureau(conn: duckdb.DuckDBPyConnection, content: bytes) -> None:
    result = importer.import_sources(conn, [("elus.csv", content)], today=date(2024, 1, 1))
    # 4 persons; 4 conseil memberships; 3 bureau memberships (Président and the two vice-presidents)
    assert result.by_kind["members"] == (11, 0, 0)
    rows = conn.execute("""
        SELECT p.last_name, p.commune_insee, m.body_code, m.role, m.rank, m.start_date::VARCHAR
        FROM memberships m JOIN persons p USING (person_id) ORDER BY p.person_id, m.body_code""").fetchall()
    assert rows == [
        ("ORME", "68032", "bureau", "president", None, "2020-07-16"),
        ("ORME", "68032", "conseil", "president", None, "2020-07-16"),
        ("SAULE", "68224", "bureau", "vice_president", 1, "2020-07-16"),
        ("SAULE", "68224", "conseil", "vice_president", 1, "2020-07-16"),
        ("FRÊNE", "68166", "bureau", "vice_president", 4, "2022-09-26"),
        ("FRÊNE", "68166", "conseil", "vice_president", 4, "2020-07-16"),
        ("NOYER", "68376", "conseil", "councillor", None, "2020-07-16"),
    ]
    # nothing of the birth date, sex or occupation is kept (identifier is the secretariat's own key for homonyms,
    # from the members template, never from the register)
    columns = {r[0] for r in conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'persons'").fetchall()}
    assert columns == {"person_id", "last_name", "first_name", "commune_insee", "match_key", "identifier"}
    assert conn.execute("SELECT count(*) FROM persons WHERE identifier IS NOT NULL").fetchall() == [(0,)]


def test_register_reimport_is_idempotent(conn: duckdb.DuckDBPyConnection) -> None:
    importer.import_sources(conn, [("elus.csv", CURRENT)], today=date(2024, 1, 1))
    again = importer.import_sources(conn, [("elus.csv", OLDER)], today=date(2024, 1, 1))
    assert (again.added, again.updated, again.unchanged) == (0, 0, 7)


@pytest.mark.parametrize("label, expected", [
    ("Président du conseil communautaire", ("president", None)),
    ("Présidente du conseil communautaire", ("president", None)),
    ("5ème vice-président du conseil communautaire", ("vice_president", 5)),
    ("4eme Vice-président du conseil communautaire", ("vice_president", 4)),
    ("1ère Vice-Présidente", ("vice_president", 1)),
    ("12e vice-président", ("vice_president", 12)),
    ("Conseillère communautaire déléguée", ("delegate", None)),
    ("", ("councillor", None)),
])
def test_function_labels(label: str, expected: tuple) -> None:
    assert importer.register_function(label) == expected


def test_register_with_an_unknown_commune_is_refused(conn: duckdb.DuckDBPyConnection) -> None:
    bad = "\n".join(";".join(r) for r in [HEADER, [*ROWS[0][:6], "75056", *ROWS[0][7:]]]).encode("utf-8")
    with pytest.raises(importer.ImportRefused) as refused:
        importer.import_sources(conn, [("elus.csv", bad)], today=date(2024, 1, 1))
    assert str(refused.value.problems[0]).startswith(
        "elus.csv, ligne 2, colonne G « code de la commune de rattachement » : commune « 75056 »")


def test_a_register_row_never_merges_with_a_homonym_of_the_staff(conn: duckdb.DuckDBPyConnection) -> None:
    # NOYER Ines of Wittenheim is also the name of the commune's DGS, another person
    importer.import_sources(conn, [("membres.csv", b"nom;prenom;commune;instance;role;debut;identifiant\n"
                                                   b"NOYER;Ines;Wittenheim;dgs;DGS;2019-01-01;WIT-DGS\n")],
                            today=date(2024, 1, 1))
    with pytest.raises(importer.ImportRefused) as refused:
        importer.import_sources(conn, [("elus.csv", CURRENT)], today=date(2024, 1, 1))
    assert [str(p) for p in refused.value.problems] == [
        "elus.csv, ligne 5, colonne I « nom de l'elu » : « NOYER Ines (Wittenheim) » est déjà enregistré comme agent "
        "(dgs) ; cette ligne en fait un élu. S'il s'agit de deux personnes homonymes, donnez à chacune un identifiant "
        "(colonne « identifiant ») ; sinon, corrigez le rôle."]
    # a column « identifiant » added to the register tells the councillor apart
    lines = CURRENT.decode().split("\n")
    tagged = [lines[0] + ";identifiant", *(f"{line};{'WIT-7' if ';NOYER;' in line else ''}" for line in lines[1:])]
    importer.import_sources(conn, [("elus.csv", "\n".join(tagged).encode())], today=date(2024, 1, 1))
    assert conn.execute("SELECT identifier, string_agg(body_code, ',' ORDER BY body_code) FROM persons "
                        "JOIN memberships USING (person_id) WHERE last_name = 'NOYER' GROUP BY ALL ORDER BY 1"
                        ).fetchall() == [("WIT-7", "conseil"), ("WIT-DGS", "dgs")]
