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


@lru_cache(maxsize=65536)
def person_key(last_name: str, first_name: str, commune_insee: str | None) -> str:
    """Identity of a person for matching: folded last name, first name and commune code."""
    return f"{fold(last_name)}|{fold(first_name)}|{commune_insee or ''}"


def display_name(last_name: str, first_name: str) -> str:
    """The French administrative form "NOM Prénom"."""
    return f"{last_name.strip().upper()} {first_name.strip()}"
