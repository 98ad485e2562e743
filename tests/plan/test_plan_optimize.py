"""The optimal list: the exact dynamic program against brute force and Kapur & Hong's nested order."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from plan_helpers import small_listing, toy_model

from matchweek.model import ApplicantKind, Policy, Track, Visa
from matchweek.plan.errors import PlanError
from matchweek.plan.optimize import (
    application_order,
    brute_force_portfolio,
    optimal_portfolio,
    plan_list,
    portfolio_value,
)
from matchweek.plan.profile import MustHaves, Profile, Tier, TierEntry

probabilities = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
utilities_ = st.one_of(st.just(0.0), st.floats(min_value=0.0, max_value=10.0, allow_nan=False))


@st.composite
def instances(draw: st.DrawFn, equal_utilities: bool = False) -> tuple[np.ndarray, np.ndarray, int]:
    n = draw(st.integers(min_value=0, max_value=8))
    f = np.array(draw(st.lists(probabilities, min_size=n, max_size=n)), dtype=np.float64)
    if equal_utilities:
        t = np.ones(n)
    else:
        # Few distinct values make ties between utilities common.
        t = np.array(
            draw(
                st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.5, 7.0]) | utilities_, min_size=n, max_size=n)
            )
        )
    k = draw(st.integers(min_value=0, max_value=n + 1))
    return f, t, k


@settings(max_examples=400, deadline=None)
@given(instances())
def test_the_dynamic_program_finds_the_brute_force_optimum(
    instance: tuple[np.ndarray, np.ndarray, int],
) -> None:
    f, t, k = instance
    chosen, value = optimal_portfolio(f, t, k)
    _, best = brute_force_portfolio(f, t, k)
    assert value == pytest.approx(best, rel=1e-9, abs=1e-12)
    assert portfolio_value(f, t, chosen) == pytest.approx(value, rel=1e-9, abs=1e-12)
    assert len(chosen) <= k
    assert len(set(chosen.tolist())) == len(chosen)
    assert all(f[j] > 0 and t[j] > 0 for j in chosen)


@settings(max_examples=300, deadline=None)
@given(instances())
def test_optimal_lists_are_nested_so_the_greedy_order_is_optimal_at_every_size(
    instance: tuple[np.ndarray, np.ndarray, int],
) -> None:
    f, t, _ = instance
    order, gains = application_order(f, t, len(f))
    for size in range(len(f) + 1):
        _, best = brute_force_portfolio(f, t, size)
        assert portfolio_value(f, t, order[:size]) == pytest.approx(best, rel=1e-9, abs=1e-12)
    # The marginal gains add up to the list's value, and never grow along the order.
    assert float(gains.sum()) == pytest.approx(portfolio_value(f, t, order), rel=1e-9, abs=1e-12)
    assert all(a >= b - 1e-12 for a, b in pairwise(gains))


@settings(max_examples=200, deadline=None)
@given(instances(equal_utilities=True))
def test_with_equal_utilities_the_optimum_is_the_best_odds(
    instance: tuple[np.ndarray, np.ndarray, int],
) -> None:
    f, t, k = instance
    _, value = optimal_portfolio(f, t, k)
    top = np.sort(f)[::-1][:k]
    assert value == pytest.approx(1.0 - float(np.prod(1.0 - top)), rel=1e-9, abs=1e-12)


def test_the_worked_example_of_the_optimal_application_package() -> None:
    # Five schools with odds and utilities from the OptimalApplication.jl documentation: the
    # nested order is 2, 3, 5, 4, 1 (counting from 1) with values 2.0, 2.7, 3.24, 3.483, 3.5154.
    f = np.array([0.2, 0.5, 0.1, 0.6, 0.1])
    t = np.array([1.0, 4.0, 9.0, 1.0, 8.0])
    order, gains = application_order(f, t, 5)
    assert order.tolist() == [1, 2, 4, 3, 0]
    assert np.cumsum(gains).tolist() == pytest.approx([2.0, 2.7, 3.24, 3.483, 3.5154])
    for k, value in enumerate([2.0, 2.7, 3.24, 3.483, 3.5154], start=1):
        chosen, v = optimal_portfolio(f, t, k)
        assert v == pytest.approx(value)
        assert sorted(chosen.tolist()) == sorted(order[:k].tolist())


def test_the_value_of_a_list_is_the_expected_best_offer() -> None:
    # Utilities 5 and 2 with odds 0.5 and 0.5: 5 half the time, else 2 half the time.
    assert portfolio_value(np.array([0.5, 0.5]), np.array([2.0, 5.0]), [0, 1]) == 0.5 * 5 + 0.25 * 2
    assert portfolio_value(np.array([0.5]), np.array([3.0]), []) == 0.0


def test_programs_worth_nothing_are_never_chosen_even_with_room_to_spare() -> None:
    f = np.array([0.9, 0.0, 0.3, 0.5])
    t = np.array([0.0, 5.0, 1.0, 2.0])
    chosen, value = optimal_portfolio(f, t, 10)
    assert chosen.tolist() == [2, 3]
    assert value == pytest.approx(0.5 * 2 + 0.5 * 0.3 * 1)
    with pytest.raises(PlanError):
        optimal_portfolio(f, t, -1)


def test_a_large_instance_agrees_with_the_greedy_reference() -> None:
    rng = np.random.default_rng(7)
    f = rng.beta(0.3, 20.0, 1000)
    t = rng.choice([1.0, 2.0, 3.0, 4.0], 1000) + rng.random(1000)
    chosen, value = optimal_portfolio(f, t, 45)
    order, gains = application_order(f, t, 45)
    assert len(chosen) == 45
    assert value == pytest.approx(float(gains.sum()), rel=1e-12)
    assert set(chosen.tolist()) == set(order.tolist())


# --- the planner on a market's list -------------------------------------------------------------


def profile(**kw: object) -> Profile:
    base: dict[str, object] = {"kind": ApplicantKind.US_MD, "exams": ()}
    base.update(kw)
    return Profile(**base)  # type: ignore[arg-type]


def test_the_planned_list_respects_the_cap_and_explains_each_pick() -> None:
    listing = small_listing()
    model = toy_model(intercept=-2.0, program_img_share=3.0)
    planned = plan_list(profile(), listing, model, cap=5)
    assert len(planned.picks) == 5
    assert [p.rank for p in planned.picks] == [1, 2, 3, 4, 5]
    assert sum(p.marginal_gain for p in planned.picks) == pytest.approx(planned.expected_value)
    # Equal utilities: the list is the five best odds, and its value the chance of an offer.
    best = sorted(planned.odds.probability, reverse=True)[:5]
    assert sorted(p.odds for p in planned.picks) == pytest.approx(sorted(best))
    assert planned.expected_value == pytest.approx(planned.chance_of_offer)
    for p in planned.picks:
        assert p.loss_if_dropped == pytest.approx(
            planned.expected_value
            - portfolio_value(
                planned.odds.probability,
                planned.utility,
                [listing.index[q.program.code] for q in planned.picks if q is not p],
            )
        )


def test_must_haves_and_visas_keep_programs_off_the_list() -> None:
    listing = small_listing()
    model = toy_model(intercept=-1.0)
    excluded = sorted({p.state for p in listing.programs if p.state})[:3]
    p = profile(
        kind=ApplicantKind.NON_US_IMG,
        visa_need=Visa.J1,
        must_haves=MustHaves(excluded_states=tuple(excluded)),
    )
    planned = plan_list(p, listing, model)
    assert planned.picks
    for pick in planned.picks:
        assert Visa.J1 in pick.program.visa
        assert pick.program.state not in excluded
    assert len(planned.picks) == sum(
        1 for g in listing.programs if Visa.J1 in g.visa and g.state not in excluded
    )


def test_utilities_steer_the_list_and_placement_maximises_the_chance_of_an_offer() -> None:
    listing = small_listing()
    model = toy_model(intercept=-1.5, program_img_share=2.0)
    tiers = (
        Tier("surgery", 10.0, (TierEntry("Surgery", (Track.CATEGORICAL,)),)),
        Tier("rest", 1.0, (TierEntry("*"),)),
    )
    p = profile(priorities=tiers)
    by_value = plan_list(p, listing, model, cap=3)
    by_placement = plan_list(p, listing, model, cap=3, objective="placement")
    assert by_placement.chance_of_offer >= by_value.chance_of_offer - 1e-12
    value_of_placement_list = portfolio_value(
        by_value.odds.probability,
        by_value.utility,
        [listing.index[q.program.code] for q in by_placement.picks],
    )
    assert by_value.expected_value >= value_of_placement_list - 1e-12
    surgery = [g for g in listing.programs if g.specialty == "Surgery" and g.track is Track.CATEGORICAL]
    if surgery:
        assert by_value.picks[0].tier == "surgery"


def test_bad_requests_are_one_line_errors() -> None:
    listing = small_listing()
    with pytest.raises(PlanError, match='unknown objective "fun"'):
        plan_list(profile(), listing, toy_model(), objective="fun")
    with pytest.raises(PlanError, match="at least 1 application"):
        plan_list(profile(), listing, toy_model(), cap=0)


def test_the_default_cap_is_the_policys() -> None:
    listing = small_listing()
    planned = plan_list(profile(), listing, toy_model(), policy=Policy(max_applications=7))
    assert planned.cap == 7
    assert len(planned.picks) == 7
