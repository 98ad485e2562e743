"""Worked examples from the literature, each with its exact published or derived outcome."""

from __future__ import annotations

from test_match_helpers import app, couple, holdings, market, match, prog, stable_matchings, statuses

from matchweek.match import match_from_lists, verify
from matchweek.model import Instability, Track

# Gale and Shapley (1962), the example with three stable matchings: men rank women
# and women rank men so that each side's first choices form a cycle.
MEN = {"alpha": ["A", "B", "C"], "beta": ["B", "C", "A"], "gamma": ["C", "A", "B"]}
WOMEN = {"A": ["beta", "gamma", "alpha"], "B": ["gamma", "alpha", "beta"], "C": ["alpha", "beta", "gamma"]}


def test_gale_shapley_men_proposing_gives_every_man_his_first_choice() -> None:
    result = match_from_lists(MEN, WOMEN, {w: 1 for w in WOMEN})
    assert result == {"A": ["alpha"], "B": ["beta"], "C": ["gamma"]}


def test_gale_shapley_women_proposing_gives_every_woman_her_first_choice() -> None:
    result = match_from_lists(WOMEN, MEN, {m: 1 for m in MEN})
    assert result == {"alpha": ["C"], "beta": ["A"], "gamma": ["B"]}


def test_gale_shapley_example_has_exactly_three_stable_matchings_and_ours_is_best_for_men() -> None:
    stable = stable_matchings(MEN, WOMEN, {w: 1 for w in WOMEN})
    assert sorted(tuple(sorted(s.items())) for s in stable) == [
        (("alpha", "A"), ("beta", "B"), ("gamma", "C")),
        (("alpha", "B"), ("beta", "C"), ("gamma", "A")),
        (("alpha", "C"), ("beta", "A"), ("gamma", "B")),
    ]


# A worked example in the form of the NRMP's illustration of the algorithm (five applicants,
# three programs); the outcome below is derived by hand, step by step, in the comment of the test.
NRMP_APPLICANTS = {
    "Arthur": ["City"],
    "Sunny": ["City", "Mercy"],
    "Joseph": ["City", "General", "Mercy"],
    "Latha": ["Mercy", "City", "General"],
    "Darrius": ["City", "Mercy", "General"],
}
NRMP_PROGRAMS = {
    "Mercy": ["Darrius", "Joseph"],
    "City": ["Darrius", "Arthur", "Sunny", "Latha", "Joseph"],
    "General": ["Darrius", "Arthur", "Joseph", "Latha"],
}
NRMP_CAPACITIES = {"Mercy": 2, "City": 2, "General": 2}


def test_nrmp_illustration() -> None:
    # Arthur and Sunny are held by City. Joseph is turned away by the full City and held by
    # General. Latha is not ranked by Mercy, is turned away by City, and is held by General.
    # Darrius displaces Sunny at City; Mercy did not rank Sunny, who ends unmatched.
    assert match_from_lists(NRMP_APPLICANTS, NRMP_PROGRAMS, NRMP_CAPACITIES) == {
        "City": ["Darrius", "Arthur"],
        "General": ["Joseph", "Latha"],
        "Mercy": [],
    }


def test_nrmp_illustration_as_a_market_is_stable_and_sunny_is_unmatched() -> None:
    m = market(
        [prog(p, NRMP_CAPACITIES[p], " ".join(r)) for p, r in NRMP_PROGRAMS.items()],
        [app(a, " ".join(r)) for a, r in NRMP_APPLICANTS.items()],
    )
    result = match(m)
    assert holdings(result) == {
        "Arthur": ("City",),
        "Darrius": ("City",),
        "Joseph": ("General",),
        "Latha": ("General",),
    }
    assert result.statuses["Sunny"].value == "unmatched"
    assert result.unfilled == {"Mercy": 2}
    assert verify(m, result) == []


def test_couples_market_with_no_stable_matching_terminates_and_reports_it() -> None:
    # Roth (1984): a couple (a1, a2) wants H1 and H2 together; the single s ranks H1 over H2.
    # H1 prefers a1 to s, H2 prefers s to a2. Every matching has a blocking pair or couple:
    # the couple at (H1, H2) is blocked by s and H2; s at H2 is blocked by s and the empty H1;
    # s at H1 is blocked by the couple. The run cycles through these until it stops
    # reconsidering s, and reports what is left.
    m = market(
        [prog("H1", 1, "a1 s"), prog("H2", 1, "s a2")],
        [app("s", "H1 H2"), app("a1"), app("a2")],
        [couple("a1", "a2", "H1+H2")],
    )
    result = match(m)
    assert holdings(result) == {"s": ("H2",)}
    assert result.unfilled == {"H1": 1}
    assert result.instabilities == (Instability(programs=("H1",), applicant="s"),)
    assert verify(m, result) == []
    reported = verify(m, result, include_reported=True)
    assert [v.rule for v in reported] == ["blocking_pair"]


def test_supplemental_lists_alone_can_leave_no_stable_matching() -> None:
    # a ranks the advanced program A with a supplemental list holding the preliminary P; b
    # ranks P, then A. A prefers b, P prefers a (one position each). Every outcome is blocked:
    # a at A+P (b and A block), b at A (b and the empty P block), b at P with a at A (a and P
    # block through the supplemental list), b at P alone (a and the empty A block). The run
    # cycles until it stops reconsidering the agents and ends with b at A.
    m = market(
        [prog("A", 1, "b a", track=Track.ADVANCED), prog("P", 1, "a b", track=Track.PRELIMINARY)],
        [app("a", "A:s", s="P"), app("b", "P A")],
    )
    result = match(m)
    assert holdings(result) == {"b": ("A",)}
    assert result.instabilities == (Instability(programs=("P",), applicant="b"),)
    assert statuses(result) == {"a": "unmatched", "b": "partially_matched"}
    assert verify(m, result) == []
