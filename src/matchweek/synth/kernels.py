"""Compiled inner loops of the generator (numba), kept free of Python objects.

Noise inside kernels comes from a counter-based hash of (seed, row, program),
so it needs no stored array the size of all applicant–program cells and does
not depend on the order in which cells are visited.
"""

from __future__ import annotations

import numba as nb
import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_LOW16 = np.uint64(0xFFFF)


@nb.njit(cache=True, inline="always")
def _splitmix(z: np.uint64) -> np.uint64:
    """The SplitMix64 finaliser: a well-mixed 64-bit hash of ``z``."""
    z = z + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@nb.njit(cache=True, inline="always")
def _noise(seed: np.uint64, row: np.int64, col: np.int64) -> float:
    """Approximately standard normal: the sum of four 16-bit uniforms, centred and scaled."""
    h = _splitmix(seed ^ (np.uint64(row) * _GOLDEN + np.uint64(col)))
    s = float(h & _LOW16) + float((h >> np.uint64(16)) & _LOW16)
    s += float((h >> np.uint64(32)) & _LOW16) + float((h >> np.uint64(48)) & _LOW16)
    return (s / 65536.0 - 2.0) * 1.7320508075688772


@nb.njit(cache=True)
def choose_applications(
    row_a: np.ndarray,
    row_field: np.ndarray,
    row_m: np.ndarray,
    row_prelim: np.ndarray,
    field_start: np.ndarray,
    field_programs: np.ndarray,
    p_state: np.ndarray,
    p_division: np.ndarray,
    p_appeal: np.ndarray,
    p_img: np.ndarray,
    p_rep: np.ndarray,
    p_inst: np.ndarray,
    p_slot: np.ndarray,
    p_visa_ok: np.ndarray,
    p_max_failures: np.ndarray,
    p_max_years: np.ndarray,
    p_requires_usmle: np.ndarray,
    p_reserved: np.ndarray,
    a_tie_state: np.ndarray,
    a_tie_weight: np.ndarray,
    a_tie_division: np.ndarray,
    a_img_weight: np.ndarray,
    a_reach: np.ndarray,
    a_home: np.ndarray,
    a_visa: np.ndarray,
    a_failures: np.ndarray,
    a_years: np.ndarray,
    a_usmle: np.ndarray,
    a_prior: np.ndarray,
    a_taste: np.ndarray,
    a_base_score: np.ndarray,
    a_img: np.ndarray,
    a_osteopathic: np.ndarray,
    interest: np.ndarray,
    reading: np.ndarray,
    seed: np.uint64,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For every row (applicant, field, m): the m programs of the field it values most.

    Program attribute arrays (``p_*``) are in the order of ``field_programs``
    (programs grouped by field). Programs whose hard filters the applicant
    fails are never chosen. ``interest`` holds the applicant-side weights (tie
    state, tie division, home, reputation when ranking, noise when applying,
    noise when ranking); ``reading`` the program-side ones (tie, home, IMG
    penalty, DO penalty, noise). Returns the number of applications per row and,
    row after row (best first), the program, the applicant's fit with it and
    the program's score of the application.
    """
    tie_w, div_w, home_w, rank_rep_w, apply_sd, fit_sd = (
        interest[0],
        interest[1],
        interest[2],
        interest[3],
        interest[4],
        interest[5],
    )
    tie_s, home_s, img_pen, do_pen, score_sd = reading[0], reading[1], reading[2], reading[3], reading[4]
    n_rows = row_a.shape[0]
    offsets = np.zeros(n_rows + 1, np.int64)
    for r in range(n_rows):
        f = row_field[r]
        offsets[r + 1] = offsets[r] + min(row_m[r], field_start[f + 1] - field_start[f])
    chosen = np.empty(offsets[n_rows], np.int64)
    counts = np.zeros(n_rows, np.int64)
    heap_v = np.empty(4096, np.float64)
    heap_j = np.empty(4096, np.int64)
    for r in range(n_rows):
        a = row_a[r]
        f = row_field[r]
        m = offsets[r + 1] - offsets[r]
        size = 0
        visa = a_visa[a]
        fails = a_failures[a]
        years = a_years[a]
        usmle = a_usmle[a]
        prior = a_prior[a]
        img_w = a_img_weight[a]
        reach = a_reach[a]
        home = a_home[a]
        prelim = row_prelim[r]
        for j in range(field_start[f], field_start[f + 1]):
            # Program attributes are laid out in field order, so j indexes them directly.
            if not p_visa_ok[visa, j] or fails > p_max_failures[j] or years > p_max_years[j]:
                continue
            if (p_reserved[j] and not prior) or (p_requires_usmle[j] and not usmle):
                continue
            v = p_appeal[j] + img_w * p_img[j] + reach * p_rep[j]
            if a_tie_state[a, p_state[j]]:
                v += a_tie_weight[a]
            if a_tie_division[a, p_division[j]]:
                v += div_w
            if home == p_inst[j]:
                v += home_w
            if prelim and p_slot[j] >= 0:
                v += a_taste[a, p_slot[j]]
            v += apply_sd * _noise(seed, r, field_programs[j])
            # Min-heap of the m best so far.
            if size < m:
                i = size
                size += 1
                while i > 0:
                    parent = (i - 1) >> 1
                    if heap_v[parent] <= v:
                        break
                    heap_v[i] = heap_v[parent]
                    heap_j[i] = heap_j[parent]
                    i = parent
                heap_v[i] = v
                heap_j[i] = j
            elif v > heap_v[0]:
                i = 0
                while True:
                    c = 2 * i + 1
                    if c >= size:
                        break
                    if c + 1 < size and heap_v[c + 1] < heap_v[c]:
                        c += 1
                    if heap_v[c] >= v:
                        break
                    heap_v[i] = heap_v[c]
                    heap_j[i] = heap_j[c]
                    i = c
                heap_v[i] = v
                heap_j[i] = j
        order = np.argsort(-heap_v[:size], kind="mergesort")
        base = offsets[r]
        for k in range(size):
            chosen[base + k] = heap_j[order[k]]
        counts[r] = size

    total = 0
    for r in range(n_rows):
        total += counts[r]
    program = np.empty(total, np.int64)
    fit = np.empty(total, np.float64)
    score = np.empty(total, np.float64)
    out = 0
    fit_seed = _splitmix(seed ^ np.uint64(1))
    score_seed = _splitmix(seed ^ np.uint64(2))
    for r in range(n_rows):
        a = row_a[r]
        for k in range(counts[r]):
            j = chosen[offsets[r] + k]
            p = field_programs[j]
            tie = a_tie_state[a, p_state[j]]
            at_home = a_home[a] == p_inst[j]
            u = p_appeal[j] + a_img_weight[a] * p_img[j] + rank_rep_w * p_rep[j]
            if tie:
                u += tie_w
            if a_tie_division[a, p_division[j]]:
                u += div_w
            if at_home:
                u += home_w
            if p_slot[j] >= 0:
                u += a_taste[a, p_slot[j]]
            s = a_base_score[a]
            if a_img[a]:
                gap = 1.0 - p_img[j]
                s -= img_pen * gap * gap * gap
            if a_osteopathic[a] and p_rep[j] > 0.0:
                s -= do_pen * p_rep[j]
            if tie:
                s += tie_s
            if at_home:
                s += home_s
            program[out] = p
            fit[out] = u + fit_sd * _noise(fit_seed, a, p)
            score[out] = s + score_sd * _noise(score_seed, a, p)
            out += 1
    return counts, program, fit, score


@nb.njit(cache=True)
def order_within_groups(groups: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """Indices sorted by group, then by value (highest first), ties by index.

    The same order as ``np.lexsort((-values, groups))``: a counting sort on the
    group, then a stable sort of each group's values.
    """
    n = groups.shape[0]
    start = np.zeros(n_groups + 1, np.int64)
    for i in range(n):
        start[groups[i] + 1] += 1
    for g in range(n_groups):
        start[g + 1] += start[g]
    fill = start[:-1].copy()
    order = np.empty(n, np.int64)
    for i in range(n):
        g = groups[i]
        order[fill[g]] = i
        fill[g] += 1
    for g in range(n_groups):
        lo, hi = start[g], start[g + 1]
        if hi - lo > 1:
            seg = order[lo:hi].copy()
            neg = np.empty(hi - lo, np.float64)
            for k in range(hi - lo):
                neg[k] = -values[seg[k]]
            sub = np.argsort(neg, kind="mergesort")
            for k in range(hi - lo):
                order[lo + k] = seg[sub[k]]
    return order


@nb.njit(cache=True)
def allocate_interviews(
    program: np.ndarray,
    group: np.ndarray,
    score: np.ndarray,
    preference: np.ndarray,
    capacity: np.ndarray,
    group_cap: np.ndarray,
    waves: int,
    over_invite: float,
) -> np.ndarray:
    """Interview invitations in waves; returns which applications became interviews.

    Each wave, every program invites its best-scored open applications, a few
    more than its free slots (``over_invite``); each applicant group (an
    applicant's main and PGY-1 plans) accepts its preferred invitations up to
    its free capacity and declines the rest. Applications of groups with a full
    calendar close; declined invitations are never repeated.
    """
    n = program.shape[0]
    n_p = capacity.shape[0]
    n_g = group_cap.shape[0]
    op = order_within_groups(program, score, n_p)
    og = order_within_groups(group, preference, n_g)
    p_start = np.zeros(n_p + 1, np.int64)
    for i in range(n):
        p_start[program[i] + 1] += 1
    for p in range(n_p):
        p_start[p + 1] += p_start[p]
    g_start = np.zeros(n_g + 1, np.int64)
    for i in range(n):
        g_start[group[i] + 1] += 1
    for g in range(n_g):
        g_start[g + 1] += g_start[g]
    status = np.zeros(n, np.int8)  # 0 open, 1 interview, 2 closed, 3 invited this wave
    held_p = np.zeros(n_p, np.int64)
    held_g = np.zeros(n_g, np.int64)
    for _ in range(waves):
        invited_any = False
        for p in range(n_p):
            free = capacity[p] - held_p[p]
            if free <= 0:
                continue
            slots = int(np.ceil(over_invite * free))
            for k in range(p_start[p], p_start[p + 1]):
                if slots == 0:
                    break
                i = op[k]
                if status[i] == 0:
                    status[i] = 3
                    slots -= 1
                    invited_any = True
        if not invited_any:
            break
        for g in range(n_g):
            for k in range(g_start[g], g_start[g + 1]):
                i = og[k]
                if status[i] == 3:
                    if held_g[g] < group_cap[g]:
                        status[i] = 1
                        held_g[g] += 1
                        held_p[program[i]] += 1
                    else:
                        status[i] = 2
            if held_g[g] >= group_cap[g]:
                # A full calendar declines whatever else would come.
                for k in range(g_start[g], g_start[g + 1]):
                    i = og[k]
                    if status[i] == 0:
                        status[i] = 2
    return status == 1
