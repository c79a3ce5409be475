"""The demo mandate: fictitious people and meetings, written as template files and imported like user files.

Every name is invented (French tree and bird names as surnames), so no real élu appears. The same seed and
the same `today` always give the same database.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb
import holidays

from analytics.ingest import importer
from analytics.rules import seats
from analytics.store.reference import bodies as catalogue
from analytics.store.reference import communes_frame
from analytics.wording import labels

SURNAMES = (
    "ACACIA AILANTE ALISIER AMANDIER ARBOUSIER AUBÉPINE AULNE BALSAMINE BERGAMOTE BOULEAU BRUYÈRE BUIS CÈDRE "
    "CHARME CHÂTAIGNIER CHÈVREFEUILLE CORMIER CORNOUILLER CYPRÈS ÉGLANTIER ÉPICÉA ÉRABLE FRÊNE FUSAIN GENÉVRIER "
    "GLYCINE HÊTRE HOUX JASMIN LAURIER LILAS MARRONNIER MÉLÈZE MERISIER MIMOSA MÛRIER MYRTILLE NERPRUN NOISETIER "
    "NOYER OLIVIER ORME PEUPLIER PLATANE PRUNELLIER ROBINIER ROMARIN SAPIN SAULE SEQUOIA SORBIER SUREAU TAMARIS "
    "TILLEUL TREMBLE TROÈNE VIORNE ALOUETTE BERGERONNETTE BOUVREUIL BRUANT CHARDONNERET CHOUCAS COUCOU ÉPERVIER "
    "ÉTOURNEAU FAUVETTE GRIVE GROSBEC HIRONDELLE HULOTTE LINOTTE LORIOT MARTINET MERLE MÉSANGE MILAN ORTOLAN "
    "PINSON PIVERT PLUVIER ROITELET ROSSIGNOL ROUGEQUEUE SITTELLE TARIN TOURTERELLE TRAQUET VANNEAU VERDIER"
).split()
FIRST_NAMES = (
    "Adèle Agathe Alain Alice Amandine Anne Antoine Arnaud Aurélie Benoît Bernard Brigitte Camille Carole Cécile "
    "Charles Chantal Christophe Claire Claude Corinne Damien Delphine Denis Dominique Élise Émilie Éric Étienne "
    "Fabienne Florence Francis François Gabrielle Gérard Hélène Hervé Isabelle Jacques Jeanne Jérôme Joseph Julie "
    "Laurence Laurent Léa Louis Lucie Luc Madeleine Marc Marie Martine Mathieu Michel Monique Nathalie Nicolas "
    "Odile Olivier Pascal Patricia Paul Philippe Pierre Raymond Régine René Sabine Sandrine Serge Simone Sophie "
    "Stéphane Sylvie Thérèse Thierry Thomas Valérie Véronique Vincent Virginie Xavier Yves"
).split()

MANDATES = ((date(2020, 7, 16), date(2026, 4, 15), "population_2019"), (date(2026, 4, 16), None, "population_2025"))
THEMES = ("mobilite", "transition", "economie", "habitat", "finances", "culture")
PLANNED_DAYS = 92  # planned meetings are published for the next three months
# Replies to the Conseil's convocations are collected from this sitting on (a history of replies, some not kept)
REPLIES_SINCE = date(2021, 9, 1)
# public holidays of Alsace-Moselle: nobody convenes a meeting on Christmas Day
# the deliberations of a Conseil's agenda (fictitious, generic: no person is named in a title)
AGENDA_TITLES = (
    "Approbation du procès-verbal de la séance précédente", "Communications du Président",
    "Décisions prises par délégation du Conseil", "Budget primitif", "Budgets annexes", "Décision modificative",
    "Compte financier unique", "Tarifs des transports urbains", "Fonds de concours aux communes",
    "Plan climat-air-énergie territorial", "Programme local de l'habitat", "Convention avec la Région Grand Est",
    "Aides aux entreprises", "Zone d'activités : cession de terrains", "Gestion des déchets : rapport annuel",
    "Eau et assainissement : tarifs", "Piscines communautaires : tarifs", "Subventions aux associations",
    "Tableau des effectifs", "Marchés publics : attribution", "Désignation de représentants",
    "Conservatoire : règlement intérieur", "Mobilités douces : schéma directeur", "Rapport d'activité",
    "Motion", "Questions diverses",
)
HOLIDAYS = holidays.country_holidays("FR", subdiv="6AE", years=range(2020, 2031), language="fr")


@dataclass(eq=False)
class Person:
    """A fictitious person with attendance habits."""

    last: str
    first: str
    insee: str
    presence: float  # probability of attending a meeting
    excuses: float   # share of absences that are excused

    @property
    def full(self) -> str:
        return f"{self.last} {self.first}"


@dataclass
class Rows:
    """The template files being written (members, meetings, attendance, and the Conseil's agendas)."""

    members: list[list] = field(default_factory=list)
    meetings: list[list] = field(default_factory=list)
    attendance: list[list] = field(default_factory=list)
    replies: list[list] = field(default_factory=list)
    agenda: list[list] = field(default_factory=list)


class Demo:
    """Draws the mandate; every random choice goes through one seeded generator, in a fixed order."""

    def __init__(self, seed: int, today: date):
        self.rng = random.Random(seed)
        # the agendas and the arrivals and departures draw from their own generator: the draws of the statuses
        # stay those of a demo without agendas, and so do every sitting-level count
        self.points_rng = random.Random(seed * 1_000_003 + 12)
        self.today = today
        self.rows = Rows()
        # replies and convocation dates draw from a generator of their own too: the rest of the mandate is the
        # same with or without them
        self.ahead = random.Random(seed * 7919 + 14)
        self.late_convocation: date | None = None  # the one Conseil convened too late (set by _convocation)
        self.names = [(last, first) for last in SURNAMES for first in FIRST_NAMES]
        self.rng.shuffle(self.names)
        self.communes = communes_frame()
        self.sector = dict(zip(self.communes["insee"], self.communes["sector"]))
        # membership spans per body, to convene the right people at each meeting
        self.spans: dict[str, list[tuple[Person, date, date | None]]] = {}
        self.substitutes: set[Person] = set()
        # staff are not elected: the same people serve both mandates
        self.staff = [self.person() for _ in range(12)]
        self.direction = [self.person(habit="assidu") for _ in range(5)]
        self.dgs = {insee: self.person(insee, habit=self.rng.choice(["assidu", "typique"]))
                    for insee in self.communes["insee"]}
        self.development = [self.person() for _ in range(8)]

    # -- people ----------------------------------------------------------------------------------

    def person(self, insee: str = "", habit: str | None = None) -> Person:
        """A new person with a unique name and drawn habits ("assidu", "irrégulier" or typical)."""
        last, first = self.names.pop()
        habit = habit or self.rng.choices(["assidu", "typique", "irrégulier"], [30, 64, 6])[0]
        presence = {"assidu": 0.95, "typique": self.rng.uniform(0.78, 0.97), "irrégulier": self.rng.uniform(0.35, 0.55)}
        return Person(last, first, insee, presence[habit], self.rng.uniform(0.4, 0.9))

    def member(self, who: Person, body: str, role: str, start: date, end: date | None, rank: int | None = None) -> None:
        """One membership: a row of the members file, and a span for convening."""
        self.rows.members.append([who.last, who.first, who.insee, body, role, start.isoformat(),
                                  end.isoformat() if end else "", rank or ""])
        self.spans.setdefault(body, []).append((who, start, end))

    # -- composition of one mandate ----------------------------------------------------------------

    def mandate(self, start: date, end: date | None, vintage: str, previous: dict | None) -> dict:
        """Compose the Conseil from the droit commun seats and every other body, for one mandate."""
        allocation = seats.allocate([
            seats.CommunePopulation(r.insee, r.name, int(getattr(r, vintage)), int(r.council_size))
            for r in self.communes.itertuples()
        ])
        councillors: dict[str, list[Person]] = {}
        for insee, count in allocation.seats.items():
            kept = [p for p in (previous or {}).get("councillors", {}).get(insee, []) if self.rng.random() < 0.6]
            councillors[insee] = (kept + [self.person(insee) for _ in range(count)])[:count]
        mayors = {insee: people[0] for insee, people in councillors.items()}
        everyone = [p for people in councillors.values() for p in people]
        president = mayors["68032"]  # a small commune's mayor, as often in agglomerations
        president.presence = 0.98
        pool = [p for p in everyone if p is not president]
        self.rng.shuffle(pool)
        vps, delegates, special = pool[:15], pool[15:23], pool[23]
        staff, direction, dgs, development = self.staff, self.direction, self.dgs, self.development

        for insee, people in councillors.items():
            for who in people:
                role = ("president" if who is president else "vice_president" if who in vps
                        else "delegate" if who in delegates else "councillor")
                rank = vps.index(who) + 1 if who in vps else None
                self._member_with_turnover(who, insee, "conseil", role, start, end, rank)
            if len(people) == 1:
                substitute = self.person(insee)
                self.substitutes.add(substitute)
                self.member(substitute, "conseil", "substitute", start, end)
        for who in [president, *vps, *delegates]:
            role = "president" if who is president else "vice_president" if who in vps else "delegate"
            self.member(who, "bureau", role, start, end)
        for who in [president, *vps, special, *direction]:
            role = ("president" if who is president else "vice_president" if who in vps
                    else "special_adviser" if who is special else "director")
            self.member(who, "direction", role, start, end)
        for insee, mayor in mayors.items():
            self.member(mayor, "conf_maires", "president" if mayor is president else "mayor", start, end)
            self.member(mayor, f"conf_{self.sector[insee].lower()}", "mayor", start, end)
        for who in dgs.values():
            self.member(who, "dgs", "dgs", start, end)
        for who in direction:
            self.member(who, "dgs", "director", start, end)
        mulhouse = councillors["68224"]
        for who in [president, mayors["68224"], *vps[:4], *mulhouse[1:5], direction[0], dgs["68224"]]:
            self.member(who, "coordination_mulhouse", "member", start, end)
        for index, theme in enumerate(THEMES):
            vp = vps[index]
            self.member(vp, f"travail_{theme}", "vice_president", start, end)
            self.member(delegates[index], f"travail_{theme}", "delegate", start, end)
            for agent in staff[2 * index:2 * index + 2]:
                self.member(agent, f"travail_{theme}", "staff", start, end)
            self.member(vp, f"com_{theme}", "vice_president", start, end)
            interested = self.rng.sample([p for p in pool if p is not vp], 10)
            for who in interested:
                self.member(who, f"com_{theme}", "councillor", start, end)
            for who in development[index:index + 2]:
                self.member(who, f"com_{theme}", "development_council", start, end)
        for who in [*everyone, *dgs.values(), *direction, *development]:
            self.member(who, "forum", "member", start, end)
            self.member(who, "assises", "member", start, end)
        self.member(president, "rencontres_communes", "president", start, end)
        return {"councillors": councillors, "president": president, "vps": vps, "pool": pool,
                "staff": staff, "development": development}

    def _member_with_turnover(self, who: Person, insee: str, body: str, role: str, start: date,
                              end: date | None, rank: int | None) -> None:
        # about one plain councillor in 25 resigns mid-mandate and is replaced from the same commune
        if role == "councillor" and end and self.rng.random() < 0.04:
            leave = start + timedelta(days=self.rng.randint(400, 1500))
            self.member(who, body, role, start, leave)
            self.member(self.person(insee), body, role, leave + timedelta(days=1), end)
        else:
            self.member(who, body, role, start, end, rank)

    def ateliers(self, first: dict, second: dict) -> None:
        """Atelier members register within the project's time frame."""
        for body in catalogue():
            if not body.code.startswith("atelier_"):
                continue
            assert body.project_start and body.project_end, body.code  # an atelier has its time frame
            in_first = body.project_start < MANDATES[1][0]
            if not in_first and second is first:
                continue  # the project starts in a mandate that has not begun yet
            composition = first if in_first else second
            end = min(body.project_end, MANDATES[0][1]) if in_first else body.project_end
            self.member(composition["vps"][8], body.code, "pilot", body.project_start, end)
            self.member(composition["staff"][-1], body.code, "pilot", body.project_start, end)
            for who in self.rng.sample(composition["pool"][16:], 8):
                self.member(who, body.code, "member", body.project_start, end)

    # -- meetings --------------------------------------------------------------------------------

    def weekday(self, year: int, month: int, day: int) -> date:
        """The first Monday-to-Thursday on or after the given day (clamped into the month) that is no holiday."""
        return self.workday(date(year, month, min(day, 28)))

    def workday(self, day: date) -> date:
        """The first Monday-to-Thursday on or after `day` that is no public holiday."""
        while day.weekday() > 3 or day in HOLIDAYS:
            day += timedelta(days=1)
        return day

    def schedule(self) -> list[tuple[str, date, str, str, str, int | None, str | None, int | None]]:
        """Every meeting of the mandate: (body, date, status, format, type, requesters, commune, headcount)."""
        first, horizon = MANDATES[0][0], self.today + timedelta(days=PLANNED_DAYS)
        months = [(y, m) for y in range(first.year, horizon.year + 1) for m in range(1, 13)
                  if date(first.year, first.month, 1) <= date(y, m, 1) <= horizon]
        plan: list[tuple] = []

        def add(body: str, day: date, fmt: str = "in_person", kind: str = "ordinary", requesters=None,
                commune=None, headcount=None) -> None:
            if first <= day <= horizon:
                plan.append((body, day, fmt, kind, requesters, commune, headcount))

        for year, month in months:
            if month in (2, 3, 5, 7, 9, 12) and (year, month) not in ((2021, 5), (2023, 12)):
                add("conseil", self.weekday(year, month, 20))
            if month in (1, 3, 5, 6, 9, 11):
                add("bureau", self.weekday(year, month, 10))
            if month != 8:
                add("direction", self.weekday(year, month, 2))
            if month % 2 == 1 and (year, month) != (2022, 7):
                add("conf_maires", self.weekday(year, month, 12))
            if month % 2 == 0 and month != 8:
                for sector_code in ("conf_centre", "conf_nord", "conf_sud"):
                    add(sector_code, self.weekday(year, month, 14), fmt="video")
            if month in (1, 3, 5, 9, 11) or (month == 6 and year % 2 == 0):
                add("dgs", self.weekday(year, month, 17), fmt="mixed")
            if month in (1, 2, 4, 6, 9, 10, 11, 12):
                add("coordination_mulhouse", self.weekday(year, month, 6))
            for index, theme in enumerate(THEMES):
                if month != 8 and self.rng.random() > 0.05:
                    add(f"travail_{theme}", self.weekday(year, month, 8 + 3 * index), fmt="mixed")
                if month in (3, 6, 11) and not (theme == "finances" and year == 2022 and month != 3):
                    add(f"com_{theme}", self.weekday(year, month, 22))
            if month in (3, 6, 9, 12):
                add("forum", self.weekday(year, month, 25), fmt="mixed")
            if month == 11 and year % 2 == 1:
                add("assises", self.weekday(year, month, 27))
            if month == 1 and year > 2020:
                add("voeux", self.weekday(year, month, 15), headcount=self.rng.randint(600, 900))
        # the Conseil that lacks its quorum (reconvened in _statuses) and the installation of the new Conseil
        add("conseil", self.weekday(2023, 12, 11))
        add("conseil", MANDATES[1][0])
        # the two requested conférences des maires of the mandate (⅓ of the mayors is 13)
        add("conf_maires", date(2022, 10, 4), kind="requested", requesters=15)
        add("conf_maires", date(2024, 6, 25), kind="requested", requesters=13)
        for body in catalogue():
            if body.code.startswith("atelier_"):
                assert body.project_start and body.project_end, body.code
                day = body.project_start + timedelta(days=10)
                while day <= body.project_end:
                    add(body.code, self.weekday(day.year, day.month, day.day))
                    day += timedelta(days=self.rng.randint(40, 65))
        communes = list(self.communes["insee"])
        self.rng.shuffle(communes)
        for index, insee in enumerate(communes[:26]):  # start of the first mandate
            add("rencontres_communes", self.workday(first + timedelta(days=60 + 12 * index)), commune=insee)
        for index, insee in enumerate(communes[10:24]):  # start of the second
            add("rencontres_communes", self.workday(MANDATES[1][0] + timedelta(days=40 + 14 * index)),
                commune=insee)
        return self._statuses(plan)

    def _statuses(self, plan: list[tuple]) -> list[tuple]:
        """Held, cancelled (replaced a week later when it matters) or planned, and the reconvened Conseil."""
        meetings, taken = [], set()
        for body, day, fmt, kind, requesters, commune, headcount in sorted(plan, key=lambda m: (m[1], m[0])):
            if (body, day) in taken:
                continue
            if day > self.today:
                status = "planned"
            elif (body not in ("voeux", "rencontres_communes", "conseil") and kind == "ordinary"
                  and self.rng.random() < 0.03):
                status = "cancelled"
                if body in ("dgs", "conf_maires"):
                    later = day + timedelta(days=7)
                    if later <= self.today and (body, later) not in taken:
                        meetings.append((body, later, "held", fmt, kind, requesters, commune, headcount))
                        taken.add((body, later))
            else:
                status = "held"
            meetings.append((body, day, status, fmt, kind, requesters, commune, headcount))
            taken.add((body, day))
        # a Conseil that lacks its quorum, reconvened four days later
        failed = self.weekday(2023, 12, 11)
        meetings.append(("conseil", failed + timedelta(days=4), "held", "in_person", "reconvened", None, None, None))
        return sorted(meetings, key=lambda m: (m[1], m[0]))

    # -- attendance ------------------------------------------------------------------------------

    def sheets(self, meetings: list[tuple]) -> None:
        """Sign-in sheets of the held meetings, with proxies, substitutes and a few missing sheets."""
        failed_quorum = self.weekday(2023, 12, 11)
        ordinary = [day for body, day, status, _, kind, *_ in meetings
                    if body == "conseil" and status == "held" and kind == "ordinary" and day != failed_quorum]
        # the sitting where a group of members walks out after a vote, the quorum lost for two points and found
        # again when some come back: the last but one ordinary Conseil sitting
        walkout = ordinary[-2] if len(ordinary) >= 2 else None
        for body, day, status, fmt, kind, requesters, commune, headcount in meetings:
            convocation = self._convocation(body, day, status, kind)
            self.rows.meetings.append([
                body, day.isoformat(), labels.MEETING_STATUS[status],
                labels.MEETING_FORMAT[fmt],
                labels.MEETING_TYPE[kind],
                requesters or "", commune or "", headcount or "", convocation.isoformat() if convocation else "",
            ])
            if body == "conseil" and status == "planned":
                self._planned_replies(day)
            if status != "held" or body == "voeux":
                continue
            convened = [(p, s) for p, s, e in self.spans.get(body, []) if s <= day and (e is None or day <= e)]
            if body != "rencontres_communes" and self.rng.random() < 0.015:
                continue  # a sheet never returned
            members = [p for p, _ in convened]
            substitutes = {p.insee: p for p in members if body == "conseil" and p in self.substitutes}
            sitting = [p for p in members if p not in substitutes.values()]
            lacking = day == failed_quorum and body == "conseil"
            statuses = self._draw(sitting, fmt, 0.4 if lacking else None)
            if body == "conseil":
                # at the sitting that lacks its quorum, no substitute could be called in time
                self._proxies_and_substitutes(statuses, substitutes, called=not lacking)
                if day >= REPLIES_SINCE:
                    self._held_replies(day, statuses, warned=lacking)
            lost = set(self.rng.sample(sitting, min(3, len(sitting)))) if self.rng.random() < 0.03 else set()
            # the substitute who sits in place of a titular signs in too (DESIGN §3)
            sat = [delegate for state, delegate in statuses.values() if state == "suppléé" and delegate is not None]
            rows: list[tuple[Person, tuple[str, Person | None]]] = list(statuses.items())
            rows += [(substitute, ("présent", None)) for substitute in sat]
            first_row = len(self.rows.attendance)
            for who, (state, delegate) in rows:
                if who in lost:
                    continue
                self.rows.attendance.append([body, day.isoformat(), who.last, who.first, who.insee, state,
                                             delegate.full if delegate else ""])
            if body == "conseil":
                self._agenda(day, len(sitting), fmt, day == walkout, day == failed_quorum, first_row)

    def _agenda(self, day: date, in_office: int, fmt: str, walkout: bool, failed: bool, first_row: int) -> None:
        """The agenda of a held Conseil sitting, and a few members who arrive late or leave early (rows bounded to
        points: their sitting-level status stays « présent »), one who leaves and gives a proxy for the rest of the
        sitting; at the `walkout` sitting, enough members leave after a point for the quorum to be lost for two
        points, then some come back. Rows are those of self.rows.attendance from `first_row`."""
        rng = self.points_rng
        mains = rng.randint(12, 22)
        split = set(rng.sample(range(3, mains + 1), rng.randint(1, 3)))
        points: list[str] = []  # "1", "2", "3.1", "3.2"…: a few points have sub-points (a budget and its annexes)
        for n in range(1, mains + 1):
            points += [f"{n}.{k}" for k in range(1, rng.randint(2, 4) + 1)] if n in split else [str(n)]
        titles = [AGENDA_TITLES[0], AGENDA_TITLES[1]] + rng.sample(AGENDA_TITLES[2:], len(AGENDA_TITLES) - 2)
        for index, point in enumerate(points):
            self.rows.agenda.append(["conseil", day.isoformat(), point, titles[index % len(titles)]])
        rows = self.rows.attendance[first_row:]
        holders = {row[6] for row in rows if row[5] == "pouvoir"}
        seated = {row[6] for row in rows if row[5] == "suppléé"}
        substitutes = {p.full for p in self.substitutes}
        free = [row for row in rows if row[5] == "présent" and not row[6] and f"{row[2]} {row[3]}" not in holders
                and f"{row[2]} {row[3]}" not in substitutes]
        bounded: dict[int, list[list]] = {}  # index of a row in `rows` -> the rows replacing it
        if walkout:
            there = sum(1 for row in rows if row[5] == "présent" and f"{row[2]} {row[3]}" not in substitutes)
            there += sum(1 for row in rows if row[5] == "à distance" and fmt in ("video", "mixed")
                         and f"{row[2]} {row[3]}" not in substitutes)
            there += sum(1 for name in seated if any(f"{r[2]} {r[3]}" == name and r[5] == "présent" for r in rows))
            leaving = there - (in_office // 2 + 1) + 2  # two short of the quorum once they are gone
            if 0 < leaving <= len(free) and len(points) >= 8:
                after = len(points) - 6  # they leave after this point; the quorum is lost at the next
                group = rng.sample(free, leaving)
                for number, row in enumerate(group):
                    replaced = [[*row[:7], "", points[after - 1]]]
                    if number < 3:  # three of them come back two points later
                        replaced.append([*row[:7], points[after + 2], ""])
                    bounded[rows.index(row)] = replaced
        elif not failed and rng.random() < 0.6:
            moving = rng.sample(free, min(len(free), rng.randint(1, 4)))
            for number, row in enumerate(moving):
                if number % 2 == 0:  # arrived late
                    bounded[rows.index(row)] = [[*row[:7], points[rng.randint(1, 4)], ""]]
                else:  # left before the end
                    bounded[rows.index(row)] = [[*row[:7], "", points[rng.randint(len(points) - 6, len(points) - 2)]]]
            takers = [row for row in free if row not in moving]
            if takers and rng.random() < 0.4:
                # a member leaves and gives a proxy for the rest of the sitting to one who stays to the end
                holder = rng.choice(takers)
                leaver = next((row for row in takers if row is not holder), None)
                if leaver is not None:
                    cut = rng.randint(len(points) // 2, len(points) - 2)
                    bounded[rows.index(leaver)] = [[*leaver[:5], "présent", "", "", points[cut - 1]],
                                                   [*leaver[:5], "pouvoir", f"{holder[2]} {holder[3]}",
                                                    points[cut], ""]]
        for index in sorted(bounded, reverse=True):
            self.rows.attendance[first_row + index:first_row + index + 1] = bounded[index]

    def _draw(self, people: list[Person], fmt: str, forced: float | None) -> dict[Person, tuple[str, Person | None]]:
        statuses: dict[Person, tuple[str, Person | None]] = {}
        for who in people:
            if self.rng.random() < (forced if forced is not None else who.presence):
                remote = fmt == "video" or (fmt == "mixed" and self.rng.random() < 0.3)
                statuses[who] = ("à distance" if remote else "présent", None)
            else:
                statuses[who] = ("excusé" if self.rng.random() < who.excuses else "absent", None)
        return statuses

    def _proxies_and_substitutes(self, statuses: dict, substitutes: dict[str, Person], called: bool = True) -> None:
        present = [p for p, (s, _) in statuses.items() if s == "présent"]
        holders = set()
        for who, (state, _) in list(statuses.items()):
            if state not in ("absent", "excusé"):
                continue
            if who.insee in substitutes and self.rng.random() < 0.7:
                # the same draws whether or not substitutes are called: the rest of the mandate does not change
                if called:
                    statuses[who] = ("suppléé", substitutes[who.insee])
            elif state == "excusé" and self.rng.random() < 0.6:
                free = [p for p in present if p not in holders]
                if free:
                    holder = self.rng.choice(free)
                    holders.add(holder)
                    statuses[who] = ("pouvoir", holder)

    # -- before the sitting: convocations and replies (DESIGN §5c) ---------------------------------

    def _convocation(self, body: str, day: date, status: str, kind: str) -> date | None:
        """The day the Conseil's convocation was sent: 6 to 10 clear days before, the law asking 5 at least (a
        reconvened sitting 3 clear days, its own delay); one sitting of the last 200 days 4 clear days only, too
        late. None for the other bodies, the cancelled sittings and the convocations not sent yet."""
        if body != "conseil" or status == "cancelled":
            return None
        if kind == "reconvened":
            return day - timedelta(days=4)
        sent = day - timedelta(days=self.ahead.randint(7, 11))
        if self.late_convocation is None and status == "held" and self.today - timedelta(days=200) <= day:
            self.late_convocation = day
            sent = day - timedelta(days=5)
        return sent if sent <= self.today else None

    def _conseil_on(self, day: date) -> tuple[list[Person], dict[str, Person]]:
        """The Conseil's members in office on `day`, and its substitutes by commune."""
        convened = [p for p, s, e in self.spans.get("conseil", []) if s <= day and (e is None or day <= e)]
        substitutes = {p.insee: p for p in convened if p in self.substitutes}
        return [p for p in convened if p not in self.substitutes], substitutes

    def _reply(self, day: date, who: Person, reply: str, delegate: Person | None = None) -> None:
        self.rows.replies.append(["conseil", day.isoformat(), who.last, who.first, who.insee, labels.REPLY[reply],
                                  delegate.full if delegate else ""])

    def _held_replies(self, day: date, statuses: dict[Person, tuple[str, Person | None]],
                      warned: bool = False) -> None:
        """What the members had replied before a sitting now held: mostly what they then did; but a member who said
        « présent » sometimes stayed away (a reply not kept), and some never replied. Before the sitting that lacked
        its quorum (`warned`), the absences were announced: the excused had said so, few had promised to come."""
        rng = self.ahead
        for who, (state, delegate) in statuses.items():
            draw = rng.random()
            if state in ("présent", "à distance"):
                if draw < 0.78:
                    self._reply(day, who, "present")
            elif state == "excusé":
                if draw < (0.95 if warned else 0.62):
                    self._reply(day, who, "excused")
                elif draw < 0.74:
                    self._reply(day, who, "present")  # announced, then excused on the day
            elif state == "absent":
                if draw < (0.05 if warned else 0.35):
                    self._reply(day, who, "present")  # announced, never came
            elif state == "pouvoir" and draw < 0.85:
                self._reply(day, who, "proxy", delegate)
            elif state == "suppléé" and draw < 0.85:
                self._reply(day, who, "substitute", delegate)

    def _planned_replies(self, day: date) -> None:
        """The replies already in for a planned sitting: most members answer in the last month before it."""
        rng = self.ahead
        members, substitutes = self._conseil_on(day)
        share = 0.7 if (day - self.today).days <= 31 else 0.2
        coming: list[Person] = []
        away: list[tuple[Person, str]] = []
        for who in members:
            if rng.random() >= share:
                continue
            if rng.random() < who.presence:
                coming.append(who)
                self._reply(day, who, "present")
            elif who.insee in substitutes and rng.random() < 0.7:
                self._reply(day, who, "substitute", substitutes[who.insee])
            else:
                away.append((who, "proxy" if rng.random() < 0.5 else "excused"))
        holders = iter(rng.sample(coming, len(coming)))  # a member holds one proxy at most (CGCT L2121-20)
        for who, reply in away:
            holder = next(holders, None) if reply == "proxy" else None
            self._reply(day, who, "proxy" if holder else "excused", holder)

    def files(self) -> list[tuple[str, bytes]]:
        """The template files, as the import expects them."""
        def render(header: list[str], rows: list[list]) -> bytes:
            buffer = io.StringIO()
            writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
            return buffer.getvalue().encode("utf-8")

        return [
            ("membres.csv", render(["nom", "prenom", "commune", "instance", "role", "debut", "fin", "rang"],
                                   [[*r[:4], labels.ROLE[r[4]], *r[5:]] for r in self.rows.members])),
            ("seances.csv", render(["instance", "date", "statut", "format", "type", "demandeurs", "commune",
                                    "participants", "convocation"], self.rows.meetings)),
            ("ordre_du_jour.csv", render(["instance", "date", "point", "intitule"], self.rows.agenda)),
            ("presences.csv", render(["instance", "date", "nom", "prenom", "commune", "statut", "mandataire",
                                      "depuis", "jusqua"],
                                     [row + [""] * (9 - len(row)) for row in self.rows.attendance])),
            ("reponses.csv", render(["instance", "date", "nom", "prenom", "commune", "reponse", "mandataire"],
                                    self.rows.replies)),
        ]


def generate(seed: int, today: date) -> list[tuple[str, bytes]]:
    """The demo mandate as template files (members, meetings, the Conseil's agendas, attendance, the replies to the
    Conseil's convocations)."""
    demo = Demo(seed, today)
    first = demo.mandate(*MANDATES[0][:2], MANDATES[0][2], None)
    second = demo.mandate(*MANDATES[1][:2], MANDATES[1][2], first) if today >= MANDATES[1][0] else first
    demo.ateliers(first, second)
    demo.sheets(demo.schedule())
    return demo.files()


def build(conn: duckdb.DuckDBPyConnection, seed: int, today: date) -> importer.ImportResult:
    """Generate the demo mandate and import it through the ordinary import path."""
    return importer.import_sources(conn, generate(seed, today), username="démonstration", source="demo", today=today)
