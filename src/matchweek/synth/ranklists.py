"""Rank lists drawn from the interviews: applicants', supplemental, couples' and programs'.

After an interview each side revises its view a little. Programs rank the
interviewed applicants in order of their score, leaving off the few who fell
well below their bar; applicants rank the programs where they interviewed,
first-choice field first, leaving off the occasional program they disliked.
Interviews at one-year PGY-1 tracks taken for an advanced plan become a
supplemental list linked to every advanced program, some applicants keep a
second list for one state, and some also rank a few one-year tracks on the
primary list. Couples rank pairs of their members' interviews, favouring the
same state and institution, and some add pairs where one partner goes unmatched.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matchweek.synth.applicants import ROLE_FIRST, ROLE_PGY1, ApplicantTable
from matchweek.synth.geography import STATES
from matchweek.synth.interviews import FIRST_CHOICE_BONUS, Applications, rank_bar
from matchweek.synth.kernels import order_within_groups
from matchweek.synth.programs import ProgramTable

IMPRESSION_NOISE = 0.4
"""How much an interview changes either side's view (standard deviation)."""
RANK_MARGIN = 0.2
"""Programs rank interviewees scoring at least their bar less this margin after the interview."""
APPLICANT_DROP = 0.10
"""Share of interviews an applicant leaves off its list (never its only one)."""
PRELIMS_ON_PRIMARY = 3
"""One-year tracks some advanced applicants also rank at the end of the primary list."""
STATE_LIST_SHARE = 0.15
"""Share of advanced applicants who keep a second supplemental list for one state."""
COUPLE_PAIRS = 40
COUPLE_SAME_INSTITUTION = 1.0
COUPLE_OTHER_STATE = 3.0
"""How much less a couple likes a pair in two states (same region) than one in a single state."""
COUPLE_NULL_SHARE = 0.5
"""Share of couples who would let the first partner match alone (half as many the second)."""

SUPPLEMENTAL = "prelims"


@dataclass(frozen=True, slots=True)
class RankLists:
    """Rank lists by index: programs and applicants are positions in their tables.

    ``primary[a]`` holds (program, supplemental list name or None); ``supplemental[a]``
    maps list names to programs; ``couples`` holds (member0, member1, pairs) with
    -1 for "no match"; ``programs[p]`` is the program's ranked applicants.
    """

    primary: list[list[tuple[int, str | None]]]
    supplemental: list[dict[str, list[int]]]
    couples: list[tuple[int, int, list[tuple[int, int]]]]
    programs: list[np.ndarray]


def build_rank_lists(
    apps: ApplicantTable, programs: ProgramTable, interviews: Applications, rng: np.random.Generator
) -> RankLists:
    """Turn interviews into certified rank lists on both sides."""
    n = len(interviews.applicant)
    pa, pp, role = interviews.applicant, interviews.program, interviews.role
    utility = (
        interviews.fit
        + np.where(role == ROLE_FIRST, FIRST_CHOICE_BONUS, 0.0)
        + rng.normal(0.0, IMPRESSION_NOISE, n)
    )
    final = interviews.score + rng.normal(0.0, IMPRESSION_NOISE, n)

    # Programs: interviewees they would train, best first.
    ranked = final >= rank_bar(programs)[pp] - RANK_MARGIN
    order = order_within_groups(pp, final.astype(np.float64), programs.n)
    order = order[ranked[order]]
    bounds = np.searchsorted(pp[order], np.arange(programs.n + 1))
    program_lists = [pa[order[bounds[p] : bounds[p + 1]]] for p in range(programs.n)]

    # Applicants: every interview but the odd one they disliked.
    per_app = np.bincount(pa, minlength=apps.n)
    keep = (rng.random(n) >= APPLICANT_DROP) | (per_app[pa] <= 1)
    order = order_within_groups(pa, utility.astype(np.float64), apps.n)
    order = order[keep[order]]
    bounds = np.searchsorted(pa[order], np.arange(apps.n + 1))
    ordered_p = pp[order]
    ordered_role = role[order]
    ordered_u = utility[order]
    p_list = ordered_p.tolist()
    pgy1_list = (ordered_role == ROLE_PGY1).tolist()
    b_list = bounds.tolist()
    partner = apps.partner.tolist()
    on_primary = apps.pgy1_on_primary.tolist()
    adv_list = programs.is_advanced.tolist()

    u_state = rng.random(apps.n)
    primary: list[list[tuple[int, str | None]]] = [[] for _ in range(apps.n)]
    supplemental: list[dict[str, list[int]]] = [{} for _ in range(apps.n)]
    for a in range(apps.n):
        lo, hi = b_list[a], b_list[a + 1]
        if lo == hi or partner[a] >= 0:
            continue
        main = [p_list[i] for i in range(lo, hi) if not pgy1_list[i]]
        prelims = [p_list[i] for i in range(lo, hi) if pgy1_list[i]]
        advanced = [p for p in main if adv_list[p]]
        if advanced and prelims:
            lists = {SUPPLEMENTAL: prelims}
            link = dict.fromkeys(advanced, SUPPLEMENTAL)
            if u_state[a] < STATE_LIST_SHARE:
                _state_list(advanced, prelims, programs, lists, link)
            primary[a] = [(p, link.get(p)) for p in main]
            if on_primary[a]:
                primary[a] += [(p, None) for p in prelims[:PRELIMS_ON_PRIMARY]]
            supplemental[a] = lists
        else:
            primary[a] = [(p, None) for p in main + prelims]

    couples = _couple_lists(apps, programs, bounds, ordered_p, ordered_u, rng)
    return RankLists(primary, supplemental, couples, program_lists)


def _state_list(
    advanced: list[int],
    prelims: list[int],
    programs: ProgramTable,
    lists: dict[str, list[int]],
    link: dict[int, str],
) -> None:
    """A second supplemental list for the state of the top advanced program, local PGY-1 tracks first."""
    state = programs.state[advanced[0]]
    local = [p for p in prelims if programs.state[p] == state]
    if not local or local == prelims[: len(local)]:
        return
    if all(programs.state[p] == state for p in advanced):
        return
    name = f"{SUPPLEMENTAL}-{STATES[state].code}"
    lists[name] = local + [p for p in prelims if programs.state[p] != state]
    for p in advanced:
        if programs.state[p] == state:
            link[p] = name


def _couple_lists(
    apps: ApplicantTable,
    programs: ProgramTable,
    bounds: np.ndarray,
    ordered_p: np.ndarray,
    ordered_u: np.ndarray,
    rng: np.random.Generator,
) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """Pairs of programs for each couple, best joint choice first; couples without interviews rank nothing."""
    out: list[tuple[int, int, list[tuple[int, int]]]] = []
    members = np.flatnonzero(apps.partner >= 0)
    draws = rng.random((apps.n, 2))
    for a in members.tolist():
        b = int(apps.partner[a])
        if b < a:
            continue
        pa_, ua = ordered_p[bounds[a] : bounds[a + 1]], ordered_u[bounds[a] : bounds[a + 1]]
        pb_, ub = ordered_p[bounds[b] : bounds[b + 1]], ordered_u[bounds[b] : bounds[b + 1]]
        pairs: list[tuple[int, int]] = []
        if len(pa_) and len(pb_):
            # Couples train in the same state, at best the same institution; a pair
            # across states in one region is a late resort, across regions never.
            same_state = programs.state[pa_][:, None] == programs.state[pb_][None, :]
            same_inst = programs.institution[pa_][:, None] == programs.institution[pb_][None, :]
            same_div = programs.division[pa_][:, None] == programs.division[pb_][None, :]
            joint = (
                ua[:, None]
                + ub[None, :]
                + COUPLE_SAME_INSTITUTION * same_inst
                - COUPLE_OTHER_STATE * ~same_state
            )
            joint[~same_div] = -np.inf
            flat = np.argsort(-joint, axis=None, kind="stable")
            flat = flat[np.isfinite(joint.ravel()[flat])]
            local = same_state.ravel()[flat]
            n_local = min(int(local.sum()), COUPLE_PAIRS)
            # Pairs across states stay a minority of the list.
            far = np.flatnonzero(~local)[: max(2, n_local // 2)]
            keep = np.sort(np.concatenate([np.flatnonzero(local)[:n_local], far]))[:COUPLE_PAIRS]
            i, j = np.unravel_index(flat[keep], joint.shape)
            pairs = list(zip(pa_[i].tolist(), pb_[j].tolist(), strict=True))

        if len(pa_) and (not len(pb_) or draws[a, 0] < COUPLE_NULL_SHARE):
            pairs += [(int(p), -1) for p in pa_[:2]]
        if len(pb_) and (not len(pa_) or draws[a, 1] < COUPLE_NULL_SHARE / 2):
            pairs += [(-1, int(p)) for p in pb_[:1]]
        if pairs:
            out.append((a, b, pairs))
    return out
