"""The lines of a set of minutes, whatever the file: plain text, PDF with a text layer, Word (DOCX) or OpenDocument.

Tables come out as one line per row, cells separated by a tab, so that the reader can read a sign-in table with its
marks. Every refusal is a `MinutesError` with a French message; sizes are bounded before anything is parsed.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import PurePath
from typing import Any

from analytics.ingest.minutes.errors import MinutesError

MAX_BYTES = 20 * 1024 * 1024  # minutes are a few hundred kilobytes; a scanned PDF of 36 pages stays under 20 MB
MAX_UNCOMPRESSED = 100 * 1024 * 1024  # a DOCX/ODT is a ZIP: refuse one that would inflate beyond this (ZIP bomb)
MAX_ZIP_ENTRIES = 10_000
MAX_PDF_PAGES = 1_000
MAX_LINES = 200_000
MAX_REPEAT = 64  # ODT tables repeat empty cells and rows thousands of times: never expand beyond this

CELL_SEPARATOR = "\t"
FORMATS = (".txt", ".pdf", ".docx", ".odt")

_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
# a valid multi-byte UTF-8 sequence: found beside bytes that are not UTF-8, it means a file with mixed encodings
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def extract_text(name: str, data: bytes) -> list[str]:
    """Return the lines of the document `name` (its extension chooses the reader) whose content is `data`."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in FORMATS:
        shown = suffix or "sans extension"
        raise MinutesError(f"Format de fichier non pris en charge ({shown}) : déposez un procès-verbal en .txt, .pdf "
                           "(avec texte), .docx ou .odt. Un ancien .doc s'enregistre en .docx depuis Word.")
    if not data:
        raise MinutesError("Le fichier est vide.")
    if len(data) > MAX_BYTES:
        raise MinutesError(f"Le fichier pèse {len(data) / 1024 / 1024:.1f} Mo : au-delà de "
                           f"{MAX_BYTES // 1024 // 1024} Mo, un procès-verbal n'est pas lu.")
    if suffix == ".txt":
        lines = _text_lines(data)
    elif suffix == ".pdf":
        lines = _pdf_lines(data)
    elif suffix == ".docx":
        _check_zip(data, "Word (.docx)")
        lines = _docx_lines(data)
    else:
        _check_zip(data, "OpenDocument (.odt)")
        lines = _odt_lines(data)
    if not any(line.strip() for line in lines):
        raise MinutesError("Le document ne contient aucun texte.")
    if len(lines) > MAX_LINES:
        raise MinutesError(f"Le document compte {len(lines)} lignes : au-delà de {MAX_LINES}, il n'est pas lu.")
    return lines


def _split(text: str) -> list[str]:
    """Lines without their end-of-line characters or trailing spaces; form feeds (page breaks) end a line too."""
    return [line.rstrip() for line in text.replace("\f", "\n").splitlines()]


# --- plain text ---------------------------------------------------------------------------------------------------

def decode_text(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252; refuse a mix of UTF-8 and another."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise MinutesError("Le fichier texte annonce de l'UTF-16 mais ne l'est pas.") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = exc.start
    line = data[:bad].count(b"\n") + 1
    if data.startswith(b"\xef\xbb\xbf") or _UTF8_MULTIBYTE.search(data):
        raise MinutesError("Le fichier texte mélange deux encodages (de l'UTF-8 et autre chose) : enregistrez-le "
                           "en UTF-8 d'un seul tenant.", line)
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise MinutesError("Le fichier texte n'est ni en UTF-8 ni en Windows-1252 : enregistrez-le en UTF-8.",
                           line) from exc


def _text_lines(data: bytes) -> list[str]:
    text = decode_text(data)
    if "\x00" in text:
        raise MinutesError("Ce fichier .txt contient des données binaires : ce n'est pas du texte.")
    return _split(text)


# --- PDF ----------------------------------------------------------------------------------------------------------

def _pdf_lines(data: bytes) -> list[str]:
    if b"%PDF-" not in data[:1024]:  # the header may follow a little junk, within the first kilobyte
        raise MinutesError("Ce fichier n'est pas un PDF (son contenu ne commence pas par l'en-tête PDF).")
    import pdfplumber  # heavy: imported only when a PDF comes in

    lines: list[str] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > MAX_PDF_PAGES:
                raise MinutesError(f"Le PDF compte {len(pdf.pages)} pages : au-delà de {MAX_PDF_PAGES}, il n'est "
                                   "pas lu.")
            chars = 0
            for page in pdf.pages:
                chars += len(page.chars)
                lines.extend(_pdf_page_lines(page))
    except MinutesError:
        raise
    except Exception as exc:  # pdfminer raises many unrelated classes for damaged or encrypted files
        if "password" in type(exc).__name__.lower() or "encrypt" in str(exc).lower():
            raise MinutesError("Ce PDF est protégé par un mot de passe : déposez une version sans protection.") from exc
        raise MinutesError("Ce PDF est illisible ou endommagé.") from exc
    if chars == 0 or not any(line.strip() for line in lines):
        raise MinutesError("Ce PDF ne contient pas de texte : c'est un scan (une image des pages). Il faut d'abord "
                           "le passer à la reconnaissance de caractères (OCR), puis déposer le PDF obtenu.")
    return lines


def _pdf_page_lines(page: Any) -> list[str]:
    """The text lines of one page and its ruled tables (one line a row), in reading order from top to bottom."""
    tables = page.find_tables()
    boxes = [table.bbox for table in tables]

    def outside(obj: dict[str, Any]) -> bool:
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    placed: list[tuple[float, str]] = []
    text_page = page.filter(lambda obj: obj.get("object_type") != "char" or outside(obj)) if boxes else page
    for line in text_page.extract_text_lines(return_chars=False):
        placed.append((float(line["top"]), line["text"]))
    for table in tables:
        for row, cells in zip(table.rows, table.extract(), strict=False):
            texts = [" ".join((cell or "").split()) for cell in cells]
            placed.append((float(row.bbox[1]), _row_line(texts)))
    placed.sort(key=lambda item: item[0])
    out: list[str] = []
    for _, text in placed:
        out.extend(_split(text) or [""])
    return out


def _row_line(cells: Iterable[str]) -> str:
    """A table row as one line: cells separated by a tab, trailing empty cells dropped."""
    texts = [cell.replace(CELL_SEPARATOR, " ").strip() for cell in cells]
    while texts and not texts[-1]:
        texts.pop()
    return CELL_SEPARATOR.join(texts)


# --- DOCX and ODT (ZIP containers) ------------------------------------------------------------------------------

def _check_zip(data: bytes, label: str) -> None:
    """Refuse a container that is not a ZIP, holds too many entries, or would inflate beyond the bound."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise MinutesError(f"Ce fichier n'est pas un document {label} valide.") from exc
    if len(entries) > MAX_ZIP_ENTRIES:
        raise MinutesError(f"Ce document {label} contient {len(entries)} éléments : il n'est pas lu.")
    # the declared sizes bound the inflation: zipfile stops at the declared size and checks the CRC
    total = sum(entry.file_size for entry in entries)
    if total > MAX_UNCOMPRESSED:
        raise MinutesError(f"Ce document {label} décompressé pèserait {total / 1024 / 1024:.0f} Mo (au-delà de "
                           f"{MAX_UNCOMPRESSED // 1024 // 1024} Mo) : il n'est pas lu.")


def _docx_lines(data: bytes) -> list[str]:
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors… for a damaged package
        raise MinutesError("Ce document Word (.docx) est illisible ou endommagé.") from exc
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(_docx_table(block))
        else:
            lines.extend(_split(block.text) or [""])
    return lines


def _docx_table(table: Any) -> Iterator[str]:
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            # a cell merged across columns comes back once per grid column: keep it once
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(" ".join(p.text for p in cell.paragraphs).split()))
        yield _row_line(cells)


def _odt_lines(data: bytes) -> list[str]:
    from odf.opendocument import load

    try:
        document = load(io.BytesIO(data))
    except Exception as exc:  # odfpy raises zipfile, KeyError and XML errors alike
        raise MinutesError("Ce document OpenDocument (.odt) est illisible ou endommagé.") from exc
    lines: list[str] = []
    _odt_walk(document.text, lines)
    return lines


def _odt_walk(element: Any, lines: list[str]) -> None:
    """Paragraphs and headings as lines, tables as one line a row, in document order."""
    from odf import teletype

    for child in element.childNodes:
        if child.nodeType != child.ELEMENT_NODE:
            continue
        namespace, tag = child.qname
        if namespace == _TEXT_NS and tag in ("p", "h"):
            lines.extend(_split(teletype.extractText(child)) or [""])
        elif namespace == _TABLE_NS and tag == "table":
            lines.extend(_odt_rows(child))
        else:
            _odt_walk(child, lines)


def _odt_rows(table: Any) -> Iterator[str]:
    from odf import teletype

    for row in _odt_descendants(table, "table-row"):
        cells: list[str] = []
        for cell in row.childNodes:
            if cell.nodeType != cell.ELEMENT_NODE or cell.qname[0] != _TABLE_NS:
                continue
            if cell.qname[1] not in ("table-cell", "covered-table-cell"):
                continue
            repeat = int(cell.attributes.get((_TABLE_NS, "number-columns-repeated"), "1") or 1)
            paragraphs = [teletype.extractText(p) for p in cell.childNodes
                          if p.nodeType == p.ELEMENT_NODE and p.qname == (_TEXT_NS, "p")]
            text = " ".join(" ".join(paragraphs).split())
            cells.extend([text] * min(repeat, MAX_REPEAT))
        line = _row_line(cells)
        repeat = int(row.attributes.get((_TABLE_NS, "number-rows-repeated"), "1") or 1)
        for _ in range(min(repeat, MAX_REPEAT) if line else 1):
            yield line


def _odt_descendants(element: Any, tag: str) -> Iterator[Any]:
    """The rows of a table, inside header-rows and row-groups too, but not those of a nested table."""
    for child in element.childNodes:
        if child.nodeType != child.ELEMENT_NODE or child.qname[0] != _TABLE_NS:
            continue
        if child.qname[1] == tag:
            yield child
        elif child.qname[1] != "table":
            yield from _odt_descendants(child, tag)
