"""The set-based path of a sign-in sheet (issue 15): a plain sheet is checked in columns, anything else row by row,
and both readings of any sheet end in the same database and the same refusals."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.ingest import importer, templates
from analytics.store import db
from tests.support import snapshot

TODAY = date(2024, 12, 31)
# Four members of the Conseil: two homonyms told apart by their commune, one whose term ended on 30 June 2024, one
# substitute of Riedisheim (a one-seat commune); and a Bureau member.
MEMBERS = """nom;prenom;commune;instance;role;debut;fin;identifiant
HÊTRE;Anne;Mulhouse;conseil;conseiller communautaire;2020-07-16;;
HÊTRE;Anne;Kingersheim;conseil;conseiller communautaire;2020-07-16;;
ÉRABLE;Léa;Riedisheim;conseil;conseiller communautaire;2020-07-16;2024-06-30;
SAULE;Paul;Riedisheim;conseil;suppléant;2020-07-16;;
CHÊNE;Luc;Wittenheim;bureau;vice-président;2020-07-16;;
"""
MEETINGS = """instance;date;statut
conseil;2024-05-22;annulée
"""
HEADER = "instance;date;nom;prenom;commune;statut;mandataire"


@pytest.fixture(scope="module")
def base_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A base with the members and one cancelled sitting, copied for each import below."""
    path = tmp_path_factory.mktemp("columns") / "base.duckdb"
    conn = db.connect(path)
    importer.import_sources(conn, [("membres.csv", MEMBERS.encode()), ("seances.csv", MEETINGS.encode())],
                            today=TODAY)
    conn.close()
    return path


def _copy(base_file: Path, folder: Path, name: str) -> duckdb.DuckDBPyConnection:
    path = folder / f"{name}.duckdb"
    shutil.copyfile(base_file, path)
    return db.connect(path)


@pytest.fixture
def spied(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """What plain_sign_ins answered, call by call."""
    answers: list[bool] = []
    checked = importer._Validator.plain_sign_ins

    def spy(self: importer._Validator, cur: duckdb.DuckDBPyConnection, table: templates.Table) -> bool:
        answers.append(checked(self, cur, table))
        return answers[-1]

    monkeypatch.setattr(importer._Validator, "plain_sign_ins", spy)
    yield answers


def outcome(conn: duckdb.DuckDBPyConnection, content: bytes) -> tuple[list[str], dict]:
    """The refusals of an import of `content` (none when it is written) and the database after it."""
    try:
        importer.import_sources(conn, [("p.csv", content)], today=TODAY)
        problems: list[str] = []
    except importer.ImportRefused as refused:
        problems = [str(problem) for problem in refused.problems]
    state = snapshot(conn)
    for table in ("import_log", "change_log"):
        del state[table]  # their timestamps differ from one import to the next
    return problems, state


def both_readings(base_file: Path, folder: Path, content: bytes,
                  monkeypatch: pytest.MonkeyPatch) -> tuple[tuple[list[str], dict], tuple[list[str], dict]]:
    """The outcome of `content` as the importer reads it, and as the row reader alone does."""
    first = _copy(base_file, folder, "columns")
    try:
        as_read = outcome(first, content)
    finally:
        first.close()
    second = _copy(base_file, folder, "rows")
    try:
        with monkeypatch.context() as patch:
            patch.setattr(importer, "read_sign_ins", lambda name, content: None)
            by_rows = outcome(second, content)
    finally:
        second.close()
    return as_read, by_rows


def test_a_plain_sheet_is_checked_in_columns_and_written(base_file: Path, tmp_path: Path,
                                                         spied: list[bool]) -> None:
    conn = _copy(base_file, tmp_path, "plain")
    sheet = (f"{HEADER}\nconseil;2024-03-20;HÊTRE;Anne;Mulhouse;présent;\n"
             "Conseil d'Agglomération;20/03/2024;Hêtre;Anne;68166;excusé;\n"
             "conseil;2024-03-20;ERABLE;Lea;Riedisheim;à distance;\n"
             "bureau;2024-04-02;CHÊNE;Luc;Wittenheim;absent;\n")
    result = importer.import_sources(conn, [("p.csv", sheet.encode())], today=TODAY)
    assert spied == [True]
    # four rows at two sittings, both new (created held)
    assert result.by_kind["attendance"] == (4, 0, 0)
    assert result.by_kind["meetings"] == (2, 0, 0)
    rows = conn.execute("""
        SELECT m.body_code, m.meeting_date, m.status, p.last_name, p.commune_insee, a.status, a.delegate_id
        FROM attendance a JOIN meetings m USING (meeting_id) JOIN persons p USING (person_id)
        ORDER BY m.meeting_date, p.commune_insee""").fetchall()
    assert rows == [
        ("conseil", date(2024, 3, 20), "held", "HÊTRE", "68166", "excused", None),
        ("conseil", date(2024, 3, 20), "held", "HÊTRE", "68224", "present", None),
        ("conseil", date(2024, 3, 20), "held", "ÉRABLE", "68271", "remote", None),
        ("bureau", date(2024, 4, 2), "held", "CHÊNE", "68376", "absent", None),
    ]
    # the same sheet again: nothing changes; then one status changed is one update, logged
    again = importer.import_sources(conn, [("p.csv", sheet.encode())], today=TODAY)
    assert again.by_kind["attendance"] == (0, 0, 4)
    changed = sheet.replace("Riedisheim;à distance", "Riedisheim;présent")
    third = importer.import_sources(conn, [("p.csv", changed.encode())], today=TODAY)
    assert third.by_kind["attendance"] == (0, 1, 3)
    assert conn.execute("SELECT column_name, old_value, new_value FROM change_log").fetchall() == [
        ("status", "remote", "present")]
    assert spied == [True, True, True]
    conn.close()


NOT_PLAIN = {
    "a proxy": "conseil;2024-03-20;HÊTRE;Anne;Mulhouse;pouvoir;HÊTRE Anne\n"
               "conseil;2024-03-20;HÊTRE;Anne;Kingersheim;présent;\n",
    "a substitute": "conseil;2024-03-20;SAULE;Paul;Riedisheim;présent;\n",
    "a name without commune (two homonyms)": "conseil;2024-03-20;HÊTRE;Anne;;présent;\n",
    "a person out of office": "conseil;2024-09-25;ÉRABLE;Léa;Riedisheim;présent;\n",
    "a person of another body": "conseil;2024-03-20;CHÊNE;Luc;Wittenheim;présent;\n",
    "one person twice, dates spelled two ways": "conseil;2024-03-20;HÊTRE;Anne;Mulhouse;présent;\n"
                                                "conseil;20/03/2024;HETRE;anne;68224;absent;\n",
    "one person twice, the same row": "conseil;2024-03-20;HÊTRE;Anne;Mulhouse;présent;\n"
                                      "conseil;2024-03-20;HÊTRE;Anne;Mulhouse;présent;\n",
    "a cancelled sitting": "conseil;2024-05-22;HÊTRE;Anne;Mulhouse;présent;\n",
    "an unknown person": "conseil;2024-03-20;TILLEUL;Marc;Mulhouse;présent;\n",
    "an unknown status": "conseil;2024-03-20;HÊTRE;Anne;Mulhouse;peut-être;\n",
}


@pytest.mark.parametrize("case", NOT_PLAIN)
def test_a_sheet_that_is_not_plain_is_read_row_by_row_with_the_same_outcome(
        base_file: Path, tmp_path: Path, spied: list[bool], monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    content = f"{HEADER}\n{NOT_PLAIN[case]}".encode()
    as_read, by_rows = both_readings(base_file, tmp_path, content, monkeypatch)
    assert spied == [False]  # read in columns, found not plain, then read row by row
    assert as_read == by_rows


@pytest.mark.parametrize("content", [
    b"\ninstance;date;nom;prenom;commune;statut\nconseil;2024-03-20;HETRE;Anne;Mulhouse;present\n",
    b'instance;date;nom;prenom;commune;statut\nconseil;2024-03-20;"HETRE";Anne;Mulhouse;present\n',
    "instance;date;nom;prenom;commune;statut\nconseil;2024-03-20;HÊTRE;Anne;Mulhouse;présent\n".encode("cp1252"),
    b"instance;date;nom;prenom;commune;statut\nconseil;2024-03-20;HETRE;Anne;Mulhouse\n",
    b"instance;date;nom;prenom;commune;statut\nconseil;2024-03-20;HETRE;Anne;Mulhouse;present;;x\n",
    b"instance;date;nom;prenom;commune;statut\nconseil;2024-03-20;HETRE\x7f;Anne;Mulhouse;present\n",
    b"instance;date;nom;prenom;commune;statut\nconseil;2024-03-20;EXEMPLE;Anne;Mulhouse;present\n",
    b"instance;date;statut\nconseil;2024-03-20;tenue\n",
], ids=["blank line first", "quoted cell", "Windows-1252", "short row", "long row", "control character",
        "example row", "another template"])
def test_only_a_plain_utf8_sign_in_csv_is_read_in_columns(content: bytes) -> None:
    assert templates.read_sign_ins("p.csv", content) is None


_NAMES = st.sampled_from(["HÊTRE;Anne;Mulhouse", "Hetre;anne;68224", "HÊTRE;Anne;Kingersheim", "HÊTRE;Anne;",
                          "ÉRABLE;Léa;Riedisheim", "SAULE;Paul;Riedisheim", "CHÊNE;Luc;Wittenheim",
                          "TILLEUL;Marc;Mulhouse", "HÊTRE;Anne;Paris"])
_SITTINGS = st.sampled_from(["conseil;2024-03-20", "conseil;20/03/2024", "conseil;2024-09-25",
                             "conseil;2024-05-22", "bureau;2024-04-02", "inconnue;2024-04-02",
                             "conseil;2024-02-30", "conseil;2030-01-01"])
_STATUSES = st.sampled_from(["présent", "present", "à distance", "excusé", "absent", "non renseigné", "pouvoir",
                             "suppléé", "peut-être", ""])
_HOLDERS = st.sampled_from(["", "", "", "HÊTRE Anne", "SAULE Paul"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(_SITTINGS, _NAMES, _STATUSES, _HOLDERS), min_size=1, max_size=6))
def test_any_sheet_gives_what_the_row_reader_gives(base_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   rows: list[tuple[str, str, str, str]]) -> None:
    content = "\n".join([HEADER, *(f"{sitting};{who};{status};{holder}" for sitting, who, status, holder in rows)])
    as_read, by_rows = both_readings(base_file, tmp_path, content.encode(), monkeypatch)
    assert as_read == by_rows


def test_the_preview_of_a_sheet_read_in_columns_is_the_row_readers(monkeypatch: pytest.MonkeyPatch) -> None:
    content = (f"{HEADER}\n" + "".join(f"conseil;2024-03-{day:02d};HÊTRE;Anne;Mulhouse;présent;\n"
                                       for day in range(1, 13))).encode()
    assert templates.read_sign_ins("p.csv", content) is not None
    shown = templates.preview("p.csv", content, rows=8)
    monkeypatch.setattr(templates, "read_sign_ins", lambda name, content: None)
    assert templates.preview("p.csv", content, rows=8) == shown
    # the header, then the first eight of the twelve rows, cells as written
    (name, kind, header, rows), = shown
    assert (name, kind, header) == ("p.csv", "présences", HEADER.split(";"))
    assert len(rows) == 8 and rows[7] == ["conseil", "2024-03-08", "HÊTRE", "Anne", "Mulhouse", "présent", ""]


def test_the_import_benchmark_prints_its_floors_and_ratio(capsys: pytest.CaptureFixture[str]) -> None:
    from analytics.bench import imports as import_bench

    assert import_bench.command(rows=1_000, runs=5) == 0
    printed = capsys.readouterr().out
    # 1 000 rows of 500 members: two sittings; the first import adds the 500 persons and their 500 memberships, the
    # two sittings and the 1 000 rows (2 002); the second finds the memberships and rows unchanged (1 500)
    assert "médiane de 5 exécutions" in printed
    assert "ajoutées 2 002, inchangées 0" in printed.replace("\u202f", " ")
    assert "ajoutées 0, inchangées 1 500" in printed.replace("\u202f", " ")
    assert "read_csv de DuckDB" in printed and "clés de la table" in printed and "Rapport import / plancher" in printed
