"""Downloads for Excel: CSV with ';' separators, decimal commas, French dates, UTF-8 with a BOM; XLSX with real dates
and percentages.

A French Excel opens such a CSV with a double click: the BOM tells it the encoding, ';' is the list separator of the
French regional settings and "87,5" is a number there, where "87.5" would be read as text or as a date.

What each kind of cell becomes:

- **text**: as it is, except that a cell a spreadsheet would take for a formula (it begins with `=`, `+`, `-`, `@`,
  a tab, a carriage return or a line feed, after any spaces — OWASP's CSV-injection list, with the full-width forms)
  gets a leading apostrophe in the CSV; in the XLSX it is written as a string cell marked "quote prefix" (Excel's own
  apostrophe), never as a formula. Characters XML cannot hold are dropped from the XLSX. Numbers are never touched:
  -1 stays the number -1.
- **dates**: date and timestamp cells, and text cells that are a French date as the pages write it ("3 mars 2025",
  "1er janv. 2026", "jeudi 1er janvier 2026"), become `jj/mm/aaaa` in the CSV and real dates shown `jj/mm/aaaa` in
  the XLSX, so that Excel sorts and filters them. Other text of a date column ("en cours", "—") stays text.
- **rates** (the columns named in `rates`, fractions 0–1): in the CSV a percentage with one decimal, as a number
  (97,2) under a header that says so ("Présence (%)"), so that Excel sorts it; in the XLSX the fraction itself with
  the percent format `0.0 %` (Excel shows "97,2 %" and computes with 0,972).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import pandas as pd
from babel.dates import get_day_names, get_month_names

# first characters that make a spreadsheet evaluate a cell (OWASP CSV injection; tab, CR and LF included, and the
# full-width forms that some spreadsheets fold to the ASCII ones)
_FORMULA_START = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
_LEADING_SPACE = " \u00a0\u202f"
RATE_HEADER = "{} (%)"  # the CSV header of a rate column, whose numbers are percentages
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
RATE_FORMAT = "0.0 %"

_MONTHS = {str(name).lower().rstrip("."): number
           for width in ("abbreviated", "wide") for number, name in get_month_names(width, locale="fr").items()}
_WEEKDAYS = "|".join(str(name).lower() for name in get_day_names("wide", locale="fr").values())
_FRENCH_DATE = re.compile(rf"(?:(?:{_WEEKDAYS})\s+)?(\d{{1,2}})(?:er)?\s+([a-zéèêëûôîàç]+)\.?\s+(\d{{4}})",
                          re.IGNORECASE)
# what openpyxl refuses in a cell (XML 1.0 forbids these control characters)
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralised(text: str) -> str:
    """`text` with a leading apostrophe when a spreadsheet would read it as a formula (OWASP CSV injection)."""
    stripped = text.lstrip(_LEADING_SPACE)
    return "'" + text if stripped[:1] in _FORMULA_START else text


def is_formula_like(text: str) -> bool:
    return neutralised(text) != text


def french_day(text: str) -> date | None:
    """The date a cell's whole text writes the French way ("3 mars 2025", "1er janv. 2026", "jeudi 1er janvier
    2026"), or None."""
    match = _FRENCH_DATE.fullmatch(text.strip())
    if not match:
        return None
    month = _MONTHS.get(match.group(2).lower())
    if month is None:
        return None
    try:
        return date(int(match.group(3)), month, int(match.group(1)))
    except ValueError:
        return None


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _day_or_time(value: object) -> date | datetime | None:
    """A date cell as a Python date (a timestamp at midnight) or datetime (naive), else None."""
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        value = value.replace(tzinfo=None)
        return value.date() if value == datetime.combine(value.date(), datetime.min.time()) else value
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return french_day(value)
    return None


def _plain(value: object) -> object:
    """A value openpyxl and the CSV writer can take: numpy numbers become Python numbers."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return value


def _rate_columns(frame: pd.DataFrame, rates: Iterable[str]) -> set[str]:
    return {column for column in rates if column in frame.columns}


def to_excel_csv(frame: pd.DataFrame, rates: Iterable[str] = ()) -> bytes:
    """The frame as CSV bytes for a French Excel (index dropped): text neutralised, dates jj/mm/aaaa, the `rates`
    columns as percentages with one decimal under a "(%)" header."""
    rate_columns = _rate_columns(frame, rates)
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        values = frame[column]
        header = neutralised(str(column))
        if column in rate_columns:
            out[RATE_HEADER.format(header)] = pd.to_numeric(values, errors="coerce").mul(100).round(1)
        elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            out[header] = values
        else:
            out[header] = values.map(_csv_cell).astype(object)
    text = out.to_csv(sep=";", decimal=",", index=False, lineterminator="\r\n")
    return ("\ufeff" + text).encode("utf-8")


def _csv_cell(value: object) -> object:
    if _missing(value):
        return None
    day = _day_or_time(value)
    if day is not None:
        # a day is enough everywhere in this product; DD/MM/YYYY is what Excel recognises in French
        return day.strftime("%d/%m/%Y")
    if isinstance(value, str):
        return neutralised(value)
    value = _plain(value)
    if isinstance(value, float):
        return repr(value).replace(".", ",")  # a number in a text column: the decimal comma all the same
    return value


def to_xlsx(frame: pd.DataFrame, sheet: str = "Données", rates: Iterable[str] = ()) -> bytes:
    """The frame as an Excel workbook: text as string cells (never formulas), dates as real dates shown dd/mm/yyyy,
    numbers as numbers, the `rates` columns with a percent format, header in bold."""
    from openpyxl import Workbook  # imported here: only this download needs it
    from openpyxl.styles import Font

    rate_columns = _rate_columns(frame, rates)
    book = Workbook()
    table = book.active
    table.title = _xml_text(sheet)[:31] or "Données"  # Excel's limit for a sheet name
    for index, column in enumerate(frame.columns, start=1):
        _write(table.cell(row=1, column=index), str(column)).font = Font(bold=True)
    for row_number, row in enumerate(frame.itertuples(index=False), start=2):
        for index, (column, value) in enumerate(zip(frame.columns, row), start=1):
            cell = _write(table.cell(row=row_number, column=index), value)
            if column in rate_columns and isinstance(cell.value, (int, float)):
                cell.number_format = RATE_FORMAT
    for index, column in enumerate(frame.columns, start=1):
        values = frame[column]
        width = max([len(str(column))] + [len(str(v)) for v in values.head(200)]) + 2
        table.column_dimensions[table.cell(row=1, column=index).column_letter].width = min(width, 60)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xml_text(text: str) -> str:
    return _XML_ILLEGAL.sub("", text)


def _write(cell: Any, value: object) -> Any:
    """Put one value in an openpyxl cell: None, a date, a number, or a string that stays a string."""
    if _missing(value):
        cell.value = None
        return cell
    day = _day_or_time(value)
    if day is not None:
        cell.value = day
        cell.number_format = DATE_FORMAT if not isinstance(day, datetime) else DATETIME_FORMAT
        return cell
    value = _plain(value)
    if isinstance(value, bool) or isinstance(value, (int, float)):
        cell.value = value
        return cell
    text = _xml_text(str(value))
    cell.value = text
    # openpyxl turns a string beginning with "=" into a formula: force a string cell, and mark any text a
    # spreadsheet would evaluate with Excel's quote prefix so that editing the cell keeps it text
    cell.data_type = "s"
    if is_formula_like(text):
        cell.quotePrefix = True
    return cell
