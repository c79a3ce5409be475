"""Import of the templates: validate every row of every file, then write all of it in one transaction.

Nothing is written unless every file is valid, so a refused import leaves the database exactly as it was.
"""

from __future__ import annotations

import gc
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analytics import settings
from analytics.ingest import sheet_columns
from analytics.ingest.templates import APPLY_ORDER, Problem, Table, read_date, read_sign_ins, read_tables
from analytics.rules import agenda as agenda_rules
from analytics.rules import attendance
from analytics.store.sql import query
from analytics.wording import labels
from analytics.wording.format import number
from analytics.wording.text import display_name, fold, name_fold, person_key

ATTENDANCE_CHUNK = 200_000
DEFAULT_MAX_UPLOAD_MB = settings.DEFAULT_MAX_UPLOAD_MB
M2A_SIREN = "200066009"
_NUMBER = re.compile(r"[0-9]+")  # ASCII digits: int() also reads "٣"
# the largest count a column takes (INTEGER, 32 bits): beyond it DuckDB would refuse the write
_MAX_COUNT = 2**31 - 1

# Families of roles, to never merge two homonyms of one commune silently: rows of one name and commune are one person
# only if their roles could be one person's. Elected members and staff never are one person without an identifier
# saying so; nor is either with civil society (the Conseil de développement, whose members cannot be conseillers
# communautaires, L5211-10-1, and the partners, from outside organisations). 'pilot' (an atelier's pilot pair is an
# élu and a collaborator) and 'member' (forum, assises, ateliers, coordination: élus, agents and others alike) fit
# any family.
ROLE_FAMILIES: dict[str, str | None] = {
    "president": "elected", "vice_president": "elected", "delegate": "elected", "councillor": "elected",
    "substitute": "elected", "special_adviser": "elected", "mayor": "elected", "municipal_councillor": "elected",
    "dgs": "staff", "director": "staff", "staff": "staff",
    "development_council": "civil", "partner": "civil",
    "pilot": None, "member": None,
}
FAMILY_LABELS = {"elected": "élu", "staff": "agent", "civil": "membre de la société civile"}
# a substitute who sits is there in the room or by video; a row saying nothing is allowed too
SITTING = ("present", "remote")
_SUBSTITUTE_STATUSES = ("present", "remote", "not_recorded")
# the statuses of a plain sign-in row (plain_sign_ins): no holder, no substitute
_PLAIN_STATUSES = frozenset(("present", "remote", "excused", "absent", "not_recorded"))


# A person's name: letters of any script, combining marks, spaces, hyphens, apostrophes and dots (issue 17: markup
# such as ![image](url) or a formula such as =HYPERLINK(…) never reaches a page or an export).
_NAME_PUNCTUATION = frozenset("-\u2010\u2013'\u2019.")
# a first character a spreadsheet reads as a formula (OWASP, CSV injection)
_FORMULA_START = frozenset("=+-@")


def _shown(ch: str) -> str:
    return f"« {ch} »" if ch.isprintable() and not ch.isspace() else f"U+{ord(ch):04X}"


@lru_cache(maxsize=65536)
def name_problem(text: str) -> str | None:
    """Why a (stripped, non-empty) last or first name, or a proxy holder's « NOM Prénom », is refused; None when it
    is a name. A cell with a control character never gets here (templates.read_tables refuses its row); a tab or a
    line break does, and is refused as any other character."""
    if text[0] in _FORMULA_START:
        return (f"un nom ne peut pas commencer par « {text[0]} » (un tableur le lirait comme une formule) : "
                "corrigez la cellule.")
    for ch in text:
        category = unicodedata.category(ch)
        if ch in _NAME_PUNCTUATION or category[0] in "LM" or category == "Zs":
            continue
        return (f"caractère {_shown(ch)} refusé dans un nom : un nom ne contient que des lettres, espaces, traits "
                "d'union, apostrophes et points.")
    return None


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


PersonKey = tuple[str, str, str]
_SittingPerson = tuple[str, date, int]  # (body, day, person): the key of a sign-in row or a reply


def _person_key(last: str, first: str, insee: str | None) -> PersonKey:
    """Who a row names, for matching: the folded last and first names and the commune, as a tuple (joined into one
    text by "|", the names « A|B » « C » and « A » « B|C » would be one person)."""
    return name_fold(last), name_fold(first), insee or ""


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


@dataclass(frozen=True)
class _SpanRow:
    """A sign-in row bounded to points of the agenda (« depuis », « jusqu'à »), with the positions it covers."""

    from_item: str | None
    to_item: str | None
    status: str
    delegate: int | None
    first: int
    last: int
    line: int


@dataclass(frozen=True)
class _Sheet:
    """A plain sign-in sheet checked in columns (plain_sign_ins), as the rows to write: each row an index into the
    sheet's distinct sittings, persons (provisional ids for those the import creates) and statuses."""

    sittings: list[tuple[str, date]]
    sitting_rows: np.ndarray
    persons: list[int]
    person_rows: np.ndarray
    statuses: list[str]
    status_rows: np.ndarray

    def staged(self, ids: dict[int, int]) -> pa.Table:
        """The rows as the attendance merge stages them, new persons given their ids."""
        return pa.table({
            "body_code": sheet_columns.taken([body for body, _ in self.sittings], self.sitting_rows, pa.string()),
            "meeting_date": sheet_columns.taken([day for _, day in self.sittings], self.sitting_rows, pa.date32()),
            "person_id": sheet_columns.taken([ids.get(p, p) for p in self.persons], self.person_rows, pa.int32()),
            "status": sheet_columns.taken(self.statuses, self.status_rows, pa.string()),
            "delegate_id": pa.nulls(len(self.person_rows), pa.int32()),
        })


class _State:
    """What the database holds, plus what the files add, for validating rows against both."""

    def __init__(self, cur: duckdb.DuckDBPyConnection):
        self.communes_by_insee: dict[str, str] = {}
        self.communes_by_name: dict[str, str] = {}
        for insee, name in cur.execute(query("import_state_communes")).fetchall():
            self.communes_by_insee[insee] = name
            self.communes_by_name[name_fold(name)] = insee
        self.bodies: dict[str, str] = {}
        for code, name in cur.execute(query("import_state_bodies")).fetchall():
            self.bodies[fold(code)] = code
            self.bodies[fold(name)] = code
        # Persons by their match key, recomputed here from the stored names rather than read from match_key: the
        # key now folds hyphens, spaces and apostrophes away, and DuckDB cannot rewrite match_key (UNIQUE) of a
        # person other rows reference (migration 005). Two stored persons may then share a key: both are listed,
        # and a row naming them without an identifier is refused, never given to either.
        self.by_name: dict[PersonKey, list[int]] = defaultdict(list)
        self.key_of: dict[int, PersonKey] = {}
        self.insee_of: dict[int, str | None] = {}
        self.labels: dict[int, str] = {}             # "NOM Prénom (Commune)", for messages
        self.names: dict[int, str] = {}              # name_fold("last first"), to find a proxy holder
        self.identifiers: dict[str, int] = {}        # folded identifier -> person
        self.identifier_of: dict[int, str] = {}      # person -> identifier as written
        self.match_keys: set[str] = set()            # stored keys, so that new ones stay unique
        for pid, last, first, insee, identifier, match_key in cur.execute(query("import_state_persons")).fetchall():
            self.match_keys.add(match_key)
            # an erased person (analytics/access/privacy.py) has no name left to match, but still holds their seat
            self.add_person(pid, last, first, insee, identifier, matchable=not match_key.startswith("effacé"))
        self.memberships: dict[tuple[int, str], list[_Interval]] = defaultdict(list)
        self.bodies_of: dict[int, set[str]] = defaultdict(set)
        for pid, body, start, end, role in cur.execute(query("import_state_memberships")).fetchall():
            self.add_membership(pid, body, _Interval(start, end, role))
        # What the base holds of the sittings the files name, read for those only (load_sittings: a base of
        # 200 000 sittings is not read to check one sheet): (mid, status), with the files' sittings added; the
        # commune of each one other rows reference, which an import cannot change (see import_sittings.sql); those
        # with sign-ins; their agendas (point -> (position, title)) and bounded sign-in rows (migration 006).
        self._cur = cur
        self._loaded: set[tuple[str, date]] = set()
        self.meetings: dict[tuple[str, date], tuple[int | None, str]] = {}
        self.referenced: dict[tuple[str, date], str | None] = {}
        self.signed: set[tuple[str, date]] = set()
        self.agendas: dict[tuple[str, date], dict[str, tuple[int, str]]] = defaultdict(dict)
        self.spans: dict[tuple[str, date, int], list[tuple[str | None, str | None, str, int | None]]] = \
            defaultdict(list)
        self.next_person = -1  # provisional ids of new persons, replaced at write time

    def load_sittings(self, keys: Iterable[tuple[str, date]]) -> None:
        """Read what the base holds of the sittings `keys` (body, day) not read yet: three queries, whatever their
        number. Every look at self.meetings, referenced, signed, agendas or spans follows a load of its sitting."""
        wanted = sorted(set(keys) - self._loaded)
        if not wanted:
            return
        self._loaded.update(wanted)
        cur, staged = self._cur, staged_frame(wanted, ["body_code", "meeting_date"])
        for mid, body, day, status, insee, signed, referenced in _rows(cur, "import_sittings", staged):
            self.meetings.setdefault((body, day), (mid, status))
            if referenced:
                self.referenced[(body, day)] = insee
            if signed:
                self.signed.add((body, day))
        for body, day, item, position, title in _rows(cur, "import_agendas", staged):
            self.agendas[(body, day)][item] = (int(position), title)
        for body, day, pid, _, from_item, to_item, status, delegate in _rows(cur, "import_spans", staged):
            self.spans[(body, day, int(pid))].append((from_item, to_item, status, delegate))

    def commune(self, text: str) -> str | None:
        """INSEE code from a code or a name (spaces, hyphens and apostrophes alike); None when unknown."""
        if text in self.communes_by_insee:
            return text
        return self.communes_by_name.get(name_fold(text))

    def add_person(self, pid: int, last: str, first: str, insee: str | None, identifier: str | None,
                   matchable: bool = True) -> None:
        self.insee_of[pid] = insee
        commune = f" ({self.communes_by_insee.get(insee, insee)})" if insee else ""
        self.labels[pid] = f"{display_name(last, first)}{commune}"
        self.names[pid] = name_fold(f"{last} {first}")
        if not matchable:
            return
        key = _person_key(last, first, insee)
        self.by_name[key].append(pid)
        self.key_of[pid] = key
        if identifier:
            self.set_identifier(pid, identifier)

    def set_identifier(self, pid: int, identifier: str) -> None:
        self.identifiers[fold(identifier)] = pid
        self.identifier_of[pid] = identifier

    def add_membership(self, pid: int, body: str, span: _Interval) -> None:
        self.memberships[(pid, body)].append(span)
        self.bodies_of[pid].add(body)

    def families(self, pid: int, but: tuple[str, date] | None = None) -> dict[str, set[str]]:
        """The families of `pid`'s roles (ROLE_FAMILIES), each with the bodies where it shows; `but` leaves out the
        membership of that body and start (the one a row is about to replace)."""
        found: dict[str, set[str]] = defaultdict(set)
        for body in self.bodies_of.get(pid, ()):
            for span in self.memberships[(pid, body)]:
                family = ROLE_FAMILIES.get(span.role)
                if family and (body, span.start) != but:
                    found[family].add(body)
        return found

    def members_on(self, body: str, day: date) -> list[int]:
        """Persons whose membership of `body` covers `day`."""
        return [
            pid for (pid, code), spans in self.memberships.items()
            if code == body and any(span.covers(day) for span in spans)
        ]

    def standing(self, pid: int, body: str, day: date) -> str:
        """How `pid` sits in `body` on `day`: "member" (a membership other than substitute covers the day),
        "substitute" (only a substitute membership does) or "" (none)."""
        found = ""
        for span in self.memberships.get((pid, body), ()):
            if span.start <= day and (span.end is None or day <= span.end):
                if span.role != "substitute":
                    return "member"
                found = "substitute"
        return found


class _Validator:
    """Turns the rows of the tables into rows to write, collecting every problem on the way."""

    def __init__(self, state: _State):
        self.state = state
        self.problems: list[Problem] = []
        # provisional id -> (last, first, insee, match key, identifier)
        self.new_persons: dict[int, tuple[str, str, str | None, str, str | None]] = {}
        # stored persons the files give an identifier to
        self.identified: dict[int, str] = {}
        self.members: dict[tuple[int, str, date], tuple[str, int | None, date | None, int]] = {}
        self._member_rows: dict[tuple[int, str, date], tuple[Table, int]] = {}
        # (body, day) -> (status, format, type, requesters, commune, headcount, convocation, line)
        self.meetings: dict[tuple[str, date],
                            tuple[str, str, str, int | None, str | None, int | None, date | None, int]] = {}
        self.attendance: dict[tuple[str, date, int], tuple[str, int | None, int]] = {}
        self._delegates: dict[tuple[str, date], dict[str, list[int]]] = {}
        # sign-in rows of substitutes and proxies given to substitutes, checked once every row is read
        self._substitute_rows: list[tuple[Table, int, str, date, int, str, int | None]] = []
        # (body, day, substitute) -> the titular's row naming them, to refuse a second titular
        self._substituting: dict[tuple[str, date, int], tuple[int, int]] = {}  # -> (titular, line)
        self._seat_holders: dict[str | None, list[int]] | None = None
        # minutes may say a proxy was given without naming its holder (import_sources)
        self.proxy_without_holder = False
        # replies to convocations: (body, day, person) -> (reply, delegate, line)
        self.replies: dict[tuple[str, date, int], tuple[str, int | None, int]] = {}
        # agenda files: sitting -> point -> (title, line), and the first row naming each sitting (for messages)
        self.agenda: dict[tuple[str, date], dict[str, tuple[str, int]]] = {}
        self._agenda_rows: dict[tuple[str, date], tuple[Table, int]] = {}
        self._positions: dict[tuple[str, date], dict[str, int] | None] = {}
        # sign-in rows bounded to points, per (body, day, person); their sitting-level row joins self.attendance
        # once every file is read (finish_agendas)
        self.spans: dict[tuple[str, date, int], list[_SpanRow]] = {}
        # a plain sign-in sheet checked in columns: its rows, apart from self.attendance (plain_sign_ins)
        self.sheet: _Sheet | None = None

    def sittings_signed(self) -> set[tuple[str, date]]:
        """The sittings the sign-in rows of the files name."""
        return {(body, day) for body, day, _ in self.attendance} | set(self.sheet.sittings if self.sheet else ())

    def sign_in_count(self) -> int:
        """How many sign-in rows (of a person at a sitting) the files give."""
        return len(self.attendance) + (len(self.sheet.person_rows) if self.sheet else 0)

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
        day, problem = read_date(text)
        if problem:
            self._error(table, line, column, problem)
        return day

    def _commune(self, table: Table, line: int, row: list[str]) -> tuple[bool, str | None]:
        text = table.cell(row, "commune")
        if not text:
            return True, None
        insee = self.state.commune(text)
        if insee is None:
            self._error(table, line, "commune",
                        f"commune inconnue « {text} » (code INSEE ou nom d'une des 39 communes).")
            return False, None
        return True, insee

    def _names(self, table: Table, line: int, row: list[str], columns: tuple[str, str] = ("nom", "prenom"),
               ) -> tuple[str, str] | None:
        last, first = table.cell(row, columns[0]), table.cell(row, columns[1])
        ok = True
        for column, value in zip(columns, (last, first)):
            problem = name_problem(value) if value else "valeur manquante."
            if problem:
                self._error(table, line, column, problem)
                ok = False
        return (last, first) if ok else None

    def _stage(self, table: Table, line: int, column: str, staged: dict[_SittingPerson, tuple[str, int | None, int]],
               key: _SittingPerson, value: tuple[str, int | None], other: str) -> bool:
        """Stage the (status or reply, delegate) of a sitting and person, unless an earlier row gave them another one
        (then a problem naming that row, and False)."""
        previous = staged.get(key)
        if previous is not None and previous[:2] != value:
            self._error(table, line, column, f"même séance et même personne qu'à la ligne {previous[2]}, avec {other}.")
            return False
        staged[key] = (value[0], value[1], line)
        return True

    def _prefetch_sittings(self, table: Table) -> None:
        """Read at once what the base holds of the sittings the rows of `table` name, as _body and _date read them
        (rows that name none, or a wrong one, are refused later, one by one)."""
        named = ((self.state.bodies.get(fold(table.cell(row, "instance"))), read_date(table.cell(row, "date"))[0])
                 for _, row in table.rows)
        self.state.load_sittings((body, day) for body, day in named if body and day)

    def _holder_problem(self, text: str) -> str | None:
        """Why the « mandataire » of a row is refused: a « NOM Prénom » follows the rule of names, unless the text
        is a known person's identifier (which may hold digits)."""
        problem = name_problem(text)
        return problem if problem and fold(text) not in self.state.identifiers else None

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
        text = table.cell(row, column).replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
        if not text:
            return True, None
        if not _NUMBER.fullmatch(text):
            self._error(table, line, column, f"« {text} » n'est pas un nombre entier positif.")
            return False, None
        if int(text) > _MAX_COUNT:
            self._error(table, line, column, f"« {text} » dépasse le plus grand nombre admis ({number(_MAX_COUNT)}).")
            return False, None
        return True, int(text)

    # -- persons ---------------------------------------------------------------------------------

    def _fits(self, pid: int, family: str | None, but: tuple[str, date] | None = None) -> bool:
        """Whether a role of `family` could be one more role of `pid` (ROLE_FAMILIES)."""
        if family is None:
            return True
        return all(other == family for other in self.state.families(pid, but))

    def _family_conflict(self, pid: int, family: str, but: tuple[str, date] | None) -> str:
        state = self.state
        held = ", ".join(f"{FAMILY_LABELS[f]} ({', '.join(sorted(bodies))})"
                         for f, bodies in sorted(state.families(pid, but).items()) if f != family)
        return (f"« {state.labels[pid]} » est déjà enregistré comme {held} ; cette ligne en fait un "
                f"{FAMILY_LABELS[family]}. S'il s'agit de deux personnes homonymes, donnez à chacune un identifiant "
                "(colonne « identifiant ») ; sinon, corrigez le rôle.")

    def _homonyms(self, pids: list[int], who: str) -> str:
        state = self.state
        known = ", ".join(f"n° {p}" + (f" « {state.identifier_of[p]} »" if p in state.identifier_of else "")
                          for p in pids if p > 0)
        listed = f" ({known})" if known else ""
        return (f"{len(pids)} personnes s'appellent « {who} »{listed} : indiquez laquelle dans la colonne "
                "« identifiant ».")

    def _identify(self, last: str, first: str, insee: str | None, identifier: str, family: str | None,
                  among: Callable[[int], bool] | None = None,
                  but: tuple[str, date] | None = None) -> tuple[int | None, str | None]:
        """The person a row names: (person, None); (None, None) when nobody matches; (None, why) when refused.

        An identifier names its person (whose name must then be the row's). Without one, the name and commune do,
        provided a single person bears them (`among` keeps the candidates who could be meant, e.g. the members of
        the body that day) and the row's role `family` fits theirs: homonyms are never merged silently. A known
        person without identifier receives the row's identifier when their roles fit it."""
        state = self.state
        key = _person_key(last, first, insee)
        commune = f" ({state.communes_by_insee[insee]})" if insee else ""
        who = f"{display_name(last, first)}{commune}"
        if identifier:
            pid = state.identifiers.get(fold(identifier))
            if pid is not None:
                if state.key_of[pid] != key:
                    return None, (f"l'identifiant « {identifier} » est celui de « {state.labels[pid]} », pas de "
                                  f"« {who} ».")
                return pid, None
            unnamed = [p for p in state.by_name.get(key, ())
                       if p not in state.identifier_of and self._fits(p, family, but)]
            if len(unnamed) > 1:
                return None, (f"{len(unnamed)} personnes « {who} » sans identifiant sont déjà connues : impossible "
                              f"de savoir à laquelle donner l'identifiant « {identifier} ».")
            if unnamed:
                self._give_identifier(unnamed[0], identifier)
                return unnamed[0], None
            return None, None
        candidates = state.by_name.get(key, [])
        if len(candidates) > 1 and among is not None:
            candidates = [p for p in candidates if among(p)] or candidates
        if len(candidates) > 1:
            return None, self._homonyms(candidates, who)
        if not candidates:
            return None, None
        pid = candidates[0]
        if family is not None and not self._fits(pid, family, but):
            return None, self._family_conflict(pid, family, but)
        return pid, None

    def _give_identifier(self, pid: int, identifier: str) -> None:
        self.state.set_identifier(pid, identifier)
        if pid > 0:
            self.identified[pid] = identifier
        else:
            last, first, insee, key, _ = self.new_persons[pid]
            self.new_persons[pid] = (last, first, insee, key, identifier)

    def _new_person(self, last: str, first: str, insee: str | None, identifier: str) -> int:
        state = self.state
        key = person_key(last, first, insee)
        # a homonym told apart by an identifier: the identifier keeps the stored key unique
        match_key = f"{key}|{fold(identifier)}" if identifier and key in state.match_keys else key
        base, number = match_key, 2
        while match_key in state.match_keys:
            match_key, number = f"{base}|{number}", number + 1
        pid = state.next_person
        state.next_person -= 1
        state.match_keys.add(match_key)
        state.add_person(pid, last.strip(), first.strip(), insee, identifier or None)
        self.new_persons[pid] = (last.strip(), first.strip(), insee, match_key, identifier or None)
        return pid

    def _member_person(self, table: Table, line: int, row: list[str], names: tuple[str, str], insee: str | None,
                       role: str, body: str, start: date) -> int | None:
        """The person of a members row, created when new; None (and a problem) when the row is refused."""
        identifier = table.cell(row, "identifiant")
        pid, refused = self._identify(names[0], names[1], insee, identifier, ROLE_FAMILIES.get(role),
                                      but=(body, start))
        if refused:
            self._error(table, line, "identifiant" if identifier else "nom", refused)
            return None
        return pid if pid is not None else self._new_person(names[0], names[1], insee, identifier)

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
                pid = self._member_person(table, line, row, names, insee, role, body, start)
                if pid is not None:
                    self._member(table, line, "debut", pid, body, role, rank, start, end)

    def _member(self, table: Table, line: int, column: str, pid: int, body: str, role: str, rank: int | None,
                start: date, end: date | None) -> None:
        """Stage one membership, refusing a contradicting duplicate and an overlap with another period."""
        key = (pid, body, start)
        if key in self.members and self.members[key][:3] != (role, rank or None, end):
            self._error(table, line, column, f"même personne, instance et début qu'à la ligne {self.members[key][3]}.")
            return
        spans = [s for s in self.state.memberships[(pid, body)] if s.start != start]
        if any(s.start <= (end or date.max) and start <= (s.end or date.max) for s in spans):
            self._error(table, line, column,
                        "cette période chevauche une autre appartenance de la personne à l'instance.")
            return
        self.members[key] = (role, rank or None, end, line)
        self._member_rows[key] = (table, line)
        self.state.memberships[(pid, body)] = spans  # the membership of that start, if any, is replaced
        self.state.add_membership(pid, body, _Interval(start, end, role))

    def register_table(self, table: Table) -> None:
        """The Répertoire national des élus: m2A's conseillers, their function, and the Bureau for the executive."""
        for line, row in table.rows:
            if table.cell(row, "n° siren").replace(" ", "") != M2A_SIREN:
                continue
            names = (table.cell(row, "nom de l'elu"), table.cell(row, "prenom de l'elu"))
            named = all(names) and self._names(table, line, row, ("nom de l'elu", "prenom de l'elu")) is not None
            code = table.cell(row, "code de la commune de rattachement")
            if len(code) == 3 and _NUMBER.fullmatch(code):  # some editions give the code without the département
                code = table.cell(row, "code du departement").zfill(2) + code
            insee = self.state.commune(code)
            if insee is None:
                self._error(table, line, "code de la commune de rattachement",
                            f"commune « {code} » hors de m2A ou inconnue.")
            start = self._date(table, line, row, "date de debut du mandat")
            since = self._date(table, line, row, "date de debut de la fonction", required=False)
            if not all(names):
                self._error(table, line, "nom de l'elu", "nom ou prénom manquant.")
                continue
            if not named or insee is None or start is None:
                continue
            role, rank = register_function(table.cell(row, "libelle de la fonction"))
            # the register has no identifiant column; one may be added to it to tell a homonym apart
            identifier = table.cell(row, "identifiant")
            pid, refused = self._identify(names[0], names[1], insee, identifier, "elected", but=("conseil", start))
            if refused:
                self._error(table, line, "identifiant" if identifier else "nom de l'elu", refused)
                continue
            if pid is None:
                pid = self._new_person(names[0], names[1], insee, identifier)
            self._member(table, line, "date de debut du mandat", pid, "conseil", role, rank, start, None)
            if role in ("president", "vice_president", "delegate"):
                self._member(table, line, "date de debut de la fonction", pid, "bureau", role, rank,
                             max(since or start, start), None)

    # -- replies ---------------------------------------------------------------------------------

    def replies_table(self, table: Table) -> None:
        """Validate a file of replies to convocations (DESIGN.md §5c): one row per sitting and member proper of the
        body that day, at a sitting planned or held (stored, or described by a meetings file of the same import;
        replies are kept after the sitting), with « mandataire » the holder of a proxy, or the substitute."""
        state = self.state
        self._prefetch_sittings(table)
        for line, row in table.rows:
            body = self._body(table, line, row)
            day = self._date(table, line, row, "date")
            names = self._names(table, line, row)
            ok, insee = self._commune(table, line, row)
            reply = self._enum(table, line, row, "reponse", "reply", None)
            if not (body and day and names and ok and reply):
                continue
            meeting = state.meetings.get((body, day))
            if meeting is None:
                self._error(table, line, "date", f"aucune séance {body} le {day:%d/%m/%Y} : décrivez-la d'abord "
                                                 "dans un fichier de séances (statut « prévue »).")
                continue
            if meeting[1] == "cancelled":
                self._error(table, line, "date", f"la séance {body} du {day:%d/%m/%Y} est annulée : pas de réponses.")
                continue
            who = self._who(names[0], names[1], insee)
            pid, refused = self._sign_in_person(names[0], names[1], insee, table.cell(row, "identifiant"), body, day)
            if refused:
                self._error(table, line, "identifiant" if table.cell(row, "identifiant") else "nom", refused)
                continue
            if pid is None:
                self._error(table, line, "nom", f"personne inconnue « {who} » : importez-la d'abord dans un fichier "
                                                "de membres.")
                continue
            standing = state.standing(pid, body, day)
            if standing != "member":
                self._error(table, line, "nom",
                            f"« {who} » est suppléant : c'est le titulaire de sa commune qui répond (réponse "
                            "« suppléant »)." if standing else
                            f"« {who} » n'est pas membre de l'instance {body} le {day:%d/%m/%Y}.")
                continue
            delegate = self._reply_delegate(table, line, row, body, day, pid, reply)
            if delegate is False:
                continue
            self._stage(table, line, "reponse", self.replies, (body, day, pid), (reply, delegate), "une autre réponse")

    def _reply_delegate(self, table: Table, line: int, row: list[str], body: str, day: date, pid: int,
                        reply: str) -> int | None | bool:
        """The proxy holder (a member proper, another one) or the substitute (named, or else the only substitute of
        the member's commune) of a reply; None for the other replies; False, with a problem, when refused."""
        state = self.state
        text = table.cell(row, "mandataire")
        if reply not in ("proxy", "substitute"):
            if text:
                self._error(table, line, "mandataire",
                            "un mandataire n'est indiqué que pour « pouvoir » ou « suppléant ».")
                return False
            return None
        wanted = "member" if reply == "proxy" else "substitute"
        if text and (problem := self._holder_problem(text)):
            self._error(table, line, "mandataire", problem)
            return False
        if text:
            candidates = [p for p in state.members_on(body, day)
                          if p != pid and state.names[p] == name_fold(text) and state.standing(p, body, day) == wanted]
            named = state.identifiers.get(fold(text))
            if not candidates and named is not None and named != pid and state.standing(named, body, day) == wanted:
                candidates = [named]
        elif reply == "proxy":
            self._error(table, line, "mandataire", "indiquez le porteur du pouvoir (« NOM Prénom »).")
            return False
        else:
            candidates = [p for p in state.members_on(body, day)
                          if state.standing(p, body, day) == "substitute"
                          and state.insee_of.get(p) is not None and state.insee_of.get(p) == state.insee_of.get(pid)]
        if len(candidates) != 1:
            if text:
                kind = "un membre" if reply == "proxy" else "un suppléant"
                reason = f"n'est pas {kind} de l'instance à cette date" if not candidates else "est ambigu (homonymes)"
                self._error(table, line, "mandataire", f"mandataire « {text} » : {reason}.")
            else:
                self._error(table, line, "reponse",
                            f"« {state.labels[pid]} » n'a pas de suppléant unique à l'instance {body} le "
                            f"{day:%d/%m/%Y} : nommez-le dans la colonne « mandataire », ou choisissez une autre "
                            "réponse.")
            return False
        if reply == "substitute":
            problem = self._substitution_problem(body, day, pid, candidates[0])
            if problem:
                self._error(table, line, "mandataire" if text else "reponse", problem)
                return False
        return candidates[0]

    # -- meetings --------------------------------------------------------------------------------

    def meetings_table(self, table: Table, today: date) -> None:
        """Validate a meetings file."""
        self._prefetch_sittings(table)
        for line, row in table.rows:
            body = self._body(table, line, row)
            day = self._date(table, line, row, "date")
            status = self._enum(table, line, row, "statut", "meeting_status", "held")
            fmt = self._enum(table, line, row, "format", "meeting_format", "in_person")
            kind = self._enum(table, line, row, "type", "meeting_type", "ordinary")
            ok_req, requesters = self._count(table, line, row, "demandeurs")
            ok_com, insee = self._commune(table, line, row)
            ok_head, headcount = self._count(table, line, row, "participants")
            convocation = self._date(table, line, row, "convocation", required=False)
            ok_conv = not (table.cell(row, "convocation") and convocation is None)
            if convocation and day and convocation > day:
                self._error(table, line, "convocation", "la convocation est datée après la séance.")
                continue
            if requesters is not None and kind not in (None, "requested"):
                self._error(table, line, "demandeurs",
                            "un nombre de demandeurs n'a de sens que pour une séance « à la demande ».")
                continue
            if status == "held" and day and day > today:
                self._error(table, line, "statut",
                            "une séance tenue ne peut pas être datée dans le futur (statut « prévue » ?).")
                continue
            if not (body and day and status and fmt and kind and ok_req and ok_com and ok_head and ok_conv):
                continue
            if (body, day) in self.state.referenced and self.state.referenced[(body, day)] != insee:
                stored = self.state.referenced[(body, day)]
                shown = f"« {self.state.communes_by_insee.get(stored, stored)} »" if stored else "aucune"
                self._error(table, line, "commune",
                            f"la séance {body} du {day:%d/%m/%Y} a déjà des présences, des réponses ou un ordre du "
                            f"jour : sa commune ({shown}) ne peut plus être changée par un import. Laissez-la "
                            "telle qu'elle est ; le format, le type et le statut, eux, se corrigent.")
                continue
            if status != "held" and (body, day) in self.state.signed:
                # only a held sitting has attendance: the form removes the sign-ins, writing each to the history;
                # an import never deletes them behind a status
                self._error(table, line, "statut",
                            f"la séance {body} du {day:%d/%m/%Y} a des présences enregistrées : elle ne peut pas "
                            f"devenir « {labels.MEETING_STATUS[status]} » par un import. Corrigez son statut dans "
                            "le formulaire « Saisir une séance », qui retire ces présences en les inscrivant à "
                            "l'historique.")
                continue
            values = (status, fmt, kind, requesters, insee, headcount, convocation)
            previous = self.meetings.get((body, day))
            if previous and previous[:7] != values:
                self._error(table, line, "date", f"séance déjà décrite autrement à la ligne {previous[7]}.")
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
        return read_date(text) if text else (None, "date manquante.")

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

    def _resolve_name(self, text: str) -> tuple[str | None, str | None]:
        problem = name_problem(text) if text else "valeur manquante."
        return (None, problem) if problem else (text, None)

    def plain_sign_ins(self, cur: duckdb.DuckDBPyConnection, table: Table) -> bool:
        """Check in columns, set-based, a sign-in sheet read by Arrow (issue 15), and stage it as self.sheet when
        every row is plain: a person of a name and commune only one stored or staged person bears, a member proper
        of the body that day, « présent », « à distance », « excusé », « absent » or « non renseigné », without
        holder, identifier or bounds, at a sitting held or new, once. False, with nothing staged and no problem
        noted, as soon as one row is not plain: attendance_table then checks every row and words the refusals."""
        frame = table.frame
        if frame is None or frame.num_rows == 0 or self.sheet is not None or self.attendance or self.spans:
            return False

        def column(name: str) -> pa.ChunkedArray:
            return frame.column(table.columns[name])

        if any(name in table.columns and not sheet_columns.blank(column(name))
               for name in ("mandataire", "identifiant", "depuis", "jusqua")):
            return False
        resolvers: dict[str, Callable[[str], tuple[object, str | None]]] = {
            "instance": self._resolve_body, "date": self._resolve_date, "nom": self._resolve_name,
            "prenom": self._resolve_name, "commune": self._resolve_commune, "statut": self._resolve_status}
        found: dict[str, tuple[list[Any], np.ndarray]] = {}
        for name, resolve in resolvers.items():
            if (result := sheet_columns.resolved(column(name), resolve)) is None:
                return False
            found[name] = result
        statuses, status_rows = found["statut"]
        if not set(statuses) <= _PLAIN_STATUSES:
            return False
        state = self.state
        name_rows, people = sheet_columns.combined([found[name][1] for name in ("nom", "prenom", "commune")])
        # « HÊTRE Anne (Mulhouse) » and « Hetre anne (68224) » are one person: rows are coded by the person
        person_codes: dict[int, int] = {}
        spelled = []
        for last, first, commune in people:
            insee = found["commune"][0][commune] or None
            candidates = state.by_name.get(_person_key(found["nom"][0][last], found["prenom"][0][first], insee))
            if candidates is None or len(candidates) != 1:
                return False
            spelled.append(person_codes.setdefault(candidates[0], len(person_codes)))
        person_rows, persons = np.asarray(spelled, dtype=np.int32)[name_rows], list(person_codes)
        text_rows, pairs = sheet_columns.combined([found["instance"][1], found["date"][1]])
        # "2024-09-25" and "25/09/2024" are one sitting: rows are coded by the sitting, not by its spelling
        codes: dict[tuple[str, date], int] = {}
        spelled = [codes.setdefault((found["instance"][0][body], found["date"][0][day]), len(codes))
                   for body, day in pairs]
        sitting_rows, sittings = np.asarray(spelled, dtype=np.int32)[text_rows], list(codes)
        if sheet_columns.repeats(sitting_rows, len(sittings), person_rows, len(persons)):
            return False  # one person twice at a sitting: the row reader says whether the rows agree
        state.load_sittings(sittings)
        if any(state.meetings.get(sitting, (None, "held"))[1] != "held" for sitting in sittings):
            return False
        if not self._plain_in_base(cur, sittings, sitting_rows, persons, person_rows):
            return False
        self.sheet = _Sheet(sittings, sitting_rows, persons, person_rows, [str(s) for s in statuses], status_rows)
        return True

    def _plain_in_base(self, cur: duckdb.DuckDBPyConnection, sittings: list[tuple[str, date]],
                       sitting_rows: np.ndarray, persons: list[int], person_rows: np.ndarray) -> bool:
        """The part of plain_sign_ins that needs joins, in DuckDB (import_sheet_check.sql): each row is a member
        proper in office that day, and none has bounded rows stored."""
        state = self.state
        bodies = {body for body, _ in sittings}
        offices = [(pid, body, span.start, span.end) for pid in persons for body in bodies
                   for span in state.memberships.get((pid, body), ()) if span.role != "substitute"]
        position = {sitting: index for index, sitting in enumerate(sittings)}
        known = set(persons)  # distinct already: a set for the look-ups
        bounded = [(position[(body, day)], pid) for body, day, pid in state.spans
                   if (body, day) in position and pid in known]
        views = {
            "sheet_rows": pa.table({"sitting": sitting_rows,
                                    "person_id": np.asarray(persons, dtype=np.int64)[person_rows]}),
            "sheet_sittings": staged_frame([(index, body, day) for index, (body, day) in enumerate(sittings)],
                                           ["sitting", "body_code", "meeting_date"]),
            "sheet_offices": staged_frame(offices, ["person_id", "body_code", "start_date", "end_date"]),
            "sheet_bounded": staged_frame(bounded, ["sitting", "person_id"]),
        }
        with _views(cur, **views):
            rows, in_office, stored_bounds = cur.execute(query("import_sheet_check")).fetchall()[0]
        return rows == in_office and stored_bounds == 0

    def attendance_table(self, table: Table) -> None:
        """Validate a sign-in file column by column (fast on a million rows); unknown meetings are created held."""
        state = self.state
        bodies = self._resolve(table, "instance", self._resolve_body)
        days = self._resolve(table, "date", self._resolve_date)
        lasts = self._resolve(table, "nom", self._resolve_name)
        firsts = self._resolve(table, "prenom", self._resolve_name)
        communes = self._resolve(table, "commune", self._resolve_commune)
        statuses = self._resolve(table, "statut", self._resolve_status)
        identifiers = ([table.cell(row, "identifiant") for _, row in table.rows] if "identifiant" in table.columns
                       else [""] * len(table.rows))
        state.load_sittings({(body, day) for body, day in zip(bodies, days) if body and day})
        standings: dict[tuple[int, str, date], str] = {}
        bounded = "depuis" in table.columns or "jusqua" in table.columns  # else the file of today, kept fast
        for (line, row), body, day, last, first, insee, status, identifier in zip(
            table.rows, bodies, days, lasts, firsts, communes, statuses, identifiers
        ):
            if not (body and day and last and first and status) or insee is None:
                continue
            insee = insee or None
            candidates = state.by_name.get(_person_key(last, first, insee))
            if not identifier and candidates is not None and len(candidates) == 1:
                found: int | None = candidates[0]  # the usual case, kept fast
            else:
                found, refused = self._sign_in_person(last, first, insee, identifier, body, day)
                if refused:
                    self._error(table, line, "identifiant" if identifier else "nom", refused)
                    continue
            if found is None:
                self._error(table, line, "nom", f"personne inconnue « {self._who(last, first, insee)} » : "
                                                "importez-la d'abord dans un fichier de membres.")
                continue
            pid = found
            standing = standings.get((pid, body, day))
            if standing is None:
                standing = standings[(pid, body, day)] = state.standing(pid, body, day)
            if not standing:
                self._error(table, line, "nom", f"« {self._who(last, first, insee)} » n'est pas membre de l'instance "
                                                f"{body} le {day:%d/%m/%Y}.")
                continue
            meeting = state.meetings.get((body, day))
            if meeting and meeting[1] != "held":
                shown = labels.MEETING_STATUS[meeting[1]]
                self._error(table, line, "date", f"la séance {body} du {day:%d/%m/%Y} est {shown} : pas de présences.")
                continue
            if standing == "substitute" and status not in _SUBSTITUTE_STATUSES:
                self._error(table, line, "statut",
                            f"« {self._who(last, first, insee)} » est suppléant : il ne siège qu'à la place du "
                            "titulaire de sa commune, et n'a donc pour statut que « présent », « à distance » ou "
                            "« non renseigné ».")
                continue
            delegate = self._delegate(table, line, row, body, day, pid, status)
            if delegate is False:
                continue
            key = (body, day, pid)
            bounds = self._bounds(table, line, row, body, day, status) if bounded else None
            if bounds is False:
                continue
            if isinstance(bounds, agenda_rules.Bounds):
                if not self._add_span(table, line, key, status, delegate, bounds):
                    continue
            else:
                if key in self.spans:
                    self._error(table, line, "depuis" if "depuis" in table.columns else "jusqua",
                                f"plages qui se chevauchent : même séance et même personne qu'à la ligne "
                                f"{self.spans[key][0].line}, bornée à des points, alors qu'une ligne sans "
                                "« depuis » ni « jusqu'à » couvre toute la séance.")
                    continue
                if not self._stage(table, line, "statut", self.attendance, key, (status, delegate), "un autre statut"):
                    continue
            if standing == "substitute" and status in SITTING:
                self._substitute_rows.append((table, line, body, day, pid, status, None))
            elif (status == "proxy" and isinstance(delegate, int)
                  and state.standing(delegate, body, day) == "substitute"):
                self._substitute_rows.append((table, line, body, day, delegate, status, pid))

    def _who(self, last: str, first: str, insee: str | None) -> str:
        return f"{last} {first}" + (f" ({self.state.communes_by_insee[insee]})" if insee else "")

    def _sign_in_person(self, last: str, first: str, insee: str | None, identifier: str, body: str,
                        day: date) -> tuple[int | None, str | None]:
        """The person of a sign-in row: by identifier, or by name among the homonyms convened that day."""
        state = self.state
        if not identifier:
            return self._identify(last, first, insee, "", None, among=lambda p: bool(state.standing(p, body, day)))
        pid = state.identifiers.get(fold(identifier))
        if pid is None:
            return None, (f"identifiant inconnu « {identifier} » : importez d'abord la personne dans un fichier de "
                          "membres.")
        if state.key_of[pid] != _person_key(last, first, insee):
            return None, f"l'identifiant « {identifier} » est celui de « {state.labels[pid]} »."
        return pid, None

    def _delegate(self, table: Table, line: int, row: list[str], body: str, day: date, pid: int,
                  status: str) -> int | None | bool:
        text = table.cell(row, "mandataire") if "mandataire" in table.columns else ""
        if status not in ("proxy", "substituted"):
            if text:
                self._error(table, line, "mandataire",
                            "un mandataire n'est indiqué que pour « pouvoir » ou « suppléé ».")
                return False
            return None
        if not text and status == "proxy" and self.proxy_without_holder:
            return None
        if not text:
            self._error(table, line, "mandataire",
                        "indiquez le mandataire (« NOM Prénom ») du pouvoir ou le suppléant.")
            return False
        if problem := self._holder_problem(text):
            self._error(table, line, "mandataire", problem)
            return False
        index = self._delegates.get((body, day))
        if index is None:
            index = defaultdict(list)
            for member in self.state.members_on(body, day):
                index[self.state.names[member]].append(member)
            self._delegates[(body, day)] = index
        candidates = [c for c in index.get(name_fold(text), []) if c != pid]
        named = self.state.identifiers.get(fold(text))  # the holder may be given by their identifier
        if not candidates and named is not None and named != pid and self.state.standing(named, body, day):
            candidates = [named]
        if status == "substituted" and len(candidates) > 1:
            # homonyms among the members: the substitute is the one who is a substitute
            candidates = [c for c in candidates if self.state.standing(c, body, day) == "substitute"] or candidates
        if len(candidates) != 1:
            reason = "inconnu parmi les membres de l'instance à cette date" if not candidates else "ambigu (homonymes)"
            self._error(table, line, "mandataire", f"mandataire « {text} » {reason}.")
            return False
        delegate = candidates[0]
        if status == "substituted":
            problem = self._substitution_problem(body, day, pid, delegate)
            taken = self._substituting.setdefault((body, day, delegate), (pid, line))
            if problem is None and taken[0] != pid:
                problem = (f"« {self.state.labels[delegate]} » supplée déjà « {self.state.labels[taken[0]]} » à "
                           f"cette séance (ligne {taken[1]}) : un suppléant ne remplace qu'un titulaire.")
            if problem:
                self._error(table, line, "mandataire", problem)
                return False
        return delegate

    # -- agenda (« ordre du jour ») and sign-ins bounded to points ----------------------------------------------

    def agenda_table(self, table: Table) -> None:
        """Validate an agenda file: the points of each sitting, with their titles. A file gives the whole agenda of
        each sitting it names (it replaces the stored one); the sitting must exist (finish_agendas)."""
        self._prefetch_sittings(table)
        for line, row in table.rows:
            body = self._body(table, line, row)
            day = self._date(table, line, row, "date")
            text = table.cell(row, "point")
            # ASCII only: fold() makes "²" a 2, and int() reads "٣" as 3
            item = agenda_rules.canonical_item(text) if text and text.isascii() else None
            if not text:
                self._error(table, line, "point", "point manquant.")
            elif item is None:
                self._error(table, line, "point",
                            f"point « {text} » illisible (attendu : {agenda_rules.ITEM_EXAMPLES}).")
            if not (body and day and item):
                continue
            title = table.cell(row, "intitule")
            points = self.agenda.setdefault((body, day), {})
            self._agenda_rows.setdefault((body, day), (table, line))
            previous = points.get(item)
            if previous is not None and previous[0] != title:
                self._error(table, line, "intitule",
                            f"point {item} déjà donné à la ligne {previous[1]} avec un autre intitulé.")
                continue
            points.setdefault(item, (title, line))

    def _agenda_positions(self, body: str, day: date) -> dict[str, int] | None:
        """The points of a sitting's agenda once the import is written (the files' if they give one, else the
        stored one) with their positions in natural order; None without agenda."""
        key = (body, day)
        if key not in self._positions:
            self.state.load_sittings([key])
            given = self.agenda.get(key)
            self._positions[key] = agenda_rules.positions(given if given is not None
                                                          else self.state.agendas.get(key, {}))
        return self._positions[key]

    def _bounds(self, table: Table, line: int, row: list[str], body: str, day: date,
                status: str) -> agenda_rules.Bounds | None | bool:
        """The points « depuis » and « jusqu'à » of a sign-in row and the positions they cover; None for a row
        without bounds (the whole sitting); False (and a problem) when they are refused (rules/agenda.py)."""
        for column in ("depuis", "jusqua"):
            if not table.cell(row, column).isascii():  # as a point of the agenda: "²" is no point 2
                self._error(table, line, column, f"point « {table.cell(row, column)} » illisible (attendu : "
                                                 f"{agenda_rules.ITEM_EXAMPLES}).")
                return False
        found = agenda_rules.resolve_bounds(table.cell(row, "depuis"), table.cell(row, "jusqua"), status,
                                            self._agenda_positions(body, day), f"la séance {body} du {day:%d/%m/%Y}")
        if isinstance(found, agenda_rules.Refusal):
            self._error(table, line, found.column, found.message)
            return False
        return found

    def _add_span(self, table: Table, line: int, key: tuple[str, date, int], status: str, delegate: int | None,
                  bounds: agenda_rules.Bounds) -> bool:
        """Stage a bounded row, refusing one whose points overlap another row of the same person and sitting."""
        from_item, to_item, first, last = bounds.from_item, bounds.to_item, bounds.first, bounds.last
        column = "depuis" if from_item else "jusqua"
        if key in self.attendance:
            self._error(table, line, column,
                        f"plages qui se chevauchent : même séance et même personne qu'à la ligne "
                        f"{self.attendance[key][2]}, dont la ligne sans « depuis » ni « jusqu'à » couvre toute la "
                        "séance.")
            return False
        rows = self.spans.setdefault(key, [])
        span = _SpanRow(from_item, to_item, status, delegate, first, last, line)
        for other in rows:
            if other.first <= last and first <= other.last:
                if (other.from_item, other.to_item, other.status, other.delegate) == (from_item, to_item, status,
                                                                                      delegate):
                    return True  # the same row twice
                self._error(table, line, column, agenda_rules.overlap_text(
                    first, last, other.first, other.last, self._agenda_positions(key[0], key[1]) or {},
                    f"à la ligne {other.line} (même séance, même personne)"))
                return False
        rows.append(span)
        return True

    def finish_agendas(self) -> None:
        """Once every file is read: the sitting-level row of each person with bounded rows (DESIGN §3), the
        sittings of the agenda files (they must exist: in the base or in this import), and the stored bounded
        rows an agenda would leave on a point it removes."""
        for key, rows in self.spans.items():
            status, delegate = agenda_rules.sitting_status(
                agenda_rules.Span(r.status, r.delegate, r.first, r.last) for r in rows)
            self.attendance[key] = (status, delegate, min(r.line for r in rows))
        if not self.agenda:
            return
        named = self.sittings_signed()
        stored_by_sitting: dict[tuple[str, date], list[tuple[int, list]]] = defaultdict(list)
        for (body, day, pid), stored in self.state.spans.items():
            if (body, day) in self.agenda and (body, day, pid) not in self.attendance:
                stored_by_sitting[(body, day)].append((pid, stored))
        for (body, day), (table, line) in self._agenda_rows.items():
            if (body, day) not in self.state.meetings and (body, day) not in named:
                self._error(table, line, "date",
                            f"la séance {body} du {day:%d/%m/%Y} n'existe pas : décrivez-la dans un fichier de "
                            "séances (ou de présences) du même import, ou importez-la d'abord.")
                continue
            points = self.agenda[(body, day)]
            for pid, stored in stored_by_sitting.get((body, day), []):
                gone = [item for from_item, to_item, *_ in stored for item in (from_item, to_item)
                        if item is not None and item not in points]
                if gone:
                    self._error(table, line, "point",
                                f"le point {gone[0]} n'est plus à l'ordre du jour alors que la présence de "
                                f"« {self.state.labels[pid]} » y est bornée : importez aussi ses présences de "
                                "cette séance.")

    # -- substitutes -----------------------------------------------------------------------------

    def _substitution_problem(self, body: str, day: date, titular: int, substitute: int) -> str | None:
        """Why `substitute` cannot sit in place of `titular` that day (DESIGN §3, CGCT L5211-6); None if they can:
        they are a substitute of the body, of the titular's commune, and that commune holds a single seat."""
        state = self.state
        name = state.labels[substitute]
        if state.standing(substitute, body, day) != "substitute":
            return (f"« {name} » n'est pas suppléant à l'instance {body} le {day:%d/%m/%Y} : un titulaire « suppléé » "
                    "nomme le suppléant de sa commune.")
        insee = state.insee_of.get(titular)
        if insee is None:
            return f"« {state.labels[titular]} » n'a pas de commune : seul l'élu d'une commune a un suppléant."
        commune = state.communes_by_insee.get(insee, insee)
        if state.insee_of.get(substitute) != insee:
            return (f"« {name} » n'est pas le suppléant de {commune} : « {state.labels[titular]} » ne peut être "
                    "suppléé que par le suppléant de sa commune.")
        if body == "conseil":
            seats, _ = self._seat_peak(insee, day, day)
            if seats > 1:
                return (f"{commune} compte {seats} sièges au Conseil le {day:%d/%m/%Y} : seule une commune à siège "
                        "unique a un suppléant (CGCT L5211-6).")
        return None

    def _conseil_people(self) -> dict[str | None, list[int]]:
        """The persons with a membership of the Conseil, by commune (read once every members file is staged)."""
        if self._seat_holders is None:
            holders: dict[str | None, list[int]] = defaultdict(list)
            for pid, body in self.state.memberships:
                if body == "conseil":
                    holders[self.state.insee_of.get(pid)].append(pid)
            self._seat_holders = holders
        return self._seat_holders

    def _seat_peak(self, insee: str, start: date, end: date | None) -> tuple[int, date | None]:
        """The most Conseil seats `insee` holds on one day of [start, end] (a seat: a member other than substitute,
        once however many memberships they have), and the first day it holds that many."""
        first, last = start.toordinal(), (end or date.max).toordinal()
        events = []
        for pid in self._conseil_people().get(insee, ()):
            spans = sorted((s.start.toordinal(), (s.end or date.max).toordinal())
                           for s in self.state.memberships[(pid, "conseil")] if s.role != "substitute")
            merged: list[list[int]] = []
            for low, high in spans:
                if merged and low <= merged[-1][1] + 1:
                    merged[-1][1] = max(merged[-1][1], high)
                else:
                    merged.append([low, high])
            for low, high in merged:
                low, high = max(low, first), min(high, last)
                if low <= high:
                    events += [(low, 1), (high + 1, -1)]
        count = peak = 0
        when = None
        for day, change in sorted(events):  # on one day, an end (-1) sorts before a start (+1)
            count += change
            if count > peak:
                peak, when = count, day
        return peak, None if when is None else date.fromordinal(when)

    def check_substitutes(self, cur: duckdb.DuckDBPyConnection) -> None:
        """The checks that need every row read: substitutes only in one-seat communes, and a substitute's sign-in
        (or a proxy they hold) only where a titular's row says « suppléé » and names them."""
        self._check_substitute_memberships()
        if not self._substitute_rows:
            return
        named = {(body, day, delegate) for (body, day, _), (status, delegate, _) in self.attendance.items()
                 if status == "substituted"}
        # a titular substituted for some points only: their sitting-level row may say « présent »
        named |= {(body, day, row.delegate) for (body, day, _), rows in self.spans.items() for row in rows
                  if row.status == "substituted"}
        sittings = sorted({(body, day) for _, _, body, day, *_ in self._substitute_rows})
        stored = _fetched(cur, "import_substitutions", staged_frame(sittings, ["body_code", "meeting_date"]))
        for body, day, titular, substitute in stored.itertuples(index=False):
            day = pd.Timestamp(day).date()
            if (body, day, titular) not in self.attendance:  # a stored row the files leave as it is
                named.add((body, day, int(substitute)))
        for table, line, body, day, pid, _, giver in self._substitute_rows:
            if (body, day, pid) in named:
                continue
            who = self.state.labels[pid]
            if giver is None:
                self._error(table, line, "statut",
                            f"« {who} » est suppléant : il ne siège qu'à la place du titulaire de sa commune, dont la "
                            "ligne de cette séance doit dire « suppléé » et le nommer comme mandataire.")
            else:
                self._error(table, line, "mandataire",
                            f"« {who} » est suppléant et ne siège pas à cette séance : il ne peut pas porter de "
                            "pouvoir.")

    def _check_substitute_memberships(self) -> None:
        """Only a commune with a single Conseil seat has a substitute (CGCT L5211-6), over the whole membership."""
        state = self.state
        staged = [(pid, start) for (pid, body, start) in self.members if body == "conseil"]
        if not staged:
            return
        for pid, start in staged:
            role = self.members[(pid, "conseil", start)][0]
            if role == "substitute" and state.insee_of.get(pid) is None:
                table, line = self._member_rows[(pid, "conseil", start)]
                self._error(table, line, "commune", "un suppléant est celui d'une commune : indiquez-la.")
        for insee in sorted({i for i in (state.insee_of.get(pid) for pid, _ in staged) if i is not None}):
            commune = state.communes_by_insee.get(insee, insee)
            for pid in self._conseil_people().get(insee, ()):
                for span in state.memberships[(pid, "conseil")]:
                    if span.role != "substitute":
                        continue
                    seats, day = self._seat_peak(insee, span.start, span.end)
                    if seats <= 1 or day is None:
                        continue
                    message = (f"{commune} compte {seats} sièges au Conseil le {day:%d/%m/%Y} : seule une commune à "
                               f"siège unique a un suppléant (CGCT L5211-6), « {state.labels[pid]} » ne peut pas "
                               "l'être.")
                    origin = self._member_rows.get((pid, "conseil", span.start))
                    if origin is None:
                        # a stored substitute: the file's row that gives the commune another seat that day
                        origin = next((self._member_rows[(p, "conseil", s)] for p, s in staged
                                       if state.insee_of.get(p) == insee and self.members[(p, "conseil", s)][0]
                                       != "substitute" and s <= day
                                       and (self.members[(p, "conseil", s)][2] or date.max) >= day), None)
                    if origin is not None:
                        self._error(origin[0], origin[1], "role", message)


def _tables(sources: Sequence[tuple[str, bytes]]) -> tuple[list[tuple[Table, bytes]], list[Problem]]:
    """The tables of the files, in APPLY_ORDER, each with its file's content: a plain CSV sign-in sheet read in
    columns (read_sign_ins), anything else row by row."""
    tables, problems = [], []
    for name, content in sources:
        if (sheet := read_sign_ins(name, content)) is not None:
            tables.append((sheet, content))
            continue
        found_tables, found = read_tables(name, content)
        problems.extend(found)
        tables.extend((table, content) for table in found_tables)
    tables.sort(key=lambda pair: APPLY_ORDER.index(pair[0].kind))
    return tables, problems


def _rows_table(sheet: Table, content: bytes) -> tuple[Table, list[Problem]]:
    """The sign-in sheet `sheet`, read in columns, read again row by row (with what that reading finds wrong)."""
    tables, problems = read_tables(sheet.name, content)
    return tables[0], problems


def validate(cur: duckdb.DuckDBPyConnection, sources: Sequence[tuple[str, bytes]], today: date, *,
             proxy_without_holder: bool = False) -> _Validator:
    """Read and check every file against the database; the validator holds rows to write and problems."""
    tables, problems = _tables(sources)
    validator = _Validator(_State(cur))
    validator.proxy_without_holder = proxy_without_holder
    validator.problems.extend(problems)
    # two sign-in sheets may name one person at one sitting: their rows are then checked together, row by row
    sheets = sum(table.kind == "attendance" for table, _ in tables)
    for table, content in tables:
        if table.frame is not None:
            if sheets == 1 and validator.plain_sign_ins(cur, table):
                continue
            table, found = _rows_table(table, content)
            validator.problems.extend(found)
        if not table.header_ok:
            continue  # a missing column makes every row wrong: say it once
        {"register": validator.register_table,
         "members": validator.members_table,
         "meetings": lambda t: validator.meetings_table(t, today),
         "agenda": validator.agenda_table,
         "attendance": validator.attendance_table,
         "replies": validator.replies_table}[table.kind](table)
    validator.finish_agendas()
    validator.check_substitutes(cur)
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
             "attendance": validator.sign_in_count(),
             "agenda": sum(len(points) for points in validator.agenda.values()),
             "replies": len(validator.replies)}
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
                   progress: Progress = _silent, proxy_without_holder: bool = False) -> ImportResult:
    """Import the files (name, content) in one transaction, or raise ImportRefused with every problem.

    `proxy_without_holder` accepts a « pouvoir » row without « mandataire »: only for minutes that say a proxy was
    given without naming its holder (analytics.ingest.minutes); a template row must always name the holder."""
    with _no_cycle_collection():
        return _import(conn, sources, username, source, today or date.today(), progress, proxy_without_holder)


def _import(conn: duckdb.DuckDBPyConnection, sources: Sequence[tuple[str, bytes]], username: str, source: str,
            today: date, progress: Progress, proxy_without_holder: bool = False) -> ImportResult:
    cur = conn.cursor()
    cur.execute("BEGIN TRANSACTION")
    try:
        progress(0.05, "Lecture et vérification des fichiers…")
        validator = validate(cur, sources, today, proxy_without_holder=proxy_without_holder)
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


@contextmanager
def _views(cur: duckdb.DuckDBPyConnection, **frames: pd.DataFrame | pa.Table | None) -> Iterator[None]:
    """The frames (or Arrow tables) visible to the queries run meanwhile as views of their names; None is none."""
    given = {name: frame for name, frame in frames.items() if frame is not None}
    for name, frame in given.items():
        cur.register(name, frame)
    try:
        yield
    finally:
        for name in given:
            # a failed statement aborts the transaction, which then refuses even this: the failure is what to report
            with suppress(duckdb.TransactionException):
                cur.unregister(name)


def _run(cur: duckdb.DuckDBPyConnection, name: str, staged: pd.DataFrame | pa.Table | None = None,
         params: list | None = None) -> pd.DataFrame | None:
    """Run analytics/sql/<name>.sql, with `staged` visible as a view; return its rows, if any, as a frame."""
    with _views(cur, staged=staged):
        result = cur.execute(query(name), params or [])
        return result.df() if result.description else None


def _rows(cur: duckdb.DuckDBPyConnection, name: str, staged: pd.DataFrame) -> list[tuple]:
    """Run analytics/sql/<name>.sql with `staged` visible as a view; its rows as Python values (dates as dates)."""
    with _views(cur, staged=staged):
        return cur.execute(query(name)).fetchall()


def _fetched(cur: duckdb.DuckDBPyConnection, name: str, staged: pd.DataFrame | None = None,
             params: list | None = None) -> pd.DataFrame:
    """_run for a query that returns rows."""
    frame = _run(cur, name, staged, params)
    assert frame is not None, name
    return frame


# Columns an import may change on an existing row, per table, as the diff queries name them.
_VALUE_COLUMNS = {
    "memberships": ("role", "rank", "end_date"),
    "meetings": ("status", "format", "meeting_type", "requesters", "commune_insee", "headcount", "convocation_date"),
    "attendance": ("status", "delegate_id"),
    "replies": ("reply", "delegate_id"),
}
# Columns whose missing value (NULL, or no such column in the staged rows) keeps the stored one: a meetings file
# without « convocation », a sign-in sheet, never erase the date a convocation was sent.
_KEPT_WHEN_MISSING = {"meetings": ("convocation_date",)}


def merge_staged(cur: duckdb.DuckDBPyConnection, table: str, staged: pd.DataFrame | pa.Table,
                 log: list) -> tuple[int, int, int]:
    """Insert the new rows of `staged` (a frame, or the Arrow table of a plain sheet), update the changed ones and
    log each changed value. The diff stays in Arrow (a million rows of a sheet); only the changed rows become a
    DataFrame, for the update and the change log."""
    if len(staged) == 0:
        return 0, 0, 0
    for column in _KEPT_WHEN_MISSING.get(table, ()):
        if isinstance(staged, pd.DataFrame) and column not in staged.columns:
            staged = staged.assign(**{column: None}).astype(object)  # a writer that does not know the column
    with _views(cur, staged=staged):
        diff = cur.sql(query(f"import_{table}_diff")).to_arrow_table()
    added = diff.filter(pc.equal(diff["action"], "add"))
    updated = diff.filter(pc.equal(diff["action"], "update"))
    if added.num_rows:
        _run(cur, f"import_{table}_insert", added)
    if updated.num_rows:
        changed = cur.from_arrow(updated).df()
        _run(cur, f"import_{table}_update", changed)
        if table == "meetings":
            _run(cur, "import_meetings_update_commune", changed)  # apart: an indexed column (see its query)
        _run(cur, "import_change_log", _changes(table, changed), log)
    return added.num_rows, updated.num_rows, diff.num_rows - added.num_rows - updated.num_rows


def _value_text(value: object) -> str | None:
    """A changed value as the change log keeps it: a date as AAAA-MM-JJ (not a midnight timestamp), None if missing."""
    if value is None or value is pd.NaT or (not isinstance(value, str) and bool(pd.isna(value))):
        return None
    if isinstance(value, pd.Timestamp) and value == value.normalize():
        return value.date().isoformat()
    return str(value)


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
                "old_value": old[differs].map(_value_text),
                "new_value": new[differs].map(_value_text),
            }))
    return pd.concat(parts, ignore_index=True).astype(object)


def _write(cur: duckdb.DuckDBPyConnection, v: _Validator, username: str, source: str, files: str,
           progress: Progress) -> ImportResult:
    import_id = _fetched(cur, "import_log_start", params=[username, source, files]).iloc[0, 0]
    result = ImportResult(int(import_id))
    log = [result.import_id, username]
    ids = _insert_persons(cur, v)
    identified = _identify_persons(cur, v, log)

    members = staged_frame(
        [(ids.get(pid, pid), body, start, role, rank, end)
         for (pid, body, start), (role, rank, end, _) in v.members.items()],
        ["person_id", "body_code", "start_date", "role", "rank", "end_date"],
    )
    added, updated, same = merge_staged(cur, "memberships", members, log)
    result.by_kind["members"] = (added + len(v.new_persons), updated + identified, same)

    # meetings only named by sign-in sheets are held ordinary meetings
    known = set(v.meetings) | {key for key, (mid, _) in v.state.meetings.items() if mid is not None}
    implied = sorted(v.sittings_signed() - known)
    meetings = staged_frame(
        [(body, day, *values[:7]) for (body, day), values in v.meetings.items()]
        + [(body, day, "held", "in_person", "ordinary", None, None, None, None) for body, day in implied],
        ["body_code", "meeting_date", "status", "format", "meeting_type", "requesters", "commune_insee", "headcount",
         "convocation_date"],
    )
    result.by_kind["meetings"] = merge_staged(cur, "meetings", meetings, log)
    if v.agenda:
        result.by_kind["agenda"] = _write_agendas(cur, v, log)

    rows = [(body, day, ids.get(pid, pid), status, None if d is None else ids.get(d, d))
            for (body, day, pid), (status, d, _) in v.attendance.items()]
    spans_only = _write_spans(cur, v, ids, log)  # bounded rows changed under an unchanged sitting-level row
    totals = [0, spans_only, -spans_only]
    if v.sheet is not None:
        progress(0.45, "Écriture des présences…")
        totals = [a + b for a, b in zip(totals, merge_staged(cur, "attendance", v.sheet.staged(ids), log))]
    for offset in range(0, len(rows), ATTENDANCE_CHUNK):
        chunk = staged_frame(rows[offset:offset + ATTENDANCE_CHUNK],
                       ["body_code", "meeting_date", "person_id", "status", "delegate_id"])
        totals = [a + b for a, b in zip(totals, merge_staged(cur, "attendance", chunk, log))]
        progress(0.45 + 0.5 * (offset + len(chunk)) / len(rows), "Écriture des présences…")
    result.by_kind["attendance"] = (totals[0], totals[1], totals[2])
    # replies to convocations (DESIGN §5c), once their sittings exist
    replies = staged_frame([(body, day, ids.get(pid, pid), reply, None if d is None else ids.get(d, d))
                            for (body, day, pid), (reply, d, _) in v.replies.items()],
                           ["body_code", "meeting_date", "person_id", "reply", "delegate_id"])
    if v.replies:
        result.by_kind["replies"] = merge_staged(cur, "replies", replies, log)

    result.added, result.updated, result.unchanged = (sum(c[i] for c in result.by_kind.values()) for i in range(3))
    _run(cur, "import_log_finish", params=[result.added, result.updated, result.unchanged, result.import_id])
    if result.added or result.updated:
        attendance.refresh_tallies(cur, [*v.meetings, *v.sittings_signed()])
    return result


def _meeting_ids(cur: duckdb.DuckDBPyConnection, sittings: set[tuple[str, date]]) -> dict[tuple[str, date], int]:
    """The ids of written sittings."""
    frame = _fetched(cur, "import_meeting_ids", staged_frame(sorted(sittings), ["body_code", "meeting_date"]))
    return {(body, pd.Timestamp(day).date()): int(mid) for body, day, mid in frame.itertuples(index=False)}


def _write_agendas(cur: duckdb.DuckDBPyConnection, v: _Validator, log: list) -> tuple[int, int, int]:
    """Replace the stored agenda of each sitting the files give one for, when it changed; log each point added,
    retitled or removed of an agenda already stored (a new agenda is an insert: not logged, as new rows never
    are). Returns points added, changed (retitled or removed) and unchanged."""
    added = changed = same = 0
    replaced: list[tuple[str, date]] = []
    changes: list[tuple[tuple[str, date], str, str | None, str | None]] = []
    for sitting, points in v.agenda.items():
        stored = {item: title for item, (_, title) in sorted(v.state.agendas.get(sitting, {}).items(),
                                                              key=lambda pair: pair[1][0])}
        order = agenda_rules.ordered(points)
        new = {item: points[item][0] for item in order}
        for item in order:
            if item not in stored:
                added += 1
                if stored:
                    changes.append((sitting, item, None, new[item]))
            elif stored[item] != new[item]:
                changed += 1
                changes.append((sitting, item, stored[item], new[item]))
            else:
                same += 1
        for item in stored:
            if item not in new:
                changed += 1
                changes.append((sitting, item, stored[item], None))
        if list(new.items()) != list(stored.items()):  # a point added in the middle moves the others' positions
            replaced.append(sitting)
    if not replaced:
        return added, changed, same
    ids = _meeting_ids(cur, set(replaced))
    _run(cur, "import_agenda_delete", staged_frame([(ids[s],) for s in replaced], ["meeting_id"]))
    _run(cur, "import_agenda_insert", staged_frame(
        [(ids[s], position, item, v.agenda[s][item][0])
         for s in replaced for position, item in enumerate(agenda_rules.ordered(v.agenda[s]), start=1)],
        ["meeting_id", "position", "item", "title"]))
    if changes:
        _run(cur, "import_change_log", pd.DataFrame(
            [("agenda_items", f"{ids[s]}/{item}", "title", old, new_title) for s, item, old, new_title in changes],
            columns=["table_name", "row_key", "column_name", "old_value", "new_value"]).astype(object), log)
    return added, changed, same


def _write_spans(cur: duckdb.DuckDBPyConnection, v: _Validator, ids: dict[int, int], log: list) -> int:
    """Replace the bounded rows (attendance_spans) of the persons and sittings whose rows the files change, and
    log them ("plages"). Returns how many of those keep their sitting-level row, which the attendance merge counts
    as unchanged although the person's rows did change."""
    state = v.state
    keys = set(v.spans) | {key for key in state.spans if key in v.attendance}
    if not keys:
        return 0

    def mapped(person: int | None) -> int | None:
        return None if person is None else ids.get(person, person)

    def rows_of(key: tuple[str, date, int]) -> list[tuple[str | None, str | None, str, int | None]]:
        return [(r.from_item, r.to_item, r.status, mapped(r.delegate))
                for r in sorted(v.spans.get(key, []), key=lambda r: r.first)]

    changed = sorted(key for key in keys if rows_of(key) != list(state.spans.get(key, [])))
    if not changed:
        return 0
    meetings = _meeting_ids(cur, {(body, day) for body, day, _ in changed})
    keyed = [(meetings[(body, day)], mapped(pid), (body, day, pid)) for body, day, pid in changed]
    frame = staged_frame([(mid, pid) for mid, pid, _ in keyed], ["meeting_id", "person_id"])
    stored_rows = _fetched(cur, "import_attendance_stored", frame)
    before = {(int(mid), int(pid)): (status, None if pd.isna(delegate) else int(delegate))
              for mid, pid, status, delegate in stored_rows.itertuples(index=False)}
    _run(cur, "import_spans_delete", frame)
    written = [(mid, pid, n, *row) for mid, pid, key in keyed for n, row in enumerate(rows_of(key), start=1)]
    if written:
        _run(cur, "import_spans_insert", staged_frame(
            written, ["meeting_id", "person_id", "span", "from_item", "to_item", "status", "delegate_id"]))
    # logged as the change of a stored row: a person's first rows at a sitting are an insert, never logged
    logged = [("attendance_spans", f"{mid}/{pid}", "plages", agenda_rules.spans_text(state.spans.get(key, [])),
               agenda_rules.spans_text(rows_of(key))) for mid, pid, key in keyed if (mid, pid or 0) in before]
    if logged:
        _run(cur, "import_change_log", pd.DataFrame(
            logged, columns=["table_name", "row_key", "column_name", "old_value", "new_value"]).astype(object), log)
    return sum(1 for mid, pid, key in keyed
               if before.get((mid, pid or 0)) == (v.attendance[key][0], mapped(v.attendance[key][1])))


def _insert_persons(cur: duckdb.DuckDBPyConnection, v: _Validator) -> dict[int, int]:
    """Insert new persons; map their provisional negative ids to the ids the sequence gives."""
    if not v.new_persons:
        return {}
    provisional = list(v.new_persons)
    real = _fetched(cur, "import_person_ids", params=[len(provisional)])["person_id"].tolist()
    ids = dict(zip(provisional, real))
    _run(cur, "import_persons", staged_frame([(ids[p], *v.new_persons[p]) for p in provisional],
                                             ["person_id", "last_name", "first_name", "commune_insee", "match_key",
                                              "identifier"]))
    return ids


def _identify_persons(cur: duckdb.DuckDBPyConnection, v: _Validator, log: list) -> int:
    """Give stored persons the identifiers the files bring for them, logging each; return how many."""
    if not v.identified:
        return 0
    given = staged_frame(sorted(v.identified.items()), ["person_id", "identifier"])
    _run(cur, "import_person_identifiers", given)
    _run(cur, "import_change_log", pd.DataFrame({
        "table_name": "persons", "row_key": given["person_id"].astype(str), "column_name": "identifier",
        "old_value": None, "new_value": given["identifier"]}).astype(object), log)
    return len(given)
