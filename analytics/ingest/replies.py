"""The replies to a convocation, recorded from the Saisie page (DESIGN.md §5c): for a planned sitting, each convened
member's reply and the day the convocation was sent. Files of replies go through the import (importer.replies_table);
both write the table `replies` of migration 007, with every change traced in the change log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from analytics.ingest.importer import merge_staged, staged_frame
from analytics.ingest.recording import Conflict, InvalidSheet, out_of_range
from analytics.store.sql import query
from analytics.store.transaction import transaction
from analytics.wording import labels
from analytics.wording.display import plural

DELEGATED = ("proxy", "substitute")
EDITOR_COLUMNS = ["Nom", "Commune", "Qualité", "Réponse", "Mandataire"]
_REPLY_CODES = {label: code for code, label in labels.REPLY.items()}


class InvalidReplies(InvalidSheet):
    """The replies break a rule; `problems` are French sentences (the form shows them like a sheet's)."""


@dataclass(frozen=True)
class ReplySheet:
    """The convened members of a planned sitting with their replies, as read (with a fingerprint of what was stored)."""

    body: str
    day: date
    meeting_id: int
    status: str
    format: str
    convocation: date | None
    version: str
    # person_id, name, commune, role, commune_insee, commune_seats, reply (None: no reply), delegate_id
    members: pd.DataFrame
    # person_id, name, commune_insee: the body's substitutes that day (they sit only in place of a titular)
    substitutes: pd.DataFrame


def planned_sittings(conn: duckdb.DuckDBPyConnection, since: date, body: str | None = None) -> pd.DataFrame:
    """The planned sittings from `since` on: meeting_id, body_code, body_name, meeting_date, format,
    convocation_date, replies (how many members replied), label ("Conseil d'Agglomération — 18/09/2025")."""
    frame = conn.cursor().execute(query("replies_planned"), {"since": since, "body": body}).df()
    frame["label"] = [f"{name} — {pd.Timestamp(day):%d/%m/%Y}"
                      for name, day in zip(frame["body_name"], frame["meeting_date"])]
    return frame


def load(conn: duckdb.DuckDBPyConnection, meeting_id: int) -> ReplySheet:
    """The replies sheet of a sitting: its convened members (members proper of the body that day), their replies."""
    cur = conn.cursor()
    found = cur.execute(query("replies_meeting"), {"meeting_id": int(meeting_id)}).fetchall()
    if not found:
        raise LookupError(f"Aucune séance n° {meeting_id}.")
    body, day, status, fmt, convocation = found[0]
    params = {"body": body, "day": day}
    convened = cur.execute(query("recording_sheet"), params).df()
    convened["is_substitute"] = convened["is_substitute"].astype(bool)
    answers = cur.execute(query("recording_replies"), params).df()
    proper = convened[~convened["is_substitute"]].drop(columns=["status", "delegate_id"])  # no sign-in yet
    members = proper.merge(answers, on="person_id", how="left")
    members = members[["person_id", "name", "commune", "role", "commune_insee", "commune_seats", "reply",
                       "delegate_id"]].reset_index(drop=True)
    members["reply"] = members["reply"].astype(object).where(members["reply"].notna(), None)
    members["delegate_id"] = members["delegate_id"].astype("Int64")
    substitutes = convened[convened["is_substitute"]][["person_id", "name", "commune_insee"]].reset_index(drop=True)
    version = cur.execute(query("replies_version"), {"meeting_id": int(meeting_id)}).fetchall()[0][0]
    return ReplySheet(body, day, int(meeting_id), status, fmt, convocation, version, members, substitutes)


def editor_frame(sheet: ReplySheet) -> pd.DataFrame:
    """The sheet as the form's table: French labels, "sans réponse" for none, the delegate by name."""
    names = dict(zip(sheet.members["person_id"], sheet.members["name"]))
    names.update(zip(sheet.substitutes["person_id"], sheet.substitutes["name"]))
    return pd.DataFrame({
        "Nom": sheet.members["name"],
        "Commune": sheet.members["commune"].fillna(""),
        "Qualité": sheet.members["role"].map(labels.ROLE),
        "Réponse": [labels.REPLY_NONE if code is None else labels.REPLY[code] for code in sheet.members["reply"]],
        "Mandataire": pd.Series([None if pd.isna(d) else names.get(int(d)) for d in sheet.members["delegate_id"]],
                                dtype=object),
    })


def delegate_names(sheet: ReplySheet) -> list[str]:
    """Whom the « Mandataire » column may name: the convened members (proxy holders) and the substitutes."""
    return [*sheet.members["name"], *sheet.substitutes["name"]]


def replies_from_editor(sheet: ReplySheet, edited: pd.DataFrame) -> pd.DataFrame:
    """Back from the form's table to (person_id, reply or None, delegate_id); rows keep the sheet's order."""
    ids = dict(zip(sheet.substitutes["name"], sheet.substitutes["person_id"]))
    ids.update(zip(sheet.members["name"], sheet.members["person_id"]))
    delegates = [ids.get(name) if isinstance(name, str) and name else None for name in edited["Mandataire"]]
    answers = [_REPLY_CODES.get(label, label) if isinstance(label, str) and label != labels.REPLY_NONE else None
               for label in edited["Réponse"]]
    return pd.DataFrame({
        "person_id": sheet.members["person_id"].to_numpy(),
        "reply": pd.Series(answers, dtype=object).to_numpy(),
        "delegate_id": pd.array(delegates, dtype="Int64"),
    })


def _substitute_of(sheet: ReplySheet, person_id: int) -> list[int]:
    """The substitutes of the body that day from the commune of `person_id`."""
    member = sheet.members.set_index("person_id").loc[person_id]
    if pd.isna(member["commune_insee"]):
        return []
    subs = sheet.substitutes
    return [int(p) for p in subs.loc[subs["commune_insee"] == member["commune_insee"], "person_id"]]


def checked(sheet: ReplySheet, replies: pd.DataFrame, convocation: date | None = None) -> pd.DataFrame:
    """The replies made whole (a « suppléant » reply names the only substitute of the member's commune when none is
    given), or InvalidReplies with every problem (DESIGN §5c; a proxy to another convened member, a substitute of
    the member's commune, a commune with a single seat at the Conseil, CGCT L5211-6)."""
    problems: list[str] = []
    if sheet.status != "planned":
        problems.append("Cette séance n'est plus prévue : ses réponses restent telles qu'enregistrées.")
    wrong_days = [wrong for wrong in (
        out_of_range(sheet.day, "La date de la séance"),  # stored by a slip: the file of sittings needs correcting
        None if convocation is None else out_of_range(convocation, "La date de la convocation")) if wrong]
    problems += wrong_days
    if convocation is not None and convocation > sheet.day and not wrong_days:
        problems.append("La convocation ne peut pas être datée après la séance.")
    members = sheet.members.set_index("person_id")
    names = members["name"].to_dict()
    substitutes = set(sheet.substitutes["person_id"])
    whole = replies.copy()
    whole["reply"] = pd.Series([r if isinstance(r, str) else None for r in whole["reply"]], index=whole.index,
                               dtype=object)
    for index, row in zip(whole.index, whole.itertuples(index=False)):
        who = names.get(row.person_id)
        if who is None:
            problems.append(f"La personne n° {row.person_id} n'est pas convoquée à cette séance.")
            continue
        delegate = None if pd.isna(row.delegate_id) else int(row.delegate_id)
        if row.reply is None or row.reply not in DELEGATED:
            if row.reply is not None and row.reply not in labels.REPLY:
                problems.append(f"{who} : réponse inconnue « {row.reply} ».")
            elif delegate is not None:
                problems.append(f"{who} : un mandataire n'est indiqué que pour « pouvoir » ou « suppléant ».")
            continue
        if row.reply == "proxy":
            if delegate is None:
                problems.append(f"{who} : indiquez le porteur du pouvoir.")
            elif delegate == row.person_id or delegate not in names:
                problems.append(f"{who} : le porteur du pouvoir doit être un autre membre convoqué à cette séance.")
            continue
        own = _substitute_of(sheet, row.person_id)
        if delegate is None and len(own) == 1:
            delegate = own[0]
            whole.at[index, "delegate_id"] = delegate
        commune = members.at[row.person_id, "commune"]
        seats = int(members.at[row.person_id, "commune_seats"])
        if delegate is None:
            problems.append(f"{who} : aucun suppléant unique de sa commune à cette instance ; nommez-le, ou "
                            "choisissez une autre réponse.")
        elif delegate not in substitutes or delegate not in own:
            problems.append(f"{who} : le suppléant doit être celui de sa commune ({commune if commune else '—'}).")
        elif sheet.body == "conseil" and seats > 1:
            problems.append(f"{who} : {commune} compte {seats} sièges au Conseil ; seule une commune à siège unique "
                            "a un suppléant (CGCT L5211-6).")
    if problems:
        raise InvalidReplies(problems)
    return whole


def save(conn: duckdb.DuckDBPyConnection, sheet: ReplySheet, replies: pd.DataFrame, *, username: str,
         convocation: date | None = None) -> tuple[int, int, int]:
    """Save the replies (person_id, reply or None, delegate_id) and the convocation date of a planned sitting in one
    transaction; return added, updated (a changed or withdrawn reply, the convocation date), unchanged.

    Raises InvalidReplies for replies that break a rule, Conflict when the sitting changed since it was read."""
    whole = checked(sheet, replies, convocation)
    cur = conn.cursor()
    log = [None, username]
    try:
        with transaction(cur):
            current = cur.execute(query("replies_version"), {"meeting_id": sheet.meeting_id}).fetchall()[0][0]
            if current != sheet.version:
                raise Conflict("Les réponses de cette séance ont été modifiées par quelqu'un d'autre pendant votre "
                               "saisie. Rechargez-la pour voir ses changements, puis refaites les vôtres.")
            given = whole[whole["reply"].notna()]
            staged = staged_frame([(sheet.body, sheet.day, int(r.person_id), r.reply,
                                    None if pd.isna(r.delegate_id) else int(r.delegate_id))
                                   for r in given.itertuples(index=False)],
                                  ["body_code", "meeting_date", "person_id", "reply", "delegate_id"])
            added, updated, same = merge_staged(cur, "replies", staged, log)
            stored = dict(zip(sheet.members["person_id"], sheet.members["reply"]))
            withdrawn = [int(p) for p, reply in zip(whole["person_id"], whole["reply"])
                         if reply is None and stored.get(p) is not None]
            if withdrawn:
                frame = staged_frame([(sheet.meeting_id, p) for p in withdrawn], ["meeting_id", "person_id"])
                _with_staged(cur, "replies_delete", frame)
                _log(cur, log, [("replies", f"{sheet.meeting_id}/{p}", "reply", stored[p], None) for p in withdrawn])
                updated += len(withdrawn)
            if convocation != sheet.convocation:
                cur.execute(query("replies_set_convocation"),
                            {"meeting_id": sheet.meeting_id, "convocation": convocation})
                _log(cur, log, [("meetings", str(sheet.meeting_id), "convocation_date",
                                 None if sheet.convocation is None else sheet.convocation.isoformat(),
                                 None if convocation is None else convocation.isoformat())])
                updated += 1
    except (duckdb.TransactionException, duckdb.ConstraintException) as exc:
        raise Conflict("Les réponses de cette séance viennent d'être enregistrées par quelqu'un d'autre : "
                       "rechargez-la, puis refaites vos changements.") from exc
    return added, updated, same


def _with_staged(cur: duckdb.DuckDBPyConnection, name: str, staged: pd.DataFrame, params: list | None = None) -> None:
    cur.register("staged", staged)
    try:
        cur.execute(query(name), params or [])
    finally:
        cur.unregister("staged")


def _log(cur: duckdb.DuckDBPyConnection, log: list, changes: list[tuple]) -> None:
    frame = staged_frame(changes, ["table_name", "row_key", "column_name", "old_value", "new_value"])
    _with_staged(cur, "import_change_log", frame, log)


OPTIONS = [labels.REPLY_NONE, *labels.REPLY.values()]  # the choices of the form's « Réponse » column


def summary(sheet: ReplySheet) -> str:
    """"12 réponses sur 90 membres convoqués (séance en présentiel)"."""
    given = int(sheet.members["reply"].notna().sum())
    return (f"{plural(given, 'réponse')} sur {plural(len(sheet.members), 'membre convoqué', 'membres convoqués')} "
            f"(séance en {labels.MEETING_FORMAT.get(sheet.format, sheet.format)}). « Pouvoir » nomme le porteur ; "
            "« suppléant » sans nom désigne le suppléant de la commune.")
