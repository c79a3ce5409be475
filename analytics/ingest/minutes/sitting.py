"""A reading of the minutes against the base: the members in office, the JSON and French summary, and the write.

The write goes through the same path as the templates: the reading becomes template-shaped CSV sources (séances,
ordre du jour, présences) given to `importer.import_sources`, so every check of an import holds and everything is
written in one transaction, or nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb

from analytics.ingest import importer
from analytics.ingest.minutes.errors import MinutesError
from analytics.ingest.minutes.model import Member, Reading, Row
from analytics.ingest.templates import Problem
from analytics.rules import filters
from analytics.store.sql import query
from analytics.wording import labels
from analytics.wording.format import long_date

# the kinds of the reader's sections, in French, for the summary
SECTION_LABELS = {
    "present": "présents", "remote": "à distance", "excused": "excusés", "absent": "absents", "proxy": "pouvoirs",
    "substituted": "suppléés", "substitutes": "suppléants présents", "substitutes_out": "suppléants non siégeants",
    "sub_substitutes": "suppléants", "sub_titulars": "titulaires", "others": "non-membres",
    "secretary": "secrétaire de séance", "agenda": "ordre du jour",
}
DECLARED_LABELS = {"in_office": "membres en fonction", "present": "présents", "proxy": "pouvoirs",
                   "voting": "votants"}
REASONS = {"unknown": "inconnu parmi les membres en fonction", "ambiguous": "ambigu (plusieurs membres possibles)"}
_ATTENDANCE_HEADER = ["instance", "date", "nom", "prenom", "commune", "statut", "mandataire", "identifiant", "depuis",
                      "jusqua"]


@dataclass(frozen=True)
class Person:
    """What a template row needs to name a member: the stored names, commune and identifier."""

    last_name: str
    first_name: str
    commune_insee: str | None
    commune_name: str | None
    identifier: str | None

    @property
    def display(self) -> str:
        """ "NOM Prénom", as the JSON and the messages name people."""
        return f"{self.last_name.strip().upper()} {self.first_name.strip()}"


@dataclass
class Roster:
    """The members of a body in office on a date, for the reader, and their stored names, for the write."""

    body: str
    day: date
    members: list[Member]
    people: dict[int, Person]

    def name(self, person_id: int | None) -> str | None:
        """ "NOM Prénom" of a member, None for None."""
        return None if person_id is None else self.people[person_id].display

    def label(self, person_id: int) -> str:
        """ "NOM Prénom (Commune)": the commune tells homonyms apart."""
        person = self.people[person_id]
        return person.display + (f" ({person.commune_name})" if person.commune_name else "")


@dataclass
class Plan:
    """The template-shaped sources of a reading, and what to say before writing them."""

    sources: list[tuple[str, bytes]]
    notes: list[str] = field(default_factory=list)
    # (source name, CSV line) -> the line of the minutes it comes from, to locate an import's refusal in the text
    lines: dict[tuple[str, int], int] = field(default_factory=dict)
    attendance_rows: int = 0
    agenda_points: int = 0


def roster(conn: duckdb.DuckDBPyConnection, body: str, day: date) -> Roster:
    """The members of `body` in office on `day` (substitutes of one-seat communes included)."""
    rows = conn.cursor().execute(query("minutes_members"), {"body": body, "on": day}).fetchall()
    members = [Member(int(pid), last, first, insee, commune, role, bool(single))
               for pid, last, first, insee, commune, role, _, single in rows]
    people = {int(pid): Person(last, first, insee, commune, identifier)
              for pid, last, first, insee, commune, _, identifier, _ in rows}
    return Roster(body, day, members, people)


def known_body(conn: duckdb.DuckDBPyConnection, code: str) -> bool:
    """Whether `code` is a body of the catalogue."""
    return code in set(filters.bodies(conn)["code"])


def as_json(reading: Reading, roster: Roster) -> dict[str, Any]:
    """The object of `minutes --json` (issue 13): names as "NOM Prénom", the commune as its INSEE code."""
    return {
        "body": roster.body,
        "date": roster.day.isoformat(),
        "convocation_date": reading.convocation_date.isoformat() if reading.convocation_date else None,
        "declared": {key: reading.declared.get(key) for key in ("in_office", "present", "proxy", "voting")},
        "rows": [{"person": roster.name(row.person_id), "commune": roster.people[row.person_id].commune_insee,
                  "status": row.status, "delegate": roster.name(row.delegate_id), "from_item": row.from_item,
                  "to_item": row.to_item, "written": row.written, "line": row.line} for row in reading.rows],
        "unmatched": [{"written": u.written, "line": u.line, "reason": u.reason} for u in reading.unmatched],
        "not_mentioned": [roster.name(person) for person in reading.not_mentioned],
    }


def found_figures(reading: Reading, roster: Roster) -> dict[str, int]:
    """The figures of the reading, to set against those the text announces: members in office, sitting, proxies,
    voting (sitting and proxies)."""
    sitting = {r.person_id for r in reading.rows if r.status in ("present", "remote")}
    proxies = {r.person_id for r in reading.rows if r.status == "proxy"}
    return {"in_office": sum(1 for m in roster.members if not m.is_substitute), "present": len(sitting),
            "proxy": len(proxies), "voting": len(sitting) + len(proxies)}


def row_text(row: Row, roster: Roster) -> str:
    """One row in French: "NOM Prénom (Commune) : pouvoir à NOM Prénom, à partir du point 2"."""
    text = f"{roster.label(row.person_id)} : {labels.ATTENDANCE_STATUS[row.status]}"
    if row.status == "proxy":
        text += f" à {roster.name(row.delegate_id)}" if row.delegate_id is not None else " (mandataire non nommé)"
    elif row.status == "substituted":
        text += f" par {roster.name(row.delegate_id)}" if row.delegate_id is not None else " (suppléant non nommé)"
    if row.from_item:
        text += f", à partir du point {row.from_item}"
    if row.to_item:
        text += f", jusqu'au point {row.to_item}"
    return text


def render_text(reading: Reading, roster: Roster, name: str) -> str:
    """The French summary of `minutes` without --json: each section, the figures announced against those found,
    every row with its line, every unmatched name with its line, the warnings."""
    out = [f"Procès-verbal {name} : instance {roster.body}, séance du {long_date(roster.day)}"
           + (f", convocation du {long_date(reading.convocation_date)}." if reading.convocation_date else ".")]
    out.append("")
    out.append("Rubriques lues :")
    for section in reading.sections:
        count = f"{section.found} nom(s)" + (f", {section.announced} annoncé(s)" if section.announced is not None
                                              else "")
        out.append(f"  ligne {section.line} — « {section.heading} » ({SECTION_LABELS.get(section.kind, section.kind)}) "
                   f": {count}")
    found = found_figures(reading, roster)
    out.append("")
    out.append("Chiffres annoncés / trouvés :")
    for key, label in DECLARED_LABELS.items():
        announced = reading.declared.get(key)
        out.append(f"  {label} : {'non annoncé' if announced is None else announced} / {found[key]}")
    out.append("")
    out.append(f"Présences lues ({len(reading.rows)}) :")
    out.extend(f"  ligne {row.line} — {row_text(row, roster)}" for row in reading.rows)
    if reading.agenda:
        out.append("")
        out.append(f"Ordre du jour lu ({len(reading.agenda)} points) :")
        out.extend(f"  {point}. {title}" for point, title in reading.agenda)
    if reading.unmatched:
        out.append("")
        out.append(f"Noms non reconnus ({len(reading.unmatched)}) :")
        out.extend(f"  ligne {u.line} — « {u.written} » : {REASONS.get(u.reason, u.reason)}"
                   for u in reading.unmatched)
    if reading.conflicts:
        out.append("")
        out.append(f"Contradictions ({len(reading.conflicts)}) :")
        out.extend(f"  {c.message}" for c in reading.conflicts)
    if reading.not_mentioned:
        out.append("")
        out.append(f"Membres en fonction jamais nommés ({len(reading.not_mentioned)}) : "
                   + ", ".join(roster.label(p) for p in reading.not_mentioned) + ".")
    if reading.warnings:
        out.append("")
        out.append("Avertissements :")
        out.extend(f"  {warning}" for warning in reading.warnings)
    return "\n".join(out)


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _delegate_text(roster: Roster, person_id: int | None) -> str:
    """How a template names a proxy holder or a substitute: their identifier when they have one (homonyms)."""
    if person_id is None:
        return ""
    person = roster.people[person_id]
    return person.identifier or person.display


def plan(conn: duckdb.DuckDBPyConnection, reading: Reading, roster: Roster, name: str,
         agenda_file: tuple[str, bytes] | None = None) -> Plan:
    """The template sources that write `reading`; a MinutesError when it cannot be written as it stands."""
    if not reading.complete:
        raise MinutesError(f"{len(reading.unmatched)} nom(s) non reconnu(s) et {len(reading.conflicts)} "
                           "contradiction(s) : rien n'est enregistré tant que chaque nom n'est pas résolu.")
    if not reading.rows:
        raise MinutesError("Aucune présence lue : rien à enregistrer.")
    missing = [r for r in reading.rows if r.status == "substituted" and r.delegate_id is None]
    if missing:
        who = ", ".join(f"{roster.name(r.person_id)} (ligne {r.line})" for r in missing)
        raise MinutesError(f"Suppléant non nommé pour {who} : le texte ne dit pas qui a siégé, et aucune commune à "
                           "siège unique n'en désigne un seul. Rien n'est enregistré.")
    names = [person.display.casefold() for person in roster.people.values()]
    homonyms = sorted({r.delegate_id for r in reading.rows if r.delegate_id is not None
                       and not roster.people[r.delegate_id].identifier
                       and names.count(roster.people[r.delegate_id].display.casefold()) > 1})
    if homonyms:
        # a template names a holder or a substitute by "NOM Prénom" or by identifier: a homonym needs the latter
        raise MinutesError(", ".join(roster.label(p) for p in homonyms) + " : mandataire ou suppléant homonyme d'un "
                           "autre membre en fonction, que l'import ne peut désigner que par son identifiant. "
                           "Donnez-lui un identifiant (colonne « identifiant » du fichier des membres), puis "
                           "recommencez. Rien n'est enregistré.")
    body, day = roster.body, roster.day
    stored = conn.cursor().execute(query("minutes_sitting"), {"body": body, "on": day}).fetchall()
    result = Plan([])
    if stored and stored[0][1] != "held":
        shown = labels.MEETING_STATUS.get(stored[0][1], stored[0][1])
        raise MinutesError(f"La séance {body} du {long_date(day)} est enregistrée comme {shown} : corrigez d'abord "
                           "son statut (« tenue ») dans un fichier de séances.")
    if not stored:
        result.sources.append((f"{name} (séances)", _csv(
            ["instance", "date", "statut", "convocation"],
            [[body, day.isoformat(), labels.MEETING_STATUS["held"],
              reading.convocation_date.isoformat() if reading.convocation_date else ""]])))
        result.notes.append(f"La séance du {long_date(day)} n'existe pas encore : elle sera créée comme tenue.")
    stored_points = int(stored[0][2]) if stored else 0
    bounded = [r for r in reading.rows if r.from_item or r.to_item]
    keep_bounds = True
    if agenda_file is not None:
        result.sources.append(agenda_file)
        if reading.agenda:
            result.notes.append(f"L'ordre du jour de {agenda_file[0]} est enregistré à la place de celui que le "
                                "procès-verbal liste.")
    elif reading.agenda:
        result.sources.append((f"{name} (ordre du jour)", _csv(
            ["instance", "date", "point", "intitule"],
            [[body, day.isoformat(), point, title] for point, title in reading.agenda])))
        result.agenda_points = len(reading.agenda)
    elif bounded and not stored_points:
        keep_bounds = False
        persons = [r.person_id for r in reading.rows]
        doubled = sorted({roster.name(p) or "" for p in persons if persons.count(p) > 1})
        if doubled:
            raise MinutesError("Le procès-verbal borne des présences à des points sans donner l'ordre du jour, et la "
                               "base n'en a pas pour cette séance ; sans bornes, " + ", ".join(doubled)
                               + " aurai(en)t plusieurs statuts. Donnez l'ordre du jour avec --ordre-du-jour "
                                 "FICHIER (modèle « ordre du jour »).")
        result.notes.append(f"{len(bounded)} présence(s) bornée(s) à des points sont enregistrées sans leurs bornes : "
                            "ni le procès-verbal ni la base ne donnent l'ordre du jour de la séance (--ordre-du-jour "
                            "FICHIER pour le fournir).")
    rows = []
    source = f"{name} (présences)"
    for number, row in enumerate(reading.rows, start=2):
        person = roster.people[row.person_id]
        rows.append([body, day.isoformat(), person.last_name, person.first_name, person.commune_insee or "",
                     labels.ATTENDANCE_STATUS[row.status], _delegate_text(roster, row.delegate_id),
                     person.identifier or "", (row.from_item or "") if keep_bounds else "",
                     (row.to_item or "") if keep_bounds else ""])
        result.lines[(source, number)] = row.line
    result.sources.append((source, _csv(_ATTENDANCE_HEADER, rows)))
    result.attendance_rows = len(rows)
    return result


def located(problem: Problem, plan: Plan, name: str) -> str:
    """An import's refusal of a generated row, located in the minutes ("pv.txt, ligne 12 : …") rather than in the
    CSV the reading became."""
    line = plan.lines.get((problem.file, problem.line or 0))
    if line:
        return f"{name}, ligne {line} : {problem.message}"
    return str(problem)


def apply(conn: duckdb.DuckDBPyConnection, plan: Plan, name: str, *, username: str, source: str,
          today: date) -> importer.ImportResult:
    """Write the plan in one transaction through the import; a MinutesError (the base unchanged) when refused."""
    try:
        return importer.import_sources(conn, plan.sources, username=username, source=source, today=today,
                                       proxy_without_holder=True)
    except importer.ImportRefused as refused:
        raise MinutesError("Enregistrement refusé, la base n'a pas été modifiée :\n"
                           + "\n".join(f"  {located(p, plan, name)}" for p in refused.problems)) from refused
