"""Grouping helpers: weighted means by group and weighted quantile groups."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from pathways_sim.metrics._checks import _as_1d_float, _check_int, _check_same_length, _optional_weights
from pathways_sim.metrics._ranks import _tie_group_midpoints


def weighted_group_means(
    values: ArrayLike,
    groups: ArrayLike,
    n_groups: int,
    weights: ArrayLike | None = None,
) -> np.ndarray:
    """Weighted mean of ``values`` within each group 1..n_groups.

    ``mean_g = sum_{i in g} w_i v_i / sum_{i in g} w_i``, computed with
    :func:`numpy.bincount` in O(n).  Used for prevalences (means of 0/1
    indicators) and mean scores by deprivation decile or quintile.

    Parameters
    ----------
    values : array_like, shape (n,)
        Finite values.
    groups : array_like of int, shape (n,)
        Group codes in 1..n_groups (integer-valued; floats such as 3.0 are
        accepted).
    n_groups : int
        Number of groups G (>= 1).
    weights : array_like, shape (n,), optional
        Non-negative weights with a positive sum; default equal.

    Returns
    -------
    numpy.ndarray of float, shape (n_groups,)
        Element ``g - 1`` is the mean for group ``g``; ``nan`` for a group
        with no members (or only zero-weight members).

    Raises
    ------
    ValueError
        On mismatched lengths, NaN, non-integer or out-of-range group codes,
        invalid ``n_groups`` or weights.
    """
    g_count = _check_int(n_groups, "n_groups", 1, np.iinfo(np.int64).max)
    v = _as_1d_float(values, "values", min_len=0)
    g_raw = np.asarray(groups)
    if g_raw.ndim != 1:
        raise ValueError(f"groups must be 1-dimensional, got an array with shape {g_raw.shape}")
    _check_same_length(values=v, groups=g_raw)
    if g_raw.dtype.kind in "iu":
        g = g_raw.astype(np.int64)
    else:
        g_float = _as_1d_float(g_raw, "groups", min_len=0)
        if np.any(g_float != np.round(g_float)):
            raise ValueError("groups must be integer codes 1..n_groups")
        g = g_float.astype(np.int64)
    if g.size and (g.min() < 1 or g.max() > g_count):
        raise ValueError(f"groups must be integer codes in 1..n_groups (1..{g_count})")
    w = np.ones(v.shape[0]) if weights is None else _optional_weights(weights, v.shape[0])
    sums = np.bincount(g - 1, weights=w * v, minlength=g_count)
    totals = np.bincount(g - 1, weights=w, minlength=g_count)
    return np.divide(sums, totals, out=np.full(g_count, np.nan), where=totals > 0)


def quantile_groups(values: ArrayLike, n_groups: int, weights: ArrayLike | None = None) -> np.ndarray:
    """Assign weighted quantile groups 1..n_groups (1 = lowest values).

    Each individual gets the weighted fractional rank ``R`` of its value
    (ascending; ties share the midpoint of their tie group's interval, as in
    :func:`concentration_index`) and is placed in group
    ``floor(R * n_groups) + 1``, i.e. group ``g`` holds ranks in
    ``[(g - 1)/G, g/G)``.  With income as ``values``, group 1 is the poorest
    and so the most deprived, matching the package's group ordering.  Equal
    values always share a group and the result does not depend on row order;
    groups can therefore be unequal in size when there are large tie groups.

    Parameters
    ----------
    values : array_like, shape (n,)
        Finite values to group (n >= 1).
    n_groups : int
        Number of groups, 1..127 (stored as int8).
    weights : array_like, shape (n,), optional
        Non-negative weights with a positive sum; default equal.

    Returns
    -------
    numpy.ndarray of int8, shape (n,)
    """
    g_count = _check_int(n_groups, "n_groups", 1, np.iinfo(np.int8).max)
    v = _as_1d_float(values, "values")
    w = _optional_weights(weights, v.shape[0])
    twice_mid, total = _tie_group_midpoints(v, w)
    # floor(R * G) with R = twice_mid / (2 W), multiplied before dividing so
    # that boundaries hit exactly with integer weights (e.g. R = 0.2, G = 5).
    grp = np.floor(twice_mid * g_count / (2.0 * total)).astype(np.int64) + 1
    # Rank is < 1 except for a zero-weight tie group at the very top (R = 1).
    return np.clip(grp, 1, g_count).astype(np.int8)
