"""The monthly pack of the réunion de direction: a PDF in French built from the analytics (issue 7).

What "the month" means
----------------------
`month` is the first day of a calendar month M ("--month 2026-10"). The pack tells the situation at `as_of`:

- by default the last day of M, or today (settings.today(), which honours $GOUVERNANCE_TODAY) while M is in progress;
  a month that has not started is refused; an explicit `as_of` must fall within M;
- every indicator covers the rolling 12 months ending on as_of (1 November 2025 to 31 October 2026 for the month
  of October 2026) and is compared with the 12 months before (1 November 2024 to 31 October 2025). This is the
  Synthèse page's default view ("12 derniers mois", filters.resolve) at the same day, so that the pack and the
  dashboard give the same figures: the headline figures are summary.headline's, the alerts summary.alert_list's,
  the heatmap summary.cadence_grid's;
- the month M itself is the framed column of the heatmap, the meetings counted on the first page ("En octobre
  2026 : …"), and the alerts dated in M, marked "nouveau";
- the calendar covers the coming two months: the month of the day after as_of and the next, from that day (1
  November to 31 December 2026 for October; 2 December 2026 to 31 January 2027 for December judged on its 1st,
  whose deadlines of December are the most pressing).

Pages, in this order (a section a little longer than its page is drawn smaller, down to 85 %, by PackPDF.fitted;
a much longer one continues on a page titled "… (suite)"):
1. Synthèse: headline figures and their change, the alerts (counts per kind, the latest of the most serious kinds),
   the cadence heatmap;
2.–5. one page per family of bodies (decision, validation, co-construction, information — labels.FAMILY): held
   versus required meetings, presence against the expected rate, next due date and planned meeting, the quorum of
   the Conseil's sittings and its legal floor (decision), the family's alerts;
6. the sectors and the communes compared (attendance, representation; quartile bands, no ranking);
7. the people under their body's expected rate and the runs of unexcused absences;
8. the calendar: month grids, planned meetings, due dates, public holidays of Alsace-Moselle, and the quorum
   forecast of the planned sittings of the decision bodies (outputs.forecast: probability, members expected, replies,
   whom to call — a count only in the anonymised edition).

Editions: the internal edition names the people; `anonymise=True` names nobody, anywhere — alerts about a person are
rebuilt as counts per body (per sitting for proxies), the people page gives counts per body, and report_pdf's guard
refuses to write a person's name ("NOM Prénom", "Prénom NOM" or the last name in capitals) into that edition.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import pandas as pd
from babel.dates import format_date

from analytics import settings
from analytics.outputs import forecast as ahead
from analytics.outputs import summary
from analytics.outputs.palette import (
    BLUE,
    CADENCE_COLOURS,
    CADENCE_LABELS,
    GRAVITY_COLOURS,
    GREEN,
    GREY,
    INK,
    MEETING_COLOURS,
    ORANGE,
    VERMILLION,
)
from analytics.report.pdf import (
    MUTED,
    Bar,
    Card,
    Cell,
    Column,
    Day,
    Group,
    NameLeak,
    PackPDF,
    Swatch,
    Text,
    name_guard,
)
from analytics.rules import agenda, attendance, cadence, filters, schedule, territory
from analytics.rules.alerts import rule_text
from analytics.rules.periods import days_in_month
from analytics.store.sql import query
from analytics.wording.display import long_day, month_name, plural, points, short_date, weekday_date
from analytics.wording.format import LOCALE, month_label, number, percent
from analytics.wording.labels import ALERT_GRAVITY, ALERT_KIND, FAMILY

__all__ = ["NameLeak", "PackDates", "build_pack", "month_of", "pack_dates"]

# Alerts about one person: on the people page (attendance) or rebuilt without the name (anonymised edition).
PERSON_KINDS = ("proxy_limit", "consecutive_absences", "low_attendance")
PEOPLE_PAGE_KINDS = ("consecutive_absences", "low_attendance")
DIGEST_KINDS, DIGEST_PER_KIND = 3, 2
MIN_RECORDED = attendance.MIN_RECORDED
INTERNAL_COLOUR = VERMILLION
ANONYMOUS_COLOUR = "#007A5A"


# -- dates -----------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PackDates:
    """The dates of one pack; see the module docstring."""

    month: date
    month_end: date
    as_of: date
    period: filters.Period
    window_start: date
    window_end: date

    @property
    def month_text(self) -> str:
        """"octobre 2026"."""
        return month_name(self.month)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_of(month: date) -> str:
    """"d'octobre 2026", "de novembre 2026": French elision before a vowel."""
    name = month_name(month)
    return f"d'{name}" if name[0] in "aeiouyéèêàâîôûh" else f"de {name}"


def pack_dates(month: date, as_of: date | None = None, *, today: date | None = None) -> PackDates:
    """The situation day, the rolling 12 months and the calendar window of the pack of `month` (its first day)."""
    if month.day != 1:
        raise ValueError(f"le mois se désigne par son premier jour, pas le {long_day(month)}")
    month_end = month.replace(day=days_in_month(month.year, month.month))
    if as_of is None:
        today = today or settings.today()
        if today < month:
            raise ValueError(f"le mois {month_of(month)} n'a pas encore commencé (nous sommes le "
                             f"{long_day(today)})")
        as_of = min(month_end, today)
    elif not month <= as_of <= month_end:
        raise ValueError(f"la date de situation ({long_day(as_of)}) n'est pas dans le mois {month_of(month)}")
    window_start = as_of + timedelta(days=1)
    window_end = _add_months(window_start.replace(day=1), 2) - timedelta(days=1)
    return PackDates(month, month_end, as_of, filters.resolve(filters.ROLLING, as_of), window_start, window_end)


# -- alerts ----------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AlertLine:
    """One alert as the pack prints it: in the anonymised edition, alerts about people are merged without names."""

    severity: int
    kind: str
    body_code: str | None
    day: date
    text: str
    count: int = 1  # alerts of the dashboard behind this line
    names: tuple[str, ...] = ()  # a merged line: the bodies it names…
    rest: str = ""               # …and what it says of them

    @property
    def kind_label(self) -> str:
        return ALERT_KIND[self.kind]


def alert_lines(frame: pd.DataFrame, catalogue: pd.DataFrame, anonymise: bool) -> list[AlertLine]:
    """The alerts of summary.alert_list in their order (most serious kind first, then the most recent).

    Anonymised: an alert about a person is replaced by one line per body (low attendance, runs of absences) or per
    sitting (proxies) that counts the people instead of naming them; the line takes the place of the group's first
    alert. The texts are built from the structured columns, never by editing the named message."""
    rates = dict(zip(catalogue["code"], catalogue["required_rate"]))
    lines: list[AlertLine] = []
    groups: dict[tuple, list] = {}
    for row in frame.itertuples(index=False):
        day = pd.Timestamp(row.date).date()
        if not anonymise or row.kind not in PERSON_KINDS:
            lines.append(AlertLine(int(row.severity), row.kind, row.body_code, day, row.message))
            continue
        key = (row.kind, row.body_code, day if row.kind == "proxy_limit" else None)
        if key not in groups:
            groups[key] = []
            lines.append(AlertLine(int(row.severity), row.kind, row.body_code, day, ""))  # filled below
        groups[key].append(row)
    result = []
    for line in lines:
        if line.text:
            result.append(line)
            continue
        key = (line.kind, line.body_code, line.day if line.kind == "proxy_limit" else None)
        rows = groups[key]
        body, count = rows[0].body_name, len(rows)
        if line.kind == "low_attendance":
            text = (f"{body} : {plural(count, 'membre')} sous le taux de présence attendu de "
                    f"{percent(rates.get(line.body_code))} sur les 12 derniers mois (au moins {MIN_RECORDED} "
                    "convocations renseignées).")
        elif line.kind == "consecutive_absences":
            last = max(pd.Timestamp(r.date).date() for r in rows)
            text = (f"{body} : {plural(count, 'série', 'séries')} d'au moins 3 absences non excusées consécutives, "
                    f"la plus récente complétée le {long_day(last)} (alerte de suivi, non un constat juridique).")
        else:
            verb = "détient" if count < 2 else "détiennent"
            text = (f"{body}, séance du {long_day(line.day)} : {plural(count, 'membre')} {verb} plus d'un "
                    "pouvoir, un membre ne peut en détenir qu'un seul (CGCT L2121-20).")
        day = max(pd.Timestamp(r.date).date() for r in rows)
        result.append(AlertLine(line.severity, line.kind, line.body_code, day, text, count))
    return result


MERGEABLE = ("cadence_missed", "cadence_at_risk")


def merge_lines(lines: Sequence[AlertLine], catalogue: pd.DataFrame) -> list[AlertLine]:
    """Cadence alerts that say the same thing of several bodies on the same day ("Commission de travail – X : aucune
    séance tenue en août 2026 (règle : …)" six times) as one line naming the bodies, at the place of the first."""
    names = dict(zip(catalogue["code"], catalogue["name"]))
    order = dict(zip(catalogue["code"], catalogue["sort_order"]))
    slots: list[tuple[AlertLine, str | None]] = []
    members: dict[tuple, list[AlertLine]] = {}
    for line in lines:
        name = names.get(line.body_code)
        if line.kind in MERGEABLE and name and line.text.startswith(name + " : "):
            tail = line.text[len(name) + 3:]
            key = (line.kind, line.day, tail)
            if key not in members:
                members[key] = []
                slots.append((line, tail))
            members[key].append(line)
        else:
            slots.append((line, None))
    result = []
    for line, rest in slots:
        group = members.get((line.kind, line.day, rest), []) if rest is not None else []
        if rest is None or len(group) < 2:
            result.append(line)
            continue
        group = sorted(group, key=lambda g: order.get(g.body_code, 0))
        bodies = tuple(names[g.body_code] for g in group)
        result.append(AlertLine(line.severity, line.kind, line.body_code, line.day,
                                f"{join_bodies(bodies)} : {rest}", sum(g.count for g in group), bodies, rest))
    return result


def join_bodies(names: Sequence[str], limit: int | None = None) -> str:
    """Body names in a sentence, those sharing a prefix under it: "Réunion de direction et Commissions de travail –
    Finances, Mobilités". Beyond `limit` names, a group is counted instead: "Réunion de direction et 6 commissions
    de travail"."""
    segments: list[tuple[str | None, list[str]]] = []
    for name in names:
        head, _, rest = name.partition(" – ")
        if rest and segments and segments[-1][0] == head:
            segments[-1][1].append(rest)
        else:
            segments.append((head if rest else None, [rest or name]))
    words = []
    for prefix, parts in segments:
        if prefix is None or len(parts) == 1:
            words += [f"{prefix} – {part}" if prefix else part for part in parts]
        elif limit is not None and len(names) > limit:
            title = GROUP_TITLES.get(prefix)
            words.append(f"{len(parts)} {title[0].lower() + title[1:]}" if title
                         else f"{len(parts)} instances « {prefix} »")
        else:
            words.append(f"{GROUP_TITLES.get(prefix, prefix)} – {', '.join(parts)}")
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " et " + words[-1]


# -- the pack --------------------------------------------------------------------------------------------------------

class _Pack:
    """What every page needs, computed once."""

    def __init__(self, conn: duckdb.DuckDBPyConnection, dates: PackDates, anonymise: bool) -> None:
        self.conn, self.dates, self.anonymise = conn, dates, anonymise
        period, as_of = dates.period, dates.as_of
        self.catalogue = filters.bodies(conn)
        self.alert_frame = summary.alert_list(conn, period.start, period.end, as_of)
        self.alerts = alert_lines(self.alert_frame, self.catalogue, anonymise)
        self.summary = cadence.summary(conn, period.start, period.end, as_of).set_index("code")
        judged = summary.judged_periods(conn, period.start, period.end, as_of, None)
        judged = judged.assign(fulfilled=judged[["held", "required"]].min(axis=1))
        self.judged = judged.groupby("body_code")[["required", "fulfilled"]].sum()
        # one pass of the attendance query per period for every level needed (counts_many shares it)
        now = attendance.counts_many(conn, period.start, period.end, ["body", "person_body"])
        self.by_body = now["body"].set_index("body_code")
        previous = period.previous
        before = (attendance.counts_many(conn, previous.start, previous.end, ["body", "sector"]) if previous
                  else None)
        self.by_body_before = before["body"].set_index("body_code") if before else None
        self.by_sector_before = before["sector"].set_index("sector") if before else None
        self.due = schedule.due_dates(conn, as_of).set_index("code")
        # the 12 months ending on as_of are the period itself: these pairs are attendance.low_attendance's
        pairs = now["person_body"]
        self.judged_people = pairs[pairs["required_rate"].notna() & (pairs["recorded"] >= MIN_RECORDED)]
        self.low = self.judged_people[self.judged_people["presence_rate"] < self.judged_people["required_rate"]]
        self.persons = conn.cursor().execute(query("report_persons")).df()

    def family_bodies(self, family: str) -> pd.DataFrame:
        """The family's bodies in display order, without the ateliers whose project ended before the period."""
        frame = self.catalogue[self.catalogue["family"] == family]
        ended = frame["project_end"].notna() & (frame["project_end"] < pd.Timestamp(self.dates.period.start))
        idle = frame["code"].map(lambda code: int(self.summary.at[code, "held"]) == 0 if code in self.summary.index
                                 else True)
        return frame[~(ended & idle)]

    def period_text(self) -> str:
        return f"12 mois glissants {self.dates.period.text}"


def build_pack(conn: duckdb.DuckDBPyConnection, month: date, *, anonymise: bool = False,
               as_of: date | None = None) -> bytes:
    """The PDF pack of `month` (its first day) for the réunion de direction; see the module docstring for the dates.

    Raises ValueError (French message) for a month not started or an as_of outside the month, and report_pdf.NameLeak
    if the anonymised edition were about to print a person's name."""
    dates = pack_dates(month, as_of)
    pack = _Pack(conn, dates, anonymise)
    edition = ("Édition anonymisée — aucune personne n'est nommée" if anonymise
               else "Édition interne — nominative, diffusion restreinte")
    pdf = PackPDF(
        running_title=f"Gouvernance m2A · Réunion de direction · {dates.month_text}",
        edition=edition, edition_colour=ANONYMOUS_COLOUR if anonymise else INTERNAL_COLOUR,
        footer_note=(f"Situation au {long_day(dates.as_of)} · indicateurs des 12 mois glissants "
                     f"{dates.period.text}"),
        guard=name_guard(zip(pack.persons["last_name"], pack.persons["first_name"])) if anonymise else None,
        created=dates.as_of,
    )
    pdf.set_title(f"Gouvernance m2A — dossier de la réunion de direction — {dates.month_text}")
    pdf.set_subject("Assiduité et cadence des instances de gouvernance de Mulhouse Alsace Agglomération")
    pdf.fitted(lambda page: _summary_page(page, pack))
    for family in FAMILY:
        pdf.fitted(lambda page, family=family: _family_page(page, pack, family))  # type: ignore[misc]
    pdf.fitted(lambda page: _territories_page(page, pack))
    pdf.fitted(lambda page: _people_page(page, pack))
    pdf.fitted(lambda page: _calendar_page(page, pack))
    return pdf.render()


# -- page 1: synthèse ------------------------------------------------------------------------------------------------

def _tone(delta: str | None, colour: str) -> str:
    if not delta or delta.startswith("±"):
        return "neutral"
    up = delta.startswith("+")
    return "good" if up == (colour == "normal") else "bad"


def _summary_page(pdf: PackPDF, pack: _Pack) -> None:
    conn, dates = pack.conn, pack.dates
    period, as_of = dates.period, dates.as_of
    pdf.new_page(f"Synthèse — {dates.month_text}",
                 f"Situation au {long_day(as_of)}. Indicateurs des 12 mois glissants {period.text} ; "
                 + summary.comparison_text(period)[0].lower() + summary.comparison_text(period)[1:])
    figures = {f.key: f for f in summary.headline(conn, period, as_of)}
    # the captions reuse what the pack already holds: the same sums as summary.attendance_totals/cadence_totals
    recorded = int(pack.by_body["recorded"].sum())
    held = int(pack.summary["held"].sum())
    fulfilled, required = figures["meetings"].raw
    captions = {
        "presence": f"présents et à distance, sur "
                    f"{plural(recorded, 'convocation renseignée', 'convocations renseignées')}",
        "participation": "y compris les pouvoirs donnés et les suppléances",
        "meetings": f"{plural(held, 'séance tenue', 'séances tenues')} en tout ; "
                    f"{plural(required - fulfilled, 'requise manque', 'requises manquent')}",
        "behind": "au moins une période de leur règle manquée",
    }
    pdf.cards([Card(f.label, f.value, f.delta, _tone(f.delta, f.delta_color), captions[f.key])
               for f in figures.values()])

    month = conn.cursor().execute(query("report_month_meetings"),
                                  {"start": dates.month, "end": dates.month_end}).fetchall()[0]
    days = pack.alert_frame["date"].dt.date
    new = pack.alert_frame[(days >= dates.month) & (days <= dates.month_end)]
    pdf.rich_line([(f"En {dates.month_text} : ", True),
                   (f"{plural(month[0], 'séance tenue', 'séances tenues')}, "
                    f"{plural(month[1], 'annulée', 'annulées')}"
                    + (f", {plural(month[2], 'encore prévue', 'encore prévues')}" if month[2] else "")
                    + f" ; {plural(len(new), 'alerte datée', 'alertes datées')} du mois.", False)], size=8.3)

    alerts = merge_lines(pack.alerts, pack.catalogue)
    # counted as the dashboard counts them: one per alert, whatever the lines that print them
    total = sum(a.count for a in alerts)
    pdf.section(f"Alertes ({number(total)}), les plus graves d'abord",
                "Les plus récentes des types les plus graves, toutes reprises aux pages suivantes ; en gras : "
                "datées du mois.", keep=30)
    if not alerts:
        pdf.paragraph("Aucune alerte sur la période.")
    else:
        counts: dict[str, int] = {}
        for a in alerts:
            counts[a.kind] = counts.get(a.kind, 0) + a.count
        pdf.chips([(GRAVITY_COLOURS[ALERT_GRAVITY[k]], f"{ALERT_KIND[k]} : {number(n)}") for k, n in counts.items()])
        digest: list[AlertLine] = []
        for kind in list(counts)[:DIGEST_KINDS]:
            digest += [a for a in alerts if a.kind == kind][:DIGEST_PER_KIND]
        _alert_table(pdf, digest, dates, short=True, limit=3)

    grid = summary.cadence_grid(conn, period.start, period.end, as_of)
    pdf.section("Cadence des instances, mois par mois",
                "Statut de la période de la règle dont relève chaque mois ; nombre : séances tenues dans le mois ; "
                "encadré : le mois du dossier.", keep=60)
    if grid.empty:
        pdf.paragraph("Aucune instance à montrer sur la période.")
        return
    _heatmap(pdf, grid, month_label(dates.month))


def _heatmap(pdf: PackPDF, grid: pd.DataFrame, current: str) -> None:
    bodies = list(dict.fromkeys(grid["body_name"]))
    months = list(dict.fromkeys(grid["month_label"]))
    cells, hatched = {}, set()
    for row in grid.itertuples(index=False):
        key = (bodies.index(row.body_name), months.index(row.month_label))
        cells[key] = (CADENCE_COLOURS[row.status], row.cell_text)
        if row.status == "missed":
            hatched.add(key)
    pdf.legend([(CADENCE_COLOURS[s], CADENCE_LABELS[s], s in ("no_rule", "none")) for s in CADENCE_COLOURS])
    pdf.heatmap(bodies, months, cells, hatched=hatched,
                highlight=months.index(current) if current in months else None,
                cell_width=min(9.4, (pdf.width - 70) / max(len(months), 1)))


def _alert_table(pdf: PackPDF, lines: Sequence[AlertLine], dates: PackDates, *, short: bool = False,
                 limit: int | None = None) -> None:
    """Alerts as rows: gravity colour and kind, date (bold when in the month), text. `short` drops the closing
    reminder of the rule or the law, as the Synthèse page's digest does; `limit` counts the bodies of a merged line
    beyond that many ("Réunion de direction et 6 commissions de travail")."""
    rows: list[list[Cell]] = []
    for a in lines:
        new = dates.month <= a.day <= dates.month_end
        text = a.text
        if short:
            text = summary.short_message(f"{join_bodies(a.names, limit)} : {a.rest}" if a.names else a.text)
        swatch = Swatch(GRAVITY_COLOURS[ALERT_GRAVITY[a.kind]], a.kind_label)
        rows.append([swatch, Text(short_date(a.day), bold=new), text])
    pdf.data_table([Column("Type", 38), Column("Date", 22), Column("Alerte", pdf.width - 60)], rows, size=7.0,
                   line=3.2, padding=1.0)


# -- pages 2–5: the families -----------------------------------------------------------------------------------------

def _family_page(pdf: PackPDF, pack: _Pack, family: str) -> None:
    dates = pack.dates
    bodies = pack.family_bodies(family)
    pdf.new_page(FAMILY[family], f"{pack.period_text().capitalize()} · situation au {long_day(dates.as_of)}.")
    if bodies.empty:
        pdf.paragraph("Aucune instance de cette famille dans le catalogue.")
        return
    pdf.section("Cadence et assiduité",
                "Séances requises tenues : sur les périodes de la règle échues dans les 12 mois (comme en page 1). "
                "Présence : présents et à distance sur les convocations renseignées ; le trait marque le taux "
                "attendu, l'évolution compare aux 12 mois précédents.", keep=40)
    rows: list[list[Cell] | Group] = []
    for title, body, name, show_rule in _grouped(bodies):
        if title:
            rows.append(Group(title))
        rows.append(_body_row(pack, body, name, show_rule))
    pdf.data_table([Column("Instance et règle", 46), Column("Séances tenues", 13, "R"),
                    Column("Séances requises tenues", 26), Column("Prochaine échéance", 22),
                    Column("Prochaine séance prévue", 24), Column("Présence", 26), Column("Évolution", 17, "R"),
                    Column("Sous le seuil", 12, "R")], rows, size=7.1, line=3.2, padding=1.0)
    pdf.paragraph("Prochaine séance prévue : ✓ si elle précède l'échéance ; en rouge si elle vient après, ou s'il "
                  "n'y en a aucune alors que l'échéance tombe dans les deux mois à venir.", size=6.8, colour=MUTED,
                  line=3.2)
    pdf.ln(1)

    if family == "decision":
        _quorum(pdf, pack)
    if family == "co_construction" and "dgs" in set(bodies["code"]):
        _dgs_calendar(pdf, pack)
    if family == "information" and territory.RENCONTRES in set(bodies["code"]):
        _rencontres(pdf, pack)

    codes = set(bodies["code"])
    lines = merge_lines([a for a in pack.alerts if a.body_code in codes and a.kind not in PEOPLE_PAGE_KINDS],
                        pack.catalogue)
    pdf.section(f"Alertes de ces instances ({number(sum(a.count for a in lines))})", keep=20)
    if lines:
        _alert_table(pdf, lines, dates, short=True)
    else:
        pdf.paragraph("Aucune alerte pour ces instances sur la période.", size=8, colour=GREY)


# Bodies whose names share a prefix ("Commission de travail – Mobilités") are listed under one heading.
GROUP_TITLES = {"Commission de travail": "Commissions de travail", "Commission thématique": "Commissions thématiques",
                "Conférence territoriale des maires": "Conférences territoriales des maires",
                "Atelier-projet": "Ateliers-projets"}


def _rule(body) -> str:
    n = None if pd.isna(body.cadence_n) else int(body.cadence_n)
    return rule_text(body.rule, n, body.cadence_phase if isinstance(body.cadence_phase, str) else None)


def _grouped(bodies: pd.DataFrame) -> list[tuple[str | None, object, str, bool]]:
    """(heading when a group starts, body, name to print, whether the row shows the rule): inside a group of two
    or more bodies sharing a prefix, the suffix alone, and the rule in the heading when they all share it."""
    prefixes = [name.split(" – ", 1)[0] if " – " in name else None for name in bodies["name"]]
    shared = {p for p in prefixes if p is not None and prefixes.count(p) > 1}
    rules: dict[str, set[str]] = {}
    for prefix, body in zip(prefixes, bodies.itertuples(index=False)):
        if prefix is not None and prefix in shared:
            rules.setdefault(prefix, set()).add(_rule(body))
    result, current = [], None
    for prefix, body in zip(prefixes, bodies.itertuples(index=False)):
        if prefix is not None and prefix in shared:
            common = len(rules[prefix]) == 1
            title = None
            if prefix != current:
                title = GROUP_TITLES.get(prefix, prefix) + (f" — {_rule(body)}" if common else "")
            result.append((title, body, body.name.split(" – ", 1)[1], not common))
        else:
            result.append((None, body, body.name, True))
        current = prefix if prefix in shared else None
    return result


def _body_row(pack: _Pack, body, name: str, show_rule: bool = True) -> list[Cell]:
    code = body.code
    held = int(pack.summary.at[code, "held"]) if code in pack.summary.index else 0
    required_cell: Cell
    if body.rule == "on_demand" or code not in pack.judged.index:
        required_cell = Text("sans règle" if body.rule == "on_demand" else "aucune période échue", colour=GREY)
    else:
        required, fulfilled = (int(v) for v in pack.judged.loc[code, ["required", "fulfilled"]])
        required_cell = Bar(f"{number(fulfilled)} / {number(required)}", fulfilled, max(required, 1),
                            colour=BLUE if fulfilled >= required else VERMILLION, label_width=11)
    due_cell, planned_cell = Text("—", colour=GREY), Text("—", colour=GREY)
    if code in pack.due.index:
        due = pack.due.loc[code]
        if not pd.isna(due["next_due"]):
            due_cell = Text(short_date(due["next_due"]))
        if not pd.isna(due["next_planned"]):
            in_time = bool(due["covered"]) or pd.isna(due["next_due"])
            planned_cell = Text(short_date(due["next_planned"]) + (" ✓" if in_time else ""),
                                colour=INK if in_time else VERMILLION, bold=not in_time)
        elif not pd.isna(due["next_due"]):
            # alarming only when the due date comes within the calendar of the pack
            soon = pd.Timestamp(due["next_due"]).date() <= pack.dates.window_end
            planned_cell = Text("aucune", colour=VERMILLION if soon else GREY, bold=soon)
    rate = threshold = None
    change = None
    if code in pack.by_body.index:
        rate = pack.by_body.at[code, "presence_rate"]
        rate = None if pd.isna(rate) else float(rate)
        if pack.by_body_before is not None and code in pack.by_body_before.index and rate is not None:
            before = pack.by_body_before.at[code, "presence_rate"]
            change = None if pd.isna(before) else rate - float(before)
    if not pd.isna(body.required_rate):
        threshold = float(body.required_rate)
    presence = (Bar(percent(rate), rate, colour=BLUE, tick=threshold, label_width=11) if rate is not None
                else Text("pas d'émargement", colour=GREY))
    under = int((pack.low["body_code"] == code).sum()) if threshold is not None else None
    return [Text(name, bold=True, sub=_rule(body) if show_rule else None), number(held), required_cell, due_cell,
            planned_cell, presence, points(change) or "—", "—" if under is None else number(under)]


def _quorum(pdf: PackPDF, pack: _Pack) -> None:

    period, as_of = pack.dates.period, pack.dates.as_of
    sittings = summary.quorum_sittings(pack.conn, period.start, period.end)
    pdf.section("Quorum des séances du Conseil d'Agglomération",
                "Plus de la moitié des membres en exercice présents, sur place ou à distance ; les pouvoirs ne "
                "comptent pas (CGCT L2121-17). Une séance reconvoquée après un quorum manqué n'y est pas soumise.",
                keep=30)
    if sittings.empty:
        pdf.paragraph("Aucune séance du Conseil sur la période.", size=8, colour=GREY)
    else:
        colours = {"reached": BLUE, "missed": VERMILLION, "exempt": GREY}
        rows: list[list[Cell]] = []
        for s in sittings.itertuples(index=False):
            margin = int(s.margin)
            rows.append([weekday_date(s.meeting_date), number(int(s.in_office)),
                         Bar(number(int(s.present)), int(s.present), max(int(s.in_office), 1),
                             colour=colours[s.outcome], tick=int(s.required), label_width=8),
                         number(int(s.required)), f"{'+' if margin > 0 else ''}{number(margin)}",
                         Swatch(colours[s.outcome], s.outcome_label)])
        pdf.data_table([Column("Séance", 44), Column("Membres en exercice", 20, "R"),
                        Column("Présents (trait : quorum)", 56), Column("Quorum", 16, "R"), Column("Marge", 14, "R"),
                        Column("Résultat", pdf.width - 150)], rows, size=7.2)
        _quorum_lost(pdf, pack)
    floor = cadence.legal_floor(pack.conn, period.start, period.end, as_of)
    if not floor.empty:
        judged = floor[floor["status"].isin(["met", "missed"])]
        met = int((judged["status"] == "met").sum())
        text = (f"Plancher légal (au moins une séance par trimestre civil, CGCT L5211-11) : "
                f"{number(met)} trimestre{'s' if met > 1 else ''} tenu{'s' if met > 1 else ''} sur "
                f"{number(len(judged))} échu{'s' if len(judged) > 1 else ''}")
        current = floor[floor["status"] == "in_progress"]
        if not current.empty:
            text += f" ; trimestre en cours jusqu'au {long_day(current['period_end'].iloc[-1])}"
        pdf.paragraph(text + ".", size=7.8)


def _quorum_lost(pdf: PackPDF, pack: _Pack) -> None:
    """The sittings where the quorum, reached at the opening, was lost at a point of the agenda (DESIGN.md §4): the
    figures above are the opening's, these say where the deliberations are exposed."""
    period = pack.dates.period
    lost = agenda.losses(agenda.item_quorum(pack.conn, period.start, period.end))
    if lost.empty:
        return
    pdf.paragraph("Séances où le quorum, atteint à l'ouverture, a été perdu en cours de séance (les délibérations "
                  "votées sans quorum sont exposées à l'annulation) :", size=7.8, bold=True, colour=VERMILLION)
    rows: list[list[Cell]] = []
    for s in lost.itertuples(index=False):
        # a title may name a person ("désignation de M. …"): the anonymised edition gives the point alone
        named = isinstance(s.lost_title, str) and s.lost_title and not pack.anonymise
        title = f"point {s.lost_at}" + (f" — {s.lost_title}" if named else "")
        rows.append([weekday_date(s.meeting_date), Text(title),
                     f"{number(int(s.present))} / {number(int(s.required))} requis",
                     Text(f"au point {s.back_at}" if isinstance(s.back_at, str) else "non retrouvé",
                          colour=INK if isinstance(s.back_at, str) else VERMILLION),
                     number(int(s.points_lost))])
    pdf.data_table([Column("Séance", 44), Column("Quorum perdu au point", pdf.width - 136),
                    Column("Présents", 30, "R"), Column("Retrouvé", 36), Column("Points sans quorum", 26, "R")],
                   rows, size=7.2)


def _dgs_calendar(pdf: PackPDF, pack: _Pack) -> None:
    year = pack.dates.as_of.year
    frame = cadence.planned_vs_held(pack.conn, date(year, 1, 1), pack.dates.as_of, pack.dates.as_of)
    frame = frame[frame["year"] == year]
    if frame.empty:
        return
    row = frame.iloc[0]
    text = (f"en {year}, {plural(int(row['planned']), 'séance inscrite', 'séances inscrites')} au calendrier, "
            f"{plural(int(row['held']), 'tenue', 'tenues')}, {plural(int(row['cancelled']), 'annulée', 'annulées')}, "
            f"{plural(int(row['still_planned']), 'encore prévue', 'encore prévues')} ; "
            f"{number(int(row['required']))} requises dans l'année.")
    pdf.rich_line([("Collégiale des DGS, calendrier fixé à l'avance : ", True), (text, False)], size=7.6, line=4)


def _rencontres(pdf: PackPDF, pack: _Pack) -> None:
    since = filters.mandate_start(pack.conn, pack.dates.as_of)
    summary = territory.rencontres_summary(territory.rencontres(pack.conn, since, pack.dates.as_of), since)
    pdf.section("Rencontres avec les conseils municipaux", keep=10)
    start = f"depuis le début du mandat ({long_day(since)})" if since else "depuis le début des données"
    pdf.paragraph(f"{number(summary['met'])} communes sur {number(summary['total'])} rencontrées {start}, soit "
                  f"{summary['coverage_text']}." + (f" Pas encore rencontrées : {', '.join(summary['not_met'])}."
                                                    if summary["not_met"] else ""), size=7.8)


# -- page 6: sectors and communes ------------------------------------------------------------------------------------

def _quartiles(values: pd.Series) -> tuple[float, float, float] | None:
    values = values.dropna()
    if len(values) < 4:
        return None
    q1, median, q3 = values.quantile([0.25, 0.5, 0.75])
    return float(q1), float(median), float(q3)


def _territories_page(pdf: PackPDF, pack: _Pack) -> None:
    conn, period = pack.conn, pack.dates.period
    pdf.new_page("Secteurs et communes", f"{pack.period_text().capitalize()}, toutes instances confondues. "
                 "Représentation : part des séances où la commune était convoquée et où l'une au moins de ses "
                 "personnes était présente ou à distance.")
    sectors = territory.sectors(conn, period.start, period.end)
    before = pack.by_sector_before
    pdf.section("Les trois secteurs", keep=25)
    rows: list[list[Cell] | Group] = []
    for s in sectors.itertuples(index=False):
        rate = None if pd.isna(s.presence_rate) else float(s.presence_rate)
        change = None
        if before is not None and s.sector in before.index and rate is not None:
            prior = before.at[s.sector, "presence_rate"]
            change = None if pd.isna(prior) else rate - float(prior)
        rows.append([Text(f"Secteur {s.sector}", bold=True), number(s.communes), number(s.population),
                     number(0 if pd.isna(s.recorded) else int(s.recorded)),
                     Bar(percent(rate), rate, colour=BLUE, label_width=11), points(change) or "—",
                     percent(s.participation_rate),
                     Bar(percent(s.representation), None if pd.isna(s.representation) else float(s.representation),
                         colour=GREEN, label_width=11)])
    pdf.data_table([Column("Secteur", 26), Column("Communes", 17, "R"), Column("Population", 19, "R"),
                    Column("Convocations renseignées", 22, "R"), Column("Présence", 34), Column("Évolution", 15, "R"),
                    Column("Participation", 20, "R"), Column("Représentation des communes", 33)], rows, size=7.4)

    communes = territory.communes(conn, period.start, period.end)
    presence_q = _quartiles(communes["presence_rate"])
    representation_q = _quartiles(communes["representation"])
    note = ("Communes par secteur puis par ordre alphabétique : une comparaison, pas un classement. Zone grisée de "
            "chaque barre : la moitié centrale des communes (du 1er au 3e quartile) ; trait : la médiane")
    if presence_q:
        note += f" (présence {percent(presence_q[1])}"
        note += f", représentation {percent(representation_q[1])})." if representation_q else ")."
    else:
        note += "."
    pdf.section("Les 39 communes" if len(communes) == 39 else f"Les {number(len(communes))} communes", note, keep=40)
    rows = []
    communes = communes.assign(_order=communes["name"].map(_fold))
    for sector in filters.SECTORS:
        part = communes[communes["sector"] == sector].sort_values("_order")
        if part.empty:
            continue
        rows.append(Group(f"Secteur {sector} — {plural(len(part), 'commune')}"))
        for c in part.itertuples(index=False):
            rate = None if pd.isna(c.presence_rate) else float(c.presence_rate)
            rep = None if pd.isna(c.representation) else float(c.representation)
            rows.append([c.name, number(c.population), number(int(c.recorded)),
                         Bar(percent(rate), rate, colour=BLUE, label_width=11,
                             tick=presence_q[1] if presence_q else None,
                             band=(presence_q[0], presence_q[2]) if presence_q else None),
                         percent(c.participation_rate),
                         Bar(percent(rep), rep, colour=GREEN, label_width=11,
                             tick=representation_q[1] if representation_q else None,
                             band=(representation_q[0], representation_q[2]) if representation_q else None)])
    pdf.data_table([Column("Commune", 40), Column("Population", 18, "R"), Column("Convocations renseignées", 22, "R"),
                    Column("Présence", 44), Column("Participation", 20, "R"), Column("Représentation aux séances", 42)],
                   rows, size=7.0, line=3.0, padding=0.5)


def _fold(text: str) -> str:
    from analytics.wording.text import fold

    return fold(text)


# -- page 7: people ------------------------------------------------------------------------------------------------

def _people_page(pdf: PackPDF, pack: _Pack) -> None:
    dates = pack.dates
    pdf.new_page("Personnes sous le seuil d'assiduité",
                 f"{pack.period_text().capitalize()}. Présence (présents et à distance) sur les convocations "
                 f"renseignées, comparée au taux attendu de l'instance ; seules les personnes ayant au moins "
                 f"{MIN_RECORDED} convocations renseignées sont jugées. Un signal de suivi, pas un classement.")
    catalogue = pack.catalogue.set_index("code")
    low = pack.low.copy()
    low["sort_order"] = low["body_code"].map(catalogue["sort_order"])
    if pack.anonymise:
        pdf.paragraph("Édition anonymisée : aucune personne n'est nommée ; les effectifs sont donnés par instance.",
                      size=8, colour=ANONYMOUS_COLOUR, bold=True)
        pdf.ln(1)
    else:
        communes = dict(zip(pack.persons["person_id"], pack.persons["commune_name"]))
        pdf.section(f"Sous le taux attendu ({plural(len(low), 'cas', 'cas')})",
                    "Par instance, puis par nom. Document nominatif : à ne pas diffuser au-delà des participants "
                    "de la réunion de direction.", keep=30)
        if low.empty:
            pdf.paragraph("Personne n'est sous le taux attendu de son instance.", size=8, colour=GREY)
        else:
            low = low.assign(_order=low["name"].map(_fold)).sort_values(["sort_order", "_order"])
            rows = []
            for p in low.itertuples(index=False):
                commune = communes.get(p.person_id)
                rows.append([Text(p.name, bold=True), commune if isinstance(commune, str) else "—", p.body_name,
                             Bar(percent(p.presence_rate), float(p.presence_rate), colour=VERMILLION,
                                 tick=float(p.required_rate), label_width=11),
                             percent(p.required_rate), number(int(p.recorded))])
            pdf.data_table([Column("Personne", 40), Column("Commune", 33), Column("Instance", 50),
                            Column("Présence (trait : taux attendu)", 31), Column("Taux attendu", 14, "R"),
                            Column("Convocations renseignées", 18, "R")], rows, size=7.2)

    judged = pack.judged_people.groupby("body_code").size()
    under = pack.low.groupby("body_code").size()
    rows, clear = [], []
    for body in pack.catalogue[pack.catalogue["required_rate"].notna()].itertuples(index=False):
        count = int(judged.get(body.code, 0))
        if count == 0:
            continue
        below = int(under.get(body.code, 0))
        if below == 0 and not pack.anonymise:
            clear.append(body.name)  # the named edition lists only the bodies with someone under the threshold
            continue
        rows.append([body.name, percent(body.required_rate), number(count),
                     Text(number(below), bold=below > 0, colour=VERMILLION if below else INK),
                     Bar(percent(below / count), below / count, colour=VERMILLION, label_width=11)])
    pdf.section("Par instance", f"Membres jugés : au moins {MIN_RECORDED} convocations renseignées sur les 12 mois.",
                keep=30)
    if rows:
        pdf.data_table([Column("Instance", 80), Column("Taux attendu", 20, "R"), Column("Membres jugés", 22, "R"),
                        Column("Sous le seuil", 22, "R"), Column("Part des membres jugés", pdf.width - 144)], rows,
                       size=7.2)
    if clear:
        pdf.paragraph("Personne sous le seuil : " + join_bodies(clear) + ".", size=7.5, colour=MUTED, line=3.6)
    if not rows and not clear:
        pdf.paragraph("Aucun membre n'a encore assez de convocations renseignées pour être jugé.", size=8,
                      colour=GREY)

    runs = [a for a in pack.alerts if a.kind == "consecutive_absences"]
    pdf.section(f"Absences non excusées consécutives ({number(sum(a.count for a in runs))})",
                "Trois absences non excusées de suite ou plus : une alerte de suivi, non un constat juridique (la "
                "règle du droit local d'Alsace-Moselle, CGCT L2541-10, vise les conseils municipaux).", keep=15)
    if runs:
        _alert_table(pdf, runs, dates)
    else:
        pdf.paragraph("Aucune série de trois absences non excusées sur la période.", size=8, colour=GREY)


# -- page 8: calendar ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Due:
    body_code: str
    body_name: str
    due: date
    rule: str
    held: int
    required: int
    planned: list[date]

    @property
    def covered(self) -> bool:
        return self.held + len(self.planned) >= self.required


def _due_in_window(pack: _Pack, meetings: pd.DataFrame) -> list[_Due]:
    """The cadence periods ending in the calendar window that are not met yet, with the meetings planned in them."""
    start, end, as_of = pack.dates.window_start, pack.dates.window_end, pack.dates.as_of
    frame = cadence.periods(pack.conn, start, end, as_of)
    frame = frame[frame["required"].notna() & frame["status"].isin(["in_progress", "missed"])
                  & (frame["period_end"] >= pd.Timestamp(start)) & (frame["period_end"] <= pd.Timestamp(end))]
    catalogue = pack.catalogue.set_index("code")
    planned = meetings[meetings["status"] == "planned"]
    result = []
    for p in frame.itertuples(index=False):
        body = catalogue.loc[p.body_code]
        n = None if pd.isna(body["cadence_n"]) else int(body["cadence_n"])
        phase = body["cadence_phase"] if isinstance(body["cadence_phase"], str) else None
        mine = planned[(planned["body_code"] == p.body_code)
                       & (planned["meeting_date"] >= p.period_start) & (planned["meeting_date"] <= p.period_end)]
        result.append(_Due(p.body_code, p.body_name, p.period_end.date(), rule_text(p.rule, n, phase),
                           int(p.held), int(p.required), [d.date() for d in mine["meeting_date"]]))
    return result


def _calendar_page(pdf: PackPDF, pack: _Pack) -> None:
    dates = pack.dates
    start, end = dates.window_start, dates.window_end
    # the month of the first day to come and the next: the window's two months (pack_dates)
    opening = start.replace(day=1)
    months = [opening, _add_months(opening, 1)]
    pdf.new_page("Calendrier des deux mois à venir",
                 f"Du {long_day(start)} au {long_day(end)} : séances inscrites au calendrier, échéances de cadence "
                 "encore à tenir et jours fériés, dont ceux propres à l'Alsace-Moselle (Vendredi saint, 26 décembre).")
    meetings = schedule.meetings(pack.conn, start, end)
    meetings = meetings.assign(meeting_date=pd.to_datetime(meetings["meeting_date"]))
    holidays = schedule.holidays(start, end)
    dues = _due_in_window(pack, meetings)

    days: dict[date, Day] = {}
    for m in meetings.itertuples(index=False):
        days.setdefault(m.meeting_date.date(), Day()).meetings.append(m.status)
    for h in holidays.itertuples(index=False):
        days.setdefault(h.day, Day()).holiday = h.name
    for d in dues:
        days.setdefault(d.due, Day()).due += 1
    gap = 6.0
    width = (pdf.width - gap) / 2
    y = pdf.get_y()
    heights = [pdf.month_grid(pdf.l_margin + i * (width + gap), y, width, first,
                              {k: v for k, v in days.items() if start <= k <= end}, month_name(first).capitalize(),
                              MEETING_COLOURS)
               for i, first in enumerate(months)]
    pdf.set_xy(pdf.l_margin, y + max(heights) + 2)
    pdf.legend([(MEETING_COLOURS["held"], "séance tenue", False, "dot"),
                (MEETING_COLOURS["planned"], "séance prévue", False, "ring"),
                (MEETING_COLOURS["cancelled"], "séance annulée", False, "dot"), (ORANGE, "échéance de cadence", False),
                ("#DADFE5", "jour férié", True), ("#F3F5F7", "week-end", True)])

    pdf.section("Au jour le jour", "Échéance : la fin d'une période de la règle d'une instance dont les séances "
                "ne sont pas encore toutes tenues.", keep=20)
    agenda: dict[date, dict[str, list]] = {}
    for m in meetings.itertuples(index=False):
        entry = agenda.setdefault(m.meeting_date.date(), {"meetings": [], "notes": []})
        entry["meetings"].append((m.status, m.body_name))
    for h in holidays.itertuples(index=False):
        note = f"Jour férié : {h.name}" + (" (Alsace-Moselle)" if h.alsace else "")
        agenda.setdefault(h.day, {"meetings": [], "notes": []})["notes"].append((note, INK))
    for due in sorted({d.due for d in dues}):
        notes = agenda.setdefault(due, {"meetings": [], "notes": []})["notes"]
        today = [d for d in dues if d.due == due]
        bare = [d.body_name for d in today if not d.planned]
        if bare:
            notes.append((f"Échéance sans séance prévue : {join_bodies(bare)}", VERMILLION))
        for d in today:
            if d.planned and not d.covered:
                missing = d.required - d.held - len(d.planned)
                notes.append((f"Échéance — {d.body_name} : "
                              f"{plural(missing, 'séance manque', 'séances manquent')} au calendrier", VERMILLION))
        covered = [d.body_name for d in today if d.covered]
        if covered:
            notes.append((f"Échéance, séance prévue à temps : {join_bodies(covered)}", INK))
    rows = []
    for day in sorted(agenda):
        entry = agenda[day]
        notes = entry["notes"]
        colour = VERMILLION if any(c == VERMILLION for _, c in notes) else INK
        on_holiday = any(n.startswith("Jour férié") for n, _ in notes) and entry["meetings"]
        meetings_text = _day_meetings(entry["meetings"]) if entry["meetings"] else "—"
        if on_holiday:
            meetings_text += " — attention : jour férié"
        rows.append([Text(_day_label(day), bold=True),
                     Text(meetings_text, colour=INK if entry["meetings"] else GREY),
                     Text("\n".join(n for n, _ in notes) if notes else "", colour=colour)])
    if rows:
        pdf.data_table([Column("Date", 24), Column("Séances", 100),
                        Column("Échéances et jours fériés", pdf.width - 124)], rows, size=7.0, line=3.2, padding=1.0)
    else:
        pdf.paragraph("Rien d'inscrit sur ces deux mois.", size=8, colour=GREY)
    _forecast(pdf, pack)


def _forecast(pdf: PackPDF, pack: _Pack) -> None:
    """The planned sittings of the decision bodies in the window, with their quorum forecast (DESIGN §5c): the
    probability, the members expected against the quorum, the replies, whom to call (counted only in the
    anonymised edition)."""
    dates = pack.dates
    sittings = ahead.decision_forecasts(pack.conn, dates.as_of, dates.window_end)
    pdf.section("Séances prévues des instances de décision : prévision du quorum",
                "Probabilité que plus de la moitié des membres en exercice occupent leur siège (CGCT L2121-17), "
                "d'après leur présence passée et leurs réponses à la convocation ; les pouvoirs ne comptent pas.",
                keep=18)
    if not sittings:
        pdf.paragraph("Aucune séance prévue du Conseil ou du Bureau sur ces deux mois.", size=8, colour=GREY)
        return
    rows: list[list[Cell]] = []
    for s in sittings:
        p = s.quorum_probability
        colour = GREEN if p >= 0.9 else ORANGE if p >= 0.5 else VERMILLION
        if pack.anonymise or not s.call_first:
            calls = (f"{plural(len(s.call_first), 'membre sans réponse', 'membres sans réponse')}"
                     if s.call_first else "tous ont répondu")
        else:
            shown = ", ".join(s.call_first[:3])
            more = len(s.call_first) - 3
            calls = shown + (f" et {plural(more, 'autre', 'autres')}" if more > 0 else "")
        convocation = ahead.convocation_text(s)
        rows.append([
            Text(_day_label(s.day), bold=True, sub=s.body_name),
            Text(ahead.quorum_text(p).replace("Quorum probable à ", ""), bold=True, colour=colour),
            Bar(number(s.expected_present, 1), s.expected_present, max(s.in_office, 1), colour=colour,
                tick=s.required, label_width=10),
            Text(ahead.replies_text(s.replies), sub=convocation[:1].upper() + convocation[1:]),
            Text(calls, colour=INK if s.call_first else GREY),
        ])
    pdf.data_table([Column("Séance", 30), Column("Quorum", 24), Column("Présents attendus / quorum", 34),
                    Column("Réponses et convocation", 58),
                    Column("À appeler en premier" if not pack.anonymise else "Sans réponse", pdf.width - 146)],
                   rows, size=7.0, line=3.2, padding=1.0)


def _day_meetings(meetings: Sequence[tuple[str, str]]) -> str:
    """A day's meetings, planned first, then held and cancelled ones said so; bodies of a family grouped."""
    parts = []
    for status, heading in (("planned", ""), ("held", "tenues : "), ("cancelled", "annulées : ")):
        names = [name for s, name in meetings if s == status]
        if names:
            if len(names) == 1 and heading:
                heading = heading.replace("s : ", " : ")
            parts.append(heading + join_bodies(names))
    return " ; ".join(parts)


def _day_label(day: date) -> str:
    """"lun. 2 nov.", "mar. 1er déc.": the short form of the agenda, whose months are the grids' above."""
    return f"{format_date(day, 'EEE', locale=LOCALE)} {'1er' if day.day == 1 else day.day} " \
           f"{format_date(day, 'MMM', locale=LOCALE)}"


# -- command line ----------------------------------------------------------------------------------------------------

_MONTH = re.compile(r"(\d{4})-(\d{2})")


def parse_month(text: str) -> date:
    """"2026-10" → 1 October 2026; ValueError with a French message otherwise."""
    found = _MONTH.fullmatch(text.strip())
    if not found or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 1900:
        raise ValueError(f"mois invalide « {text} » : attendu AAAA-MM, par exemple 2026-10")
    return date(int(found.group(1)), int(found.group(2)), 1)
