"""The minutes reader: each family of wording of DESIGN §5b, each file format, and every refusal.

The fixtures in tests/minutes/ are modelled on real Haut-Rhin minutes (Sundgau, vallée de la Bruche, Saint-Louis
Agglomération, Centre Haut-Rhin) but every name in them is invented. The expected rows below are worked out by hand
from the fixture text: (person, status, delegate, from point, to point, line).
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest

from analytics.ingest.minutes import (
    MAX_BYTES,
    Member,
    MinutesError,
    Reading,
    extract_text,
    item_key,
    normalize_item,
    read_minutes,
)

HERE = Path(__file__).resolve().parent / "minutes"
ROOT = Path(__file__).resolve().parent.parent

MULHOUSE, RIEDISHEIM, ILLZACH, HABSHEIM = ("68224", "Mulhouse"), ("68271", "Riedisheim"), ("68154", "Illzach"), (
    "68118", "Habsheim")
GALFINGUE, ZIMMERSHEIM, NIFFER, BRUEBACH = ("68101", "Galfingue"), ("68386", "Zimmersheim"), ("68238", "Niffer"), (
    "68055", "Bruebach")

CHENE, FORET, SAULE, ERABLE, AUBEPINE, THUR_J, THUR_P, MERLE_JM, MERLE_S = range(1, 10)
FRENE_R, FRENE_H, HETRE, BOULEAU, TILLEUL, CHARME, MELEZE, SORBIER = range(10, 18)
ROSSIGNOL, FAUVETTE, PINSON, MESANGE, LORIOT = range(18, 23)


def _member(person: int, last: str, first: str, commune: tuple[str, str], role: str = "councillor",
            single: bool = False) -> Member:
    return Member(person, last, first, commune[0], commune[1], role, single)


# the members in office: homonyms (two Paul FRÊNE, two THUR), particles, a hyphenated first name written with a
# space, and three one-seat communes with their substitute (Bruebach has none on record)
MEMBERS = [
    _member(CHENE, "CHÊNE", "Jean", MULHOUSE, "president"),
    _member(FORET, "DE LA FORÊT", "Marie-Anne", MULHOUSE, "vice_president"),
    _member(SAULE, "SAULE", "Anne-Catherine", MULHOUSE),
    _member(ERABLE, "PI-ÉRABLE", "Isabelle", MULHOUSE),
    _member(AUBEPINE, "D'AUBÉPINE", "Luc", RIEDISHEIM),
    _member(THUR_J, "THUR", "Jacques", RIEDISHEIM),
    _member(THUR_P, "THUR", "Paul", ILLZACH),
    _member(MERLE_JM, "MERLE", "Jean-Michel", ILLZACH),
    _member(MERLE_S, "MERLE", "Sophie", HABSHEIM),
    _member(FRENE_R, "FRÊNE", "Paul", RIEDISHEIM),
    _member(FRENE_H, "FRÊNE", "Paul", HABSHEIM),
    _member(HETRE, "HÊTRE", "Claire", GALFINGUE, single=True),
    _member(BOULEAU, "BOULEAU", "Marc", GALFINGUE, "substitute", True),
    _member(TILLEUL, "TILLEUL", "Hugo", ZIMMERSHEIM, single=True),
    _member(CHARME, "CHARME", "Léa", ZIMMERSHEIM, "substitute", True),
    _member(MELEZE, "MÉLÈZE", "Rose", NIFFER, single=True),
    _member(SORBIER, "SORBIER", "Yves", NIFFER, "substitute", True),
    _member(ROSSIGNOL, "ROSSIGNOL", "Denise", MULHOUSE),
    _member(FAUVETTE, "FAUVETTE", "Bernard", HABSHEIM),
    _member(PINSON, "PINSON", "Alain", ILLZACH),
    _member(MESANGE, "MÉSANGE", "Chloé", RIEDISHEIM),
    _member(LORIOT, "LORIOT", "Gérard", BRUEBACH, single=True),
]


def read(name: str, **kwargs: object) -> Reading:
    path = HERE / name
    return read_minutes(extract_text(path.name, path.read_bytes()), MEMBERS, **kwargs)  # type: ignore[arg-type]


def text(value: str) -> Reading:
    return read_minutes(value.split("\n"), MEMBERS)


def rows(reading: Reading) -> set[tuple[int, str, int | None, str | None, str | None, int]]:
    return {(r.person_id, r.status, r.delegate_id, r.from_item, r.to_item, r.line) for r in reading.rows}


def statuses(reading: Reading) -> set[tuple[int, str, int | None]]:
    return {(r.person_id, r.status, r.delegate_id) for r in reading.rows}


def p(person: int, status: str = "present", delegate: int | None = None, line: int = 0, start: str | None = None,
      end: str | None = None) -> tuple[int, str, int | None, str | None, str | None, int]:
    return (person, status, delegate, start, end, line)


# --- the families of DESIGN §5b ----------------------------------------------------------------------------------

def test_sundgau_lists_after_headings_with_counts_proxies_and_substitutes() -> None:
    reading = read("sundgau.txt")
    assert rows(reading) == {
        p(CHENE, line=9), p(FORET, line=9), p(SAULE, line=9),  # "Anne Catherine" is Anne-Catherine
        p(ERABLE, line=10), p(AUBEPINE, line=10, start="5"), p(THUR_J, line=10), p(THUR_P, line=10),
        p(MERLE_JM, line=10),  # "Jean-" / "Michel MERLE": the hyphen cut by the line break is mended
        p(ROSSIGNOL, line=11),  # also secretary of the sitting: still one row
        p(HETRE, "substituted", BOULEAU, line=13), p(BOULEAU, line=13),  # the one substitute of Galfingue sat
        p(FAUVETTE, "proxy", CHENE, line=15), p(MESANGE, "proxy", ROSSIGNOL, line=16, end="24"),
        p(MERLE_S, "proxy", THUR_P, line=17),
        p(PINSON, "excused", line=19), p(MELEZE, "excused", line=19),
    }
    assert reading.sitting_date == date(2018, 9, 27)
    assert reading.convocation_date == date(2018, 9, 21)
    assert reading.declared == {"in_office": None, "present": 9, "proxy": 3, "voting": None}
    assert [(s.heading, s.kind, s.announced, s.found) for s in reading.sections] == [
        ("Étaient présents", "present", 9, 9),
        ("Étaient excusés et étaient représentés par leurs suppléants", "substituted", 1, 1),
        ("Étaient excusés et ont donné procuration de vote", "proxy", 3, 3),
        ("Étaient excusés", "excused", None, 2),
        ("Assistaient à la réunion", "others", None, 2),
        ("Secrétaire de séance", "secretary", None, 1),
    ]
    assert reading.unmatched == [] and reading.conflicts == []
    # the director and the journalist are not members: no row, no unmatched name
    assert not [u for u in reading.unmatched if "GENÉVRIER" in u.written or "COQUELICOT" in u.written]
    assert reading.not_mentioned == [FRENE_R, FRENE_H, TILLEUL, LORIOT]
    # points without an agenda in the minutes: said, not invented
    assert reading.warnings == ["Des présences sont bornées par des points, mais le texte ne donne pas l'ordre du "
                                "jour."]
    assert reading.agenda == []
    assert reading.complete
    # Denise ROSSIGNOL is listed present and is the secretary of the sitting: one row, not two
    assert [r.line for r in reading.rows if r.person_id == ROSSIGNOL] == [11]
    # the rows come in the order of the text, the titular replaced before the substitute who sat
    assert [(r.line, r.person_id) for r in reading.rows][8:12] == [(11, ROSSIGNOL), (13, HETRE), (13, BOULEAU),
                                                                   (15, FAUVETTE)]


def test_bruche_lists_split_by_civility_proxies_without_holder_and_inferred_titular() -> None:
    reading = read("bruche.txt")
    assert rows(reading) == {
        p(FORET, line=7), p(SAULE, line=7), p(ROSSIGNOL, line=7),
        p(CHENE, line=9), p(AUBEPINE, line=9), p(THUR_J, line=9), p(FRENE_R, line=9), p(TILLEUL, line=9),
        p(ERABLE, "proxy", line=11), p(MESANGE, "proxy", line=11), p(FAUVETTE, "proxy", line=11),
        p(MERLE_S, "excused", line=13), p(THUR_P, "excused", line=13),  # "Mmes …" and "MM. …"
        # "Suppléants présents : Marc BOULEAU": the one-seat councillor of his commune is the titular replaced
        p(BOULEAU, line=15), p(HETRE, "substituted", BOULEAU, line=15),
    }
    # "Suppléants excusés": a substitute who did not sit is not convened, so has no row
    assert CHARME not in {r.person_id for r in reading.rows}
    assert reading.declared == {"in_office": 19, "present": None, "proxy": None, "voting": None}
    assert reading.warnings == ["3 procuration(s) sans mandataire nommé par le texte : enregistrée(s) sans mandataire."]
    assert reading.not_mentioned == [MERLE_JM, FRENE_H, MELEZE, PINSON, LORIOT]
    assert reading.sitting_date == date(2020, 9, 21) and reading.convocation_date is None
    assert reading.agenda == [
        ("1", "Approbation du procès-verbal de la séance du 20 juillet 2020"),
        ("2", "Décisions du bureau du 14 septembre 2020"),
        ("3", "Communications"),
        ("4", "Habitat : renouvellement de la convention"),
    ]
    kinds = {s.heading: s.kind for s in reading.sections}
    assert kinds["Suppléants présents"] == "substitutes" and kinds["Suppléants excusés"] == "substitutes_out"


def test_saint_louis_lists_grouped_by_commune_with_functions_and_holders_by_initials() -> None:
    reading = read("saint_louis.txt")
    assert rows(reading) == {
        p(CHENE, line=9), p(FORET, line=10), p(ROSSIGNOL, line=11),
        p(FRENE_R, line=13, start="2.7.1"),  # "Délégués de Riedisheim" tells the two Paul FRÊNE apart
        p(THUR_J, line=14),
        p(MERLE_JM, line=16), p(PINSON, line=16),  # two people on one line, cut at the civility
        p(THUR_P, line=17),
        p(TILLEUL, "remote", line=21),
        p(FRENE_H, "excused", line=25), p(MERLE_S, "excused", line=26),
        p(MESANGE, "proxy", THUR_J, line=28),  # "J. THUR": one member has the initial J and the name THUR
        p(FAUVETTE, "proxy", CHENE, line=28), p(ERABLE, "proxy", THUR_P, line=28),
    }
    assert reading.sitting_date == date(2018, 6, 27)
    assert reading.convocation_date == date(2018, 6, 1)  # "sur l'invitation qui leur a été faite le 1er juin 2018"
    assert reading.unmatched == [] and reading.conflicts == []
    assert reading.not_mentioned == [SAULE, AUBEPINE, HETRE, MELEZE, LORIOT]
    assert [s.kind for s in reading.sections] == ["present", "remote", "excused", "proxy", "secretary"]


def test_announced_figures_last_name_first_bounds_and_agenda() -> None:
    reading = read("figures.txt")
    assert rows(reading) == {
        p(CHENE, line=9), p(FORET, line=9), p(SAULE, line=9), p(THUR_J, line=9),
        p(MERLE_JM, line=10, end="3"),
        p(ROSSIGNOL, line=10, end="3"),  # "partie avant le point 3.1": the point before 3.1 in the agenda
        p(FAUVETTE, "proxy", CHENE, line=13), p(MESANGE, "proxy", ROSSIGNOL, line=14),
        p(ERABLE, "proxy", THUR_J, line=15, start="2"),
        p(PINSON, "excused", line=17), p(AUBEPINE, "absent", line=19),
    }
    # "titulaires en exercice : 19 — présents : 6 — votants : 9" and "Procurations : 3", all met by the reading
    assert reading.declared == {"in_office": 19, "present": 6, "proxy": 3, "voting": 9}
    assert reading.warnings == []
    assert reading.sitting_date == date(2025, 3, 13)
    assert reading.convocation_date == date(2025, 3, 7)  # "régulièrement convoqué le 7 mars 2025"
    assert reading.agenda == [("1", "Approbation du procès-verbal de la séance du 6 février 2025"),
                              ("2", "Budget primitif 2025"), ("3", "Transports urbains : tarifs"),
                              ("3.1", "Tarifs solidaires"), ("4", "Questions diverses")]


def test_figures_that_disagree_with_the_lists_are_reported() -> None:
    lines = (HERE / "figures.txt").read_text(encoding="utf-8").split("\n")
    lines[5] = "Nombre de conseillers : titulaires en exercice : 21 — présents : 7 — votants : 10"
    lines[6] = "Procurations : 4"
    reading = read_minutes(lines, MEMBERS)
    assert reading.declared == {"in_office": 21, "present": 7, "proxy": 4, "voting": 10}
    assert reading.warnings == [
        "Membres en fonction annoncés : 21 ; membres en fonction fournis : 19.",
        "Présents annoncés : 7 ; présents lus : 6.",
        "Procurations annoncées : 4 ; procurations lues : 3.",
        "Votants annoncés : 10 ; votants lus (présents et procurations) : 9.",
    ]


def test_figures_of_the_deliberations_further_on_are_not_the_sitting_s() -> None:
    lines = (HERE / "sundgau.txt").read_text(encoding="utf-8").split("\n")
    lines += ["Le Conseil, après en avoir délibéré (présents : 26, votants : 33), approuve le procès-verbal."] * 3
    reading = read_minutes(lines, MEMBERS)
    # the announced counts of the headings stand: "(9)" present, "(3)" proxies; the deliberation's are ignored
    assert reading.declared == {"in_office": None, "present": 9, "proxy": 3, "voting": None}


def test_substitutes_named_inline_in_brackets_and_missing() -> None:
    reading = read("substitutes.txt")
    assert rows(reading) == {
        p(CHENE, line=5),
        p(CHARME, line=5), p(TILLEUL, "substituted", CHARME, line=5),  # "Léa CHARME, suppléante de M. Hugo TILLEUL"
        p(SORBIER, line=5), p(MELEZE, "substituted", SORBIER, line=5),  # the bracket runs over the line break
        p(ROSSIGNOL, "remote", line=6),  # "(en visioconférence)"
        p(HETRE, "substituted", BOULEAU, line=8), p(BOULEAU, line=8),  # "(suppléée par M. Marc BOULEAU)"
        p(LORIOT, "substituted", None, line=8),  # no substitute on record for Bruebach: not named, and said
        p(PINSON, "excused", line=9),
        p(THUR_P, "substituted", None, line=9),  # Illzach has several seats: no substitute, and said
    }
    assert reading.warnings == [
        "Ligne 8 : LORIOT Gérard est représenté(e) par son suppléant, mais aucun suppléant n'est connu pour "
        "Bruebach : le suppléant n'est pas nommé.",
        "Ligne 9 : THUR Paul est remplacé(e) par un suppléant, mais sa commune a plusieurs sièges (seules les "
        "communes à siège unique ont un suppléant, CGCT L5211-6).",
    ]
    assert reading.sitting_date == date(2024, 2, 5) and reading.convocation_date == date(2024, 1, 30)


def test_unknown_and_ambiguous_names_are_reported_never_guessed() -> None:
    reading = read("unknown.txt")
    assert rows(reading) == {
        p(CHENE, line=3),
        p(FRENE_H, line=3),  # "Paul FRÊNE (Habsheim)": the commune in brackets tells the homonyms apart
        p(ROSSIGNOL, "proxy", None, line=5), p(FAUVETTE, "proxy", None, line=5),  # holders unresolved
    }
    found = [(u.written, u.line, u.reason, u.context, u.for_person) for u in reading.unmatched]
    assert found == [
        ("Jean RHIN", 3, "unknown", "attendee", None),
        ("Paul FRÊNE", 3, "ambiguous", "attendee", None),
        ("THUR", 3, "ambiguous", "attendee", None),
        ("Jaques THUR", 3, "unknown", "attendee", None),  # a typo is not corrected …
        ("P. FRÊNE", 3, "ambiguous", "attendee", None),  # initials that fit two members
        ("Paul FRÊNE", 5, "ambiguous", "delegate", ROSSIGNOL),
        ("Anne MARRONNIER", 5, "unknown", "delegate", FAUVETTE),
    ]
    by_name = {(u.written, u.line): u for u in reading.unmatched}
    assert by_name[("Paul FRÊNE", 3)].suggestions == (FRENE_R, FRENE_H)
    assert by_name[("THUR", 3)].suggestions == (THUR_J, THUR_P)
    assert THUR_J in by_name[("Jaques THUR", 3)].suggestions  # … only suggested
    assert by_name[("Jean RHIN", 3)].suggestions == ()
    assert not reading.complete
    # the warning about holders not named stays silent: the holders are named, only not resolved yet
    assert not [w for w in reading.warnings if "sans mandataire" in w]


def test_choices_resolve_unmatched_names_and_what_follows_from_them() -> None:
    first = read("unknown.txt")
    picks = {("Jean RHIN", 3): LORIOT, ("Paul FRÊNE", 3): FRENE_R, ("THUR", 3): THUR_P, ("Jaques THUR", 3): THUR_J,
             ("P. FRÊNE", 3): FRENE_R, ("Paul FRÊNE", 5): FRENE_R, ("Anne MARRONNIER", 5): PINSON}
    choices = {u.key: picks[(u.written, u.line)] for u in first.unmatched}
    reading = read("unknown.txt", choices=choices)
    assert reading.unmatched == [] and reading.complete
    assert statuses(reading) == {
        (CHENE, "present", None), (LORIOT, "present", None), (FRENE_R, "present", None), (THUR_P, "present", None),
        (THUR_J, "present", None), (FRENE_H, "present", None),  # "P. FRÊNE" chosen as FRENE_R: one row, not two
        (ROSSIGNOL, "proxy", FRENE_R), (FAUVETTE, "proxy", PINSON),
    }
    assert "Ligne 5 : PINSON Alain reçoit une procuration mais ne figure pas parmi les présents." in reading.warnings


def test_conflicting_statuses_are_a_conflict_and_compatible_ones_merge() -> None:
    reading = read("conflict.txt")
    assert rows(reading) == {
        p(CHENE, line=3), p(ROSSIGNOL, line=3), p(FAUVETTE, line=3),
        p(AUBEPINE, line=3, start="4"), p(AUBEPINE, "proxy", CHENE, line=7, end="3"),  # two rows, points apart
        p(PINSON, "excused", line=5),
        p(MERLE_S, "proxy", ROSSIGNOL, line=7),  # "Excusés : Sophie MERLE" then her proxy: one proxy row
        p(FAUVETTE, "proxy", CHENE, line=7),
    }
    assert [(c.person_id, c.lines, c.statuses) for c in reading.conflicts] == [(FAUVETTE, (3, 7),
                                                                                ("present", "proxy"))]
    assert reading.conflicts[0].message == ("FAUVETTE Bernard est lu(e) plusieurs fois pour les mêmes points : "
                                            "présent (ligne 3) et procuration (ligne 7).")
    assert not reading.complete
    assert ("CHÊNE Jean détient 2 procurations (FAUVETTE Bernard et D'AUBÉPINE Luc) : un membre n'en détient "
            "qu'une (CGCT L2121-20).") in reading.warnings


def test_table_with_marks_commune_column_and_proxy_column() -> None:
    reading = read("table.txt")
    assert rows(reading) == {
        p(CHENE, line=8),
        p(FORET, "proxy", CHENE, line=9),  # excused, "Procuration à : J. CHÊNE"
        p(ROSSIGNOL, line=10),  # ✓ is a mark
        p(FRENE_R, line=11),  # the commune column tells the homonyms apart
        p(THUR_J, "excused", line=12),
        p(FRENE_H, "absent", line=13),  # no mark: absent
        p(HETRE, "excused", line=14),
    }
    assert reading.sitting_date == date(2019, 3, 26) and reading.convocation_date == date(2019, 3, 19)
    table = [s for s in reading.sections if s.kind == "table"]
    assert [(s.heading, s.line, s.found) for s in table] == [
        ("Communes | Délégués | Présents | Excusés | Procuration à", 7, 7)]
    assert reading.unmatched == []


def test_table_with_other_column_names_in_plain_text() -> None:
    reading = text("Délégué | Commune | Présence | Excusé | Pouvoir à\n"
                   "CHÊNE Jean | Mulhouse | x | |\n"
                   "PINSON Alain | Illzach | | x | J. CHÊNE\n"
                   "FRÊNE Paul | Habsheim | | |")
    assert rows(reading) == {p(CHENE, line=2), p(PINSON, "proxy", CHENE, line=3), p(FRENE_H, "absent", line=4)}


def test_lines_without_separator_wrapped_names_and_initials_lists() -> None:
    flat = ("PROCÈS-VERBAL SÉANCE DU JEUDI 22 JUIN 2017 À 19 H 00 Sous la présidence Monsieur Jean CHÊNE, Président "
            "Étaient présents : (3) Mesdames et Messieurs Jean CHÊNE, Luc D'AUBÉPINE (à partir du point 5), Isabelle "
            "PI-ÉRABLE. Étaient excusés et ont donné procuration de vote : (1) Madame Sophie MERLE a donné "
            "procuration à Monsieur Jean CHÊNE.")
    reading = text(flat)
    assert rows(reading) == {p(CHENE, line=1), p(AUBEPINE, line=1, start="5"), p(ERABLE, line=1),
                             p(MERLE_S, "proxy", CHENE, line=1)}
    assert reading.sitting_date == date(2017, 6, 22)
    initials = text("Titulaires présents : J. CHÊNE, D. ROSSIGNOL, J-M. MERLE, M-A. DE LA FORÊT\n"
                    "Suppléant avec voix délibérative : M. BOULEAU\n"
                    "Procurations : S. MERLE à J. CHÊNE, B. FAUVETTE à D. ROSSIGNOL")
    assert rows(initials) == {
        p(CHENE, line=1), p(ROSSIGNOL, line=1), p(MERLE_JM, line=1), p(FORET, line=1),
        p(BOULEAU, line=2), p(HETRE, "substituted", BOULEAU, line=2),
        p(MERLE_S, "proxy", CHENE, line=3), p(FAUVETTE, "proxy", ROSSIGNOL, line=3),
    }
    wrapped = text("Présents : Jean CHÊNE, Marie-Anne\nDE LA FORÊT, Denise ROSSIGNOL\nExcusés :\nAlain PINSON\n"
                   "Bernard FAUVETTE")
    assert rows(wrapped) == {p(CHENE, line=1), p(FORET, line=1), p(ROSSIGNOL, line=2), p(PINSON, "excused", line=4),
                             p(FAUVETTE, "excused", line=5)}


def test_proxy_phrases_after_a_comma_and_with_a_purpose() -> None:
    reading = text("Présents : Jean CHÊNE, Denise ROSSIGNOL\n"
                   "Excusés : Bernard FAUVETTE, excusé, a donné procuration à M. Jean CHÊNE pour le représenter, "
                   "Alain PINSON")
    assert rows(reading) == {p(CHENE, line=1), p(ROSSIGNOL, line=1), p(FAUVETTE, "proxy", CHENE, line=2),
                             p(PINSON, "excused", line=2)}


def test_a_commune_that_contradicts_the_members_is_not_overruled() -> None:
    reading = text("Présents : Jean-Michel MERLE (Habsheim), Jean CHÊNE")
    assert statuses(reading) == {(CHENE, "present", None)}
    [unmatched] = reading.unmatched
    assert (unmatched.written, unmatched.reason, unmatched.suggestions, unmatched.note) == (
        "Jean-Michel MERLE", "unknown", (MERLE_JM,), "aucun membre de ce nom pour Habsheim")


def test_received_proxy_chair_and_secretary() -> None:
    reading = text("Sous la présidence de M. Jean CHÊNE, Président\n"
                   "Présents : Denise ROSSIGNOL (a reçu pouvoir de Bernard FAUVETTE), Alain PINSON\n"
                   "Secrétaire de séance : M. Paul THUR")
    assert statuses(reading) == {(CHENE, "present", None), (ROSSIGNOL, "present", None), (PINSON, "present", None),
                                 (FAUVETTE, "proxy", ROSSIGNOL)}
    assert reading.warnings == [
        "CHÊNE Jean présidait la séance (ligne 1) sans figurer dans une liste : compté(e) présent(e).",
        "Ligne 3 : le secrétaire de séance THUR Paul ne figure dans aucune liste de présence.",
    ]
    unknown_secretary = text("Présents : Jean CHÊNE\nSecrétaire de séance : M. Marcel RHIN")
    assert unknown_secretary.unmatched == []  # no row depends on the secretary: a warning, not a blocking name
    assert unknown_secretary.warnings == ["Ligne 2 : le secrétaire de séance « Marcel RHIN » ne correspond à aucun "
                                          "membre (ou à plusieurs) ; il n'est pas compté."]


@pytest.mark.parametrize(("line", "sitting", "convocation"), [
    ("Séance du 13 mars 2025. Date de la convocation : 7 mars 2025", date(2025, 3, 13), date(2025, 3, 7)),
    ("Réunion du jeudi 1er février 2024, sur l'invitation qui leur a été faite le 26 janvier 2024",
     date(2024, 2, 1), date(2024, 1, 26)),
    ("Le conseil, dûment convoqués le 15 septembre, s'est réuni le 22 septembre 2016 à la mairie",
     date(2016, 9, 22), date(2016, 9, 15)),  # the convocation written without its year takes the sitting's
    ("CONSEIL D'AGGLOMÉRATION DU 22/06/2017 — convocation du 16/06/2017", date(2017, 6, 22), date(2017, 6, 16)),
    ("1) Approbation du procès-verbal de la séance du 20 juillet 2020", None, None),  # a previous sitting
])
def test_dates_of_the_sitting_and_of_the_convocation(line: str, sitting: date | None,
                                                     convocation: date | None) -> None:
    reading = text(f"{line}\nPrésents : Jean CHÊNE")
    assert (reading.sitting_date, reading.convocation_date) == (sitting, convocation)


# --- file formats -------------------------------------------------------------------------------------------------

def test_windows_1252_and_utf8_with_bom_read_alike() -> None:
    data = (HERE / "windows1252.txt").read_bytes()
    lines = extract_text("pv.txt", data)
    assert lines[0] == "Conseil d’Agglomération — séance du 4 avril 2024"
    assert extract_text("pv.TXT", b"\xef\xbb\xbf" + data.decode("cp1252").encode("utf-8")) == lines
    reading = read_minutes(lines, MEMBERS)
    assert statuses(reading) == {(CHENE, "present", None), (MESANGE, "present", None), (CHARME, "present", None),
                                 (TILLEUL, "substituted", CHARME), (MELEZE, "excused", None)}
    assert reading.sitting_date == date(2024, 4, 4)


def test_mixed_or_unknown_encodings_are_refused() -> None:
    mixed = "Présents : Jean CHÊNE\n".encode() + "Excusée : Rose MÉLÈZE\n".encode("cp1252")
    with pytest.raises(MinutesError) as error:
        extract_text("pv.txt", mixed)
    assert "mélange deux encodages" in error.value.message and error.value.line == 2
    with pytest.raises(MinutesError, match="ni en UTF-8 ni en Windows-1252"):
        extract_text("pv.txt", b"Pr\x81sents : Jean CH\x8dNE")


def _docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Conseil d'Agglomération — séance du 26 mars 2019")
    document.add_paragraph("Date de la convocation : 19 mars 2019")
    document.add_paragraph("Étaient présents : Jean CHÊNE, Marie-Anne DE LA FORÊT")
    table = document.add_table(rows=4, cols=5)
    values = [["Commune", "Délégué", "Présent", "Excusé", "Procuration à"],
              ["Riedisheim", "THUR Jacques", "✓", "", ""],
              ["", "FRÊNE Paul", "", "x", "J. THUR"],
              ["Habsheim", "FRÊNE Paul", "", "", ""]]
    for row, cells in zip(table.rows, values, strict=True):
        for cell, value in zip(row.cells, cells, strict=True):
            cell.text = value
    table.cell(1, 0).merge(table.cell(2, 0))  # the commune cell spans its two delegates
    document.add_paragraph("Secrétaire de séance : Mme Marie-Anne DE LA FORÊT")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_paragraphs_and_a_table_with_a_merged_commune_cell() -> None:
    lines = extract_text("pv.docx", _docx())
    assert lines[3:7] == ["Commune\tDélégué\tPrésent\tExcusé\tProcuration à", "Riedisheim\tTHUR Jacques\t✓",
                          "Riedisheim\tFRÊNE Paul\t\tx\tJ. THUR", "Habsheim\tFRÊNE Paul"]
    reading = read_minutes(lines, MEMBERS)
    assert rows(reading) == {p(CHENE, line=3), p(FORET, line=3), p(THUR_J, line=5),
                             p(FRENE_R, "proxy", THUR_J, line=6), p(FRENE_H, "absent", line=7)}
    assert reading.sitting_date == date(2019, 3, 26) and reading.convocation_date == date(2019, 3, 19)


def _odt() -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, List, ListItem, P

    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text="Conseil d'Agglomération — séance du 5 février 2024"))
    document.text.addElement(P(text="Étaient présents : Jean CHÊNE, Denise ROSSIGNOL"))
    table = Table(name="emargement")
    table.addElement(TableColumn(numbercolumnsrepeated=4))
    for values in (["Délégué", "Présent", "Excusé", "Procuration à"], ["THUR Jacques", "", "x", "Jean CHÊNE"],
                   ["PINSON Alain", "x"]):
        row = TableRow()
        for value in values:
            cell = TableCell()
            cell.addElement(P(text=value))
            row.addElement(cell)
        if len(values) < 4:
            row.addElement(TableCell(numbercolumnsrepeated=1024))  # what office suites write: never expanded
        table.addElement(row)
    document.text.addElement(table)
    document.text.addElement(P(text="Excusés :"))
    items = List()
    item = ListItem()
    item.addElement(P(text="Mme Sophie MERLE"))
    items.addElement(item)
    document.text.addElement(items)
    document.text.addElement(P(text="Secrétaire de séance : Mme Denise ROSSIGNOL"))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_odt_paragraphs_lists_and_a_table() -> None:
    lines = extract_text("pv.odt", _odt())
    assert lines == ["Conseil d'Agglomération — séance du 5 février 2024",
                     "Étaient présents : Jean CHÊNE, Denise ROSSIGNOL",
                     "Délégué\tPrésent\tExcusé\tProcuration à", "THUR Jacques\t\tx\tJean CHÊNE", "PINSON Alain\tx",
                     "Excusés :", "Mme Sophie MERLE", "Secrétaire de séance : Mme Denise ROSSIGNOL"]
    reading = read_minutes(lines, MEMBERS)
    assert rows(reading) == {p(CHENE, line=2), p(ROSSIGNOL, line=2), p(THUR_J, "proxy", CHENE, line=4),
                             p(PINSON, line=5), p(MERLE_S, "excused", line=7)}


def _pdf(scanned: bool = False) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    if scanned:
        from PIL import Image, ImageDraw

        image = Image.new("RGB", (600, 200), "white")
        ImageDraw.Draw(image).rectangle((20, 20, 580, 60), fill="black")
        pdf.image(image, x=10, y=10, w=180)
        return bytes(pdf.output())
    pdf.set_font("Helvetica", size=11)
    for line in ("CONSEIL D'AGGLOMÉRATION - SÉANCE DU 13 MARS 2025", "Étaient présents : Jean CHÊNE, Denise ROSSIGNOL,",
                 "Jean-", "Michel MERLE", "Excusés : Alain PINSON"):
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    with pdf.table() as table:  # a ruled table: pdfplumber finds its cells
        for values in (["Délégué", "Présent", "Excusé", "Procuration à"], ["THUR Jacques", "", "x", "Jean CHÊNE"],
                       ["FAUVETTE Bernard", "x", "", ""]):
            row = table.row()
            for value in values:
                row.cell(value)
    pdf.cell(0, 8, "Secrétaire de séance : Mme Denise ROSSIGNOL", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def test_pdf_with_a_text_layer_and_a_ruled_table() -> None:
    lines = extract_text("pv.pdf", _pdf())
    assert lines == ["CONSEIL D'AGGLOMÉRATION - SÉANCE DU 13 MARS 2025",
                     "Étaient présents : Jean CHÊNE, Denise ROSSIGNOL,", "Jean-", "Michel MERLE",
                     "Excusés : Alain PINSON", "Délégué\tPrésent\tExcusé\tProcuration à",
                     "THUR Jacques\t\tx\tJean CHÊNE", "FAUVETTE Bernard\tx",
                     "Secrétaire de séance : Mme Denise ROSSIGNOL"]
    reading = read_minutes(lines, MEMBERS)
    assert rows(reading) == {p(CHENE, line=2), p(ROSSIGNOL, line=2), p(MERLE_JM, line=3),
                             p(PINSON, "excused", line=5), p(THUR_J, "proxy", CHENE, line=7),
                             p(FAUVETTE, line=8)}
    assert reading.sitting_date == date(2025, 3, 13)


# --- refusals and bounds -----------------------------------------------------------------------------------------

def test_scanned_pdf_without_text_is_refused_with_ocr_advice() -> None:
    with pytest.raises(MinutesError) as error:
        extract_text("scan.pdf", _pdf(scanned=True))
    assert "scan" in error.value.message and "OCR" in error.value.message


def test_empty_file_and_text_that_is_not_minutes_are_refused() -> None:
    with pytest.raises(MinutesError, match="vide"):
        extract_text("empty.txt", (HERE / "empty.txt").read_bytes())
    with pytest.raises(MinutesError, match="aucun texte"):
        extract_text("blank.txt", b"  \n\n \t\n")
    with pytest.raises(MinutesError, match="ne ressemble pas à un procès-verbal"):
        read("not_minutes.txt")
    with pytest.raises(MinutesError, match="vide"):
        read_minutes(["", "  "], MEMBERS)


def test_formats_and_damaged_files_are_refused_clearly() -> None:
    with pytest.raises(MinutesError, match=r"non pris en charge \(\.doc\)"):
        extract_text("pv.doc", b"\xd0\xcf\x11\xe0")
    with pytest.raises(MinutesError, match="n'est pas un PDF"):
        extract_text("pv.pdf", b"Pr\xc3\xa9sents : Jean")
    with pytest.raises(MinutesError, match="illisible ou endommagé"):
        extract_text("pv.pdf", b"%PDF-1.7\n% nothing else")
    with pytest.raises(MinutesError, match=r"document Word \(\.docx\) valide"):
        extract_text("pv.docx", b"PK not really a zip")
    with pytest.raises(MinutesError, match=r"OpenDocument \(\.odt\) est illisible"):
        extract_text("pv.odt", _zip({"content.txt": b"hello"}))


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_sizes_are_bounded_before_parsing() -> None:
    with pytest.raises(MinutesError, match="20 Mo"):
        extract_text("pv.txt", b"a" * (MAX_BYTES + 1))
    # a ZIP bomb: 101 MB of zeros compress to about 100 kB
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("word/document.xml", "w") as out:
        chunk = b"\0" * (1024 * 1024)
        for _ in range(101):
            out.write(chunk)
    assert len(buffer.getvalue()) < MAX_BYTES
    for name in ("bomb.docx", "bomb.odt"):
        with pytest.raises(MinutesError, match="décompressé pèserait 101 Mo"):
            extract_text(name, buffer.getvalue())


def test_a_text_naming_too_many_people_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from analytics.ingest.minutes import reader

    monkeypatch.setattr(reader, "MAX_NAMES", 5)
    with pytest.raises(MinutesError, match="plus de 5 personnes"):
        text("Présents : " + ", ".join(["Jean CHÊNE"] * 6))


def test_agenda_points_compare_in_natural_order() -> None:
    assert sorted(["10", "3.2", "2", "3.10", "3.1", "3"], key=item_key) == ["2", "3", "3.1", "3.2", "3.10", "10"]
    assert [normalize_item(v) for v in ("05", "7-A", "2 . 7 . 1")] == ["5", "7.A", "2.7.1"]


def test_the_reader_runs_without_streamlit_or_the_database() -> None:
    code = ("import sys, analytics.ingest.minutes as m; m.read_minutes(['Présents : Jean CHÊNE'], []); "
            "print(sorted(n for n in ('streamlit', 'duckdb', 'pandas') if n in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
