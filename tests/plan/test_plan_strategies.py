"""The planner's lists as simulated applicants, and the strategy comparison."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from plan_helpers import small_listing, small_week

from matchweek.agents import (
    ApplicantPreferences,
    ApplicationStrategy,
    Outlook,
    build_cohort,
    reservations,
    utilities,
)
from matchweek.model import Policy, SoapStatus
from matchweek.plan.compare import STRATEGIES, compare_strategies, draw_sample, interval
from matchweek.plan.odds import default_odds_model, odds_for
from matchweek.plan.optimize import portfolio_value
from matchweek.plan.profile import profile_of
from matchweek.plan.strategies import OddsBook, OptimalListStrategy, TopOddsStrategy
from matchweek.soap import soap_universe
from matchweek.week import simulate_soap


@cache
def setting():  # type: ignore[no-untyped-def]
    market, result = small_week()
    start = soap_universe(market, result, Policy())
    cohort = build_cohort(market, start)
    book = OddsBook(default_odds_model(), small_listing())
    return market, result, start, cohort, book


def test_the_simulated_applicant_sees_the_odds_the_planner_shows_it() -> None:
    market, result, start, cohort, book = setting()
    listing = small_listing()
    unmatched = [i for i, e in enumerate(start.applicants) if e.status is SoapStatus.UNMATCHED][:40]
    grid = book.odds(cohort, np.array(unmatched))
    by_id = market.applicant_index()
    for k, row in enumerate(unmatched):
        profile = profile_of(by_id[cohort.applicant_ids[row]], market, result)
        planner = odds_for(profile, listing, default_odds_model()).probability
        # The simulation also counts programs that ranked the applicant as knowing it.
        same = ~(cohort.ranked_by_program[row] & ~cohort.known[row])
        np.testing.assert_allclose(grid[k][same], planner[same], rtol=1e-12)


def outlook(cohort, seed: int = 1) -> Outlook:  # type: ignore[no-untyped-def]
    return Outlook(cohort, utilities(cohort, ApplicantPreferences(), seed), seed)


def test_top_odds_takes_the_best_odds_among_open_programs() -> None:
    _, _, _, cohort, book = setting()
    rows = np.arange(min(25, cohort.n_applicants))
    rng = np.random.default_rng(3)
    open_to = rng.random((len(rows), cohort.n_programs)) < 0.7
    limits = np.full(len(rows), 4)
    chosen = TopOddsStrategy(book).choose(outlook(cohort), rows, open_to, limits)
    p = book.odds(cohort, rows)
    for i, cols in enumerate(chosen):
        allowed = np.flatnonzero(open_to[i] & (p[i] > 0))
        assert len(cols) == min(4, len(allowed))
        assert set(cols.tolist()) <= set(allowed.tolist())
        best = np.sort(p[i][allowed])[::-1][: len(cols)]
        np.testing.assert_allclose(np.sort(p[i][cols])[::-1], best)


def test_the_optimizer_chooses_only_offers_it_would_take_and_beats_top_odds_on_its_own_terms() -> None:
    _, _, _, cohort, book = setting()
    rows = np.arange(min(40, cohort.n_applicants))
    look = outlook(cohort)
    open_to = np.ones((len(rows), cohort.n_programs), dtype=bool)
    limits = np.full(len(rows), 5)
    floor = reservations(cohort, ApplicantPreferences(), 1, rows)
    p = book.odds(cohort, rows)
    mine = OptimalListStrategy(book).choose(look, rows, open_to, limits)
    top = TopOddsStrategy(book).choose(look, rows, open_to, limits)
    for i, row in enumerate(rows.tolist()):
        surplus = np.maximum(look.utility[row].astype(float) - floor[i], 0.0)
        assert len(mine[i]) <= 5
        assert all(surplus[j] > 0 and p[i, j] > 0 for j in mine[i])
        assert portfolio_value(p[i], surplus, mine[i]) >= portfolio_value(p[i], surplus, top[i]) - 1e-12


def test_the_strategies_play_in_a_simulated_week() -> None:
    market, result, start, _, book = setting()
    sample = draw_sample(start, 0.2, 1)
    assert sample == draw_sample(start, 0.2, 1)
    strategy: ApplicationStrategy = OptimalListStrategy(book, "placement", name="optimizer (placement)")
    run = simulate_soap(market, result, Policy(), 1, strategy=dict.fromkeys(sample, strategy))
    assert {run.strategies[who] for who in sample} == {"optimizer (placement)"}
    assert {s for who, s in run.strategies.items() if who not in sample} == {"targeted"}


def test_an_unknown_objective_is_refused() -> None:
    from matchweek.plan.errors import PlanError

    with pytest.raises(PlanError, match="unknown objective"):
        OptimalListStrategy(setting()[4], "prestige")


def test_intervals_are_t_intervals_over_seeds() -> None:
    i = interval([0.2, 0.3, 0.25])
    assert i.mean == pytest.approx(0.25)
    assert i.high - i.mean == pytest.approx(4.302652729911275 * 0.05 / 3**0.5)
    assert interval([0.4]) == interval([0.4, 0.4])


def test_the_comparison_runs_every_strategy_on_the_same_sample_and_is_deterministic() -> None:
    c = compare_strategies("small", [1, 2], share=0.2)
    assert [r.strategy for r in c.rows] == list(STRATEGIES)
    assert {(o.strategy, o.seed) for o in c.outcomes} == {(s, seed) for s in STRATEGIES for seed in (1, 2)}
    sizes = {o.seed: o.sample for o in c.outcomes}
    assert all(o.sample == sizes[o.seed] for o in c.outcomes)
    assert c.row("optimizer").utility_gap.mean == 0.0
    assert c.row("optimizer (placement)").placement_gap.mean == 0.0
    spray_gap = [
        o.placement_rate - p.placement_rate
        for o in c.outcomes
        for p in c.outcomes
        if o.strategy == "spray" and p.strategy == "optimizer (placement)" and o.seed == p.seed
    ]
    assert c.row("spray").placement_gap.mean == pytest.approx(np.mean(spray_gap))
    spray = [o for o in c.outcomes if o.strategy == "spray"]
    assert c.row("spray").placement_rate.mean == pytest.approx(np.mean([o.placement_rate for o in spray]))
    again = compare_strategies("small", [1, 2], share=0.2)
    assert again.outcomes == c.outcomes


def test_the_planner_strategies_are_application_strategies() -> None:
    book = setting()[4]
    for strategy in (TopOddsStrategy(book), OptimalListStrategy(book)):
        assert isinstance(strategy, ApplicationStrategy)
        assert strategy.reserve_share == 0.0
