"""Read the attendance of a sitting from its minutes (procès-verbal, compte rendu, extrait du registre).

The reader is pure: lines and the members in office in, a `Reading` out. It finds the headings of the attendance
block ("Étaient présents :", "Excusés :", "Avaient donné procuration :", "Suppléants présents :"…), splits each list
into names, reads what the text says of each name (a proxy and its holder, a substitute, the points of arrival and
departure, a commune), and matches every name against the members. It never guesses: a name that fits no member
or several is reported with its line, a person named twice with statuses that cannot both hold is reported as a
conflict, and every inference (the titular a substitute replaced, the substitute of a titular "représenté par son
suppléant") is made only when exactly one member fits, with a warning otherwise.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from analytics.ingest.minutes.dates import DATE, parse_date
from analytics.ingest.minutes.errors import MinutesError
from analytics.ingest.minutes.model import Conflict, Member, Reading, Row, Section, Unmatched
from analytics.ingest.minutes.names import (
    Match,
    MemberIndex,
    clean,
    display,
    fold,
    fold_keep,
    is_civility,
    is_function,
    join_fr,
    looks_like_name,
    only_civility,
    resolve_choice,
    strip_civility,
)

# gender and number endings on folded text: present, presente, presents, presentes, present(e)s, absent(s)
_E = r"(?:\(?e\)?)?(?:\(?s\)?)?"
_ETAIT = r"(?:etai(?:en)?t|sont|est|furent)"
_VISIO = r"visio(?:\s*-?\s*conference)?"
_SUPPLEANT = rf"suppleant{_E}"

# (kind, pattern on folded text). At one position the longest heading wins, so order does not matter.
_HEADINGS: list[tuple[str, str]] = [
    ("substituted", (rf"(?:{_ETAIT}\s+)?(?:absent{_E}\s+(?:et\s+)?)?excuse{_E}\s+et\s+(?:{_ETAIT}\s+|ont\s+ete\s+)?"
                    rf"(?:represente{_E}|remplace{_E})\s+par\s+(?:leurs?|son|sa|les|un|une)\s+{_SUPPLEANT}")),
    ("substituted", (rf"(?:membres?\s+|titulaires?\s+|delegues?\s+)?(?:absent{_E}\s+)?(?:represente{_E}|remplace{_E})"
                    rf"\s+par\s+(?:leurs?|son|sa|les|un|une)\s+{_SUPPLEANT}")),
    ("substituted", rf"titulaires?\s+supplee{_E}"),
    ("proxy", (rf"(?:{_ETAIT}\s+)?(?:absent{_E}\s+(?:et\s+)?)?excuse{_E}\s+(?:et\s+)?(?:ont|avai(?:en)?t|ayant)\s+"
              r"donne\s+(?:procuration|pouvoir|mandat)(?:\s+de\s+vote)?")),
    ("proxy", (rf"(?:absent{_E}\s+|excuse{_E}\s+|membres?\s+|delegues?\s+|conseillers?\s+)?(?:avai(?:en)?t|ont|ayant)"
              r"\s+donne\s+(?:procuration|pouvoir|mandat)(?:\s+de\s+vote)?")),
    ("proxy", (rf"(?:ont\s+participe|participai(?:en)?t|present{_E})\s+(?:en|par)\s+{_VISIO}\s+et\s+(?:ont\s+)?donne\s+"
              r"(?:procuration|pouvoir)(?:\s+pour\s+les\s+votes)?")),
    ("proxy", (rf"(?:absent{_E}\s+|excuse{_E}\s+|membres?\s+|delegues?\s+|conseillers?\s+)(?:absent{_E}\s+)?"
              rf"represente{_E}(?:\s+par\s+(?:pouvoir|procuration))?")),
    ("proxy", r"(?:procurations?|pouvoirs?|mandats?)(?:\s+de\s+vote)?"),
    ("remote", rf"(?:{_ETAIT}\s+)?present{_E}\s+(?:en|par)\s+{_VISIO}"),
    ("remote", rf"(?:participai(?:en)?t|ont\s+participe|participent|assistai(?:en)?t|assistent)\s+(?:en|par)\s+"
               rf"{_VISIO}"),
    ("remote", rf"(?:participai(?:en)?t|ont\s+participe|participent|present{_E})\s+a\s+distance"),
    ("remote", rf"(?:en|par)\s+{_VISIO}"),
    ("substitutes_out", rf"{_SUPPLEANT}\s+(?:absent{_E}\s+(?:et\s+)?)?(?:excuse{_E}|absent{_E}|non\s+siegeant{_E})"),
    ("substitutes", rf"{_SUPPLEANT}\s+(?:present{_E}|siegeant{_E}|avec\s+voix\s+deliberative|titularise{_E}|"
                    r"ayant\s+siege)"),
    ("sub_substitutes", rf"(?:membres?|delegues?)\s+{_SUPPLEANT}(?:\s+present{_E})?"),
    ("sub_titulars", r"(?:membres?|delegues?)\s+titulaires?"),
    ("others", (r"(?:assistai(?:en)?t|assiste(?:nt)?)(?:\s+(?:egalement|en\s+outre|aussi))?"
               r"(?:\s+a\s+la\s+(?:reunion|seance))?")),
    ("others", rf"(?:{_ETAIT}\s+)?(?:egalement|aussi)\s+present{_E}(?:\s+a\s+la\s+(?:reunion|seance))?"),
    ("others", rf"(?:en\s+presence\s+de|invite{_E}|auditeurs?|presse|personnalites?)"),
    ("secretary", rf"secretaires?\s+de\s+s[ce]{{1,2}}ance(?:\s+designe{_E})?"),
    ("agenda", r"ordre\s+du\s+jour"),
    ("excused", rf"(?:{_ETAIT}\s+)?(?:absent{_E}\s+(?:et\s+)?)?excuse{_E}(?:\s+non\s+represente{_E})?"),
    ("excused", rf"(?:membres?|delegues?|conseillers?|titulaires?)\s+(?:absent{_E}\s+(?:et\s+)?)?excuse{_E}"),
    ("absent", rf"(?:{_ETAIT}\s+)?absent{_E}(?:\s+non\s+(?:excuse{_E}|represente{_E}))?"),
    ("absent", rf"(?:membres?|delegues?|conseillers?|titulaires?)\s+absent{_E}"
               rf"(?:\s+non\s+(?:excuse{_E}|represente{_E}))?"),
    ("absent", rf"non\s+represente{_E}"),
    ("present", rf"(?:{_ETAIT}\s+)?present{_E}"),
    ("present", (rf"(?:membres?|delegues?|conseillers?(?:\s+communautaires?)?|titulaires?|elus?)\s+(?:titulaires?\s+)?"
                rf"present{_E}")),
]
_HEADING_RES = [(kind, re.compile(rf"(?<![\w'])(?:{pattern})(?![\w])")) for kind, pattern in _HEADINGS]
ATTENDANCE_KINDS = ("present", "remote", "excused", "absent", "proxy", "substituted", "substitutes")
_KIND_STATUS = {"present": "present", "remote": "remote", "excused": "excused", "absent": "absent",
                "proxy": "proxy", "substituted": "substituted", "substitutes": "present"}
_BOUNDARY = set("\n.;:)/•-–—*▪·>]")
_FOLLOW_AHEAD = re.compile(r"(?:delegue|mesdames|messieurs|madame|monsieur|mmes?\b|mm\b|m\.|mr\b|membres?\s+"
                           r"(?:titulaires?|suppleant))")
_GROUP = re.compile(rf"(?<![\w'])(?:delegue{_E}\s+(?:de\s+la\s+commune\s+)?(?:de|du|d')|pour\s+la\s+commune\s+"
                    r"(?:de|d')|(?P<commune>commune\s+(?:de|d')))\s*")

_ITEM = r"(\d{1,3}(?:\s*[.\-]\s*(?:\d{1,3}|[a-z])(?![a-z]))*)"
_POINT = r"points?\s+(?:n\s*[°o]\s*)?"
# the bounds of a row by point, in this order: from (arrival), to (departure), before (departure before a point),
# range; each ends with the point(s) it names
_BOUNDS = [
    (rf"(?:a\s+partir\s+du|a\s+compter\s+du|des\s+le|depuis\s+le|arrive{_E}\s+(?:au|a\s+partir\s+du|lors\s+du|"
     rf"pendant\s+le|avant\s+le)|arrivee\s+(?:au|lors\s+du|pendant\s+le|avant\s+le))\s+{_POINT}{_ITEM}"),
    (rf"(?:jusqu\s*'?\s*(?:au|a\s+la\s+fin\s+du)|parti{_E}\s+apres\s+le|depart\s+apres\s+le|quitte\s+la\s+seance\s+"
     rf"apres\s+le|sorti{_E}\s+apres\s+le)\s+{_POINT}{_ITEM}"),
    rf"(?:parti{_E}|depart|quitte\s+la\s+seance|sorti{_E}|jusqu\s*'?\s*)\s*avant\s+le\s+{_POINT}{_ITEM}",
    rf"(?:du|pour\s+les)\s+{_POINT}{_ITEM}\s+(?:au|a)\s+(?:point\s+)?{_ITEM}",
]
_FROM, _TO, _BEFORE, _RANGE = (re.compile(pattern) for pattern in _BOUNDS)
_BOUND_ANY = re.compile("|".join(_BOUNDS))
_TIME = re.compile(r"\b\d{1,2}\s*h\s*\d{0,2}\b")

_GIVES = re.compile(r"^(?P<a>.+?)\s+(?:a\s+donne|donne|ayant\s+donne|avait\s+donne|a\s+delegue|delegue)\s+"
                    r"(?:sa\s+|son\s+)?(?:procuration|pouvoir|mandat|delegation|droit\s+de\s+vote)(?:\s+de\s+vote)?"
                    r"\s+a\s+(?P<b>.+)$")
_RECEIVES = re.compile(r"^(?P<b>.+?)\s+(?:a\s+recu|recoit|a|detient|porte)\s+(?:le\s+|la\s+)?(?:pouvoir|procuration|"
                       r"mandat)\s+de\s+(?P<a>.+)$")
_REPLACED = re.compile(rf"^(?P<a>.+?)\s+(?:est\s+|etait\s+)?(?P<verb>represente{_E}|remplace{_E}|supplee{_E})\s+par"
                       r"\s+(?P<b>.+)$")
_BY_SUBSTITUTE = re.compile(rf"^(?:son|sa|leur|le|la)\s+{_SUPPLEANT}\b\s*(?P<b>.*)$")
_SUBSTITUTE_OF = re.compile(rf"^(?P<s>.+?),?\s+{_SUPPLEANT}\s+(?:de|du\s+titulaire)\s+(?P<t>.+)$")
_CIVILITY_AHEAD = re.compile(r"(?:M\.|MM\.?|Mmes?\.?|Mlle\.?|Mrs?\.?|Monsieur|Madame|Messieurs|Mesdames)\s+"
                             r"(?=[A-ZÀ-Þ])")
_TO_HOLDER = re.compile(r"^(?P<a>.+?)\s+(?:a|par|pour)\s+(?P<b>\S.+)$")

MAX_NAMES = 20_000  # a Conseil has about a hundred members; a text naming more people is no readable minutes
_SPACES_AT = re.compile(r"[ \t\n]*")
_COUNT = re.compile(r"\(\s*(\d{1,3})\s*\)")  # "Étaient présents : (66)"
_FIGURE = re.compile(r"\d+\b(?!\s*(?:er|ere|eme)\b)")  # "Présents : 26" is a figure, "Présents : 1er adjoint" not
_MARKS = {"x", "✓", "✔", "☑", "☒", "●", "•", "oui", "v", "+", "✗", "✘"}


def read_minutes(lines: Sequence[str], members: Sequence[Member], *,
                 choices: Mapping[tuple[int, str], int] | None = None) -> Reading:
    """Read the attendance in `lines` (as `extract_text` gives them) against the members in office.

    `choices` resolves names by hand: (line, written) of an `Unmatched` to the person id the user picked; the
    reading is then made again with them, so that everything inferred from a name follows the choice.
    """
    if not any(line.strip() for line in lines):
        raise MinutesError("Le texte du procès-verbal est vide.")
    return _Reader(list(lines), MemberIndex(members), choices).run()


# --- the pieces of a reading --------------------------------------------------------------------------------------

@dataclass
class _Heading:
    start: int
    end: int
    kind: str
    body: int  # where the list begins, after the colon and the announced count
    count: int | None = None
    figure: bool = False  # "Présents : 26" announces a figure, not a list


@dataclass
class _Mention:
    """One name of a list and all the text says of it; resolved into rows once every list is read."""

    name: str
    line: int
    written: str
    kind: str
    section: int
    commune: str | None = None
    proxy: bool = False  # the text says a proxy was given, with or without its holder
    status: str | None = None
    holder: str | None = None
    substituted: bool = False  # the text says this titular was replaced by their substitute
    substitute: str | None = None  # the substitute named for this titular
    titular: str | None = None  # this person sat as the substitute of that titular
    substitute_mark: bool = False
    from_item: str | None = None
    to_item: str | None = None
    before_item: str | None = None
    received: list[str] = field(default_factory=list)


@dataclass
class _Draft:
    person: int
    status: str
    delegate: int | None
    from_item: str | None
    to_item: str | None
    written: str
    line: int


@dataclass
class _Sub:
    """The text tells that `substitute` sat for `titular` (one of them may still be unknown)."""

    titular: int | None
    substitute: int | None
    line: int
    written: str
    from_item: str | None
    to_item: str | None


def item_key(item: str) -> tuple[tuple[int, int | str], ...]:
    """Natural order of agenda points: "2" < "3.1" < "3.2" < "10"."""
    parts = [p for p in re.split(r"[.\-\s]+", item) if p]
    return tuple((0, int(p)) if p.isdigit() else (1, p.lower()) for p in parts)


def normalize_item(text: str) -> str:
    """ "05" -> "5", "7-A" -> "7.A", "2 . 7 . 1" -> "2.7.1"."""
    parts = [p for p in re.split(r"[.\-\s]+", text) if p]
    return ".".join(str(int(p)) if p.isdigit() else p.upper() for p in parts)


class _Reader:
    def __init__(self, lines: list[str], index: MemberIndex, choices: Mapping[tuple[int, str], int] | None):
        self.lines = lines
        self.index = index
        self.choices = choices
        self.reading = Reading()
        self.mentions: list[_Mention] = []
        self.table_lines: set[int] = set()
        self.tables = self._find_tables()
        stream = ["" if i in self.table_lines else line.replace("\t", " ") for i, line in enumerate(lines)]
        self.raw = "\n".join(stream)
        self.folded = fold_keep(self.raw)
        self.starts = [0]
        for line in stream[:-1]:
            self.starts.append(self.starts[-1] + len(line) + 1)
        self.named: set[int] = set()
        self.unmatched: dict[tuple[int, str], Unmatched] = {}
        self.secretary: tuple[int, int] | None = None
        self.zone_end = 0  # where the attendance block ends: figures further on belong to the deliberations
        self.chair: tuple[Match, int] | None = None

    def line_of(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos)

    # --- orchestration ---------------------------------------------------------------------------------------

    def run(self) -> Reading:
        headings = self._headings()
        statuses = [h for h in headings if h.kind in ATTENDANCE_KINDS and not h.figure]
        if not statuses and not self.tables:
            raise MinutesError("Ce document ne ressemble pas à un procès-verbal : aucune rubrique de présence "
                               "(« Étaient présents : », « Excusés : », « Procurations : »…) ni tableau "
                               "d'émargement n'y a été trouvé.")
        self._sections(headings)
        for header, rows in self.tables:
            self._table(header, rows)
        self._chair()
        self._figures()
        self._dates()
        self._resolve()
        self._check_figures()
        self.reading.sections.sort(key=lambda s: s.line)
        self.reading.unmatched = list(self.unmatched.values())
        self.reading.not_mentioned = sorted(m.person_id for m in self.index.members
                                            if not m.is_substitute and m.person_id not in self.named)
        return self.reading

    # --- headings ----------------------------------------------------------------------------------------------

    def _headings(self) -> list[_Heading]:
        found: list[_Heading] = []
        for kind, pattern in _HEADING_RES:
            for m in pattern.finditer(self.folded):
                heading = self._accept(kind, m.start(), m.end())
                if heading:
                    found.append(heading)
        found.sort(key=lambda h: (h.start, -(h.end - h.start)))
        kept: list[_Heading] = []
        for heading in found:
            if kept and heading.start < kept[-1].end:
                continue
            kept.append(heading)
        return kept

    def _accept(self, kind: str, start: int, end: int) -> _Heading | None:
        """A match is a heading when it opens a line or follows punctuation, and a colon, a count, a line end or a
        list follows it."""
        before = self.raw[max(0, start - 80):start].rstrip(" \t")
        opens = not before or before[-1] in _BOUNDARY or self.raw[start].isupper()
        if kind in ("sub_substitutes", "sub_titulars"):
            opens = opens or bool(re.search(r"(?:present|excuse|absent)\w*\s*$", self.folded[max(0, start - 40):start]))
        if not opens:
            return None
        pos = end
        text = self.folded
        count: int | None = None

        def skip_spaces(p: int) -> int:
            while p < len(text) and text[p] in " \t":
                p += 1
            return p

        def read_count(p: int) -> tuple[int, int | None]:
            m = _COUNT.match(text, p)
            if m:
                return skip_spaces(m.end()), int(m.group(1))
            return p, None

        pos, count = read_count(skip_spaces(pos))
        if pos >= len(text) or text[pos] == "\n":
            return _Heading(start, end, kind, pos, count)
        if text[pos] in ":-–—/":
            body = skip_spaces(pos + 1)
            body, after = read_count(body)
            count = count if after is None else after
            figure = bool(_FIGURE.match(text, body)) and after is None
            return _Heading(start, end, kind, body, count, figure)
        if _FOLLOW_AHEAD.match(text, pos):
            return _Heading(start, end, kind, pos, count)
        # "Étaient présents les conseillers communautaires suivants :"
        lead = re.match(r"(?:[a-z']+\s+){1,8}?:", text[pos:pos + 120])
        if lead and self.raw[pos:pos + lead.end()] == self.raw[pos:pos + lead.end()].lower():
            return _Heading(start, end, kind, skip_spaces(pos + lead.end()), count)
        return None

    # --- lists -------------------------------------------------------------------------------------------------

    def _sections(self, headings: list[_Heading]) -> None:
        parent: str | None = None
        for number, heading in enumerate(headings):
            end = headings[number + 1].start if number + 1 < len(headings) else len(self.raw)
            kind = heading.kind
            if kind in ATTENDANCE_KINDS or kind in ("others", "secretary", "substitutes_out", "agenda"):
                parent = kind if kind in ATTENDANCE_KINDS else None
            if heading.figure:
                continue
            if kind == "sub_titulars":
                if parent is None:
                    continue
                kind = parent
            elif kind == "sub_substitutes":
                kind = "substitutes_out" if parent in ("excused", "absent", "proxy") else "substitutes"
            if kind == "agenda":
                self._agenda(heading.body, end)
                continue
            title = clean(self.raw[heading.start:heading.end])
            section = len(self.reading.sections)
            found = self._list(heading.body, end, kind, section, heading)
            self.reading.sections.append(Section(title, self.line_of(heading.start), kind, heading.count, found))

    def _list(self, start: int, end: int, kind: str, section: int, heading: _Heading) -> int:
        """Read the names of one list; return how many were read. The list ends at the first fragment that can be
        no name (prose after the list, a page header)."""
        found = 0
        last: _Mention | None = None
        for seg_start, seg_end, commune in self._groups(start, end):
            for frag_start, frag_end in self._fragments(seg_start, seg_end):
                pieces = self._lines(frag_start, frag_end)
                if not pieces:
                    continue
                stop = False
                for line, piece in self._pieces(pieces, commune, kind):
                    outcome = self._fragment(piece, line, kind, section, commune, last, heading, found == 0)
                    if outcome == "stop":
                        stop = True
                        break
                    if isinstance(outcome, _Mention):
                        last = outcome
                        found += 1
                        if len(self.mentions) > MAX_NAMES:
                            raise MinutesError(f"Le document nomme plus de {MAX_NAMES} personnes : ce n'est pas un "
                                               "procès-verbal lisible.")
                if stop:
                    self.zone_end = max(self.zone_end, frag_start)
                    return found
        self.zone_end = max(self.zone_end, end)
        return found

    def _groups(self, start: int, end: int) -> Iterator[tuple[int, int, str | None]]:
        """Split a list by its commune groups ("Délégués de Riedisheim", "Pour la commune de …"). Lazy: a list
        that ends early never looks at the groups of the text beyond it."""
        segment_start, commune = start, None
        for m in _GROUP.finditer(self.folded, start, end):
            before = self.raw[max(start, m.start() - 80):m.start()].rstrip(" \t")
            at_line = not before or before[-1] in _BOUNDARY or self.raw[m.start()].isupper()
            if m.group("commune") and not at_line:
                continue
            insee, used = self.index.commune_prefix(self.raw[m.end():min(end, m.end() + 80)].split("\n")[0])
            if insee is None:
                if not at_line or not self.raw[m.start()].isupper():
                    continue
                rest = self.raw[m.end():min(end, m.end() + 80)].split("\n")[0]
                stop = re.search(r"\s(?:M\.|Mme|MM\.|Mmes|Monsieur|Madame)\s|:|\(", rest)
                name = clean(rest[:stop.start()] if stop else rest)
                self.reading.warnings.append(f"Ligne {self.line_of(m.start())} : la commune « {name} » ne "
                                             "correspond à aucune commune des membres ; ses noms sont lus sans elle.")
                used = stop.start() if stop else len(rest)
            yield segment_start, m.start(), commune
            segment_start = _SPACES_AT.match(self.raw, m.end() + used, end).end()  # type: ignore[union-attr]
            while segment_start < end and self.raw[segment_start] == ":":
                segment_start = _SPACES_AT.match(self.raw, segment_start + 1, end).end()  # type: ignore[union-attr]
            commune = insee
        yield segment_start, end, commune

    def _fragments(self, start: int, end: int) -> Iterator[tuple[int, int]]:
        """Cut a list into fragments, one name each, outside brackets: at commas, semicolons, " et ", " - ",
        bullets, a full stop closing a name, and a civility opening the next name ("… Adjoint au Maire M. Paul …").
        Lazy: the list usually ends long before the text does."""
        raw, folded = self.raw, self.folded
        depth = 0
        begin = start
        i = start
        while i < end:
            ch = raw[i]
            cut: int | None = None  # where the next fragment begins, when `i` ends one
            if ch in "([":
                depth += 1
            elif ch in ")]":
                depth = max(0, depth - 1)
            elif depth == 0:
                dash = ch in "-–—*" and (i == start or raw[i - 1] in " \t\n") and (i + 1 >= end or raw[i + 1] in " \t")
                if ch in ",;•▪·" or dash or (ch == "." and self._closes_name(i, end)):
                    cut = i + 1
                elif (ch in " \t\n" and folded.startswith("et", i + 1) and i + 3 <= end
                      and (i + 3 == end or raw[i + 3] in " \t\n")):
                    cut = i + 3
                elif ch in " \t\n" and self._civility_opens(i + 1, start):
                    cut = i + 1
            if cut is not None:
                span = self._trim(begin, i)
                if span:
                    yield span
                begin = cut
                i = cut
                continue
            i += 1
        span = self._trim(begin, end)
        if span:
            yield span

    def _trim(self, start: int, end: int) -> tuple[int, int] | None:
        if start >= end:
            return None
        start = _SPACES_AT.match(self.raw, start, end).end()  # type: ignore[union-attr]
        return (start, end) if start < end else None

    def _closes_name(self, i: int, end: int) -> bool:
        """A full stop after a word of two letters or more that is no civility, followed by a capital or the end."""
        nxt = _SPACES_AT.match(self.raw, i + 1, end).end()  # type: ignore[union-attr]
        if nxt < end and not (self.raw[nxt].isupper() or self.raw[nxt] in "(-–•"):
            return False
        if i + 1 < end and self.raw[i + 1] not in " \t\n":
            return False
        word = re.search(r"[\w'’-]+$", self.raw[max(0, i - 40):i])
        if not word:
            return True
        token = word.group(0)
        return not (is_civility(token) or all(len(part) <= 1 for part in token.split("-")))

    def _civility_opens(self, i: int, start: int) -> bool:
        m = _CIVILITY_AHEAD.match(self.raw, i)
        if not m:
            return False
        previous = re.search(r"(\S+)\s*$", self.raw[max(start, i - 60):i])
        if not previous:
            return False
        word = previous.group(1)
        if word.endswith((")", ".")):
            return True
        if word[:1].islower():
            return fold(word).strip(",.") in ("municipal", "municipale", "communautaire", "delegue", "deleguee")
        return not is_civility(word) and fold(word) != "et"

    def _lines(self, start: int, end: int) -> list[tuple[int, str]]:
        """The lines of a fragment with their numbers, a hyphen cut by a line break or a space mended ("Jean-" /
        "Michel" -> "Jean-Michel", "Jean- Michel" -> "Jean-Michel")."""
        first = self.line_of(start)
        pieces: list[tuple[int, str]] = []
        for offset, text in enumerate(self.raw[start:end].split("\n")):
            if pieces and re.search(r"\w-[ \t]*$", pieces[-1][1]) and re.match(r"\s*\w", text):
                pieces[-1] = (pieces[-1][0], pieces[-1][1].rstrip() + text.strip())
            else:
                pieces.append((first + offset, text))
        mended = [(line, clean(re.sub(r"(?<=\w)-[ \t]+(?=[A-ZÀ-Þ])", "-", text))) for line, text in pieces]
        return [(line, text) for line, text in mended if text]

    def _pieces(self, pieces: list[tuple[int, str]], commune: str | None, kind: str) -> list[tuple[int, str]]:
        """Lines of one fragment: one name wrapped over two lines ("Jean-Claude" / "SCHIELIN"), or one name a line.
        Lines are joined only when the join names exactly one member and the first line alone does not."""
        if kind == "others":
            return [(pieces[0][0], " ".join(text for _, text in pieces))]
        merged: list[tuple[int, str]] = []
        for line, piece in pieces:  # a bracket opened on one line and closed on the next is one piece
            if merged and merged[-1][1].count("(") > merged[-1][1].count(")"):
                merged[-1] = (merged[-1][0], f"{merged[-1][1]} {piece}")
            else:
                merged.append((line, piece))
        if len(merged) == 1:
            return merged
        whole = " ".join(text for _, text in merged)
        folded = fold_keep(whole)
        if (_GIVES.match(folded) or _RECEIVES.match(folded) or _REPLACED.match(folded) or _SUBSTITUTE_OF.match(folded)
                or kind == "proxy"):
            return [(merged[0][0], whole)]
        out: list[tuple[int, str]] = []
        i = 0
        while i < len(merged):
            line, current = merged[i]
            if i + 1 < len(merged):
                joined = f"{current} {merged[i + 1][1]}"
                if self._unique(joined, commune) and not self._unique(current, commune):
                    out.append((line, joined))
                    i += 2
                    continue
            out.append((line, current))
            i += 1
        return out

    def _unique(self, text: str, commune: str | None) -> bool:
        core, _ = _parens(text)
        return len(self.index.match(core, commune=commune).ids) == 1

    def _fragment(self, text: str, line: int, kind: str, section: int, commune: str | None,
                  last: _Mention | None, heading: _Heading, first: bool) -> _Mention | str | None:
        """Read one fragment: a name (a new mention), a note on the previous name, nothing, or the end of list."""
        if only_civility(text):
            return None
        bare = text.strip("() ")
        if re.fullmatch(r"\d{1,3}", bare):
            if first and heading.count is None:
                heading.count = int(bare)
            return None
        if fold(text).strip(" .") in ("/", "neant", "aucun", "aucune", "sans objet", "-", ""):
            return None
        core, notes = _parens(text)
        core = core.strip(" ,.:")
        if kind == "others":
            # people who are not members: counted, never matched; their titles are skipped, prose ends the list
            if looks_like_name(strip_civility(core)):
                return _Mention(core, line, text, kind, section)
            return "stop" if len(core.split()) > 4 else None
        if not core or _is_note(core):
            if last is not None:
                for note in ([core] if core else []) + notes:
                    self._note(last, note)
            return None
        if is_function(core):
            return None
        mention = self._mention(core, text, line, kind, section, commune)
        if mention is None:
            return "stop"
        for note in notes:
            self._note(mention, note)
        if kind != "secretary":
            self.mentions.append(mention)
        else:
            self._secretary(mention)
        return mention

    def _mention(self, core: str, text: str, line: int, kind: str, section: int,
                 commune: str | None) -> _Mention | None:
        folded = fold_keep(core)
        written = clean(text)

        def part(m: re.Match[str], group: str) -> str:
            return clean(core[m.start(group):m.end(group)])

        m = _GIVES.match(folded)
        if m:
            mention = _Mention(part(m, "a"), line, written, kind, section, commune, proxy=True)
            self._holder(mention, part(m, "b"))
            return mention if looks_like_name(strip_civility(mention.name)) else None
        m = _REPLACED.match(folded)
        if m:
            rest = part(m, "b")
            by_sub = _BY_SUBSTITUTE.match(fold_keep(rest))
            mention = _Mention(part(m, "a"), line, written, kind, section, commune)
            if by_sub or not m.group("verb").startswith("represente"):
                mention.substituted = True
                name = clean(rest[by_sub.start("b"):]) if by_sub else rest
                mention.substitute = strip_civility(name) or None
            else:
                mention.proxy = True
                self._holder(mention, rest)
            return mention if looks_like_name(strip_civility(mention.name)) else None
        m = _SUBSTITUTE_OF.match(folded)
        if m:
            mention = _Mention(part(m, "s"), line, written, kind, section, commune, substitute_mark=True)
            mention.titular = strip_civility(part(m, "t"))
            return mention if looks_like_name(strip_civility(mention.name)) else None
        m = _RECEIVES.match(folded)
        if m and kind != "secretary":
            mention = _Mention(part(m, "b"), line, written, kind, section, commune)
            mention.received.append(strip_civility(part(m, "a")))
            return mention if looks_like_name(strip_civility(mention.name)) else None
        if kind == "proxy":
            m = _TO_HOLDER.match(folded)
            if m and looks_like_name(strip_civility(part(m, "a"))) and looks_like_name(strip_civility(part(m, "b"))):
                mention = _Mention(part(m, "a"), line, written, kind, section, commune, proxy=True)
                self._holder(mention, part(m, "b"))
                return mention
        name = strip_civility(core)
        if not looks_like_name(name):
            return None
        return _Mention(core, line, written, kind, section, commune)

    def _holder(self, mention: _Mention, text: str) -> None:
        """The holder of a proxy, with what follows it ("à M. Y (jusqu'au point 24)", "à M. Y à partir du point 3")."""
        core, notes = _parens(text)
        bound = _BOUND_ANY.search(fold_keep(core))
        if bound:
            self._note(mention, core[bound.start():])
            core = core[:bound.start()]
        for note in notes:
            self._note(mention, note)
        # "à M. Y pour le représenter", "à M. Y qui votera en son nom": the holder is the name alone
        tail = re.search(r"\s(?:pour|afin|qui|en\s+vue)\s", fold_keep(core))
        if tail:
            core = core[:tail.start()]
        mention.holder = strip_civility(clean(core)) or None

    def _note(self, mention: _Mention, note: str) -> None:
        """What a bracket or a comma fragment says of the name before it."""
        folded = fold_keep(note).strip()
        if not folded or re.fullmatch(r"\d+", folded):
            return
        self._bounds(mention, folded)
        if _TIME.search(folded) and not _BOUND_ANY.search(folded):
            self.reading.warnings.append(f"Ligne {mention.line} : « {clean(note)} » donne une heure, pas un point de "
                                         "l'ordre du jour : la borne n'est pas lue.")
        m = re.search(r"(?:procuration|pouvoir|mandat)(?:\s+de\s+vote)?\s+(?:a|donne\s+a)\s+(?P<b>.+)$", folded)
        if m:
            mention.proxy = True
            self._holder(mention, note[m.start("b"):])
            return
        m = re.search(r"(?:a\s+)?recu\s+(?:le\s+|la\s+)?(?:pouvoir|procuration|mandat)\s+de\s+(?P<a>.+)$", folded)
        if m:
            name = note[m.start("a"):]
            cut = _BOUND_ANY.search(fold_keep(name))
            mention.received.append(strip_civility(clean(name[:cut.start()] if cut else name)))
            return
        m = re.match(rf"(?:represente{_E}|remplace{_E}|supplee{_E})\s+par\s+(?P<b>.+)$", folded)
        if m:
            rest = note[m.start("b"):]
            by_sub = _BY_SUBSTITUTE.match(fold_keep(rest))
            if by_sub or not folded.startswith("represente"):
                mention.substituted = True
                name = rest[by_sub.start("b"):] if by_sub else rest
                mention.substitute = strip_civility(clean(name)) or None
            else:
                mention.proxy = True
                self._holder(mention, rest)
            return
        m = re.match(rf"{_SUPPLEANT}(?:\s+(?:de|du\s+titulaire)\s+(?P<t>.+))?$", folded)
        if m:
            mention.substitute_mark = True
            if m.group("t"):
                mention.titular = strip_civility(clean(note[m.start("t"):]))
            return
        m = re.match(rf"(?:remplace{_E}|remplacant)\s+(?P<t>.+)$", folded)
        if m:
            mention.substitute_mark = True
            mention.titular = strip_civility(clean(note[m.start("t"):]))
            return
        if re.match(rf"(?:{_VISIO}|en\s+visio|a\s+distance|en\s+ligne|par\s+visio)", folded):
            mention.status = "remote"
        elif re.match(rf"(?:absent{_E}\s+)?excuse{_E}$", folded):
            mention.status = "excused"
        elif re.match(rf"absent{_E}(?:\s+non\s+excuse{_E})?$|non\s+excuse{_E}$", folded):
            mention.status = "absent"
        elif not _BOUND_ANY.search(folded):
            insee = self.index.commune(clean(note))
            if insee:
                mention.commune = insee

    def _bounds(self, mention: _Mention, folded: str) -> None:
        m = _RANGE.search(folded)
        if m:
            mention.from_item, mention.to_item = normalize_item(m.group(1)), normalize_item(m.group(2))
            return
        m = _FROM.search(folded)
        if m:
            mention.from_item = normalize_item(m.group(1))
        m = _TO.search(folded)
        if m:
            mention.to_item = normalize_item(m.group(1))
        m = _BEFORE.search(folded)
        if m:
            mention.before_item = normalize_item(m.group(1))

    def _secretary(self, mention: _Mention) -> None:
        name = strip_civility(mention.name)
        match = self._match(name, mention.line, mention.commune, None, context="secretary")
        if match is None:
            self.reading.warnings.append(f"Ligne {mention.line} : le secrétaire de séance « {name} » ne "
                                         "correspond à aucun membre (ou à plusieurs) ; il n'est pas compté.")
            return
        self.secretary = (match, mention.line)

    # --- a sign-in table -----------------------------------------------------------------------------------------

    def _find_tables(self) -> list[tuple[tuple[int, dict[str, int]], list[tuple[int, list[str]]]]]:
        tables = []
        i = 0
        while i < len(self.lines):
            columns = _table_header(self.lines[i])
            if columns is None:
                i += 1
                continue
            header = i
            rows: list[tuple[int, list[str]]] = []
            i += 1
            while i < len(self.lines):
                line = self.lines[i]
                if not line.strip():
                    i += 1
                    continue
                if _table_header(line) is not None:
                    break
                cells = _cells(line)
                if cells is None:
                    break
                rows.append((i, cells))
                i += 1
            tables.append(((header, columns), rows))
            self.table_lines.add(header)
            self.table_lines.update(number for number, _ in rows)
        return tables

    def _table(self, header: tuple[int, dict[str, int]], rows: list[tuple[int, list[str]]]) -> None:
        line_no, columns = header
        last = rows[-1][0] if rows else line_no
        self.zone_end = max(self.zone_end, self.starts[min(last, len(self.starts) - 1)])
        section = len(self.reading.sections)
        found = 0

        def cell(cells: list[str], role: str) -> str:
            col = columns.get(role)
            return cells[col].strip() if col is not None and col < len(cells) else ""

        for number, cells in rows:
            name = cell(cells, "name")
            if not name or not looks_like_name(strip_civility(_parens(name)[0])):
                continue
            written = " | ".join(c.strip() for c in cells if c.strip())
            commune = self.index.commune(cell(cells, "commune")) if cell(cells, "commune") else None
            marks = {role for role in ("present", "remote", "excused", "absent")
                     if fold(cell(cells, role)).strip(" .") in _MARKS}
            holder = cell(cells, "proxy")
            substitute = cell(cells, "substitute")
            core, notes = _parens(name)
            line = number + 1
            statuses = sorted(marks) or ["absent"]
            for status in statuses:
                mention = _Mention(core, line, written, "table", section, commune, status=status)
                for note in notes:
                    self._note(mention, note)
                if holder and fold(holder).strip(" .") not in ("-", "/"):
                    mention.proxy = True
                    if fold(holder).strip(" .") not in _MARKS:
                        self._holder(mention, holder)
                if substitute and fold(substitute).strip(" .") not in ("-", "/"):
                    mention.substituted = True
                    if fold(substitute).strip(" .") not in _MARKS:
                        mention.substitute = strip_civility(substitute)
                self.mentions.append(mention)
            found += 1
        heading = " | ".join(c.strip() for c in _cells(self.lines[line_no]) or [] if c.strip())
        self.reading.sections.append(Section(heading, line_no + 1, "table", None, found))

    # --- the chair, the figures, the dates, the agenda --------------------------------------------------------

    def _chair(self) -> None:
        m = re.compile(r"sous\s+la\s+presidence\s+(?:de\s+)?").search(self.folded, 0, self._zone_limit())
        if not m:
            return
        rest = self.raw[m.end():m.end() + 120]
        rest = re.sub(r"^(?:(?:M|MM|Mme|Mr|Monsieur|Madame)\.?\s+)", "", rest)
        stop = re.search(r",|\.\s|\n|\(|:", rest)
        name = clean(rest[:stop.start()] if stop else rest)
        if not looks_like_name(strip_civility(name)):
            return
        line = self.line_of(m.start())
        match = self.index.match(name)
        if len(match.ids) == 1:
            self.chair = (match, line)

    def _zone_limit(self) -> int:
        """The end of the attendance block and five lines more: the chair and the figures are read before it."""
        zone = self.line_of(self.zone_end) + 5
        return self.starts[zone] if zone < len(self.starts) else len(self.folded)

    def _figures(self) -> None:
        declared = self.reading.declared
        patterns = {
            "in_office": r"en\s+(?:exercice|fonctions?)\s*[:=]?\s*(\d{1,3})\b",
            "present": rf"present{_E}\s*[:=]\s*(\d{{1,3}})\b(?!\s*(?:er|ere|eme)\b)",
            "voting": r"votants?\s*[:=]?\s*(\d{1,3})\b",
            "proxy": r"(?:procurations?|pouvoirs?)\s*[:=]\s*(\d{1,3})\b",
        }
        # the figures of the attendance block: a deliberation further on repeats its own ("présents : 26")
        limit = self._zone_limit()
        for key, pattern in patterns.items():
            m = re.compile(rf"(?<![\w]){pattern}").search(self.folded, 0, limit)
            if m:
                declared[key] = int(m.group(1))
        for key in ("present", "proxy"):
            if declared[key] is None:
                counts = [s.announced for s in self.reading.sections if s.kind == key and s.announced is not None]
                if counts:
                    declared[key] = counts[0]

    def _dates(self) -> None:
        sitting_patterns = [
            rf"(?:seance|reunion|session)\s+(?:ordinaire\s+|extraordinaire\s+|publique\s+|pleniere\s+)?(?:du|le)\s+(?:{DATE})",
            (rf"(?:conseil\s+(?:communautaire|municipal|d'agglomeration|de\s+communaute|de\s+la\s+communaute)|bureau|"
            rf"conference\s+des\s+maires)\s+(?:du|en\s+date\s+du)\s+(?:{DATE})"),
            rf"(?:s'est|se\s+sont)\s+reuni{_E}\b(?:(?!invitation|convoc)[^.]){{0,200}}?\b(?:le|du)\s+(?:{DATE})",
            rf"qui\s+s'est\s+tenue?\b(?:(?!invitation|convoc)[^.]){{0,200}}?\ble\s+(?:{DATE})",
            rf"(?m)^\s*le\s+(?:{DATE})\s+a\s+\d{{1,2}}\s*h",
        ]
        convocation_patterns = [
            rf"date\s+de\s+(?:la\s+)?convocation\s*:?\s*(?:{DATE})",
            rf"convocation\b[^.\n]{{0,60}}?(?:du|:|le)\s*(?:{DATE})",
            rf"convoque{_E}\b[^.\n]{{0,60}}?\b(?:le|du)\s+(?:{DATE})",
            rf"invitation\s+qui\s+leur\s+a\s+ete\s+(?:faite|adressee|envoyee)\s+le\s+(?:{DATE})",
            rf"convoc\w*\b[^.\n]{{0,80}}?(?:{DATE})",
        ]
        sitting = self._first_date(sitting_patterns, None, exclude=r"approb|precedent|dernier")
        if sitting:
            self.reading.sitting_date = sitting[0]
        convocation = self._first_date(convocation_patterns, sitting[0].year if sitting else None, exclude=None)
        if convocation:
            value = convocation[0]
            if sitting and value > sitting[0] and convocation[1]:
                value = value.replace(year=value.year - 1)  # "convoqués le 28 décembre" for a sitting in January
            self.reading.convocation_date = value
        if sitting and self.reading.convocation_date and self.reading.convocation_date > sitting[0]:
            self.reading.warnings.append("La date de convocation lue est postérieure à la date de la séance.")

    def _first_date(self, patterns: list[str], year_hint: int | None,
                    exclude: str | None) -> tuple[date, bool] | None:
        """The earliest date any pattern finds, skipping lines that `exclude` matches before the date (the agenda's
        "Approbation du procès-verbal de la séance du …"). The flag says the year was not written."""
        best: tuple[int, date, bool] | None = None
        for pattern in patterns:
            for m in re.finditer(pattern, self.folded):
                if best is not None and m.start() >= best[0]:
                    break
                line_start = self.starts[self.line_of(m.start()) - 1]
                if exclude and re.search(exclude, self.folded[line_start:m.start()]):
                    continue
                value = parse_date(m, year_hint)
                if value is None:
                    continue
                best = (m.start(), value, not (m.group("year") or m.group("nyear")))
                break
        return (best[1], best[2]) if best else None

    def _agenda(self, start: int, end: int) -> None:
        """The agenda items: "1. Title", "1) Title", "Point 01 - Title", "7-A : Title", one a line or inline. Each
        point must follow the previous one; a numbering that starts again at a line start ends the agenda."""
        marker = re.compile(rf"(?:^|(?<=[\s,;]))[ \t]*(?:point\s+(?:n\s*[°o]\s*)?)?{_ITEM}[ \t]*"
                            r"(?:\)|\.(?!\d)|-(?!\w)|–|—|:)[ \t]*(?=\S)")
        text = self.folded[start:end]
        items: list[tuple[str, int, int]] = []  # (point, start of its title, start of its marker)
        previous: tuple[tuple[int, int | str], ...] | None = None
        for m in marker.finditer(text):
            point = normalize_item(m.group(1))
            key = item_key(point)
            if previous is None:
                if key[0] != (0, 1):
                    continue
            elif not _follows(previous, key):
                if m.start() == 0 or text[m.start() - 1] == "\n":
                    break
                continue
            items.append((point, m.end(), m.start()))
            previous = key
        agenda: list[tuple[str, str]] = []
        for number, (point, title_start, _) in enumerate(items):
            title_end = items[number + 1][2] if number + 1 < len(items) else len(text)
            title = re.split(r"\n[ \t]*\n", self.raw[start + title_start:start + title_end].strip("\n"))[0]
            agenda.append((point, clean(title).rstrip(",;")))
        self.reading.agenda = agenda

    # --- resolution ------------------------------------------------------------------------------------------

    def _match(self, name: str | None, line: int, commune: str | None, prefer: str | None, *, context: str,
               status: str | None = None, for_person: int | None = None) -> int | None:
        """The person `name` designates, or None after recording it as unmatched (never a guess)."""
        if not name:
            return None
        match = self.index.match(name, commune=commune, prefer=prefer)
        if len(match.ids) != 1:  # a choice resolves an unmatched name only, never overrides a match
            match = resolve_choice(self.choices, line, name, self.index) or match
        if len(match.ids) == 1:
            self.named.add(match.ids[0])
            return match.ids[0]
        if context == "secretary":
            return None
        key = (line, name)
        if key not in self.unmatched:
            self.unmatched[key] = Unmatched(name, line, match.reason or "unknown", match.suggestions, context, status,
                                            for_person, match.note)
        return None

    def _resolve(self) -> None:
        drafts: list[_Draft] = []
        subs: list[_Sub] = []
        for mention in self.mentions:
            if mention.kind == "others":
                continue
            self._resolve_mention(mention, drafts, subs)
        self._substitutions(subs, drafts)
        if self.chair:
            match, line = self.chair
            person = match.ids[0]
            self.named.add(person)
            if not any(d.person == person for d in drafts):
                drafts.append(_Draft(person, "present", None, None, None, "Sous la présidence de …", line))
                self.reading.warnings.append(f"{display(self.index, person)} présidait la séance (ligne {line}) "
                                             "sans figurer dans une liste : compté(e) présent(e).")
        if self.secretary:
            person, line = self.secretary
            if not any(d.person == person for d in drafts):
                self.reading.warnings.append(f"Ligne {line} : le secrétaire de séance {display(self.index, person)} "
                                             "ne figure dans aucune liste de présence.")
        self.reading.rows = self._merge(drafts)
        self._check_proxies()
        self._check_items()

    def _resolve_mention(self, mention: _Mention, drafts: list[_Draft], subs: list[_Sub]) -> None:
        status = self._status(mention)
        prefer = "substitute" if mention.kind in ("substitutes", "substitutes_out") or mention.substitute_mark \
            else "titular" if mention.kind == "substituted" else None
        person = self._match(strip_civility(mention.name), mention.line, mention.commune, prefer,
                             context="attendee", status=status)
        for giver in mention.received:
            giver_id = self._match(giver, mention.line, None, None, context="attendee", status="proxy")
            if giver_id is not None:
                drafts.append(_Draft(giver_id, "proxy", person, None, None, mention.written, mention.line))
        if person is None:
            if mention.holder:
                self._match(mention.holder, mention.line, None, None, context="delegate", status="proxy")
            return
        member = self.index.by_id[person]
        bounds = (mention.from_item, self._to_item(mention))
        sits = status in ("present", "remote")
        if member.is_substitute or mention.substitute_mark or mention.kind in ("substitutes", "substitutes_out"):
            if mention.kind == "substitutes_out" or not sits:
                return  # a substitute who did not sit is not convened: no row
            titular = self._match(mention.titular, mention.line, None, "titular", context="titular",
                                  status="substituted", for_person=person) if mention.titular else None
            drafts.append(_Draft(person, status, None, *bounds, mention.written, mention.line))
            if not member.is_substitute:
                self.reading.warnings.append(f"Ligne {mention.line} : {member.display} siège comme suppléant(e) mais "
                                             "n'est pas suppléant(e) dans la liste des membres.")
                if titular is not None:
                    subs.append(_Sub(titular, None, mention.line, mention.written, *bounds))
            elif not (mention.titular and titular is None):
                subs.append(_Sub(titular, person, mention.line, mention.written, *bounds))
            return
        if status == "substituted":
            substitute = self._match(mention.substitute, mention.line, None, "substitute", context="delegate",
                                     status="substituted", for_person=person) if mention.substitute else None
            if not (mention.substitute and substitute is None):
                subs.append(_Sub(person, substitute, mention.line, mention.written, *bounds))
            else:
                drafts.append(_Draft(person, "substituted", None, *bounds, mention.written, mention.line))
            return
        delegate = None
        if status == "proxy" and mention.holder:
            delegate = self._match(mention.holder, mention.line, None, None, context="delegate", status="proxy",
                                   for_person=person)
        drafts.append(_Draft(person, status, delegate, *bounds, mention.written, mention.line))

    @staticmethod
    def _status(mention: _Mention) -> str:
        if mention.substituted:
            return "substituted"
        if mention.proxy or mention.holder:
            return "proxy"
        if mention.status and mention.kind != "table":
            return mention.status
        if mention.kind == "table":
            return mention.status or "absent"
        return _KIND_STATUS.get(mention.kind, "present")

    def _substitutions(self, subs: list[_Sub], drafts: list[_Draft]) -> None:
        """Pair titulars and the substitutes who sat, inferring the missing side only when one member fits."""
        sitting = {d.person for d in drafts if d.status in ("present", "remote")}
        by_titular: dict[int, list[_Sub]] = defaultdict(list)
        for sub in subs:
            if sub.titular is None and sub.substitute is not None:
                member = self.index.by_id[sub.substitute]
                titulars = self.index.single_seat_titulars(member.commune_insee)
                if len(titulars) == 1:
                    sub.titular = titulars[0].person_id
                    self.named.add(sub.titular)
                else:
                    where = member.commune_name or "sa commune"
                    self.reading.warnings.append(
                        f"Ligne {sub.line} : {member.display} siège comme suppléant(e), mais "
                        + ("aucun titulaire d'une commune à siège unique n'est connu pour " if not titulars
                           else "plusieurs titulaires sont connus pour ") + f"{where} : le titulaire n'est pas déduit.")
                    continue
            if sub.titular is not None:
                by_titular[sub.titular].append(sub)
        for titular, facts in by_titular.items():
            member = self.index.by_id[titular]
            named = {f.substitute for f in facts if f.substitute is not None}
            fact = facts[0]
            if len(named) > 1:
                names = join_fr(display(self.index, p) for p in sorted(named))
                self.reading.warnings.append(f"Ligne {fact.line} : {member.display} aurait plusieurs suppléants "
                                             f"({names}).")
            substitute = min(named) if len(named) == 1 else None
            if not named and member.single_seat:
                substitute = self._infer_substitute(member, fact.line, sitting)
            if not member.single_seat:
                self.reading.warnings.append(f"Ligne {fact.line} : {member.display} est remplacé(e) par un suppléant, "
                                             "mais sa commune a plusieurs sièges (seules les communes à siège unique "
                                             "ont un suppléant, CGCT L5211-6).")
            if substitute is not None:
                sub_member = self.index.by_id[substitute]
                if sub_member.commune_insee != member.commune_insee:
                    self.reading.warnings.append(f"Ligne {fact.line} : le suppléant {sub_member.display} n'est pas de "
                                                 f"la commune de {member.display}.")
                self.named.add(substitute)
            drafts.append(_Draft(titular, "substituted", substitute, fact.from_item, fact.to_item, fact.written,
                                 fact.line))
            if substitute is not None and substitute not in sitting:
                drafts.append(_Draft(substitute, "present", None, fact.from_item, fact.to_item, fact.written,
                                     fact.line))
                sitting.add(substitute)

    def _infer_substitute(self, member: Member, line: int, sitting: set[int]) -> int | None:
        candidates = self.index.substitutes_of(member.commune_insee)
        present = [c for c in candidates if c.person_id in sitting]
        if len(present) == 1:
            return present[0].person_id
        if len(candidates) == 1:
            return candidates[0].person_id
        where = member.commune_name or "sa commune"
        self.reading.warnings.append(
            f"Ligne {line} : {member.display} est représenté(e) par son suppléant, mais "
            + ("aucun suppléant n'est connu pour " if not candidates else "plusieurs suppléants sont connus pour ")
            + f"{where} : le suppléant n'est pas nommé.")
        return None

    def _merge(self, drafts: list[_Draft]) -> list[Row]:
        """One person's rows: duplicates dropped, "excusé" absorbed by a proxy or a substitution given elsewhere,
        and any two rows left that cover a common point reported as a conflict (both kept, nothing chosen)."""
        order = {id(draft): number for number, draft in enumerate(drafts)}
        by_person: dict[int, list[_Draft]] = defaultdict(list)
        for draft in drafts:
            by_person[draft.person].append(draft)
        kept: list[_Draft] = []
        for person, rows in by_person.items():
            unique: list[_Draft] = []
            for row in rows:
                same = (row.status, row.delegate, row.from_item, row.to_item)
                if not any((u.status, u.delegate, u.from_item, u.to_item) == same for u in unique):
                    unique.append(row)
            statuses = {u.status for u in unique}
            if statuses & {"proxy", "substituted"}:
                unique = [u for u in unique if u.status not in ("excused", "absent")]
            elif {"excused", "absent"} <= statuses:
                unique = [u for u in unique if u.status != "absent"]
            for status in ("proxy", "substituted"):
                named = [u for u in unique if u.status == status and u.delegate is not None]
                unique = [u for u in unique if not (u.status == status and u.delegate is None and any(
                    (n.from_item, n.to_item) == (u.from_item, u.to_item) for n in named))]
            clashes = [(a, b) for i, a in enumerate(unique) for b in unique[i + 1:] if _overlap(a, b)]
            if clashes:
                involved = sorted({id(r): r for pair in clashes for r in pair}.values(), key=lambda r: r.line)
                labels = [_label(self.index, r) for r in involved]
                self.reading.conflicts.append(Conflict(
                    person, tuple(r.line for r in involved), tuple(r.status for r in involved),
                    f"{display(self.index, person)} est lu(e) plusieurs fois pour les mêmes points : "
                    f"{join_fr(labels)}."))
            kept.extend(unique)
        kept.sort(key=lambda d: (d.line, order[id(d)]))  # the order of the text
        return [Row(d.person, d.status, d.delegate, d.from_item, d.to_item, d.written, d.line) for d in kept]

    def _check_proxies(self) -> None:
        rows = self.reading.rows
        sitting = {r.person_id for r in rows if r.status in ("present", "remote")}
        held: dict[int, list[Row]] = defaultdict(list)
        for row in rows:
            if row.status == "proxy" and row.delegate_id is not None:
                held[row.delegate_id].append(row)
                if row.delegate_id == row.person_id:
                    self.reading.warnings.append(f"Ligne {row.line} : {display(self.index, row.person_id)} se "
                                                 "donnerait procuration à lui-même ou à elle-même.")
        for holder, given in held.items():
            name = display(self.index, holder)
            if len(given) > 1:
                givers = join_fr(display(self.index, r.person_id) for r in given)
                self.reading.warnings.append(f"{name} détient {len(given)} procurations ({givers}) : un membre n'en "
                                             "détient qu'une (CGCT L2121-20).")
            if holder not in sitting:
                self.reading.warnings.append(f"Ligne {given[0].line} : {name} reçoit une procuration mais ne figure "
                                             "pas parmi les présents.")
        missing = [r for r in rows if r.status == "proxy" and r.delegate_id is None]
        unresolved = {u.for_person for u in self.unmatched.values() if u.context == "delegate"}
        missing = [r for r in missing if r.person_id not in unresolved]
        if missing:
            self.reading.warnings.append(f"{len(missing)} procuration(s) sans mandataire nommé par le texte : "
                                         "enregistrée(s) sans mandataire.")

    def _to_item(self, mention: _Mention) -> str | None:
        """The last point of a row; "parti avant le point 12" needs the agenda to name the point before 12."""
        if not mention.before_item:
            return mention.to_item
        points = [p for p, _ in self.reading.agenda]
        if mention.before_item in points and points.index(mention.before_item) > 0:
            return points[points.index(mention.before_item) - 1]
        self.reading.warnings.append(f"Ligne {mention.line} : « avant le point {mention.before_item} » ne peut être "
                                     "converti sans l'ordre du jour : la borne n'est pas lue.")
        return mention.to_item

    def _check_items(self) -> None:
        """Points of arrival and departure against the agenda, when the minutes list one."""
        points = [p for p, _ in self.reading.agenda]
        bounded = [r for r in self.reading.rows if r.from_item or r.to_item]
        if not points:
            if bounded:
                self.reading.warnings.append("Des présences sont bornées par des points, mais le texte ne donne pas "
                                             "l'ordre du jour.")
            return
        for row in bounded:
            for item in (row.from_item, row.to_item):
                if item and item not in points:
                    self.reading.warnings.append(f"Ligne {row.line} : le point {item} n'est pas dans l'ordre du "
                                                 "jour lu.")

    def _check_figures(self) -> None:
        reading = self.reading
        declared = reading.declared
        rows = reading.rows
        sitting = {r.person_id for r in rows if r.status in ("present", "remote")}
        titular_sitting = {p for p in sitting if not self.index.by_id[p].is_substitute}
        proxies = {r.person_id for r in rows if r.status == "proxy"}
        in_office = sum(1 for m in self.index.members if not m.is_substitute)
        if declared["in_office"] is not None and declared["in_office"] != in_office:
            reading.warnings.append(f"Membres en fonction annoncés : {declared['in_office']} ; membres en fonction "
                                    f"fournis : {in_office}.")
        if declared["present"] is not None and declared["present"] not in (len(sitting), len(titular_sitting)):
            reading.warnings.append(f"Présents annoncés : {declared['present']} ; présents lus : {len(sitting)}.")
        if declared["proxy"] is not None and declared["proxy"] != len(proxies):
            reading.warnings.append(f"Procurations annoncées : {declared['proxy']} ; procurations lues : "
                                    f"{len(proxies)}.")
        voting = len(sitting) + len(proxies)
        if declared["voting"] is not None and declared["voting"] != voting:
            reading.warnings.append(f"Votants annoncés : {declared['voting']} ; votants lus (présents et "
                                    f"procurations) : {voting}.")
        for section in reading.sections:
            if section.announced is not None and section.announced != section.found:
                reading.warnings.append(f"Ligne {section.line} : « {section.heading} » annonce {section.announced} "
                                        f"noms, {section.found} lus.")


# --- helpers -------------------------------------------------------------------------------------------------------

def _parens(text: str) -> tuple[str, list[str]]:
    """Split "Clément LIBIS (à partir du point 5)" into the name and what its brackets hold."""
    notes: list[str] = []
    core: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch in "([":
            if depth == 0:
                current = []
            else:
                current.append(ch)
            depth += 1
        elif ch in ")]" and depth > 0:
            depth -= 1
            if depth == 0:
                notes.append("".join(current).strip())
            else:
                current.append(ch)
        elif depth > 0:
            current.append(ch)
        else:
            core.append(ch)
    if depth > 0:  # an unclosed bracket: keep its text as a note
        notes.append("".join(current).strip())
    return re.sub(r"\s+", " ", "".join(core)).strip(), [n for n in notes if n]


def _is_note(text: str) -> bool:
    """A fragment that says something of the previous name: a bound, a status, a proxy, a substitution."""
    folded = fold_keep(text).strip()
    return bool(_BOUND_ANY.match(folded) or re.match(
        rf"(?:{_SUPPLEANT}\s+(?:de|du)\b|{_SUPPLEANT}$|(?:represente{_E}|remplace{_E}|supplee{_E})\s+par\b|"
        rf"(?:a\s+)?recu\s+(?:le\s+)?(?:pouvoir|procuration)|(?:procuration|pouvoir)\s+a\b|excuse{_E}$|absent{_E}$|"
        r"(?:a\s+|ayant\s+)?donne\s+(?:sa\s+|son\s+)?(?:procuration|pouvoir|mandat)\b|"
        rf"en\s+{_VISIO}$|a\s+distance$)", folded))


def _follows(previous: tuple[tuple[int, int | str], ...], key: tuple[tuple[int, int | str], ...]) -> bool:
    """Whether agenda point `key` may come right after `previous`: 3 after 2, 3.1 after 3, 3.2 after 3.1, 4 after
    3.2."""
    if key <= previous:
        return False
    if key[0] == previous[0]:
        return len(key) > 1
    first, last = key[0], previous[0]
    return first[0] == 0 and last[0] == 0 and isinstance(first[1], int) and isinstance(last[1], int) \
        and first[1] == last[1] + 1


def _overlap(a: _Draft, b: _Draft) -> bool:
    low_a = item_key(a.from_item) if a.from_item else None
    high_a = item_key(a.to_item) if a.to_item else None
    low_b = item_key(b.from_item) if b.from_item else None
    high_b = item_key(b.to_item) if b.to_item else None
    if high_a is not None and low_b is not None and high_a < low_b:
        return False
    return not (high_b is not None and low_a is not None and high_b < low_a)


def _label(index: MemberIndex, row: _Draft) -> str:
    labels = {"present": "présent", "remote": "en visio", "excused": "excusé", "absent": "absent",
              "proxy": "procuration", "substituted": "suppléé"}
    text = f"{labels.get(row.status, row.status)} (ligne {row.line}"
    if row.from_item:
        text += f", à partir du point {row.from_item}"
    if row.to_item:
        text += f", jusqu'au point {row.to_item}"
    return text + ")"


def _cells(line: str) -> list[str] | None:
    if "\t" in line:
        return line.split("\t")
    if line.count("|") >= 2:
        return line.strip().strip("|").split("|")
    return None


def _table_header(line: str) -> dict[str, int] | None:
    """The columns of a sign-in table header (commune, délégué, présent, excusé, procuration à…), or None."""
    cells = _cells(line)
    if not cells or len(cells) < 3:
        return None
    roles: dict[str, int] = {}
    for number, cell in enumerate(cells):
        word = fold(cell).strip(" :.")
        if not word:
            continue
        if word.startswith("commune"):
            roles.setdefault("commune", number)
        elif re.search(r"procuration|pouvoir|represente|mandataire", word):
            roles.setdefault("proxy", number)
        elif re.search(r"suppleant|remplace", word):
            roles.setdefault("substitute", number)
        elif re.search(r"visio|distance", word):
            roles.setdefault("remote", number)
        elif word.startswith("presen"):
            roles.setdefault("present", number)
        elif "excuse" in word:
            roles.setdefault("excused", number)
        elif word.startswith("absent"):
            roles.setdefault("absent", number)
        elif re.search(r"delegue|nom|conseiller|membre|elu|titulaire|prenom", word):
            roles.setdefault("name", number)
    if "present" not in roles or not roles.keys() & {"excused", "absent", "proxy"}:
        return None
    if "name" not in roles:
        taken = set(roles.values())
        free = [n for n in range(len(cells)) if n not in taken]
        if not free:
            return None
        roles["name"] = free[0]
    return roles

