"""Recording a meeting from the form: convened members, validation, history, and concurrent saves."""

from __future__ import annotations

import threading
from datetime import date

import duckdb
import pandas as pd
import pytest

from analytics.ingest import importer, recording
from tests.support import snapshot

TODAY = date(2024, 12, 31)
MEMBERS = """nom;prenom;commune;instance;role;debut;fin
HÊTRE;Anne;Mulhouse;bureau;président;2020-07-16;
SAULE;Paul;Kingersheim;bureau;vice-président;2020-07-16;
ÉRABLE;Léa;Rixheim;bureau;vice-président;2020-07-16;2024-01-31
ORME;Luc;Wittenheim;bureau;vice-président;2024-02-01;
"""
DAY = date(2024, 3, 12)


@pytest.fixture
def bureau(conn: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    importer.import_sources(conn, [("membres.csv", MEMBERS.encode())], today=TODAY)
    return conn


def statuses(sheet: recording.Sheet, **changes: tuple[str, str | None]) -> pd.DataFrame:
    """The sheet's statuses with some changed: NAME=(status, delegate NAME or None)."""
    ids = dict(zip(sheet.rows["name"].str.split().str[0], sheet.rows["person_id"]))
    frame = sheet.rows[["person_id", "status", "delegate_id"]].copy()
    for name, (status, delegate) in changes.items():
        mask = frame["person_id"] == ids[name]
        frame.loc[mask, "status"] = status
        frame.loc[mask, "delegate_id"] = ids[delegate] if delegate else pd.NA
    return frame


def test_new_meeting_lists_the_convened_members_present(bureau: duckdb.DuckDBPyConnection) -> None:
    sheet = recording.load_sheet(bureau, "bureau", DAY)
    assert sheet.meeting_id is None
    # ÉRABLE left on 31 January 2024, ORME joined on 1 February: on 12 March, HÊTRE, ORME and SAULE
    assert sheet.rows[["name", "commune", "role", "status"]].values.tolist() == [
        ["HÊTRE Anne", "Mulhouse", "president", "present"],
        ["ORME Luc", "Wittenheim", "vice_president", "present"],
        ["SAULE Paul", "Kingersheim", "vice_president", "present"],
    ]


def test_save_then_edit_keeps_a_history(bureau: duckdb.DuckDBPyConnection) -> None:
    sheet = recording.load_sheet(bureau, "bureau", DAY)
    assert recording.save_sheet(bureau, sheet, statuses(sheet, SAULE=("excused", None)), username="secretariat",
                                today=TODAY) == (3, 0, 0)
    again = recording.load_sheet(bureau, "bureau", DAY)
    assert again.meeting_id is not None and again.meeting["status"] == "held"
    assert again.rows["status"].tolist() == ["present", "present", "excused"]
    changed = statuses(again, SAULE=("proxy", "HÊTRE"), ORME=("remote", None))
    assert recording.save_sheet(bureau, again, changed, username="dg", today=TODAY) == (0, 2, 1)
    history = recording.history(bureau, again.meeting_id)
    assert history[["username", "subject", "column_name", "old_value", "new_value"]].values.tolist() == [
        ["dg", "ORME Luc", "status", "present", "remote"],
        ["dg", "SAULE Paul", "delegate_id", None, str(again.rows["person_id"][0])],
        ["dg", "SAULE Paul", "status", "excused", "proxy"],
    ]


@pytest.mark.parametrize("changes, message", [
    ({"SAULE": ("proxy", None)}, "SAULE Paul : indiquez le porteur du pouvoir."),
    ({"SAULE": ("substituted", "SAULE")}, "SAULE Paul : le mandataire doit être un autre membre convoqué"),
    ({"SAULE": ("present", "HÊTRE")}, "SAULE Paul : un mandataire n'est indiqué que pour"),
    ({"SAULE": ("late", None)}, "SAULE Paul : statut inconnu « late »."),
])
def test_invalid_sheet_changes_nothing(bureau: duckdb.DuckDBPyConnection, changes: dict, message: str) -> None:
    sheet = recording.load_sheet(bureau, "bureau", DAY)
    before = snapshot(bureau)
    with pytest.raises(recording.InvalidSheet) as invalid:
        recording.save_sheet(bureau, sheet, statuses(sheet, **changes), username="x", today=TODAY)
    assert invalid.value.problems[0].startswith(message)
    assert snapshot(bureau) == before


def test_future_meeting_cannot_be_held(bureau: duckdb.DuckDBPyConnection) -> None:
    sheet = recording.load_sheet(bureau, "bureau", date(2025, 3, 1))
    with pytest.raises(recording.InvalidSheet, match="futur"):
        recording.save_sheet(bureau, sheet, statuses(sheet), username="x", today=TODAY)


def test_stale_sheet_is_a_conflict(bureau: duckdb.DuckDBPyConnection) -> None:
    first = recording.load_sheet(bureau, "bureau", DAY)
    second = recording.load_sheet(bureau, "bureau", DAY)
    recording.save_sheet(bureau, first, statuses(first, ORME=("absent", None)), username="a", today=TODAY)
    with pytest.raises(recording.Conflict, match="modifiée par quelqu'un d'autre"):
        recording.save_sheet(bureau, second, statuses(second, ORME=("excused", None)), username="b", today=TODAY)
    assert recording.load_sheet(bureau, "bureau", DAY).rows["status"].tolist() == ["present", "absent", "present"]


@pytest.mark.parametrize("existing", [False, True], ids=["new meeting", "existing meeting"])
def test_two_sessions_saving_at_once(bureau: duckdb.DuckDBPyConnection, existing: bool) -> None:
    """Two threads (two browser sessions) save the same meeting together: one wins, the other is told."""
    if existing:
        sheet = recording.load_sheet(bureau, "bureau", DAY)
        recording.save_sheet(bureau, sheet, statuses(sheet), username="setup", today=TODAY)
    sheets = [recording.load_sheet(bureau, "bureau", DAY) for _ in range(2)]
    wanted = [statuses(sheets[0], ORME=("absent", None)), statuses(sheets[1], ORME=("excused", None))]
    barrier, outcomes = threading.Barrier(2), [None, None]

    def save(index: int) -> None:
        barrier.wait()
        try:
            recording.save_sheet(bureau, sheets[index], wanted[index], username=f"s{index}", today=TODAY)
            outcomes[index] = "saved"
        except recording.Conflict:
            outcomes[index] = "conflict"

    threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "saved"]
    winner = outcomes.index("saved")
    final = recording.load_sheet(bureau, "bureau", DAY).rows
    assert final["status"].tolist()[1] == ("absent", "excused")[winner]


def test_form_table_round_trip(bureau: duckdb.DuckDBPyConnection) -> None:
    sheet = recording.load_sheet(bureau, "bureau", DAY)
    table = recording.editor_frame(sheet)
    assert table.columns.tolist() == recording.EDITOR_COLUMNS
    assert table["Statut"].tolist() == ["présent"] * 3 and table["Qualité"].tolist()[0] == "président"
    table.loc[2, ["Statut", "Mandataire"]] = ["pouvoir", "HÊTRE Anne"]
    back = recording.statuses_from_editor(sheet, table)
    hetre = int(sheet.rows["person_id"][0])
    assert back["status"].tolist() == ["present", "present", "proxy"]
    assert back["delegate_id"].tolist() == [pd.NA, pd.NA, hetre]
    assert recording.save_sheet(bureau, sheet, back, username="x", today=TODAY) == (3, 0, 0)


# --- substitutes (DESIGN §3, CGCT L5211-6) ---------------------------------------------------------------------------

COUNCIL = """nom;prenom;commune;instance;role;debut;fin
AULNE;Anne;Berrwiller;conseil;conseiller communautaire;2020-07-16;
BUIS;Marc;Berrwiller;conseil;suppléant;2020-07-16;
CÈDRE;Paul;Bruebach;conseil;conseiller communautaire;2020-07-16;
CHARME;Léa;Bruebach;conseil;suppléant;2020-07-16;
HÊTRE;Anne;Mulhouse;conseil;conseiller communautaire;2020-07-16;
SAULE;Paul;Mulhouse;conseil;vice-président;2020-07-16;
"""


@pytest.fixture
def conseil(conn: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    importer.import_sources(conn, [("membres.csv", COUNCIL.encode())], today=TODAY)
    # a substitute of Mulhouse (two seats) written before the import checked it
    conn.cursor().execute("""
        INSERT INTO persons (person_id, last_name, first_name, commune_insee, match_key)
        VALUES (99, 'CHÊNE', 'Luc', '68224', 'chene|luc|68224');
        INSERT INTO memberships (person_id, body_code, role, start_date)
        VALUES (99, 'conseil', 'substitute', DATE '2020-07-16')""")
    return conn


def test_a_new_conseil_sheet_lists_its_substitutes_not_recorded(conseil: duckdb.DuckDBPyConnection) -> None:
    sheet = recording.load_sheet(conseil, "conseil", DAY)
    assert sheet.rows[["name", "role", "status", "is_substitute", "commune_seats"]].values.tolist() == [
        ["AULNE Anne", "councillor", "present", False, 1],
        ["BUIS Marc", "substitute", "not_recorded", True, 1],
        ["CHARME Léa", "substitute", "not_recorded", True, 1],
        ["CHÊNE Luc", "substitute", "not_recorded", True, 2],
        ["CÈDRE Paul", "councillor", "present", False, 1],
        ["HÊTRE Anne", "councillor", "present", False, 2],
        ["SAULE Paul", "vice_president", "present", False, 2],
    ]


def test_the_substitute_who_sits_is_saved_and_convened_once(conseil: duckdb.DuckDBPyConnection) -> None:
    from analytics.rules import attendance

    sheet = recording.load_sheet(conseil, "conseil", DAY)
    saved = recording.save_sheet(conseil, sheet, statuses(sheet, AULNE=("substituted", "BUIS"), BUIS=("present", None)),
                                 username="secretariat", today=TODAY)
    assert saved == (5, 0, 0)  # 4 titulars and the substitute who sat; the other substitutes need no row
    people = attendance.counts(conseil, date(2024, 1, 1), date(2024, 12, 31), "person").set_index("name")
    assert people.loc["BUIS Marc", ["convened", "recorded", "present"]].tolist() == [1, 1, 1]
    assert "CHARME Léa" not in people.index and "CHÊNE Luc" not in people.index
    assert people["not_recorded"].sum() == 0


@pytest.mark.parametrize("changes, message", [
    ({"AULNE": ("substituted", "CHARME"), "CHARME": ("present", None)},
     "AULNE Anne : CHARME Léa n'est pas le suppléant de Berrwiller."),
    ({"AULNE": ("substituted", "HÊTRE")}, "AULNE Anne : HÊTRE Anne n'est pas suppléant"),
    ({"HÊTRE": ("substituted", "CHÊNE"), "CHÊNE": ("present", None)},
     "HÊTRE Anne : Mulhouse compte 2 sièges au Conseil ; seule une commune à siège unique a un suppléant"),
    ({"BUIS": ("present", None)}, "BUIS Marc est suppléant : il ne siège qu'à la place du titulaire de sa commune"),
    ({"BUIS": ("excused", None)}, "BUIS Marc est suppléant : son statut ne peut être que"),
    ({"SAULE": ("proxy", "BUIS")}, "SAULE Paul : BUIS Marc est suppléant et ne siège pas à cette séance"),
], ids=["another commune's substitute", "not a substitute", "several seats", "sits for nobody", "excused",
        "proxy to a substitute who does not sit"])
def test_a_sheet_breaking_the_substitute_rules_changes_nothing(conseil: duckdb.DuckDBPyConnection, changes: dict,
                                                               message: str) -> None:
    sheet = recording.load_sheet(conseil, "conseil", DAY)
    before = snapshot(conseil)
    with pytest.raises(recording.InvalidSheet) as invalid:
        recording.save_sheet(conseil, sheet, statuses(sheet, **changes), username="x", today=TODAY)
    assert invalid.value.problems[0].startswith(message), invalid.value.problems
    assert snapshot(conseil) == before
