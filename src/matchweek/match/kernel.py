"""The compiled Main Match kernel: Roth–Peranson applicant-proposing deferred acceptance on flat arrays.

Everything here runs under Numba (``cache=True``, so a new process loads machine code instead of
compiling). The run is one compiled function whose steps are inner functions, which Numba
inlines: passing the ~40 arrays of state to separate functions on every proposal would cost
more than the proposals themselves. The kernel knows nothing of codes or ids: programs,
applicants and couples are indices, rank lists are CSR arrays (an offsets array and a flat
values array). ``arrays.py`` builds those arrays from a market; ``engine.py`` turns the
kernel's output back into a result.

How the run works, in the words of Roth and Peranson (1999):

* Agents (single applicants and couples) are introduced one at a time; each new agent is
  processed, and everything it sets off (displacements, withdrawals) is processed off a stack
  before the next agent comes in.
* A single proposes down its primary rank list from where it last stopped. A program holds up
  to its quota of proposers by its own ranking and turns the rest away.
* While a single holds an advanced program whose entry links a supplemental list, it proposes
  down that list for a PGY-1 seat. Losing the advanced program releases that seat, and the
  single goes on down its primary list. It never goes down the primary list for want of a
  PGY-1 seat.
* A couple proposes a pair; both sides must take their partner (a program may need two seats
  for a pair naming it twice) or neither is held. When one partner is displaced the other
  withdraws and the couple goes on down its list. A couple sent back to a better pair moves
  only if both programs would take the partners as they stand (see blocking, below).
* Withdrawals (a released supplemental seat, a withdrawing partner, an agent that moves up)
  can leave a program with a free seat it had earlier refused to applicants, or (a couple moving
  one partner into the seat the other left) with a worse holder; so can a reversion. Such a
  program is *scanned*: every applicant it turned away or displaced since its last scan, that
  it would now take and that would rather have it, is sent back to propose from that program
  again (its walk stops at what it holds, so a reconsidered agent can only move up). This is
  Roth and Peranson's re-entry of applicants a program rejected. Reconsiderations that succeed
  are counted per agent; past ``budget`` of them an agent is no longer reconsidered, which is
  what bounds the run when no stable matching exists.
* When everything is settled, unfilled positions of every program with a reversion target move
  to the target's quota and the targets are scanned; this repeats until nothing reverts.
* When nothing reverts any more, a final pass lists every blocking pair and blocking couple
  left. Agents in one get a fresh budget and are sent back to the entry that blocks, a bounded
  number of times (``repairs``): this breaks cycles an early agent fell into before later
  agents came in. What still blocks after that is the run's instabilities.

Blocking follows Kojima, Pathak and Roth (2013): a program would take the applicants ``S`` (one
applicant, or both partners of a couple naming it twice) when at most ``quota - len(S)`` of its
holders other than ``S`` rank above the lowest-ranked of ``S``. An applicant's own seat there
thus counts as free for itself (a single holding a PGY-1 program from its supplemental list may
take it as a primary choice), but a partner's seat is not free for the other partner.
"""

from __future__ import annotations

import sys

import numpy as np
from numba import njit
from numba.core.registry import cpu_target


def _load_target_without_scipy() -> None:
    """Load Numba's CPU target, the library every compiled function needs, without SciPy.

    Loading it (on the first compiled call in a process) checks for SciPy's BLAS by importing
    ``scipy.linalg``, which takes longer than a whole national Main Match. No kernel here uses
    BLAS, so SciPy is hidden while the target loads: Numba then does without BLAS for the few
    functions that would use it (``np.convolve``, ``np.correlate``), and SciPy imports as usual
    afterwards. A process that has imported SciPy already pays nothing more.
    """
    if "scipy" in sys.modules:
        return
    sys.modules["scipy"] = None  # type: ignore[assignment]  # makes ``import scipy`` fail for now
    try:
        cpu_target.target_context.refresh()
    finally:
        del sys.modules["scipy"]


_load_target_without_scipy()

# Slots of the static market tuple (all int32 arrays).
PROG_OFF = 0  # n_programs + 1: CSR offsets of program rank lists
PROG_APP = 1  # applicant at each rank
PROG_POS = 2  # where that program stands on that applicant's primary list (-1: not on it)
REVERTS_TO = 3  # n_programs: reversion target (-1: none)
POSITIONS = 4  # n_programs: quota before reversions
APP_OFF = 5  # n_applicants + 1: CSR offsets of primary rank lists
APP_PROG = 6  # program of each entry
APP_RANK = 7  # the applicant's rank on that program's list (-1: the program did not rank it)
APP_SUPP = 8  # supplemental list linked to each entry (-1: none)
SUPP_OFF = 9  # n_supplemental_lists + 1
SUPP_PROG = 10
SUPP_RANK = 11
COUPLE_OF = 12  # n_applicants: couple of each applicant (-1: single)
COUPLE_M1 = 13  # n_couples: first member
COUPLE_M2 = 14  # n_couples: second member
PAIR_OFF = 15  # n_couples + 1: CSR offsets of couple rank lists
PAIR_P1 = 16  # program for the first member (-1: no match)
PAIR_P2 = 17  # program for the second member (-1: no match)
PAIR_R1 = 18  # first member's rank at PAIR_P1 (-1: not ranked)
PAIR_R2 = 19  # second member's rank at PAIR_P2

# Slots of the statistics array (int64).
STAT_PROPOSALS = 0
STAT_RECONSIDERATIONS = 1
STAT_MOVED_UP = 2
STAT_BUDGET_STOPS = 3
STAT_REVERSION_ROUNDS = 4
STAT_POSITIONS_REVERTED = 5
STAT_REPAIR_ROUNDS = 6
N_STATS = 7

# Kinds of instability rows.
BLOCK_PRIMARY = 0
BLOCK_SUPPLEMENTAL = 1
BLOCK_PAIR = 2

NONE = -1
REJECTED = -2


@njit(cache=True)
def run(mk, budget, repairs):
    """Run the Main Match on the static arrays ``mk`` (slots above).

    Returns (primary entry held per applicant, supplemental entry held per applicant, pair held
    per couple, final quota per program, positions held per program, blocking rows
    (agent, kind, entry), statistics). Agents are applicants ``0..n_app-1`` (singles) and
    ``n_app + c`` for couple ``c``.
    """
    # The steps are inner functions: Numba inlines them, so the hot path pays no call overhead.
    prog_off = mk[PROG_OFF]
    prog_app = mk[PROG_APP]
    prog_pos = mk[PROG_POS]
    reverts_to = mk[REVERTS_TO]
    app_off = mk[APP_OFF]
    app_prog = mk[APP_PROG]
    app_rank = mk[APP_RANK]
    app_supp = mk[APP_SUPP]
    supp_off = mk[SUPP_OFF]
    supp_prog = mk[SUPP_PROG]
    supp_rank = mk[SUPP_RANK]
    couple_of = mk[COUPLE_OF]
    couple_m1 = mk[COUPLE_M1]
    pair_off = mk[PAIR_OFF]
    pair_p1 = mk[PAIR_P1]
    pair_p2 = mk[PAIR_P2]
    pair_r1 = mk[PAIR_R1]
    pair_r2 = mk[PAIR_R2]
    n_prog = prog_off.shape[0] - 1
    n_app = app_off.shape[0] - 1
    n_couples = pair_off.shape[0] - 1
    n_agents = n_app + n_couples
    i32 = np.int32

    # Programs: seats held (one flag per rank-list entry), how many, the worst rank held, quota.
    occ = np.zeros(prog_app.shape[0], dtype=np.int8)
    count = np.zeros(n_prog, dtype=i32)
    worst = np.full(n_prog, -1, dtype=i32)
    quota = mk[POSITIONS].copy()
    # Singles: primary entry held and next entry to propose to (entries before it turned the
    # applicant away); the same for the supplemental list of the advanced program held.
    held = np.full(n_app, -1, dtype=i32)
    start = np.zeros(n_app, dtype=i32)
    hsupp = np.full(n_app, -1, dtype=i32)
    sstart = np.zeros(n_app, dtype=i32)
    # Couples: pair held and next pair to propose.
    cheld = np.full(n_couples, -1, dtype=i32)
    cstart = np.zeros(n_couples, dtype=i32)
    # Reconsiderations: successes so far, and where the agent stood before a pending one.
    succ = np.zeros(n_agents, dtype=i32)
    mark = np.full(n_agents, -1, dtype=i32)
    smark = np.full(n_app, -1, dtype=i32)
    # Per program, the ranks of the applicants it turned away or displaced since its last scan
    # (each once), kept in the program's own stretch of a rank-list-sized array.
    refused = np.zeros(prog_app.shape[0], dtype=i32)
    is_refused = np.zeros(prog_app.shape[0], dtype=np.int8)
    refused_count = np.zeros(n_prog, dtype=i32)
    # Agents waiting to be processed, and programs that lost a seat, waiting to be scanned.
    stack = np.zeros(n_agents, dtype=i32)
    on_stack = np.zeros(n_agents, dtype=np.int8)
    freed = np.zeros(n_prog, dtype=i32)
    in_freed = np.zeros(n_prog, dtype=np.int8)
    # Displaced applicants (and the program each lost), waiting to withdraw and requeue.
    displaced = np.zeros((8, 2), dtype=np.int64)
    tops = np.zeros(3, dtype=np.int64)  # stack size, freed size, displaced size
    stats = np.zeros(N_STATS, dtype=np.int64)

    def push(agent):
        if on_stack[agent] == 0:
            on_stack[agent] = 1
            stack[tops[0]] = agent
            tops[0] += 1

    def lost_seat(p):
        if in_freed[p] == 0:
            in_freed[p] = 1
            freed[tops[1]] = p
            tops[1] += 1

    def insert(p, r):
        occ[prog_off[p] + r] = 1
        count[p] += 1
        if r > worst[p]:
            worst[p] = r

    def remove(p, r):
        base = prog_off[p]
        occ[base + r] = 0
        count[p] -= 1
        if r == worst[p]:
            if count[p] == 0:
                worst[p] = -1
            else:
                w = r - 1
                while occ[base + w] == 0:
                    w -= 1
                worst[p] = w

    def refuse(p, r):
        # p turns away (or displaces) the applicant at rank r: remember it for p's next scan.
        e = prog_off[p] + r
        if is_refused[e] == 0:
            is_refused[e] = 1
            refused[prog_off[p] + refused_count[p]] = r
            refused_count[p] += 1

    def fits(p, r):
        # Would p take the applicant at rank r (who holds no seat there)?
        return count[p] < quota[p] or worst[p] > r

    def fits_two(p, ra, rb):
        # Would p take two applicants at ranks ra and rb together?
        if quota[p] < 2:
            return False
        if count[p] <= quota[p] - 2:
            return True
        base = prog_off[p]
        above = 0
        for r in range(max(ra, rb)):
            above += occ[base + r]
        return above <= quota[p] - 2

    def propose(p, r):
        # NONE: held in a free seat; an applicant: held in its place; REJECTED: turned away.
        stats[STAT_PROPOSALS] += 1
        if r < 0:
            return REJECTED
        if count[p] < quota[p]:
            insert(p, r)
            return NONE
        w = worst[p]
        if w > r:
            remove(p, w)
            insert(p, r)
            refuse(p, w)
            return prog_app[prog_off[p] + w]
        refuse(p, r)
        return REJECTED

    def supp_seat(a):
        # Program and rank of the supplemental seat a holds, or (-1, -1).
        if hsupp[a] < 0:
            return -1, -1
        j = supp_off[app_supp[app_off[a] + held[a]]] + hsupp[a]
        return supp_prog[j], supp_rank[j]

    def note_displaced(x, p):
        # One step displaces at most two applicants, and they are dealt with before the next.
        n = tops[2]
        displaced[n, 0] = x
        displaced[n, 1] = p
        tops[2] = n + 1

    def displace(x, p):
        # x has lost its seat at p to a preferred applicant: withdraw what went with that seat
        # (the partner's seat, or the supplemental seat of an advanced program) and requeue x.
        c = couple_of[x]
        q, rq = -1, -1
        if c >= 0:
            k = cheld[c]
            if k < 0:
                return  # the partner was displaced in the same step and has already withdrawn
            j = pair_off[c] + k
            if x == couple_m1[c]:
                q, rq = pair_p2[j], pair_r2[j]
            else:
                q, rq = pair_p1[j], pair_r1[j]
            cheld[c] = -1
            # A pending reconsideration (cstart before k) must survive the displacement.
            if cstart[c] >= k:
                cstart[c] = k + 1
            push(n_app + c)
        else:
            h = held[x]
            if h >= 0 and app_prog[app_off[x] + h] == p:
                q, rq = supp_seat(x)
                hsupp[x] = -1
                held[x] = -1
                if start[x] >= h:  # keep a pending reconsideration
                    start[x] = h + 1
                sstart[x] = 0
                smark[x] = -1
            elif hsupp[x] >= 0:
                if sstart[x] >= hsupp[x]:
                    sstart[x] = hsupp[x] + 1
                hsupp[x] = -1
            push(x)
        # The seat that went with it may already be gone if the same step displaced it too.
        if q >= 0 and occ[prog_off[q] + rq] == 1:
            remove(q, rq)
            lost_seat(q)

    def process_single(a):
        off = app_off[a]
        h = held[a]
        before = mark[a]
        mark[a] = -1
        limit = h if h >= 0 else app_off[a + 1] - off
        i = start[a]
        if i < limit:
            # A holder reconsidered walks up to what it holds; its own supplemental seat is
            # vacated for the walk, since that program may stand higher on the primary list.
            q, rq = supp_seat(a)
            if q >= 0:
                remove(q, rq)
            while i < limit:
                res = propose(app_prog[off + i], app_rank[off + i])
                if res != REJECTED:
                    if h >= 0:
                        remove(app_prog[off + h], app_rank[off + h])
                        lost_seat(app_prog[off + h])
                        if q >= 0:
                            lost_seat(q)
                    held[a] = i
                    hsupp[a] = -1
                    sstart[a] = 0
                    smark[a] = -1
                    if res >= 0:
                        note_displaced(res, app_prog[off + i])
                    break
                i += 1
            if held[a] == h and q >= 0:
                insert(q, rq)
            start[a] = i
        if before >= 0 and held[a] >= 0 and held[a] < before:
            stats[STAT_MOVED_UP] += 1
            succ[a] += 1

        # The supplemental list linked to the advanced program held, if any.
        h = held[a]
        before = smark[a]
        smark[a] = -1
        if h < 0 or app_supp[off + h] < 0:
            return
        s = app_supp[off + h]
        so = supp_off[s]
        ns = supp_off[s + 1] - so
        hs = hsupp[a]
        limit = hs if hs >= 0 else ns
        new_hs = hs
        j = sstart[a]
        while j < limit:
            p = supp_prog[so + j]
            res = propose(p, supp_rank[so + j])
            if res != REJECTED:
                if hs >= 0:
                    q = supp_prog[so + hs]
                    remove(q, supp_rank[so + hs])
                    lost_seat(q)
                new_hs = j
                hsupp[a] = j
                if res >= 0:
                    note_displaced(res, p)
                break
            j += 1
        sstart[a] = new_hs if new_hs >= 0 else ns
        if before >= 0 and new_hs >= 0 and new_hs < before:
            stats[STAT_MOVED_UP] += 1
            succ[a] += 1

    def pair_fits(j, j0, record):
        # Would both programs of pair j take the couple's partners, the couple holding pair j0
        # (-1: none)? A partner already in its program keeps its seat; the other partner's seat
        # is not free for it (a partner leaving a program does not hand its seat over). With
        # ``record``, a program that would not is remembered as having turned the couple away.
        p1 = pair_p1[j]
        p2 = pair_p2[j]
        r1 = pair_r1[j]
        r2 = pair_r2[j]
        if (p1 >= 0 and r1 < 0) or (p2 >= 0 and r2 < 0):
            return False
        q1 = pair_p1[j0] if j0 >= 0 else -1
        q2 = pair_p2[j0] if j0 >= 0 else -1
        if p1 >= 0 and p1 == p2:
            # Both partners into one program: those already there are counted out, then two
            # seats are needed above everyone else.
            if q1 == p1:
                remove(p1, r1)
            if q2 == p1:
                remove(p1, r2)
            ok = fits_two(p1, r1, r2)
            if q1 == p1:
                insert(p1, r1)
            if q2 == p1:
                insert(p1, r2)
            if not ok and record:
                # Remembered under both partners not already there: one of them may yet take
                # a seat there through a later pair, and a holder is never scanned.
                if q1 != p1:
                    refuse(p1, r1)
                if q2 != p1:
                    refuse(p1, r2)
            return ok
        if p1 >= 0 and p1 != q1 and not fits(p1, r1):
            if record:
                refuse(p1, r1)
            return False
        if p2 >= 0 and p2 != q2 and not fits(p2, r2):
            if record:
                refuse(p2, r2)
            return False
        return True

    def process_couple(c):
        agent = n_app + c
        po = pair_off[c]
        k0 = cheld[c]
        j0 = po + k0 if k0 >= 0 else -1
        before = mark[agent]
        mark[agent] = -1
        if k0 >= 0 and cstart[c] >= k0:
            return
        limit = k0 if k0 >= 0 else pair_off[c + 1] - po
        found = -1
        k = cstart[c]
        while k < limit:
            stats[STAT_PROPOSALS] += 1
            if pair_fits(po + k, j0, True):
                found = k
                break
            k += 1
        cstart[c] = found if found >= 0 else limit
        if found < 0:
            return
        j = po + found
        p1 = pair_p1[j]
        p2 = pair_p2[j]
        q1 = pair_p1[j0] if j0 >= 0 else -1
        q2 = pair_p2[j0] if j0 >= 0 else -1
        if p1 >= 0 and p1 == p2:
            # Room for both partners: those already there step out, the least preferred
            # holders are released (all rank below both partners, as fits_two found), and both
            # partners are seated.
            if q1 == p1:
                remove(p1, pair_r1[j])
            if q2 == p1:
                remove(p1, pair_r2[j])
            while count[p1] > quota[p1] - 2:
                w = worst[p1]
                remove(p1, w)
                refuse(p1, w)
                note_displaced(prog_app[prog_off[p1] + w], p1)
            insert(p1, pair_r1[j])
            insert(p1, pair_r2[j])
        else:
            for side in range(2):
                p = p1 if side == 0 else p2
                if p >= 0 and p != (q1 if side == 0 else q2):
                    res = propose(p, pair_r1[j] if side == 0 else pair_r2[j])
                    # A partner pushed out of the seat it is leaving anyway is no displacement.
                    if res >= 0 and couple_of[res] != c:
                        note_displaced(res, p)
        # Partners that moved leave their old seats (unless a proposal above already took them).
        for side in range(2):
            q = q1 if side == 0 else q2
            if q >= 0 and q != (p1 if side == 0 else p2):
                rq = pair_r1[j0] if side == 0 else pair_r2[j0]
                if occ[prog_off[q] + rq] == 1:
                    remove(q, rq)
                lost_seat(q)
        cheld[c] = found
        if before >= 0 and found < before:
            stats[STAT_MOVED_UP] += 1
            succ[agent] += 1

    def send_back(agent):
        # Reconsideration: the agent has already been pointed back at the program.
        stats[STAT_RECONSIDERATIONS] += 1
        push(agent)

    def wants(x, p, r):
        # 1: x (at rank r on p's list) would rather have p and is sent back to it;
        # 0: it would not; -1: it would, but it is over its budget.
        c = couple_of[x]
        if c >= 0:
            agent = n_app + c
            po = pair_off[c]
            first = x == couple_m1[c]
            for k in range(cstart[c]):
                if (pair_p1[po + k] if first else pair_p2[po + k]) == p:
                    if succ[agent] >= budget:
                        return -1
                    if mark[agent] < 0:
                        mark[agent] = cstart[c]
                    cstart[c] = k
                    send_back(agent)
                    return 1
            return 0
        i = prog_pos[prog_off[p] + r]
        if i >= 0 and i < start[x]:
            if succ[x] >= budget:
                return -1
            if mark[x] < 0:
                mark[x] = start[x]
            start[x] = i
            send_back(x)
            return 1
        h = held[x]
        if h < 0 or app_supp[app_off[x] + h] < 0:
            return 0
        so = supp_off[app_supp[app_off[x] + h]]
        for j in range(sstart[x]):
            if supp_prog[so + j] == p:
                if succ[x] >= budget:
                    return -1
                if smark[x] < 0:
                    smark[x] = sstart[x]
                sstart[x] = j
                send_back(x)
                return 1
        return 0

    def scan(p):
        # p lost a holder: send back everyone it turned away who would now rather have it and
        # whom it would now take. Usually p has a free seat; but a couple moving a partner into
        # the seat its other partner left can leave p full with a worse holder, so only those
        # ranked above its least preferred holder are considered then. Only applicants p turned
        # away or displaced since its last scan can want it; the rest would have proposed.
        base = prog_off[p]
        above = prog_off[p + 1] - base if count[p] < quota[p] else worst[p]
        n = refused_count[p]
        ranks = refused[base : base + n]
        # Lowest ranked first onto the stack, so that the program's favourite proposes first
        # and the others are simply turned away, instead of each taking the seat in turn.
        ranks.sort()
        for t in range(n - 1, -1, -1):
            r = ranks[t]
            stay = False
            if occ[base + r] == 0:
                if r >= above:
                    stay = True  # p would not take it now; it may when a seat comes free
                elif wants(prog_app[base + r], p, r) < 0:
                    stats[STAT_BUDGET_STOPS] += 1
                    stay = True
            if not stay:
                is_refused[base + r] = 0
                ranks[t] = -1
        kept = 0
        for t in range(n):
            if ranks[t] >= 0:
                ranks[kept] = ranks[t]
                kept += 1
        refused_count[p] = kept

    def revert():
        # Every reverting program's unfilled positions move to its target at once; a target
        # that is itself reverting keeps what it receives until it has been reconsidered.
        moved = 0
        free = np.zeros(n_prog, dtype=np.int64)
        for p in range(n_prog):
            if reverts_to[p] >= 0:
                free[p] = quota[p] - count[p]
        for p in range(n_prog):
            if free[p] > 0:
                quota[p] -= free[p]
                quota[reverts_to[p]] += free[p]
                moved += free[p]
                lost_seat(reverts_to[p])
        return moved

    def blocking():
        # Every blocking pair and couple left, as rows (agent, kind, entry index).
        rows = np.empty((64, 3), dtype=np.int64)
        n_rows = 0
        for a in range(n_app + n_couples):
            off, own, so, po, k0 = 0, -1, 0, 0, -1
            if a < n_app:
                if couple_of[a] >= 0:
                    continue
                off = app_off[a]
                h = held[a]
                own, _ = supp_seat(a)
                limit = h if h >= 0 else app_off[a + 1] - off
                s = app_supp[off + h] if h >= 0 else -1
                so = supp_off[s] if s >= 0 else 0
                slimit = (hsupp[a] if hsupp[a] >= 0 else supp_off[s + 1] - so) if s >= 0 else 0
            else:
                po = pair_off[a - n_app]
                k0 = cheld[a - n_app]
                limit = k0 if k0 >= 0 else pair_off[a - n_app + 1] - po
                slimit = 0
            for i in range(limit + slimit):
                if a >= n_app:
                    kind = BLOCK_PAIR
                    index = i
                    blocks = pair_fits(po + i, po + k0 if k0 >= 0 else -1, False)
                elif i < limit:
                    kind = BLOCK_PRIMARY
                    index = i
                    p = app_prog[off + i]
                    r = app_rank[off + i]
                    blocks = r >= 0 and (p == own or fits(p, r))
                else:
                    kind = BLOCK_SUPPLEMENTAL
                    index = i - limit
                    r = supp_rank[so + index]
                    blocks = r >= 0 and fits(supp_prog[so + index], r)
                if blocks:
                    if n_rows == rows.shape[0]:
                        bigger = np.empty((2 * n_rows, 3), dtype=np.int64)
                        bigger[:n_rows] = rows
                        rows = bigger
                    rows[n_rows, 0] = a
                    rows[n_rows, 1] = kind
                    rows[n_rows, 2] = index
                    n_rows += 1
        return rows[:n_rows].copy()

    # Singles in id order, then couples; everything an agent sets off is settled (displaced
    # applicants first, then programs that lost a seat, then the stack) before the next agent
    # comes in. When all have come in and settled, unfilled positions revert, until none do;
    # then what still blocks is listed, and repaired a bounded number of times.
    next_agent = 0
    repairs_left = repairs
    while True:
        if tops[2] > 0:
            tops[2] -= 1
            displace(displaced[tops[2], 0], displaced[tops[2], 1])
        elif tops[1] > 0:
            tops[1] -= 1
            p = freed[tops[1]]
            in_freed[p] = 0
            scan(p)
        elif tops[0] > 0:
            tops[0] -= 1
            agent = stack[tops[0]]
            on_stack[agent] = 0
            if agent < n_app:
                process_single(agent)
            else:
                process_couple(agent - n_app)
        elif next_agent < n_agents:
            if next_agent >= n_app or couple_of[next_agent] < 0:
                push(next_agent)
            next_agent += 1
        else:
            moved = revert()
            if moved > 0:
                stats[STAT_REVERSION_ROUNDS] += 1
                stats[STAT_POSITIONS_REVERTED] += moved
                continue
            rows = blocking()
            if rows.shape[0] == 0 or repairs_left == 0:
                return held, hsupp, cheld, quota, count, rows, stats
            # Repair: agents still in a blocking pair or couple get a fresh budget and go back
            # to the entry that blocks. This breaks a cycle an early agent fell into before
            # later agents came in; a pocket with no stable matching just cycles again.
            repairs_left -= 1
            stats[STAT_REPAIR_ROUNDS] += 1
            succ[:] = 0
            for b in range(rows.shape[0]):
                agent, kind, index = rows[b, 0], rows[b, 1], rows[b, 2]
                if kind == BLOCK_PAIR:
                    c = agent - n_app
                    if index < cstart[c]:
                        if mark[agent] < 0:
                            mark[agent] = cstart[c]
                        cstart[c] = index
                elif kind == BLOCK_PRIMARY:
                    if index < start[agent]:
                        if mark[agent] < 0:
                            mark[agent] = start[agent]
                        start[agent] = index
                elif index < sstart[agent]:
                    if smark[agent] < 0:
                        smark[agent] = sstart[agent]
                    sstart[agent] = index
                push(agent)


@njit(cache=True)
def derive(mk_in, n_prog, track, advanced):
    """Mutual ranks and cross-references the run needs, from the raw lists.

    ``mk_in`` is the static tuple with PROG_POS, APP_RANK, SUPP_RANK, PAIR_R1 and PAIR_R2 still
    empty. Returns those five arrays, whether each applicant ranked an advanced program, and a
    fault (code, i, j): code 0 none; 1 program i ranks applicant j twice; 2 applicant i ranks
    the program of its entry j twice; 3 supplemental list i names the program of its entry j twice.
    """
    prog_off = mk_in[PROG_OFF]
    prog_app = mk_in[PROG_APP]
    app_off = mk_in[APP_OFF]
    app_prog = mk_in[APP_PROG]
    supp_off = mk_in[SUPP_OFF]
    supp_prog = mk_in[SUPP_PROG]
    n_app = app_off.shape[0] - 1
    n_couples = mk_in[PAIR_OFF].shape[0] - 1
    i32 = np.int32
    fault = np.zeros(3, dtype=np.int64)

    # Program rank lists turned around: for each applicant, the (program, rank) pairs ranking it.
    t_off = np.zeros(n_app + 1, dtype=np.int64)
    for e in range(prog_app.shape[0]):
        t_off[prog_app[e] + 1] += 1
    for x in range(n_app):
        t_off[x + 1] += t_off[x]
    cursor = t_off[:-1].copy()
    t_prog = np.empty(prog_app.shape[0], dtype=i32)
    t_rank = np.empty(prog_app.shape[0], dtype=i32)
    for p in range(n_prog):
        for e in range(prog_off[p], prog_off[p + 1]):
            x = prog_app[e]
            t_prog[cursor[x]] = p
            t_rank[cursor[x]] = e - prog_off[p]
            cursor[x] += 1

    # Supplemental lists belong to one applicant each; find them through the linking entries.
    n_supp = supp_off.shape[0] - 1
    supp_owner = np.full(n_supp, -1, dtype=i32)
    app_supp = mk_in[APP_SUPP]
    for x in range(n_app):
        for e in range(app_off[x], app_off[x + 1]):
            if app_supp[e] >= 0:
                supp_owner[app_supp[e]] = x
    owned_off = np.zeros(n_app + 1, dtype=np.int64)
    for s in range(n_supp):
        if supp_owner[s] >= 0:
            owned_off[supp_owner[s] + 1] += 1
    for x in range(n_app):
        owned_off[x + 1] += owned_off[x]
    owned = np.empty(owned_off[n_app], dtype=i32)
    ocur = owned_off[:-1].copy()
    for s in range(n_supp):
        x = supp_owner[s]
        if x >= 0:
            owned[ocur[x]] = s
            ocur[x] += 1

    rank_at = np.full(n_prog, -1, dtype=i32)
    pos_at = np.full(n_prog, -1, dtype=i32)
    prog_pos = np.full(prog_app.shape[0], -1, dtype=i32)
    app_rank = np.full(app_prog.shape[0], -1, dtype=i32)
    supp_rank = np.full(supp_prog.shape[0], -1, dtype=i32)
    ranked_advanced = np.zeros(n_app, dtype=np.bool_)
    for x in range(n_app):
        for t in range(t_off[x], t_off[x + 1]):
            p = t_prog[t]
            if rank_at[p] >= 0 and fault[0] == 0:
                fault[0], fault[1], fault[2] = 1, p, x
            rank_at[p] = t_rank[t]
        off = app_off[x]
        for e in range(off, app_off[x + 1]):
            p = app_prog[e]
            if pos_at[p] >= 0 and fault[0] == 0:
                fault[0], fault[1], fault[2] = 2, x, e - off
            pos_at[p] = e - off
            app_rank[e] = rank_at[p]
            if track[p] == advanced:
                ranked_advanced[x] = True
        for t in range(t_off[x], t_off[x + 1]):
            p = t_prog[t]
            prog_pos[prog_off[p] + t_rank[t]] = pos_at[p]
        for e in range(off, app_off[x + 1]):
            pos_at[app_prog[e]] = -1
        for o in range(owned_off[x], owned_off[x + 1]):
            s = owned[o]
            for j in range(supp_off[s], supp_off[s + 1]):
                p = supp_prog[j]
                if pos_at[p] >= 0 and fault[0] == 0:
                    fault[0], fault[1], fault[2] = 3, s, j - supp_off[s]
                pos_at[p] = 0
                supp_rank[j] = rank_at[p]
            for j in range(supp_off[s], supp_off[s + 1]):
                pos_at[supp_prog[j]] = -1
        for t in range(t_off[x], t_off[x + 1]):
            rank_at[t_prog[t]] = -1

    pair_off = mk_in[PAIR_OFF]
    pair_r1 = np.full(mk_in[PAIR_P1].shape[0], -1, dtype=i32)
    pair_r2 = np.full(mk_in[PAIR_P2].shape[0], -1, dtype=i32)
    for c in range(n_couples):
        for side in range(2):
            x = mk_in[COUPLE_M1][c] if side == 0 else mk_in[COUPLE_M2][c]
            progs = mk_in[PAIR_P1] if side == 0 else mk_in[PAIR_P2]
            ranks = pair_r1 if side == 0 else pair_r2
            for t in range(t_off[x], t_off[x + 1]):
                rank_at[t_prog[t]] = t_rank[t]
            for j in range(pair_off[c], pair_off[c + 1]):
                p = progs[j]
                if p >= 0:
                    ranks[j] = rank_at[p]
                    if track[p] == advanced:
                        ranked_advanced[x] = True
            for t in range(t_off[x], t_off[x + 1]):
                rank_at[t_prog[t]] = -1
    return prog_pos, app_rank, supp_rank, pair_r1, pair_r2, ranked_advanced, fault


@njit(cache=True)
def index_rows(keys, queries):
    """Position of each row of ``queries`` among the rows of ``keys`` (-1: not there).

    Rows are strings as fixed-width code points (NumPy ``U`` arrays viewed as uint32), so a
    whole rank-list column is looked up at once without touching Python objects. Returns the
    positions and the first key row that repeats an earlier one (-1: none).
    """
    n, width = keys.shape
    size = 16
    while size < 2 * n:
        size *= 2
    mask = size - 1
    table = np.full(size, -1, dtype=np.int64)
    repeated = -1

    def row_hash(rows, i):
        h = np.uint64(14695981039346656037)
        for c in range(width):
            h = (h ^ np.uint64(rows[i, c])) * np.uint64(1099511628211)
        return np.int64(h & np.uint64(mask))

    def same(rows, i, k):
        for c in range(width):  # noqa: SIM110 - a plain loop is what Numba compiles best
            if rows[i, c] != keys[k, c]:
                return False
        return True

    for k in range(n):
        slot = row_hash(keys, k)
        while table[slot] >= 0:
            if repeated < 0 and same(keys, k, table[slot]):
                repeated = k
            slot = (slot + 1) & mask
        table[slot] = k
    out = np.full(queries.shape[0], -1, dtype=np.int64)
    for i in range(queries.shape[0]):
        slot = row_hash(queries, i)
        while table[slot] >= 0:
            if same(queries, i, table[slot]):
                out[i] = table[slot]
                break
            slot = (slot + 1) & mask
    return out, repeated
