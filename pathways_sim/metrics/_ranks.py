"""Weighted fractional ranks with tie groups averaged (shared by the concentration indices and quantile
groups)."""

from __future__ import annotations

import numpy as np


def _tie_group_midpoints(rank_by: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, float]:
    """Twice the cumulative-weight midpoint of each individual's tie group, and the total weight.

    Sorting on (rank_by, w) fixes the summation order, so the cumulative sums,
    and everything derived from them, are bit-for-bit independent of row order
    (rows with equal rank_by and weight are interchangeable).  Returning
    ``cum_before + cum_end`` rather than a ratio lets callers divide once,
    which keeps integer-weighted boundaries (e.g. rank exactly 0.2) exact.
    """
    order = np.lexsort((w, rank_by))
    twice_mid_sorted, total = _sorted_midpoints(rank_by[order], w[order])
    twice_mid = np.empty_like(twice_mid_sorted)
    twice_mid[order] = twice_mid_sorted
    return twice_mid, total


def _sorted_midpoints(r_sorted: np.ndarray, w_sorted: np.ndarray) -> tuple[np.ndarray, float]:
    """``_tie_group_midpoints`` of values already in ascending order (same order, same sums)."""
    cum = np.cumsum(w_sorted, dtype=np.float64)
    n = r_sorted.shape[0]
    new_group = np.empty(n, dtype=bool)
    new_group[0] = True
    np.not_equal(r_sorted[1:], r_sorted[:-1], out=new_group[1:])
    starts = np.flatnonzero(new_group)
    ends = np.append(starts[1:], n) - 1
    cum_before = np.concatenate(([0.0], cum))[starts]
    return np.repeat(cum_before + cum[ends], ends - starts + 1), float(cum[-1])


def fractional_ranks_within(rank_by: np.ndarray, subsets: list[np.ndarray]) -> list[np.ndarray]:
    """The unweighted fractional rank of ``rank_by`` among each boolean subset's members (in their row order):
    the same numbers as ``_fractional_rank(rank_by[subset], ones)``, from one sort of everyone instead of one
    per subset.  A stable sort restricted to a subset keeps the subset's own stable order, and unit weights sum
    exactly, so the ranks are bit-identical."""
    order = np.argsort(rank_by, kind="stable")
    r_sorted = rank_by[order]
    out = []
    for subset in subsets:
        keep = subset[order]
        members = order[keep]  # the subset's rows in ascending rank_by
        twice_mid, total = _sorted_midpoints(r_sorted[keep], np.ones(members.size))
        position = np.cumsum(subset) - 1  # each row's place among the subset's rows, in row order
        rank = np.empty(members.size)
        rank[position[members]] = twice_mid / (2.0 * total)
        out.append(rank)
    return out


def _fractional_rank(rank_by: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted fractional rank in ascending order with tie groups averaged.

    Individual i with no ties gets ``R_i = (sum_{j ranked below i} w_j + w_i / 2) / W``
    (Kakwani, Wagstaff & van Doorslaer 1997; O'Donnell et al. 2008, ch. 8).
    Tied individuals all receive the midpoint of their tie group's interval,
    which equals the weighted mean of the fractional ranks they would get under
    any arbitrary tie-breaking, so the result never depends on row order.
    """
    twice_mid, total = _tie_group_midpoints(rank_by, w)
    return twice_mid / (2.0 * total)
