"""Agenda items (DESIGN.md §3 "agenda items", §4 quorum at each item): the natural order of points, the
sitting-level status of a person whose rows are bounded to points, the quorum at each point of the Conseil's
sittings and the point where it was lost, who arrived and who left at each point, and a person's arrivals and
departures in French.

Storage (migration 006): agenda_items holds the points of a sitting, ranked in natural order ("3" < "3.1" <
"10"); attendance_spans holds the rows of a person at a sitting when one of them is bounded; attendance keeps one
row per person and sitting, the status sitting_status() derives, which every attendance indicator reads as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from analytics.rules import quorum
from analytics.rules.attendance import with_display_name
from analytics.store.sql import query
from analytics.wording.labels import ATTENDANCE_STATUS
from analytics.wording.text import fold

QUORUM_BODY = quorum.QUORUM_BODY
# "1", "12", "3.1", "3.1.2", "4 bis", "4ter", "12a": a number, dotted sub-numbers, a suffix
_ITEM = re.compile(r"(\d{1,4}(?:\.\d{1,4})*)(bis|ter|quater|[a-z])?")
_SUFFIX_RANK = {"": 0, "bis": 1, "ter": 2, "quater": 3}
ITEM_EXAMPLES = "1, 2, 3.1, 4 bis…"
THERE = ("present", "remote")  # physically there for assiduité (DESIGN §3); the quorum adds the format (§4)
DELEGATED = ("proxy", "substituted")


def canonical_item(text: str) -> str | None:
    """A point's label as stored: "3.1", "10", "4 bis", "12a" (spaces, case and leading zeros do not matter:
    "03.1" and "3.1" are one point, so are "4bis" and "4 BIS"); None when the text is not a point."""
    match = _ITEM.fullmatch(fold(text).replace(" ", ""))
    if match is None:
        return None
    number, suffix = match.group(1), match.group(2) or ""
    number = ".".join(str(int(part)) for part in number.split("."))
    return number + (f" {suffix}" if suffix in _SUFFIX_RANK and suffix else suffix)


def natural_key(item: str) -> tuple:
    """The sort key of a point in natural order: "2" < "3" < "3.1" < "3.2" < "4" < "4 bis" < "10"."""
    match = _ITEM.fullmatch(fold(item).replace(" ", ""))
    if match is None:
        return ((), 99, item)  # a label not written by the import: after the points, alphabetically
    suffix = match.group(2) or ""
    rank = _SUFFIX_RANK.get(suffix, 10 + ord(suffix[:1] or "a") - ord("a"))
    return (tuple(int(part) for part in match.group(1).split(".")), rank, "")


def ordered(items: Iterable[str]) -> list[str]:
    """The points in natural order, each once."""
    return sorted(set(items), key=natural_key)


@dataclass(frozen=True)
class Span:
    """One row of a person at a sitting, covering the points of positions first to last (inclusive)."""

    status: str
    delegate: int | None
    first: int
    last: int

    def overlaps(self, other: Span) -> bool:
        return self.first <= other.last and other.first <= self.last


def sitting_status(spans: Iterable[Span]) -> tuple[str, int | None]:
    """The one status of a person at a sitting whose rows are bounded to points (DESIGN §3), with its delegate.

    Physically there (present or remote) for at least one point → that status (present before remote: in the room
    for part of the sitting is "present"); otherwise a proxy or a substitution covering a point → the earliest,
    with its delegate; otherwise excused if a range says so, else absent."""
    rows = sorted(spans, key=lambda span: span.first)
    statuses = {span.status for span in rows}
    for status in THERE:
        if status in statuses:
            return status, None
    for span in rows:
        if span.status in DELEGATED:
            return span.status, span.delegate
    for status in ("excused", "absent"):
        if status in statuses:
            return status, None
    return "not_recorded", None


@dataclass(frozen=True)
class Bounds:
    """The points a row is bounded to (None: the agenda's end) and the positions it covers."""

    from_item: str | None
    to_item: str | None
    first: int
    last: int


@dataclass(frozen=True)
class Refusal:
    """Why bounds are refused: the column at fault ("depuis" or "jusqua") and a French sentence."""

    column: str
    message: str


def positions(points: Iterable[str]) -> dict[str, int] | None:
    """The points of an agenda with their positions in natural order (1, 2…); None for no point."""
    found = ordered(points)
    return {item: n for n, item in enumerate(found, start=1)} if found else None


def resolve_bounds(from_text: str, to_text: str, status: str, agenda: dict[str, int] | None,
                   sitting: str) -> Bounds | Refusal | None:
    """The bounds « depuis » and « jusqu'à » of a row (points, inclusive), as the import and the form both check
    them: None for a row without bounds (it covers the whole sitting); a Refusal for bounds without an agenda, a
    bound that is not a point of it, a "non renseigné" row bounded, or « depuis » after « jusqu'à ».
    `agenda` is positions() of the sitting's points; `sitting` names it in messages ("la séance conseil du …")."""
    texts = (from_text.strip(), to_text.strip())
    if not any(texts):
        return None
    column = "depuis" if texts[0] else "jusqua"
    if agenda is None:
        return Refusal(column, f"bornes sans ordre du jour : {sitting} n'a pas d'ordre du jour (importez-le avec le "
                               "modèle « ordre du jour », ou laissez « depuis » et « jusqu'à » vides).")
    if status == "not_recorded":
        return Refusal(column, "« non renseigné » ne se borne pas à des points : laissez « depuis » et « jusqu'à » "
                               "vides.")
    found: list[str | None] = []
    for name, text in zip(("depuis", "jusqua"), texts):
        item = canonical_item(text) if text else None
        if text and (item is None or item not in agenda):
            points = list(agenda)
            return Refusal(name, f"le point « {text} » n'est pas à l'ordre du jour de {sitting} (points {points[0]} à "
                                 f"{points[-1]}).")
        found.append(item)
    from_item, to_item = found
    first = agenda[from_item] if from_item else 1
    last = agenda[to_item] if to_item else len(agenda)
    if first > last:
        return Refusal("depuis", f"« depuis » (point {from_item}) vient après « jusqu'à » (point {to_item}).")
    return Bounds(from_item, to_item, first, last)


def overlap_text(first: int, last: int, other_first: int, other_last: int, agenda: dict[str, int],
                 where: str) -> str:
    """"plages qui se chevauchent : points 3 à 8 ici, 1 à 5 à la ligne 4 (…)": `where` names the other row."""
    points = list(agenda)
    return (f"plages qui se chevauchent : points {points[first - 1]} à {points[last - 1]} ici, "
            f"{points[other_first - 1]} à {points[other_last - 1]} {where}.")


def range_text(from_item: str | None, to_item: str | None) -> str:
    """"du point 3 au point 8", "à partir du point 25", "jusqu'au point 24", "au point 5", "" (whole sitting)."""
    if from_item and to_item:
        return f"au point {from_item}" if from_item == to_item else f"du point {from_item} au point {to_item}"
    if from_item:
        return f"à partir du point {from_item}"
    if to_item:
        return f"jusqu'au point {to_item}"
    return ""


def spans_text(spans: Iterable[tuple[str | None, str | None, str, int | None]]) -> str | None:
    """The rows of a person at a sitting as the change log keeps them: "présent jusqu'au point 5 ; pouvoir à
    partir du point 6 (mandataire n° 12)" (ids, never names: an erasure scrubs names only). None for no row."""
    parts = []
    for from_item, to_item, status, delegate in spans:
        where = range_text(from_item, to_item)
        parts.append(ATTENDANCE_STATUS.get(status, status) + (f" {where}" if where else "")
                     + (f" (mandataire n° {delegate})" if delegate is not None else ""))
    return " ; ".join(parts) or None


_STATUS_PERSON = {"present": "présent(e)", "remote": "à distance", "excused": "excusé(e)", "absent": "absent(e)"}


def presence_text(spans: Sequence[Any]) -> str:
    """A person's bounded rows at one sitting, as the fiche reads them: "arrivé(e) au point 5", "parti(e) après
    le point 24 ; pouvoir à DUPONT Anne à partir du point 25". Each row has from_item, to_item, status,
    delegate_name, first_item and last_item (the agenda's ends: a bound at an end says nothing)."""
    parts: list[str] = []
    was_there = False
    for span in spans:
        start = span.from_item if isinstance(span.from_item, str) and span.from_item != span.first_item else None
        end = span.to_item if isinstance(span.to_item, str) and span.to_item != span.last_item else None
        where = range_text(start, end)
        if span.status == "present":
            bits = []
            if start:
                bits.append(f"{'revenu(e)' if was_there else 'arrivé(e)'} au point {start}")
            if end:
                bits.append(f"parti(e) après le point {end}")
            parts.append(", ".join(bits) or "présent(e)")
        elif span.status in DELEGATED:
            name = span.delegate_name if isinstance(span.delegate_name, str) else "?"
            verb = f"pouvoir à {name}" if span.status == "proxy" else f"suppléé(e) par {name}"
            parts.append(verb + (f" {where}" if where else ""))
        else:
            parts.append(_STATUS_PERSON.get(span.status, span.status) + (f" {where}" if where else ""))
        was_there = was_there or span.status in THERE
    return " ; ".join(parts)


# -- what the database holds -------------------------------------------------------------------------------------

def items(conn: duckdb.DuckDBPyConnection, meeting_id: int) -> pd.DataFrame:
    """The agenda of a sitting: position, item, title, in natural order (empty without agenda)."""
    return conn.cursor().execute(query("agenda_items"), {"meeting_id": int(meeting_id)}).df()


def sittings(conn: duckdb.DuckDBPyConnection, body: str, start: date, end: date) -> pd.DataFrame:
    """The held sittings of `body` in [start, end] that have an agenda, newest first: meeting_id, meeting_date,
    format, points."""
    return conn.cursor().execute(query("agenda_sittings"), {"body": body, "start": start, "end": end}).df()


def item_quorum(conn: duckdb.DuckDBPyConnection, start: date, end: date,
                opening: pd.DataFrame | None = None) -> pd.DataFrame:
    """The quorum at each point of every held Conseil sitting with an agenda in [start, end] (DESIGN §4).

    Columns: meeting_id, meeting_date, position, item, title, present (seats occupied at that point, counted as
    the opening is: analytics/sql/agenda_item_quorum.sql), in_office, required and exempt (the sitting's, from
    quorum.quorum, which `opening` may give when already computed), reached, margin. The first point's figures
    are the opening's."""
    frame = conn.cursor().execute(query("agenda_item_quorum"),
                                  {"body": QUORUM_BODY, "start": start, "end": end}).df()
    opening = quorum.quorum(conn, start, end) if opening is None else opening
    frame = frame.merge(opening[["meeting_id", "in_office", "required", "exempt"]], on="meeting_id", how="inner")
    frame["reached"] = frame["present"] >= frame["required"]
    frame["margin"] = frame["present"] - frame["required"]
    return frame.reset_index(drop=True)


LOSS_COLUMNS = ["meeting_id", "meeting_date", "lost_at", "lost_title", "present", "in_office", "required",
                "back_at", "points_lost"]


def losses(points: pd.DataFrame) -> pd.DataFrame:
    """The sittings where the quorum, reached at the opening, was lost at a later point (item_quorum's frame):
    lost_at (the first point without it), lost_title, present / in_office / required at that point, back_at (the
    first later point where it was reached again, None if never) and points_lost (how many points lacked it).
    A sitting exempt from the quorum (reconvened after a failure) loses nothing."""
    found = []
    for meeting_id, part in points.groupby("meeting_id", sort=False):
        part = part.sort_values("position")
        if bool(part["exempt"].iloc[0]) or not bool(part["reached"].iloc[0]):
            continue  # no quorum needed, or not reached at the opening (quorum_not_reached says so)
        short = part[~part["reached"].astype(bool)]
        if short.empty:
            continue
        lost = short.iloc[0]
        after = part[(part["position"] > lost["position"]) & part["reached"].astype(bool)]
        found.append({"meeting_id": int(meeting_id), "meeting_date": lost["meeting_date"], "lost_at": lost["item"],
                      "lost_title": lost["title"], "present": int(lost["present"]),
                      "in_office": int(lost["in_office"]), "required": int(lost["required"]),
                      "back_at": None if after.empty else after["item"].iloc[0], "points_lost": len(short)})
    return pd.DataFrame(found, columns=LOSS_COLUMNS)


def strip(conn: duckdb.DuckDBPyConnection, meeting_id: int) -> pd.DataFrame:
    """Who was physically there at each point of a sitting (in the room, or by video at a teleconference): one row
    per point with position, item, title, there (how many people), arrived and left (names, "NOM Prénom": who was
    there at this point and not at the one before, who was at the one before and not at this one)."""
    agenda = items(conn, meeting_id)
    rows = conn.cursor().execute(query("agenda_strip"), {"meeting_id": int(meeting_id)}).df()
    rows = with_display_name(rows)
    there_at: dict[int, set[str]] = {int(p): set() for p in agenda["position"]}
    for position, name, there in zip(rows["position"], rows["name"], rows["there"]):
        if bool(there):
            there_at[int(position)].add(name)
    arrived: list[list[str]] = []
    left: list[list[str]] = []
    previous: set[str] | None = None
    for position in agenda["position"]:
        now = there_at[int(position)]
        arrived.append(sorted(now - previous, key=fold) if previous is not None else [])
        left.append(sorted(previous - now, key=fold) if previous is not None else [])
        previous = now
    frame = agenda.copy()
    frame["there"] = [len(there_at[int(p)]) for p in agenda["position"]]
    frame["arrived"] = arrived
    frame["left"] = left
    return frame


def person_spans(conn: duckdb.DuckDBPyConnection, person_id: int, start: date, end: date) -> pd.DataFrame:
    """The bounded rows of a person at the held meetings of [start, end], in agenda order: meeting_id, span,
    from_item, to_item, status, delegate_id, delegate_name, first_item, last_item."""
    frame = conn.cursor().execute(query("agenda_person_spans"),
                                  {"person_id": int(person_id), "start": start, "end": end}).df()
    return with_display_name(frame, "delegate_last_name", "delegate_first_name", to="delegate_name")


def presence_texts(conn: duckdb.DuckDBPyConnection, person_id: int, start: date, end: date) -> dict[int, str]:
    """"arrivé(e) au point 5"… for each held meeting of [start, end] where the person's rows are bounded."""
    frame = person_spans(conn, person_id, start, end)
    return {int(meeting_id): presence_text(list(part.itertuples(index=False)))
            for meeting_id, part in frame.groupby("meeting_id", sort=False)}
