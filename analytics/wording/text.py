"""Text folding shared by every matcher: names, headers and labels compare without case or accents."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "\u00a0": " ", "\u202f": " "})


# import files repeat the same names, bodies and statuses on every line: fold each value once
@lru_cache(maxsize=65536)
def fold(value: str) -> str:
    """Return `value` without accents, case and repeated spaces ("  Élodie  MÜLLER" -> "elodie muller")."""
    decomposed = unicodedata.normalize("NFKD", value.translate(_QUOTES))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # œ and æ do not decompose under NFKD
    stripped = stripped.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    return _SPACES.sub(" ", stripped).strip().casefold()


# what does not tell one name from another: spaces, hyphens and dashes, apostrophes (fold() has made every quote ')
_NAME_SEPARATORS = re.compile(r"[\s'\-\u2010-\u2015\u2212]+")


@lru_cache(maxsize=65536)
def name_fold(value: str) -> str:
    """fold() without spaces, hyphens and apostrophes, which do not separate a name: "PSEUDO-NYME Jean-Paul",
    "Pseudo Nyme Jean Paul" and "pseudonyme jeanpaul" fold alike, as "Morschwiller le Bas" and
    "Morschwiller-le-Bas" do."""
    return _NAME_SEPARATORS.sub("", fold(value))


@lru_cache(maxsize=65536)
def person_key(last_name: str, first_name: str, commune_insee: str | None) -> str:
    """Identity of a person for matching: name_fold of the last name and of the first name, and the commune code."""
    return f"{name_fold(last_name)}|{name_fold(first_name)}|{commune_insee or ''}"


def display_name(last_name: str, first_name: str) -> str:
    """The French administrative form "NOM Prénom"."""
    return f"{last_name.strip().upper()} {first_name.strip()}"
