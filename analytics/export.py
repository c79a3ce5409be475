"""Downloads for Excel: CSV with ';' separators, decimal commas, French dates, UTF-8 with a BOM.

A French Excel opens such a file with a double click: the BOM tells it the encoding, ';' is the list separator
of the French regional settings and "87,5" is a number there, where "87.5" would be read as text or as a date.
"""

from __future__ import annotations

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
