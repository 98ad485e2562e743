"""Properties of the Main Match on random markets (Hypothesis).

Singles markets: the result equals the ``matching`` package's resident-optimal solution and is,
among all stable matchings found by brute force, the best one for every applicant. Markets with
couples, supplemental lists and reversion: the result always verifies (stable, or with exactly
the instabilities it reports). No result depends on the order of records.
"""

from __future__ import annotations

import warnings
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matching.games import HospitalResident
from test_match_helpers import stable_matchings

from matchweek.match import compile_market, match_from_lists, run_kernel, run_match, verify
from matchweek.model import Applicant, Couple, Market, Program, RankEntry, Track

Prefs = dict[str, list[str]]


@st.composite
def prefix_of_permutation(draw: st.DrawFn, items: list[str], least: int = 0) -> list[str]:
    """Some of ``items`` in a random order: a rank list."""
    order = draw(st.permutations(items))
    return list(order[: draw(st.integers(least, len(order)))])


@st.composite
def singles(
    draw: st.DrawFn, max_applicants: int = 8, max_programs: int = 4
) -> tuple[Prefs, Prefs, dict[str, int]]:
    """A singles market as the ``matching`` package takes it."""
    n_app = draw(st.integers(1, max_applicants))
    n_prog = draw(st.integers(1, max_programs))
    apps = [f"a{i}" for i in range(n_app)]
    progs = [f"p{j}" for j in range(n_prog)]
    applicant_prefs = {a: draw(prefix_of_permutation(progs)) for a in apps}
    program_prefs = {p: draw(prefix_of_permutation(apps)) for p in progs}
    capacities = {p: draw(st.integers(1, 3)) for p in progs}
    return applicant_prefs, program_prefs, capacities


def mutual(applicant_prefs: Prefs, program_prefs: Prefs) -> tuple[Prefs, Prefs]:
    """Keep only mutual rankings (the only ones that can match), as ``matching`` requires."""
    a = {x: [p for p in ps if x in program_prefs[p]] for x, ps in applicant_prefs.items()}
    p = {q: [x for x in xs if q in applicant_prefs[x]] for q, xs in program_prefs.items()}
    return a, p


def matching_package(
    applicant_prefs: Prefs, program_prefs: Prefs, capacities: dict[str, int]
) -> dict[str, set[str]]:
    a, p = mutual(applicant_prefs, program_prefs)
    a = {x: ps for x, ps in a.items() if ps}
    out = {q: set() for q in program_prefs}
    if not a:
        return out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        game = HospitalResident.create_from_dictionaries(a, p, capacities)
        solution = game.solve(optimal="resident")
    for hospital, residents in solution.items():
        out[hospital.name] = {r.name for r in residents}
    return out


@settings(max_examples=300, deadline=None)
@given(singles())
def test_singles_match_the_matching_package(market: tuple[Prefs, Prefs, dict[str, int]]) -> None:
    applicant_prefs, program_prefs, capacities = market
    ours = match_from_lists(applicant_prefs, program_prefs, capacities)
    assert {p: set(xs) for p, xs in ours.items()} == matching_package(
        applicant_prefs, program_prefs, capacities
    )


@settings(max_examples=300, deadline=None)
@given(singles(max_applicants=5, max_programs=3))
def test_singles_result_is_the_applicant_optimal_stable_matching(
    market: tuple[Prefs, Prefs, dict[str, int]],
) -> None:
    applicant_prefs, program_prefs, capacities = market
    ours = {
        x: p for p, xs in match_from_lists(applicant_prefs, program_prefs, capacities).items() for x in xs
    }
    stable = stable_matchings(applicant_prefs, program_prefs, capacities)
    as_assignment = {a: ours.get(a) for a in applicant_prefs}
    assert as_assignment in stable

    def rank(a: str, p: str | None) -> int:
        return len(applicant_prefs[a]) if p is None else applicant_prefs[a].index(p)

    for other in stable:
        assert all(rank(a, as_assignment[a]) <= rank(a, other[a]) for a in applicant_prefs)


TRACKS = [Track.CATEGORICAL, Track.PRELIMINARY, Track.TRANSITIONAL, Track.ADVANCED, Track.RESERVED]


@st.composite
def markets(draw: st.DrawFn, max_programs: int = 6, max_applicants: int = 9) -> Market:
    """Random markets with every feature: tracks, supplemental lists, couples, reversion."""
    n_prog = draw(st.integers(1, max_programs))
    n_app = draw(st.integers(1, max_applicants))
    codes = [f"P{j}" for j in range(n_prog)]
    ids = [f"A{i}" for i in range(n_app)]
    tracks = [draw(st.sampled_from(TRACKS)) for _ in codes]
    pgy1 = [c for c, t in zip(codes, tracks, strict=True) if t is not Track.ADVANCED]

    n_couples = draw(st.integers(0, n_app // 2))
    members = draw(st.permutations(ids))[: 2 * n_couples]
    coupled = set(members)
    couples = []
    for k in range(n_couples):
        options = [(a, b) for a in [None, *codes] for b in [None, *codes] if (a, b) != (None, None)]
        pairs = draw(st.lists(st.sampled_from(options), max_size=5, unique=True))
        couples.append(Couple(members=(members[2 * k], members[2 * k + 1]), rank_list=tuple(pairs)))

    applicants = []
    for x in ids:
        if x in coupled:
            applicants.append(Applicant(id=x))
            continue
        ranked = draw(prefix_of_permutation(codes))
        lists = {}
        if pgy1 and draw(st.booleans()):
            lists["s"] = tuple(draw(prefix_of_permutation(pgy1, least=1)))
        if pgy1 and draw(st.booleans()):
            lists["t"] = tuple(draw(prefix_of_permutation(pgy1, least=1)))
        entries = []
        for code in ranked:
            link = None
            if tracks[codes.index(code)] is Track.ADVANCED and lists:
                link = draw(st.sampled_from([None, *sorted(lists)]))
            entries.append(RankEntry(code, link))
        applicants.append(Applicant(id=x, rank_list=tuple(entries), supplemental_lists=lists))

    programs = []
    for j, code in enumerate(codes):
        ranks = draw(prefix_of_permutation(ids))
        # Reversion only to a later program, so chains never loop.
        target = draw(st.sampled_from([None, *codes[j + 1 :]])) if j + 1 < n_prog else None
        programs.append(
            Program(
                code=code,
                track=tracks[j],
                positions=draw(st.integers(0, 3)),
                rank_list=tuple(ranks),
                reverts_to=target,
            )
        )
    return Market(programs=tuple(programs), applicants=tuple(applicants), couples=tuple(couples))


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markets())
def test_every_result_verifies_as_stable_or_reports_its_instabilities(market: Market) -> None:
    result = run_match(market)
    assert verify(market, result) == []


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markets(), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_record_order(market: Market, rnd: object) -> None:
    programs, applicants, couples = list(market.programs), list(market.applicants), list(market.couples)
    rnd.shuffle(programs)  # type: ignore[attr-defined]
    rnd.shuffle(applicants)  # type: ignore[attr-defined]
    rnd.shuffle(couples)  # type: ignore[attr-defined]
    shuffled = replace(market, programs=tuple(programs), applicants=tuple(applicants), couples=tuple(couples))
    assert run_match(shuffled) == run_match(market)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markets())
def test_markets_without_couples_or_supplemental_lists_are_always_stable(market: Market) -> None:
    plain = replace(
        market,
        couples=(),
        applicants=tuple(
            replace(a, rank_list=tuple(RankEntry(e.program) for e in a.rank_list), supplemental_lists={})
            for a in market.applicants
        ),
    )
    result = run_match(plain)
    assert result.instabilities == ()
    assert verify(plain, result) == []


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markets())
def test_a_run_that_never_stops_reconsidering_leaves_no_instability(market: Market) -> None:
    # Every blocking pair or couple arises when a program loses a holder or gains a position,
    # and the run sends back everyone that event concerns; only a skipped reconsideration
    # (an agent over its budget, in a cycle) can leave one standing.
    output = run_kernel(compile_market(market), repairs=0)
    if output.stats.budget_stops == 0:
        assert output.blocking.shape[0] == 0
