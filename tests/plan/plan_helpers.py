"""Helpers shared by the planner tests: a small generated market, its unfilled list, a toy model."""

from __future__ import annotations

from functools import cache

from matchweek.match import run_match
from matchweek.model import Market, MatchResult, Policy
from matchweek.plan.features import DEMAND_FEATURE_NAMES, FEATURE_NAMES
from matchweek.plan.listing import Listing, listing_of
from matchweek.plan.odds import DemandModel, OddsModel
from matchweek.synth import generate_market


@cache
def small_week(seed: int = 1) -> tuple[Market, MatchResult]:
    market = generate_market("small", seed)
    return market, run_match(market)


@cache
def small_listing(seed: int = 1) -> Listing:
    market, result = small_week(seed)
    return listing_of(market, result, Policy())


def toy_model(**weights: float) -> OddsModel:
    """A model with every weight 0 except those given, intercept 0 unless given, no demand effects."""
    intercept = weights.pop("intercept", 0.0)
    unknown = set(weights) - set(FEATURE_NAMES)
    assert not unknown, unknown
    demand = DemandModel(0.0, dict.fromkeys(DEMAND_FEATURE_NAMES, 0.0), {}, 1.0)
    return OddsModel(
        intercept, {n: weights.get(n, 0.0) for n in FEATURE_NAMES}, demand, (0.6, 0.25, 0.1, 0.05)
    )
