"""What each page shows, as frames and French strings; and the one rule for data inside markdown.

Streamlit renders markdown in st.markdown, st.caption, the alerts (st.info, st.error…), labels, help tooltips and
st.table cells: a name holding `![x](http://…)` would make the reader's browser fetch an image, `[x](http://…)` would
show a link, `$…$` would be typeset, `:material/…:` would become an icon. Every value that comes from the data (a
person's name, a message holding one, a commune or body name, an uploaded file's name) goes through
`escape_markdown` before it is put into markdown.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from datetime import date
from typing import Any

import pandas as pd

from analytics.wording.display import short_date
from analytics.wording.format import number, percent

_PUNCTUATION = frozenset(string.punctuation)
# an invisible word joiner after ":" and "@" and before ".": Streamlit turns ":name:" into an emoji or an icon, and
# GFM links "http://…", "www.…" and "a@b.fr" found in the text itself, after the backslash escapes are resolved
_WORD_JOINER = "\u2060"
_JOIN_AFTER = frozenset(":@")
_JOIN_BEFORE = frozenset(".")
_LINE_BREAKS = str.maketrans({"\r": " ", "\n": " ", "\t": " ", "\v": " ", "\f": " ", "\u2028": " ",
                              "\u2029": " "})


def escape_markdown(value: Any) -> str:
    """`value` as text that markdown shows literally, on one line: every ASCII punctuation character
    backslash-escaped (CommonMark renders `\\x` as `x` for all of them, so links, images, emphasis, code, HTML,
    tables, headings, LaTeX `$` and Streamlit's `:color[…]` directives cannot start), and an invisible word joiner
    after ":" and "@" and before "." so that no `:shortcode:` becomes an emoji or an icon and no web or e-mail
    address becomes a link."""
    text = str(value).translate(_LINE_BREAKS)
    out = []
    for char in text:
        if char in _JOIN_BEFORE:
            out.append(_WORD_JOINER)
        if char in _PUNCTUATION:
            out.append("\\" + char)
        else:
            out.append(char)
        if char in _JOIN_AFTER:
            out.append(_WORD_JOINER)
    return "".join(out)


def escape_all(values: Iterable[Any]) -> list[str]:
    return [escape_markdown(value) for value in values]


def static_table(frame: pd.DataFrame, rates: Iterable[str] = (), integers: Iterable[str] = ()) -> pd.DataFrame:
    """The frame as st.table shows it: every cell and header French text, escaped for markdown (st.table renders
    markdown in cells); rates as "87,5 %", integers as "1 234", missing values as an em dash."""
    rate_columns, integer_columns = set(rates), set(integers)

    def cell(column: str, value: Any) -> str:
        if value is None or (not isinstance(value, str) and _missing(value)):
            return "—"
        if column in rate_columns:
            return escape_markdown(percent(float(value)))
        if isinstance(value, date):  # a datetime or a Timestamp is a date too
            return escape_markdown(short_date(value))
        if column in integer_columns or (isinstance(value, (int, float)) and not isinstance(value, bool)):
            digits = 0 if column in integer_columns or float(value).is_integer() else 1
            return escape_markdown(number(float(value), digits))
        return escape_markdown(value)

    return pd.DataFrame({escape_markdown(column): [cell(column, value) for value in frame[column].tolist()]
                         for column in frame.columns})


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
