"""Stable sorts as numba kernels (``core.kernels.kernel``): an argsort of floats by radix sort, and a counting sort
by a small integer group.  Each gives exactly the permutation numpy's stable sort gives (a stable sort's result is
fixed by the order of the keys, ties in index order), at a fraction of its cost; the callers keep numpy's call as
their reference (``tests/test_collector_kernels.py`` compares them)."""

from __future__ import annotations

import numpy as np

from pathways_sim.core.kernels import kernel

# uint64 constants (numba freezes module-level numpy scalars with their type: the bit operations stay in uint64)
_SIGN = np.uint64(1 << 63)
_ALL_BITS = np.uint64(0xFFFFFFFFFFFFFFFF)
_DIGIT_BITS = np.uint64(11)
_RADIX = 1 << 11
_DIGIT = np.uint64(_RADIX - 1)


@kernel
def stable_order(values: np.ndarray, order: np.ndarray) -> None:
    """``np.argsort(values, kind="stable")`` for values without NaN: a least-significant-digit radix sort (stable)
    of keys that order as the floats do (-0.0 read as +0.0, which compares equal to it; a negative number's bits
    flipped, a positive one's sign bit set), so equal values keep their index order, as numpy's stable sort keeps
    them."""
    n = values.size
    normal = np.empty(n, dtype=np.float64)
    for i in range(n):
        normal[i] = values[i] + 0.0  # -0.0 + 0.0 is +0.0; every other value is unchanged
    raw = normal.view(np.uint64)
    keys = np.empty(n, dtype=np.uint64)
    for i in range(n):
        b = raw[i]
        keys[i] = (b ^ _ALL_BITS) if (b & _SIGN) != 0 else (b | _SIGN)
    # Only the bits that differ between keys need sorting on: a pass per 11-bit digit from the lowest of them to
    # the highest (a float32 rank read as float64 has 29 zero bits at the bottom and much the same exponent: three
    # passes), with counts that stay in the fastest cache.
    same_ones, any_ones = _ALL_BITS, np.uint64(0)
    for i in range(n):
        same_ones &= keys[i]
        any_ones |= keys[i]
    varying = same_ones ^ any_ones
    index = np.arange(n)
    spare = np.empty(n, dtype=np.int64)
    counts = np.empty(_RADIX + 1, dtype=np.int64)
    shift = np.uint64(0)
    while shift < np.uint64(63) and (varying >> shift) & np.uint64(1) == 0:
        shift += np.uint64(1)
    while shift < np.uint64(64):
        if (varying >> shift) & _DIGIT != 0:
            counts[:] = 0
            for i in range(n):
                counts[np.int64((keys[i] >> shift) & _DIGIT) + 1] += 1
            for d in range(_RADIX):
                counts[d + 1] += counts[d]
            for i in range(n):
                j = index[i]
                digit = np.int64((keys[j] >> shift) & _DIGIT)
                spare[counts[digit]] = j
                counts[digit] += 1
            index, spare = spare, index
        shift += _DIGIT_BITS
    order[:] = index


def stable_argsort(values: np.ndarray) -> np.ndarray:
    """``np.argsort(values, kind="stable")``, by ``stable_order`` (by numpy where a NaN is among the values)."""
    values = np.ascontiguousarray(values, dtype=np.float64)
    if np.isnan(values).any():
        return np.argsort(values, kind="stable")
    order = np.empty(values.size, dtype=np.int64)
    stable_order(values, order)
    return order


@kernel
def stable_by_group(order: np.ndarray, group: np.ndarray, n_groups: int, out: np.ndarray) -> None:
    """``order`` stably sorted by ``group[order]`` (0 <= group < n_groups), a counting sort: with ``order`` a
    stable argsort of some key, ``out`` is ``np.lexsort((key, group))``, rows ordered by group, then key, then
    index."""
    start = np.zeros(n_groups + 1, dtype=np.int64)
    for i in range(order.size):
        start[group[order[i]] + 1] += 1
    for g in range(n_groups):
        start[g + 1] += start[g]
    for i in range(order.size):
        row = order[i]
        g = group[row]
        out[start[g]] = row
        start[g] += 1
