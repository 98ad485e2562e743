"""Offer-time decisions: take the best offer in hand, or decline and wait for a better one?

An acceptance is binding (§5): taking the best offer now is worth its utility.
Declining lets every offer in hand go for good (a program never offers the
same applicant twice) and leaves the applications still waiting. Each of those
gives an offer in a later round with its *later odds*: the odds of an offer in
SOAP, ``f``, times the share of offers made after this round, given that none
came so far,

    later = f · S_after / (1 − f · S_so_far),

with the share of offers made in each round from the odds model (about 64%,
25%, 8% and 2% in the four rounds of the simulated national weeks). Waiting is
worth the expected utility of the best later offer (0 if none comes), and ends
unplaced with the chance that none comes. The recommendation compares the two
values and always comes with the numbers behind it.

Applications not yet sent (when the cap is not used up) may still go to
programs with open positions between rounds; they are not counted here, so
waiting is valued conservatively.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from matchweek.plan.errors import PlanError
from matchweek.plan.optimize import portfolio_value


@dataclass(frozen=True, slots=True)
class OfferInHand:
    """An offer received this round and what a position there is worth."""

    program: str
    utility: float


@dataclass(frozen=True, slots=True)
class WaitingApplication:
    """An application with no offer yet: its odds of an offer in SOAP and its utility."""

    program: str
    odds: float
    utility: float


@dataclass(frozen=True, slots=True)
class LaterChance:
    """A waiting application's chance of an offer in the rounds still to come."""

    program: str
    utility: float
    later_odds: float
    better: bool
    """Worth more than the best offer in hand."""


@dataclass(frozen=True, slots=True)
class Decision:
    """The recommendation for one round, with the figures it rests on."""

    round: int
    rounds: int
    recommendation: str
    """``accept`` (the best offer in hand) or ``wait`` (decline and hope for a better one)."""
    best_offer: str | None
    accept_value: float
    """Utility of taking the best offer in hand now (0 without one)."""
    wait_value: float
    """Expected utility of declining every offer in hand and waiting."""
    chance_better_offer: float
    """Chance of a later offer worth more than the best in hand."""
    chance_unplaced_if_waiting: float
    """Chance that no later offer comes at all."""
    chance_unplaced_if_accepting: float
    """0 when there is an offer in hand to accept; otherwise the same as waiting."""
    later: tuple[LaterChance, ...]
    reasons: tuple[str, ...]


def later_odds(odds: float, round_number: int, rounds: int, round_shares: Sequence[float]) -> float:
    """The chance of an offer after round ``round_number`` given none came in it or before."""
    shares = np.array(
        list(round_shares)[:rounds] + [0.0] * max(0, rounds - len(round_shares)), dtype=np.float64
    )
    if shares.sum() <= 0:
        return 0.0
    shares = shares / shares.sum()
    so_far = float(shares[:round_number].sum())
    after = float(shares[round_number:].sum())
    denominator = 1.0 - odds * so_far
    return float(min(1.0, odds * after / denominator)) if denominator > 0 else 0.0


def decide(
    offers: Sequence[OfferInHand],
    waiting: Sequence[WaitingApplication],
    round_number: int,
    rounds: int,
    round_shares: Sequence[float],
) -> Decision:
    """Whether to accept the best of ``offers`` in round ``round_number`` of ``rounds``, or to wait."""
    if not 1 <= round_number <= rounds:
        raise PlanError(f"round {round_number} is not one of the {rounds} rounds")
    best = min(offers, key=lambda o: (-o.utility, o.program), default=None)
    accept_value = max(best.utility, 0.0) if best is not None else 0.0
    later = []
    for w in waiting:
        q = later_odds(w.odds, round_number, rounds, round_shares)
        later.append(LaterChance(w.program, w.utility, q, w.utility > accept_value))
    q = np.array([c.later_odds for c in later])
    u = np.array([c.utility for c in later])
    wait_value = portfolio_value(q, u, list(range(len(later)))) if later else 0.0
    useful = (q > 0) & (u > 0)
    unplaced = float(np.prod(1.0 - q[useful])) if useful.any() else 1.0
    better_mask = useful & (u > accept_value)
    better = 1.0 - float(np.prod(1.0 - q[better_mask])) if better_mask.any() else 0.0
    reasons: list[str] = []
    if best is None:
        recommendation = "wait"
        reasons.append("no offer in hand: nothing to accept this round")
    elif best.utility <= 0:
        recommendation = "wait"
        reasons.append(f"the best offer ({best.program}) is worth nothing to you (utility {best.utility:g})")
    elif accept_value >= wait_value:
        recommendation = "accept"
        reasons.append(
            f"taking {best.program} now is worth {accept_value:.2f}; declining and waiting is worth "
            f"{wait_value:.2f} in expectation"
        )
    else:
        recommendation = "wait"
        reasons.append(
            f"declining and waiting is worth {wait_value:.2f} in expectation, more than the "
            f"{accept_value:.2f} of taking {best.program} now"
        )
    if round_number == rounds:
        reasons.append("this is the last round: no offer can come later")
    reasons.append(
        f"waiting: {better:.1%} chance of a better offer later, {unplaced:.1%} chance of ending unplaced "
        f"({int(useful.sum())} applications still waiting with a chance of an offer)"
    )
    if recommendation == "wait" and best is not None and best.utility > 0:
        reasons.append(f"declining {best.program} is final: it will not be offered again")
    return Decision(
        round=round_number,
        rounds=rounds,
        recommendation=recommendation,
        best_offer=best.program if best is not None else None,
        accept_value=accept_value,
        wait_value=wait_value,
        chance_better_offer=better,
        chance_unplaced_if_waiting=unplaced,
        chance_unplaced_if_accepting=0.0 if best is not None and best.utility > 0 else unplaced,
        later=tuple(sorted(later, key=lambda c: (-c.utility * c.later_odds, c.program))),
        reasons=tuple(reasons),
    )
