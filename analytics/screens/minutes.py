"""The tab « Depuis un procès-verbal » of the Saisie page, without Streamlit: the reading as tables, the choices
offered for each unmatched name, and the French lines the tab shows."""

from __future__ import annotations

import pandas as pd

from analytics.ingest.minutes import Reading, Unmatched
from analytics.ingest.minutes.sitting import DECLARED_LABELS, REASONS, SECTION_LABELS, Roster, found_figures
from analytics.wording import labels

READING_COLUMNS = ["Ligne", "Nom", "Commune", "Statut", "Mandataire", "Depuis le point", "Jusqu'au point",
                   "Texte"]
UNRESOLVED = -1  # the picker's "not chosen yet"


def numbered_text(lines: list[str]) -> str:
    """The extracted text with its line numbers, as the reading names them."""
    width = len(str(len(lines)))
    return "\n".join(f"{number:>{width}}  {line}" for number, line in enumerate(lines, start=1))


def reading_frame(reading: Reading, roster: Roster) -> pd.DataFrame:
    """One row a row read: its line, the person, the status, the holder or substitute, the bounds, the text."""
    rows = []
    for row in reading.rows:
        person = roster.people[row.person_id]
        rows.append((row.line, person.display, person.commune_name or "", labels.ATTENDANCE_STATUS[row.status],
                     roster.name(row.delegate_id) or "", row.from_item or "", row.to_item or "", row.written))
    return pd.DataFrame(rows, columns=READING_COLUMNS)


def figures_frame(reading: Reading, roster: Roster) -> pd.DataFrame:
    """The figures the text announces against those the reading finds ("—" when the text announces none)."""
    found = found_figures(reading, roster)
    return pd.DataFrame(
        [(label.capitalize(), reading.declared.get(key), found[key]) for key, label in DECLARED_LABELS.items()],
        columns=["Chiffre", "Annoncé", "Trouvé"]).astype(object)


def sections_frame(reading: Reading) -> pd.DataFrame:
    """The headings read, with the count each announces and the names found under it."""
    return pd.DataFrame(
        [(s.line, s.heading, SECTION_LABELS.get(s.kind, s.kind), s.announced, s.found) for s in reading.sections],
        columns=["Ligne", "Rubrique", "Nature", "Annoncé", "Trouvé"]).astype(object)


def pick_options(unmatched: Unmatched, roster: Roster) -> list[int]:
    """The choices of the picker of an unmatched name: not chosen, then the suggestions of the reader, then every
    member in office in alphabetical order (substitutes only where a substitute is wanted)."""
    wanted_substitute = unmatched.context == "delegate" and unmatched.status == "substituted"
    members = [m for m in roster.members
               if m.person_id not in unmatched.suggestions and (not m.is_substitute or wanted_substitute
                                                                 or unmatched.context != "titular")]
    members.sort(key=lambda m: (roster.people[m.person_id].display, m.commune_name or "", m.person_id))
    return [UNRESOLVED, *unmatched.suggestions, *(m.person_id for m in members)]


def pick_label(person_id: int, roster: Roster) -> str:
    """A member in the picker: "NOM Prénom (Commune)"."""
    if person_id == UNRESOLVED:
        return "— choisir —"
    return roster.label(person_id)


def unmatched_label(unmatched: Unmatched) -> str:
    """What the picker of an unmatched name says of it: its text, its line and why it is unresolved."""
    role = {"delegate": " (mandataire ou suppléant)", "titular": " (titulaire remplacé)"}.get(unmatched.context, "")
    return f"Ligne {unmatched.line} : « {unmatched.written} »{role} — {REASONS.get(unmatched.reason, unmatched.reason)}"
