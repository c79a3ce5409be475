"""Exports for Excel: CSV with ';', decimal commas and a BOM; XLSX with real dates shown dd/mm/yyyy and rates with a
percent format; every text cell a spreadsheet would evaluate neutralised (OWASP CSV injection, issue 17)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pandas as pd
from openpyxl import load_workbook

from analytics.outputs.export import french_day, neutralised, to_excel_csv, to_xlsx

FRAME = pd.DataFrame({"Instance": ["Bureau", "Forum m2A"], "Date": [date(2026, 3, 2), date(2026, 11, 29)],
                      "Présence": [0.875, None], "Séances": [12, 3]})

HOSTILE = ['=HYPERLINK("http://x","y")', "+33 6 12 34 56 78", "-1", "@SUM(A1:A9)", "\t=1+1", "\r=1+1",
           "  =1+1", "＝1+1"]


def _csv_rows(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))


def test_csv_for_a_french_excel() -> None:
    text = to_excel_csv(FRAME).decode("utf-8")
    assert text.startswith("\ufeffInstance;Date;Présence;Séances\r\n")
    assert "Bureau;02/03/2026;0,875;12\r\n" in text


def test_csv_rates_as_percent_with_one_decimal_and_dates_as_jj_mm_aaaa() -> None:
    frame = pd.DataFrame({
        "Nom": ["DUPONT Anne", "MARTIN Luc", "KLEIN Eva"],
        "Date": ["16 avr. 2026", "1er janv. 2026", "jeudi 1er octobre 2026"],  # as the pages write them
        "Jusqu'au": ["3 mars 2025", "en cours", "—"],
        "Présence": [0.9722222222222222, None, 1.0],
        "Participation": [0.5, 0.04, 0.0],
        "Convocations": [36, 0, 12],
    })
    rows = _csv_rows(to_excel_csv(frame, rates=["Présence", "Participation"]))
    assert rows == [
        ["Nom", "Date", "Jusqu'au", "Présence (%)", "Participation (%)", "Convocations"],
        ["DUPONT Anne", "16/04/2026", "03/03/2025", "97,2", "50,0", "36"],
        ["MARTIN Luc", "01/01/2026", "en cours", "", "4,0", "0"],
        ["KLEIN Eva", "01/10/2026", "—", "100,0", "0,0", "12"],
    ]


def test_csv_neutralises_formulas_and_keeps_numbers() -> None:
    frame = pd.DataFrame({"Prénom": HOSTILE, "Écart": [-1, -2.5, 0, 3, 4, 5, 6, 7]})
    rows = _csv_rows(to_excel_csv(frame))
    assert [row[0] for row in rows[1:]] == ["'" + value for value in HOSTILE]
    assert [row[1] for row in rows[1:]] == ["-1,0", "-2,5", "0,0", "3,0", "4,0", "5,0", "6,0", "7,0"]
    # a hostile header too
    assert _csv_rows(to_excel_csv(pd.DataFrame({"=cmd": ["a"]})))[0] == ["'=cmd"]


def test_neutralised_leaves_ordinary_text_alone() -> None:
    for text in ["DUPONT Anne", "D'ALSACE Jean-Paul", "Forum m2A", "", "1er janv. 2026", "87,5 %", "a=b"]:
        assert neutralised(text) == text


def test_xlsx_keeps_dates_and_numbers() -> None:
    sheet = load_workbook(io.BytesIO(to_xlsx(FRAME))).active
    assert [c.value for c in sheet[1]] == ["Instance", "Date", "Présence", "Séances"]
    assert sheet["B2"].value.date() == date(2026, 3, 2) and sheet["B2"].number_format == "dd/mm/yyyy"
    assert sheet["C2"].value == 0.875 and sheet["C3"].value is None and sheet["D3"].value == 3


def test_xlsx_real_dates_and_percent_rates() -> None:
    frame = pd.DataFrame({"Date": ["16 avr. 2026", "en cours"], "Du": [pd.Timestamp("2026-01-05"), pd.NaT],
                          "Présence": [0.9722222222222222, None], "Séances": [12, 3]})
    sheet = load_workbook(io.BytesIO(to_xlsx(frame, rates=["Présence"]))).active
    assert sheet["A2"].value == datetime(2026, 4, 16) and sheet["A2"].number_format == "dd/mm/yyyy"
    assert sheet["A3"].value == "en cours" and sheet["A3"].data_type == "s"
    assert sheet["B2"].value == datetime(2026, 1, 5) and sheet["B2"].number_format == "dd/mm/yyyy"
    assert sheet["B3"].value is None
    assert sheet["C2"].value == 0.9722222222222222 and sheet["C2"].number_format == "0.0 %"
    assert sheet["C1"].value == "Présence"  # the header stays: the format says it is a percentage
    assert sheet["D2"].value == 12 and sheet["D2"].number_format == "General"


def test_xlsx_never_writes_a_formula() -> None:
    frame = pd.DataFrame({"Prénom": HOSTILE, "Écart": [-1, -2.5, 0, 3, 4, 5, 6, 7]})
    book = load_workbook(io.BytesIO(to_xlsx(frame)))
    cells = [cell for row in book.active.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    names = [row[0] for row in book.active.iter_rows(min_row=2)]
    assert [cell.value for cell in names] == HOSTILE  # the text itself, unchanged
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in names)  # Excel's apostrophe
    numbers = [row[1] for row in book.active.iter_rows(min_row=2)]
    assert [cell.value for cell in numbers[:2]] == [-1, -2.5] and all(cell.data_type == "n" for cell in numbers)


def test_xlsx_drops_characters_xml_cannot_hold() -> None:
    sheet = load_workbook(io.BytesIO(to_xlsx(pd.DataFrame({"Nom": ["A\x00B\x1bC"]})))).active
    assert sheet["A2"].value == "ABC"


def test_french_day_reads_what_the_pages_write() -> None:
    assert french_day("1er janv. 2026") == date(2026, 1, 1)
    assert french_day("16 avr. 2026") == date(2026, 4, 16)
    assert french_day("3 juin 2026") == date(2026, 6, 3)
    assert french_day("jeudi 1er octobre 2026") == date(2026, 10, 1)
    assert french_day("31 févr. 2026") is None
    assert french_day("en cours") is None and french_day("le 3 mars 2025") is None
