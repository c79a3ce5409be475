"""The health of a database (`python -m analytics check`): what the schema and the import promise, counted again.

Every check reads; none writes. The checks, in order:

- the schema version equals the latest migration (the others need the current schema: a base behind or ahead
  stops there);
- the structure: tables, columns, constraints, views, macros and sequences equal those of a database the
  migrations build from nothing (a table dropped and recreated by hand loses its constraints);
- the keys the schema declares unique hold, no row names a missing row of another table, every value lies in the
  set its column accepts (counted from the rows: a table that lost its constraints may hold anything; these three
  cover the tables of migrations 001 and 002, the constraints of the later tables are covered by the structure);
- the rules the import and the form enforce beyond the schema: attendance only at held meetings, no overlapping
  memberships of one person in one body, one titular per substitute and meeting;
- the identifier sequences stand past the highest identifier stored (else the next write fails);
- the pre-aggregated tallies (store/tallies.py) equal a recount: the SELECT of each fill query of analytics/sql
  (without its INSERT) gives the rows a refresh would write now, compared row by row with the stored ones.

Warnings, which leave the base sound: attendance of people who are not members of the body that day (the
indicators leave them out), erasures a stopped process left half done (the next opening completes them), tallies
not fresh (the indicators count from the rows, only slower).

check() returns a CheckReport; render_text() gives the French report the command prints. Nothing here prints.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Set
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import duckdb

from analytics.store import db
from analytics.store.sql import query
from analytics.store.tallies import tallies_fresh
from analytics.store.transaction import snapshot
from analytics.wording import labels
from analytics.wording.display import plural
from analytics.wording.format import number

ERROR, WARNING = "error", "warning"
EXAMPLES = 5  # examples given under a finding

# The checks, in the order they run, and their French names (the report lists those that ran).
CHECKS = {
    "schema_version": "version du schéma",
    "structure": "structure (tables, colonnes, contraintes, vues, macros)",
    "keys": "clés uniques",
    "orphans": "rattachements (lignes orphelines)",
    "values": "valeurs admises",
    "attendance_held": "présences aux seules séances tenues",
    "memberships_overlap": "appartenances sans chevauchement",
    "substitutes": "un titulaire par suppléant et par séance",
    "sequences": "séquences d'identifiants",
    "attendance_members": "présences de membres de l'instance",
    "erasures": "effacements achevés",
    "tallies": "compteurs pré-agrégés égaux à un recomptage",
}

# The accepted values the CHECK constraints of migrations 001 and 002 name and no lower layer lists (the others come
# from analytics/wording/labels.py); tests/test_check.py keeps them equal to those of the engine.
CADENCE_RULES = ("monthly", "bimonthly", "quarterly", "min_per_year", "avg_every_months", "alternating", "on_demand")
SECTORS = ("Centre", "Nord", "Sud")
IMPORT_SOURCES = ("cli", "demo", "ui")
AUDIT_EVENTS = ("login", "login_failed", "logout", "refused", "import", "record_meeting", "export_named", "backup",
                "restore", "erase_person", "user_change")

TABLE_NAMES = {
    "attendance": "présences", "meetings": "séances", "memberships": "appartenances", "persons": "personnes",
    "bodies": "instances", "communes": "communes", "import_log": "journal des imports",
    "change_log": "journal des modifications", "audit_events": "journal d'audit",
}
_KIND_NAMES = {"table": "table", "column": "colonne", "constraint": "contrainte", "view": "vue", "macro": "macro",
               "sequence": "séquence"}
_RULE_VALUES = {
    "missing_delegate": "au statut suppléé sans suppléant nommé",
    "unexpected_delegate": "avec un mandataire sans être au statut pouvoir ou suppléé",
    "self_delegate": "dont le mandataire est la personne elle-même",
    "before_start": "qui finissent avant de commencer",
}
_RECOUNT_REMEDY = ("Une sauvegarde suivie d'une restauration les recompte à partir des lignes "
                   "(`backup DOSSIER` puis `restore DOSSIER`).")


@dataclass(frozen=True)
class Finding:
    """One problem (error) or remark (warning) of a check: a French sentence, how many, a few examples."""

    check: str
    severity: str
    message: str
    count: int = 1
    examples: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"check": self.check, "severity": self.severity, "message": self.message, "count": self.count,
                "examples": list(self.examples)}


@dataclass
class CheckReport:
    """What check() found: the versions, the checks run, the findings, the rows per table."""

    schema_version: int
    expected_version: int
    checked: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    tallies_fresh: bool | None = None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def ok(self) -> bool:
        """Sound: every check ran and none found an error (warnings allowed)."""
        return not self.errors

    def as_dict(self, base: str | None = None) -> dict[str, Any]:
        """The report as one JSON-ready object (the --json output)."""
        return {"base": base, "ok": self.ok, "schema_version": self.schema_version,
                "expected_version": self.expected_version, "checked": self.checked,
                "errors": [f.as_dict() for f in self.errors], "warnings": [f.as_dict() for f in self.warnings],
                "rows": self.rows, "tallies_fresh": self.tallies_fresh}


def latest_version() -> int:
    """The version of the last migration this software ships."""
    return max(version for version, _ in db.migrations())


def check(conn: duckdb.DuckDBPyConnection) -> CheckReport:
    """Run every check on `conn` (read-only is enough) and return what they found; nothing is written."""
    report = CheckReport(schema_version=db.schema_version(conn), expected_version=latest_version())
    report.checked.append("schema_version")
    version_problem = _version_problem(report.schema_version, report.expected_version)
    if version_problem:
        report.findings.append(Finding("schema_version", ERROR, version_problem))
        return report
    steps: list[tuple[str, Callable[[duckdb.DuckDBPyConnection], list[Finding]]]] = [
        ("structure", _structure), ("keys", _keys), ("orphans", _orphans), ("values", _values),
        ("attendance_held", _listed("attendance_held")), ("memberships_overlap", _listed("memberships_overlap")),
        ("substitutes", _listed("substitutes")), ("sequences", _sequences), ("attendance_members", _attendance_members),
        ("erasures", _erasures), ("tallies", lambda cur: _tallies(cur, report)),
    ]
    for code, step in steps:
        report.checked.append(code)
        # each check in its own read snapshot on its own cursor: a check that cannot run (a table missing…) is
        # reported and the others still run
        cur = conn.cursor()
        try:
            with snapshot(cur):
                report.findings.extend(step(cur))
        except duckdb.Error as exc:
            reason = str(exc).strip().splitlines()[0]
            report.findings.append(Finding(code, ERROR, f"Vérification « {CHECKS[code]} » impossible : {reason}"))
        finally:
            cur.close()
    try:
        report.rows = {name: rows for name, rows in conn.cursor().execute(query("check_row_counts")).fetchall()}
    except duckdb.Error:
        report.rows = {}
    return report


def _version_problem(version: int, expected: int) -> str | None:
    if version == expected:
        return None
    if version == 0:
        return ("Ce fichier n'est pas une base de Gouvernance m2A : il n'a pas de version de schéma "
                "(table schema_version absente ou vide).")
    if version < expected:
        return (f"Version du schéma : la base est en version {version}, ce logiciel attend la version {expected}. "
                "Elle sera mise à niveau à sa prochaine ouverture par le tableau de bord ou une commande qui "
                "écrit (faites d'abord une sauvegarde) ; les autres vérifications demandent une base à jour.")
    return (f"Version du schéma : la base est en version {version}, plus récente que ce logiciel (version "
            f"{expected}) : mettez le logiciel à jour avant de l'utiliser.")


# ---------------------------------------------------------------------------------------------------------------
# The checks: each takes a cursor inside a read snapshot and returns its findings.

def _fetch(cur: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    result = cur.execute(query(name), params or {})
    columns = [d[0] for d in result.description]
    return [dict(zip(columns, row)) for row in result.fetchall()]


def _limited(cur: duckdb.DuckDBPyConnection, name: str) -> list[dict[str, Any]]:
    return _fetch(cur, name, {"limit": EXAMPLES})


def _table(name: str) -> str:
    return f"{TABLE_NAMES.get(name, name)} ({name})"


def _day(value: Any) -> str:
    return f"{value:%d/%m/%Y}" if value is not None else "—"


def _meeting(row: dict[str, Any]) -> str:
    return f"séance n° {row['meeting_id']} ({row['body_code']} du {_day(row['meeting_date'])})"


def _agree(count: int, singular: str, plural_form: str) -> str:
    # French: 0 and 1 take the singular
    return singular if abs(count) < 2 else plural_form


def _cut(text: str, width: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


@cache
def reference_objects() -> frozenset[tuple[str, str, str]]:
    """The schema objects of a database the migrations build from nothing, in memory (computed once)."""
    reference = duckdb.connect(":memory:")
    try:
        db.migrate(reference)
        return frozenset(reference.execute(query("check_schema_objects")).fetchall())
    finally:
        reference.close()


def _structure(cur: duckdb.DuckDBPyConnection) -> list[Finding]:
    found = set(cur.execute(query("check_schema_objects")).fetchall())
    expected = reference_objects()

    def described(objects: Set[tuple[str, str, str]]) -> tuple[str, ...]:
        return tuple(_cut(f"{_KIND_NAMES.get(kind, kind)} {relation}" + (f" : {detail}" if detail else ""))
                     for kind, relation, detail in sorted(objects)[:EXAMPLES])

    findings = []
    missing, extra = expected - found, found - expected
    if missing:
        findings.append(Finding(
            "structure", ERROR,
            f"Structure : {plural(len(missing), 'élément')} du schéma attendu "
            f"{_agree(len(missing), 'manque', 'manquent')} à la base (une table recréée à la main perd ses "
            "contraintes ; une contrainte absente ne protège plus les données).",
            len(missing), described(missing)))
    if extra:
        findings.append(Finding(
            "structure", WARNING,
            f"Structure : {plural(len(extra), 'élément')} qu'aucune migration ne crée "
            f"({_agree(len(extra), 'ajouté', 'ajoutés')} à la main ?).",
            len(extra), described(extra)))
    return findings


def _keys(cur: duckdb.DuckDBPyConnection) -> list[Finding]:
    return [Finding("keys", ERROR,
                    f"Clés : {plural(row['duplicated'], 'valeur')} en double de {row['key_columns']} dans "
                    f"{_table(row['table_name'])}, que le schéma déclare unique (exemple : {row['example']}).",
                    row["duplicated"])
            for row in _fetch(cur, "check_keys")]


def _orphans(cur: duckdb.DuckDBPyConnection) -> list[Finding]:
    return [Finding("orphans", ERROR,
                    f"Rattachements : {plural(row['orphans'], 'ligne')} de {_table(row['table_name'])} dont "
                    f"{row['column_name']} ne désigne aucune ligne de {_table(row['target'])} (exemple : "
                    f"{row['column_name']} = {row['example']}).",
                    row["orphans"])
            for row in _fetch(cur, "check_orphans")]


def accepted_values() -> dict[str, list[str]]:
    """The sets bound to check_values.sql."""
    return {
        "attendance_statuses": list(labels.ATTENDANCE_STATUS), "meeting_statuses": list(labels.MEETING_STATUS),
        "meeting_formats": list(labels.MEETING_FORMAT), "meeting_types": list(labels.MEETING_TYPE),
        "roles": list(labels.ROLE), "families": list(labels.FAMILY), "cadence_rules": list(CADENCE_RULES),
        "sectors": list(SECTORS), "import_sources": list(IMPORT_SOURCES), "audit_events": list(AUDIT_EVENTS),
    }


def _values(cur: duckdb.DuckDBPyConnection) -> list[Finding]:
    findings = []
    for row in _fetch(cur, "check_values", accepted_values()):
        table, column, value, rows = row["table_name"], row["column_name"], row["value"], row["rows"]
        if value in _RULE_VALUES and column in ("delegate_id", "end_date"):
            text = f"Valeurs : {plural(rows, 'ligne')} de {_table(table)} {_RULE_VALUES[value]}."
        else:
            shown = "vide" if value is None else f"« {value} »"
            text = (f"Valeurs : {plural(rows, 'ligne')} de {_table(table)} avec {column} {shown}, hors des "
                    "valeurs admises.")
        findings.append(Finding("values", ERROR, text, rows))
    return findings


# The checks whose query lists a few example rows, each carrying the total: per check, the query, the sentence for the
# total and the line of one example (one error, or none).
_LISTED: dict[str, tuple[str, Callable[[int], str], Callable[[dict[str, Any]], str]]] = {
    "attendance_held": (
        "check_attendance_not_held",
        lambda total: f"Présences : {plural(total, 'séance')} {_agree(total, 'non tenue', 'non tenues')} (annulée "
                      f"ou prévue) {_agree(total, 'porte', 'portent')} des lignes de présence ; l'import et la "
                      "saisie le refusent, les indicateurs les ignorent.",
        lambda r: f"{_meeting(r)} : {labels.MEETING_STATUS.get(r['status'], r['status'])}, "
                  f"{plural(r['rows'], 'ligne')} de présence"),
    "memberships_overlap": (
        "check_overlapping_memberships",
        lambda total: f"Appartenances : {plural(total, 'paire')} d'appartenances d'une même personne à une même "
                      "instance se chevauchent ; l'import le refuse.",
        lambda r: f"personne n° {r['person_id']}, {r['body_code']} : débuts le {_day(r['first_start'])} et le "
                  f"{_day(r['second_start'])}"),
    "substitutes": (
        "check_substitutes_twice",
        lambda total: f"Suppléances : {plural(total, 'fois', 'fois')} un suppléant remplace plusieurs titulaires à "
                      "une même séance ; l'import et la saisie le refusent.",
        lambda r: f"{_meeting(r)} : personne n° {r['delegate_id']} pour {r['titulars']} titulaires"),
}


def _listed(code: str) -> Callable[[duckdb.DuckDBPyConnection], list[Finding]]:
    """The check `code` of _LISTED, as a step of check()."""
    name, message, example = _LISTED[code]

    def step(cur: duckdb.DuckDBPyConnection) -> list[Finding]:
        rows = _limited(cur, name)
        if not rows:
            return []
        total = rows[0]["total"]
        return [Finding(code, ERROR, message(total), total, tuple(example(r) for r in rows))]

    return step


def _sequences(cur: duckdb.DuckDBPyConnection) -> list[Finding]:
    return [Finding("sequences", ERROR,
                    f"Séquences : {row['sequence_name']} est à {row['last_value']} mais l'identifiant le plus haut "
                    f"est {row['highest_id']} : la prochaine écriture échouerait. {_RECOUNT_REMEDY}")
            for row in _fetch(cur, "check_sequences")]


def _attendance_members(cur: duckdb.DuckDBPyConnection) -> list[Finding]:
    rows = _limited(cur, "check_attendance_outside_memberships")
    findings = []
    for who, text in (("person", "d'une personne qui n'était pas membre de l'instance à la date de la séance"),
                      ("delegate", "dont le mandataire n'était pas membre de l'instance à la date de la séance")):
        mine = [r for r in rows if r["who"] == who]
        if mine:
            total = mine[0]["total"]
            findings.append(Finding(
                "attendance_members", WARNING,
                f"Présences : {plural(total, 'ligne')} {text} (appartenance raccourcie par un import ?) ; les "
                "indicateurs ne les comptent pas.", total,
                tuple(f"{_meeting(r)} : personne n° {r['person_id']}" for r in mine)))
    return findings


def _erasures(cur: duckdb.DuckDBPyConnection) -> list[Finding]:
    pending = cur.execute(query("privacy_pending_erasures")).fetchall()
    if not pending:
        return []
    return [Finding("erasures", WARNING,
                    f"Effacements : {plural(len(pending), 'effacement')} "
                    f"{_agree(len(pending), 'interrompu', 'interrompus')} ; l'application les achève à sa prochaine "
                    "ouverture de la base.", len(pending),
                    tuple(f"personne n° {person_id}" for _, person_id in pending[:EXAMPLES]))]


@dataclass(frozen=True)
class _Recount:
    """How one tally table is recounted (the fill query of analytics/sql whose rows are the recount) and compared by
    check_tallies.sql (the key a difference is counted by, the columns shown, their order)."""

    fill: str
    stored: str
    keys: tuple[str, ...]
    shown: tuple[str, ...]
    order: tuple[str, str, str]


_RECOUNTS = {
    "meetings": _Recount("attendance_tallies_fill_meetings", "attendance_meeting_tallies", ("meeting_id",),
                         ("meeting_id", "body_code", "meeting_date"), ("meeting_date", "meeting_id", "body_code")),
    "months": _Recount("attendance_tallies_fill_months", "attendance_month_tallies",
                       ("person_id", "body_code", "month"), ("person_id", "body_code", "month"),
                       ("month", "body_code", "person_id")),
}
_RECOUNT_NAME = "check_recount"  # the name the recount is registered under, for the comparison only
_INSERT_HEAD = re.compile(r"INSERT\s+INTO\s+\w+\s*\([^)]*\)\s*", re.IGNORECASE)


def recount_query(fill: str) -> str:
    """The SELECT of a fill query of the tallies ("INSERT INTO table (columns) WITH … SELECT …"): the rows it would
    insert now. The fill queries stay the only definition of the tallies; nothing is inserted anywhere.

    (A temporary table named like the stored one would let the INSERT run unchanged, but DuckDB 2.0 loses the rows of
    a large INSERT into a temporary table that hides a table of the database: seen here at 300 000 rows.)"""
    lines = query(fill).splitlines()
    while lines and (not lines[0].strip() or lines[0].lstrip().startswith("--")):
        lines.pop(0)  # the comments that open the file
    select, found = _INSERT_HEAD.subn("", "\n".join(lines), count=1)
    if not found or not select.lstrip().upper().startswith(("WITH", "SELECT")):
        raise ValueError(f"analytics/sql/{fill}.sql is not an INSERT INTO table (columns) followed by a query")
    return select


def recount_differences(cur: duckdb.DuckDBPyConnection) -> dict[str, list[dict[str, Any]]]:
    """The tally rows that differ from a recount, per table ("meetings", "months"), cut to EXAMPLES rows each
    (each row carries the total). The recount is fetched, then registered on `cur` for the comparison only."""
    differences = {}
    for table, recount in _RECOUNTS.items():
        # the fill queries count every meeting, as a whole recount of store/tallies.py does
        rows = cur.sql(recount_query(recount.fill))
        cur.register(_RECOUNT_NAME, rows.to_arrow_table())
        try:
            differences[table] = _fetch(cur, "check_tallies", {
                "stored": recount.stored, "recount": _RECOUNT_NAME, "keys": list(recount.keys),
                "shown": list(recount.shown), "order": list(recount.order), "limit": EXAMPLES})
        finally:
            cur.unregister(_RECOUNT_NAME)
    return differences


def _tallies(cur: duckdb.DuckDBPyConnection, report: CheckReport) -> list[Finding]:
    fresh = tallies_fresh(cur)
    report.tallies_fresh = fresh
    differences = recount_differences(cur)
    meetings, months = differences["meetings"], differences["months"]
    if fresh:
        findings = []
        if meetings:
            findings.append(Finding(
                "tallies", ERROR,
                f"Compteurs pré-agrégés par séance : {plural(meetings[0]['total'], 'séance')} dont les comptes "
                "enregistrés diffèrent d'un recomptage, alors que leur empreinte les dit à jour : les indicateurs "
                f"seraient faux. {_RECOUNT_REMEDY}", meetings[0]["total"], tuple(_meeting(r) for r in meetings)))
        if months:
            findings.append(Finding(
                "tallies", ERROR,
                f"Compteurs pré-agrégés par mois : {plural(months[0]['total'], 'ligne')} (personne, instance, mois) "
                "diffèrent d'un recomptage, alors que leur empreinte les dit à jour : les indicateurs seraient "
                f"faux. {_RECOUNT_REMEDY}", months[0]["total"],
                tuple(f"personne n° {r['person_id']}, {r['body_code']}, {r['month']:%m/%Y}" for r in months)))
        return findings
    differing = (meetings[0]["total"] if meetings else 0) + (months[0]["total"] if months else 0)
    return [Finding(
        "tallies", WARNING,
        "Compteurs pré-agrégés : pas à jour (des lignes ont changé hors de l'application, ou ils n'ont jamais été "
        f"calculés ; {plural(differing, 'ligne')} {_agree(differing, 'diffère', 'diffèrent')} d'un recomptage). "
        f"Les indicateurs restent justes mais sont recomptés à chaque lecture, plus lentement. {_RECOUNT_REMEDY}",
        differing)]


# ---------------------------------------------------------------------------------------------------------------
# The French report

def render_text(report: CheckReport, base: str) -> str:
    """The report the command prints: one line when all is well, else one paragraph per problem."""
    lines = []
    if report.ok:
        lines.append(f"Base {base} : aucune anomalie (schéma version {report.schema_version}, "
                     f"{plural(len(report.checked), 'vérification')}).")
    else:
        lines.append(f"Base {base} : {plural(len(report.errors), 'anomalie')}, la base n'est pas saine.")
    if report.rows:
        shown = ("persons", "memberships", "meetings", "attendance")
        lines.append("  Lignes : " + ", ".join(f"{TABLE_NAMES[t]} {number(report.rows[t])}" for t in shown
                                               if t in report.rows) + ".")
    for finding in report.errors + report.warnings:
        word = "ERREUR" if finding.severity == ERROR else "ATTENTION"
        lines.append(f"  {word} : {finding.message}")
        lines.extend(f"      {example}" for example in finding.examples)
        if len(finding.examples) and finding.count > len(finding.examples):
            rest = finding.count - len(finding.examples)
            lines.append(f"      … et {number(rest)} {_agree(rest, 'autre', 'autres')}.")
    if not report.ok or report.warnings:
        lines.append("  Vérifié : " + ", ".join(CHECKS[c] for c in report.checked) + ".")
    return "\n".join(lines)
