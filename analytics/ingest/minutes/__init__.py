"""Attendance read from the minutes of a sitting (procès-verbal, compte rendu, extrait du registre).

`extract_text(name, data)` gives the lines of a .txt, .pdf (with a text layer), .docx or .odt file;
`read_minutes(lines, members)` reads them against the members in office and returns a `Reading` to check before
anything is written. Pure: no database, no Streamlit, no printing; every refusal is a `MinutesError`.
"""

from analytics.ingest.minutes.errors import MinutesError
from analytics.ingest.minutes.extract import MAX_BYTES, MAX_UNCOMPRESSED, extract_text
from analytics.ingest.minutes.model import STATUSES, Conflict, Member, Reading, Row, Section, Unmatched
from analytics.ingest.minutes.reader import item_key, normalize_item, read_minutes

__all__ = [
    "MAX_BYTES", "MAX_UNCOMPRESSED", "STATUSES", "Conflict", "Member", "MinutesError", "Reading", "Row", "Section",
    "Unmatched", "extract_text", "item_key", "normalize_item", "read_minutes",
]
