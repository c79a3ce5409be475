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


# --- arrivals, departures and proxies from a point (DESIGN.md §3 "agenda items", issue 12) ------------------------

AGENDA = "instance;date;point;intitule\n" + "".join(f"conseil;2024-03-12;{p};Délibération {p}\n" for p in "123")


@pytest.fixture
def agenda_sitting(conseil: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """The Conseil of 12 March 2024, held, with the agenda 1, 2, 3 (4 in office: AULNE, CÈDRE, HÊTRE, SAULE)."""
    importer.import_sources(conseil, [("seances.csv", b"instance;date;statut\nconseil;2024-03-12;tenue\n"),
                                      ("ordre_du_jour.csv", AGENDA.encode())], today=TODAY)
    return conseil


def bounded_statuses(sheet: recording.Sheet, rows: list[tuple[str, str, str | None, str | None, str | None]]
                     ) -> pd.DataFrame:
    """Statuses of the sheet's members: NAME, status, delegate NAME, from, to — several rows per person allowed."""
    ids = dict(zip(sheet.rows["name"].str.split().str[0], sheet.rows["person_id"]))
    return pd.DataFrame({
        "person_id": [ids[name] for name, *_ in rows], "status": [status for _, status, *_ in rows],
        "delegate_id": pd.array([ids[d] if d else None for _, _, d, _, _ in rows], dtype="Int64"),
        "from_item": [f for *_, f, _ in rows], "to_item": [t for *_, t in rows]})


SITTING_ROWS = [("AULNE", "present", None, "2", None),             # arrived at point 2
                ("CÈDRE", "present", None, None, "2"),             # left after point 2…
                ("CÈDRE", "proxy", "SAULE", "3", None),            # …and gave SAULE a proxy from point 3
                ("HÊTRE", "present", None, None, None), ("SAULE", "present", None, None, None)]


def test_an_arrival_a_departure_and_a_proxy_from_a_point(agenda_sitting: duckdb.DuckDBPyConnection) -> None:
    from analytics.rules import agenda

    sheet = recording.load_sheet(agenda_sitting, "conseil", DAY)
    assert recording.point_options(sheet) == ["1", "2", "3"]
    saved = recording.save_sheet(agenda_sitting, sheet, bounded_statuses(sheet, SITTING_ROWS), username="s",
                                 today=TODAY)
    assert saved == (4, 0, 0)  # one sitting-level row per person, CÈDRE's two lines included
    again = recording.load_sheet(agenda_sitting, "conseil", DAY)
    # CÈDRE was there for points 1 and 2: present at the sitting (DESIGN §3)
    assert dict(zip(again.rows["name"], again.rows["status"]))["CÈDRE Paul"] == "present"
    assert again.spans[["from_item", "to_item", "status"]].values.tolist() == [
        ["2", None, "present"], [None, "2", "present"], ["3", None, "proxy"]]
    # quorum: 4 in office, 3 required; point 1: CÈDRE, HÊTRE, SAULE; point 2: + AULNE; point 3: CÈDRE has left
    points = agenda.item_quorum(agenda_sitting, date(2024, 1, 1), date(2024, 12, 31))
    assert points["present"].tolist() == [3, 4, 3] and points["required"].tolist() == [3, 3, 3]
    # the form shows CÈDRE's first row in the table and the proxy among the extra rows
    table = recording.editor_frame(again).set_index("Nom")
    assert table.loc["AULNE Anne", ["Statut", "Depuis le point", "Jusqu'au point"]].tolist() == ["présent", "2", None]
    assert table.loc["CÈDRE Paul", ["Statut", "Jusqu'au point"]].tolist() == ["présent", "2"]
    extra = recording.extra_frame(again)
    assert extra.values.tolist() == [["CÈDRE Paul", "pouvoir", "SAULE Paul", "3", None]]
    # saved back unchanged from the form's two tables: nothing changes (the 3 substitutes not recorded need no row)
    back = recording.statuses_from_editor(again, recording.editor_frame(again), extra)
    assert recording.save_sheet(agenda_sitting, again, back, username="s", today=TODAY) == (0, 0, 4)


def test_a_later_arrival_is_an_update_with_its_history(agenda_sitting: duckdb.DuckDBPyConnection) -> None:
    sheet = recording.load_sheet(agenda_sitting, "conseil", DAY)
    recording.save_sheet(agenda_sitting, sheet, bounded_statuses(sheet, SITTING_ROWS), username="s", today=TODAY)
    again = recording.load_sheet(agenda_sitting, "conseil", DAY)
    later = [("AULNE", "present", None, "3", None), *SITTING_ROWS[1:]]
    assert recording.save_sheet(agenda_sitting, again, bounded_statuses(again, later), username="dg",
                                today=TODAY) == (0, 1, 3)
    history = recording.history(agenda_sitting, again.meeting_id)
    assert history[["username", "subject", "column_name", "old_value", "new_value"]].values.tolist() == [
        ["dg", "AULNE Anne", "plages", "présent à partir du point 2", "présent à partir du point 3"]]
    # a sheet read before that change is now stale
    with pytest.raises(recording.Conflict):
        recording.save_sheet(agenda_sitting, again, bounded_statuses(again, SITTING_ROWS), username="x",
                             today=TODAY)


@pytest.mark.parametrize("rows, message", [
    ([("AULNE", "present", None, "7", None)],
     "AULNE Anne : le point « 7 » n'est pas à l'ordre du jour de cette séance (points 1 à 3)."),
    ([("AULNE", "present", None, None, "2"), ("AULNE", "proxy", "SAULE", "2", None)],
     "AULNE Anne : plages qui se chevauchent : points 2 à 3 ici, 1 à 2 sur son autre ligne."),
    ([("AULNE", "present", None, None, None), ("AULNE", "absent", None, "3", None)],
     "AULNE Anne : plages qui se chevauchent : points 3 à 3 ici, 1 à 3 sur son autre ligne."),
    ([("AULNE", "present", None, "3", "2")], "AULNE Anne : « depuis » (point 3) vient après « jusqu'à » (point 2)."),
    ([("AULNE", "not_recorded", None, "2", None)], "AULNE Anne : « non renseigné » ne se borne pas à des points"),
], ids=["not on the agenda", "overlapping", "whole sitting and a range", "depuis after jusqua", "nothing bounded"])
def test_bounds_are_checked_as_the_import_checks_them(agenda_sitting: duckdb.DuckDBPyConnection, rows: list,
                                                      message: str) -> None:
    sheet = recording.load_sheet(agenda_sitting, "conseil", DAY)
    rest = [(name, "present", None, None, None) for name in ("CÈDRE", "HÊTRE", "SAULE")]
    before = snapshot(agenda_sitting)
    with pytest.raises(recording.InvalidSheet) as invalid:
        recording.save_sheet(agenda_sitting, sheet, bounded_statuses(sheet, rows + rest), username="x", today=TODAY)
    assert invalid.value.problems[0].startswith(message), invalid.value.problems
    assert snapshot(agenda_sitting) == before


def test_bounds_need_an_agenda(bureau: duckdb.DuckDBPyConnection) -> None:
    sheet = recording.load_sheet(bureau, "bureau", DAY)
    assert recording.point_options(sheet) == [] and "Depuis le point" in recording.locked_columns(sheet)
    with pytest.raises(recording.InvalidSheet) as invalid:
        recording.save_sheet(bureau, sheet, bounded_statuses(sheet, [("SAULE", "present", None, "2", None)]),
                             username="x", today=TODAY)
    assert invalid.value.problems[0].startswith("SAULE Paul : bornes sans ordre du jour : cette séance n'a pas "
                                                "d'ordre du jour")


# -- issue 17.8: dates outside 1945–2100 ------------------------------------------------------------------------

@pytest.mark.parametrize("day, shown", [(date(9999, 12, 31), "31/12/9999"), (date(1944, 12, 31), "31/12/1944")])
def test_a_sitting_dated_outside_the_plausible_range_is_refused(bureau: duckdb.DuckDBPyConnection, day: date,
                                                                shown: str) -> None:
    sheet = recording.load_sheet(bureau, "bureau", day)
    before = snapshot(bureau)
    with pytest.raises(recording.InvalidSheet) as invalid:
        recording.save_sheet(bureau, sheet, statuses(sheet), username="x", today=date(9999, 12, 31))
    assert invalid.value.problems == [f"La date de la séance doit être comprise entre le 1er janvier 1945 et le "
                                      f"31 décembre 2100 (saisie : {shown})."]
    assert snapshot(bureau) == before


@pytest.mark.parametrize("convocation, accepted", [(date(1944, 12, 31), False), (date(1945, 1, 1), True)])
def test_a_convocation_dated_before_1945_is_refused(bureau: duckdb.DuckDBPyConnection, convocation: date,
                                                    accepted: bool) -> None:
    sheet = recording.load_sheet(bureau, "bureau", DAY)
    if accepted:  # the first day of the range is in it
        recording.save_sheet(bureau, sheet, statuses(sheet), username="x", today=TODAY, convocation=convocation)
        assert recording.stored_convocation(recording.load_sheet(bureau, "bureau", DAY)) == convocation
        return
    with pytest.raises(recording.InvalidSheet) as invalid:
        recording.save_sheet(bureau, sheet, statuses(sheet), username="x", today=TODAY, convocation=convocation)
    assert invalid.value.problems == ["La date de la convocation doit être comprise entre le 1er janvier 1945 et le "
                                      "31 décembre 2100 (saisie : 31/12/1944)."]
    assert recording.load_sheet(bureau, "bureau", DAY).meeting_id is None


# -- issue 17.10: correcting a sitting's format, type or status from the form -----------------------------------

def _recorded(conn: duckdb.DuckDBPyConnection, **fields: str) -> recording.Sheet:
    """The bureau sitting of DAY saved once (HÊTRE, ORME, SAULE present), read back."""
    sheet = recording.load_sheet(conn, "bureau", DAY)
    recording.save_sheet(conn, sheet, statuses(sheet), username="secretariat", today=TODAY, **fields)
    return recording.load_sheet(conn, "bureau", DAY)


def test_the_form_starts_from_the_stored_format_type_and_status(bureau: duckdb.DuckDBPyConnection) -> None:
    new = recording.load_sheet(bureau, "bureau", DAY)
    assert recording.stored_fields(new) == recording.MeetingFields("in_person", "ordinary", "held")
    again = _recorded(bureau, meeting_format="video", meeting_type="reconvened")
    assert recording.stored_fields(again) == recording.MeetingFields("video", "reconvened", "held")


def test_correcting_the_format_of_a_sitting_with_sign_ins(bureau: duckdb.DuckDBPyConnection) -> None:
    # the case: a sitting with its sign-ins, corrected from in person to video, then to mixed; each save
    # reads the sheet again, as the page does after its own save: no conflict is reported
    sheet = _recorded(bureau)
    for fmt in ("video", "mixed"):
        fields = recording.MeetingFields(fmt, "ordinary", "held")
        result = recording.save_sheet(bureau, sheet, statuses(sheet), username="dg", today=TODAY, meeting_format=fmt)
        assert result == (0, 0, 3)  # the three sign-ins unchanged
        assert recording.saved_text(sheet, result, fields).endswith(
            f"Séance corrigée (format : {'visio' if fmt == 'video' else 'mixte'}).")
        sheet = recording.load_sheet(bureau, "bureau", DAY)
        assert sheet.meeting["format"] == fmt
    history = recording.history(bureau, sheet.meeting_id)
    assert history[["username", "subject", "column_name", "old_value", "new_value"]].values.tolist() == [
        ["dg", "séance", "format", "video", "mixed"], ["dg", "séance", "format", "in_person", "video"]]  # newest first


def test_a_sitting_asked_for_becomes_ordinary(bureau: duckdb.DuckDBPyConnection) -> None:
    # a sitting "à la demande" of 4 mayors, corrected to ordinary: the number of requesters goes with the type
    # (the table's CHECK refuses it on another type; before, that refusal read as someone else's save)
    importer.import_sources(bureau, [("seances.csv", (
        "instance;date;statut;format;type;demandeurs\n"
        f"bureau;{DAY:%d/%m/%Y};tenue;présentiel;à la demande;4\n").encode())], today=TODAY)
    sheet = recording.load_sheet(bureau, "bureau", DAY)
    assert sheet.meeting["meeting_type"] == "requested" and sheet.meeting["requesters"] == 4
    recording.save_sheet(bureau, sheet, statuses(sheet), username="dg", today=TODAY, meeting_type="ordinary")
    assert bureau.execute("SELECT meeting_type, requesters FROM meetings").fetchall() == [("ordinary", None)]


def test_a_type_changed_by_someone_else_is_a_conflict(bureau: duckdb.DuckDBPyConnection) -> None:
    # the version the form reads covers all it writes of the sitting: a save never undoes someone's correction
    sheet = _recorded(bureau)
    bureau.execute("UPDATE meetings SET meeting_type = 'reconvened'")
    with pytest.raises(recording.Conflict, match="modifiée par quelqu'un d'autre"):
        recording.save_sheet(bureau, sheet, statuses(sheet), username="x", today=TODAY)
    assert bureau.execute("SELECT meeting_type FROM meetings").fetchall() == [("reconvened",)]


def test_a_sitting_corrected_to_cancelled_keeps_no_sign_in(bureau: duckdb.DuckDBPyConnection) -> None:
    sheet = _recorded(bureau)
    fields = recording.MeetingFields("in_person", "ordinary", "cancelled")
    result = recording.save_sheet(bureau, sheet, statuses(sheet), username="dg", today=TODAY,
                                  meeting_status="cancelled")
    assert result == (0, 3, 0)
    assert recording.saved_text(sheet, result, fields) == (
        "Séance du 12 mars 2024 enregistrée comme annulée : 3 présence(s) retirée(s).")
    assert bureau.execute("SELECT status FROM meetings").fetchall() == [("cancelled",)]
    assert bureau.execute("SELECT count(*) FROM attendance").fetchall() == [(0,)]
    history = recording.history(bureau, sheet.meeting_id)
    assert sorted(history[["subject", "column_name", "old_value", "new_value"]].values.tolist()) == [
        ["HÊTRE Anne", "status", "present", None], ["ORME Luc", "status", "present", None],
        ["SAULE Paul", "status", "present", None], ["séance", "status", "held", "cancelled"]]
    # and back to held: the sheet starts again from its members present, as a new one
    again = recording.load_sheet(bureau, "bureau", DAY)
    assert recording.stored_fields(again).status == "cancelled"
    assert recording.sheet_caption(again).startswith("Séance annulée")
    assert again.rows["status"].tolist() == ["present", "present", "present"]
    assert recording.save_sheet(bureau, again, statuses(again), username="dg", today=TODAY) == (3, 0, 0)


def test_a_status_the_form_does_not_offer_is_refused(bureau: duckdb.DuckDBPyConnection) -> None:
    sheet = recording.load_sheet(bureau, "bureau", DAY)
    with pytest.raises(recording.InvalidSheet, match="tenue ou annulée"):
        recording.save_sheet(bureau, sheet, statuses(sheet), username="x", today=TODAY, meeting_status="planned")


@pytest.mark.parametrize("error, refusal", [
    ("Constraint Error: Duplicate key \"body_code: bureau\" violates unique constraint", recording.Conflict),
    ("Constraint Error: CHECK constraint failed on table meetings", recording.InvalidSheet),
])
def test_only_a_duplicate_key_reads_as_someone_elses_save(bureau: duckdb.DuckDBPyConnection,
                                                          monkeypatch: pytest.MonkeyPatch, error: str,
                                                          refusal: type[Exception]) -> None:
    def refused(*args: object, **kwargs: object) -> None:
        raise duckdb.ConstraintException(error)

    monkeypatch.setattr(recording, "_write", refused)
    sheet = recording.load_sheet(bureau, "bureau", DAY)
    with pytest.raises(refusal) as raised:
        recording.save_sheet(bureau, sheet, statuses(sheet), username="x", today=TODAY)
    assert ("quelqu'un d'autre" in str(raised.value)) == (refusal is recording.Conflict)
