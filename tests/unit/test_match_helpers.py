"""Compact builders for Main Match markets in tests, and a brute-force stable matching search.

``prog("H1", 2, "a b c")`` is a categorical program with 2 positions ranking a, b, c;
``app("a", "H1 ADV:s H2", s="P1 P2")`` ranks H1, then ADV with supplemental list ``s``, then H2;
``couple("x", "y", "H1+H2 H1+-")`` ranks the pair (H1, H2) and then (H1, no match).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from matchweek.match import run_match
from matchweek.model import Applicant, ApplicantKind, Couple, Market, MatchResult, Program, RankEntry, Track


def prog(
    code: str,
    positions: int,
    ranks: str = "",
    track: Track = Track.CATEGORICAL,
    reverts_to: str | None = None,
    specialty: str | None = None,
) -> Program:
    return Program(
        code=code,
        track=track,
        positions=positions,
        rank_list=tuple(ranks.split()),
        reverts_to=reverts_to,
        specialty=specialty,
    )


def app(id: str, ranks: str = "", kind: ApplicantKind | None = None, **supplemental: str) -> Applicant:
    entries = []
    for token in ranks.split():
        program, _, name = token.partition(":")
        entries.append(RankEntry(program, name or None))
    return Applicant(
        id=id,
        kind=kind,
        rank_list=tuple(entries),
        supplemental_lists={name: tuple(codes.split()) for name, codes in supplemental.items()},
    )


def couple(first: str, second: str, pairs: str) -> Couple:
    out = []
    for token in pairs.split():
        a, b = token.split("+")
        out.append((None if a == "-" else a, None if b == "-" else b))
    return Couple(members=(first, second), rank_list=tuple(out))


def market(
    programs: Iterable[Program], applicants: Iterable[Applicant], couples: Iterable[Couple] = ()
) -> Market:
    return Market(programs=tuple(programs), applicants=tuple(applicants), couples=tuple(couples))


def holdings(result: MatchResult) -> dict[str, tuple[str, ...]]:
    """Applicant -> programs held (sorted); applicants holding nothing are left out."""
    out: dict[str, list[str]] = {}
    for m in result.matches:
        out.setdefault(m.applicant, []).append(m.program)
    return {a: tuple(sorted(ps)) for a, ps in out.items()}


def statuses(result: MatchResult) -> dict[str, str]:
    return {a: s.value for a, s in result.statuses.items()}


def match(m: Market) -> MatchResult:
    return run_match(m)


def stable_matchings(
    applicant_prefs: dict[str, list[str]], program_prefs: dict[str, list[str]], capacities: dict[str, int]
) -> list[dict[str, str | None]]:
    """Every stable matching of a tiny singles market, by enumerating all assignments."""
    applicants = sorted(applicant_prefs)
    options = [[None, *[p for p in applicant_prefs[a] if a in program_prefs.get(p, [])]] for a in applicants]
    found = []
    for choice in itertools.product(*options):
        assign = dict(zip(applicants, choice, strict=True))
        held: dict[str, list[str]] = {p: [] for p in capacities}
        for a, p in assign.items():
            if p is not None:
                held[p].append(a)
        if any(len(held[p]) > capacities[p] for p in capacities):
            continue
        if not any(
            _blocks(a, p, assign, held, applicant_prefs, program_prefs, capacities)
            for a in applicants
            for p in applicant_prefs[a]
        ):
            found.append(assign)
    return found


def _blocks(
    a: str,
    p: str,
    assign: dict[str, str | None],
    held: dict[str, list[str]],
    applicant_prefs: dict[str, list[str]],
    program_prefs: dict[str, list[str]],
    capacities: dict[str, int],
) -> bool:
    ranks = program_prefs.get(p, [])
    if a not in ranks:
        return False
    current = assign[a]
    if current is not None and applicant_prefs[a].index(current) <= applicant_prefs[a].index(p):
        return False
    return len(held[p]) < capacities[p] or any(ranks.index(a) < ranks.index(h) for h in held[p])
