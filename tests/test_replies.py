"""Before the sitting (DESIGN.md §4 and §5c, issue 14): convocation dates, replies, and the quorum forecast read from
the database, on small cases worked out by hand. The pure rules are tested in tests/test_forecast.py; here every
figure goes through the import, the SQL and analytics.outputs.forecast.

The Conseil of these tests: members ACACIA Anne (Baldersheim 68015), BOULEAU Luc (Bantzenheim 68020), CÈDRE Marie
(Battenheim 68022), and for the five-member cases DATTIER Paul (Berrwiller 68032), ÉRABLE Zoé (Bollwiller 68043);
FRÊNE Jean, substitute of Bantzenheim (a single seat here). All from 1 January 2024.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from analytics import cli
from analytics.access import privacy
from analytics.ingest import importer, recording, replies
from analytics.outputs import forecast
from analytics.rules import alerts
from analytics.rules.forecast import KEPT_RATE, quorum_probability
from tests.support import snapshot

TODAY = date(2024, 12, 1)
SITTING = date(2024, 12, 10)
YEAR = (date(2024, 1, 1), date(2024, 12, 31))

THREE = """nom;prenom;commune;instance;role;debut
ACACIA;Anne;68015;conseil;conseiller;2024-01-01
BOULEAU;Luc;68020;conseil;conseiller;2024-01-01
CÈDRE;Marie;68022;conseil;conseiller;2024-01-01
FRÊNE;Jean;68020;conseil;suppléant;2024-01-01
"""
FIVE = THREE + """DATTIER;Paul;68032;conseil;conseiller;2024-01-01
ÉRABLE;Zoé;68043;conseil;conseiller;2024-01-01
"""
PLANNED = f"instance;date;statut;format\nconseil;{SITTING:%d/%m/%Y};prévue;présentiel\n"


def run(conn: duckdb.DuckDBPyConnection, *files: tuple[str, str]) -> importer.ImportResult:
    return importer.import_sources(conn, [(name, text.encode()) for name, text in files], today=TODAY)


def replies_file(*rows: str) -> tuple[str, str]:
    return "reponses.csv", "instance;date;nom;prenom;commune;reponse;mandataire\n" + "".join(f"{r}\n" for r in rows)


def row(last: str, first: str, insee: str, reply: str, delegate: str = "", day: date = SITTING) -> str:
    return f"conseil;{day:%d/%m/%Y};{last};{first};{insee};{reply};{delegate}"


def sitting(conn: duckdb.DuckDBPyConnection, as_of: date = TODAY) -> forecast.SittingForecast:
    found = forecast.forecast(conn, as_of).sittings
    assert len(found) == 1
    return found[0]


def probabilities(s: forecast.SittingForecast) -> dict[str, float]:
    return {m.name: m.probability for m in s.members}


def stored_replies(conn: duckdb.DuckDBPyConnection) -> list[tuple]:
    return conn.execute("SELECT person_id, reply, delegate_id FROM replies ORDER BY person_id").fetchall()


# --- the quorum forecast through the database ------------------------------------------------------------------------

def test_three_members_at_even_odds_with_quorum_two_is_exactly_half(conn: duckdb.DuckDBPyConnection) -> None:
    # no sitting held yet: the body's rate is 0.5 (NO_HISTORY_PRIOR), so is each member's; quorum = 3 // 2 + 1 = 2;
    # P(2) + P(3) = 3/8 + 1/8
    run(conn, ("membres.csv", THREE), ("seances.csv", PLANNED))
    s = sitting(conn)
    assert (s.in_office, s.required) == (3, 2)  # the substitute is not in office
    assert probabilities(s) == {"ACACIA Anne": 0.5, "BOULEAU Luc": 0.5, "CÈDRE Marie": 0.5}
    assert s.quorum_probability == 0.5 and s.expected_present == 1.5
    assert s.replies == {"present": 0, "remote": 0, "excused": 0, "proxy": 0, "substitute": 0, "none": 3}
    # equal gains: the tie goes to name order
    assert s.call_first == ("ACACIA Anne", "BOULEAU Luc", "CÈDRE Marie")


def test_more_than_half_ruled_out_is_exactly_zero(conn: duckdb.DuckDBPyConnection) -> None:
    # 5 in office, quorum 3; an excuse and two proxies leave two members who can come: impossible, not unlikely
    run(conn, ("membres.csv", FIVE), ("seances.csv", PLANNED),
        replies_file(row("ACACIA", "Anne", "68015", "excusé"),
                     row("BOULEAU", "Luc", "68020", "pouvoir", "CÈDRE Marie"),
                     row("DATTIER", "Paul", "68032", "pouvoir", "ÉRABLE Zoé"),
                     row("CÈDRE", "Marie", "68022", "présent")))
    s = sitting(conn)
    assert (s.in_office, s.required) == (5, 3)
    assert s.quorum_probability == 0.0
    assert forecast.quorum_text(s.quorum_probability) == "Quorum hors d'atteinte"
    assert probabilities(s)["ACACIA Anne"] == 0.0 and probabilities(s)["BOULEAU Luc"] == 0.0
    assert s.replies == {"present": 1, "remote": 0, "excused": 1, "proxy": 2, "substitute": 0, "none": 1}
    assert s.call_first == ("ÉRABLE Zoé",)


def test_confirmations_are_near_certain_never_certain(conn: duckdb.DuckDBPyConnection) -> None:
    # three confirmations kept at KEPT_RATE (no past reply to measure it on): 3·0.95²·0.05 + 0.95³ = 0.99275
    run(conn, ("membres.csv", THREE), ("seances.csv", PLANNED),
        replies_file(row("ACACIA", "Anne", "68015", "présent"), row("BOULEAU", "Luc", "68020", "présente"),
                     row("CÈDRE", "Marie", "68022", "présent")))
    s = sitting(conn)
    assert s.kept_rate == KEPT_RATE
    assert s.quorum_probability == pytest.approx(0.99275, abs=1e-12) and s.quorum_probability < 1.0
    assert s.call_first == ()
    # certainty exists only when enough seats are certain, which no reply makes them (tests/test_forecast.py)
    assert quorum_probability([1.0, 1.0, 0.95], 2) == 1.0


def test_short_histories_are_smoothed_towards_the_body(conn: duckdb.DuckDBPyConnection) -> None:
    # one sitting held: ACACIA and CÈDRE present, BOULEAU absent; the body's rate is 2/3 and a member's rate is
    # (counted + 2 · 2/3) / (recorded + 2): 7/9 for 1 of 1, 4/9 — not 0 — for 0 of 1
    run(conn, ("membres.csv", THREE),
        ("seances.csv", PLANNED + "conseil;2024-11-05;tenue;présentiel\n"),
        ("presences.csv", "instance;date;nom;prenom;commune;statut\n"
                          "conseil;2024-11-05;ACACIA;Anne;68015;présent\nconseil;2024-11-05;BOULEAU;Luc;68020;absent\n"
                          "conseil;2024-11-05;CÈDRE;Marie;68022;présent\n"))
    s = sitting(conn)
    assert s.body_rate == pytest.approx(2 / 3)
    assert probabilities(s) == pytest.approx({"ACACIA Anne": 7 / 9, "BOULEAU Luc": 4 / 9, "CÈDRE Marie": 7 / 9})
    # P(at least 2 of 7/9, 4/9, 7/9) = (196 + 56 + 245 + 56) / 729
    assert s.quorum_probability == pytest.approx(553 / 729, abs=1e-12)
    # BOULEAU's confirmation would raise the quorum most: he is the least likely
    assert s.call_first[0] == "BOULEAU Luc"


def test_a_remote_reply_counts_only_at_a_sitting_by_video(conn: duckdb.DuckDBPyConnection) -> None:
    run(conn, ("membres.csv", THREE), ("seances.csv", PLANNED),
        replies_file(row("ACACIA", "Anne", "68015", "à distance"), row("BOULEAU", "Luc", "68020", "suppléant")))
    s = sitting(conn)
    assert probabilities(s)["ACACIA Anne"] == 0.0  # an in-person sitting
    assert probabilities(s)["BOULEAU Luc"] == KEPT_RATE  # the substitute sits: the seat counts
    run(conn, ("seances.csv", f"instance;date;statut;format\nconseil;{SITTING:%d/%m/%Y};prévue;visio\n"))
    assert probabilities(sitting(conn))["ACACIA Anne"] == KEPT_RATE


def test_the_kept_rate_is_measured_on_past_replies(conn: duckdb.DuckDBPyConnection) -> None:
    # at the sitting held on 5 November two members had said « présent »: one came, one did not; smoothed towards
    # KEPT_RATE with the weight of two replies: (1 + 2 · 0.95) / (2 + 2)
    run(conn, ("membres.csv", THREE),
        ("seances.csv", PLANNED + "conseil;2024-11-05;tenue;présentiel\n"),
        ("presences.csv", "instance;date;nom;prenom;commune;statut\n"
                          "conseil;2024-11-05;ACACIA;Anne;68015;présent\nconseil;2024-11-05;BOULEAU;Luc;68020;absent\n"
                          "conseil;2024-11-05;CÈDRE;Marie;68022;excusé\n"),
        replies_file(row("ACACIA", "Anne", "68015", "présent", day=date(2024, 11, 5)),
                     row("BOULEAU", "Luc", "68020", "présent", day=date(2024, 11, 5))))
    assert sitting(conn).kept_rate == pytest.approx((1 + 2 * KEPT_RATE) / 4)


# --- the backtest ----------------------------------------------------------------------------------------------------

def test_backtest_on_two_sittings_worked_by_hand(conn: duckdb.DuckDBPyConnection) -> None:
    # S1 (no history): every member at 0.5, quorum 0.5, reached (ACACIA, CÈDRE). S2, with S1 known: the body's rate
    # 2/3; ACACIA 7/9, BOULEAU 4/9, CÈDRE 7/9; quorum 553/729, reached (ACACIA, BOULEAU); the average rate alone
    # gives every member 2/3 and the quorum P(at least 2 of three at 2/3) = 20/27
    run(conn, ("membres.csv", THREE),
        ("seances.csv", "instance;date;statut\nconseil;2024-10-01;tenue\nconseil;2024-11-05;tenue\n"),
        ("presences.csv", "instance;date;nom;prenom;commune;statut\n"
                          "conseil;2024-10-01;ACACIA;Anne;68015;présent\nconseil;2024-10-01;BOULEAU;Luc;68020;absent\n"
                          "conseil;2024-10-01;CÈDRE;Marie;68022;présent\n"
                          "conseil;2024-11-05;ACACIA;Anne;68015;présent\nconseil;2024-11-05;BOULEAU;Luc;68020;présent\n"
                          "conseil;2024-11-05;CÈDRE;Marie;68022;absent\n"))
    result = forecast.backtest(conn)
    assert (result.sittings, result.members, result.reached, result.replies) == (2, 6, 2, 0)
    assert result.quorum_brier == pytest.approx((0.25 + (176 / 729) ** 2) / 2)
    assert result.quorum_baseline == pytest.approx((0.25 + (7 / 27) ** 2) / 2)
    assert result.members_brier == pytest.approx((0.75 + (4 + 25 + 49) / 81) / 6)
    assert result.members_baseline == pytest.approx((0.75 + (1 + 1 + 4) / 9) / 6)
    assert "2 séances tenues rejouées" in forecast.render_backtest(result)


# --- the command and its JSON contract -------------------------------------------------------------------------------

def test_forecast_command_json_contract(conn: duckdb.DuckDBPyConnection, db_file: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    run(conn, ("membres.csv", FIVE), ("seances.csv", PLANNED),
        replies_file(row("ACACIA", "Anne", "68015", "excusé"),
                     row("BOULEAU", "Luc", "68020", "pouvoir", "CÈDRE Marie")))
    conn.close()
    assert cli.main(["forecast", "--db", str(db_file), "--as-of", "2024-12-01", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == ["as_of", "sittings"] and out["as_of"] == "2024-12-01"
    [s] = out["sittings"]
    assert list(s) == ["body", "date", "in_office", "required", "quorum_probability", "expected_present", "replies",
                       "members", "call_first"]
    assert (s["body"], s["date"], s["in_office"], s["required"]) == ("conseil", "2024-12-10", 5, 3)
    assert list(s["replies"]) == ["present", "remote", "excused", "proxy", "substitute", "none"]
    assert s["replies"] == {"present": 0, "remote": 0, "excused": 1, "proxy": 1, "substitute": 0, "none": 3}
    assert s["members"][0] == {"name": "ACACIA Anne", "commune": "68015", "reply": "excused", "probability": 0.0}
    assert all(list(m) == ["name", "commune", "reply", "probability"] for m in s["members"])
    # three left at 0.5, and all three needed: 1/8
    assert s["expected_present"] == 1.5 and s["quorum_probability"] == 0.125
    assert s["call_first"] == ["CÈDRE Marie", "DATTIER Paul", "ÉRABLE Zoé"]
    # no sitting after the as-of date; an unknown body is refused in French
    assert cli.main(["forecast", "--db", str(db_file), "--as-of", "2024-12-10", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"as_of": "2024-12-10", "sittings": []}
    assert cli.main(["forecast", "--db", str(db_file), "--instance", "inconnue"]) == 1
    assert "instance inconnue « inconnue »" in capsys.readouterr().err
    assert cli.main(["forecast", "--db", str(db_file), "--as-of", "2024-12-01"]) == 0
    text = capsys.readouterr().out
    assert "quorum à 3" in text and "Quorum probable à 1" in text and "À appeler en premier : CÈDRE Marie" in text
    assert cli.main(["forecast", "--db", str(db_file), "--backtest", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["sittings"] == 0


# --- convocations ----------------------------------------------------------------------------------------------------

def convocation_alerts(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    frame = alerts.compute(conn, *YEAR, as_of=date(2024, 12, 31))
    return frame[frame["kind"] == "convocation_late"]


def test_five_clear_days_is_on_time_and_four_is_late(conn: duckdb.DuckDBPyConnection) -> None:
    # sent on the 7th for the 13th: neither day counts, 8 to 12 are five clear days; sent on the 8th, four
    run(conn, ("membres.csv", THREE),
        ("seances.csv", "instance;date;statut;convocation\nconseil;2024-03-13;tenue;07/03/2024\n"
                        "conseil;2024-06-13;tenue;2024-06-08\n"))
    late = convocation_alerts(conn)
    assert [d.date() for d in late["date"]] == [date(2024, 6, 13)]
    assert late["message"].iloc[0] == (
        "Conseil d'Agglomération, séance du 13 juin 2024 : convocation envoyée le 8 juin 2024, 4 jours francs avant "
        "la séance ; le délai légal est de 5 jours francs (CGCT L2121-12).")
    assert set(late["body_code"]) == {"conseil"} and late["severity"].iloc[0] == alerts.SEVERITY["convocation_late"]


def test_other_bodies_have_no_delay_and_a_reconvened_sitting_needs_three_days(conn: duckdb.DuckDBPyConnection) -> None:
    run(conn, ("membres.csv", THREE),
        ("seances.csv", "instance;date;statut;type;convocation\nbureau;2024-03-13;tenue;ordinaire;12/03/2024\n"
                        "conseil;2024-06-17;tenue;reconvoquée;2024-06-13\nconseil;2024-09-17;tenue;reconvoquée;"
                        "2024-09-14\n"))
    late = convocation_alerts(conn)
    assert [d.date() for d in late["date"]] == [date(2024, 9, 17)]  # 2 clear days; 3 on 13 → 17 June suffice
    assert "le délai légal est de 3 jours francs (séance reconvoquée après un quorum manqué" in late["message"].iloc[0]


def test_a_planned_sitting_convened_too_late_is_reported_before_it(conn: duckdb.DuckDBPyConnection) -> None:
    # the range ends on 31 December; the sitting of 3 January, convened on 30 December (3 clear days), is late now
    run(conn, ("membres.csv", THREE), ("seances.csv", "instance;date;statut;convocation\n"
                                                      "conseil;2025-01-03;prévue;2024-12-30\n"))
    assert [d.date() for d in convocation_alerts(conn)["date"]] == [date(2025, 1, 3)]
    s = forecast.forecast(conn, TODAY).sittings[0]
    assert (s.convocation, s.clear_days, s.convocation_delay, s.on_time) == (date(2024, 12, 30), 3, 5, False)
    assert forecast.convocation_text(s) == ("convocation envoyée le 30 décembre 2024, 3 jours francs avant (délai "
                                            "légal : 5 ; EN RETARD)")


def test_a_file_without_the_convocation_column_keeps_the_stored_date(conn: duckdb.DuckDBPyConnection) -> None:
    run(conn, ("seances.csv", "instance;date;statut;convocation\nconseil;2024-12-10;prévue;2024-12-02\n"))
    run(conn, ("seances.csv", PLANNED))
    assert conn.execute("SELECT convocation_date FROM meetings").fetchall() == [(date(2024, 12, 2),)]
    with pytest.raises(importer.ImportRefused) as refused:
        run(conn, ("seances.csv", "instance;date;statut;convocation\nconseil;2024-12-10;prévue;2024-12-11\n"))
    assert str(refused.value.problems[0]) == ("seances.csv, ligne 2, colonne D « convocation » : la convocation est "
                                              "datée après la séance.")


# --- the replies template --------------------------------------------------------------------------------------------

def test_replies_import_and_reimport(conn: duckdb.DuckDBPyConnection) -> None:
    run(conn, ("membres.csv", THREE), ("seances.csv", PLANNED))
    file = replies_file(row("ACACIA", "Anne", "68015", "présent"), row("BOULEAU", "Luc", "68020", "suppléant"),
                        row("Cèdre", "marie", "Battenheim", "procuration", "ACACIA Anne"))
    assert run(conn, file).by_kind["replies"] == (3, 0, 0)
    ids = dict(conn.execute("SELECT last_name, person_id FROM persons").fetchall())
    # « suppléant » without a name: the substitute of the member's commune
    assert stored_replies(conn) == [(ids["ACACIA"], "present", None), (ids["BOULEAU"], "substitute", ids["FRÊNE"]),
                                    (ids["CÈDRE"], "proxy", ids["ACACIA"])]
    assert run(conn, file).by_kind["replies"] == (0, 0, 3)
    changed = replies_file(row("ACACIA", "Anne", "68015", "excusé"))
    assert run(conn, changed).by_kind["replies"] == (0, 1, 0)
    assert conn.execute("SELECT table_name, column_name, old_value, new_value FROM change_log").fetchall() == [
        ("replies", "reply", "present", "excused")]


REFUSALS = [
    (row("ACACIA", "Anne", "68015", "peut-être"),
     "colonne F « reponse » : valeur inconnue « peut-être » (attendu : présent, à distance, excusé, pouvoir, "
     "suppléant)."),
    (row("ACACIA", "Anne", "68015", ""), "colonne F « reponse » : valeur manquante."),
    (row("FRÊNE", "Jean", "68020", "présent"),
     "colonne C « nom » : « FRÊNE Jean (Bantzenheim) » est suppléant : c'est le titulaire de sa commune qui répond "
     "(réponse « suppléant »)."),
    (row("INCONNU", "Paul", "68015", "présent"),
     "colonne C « nom » : personne inconnue « INCONNU Paul (Baldersheim) » : importez-la d'abord dans un fichier de "
     "membres."),
    (row("ACACIA", "Anne", "68015", "présent", day=date(2024, 12, 11)),
     "colonne B « date » : aucune séance conseil le 11/12/2024 : décrivez-la d'abord dans un fichier de séances "
     "(statut « prévue »)."),
    (row("ACACIA", "Anne", "68015", "présent", day=date(2024, 11, 20)),
     "colonne B « date » : la séance conseil du 20/11/2024 est annulée : pas de réponses."),
    (row("ACACIA", "Anne", "68015", "pouvoir"),
     "colonne G « mandataire » : indiquez le porteur du pouvoir (« NOM Prénom »)."),
    (row("ACACIA", "Anne", "68015", "pouvoir", "ACACIA Anne"),
     "colonne G « mandataire » : mandataire « ACACIA Anne » : n'est pas un membre de l'instance à cette date."),
    (row("ACACIA", "Anne", "68015", "excusé", "BOULEAU Luc"),
     "colonne G « mandataire » : un mandataire n'est indiqué que pour « pouvoir » ou « suppléant »."),
    (row("ACACIA", "Anne", "68015", "suppléant"),
     "colonne F « reponse » : « ACACIA Anne (Baldersheim) » n'a pas de suppléant unique à l'instance conseil le "
     "10/12/2024 : nommez-le dans la colonne « mandataire », ou choisissez une autre réponse."),
    (row("ACACIA", "Anne", "68015", "suppléant", "FRÊNE Jean"),
     "colonne G « mandataire » : « FRÊNE Jean (Bantzenheim) » n'est pas le suppléant de Baldersheim : « ACACIA Anne "
     "(Baldersheim) » ne peut être suppléé que par le suppléant de sa commune."),
    (row("ACACIA", "Anne", "68015", "présent") + "\n" + row("ACACIA", "Anne", "68015", "excusé"),
     "ligne 3, colonne F « reponse » : même séance et même personne qu'à la ligne 2, avec une autre réponse."),
]


@pytest.mark.parametrize("rows, message", REFUSALS, ids=range(len(REFUSALS)))
def test_replies_refused_with_their_place_and_nothing_written(conn: duckdb.DuckDBPyConnection, rows: str,
                                                              message: str) -> None:
    run(conn, ("membres.csv", THREE),
        ("seances.csv", PLANNED + "conseil;20/11/2024;annulée;présentiel\n"))
    before = snapshot(conn), stored_replies(conn)
    with pytest.raises(importer.ImportRefused) as refused:
        run(conn, replies_file(rows), ("seances.csv", "instance;date;statut\nbureau;2024-12-12;prévue\n"))
    problems = [str(p) for p in refused.value.problems]
    assert problems == [f"reponses.csv, {'ligne 2, ' if not message.startswith('ligne') else ''}{message}"]
    assert (snapshot(conn), stored_replies(conn)) == before  # all or nothing: not even the meetings file


def test_the_replies_template_is_known_by_its_reponse_column() -> None:
    from analytics.ingest import templates

    [table], problems = templates.read_tables("x.csv", b"Instance;Date;Nom;Prenom;Commune;R\xc3\xa9ponse;Mandataire\n")
    assert (table.kind, problems) == ("replies", [])
    _, problems = templates.read_tables("x.csv", b"instance;date;nom;prenom;reponse\n")
    assert [str(p) for p in problems] == ["x.csv, ligne 1, colonne « commune » : colonne manquante pour un fichier "
                                          "de réponses aux convocations."]


# --- the Saisie form, the sign-in sheet of the day, the erasure ------------------------------------------------------

def test_the_form_records_replies_and_the_convocation(conn: duckdb.DuckDBPyConnection) -> None:
    run(conn, ("membres.csv", THREE), ("seances.csv", PLANNED))
    [meeting_id] = replies.planned_sittings(conn, TODAY)["meeting_id"].tolist()
    sheet = replies.load(conn, meeting_id)
    assert list(sheet.members["name"]) == ["ACACIA Anne", "BOULEAU Luc", "CÈDRE Marie"]
    edited = replies.editor_frame(sheet)
    assert list(edited["Réponse"]) == ["sans réponse"] * 3
    edited["Réponse"] = ["pouvoir", "suppléant", "présent"]
    edited["Mandataire"] = ["CÈDRE Marie", None, None]
    assert replies.save(conn, sheet, replies.replies_from_editor(sheet, edited), username="secrétariat",
                        convocation=date(2024, 12, 4)) == (3, 1, 0)
    ids = dict(conn.execute("SELECT last_name, person_id FROM persons").fetchall())
    assert stored_replies(conn) == [(ids["ACACIA"], "proxy", ids["CÈDRE"]),
                                    (ids["BOULEAU"], "substitute", ids["FRÊNE"]), (ids["CÈDRE"], "present", None)]
    assert conn.execute("SELECT convocation_date FROM meetings").fetchall() == [(date(2024, 12, 4),)]
    # a stale sheet is refused; a reply withdrawn is traced
    with pytest.raises(replies.Conflict):
        replies.save(conn, sheet, replies.replies_from_editor(sheet, edited), username="secrétariat")
    sheet = replies.load(conn, meeting_id)
    edited = replies.editor_frame(sheet)
    edited.loc[2, "Réponse"] = "sans réponse"
    assert replies.save(conn, sheet, replies.replies_from_editor(sheet, edited), username="secrétariat",
                        convocation=date(2024, 12, 4)) == (0, 1, 2)
    assert conn.execute("SELECT table_name, row_key, old_value, new_value FROM change_log "
                        "WHERE table_name = 'replies'").fetchall() == [
        ("replies", f"{meeting_id}/{ids['CÈDRE']}", "present", None)]


@pytest.mark.parametrize("reply, delegate, message", [
    ("pouvoir", None, "ACACIA Anne : indiquez le porteur du pouvoir."),
    ("pouvoir", "FRÊNE Jean", "ACACIA Anne : le porteur du pouvoir doit être un autre membre convoqué à cette séance."),
    ("suppléant", None, "ACACIA Anne : aucun suppléant unique de sa commune à cette instance ; nommez-le, ou "
                        "choisissez une autre réponse."),
    ("excusé", "BOULEAU Luc", "ACACIA Anne : un mandataire n'est indiqué que pour « pouvoir » ou « suppléant »."),
])
def test_the_form_refuses_what_the_import_refuses(conn: duckdb.DuckDBPyConnection, reply: str, delegate: str | None,
                                                  message: str) -> None:
    run(conn, ("membres.csv", THREE), ("seances.csv", PLANNED))
    sheet = replies.load(conn, int(replies.planned_sittings(conn, TODAY)["meeting_id"].iloc[0]))
    edited = replies.editor_frame(sheet)
    edited.loc[0, "Réponse"], edited.loc[0, "Mandataire"] = reply, delegate
    with pytest.raises(replies.InvalidReplies) as invalid:
        replies.save(conn, sheet, replies.replies_from_editor(sheet, edited), username="secrétariat")
    assert invalid.value.problems == [message]
    assert stored_replies(conn) == []


def test_the_sign_in_sheet_of_the_day_starts_from_the_replies_which_are_kept(conn: duckdb.DuckDBPyConnection) -> None:
    run(conn, ("membres.csv", THREE), ("seances.csv", PLANNED),
        replies_file(row("ACACIA", "Anne", "68015", "pouvoir", "CÈDRE Marie"),
                     row("BOULEAU", "Luc", "68020", "suppléant"), row("CÈDRE", "Marie", "68022", "excusé")))
    sheet = recording.load_sheet(conn, "conseil", SITTING)
    assert sheet.from_replies == 3 and "part des 3 réponse(s)" in recording.sheet_caption(sheet)
    names = dict(zip(sheet.rows["person_id"], sheet.rows["name"]))
    start = {names[p]: (s, None if pd.isna(d) else names[int(d)])
             for p, s, d in zip(sheet.rows["person_id"], sheet.rows["status"], sheet.rows["delegate_id"])}
    assert start == {"ACACIA Anne": ("proxy", "CÈDRE Marie"), "BOULEAU Luc": ("substituted", "FRÊNE Jean"),
                     "CÈDRE Marie": ("excused", None), "FRÊNE Jean": ("present", None)}
    # on the day, CÈDRE came after all; the sitting is held, the replies stay (for the kept rate)
    statuses = sheet.rows[["person_id", "status", "delegate_id"]].copy()
    statuses.loc[statuses["person_id"] == sheet.rows.loc[sheet.rows["name"] == "CÈDRE Marie", "person_id"].iloc[0],
                 "status"] = "present"
    recording.save_sheet(conn, sheet, statuses, username="secrétariat", today=SITTING,
                         convocation=date(2024, 12, 3))
    assert conn.execute("SELECT status, convocation_date FROM meetings").fetchall() == [("held", date(2024, 12, 3))]
    assert len(stored_replies(conn)) == 3
    assert forecast.backtest(conn).replies == 3


def test_erasing_a_person_keeps_their_replies_anonymous(conn: duckdb.DuckDBPyConnection) -> None:
    run(conn, ("membres.csv", THREE), ("seances.csv", PLANNED),
        replies_file(row("ACACIA", "Anne", "68015", "pouvoir", "CÈDRE Marie"),
                     row("CÈDRE", "Marie", "68022", "présent")))
    before = stored_replies(conn)
    cedre = conn.execute("SELECT person_id FROM persons WHERE last_name = 'CÈDRE'").fetchall()[0][0]
    privacy.erase_person(conn, cedre, "admin")
    assert stored_replies(conn) == before
    assert "CÈDRE Marie" not in probabilities(sitting(conn))


# --- the pages and the pack, on the demo mandate ---------------------------------------------------------------------

DEMO_TODAY = date(2026, 11, 29)


def test_the_demo_has_replies_convocations_and_one_late(demo_file: Path) -> None:
    conn = duckdb.connect(str(demo_file), read_only=True)
    try:
        by_status = dict(conn.execute("SELECT m.status, count(*) FROM replies JOIN meetings AS m USING (meeting_id) "
                                      "GROUP BY ALL").fetchall())
        assert by_status["held"] > 1000 and by_status["planned"] > 20
        frame = alerts.compute(conn, date(2025, 11, 30), DEMO_TODAY, DEMO_TODAY)
        assert len(frame[frame["kind"] == "convocation_late"]) == 1
        result = forecast.backtest(conn)
        # the replies make the members' forecasts better than the body's average rate
        assert result.members_brier is not None and result.members_baseline is not None
        assert result.members_brier < result.members_baseline
        assert result.sittings > 30 and forecast.next_sitting(conn, DEMO_TODAY) is not None
    finally:
        conn.close()


def test_synthese_instances_and_saisie_show_the_forecast(demo_file: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from tests.support import ROOT

    st.cache_data.clear()
    st.cache_resource.clear()
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_file, path)
    monkeypatch.setenv("GOUVERNANCE_DB", str(path))
    monkeypatch.setenv("GOUVERNANCE_TODAY", DEMO_TODAY.isoformat())
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    assert "Prochain Conseil : le quorum" in [s.value for s in at.subheader]
    assert any("Quorum probable à" in m.value and "À appeler en premier" in m.value for m in at.markdown)
    at.switch_page("pages/tableau_de_bord/instances.py").run()
    assert not at.exception, at.exception
    assert "Séances prévues : la prévision du quorum" in [s.value for s in at.subheader]
    at.switch_page("pages/donnees/saisie.py").run()
    assert not at.exception, at.exception
    assert "Réponses aux convocations" in [t.label for t in at.tabs]
    st.cache_data.clear()
    st.cache_resource.clear()


def test_the_monthly_pack_shows_the_sittings_to_come_with_their_forecast(demo_file: Path) -> None:
    from io import BytesIO

    from pypdf import PdfReader

    from analytics.report import pack

    conn = duckdb.connect(str(demo_file), read_only=True)
    try:
        texts = {}
        for anonymise in (False, True):
            pdf = pack.build_pack(conn, date(2026, 11, 1), anonymise=anonymise, as_of=DEMO_TODAY)
            texts[anonymise] = "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
        first = forecast.next_sitting(conn, DEMO_TODAY)
    finally:
        conn.close()
    assert first is not None
    for text in texts.values():
        assert "prévision du quorum" in text and "Conseil d'Agglomération" in text
    assert first.call_first[0] in texts[False].replace("\n", " ")
    assert first.call_first[0] not in texts[True].replace("\n", " ") and "membres sans réponse" in texts[True]


# -- issue 17.8: dates outside 1945–2100 ------------------------------------------------------------------------

def test_the_replies_form_refuses_a_convocation_out_of_range(conn: duckdb.DuckDBPyConnection) -> None:
    run(conn, ("membres.csv", THREE), ("seances.csv", PLANNED))
    [meeting_id] = replies.planned_sittings(conn, TODAY)["meeting_id"].tolist()
    sheet = replies.load(conn, meeting_id)
    before = snapshot(conn)
    with pytest.raises(replies.InvalidReplies) as invalid:
        replies.save(conn, sheet, replies.replies_from_editor(sheet, replies.editor_frame(sheet)), username="x",
                     convocation=date(1900, 1, 1))
    assert invalid.value.problems == ["La date de la convocation doit être comprise entre le 1er janvier 1945 et le "
                                      "31 décembre 2100 (saisie : 01/01/1900)."]
    assert snapshot(conn) == before


def test_a_sitting_stored_on_9999_12_31_is_shown_but_its_replies_refused(conn: duckdb.DuckDBPyConnection) -> None:
    # stored by a slip before the import refused such dates: the form lists it and draws it, and says what is wrong
    run(conn, ("membres.csv", THREE))
    conn.execute("INSERT INTO meetings (body_code, meeting_date, status) VALUES ('conseil', '9999-12-31', 'planned')")
    [meeting_id] = replies.planned_sittings(conn, TODAY)["meeting_id"].tolist()
    sheet = replies.load(conn, meeting_id)
    assert sheet.day == date(9999, 12, 31) and len(sheet.members) == 3
    with pytest.raises(replies.InvalidReplies) as invalid:
        replies.save(conn, sheet, replies.replies_from_editor(sheet, replies.editor_frame(sheet)), username="x",
                     convocation=date(2024, 12, 4))
    assert invalid.value.problems == ["La date de la séance doit être comprise entre le 1er janvier 1945 et le "
                                      "31 décembre 2100 (saisie : 31/12/9999)."]
