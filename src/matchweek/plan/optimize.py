"""The optimal list: at most ``cap`` programs maximising the expected utility of the best offer.

With independent offers (program ``j`` offers with probability ``f_j``) worth
utilities ``t_j`` > 0 (0 is the outside option: no position), a list ``X`` is
worth ``v(X) = E[max(0, max_{j in X} t_j Z_j)]`` with ``Z_j ~ Bernoulli(f_j)``.
Every application costs the same (one of the cap), and Kapur & Hong (*The
College Application Problem*, 2022) show that the optimal lists are then
nested and found exactly in polynomial time.

:func:`optimal_portfolio` is the exact dynamic program: with the candidates
sorted by utility, the best list of at most ``c`` among the ``j`` lowest is
``V[c][j] = max(V[c][j−1], f_j t_j + (1 − f_j) V[c−1][j−1])`` — program ``j``,
when taken, is the best of those chosen, so the rest matter only when it makes
no offer. It costs O(n·k) for n candidates and a cap of k.

:func:`application_order` is Kapur & Hong's greedy order: add, one at a time,
the program of largest marginal gain. Because optimal lists are nested, its
first k programs are an optimal list of size k; it is the reference the tests
and the benchmark check the dynamic program against, and it explains the list
(each pick's marginal gain). :func:`brute_force_portfolio` tries every list.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Literal

import numpy as np
import numpy.typing as npt

from matchweek.formats.faultlog import quote
from matchweek.model import Policy
from matchweek.plan.errors import PlanError
from matchweek.plan.listing import ListedProgram, Listing
from matchweek.plan.odds import OddsModel, OddsTable, default_odds_model, odds_for
from matchweek.plan.profile import Profile, appraise, exclusions

Floats = npt.NDArray[np.float64]
Indices = npt.NDArray[np.intp]
Objective = Literal["utility", "placement"]
OBJECTIVES: tuple[str, ...] = ("utility", "placement")


def portfolio_value(odds: Floats, utility: Floats, chosen: Indices | list[int]) -> float:
    """``E[max(0, max_{j in chosen} utility_j Z_j)]`` with independent ``Z_j ~ Bernoulli(odds_j)``."""
    idx = np.asarray(chosen, dtype=np.intp)
    if not len(idx):
        return 0.0
    t = np.maximum(utility[idx], 0.0)
    order = np.argsort(-t, kind="stable")
    f, t = odds[idx][order], t[order]
    # The best offer is program i when i offers and no better one does.
    none_better = np.concatenate(([1.0], np.cumprod(1.0 - f)[:-1]))
    return float(np.sum(t * f * none_better))


def _candidates(odds: Floats, utility: Floats) -> Indices:
    """Programs worth applying to (odds and utility above 0), by utility, then index."""
    idx = np.flatnonzero((odds > 0) & (utility > 0))
    return idx[np.lexsort((idx, utility[idx]))]


def optimal_portfolio(odds: Floats, utility: Floats, size: int) -> tuple[Indices, float]:
    """An optimal list of at most ``size`` programs and its value (exact dynamic program, O(n·size)).

    Programs with zero odds or utility are never chosen (they add nothing); the
    list returned is sorted by program index.
    """
    if size < 0:
        raise PlanError(f"a list holds at least 0 programs, not {size}")
    order = _candidates(odds, utility)
    n = len(order)
    k = min(size, n)
    if k == 0:
        return np.empty(0, dtype=np.intp), 0.0
    if k == n:
        # Every candidate adds value: take them all.
        return np.sort(order), portfolio_value(odds, utility, order)
    f = odds[order]
    t = utility[order]
    gain = f * t
    keep = 1.0 - f
    # value[c, j]: best value with at most c programs among the j lowest in utility.
    value = np.zeros((k + 1, n + 1))
    for c in range(1, k + 1):
        take = gain + keep * value[c - 1, :n]
        np.maximum.accumulate(take, out=value[c, 1:])
    chosen: list[int] = []
    c, j = k, n
    while c > 0 and j > 0:
        # Program j was taken exactly when it raised the running maximum (accumulate copies values).
        if value[c, j] == value[c, j - 1]:
            j -= 1
            continue
        chosen.append(int(order[j - 1]))
        c -= 1
        j -= 1
    picked = np.sort(np.array(chosen, dtype=np.intp))
    return picked, float(value[k, n])


def application_order(odds: Floats, utility: Floats, size: int) -> tuple[Indices, Floats]:
    """Kapur & Hong's nested order: up to ``size`` programs, each the one of largest marginal gain
    given those before it, with those gains (they add up to the list's value). O(n·size).

    ``h[j] = E[(t_j − best offer so far)⁺]`` makes a candidate's gain ``f_j h[j]``; adding
    program ``i`` leaves ``h[j]`` times ``1 − f_i`` for ``t_j ≤ t_i`` and lowers it by
    ``i``'s gain for ``t_j > t_i``. Equal gains go to the lower index.
    """
    f = np.where((odds > 0) & (utility > 0), odds, 0.0)
    t = np.maximum(utility, 0.0)
    h = t.copy()
    available = f > 0
    order: list[int] = []
    gains: list[float] = []
    for _ in range(min(size, int(available.sum()))):
        g = np.where(available, f * h, -1.0)
        i = int(np.argmax(g))
        if g[i] <= 0.0:
            break
        order.append(i)
        gains.append(float(g[i]))
        available[i] = False
        below = t <= t[i]
        h = np.where(below, h * (1.0 - f[i]), h - g[i])
    return np.array(order, dtype=np.intp), np.array(gains, dtype=np.float64)


def brute_force_portfolio(odds: Floats, utility: Floats, size: int) -> tuple[Indices, float]:
    """The best list of at most ``size`` programs by trying every list (for checking; exponential)."""
    n = len(odds)
    best: tuple[int, ...] = ()
    best_value = 0.0
    for k in range(1, min(size, n) + 1):
        for combo in combinations(range(n), k):
            v = portfolio_value(odds, utility, list(combo))
            if v > best_value + 1e-12:
                best, best_value = combo, v
    return np.array(best, dtype=np.intp), best_value


# ---------------------------------------------------------------------------------------------
# the planner


@dataclass(frozen=True, slots=True)
class Pick:
    """One program on the optimal list and why it is there."""

    rank: int
    """Its place in the application order (1: the most valuable first application)."""
    program: ListedProgram
    odds: float
    utility: float
    marginal_gain: float
    """Expected utility it adds to the programs ranked before it (the gains add up to the list's value)."""
    loss_if_dropped: float
    """Expected utility the final list would lose without it."""
    tier: str | None


@dataclass(frozen=True, eq=False)
class PlannedList:
    """The optimal list for one profile, with the figures behind it."""

    profile: Profile
    objective: str
    cap: int
    picks: tuple[Pick, ...]
    expected_value: float
    """Expected utility of the best offer (none: 0); for the placement objective, the chance of an offer."""
    chance_of_offer: float
    """Chance of at least one offer from the list."""
    expected_offers: float
    candidates: int
    """Programs with odds and utility above 0 (the rest can add nothing)."""
    odds: OddsTable
    utility: Floats
    """Per program of the listing: the utility the list was optimised for."""
    exclusions: tuple[str | None, ...]
    """Per program of the listing: why the profile rules it out (None: it does not)."""

    @property
    def listing(self) -> Listing:
        return self.odds.listing


def plan_list(
    profile: Profile,
    listing: Listing,
    model: OddsModel | None = None,
    *,
    cap: int | None = None,
    policy: Policy | None = None,
    objective: str = "utility",
) -> PlannedList:
    """The list of at most ``cap`` (default: the policy's application cap) programs of ``listing``
    that maximises the expected utility of ``profile``'s best offer.

    ``objective="placement"`` values every program the profile accepts equally
    (utility 1), so the list maximises the chance of an offer it would take.
    Programs ruled out by must-haves, in no priority tier, or with zero odds (visa,
    eligibility) are never chosen.
    """
    if objective not in OBJECTIVES:
        raise PlanError(f"unknown objective {quote(objective)} (one of {', '.join(OBJECTIVES)})")
    policy = policy or Policy()
    cap = policy.max_applications if cap is None else cap
    if cap < 1:
        raise PlanError(f"the cap must be at least 1 application, not {cap}")
    table = odds_for(profile, listing, model or default_odds_model())
    u, reasons = appraise(profile, listing)
    if objective == "placement":
        u = (u > 0).astype(np.float64)
    return planned_from(profile, table, u, cap, objective, reasons)


def planned_from(
    profile: Profile,
    table: OddsTable,
    utility: Floats,
    cap: int,
    objective: str,
    reasons: list[str | None] | None = None,
) -> PlannedList:
    """The optimal list for given odds and utilities, each pick explained (``reasons``: why each
    program is ruled out, computed when not given)."""
    p = table.probability
    chosen, value = optimal_portfolio(p, utility, cap)
    order, gains = application_order(p[chosen], utility[chosen], len(chosen))
    ranked = chosen[order]
    tiers = profile.priorities
    picks = []
    for rank, (j, g) in enumerate(zip(ranked.tolist(), gains.tolist(), strict=True), start=1):
        rest = ranked[ranked != j]
        program = table.listing.programs[j]
        tier = profile.tier_of(program)
        picks.append(
            Pick(
                rank=rank,
                program=program,
                odds=float(p[j]),
                utility=float(utility[j]),
                marginal_gain=g,
                loss_if_dropped=value - portfolio_value(p, utility, rest),
                tier=tiers[tier].name if tiers and tier is not None else None,
            )
        )
    none = float(np.prod(1.0 - p[ranked])) if len(ranked) else 1.0
    return PlannedList(
        profile=profile,
        objective=objective,
        cap=cap,
        picks=tuple(picks),
        expected_value=value,
        chance_of_offer=1.0 - none,
        expected_offers=float(p[ranked].sum()),
        candidates=int(((p > 0) & (utility > 0)).sum()),
        odds=table,
        utility=utility,
        exclusions=tuple(reasons if reasons is not None else exclusions(profile, table.listing)),
    )
