"""Recording a meeting from the form: the convened members, their statuses, and a safe save with history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from analytics.ingest.importer import merge_staged, staged_frame
from analytics.rules import attendance
from analytics.store.sql import query
from analytics.wording import labels

DELEGATED = ("proxy", "substituted")
# a substitute who sits is there in the room or by video; "not recorded" says nothing (DESIGN §3)
SUBSTITUTE_STATUSES = ("present", "remote", "not_recorded")
SITTING = ("present", "remote")


class Conflict(RuntimeError):
    """Someone else saved the same meeting in the meantime; the message is French."""


class InvalidSheet(ValueError):
    """The statuses do not make a valid sign-in sheet; `problems` are French sentences."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Sheet:
    """A meeting's sign-in sheet as the form shows it, with the fingerprint of what was stored when it was read."""

    body: str
    day: date
    meeting_id: int | None
    meeting: dict
    version: str
    # person_id, name, commune, role, status, delegate_id, is_substitute, commune_insee, commune_seats
    rows: pd.DataFrame


def load_sheet(conn: duckdb.DuckDBPyConnection, body: str, day: date) -> Sheet:
    """The convened members of `body` on `day`, and its substitutes; a new meeting lists the members present, as
    sign-in sheets are kept, and the substitutes not recorded (they sit only in place of a titular)."""
    cur = conn.cursor()
    params = {"body": body, "day": day}
    meeting = cur.execute(query("recording_meeting"), params).df().iloc[0].to_dict()
    rows = cur.execute(query("recording_sheet"), params).df()
    is_new = pd.isna(meeting["meeting_id"])
    rows["is_substitute"] = rows["is_substitute"].astype(bool)
    default = rows["is_substitute"].map({True: "not_recorded", False: "present" if is_new else "not_recorded"})
    rows["status"] = rows["status"].fillna(default)
    rows["delegate_id"] = rows["delegate_id"].astype("Int64")
    return Sheet(body, day, None if is_new else int(meeting["meeting_id"]), meeting, meeting["version"], rows)


def _check(sheet: Sheet, statuses: pd.DataFrame, today: date) -> list[str]:
    problems = []
    if sheet.day > today:
        problems.append("Une séance tenue ne peut pas être datée dans le futur.")
    names = dict(zip(sheet.rows["person_id"], sheet.rows["name"]))
    for row in statuses.itertuples():
        who = names.get(row.person_id)
        if who is None:
            problems.append(f"La personne n° {row.person_id} n'est pas convoquée à cette séance.")
            continue
        if row.status not in labels.ATTENDANCE_STATUS:
            problems.append(f"{who} : statut inconnu « {row.status} ».")
        elif row.status in DELEGATED:
            if pd.isna(row.delegate_id):
                kind = "le porteur du pouvoir" if row.status == "proxy" else "le suppléant"
                problems.append(f"{who} : indiquez {kind}.")
            elif row.delegate_id == row.person_id or row.delegate_id not in names:
                problems.append(f"{who} : le mandataire doit être un autre membre convoqué à cette séance.")
        elif not pd.isna(row.delegate_id):
            problems.append(f"{who} : un mandataire n'est indiqué que pour « pouvoir » ou « suppléé ».")
    return problems or _check_substitutes(sheet, statuses)


def _check_substitutes(sheet: Sheet, statuses: pd.DataFrame) -> list[str]:
    """A substitute sits only in place of the titular of their commune, a commune with a single seat, and signs in
    only there (DESIGN §3, CGCT L5211-6); a substitute who does not sit holds no proxy."""
    rows = sheet.rows.set_index("person_id")
    names, substitute = rows["name"].to_dict(), rows["is_substitute"].to_dict()
    communes, insee, seats = rows["commune"].to_dict(), rows["commune_insee"].to_dict(), rows["commune_seats"].to_dict()
    problems: list[str] = []
    sitting_for: dict[int, int] = {}  # substitute -> the titular they replace
    for row in statuses.itertuples():
        if row.status != "substituted" or substitute[row.person_id]:
            continue
        who, delegate = names[row.person_id], int(row.delegate_id)
        commune = insee[row.person_id]
        if not substitute[delegate]:
            problems.append(f"{who} : {names[delegate]} n'est pas suppléant ; un titulaire « suppléé » nomme le "
                            "suppléant de sa commune.")
        elif pd.isna(commune):
            problems.append(f"{who} n'a pas de commune : seul l'élu d'une commune a un suppléant.")
        elif insee[delegate] != commune:
            problems.append(f"{who} : {names[delegate]} n'est pas le suppléant de {communes[row.person_id]}.")
        elif sheet.body == "conseil" and seats[row.person_id] > 1:
            problems.append(f"{who} : {communes[row.person_id]} compte {seats[row.person_id]} sièges au Conseil ; "
                            "seule une commune à siège unique a un suppléant (CGCT L5211-6).")
        elif delegate in sitting_for:
            problems.append(f"{who} : {names[delegate]} supplée déjà {names[sitting_for[delegate]]} ; un suppléant "
                            "ne remplace qu'un titulaire.")
        else:
            sitting_for[delegate] = row.person_id
    for row in statuses.itertuples():
        who = names[row.person_id]
        if substitute[row.person_id] and row.status not in SUBSTITUTE_STATUSES:
            problems.append(f"{who} est suppléant : son statut ne peut être que « présent », « à distance » ou "
                            "« non renseigné ».")
        elif substitute[row.person_id] and row.status in SITTING and row.person_id not in sitting_for:
            problems.append(f"{who} est suppléant : il ne siège qu'à la place du titulaire de sa commune, qui doit "
                            "alors être « suppléé » et le nommer comme suppléant.")
        elif row.status == "proxy" and substitute[int(row.delegate_id)] and int(row.delegate_id) not in sitting_for:
            problems.append(f"{who} : {names[int(row.delegate_id)]} est suppléant et ne siège pas à cette séance ; "
                            "il ne peut pas porter de pouvoir.")
    return problems


def save_sheet(conn: duckdb.DuckDBPyConnection, sheet: Sheet, statuses: pd.DataFrame, *, username: str,
               meeting_format: str | None = None, today: date | None = None) -> tuple[int, int, int]:
    """Save the meeting as held with these statuses (person_id, status, delegate_id); return added, updated, same.

    Raises InvalidSheet for a sheet that breaks the rules and Conflict when the meeting changed since it was read.
    """
    problems = _check(sheet, statuses, today or date.today())
    if problems:
        raise InvalidSheet(problems)
    cur = conn.cursor()
    try:
        cur.execute("BEGIN TRANSACTION")
        current = cur.execute(query("recording_meeting"), {"body": sheet.body, "day": sheet.day}).df()
        if current["version"].iloc[0] != sheet.version:
            raise Conflict("Cette séance a été modifiée par quelqu'un d'autre pendant votre saisie. "
                           "Rechargez-la pour voir ses changements, puis refaites les vôtres.")
        result = _write(cur, sheet, statuses, username, meeting_format)
        cur.execute("COMMIT")
    except (duckdb.TransactionException, duckdb.ConstraintException) as exc:
        _rollback(cur)
        raise Conflict("Cette séance vient d'être enregistrée par quelqu'un d'autre : rechargez-la, puis refaites "
                       "vos changements.") from exc
    except BaseException:
        _rollback(cur)
        raise
    return result


def _rollback(cur: duckdb.DuckDBPyConnection) -> None:
    # a failed COMMIT has already rolled the transaction back
    try:
        cur.execute("ROLLBACK")
    except duckdb.TransactionException:
        pass


def _write(cur: duckdb.DuckDBPyConnection, sheet: Sheet, statuses: pd.DataFrame, username: str,
           meeting_format: str | None) -> tuple[int, int, int]:
    log = [None, username]
    m = sheet.meeting
    keep = lambda value: None if pd.isna(value) else value  # noqa: E731
    meeting = staged_frame([(sheet.body, sheet.day, "held", meeting_format or keep(m["format"]) or "in_person",
                             keep(m["meeting_type"]) or "ordinary", keep(m.get("requesters")),
                             keep(m.get("commune_insee")), keep(m.get("headcount")))],
                           ["body_code", "meeting_date", "status", "format", "meeting_type", "requesters",
                            "commune_insee", "headcount"])
    merge_staged(cur, "meetings", meeting, log)
    stored = dict(zip(sheet.rows["person_id"], sheet.rows["status"])) if sheet.meeting_id else {}
    rows = [(sheet.body, sheet.day, int(r.person_id), r.status, None if pd.isna(r.delegate_id) else int(r.delegate_id))
            for r in statuses.itertuples()
            # "not recorded" needs no row unless it replaces a stored status
            if r.status != "not_recorded" or stored.get(r.person_id, "not_recorded") != "not_recorded"]
    frame = staged_frame(rows, ["body_code", "meeting_date", "person_id", "status", "delegate_id"])
    result = merge_staged(cur, "attendance", frame, log)
    attendance.refresh_tallies(cur)  # the indicators' pre-aggregated counts, in the same transaction
    return result


def history(conn: duckdb.DuckDBPyConnection, meeting_id: int) -> pd.DataFrame:
    """Changes of a meeting: changed_at, username, subject (person or "séance"), column_name, old and new value."""
    frame = conn.cursor().execute(query("recording_history"), {"meeting_id": meeting_id}).df()
    return frame.astype(object).where(frame.notna(), None)  # a missing old value is None, not NaN


EDITOR_COLUMNS = ["Nom", "Commune", "Qualité", "Statut", "Mandataire"]
HISTORY_COLUMNS = {"changed_at": "Date", "username": "Par", "subject": "Qui", "column_name": "Champ",
                   "old_value": "Avant", "new_value": "Après"}
_STATUS_CODES = {label: code for code, label in labels.ATTENDANCE_STATUS.items()}


def editor_frame(sheet: Sheet) -> pd.DataFrame:
    """The sheet as the form's table: French labels, the proxy holder or substitute by name."""
    names = dict(zip(sheet.rows["person_id"], sheet.rows["name"]))
    return pd.DataFrame({
        "Nom": sheet.rows["name"],
        "Commune": sheet.rows["commune"].fillna(""),
        "Qualité": sheet.rows["role"].map(labels.ROLE),
        "Statut": sheet.rows["status"].map(labels.ATTENDANCE_STATUS),
        "Mandataire": sheet.rows["delegate_id"].astype(object).map(lambda d: None if pd.isna(d) else names.get(d)),
    })


def statuses_from_editor(sheet: Sheet, edited: pd.DataFrame) -> pd.DataFrame:
    """Back from the form's table to (person_id, status, delegate_id); rows keep the sheet's order."""
    ids = dict(zip(sheet.rows["name"], sheet.rows["person_id"]))
    delegates = edited["Mandataire"].map(lambda name: ids.get(name) if isinstance(name, str) and name else None)
    return pd.DataFrame({
        "person_id": sheet.rows["person_id"].to_numpy(),
        "status": edited["Statut"].map(lambda label: _STATUS_CODES.get(label, label)).to_numpy(),
        "delegate_id": pd.array(delegates.to_numpy(), dtype="Int64"),
    })
