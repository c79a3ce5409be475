"""Reading the import templates: decoding, separator, header, and which template a file is."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

from analytics.wording.text import fold

# Columns of each template, in template order; the required ones carry no default. "identifiant" is the stable key
# the secretariat may give a person to tell two homonyms of one commune apart (stored on persons, unique).
TEMPLATES: dict[str, tuple[str, ...]] = {
    "members": ("nom", "prenom", "commune", "instance", "role", "debut", "fin", "rang", "identifiant"),
    "meetings": ("instance", "date", "statut", "format", "type", "demandeurs", "commune", "participants",
                 "convocation"),
    "attendance": ("instance", "date", "nom", "prenom", "commune", "statut", "mandataire", "identifiant",
                   "depuis", "jusqua"),
    # the agenda of a sitting (« ordre du jour »): its points "1", "2", "3.1"… and their titles (DESIGN.md §3)
    "agenda": ("instance", "date", "point", "intitule"),
    # each convened member's reply to the convocation of a sitting (DESIGN.md §5c), known by its « reponse » column
    "replies": ("instance", "date", "nom", "prenom", "commune", "reponse", "mandataire", "identifiant"),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "members": ("nom", "prenom", "commune", "instance", "role", "debut"),
    "meetings": ("instance", "date"),
    "attendance": ("instance", "date", "nom", "prenom", "commune", "statut"),
    "agenda": ("instance", "date", "point"),
    "replies": ("instance", "date", "nom", "prenom", "commune", "reponse"),
}
# Other spellings of a column (folded): the apostrophe of « jusqu'à », which a column name cannot do without.
HEADER_ALIASES = {"jusqu'a": "jusqua", "jusqu'au": "jusqua", "jusqu a": "jusqua"}
# The Répertoire national des élus, file of the conseillers communautaires (folded headers).
REGISTER_COLUMNS = (
    "code du departement", "libelle du departement", "code de la collectivite a statut particulier",
    "libelle de la collectivite a statut particulier", "n° siren", "libelle de l'epci",
    "code de la commune de rattachement", "libelle de la commune de rattachement", "nom de l'elu",
    "prenom de l'elu", "code sexe", "date de naissance", "code de la categorie socio-professionnelle",
    "libelle de la categorie socio-professionnelle", "date de debut du mandat", "libelle de la fonction",
    "date de debut de la fonction",
)
REGISTER_REQUIRED = (
    "n° siren", "code de la commune de rattachement", "nom de l'elu", "prenom de l'elu", "date de debut du mandat",
    "libelle de la fonction",
)
KIND_LABELS = {"members": "membres", "meetings": "séances", "attendance": "présences", "agenda": "ordre du jour",
               "register": "répertoire des élus", "replies": "réponses aux convocations"}
# Files are applied in this order whatever the order given: people before their meetings and sign-ins.
APPLY_ORDER = ("register", "members", "meetings", "agenda", "attendance", "replies")
EXCEL_EPOCH = date(1899, 12, 30)
# Excel serial numbers accepted as dates: 1 January 1950 to 31 December 2099
EXCEL_SERIALS = range(18264, 73051)

# The example rows of the files in data/templates/ say so in a cell: a last name EXEMPLE, a remark "EXEMPLE – ligne
# à supprimer". A row with a cell that is, or starts with, the word EXEMPLE (any case or accent) is refused.
_EXAMPLE = re.compile(r"exemple\b")
_MAYBE_EXAMPLE = re.compile(r"xempl", re.IGNORECASE)  # a quick look at a whole file before any cell is folded
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
    header_ok: bool = True                       # False when a column is missing or doubled

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


@lru_cache(maxsize=65536)
def parse_date(text: str) -> date | None:
    """A date written AAAA-MM-JJ, JJ/MM/AAAA or as an Excel serial number; None otherwise (31/02/2024 included)."""
    text = text.strip()
    if text.isdigit() and int(text) in EXCEL_SERIALS:
        return EXCEL_EPOCH + timedelta(days=int(text))
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
    """The text of a CSV file in UTF-8 (with or without BOM) or Windows-1252; a problem for empty or binary files."""
    if not content.strip():
        return None, [Problem(name, None, None, "le fichier est vide.")]
    if b"\x00" in content[:4096] or content.startswith(b"PK\x03\x04"):
        return None, [Problem(name, None, None, "ce n'est pas un fichier texte CSV (fichier binaire).")]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            # Excel's "CSV (séparateur : point-virgule)" on Windows; DuckDB cannot read it, Python can
            text = content.decode("cp1252")
        except UnicodeDecodeError as exc:
            line = content[: exc.start].count(b"\n") + 1
            return None, [Problem(name, line, None, "encodage non reconnu : enregistrez le fichier en « CSV UTF-8 ».")]
    if any(ord(ch) < 32 and ch not in "\t\r\n" for ch in text[:4096]):
        return None, [Problem(name, None, None, "ce n'est pas un fichier texte CSV (fichier binaire).")]
    return text, []


def _separator(header_line: str) -> str:
    return max((";", ",", "\t"), key=header_line.count)


def _kind(columns: set[str]) -> str | None:
    # the template sharing most columns with the header; ties cannot happen for these templates
    if len(columns & set(REGISTER_COLUMNS)) >= 4:
        return "register"
    if "reponse" in columns:
        return "replies"  # the replies share every other column of theirs with the sign-in sheets
    scores = {kind: len(columns & set(cols)) for kind, cols in TEMPLATES.items()}
    best = max(scores, key=lambda kind: scores[kind])
    return best if scores[best] >= 2 else None


def _table(name: str, records: list[tuple[int, list[str]]],
           examples: bool = True) -> tuple[Table | None, list[Problem]]:
    """Recognise the template of a header and check its columns; rows follow the header."""
    header_line, header = records[0][0], [fold(cell) for cell in records[0][1]]
    header = [HEADER_ALIASES.get(column, column) for column in header]
    kind = _kind(set(header))
    if kind is None:
        expected = " ; ".join(" / ".join(cols) for cols in TEMPLATES.values())
        return None, [Problem(name, header_line, None, f"en-tête non reconnu. En-têtes attendus : {expected}.")]
    problems = []
    known = REGISTER_COLUMNS if kind == "register" else TEMPLATES[kind]
    columns: dict[str, int] = {}
    for index, column in enumerate(header):
        if column in columns and column in known:
            problems.append(Problem(name, header_line, f"{column_letter(index)} « {column} »", "colonne en double."))
        columns.setdefault(column, index)
    for column in REGISTER_REQUIRED if kind == "register" else REQUIRED[kind]:
        if column not in columns:
            problems.append(Problem(name, header_line, f"« {column} »",
                                    f"colonne manquante pour un fichier de {KIND_LABELS[kind]}."))
    labels = {column: f"{column_letter(index)} « {column} »" for column, index in columns.items()}
    table = Table(name, kind, columns, labels, header_ok=not problems)
    width = len(header)
    for line, row in records[1:]:
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            problems.append(Problem(name, line, None, f"{len(row)} champs au lieu de {width}."))
            continue
        # `examples` is False when the file holds no "exempl" anywhere: a million-row file folds no cell for this
        example = (next((index for index, cell in enumerate(row) if _EXAMPLE.match(fold(cell))), None)
                   if examples else None)
        if example is not None:
            # refused rather than skipped: a refusal is shown wherever an import is, a skipped row could go unseen
            where = f"{column_letter(example)} « {header[example]} »" if example < width else None
            problems.append(Problem(name, line, where,
                                    f"ligne d'exemple du modèle (« {row[example].strip()} ») : supprimez-la, puis "
                                    "importez le fichier avec vos seules lignes."))
            continue
        table.rows.append((line, row))
    return table, problems


def _csv_records(name: str, text: str) -> tuple[list[tuple[int, list[str]]], list[Problem]]:
    header_line = (text.lstrip("\r\n").splitlines() or [""])[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(header_line))
    try:
        return [(reader.line_num, row) for row in reader if "".join(row).strip()], []
    except csv.Error as exc:
        return [], [Problem(name, reader.line_num, None, f"ligne CSV illisible ({exc}).")]


def _cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV export would hold; dates become AAAA-MM-JJ."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_sheets(name: str, content: bytes) -> tuple[list[tuple[str, list[tuple[int, list[str]]]]], list[Problem]]:
    from openpyxl import load_workbook  # imported here: only spreadsheets need it

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        return [], [Problem(name, None, None, f"classeur Excel illisible ({type(exc).__name__}).")]
    sheets = []
    try:
        for sheet in workbook.worksheets:
            records = []
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                row = [_cell_text(value) for value in values]
                if any(cell.strip() for cell in row):
                    records.append((number, row))
            if records:
                sheets.append((f"{name} [{sheet.title}]", records))
    finally:
        workbook.close()
    return sheets, []


def read_tables(name: str, content: bytes) -> tuple[list[Table], list[Problem]]:
    """Decode a CSV file or every sheet of an XLSX workbook into tables; the problems say what could not be read."""
    if content.startswith(b"PK\x03\x04"):
        sheets, problems = _xlsx_sheets(name, content)
        if not sheets and not problems:
            problems = [Problem(name, None, None, "le classeur ne contient aucune feuille remplie.")]
    else:
        text, problems = decode(name, content)
        sheets = []
        if text is not None:
            records, problems = _csv_records(name, text)
            sheets = [(name, records)] if records else []
            if not records and not problems:
                problems = [Problem(name, None, None, "le fichier est vide.")]
    tables = []
    for sheet_name, records in sheets:
        if content.startswith(b"PK\x03\x04"):
            examples = any(_MAYBE_EXAMPLE.search(cell) for _, row in records for cell in row)
        else:
            examples = bool(_MAYBE_EXAMPLE.search(text or ""))
        table, found = _table(sheet_name, records, examples)
        problems.extend(found)
        if table is not None:
            tables.append(table)
    return tables, problems


def preview(name: str, content: bytes, rows: int = 8) -> list[tuple[str, str, list[str], list[list[str]]]]:
    """The first rows of each table of a file: (table name, French kind, header, rows), for a preview."""
    tables, _ = read_tables(name, content)
    shown = []
    for table in tables:
        header = sorted(table.columns, key=lambda column: table.columns[column])
        shown.append((table.name, KIND_LABELS[table.kind], header,
                      [[row[i] if i < len(row) else "" for i in range(len(header))] for _, row in table.rows[:rows]]))
    return shown
