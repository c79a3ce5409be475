"""Names as minutes write them, matched against the members in office without ever guessing.

A written name resolves to a member only when exactly one member fits: its letters equal the member's first and
last names in either order (case, accents, hyphens, apostrophes and spaces ignored), or it is a last name alone, or
initials and a last name ("J. THUR"). A commune, when the text gives one, narrows the candidates. Fuzzy matching
(rapidfuzz) only proposes suggestions for a name that matched nobody.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

from analytics.ingest.minutes.model import Member
from analytics.wording.text import fold

__all__ = [
    "Match", "MemberIndex", "clean", "commune_key", "compact", "display", "fold", "fold_keep", "is_civility",
    "is_function", "join_fr", "looks_like_name", "only_civility", "resolve_choice", "strip_civility",
]

CIVILITIES = frozenset({
    "m", "mr", "mm", "mme", "mmes", "mlle", "mlles", "melle", "mrs", "monsieur", "madame", "messieurs", "mesdames",
    "mademoiselle", "mesdemoiselles", "dr", "docteur", "me",
})
# lowercase words that may sit inside a name: "Marie-Anne de la Forêt", "Ludwig von Eichen"
PARTICLES = frozenset({"de", "du", "des", "la", "le", "d'", "l'", "von", "van", "der", "den", "di", "da", "del",
                       "della", "dos", "das", "ben", "el", "al", "zu", "y", "ter", "ten"})
# words of a municipal or communautaire function: "Adjointe au Maire", "1er Vice-Président", "Conseiller municipal"
FUNCTION_CORE = frozenset({
    "maire", "adjoint", "adjointe", "adjoints", "adjointes", "conseiller", "conseillere", "conseillers",
    "conseilleres", "conseil", "president", "presidente", "presidents", "vice", "delegue", "deleguee", "delegues",
    "deleguees", "doyen", "doyenne", "membre", "membres", "maire-adjoint", "maire-adjointe", "vice-president",
    "vice-presidente", "vice-presidents", "titulaire", "titulaires",
})
FUNCTION_WORDS = FUNCTION_CORE | frozenset({
    "au", "aux", "a", "du", "de", "la", "le", "les", "l'", "d'", "et", "des", "en", "municipal", "municipale",
    "municipaux", "municipales", "communautaire", "communautaires", "special", "speciale", "charge", "chargee",
    "premier", "premiere", "age", "d'age", "honoraire", "delegation", "bureau", "m2a", "agglomeration",
})
_ORDINAL = re.compile(r"^\d+(?:er|ere|e|eme|nd|nde)?$")
# capitalised words that are never part of a person's name: a page header or a title inside a list ends it
NON_NAME_WORDS = frozenset({
    "communaute", "commune", "communes", "agglomeration", "proces-verbal", "proces", "verbal", "seance", "page",
    "departement", "arrondissement", "republique", "francaise", "mairie", "deliberation", "deliberations",
    "registre", "extrait", "ordre", "jour", "point", "points", "quorum", "vote", "votes", "votants", "pour",
    "contre", "abstention", "abstentions", "total", "presidence", "ville", "syndicat", "service", "services",
    "direction", "directeur", "directrice", "general", "generale", "dgs", "presse", "public", "objet", "rapport",
    "rapporteur", "annexe", "budget", "secretaire", "compte", "rendu", "compte-rendu", "date", "convocation",
    "nombre", "sous", "salle", "heures", "lieu", "presents", "presentes", "excuses", "excusees", "absents",
    "absentes", "procuration", "procurations", "pouvoir", "pouvoirs", "suppleants", "suppleantes", "conseil",
    "communautaire", "municipal", "mesdames", "messieurs", "et",
})
_INITIALS = re.compile(r"^[A-ZÀ-Þ]\.(?:-?[A-ZÀ-Þ]\.?)*$|^[A-ZÀ-Þ](?:-[A-ZÀ-Þ])+\.?$|^[A-ZÀ-Þ]$")
_GLUED_INITIAL = re.compile(r"^((?:[A-ZÀ-Þ]\.-?)+)([A-ZÀ-Þ][\w'’-]+)$")  # "G.COADIC" -> "G." "COADIC"
_NON_ALNUM = re.compile(r"[^a-z0-9]")
_SAINT = re.compile(r"\bst(e?)\b")
_SPACES = re.compile(r"\s+")
_QUOTES = {"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"}


@lru_cache(maxsize=65536)
def compact(value: str) -> str:
    """Letters and digits only, folded: "Marie-Anne DE LA FORÊT" -> "marieannedelaforet"."""
    return _NON_ALNUM.sub("", fold(value))


def commune_key(value: str) -> str:
    """A commune name for comparison: "St-Louis", "SAINT LOUIS" and "Saint-Louis" are one."""
    return compact(_SAINT.sub(lambda m: "sainte" if m.group(1) else "saint", fold(value)))


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch in _QUOTES:
        return "'"
    if ch in "\u00a0\u202f\u2007\t\r\u2009":
        return " "
    base = unicodedata.normalize("NFKD", ch)[:1] or ch
    low = base.lower()
    return low if len(low) == 1 else ch


def fold_keep(text: str) -> str:
    """Fold case, accents and quotes character by character: the result has the length of `text`, so that a match
    in the folded text slices the original at the same place."""
    return text.translate({ord(ch): _fold_char(ch) for ch in set(text)})


def clean(text: str) -> str:
    """One line, single spaces, no surrounding punctuation: the form shown as `written`."""
    return _SPACES.sub(" ", text).strip(" \t\n,;:.–—-•*·▪").strip()


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s\-]+", fold(text)) if w]


def is_civility(token: str) -> bool:
    return fold(token).rstrip(".") in CIVILITIES and token[:1].isupper()


def strip_civility(text: str) -> str:
    """Drop leading civilities, "et" and capitalised functions: "Mmes et MM. les Adjoints KNIBIELY Philippe" ->
    "KNIBIELY Philippe"."""
    tokens = text.split()
    in_function = False
    while len(tokens) > 1 or (tokens and is_civility(tokens[0])):
        token = tokens[0]
        word = fold(token).rstrip(".,:")
        if (token[:1].isupper() and word in CIVILITIES) or word in ("et", "les"):
            in_function = False
        elif not token.isupper() and (word in FUNCTION_CORE or (in_function and word in FUNCTION_WORDS)):
            in_function = True
        else:
            break
        tokens.pop(0)
    return " ".join(tokens)


def only_civility(text: str) -> bool:
    """A fragment made of civilities and "et" alone: "Mesdames et Messieurs"."""
    words = [fold(t).strip(".,:") for t in text.split()]
    return bool(words) and all(w in CIVILITIES or w == "et" for w in words)


def is_function(text: str) -> bool:
    """A municipal function alone, as lists by commune write it after the name: "Adjointe au Maire"."""
    words = _words(text.replace("’", "'"))
    if not words:
        return False
    ok = all(w in FUNCTION_WORDS or _ORDINAL.match(w) or w.rstrip(".") in CIVILITIES for w in words)
    return ok and any(w in FUNCTION_CORE or w.startswith("vice") for w in words)


def looks_like_name(text: str) -> bool:
    """Whether a list fragment can be a person's name; a fragment that cannot ends the list it is in."""
    tokens = text.split()
    if not 1 <= len(tokens) <= 7 or any(ch.isdigit() for ch in text):
        return False
    named = 0
    for token in tokens:
        word = fold(token).strip(".,")
        if word in PARTICLES or re.match(r"^[dl]'", word) and not token[:1].isupper():
            continue
        if word in NON_NAME_WORDS or not token[:1].isupper():
            return False
        if sum(ch.isalpha() for ch in token) >= 2:
            named += 1
    return named >= 1


@dataclass(frozen=True)
class Match:
    """The members a written name fits: one is a match, none is 'unknown', several 'ambiguous'."""

    ids: tuple[int, ...]
    reason: str | None
    suggestions: tuple[int, ...] = ()
    note: str = ""


@dataclass
class MemberIndex:
    """The members in office, indexed by every form a name can take in minutes."""

    members: Sequence[Member]
    by_id: dict[int, Member] = field(init=False)
    full: dict[str, set[int]] = field(init=False)
    last: dict[str, set[int]] = field(init=False)
    initials: dict[tuple[str, str], set[int]] = field(init=False)
    communes: dict[str, str] = field(init=False)
    commune_names: dict[str, str] = field(init=False)
    _choices: list[str] = field(init=False)
    _choice_ids: list[int] = field(init=False)

    def __post_init__(self) -> None:
        self.by_id = {m.person_id: m for m in self.members}
        self.full = defaultdict(set)
        self.last = defaultdict(set)
        self.initials = defaultdict(set)
        self.communes = {}
        self.commune_names = {}
        self._choices = []
        self._choice_ids = []
        for m in self.members:
            first, last = compact(m.first_name), compact(m.last_name)
            self.full[first + last].add(m.person_id)
            self.full[last + first].add(m.person_id)
            self.last[last].add(m.person_id)
            parts = [p for p in re.split(r"[\s\-]+", fold(m.first_name)) if p]
            if parts:
                self.initials[(last, parts[0][0])].add(m.person_id)
                self.initials[(last, "".join(p[0] for p in parts))].add(m.person_id)
            if m.commune_insee and m.commune_name:
                self.communes[commune_key(m.commune_name)] = m.commune_insee
                self.commune_names[m.commune_insee] = m.commune_name
            self._choices.extend([first + last, last + first])
            self._choice_ids.extend([m.person_id, m.person_id])

    def commune(self, text: str) -> str | None:
        """The INSEE code of the commune `text` names (or is the code of), if a member belongs to it."""
        key = commune_key(text)
        if key in self.communes:
            return self.communes[key]
        code = text.strip()
        return code if code in self.commune_names else None

    def commune_prefix(self, text: str) -> tuple[str | None, int]:
        """The longest run of leading words of `text` that names a commune: (INSEE, characters used)."""
        best: tuple[str | None, int] = (None, 0)
        for m in re.finditer(r"\S+", text):
            if m.start() > 60:
                break
            insee = self.commune(text[:m.end()].rstrip(",.:;"))
            if insee:
                best = (insee, m.end())
        return best

    def match(self, written: str, *, commune: str | None = None, prefer: str | None = None) -> Match:
        """Resolve `written` (civilities already dropped or not); `prefer` is 'substitute' or 'titular' when the
        heading says which the list holds."""
        core = strip_civility(written)
        if not core:
            return Match((), "unknown", note="nom vide")
        ids = self._lookup(core)
        if not ids:
            split = self._commune_suffix(core)
            if split:
                name, insee = split
                return self.match(name, commune=commune or insee, prefer=prefer)
        if not ids:
            return Match((), "unknown", self.suggest(core))
        candidates = sorted(ids)
        if commune:
            narrowed = [i for i in candidates if self.by_id[i].commune_insee == commune]
            if not narrowed:
                name = self.commune_names.get(commune, commune)
                return Match((), "unknown", tuple(candidates), f"aucun membre de ce nom pour {name}")
            candidates = narrowed
        if prefer and len(candidates) > 1:
            want = prefer == "substitute"
            narrowed = [i for i in candidates if self.by_id[i].is_substitute == want]
            candidates = narrowed or candidates
        if len(candidates) == 1:
            return Match((candidates[0],), None)
        return Match((), "ambiguous", tuple(candidates))

    def _lookup(self, core: str) -> set[int]:
        key = compact(core)
        if not key:
            return set()
        if key in self.full:
            return set(self.full[key])
        tokens = core.split()
        found: set[int] = set()
        surname_only = len(tokens) == 1 or all(t.isupper() or fold(t) in PARTICLES for t in tokens)
        if surname_only and key in self.last:
            found |= self.last[key]
        found |= self._by_initials(tokens)
        return found

    def _by_initials(self, tokens: list[str]) -> set[int]:
        """ "J. THUR", "J-P. BRINGARD", "G.COADIC", "SLOVENCIK A.": initials of the first name and a last name."""
        if len(tokens) == 1:
            glued = _GLUED_INITIAL.match(tokens[0])
            if not glued:
                return set()
            tokens = [glued.group(1), glued.group(2)]
        for initials, rest in ((tokens[0], tokens[1:]), (tokens[-1], tokens[:-1])):
            if _INITIALS.match(initials) and rest and not any(_INITIALS.match(t) for t in rest):
                letters = compact(initials)
                return set(self.initials.get((compact(" ".join(rest)), letters), set()))
        return set()

    def _commune_suffix(self, core: str) -> tuple[str, str] | None:
        """ "M. CADIOU pour VALLERES", "DELAERE Hubert de JOUARRE": the name and the commune it is given with."""
        folded = fold_keep(core)
        for m in re.finditer(r"\s(?:pour|de|d')\s*", folded):
            insee = self.commune(core[m.end():])
            if insee:
                return core[:m.start()], insee
        return None

    def suggest(self, core: str, limit: int = 3) -> tuple[int, ...]:
        """Members whose name is close to `core`, or who carry one of its words as last name: to propose only."""
        key = compact(core)
        found: list[int] = []
        for _, score, index in process.extract(key, self._choices, scorer=fuzz.ratio, limit=limit * 2,
                                               score_cutoff=75):
            del score
            if self._choice_ids[index] not in found:
                found.append(self._choice_ids[index])
        for token in core.split():
            for person in sorted(self.last.get(compact(token), ())):
                if person not in found and len(compact(token)) >= 3:
                    found.append(person)
        return tuple(found[:limit])

    def substitutes_of(self, insee: str | None) -> list[Member]:
        return [m for m in self.members if m.is_substitute and insee and m.commune_insee == insee]

    def single_seat_titulars(self, insee: str | None) -> list[Member]:
        return [m for m in self.members if not m.is_substitute and insee and m.commune_insee == insee
                and m.single_seat]


def resolve_choice(choices: Mapping[tuple[int, str], int] | None, line: int, written: str,
                   index: MemberIndex) -> Match | None:
    """A name the user resolved by hand (the picker), keyed by its line and written form."""
    if not choices:
        return None
    person = choices.get((line, written))
    if person is None or person not in index.by_id:
        return None
    return Match((person,), None)


def display(index: MemberIndex, person_id: int | None) -> str:
    if person_id is None:
        return "?"
    member = index.by_id.get(person_id)
    return member.display if member else str(person_id)


def join_fr(items: Iterable[str]) -> str:
    values = list(items)
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " et " + values[-1] if values else ""
