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
    r_sorted = rank_by[order]
    cum = np.cumsum(w[order])
    n = r_sorted.shape[0]
    new_group = np.empty(n, dtype=bool)
    new_group[0] = True
    np.not_equal(r_sorted[1:], r_sorted[:-1], out=new_group[1:])
    starts = np.flatnonzero(new_group)
    ends = np.append(starts[1:], n) - 1
    cum_before = np.concatenate(([0.0], cum))[starts]
    twice_mid_sorted = np.repeat(cum_before + cum[ends], ends - starts + 1)
    twice_mid = np.empty_like(cum)
    twice_mid[order] = twice_mid_sorted
    return twice_mid, float(cum[-1])


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
