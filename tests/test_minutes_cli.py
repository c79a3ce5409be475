"""`python -m analytics minutes` and the tab « Depuis un procès-verbal » (issue 13): the JSON contract, the French
summary, the write through the import (counts worked out by hand from the fixtures), the refusals that leave the
base byte-identical, and the tab driven by AppTest.

The base holds the 22 fictitious members of tests/minutes/membres.csv (those of test_minutes.MEMBERS), members of the
Conseil from 15 July 2020: 19 councillors and 3 substitutes (Galfingue, Zimmersheim, Niffer, one-seat communes).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analytics import cli
from analytics.ingest import importer, recording
from analytics.ingest.minutes import MinutesError, read_minutes
from analytics.ingest.minutes import sitting as minutes
from analytics.rules import filters, quorum
from analytics.store import db
from tests.support import ROOT, snapshot

HERE = ROOT / "tests" / "minutes"
TODAY = date(2026, 11, 29)


@pytest.fixture
def base(tmp_path: Path) -> Path:
    """A base with the members of the fixtures, and nothing else."""
    path = tmp_path / "pv.duckdb"
    conn = db.connect(path)
    importer.import_files(conn, [HERE / "membres.csv"], today=TODAY)
    conn.close()
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    """Run the command line in this process: exit code, stdout, stderr."""
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def rows_of(path: Path, query: str) -> list[tuple]:
    conn = duckdb.connect(str(path), read_only=True)
    try:
        return conn.execute(query).fetchall()
    finally:
        conn.close()


def frozen(path: Path) -> tuple[dict[str, list[str]], bytes]:
    """Every row of every table, and the file's bytes: equal means untouched."""
    conn = duckdb.connect(str(path), read_only=True)
    try:
        return snapshot(conn), path.read_bytes()
    finally:
        conn.close()


_ATTENDANCE = """
    SELECT p.last_name || ' ' || p.first_name, a.status, d.last_name || ' ' || d.first_name
    FROM attendance AS a JOIN persons AS p USING (person_id) LEFT JOIN persons AS d ON d.person_id = a.delegate_id
    ORDER BY 1, 2"""
_SPANS = """
    SELECT p.last_name || ' ' || p.first_name, s.from_item, s.to_item, s.status
    FROM attendance_spans AS s JOIN persons AS p USING (person_id) ORDER BY 1"""


def test_json_contract_key_by_key(capsys: pytest.CaptureFixture[str], base: Path) -> None:
    code, out, _ = run(capsys, "minutes", HERE / "figures.txt", "--db", base, "--json")
    assert code == 0
    result = json.loads(out)
    assert list(result) == ["body", "date", "convocation_date", "declared", "rows", "unmatched", "not_mentioned"]
    assert result["body"] == "conseil"
    assert result["date"] == "2025-03-13"  # "JEUDI 13 MARS 2025", read from the text
    assert result["convocation_date"] == "2025-03-07"  # "régulièrement convoqué le 7 mars 2025"
    # "titulaires en exercice : 19 — présents : 6 — votants : 9" and "Procurations : 3"
    assert result["declared"] == {"in_office": 19, "present": 6, "proxy": 3, "voting": 9}
    assert len(result["rows"]) == 11
    assert all(list(row) == ["person", "commune", "status", "delegate", "from_item", "to_item", "written", "line"]
               for row in result["rows"])
    assert result["rows"][0] == {"person": "CHÊNE Jean", "commune": "68224", "status": "present", "delegate": None,
                                 "from_item": None, "to_item": None, "written": "CHÊNE Jean", "line": 9}
    by_person = {row["person"]: row for row in result["rows"]}
    assert by_person["PI-ÉRABLE Isabelle"] == {
        "person": "PI-ÉRABLE Isabelle", "commune": "68224", "status": "proxy", "delegate": "THUR Jacques",
        "from_item": "2", "to_item": None, "written": "Mme PI-ÉRABLE Isabelle a donné pouvoir à M. THUR Jacques",
        "line": 15}  # the bound « , à partir du point 2 » is read into from_item
    assert (by_person["MERLE Jean-Michel"]["to_item"], by_person["MERLE Jean-Michel"]["line"]) == ("3", 10)
    assert (by_person["D'AUBÉPINE Luc"]["status"], by_person["D'AUBÉPINE Luc"]["commune"]) == ("absent", "68271")
    assert sorted(row["status"] for row in result["rows"]) == (
        ["absent", "excused"] + ["present"] * 6 + ["proxy"] * 3)
    assert result["unmatched"] == []
    # 19 councillors in office, 11 named: the 8 others (two are both « FRÊNE Paul », of Riedisheim and Habsheim)
    assert sorted(result["not_mentioned"]) == ["FRÊNE Paul", "FRÊNE Paul", "HÊTRE Claire", "LORIOT Gérard",
                                               "MERLE Sophie", "MÉLÈZE Rose", "THUR Paul", "TILLEUL Hugo"]


def test_json_unmatched_names_with_their_line_and_reason(capsys: pytest.CaptureFixture[str], base: Path) -> None:
    code, out, _ = run(capsys, "minutes", HERE / "unknown.txt", "--db", base, "--json")
    assert code == 0  # a reading without --apply is no refusal
    result = json.loads(out)
    assert result["date"] == "2023-12-12" and result["convocation_date"] is None
    assert result["declared"] == {"in_office": None, "present": None, "proxy": None, "voting": None}
    assert result["unmatched"] == [
        {"written": "Jean RHIN", "line": 3, "reason": "unknown"},
        {"written": "Paul FRÊNE", "line": 3, "reason": "ambiguous"},
        {"written": "THUR", "line": 3, "reason": "ambiguous"},
        {"written": "Jaques THUR", "line": 3, "reason": "unknown"},
        {"written": "P. FRÊNE", "line": 3, "reason": "ambiguous"},
        {"written": "Paul FRÊNE", "line": 5, "reason": "ambiguous"},
        {"written": "Anne MARRONNIER", "line": 5, "reason": "unknown"},
    ]
    # the proxies are read, their holders not resolved: no delegate is guessed
    proxies = [(r["person"], r["delegate"]) for r in result["rows"] if r["status"] == "proxy"]
    assert proxies == [("ROSSIGNOL Denise", None), ("FAUVETTE Bernard", None)]


def test_french_summary_sections_figures_and_unmatched(capsys: pytest.CaptureFixture[str], base: Path) -> None:
    code, out, _ = run(capsys, "minutes", HERE / "figures.txt", "--db", base)
    assert code == 0
    assert "Procès-verbal figures.txt : instance conseil, séance du 13 mars 2025, convocation du 7 mars 2025." in out
    assert "  ligne 9 — « Présents » (présents) : 6 nom(s)" in out
    assert "  présents : 6 / 6" in out and "  votants : 9 / 9" in out and "  membres en fonction : 19 / 19" in out
    assert "  ligne 15 — PI-ÉRABLE Isabelle (Mulhouse) : pouvoir à THUR Jacques, à partir du point 2" in out
    assert "FRÊNE Paul (Riedisheim), FRÊNE Paul (Habsheim)" in out  # the homonyms told apart by their commune
    code, out, _ = run(capsys, "minutes", HERE / "unknown.txt", "--db", base)
    assert code == 0
    assert "Noms non reconnus (7) :" in out
    assert "  ligne 3 — « Jean RHIN » : inconnu parmi les membres en fonction" in out
    assert "  ligne 5 — « Paul FRÊNE » : ambigu (plusieurs membres possibles)" in out
    assert "  présents : non annoncé / 2" in out  # CHÊNE Jean and « Paul FRÊNE (Habsheim) »


def test_apply_writes_the_sitting_its_agenda_and_its_rows(capsys: pytest.CaptureFixture[str], base: Path) -> None:
    code, out, _ = run(capsys, "minutes", HERE / "figures.txt", "--db", base, "--apply")
    assert code == 0
    assert "La séance du 13 mars 2025 n'existe pas encore : elle sera créée comme tenue." in out
    # 1 sitting + 5 agenda points + 11 attendance rows
    assert "Procès-verbal enregistré : 11 présence(s) lue(s) ; 17 ligne(s) ajoutée(s), 0 modifiée(s)" in out
    assert rows_of(base, "SELECT body_code, meeting_date, status, convocation_date FROM meetings") == [
        ("conseil", date(2025, 3, 13), "held", date(2025, 3, 7))]
    assert rows_of(base, "SELECT item FROM agenda_items ORDER BY position") == [("1",), ("2",), ("3",), ("3.1",),
                                                                                ("4",)]
    assert rows_of(base, _ATTENDANCE) == [
        ("CHÊNE Jean", "present", None), ("D'AUBÉPINE Luc", "absent", None),
        ("DE LA FORÊT Marie-Anne", "present", None),
        ("FAUVETTE Bernard", "proxy", "CHÊNE Jean"), ("MERLE Jean-Michel", "present", None),
        ("MÉSANGE Chloé", "proxy", "ROSSIGNOL Denise"), ("PI-ÉRABLE Isabelle", "proxy", "THUR Jacques"),
        ("PINSON Alain", "excused", None), ("ROSSIGNOL Denise", "present", None),
        ("SAULE Anne-Catherine", "present", None), ("THUR Jacques", "present", None),
    ]
    # the three rows bounded to points: « jusqu'au point 3 », « partie avant le point 3.1 », « à partir du point 2 »
    assert rows_of(base, _SPANS) == [("MERLE Jean-Michel", None, "3", "present"),
                                     ("PI-ÉRABLE Isabelle", "2", None, "proxy"),
                                     ("ROSSIGNOL Denise", None, "3", "present")]
    assert rows_of(base, "SELECT source, rows_added FROM import_log ORDER BY import_id DESC LIMIT 1") == [("cli", 17)]
    # the same minutes again: nothing new
    code, out, _ = run(capsys, "minutes", HERE / "figures.txt", "--db", base, "--apply")
    assert code == 0 and "0 ligne(s) ajoutée(s), 0 modifiée(s)" in out
    assert "n'existe pas encore" not in out


def test_apply_refuses_unmatched_names_and_leaves_the_base_untouched(capsys: pytest.CaptureFixture[str],
                                                                      base: Path) -> None:
    before = frozen(base)
    code, out, err = run(capsys, "minutes", HERE / "unknown.txt", "--db", base, "--apply")
    assert code == 1
    assert "  ligne 3 — « Jean RHIN » : inconnu parmi les membres en fonction" in out
    assert "7 nom(s) non reconnu(s) et 0 contradiction(s) : rien n'est enregistré" in err
    assert frozen(base) == before


def test_a_substitute_who_sits_has_their_own_row_and_bounds_need_an_agenda(capsys: pytest.CaptureFixture[str],
                                                                          base: Path) -> None:
    # points.txt bounds two rows to points but lists no agenda, and the base has none: written without the
    # bounds, after saying so
    code, out, _ = run(capsys, "minutes", HERE / "points.txt", "--db", base, "--apply")
    assert code == 0
    assert ("2 présence(s) bornée(s) à des points sont enregistrées sans leurs bornes : ni le procès-verbal ni la "
            "base ne donnent l'ordre du jour de la séance") in out
    assert "9 ligne(s) ajoutée(s)" in out  # 1 sitting + 8 rows
    assert rows_of(base, _SPANS) == [] and rows_of(base, "SELECT * FROM agenda_items") == []
    attendance = rows_of(base, _ATTENDANCE)
    # « Suppléants présents : Marc BOULEAU »: the one-seat councillor of Galfingue is substituted, and he sits
    assert ("HÊTRE Claire", "substituted", "BOULEAU Marc") in attendance
    assert ("BOULEAU Marc", "present", None) in attendance
    assert len(attendance) == 8


def test_the_agenda_given_beside_the_minutes_keeps_the_bounds(capsys: pytest.CaptureFixture[str],
                                                              base: Path) -> None:
    code, out, _ = run(capsys, "minutes", HERE / "points.txt", "--db", base, "--apply", "--ordre-du-jour",
                       HERE / "points_odj.csv")
    assert code == 0
    assert "sans leurs bornes" not in out
    assert "13 ligne(s) ajoutée(s)" in out  # 1 sitting + 4 points + 8 rows
    assert rows_of(base, "SELECT item, title FROM agenda_items ORDER BY position") == [
        ("1", "Approbation du procès-verbal"), ("2", "Budget supplémentaire"), ("3", "Transports"),
        ("4", "Questions diverses")]
    assert rows_of(base, _SPANS) == [("ROSSIGNOL Denise", None, "3", "present"),
                                     ("SAULE Anne-Catherine", "2", None, "present")]


def test_a_proxy_without_holder_passes_the_import_checks_only_for_minutes(conn: duckdb.DuckDBPyConnection) -> None:
    importer.import_files(conn, [HERE / "membres.csv"], today=TODAY)
    sheet = ("instance;date;nom;prenom;commune;statut;mandataire\n"
             "conseil;21/09/2020;FAUVETTE;Bernard;Habsheim;pouvoir;\n"
             "conseil;21/09/2020;CHÊNE;Jean;Mulhouse;présent;\n").encode()
    cur = conn.cursor()
    refused = importer.validate(cur, [("presences.csv", sheet)], TODAY)
    assert [(p.line, p.message) for p in refused.problems] == [
        (2, "indiquez le mandataire (« NOM Prénom ») du pouvoir ou le suppléant.")]
    accepted = importer.validate(cur, [("presences.csv", sheet)], TODAY, proxy_without_holder=True)
    assert accepted.problems == []
    assert sorted(accepted.attendance.values()) == [("present", None, 3), ("proxy", None, 2)]


def test_a_proxy_without_holder_is_stored_without_holder(capsys: pytest.CaptureFixture[str], base: Path) -> None:
    # bruche.txt: « Avaient donné procuration : » names three members and no holder: migration 009 lets each be
    # stored as a proxy whose delegate is NULL (no holder is guessed), the others as read.
    code, _, err = run(capsys, "minutes", HERE / "bruche.txt", "--db", base, "--apply")
    assert code == 0, err
    proxies = [row for row in rows_of(base, _ATTENDANCE) if row[1] == "proxy"]
    assert proxies == [("FAUVETTE Bernard", "proxy", None), ("MÉSANGE Chloé", "proxy", None),
                       ("PI-ÉRABLE Isabelle", "proxy", None)]
    # three proxies without holder are not three proxies to one unnamed holder: no overload is reported
    conn = db.connect(base)
    try:
        assert quorum.proxy_overload(conn, date(2020, 9, 1), date(2020, 9, 30)).empty
        # the meeting form re-saves the sitting as stored (no holder guessed), but makes no new holderless proxy
        sheet = recording.load_sheet(conn, "conseil", date(2020, 9, 21))
        kept = sheet.rows[["person_id", "status", "delegate_id"]].copy()
        added, updated, _ = recording.save_sheet(conn, sheet, kept, username="secretariat", today=TODAY)
        assert (added, updated) == (0, 0)
        assert [row for row in rows_of_connection(conn) if row[1] == "proxy"] == proxies
        sheet = recording.load_sheet(conn, "conseil", date(2020, 9, 21))
        changed = sheet.rows[["person_id", "status", "delegate_id"]].copy()
        present = changed.index[changed["status"] == "present"][0]
        changed.loc[present, "status"] = "proxy"
        with pytest.raises(recording.InvalidSheet, match="indiquez le porteur du pouvoir"):
            recording.save_sheet(conn, sheet, changed, username="secretariat", today=TODAY)
    finally:
        conn.close()


def rows_of_connection(conn: duckdb.DuckDBPyConnection) -> list[tuple]:
    """The attendance rows by name, read through an open connection."""
    return conn.execute(_ATTENDANCE).fetchall()


def test_refusals_and_usage(capsys: pytest.CaptureFixture[str], base: Path, tmp_path: Path) -> None:
    undated = tmp_path / "sans_date.txt"
    undated.write_text("Présents : CHÊNE Jean, SAULE Anne-Catherine\n", encoding="utf-8")
    code, _, err = run(capsys, "minutes", undated, "--db", base)
    assert code == 1 and "la date de la séance n'a pas été trouvée dans le texte" in err
    code, out, _ = run(capsys, "minutes", undated, "--db", base, "--date", "2024-05-02", "--json")
    assert code == 0 and json.loads(out)["date"] == "2024-05-02" and len(json.loads(out)["rows"]) == 2
    code, _, err = run(capsys, "minutes", HERE / "not_minutes.txt", "--db", base, "--date", "2024-05-02")
    assert code == 1 and "ne ressemble pas à un procès-verbal" in err
    code, _, err = run(capsys, "minutes", HERE / "empty.txt", "--db", base, "--date", "2024-05-02")
    assert code == 1 and "vide" in err
    code, _, err = run(capsys, "minutes", tmp_path / "absent.txt", "--db", base)
    assert code == 1 and "fichier introuvable" in err
    code, _, err = run(capsys, "minutes", HERE / "figures.txt", "--db", base, "--instance", "inconnue")
    assert code == 1 and "Instance inconnue « inconnue »." in err
    code, _, err = run(capsys, "minutes", HERE / "figures.txt", "--db", base, "--date", "2019-01-10")
    assert code == 1 and "Personne n'est membre de l'instance conseil le 10/01/2019" in err
    for argv in (["minutes"], ["minutes", str(HERE / "figures.txt"), "--date", "31/02/2024"]):
        with pytest.raises(SystemExit) as usage:
            cli.main(argv)
        assert usage.value.code == 2
    capsys.readouterr()


# -- the tab « Depuis un procès-verbal » ----------------------------------------------------------------------------

def test_the_tab_reads_offers_a_picker_and_saves(monkeypatch: pytest.MonkeyPatch, base: Path) -> None:
    st.cache_data.clear()
    st.cache_resource.clear()
    monkeypatch.setenv(filters.TODAY_VARIABLE, TODAY.isoformat())
    monkeypatch.setenv("GOUVERNANCE_DB", str(base))
    text = ("CONSEIL D'AGGLOMÉRATION — SÉANCE DU 12 DÉCEMBRE 2023\n\n"
            "Étaient présents : Jean CHÊNE, Paul FRÊNE, Denise ROSSIGNOL\n").encode()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    at.switch_page("pages/donnees/saisie.py").run()
    assert not at.exception, at.exception
    at.file_uploader(key="proces-verbal").set_value(("pv.txt", text, "text/plain")).run()
    assert not at.exception, at.exception
    conn = db.connect(base)  # the configuration of the app's connection: the same DuckDB instance
    ids = {(last, insee): pid for pid, last, insee in
           conn.execute("SELECT person_id, last_name, commune_insee FROM persons").fetchall()}
    riedisheim, habsheim = ids[("FRÊNE", "68271")], ids[("FRÊNE", "68118")]
    picker = at.selectbox(key="pv-choix-pv.txt-conseil-2023-12-12-3-Paul FRÊNE")
    assert "Paul FRÊNE" in picker.label and "ambigu" in picker.label
    assert picker.options[1:3] == ["FRÊNE Paul (Riedisheim)", "FRÊNE Paul (Habsheim)"]  # the suggestions first
    assert not any(b.label == "Enregistrer la séance et ses présences" for b in at.button)  # nothing to save yet
    assert conn.execute("SELECT count(*) FROM meetings").fetchall() == [(0,)]
    picker.set_value(habsheim).run()
    assert not at.exception, at.exception
    assert any("Noms résolus à la main" in c.value for c in at.caption)
    next(b for b in at.button if b.label == "Enregistrer la séance et ses présences").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("Procès-verbal enregistré : séance du 12 décembre 2023, 3 présence(s)" in s.value for s in at.success)
    assert conn.execute("SELECT person_id, status FROM attendance ORDER BY person_id").fetchall() == sorted(
        [(ids[("CHÊNE", "68224")], "present"), (habsheim, "present"), (ids[("ROSSIGNOL", "68224")], "present")])
    assert riedisheim not in [pid for (pid,) in conn.execute("SELECT person_id FROM attendance").fetchall()]
    assert conn.execute("SELECT event, detail FROM audit_events WHERE event = 'import'").fetchall() == [
        ("import", "procès-verbal pv.txt (conseil 2023-12-12)")]


def test_refusals_of_what_a_template_row_cannot_say(capsys: pytest.CaptureFixture[str], base: Path) -> None:
    before = frozen(base)
    # substitutes.txt: LORIOT (Bruebach, no substitute on record) and THUR Paul (Illzach, several seats) are
    # « représenté par son suppléant », who is not named: a substitution needs its substitute
    code, _, err = run(capsys, "minutes", HERE / "substitutes.txt", "--db", base, "--apply")
    assert code == 1
    assert "Suppléant non nommé pour LORIOT Gérard (ligne 8), THUR Paul (ligne 9)" in err
    assert frozen(base) == before


def test_a_holder_with_a_homonym_is_written_by_identifier(base: Path) -> None:
    text = ["SÉANCE DU CONSEIL D'AGGLOMÉRATION DU 10 AVRIL 2025", "",
            "Présents : CHÊNE Jean, FRÊNE Paul (Riedisheim)", "",
            "Procurations : M. FAUVETTE Bernard donne pouvoir à M. FRÊNE Paul"]
    conn = db.connect(base)
    try:
        roster = minutes.roster(conn, "conseil", date(2025, 4, 10))
        frene = next(p for p, person in roster.people.items()
                     if person.display == "FRÊNE Paul" and person.commune_insee == "68271")
        first = read_minutes(text, roster.members)
        assert [(u.written, u.line, u.context) for u in first.unmatched] == [("FRÊNE Paul", 5, "delegate")]
        reading = read_minutes(text, roster.members, choices={first.unmatched[0].key: frene})
        assert reading.complete
        # two « FRÊNE Paul » in office and no identifier: the import could not tell which holds the proxy
        with pytest.raises(MinutesError, match="FRÊNE Paul \\(Riedisheim\\) : mandataire ou suppléant homonyme"):
            minutes.plan(conn, reading, roster, "pv.txt")
        importer.import_sources(conn, [("membres.csv", (
            "nom;prenom;commune;instance;role;debut;identifiant\n"
            "FRÊNE;Paul;Riedisheim;conseil;conseiller communautaire;15/07/2020;RIE-FRENE\n").encode())], today=TODAY)
        roster = minutes.roster(conn, "conseil", date(2025, 4, 10))
        plan = minutes.plan(conn, reading, roster, "pv.txt")
        result = minutes.apply(conn, plan, "pv.txt", username="test", source="cli", today=TODAY)
        assert result.added == 4  # the sitting and three rows
        held = conn.execute("SELECT delegate_id FROM attendance WHERE status = 'proxy'").fetchall()
        assert held == [(frene,)]
    finally:
        conn.close()
