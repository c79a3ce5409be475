"""Recording a meeting from the form: the convened members, their statuses, and a safe save with history."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import duckdb
import pandas as pd

from analytics.ingest.importer import merge_staged, staged_frame
from analytics.rules import agenda as agenda_rules
from analytics.rules import attendance
from analytics.settings import EARLIEST_DAY, LATEST_DAY
from analytics.store.sql import query
from analytics.store.transaction import transaction
from analytics.wording import labels
from analytics.wording.format import long_date, number

DELEGATED = ("proxy", "substituted")
# a substitute who sits is there in the room or by video; "not recorded" says nothing (DESIGN §3)
SUBSTITUTE_STATUSES = ("present", "remote", "not_recorded")
SITTING = ("present", "remote")
AGENDA_COLUMNS = ["position", "item", "title"]
# What the form may set of the sitting itself: its format, its type, and whether it was held or cancelled (a sitting
# recorded from a sign-in sheet is not planned any more).
FORMATS = list(labels.MEETING_FORMAT)
TYPES = list(labels.MEETING_TYPE)
STATUSES = ["held", "cancelled"]
SPAN_COLUMNS = ["person_id", "span", "from_item", "to_item", "status", "delegate_id"]


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
    # the replies to the convocation the sheet of a planned sitting starts from (DESIGN §5c), 0 otherwise
    from_replies: int = 0
    # the sitting's agenda (AGENDA_COLUMNS, empty without one) and its stored rows bounded to points (SPAN_COLUMNS)
    agenda: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=AGENDA_COLUMNS))
    spans: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SPAN_COLUMNS))


def load_sheet(conn: duckdb.DuckDBPyConnection, body: str, day: date) -> Sheet:
    """The convened members of `body` on `day`, and its substitutes; a new meeting lists the members present, as
    sign-in sheets are kept, and the substitutes not recorded (they sit only in place of a titular). The sheet of a
    planned sitting is new too, and starts from the replies to its convocation: a member who announced a proxy or
    a substitute starts so (the substitute present), one who replied excused or by video starts so."""
    cur = conn.cursor()
    params = {"body": body, "day": day}
    meeting = cur.execute(query("recording_meeting"), params).df().iloc[0].to_dict()
    rows = cur.execute(query("recording_sheet"), params).df()
    is_new = pd.isna(meeting["meeting_id"])
    planned = not is_new and meeting["status"] == "planned"  # a planned sitting has no sign-in yet
    cancelled = not is_new and meeting["status"] == "cancelled"  # nor a cancelled one, should it be said held
    rows["is_substitute"] = rows["is_substitute"].astype(bool)
    default = rows["is_substitute"].map({True: "not_recorded",
                                         False: "present" if is_new or planned or cancelled else "not_recorded"})
    rows["status"] = rows["status"].fillna(default)
    rows["delegate_id"] = rows["delegate_id"].astype("Int64")
    replies = cur.execute(query("recording_replies"), params).df() if planned else None
    if replies is not None and not replies.empty:
        rows = _from_replies(rows, replies)
    sheet = Sheet(body, day, None if is_new else int(meeting["meeting_id"]), meeting, meeting["version"], rows,
                  0 if replies is None else len(replies))
    return _with_points(conn, sheet)


def _with_points(conn: duckdb.DuckDBPyConnection, sheet: Sheet) -> Sheet:
    """The sheet with its sitting's agenda and the stored rows bounded to points (migration 006)."""
    if sheet.meeting_id is None:
        return sheet
    spans = conn.cursor().execute(query("recording_spans"), {"meeting_id": sheet.meeting_id}).df()
    spans["delegate_id"] = spans["delegate_id"].astype("Int64")
    for column in ("from_item", "to_item"):  # None, not NaN, for an open end
        spans[column] = spans[column].astype(object).where(spans[column].notna(), None)
    return replace(sheet, agenda=agenda_rules.items(conn, sheet.meeting_id)[AGENDA_COLUMNS],
                   spans=spans[SPAN_COLUMNS])


# the status a sign-in sheet starts from, for each reply to the convocation
_REPLY_STATUS = {"present": "present", "remote": "remote", "excused": "excused", "proxy": "proxy",
                 "substitute": "substituted"}


def _from_replies(rows: pd.DataFrame, replies: pd.DataFrame) -> pd.DataFrame:
    """The sheet's statuses set from the replies of the convened members (and the substitutes they named present)."""
    rows = rows.copy()
    listed = set(rows["person_id"])
    position = {pid: index for index, pid in zip(rows.index, rows["person_id"])}
    for reply in replies.itertuples(index=False):
        if reply.person_id not in listed:
            continue  # no longer convened that day (a membership changed since the reply)
        index = position[reply.person_id]
        delegate = None if pd.isna(reply.delegate_id) else int(reply.delegate_id)
        if reply.reply in ("proxy", "substitute") and delegate not in listed:
            continue  # no one named, or no longer convened: the sheet keeps its default
        rows.at[index, "status"] = _REPLY_STATUS[reply.reply]
        rows.at[index, "delegate_id"] = delegate if reply.reply in ("proxy", "substitute") else pd.NA
        if reply.reply == "substitute":
            rows.at[position[delegate], "status"] = "present"
    return rows


def out_of_range(day: date, what: str) -> str | None:
    """Why `day` is refused (outside settings.EARLIEST_DAY … LATEST_DAY: a slip such as 31/12/9999), None if it is
    plausible; `what` names the date: "La date de la séance"."""
    if EARLIEST_DAY <= day <= LATEST_DAY:
        return None
    return (f"{what} doit être comprise entre le {long_date(EARLIEST_DAY)} et le {long_date(LATEST_DAY)} "
            f"(saisie : {day.day:02d}/{day.month:02d}/{day.year:04d}).")


@dataclass(frozen=True)
class MeetingFields:
    """What the form shows and saves of the sitting itself (codes of labels.MEETING_FORMAT, MEETING_TYPE, STATUSES)."""

    format: str
    meeting_type: str
    status: str


def stored_fields(sheet: Sheet) -> MeetingFields:
    """The sitting's format, type and status as stored, for the form to start from; a new sitting starts in person,
    ordinary and held, and so does a planned one (recording its sheet says it was held)."""
    m = sheet.meeting
    fmt, kind, status = (m.get(k) for k in ("format", "meeting_type", "status"))
    return MeetingFields(fmt if fmt in FORMATS else "in_person", kind if kind in TYPES else "ordinary",
                         status if status in STATUSES else "held")


def _check_fields(fields: MeetingFields) -> list[str]:
    problems = []
    if fields.format not in FORMATS:
        problems.append(f"Format de séance inconnu « {fields.format} ».")
    if fields.meeting_type not in TYPES:
        problems.append(f"Type de séance inconnu « {fields.meeting_type} ».")
    if fields.status not in STATUSES:
        problems.append(f"Statut de séance « {fields.status} » impossible ici : la séance est tenue ou annulée.")
    return problems


def _check(sheet: Sheet, statuses: pd.DataFrame, today: date) -> list[str]:
    wrong_day = out_of_range(sheet.day, "La date de la séance")
    if wrong_day:
        return [wrong_day]  # nothing else of a sitting dated by a slip is worth checking
    problems = []
    if sheet.day > today:
        problems.append("Une séance tenue ne peut pas être datée dans le futur.")
    names = dict(zip(sheet.rows["person_id"], sheet.rows["name"]))
    # a proxy stored without holder (read from minutes that name none: migration 009) may be kept so; the form never
    # makes a new one, and no holder is ever guessed
    holderless = {p for p, s, d in zip(sheet.rows["person_id"], sheet.rows["status"], sheet.rows["delegate_id"])
                  if s == "proxy" and pd.isna(d)} if sheet.meeting_id is not None else set()
    for row in statuses.itertuples():
        who = names.get(row.person_id)
        if who is None:
            problems.append(f"La personne n° {row.person_id} n'est pas convoquée à cette séance.")
            continue
        if row.status not in labels.ATTENDANCE_STATUS:
            problems.append(f"{who} : statut inconnu « {row.status} ».")
        elif row.status in DELEGATED:
            if pd.isna(row.delegate_id):
                if row.status == "proxy" and row.person_id in holderless:
                    continue
                kind = "le porteur du pouvoir" if row.status == "proxy" else "le suppléant"
                problems.append(f"{who} : indiquez {kind}.")
            elif row.delegate_id == row.person_id or row.delegate_id not in names:
                problems.append(f"{who} : le mandataire doit être un autre membre convoqué à cette séance.")
        elif not pd.isna(row.delegate_id):
            problems.append(f"{who} : un mandataire n'est indiqué que pour « pouvoir » ou « suppléé ».")
    return problems or _check_points(sheet, statuses) or _check_substitutes(sheet, statuses)


def _bound(value: object) -> str:
    """A cell of « depuis » / « jusqu'à »: its text, "" when empty."""
    return "" if value is None or (not isinstance(value, str) and bool(pd.isna(value))) else str(value).strip()


def _bounds_of(statuses: pd.DataFrame) -> tuple[list[str], list[str]]:
    empty = [""] * len(statuses)
    return ([_bound(v) for v in statuses["from_item"]] if "from_item" in statuses else empty,
            [_bound(v) for v in statuses["to_item"]] if "to_item" in statuses else empty)


def _check_points(sheet: Sheet, statuses: pd.DataFrame) -> list[str]:
    """Rows bounded to points, checked as the import checks them (rules/agenda.py): bounds on the sitting's
    agenda, « depuis » not after « jusqu'à », and the several rows of one person on ranges that do not overlap (a
    row without bounds covers the whole sitting)."""
    names = dict(zip(sheet.rows["person_id"], sheet.rows["name"]))
    agenda = agenda_rules.positions(sheet.agenda["item"])
    problems: list[str] = []
    seen: dict[int, list[tuple[int, int]]] = {}
    for row, from_text, to_text in zip(statuses.itertuples(), *_bounds_of(statuses)):
        who = names[row.person_id]
        found = agenda_rules.resolve_bounds(from_text, to_text, row.status, agenda, "cette séance")
        if isinstance(found, agenda_rules.Refusal):
            problems.append(f"{who} : {found.message}")
            continue
        first, last = (found.first, found.last) if found else (1, len(agenda or {"": 1}))
        for other_first, other_last in seen.get(row.person_id, []):
            if other_first <= last and first <= other_last:
                problems.append(f"{who} : " + (
                    agenda_rules.overlap_text(first, last, other_first, other_last, agenda, "sur son autre ligne")
                    if agenda else "plusieurs lignes pour une même personne : il faut un ordre du jour et des "
                                   "plages de points qui ne se chevauchent pas."))
                break
        else:
            seen.setdefault(row.person_id, []).append((first, last))
    return problems


Rows = list[tuple[str | None, str | None, str, int | None]]  # from_item, to_item, status, delegate_id


def sitting_rows(sheet: Sheet, statuses: pd.DataFrame) -> tuple[pd.DataFrame, dict[int, Rows]]:
    """The sitting-level row of each person (person_id, status, delegate_id: rules/agenda.py sitting_status,
    DESIGN §3) and, for the persons whose rows are bounded to points, those rows in agenda order. A person with
    one row without bounds keeps it as it is. `statuses` passed _check."""
    agenda = agenda_rules.positions(sheet.agenda["item"])
    grouped: dict[int, list[tuple[agenda_rules.Bounds | None, str, int | None]]] = {}
    for row, from_text, to_text in zip(statuses.itertuples(), *_bounds_of(statuses)):
        found = agenda_rules.resolve_bounds(from_text, to_text, row.status, agenda, "cette séance")
        delegate = None if pd.isna(row.delegate_id) else int(row.delegate_id)
        grouped.setdefault(int(row.person_id), []).append(
            (found if isinstance(found, agenda_rules.Bounds) else None, row.status, delegate))
    derived: list[tuple[int, str, int | None]] = []
    bounded: dict[int, Rows] = {}
    whole = agenda_rules.Bounds(None, None, 1, len(agenda or {}))
    for person_id, rows in grouped.items():
        if len(rows) == 1 and rows[0][0] is None:
            derived.append((person_id, rows[0][1], rows[0][2]))
            continue
        spans = sorted(((b or whole, status, delegate) for b, status, delegate in rows), key=lambda s: s[0].first)
        status, delegate = agenda_rules.sitting_status(agenda_rules.Span(s, d, b.first, b.last) for b, s, d in spans)
        derived.append((person_id, status, delegate))
        bounded[person_id] = [(b.from_item, b.to_item, s, d) for b, s, d in spans]
    frame = pd.DataFrame(derived, columns=["person_id", "status", "delegate_id"])
    frame["delegate_id"] = frame["delegate_id"].astype("Int64")
    return frame, bounded


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
        elif delegate in sitting_for and sitting_for[delegate] != row.person_id:
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
        elif row.status == "proxy" and not pd.isna(row.delegate_id) and substitute[int(row.delegate_id)] \
                and int(row.delegate_id) not in sitting_for:
            problems.append(f"{who} : {names[int(row.delegate_id)]} est suppléant et ne siège pas à cette séance ; "
                            "il ne peut pas porter de pouvoir.")
    return problems


def save_sheet(conn: duckdb.DuckDBPyConnection, sheet: Sheet, statuses: pd.DataFrame, *, username: str,
               meeting_format: str | None = None, today: date | None = None, convocation: date | None = None,
               meeting_type: str | None = None, meeting_status: str | None = None) -> tuple[int, int, int]:
    """Save the meeting with these statuses (person_id, status, delegate_id); return added, updated, same.
    `meeting_format`, `meeting_type` and `meeting_status` correct the sitting itself (None keeps what is stored; the
    status is "held" or "cancelled", held by default); a cancelled sitting keeps no sign-in: its stored rows are
    removed (and logged), and `updated` counts them. `convocation`: the day its convocation was sent (None keeps
    the one stored).

    Raises InvalidSheet for a sheet that breaks the rules and Conflict when the meeting changed since it was read.
    """
    stored = stored_fields(sheet)
    fields = MeetingFields(meeting_format or stored.format, meeting_type or stored.meeting_type,
                           meeting_status or "held")
    problems = _check_fields(fields)
    if fields.status == "held":
        problems += _check(sheet, statuses, today or date.today())
    elif wrong_day := out_of_range(sheet.day, "La date de la séance"):
        problems.append(wrong_day)
    if convocation is not None:
        wrong_convocation = out_of_range(convocation, "La date de la convocation")
        if wrong_convocation:
            problems.append(wrong_convocation)
        elif convocation > sheet.day:
            problems.append("La convocation ne peut pas être datée après la séance.")
    if problems:
        raise InvalidSheet(problems)
    cur = conn.cursor()
    try:
        with transaction(cur):
            current = cur.execute(query("recording_meeting"), {"body": sheet.body, "day": sheet.day}).df()
            if current["version"].iloc[0] != sheet.version:
                raise Conflict("Cette séance a été modifiée par quelqu'un d'autre pendant votre saisie. "
                               "Rechargez-la pour voir ses changements, puis refaites les vôtres.")
            result = _write(cur, sheet, statuses, username, fields, convocation)
    except duckdb.TransactionException as exc:  # a write-write conflict: another save of the same rows
        raise Conflict("Cette séance vient d'être enregistrée par quelqu'un d'autre : rechargez-la, puis refaites "
                       "vos changements.") from exc
    except duckdb.ConstraintException as exc:
        # only a duplicate key is someone else's save (the same new sitting twice); any other refusal of the base
        # is this save's own, and saying "someone else" would send the user after a change nobody made
        if "duplicate key" in str(exc).lower():
            raise Conflict("Cette séance vient d'être enregistrée par quelqu'un d'autre : rechargez-la, puis "
                           "refaites vos changements.") from exc
        raise InvalidSheet(["La base a refusé cet enregistrement (une règle de cohérence des séances n'est pas "
                            "respectée) : rien n'a été modifié."]) from exc
    return result


def saved_text(sheet: Sheet, result: tuple[int, int, int], fields: MeetingFields) -> str:
    """What the form says once the sheet `sheet` (as read before the save) is saved with `fields`: the sign-ins
    added and changed, or removed from a cancelled sitting, and the correction of the sitting itself."""
    added, updated, _ = result
    day = long_date(sheet.day)
    if fields.status == "cancelled":
        text = f"Séance du {day} enregistrée comme annulée : {number(updated)} présence(s) retirée(s)."
    else:
        text = (f"Séance du {day} enregistrée : {number(added)} présence(s) ajoutée(s), {number(updated)} "
                "modifiée(s).")
    stored = stored_fields(sheet)
    corrected = [f"{what} : {names[new]}" for what, names, old, new in (
        ("format", labels.MEETING_FORMAT, stored.format, fields.format),
        ("type", labels.MEETING_TYPE, stored.meeting_type, fields.meeting_type)) if sheet.meeting_id and old != new]
    return text + (" Séance corrigée (" + ", ".join(corrected) + ")." if corrected else "")


def _write(cur: duckdb.DuckDBPyConnection, sheet: Sheet, statuses: pd.DataFrame, username: str,
           fields: MeetingFields, convocation: date | None = None) -> tuple[int, int, int]:
    log = [None, username]
    m = sheet.meeting
    keep = lambda value: None if value is None or pd.isna(value) else value  # noqa: E731
    # the number of mayors who asked means something only for a sitting "à la demande" (a CHECK of the table)
    requesters = keep(m.get("requesters")) if fields.meeting_type == "requested" else None
    meeting = staged_frame([(sheet.body, sheet.day, fields.status, fields.format, fields.meeting_type, requesters,
                             keep(m.get("commune_insee")), keep(m.get("headcount")), convocation)],
                           ["body_code", "meeting_date", "status", "format", "meeting_type", "requesters",
                            "commune_insee", "headcount", "convocation_date"])
    merge_staged(cur, "meetings", meeting, log)
    if fields.status == "cancelled":
        removed = _remove_sign_ins(cur, sheet, log)
        attendance.refresh_tallies(cur, [(sheet.body, sheet.day)])  # the sitting is all the write touched
        return 0, removed, 0
    stored = dict(zip(sheet.rows["person_id"], sheet.rows["status"])) if sheet.meeting_id else {}
    derived, bounded = sitting_rows(sheet, statuses)  # one row per person; their bounded rows apart
    rows = [(sheet.body, sheet.day, int(r.person_id), r.status, None if pd.isna(r.delegate_id) else int(r.delegate_id))
            for r in derived.itertuples()
            # "not recorded" needs no row unless it replaces a stored status
            if r.status != "not_recorded" or stored.get(r.person_id, "not_recorded") != "not_recorded"]
    frame = staged_frame(rows, ["body_code", "meeting_date", "person_id", "status", "delegate_id"])
    spans_only = _write_spans(cur, sheet, derived, bounded, log)
    added, updated, same = merge_staged(cur, "attendance", frame, log)
    # the indicators' pre-aggregated counts of this sitting, in the same transaction
    attendance.refresh_tallies(cur, [(sheet.body, sheet.day)])
    return added, updated + spans_only, same - spans_only


def _remove_sign_ins(cur: duckdb.DuckDBPyConnection, sheet: Sheet, log: list) -> int:
    """Remove the stored sign-ins of a sitting recorded as cancelled, each logged as the change of its status to
    nothing (the sitting's history keeps what was there); return how many."""
    if sheet.meeting_id is None:
        return 0
    spanned = sorted(set(int(p) for p in sheet.spans["person_id"]))
    if spanned:
        _staged(cur, "import_spans_delete",
                staged_frame([(sheet.meeting_id, p) for p in spanned], ["meeting_id", "person_id"]))
    removed = cur.execute(query("recording_remove_sign_ins"), {"meeting_id": sheet.meeting_id}).fetchall()
    logged = [("attendance", f"{sheet.meeting_id}/{person_id}", "status", status, None)
              for person_id, status, _ in sorted(removed)]
    logged += [("attendance_spans", f"{sheet.meeting_id}/{p}", "plages",
                agenda_rules.spans_text(_stored_spans(sheet).get(p, [])), None) for p in spanned]
    if logged:
        _staged(cur, "import_change_log", pd.DataFrame(
            logged, columns=["table_name", "row_key", "column_name", "old_value", "new_value"]).astype(object), log)
    return len(removed)


def _staged(cur: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame,
            params: list | None = None) -> pd.DataFrame | None:
    cur.register("staged", frame)
    try:
        result = cur.execute(query(name), params or [])
        return result.df() if result.description else None
    finally:
        cur.unregister("staged")


def _stored_spans(sheet: Sheet) -> dict[int, Rows]:
    """The sheet's stored rows bounded to points, per person, in their order."""
    stored: dict[int, Rows] = {}
    for r in sheet.spans.itertuples():
        stored.setdefault(int(r.person_id), []).append(
            (None if pd.isna(r.from_item) else r.from_item, None if pd.isna(r.to_item) else r.to_item, r.status,
             None if pd.isna(r.delegate_id) else int(r.delegate_id)))
    return stored


def _write_spans(cur: duckdb.DuckDBPyConnection, sheet: Sheet, derived: pd.DataFrame, bounded: dict[int, Rows],
                 log: list) -> int:
    """Replace the bounded rows of the persons whose rows changed and log them ("plages", as the import does);
    return how many of those keep their sitting-level row (an update the attendance merge counts as unchanged)."""
    stored = _stored_spans(sheet)
    listed = set(derived["person_id"].astype(int))
    changed = sorted(p for p in set(bounded) | (set(stored) & listed) if bounded.get(p, []) != stored.get(p, []))
    if not changed or sheet.meeting_id is None:
        return 0  # bounds need an agenda, hence a sitting already stored
    meeting_id = sheet.meeting_id
    keys = staged_frame([(meeting_id, p) for p in changed], ["meeting_id", "person_id"])
    stored_rows = _staged(cur, "import_attendance_stored", keys)
    _staged(cur, "import_spans_delete", keys)
    written = [(meeting_id, p, n, *row) for p in changed for n, row in enumerate(bounded.get(p, []), start=1)]
    if written:
        _staged(cur, "import_spans_insert", staged_frame(
            written, ["meeting_id", "person_id", "span", "from_item", "to_item", "status", "delegate_id"]))

    def row_of(frame: pd.DataFrame) -> dict[int, tuple[str, int | None]]:
        return {int(p): (s, None if pd.isna(d) else int(d))
                for p, s, d in zip(frame["person_id"], frame["status"], frame["delegate_id"])}

    before = row_of(stored_rows) if stored_rows is not None else {}
    after = row_of(derived)
    # logged as the change of a stored row: a person's first rows at a sitting are an insert, never logged
    logged = [("attendance_spans", f"{meeting_id}/{p}", "plages", agenda_rules.spans_text(stored.get(p, [])),
               agenda_rules.spans_text(bounded.get(p, []))) for p in changed if p in before]
    if logged:
        _staged(cur, "import_change_log", pd.DataFrame(
            logged, columns=["table_name", "row_key", "column_name", "old_value", "new_value"]).astype(object), log)
    # a stored row with the same status: the attendance merge says "same" for a person whose points changed
    return sum(1 for p in changed if p in before and before[p] == after.get(p))


def history(conn: duckdb.DuckDBPyConnection, meeting_id: int) -> pd.DataFrame:
    """Changes of a meeting: changed_at, username, subject (person or "séance"), column_name, old and new value."""
    frame = conn.cursor().execute(query("recording_history"), {"meeting_id": meeting_id}).df()
    return frame.astype(object).where(frame.notna(), None)  # a missing old value is None, not NaN


EDITOR_COLUMNS = ["Nom", "Commune", "Qualité", "Statut", "Mandataire", "Depuis le point", "Jusqu'au point"]
# the other rows of a person bounded to points (a proxy from point 25 after a departure after point 24…)
EXTRA_COLUMNS = ["Nom", "Statut", "Mandataire", "Depuis le point", "Jusqu'au point"]
HISTORY_COLUMNS = {"changed_at": "Date", "username": "Par", "subject": "Qui", "column_name": "Champ",
                   "old_value": "Avant", "new_value": "Après"}
_STATUS_CODES = {label: code for code, label in labels.ATTENDANCE_STATUS.items()}


def _text(value: object) -> str | None:
    return None if value is None or (not isinstance(value, str) and bool(pd.isna(value))) else str(value)


def editor_frame(sheet: Sheet) -> pd.DataFrame:
    """The sheet as the form's table: French labels, the proxy holder or substitute by name; for a person whose
    rows are bounded to points, the first of them (the others: extra_frame)."""
    names = dict(zip(sheet.rows["person_id"], sheet.rows["name"]))
    first = sheet.spans.drop_duplicates("person_id").set_index("person_id")
    status = [first.at[p, "status"] if p in first.index else s for p, s in zip(sheet.rows["person_id"],
                                                                                 sheet.rows["status"])]
    delegate = [first.at[p, "delegate_id"] if p in first.index else d
                for p, d in zip(sheet.rows["person_id"], sheet.rows["delegate_id"])]
    return pd.DataFrame({
        "Nom": sheet.rows["name"],
        "Commune": sheet.rows["commune"].fillna(""),
        "Qualité": sheet.rows["role"].map(labels.ROLE),
        "Statut": pd.Series(status, index=sheet.rows.index).map(labels.ATTENDANCE_STATUS),
        "Mandataire": pd.Series(delegate, index=sheet.rows.index, dtype=object).map(
            lambda d: None if pd.isna(d) else names.get(d)),
        # object columns: an empty bound is None (a string column would make it NaN)
        "Depuis le point": pd.Series([_text(first.at[p, "from_item"]) if p in first.index else None
                                      for p in sheet.rows["person_id"]], index=sheet.rows.index, dtype=object),
        "Jusqu'au point": pd.Series([_text(first.at[p, "to_item"]) if p in first.index else None
                                     for p in sheet.rows["person_id"]], index=sheet.rows.index, dtype=object),
    })


def extra_frame(sheet: Sheet) -> pd.DataFrame:
    """The other stored rows of the persons whose rows are bounded to points (EXTRA_COLUMNS), for the form's
    second table: « parti(e) après le point 24 » on the first table, « pouvoir depuis 25 » here."""
    names = dict(zip(sheet.rows["person_id"], sheet.rows["name"]))
    rest = sheet.spans[sheet.spans.duplicated("person_id")]
    return pd.DataFrame({
        "Nom": rest["person_id"].map(names),
        "Statut": rest["status"].map(labels.ATTENDANCE_STATUS),
        "Mandataire": rest["delegate_id"].astype(object).map(lambda d: None if pd.isna(d) else names.get(d)),
        "Depuis le point": rest["from_item"].map(_text).astype(object),
        "Jusqu'au point": rest["to_item"].map(_text).astype(object),
    }, columns=EXTRA_COLUMNS).reset_index(drop=True)


def locked_columns(sheet: Sheet) -> list[str]:
    """The columns of the form's table that cannot be edited: who is convened, and the points without agenda."""
    return ["Nom", "Commune", "Qualité"] + ([] if point_options(sheet) else ["Depuis le point", "Jusqu'au point"])


def point_options(sheet: Sheet) -> list[str]:
    """The points of the sitting's agenda, in order: the choices of « depuis » and « jusqu'à »."""
    return [str(item) for item in sheet.agenda["item"]]


def points_help(sheet: Sheet) -> str:
    """What the form says of the points: the agenda, and how to record an arrival, a departure, a proxy."""
    points = point_options(sheet)
    if not points:
        return ("Cette séance n'a pas d'ordre du jour : les présences valent pour toute la séance (importez l'ordre "
                "du jour pour saisir les arrivées et les départs).")
    return (f"Ordre du jour : {len(points)} point{'s' if len(points) > 1 else ''} (du point {points[0]} au point "
            f"{points[-1]}). Une arrivée au point 5 : « présent », depuis le point 5 ; un départ après le point 24 : "
            "« présent », jusqu'au point 24 ; un pouvoir à partir du point 25 : une ligne de plus ci-dessous, "
            "« pouvoir », depuis le point 25, avec son mandataire. Les plages d'une personne ne se chevauchent pas.")


def statuses_from_editor(sheet: Sheet, edited: pd.DataFrame, extra: pd.DataFrame | None = None) -> pd.DataFrame:
    """Back from the form's tables to (person_id, status, delegate_id, from_item, to_item); the main table's rows
    keep the sheet's order, the extra rows (EXTRA_COLUMNS, a person named by « Nom ») follow."""
    ids = dict(zip(sheet.rows["name"], sheet.rows["person_id"]))
    delegates = edited["Mandataire"].map(lambda name: ids.get(name) if isinstance(name, str) and name else None)
    main = pd.DataFrame({
        "person_id": sheet.rows["person_id"].to_numpy(),
        "status": edited["Statut"].map(lambda label: _STATUS_CODES.get(label, label)).to_numpy(),
        "delegate_id": pd.array(delegates.to_numpy(), dtype="Int64"),
        "from_item": [_text(v) for v in edited.get("Depuis le point", pd.Series([None] * len(edited)))],
        "to_item": [_text(v) for v in edited.get("Jusqu'au point", pd.Series([None] * len(edited)))],
    })
    if extra is None:
        return main
    extra = extra[extra["Nom"].map(lambda name: isinstance(name, str) and name in ids)]
    if extra.empty:
        return main
    more = pd.DataFrame({
        "person_id": extra["Nom"].map(ids).to_numpy(),
        "status": extra["Statut"].map(lambda label: _STATUS_CODES.get(label, label) if isinstance(label, str)
                                      else "present").to_numpy(),
        "delegate_id": pd.array(extra["Mandataire"].map(
            lambda name: ids.get(name) if isinstance(name, str) and name else None).to_numpy(), dtype="Int64"),
        "from_item": [_text(v) for v in extra["Depuis le point"]],
        "to_item": [_text(v) for v in extra["Jusqu'au point"]],
    })
    return pd.concat([main, more], ignore_index=True)


def sheet_caption(sheet: Sheet) -> str:
    """What the form says above the sheet: a recorded sitting, a planned one starting from its replies, a new one."""
    if sheet.meeting_id and sheet.meeting.get("status") == "planned":
        if sheet.from_replies:
            return (f"Séance prévue : la feuille part des {sheet.from_replies} réponse(s) aux convocations (pouvoirs, "
                    "suppléants, excusés) ; les autres membres sont présents par défaut.")
        return "Séance prévue, sans réponse enregistrée : les membres convoqués sont présents par défaut."
    if sheet.meeting_id and sheet.meeting.get("status") == "cancelled":
        return ("Séance annulée : elle n'a pas de présences. Pour la dire tenue, choisissez le statut « tenue » : "
                "les membres convoqués sont présents par défaut.")
    if sheet.meeting_id:
        return "Séance déjà enregistrée : vous modifiez ses présences."
    return "Nouvelle séance : les membres convoqués sont présents par défaut, comme sur la feuille d'émargement."


def stored_convocation(sheet: Sheet) -> date | None:
    """The day the sitting's convocation was sent, as stored (None when unknown or for a new sitting)."""
    value = sheet.meeting.get("convocation_date")
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()
