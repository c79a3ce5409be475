"""The quorum forecast's rules (DESIGN.md §4 and §5c), on cases worked out by hand."""

from __future__ import annotations

import itertools
import math
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics.rules.forecast import (
    KEPT_RATE,
    NO_HISTORY_PRIOR,
    body_prior,
    brier_score,
    call_first,
    clear_days,
    convocation_on_time,
    member_probability,
    quorum_probability,
    smoothed_rate,
)


def brute_force(probabilities: list[float], required: int) -> float:
    """P(X >= required) summed over all 2^n outcomes: the definition, for comparison with the dynamic programme."""
    clamped = [min(1.0, max(0.0, p)) for p in probabilities]
    terms = []
    for outcome in itertools.product((False, True), repeat=len(clamped)):
        if sum(outcome) >= required:
            terms.append(math.prod(p if came else 1.0 - p for p, came in zip(clamped, outcome)))
    return math.fsum(terms)


# --- quorum_probability ---------------------------------------------------------------------------------------------

def test_three_members_at_half_with_quorum_two_is_exactly_half() -> None:
    # P(2) + P(3) = 3/8 + 1/8 = 1/2; halves are exact in binary, so the DP must give 0.5 exactly.
    assert quorum_probability([0.5, 0.5, 0.5], 2) == 0.5


def test_two_members_both_needed() -> None:
    # Both must come: 0.9 × 0.8.
    assert quorum_probability([0.9, 0.8], 2) == pytest.approx(0.72, abs=1e-15)


def test_two_members_one_needed() -> None:
    # Fails only if both stay away: 1 − 0.1 × 0.2.
    assert quorum_probability([0.9, 0.8], 1) == pytest.approx(0.98, abs=1e-15)


def test_four_members_at_half_with_quorum_three() -> None:
    # P(3) + P(4) = (C(4,3) + C(4,4)) / 2^4 = 5/16, exact in binary.
    assert quorum_probability([0.5] * 4, 3) == 5 / 16


def test_more_than_half_ruled_out_is_exactly_zero() -> None:
    # 9 in office, quorum 5; 3 excused and 2 proxies leave only 4 who can come: impossible, not "very unlikely".
    assert quorum_probability([0.0] * 5 + [0.99] * 4, 5) == 0.0


def test_enough_certain_members_is_exactly_one() -> None:
    # 5 certain members meet the quorum of 5 whatever the 4 others do.
    assert quorum_probability([1.0] * 5 + [0.3] * 4, 5) == 1.0


def test_required_bounds() -> None:
    assert quorum_probability([0.2, 0.3], 0) == 1.0
    assert quorum_probability([0.2, 0.3], -1) == 1.0
    assert quorum_probability([], 0) == 1.0
    assert quorum_probability([1.0, 1.0], 3) == 0.0
    assert quorum_probability([], 1) == 0.0


def test_probabilities_are_clamped() -> None:
    # 1.2 counts as a certain member, −0.3 as one who cannot come.
    assert quorum_probability([1.2, -0.3], 1) == 1.0
    assert quorum_probability([1.2, -0.3], 2) == 0.0
    # 1.0 certain plus a clamped 1.0000000000000002: both needed, both certain.
    assert quorum_probability([1.0, 1.0000000000000002], 2) == 1.0


def test_nan_is_refused() -> None:
    with pytest.raises(ValueError):
        quorum_probability([0.5, math.nan], 1)


def test_an_uncertain_case_never_rounds_to_zero_or_one() -> None:
    # Three members at 1e-200 all needed: the true value 1e-600 underflows, yet the quorum is not impossible.
    assert 0.0 < quorum_probability([1e-200] * 3, 3) < 1e-300
    # Two members each missing with probability 2^-53, one needed: 1 − 2^-106 rounds to 1.0, yet it is not assured.
    almost = math.nextafter(1.0, 0.0)
    assert quorum_probability([almost, almost], 1) == almost


probability = st.one_of(st.floats(min_value=0.0, max_value=1.0), st.sampled_from([0.0, 1.0, -0.5, 1.5, 0.5]))


@given(st.lists(probability, max_size=8), st.integers(min_value=-1, max_value=10))
def test_dynamic_programme_matches_enumeration(probabilities: list[float], required: int) -> None:
    assert quorum_probability(probabilities, required) == pytest.approx(brute_force(probabilities, required),
                                                                        abs=1e-12)


@given(st.lists(probability, max_size=8), st.integers(min_value=-1, max_value=10))
def test_zero_and_one_mean_impossible_and_assured(probabilities: list[float], required: int) -> None:
    clamped = [min(1.0, max(0.0, p)) for p in probabilities]
    possible = sum(1 for p in clamped if p > 0.0)
    certain = sum(1 for p in clamped if p == 1.0)
    result = quorum_probability(probabilities, required)
    assert (result == 0.0) == (required > possible)
    assert (result == 1.0) == (required <= certain)
    # A higher quorum is never more likely.
    assert quorum_probability(probabilities, required + 1) <= result


# --- smoothing ------------------------------------------------------------------------------------------------------

def test_one_absence_out_of_one_is_not_a_certainty() -> None:
    # (0 + 2 × 0.8) / (1 + 2) = 1.6 / 3 ≈ 0.533.
    assert smoothed_rate(0, 1, 0.8) == pytest.approx(1.6 / 3)
    assert smoothed_rate(0, 1, 0.8, weight=2.0) > 0.0


def test_smoothing_without_a_record_is_the_prior_and_fades_with_a_long_one() -> None:
    assert smoothed_rate(0, 0, 0.8) == pytest.approx(0.8)
    # (10 + 2 × 0.5) / (10 + 2) = 11/12.
    assert smoothed_rate(10, 10, 0.5) == pytest.approx(11 / 12)
    # 90 of 100 with prior 0.5: (90 + 1) / 102, close to the member's own 0.9.
    assert smoothed_rate(90, 100, 0.5) == pytest.approx(91 / 102)


def test_body_prior_falls_back_to_even_odds() -> None:
    assert body_prior(30, 40) == 0.75
    assert body_prior(0, 0) == NO_HISTORY_PRIOR == 0.5


@pytest.mark.parametrize("present, recorded, prior, weight", [
    (2, 1, 0.5, 2.0),    # more present than recorded
    (-1, 3, 0.5, 2.0),   # negative count
    (0, 1, 1.5, 2.0),    # prior is not a probability
    (0, 1, 0.5, -1.0),   # negative weight
    (0, 0, 0.5, 0.0),    # nothing recorded and no prior weight: 0/0
])
def test_smoothing_refuses_inconsistent_inputs(present: int, recorded: int, prior: float, weight: float) -> None:
    with pytest.raises(ValueError):
        smoothed_rate(present, recorded, prior, weight)


def test_body_prior_refuses_inconsistent_counts() -> None:
    with pytest.raises(ValueError):
        body_prior(5, 4)


# --- replies --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("history, reply, fmt, expected", [
    (0.7, None, "in_person", 0.7),            # no reply: the member's own history
    (0.7, "excused", "in_person", 0.0),       # away
    (0.7, "excused", "video", 0.0),
    (0.7, "proxy", "mixed", 0.0),             # a proxy does not count for the quorum
    (0.7, "remote", "in_person", 0.0),        # by video at an in-person sitting: does not count
    (0.7, "remote", "video", KEPT_RATE),      # by video at a teleconference sitting: a kept confirmation
    (0.7, "remote", "mixed", KEPT_RATE),
    (0.7, "present", "in_person", KEPT_RATE), # a confirmation is not a certainty
    (0.99, "present", "in_person", 0.99),     # nor does it lower a better record
    (0.2, "substitute", "in_person", KEPT_RATE),   # the seat is occupied by the substitute
    (0.99, "substitute", "in_person", KEPT_RATE),  # the titular's record says nothing of the substitute
])
def test_reply_rules(history: float, reply: str | None, fmt: str, expected: float) -> None:
    assert member_probability(history, reply, fmt) == expected


def test_measured_kept_rate_replaces_the_default() -> None:
    assert member_probability(0.7, "present", "in_person", kept_rate=0.8) == 0.8
    assert member_probability(0.7, "substitute", "video", kept_rate=0.8) == 0.8
    assert member_probability(0.7, None, "video", kept_rate=0.8) == 0.7


@pytest.mark.parametrize("history, reply, fmt", [
    (0.7, "présent", "in_person"),   # a French label, not a code
    (0.7, "present", "hybride"),     # unknown format
    (1.2, None, "in_person"),        # not a probability
    (math.nan, None, "in_person"),
])
def test_reply_rules_refuse_unknown_codes(history: float, reply: str | None, fmt: str) -> None:
    with pytest.raises(ValueError):
        member_probability(history, reply, fmt)


# --- whom to call first ---------------------------------------------------------------------------------------------

def test_call_first_by_gain_worked_by_hand() -> None:
    # D has confirmed (1.0), E is excused (0.0); A, B, C have not replied. Quorum 3, a confirmation gives 1.0.
    # Gain of lifting member i from p_i to 1 = (1 − p_i) × P(exactly 2 of the others come); D always comes, E never:
    #   A: (1 − 0.5) × P(exactly 1 of B=0.2, C=0.9) = 0.5 × (0.2·0.1 + 0.8·0.9) = 0.5 × 0.74 = 0.37
    #   B: (1 − 0.2) × P(exactly 1 of A=0.5, C=0.9) = 0.8 × (0.5·0.1 + 0.5·0.9) = 0.8 × 0.50 = 0.40
    #   C: (1 − 0.9) × P(exactly 1 of A=0.5, B=0.2) = 0.1 × (0.5·0.8 + 0.5·0.2) = 0.1 × 0.50 = 0.05
    probabilities = {"A": 0.5, "B": 0.2, "C": 0.9, "D": 1.0, "E": 0.0}
    # Base: D plus at least 2 of A, B, C = .5·.2·.1 + .5·.8·.9 + .5·.2·.9 + .5·.2·.9 = .01 + .36 + .09 + .09 = 0.55.
    assert quorum_probability(list(probabilities.values()), 3) == pytest.approx(0.55)
    assert quorum_probability([1.0, 0.2, 0.9, 1.0, 0.0], 3) == pytest.approx(0.55 + 0.37)
    assert call_first(probabilities, ["A", "B", "C"], 3, 1.0) == ["B", "A", "C"]


def test_call_first_ties_go_to_the_less_likely_then_to_key_order() -> None:
    # Quorum already assured by x and y: every gain is 0, so the order is by probability, then by key.
    probabilities = {"x": 1.0, "y": 1.0, "c": 0.6, "b": 0.3, "a": 0.3}
    assert call_first(probabilities, ["c", "b", "a"], 2, KEPT_RATE) == ["a", "b", "c"]
    # Three at 0.5, quorum 2: each gain is 0.5 × P(exactly 1 of two at 0.5) = 0.25, equal; key order decides.
    assert call_first({"b": 0.5, "c": 0.5, "a": 0.5}, {"c", "a", "b"}, 2, 1.0) == ["a", "b", "c"]


def test_call_first_keeps_members_whose_call_changes_nothing_at_the_end() -> None:
    # m is already above the confirmed probability: calling them gains nothing, yet they still need a reply.
    # Gains with quorum 2 and confirmed 0.95: for i in {p, q}: 0.45 × P(exactly 1 of the other two) > 0.
    probabilities = {"m": 0.98, "p": 0.5, "q": 0.5}
    assert call_first(probabilities, ["m", "q", "p", "q"], 2, 0.95) == ["p", "q", "m"]


def test_call_first_when_quorum_is_out_of_reach() -> None:
    # Quorum 3 with two members ruled out of four: even both confirmations leave at most 2. No gain, all kept.
    probabilities = {"r1": 0.0, "r2": 0.0, "u1": 0.4, "u2": 0.7}
    assert call_first(probabilities, ["u2", "u1"], 3, 0.95) == ["u1", "u2"]


def test_call_first_lifts_a_member_out_of_impossibility() -> None:
    # Quorum 2; the others can give at most one: z at 0 (not yet heard of) is the only one whose call helps.
    probabilities = {"w": 0.0, "z": 0.0, "v": 0.6}
    assert call_first(probabilities, ["v", "z"], 2, 0.95) == ["z", "v"]


def test_call_first_refuses_unknown_members_and_bad_confirmed() -> None:
    with pytest.raises(KeyError):
        call_first({"a": 0.5}, ["b"], 1, 0.95)
    with pytest.raises(ValueError):
        call_first({"a": 0.5}, ["a"], 1, 1.5)


@given(st.dictionaries(st.integers(0, 20), st.floats(0.0, 1.0), max_size=7), st.integers(0, 8),
       st.floats(0.0, 1.0))
def test_call_first_orders_by_brute_force_gain(probabilities: dict[int, float], required: int,
                                               confirmed: float) -> None:
    unreplied = sorted(probabilities)[::2]
    order = call_first(probabilities, reversed(unreplied), required, confirmed)
    assert sorted(order) == unreplied
    base = brute_force(list(probabilities.values()), required)
    gains = [brute_force(list({**probabilities, key: max(probabilities[key], confirmed)}.values()), required) - base
             for key in order]
    assert all(earlier >= later - 1e-9 for earlier, later in itertools.pairwise(gains))


# --- Brier score ----------------------------------------------------------------------------------------------------

def test_brier_score_by_hand() -> None:
    # ((0.9 − 1)² + (0.2 − 0)² + (0.5 − 0)²) / 3 = (0.01 + 0.04 + 0.25) / 3 = 0.1.
    assert brier_score([0.9, 0.2, 0.5], [True, False, False]) == pytest.approx(0.1)
    assert brier_score([1.0, 0.0], [True, False]) == 0.0
    assert brier_score([0.5, 0.5], [True, False]) == 0.25


@pytest.mark.parametrize("forecasts, outcomes", [
    ([], []),
    ([0.5], [True, False]),
    ([0.5, 1.5], [True, False]),
])
def test_brier_score_refusals(forecasts: list[float], outcomes: list[bool]) -> None:
    with pytest.raises(ValueError):
        brier_score(forecasts, outcomes)


# --- convocation delay ----------------------------------------------------------------------------------------------

def test_clear_days_exactly_five_is_on_time() -> None:
    # Sent on the 7th for the 13th: the 8th, 9th, 10th, 11th and 12th are clear.
    assert clear_days(date(2025, 10, 7), date(2025, 10, 13)) == 5
    assert convocation_on_time(date(2025, 10, 7), date(2025, 10, 13), 5)


def test_clear_days_four_is_late() -> None:
    assert clear_days(date(2025, 10, 8), date(2025, 10, 13)) == 4
    assert not convocation_on_time(date(2025, 10, 8), date(2025, 10, 13), 5)


def test_clear_days_across_a_month_end() -> None:
    # 29, 30, 31 August, 1 and 2 September.
    assert clear_days(date(2025, 8, 28), date(2025, 9, 3)) == 5


def test_clear_days_is_never_negative() -> None:
    assert clear_days(date(2025, 10, 13), date(2025, 10, 13)) == 0
    assert clear_days(date(2025, 10, 12), date(2025, 10, 13)) == 0
    assert clear_days(date(2025, 10, 20), date(2025, 10, 13)) == 0
    # Sent after the sitting: late even for a body with no delay; the same day is on time for it.
    assert not convocation_on_time(date(2025, 10, 20), date(2025, 10, 13), 0)
    assert convocation_on_time(date(2025, 10, 13), date(2025, 10, 13), 0)
