"""The Main Match as three timed steps: compile the market, run the kernel, convert back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matchweek.match import kernel
from matchweek.match.arrays import (
    ADVANCED,
    TRACK_CODES,
    MatchArrays,
    arrays_from_lists,
    collector_paused,
    compile_market,
)
from matchweek.model import Assignment, Instability, Market, MatchResult, MatchStatus, Track

RECONSIDERATION_BUDGET = 50
"""How many times one agent may be moved up by reconsideration before the run stops reconsidering
it. Agents caught in a cycle (a pocket of the market with no stable matching) reach it; what is
left then is reported as instabilities."""

REPAIR_ROUNDS = 3
"""How many times, once the run has settled, agents still in a blocking pair or couple are sent
back with a fresh budget. This breaks cycles an early agent fell into before later agents came
in; a pocket with no stable matching just cycles again and stays reported."""

_PGY1_ONLY = np.array([Track(t).is_pgy1_only for t in TRACK_CODES], dtype=np.bool_)
_STATUS = (MatchStatus.MATCHED, MatchStatus.PARTIALLY_MATCHED, MatchStatus.UNMATCHED)


@dataclass(frozen=True, slots=True)
class RunStats:
    """What the kernel did: proposals made, reconsiderations, reversions."""

    proposals: int
    reconsiderations: int
    """Agents sent back to a program that had turned them away, after a seat there came free."""
    moved_up: int
    """Reconsiderations that ended with the agent holding something better."""
    budget_stops: int
    """Reconsiderations skipped because the agent had used up its budget."""
    reversion_rounds: int
    positions_reverted: int
    repair_rounds: int
    """Times the settled run sent agents still in a blocking pair or couple back once more."""


@dataclass(frozen=True, slots=True)
class KernelOutput:
    """The kernel's answer, indexed like the ``MatchArrays`` it ran on.

    ``held`` is the primary entry each applicant holds and ``held_supplemental`` the entry of
    the linked supplemental list (-1: none); ``held_pair`` the pair each couple holds. ``quota``
    is each program's quota after reversions and ``filled`` the positions it fills. ``blocking``
    has one row (agent, kind, entry) per instability left (see ``kernel.BLOCK_*``).
    """

    held: npt.NDArray[np.int32]
    held_supplemental: npt.NDArray[np.int32]
    held_pair: npt.NDArray[np.int32]
    quota: npt.NDArray[np.int32]
    filled: npt.NDArray[np.int32]
    blocking: npt.NDArray[np.int32]
    stats: RunStats


def run_kernel(
    arrays: MatchArrays, budget: int = RECONSIDERATION_BUDGET, repairs: int = REPAIR_ROUNDS
) -> KernelOutput:
    """Run the compiled proposal loop, reversions and final stability check on ``arrays``."""
    if budget < 0 or repairs < 0:
        raise ValueError(f"budget and repairs must be at least 0, got {budget} and {repairs}")
    held, held_supp, held_pair, quota, filled, blocking, stats = kernel.run(arrays.static(), budget, repairs)
    return KernelOutput(
        held=held,
        held_supplemental=held_supp,
        held_pair=held_pair,
        quota=quota,
        filled=filled,
        blocking=blocking,
        stats=RunStats(*(int(v) for v in stats)),
    )


def held_programs(
    arrays: MatchArrays, output: KernelOutput
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]:
    """Per applicant: the program held from its primary list or couple list, and the PGY-1
    program held from a supplemental list (-1: none)."""
    n_app = len(arrays.applicant_ids)
    primary = np.full(n_app, -1, dtype=np.int32)
    supplemental = np.full(n_app, -1, dtype=np.int32)
    held = output.held
    singles = np.flatnonzero(held >= 0)
    entry = arrays.app_off[singles] + held[singles]
    primary[singles] = arrays.app_prog[entry]
    with_supp = output.held_supplemental[singles] >= 0
    lists = arrays.app_supp[entry[with_supp]]
    supplemental[singles[with_supp]] = arrays.supp_prog[
        arrays.supp_off[lists] + output.held_supplemental[singles[with_supp]]
    ]
    couples = np.flatnonzero(output.held_pair >= 0)
    pair = arrays.pair_off[couples] + output.held_pair[couples]
    primary[arrays.couple_m1[couples]] = arrays.pair_p1[pair]
    primary[arrays.couple_m2[couples]] = arrays.pair_p2[pair]
    return primary, supplemental


def to_result(arrays: MatchArrays, output: KernelOutput) -> MatchResult:
    """Turn the kernel's answer into a ``MatchResult``: matches, statuses, unfilled, instabilities."""
    with collector_paused():
        return _to_result(arrays, output)


def _to_result(arrays: MatchArrays, output: KernelOutput) -> MatchResult:
    ids = arrays.applicant_ids
    codes = arrays.program_codes
    primary, supplemental = held_programs(arrays, output)

    # Statuses as the rule book defines them: 0 matched, 1 partially matched, 2 unmatched.
    status = np.full(len(ids), 2, dtype=np.int8)
    has = primary >= 0
    status[has] = 0
    track = arrays.track[np.where(has, primary, 0)]
    partial = has & (
        ((track == ADVANCED) & (supplemental < 0)) | (_PGY1_ONLY[track] & arrays.ranked_advanced)
    )
    status[partial] = 1
    statuses = dict(zip(ids, [_STATUS[s] for s in status.tolist()], strict=True))

    matches: list[Assignment] = []
    for a, p, s in zip(
        np.flatnonzero(has).tolist(), primary[has].tolist(), supplemental[has].tolist(), strict=True
    ):
        if s < 0:
            matches.append(Assignment(ids[a], codes[p]))
        else:
            first, second = sorted((codes[p], codes[s]))
            matches.append(Assignment(ids[a], first))
            matches.append(Assignment(ids[a], second))

    open_ = output.quota - output.filled
    unfilled = {codes[p]: int(open_[p]) for p in np.flatnonzero(open_ > 0).tolist()}
    return MatchResult(
        matches=tuple(matches),
        statuses=statuses,
        unfilled=unfilled,
        instabilities=instabilities(arrays, output),
    )


def instabilities(arrays: MatchArrays, output: KernelOutput) -> tuple[Instability, ...]:
    """The blocking pairs and couples the run left, as ``Instability`` records."""
    ids = arrays.applicant_ids
    codes = arrays.program_codes
    n_app = len(ids)
    out: list[Instability] = []
    for agent, kind, index in output.blocking.tolist():
        if kind == kernel.BLOCK_PAIR:
            c = agent - n_app
            j = int(arrays.pair_off[c]) + index
            p1, p2 = int(arrays.pair_p1[j]), int(arrays.pair_p2[j])
            out.append(
                Instability(
                    programs=(codes[p1] if p1 >= 0 else None, codes[p2] if p2 >= 0 else None),
                    couple=arrays.couples[c],
                )
            )
        elif kind == kernel.BLOCK_PRIMARY:
            p = int(arrays.app_prog[arrays.app_off[agent] + index])
            out.append(Instability(programs=(codes[p],), applicant=ids[agent]))
        else:
            entry = int(arrays.app_off[agent] + output.held[agent])
            s = int(arrays.app_supp[entry])
            p = int(arrays.supp_prog[arrays.supp_off[s] + index])
            out.append(Instability(programs=(codes[p],), applicant=ids[agent]))
    # A program on both the primary list and the linked supplemental list can block twice.
    return tuple(dict.fromkeys(out))


def run_match(
    market: Market, budget: int = RECONSIDERATION_BUDGET, repairs: int = REPAIR_ROUNDS
) -> MatchResult:
    """Run the Main Match on ``market`` (rule book §1).

    Applicant-proposing deferred acceptance in the Roth–Peranson form, with supplemental lists,
    couples and reversion. For singles the result is the applicant-optimal stable matching.
    The run always ends; blocking pairs or couples it could not remove (with couples a stable
    matching may not exist) are listed in ``instabilities``. The result depends only on the
    market's content, never on the order of its records. Raises ``FormatError`` naming the
    record and field when the market cannot be matched as given.
    """
    arrays = compile_market(market)
    return to_result(arrays, run_kernel(arrays, budget, repairs))


def match_from_lists(
    applicant_prefs: Mapping[str, Sequence[str]],
    program_prefs: Mapping[str, Sequence[str]],
    capacities: Mapping[str, int],
) -> dict[str, list[str]]:
    """Applicant-optimal stable matching of a singles market given as plain dictionaries.

    ``applicant_prefs`` maps each applicant to the programs it ranks, ``program_prefs`` each
    program to the applicants it ranks (both most preferred first), ``capacities`` each program
    to its positions. Only mutual rankings match. Returns every program's matched applicants,
    in the program's rank order.
    """
    with collector_paused():
        arrays = arrays_from_lists(applicant_prefs, program_prefs, capacities)
    output = run_kernel(arrays)
    held = output.held
    who = np.flatnonzero(held >= 0)
    entry = arrays.app_off[who] + held[who]
    where = arrays.app_prog[entry]
    rank = arrays.app_rank[entry]
    order = np.lexsort((rank, where))
    ids = arrays.applicant_ids
    out: dict[str, list[str]] = {code: [] for code in arrays.program_codes}
    codes = arrays.program_codes
    for a, p in zip(who[order].tolist(), where[order].tolist(), strict=True):
        out[codes[p]].append(ids[a])
    return out
