"""Seat allocation of the Conseil communautaire under the "droit commun" of CGCT L5211-6-1 (DESIGN.md §5).

Rule 5 (IV 4°): when a commune would hold more seats than its municipal council has members, the seats in excess
are not given to other communes: the total is reduced. The law says by how much: "à due concurrence du nombre de
sièges nécessaire pour que, à l'issue d'une nouvelle application des 1° à 3°, cette commune dispose d'un nombre
total de sièges inférieur ou égal à celui de ses conseillers municipaux". So the seats shared at the proportional
(rule 2) are reduced one by one, and rules 2 to 4 applied again, until no commune holds more than its council; the
seats so removed are `Allocation.removed`. When the capped commune takes no part in the half cap (rule 4), this
removes exactly its excess (99 / 99 / 2 inhabitants: 8 / 8 / 1 of 17 → 7 / 7 / 1 of 15). When it does, removing
only the excess would leave another commune above half of the reduced total, which the new application of rule 4
prevents.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from analytics.wording.text import fold

# (exclusive upper bound of the total population, base number of seats) — CGCT L5211-6-1, III.
_BASE_TABLE = (
    (3_500, 16), (5_000, 18), (10_000, 22), (20_000, 26), (30_000, 30), (40_000, 34),
    (50_000, 38), (75_000, 40), (100_000, 42), (150_000, 48), (200_000, 56), (250_000, 64),
    (350_000, 72), (500_000, 80), (700_000, 90), (1_000_001, 100),  # "jusqu'à 1 000 000" is inclusive
)
_BASE_ABOVE = 130

# (exclusive upper bound of the commune population, municipal council size) — CGCT L2121-2.
_COUNCIL_TABLE = (
    (100, 7), (500, 11), (1_500, 15), (2_500, 19), (3_500, 23), (5_000, 27), (10_000, 29),
    (20_000, 33), (30_000, 35), (40_000, 39), (50_000, 43), (60_000, 45), (80_000, 49),
    (100_000, 53), (150_000, 55), (200_000, 59), (250_000, 61), (300_000, 65),
)
_COUNCIL_ABOVE = 69

# Thousands separators seen in French spreadsheets: space, no-break space, narrow no-break space.
_THOUSANDS = re.compile(r"[ \u00a0\u202f\u2009]")
_DIGITS = re.compile(r"[0-9]+")


class SeatsInputError(ValueError):
    """Invalid population data; the message is in French and meant for the user."""


@dataclass(frozen=True)
class CommunePopulation:
    insee: str  # may be "" when only a name is known
    name: str
    population: int
    council_size: int | None = None  # None -> council_size(population)

    @property
    def key(self) -> str:
        """Identifier used in Allocation.seats: the INSEE code, else the name."""
        return self.insee or self.name


@dataclass(frozen=True)
class Allocation:
    base: int  # B
    de_droit: int  # number of sièges de droit (rule 3)
    supplementary: int  # seats added by rule 7 (0 if not applied)
    tie_extra: int  # seats added by rule 6 ties (0 usually)
    total: int  # final total of seats (always the sum of `seats`)
    seats: dict[str, int]  # key: insee if non-empty else name -> seats, in input order
    population: int = 0  # total population P
    unplaced: int = 0  # seats that no commune could take because all had reached their cap
    removed: int = 0  # seats taken off the proportional share by rule 5 (council size), not given to anyone


def council_size(population: int) -> int:
    """Number of municipal councillors of a commune of this population (CGCT L2121-2)."""
    return next((size for bound, size in _COUNCIL_TABLE if population < bound), _COUNCIL_ABOVE)


def base_seats(total_population: int) -> int:
    """Seats shared at the proportional for an EPCI of this total population (L5211-6-1, III)."""
    return next((seats for bound, seats in _BASE_TABLE if total_population < bound), _BASE_ABOVE)


def _distribute(populations: list[int], seats: list[int], count: int, caps: list[int] | None) -> tuple[int, int]:
    """Give `count` seats by the highest average; return (seats added by a last-seat tie, seats left unplaced)."""
    tie_extra = 0
    while count > 0:
        eligible = [i for i, held in enumerate(seats) if caps is None or held < caps[i]]
        if not eligible:
            return tie_extra, count
        # Fractions, not floats: two averages may differ beyond double precision or be exactly equal.
        averages = {i: Fraction(populations[i], seats[i] + 1) for i in eligible}
        best = max(averages.values())
        tied = [i for i in eligible if averages[i] == best]
        # Giving every tied commune a seat at once is what seat-by-seat D'Hondt does while enough
        # seats remain; when fewer remain, each tied commune still gets one (L5211-6-1, IV 1°).
        for i in tied:
            seats[i] += 1
        tie_extra += max(0, len(tied) - count)
        count = max(0, count - len(tied))
    return tie_extra, 0


def allocate(communes: Sequence[CommunePopulation]) -> Allocation:
    """Share the seats of the Conseil communautaire among the communes (droit commun, agglomération)."""
    if not communes:
        raise SeatsInputError("Aucune commune : impossible de répartir les sièges.")
    keys = [c.key for c in communes]
    seen: set[str] = set()
    for commune in communes:
        if not commune.key:
            raise SeatsInputError("Une commune n'a ni code INSEE ni nom.")
        if commune.key in seen:
            raise SeatsInputError(f"La commune « {commune.key} » apparaît plusieurs fois.")
        seen.add(commune.key)
        if commune.population < 0:
            raise SeatsInputError(f"La population de « {commune.name or commune.insee} » est négative.")
    populations = [c.population for c in communes]
    total_population = sum(populations)
    base = base_seats(total_population)
    sizes = [c.council_size if c.council_size is not None else council_size(c.population) for c in communes]

    # Rule 5: no commune above its council size. The seats shared at the proportional are reduced until a new
    # application of rules 2 to 4 gives none more seats than its councillors (with none at the proportional, every
    # commune holds its one siège de droit and every council has at least 7 members, so this ends).
    removed = 0
    seats, de_droit, tie_extra, unplaced, half = _rules_2_to_4(populations, base)
    while any(held > size for held, size in zip(seats, sizes)) and removed < base:
        removed += 1
        seats, de_droit, tie_extra, unplaced, half = _rules_2_to_4(populations, base - removed)

    # Rule 7 (communauté d'agglomération): sièges de droit beyond 30 % of B -> 10 % more seats, shared by the
    # highest average within the half and the council caps.
    supplementary = 0
    if 10 * de_droit > 3 * base:
        caps = [min(half, size) for size in sizes]
        supplementary = sum(seats) // 10
        ties, lost = _distribute(populations, seats, supplementary, caps)
        tie_extra, unplaced = tie_extra + ties, unplaced + lost

    return Allocation(
        base=base, de_droit=de_droit, supplementary=supplementary, tie_extra=tie_extra,
        total=sum(seats), seats=dict(zip(keys, seats)), population=total_population, unplaced=unplaced,
        removed=removed,
    )


def _rules_2_to_4(populations: list[int], count: int) -> tuple[list[int], int, int, int, int]:
    """Rules 2 to 4 for `count` seats at the proportional: (seats, sièges de droit, tie seats, unplaced, half)."""
    # Rule 2: proportional representation at the highest average (rule 6 for a tie on the last seat).
    seats = [0] * len(populations)
    tie_extra, unplaced = _distribute(populations, seats, count, None)

    # Rule 3: a seat for every commune left out.
    de_droit = seats.count(0)
    seats = [max(1, s) for s in seats]

    # Rule 4: nobody above half of the seats actually held (B + sièges de droit, plus any tie seat); the excess
    # goes to the others by the highest average, within the same half.
    half = sum(seats) // 2
    excess = sum(max(0, s - half) for s in seats)
    seats = [min(s, half) for s in seats]
    ties, lost = _distribute(populations, seats, excess, [half] * len(seats))
    return seats, de_droit, tie_extra + ties, unplaced + lost, half


def _column(header: list[str], names: set[str]) -> int | None:
    """Index of the first header cell whose folded text is one of `names`."""
    return next((i for i, cell in enumerate(header) if fold(cell).replace("_", " ") in names), None)


def read_populations(path: Path) -> list[CommunePopulation]:
    """Read a CSV of communes (insee and/or commune, population); raise SeatsInputError on bad input."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")  # utf-8-sig drops an optional BOM
    except FileNotFoundError:
        raise SeatsInputError(f"{name} : fichier introuvable.") from None
    except UnicodeDecodeError:
        raise SeatsInputError(f"{name} : le fichier n'est pas encodé en UTF-8.") from None
    except OSError as error:
        raise SeatsInputError(f"{name} : lecture impossible ({error.strerror}).") from None
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    if not first_line:
        raise SeatsInputError(f"{name}, ligne 1 : fichier vide, en-tête « insee;commune;population » attendu.")
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(row for row in reader if any(cell.strip() for cell in row))
    header_line = reader.line_num
    insee_col = _column(header, {"insee", "code insee"})
    name_col = _column(header, {"commune", "nom", "nom commune"})
    pop_col = _column(header, {"population"})
    if pop_col is None:
        raise SeatsInputError(f"{name}, ligne {header_line}, colonne « population » : colonne absente de l'en-tête.")
    if insee_col is None and name_col is None:
        raise SeatsInputError(
            f"{name}, ligne {header_line}, colonne « commune » : il faut une colonne « insee » ou « commune »."
        )

    def cell(row: list[str], index: int | None) -> str:
        return row[index].strip() if index is not None and index < len(row) else ""

    communes: list[CommunePopulation] = []
    seen: dict[str, int] = {}
    for row in reader:
        if not any(value.strip() for value in row):
            continue
        line = reader.line_num
        insee, commune, raw = cell(row, insee_col), cell(row, name_col), cell(row, pop_col)
        where = f"{name}, ligne {line}, colonne"
        value = _THOUSANDS.sub("", raw)
        if not value:
            raise SeatsInputError(f"{where} « population » : valeur manquante.")
        if value.startswith("-") and _DIGITS.fullmatch(value[1:]):
            raise SeatsInputError(f"{where} « population » : « {raw} » est négatif ; une population est positive.")
        if not _DIGITS.fullmatch(value):
            raise SeatsInputError(f"{where} « population » : « {raw} » n'est pas un nombre entier.")
        key = insee or commune
        column = "insee" if insee else "commune"
        if not key:
            raise SeatsInputError(f"{where} « {column} » : ni code INSEE ni nom de commune.")
        if key in seen:
            raise SeatsInputError(f"{where} « {column} » : la commune « {key} » figure déjà ligne {seen[key]}.")
        seen[key] = line
        communes.append(CommunePopulation(insee=insee, name=commune, population=int(value)))
    if not communes:
        raise SeatsInputError(f"{name}, ligne {header_line} : aucune commune après l'en-tête.")
    return communes


def _thousands(number: int) -> str:
    """French thousands grouping with a plain space: 108999 -> "108 999"."""
    return f"{number:,}".replace(",", " ")


def _plural(count: int, word: str) -> str:
    """"1 siège", "3 sièges"."""
    return f"{count} {word}{'s' if count > 1 else ''}"


def command(populations: Path, as_json: bool) -> int:
    """CLI subcommand: read the populations, allocate the seats, print the result; return the exit code."""
    try:
        communes = read_populations(populations)
        result = allocate(communes)
    except SeatsInputError as error:
        print(error, file=sys.stderr)
        return 1
    rows = [(c, result.seats[c.key]) for c in communes]
    if as_json:
        payload = {
            "base": result.base,
            "de_droit": result.de_droit,
            "supplementary": result.supplementary,
            "tie_extra": result.tie_extra,
            "unplaced": result.unplaced,
            "removed": result.removed,
            "population": result.population,
            "total": result.total,
            "communes": [
                {"insee": c.insee, "commune": c.name, "population": c.population, "seats": seats}
                for c, seats in rows
            ],
        }
        print(json.dumps(payload, ensure_ascii=False))
        return 0
    print("Conseil communautaire — répartition de droit commun (CGCT, art. L5211-6-1)")
    print(f"Population totale : {_thousands(result.population)} habitants")
    print(f"Sièges à la proportionnelle : {result.base}")
    print(f"Sièges de droit : {result.de_droit}")
    print(f"Sièges supplémentaires (+10 %) : {result.supplementary}")
    if result.tie_extra:
        print(f"Sièges ajoutés pour égalité de moyenne : {result.tie_extra}")
    if result.unplaced:
        print(f"Sièges non attribuables (toutes les communes au plafond) : {result.unplaced}")
    if result.removed:
        print(f"Sièges retirés (une commune au-delà de son conseil municipal, IV 4°) : {result.removed}")
    print(f"Total : {_plural(result.total, 'siège')}")
    print()
    width = max(len(c.name or c.insee) for c, _ in rows)
    for commune, seats in sorted(rows, key=lambda row: (-row[1], fold(row[0].name or row[0].insee))):
        label = commune.name or commune.insee
        print(f"{label:<{width}}  {_thousands(commune.population):>9} hab.  {_plural(seats, 'siège')}")
    return 0
