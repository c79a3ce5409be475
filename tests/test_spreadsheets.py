"""French spreadsheets: Windows-1252 CSV, tab separators, XLSX workbooks, Excel dates; parsers never crash."""

from __future__ import annotations

import io
import resource
import struct
import time
import tracemalloc
import zipfile
from datetime import date, datetime

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from analytics.ingest import importer, templates
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
    ("²", None), ("٤٥٣٥١", None), ("9999-12-31", None), ("1944-12-31", None), ("1945-01-01", date(1945, 1, 1)),
    ("31/12/2100", date(2100, 12, 31)),
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


SHEET_OPEN = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
              b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')


def _bomb(rows: int) -> bytes:
    """An XLSX whose sheet holds `rows` inline-string rows, streamed into the ZIP: 20 M rows make 2,85 MB."""
    buffer = io.BytesIO()
    chunk = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 20_000
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                                                'package/2006/content-types"/>')
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(SHEET_OPEN)
            for _ in range(rows // 20_000):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def _declare_size(content: bytes, member: str, size: int) -> bytes:
    """`content` whose ZIP central directory says that `member` unpacks to `size` bytes (a lying directory)."""
    data = bytearray(content)
    at = data.find(b"PK\x01\x02")  # a central directory entry: its sizes at 20 and 24, its name at 46
    while at != -1:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + length].decode() == member:
            struct.pack_into("<I", data, at + 24, size)
            return bytes(data)
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError(member)


def _refusal(name: str, content: bytes) -> list[str]:
    """read_tables' problems for `content`, printing how long it took and the memory it used."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.perf_counter()
    tables, problems = read_tables(name, content)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"{name} ({len(content) / 1e6:.2f} MB): refused in {seconds:.2f} s, Python peak {peak / 1e6:.1f} MB, "
          f"process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3:.0f} MB "
          f"(before: {rss / 1e3:.0f} MB)")
    assert tables == []
    return [str(p) for p in problems]


def test_an_xlsx_bomb_is_refused_before_it_is_parsed() -> None:
    content = _bomb(20_000_000)
    assert _refusal("bombe.xlsx", content) == [
        "bombe.xlsx : classeur Excel trop volumineux : sa partie « xl/worksheets/sheet1.xml » occupe 980 Mo une fois "
        "décompressée (limite : 256 Mo) ; importez-le en plusieurs fichiers, ou enregistrez-le en CSV."]
    # a directory that lies about the size: the sheet is read in chunks, its rows counted, and refused as early
    assert _refusal("menteur.xlsx", _declare_size(content, "xl/worksheets/sheet1.xml", 200_000_000)) == [
        "menteur.xlsx : classeur Excel trop volumineux : une feuille a plus de 1\u202f048\u202f576 lignes ; "
        "importez-le en plusieurs fichiers, ou enregistrez-le en CSV."]
    # and one that says less than the sheet holds: zipfile stops there, the checksum does not match
    assert _refusal("court.xlsx", _declare_size(content, "xl/worksheets/sheet1.xml", 10_000)) == [
        "court.xlsx : classeur Excel illisible (BadZipFile)."]


def test_rows_and_cells_of_a_workbook_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [["HÊTRE", "Anne", "Mulhouse", "conseil", "conseiller communautaire", "2020-07-16"],
            ["SAULE", "Paul", "Mulhouse", "conseil", "conseiller communautaire", "2020-07-16"]]
    content = _workbook({"membres": [["nom", "prenom", "commune", "instance", "role", "debut"], *rows]})
    tables, problems = read_tables("m.xlsx", content)
    assert problems == [] and len(tables[0].rows) == 2
    monkeypatch.setattr(templates, "XLSX_MAX_ROWS", 2)
    message = "m.xlsx : classeur Excel trop volumineux : une feuille a plus de 2 lignes ; importez-le en plusieurs " \
              "fichiers, ou enregistrez-le en CSV."
    assert _refusal("m.xlsx", content) == [message]
    # tags the byte count does not know (a prefix "x:row"): the rows openpyxl reads are counted too
    monkeypatch.setattr(templates, "_ROW_TAGS", ())
    assert _refusal("m.xlsx", content) == [message]
    monkeypatch.setattr(templates, "XLSX_MAX_ROWS", 3)
    monkeypatch.setattr(templates, "XLSX_MAX_CELLS", 17)  # 3 rows of 6 cells
    assert _refusal("m.xlsx", content) == [
        "m.xlsx : classeur Excel trop volumineux : il a plus de 17 cellules ; importez-le en plusieurs fichiers, ou "
        "enregistrez-le en CSV."]
    monkeypatch.setattr(templates, "_CELL_TAGS", ())
    assert _refusal("m.xlsx", content)[0].endswith("il a plus de 17 cellules ; importez-le en plusieurs fichiers, ou "
                                                   "enregistrez-le en CSV.")


def test_xml_entities_in_a_workbook_are_refused() -> None:
    import openpyxl

    assert openpyxl.DEFUSEDXML  # openpyxl parses with defusedxml (pyproject.toml)
    content = _workbook({"membres": [["nom", "prenom"], ["HÊTRE", "Anne"]]})
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                # the "billion laughs": each entity ten of the one before
                entities = '<!ENTITY a0 "ha">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 9))
                data = f"<!DOCTYPE worksheet [{entities}]>".encode() + data.replace(b"<t>Anne</t>", b"<t>&a8;</t>")
            target.writestr(info, data)
    problems = _refusal("rires.xlsx", buffer.getvalue())
    assert problems == ["rires.xlsx : classeur Excel illisible (EntitiesForbidden)."]


def test_a_date_cell_past_2100_in_a_workbook_is_refused(conn: duckdb.DuckDBPyConnection) -> None:
    content = _workbook({"seances": [["instance", "date", "statut"], ["conseil", datetime(9999, 12, 31), "prévue"],
                                     ["conseil", 2958465, "prévue"]]})  # Excel's serial of 31 December 9999
    before = snapshot(conn)
    with pytest.raises(importer.ImportRefused) as refused:
        importer.import_sources(conn, [("s.xlsx", content)], today=TODAY)
    assert [str(p) for p in refused.value.problems] == [
        "s.xlsx [seances], ligne 2, colonne B « date » : date hors de la période admise « 9999-12-31 » (du 01/01/1945 "
        "au 31/12/2100).",
        "s.xlsx [seances], ligne 3, colonne B « date » : date impossible « 2958465 » (attendu JJ/MM/AAAA ou "
        "AAAA-MM-JJ)."]
    assert snapshot(conn) == before


def test_the_control_characters_are_every_cc_and_cf_but_tab_and_line_breaks() -> None:
    import unicodedata

    # _control_classes scans planes 0, 1 and 14 only: the others hold no control or format character
    every = {c for c in map(chr, range(0x110000)) if unicodedata.category(c) in ("Cc", "Cf")} - set("\t\n\r")
    assert {c for c in every if templates.control_character(c) is not None} == every
    assert templates.control_character("Budget\tprimitif\r\n« 2024 » – Hêtre’s 😀 𝔸") is None
    assert templates.control_character("vu\U000e0041") == "\U000e0041"
