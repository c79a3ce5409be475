"""Dates as French minutes write them: "21 septembre 2018", "jeudi 1er mars 2025", "22/06/2017", "22.09.16".

Month and weekday names come from babel's French locale (no system locale needed), folded like the text.
"""

from __future__ import annotations

import re
from datetime import date

from babel.dates import get_day_names, get_month_names

from analytics.ingest.minutes.names import fold

_MONTHS: dict[str, int] = {}
for _width in ("wide", "abbreviated"):
    for _number, _name in get_month_names(_width, locale="fr").items():
        _MONTHS[fold(_name).rstrip(".")] = int(_number)
_MONTHS.update({"fevr": 2, "sep": 9, "juil": 7, "dec": 12})  # abbreviations seen without babel's exact spelling
_WEEKDAYS = "|".join(sorted({fold(name) for name in get_day_names("wide", locale="fr").values()}, key=len,
                            reverse=True))
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))

# on folded text (lowercase, no accents); group names are read by `parse_date`
DATE = (rf"(?:(?:{_WEEKDAYS})\s+)?(?P<day>1\s*er|\d{{1,2}})\s+(?P<month>{_MONTH_NAMES})\.?(?:\s+(?P<year>\d{{4}}))?"
        rf"|(?P<nday>\d{{1,2}})\s*[/.]\s*(?P<nmonth>\d{{1,2}})\s*[/.]\s*(?P<nyear>\d{{4}}|\d{{2}})\b")
DATE_RE = re.compile(DATE)


def parse_date(match: re.Match[str], year_hint: int | None = None) -> date | None:
    """The date of a `DATE` match; a date written without its year takes `year_hint` when given."""
    try:
        if match.group("nday"):
            year = int(match.group("nyear"))
            year += 2000 if year < 100 else 0
            return date(year, int(match.group("nmonth")), int(match.group("nday")))
        day = int(re.sub(r"\D", "", match.group("day")))
        month = _MONTHS[match.group("month")]
        if match.group("year"):
            return date(int(match.group("year")), month, day)
        if year_hint is None:
            return None
        return date(year_hint, month, day)
    except (ValueError, KeyError):
        return None
