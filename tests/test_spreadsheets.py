"""French spreadsheets: Windows-1252 CSV, tab separators, XLSX workbooks, Excel dates; parsers never crash."""

from __future__ import annotations

import io
from datetime import date, datetime

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from analytics.ingest import importer
from analytics.ingest.templates import parse_date, read_tables
from tests.support import snapshot

TODAY = date(2024, 12, 31)
MEMBERS = ("nom;prénom;commune;instance;rôle;début;fin\n"
           "HÊTRE;Anne;Mulhouse;conseil;conseillère communautaire;16/07/2020;\n")


def test_windows_1252_csv(conn: duckdb.DuckDBPyConnection) -> None:
    result = importer.import_sources(conn, [("membres.csv", MEMBERS.encode("cp1252"))], today=TODAY)
    assert result.by_kind["members"] == (2, 0, 0)
    assert conn.execute("SELECT last_name, first_name FROM persons").fetchall() == [("HÊTRE", "Anne")]


def test_tab_separated_with_bom(conn: duckdb.DuckDBPyConnection) -> None:
    text = "\ufeff" + MEMBERS.replace(";", "\t")
    result = importer.import_sources(conn, [("membres.txt", text.encode("utf-8"))], today=TODAY)
    assert result.by_kind["members"] == (2, 0, 0)


def _workbook(sheets: dict[str, list[list]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_workbook_with_one_sheet_per_template(conn: duckdb.DuckDBPyConnection) -> None:
    content = _workbook({
        # sheets in the wrong order: applied members -> meetings -> attendance all the same
        "presences": [["instance", "date", "nom", "prenom", "commune", "statut", "mandataire"],
                      ["conseil", datetime(2024, 3, 20), "HÊTRE", "Anne", "Mulhouse", "présent", None],
                      ["conseil", 45463, "HÊTRE", "Anne", 68224, "excusé", None]],  # 45463 = 20 June 2024
        "seances": [["instance", "date", "statut"], ["conseil", datetime(2024, 3, 20), "tenue"]],
        "membres": [["nom", "prénom", "commune", "instance", "rôle", "début", "fin"],
                    ["HÊTRE", "Anne", "Mulhouse", "conseil", "conseiller communautaire", datetime(2020, 7, 16), None]],
    })
    result = importer.import_sources(conn, [("saisie.xlsx", content)], today=TODAY)
    assert result.by_kind == {"members": (2, 0, 0), "meetings": (2, 0, 0), "attendance": (2, 0, 0)}
    assert conn.execute("SELECT meeting_date::VARCHAR, a.status FROM attendance a JOIN meetings USING (meeting_id) "
                        "ORDER BY 1").fetchall() == [("2024-03-20", "present"), ("2024-06-20", "excused")]


def test_xlsx_errors_name_the_sheet(conn: duckdb.DuckDBPyConnection) -> None:
    content = _workbook({"presences": [["instance", "date", "nom", "prenom", "commune", "statut"],
                                       ["conseil", "2024-03-20", "HÊTRE", "Anne", "Mulhouse", "peut-être"]]})
    with pytest.raises(importer.ImportRefused) as refused:
        importer.import_sources(conn, [("saisie.xlsx", content)], today=TODAY)
    assert str(refused.value.problems[0]).startswith(
        "saisie.xlsx [presences], ligne 2, colonne F « statut » : valeur inconnue « peut-être »")


@pytest.mark.parametrize("text, expected", [
    ("2024-02-29", date(2024, 2, 29)), ("29/02/2024", date(2024, 2, 29)), ("1/3/2024", date(2024, 3, 1)),
    ("45351", date(2024, 2, 29)),  # Excel serial: 45351 days after 30 December 1899
    ("2023-02-29", None), ("31/04/2024", None), ("2024/03/01", None), ("12", None), ("", None), ("demain", None),
])
def test_dates(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash_the_reader(content: bytes) -> None:
    tables, problems = read_tables("x.csv", content)
    assert tables or problems  # either something was read or the reason is said


CELLS = st.sampled_from(["conseil", "bureau", "consel", "2024-03-20", "31/02/2024", "HÊTRE", "Anne", "Mulhouse",
                         "68224", "Paris", "présent", "pouvoir", "absent", "HÊTRE Anne", "", "\"", ";", "\n", "é"])
HEADERS = st.sampled_from([
    "instance;date;nom;prenom;commune;statut;mandataire", "nom;prenom;commune;instance;role;debut;fin",
    "instance;date;statut;format;type;demandeurs", "instance;date;nom", "a;b",
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(HEADERS, st.lists(st.lists(CELLS, min_size=0, max_size=8), max_size=6))
def test_arbitrary_csv_imports_all_or_nothing(conn: duckdb.DuckDBPyConnection, header: str,
                                              rows: list[list[str]]) -> None:
    text = header + "\n" + "\n".join(";".join(row) for row in rows)
    before = snapshot(conn)
    try:
        importer.import_sources(conn, [("f.csv", text.encode("utf-8"))], today=TODAY)
    except importer.ImportRefused as refused:
        assert refused.problems and all(str(p).startswith("f.csv") for p in refused.problems)
        assert snapshot(conn) == before


def test_upload_over_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOUVERNANCE_MAX_UPLOAD_MB", "1")
    small, big = ("petit.csv", b"x" * 1_000_000), ("gros.csv", b"x" * 1_000_001)
    assert importer.oversized([small]) == []
    assert [str(p) for p in importer.oversized([small, big])] == [
        "gros.csv : fichier trop volumineux (1,0 Mo ; limite : 1 Mo)."]
