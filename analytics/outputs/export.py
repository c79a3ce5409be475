"""Downloads for Excel: CSV with ';' separators, decimal commas, French dates, UTF-8 with a BOM.

A French Excel opens such a file with a double click: the BOM tells it the encoding, ';' is the list separator
of the French regional settings and "87,5" is a number there, where "87.5" would be read as text or as a date.
"""

from __future__ import annotations

import io

import pandas as pd


def to_excel_csv(frame: pd.DataFrame) -> bytes:
    """The frame as CSV bytes for a French Excel (index dropped, headers as they are)."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            # a day is enough everywhere in this product; DD/MM/YYYY is what Excel recognises in French
            out[column] = values.dt.strftime("%d/%m/%Y")
        elif values.dtype == object and values.map(lambda v: hasattr(v, "isoformat")).any():
            out[column] = values.map(lambda v: v.strftime("%d/%m/%Y") if hasattr(v, "strftime") else v)
    text = out.to_csv(sep=";", decimal=",", index=False, lineterminator="\r\n")
    return ("\ufeff" + text).encode("utf-8")


def to_xlsx(frame: pd.DataFrame, sheet: str = "Données") -> bytes:
    """The frame as an Excel workbook: dates as real dates shown dd/mm/yyyy, numbers as numbers, header in bold."""
    from openpyxl import Workbook  # imported here: only this download needs it
    from openpyxl.styles import Font

    book = Workbook()
    table = book.active
    table.title = sheet[:31]  # Excel's limit for a sheet name
    table.append([str(column) for column in frame.columns])
    for cell in table[1]:
        cell.font = Font(bold=True)
    for row in frame.itertuples(index=False):
        table.append([None if _missing(value) else _plain(value) for value in row])
    for index, column in enumerate(frame.columns, start=1):
        values = frame[column]
        if pd.api.types.is_datetime64_any_dtype(values) or values.map(lambda v: hasattr(v, "strftime")).any():
            for cell in table.iter_cols(min_col=index, max_col=index, min_row=2):
                for item in cell:
                    item.number_format = "DD/MM/YYYY"
        width = max([len(str(column))] + [len(str(v)) for v in values.head(200)]) + 2
        table.column_dimensions[table.cell(row=1, column=index).column_letter].width = min(width, 60)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _plain(value: object) -> object:
    """A value openpyxl can write: numpy numbers become Python numbers, timestamps become dates."""
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().date() if value == value.normalize() else value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return value
