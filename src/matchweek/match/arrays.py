"""A market as flat arrays: the one conversion from domain objects to what the kernel runs on.

Programs are indexed in code order, applicants in id order and couples in the order of their
members' ids, so the arrays (and therefore the run) do not depend on the order of records in
the market. Anything the kernel could not make sense of (unknown codes, repeats, a supplemental
list on a non-advanced entry, a reversion cycle, ...) is reported as a ``FormatError`` naming the
record and field, the same way the market reader reports it.
"""

from __future__ import annotations

import gc
from bisect import bisect_left
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain, pairwise
from operator import attrgetter

import numpy as np
import numpy.typing as npt

from matchweek.errors import Fault, FormatError
from matchweek.match import kernel
from matchweek.model import Market, Track

IntArray = npt.NDArray[np.int32]

TRACK_CODES: dict[Track, int] = {t: i for i, t in enumerate(Track)}
"""Small integer for each track type, as stored in ``MatchArrays.track``."""
ADVANCED = TRACK_CODES[Track.ADVANCED]


@dataclass(frozen=True, slots=True)
class MatchArrays:
    """A market compiled for the kernel (see ``kernel.py`` for what each array holds).

    ``program_codes`` and ``applicant_ids`` are sorted; array indices refer to them. ``couples``
    holds the members of each couple as the market gives them (first member first).
    """

    program_codes: tuple[str, ...]
    applicant_ids: tuple[str, ...]
    couples: tuple[tuple[str, str], ...]
    track: npt.NDArray[np.int8]
    ranked_advanced: npt.NDArray[np.bool_]
    prog_off: IntArray
    prog_app: IntArray
    prog_pos: IntArray
    reverts_to: IntArray
    positions: IntArray
    app_off: IntArray
    app_prog: IntArray
    app_rank: IntArray
    app_supp: IntArray
    supp_off: IntArray
    supp_prog: IntArray
    supp_rank: IntArray
    couple_of: IntArray
    couple_m1: IntArray
    couple_m2: IntArray
    pair_off: IntArray
    pair_p1: IntArray
    pair_p2: IntArray
    pair_r1: IntArray
    pair_r2: IntArray

    def static(self) -> tuple[IntArray, ...]:
        """The arrays in the kernel's slot order."""
        return tuple(getattr(self, name) for name in KERNEL_SLOTS)


KERNEL_SLOTS = (
    "prog_off",
    "prog_app",
    "prog_pos",
    "reverts_to",
    "positions",
    "app_off",
    "app_prog",
    "app_rank",
    "app_supp",
    "supp_off",
    "supp_prog",
    "supp_rank",
    "couple_of",
    "couple_m1",
    "couple_m2",
    "pair_off",
    "pair_p1",
    "pair_p2",
    "pair_r1",
    "pair_r2",
)
"""``MatchArrays`` fields in the order of the kernel's slots (``kernel.PROG_OFF`` ... ``kernel.PAIR_R2``)."""


_program_of = attrgetter("program")
_supplemental_of = attrgetter("supplemental")


class _Unusable(Exception):
    """The fast conversion met something it cannot convert; the slow check says what."""


def _ints(values: Sequence[int] | npt.ArrayLike) -> IntArray:
    return np.ascontiguousarray(np.asarray(values, dtype=np.int32))


def _offsets(lengths: Sequence[int]) -> IntArray:
    out = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(np.asarray(lengths, dtype=np.int64), out=out[1:])
    if out[-1] > np.iinfo(np.int32).max:
        raise _Unusable  # more rank-list entries than the kernel indexes
    return out.astype(np.int32)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a bulk conversion, then restore it.

    Converting a national market allocates hundreds of thousands of containers; with millions
    of long-lived objects around (the market itself), each automatic collection would walk all
    of them. Nothing made here is cyclic garbage.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def compile_market(market: Market) -> MatchArrays:
    """Convert ``market`` to flat arrays once; raises ``FormatError`` naming every fault found."""
    try:
        with collector_paused():
            return _compile(market)
    except (_Unusable, KeyError, TypeError, ValueError):
        faults = market_faults(market)
        if not faults:  # pragma: no cover - the fast path and the full check disagree
            raise
        raise FormatError(faults, source="market") from None


def _compile(market: Market) -> MatchArrays:
    programs = sorted(market.programs, key=attrgetter("code"))
    applicants = sorted(market.applicants, key=attrgetter("id"))
    codes = tuple(p.code for p in programs)
    ids = tuple(a.id for a in applicants)
    pidx = {c: i for i, c in enumerate(codes)}
    if len(pidx) != len(codes) or any(x == y for x, y in pairwise(ids)):
        raise _Unusable
    n_prog, n_app = len(codes), len(ids)

    track = np.fromiter((TRACK_CODES[p.track] for p in programs), dtype=np.int8, count=n_prog)
    positions = _ints([p.positions for p in programs])
    if n_prog and positions.min() < 0:
        raise _Unusable
    reverts_to = np.full(n_prog, -1, dtype=np.int32)
    for i, p in enumerate(programs):
        if p.reverts_to is not None:
            reverts_to[i] = pidx[p.reverts_to]
    _check_reversion_chains(reverts_to)

    # The bulk of the work: every rank-list entry turned into an index, in bulk.
    prog_lists = [p.rank_list for p in programs]
    prog_off = _offsets(list(map(len, prog_lists)))
    prog_app = _positions(ids, list(chain.from_iterable(prog_lists)))
    app_lists = [a.rank_list for a in applicants]
    app_off = _offsets(list(map(len, app_lists)))
    entries = list(chain.from_iterable(app_lists))
    app_prog = np.fromiter(
        map(pidx.__getitem__, map(_program_of, entries)), dtype=np.int32, count=len(entries)
    )
    supplementals = list(map(_supplemental_of, entries))
    n_links = len(supplementals) - supplementals.count(None)

    # Every supplemental list is converted (so a fault in an unused one is still found); entries
    # point at theirs by (owner, name).
    app_supp = np.full(len(entries), -1, dtype=np.int32)
    supp_lists: list[list[int]] = []
    for owner, a in enumerate(applicants):
        if not a.supplemental_lists:
            continue
        list_ids: dict[str, int] = {}
        for name in sorted(a.supplemental_lists):
            lst = a.supplemental_lists[name]
            if len(set(lst)) != len(lst):
                raise _Unusable
            list_ids[name] = len(supp_lists)
            supp_lists.append([pidx[c] for c in lst])
        for k, e in enumerate(a.rank_list):
            if e.supplemental is not None:
                i = int(app_off[owner]) + k
                if track[app_prog[i]] != ADVANCED:
                    raise _Unusable
                app_supp[i] = list_ids[e.supplemental]
                n_links -= 1
    if n_links:
        raise _Unusable  # a link from an applicant that has no supplemental lists
    supp_off = _offsets([len(s) for s in supp_lists])
    supp_prog = _ints([p for s in supp_lists for p in s])
    if supp_prog.size and (track[supp_prog] == ADVANCED).any():
        raise _Unusable

    couple_of = np.full(n_app, -1, dtype=np.int32)
    couple_rows = sorted(market.couples, key=lambda c: (min(c.members), max(c.members)))
    m1, m2, pair_p1, pair_p2, pair_lengths = [], [], [], [], []
    for c, couple in enumerate(couple_rows):
        x1, x2 = _position(ids, couple.members[0]), _position(ids, couple.members[1])
        if x1 == x2 or couple_of[x1] >= 0 or couple_of[x2] >= 0:
            raise _Unusable
        if applicants[x1].rank_list or applicants[x2].rank_list:
            raise _Unusable
        couple_of[x1] = couple_of[x2] = c
        m1.append(x1)
        m2.append(x2)
        if len(set(couple.rank_list)) != len(couple.rank_list):
            raise _Unusable
        for first, second in couple.rank_list:
            if first is None and second is None:
                raise _Unusable
            pair_p1.append(-1 if first is None else pidx[first])
            pair_p2.append(-1 if second is None else pidx[second])
        pair_lengths.append(len(couple.rank_list))

    return _finish(
        codes=codes,
        ids=ids,
        couples=tuple((c.members[0], c.members[1]) for c in couple_rows),
        track=track,
        parts=dict(
            prog_off=prog_off,
            prog_app=prog_app,
            reverts_to=reverts_to,
            positions=positions,
            app_off=app_off,
            app_prog=app_prog,
            app_supp=app_supp,
            supp_off=supp_off,
            supp_prog=supp_prog,
            couple_of=couple_of,
            couple_m1=_ints(m1),
            couple_m2=_ints(m2),
            pair_off=_offsets(pair_lengths),
            pair_p1=_ints(pair_p1),
            pair_p2=_ints(pair_p2),
        ),
    )


def _position(ids: tuple[str, ...], x: str) -> int:
    i = bisect_left(ids, x)
    if i == len(ids) or ids[i] != x:
        raise _Unusable
    return i


def _positions(ids: tuple[str, ...], wanted: list[str]) -> IntArray:
    """Position of each of ``wanted`` in the sorted ``ids``, all at once.

    The strings go into NumPy fixed-width arrays and are matched by a compiled hash table: one
    sequential pass over the Python strings instead of a dictionary probe each, which is what
    dominates converting a national market. NumPy drops trailing NUL characters, so ids that
    contain one take the dictionary route.
    """
    if "\x00" in "".join(ids) or "\x00" in "".join(wanted):
        index = {x: i for i, x in enumerate(ids)}
        return np.fromiter(map(index.__getitem__, wanted), dtype=np.int32, count=len(wanted))
    keys = np.array(ids, dtype=str) if ids else np.zeros(0, dtype="U1")
    queries = np.array(wanted, dtype=str) if wanted else np.zeros(0, dtype="U1")
    width = max(keys.dtype.itemsize, queries.dtype.itemsize) // 4
    keys = keys.astype(f"U{width}", copy=False)
    queries = queries.astype(f"U{width}", copy=False)
    found, _ = kernel.index_rows(
        keys.view(np.uint32).reshape(len(ids), width), queries.view(np.uint32).reshape(len(wanted), width)
    )
    if found.size and found.min() < 0:
        raise _Unusable
    return found.astype(np.int32)


def _check_reversion_chains(reverts_to: IntArray) -> None:
    for start in np.flatnonzero(reverts_to >= 0).tolist():
        seen = {start}
        p = int(reverts_to[start])
        while p >= 0:
            if p in seen:
                raise _Unusable
            seen.add(p)
            p = int(reverts_to[p])


def _finish(
    codes: tuple[str, ...],
    ids: tuple[str, ...],
    couples: tuple[tuple[str, str], ...],
    track: npt.NDArray[np.int8],
    parts: dict[str, IntArray],
) -> MatchArrays:
    empty = np.zeros(0, dtype=np.int32)
    raw = dict(parts, prog_pos=empty, app_rank=empty, supp_rank=empty, pair_r1=empty, pair_r2=empty)
    prog_pos, app_rank, supp_rank, pair_r1, pair_r2, ranked_advanced, fault = kernel.derive(
        tuple(raw[name] for name in KERNEL_SLOTS), len(codes), track, ADVANCED
    )
    if fault[0] != 0:
        raise _Unusable
    raw.update(prog_pos=prog_pos, app_rank=app_rank, supp_rank=supp_rank, pair_r1=pair_r1, pair_r2=pair_r2)
    return MatchArrays(
        program_codes=codes,
        applicant_ids=ids,
        couples=couples,
        track=track,
        ranked_advanced=ranked_advanced,
        **raw,
    )


def arrays_from_lists(
    applicant_prefs: Mapping[str, Sequence[str]],
    program_prefs: Mapping[str, Sequence[str]],
    capacities: Mapping[str, int],
) -> MatchArrays:
    """Compile a singles market given as plain preference dictionaries (every program categorical).

    Programs are the keys of ``capacities`` (a program missing from ``program_prefs`` ranks
    nobody); applicants are the keys of ``applicant_prefs``. Unknown names are a ``FormatError``.
    """
    codes = tuple(sorted(capacities))
    ids = tuple(sorted(applicant_prefs))
    pidx = {c: i for i, c in enumerate(codes)}
    faults: list[Fault] = [
        Fault(f"program_prefs[{code!r}]", "program has no capacity")
        for code in program_prefs
        if code not in pidx
    ]
    prog_lists = [program_prefs.get(c, ()) for c in codes]
    app_lists = [applicant_prefs[x] for x in ids]
    try:
        prog_app = _positions(ids, list(chain.from_iterable(prog_lists)))
        app_prog = np.fromiter(
            map(pidx.__getitem__, chain.from_iterable(app_lists)),
            dtype=np.int32,
            count=sum(map(len, app_lists)),
        )
    except (KeyError, _Unusable):
        known = set(ids)
        for code in codes:
            faults += [
                Fault(f"program_prefs[{code!r}][{i}]", f'unknown applicant "{x}"')
                for i, x in enumerate(program_prefs.get(code, ()))
                if x not in known
            ]
        for x in ids:
            faults += [
                Fault(f"applicant_prefs[{x!r}][{i}]", f'unknown program "{c}"')
                for i, c in enumerate(applicant_prefs[x])
                if c not in pidx
            ]
    positions = _ints([capacities[c] for c in codes])
    faults += [Fault(f"capacities[{c!r}]", "must be at least 0") for c in codes if capacities[c] < 0]
    if faults:
        raise FormatError(faults, source="lists")
    empty = np.zeros(0, dtype=np.int32)
    try:
        return _finish(
            codes=codes,
            ids=ids,
            couples=(),
            track=np.zeros(len(codes), dtype=np.int8),
            parts=dict(
                prog_off=_offsets([len(lst) for lst in prog_lists]),
                prog_app=prog_app,
                reverts_to=np.full(len(codes), -1, dtype=np.int32),
                positions=positions,
                app_off=_offsets([len(lst) for lst in app_lists]),
                app_prog=app_prog,
                app_supp=np.full(app_prog.shape[0], -1, dtype=np.int32),
                supp_off=np.zeros(1, dtype=np.int32),
                supp_prog=empty,
                couple_of=np.full(len(ids), -1, dtype=np.int32),
                couple_m1=empty,
                couple_m2=empty,
                pair_off=np.zeros(1, dtype=np.int32),
                pair_p1=empty,
                pair_p2=empty,
            ),
        )
    except _Unusable:
        faults = [
            Fault(f"program_prefs[{c!r}]", "ranks an applicant twice")
            for c, lst in program_prefs.items()
            if len(set(lst)) != len(lst)
        ] + [
            Fault(f"applicant_prefs[{x!r}]", "ranks a program twice")
            for x, lst in applicant_prefs.items()
            if len(set(lst)) != len(lst)
        ]
        raise FormatError(faults, source="lists") from None


def market_faults(market: Market) -> list[Fault]:
    """Every way ``market`` breaks what the Main Match needs, each naming the record and field.

    Record indices are positions in ``market.programs``, ``market.applicants`` and
    ``market.couples`` as given, the way a market file names them.
    """
    faults: list[Fault] = []
    tracks: dict[str, Track] = {}
    for i, p in enumerate(market.programs):
        if p.code in tracks:
            faults.append(Fault(f"programs[{i}].code", f'duplicate program code "{p.code}"'))
        tracks.setdefault(p.code, p.track)
    ids: dict[str, int] = {}
    for i, a in enumerate(market.applicants):
        if a.id in ids:
            faults.append(Fault(f"applicants[{i}].id", f'duplicate applicant id "{a.id}"'))
        ids.setdefault(a.id, i)

    for i, p in enumerate(market.programs):
        where = f"programs[{i}]"
        if not isinstance(p.positions, int) or p.positions < 0:
            faults.append(
                Fault(f"{where}.positions", f"must be a whole number of at least 0, got {p.positions!r}")
            )
        seen: set[str] = set()
        for r, x in enumerate(p.rank_list):
            if x not in ids:
                faults.append(Fault(f"{where}.rank_list[{r}]", f'unknown applicant id "{x}"'))
            elif x in seen:
                faults.append(Fault(f"{where}.rank_list[{r}]", f'applicant "{x}" ranked twice'))
            seen.add(x)
        if p.reverts_to is not None:
            if p.reverts_to not in tracks:
                faults.append(Fault(f"{where}.reverts_to", f'unknown program code "{p.reverts_to}"'))
            else:
                chain = [p.code]
                nxt: str | None = p.reverts_to
                by_code = market.program_index()
                while nxt is not None and nxt in by_code and nxt not in chain:
                    chain.append(nxt)
                    nxt = by_code[nxt].reverts_to
                if nxt is not None and nxt in chain:
                    faults.append(
                        Fault(f"{where}.reverts_to", "reversion cycle: " + " -> ".join([*chain, nxt]))
                    )

    in_couple: dict[str, int] = {}
    for c, couple in enumerate(market.couples):
        where = f"couples[{c}]"
        a, b = couple.members
        if a == b:
            faults.append(Fault(f"{where}.members", f'applicant "{a}" cannot be coupled with itself'))
        for m, x in enumerate(couple.members):
            if x not in ids:
                faults.append(Fault(f"{where}.members[{m}]", f'unknown applicant id "{x}"'))
            elif x in in_couple and in_couple[x] != c:
                faults.append(
                    Fault(f"{where}.members[{m}]", f'applicant "{x}" is already in couples[{in_couple[x]}]')
                )
            elif market.applicants[ids[x]].rank_list:
                faults.append(
                    Fault(
                        f"applicants[{ids[x]}].rank_list",
                        f'applicant "{x}" is in a couple and must leave its own rank list empty',
                    )
                )
            in_couple.setdefault(x, c)
        pairs: set[tuple[str | None, str | None]] = set()
        for k, pair in enumerate(couple.rank_list):
            if pair in pairs:
                faults.append(Fault(f"{where}.rank_list[{k}]", "pair ranked twice"))
            pairs.add(pair)
            if pair[0] is None and pair[1] is None:
                faults.append(Fault(f"{where}.rank_list[{k}]", "both sides are no match"))
            for side, code in enumerate(pair):
                if code is not None and code not in tracks:
                    faults.append(Fault(f"{where}.rank_list[{k}][{side}]", f'unknown program code "{code}"'))

    for i, a in enumerate(market.applicants):
        where = f"applicants[{i}]"
        seen = set()
        for k, e in enumerate(a.rank_list):
            if e.program not in tracks:
                faults.append(Fault(f"{where}.rank_list[{k}]", f'unknown program code "{e.program}"'))
                continue
            if e.program in seen:
                faults.append(Fault(f"{where}.rank_list[{k}]", f'program "{e.program}" ranked twice'))
            seen.add(e.program)
            if e.supplemental is not None:
                if tracks[e.program] is not Track.ADVANCED:
                    faults.append(
                        Fault(
                            f"{where}.rank_list[{k}].supplemental",
                            f'"{e.program}" is {tracks[e.program].value}; only advanced entries take a '
                            "supplemental list",
                        )
                    )
                if e.supplemental not in a.supplemental_lists:
                    faults.append(
                        Fault(
                            f"{where}.rank_list[{k}].supplemental",
                            f'unknown supplemental list "{e.supplemental}"',
                        )
                    )
        for name, codes in sorted(a.supplemental_lists.items()):
            seen = set()
            for k, code in enumerate(codes):
                lw = f"{where}.supplemental_lists.{name}[{k}]"
                if code not in tracks:
                    faults.append(Fault(lw, f'unknown program code "{code}"'))
                    continue
                if tracks[code] is Track.ADVANCED:
                    faults.append(
                        Fault(lw, f'"{code}" is advanced; supplemental lists hold PGY-1 programs only')
                    )
                if code in seen:
                    faults.append(Fault(lw, f'program "{code}" listed twice'))
                seen.add(code)
    return faults
