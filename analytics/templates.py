"""Reading the import templates: decoding, separator, header, and which template a file is."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from analytics.text import fold

# Columns of each template, in template order; the required ones carry no default.
TEMPLATES: dict[str, tuple[str, ...]] = {
    "members": ("nom", "prenom", "commune", "instance", "role", "debut", "fin", "rang"),
    "meetings": ("instance", "date", "statut", "format", "type", "demandeurs", "commune", "participants"),
    "attendance": ("instance", "date", "nom", "prenom", "commune", "statut", "mandataire"),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "members": ("nom", "prenom", "commune", "instance", "role", "debut"),
    "meetings": ("instance", "date"),
    "attendance": ("instance", "date", "nom", "prenom", "commune", "statut"),
}
KIND_LABELS = {"members": "membres", "meetings": "séances", "attendance": "présences"}
# Files are applied in this order whatever the order given: people before their meetings and sign-ins.
APPLY_ORDER = ("members", "meetings", "attendance")

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_FRENCH = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


@dataclass(frozen=True)
class Problem:
    """One error found in an input file, located for the user."""

    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"ligne {self.line}")
        if self.column is not None:
            where.append(f"colonne {self.column}")
        return f"{', '.join(where)} : {self.message}"


@dataclass
class Table:
    """A decoded file: its template, its columns and its rows with their line numbers."""

    name: str
    kind: str
    columns: dict[str, int]                      # folded column name -> index
    labels: dict[str, str]                       # folded column name -> "C « statut »" for messages
    rows: list[tuple[int, list[str]]] = field(default_factory=list)

    def cell(self, row: list[str], column: str) -> str:
        """The stripped value of `column` in `row`, or "" when the file has no such column."""
        index = self.columns.get(column)
        return row[index].strip() if index is not None and index < len(row) else ""


def column_letter(index: int) -> str:
    """Spreadsheet letter of a zero-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def parse_date(text: str) -> date | None:
    """A date written AAAA-MM-JJ or JJ/MM/AAAA, or None when it is not one (31/02/2024 included)."""
    text = text.strip()
    if match := _ISO.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _FRENCH.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def decode(name: str, content: bytes) -> tuple[str | None, list[Problem]]:
    """The text of a UTF-8 file (BOM removed), or a problem for empty and binary files."""
    if not content.strip():
        return None, [Problem(name, None, None, "le fichier est vide.")]
    if b"\x00" in content[:4096]:
        return None, [Problem(name, None, None, "ce n'est pas un fichier texte CSV (fichier binaire).")]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        return None, [Problem(name, line, None, "le fichier n'est pas encodé en UTF-8. Enregistrez-le en « CSV UTF-8 ».")]
    return text, []


def _separator(header_line: str) -> str:
    return max((";", ",", "\t"), key=header_line.count)


def _kind(columns: set[str]) -> str | None:
    # the template sharing most columns with the header; ties cannot happen for the three templates
    scores = {kind: len(columns & set(cols)) for kind, cols in TEMPLATES.items()}
    best = max(scores, key=lambda kind: scores[kind])
    return best if scores[best] >= 2 else None


def read_table(name: str, content: bytes) -> tuple[Table | None, list[Problem]]:
    """Decode and split a template file; the problems say why it could not be read."""
    text, problems = decode(name, content)
    if text is None:
        return None, problems
    header_line = text.lstrip("\r\n").splitlines()[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(header_line))
    try:
        records = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        return None, [Problem(name, reader.line_num, None, f"ligne CSV illisible ({exc}).")]
    header = [fold(cell) for cell in records[0][1]]
    kind = _kind(set(header))
    if kind is None:
        expected = " ; ".join(" / ".join(cols) for cols in TEMPLATES.values())
        return None, [Problem(name, records[0][0], None, f"en-tête non reconnu. En-têtes attendus : {expected}.")]
    columns: dict[str, int] = {}
    for index, column in enumerate(header):
        if column in columns and column in TEMPLATES[kind]:
            problems.append(Problem(name, 1, f"{column_letter(index)} « {column} »", "colonne en double."))
        columns.setdefault(column, index)
    for column in REQUIRED[kind]:
        if column not in columns:
            problems.append(
                Problem(name, 1, f"« {column} »", f"colonne manquante pour un fichier de {KIND_LABELS[kind]}.")
            )
    labels = {column: f"{column_letter(index)} « {column} »" for column, index in columns.items()}
    table = Table(name, kind, columns, labels)
    width = len(header)
    for line, row in records[1:]:
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            problems.append(Problem(name, line, None, f"{len(row)} champs au lieu de {width}."))
            continue
        table.rows.append((line, row))
    return table, problems
