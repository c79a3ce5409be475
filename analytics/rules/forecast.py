"""Before the sitting (DESIGN.md §4 and §5c): convocation delay, members' probabilities and the quorum forecast.

Pure functions only: the callers read the database and hand plain numbers over, so every rule here is testable
by hand and reusable by the forecast command, the backtest and the pages alike.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Protocol, TypeVar

# Reply codes of a convened member (the Saisie page and the replies template translate the French labels to these).
REPLIES = ("present", "remote", "excused", "proxy", "substitute")

# Meeting format codes, as stored on meetings.
MEETING_FORMATS = ("in_person", "video", "mixed")

# A remote member counts for the quorum only at a sitting held by teleconference (L5211-11-1, DESIGN §4).
REMOTE_FORMATS = frozenset({"video", "mixed"})

# Replies that rule out being counted: an excused member is away, and a proxy does not count for the quorum (§4).
ABSENT_REPLIES = frozenset({"excused", "proxy"})

# Default share of "will come" replies that are kept. A confirmation is not a certainty (illness, a late meeting
# elsewhere), and 1.0 would make the forecast claim a quorum "assuré" that a single no-show can break. The caller
# should prefer the share measured on the body's past replies, e.g. smoothed_rate(kept, replied, prior=KEPT_RATE),
# and pass it as kept_rate.
KEPT_RATE = 0.95

# Prior used when the body has no recorded attendance at all: with nothing known, even odds are the least committal.
NO_HISTORY_PRIOR = 0.5

# Weight of the prior in smoothed_rate, in pseudo-sittings: two is enough that 0 of 1 is not a certainty of absence,
# small enough that a member's own record dominates after a handful of sittings.
PRIOR_WEIGHT = 2.0


class _Ordered(Protocol):
    """Keys that can be sorted: member ids or names, used to break ties deterministically."""

    def __lt__(self, other: Any, /) -> bool: ...


K = TypeVar("K", bound=_Ordered)


def _check_probability(value: float, what: str) -> None:
    # "not a <= x <= b" is also true for NaN, which must never slip through into a forecast.
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{what} doit être une probabilité entre 0 et 1 (reçu {value!r}).")


def quorum_probability(probabilities: Sequence[float], required: int) -> float:
    """Exact probability that at least `required` of independent members with these probabilities attend."""
    if any(math.isnan(p) for p in probabilities):
        raise ValueError("Une probabilité de présence n'est pas un nombre (NaN).")
    if required <= 0:
        return 1.0
    if required > len(probabilities):
        return 0.0
    # Upstream arithmetic may leave 1.0000000000000002 or -1e-17: clamping is safer than refusing those.
    clamped = [min(1.0, max(0.0, p)) for p in probabilities]
    certain = sum(1 for p in clamped if p == 1.0)
    uncertain = [p for p in clamped if 0.0 < p < 1.0]
    # Decided before any float arithmetic, so that "impossible" is exactly 0.0 and "assured" exactly 1.0:
    # the pages word these two cases differently from a mere low or high probability.
    if certain + len(uncertain) < required:
        return 0.0
    if certain >= required:
        return 1.0
    need = required - certain
    # dist[j] for j < need: probability of exactly j attendees so far; dist[need]: of need or more (absorbing).
    # Capping the state at `need` keeps the work at O(n·need) and sums only non-negative terms (no cancellation).
    dist = [1.0] + [0.0] * need
    for p in uncertain:
        q = 1.0 - p
        dist[need] += dist[need - 1] * p
        for j in range(need - 1, 0, -1):
            dist[j] = dist[j] * q + dist[j - 1] * p
        dist[0] *= q
    tail = dist[need]
    # The case is neither impossible nor assured, so the true value lies strictly inside (0, 1): keep it there
    # even if rounding or underflow says otherwise, so that 0.0 and 1.0 keep their exact meaning.
    return min(math.nextafter(1.0, 0.0), max(math.ulp(0.0), tail))


def body_prior(present: int, recorded: int) -> float:
    """The body's average presence rate, or NO_HISTORY_PRIOR (0.5) when it has no recorded attendance yet."""
    if present < 0 or recorded < present:
        raise ValueError(f"Comptes de présence incohérents : {present} présents sur {recorded} enregistrés.")
    return present / recorded if recorded else NO_HISTORY_PRIOR


def smoothed_rate(present: int, recorded: int, prior: float, weight: float = PRIOR_WEIGHT) -> float:
    """Presence rate shrunk towards `prior` (Beta prior worth `weight` sittings): 0 of 1 is not a certainty."""
    # prior is the body's average rate (body_prior gives it, with 0.5 for a body without history): a newcomer is
    # first assumed to behave like the body, then their own record takes over as sittings accumulate.
    if present < 0 or recorded < present:
        raise ValueError(f"Comptes de présence incohérents : {present} présents sur {recorded} enregistrés.")
    _check_probability(prior, "Le taux moyen de l'instance")
    if not weight >= 0.0 or recorded + weight <= 0.0:
        raise ValueError(f"Poids du taux moyen invalide : {weight!r}.")
    return (present + weight * prior) / (recorded + weight)


def member_probability(history_rate: float, reply: str | None, meeting_format: str,
                       kept_rate: float = KEPT_RATE) -> float:
    """Probability that a member's seat counts for the quorum, from their history rate and their reply."""
    _check_probability(history_rate, "Le taux de présence")
    _check_probability(kept_rate, "La part des réponses tenues")
    if meeting_format not in MEETING_FORMATS:
        raise ValueError(f"Format de séance inconnu : {meeting_format!r}.")
    if reply is None:
        return history_rate
    if reply not in REPLIES:
        raise ValueError(f"Réponse inconnue : {reply!r}.")
    if reply in ABSENT_REPLIES:
        return 0.0
    if reply == "remote" and meeting_format not in REMOTE_FORMATS:
        return 0.0
    if reply == "substitute":
        # The probability is the seat's: the substitute sits and counts (§4). The titular's own history says
        # nothing about the substitute, so only the confirmation's reliability applies.
        return kept_rate
    # "present", or "remote" at a sitting by teleconference: a confirmation, kept at kept_rate; a member whose
    # record is better than that is not made less likely by confirming.
    return max(history_rate, kept_rate)


def call_first(probabilities: Mapping[K, float], unreplied: Iterable[K], required: int,
               confirmed: float) -> list[K]:
    """Members without a reply, by how much their confirmation would raise the quorum probability, largest first."""
    # probabilities covers every member in office (the quorum counts them all). A confirmation lifts one member to
    # max(current, confirmed): with confirmed = the kept rate, that is exactly member_probability's "present" rule.
    # Members whose confirmation changes nothing (quorum already assured or out of reach, or already above
    # `confirmed`) are kept, at the end: they still have to be reached for the sign-in sheet, and dropping them
    # would hide people from the secretariat. Ties go to the least likely member first (the call matters more to
    # them), then to key order, so that the list never depends on the order of the input.
    _check_probability(confirmed, "La probabilité d'un membre qui confirme")
    values = list(probabilities.values())
    base = quorum_probability(values, required)
    # Members with the same probability have mathematically equal gains: computing the gain once per distinct
    # probability makes them exactly equal too, so that float noise cannot overturn the documented tie-break.
    gains: dict[float, float] = {}
    ranked: list[tuple[float, float, K]] = []
    for key in dict.fromkeys(unreplied):
        p = probabilities[key]
        if p not in gains:
            if p >= confirmed:
                gains[p] = 0.0
            else:
                others = list(values)
                others.remove(p)
                # Monotone in each probability, so the gain is never negative: clamp away rounding noise.
                gains[p] = max(0.0, quorum_probability([*others, confirmed], required) - base)
        ranked.append((-gains[p], p, key))
    ranked.sort()
    return [key for _, _, key in ranked]


def brier_score(forecasts: Sequence[float], outcomes: Sequence[bool]) -> float:
    """Mean squared difference between probabilities and what happened (0 is perfect, 0.25 is a coin flip)."""
    if len(forecasts) != len(outcomes):
        raise ValueError(f"{len(forecasts)} prévisions pour {len(outcomes)} résultats.")
    if not forecasts:
        raise ValueError("Aucune prévision à évaluer.")
    for forecast in forecasts:
        _check_probability(forecast, "Une prévision")
    # fsum: a backtest sums thousands of member forecasts, exact summation keeps the score reproducible.
    return math.fsum((f - float(o)) ** 2 for f, o in zip(forecasts, outcomes)) / len(forecasts)


def clear_days(sent: date, sitting: date) -> int:
    """Jours francs between sending the convocation and the sitting: neither day counts (7th for the 13th: 5)."""
    # Never negative: sent the day before, the same day or (a data error) after the sitting all leave 0 clear
    # days. convocation_on_time also refuses a convocation sent after its sitting. Weekends and public holidays
    # count like any day (DESIGN §4 states no extension).
    return max(0, (sitting - sent).days - 1)


def convocation_on_time(sent: date, sitting: date, delay: int) -> bool:
    """Whether a convocation sent on `sent` leaves at least `delay` clear days before the sitting (Conseil: 5)."""
    # A convocation dated after its sitting is never on time, even for a body with no delay.
    return sent <= sitting and clear_days(sent, sitting) >= delay


# A sitting reconvened after a failed quorum is "à nouveau convoqué à trois jours au moins d'intervalle" (CGCT
# L2121-17): its convocation needs 3 clear days, not the body's usual delay.
RECONVENED_DELAY = 3


def legal_delay(body_delay: int | None, meeting_type: str) -> int | None:
    """The clear days a sitting's convocation needs: the body's delay (None: nothing to check), at most
    RECONVENED_DELAY for a reconvened sitting."""
    if body_delay is None:
        return None
    return min(body_delay, RECONVENED_DELAY) if meeting_type == "reconvened" else body_delay
