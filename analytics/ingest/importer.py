"""Import of the templates: validate every row of every file, then write all of it in one transaction.

Nothing is written unless every file is valid, so a refused import leaves the database exactly as it was.
"""

from __future__ import annotations

import gc
import re
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Sequence

import duckdb
import pandas as pd

from analytics import settings
from analytics.rules import attendance
from analytics.wording import labels
from analytics.wording.format import number
from analytics.store.sql import query
from analytics.ingest.templates import APPLY_ORDER, Problem, Table, parse_date, read_tables
from analytics.wording.text import fold, person_key

ATTENDANCE_CHUNK = 200_000
DEFAULT_MAX_UPLOAD_MB = settings.DEFAULT_MAX_UPLOAD_MB
M2A_SIREN = "200066009"
_NUMBER = re.compile(r"\d+")


def register_function(label: str) -> tuple[str, int | None]:
    """Role and rank from the register's "Libellé de la fonction", whatever its spelling ("4eme Vice-président…")."""
    folded = fold(label)
    if "vice" in folded and "presid" in folded:
        number = _NUMBER.search(folded)
        return "vice_president", int(number.group()) if number else None
    if folded.startswith("presid"):
        return "president", None
    if "delegu" in folded:
        return "delegate", None
    return "councillor", None


class ImportRefused(Exception):
    """The files hold errors; nothing was written."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} erreur(s)")
        self.problems = problems


@dataclass
class ImportResult:
    """What an import changed."""

    import_id: int
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    by_kind: dict[str, tuple[int, int, int]] = field(default_factory=dict)


@dataclass
class _Interval:
    start: date
    end: date | None
    role: str

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class _State:
    """What the database holds, plus what the files add, for validating rows against both."""

    def __init__(self, cur: duckdb.DuckDBPyConnection):
        self.communes_by_insee: dict[str, str] = {}
        self.communes_by_name: dict[str, str] = {}
        for insee, name in cur.execute("SELECT insee, name FROM communes").fetchall():
            self.communes_by_insee[insee] = name
            self.communes_by_name[fold(name)] = insee
        self.bodies: dict[str, str] = {}
        for code, name in cur.execute("SELECT code, name FROM bodies").fetchall():
            self.bodies[fold(code)] = code
            self.bodies[fold(name)] = code
        self.persons: dict[str, int] = dict(cur.execute("SELECT match_key, person_id FROM persons").fetchall())
        self.names: dict[int, str] = {
            pid: fold(f"{last} {first}")
            for pid, last, first in cur.execute("SELECT person_id, last_name, first_name FROM persons").fetchall()
        }
        self.memberships: dict[tuple[int, str], list[_Interval]] = defaultdict(list)
        for pid, body, start, end, role in cur.execute(
            "SELECT person_id, body_code, start_date, end_date, role FROM memberships"
        ).fetchall():
            self.memberships[(pid, body)].append(_Interval(start, end, role))
        self.meetings: dict[tuple[str, date], tuple[int | None, str]] = {
            (body, day): (mid, status)
            for mid, body, day, status in cur.execute(
                "SELECT meeting_id, body_code, meeting_date, status FROM meetings"
            ).fetchall()
        }
        self.next_person = -1  # provisional ids of new persons, replaced at write time

    def commune(self, text: str) -> str | None:
        """INSEE code from a code or a name; None when unknown."""
        if text in self.communes_by_insee:
            return text
        return self.communes_by_name.get(fold(text))

    def members_on(self, body: str, day: date) -> list[int]:
        """Persons whose membership of `body` covers `day`."""
        return [
            pid for (pid, code), spans in self.memberships.items()
            if code == body and any(span.covers(day) for span in spans)
        ]


class _Validator:
    """Turns the rows of the tables into rows to write, collecting every problem on the way."""

    def __init__(self, state: _State):
        self.state = state
        self.problems: list[Problem] = []
        self.new_persons: dict[int, tuple[str, str, str | None, str]] = {}
        self.members: dict[tuple[int, str, date], tuple[str, int | None, date | None, int]] = {}
        self.meetings: dict[tuple[str, date], tuple[str, str, str, int | None, str | None, int | None, int]] = {}
        self.attendance: dict[tuple[str, date, int], tuple[str, int | None, int]] = {}
        self._delegates: dict[tuple[str, date], dict[str, list[int]]] = {}

    # -- helpers ---------------------------------------------------------------------------------

    def _error(self, table: Table, line: int, column: str | None, message: str) -> None:
        label = table.labels.get(column, f"« {column} »") if column else None
        self.problems.append(Problem(table.name, line, label, message))

    def _body(self, table: Table, line: int, row: list[str]) -> str | None:
        text = table.cell(row, "instance")
        code = self.state.bodies.get(fold(text)) if text else None
        if code is None:
            self._error(table, line, "instance", f"instance inconnue « {text} »." if text else "instance manquante.")
        return code

    def _date(self, table: Table, line: int, row: list[str], column: str, required: bool = True) -> date | None:
        text = table.cell(row, column)
        if not text:
            if required:
                self._error(table, line, column, "date manquante.")
            return None
        day = parse_date(text)
        if day is None:
            self._error(table, line, column, f"date impossible « {text} » (attendu JJ/MM/AAAA ou AAAA-MM-JJ).")
        return day

    def _commune(self, table: Table, line: int, row: list[str]) -> tuple[bool, str | None]:
        text = table.cell(row, "commune")
        if not text:
            return True, None
        insee = self.state.commune(text)
        if insee is None:
            self._error(table, line, "commune", f"commune inconnue « {text} » (code INSEE ou nom d'une des 39 communes).")
            return False, None
        return True, insee

    def _names(self, table: Table, line: int, row: list[str]) -> tuple[str, str] | None:
        last, first = table.cell(row, "nom"), table.cell(row, "prenom")
        for column, value in (("nom", last), ("prenom", first)):
            if not value:
                self._error(table, line, column, "valeur manquante.")
        return (last, first) if last and first else None

    def _enum(self, table: Table, line: int, row: list[str], column: str, kind: str, default: str | None) -> str | None:
        text = table.cell(row, column)
        if not text:
            if default is None:
                self._error(table, line, column, "valeur manquante.")
            return default
        code = labels.parse(kind, text)
        if code is None:
            self._error(table, line, column, f"valeur inconnue « {text} » (attendu : {labels.accepted(kind)}).")
        return code

    def _count(self, table: Table, line: int, row: list[str], column: str) -> tuple[bool, int | None]:
        text = table.cell(row, column).replace(" ", "").replace("\u00a0", "")
        if not text:
            return True, None
        if not text.isdigit():
            self._error(table, line, column, f"« {text} » n'est pas un nombre entier positif.")
            return False, None
        return True, int(text)

    # -- members ---------------------------------------------------------------------------------

    def members_table(self, table: Table) -> None:
        """Validate a members file; new persons and memberships join the state for the next files."""
        for line, row in table.rows:
            names = self._names(table, line, row)
            ok, insee = self._commune(table, line, row)
            body = self._body(table, line, row)
            role = self._enum(table, line, row, "role", "role", "member")
            start = self._date(table, line, row, "debut")
            end = self._date(table, line, row, "fin", required=False)
            ok_rank, rank = self._count(table, line, row, "rang")
            if start and end and end < start:
                self._error(table, line, "fin", "la date de fin précède la date de début.")
                continue
            if names and ok and body and role and start and ok_rank and not (table.cell(row, "fin") and end is None):
                self._member(table, line, "debut", names, insee, body, role, rank, start, end)

    def _member(self, table: Table, line: int, column: str, names: tuple[str, str], insee: str | None, body: str,
                role: str, rank: int | None, start: date, end: date | None) -> None:
        """Stage one membership, refusing a contradicting duplicate and an overlap with another period."""
        pid = self._person(names[0], names[1], insee, create=True)
        key = (pid, body, start)
        if key in self.members and self.members[key][:3] != (role, rank or None, end):
            self._error(table, line, column, f"même personne, instance et début qu'à la ligne {self.members[key][3]}.")
            return
        spans = [s for s in self.state.memberships[(pid, body)] if s.start != start]
        if any(s.start <= (end or date.max) and start <= (s.end or date.max) for s in spans):
            self._error(table, line, column, "cette période chevauche une autre appartenance de la personne à l'instance.")
            return
        self.members[key] = (role, rank or None, end, line)
        self.state.memberships[(pid, body)] = [*spans, _Interval(start, end, role)]

    def register_table(self, table: Table) -> None:
        """The Répertoire national des élus: m2A's conseillers, their function, and the Bureau for the executive."""
        for line, row in table.rows:
            if table.cell(row, "n° siren").replace(" ", "") != M2A_SIREN:
                continue
            names = (table.cell(row, "nom de l'elu"), table.cell(row, "prenom de l'elu"))
            code = table.cell(row, "code de la commune de rattachement")
            if len(code) == 3 and code.isdigit():  # some editions give the code without the département
                code = table.cell(row, "code du departement").zfill(2) + code
            insee = self.state.commune(code)
            if insee is None:
                self._error(table, line, "code de la commune de rattachement",
                            f"commune « {code} » hors de m2A ou inconnue.")
            start = self._date(table, line, row, "date de debut du mandat")
            since = self._date(table, line, row, "date de debut de la fonction", required=False) or start
            if not all(names):
                self._error(table, line, "nom de l'elu", "nom ou prénom manquant.")
                continue
            if insee is None or start is None:
                continue
            role, rank = register_function(table.cell(row, "libelle de la fonction"))
            self._member(table, line, "date de debut du mandat", names, insee, "conseil", role, rank, start, None)
            if role in ("president", "vice_president", "delegate"):
                self._member(table, line, "date de debut de la fonction", names, insee, "bureau", role, rank,
                             max(since, start), None)

    def _person(self, last: str, first: str, insee: str | None, create: bool) -> int | None:
        key = person_key(last, first, insee)
        pid = self.state.persons.get(key)
        if pid is None and create:
            pid = self.state.next_person
            self.state.next_person -= 1
            self.state.persons[key] = pid
            self.state.names[pid] = fold(f"{last} {first}")
            self.new_persons[pid] = (last.strip(), first.strip(), insee, key)
        return pid

    # -- meetings --------------------------------------------------------------------------------

    def meetings_table(self, table: Table, today: date) -> None:
        """Validate a meetings file."""
        for line, row in table.rows:
            body = self._body(table, line, row)
            day = self._date(table, line, row, "date")
            status = self._enum(table, line, row, "statut", "meeting_status", "held")
            fmt = self._enum(table, line, row, "format", "meeting_format", "in_person")
            kind = self._enum(table, line, row, "type", "meeting_type", "ordinary")
            ok_req, requesters = self._count(table, line, row, "demandeurs")
            ok_com, insee = self._commune(table, line, row)
            ok_head, headcount = self._count(table, line, row, "participants")
            if requesters is not None and kind not in (None, "requested"):
                self._error(table, line, "demandeurs", "un nombre de demandeurs n'a de sens que pour une séance « à la demande ».")
                continue
            if status == "held" and day and day > today:
                self._error(table, line, "statut", "une séance tenue ne peut pas être datée dans le futur (statut « prévue » ?).")
                continue
            if not (body and day and status and fmt and kind and ok_req and ok_com and ok_head):
                continue
            values = (status, fmt, kind, requesters, insee, headcount)
            previous = self.meetings.get((body, day))
            if previous and previous[:6] != values:
                self._error(table, line, "date", f"séance déjà décrite autrement à la ligne {previous[6]}.")
                continue
            self.meetings[(body, day)] = (*values, line)
            self.state.meetings[(body, day)] = (self.state.meetings.get((body, day), (None, ""))[0], status)

    # -- attendance ------------------------------------------------------------------------------

    def _resolve(self, table: Table, column: str, resolve) -> list:
        """Resolve every cell of `column` once per distinct value (files repeat them); None marks an error."""
        index = table.columns.get(column)
        if index is None:
            texts = [""] * len(table.rows)
        else:
            texts = [row[index].strip() if index < len(row) else "" for _, row in table.rows]
        outcomes = {text: resolve(text) for text in set(texts)}
        if any(message for _, message in outcomes.values()):
            for (line, _), text in zip(table.rows, texts):
                if message := outcomes[text][1]:
                    self._error(table, line, column, message)
        return [outcomes[text][0] for text in texts]

    def _resolve_body(self, text: str) -> tuple[str | None, str | None]:
        code = self.state.bodies.get(fold(text)) if text else None
        return code, None if code else (f"instance inconnue « {text} »." if text else "instance manquante.")

    def _resolve_date(self, text: str) -> tuple[date | None, str | None]:
        if not text:
            return None, "date manquante."
        day = parse_date(text)
        return day, None if day else f"date impossible « {text} » (attendu JJ/MM/AAAA ou AAAA-MM-JJ)."

    def _resolve_commune(self, text: str) -> tuple[str | bool | None, str | None]:
        if not text:
            return "", None  # no commune: a valid, empty answer
        insee = self.state.commune(text)
        return insee, None if insee else f"commune inconnue « {text} » (code INSEE ou nom d'une des 39 communes)."

    def _resolve_status(self, text: str) -> tuple[str | None, str | None]:
        if not text:
            return None, "valeur manquante."
        code = labels.parse("attendance", text)
        return code, None if code else f"valeur inconnue « {text} » (attendu : {labels.accepted('attendance')})."

    def _resolve_text(self, text: str) -> tuple[str | None, str | None]:
        return (text, None) if text else (None, "valeur manquante.")

    def attendance_table(self, table: Table) -> None:
        """Validate a sign-in file column by column (fast on a million rows); unknown meetings are created held."""
        bodies = self._resolve(table, "instance", self._resolve_body)
        days = self._resolve(table, "date", self._resolve_date)
        lasts = self._resolve(table, "nom", self._resolve_text)
        firsts = self._resolve(table, "prenom", self._resolve_text)
        communes = self._resolve(table, "commune", self._resolve_commune)
        statuses = self._resolve(table, "statut", self._resolve_status)
        covered: dict[tuple[int, str, date], bool] = {}
        for (line, row), body, day, last, first, insee, status in zip(
            table.rows, bodies, days, lasts, firsts, communes, statuses
        ):
            if not (body and day and last and first and status) or insee is None:
                continue
            insee = insee or None
            pid = self.state.persons.get(person_key(last, first, insee))
            if pid is None or not covered.setdefault(
                (pid, body, day), any(s.covers(day) for s in self.state.memberships.get((pid, body), ()))
            ):
                who = f"{last} {first}" + (f" ({self.state.communes_by_insee[insee]})" if insee else "")
                message = (f"personne inconnue « {who} » : importez-la d'abord dans un fichier de membres."
                           if pid is None else f"« {who} » n'est pas membre de l'instance {body} le {day:%d/%m/%Y}.")
                self._error(table, line, "nom", message)
                continue
            meeting = self.state.meetings.get((body, day))
            if meeting and meeting[1] != "held":
                state = labels.MEETING_STATUS[meeting[1]]
                self._error(table, line, "date", f"la séance {body} du {day:%d/%m/%Y} est {state} : pas de présences.")
                continue
            delegate = self._delegate(table, line, row, body, day, pid, status)
            if delegate is False:
                continue
            key = (body, day, pid)
            previous = self.attendance.get(key)
            if previous and previous[:2] != (status, delegate):
                self._error(table, line, "statut",
                            f"même séance et même personne qu'à la ligne {previous[2]}, avec un autre statut.")
                continue
            self.attendance[key] = (status, delegate, line)

    def _delegate(self, table: Table, line: int, row: list[str], body: str, day: date, pid: int,
                  status: str) -> int | None | bool:
        text = table.cell(row, "mandataire") if "mandataire" in table.columns else ""
        if status not in ("proxy", "substituted"):
            if text:
                self._error(table, line, "mandataire", "un mandataire n'est indiqué que pour « pouvoir » ou « suppléé ».")
                return False
            return None
        if not text:
            self._error(table, line, "mandataire", "indiquez le mandataire (« NOM Prénom ») du pouvoir ou le suppléant.")
            return False
        index = self._delegates.get((body, day))
        if index is None:
            index = defaultdict(list)
            for member in self.state.members_on(body, day):
                index[self.state.names[member]].append(member)
            self._delegates[(body, day)] = index
        candidates = [c for c in index.get(fold(text), []) if c != pid]
        if len(candidates) != 1:
            reason = "inconnu parmi les membres de l'instance à cette date" if not candidates else "ambigu (homonymes)"
            self._error(table, line, "mandataire", f"mandataire « {text} » {reason}.")
            return False
        return candidates[0]


def _tables(sources: Sequence[tuple[str, bytes]]) -> tuple[list[Table], list[Problem]]:
    tables, problems = [], []
    for name, content in sources:
        found_tables, found = read_tables(name, content)
        problems.extend(found)
        tables.extend(found_tables)
    tables.sort(key=lambda t: APPLY_ORDER.index(t.kind))
    return tables, problems


def validate(cur: duckdb.DuckDBPyConnection, sources: Sequence[tuple[str, bytes]], today: date) -> _Validator:
    """Read and check every file against the database; the validator holds rows to write and problems."""
    tables, problems = _tables(sources)
    validator = _Validator(_State(cur))
    validator.problems.extend(problems)
    for table in tables:
        if not table.header_ok:
            continue  # a missing column makes every row wrong: say it once
        {"register": validator.register_table,
         "members": validator.members_table,
         "meetings": lambda t: validator.meetings_table(t, today),
         "attendance": validator.attendance_table}[table.kind](table)
    # checks run column by column: list the problems in reading order
    order = {name: index for index, (name, _) in enumerate(sources)}
    validator.problems.sort(key=lambda p: (order.get(p.file.split(" [")[0], 0), p.file, p.line or 0))
    return validator


def upload_limit_mb() -> int:
    """The largest file the dashboard accepts, in megabytes ($GOUVERNANCE_MAX_UPLOAD_MB, default 50)."""
    return settings.max_upload_mb()


def oversized(sources: Sequence[tuple[str, bytes]]) -> list[Problem]:
    """A problem for each file over the upload limit."""
    limit = upload_limit_mb()
    return [Problem(name, None, None, f"fichier trop volumineux ({number(len(content) / 1e6, 1)} Mo ; "
                                      f"limite : {limit} Mo).")
            for name, content in sources if len(content) > limit * 1_000_000]


def check_sources(conn: duckdb.DuckDBPyConnection, sources: Sequence[tuple[str, bytes]],
                  today: date | None = None) -> tuple[list[Problem], dict[str, int]]:
    """Validate without writing: the problems, and the rows ready per template kind."""
    cur = conn.cursor()
    with _no_cycle_collection():
        cur.execute("BEGIN TRANSACTION")
        try:
            validator = validate(cur, sources, today or date.today())
        finally:
            cur.execute("ROLLBACK")
    ready = {"members": len(validator.members), "meetings": len(validator.meetings),
             "attendance": len(validator.attendance)}
    return validator.problems, ready


@contextmanager
def _no_cycle_collection():
    # an import allocates millions of small lists and tuples and no cycles: the cyclic garbage collector
    # would rescan them again and again (measured: two thirds of the time of a million-row import)
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


Progress = Callable[[float, str], None]


def _silent(fraction: float, message: str) -> None:
    """Default progress callback: say nothing."""


def import_sources(conn: duckdb.DuckDBPyConnection, sources: Sequence[tuple[str, bytes]], *,
                   username: str = "cli", source: str = "cli", today: date | None = None,
                   progress: Progress = _silent) -> ImportResult:
    """Import the files (name, content) in one transaction, or raise ImportRefused with every problem."""
    with _no_cycle_collection():
        return _import(conn, sources, username, source, today or date.today(), progress)


def _import(conn: duckdb.DuckDBPyConnection, sources: Sequence[tuple[str, bytes]], username: str, source: str,
            today: date, progress: Progress) -> ImportResult:
    cur = conn.cursor()
    cur.execute("BEGIN TRANSACTION")
    try:
        progress(0.05, "Lecture et vérification des fichiers…")
        validator = validate(cur, sources, today)
        if validator.problems:
            raise ImportRefused(validator.problems)
        progress(0.4, "Écriture dans la base…")
        result = _write(cur, validator, username, source, ", ".join(Path(name).name for name, _ in sources), progress)
        progress(0.98, "Validation de la transaction…")
        cur.execute("COMMIT")
    except BaseException:
        cur.execute("ROLLBACK")
        raise
    return result


def import_files(conn: duckdb.DuckDBPyConnection, paths: Sequence[Path], **options) -> ImportResult:
    """Import files from disk (see import_sources)."""
    return import_sources(conn, [(Path(p).name, Path(p).read_bytes()) for p in paths], **options)


def staged_frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    # object columns keep None as NULL and ints as ints when DuckDB scans the frame
    return pd.DataFrame.from_records(rows, columns=columns).astype(object)


def _run(cur: duckdb.DuckDBPyConnection, name: str, staged: pd.DataFrame | None = None,
         params: list | None = None) -> pd.DataFrame | None:
    """Run analytics/sql/<name>.sql, with `staged` visible as a view; return its rows, if any, as a frame."""
    if staged is not None:
        cur.register("staged", staged)
    try:
        result = cur.execute(query(name), params or [])
        return result.df() if result.description else None
    finally:
        if staged is not None:
            cur.unregister("staged")


# Columns an import may change on an existing row, per table, as the diff queries name them.
_VALUE_COLUMNS = {
    "memberships": ("role", "rank", "end_date"),
    "meetings": ("status", "format", "meeting_type", "requesters", "commune_insee", "headcount"),
    "attendance": ("status", "delegate_id"),
}


def merge_staged(cur: duckdb.DuckDBPyConnection, table: str, staged: pd.DataFrame, log: list) -> tuple[int, int, int]:
    """Insert the new rows of `staged`, update the changed ones and log each changed value."""
    if staged.empty:
        return 0, 0, 0
    diff = _run(cur, f"import_{table}_diff", staged)
    added, changed = diff[diff["action"] == "add"], diff[diff["action"] == "update"]
    if not added.empty:
        _run(cur, f"import_{table}_insert", added)
    if not changed.empty:
        _run(cur, f"import_{table}_update", changed)
        _run(cur, "import_change_log", _changes(table, changed), log)
    return len(added), len(changed), len(diff) - len(added) - len(changed)


def _changes(table: str, changed: pd.DataFrame) -> pd.DataFrame:
    """One row per changed value: table, row key, column, old and new value as text."""
    parts = []
    for column in _VALUE_COLUMNS[table]:
        old, new = changed[f"old_{column}"], changed[column]
        # nullable columns compare to <NA> against a missing value: treat that as "different", then
        # call two missing values equal
        differs = ~((old == new).fillna(False).astype(bool) | (old.isna() & new.isna()))
        if differs.any():
            parts.append(pd.DataFrame({
                "table_name": table,
                "row_key": changed.loc[differs, "row_key"].astype(str),
                "column_name": column,
                "old_value": old[differs].map(lambda v: None if pd.isna(v) else str(v)),
                "new_value": new[differs].map(lambda v: None if pd.isna(v) else str(v)),
            }))
    return pd.concat(parts, ignore_index=True).astype(object)


def _write(cur: duckdb.DuckDBPyConnection, v: _Validator, username: str, source: str, files: str,
           progress: Progress) -> ImportResult:
    import_id = _run(cur, "import_log_start", params=[username, source, files]).iloc[0, 0]
    result = ImportResult(int(import_id))
    log = [result.import_id, username]
    ids = _insert_persons(cur, v)

    members = staged_frame(
        [(ids.get(pid, pid), body, start, role, rank, end)
         for (pid, body, start), (role, rank, end, _) in v.members.items()],
        ["person_id", "body_code", "start_date", "role", "rank", "end_date"],
    )
    added, updated, same = merge_staged(cur, "memberships", members, log)
    result.by_kind["members"] = (added + len(v.new_persons), updated, same)

    # meetings only named by sign-in sheets are held ordinary meetings
    known = set(v.meetings) | {key for key, (mid, _) in v.state.meetings.items() if mid is not None}
    implied = sorted({(body, day) for body, day, _ in v.attendance} - known)
    meetings = staged_frame(
        [(body, day, *values[:6]) for (body, day), values in v.meetings.items()]
        + [(body, day, "held", "in_person", "ordinary", None, None, None) for body, day in implied],
        ["body_code", "meeting_date", "status", "format", "meeting_type", "requesters", "commune_insee", "headcount"],
    )
    result.by_kind["meetings"] = merge_staged(cur, "meetings", meetings, log)

    rows = [(body, day, ids.get(pid, pid), status, None if d is None else ids.get(d, d))
            for (body, day, pid), (status, d, _) in v.attendance.items()]
    totals = [0, 0, 0]
    for offset in range(0, len(rows), ATTENDANCE_CHUNK):
        chunk = staged_frame(rows[offset:offset + ATTENDANCE_CHUNK],
                       ["body_code", "meeting_date", "person_id", "status", "delegate_id"])
        totals = [a + b for a, b in zip(totals, merge_staged(cur, "attendance", chunk, log))]
        progress(0.45 + 0.5 * (offset + len(chunk)) / len(rows), "Écriture des présences…")
    result.by_kind["attendance"] = tuple(totals)

    result.added, result.updated, result.unchanged = (sum(c[i] for c in result.by_kind.values()) for i in range(3))
    _run(cur, "import_log_finish", params=[result.added, result.updated, result.unchanged, result.import_id])
    if result.added or result.updated:
        attendance.refresh_tallies(cur)  # the indicators' pre-aggregated counts, in the same transaction
    return result


def _insert_persons(cur: duckdb.DuckDBPyConnection, v: _Validator) -> dict[int, int]:
    """Insert new persons; map their provisional negative ids to the ids the sequence gives."""
    if not v.new_persons:
        return {}
    provisional = list(v.new_persons)
    real = _run(cur, "import_person_ids", params=[len(provisional)])["person_id"].tolist()
    ids = dict(zip(provisional, real))
    _run(cur, "import_persons", staged_frame([(ids[p], *v.new_persons[p]) for p in provisional],
                                       ["person_id", "last_name", "first_name", "commune_insee", "match_key"]))
    return ids
