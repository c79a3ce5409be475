"""Tests of the droit commun seat allocation (CGCT L5211-6-1) and its CSV input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from analytics.rules.seats import (
    Allocation,
    CommunePopulation,
    SeatsInputError,
    allocate,
    base_seats,
    command,
    council_size,
    read_populations,
)
from analytics.store.reference import COMMUNES_FILE


def communes(*populations: int) -> list[CommunePopulation]:
    """Communes named A, B, C… with the given populations and no INSEE code."""
    return [CommunePopulation("", chr(ord("A") + i), p) for i, p in enumerate(populations)]


def check_accounting(result: Allocation) -> None:
    """Every seat is accounted for by one of the rules."""
    assert result.total == sum(result.seats.values())
    assert result.total == (
        result.base - result.removed + result.de_droit + result.supplementary + result.tie_extra - result.unplaced
    )


# --- Tables ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("population", "expected"),
    [
        (0, 16), (3_499, 16), (3_500, 18), (4_999, 18), (5_000, 22), (9_999, 22), (10_000, 26),
        (19_999, 26), (20_000, 30), (29_999, 30), (30_000, 34), (39_999, 34), (40_000, 38),
        (49_999, 38), (50_000, 40), (74_999, 40), (75_000, 42), (99_999, 42), (100_000, 48),
        (149_999, 48), (150_000, 56), (199_999, 56), (200_000, 64), (249_999, 64), (250_000, 72),
        (349_999, 72), (350_000, 80), (499_999, 80), (500_000, 90), (699_999, 90), (700_000, 100),
        (1_000_000, 100), (1_000_001, 130),
    ],
)
def test_base_seats_boundaries(population: int, expected: int) -> None:
    assert base_seats(population) == expected


@pytest.mark.parametrize(
    ("population", "expected"),
    [
        (0, 7), (99, 7), (100, 11), (499, 11), (500, 15), (1_499, 15), (1_500, 19), (2_499, 19),
        (2_500, 23), (3_499, 23), (3_500, 27), (4_999, 27), (5_000, 29), (9_999, 29), (10_000, 33),
        (19_999, 33), (20_000, 35), (29_999, 35), (30_000, 39), (39_999, 39), (40_000, 43),
        (49_999, 43), (50_000, 45), (59_999, 45), (60_000, 49), (79_999, 49), (80_000, 53),
        (99_999, 53), (100_000, 55), (149_999, 55), (150_000, 59), (199_999, 59), (200_000, 61),
        (249_999, 61), (250_000, 65), (299_999, 65), (300_000, 69), (2_000_000, 69),
    ],
)
def test_council_size_boundaries(population: int, expected: int) -> None:
    assert council_size(population) == expected


# --- Allocation rules ------------------------------------------------------------------------------


def test_plain_dhondt() -> None:
    # P = 3,300 -> B = 16. Averages in decreasing order:
    # 1500 A, 1100 B, 750 A, 700 C, 550 B, 500 A, 375 A, 366.7 B, 350 C, 300 A, 275 B, 250 A,
    # 233.3 C, 220 B, 214.3 A, 187.5 A (16th seat); next would be 183.3 B.
    # A = 8, B = 5, C = 3; A holds exactly half (8 <= 16 // 2), no cap applies.
    result = allocate(communes(1_500, 1_100, 700))
    assert result.seats == {"A": 8, "B": 5, "C": 3}
    assert (result.base, result.de_droit, result.supplementary, result.tie_extra, result.total) == (16, 0, 0, 0, 16)
    assert result.population == 3_300
    check_accounting(result)


def test_seats_keyed_by_insee_in_input_order() -> None:
    # Same populations as test_plain_dhondt, listed smallest first; C has no INSEE code.
    result = allocate([
        CommunePopulation("68003", "Petite", 700),
        CommunePopulation("68002", "Moyenne", 1_100),
        CommunePopulation("", "Grande", 1_500),
    ])
    assert list(result.seats.items()) == [("68003", 3), ("68002", 5), ("Grande", 8)]


def test_siege_de_droit() -> None:
    # P = 3,350 -> B = 16. A's averages 1700/k, B's 1600/k; the 16 best are A1..A8 (down to 212.5)
    # and B1..B8 (down to 200); next would be A9 = 188.9. C (50) never reaches them: A = 8, B = 8, C = 0.
    # C gets a siège de droit: T = 17, half = 8, nobody above it. 10 * 1 > 3 * 16 is false: no rule 7.
    result = allocate(communes(1_700, 1_600, 50))
    assert result.seats == {"A": 8, "B": 8, "C": 1}
    assert (result.de_droit, result.supplementary, result.total) == (1, 0, 17)
    check_accounting(result)


def test_half_cap_with_one_dominant_commune() -> None:
    # P = 3,390 -> B = 16. A's averages 3000/k are >= 300 for k <= 10, then B1 = 290 beats A11 = 272.7;
    # then A11..A15 (200) are all above B2 = 145: A = 15, B = 1, C = 0.
    # C gets a siège de droit: T = 17, half = 17 // 2 = 8, so A gives back 7 seats.
    # They go to B (1 seat) and C (1 seat) by highest average:
    # B 145, B 96.7, B 72.5, B 58, C 50, B 48.3, B 41.4 -> B = 7, C = 2.
    result = allocate(communes(3_000, 290, 100))
    assert result.seats == {"A": 8, "B": 7, "C": 2}
    assert (result.base, result.de_droit, result.total) == (16, 1, 17)
    check_accounting(result)


def test_council_size_cap() -> None:
    # Same populations as test_plain_dhondt (A = 8, B = 5, C = 3) but A's council has only 6 members.
    # Rule 5: A's 2 seats in excess are not given to the others; the seats at the proportional are reduced until
    # A holds no more than 6: 15 seats (the 16th average, A's 187.5, drops) give A = 7; 14 (A's 214.3 drops too)
    # give A = 6, B = 5, C = 3. Total 14 = 16 − 2, the excess.
    result = allocate([
        CommunePopulation("", "A", 1_500, council_size=6),
        CommunePopulation("", "B", 1_100),
        CommunePopulation("", "C", 700),
    ])
    assert result.seats == {"A": 6, "B": 5, "C": 3}
    assert (result.total, result.removed) == (14, 2)
    check_accounting(result)


def test_council_size_cap_reduces_the_total_99_99_2() -> None:
    # P = 99 + 99 + 2 = 200 -> B = 16. Council sizes (CGCT L2121-2, council_size): fewer than 100 inhabitants -> 7
    # for all three (given explicitly so that the test stands alone).
    # D'Hondt: A and B both average 99/k, C 2; the 16 seats go A1 B1 (99) … A8 B8 (12.375), C's 2 never reaches
    # them: A = 8, B = 8, C = 0 -> C gets a siège de droit: T = 17, half = 8, nobody above it (rule 4).
    # Rule 5: A and B hold 8 > 7 councillors. With 15 seats at the proportional the 15th is a tie A8 = B8 = 12.375,
    # each gets one (rule 6): still 8 / 8. With 14: A = 7, B = 7, C = 0 + 1 de droit -> 7 / 7 / 1, T = 15 (half 7:
    # fine). The 2 seats removed went to nobody (not to C).
    result = allocate([
        CommunePopulation("", "A", 99, council_size=7),
        CommunePopulation("", "B", 99, council_size=7),
        CommunePopulation("", "C", 2, council_size=7),
    ])
    assert council_size(99) == council_size(2) == 7
    assert result.seats == {"A": 7, "B": 7, "C": 1}
    assert (result.base, result.de_droit, result.removed, result.tie_extra, result.total) == (16, 1, 2, 0, 15)
    check_accounting(result)
    # the same populations with the council sizes the law derives from them
    assert allocate(communes(99, 99, 2)).seats == {"A": 7, "B": 7, "C": 1}


def test_council_size_cap_with_the_half_cap() -> None:
    # Ville 101,600, Bourg 1,700 (council 19), Hameau 50 (council 7): P = 103,350 -> B = 48, all to Ville
    # (101600/48 = 2116.7 > 1700). Bourg and Hameau get sièges de droit: T = 50, half = 25, Ville gives back 23,
    # all to Bourg (its averages 1700/k stay above Hameau's 25 up to k = 67): Bourg 24 > 19 councillors.
    # Removing only Bourg's 5 in excess would leave Ville 25 of 45 seats, above the half. The law reduces the
    # total until a new application of rules 2 to 4 leaves Bourg within its council (L5211-6-1, IV 4°):
    # with B' seats, Ville gets B', gives back B' − (B' + 2) // 2 to Bourg, who holds 1 + that: ≤ 19 needs
    # B' − (B' + 2) // 2 ≤ 18, first true at B' = 38 (38 − 20 = 18): Ville 20, Bourg 19, Hameau 1, T = 40.
    result = allocate([
        CommunePopulation("", "Ville", 101_600),
        CommunePopulation("", "Bourg", 1_700),
        CommunePopulation("", "Hameau", 50),
    ])
    assert result.seats == {"Ville": 20, "Bourg": 19, "Hameau": 1}
    assert (result.base, result.removed, result.de_droit, result.total) == (48, 10, 2, 40)
    assert max(result.seats.values()) <= result.total // 2
    check_accounting(result)


def test_unplaceable_seat_is_reported() -> None:
    # P = 3,100 -> B = 16: A gets all 16 (3000/16 = 187.5 > 100). C gets a siège de droit: T = 17, half = 8.
    # A gives back 8 seats, but C can only climb to the half (8) too: 1 seat cannot be placed.
    result = allocate(communes(3_000, 100))
    assert result.seats == {"A": 8, "B": 8}
    assert (result.de_droit, result.unplaced, result.total) == (1, 1, 16)
    check_accounting(result)


def test_tie_for_the_last_seat_gives_a_seat_to_each() -> None:
    # P = 3,000 -> B = 16. Three equal communes: after 15 seats (5 each) the 16th seat is a three-way
    # tie at 1000/6, so each gets one: 6 + 6 + 6 = 18 seats, 2 more than B.
    result = allocate(communes(1_000, 1_000, 1_000))
    assert result.seats == {"A": 6, "B": 6, "C": 6}
    assert (result.tie_extra, result.total) == (2, 18)
    check_accounting(result)


def test_tie_not_on_the_last_seat_adds_nothing() -> None:
    # P = 2,000 -> B = 16: two equal communes always tie, but 16 splits evenly (8 = half of 16).
    result = allocate(communes(1_000, 1_000))
    assert result.seats == {"A": 8, "B": 8}
    assert (result.tie_extra, result.total) == (0, 16)


def test_supplementary_seats_when_many_sieges_de_droit() -> None:
    # P = 3,200 -> B = 16. A's averages 1600/k, B's 1400/k; the 16 best end with A8 = B7 = 200
    # (15th and 16th, not the last seat alone) and A9 = 177.8; next would be B8 = 175: A = 9, B = 7.
    # The five tiny communes get sièges de droit: 10 * 5 = 50 > 3 * 16 = 48, so rule 7 applies.
    # T = 21, floor(21 / 10) = 2 more seats by highest average: B 1400/8 = 175, A 1600/10 = 160.
    # A = 10 stays within the half cap (21 // 2 = 10).
    result = allocate(communes(1_600, 1_400, 20, 30, 40, 50, 60))
    assert result.seats == {"A": 10, "B": 8, "C": 1, "D": 1, "E": 1, "F": 1, "G": 1}
    assert (result.base, result.de_droit, result.supplementary, result.total) == (16, 5, 2, 23)
    check_accounting(result)


def test_no_supplementary_seats_at_thirty_percent_or_less() -> None:
    # Same as above with four tiny communes: P = 3,140 -> B = 16, A = 9, B = 7 again;
    # 10 * 4 = 40 > 48 is false: no rule 7, T = 20.
    result = allocate(communes(1_600, 1_400, 20, 30, 40, 50))
    assert result.seats == {"A": 9, "B": 7, "C": 1, "D": 1, "E": 1, "F": 1}
    assert (result.de_droit, result.supplementary, result.total) == (4, 0, 20)


def test_exact_arithmetic_beyond_float_precision() -> None:
    # N = 2**60: doubles near N / k (k <= 44) are at least 2**60 / 44 / 2**52 > 4 apart, so N / k,
    # (N + 1) / k and (N + 2) / k round to the same float and a float-based D'Hondt would see a
    # three-way tie on every seat (44 each, 2 tie seats).
    # Exactly, C > B > A on every round: seats go C, B, A, C, B, A…; B = 130 = 3 * 43 + 1 -> C gets 44.
    n = 2**60
    assert all(n / k == (n + 1) / k == (n + 2) / k for k in range(1, 45))
    result = allocate(communes(n, n + 1, n + 2))
    assert result.base == 130
    assert result.seats == {"A": 43, "B": 43, "C": 44}
    assert (result.tie_extra, result.total) == (0, 130)


def test_allocate_rejects_duplicates_and_empty_input() -> None:
    with pytest.raises(SeatsInputError, match="plusieurs fois"):
        allocate([CommunePopulation("68224", "Mulhouse", 1), CommunePopulation("68224", "Mulhouse", 2)])
    with pytest.raises(SeatsInputError, match="Aucune commune"):
        allocate([])


def m2a_2019() -> list[CommunePopulation]:
    """The 39 communes of m2A with their 2019 populations, from the reference file the application loads."""
    with COMMUNES_FILE.open(encoding="utf-8", newline="") as handle:
        return [CommunePopulation(r["insee"], r["commune"], int(r["population_2019"]))
                for r in csv.DictReader(handle, delimiter=";")]


def test_m2a_sanity() -> None:
    # 39 communes, P = 272,712 -> B = 72. A divisor of 3,000 gives the D'Hondt result:
    # Mulhouse 36, Wittenheim/Illzach/Rixheim/Kingersheim/Riedisheim 4, Wittelsheim/Pfastatt 3,
    # Brunstatt/Lutterbach 2, six communes from Sausheim (5,512) to Richwiller (3,687) 1:
    # 36 + 20 + 6 + 4 + 6 = 72; the 23 communes below 3,000 get sièges de droit.
    # 10 * 23 = 230 > 3 * 72 = 216 -> rule 7: T = 95, floor(9.5) = 9 more seats, best averages
    # Mulhouse 108999/37 = 2946, Wittenheim 14589/5 = 2918, Illzach 2909, Mulhouse 2868, Rixheim 2815,
    # Mulhouse 2795, Sausheim 5512/2 = 2756, Mulhouse 2725, Mulhouse 2658 (next: Kingersheim 2630).
    result = allocate(m2a_2019())
    assert len(result.seats) == 39
    assert result.population == 272_712
    assert (result.base, result.de_droit, result.supplementary, result.total) == (72, 23, 9, 104)
    assert result.seats["68224"] == 41 <= (72 + 23) // 2
    assert result.seats["68376"] == result.seats["68154"] == result.seats["68278"] == 5
    assert result.seats["68300"] == 2
    assert min(result.seats.values()) == 1
    check_accounting(result)


# --- CSV input -------------------------------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "populations.csv", bom: bool = False) -> Path:
    """Write a UTF-8 test file, optionally with a byte order mark."""
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_read_semicolon_file_with_bom_and_spaced_numbers(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        " Code INSEE ; Commune ; Population ;Secteur\n"
        "68224;Mulhouse;108 999;Centre\n"
        "68154;Illzach;14\u00a0545;Nord\n"
        "\n"
        "68056;Brunstatt-Didenheim;7\u202f850;Sud\n",
        bom=True,
    )
    assert read_populations(path) == [
        CommunePopulation("68224", "Mulhouse", 108_999),
        CommunePopulation("68154", "Illzach", 14_545),
        CommunePopulation("68056", "Brunstatt-Didenheim", 7_850),
    ]


def test_read_comma_file_with_accented_headers_and_names_only(tmp_path: Path) -> None:
    path = write(tmp_path, 'COMMUNÉ,Pöpulation,superficie\n"Chalampé",950,"4,5"\nNiffer, 953 ,10\n')
    assert read_populations(path) == [
        CommunePopulation("", "Chalampé", 950),
        CommunePopulation("", "Niffer", 953),
    ]


def test_read_insee_only(tmp_path: Path) -> None:
    path = write(tmp_path, "insee;population\n68224;108999\n")
    assert read_populations(path) == [CommunePopulation("68224", "", 108_999)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "populations.csv, ligne 1 : fichier vide"),
        ("\n  \n", "populations.csv, ligne 1 : fichier vide"),
        ("insee;commune;habitants\n68224;Mulhouse;1\n",
         "populations.csv, ligne 1, colonne « population » : colonne absente"),
        ("code;population\n68224;1\n", "populations.csv, ligne 1, colonne « commune » : il faut une colonne"),
        ("insee;commune;population\n", "populations.csv, ligne 1 : aucune commune"),
        ("insee;commune;population\n68001;A;1\n68002;B;2\n68003;C;abc\n",
         "populations.csv, ligne 4, colonne « population » : « abc » n'est pas un nombre entier."),
        ("insee;commune;population\n68001;A;1,5\n",
         "populations.csv, ligne 2, colonne « population » : « 1,5 » n'est pas un nombre entier."),
        ("insee;commune;population\n68001;A;\n",
         "populations.csv, ligne 2, colonne « population » : valeur manquante."),
        ("insee;commune;population\n68001;A;-5\n",
         "populations.csv, ligne 2, colonne « population » : « -5 » est négatif"),
        ("insee;commune;population\n;;12\n", "populations.csv, ligne 2, colonne « commune » : ni code INSEE"),
        ("insee;commune;population\n68001;A;1\n\n68001;A bis;2\n",
         "populations.csv, ligne 4, colonne « insee » : la commune « 68001 » figure déjà ligne 2."),
        ("commune;population\nA;1\nA;2\n",
         "populations.csv, ligne 3, colonne « commune » : la commune « A » figure déjà ligne 2."),
    ],
)
def test_read_errors_name_file_line_and_column(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(SeatsInputError) as caught:
        read_populations(write(tmp_path, text))
    assert str(caught.value).startswith(expected)
    assert isinstance(caught.value, ValueError)


def test_read_missing_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(SeatsInputError, match=r"^absent\.csv : fichier introuvable\.$"):
        read_populations(tmp_path / "absent.csv")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("commune;population\nChalampé;950\n".encode("latin-1"))
    with pytest.raises(SeatsInputError, match=r"^latin1\.csv : .*UTF-8"):
        read_populations(latin1)


# --- Command ---------------------------------------------------------------------------------------


SAMPLE = "insee;commune;population\n68003;Petite;700\n68002;Moyenne;1 100\n68001;Grande;1 500\n"


def test_command_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Same populations as test_plain_dhondt: 8, 5, 3 seats; communes stay in input order.
    assert command(write(tmp_path, SAMPLE), as_json=True) == 0
    out, err = capsys.readouterr()
    assert err == ""
    data = json.loads(out)
    assert data["base"] == 16 and data["total"] == 16
    assert data["de_droit"] == 0 and data["supplementary"] == 0 and data["removed"] == 0
    assert data["communes"] == [
        {"insee": "68003", "commune": "Petite", "population": 700, "seats": 3},
        {"insee": "68002", "commune": "Moyenne", "population": 1100, "seats": 5},
        {"insee": "68001", "commune": "Grande", "population": 1500, "seats": 8},
    ]


def test_command_json_keeps_accents(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert command(write(tmp_path, "commune;population\nChalampé;950\n"), as_json=True) == 0
    assert "Chalampé" in capsys.readouterr().out


def test_command_text_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "insee;commune;population\n68001;Bourg;1 700\n68002;Hameau;50\n68003;Ville;101 600\n")
    # The populations of test_council_size_cap_with_the_half_cap: Bourg would exceed its council of 19, so the
    # total is reduced by 10 (rule 5), not given to Hameau: Ville 20, Bourg 19, Hameau 1, 40 seats.
    # 10 * 2 > 3 * 48 is false: no rule 7. Lines sorted by seats.
    assert command(path, as_json=False) == 0
    out = capsys.readouterr().out
    for expected in ("Population totale : 103 350 habitants", "Sièges à la proportionnelle : 48",
                     "Sièges de droit : 2", "Sièges supplémentaires (+10 %) : 0",
                     "Sièges retirés (une commune au-delà de son conseil municipal, IV 4°) : 10", "Total : 40 sièges"):
        assert expected in out
    lines = [line.split() for line in out.splitlines() if "hab." in line]
    assert lines == [
        ["Ville", "101", "600", "hab.", "20", "sièges"],
        ["Bourg", "1", "700", "hab.", "19", "sièges"],
        ["Hameau", "50", "hab.", "1", "siège"],
    ]


def test_command_error_goes_to_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "insee;commune;population\n68001;A;1\n68002;B;2\n68003;C;abc\n")
    assert command(path, as_json=True) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.strip() == "populations.csv, ligne 4, colonne « population » : « abc » n'est pas un nombre entier."
