"""Offer-time decisions: later odds, the value of waiting, and a recommendation with its numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matchweek.plan.decide import OfferInHand, WaitingApplication, decide, later_odds
from matchweek.plan.errors import PlanError

SHARES = (0.6, 0.25, 0.1, 0.05)


def test_later_odds_are_the_share_of_offers_still_to_come_given_none_so_far() -> None:
    assert later_odds(0.4, 1, 4, SHARES) == pytest.approx(0.4 * 0.4 / (1 - 0.4 * 0.6))
    assert later_odds(0.4, 3, 4, SHARES) == pytest.approx(0.4 * 0.05 / (1 - 0.4 * 0.95))
    assert later_odds(0.4, 4, 4, SHARES) == 0.0
    # A policy with fewer rounds spreads the model's shares over the rounds it has.
    assert later_odds(0.5, 1, 2, SHARES) == pytest.approx(0.5 * (0.25 / 0.85) / (1 - 0.5 * (0.6 / 0.85)))


@given(st.floats(0.0, 1.0), st.integers(1, 4))
def test_later_odds_never_exceed_the_odds(odds: float, round_number: int) -> None:
    q = later_odds(odds, round_number, 4, SHARES)
    assert 0.0 <= q <= odds + 1e-12


def test_a_good_offer_in_hand_beats_long_odds_of_a_better_one() -> None:
    d = decide(
        [OfferInHand("FM1", 5.0), OfferInHand("TY1", 2.0)],
        [WaitingApplication("IM1", 0.3, 8.0), WaitingApplication("IM2", 0.1, 7.0)],
        1,
        4,
        SHARES,
    )
    q1 = 0.3 * 0.4 / (1 - 0.3 * 0.6)
    q2 = 0.1 * 0.4 / (1 - 0.1 * 0.6)
    assert d.recommendation == "accept" and d.best_offer == "FM1"
    assert d.accept_value == 5.0
    assert d.wait_value == pytest.approx(8 * q1 + 7 * q2 * (1 - q1))
    assert d.chance_better_offer == pytest.approx(1 - (1 - q1) * (1 - q2))
    assert d.chance_unplaced_if_waiting == pytest.approx((1 - q1) * (1 - q2))
    assert d.chance_unplaced_if_accepting == 0.0
    assert d.reasons[0].startswith("taking FM1 now is worth 5.00; declining and waiting is worth")
    assert [c.program for c in d.later] == ["IM1", "IM2"]


def test_a_poor_offer_early_can_be_worth_declining() -> None:
    d = decide([OfferInHand("TY1", 0.2)], [WaitingApplication("IM1", 0.9, 8.0)], 1, 4, SHARES)
    assert d.recommendation == "wait"
    assert d.wait_value > d.accept_value
    assert "declining TY1 is final: it will not be offered again" in d.reasons


def test_in_the_last_round_any_offer_worth_something_is_taken() -> None:
    d = decide([OfferInHand("TY1", 0.2)], [WaitingApplication("IM1", 0.9, 8.0)], 4, 4, SHARES)
    assert d.recommendation == "accept"
    assert d.wait_value == 0.0 and d.chance_unplaced_if_waiting == 1.0
    assert "this is the last round: no offer can come later" in d.reasons


def test_without_an_offer_the_numbers_still_come() -> None:
    d = decide([], [WaitingApplication("IM1", 0.5, 3.0)], 2, 4, SHARES)
    assert d.recommendation == "wait" and d.best_offer is None
    assert d.chance_unplaced_if_accepting == d.chance_unplaced_if_waiting
    assert d.reasons[0] == "no offer in hand: nothing to accept this round"


def test_equal_offers_go_by_program_code() -> None:
    d = decide([OfferInHand("B", 3.0), OfferInHand("A", 3.0)], [], 2, 4, SHARES)
    assert d.best_offer == "A"


def test_a_round_outside_the_week_is_refused() -> None:
    with pytest.raises(PlanError, match="round 5 is not one of the 4 rounds"):
        decide([], [], 5, 4, SHARES)
