"""Reading the import templates: decoding, separator, header, and which template a file is."""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache, lru_cache

import pyarrow as pa
import pyarrow.csv as arrow_csv

from analytics import settings
from analytics.wording.format import number
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
# ASCII digits only: int() and str.isdigit() also take "²" or "٣", which no one types as a date
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_FRENCH = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_SERIAL = re.compile(r"[0-9]{1,6}")
DATE_EXPECTED = "attendu JJ/MM/AAAA ou AAAA-MM-JJ"

# Bounds of a workbook, checked before openpyxl parses it (issue 17.4: a 2,85 MB file of 20 M inline-string rows
# unpacks to gigabytes). Excel itself writes at most 1 048 576 rows a sheet; 20 M cells are twice a full sheet of
# the widest sign-in template (10 columns). A CSV file needs none of these: its upload limit is its size.
XLSX_MAX_MEMBER_BYTES = 256_000_000      # uncompressed, each part of the ZIP
XLSX_MAX_TOTAL_BYTES = 512_000_000       # uncompressed, all parts together
XLSX_MAX_ROWS = 1_048_576                # each sheet
XLSX_MAX_CELLS = 20_000_000              # the whole workbook
_XLSX_CHUNK = 1 << 20
# how the sheet XML opens a row and a cell (with attributes, bare or empty); a prefixed "<x:row" is caught by the
# count openpyxl's rows are held to
_ROW_TAGS = (b"<row ", b"<row>", b"<row/>")
_CELL_TAGS = (b"<c ", b"<c>", b"<c/>")


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
    # a plain CSV sign-in sheet read in columns (read_sign_ins), its cells as written, unstripped; `rows` is then
    # empty, and read_tables gives them if the sheet turns out to need the row-by-row checks
    frame: pa.Table | None = None

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
def read_date(text: str) -> tuple[date | None, str | None]:
    """A date written AAAA-MM-JJ, JJ/MM/AAAA or as an Excel serial number, in ASCII digits, between
    settings.EARLIEST_DAY and settings.LATEST_DAY: (date, None), or (None, why) in French."""
    text = text.strip()
    if _SERIAL.fullmatch(text):
        if int(text) in EXCEL_SERIALS:
            return EXCEL_EPOCH + timedelta(days=int(text)), None
        return None, f"date impossible « {text} » ({DATE_EXPECTED})."
    if match := _ISO.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _FRENCH.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
    else:
        return None, f"date impossible « {text} » ({DATE_EXPECTED})."
    try:
        found = date(year, month, day)
    except ValueError:
        return None, f"date impossible « {text} » ({DATE_EXPECTED})."
    if not settings.EARLIEST_DAY <= found <= settings.LATEST_DAY:
        # a year like 9999 is a slip; it would also overflow the date arithmetic of the outputs (ICS, periods)
        return None, (f"date hors de la période admise « {text} » (du {settings.EARLIEST_DAY:%d/%m/%Y} au "
                      f"{settings.LATEST_DAY:%d/%m/%Y}).")
    return found, None


def parse_date(text: str) -> date | None:
    """read_date without its reason: None for a text that is no accepted date (31/02/2024 included)."""
    return read_date(text)[0]


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@cache
def _control_classes() -> tuple[re.Pattern[str], frozenset[str], bytes]:
    """Control characters (Unicode Cc: C0, DEL, C1) but the tab and the line breaks of a cell typed on two lines,
    and format characters (Cf: bidi overrides, zero-width ones), which hide or reorder a text: a class of the basic
    plane's, and a set of the others' (one class holding them makes a search of 55 MB take 14 s instead of 0,2 s);
    and the bytes that begin none of them in UTF-8 or in Windows-1252, which a first look at a file deletes
    (bytes.translate: 55 MB in 25 ms)."""
    # planes 0, 1 and 14 only: 2 and 3 are kept for ideographs, 4 to 13 unassigned, 15 and 16 for private use (a
    # scan of the three takes a quarter of the time of all seventeen)
    planes = (*range(0x20000), *range(0xE0000, 0xF0000))
    chars = [c for c in map(chr, planes) if unicodedata.category(c) in ("Cc", "Cf") and c not in "\t\n\r"]
    basic = "".join(c for c in chars if ord(c) < 0x10000)
    starts = {c.encode()[0] for c in chars} | {b for b in range(256)
                                               if bytes([b]).decode("cp1252", "ignore") in chars}
    return (re.compile(f"[{re.escape(basic)}]"), frozenset(c for c in chars if ord(c) >= 0x10000),
            bytes(b for b in range(256) if b not in starts))


def control_character(text: str, astral: bool | None = None) -> str | None:
    """A control or format character of `text` (see _control_classes), None when it has none; `astral`
    False says the text has no character beyond the basic plane (spares a look for them)."""
    basic, others, _ = _control_classes()
    if found := basic.search(text):
        return found.group()
    if text.isascii() or astral is False:
        return None
    return next((m.group() for m in _ASTRAL.finditer(text) if m.group() in others), None)


def control_message(character: str) -> str:
    """The refusal of a cell holding a control character."""
    return f"caractère de contrôle U+{ord(character):04X} refusé : retirez-le de la cellule."


def decode(name: str, content: bytes) -> tuple[str | None, list[Problem]]:
    """The text of a CSV file in UTF-8 (with or without BOM) or Windows-1252; a problem for empty or binary files."""
    if not content.strip():
        return None, [Problem(name, None, None, "le fichier est vide.")]
    if b"\x00" in content[:4096] or content.startswith(b"PK\x03\x04"):
        return None, [Problem(name, None, None, "ce n'est pas un fichier texte CSV (fichier binaire).")]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        if mixed := _mixed_encodings(name, content):
            return None, [mixed]
        try:
            # Excel's "CSV (séparateur : point-virgule)" on Windows; DuckDB cannot read it, Python can
            text = content.decode("cp1252")
        except UnicodeDecodeError as exc:
            line = content[: exc.start].count(b"\n") + 1
            return None, [Problem(name, line, None, "encodage non reconnu : enregistrez le fichier en « CSV UTF-8 ».")]
    if any(ord(ch) < 32 and ch not in "\t\r\n" for ch in text[:4096]):
        return None, [Problem(name, None, None, "ce n'est pas un fichier texte CSV (fichier binaire).")]
    return text, []


_BELOW_F0 = bytes(range(0xF0))


def _mixed_encodings(name: str, content: bytes) -> Problem | None:
    """A file that is not UTF-8 as a whole but has UTF-8 lines (two files pasted together) would be read as
    Windows-1252 into "BenoÃ®t": the first line of the encoding fewer lines use, or None when it is not mixed."""
    # the usual Windows-1252 file holds no valid UTF-8 sequence of two bytes or more (Windows-1252 text rarely does
    # by chance: "Ã©" typed on purpose), and needs no look line by line (55 MB: 0,2 s, a regex takes 0,7 s)
    if content.decode("utf-8", "replace").replace("\ufffd", "").isascii():
        return None
    lines: dict[str, list[int]] = {"UTF-8": [], "Windows-1252": []}
    for index, line in enumerate(content.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            lines["Windows-1252"].append(index)
        else:
            lines["UTF-8"].append(index)
    if not lines["UTF-8"] or not lines["Windows-1252"]:
        return None
    fewer, more = sorted(lines, key=lambda encoding: (len(lines[encoding]), -lines[encoding][0]))
    return Problem(name, lines[fewer][0], None,
                   f"encodages mêlés : cette ligne est en {fewer}, {number(len(lines[more]))} autre(s) ligne(s) en "
                   f"{more} (à partir de la ligne {lines[more][0]}) ; enregistrez le fichier entier en « CSV UTF-8 ».")


def _may_hold_example(content: bytes) -> bool:
    """A quick look at a whole CSV file before any cell is folded: does "xempl" show, in any case? (The bytes of
    ASCII letters are the same in UTF-8 and Windows-1252, and no other character's bytes hold them; 55 MB in
    0,03 s, where a case-blind search of the text takes 0,3 s.)"""
    return b"xempl" in content.lower()


def _holds_control(content: bytes, text: Callable[[], str]) -> bool:
    """Whether a CSV file holds a control character (see _control_classes): a look at its bytes for those that may
    begin one, and only if some are there one search of its `text()`. UTF-8 writes a character beyond the basic
    plane with a lead byte F0 to F4: without one, that part of the search is spared."""
    suspects = content.translate(None, _control_classes()[2])
    return bool(suspects) and control_character(text(), astral=bool(suspects.translate(None, _BELOW_F0))) is not None


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


def _controls(name: str, records: list[tuple[int, list[str]]]) -> tuple[list[tuple[int, list[str]]], list[Problem]]:
    """The records without those holding a control character in a cell, and a problem for each such cell (the
    header's too); called only when the file holds one, found by a search of the whole text."""
    header = [fold(cell) for cell in records[0][1]]
    kept, problems = [], []
    for line, row in records:
        found = [(index, character) for index, cell in enumerate(row)
                 if (character := control_character(cell)) is not None]
        for index, character in found:
            label = f"{column_letter(index)} « {header[index]} »" if index < len(header) and line != records[0][0] \
                else column_letter(index)
            problems.append(Problem(name, line, label, control_message(character)))
        if not found or line == records[0][0]:
            kept.append((line, row))  # a refused header cell still names its column for the other messages
    return kept, problems


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


class _TooLarge(Exception):
    """A workbook over one of the XLSX_MAX_* bounds; its argument says which, in French."""

    def problem(self, name: str) -> Problem:
        """The refusal of the workbook `name`."""
        return Problem(name, None, None, f"classeur Excel trop volumineux : {self} ; importez-le en plusieurs "
                                         "fichiers, ou enregistrez-le en CSV.")


def _xlsx_bounds(content: bytes) -> None:
    """Refuse, before any XML is parsed, a workbook whose parts unpack to more than the XLSX_MAX_* bounds: the ZIP
    directory's sizes first, then each sheet read in chunks with a cap (a directory can lie) while its rows and cells
    are counted. Raises _TooLarge, or zipfile.BadZipFile for a damaged archive."""
    limit = f"{number(XLSX_MAX_MEMBER_BYTES / 1e6)} Mo"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        members = archive.infolist()
        largest = max(members, key=lambda info: info.file_size, default=None)
        if largest is not None and largest.file_size > XLSX_MAX_MEMBER_BYTES:
            raise _TooLarge(f"sa partie « {largest.filename} » occupe {number(largest.file_size / 1e6)} Mo une fois "
                            f"décompressée (limite : {limit})")
        total = sum(info.file_size for info in members)
        if total > XLSX_MAX_TOTAL_BYTES:
            raise _TooLarge(f"il occupe {number(total / 1e6)} Mo une fois décompressé (limite : "
                            f"{number(XLSX_MAX_TOTAL_BYTES / 1e6)} Mo)")
        cells = 0
        for info in members:
            if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                continue
            rows, size, tail = 0, 0, b""
            with archive.open(info) as stream:
                while chunk := stream.read(_XLSX_CHUNK):
                    size += len(chunk)
                    if size > XLSX_MAX_MEMBER_BYTES:
                        raise _TooLarge(f"sa partie « {info.filename} » dépasse {limit} une fois décompressée")
                    # the tail is shorter than any tag: a tag cut by the chunk boundary is counted once
                    data = tail + chunk
                    rows += sum(data.count(tag) for tag in _ROW_TAGS)
                    cells += sum(data.count(tag) for tag in _CELL_TAGS)
                    tail = data[-5:]
                    _check_counts(rows, cells)


def _check_counts(rows: int, cells: int) -> None:
    """Raise _TooLarge when a sheet has more rows, or the workbook more cells, than XLSX_MAX_ROWS/XLSX_MAX_CELLS."""
    if rows > XLSX_MAX_ROWS:
        raise _TooLarge(f"une feuille a plus de {number(XLSX_MAX_ROWS)} lignes")
    if cells > XLSX_MAX_CELLS:
        raise _TooLarge(f"il a plus de {number(XLSX_MAX_CELLS)} cellules")


def _xlsx_sheets(name: str, content: bytes) -> tuple[list[tuple[str, list[tuple[int, list[str]]]]], list[Problem]]:
    from openpyxl import load_workbook  # imported here: only spreadsheets need it

    try:
        _xlsx_bounds(content)
        # openpyxl parses with defusedxml when it is installed (pyproject.toml): no entity expansion, no DTD fetch
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except _TooLarge as exc:
        return [], [exc.problem(name)]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, OSError, EOFError) as exc:
        # openpyxl wraps what its parser refused (defusedxml's EntitiesForbidden…) in a ValueError: name the cause
        return [], [Problem(name, None, None, f"classeur Excel illisible ({type(exc.__cause__ or exc).__name__}).")]
    sheets = []
    cells = 0
    try:
        for sheet in workbook.worksheets:
            records = []
            for index, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells += len(values)
                _check_counts(index, cells)  # a sheet whose tags the byte count missed (a prefix "x:row")
                row = [_cell_text(value) for value in values]
                if any(cell.strip() for cell in row):
                    records.append((index, row))
            if records:
                sheets.append((f"{name} [{sheet.title}]", records))
    except _TooLarge as exc:
        return [], [exc.problem(name)]
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OverflowError, OSError, EOFError, SyntaxError) as exc:
        # a damaged part, or a cell openpyxl cannot convert (a date serial past year 9999); defusedxml's refusals
        # (entities, DTD) are ValueError subclasses
        return [], [Problem(name, None, None, f"classeur Excel illisible ({type(exc).__name__}).")]
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
            examples = any("xempl" in cell.lower() for _, row in records for cell in row)
            controls = any(control_character(cell) for _, row in records for cell in row)
        else:
            examples = _may_hold_example(content)
            controls = _holds_control(content, lambda: text or "")
        if controls:
            records, found = _controls(sheet_name, records)
            problems.extend(found)
        table, found = _table(sheet_name, records, examples)
        problems.extend(found)
        if table is not None:
            tables.append(table)
    return tables, problems


_CELLS = pa.dictionary(pa.int32(), pa.string())


def read_sign_ins(name: str, content: bytes) -> Table | None:
    """A CSV sign-in sheet in UTF-8 read in columns by Arrow, for the importer's set-based checks (issue 15: a
    million rows in a tenth of a second, where the row reader takes one and a half); None for anything else, and
    for any file read_tables could find fault with as it reads (not UTF-8, binary, a faulty header, an example row,
    a control character, a record of another width than the header) or could read differently (a quoted cell, a
    blank line before the header): read_tables then reads it row by row and words its problems."""
    data = content[len(codecs.BOM_UTF8):] if content.startswith(codecs.BOM_UTF8) else content
    # Arrow counts blank lines before the header, the row reader skips them
    if data[:1] in (b"", b"\r", b"\n"):
        return None
    try:
        first_line = data[:data.find(b"\n")].decode("utf-8") if b"\n" in data else ""
    except UnicodeDecodeError:
        return None
    records, problems = _csv_records(name, first_line)
    if problems or len(records) != 1:
        return None
    table, problems = _table(name, records, examples=False)
    if table is None or problems or table.kind != "attendance" or not table.header_ok:
        return None
    # a quoted cell is where two CSV readers may cut a line differently
    if b'"' in data or _may_hold_example(data):
        return None
    try:
        if _holds_control(data, lambda: data.decode("utf-8")):
            return None
    except UnicodeDecodeError:
        return None
    names = [f"c{index}" for index in range(len(records[0][1]))]
    try:
        # Arrow checks the UTF-8 itself; every cell stays a text, an empty one "", each column a dictionary of its
        # distinct cells (a sheet repeats them: the importer resolves each once)
        table.frame = arrow_csv.read_csv(
            pa.py_buffer(data),
            read_options=arrow_csv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=arrow_csv.ParseOptions(delimiter=_separator(first_line)),
            convert_options=arrow_csv.ConvertOptions(column_types=dict.fromkeys(names, _CELLS),
                                                     strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except pa.ArrowInvalid:  # not UTF-8, or a record of another width: the row reader says where
        return None
    return table


def preview(name: str, content: bytes, rows: int = 8) -> list[tuple[str, str, list[str], list[list[str]]]]:
    """The first rows of each table of a file: (table name, French kind, header, rows), for a preview."""
    sheet = read_sign_ins(name, content)  # a million-row sheet is not read row by row for eight of them
    tables = [sheet] if sheet is not None else read_tables(name, content)[0]
    shown = []
    for table in tables:
        header = sorted(table.columns, key=lambda column: table.columns[column])
        first = ([list(record.values()) for record in table.frame.slice(0, rows).to_pylist()]
                 if table.frame is not None else [row for _, row in table.rows[:rows]])
        shown.append((table.name, KIND_LABELS[table.kind], header,
                      [[row[i] if i < len(row) else "" for i in range(len(header))] for row in first]))
    return shown
