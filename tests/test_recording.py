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
