"""Seeded draws keyed by who draws them: a counter-based hash of (seed, stream, row, column).

Each draw depends only on the run's seed, a named stream and the identities of
the drawer (an applicant's or program's index in the market) and what it is
about (another index, a round): never on the order of drawing or on which other
applicants take part. That is what lets two runs that differ only in some
applicants' strategies give every other applicant exactly the same draws.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_UNIT = 1.0 / float(1 << 53)
_BLOCK = 1 << 18
"""Cells per block of a grid of draws."""


class Stream(IntEnum):
    """Independent streams of draws, one per purpose (values are part of the reproducible output)."""

    TASTE = 1
    """An applicant's idiosyncratic taste for each program."""
    SPRAY = 2
    """Which programs a spraying applicant picks when it sees more than it may apply to."""
    RESERVATION = 3
    """An applicant's reservation value."""
    HOLDOUT = 4
    """Whether an applicant holds out on a marginal offer in a round."""
    EXPIRY = 5
    """Whether a declined offer is rejected or left to expire."""
    READING = 6
    """A program's own reading of an application."""
    CAUTION = 7
    """Whether a program offers conservatively in the first round."""


def _mix(z: np.ndarray) -> np.ndarray:
    """The SplitMix64 finaliser over an array of uint64 (wrapping arithmetic), in place; returns ``z``."""
    # In place with one scratch buffer: grids are applicants x programs, and every fresh
    # temporary of that size costs more in page faults than the arithmetic itself.
    scratch = np.empty_like(z)
    z += _GOLDEN
    np.right_shift(z, _S30, out=scratch)
    z ^= scratch
    z *= _MIX1
    np.right_shift(z, _S27, out=scratch)
    z ^= scratch
    z *= _MIX2
    np.right_shift(z, _S31, out=scratch)
    z ^= scratch
    return z


def row_keys(seed: int, stream: Stream, rows: np.ndarray) -> np.ndarray:
    """One 64-bit key per row: the hash of (seed, stream, row)."""
    base = _mix(np.array([seed & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64))
    base = _mix(base ^ np.uint64(int(stream)))
    return _mix(base ^ np.asarray(rows, dtype=np.int64).astype(np.uint64))


def _col_keys(cols: np.ndarray) -> np.ndarray:
    return _mix(np.asarray(cols, dtype=np.int64).astype(np.uint64) * _GOLDEN)


def _to_unit(h: np.ndarray) -> np.ndarray:
    # 53 high bits; the half-step offset keeps draws strictly inside (0, 1) so logarithms are finite.
    return ((h >> _S11).astype(np.float64) + 0.5) * _UNIT


def uniform(seed: int, stream: Stream, rows: np.ndarray) -> np.ndarray:
    """A uniform draw in (0, 1) per row."""
    return _to_unit(_mix(row_keys(seed, stream, rows)))


def uniform_pairs(seed: int, stream: Stream, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Uniform draws in (0, 1) for the pairs ``(rows[k], cols[k])``: shape ``(len(rows),)``."""
    return _to_unit(_mix(row_keys(seed, stream, rows) ^ _col_keys(cols)))


def gumbel_grid(seed: int, stream: Stream, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Standard Gumbel draws (float32) for every (row, column): shape ``(len(rows), len(cols))``.

    The argmax of utilities plus these draws is a logit choice; the top k of them
    a sample without replacement with probabilities following ``exp(utility)``.
    """
    keys, col_keys = row_keys(seed, stream, rows), _col_keys(cols)
    out = np.empty((len(keys), len(col_keys)), dtype=np.float32)
    # Row blocks small enough to stay in cache and reuse their buffers, rather than
    # applicant x program temporaries that cost more in page faults than in arithmetic.
    step = max(1, _BLOCK // max(1, len(col_keys)))
    for lo in range(0, len(keys), step):
        h = keys[lo : lo + step, None] ^ col_keys[None, :]
        _mix(h)
        # 23 high bits are plenty for noise and keep (k + 0.5) / 2**23 exact in float32, so
        # the draws stay strictly inside (0, 1) and both logarithms are finite.
        h >>= np.uint64(41)
        u = out[lo : lo + step]
        u[:] = h
        u += np.float32(0.5)
        u *= np.float32(1.0 / (1 << 23))
        np.log(u, out=u)
        np.negative(u, out=u)
        np.log(u, out=u)
        np.negative(u, out=u)
    return out
