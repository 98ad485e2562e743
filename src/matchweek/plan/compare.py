"""Comparing application strategies in simulated Match Weeks.

For each seed: a market is generated and its Main Match run; a random sample
(``share``, 10% by default) of the SOAP entrants who may apply is drawn; then
the same week is simulated once per strategy, with the sample switched to that
strategy and everyone else on the default (``targeted``). The simulation's
draws are keyed by applicant, so the sample's tastes, reservation values and
first reading by programs are identical across the weeks: only the strategy
differs (and, through it, the competition the sample meets).

Per strategy and seed, over the sample: the **placement rate** (share that
accepted a SOAP position) and the **expected utility**, the mean utility of
what it accepted above its reservation value (0 when unplaced: what it would
rather have than a worse position). Across seeds: the mean and a 95%
t-interval, and paired differences with their intervals: of expected utility
from the optimizer's, and of placement from the optimizer's under the
placement objective (every acceptable program worth the same).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from matchweek.agents import ApplicantPreferences, ApplicationStrategy, build_cohort, reservations, utilities
from matchweek.model import Policy
from matchweek.plan.listing import listing_from_start
from matchweek.plan.odds import OddsModel, default_odds_model
from matchweek.plan.strategies import OddsBook, OptimalListStrategy, TopOddsStrategy
from matchweek.soap import StartSoap

Progress = Callable[[str], None]

STRATEGIES: tuple[str, ...] = ("spray", "targeted", "top-odds", "optimizer", "optimizer (placement)")
"""The strategies compared, in the order of the table."""
UTILITY_REFERENCE = "optimizer"
"""Expected utilities are compared with the optimizer's (the utility objective)."""
PLACEMENT_REFERENCE = "optimizer (placement)"
"""Placement rates are compared with the optimizer's under the placement objective (equal utilities)."""
CONFIDENCE = 0.95


@dataclass(frozen=True, slots=True)
class SampleOutcome:
    """One strategy in one week: how its sample fared."""

    strategy: str
    seed: int
    sample: int
    placed: int
    utility: float
    """Mean utility above reservation over the sample (0 for the unplaced)."""

    @property
    def placement_rate(self) -> float:
        return self.placed / self.sample if self.sample else 0.0


@dataclass(frozen=True, slots=True)
class Interval:
    """A mean over seeds with its confidence interval."""

    mean: float
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class StrategyRow:
    """One strategy across the seeds, and its paired differences from the optimizer's two objectives."""

    strategy: str
    placement_rate: Interval
    utility: Interval
    placement_gap: Interval
    """This strategy's placement rate minus the placement optimizer's, paired by seed."""
    utility_gap: Interval
    """This strategy's expected utility minus the (utility) optimizer's, paired by seed."""


@dataclass(frozen=True, eq=False)
class Comparison:
    """The comparison table, and every week's outcome behind it."""

    scale: str
    seeds: tuple[int, ...]
    share: float
    rows: tuple[StrategyRow, ...]
    outcomes: tuple[SampleOutcome, ...]

    def row(self, strategy: str) -> StrategyRow:
        return next(r for r in self.rows if r.strategy == strategy)


def interval(values: Sequence[float], confidence: float = CONFIDENCE) -> Interval:
    """Mean of ``values`` with a two-sided t-interval (a single value: the value itself, no width)."""
    x = np.asarray(values, dtype=np.float64)
    mean = float(x.mean())
    if len(x) < 2:
        return Interval(mean, mean, mean)
    from scipy.stats import t

    half = float(t.ppf(0.5 + confidence / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    return Interval(mean, mean - half, mean + half)


def compare_strategies(
    scale: str,
    seeds: Sequence[int],
    *,
    share: float = 0.1,
    model: OddsModel | None = None,
    policy: Policy | None = None,
    strategies: Sequence[str] = STRATEGIES,
    progress: Progress | None = None,
) -> Comparison:
    """Run the comparison over ``seeds`` at ``scale`` (see the module docstring); deterministic."""
    from matchweek.match import run_match
    from matchweek.soap import soap_universe
    from matchweek.synth import generate_market
    from matchweek.week import simulate_soap

    model = model or default_odds_model()
    policy = policy or Policy()
    preferences = ApplicantPreferences()
    outcomes: list[SampleOutcome] = []
    for seed in seeds:
        if progress is not None:
            progress(f"{scale} market, seed {seed}")
        market = generate_market(scale, seed)
        match_result = run_match(market)
        start = soap_universe(market, match_result, policy)
        book = OddsBook(model, listing_from_start(market, start, policy))
        cohort = build_cohort(market, start)
        sample = draw_sample(start, share, seed)
        rows = cohort.rows(sample)
        utility = utilities(cohort, preferences, seed, rows)
        floor = reservations(cohort, preferences, seed, rows)
        col = cohort.col_of
        for name in strategies:
            if progress is not None:
                progress(f"{scale} seed {seed}: {name}")
            strategy = strategy_for(name, book, preferences)
            run = simulate_soap(market, match_result, policy, seed, strategy=dict.fromkeys(sample, strategy))
            got: dict[str, list[str]] = {}
            for m in run.result.matches:
                got.setdefault(m.applicant, []).append(m.program)
            placed, total = 0, 0.0
            for k, who in enumerate(sample):
                programs = got.get(who)
                if programs:
                    placed += 1
                    total += float(sum(utility[k, col[p]] for p in programs)) - float(floor[k])
            outcomes.append(SampleOutcome(name, seed, len(sample), placed, total / max(len(sample), 1)))
        del market, match_result, start, book, cohort
    return summarise(scale, tuple(seeds), share, tuple(outcomes), tuple(strategies))


def draw_sample(start: StartSoap, share: float, seed: int) -> tuple[str, ...]:
    """A seeded random sample of ``share`` of the entrants of ``start`` who may apply, in SOAP's order."""
    eligible = [e.id for e in start.applicants if e.verified and e.can_start_july_1]
    size = max(1, round(share * len(eligible))) if eligible else 0
    rng = np.random.default_rng([seed, 6])
    picked = np.sort(rng.choice(len(eligible), size=size, replace=False)) if size else []
    return tuple(eligible[i] for i in picked)


def strategy_for(name: str, book: OddsBook, preferences: ApplicantPreferences) -> str | ApplicationStrategy:
    """The strategy called ``name`` in the comparison (the behaviour models' own ones by name)."""
    if name == "top-odds":
        return TopOddsStrategy(book)
    if name == "optimizer":
        return OptimalListStrategy(book, "utility", preferences)
    if name == "optimizer (placement)":
        return OptimalListStrategy(book, "placement", preferences, name="optimizer (placement)")
    return name


def summarise(
    scale: str,
    seeds: tuple[int, ...],
    share: float,
    outcomes: tuple[SampleOutcome, ...],
    strategies: tuple[str, ...],
) -> Comparison:
    """The comparison table from every week's outcomes."""
    by = {(o.strategy, o.seed): o for o in outcomes}

    def series(name: str, measure: str) -> list[float]:
        return [getattr(by[name, s], measure) for s in seeds]

    def gap(name: str, reference: str, measure: str) -> Interval:
        ref = series(reference if reference in strategies else name, measure)
        return interval([a - b for a, b in zip(series(name, measure), ref, strict=True)])

    rows = [
        StrategyRow(
            strategy=name,
            placement_rate=interval(series(name, "placement_rate")),
            utility=interval(series(name, "utility")),
            placement_gap=gap(name, PLACEMENT_REFERENCE, "placement_rate"),
            utility_gap=gap(name, UTILITY_REFERENCE, "utility"),
        )
        for name in strategies
    ]
    return Comparison(scale, seeds, share, tuple(rows), outcomes)
