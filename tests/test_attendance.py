"""Attendance indicators on the hand-computable fixture of tests/fixture_db.py (its docstring has the grid)."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest

from analytics.rules import attendance, periods
from tests import fixture_db

YEAR = (date(2024, 1, 1), date(2024, 12, 31))


@pytest.fixture
def fx(conn: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    fixture_db.build(conn)
    return conn


def row(frame: pd.DataFrame, **keys: object) -> dict:
    """The single row of `frame` matching every key."""
    match = frame
    for column, value in keys.items():
        match = match[match[column] == value]
    assert len(match) == 1, f"{keys}: {len(match)} rows"
    return match.iloc[0].to_dict()


def assert_counts(found: dict, convened: int, present: int = 0, remote: int = 0, excused: int = 0, absent: int = 0,
                  proxy: int = 0, substituted: int = 0, not_recorded: int = 0) -> None:
    """Check the nine counts, then every rate from them (rates are NULL when their denominator is 0)."""
    recorded = present + remote + excused + absent + proxy + substituted
    assert recorded + not_recorded == convened, "the expectation itself is inconsistent"
    expected = dict(convened=convened, recorded=recorded, present=present, remote=remote, excused=excused,
                    absent=absent, proxy=proxy, substituted=substituted, not_recorded=not_recorded)
    assert {column: int(found[column]) for column in attendance.COUNT_COLUMNS} == expected

    def ratio(numerator: int, denominator: int) -> float | None:
        return numerator / denominator if denominator else None

    rates = {
        "presence_rate": ratio(present + remote, recorded),
        "participation_rate": ratio(present + remote + proxy + substituted, recorded),
        "excused_share": ratio(excused, recorded),
        "unexcused_share": ratio(absent, recorded),
        "completeness": ratio(recorded, convened),
    }
    for column, value in rates.items():
        if value is None:
            assert pd.isna(found[column]), column
        else:
            assert found[column] == pytest.approx(value), column


# --- periods -------------------------------------------------------------------------------------------------------

def test_rolling_12_months_ends_on_as_of_and_starts_the_day_after_a_year_before() -> None:
    assert periods.rolling_12_months(date(2024, 6, 15)) == (date(2023, 6, 16), date(2024, 6, 15))
    # 29 Feb minus a year is clamped to 28 Feb 2023, then one day later: 1 March
    assert periods.rolling_12_months(date(2024, 2, 29)) == (date(2023, 3, 1), date(2024, 2, 29))
    # 28 Feb 2024 + 1 day is the leap day
    assert periods.rolling_12_months(date(2025, 2, 28)) == (date(2024, 2, 29), date(2025, 2, 28))
    assert periods.rolling_12_months(date(2024, 3, 31)) == (date(2023, 4, 1), date(2024, 3, 31))
    assert periods.rolling_12_months(date(2024, 1, 1)) == (date(2023, 1, 2), date(2024, 1, 1))


def test_month_start() -> None:
    assert periods.month_start(date(2024, 2, 29)) == date(2024, 2, 1)


def test_mandate_range(fx: duckdb.DuckDBPyConnection) -> None:
    # B1 on 2024-01-08 is the first meeting; the planned C6 on 2024-12-10 the last
    assert periods.mandate_range(fx) == (date(2024, 1, 8), date(2024, 12, 10))


def test_mandate_range_of_an_empty_database(conn: duckdb.DuckDBPyConnection) -> None:
    assert periods.mandate_range(conn) is None
    assert attendance.whole_mandate(conn, "body").empty


# --- counts per level ----------------------------------------------------------------------------------------------

def test_counts_per_body(fx: duckdb.DuckDBPyConnection) -> None:
    bodies = attendance.counts(fx, *YEAR, "body")
    assert list(bodies.columns[:3]) == ["body_code", "body_name", "sort_order"]
    # catalogue order (sort_order 10, 20, 200); bodies nobody was convened to are absent
    assert list(bodies["body_code"]) == ["conseil", "bureau", "forum"]
    # conseil, held C1-C4 (C5 cancelled and C6 planned never count):
    #   DUPONT 4 present; MARTIN proxy, present, proxy, absent; BERNARD absent, present, absent (3 convocations,
    #   C4 after her membership ended: her row there is ignored); PETIT remote, substituted, proxy, absent;
    #   LEROY (substitute) convened only at C2, where he sits for PETIT: present → present 4+1+1+1 = 7, remote 1,
    #   absent 1+2+1 = 4, proxy 2+1 = 3, substituted 1, not_recorded 0; convened 4+4+3+4+1 = 16
    assert_counts(row(bodies, body_code="conseil"), convened=16, present=7, remote=1, absent=4, proxy=3,
                  substituted=1)
    # bureau, B1-B7 × DUPONT, MARTIN, PETIT = 21 (DUPONT's overlapping memberships convene him once at B3):
    #   present DUPONT 3 + MARTIN 1 + PETIT 5 = 9; remote PETIT 1; excused MARTIN 1 + PETIT 1 = 2;
    #   absent DUPONT 3 + MARTIN 4 = 7; not_recorded DUPONT B4 (no row) + MARTIN B7 (explicit row) = 2
    assert_counts(row(bodies, body_code="bureau"), convened=21, present=9, remote=1, excused=2, absent=7,
                  not_recorded=2)
    # forum, F1-F2 × DUPONT, ROUX, ÉTIENNE = 6: two present at F1, everything else missing
    assert_counts(row(bodies, body_code="forum"), convened=6, present=2, not_recorded=4)


def test_counts_per_person(fx: duckdb.DuckDBPyConnection) -> None:
    people = attendance.counts(fx, *YEAR, "person")
    assert list(people.columns[:4]) == ["person_id", "name", "commune_insee", "sector"]
    # sorted by name without accents: ÉTIENNE between DUPONT and LEROY
    assert list(people["name"]) == ["BERNARD Marie", "DUPONT Anne", "ÉTIENNE Zoé", "LEROY Jean", "MARTIN Luc",
                                    "PETIT Paul", "ROUX Claire"]
    # DUPONT: conseil 4 present; bureau 3 present, 3 absent, 1 missing; forum 1 present, 1 missing
    assert_counts(row(people, person_id=1), convened=13, present=8, absent=3, not_recorded=2)
    # MARTIN: conseil 1 present, 2 proxies, 1 absent; bureau 1 present, 1 excused, 4 absent, 1 not_recorded
    assert_counts(row(people, person_id=2), convened=11, present=2, excused=1, absent=5, proxy=2, not_recorded=1)
    # BERNARD: C1-C3 only (membership ended 2024-04-12)
    assert_counts(row(people, person_id=3), convened=3, present=1, absent=2)
    # PETIT: conseil remote, substituted, proxy, absent; bureau 5 present, 1 remote, 1 excused
    assert_counts(row(people, person_id=4), convened=11, present=5, remote=2, excused=1, absent=1, proxy=1,
                  substituted=1)
    # ROUX, no commune: listed, with neither commune nor sector
    roux = row(people, person_id=5)
    assert_counts(roux, convened=2, present=1, not_recorded=1)
    assert pd.isna(roux["commune_insee"]) and pd.isna(roux["sector"])
    # LEROY, substitute: convened only to C2, where he sits in place of PETIT (DESIGN §3), and recorded there
    assert_counts(row(people, person_id=6), convened=1, present=1)
    # ÉTIENNE never has a row: not_recorded, never absent; the rates have no denominator
    assert_counts(row(people, person_id=7), convened=2, not_recorded=2)
    assert row(people, person_id=4)["sector"] == "Sud"


def test_counts_per_commune(fx: duckdb.DuckDBPyConnection) -> None:
    communes = attendance.counts(fx, *YEAR, "commune")
    assert list(communes.columns[:3]) == ["insee", "name", "sector"]
    # sorted by name; ROUX (no commune) belongs to no commune row
    assert list(communes["name"]) == ["Kingersheim", "Mulhouse", "Rixheim", "Wittenheim"]
    assert_counts(row(communes, insee="68224"), convened=13, present=8, absent=3, not_recorded=2)  # DUPONT
    assert_counts(row(communes, insee="68166"), convened=11, present=2, excused=1, absent=5, proxy=2,
                  not_recorded=1)  # MARTIN
    # Wittenheim: BERNARD (3: 1 present, 2 absent) + ÉTIENNE (2 missing), weighted by convocations
    assert_counts(row(communes, insee="68376"), convened=5, present=1, absent=2, not_recorded=2)
    # Rixheim: PETIT (11) + LEROY (1: present at C2, where he sits for PETIT)
    assert_counts(row(communes, insee="68278"), convened=12, present=6, remote=2, excused=1, absent=1, proxy=1,
                  substituted=1)
    assert row(communes, insee="68376")["sector"] == "Nord"


def test_counts_per_sector(fx: duckdb.DuckDBPyConnection) -> None:
    sectors = attendance.counts(fx, *YEAR, "sector")
    assert list(sectors["sector"]) == ["Centre", "Nord", "Sud"]
    # Centre = Mulhouse (13) + Kingersheim (11): present 8+2, excused 1, absent 3+5, proxy 2, not_recorded 2+1
    assert_counts(row(sectors, sector="Centre"), convened=24, present=10, excused=1, absent=8, proxy=2,
                  not_recorded=3)
    assert_counts(row(sectors, sector="Nord"), convened=5, present=1, absent=2, not_recorded=2)
    assert_counts(row(sectors, sector="Sud"), convened=12, present=6, remote=2, excused=1, absent=1, proxy=1,
                  substituted=1)
    # 24 + 5 + 12 = 41: every convocation but ROUX's two, who has no commune


def test_counts_per_person_and_body(fx: duckdb.DuckDBPyConnection) -> None:
    pairs = attendance.counts(fx, *YEAR, "person_body")
    assert list(pairs.columns[:5]) == ["person_id", "name", "body_code", "body_name", "required_rate"]
    # one row per membership actually convened: DUPONT ×3, MARTIN ×2, BERNARD, PETIT ×2, ROUX, LEROY, ÉTIENNE
    assert len(pairs) == 11
    dupont_bureau = row(pairs, person_id=1, body_code="bureau")
    assert_counts(dupont_bureau, convened=7, present=3, absent=3, not_recorded=1)
    assert dupont_bureau["required_rate"] == pytest.approx(0.75)
    assert pd.isna(row(pairs, person_id=1, body_code="forum")["required_rate"])  # forum: no threshold
    assert_counts(row(pairs, person_id=2, body_code="conseil"), convened=4, present=1, absent=1, proxy=2)
    # within a person, bodies in catalogue order
    assert list(pairs[pairs["person_id"] == 1]["body_code"]) == ["conseil", "bureau", "forum"]


def test_counts_per_meeting_with_representation(fx: duckdb.DuckDBPyConnection) -> None:
    meetings = attendance.counts(fx, *YEAR, "meeting")
    # the 13 held meetings by date; cancelled C5 and planned C6 are not there
    assert list(meetings["meeting_id"]) == [11, 1, 12, 2, 13, 21, 14, 3, 4, 15, 16, 22, 17]
    # C1: DUPONT present, MARTIN proxy, BERNARD absent, PETIT remote; LEROY, substitute not sitting, is not convened
    c1 = row(meetings, meeting_id=1)
    assert_counts(c1, convened=4, present=1, remote=1, absent=1, proxy=1)
    # communes convened: Mulhouse, Kingersheim, Wittenheim, Rixheim (PETIT); present or remote:
    # Mulhouse (DUPONT) and Rixheim (PETIT, by video) → 2 / 4
    assert (c1["communes_convened"], c1["communes_represented"]) == (4, 2)
    assert c1["representation"] == pytest.approx(0.5)
    # C2 (29 February): PETIT substituted by LEROY, who sits and is convened there: every commune represented
    c2 = row(meetings, meeting_id=2)
    assert_counts(c2, convened=5, present=4, substituted=1)
    assert (c2["communes_convened"], c2["communes_represented"], c2["representation"]) == (4, 4, 1.0)
    # C4: BERNARD's membership is over (her row is ignored): 3 convened, Wittenheim no longer convened
    c4 = row(meetings, meeting_id=4)
    assert_counts(c4, convened=3, present=1, absent=2)
    assert (c4["communes_convened"], c4["communes_represented"]) == (3, 1)
    assert c4["representation"] == pytest.approx(1 / 3)
    # B3: DUPONT's two bureau memberships overlap on 2024-03-04; he is convened once
    assert_counts(row(meetings, meeting_id=13), convened=3, present=1, excused=1, absent=1)
    # F1: ROUX has no commune, so 2 communes convened (Mulhouse, Wittenheim), 1 represented
    f1 = row(meetings, meeting_id=21)
    assert_counts(f1, convened=3, present=2, not_recorded=1)
    assert (f1["communes_convened"], f1["communes_represented"]) == (2, 1)
    # F2: no sheet at all; completeness 0, presence undefined, representation 0 / 2
    f2 = row(meetings, meeting_id=22)
    assert_counts(f2, convened=3, not_recorded=3)
    assert f2["representation"] == 0.0


def test_counts_per_body_and_month(fx: duckdb.DuckDBPyConnection) -> None:
    months = attendance.counts(fx, *YEAR, "body_month")
    assert list(months.columns[:2]) == ["body_code", "month"]
    conseil = months[months["body_code"] == "conseil"]
    assert [pd.Timestamp(m).date() for m in conseil["month"]] == [date(2024, 1, 1), date(2024, 2, 1),
                                                                   date(2024, 4, 1)]
    # April: C3 (present 1, proxy 2, absent 1) + C4 (present 1, absent 2); LEROY sits at neither
    april = row(months, body_code="conseil", month=pd.Timestamp("2024-04-01"))
    assert_counts(april, convened=7, present=2, proxy=2, absent=3)
    assert len(months) == 3 + 7 + 2  # conseil 3 months, bureau 7, forum 2


def test_counts_per_sector_and_month(fx: duckdb.DuckDBPyConnection) -> None:
    months = attendance.counts(fx, *YEAR, "sector_month")
    assert list(months.columns[:2]) == ["sector", "month"]
    # Centre (DUPONT, MARTIN) in March: B3 (DUPONT absent, MARTIN excused) + F1 (DUPONT present)
    assert_counts(row(months, sector="Centre", month=pd.Timestamp("2024-03-01")), convened=3, present=1,
                  excused=1, absent=1)
    # Sud (PETIT; LEROY sits at neither sitting) in April: C3 (proxy), C4 (absent), B4 (PETIT present)
    assert_counts(row(months, sector="Sud", month=pd.Timestamp("2024-04-01")), convened=3, present=1, proxy=1,
                  absent=1)
    # Nord in June: F2, where ÉTIENNE is convened with no row
    assert_counts(row(months, sector="Nord", month=pd.Timestamp("2024-06-01")), convened=1, not_recorded=1)
    assert set(months["sector"]) == {"Centre", "Nord", "Sud"}


def test_counts_reject_an_unknown_level(fx: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ValueError, match="unknown level"):
        attendance.counts(fx, *YEAR, "body; DROP TABLE attendance")


def test_counts_many_equals_counts(fx: duckdb.DuckDBPyConnection) -> None:
    together = attendance.counts_many(fx, *YEAR, attendance.LEVELS)
    for by in attendance.LEVELS:
        pd.testing.assert_frame_equal(together[by], attendance.counts(fx, *YEAR, by))


def test_counts_outside_every_meeting_are_empty(fx: duckdb.DuckDBPyConnection) -> None:
    empty = attendance.counts(fx, date(2025, 1, 1), date(2025, 12, 31), "person")
    assert empty.empty
    assert list(empty.columns[4:13]) == attendance.COUNT_COLUMNS


def test_count_columns_are_integers(fx: duckdb.DuckDBPyConnection) -> None:
    for by in attendance.LEVELS:
        frame = attendance.counts(fx, *YEAR, by)
        assert all(pd.api.types.is_integer_dtype(frame[column]) for column in attendance.COUNT_COLUMNS), by


# --- views ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("as_of", "convened"),
    [
        (date(2025, 1, 14), 16),  # window 2024-01-15 … 2025-01-14: C1 on its first day, C1-C4 = 4+5+4+3
        (date(2025, 1, 15), 12),  # window 2024-01-16 …: C1 drops out, C2-C4 = 5+4+3
        (date(2024, 2, 28), 4),   # window 2023-03-01 … 2024-02-28: C1 only
        (date(2024, 2, 29), 9),   # the window ends on the leap day: C1 and C2 (where LEROY sits)
    ],
)
def test_rolling_12_months_window_boundaries(fx: duckdb.DuckDBPyConnection, as_of: date, convened: int) -> None:
    bodies = attendance.rolling_12_months(fx, as_of, "body")
    assert row(bodies, body_code="conseil")["convened"] == convened


def test_whole_mandate_spans_every_meeting(fx: duckdb.DuckDBPyConnection) -> None:
    pd.testing.assert_frame_equal(attendance.whole_mandate(fx, "body"), attendance.counts(fx, *YEAR, "body"))


# --- timeline ------------------------------------------------------------------------------------------------------

def test_timeline(fx: duckdb.DuckDBPyConnection) -> None:
    petit = attendance.timeline(fx, 4, *YEAR)
    assert list(petit.columns) == ["meeting_id", "body_code", "body_name", "meeting_date", "status", "delegate_id",
                                   "delegate_name"]
    # by date: B1, C1, B2, C2, B3, B4, C3, C4, B5, B6, B7
    assert list(petit["meeting_id"]) == [11, 1, 12, 2, 13, 14, 3, 4, 15, 16, 17]
    assert list(petit["status"]) == ["present", "remote", "remote", "substituted", "present", "present", "proxy",
                                     "absent", "excused", "present", "present"]
    assert row(petit, meeting_id=2)["delegate_name"] == "LEROY Jean"
    assert row(petit, meeting_id=3)["delegate_name"] == "DUPONT Anne"
    assert pd.isna(row(petit, meeting_id=11)["delegate_name"])


def test_timeline_shows_missing_rows_as_not_recorded(fx: duckdb.DuckDBPyConnection) -> None:
    etienne = attendance.timeline(fx, 7, *YEAR)
    assert list(etienne["meeting_id"]) == [21, 22]
    assert list(etienne["status"]) == ["not_recorded", "not_recorded"]


def test_timeline_stops_with_the_membership(fx: duckdb.DuckDBPyConnection) -> None:
    # BERNARD: C1, C2, C3; not C4 (after 2024-04-12) although a row exists there
    assert list(attendance.timeline(fx, 3, *YEAR)["meeting_id"]) == [1, 2, 3]


# --- alerts --------------------------------------------------------------------------------------------------------

def test_consecutive_absences(fx: duckdb.DuckDBPyConnection) -> None:
    found = attendance.consecutive_absences(fx, *YEAR)
    # DUPONT, bureau: present B1, absent B2, absent B3, (B4 not recorded: skipped), absent B5 → one streak of 3.
    # MARTIN, bureau: absent, absent, excused, absent, absent → the excused breaks it: no streak of 3.
    assert list(found.columns) == ["person_id", "name", "body_code", "body_name", "first_date", "last_date",
                                   "streak"]
    assert len(found) == 1
    streak = found.iloc[0]
    assert (streak["person_id"], streak["body_code"]) == (1, "bureau")
    assert pd.Timestamp(streak["first_date"]).date() == date(2024, 2, 5)
    assert pd.Timestamp(streak["last_date"]).date() == date(2024, 5, 6)
    assert streak["streak"] == 3


def test_consecutive_absences_of_two(fx: duckdb.DuckDBPyConnection) -> None:
    found = attendance.consecutive_absences(fx, *YEAR, run=2)
    # DUPONT's streak of 3 completes a run of 2 at B3; MARTIN has two streaks of 2 (B1-B2, B4-B5)
    got = sorted((r.person_id, pd.Timestamp(r.first_date).date(), pd.Timestamp(r.last_date).date(), r.streak)
                 for r in found.itertuples())
    assert got == [
        (1, date(2024, 2, 5), date(2024, 3, 4), 3),
        (2, date(2024, 1, 8), date(2024, 2, 5), 2),
        (2, date(2024, 4, 8), date(2024, 5, 6), 2),
    ]


def test_consecutive_absences_are_cut_by_the_range(fx: duckdb.DuckDBPyConnection) -> None:
    # from 2024-03-01, DUPONT's recorded bureau sequence is absent B3, absent B5, present: no run of 3
    assert attendance.consecutive_absences(fx, date(2024, 3, 1), date(2024, 12, 31)).empty


def test_missing_sheets(fx: duckdb.DuckDBPyConnection) -> None:
    found = attendance.missing_sheets(fx, *YEAR)
    assert list(found.columns) == ["meeting_id", "body_code", "body_name", "meeting_date", "convened",
                                   "not_recorded"]
    # F1 (ÉTIENNE), B4 (DUPONT), F2 (no sheet), B7 (MARTIN explicit); LEROY, substitute, is convened only at C2,
    # where he has his row: C1, C3 and C4 miss nobody
    assert [(r.meeting_id, r.convened, r.not_recorded) for r in found.itertuples()] == [
        (21, 3, 1), (14, 3, 1), (22, 3, 3), (17, 3, 1)]


def test_low_attendance(fx: duckdb.DuckDBPyConnection) -> None:
    # window 2023-07-02 … 2024-07-01 covers the whole fixture
    found = attendance.low_attendance(fx, date(2024, 7, 1))
    assert list(found.columns) == ["person_id", "name", "body_code", "body_name", "required_rate", "recorded",
                                   "presence_rate"]
    got = [(r.person_id, r.body_code, r.recorded, r.presence_rate) for r in found.itertuples()]
    assert got == [
        (1, "bureau", 6, pytest.approx(3 / 6)),   # DUPONT: 3 present of 6 recorded < 0.75
        (2, "conseil", 4, pytest.approx(1 / 4)),  # MARTIN: proxies do not make presence
        (2, "bureau", 6, pytest.approx(1 / 6)),   # MARTIN: B7's explicit not_recorded is not recorded
        (4, "conseil", 4, pytest.approx(1 / 4)),  # PETIT: remote counts, substituted and proxy do not
    ]
    # BERNARD, 1 present of 3 recorded, is under the rate but judged on too little: not listed;
    # LEROY (1 of 1) is at 100 %; the forum has no required rate


def test_low_attendance_with_a_lower_minimum(fx: duckdb.DuckDBPyConnection) -> None:
    found = attendance.low_attendance(fx, date(2024, 7, 1), min_recorded=3)
    assert (3, "conseil") in {(r.person_id, r.body_code) for r in found.itertuples()}


def test_low_attendance_uses_the_rolling_window(fx: duckdb.DuckDBPyConnection) -> None:
    # as of 2025-06-30, the window starts 2024-07-01: only B7 is left, too few recorded convocations
    assert attendance.low_attendance(fx, date(2025, 6, 30)).empty


def test_presence_at_the_threshold_is_not_under_it(conn: duckdb.DuckDBPyConnection) -> None:
    fixture_db.build(conn)
    # PETIT at bureau: 6 of 7 → above 0.75; with a rate of 6/7 exactly he is at it, not under it
    conn.cursor().execute("UPDATE bodies SET required_rate = 6 / 7 WHERE code = 'bureau'")
    found = attendance.low_attendance(conn, date(2024, 7, 1))
    assert (4, "bureau") not in {(r.person_id, r.body_code) for r in found.itertuples()}


# --- substitutes (DESIGN §3): convened only where they sit -----------------------------------------------------------

SUBSTITUTE_MEMBERS = """nom;prenom;commune;instance;role;debut;fin
TITULAIRE;Anne;Berrwiller;conseil;conseiller communautaire;2020-07-16;
SUPPLÉANT;Marc;Berrwiller;conseil;suppléant;2020-07-16;
HÊTRE;Anne;Mulhouse;conseil;conseiller communautaire;2020-07-16;
"""
# three sittings in 2024; the substitute sits once, at the second, in place of TITULAIRE
SUBSTITUTE_SHEETS = """instance;date;nom;prenom;commune;statut;mandataire
conseil;2024-03-20;TITULAIRE;Anne;Berrwiller;présent;
conseil;2024-03-20;HÊTRE;Anne;Mulhouse;présent;
conseil;2024-05-22;TITULAIRE;Anne;Berrwiller;suppléé;SUPPLÉANT Marc
conseil;2024-05-22;SUPPLÉANT;Marc;Berrwiller;présent;
conseil;2024-05-22;HÊTRE;Anne;Mulhouse;absent;
conseil;2024-09-25;TITULAIRE;Anne;Berrwiller;excusé;
conseil;2024-09-25;HÊTRE;Anne;Mulhouse;présent;
"""


@pytest.fixture
def sitting_once(conn: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    from analytics.ingest import importer

    importer.import_sources(conn, [("membres.csv", SUBSTITUTE_MEMBERS.encode()),
                                   ("presences.csv", SUBSTITUTE_SHEETS.encode())], today=date(2024, 12, 31))
    return conn


def names(frame: pd.DataFrame) -> dict[str, dict]:
    return {r["name"]: r for r in frame.to_dict("records")}


def test_a_substitute_who_sits_once_is_convened_once(sitting_once: duckdb.DuckDBPyConnection) -> None:
    people = names(attendance.counts(sitting_once, *YEAR, "person"))
    # the substitute: convened at the sitting of 22 May alone, where he signed in: 1 convened, 1 recorded
    assert_counts(people["SUPPLÉANT Marc"], convened=1, present=1)
    # his titular: present, substituted, excused
    assert_counts(people["TITULAIRE Anne"], convened=3, present=1, excused=1, substituted=1)
    assert_counts(people["HÊTRE Anne"], convened=3, present=2, absent=1)
    # the Conseil: 2 + 3 + 2 = 7 convocations, all recorded, none missing
    assert_counts(row(attendance.counts(sitting_once, *YEAR, "body"), body_code="conseil"), convened=7, present=4,
                  excused=1, absent=1, substituted=1)
    meetings = attendance.counts(sitting_once, *YEAR, "meeting")
    assert list(meetings["convened"]) == [2, 3, 2]
    assert list(meetings["not_recorded"]) == [0, 0, 0]
    # 22 May: Berrwiller is represented by its substitute, Mulhouse's councillor was absent
    may = row(meetings, meeting_date=pd.Timestamp("2024-05-22"))
    assert (may["communes_convened"], may["communes_represented"]) == (2, 1)
    assert attendance.missing_sheets(sitting_once, *YEAR).empty
    # Berrwiller: TITULAIRE (3) and SUPPLÉANT (1)
    assert_counts(row(attendance.counts(sitting_once, *YEAR, "commune"), insee="68032"), convened=4, present=2,
                  excused=1, substituted=1)
    # his timeline holds the one sitting
    timeline = attendance.timeline(sitting_once, 2, *YEAR)
    assert [(pd.Timestamp(d).date(), s) for d, s in zip(timeline["meeting_date"], timeline["status"])] == [
        (date(2024, 5, 22), "present")]


def test_the_tallies_and_the_rows_count_substitutes_alike(sitting_once: duckdb.DuckDBPyConnection) -> None:
    cur = sitting_once.cursor()
    assert attendance.tallies_fresh(cur)
    # a range cutting months: May 22 and September 25 are counted row by row, June to August from the tallies
    cut = (date(2024, 5, 22), date(2024, 9, 25))
    fresh = {(by, span): attendance.counts(sitting_once, *span, by) for by in attendance.LEVELS
             for span in (YEAR, cut)}
    cur.execute("DELETE FROM attendance_tallies_state")  # the tallies are no longer trusted: rows only
    assert not attendance.tallies_fresh(cur)
    for (by, span), expected in fresh.items():
        pd.testing.assert_frame_equal(attendance.counts(sitting_once, *span, by), expected, obj=by)
    assert_counts(names(attendance.counts(sitting_once, *cut, "person"))["SUPPLÉANT Marc"], convened=1, present=1)


def test_a_substitute_named_without_their_own_row_is_not_recorded(conn: duckdb.DuckDBPyConnection) -> None:
    from analytics.ingest import importer

    sheets = "\n".join(line for line in SUBSTITUTE_SHEETS.splitlines() if not line.startswith(
        "conseil;2024-05-22;SUPPLÉANT")) + "\n"
    importer.import_sources(conn, [("membres.csv", SUBSTITUTE_MEMBERS.encode()), ("presences.csv", sheets.encode())],
                            today=date(2024, 12, 31))
    # named by the titular's row, he is convened; without a row of his own, his presence is not recorded
    assert_counts(names(attendance.counts(conn, *YEAR, "person"))["SUPPLÉANT Marc"], convened=1, not_recorded=1)
    assert [(r.convened, r.not_recorded) for r in attendance.missing_sheets(conn, *YEAR).itertuples()] == [(3, 1)]


def test_changing_the_titular_row_changes_who_is_convened(sitting_once: duckdb.DuckDBPyConnection) -> None:
    # the fingerprint of the tallies follows the delegate: the substitute's row stays, but nobody names him now
    cur = sitting_once.cursor()
    cur.execute("UPDATE attendance SET status = 'excused', delegate_id = NULL WHERE person_id = 1 AND status = "
                "'substituted'")
    assert not attendance.tallies_fresh(cur)
    people = names(attendance.counts(sitting_once, *YEAR, "person"))
    assert "SUPPLÉANT Marc" not in people
    assert_counts(row(attendance.counts(sitting_once, *YEAR, "body"), body_code="conseil"), convened=6, present=3,
                  excused=2, absent=1)


def test_migration_005_recounts_an_older_database(db_file) -> None:
    """A file at version 4 (substitutes convened everywhere) is upgraded: its tallies are counted again."""
    from analytics.store import db

    conn = duckdb.connect(str(db_file))
    db.migrate(conn, up_to=4)
    from analytics.store import reference

    reference.load(conn)
    fixture_db.build(conn)
    cur = conn.cursor()
    # as version 4 counts: LEROY, substitute, convened to the four sittings
    assert cur.execute("SELECT sum(convened) FROM convened_meetings() WHERE body_code = 'conseil'"
                       ).fetchall() == [(19,)]
    assert db.migrate(conn) >= 5
    assert attendance.tallies_fresh(cur)
    assert cur.execute("SELECT sum(convened) FROM attendance_meeting_tallies WHERE body_code = 'conseil'"
                       ).fetchall() == [(16,)]
    assert cur.execute("SELECT sum(convened) FROM attendance_month_tallies WHERE person_id = 6").fetchall() == [(1,)]
    assert cur.execute("SELECT count(*) FROM persons WHERE identifier IS NULL").fetchall() == [(7,)]
    conn.close()
