"""Exports for Excel: CSV with ';', decimal commas and a BOM; XLSX with real dates shown dd/mm/yyyy."""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
from openpyxl import load_workbook

from analytics.outputs.export import to_excel_csv, to_xlsx

FRAME = pd.DataFrame({"Instance": ["Bureau", "Forum m2A"], "Date": [date(2026, 3, 2), date(2026, 11, 29)],
                      "Présence": [0.875, None], "Séances": [12, 3]})


def test_csv_for_a_french_excel() -> None:
    text = to_excel_csv(FRAME).decode("utf-8")
    assert text.startswith("\ufeffInstance;Date;Présence;Séances\r\n")
    assert "Bureau;02/03/2026;0,875;12\r\n" in text


def test_xlsx_keeps_dates_and_numbers() -> None:
    sheet = load_workbook(io.BytesIO(to_xlsx(FRAME))).active
    assert [c.value for c in sheet[1]] == ["Instance", "Date", "Présence", "Séances"]
    assert sheet["B2"].value.date() == date(2026, 3, 2) and sheet["B2"].number_format == "DD/MM/YYYY"
    assert sheet["C2"].value == 0.875 and sheet["C3"].value is None and sheet["D3"].value == 3
