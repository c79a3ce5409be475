"""The monthly pack of the réunion de direction (analytics.report): a PDF that opens, has its pages, says the same
figures as the analytics on the demo database, and whose anonymised edition names nobody.

The PDFs are read back with pypdf, as a reader of the file would; texts are compared with every run of white space
(line breaks, no-break and narrow no-break spaces) folded to one space, since a sentence may wrap anywhere.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from io import BytesIO
from pathlib import Path

import duckdb
import pdfplumber
import pytest
from pypdf import PdfReader

from analytics import cli
from analytics.outputs import summary
from analytics.report import pack as report
from analytics.report.pdf import BOTTOM, FONT_DIR, MIN_SCALE, TOP, NameLeak, PackPDF, name_guard
from analytics.rules import alerts, attendance, cadence, filters, quorum
from analytics.store import db
from analytics.wording.display import plural, weekday_date
from analytics.wording.format import percent
from analytics.wording.labels import ALERT_KIND, FAMILY
from tests.support import ROOT

TODAY = date(2026, 11, 29)   # the demo database's day
MONTH = date(2026, 10, 1)    # the pack of October 2026…
AS_OF = date(2026, 10, 31)   # …judged on its last day
TITLES = ["Synthèse — octobre 2026", *FAMILY.values(), "Secteurs et communes", "Personnes sous le seuil d'assiduité",
          "Calendrier des deux mois à venir"]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def pages_of(pdf: bytes) -> list[str]:
    """The text of each section: a "(suite)" page is joined to the page it continues."""
    sections: list[str] = []
    for page in PdfReader(BytesIO(pdf)).pages:
        text = page.extract_text()
        lines = text.splitlines()
        if sections and len(lines) > 1 and lines[1].endswith("(suite)"):
            sections[-1] += "\n" + text
        else:
            sections.append(text)
    return sections


@pytest.fixture(scope="module")
def demo_db(demo_file: Path) -> Path:
    """The shared demo database."""
    return demo_file


@pytest.fixture(scope="module")
def demo_conn(demo_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    conn = db.connect(demo_db, read_only=True)
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def internal(demo_conn: duckdb.DuckDBPyConnection) -> bytes:
    return report.build_pack(demo_conn, MONTH, as_of=AS_OF)


@pytest.fixture(scope="module")
def anonymised(demo_conn: duckdb.DuckDBPyConnection) -> bytes:
    return report.build_pack(demo_conn, MONTH, anonymise=True, as_of=AS_OF)


@pytest.fixture(scope="module")
def period() -> filters.Period:
    return filters.resolve(filters.ROLLING, AS_OF)


# -- the document --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("edition", ["internal", "anonymised"])
def test_pack_opens_with_one_page_per_section_in_order(edition: str, request: pytest.FixtureRequest) -> None:
    pdf = request.getfixturevalue(edition)
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(BytesIO(pdf))
    assert "octobre 2026" in reader.metadata.title
    pages = [page.extract_text().splitlines() for page in reader.pages]
    # each section starts a page, in order; a long section goes on over "(suite)" pages
    titles = [lines[1] for lines in pages]
    assert [t for t in titles if not t.endswith("(suite)")] == TITLES and len(TITLES) == 8
    assert all(t.removesuffix(" (suite)") in TITLES for t in titles)
    for lines in pages:
        assert lines[0].startswith("Gouvernance m2A · Réunion de direction · octobre 2026")  # running header
    expected = "Édition anonymisée" if edition == "anonymised" else "Édition interne"
    assert all(expected in lines[0] for lines in pages)
    total = len(pages)
    assert all(f"page {n} / {total}" in flat(" ".join(lines)) for n, lines in enumerate(pages, start=1))


def test_pack_is_reproducible(demo_conn: duckdb.DuckDBPyConnection, internal: bytes) -> None:
    # dated by the data, not by the clock: the same database gives the same file
    assert report.build_pack(demo_conn, MONTH, as_of=AS_OF) == internal


MM = 72 / 25.4  # PDF points per millimetre


def page_fill(pdf: bytes) -> list[float]:
    """For each page, the share of its printable height (below the running header, above the footer) that its
    content reaches: the lowest character, rectangle or line drawn there, read back with pdfplumber."""
    fills = []
    with pdfplumber.open(BytesIO(pdf)) as document:
        for page in document.pages:
            top, bottom = TOP * MM, page.height - BOTTOM * MM
            drawn = [item["bottom"] for kind in ("chars", "rects", "lines", "curves") for item in getattr(page, kind)
                     if item["top"] >= top - 1 and item["bottom"] <= bottom + 1]
            fills.append((max(drawn, default=top) - top) / (bottom - top))
    return fills


@pytest.mark.parametrize("edition", ["internal", "anonymised", "in_progress"])
def test_pack_has_the_pages_the_readme_promises_and_no_near_empty_carry_over(
        edition: str, demo_conn: duckdb.DuckDBPyConnection, request: pytest.FixtureRequest) -> None:
    pdf = (report.build_pack(demo_conn, date(2026, 11, 1), as_of=TODAY) if edition == "in_progress"
           else request.getfixturevalue(edition))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "Huit pages" in flat(readme)
    fills = page_fill(pdf)
    print(f"\n{edition} : " + " ".join(f"{fill:.0%}" for fill in fills))
    assert len(fills) == 8
    assert all(fill >= 0.4 for fill in fills[:-1]), fills
    assert all(fill <= 1.0 for fill in fills)  # nothing drawn into the footer


def _lines_pdf(count: int) -> PackPDF:
    pdf = PackPDF(running_title="t", edition="e", edition_colour="#000000", footer_note="f")
    pdf.fitted(lambda page: [page.new_page("Titre")] + [page.paragraph(f"ligne {n}") for n in range(count)])
    return pdf


def test_a_section_a_little_too_long_is_drawn_smaller_on_its_page_a_long_one_goes_on() -> None:
    body = 297 - TOP - BOTTOM
    per_page = int((body - 12) / 4.2)  # 4.2 mm a line under a title of about 12 mm
    fits = _lines_pdf(per_page - 2)
    assert fits.scales == [1.0]
    # 10 % too long: one page, drawn smaller (a line break would leave a page 10 % full)
    small = _lines_pdf(int(per_page * 1.1))
    assert len(small.scales) == 1 and MIN_SCALE <= small.scales[0] < 0.95
    fills = page_fill(small.render())
    assert len(fills) == 1 and fills[0] > 0.8
    # twice too long: shrinking would make it unreadable, it goes on over a second page, unscaled
    long = _lines_pdf(per_page * 2 - 20)
    assert long.scales == [1.0, 1.0]
    assert len(page_fill(long.render())) == 2
    fits.render()


def test_fonts_are_bundled_with_their_licence() -> None:
    assert (FONT_DIR / "DejaVuSans.ttf").is_file() and (FONT_DIR / "DejaVuSans-Bold.ttf").is_file()
    licence = (FONT_DIR / "LICENSE-DejaVu.txt").read_text(encoding="utf-8")
    assert "Bitstream Vera" in licence and "Arev" in licence


# -- the same figures as the analytics -----------------------------------------------------------------------------

def test_headline_figures_are_the_synthese_page_figures(demo_conn: duckdb.DuckDBPyConnection, internal: bytes,
                                                         period: filters.Period) -> None:
    first = flat(pages_of(internal)[0])
    figures = {f.key: f for f in summary.headline(demo_conn, period, AS_OF)}
    assert f"Taux de présence {flat(percent(figures['presence'].raw))} ▲ {flat(figures['presence'].delta)}" in first
    assert flat(percent(figures["participation"].raw)) in first
    fulfilled, required = figures["meetings"].raw
    assert f"Séances requises tenues {fulfilled} / {required} ▲ {figures['meetings'].delta}" in first
    behind = figures["behind"].delta
    arrow = "▲ " if behind.startswith("+") else "▼ " if behind.startswith("-") else ""  # as the card draws it
    assert f"{summary.BEHIND_LABEL} {figures['behind'].value} {arrow}{behind}" in first
    # the presence rate recomputed from the counts, formatted the French way: "89,5 %"
    totals = attendance.counts(demo_conn, period.start, period.end, "body")
    rate = (totals["present"].sum() + totals["remote"].sum()) / totals["recorded"].sum()
    assert re.fullmatch(r"\d{2},\d\u00a0%", percent(rate))
    assert flat(percent(rate)) in first
    recorded = plural(int(totals["recorded"].sum()), "convocation renseignée", "convocations renseignées")
    assert flat(f"sur {recorded}") in first
    assert "du 1er novembre 2025 au 31 octobre 2026" in first
    assert "du 1er novembre 2024 au 31 octobre 2025" in first


def test_meetings_held_are_counted_as_in_the_database(demo_conn: duckdb.DuckDBPyConnection, internal: bytes,
                                                      period: filters.Period) -> None:
    first = flat(pages_of(internal)[0])
    in_month = demo_conn.cursor().execute(
        "SELECT count(*) FROM meetings WHERE status = 'held' AND meeting_date BETWEEN ? AND ?",
        [MONTH, AS_OF]).fetchall()[0][0]
    assert in_month > 0
    assert f"En octobre 2026 : {plural(in_month, 'séance tenue', 'séances tenues')}" in first
    held = int(cadence.summary(demo_conn, period.start, period.end, AS_OF)["held"].sum())
    assert f"{held} séances tenues en tout" in first


def test_family_pages_hold_each_body_presence_and_the_quorum(demo_conn: duckdb.DuckDBPyConnection,
                                                             internal: bytes, period: filters.Period) -> None:
    pages = [flat(text) for text in pages_of(internal)]
    by_body = attendance.counts(demo_conn, period.start, period.end, "body").set_index("body_code")
    catalogue = filters.bodies(demo_conn)
    for family, page in zip(FAMILY, pages[1:5]):
        for code in catalogue.loc[catalogue["family"] == family, "code"]:
            if code in by_body.index and by_body.at[code, "recorded"] > 0:
                assert flat(percent(by_body.at[code, "presence_rate"])) in page, code
    decision = pages[1]
    sittings = quorum.quorum(demo_conn, period.start, period.end)
    assert len(sittings) > 0
    for sitting in sittings.itertuples(index=False):
        assert f"{flat(weekday_date(sitting.meeting_date))} {sitting.in_office} {sitting.present}" in decision


def test_the_decision_page_lists_the_sittings_where_quorum_was_lost(demo_conn: duckdb.DuckDBPyConnection,
                                                                    internal: bytes, anonymised: bytes,
                                                                    period: filters.Period) -> None:
    from analytics.rules import agenda

    # the demo's walkout: the quorum reached at the opening, lost at a point, found again two points later
    lost = agenda.losses(agenda.item_quorum(demo_conn, period.start, period.end))
    assert len(lost) == 1
    row = lost.iloc[0]
    for pdf in (internal, anonymised):
        decision = flat(pages_of(pdf)[1])
        assert "Séances où le quorum, atteint à l'ouverture, a été perdu en cours de séance" in decision
        assert (f"{flat(weekday_date(row.meeting_date))} point {row.lost_at}" in decision
                and f"{row.present} / {row.required} requis au point {row.back_at}" in decision), decision
    # the internal edition gives the point's title; the anonymised one the point alone (a title may name someone)
    assert flat(f"point {row.lost_at} — {row.lost_title}") in flat(pages_of(internal)[1])
    assert f"point {row.lost_at} —" not in flat(pages_of(anonymised)[1])


def test_alerts_are_the_dashboard_alerts(demo_conn: duckdb.DuckDBPyConnection, internal: bytes,
                                         period: filters.Period) -> None:
    pages = [flat(text) for text in pages_of(internal)]
    found = alerts.compute(demo_conn, period.start, period.end, AS_OF)
    assert f"Alertes ({len(found)}), les plus graves d'abord" in pages[0]
    for kind, count in found.groupby("kind").size().items():
        assert f"{ALERT_KIND[kind]} : {count}" in pages[0]
    whole = " ".join(pages)
    sheets = found[found["kind"] == "sheet_missing"]
    assert len(sheets) > 0
    for message in sheets["message"]:  # each on the page of its body's family, word for word
        assert flat(message) in whole
    # the most recent alert of each of the most serious kinds, on the first page (since issue 12 the demo's
    # quorum lost at a point is one of them, ahead of the low attendance this test used to look for)
    for kind in list(dict.fromkeys(found["kind"]))[:report.DIGEST_KINDS]:
        latest = found.loc[found["kind"] == kind, "message"].iloc[0]
        assert flat(summary.short_message(latest)) in pages[0], kind


def test_internal_edition_names_the_people_under_their_threshold(demo_conn: duckdb.DuckDBPyConnection,
                                                                 internal: bytes) -> None:
    people = flat(pages_of(internal)[6])
    low = attendance.low_attendance(demo_conn, AS_OF)
    assert len(low) > 0
    assert f"Sous le taux attendu ({len(low)} cas)" in people
    for row in low.itertuples(index=False):
        assert f"{row.name} " in people
        assert flat(percent(row.presence_rate)) in people


def test_a_database_without_meetings_still_gives_a_pack(conn: duckdb.DuckDBPyConnection) -> None:
    # conftest's fresh database: reference data only, not one meeting
    pages = [flat(text) for text in pages_of(report.build_pack(conn, MONTH, as_of=AS_OF))]
    assert pages[0].startswith("Gouvernance m2A") and "Synthèse — octobre 2026" in pages[0]
    whole = " ".join(pages)
    assert "Personne n'est sous le taux attendu de son instance." in whole
    assert "Échéance sans séance prévue : Conseil d'Agglomération" in whole


# -- the anonymised edition ----------------------------------------------------------------------------------------

def test_anonymised_edition_names_nobody(demo_conn: duckdb.DuckDBPyConnection, anonymised: bytes,
                                         internal: bytes) -> None:
    text = flat(" ".join(pages_of(anonymised)))
    named = flat(" ".join(pages_of(internal)))
    persons = demo_conn.cursor().execute("SELECT last_name, first_name FROM persons").fetchall()
    assert len(persons) > 100
    for last, first in persons:
        word = re.compile(rf"(?<!\w){re.escape(last)}(?!\w)", re.IGNORECASE)
        assert not word.search(text), last
        assert f"{first} {last}" not in text
    under = attendance.low_attendance(demo_conn, AS_OF)
    assert all(name in named for name in under["name"])  # the internal edition does name them
    # the anonymised edition still counts them, per body
    # the anonymised edition still counts them, per body: every count it prints is the data's
    expected = under.groupby("body_name").size().to_dict()
    printed = re.findall(r"(?:\d{4}|\)\.) ([^:.]+?) : (\d+) membres? sous le taux de présence attendu", text)
    # printed in the first page's digest when low attendance is among its most serious kinds (issue 12 added one)
    period = filters.resolve(filters.ROLLING, AS_OF)
    found = alerts.compute(demo_conn, period.start, period.end, AS_OF)
    assert printed or "low_attendance" not in list(dict.fromkeys(found["kind"]))[:report.DIGEST_KINDS]
    for body, count in printed:
        assert expected[body.strip()] == int(count), body
    assert "Édition anonymisée : aucune personne n'est nommée" in text


def test_anonymised_alerts_are_rebuilt_from_the_data(demo_conn: duckdb.DuckDBPyConnection,
                                                     period: filters.Period) -> None:
    frame = summary.alert_list(demo_conn, period.start, period.end, AS_OF)
    catalogue = filters.bodies(demo_conn)
    lines = report.alert_lines(frame, catalogue, anonymise=True)
    assert sum(line.count for line in lines) == len(frame)
    people = frame[frame["person"].notna()]
    for line in lines:
        assert not any(name in line.text for name in people["person"])
    assert report.alert_lines(frame, catalogue, anonymise=False)[0].text == frame["message"].iloc[0]


def test_anonymised_alerts_count_people_per_body_and_sitting() -> None:
    import pandas as pd

    def alert(kind: str, severity: int, person: str, day: date, message: str) -> dict:
        return {"kind": kind, "severity": severity, "body_code": "conseil", "body_name": "Conseil d'Agglomération",
                "person_id": 1, "person": person, "date": pd.Timestamp(day), "message": message}

    sitting = date(2026, 3, 23)
    frame = pd.DataFrame([
        alert("proxy_limit", 3, "MERLE Anne", sitting, "… MERLE Anne détient 2 pouvoirs …"),
        alert("proxy_limit", 3, "GRIVE Paul", sitting, "… GRIVE Paul détient 3 pouvoirs …"),
        alert("consecutive_absences", 6, "MERLE Anne", date(2026, 5, 20), "… MERLE Anne : 3 absences …"),
        alert("low_attendance", 7, "GRIVE Paul", AS_OF, "… GRIVE Paul : présence de 40,0 % …"),
    ])
    catalogue = pd.DataFrame({"code": ["conseil"], "name": ["Conseil d'Agglomération"], "required_rate": [0.6],
                              "sort_order": [10]})
    lines = report.alert_lines(frame, catalogue, anonymise=True)
    assert [(line.kind, line.count) for line in lines] == [
        ("proxy_limit", 2), ("consecutive_absences", 1), ("low_attendance", 1)]
    assert lines[0].text == ("Conseil d'Agglomération, séance du 23 mars 2026 : 2 membres détiennent plus d'un "
                             "pouvoir, un membre ne peut en détenir qu'un seul (CGCT L2121-20).")
    assert "1 série d'au moins 3 absences non excusées consécutives" in lines[1].text
    assert lines[2].text.startswith("Conseil d'Agglomération : 1 membre sous le taux de présence attendu de 60,0")
    assert not any(name in line.text for line in lines for name in ("MERLE", "GRIVE", "Anne", "Paul"))


def test_name_guard_refuses_a_name_but_not_a_body_called_like_a_person() -> None:
    check = name_guard([("Rossignol", "Florence"), ("Bureau", "Jean"), ("ANONYME", "n° 12")])
    for leak in ("ROSSIGNOL Florence", "Florence Rossignol", "présence de ROSSIGNOL", "BUREAU Jean"):
        with pytest.raises(NameLeak):
            check(leak)
    for fine in ("Bureau", "Réunion du Bureau", "rossignols et merles", "ANONYME n° 12"):
        check(fine)
    pdf = PackPDF(running_title="t", edition="e", edition_colour="#000000", footer_note="f", guard=check)
    pdf.add_page()
    with pytest.raises(NameLeak):
        pdf.cell(text="Conseil — ROSSIGNOL Florence : présence")
    pdf.render()


def test_characters_missing_from_the_bundled_font_degrade_to_their_letters() -> None:
    pdf = PackPDF(running_title="t", edition="e", edition_colour="#000000", footer_note="f")
    pdf.add_page()
    assert pdf.normalize_text("Ǆemal Nguyễn Œuvre") == "Ǆemal Nguyễn Œuvre"  # Latin extended: in the font
    assert pdf.normalize_text("Ωmega ☃") == "?mega ?"
    pdf.render()


# -- the dates ----------------------------------------------------------------------------------------------------

def test_month_is_judged_on_its_last_day_over_the_synthese_rolling_year() -> None:
    dates = report.pack_dates(MONTH, today=TODAY)
    assert dates.as_of == AS_OF
    assert dates.period == filters.resolve(filters.ROLLING, AS_OF)  # the Synthèse page's default view
    assert (dates.period.start, dates.period.end) == (date(2025, 11, 1), AS_OF)
    assert (dates.period.previous_start, dates.period.previous_end) == (date(2024, 11, 1), date(2025, 10, 31))
    assert (dates.window_start, dates.window_end) == (date(2026, 11, 1), date(2026, 12, 31))


def test_month_in_progress_is_judged_today() -> None:
    dates = report.pack_dates(date(2026, 11, 1), today=TODAY)
    assert dates.as_of == TODAY
    # the month in progress and the next: November's last day and December
    assert (dates.window_start, dates.window_end) == (date(2026, 11, 30), date(2026, 12, 31))
    december = report.pack_dates(date(2026, 12, 1), today=date(2026, 12, 1))
    assert (december.window_start, december.window_end) == (date(2026, 12, 2), date(2027, 1, 31))
    last_day = report.pack_dates(date(2026, 12, 1), today=date(2026, 12, 31))
    assert (last_day.window_start, last_day.window_end) == (date(2027, 1, 1), date(2027, 2, 28))
    with pytest.raises(ValueError, match="pas encore commencé"):
        report.pack_dates(date(2026, 12, 1), today=TODAY)
    with pytest.raises(ValueError, match="n'est pas dans le mois d'octobre 2026"):
        report.pack_dates(MONTH, date(2026, 11, 2))
    with pytest.raises(ValueError, match="premier jour"):
        report.pack_dates(date(2026, 10, 5))


def test_the_calendar_of_a_month_judged_on_its_first_day_shows_that_month_and_the_next(
        demo_conn: duckdb.DuckDBPyConnection) -> None:
    calendar = flat(pages_of(report.build_pack(demo_conn, date(2026, 12, 1), as_of=date(2026, 12, 1)))[-1])
    assert calendar.startswith("Gouvernance m2A") and "Calendrier des deux mois à venir" in calendar
    assert "Du 2 décembre 2026 au 31 janvier 2027" in calendar
    assert "Décembre 2026" in calendar and "Janvier 2027" in calendar and "Février 2027" not in calendar
    # December's deadlines are on it: the cadence periods of the monthly bodies end on the 31st
    assert "jeu. 31 déc." in calendar


@pytest.mark.parametrize("text", ["2026-13", "2026-1", "oct. 2026", "2026-00", ""])
def test_bad_months_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="mois invalide"):
        report.parse_month(text)


# -- the command ---------------------------------------------------------------------------------------------------

def test_command_writes_the_pack_of_the_month_in_progress(demo_db: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(filters.TODAY_VARIABLE, TODAY.isoformat())
    out = tmp_path / "dossier.pdf"
    assert cli.report_command("2026-11", str(demo_db), out, anonymise=True) == 0
    assert "Dossier de novembre 2026 écrit" in capsys.readouterr().out
    text = flat(" ".join(pages_of(out.read_bytes())))
    assert "Situation au 29 novembre 2026" in text
    assert "Du 30 novembre 2026 au 31 décembre 2026" in text


def test_command_errors_are_french_and_exit_1(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(filters.TODAY_VARIABLE, TODAY.isoformat())
    out = tmp_path / "dossier.pdf"
    assert cli.report_command("2026-13", str(demo_db), out, anonymise=False) == 1
    assert "mois invalide « 2026-13 »" in capsys.readouterr().err
    assert cli.report_command("2027-01", str(demo_db), out, anonymise=False) == 1
    assert "le mois de janvier 2027 n'a pas encore commencé" in capsys.readouterr().err
    assert cli.report_command("2026-10", str(tmp_path / "absente.duckdb"), out, anonymise=False) == 1
    assert "n'existe pas" in capsys.readouterr().err
    assert cli.report_command("2026-10", str(demo_db), tmp_path / "nulle-part" / "d.pdf", anonymise=False) == 1
    assert "n'existe pas" in capsys.readouterr().err
    assert not out.exists()


def test_command_reports_a_database_locked_by_another_program(demo_db: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    locked = tmp_path / "verrou.duckdb"
    shutil.copy(demo_db, locked)
    holder = subprocess.Popen(
        [sys.executable, "-c", ("import sys, duckdb; c = duckdb.connect(sys.argv[1]); print('prêt', flush=True); "
                                "sys.stdin.read()"), str(locked)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "prêt"
        assert cli.report_command("2026-10", str(locked), tmp_path / "d.pdf", anonymise=False) == 1
        assert "ouverte en écriture par un autre programme" in capsys.readouterr().err
    finally:
        holder.stdin.close()  # ends the holder: it was reading its standard input
        holder.wait(timeout=30)
        holder.stdout.close()
