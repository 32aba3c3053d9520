"""Individual-level rank-dependent indices: the concentration index and Erreygers' corrected index."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from pathways_sim.metrics._checks import _as_1d_float, _check_same_length, _optional_weights
from pathways_sim.metrics._ranks import _fractional_rank, fractional_ranks_within


def _outcome_rank_weights(
    outcome: ArrayLike, rank_by: ArrayLike, weights: ArrayLike | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    h = _as_1d_float(outcome, "outcome")
    r = _as_1d_float(rank_by, "rank_by")
    _check_same_length(outcome=h, rank_by=r)
    w = _optional_weights(weights, h.shape[0])
    return h, r, w


def _weighted_cov_with_rank(h: np.ndarray, r: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Weighted mean of h and weighted covariance of h with its fractional rank."""
    return _weighted_cov(h, _fractional_rank(r, w), w)


def _weighted_cov(h: np.ndarray, rank: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Weighted mean of h and weighted covariance of h with the fractional ranks ``rank``."""
    # numpy's own (pairwise) sums, not np.dot: BLAS splits a long dot product between its threads, so its last
    # bits would depend on how many threads the machine (or an executor's worker) gives BLAS.
    total = w.sum()
    mu = float((w * h).sum() / total)
    rank_bar = (w * rank).sum() / total  # 1/2 in exact arithmetic
    cov = float((w * ((h - mu) * (rank - rank_bar))).sum() / total)
    return mu, cov


def concentration_index(outcome: ArrayLike, rank_by: ArrayLike, weights: ArrayLike | None = None) -> float:
    """Concentration index of an outcome by a socioeconomic ranking variable.

    ``C = 2 * cov_w(h, R) / mu`` where ``h`` is the outcome, ``mu`` its
    weighted mean and ``R`` the weighted fractional rank of ``rank_by``
    (the "convenient covariance" formula; Kakwani, Wagstaff & van Doorslaer
    1997, J Econometrics 77:87-103; O'Donnell, van Doorslaer, Wagstaff &
    Lindelow 2008, *Analyzing Health Equity Using Household Survey Data*,
    World Bank, ch. 8, eq. 8.7).  The covariance is the weighted population
    covariance ``sum w (h - mu)(R - Rbar) / sum w``.

    Ranks are ascending: the lowest ``rank_by`` (e.g. the poorest) gets the
    smallest ``R``.  So ``C < 0`` when the outcome is concentrated among the
    poor (e.g. ill health) and ``C > 0`` when it is concentrated among the
    better-off.  Ties in ``rank_by`` share the mean fractional rank of their
    tie group, so the index does not depend on row order.

    Parameters
    ----------
    outcome : array_like, shape (n,)
        Health variable ``h``; finite.  The index is bounded in [-1, 1] only
        for non-negative outcomes.
    rank_by : array_like, shape (n,)
        Socioeconomic ranking variable (e.g. income); finite.
    weights : array_like, shape (n,), optional
        Non-negative sampling weights with a positive sum; default equal.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        On mismatched lengths, NaN/inf, invalid weights, or a weighted mean
        outcome of zero (the index is undefined).
    """
    h, r, w = _outcome_rank_weights(outcome, rank_by, weights)
    mu, cov = _weighted_cov_with_rank(h, r, w)
    if mu == 0.0:
        raise ValueError("outcome has a weighted mean of 0, so the concentration index is undefined")
    return 2.0 * cov / mu


def erreygers_index(
    outcome: ArrayLike,
    rank_by: ArrayLike,
    lower: float,
    upper: float,
    weights: ArrayLike | None = None,
) -> float:
    """Erreygers' corrected concentration index for a bounded outcome.

    ``E = 4 * mu * C / (upper - lower)`` (Erreygers 2009, "Correcting the
    concentration index", J Health Econ 28:504-515; O'Donnell et al. 2008).
    It is computed as the algebraically equal ``8 * cov_w(h, R) /
    (upper - lower)``, which stays defined when the mean outcome is 0.  For a
    binary outcome (lower = 0, upper = 1) it lies in [-1, 1] and satisfies
    the mirror property: the index for ill health is minus that for good
    health.

    Parameters
    ----------
    outcome : array_like, shape (n,)
        Bounded health variable; every value must lie in [lower, upper].
    rank_by : array_like, shape (n,)
        Socioeconomic ranking variable (lowest = poorest).
    lower, upper : float
        Finite bounds of the outcome, ``lower < upper``.
    weights : array_like, shape (n,), optional
        Non-negative weights with a positive sum; default equal.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If the bounds are not finite with ``lower < upper``, any outcome lies
        outside them, or on the input errors of :func:`concentration_index`.
    """
    h, r, w = _outcome_rank_weights(outcome, rank_by, weights)
    lo, hi = _bounds(h, lower, upper)
    _, cov = _weighted_cov_with_rank(h, r, w)
    # 4 * mu * C = 4 * mu * 2 cov / mu = 8 cov.
    return 8.0 * cov / (hi - lo)


def erreygers_indices_within(outcomes: list[ArrayLike], rank_by: ArrayLike, subsets: list[ArrayLike],
                             lower: float, upper: float,
                             ranks_within: Callable[[np.ndarray, list[np.ndarray]], list[np.ndarray]] | None = None
                             ) -> list[float]:
    """``erreygers_index(outcome[subset], rank_by[subset], lower, upper)`` for each (outcome, subset) pair, with
    equal weights, sorting ``rank_by`` once for all of them (the same numbers, bit for bit).  Each outcome and
    subset (boolean) spans every row of ``rank_by``; a subset needs at least one member.  ``ranks_within`` gives
    the fractional ranks: ``fractional_ranks_within`` unless given (a faster function giving its numbers bit for
    bit)."""
    r = _as_1d_float(rank_by, "rank_by")
    masks = [np.asarray(s, dtype=bool) for s in subsets]
    values = [_as_1d_float(o, "outcome") for o in outcomes]
    if len(values) != len(masks):
        raise ValueError(f"one subset per outcome: {len(values)} outcomes, {len(masks)} subsets")
    for h, mask in zip(values, masks, strict=True):
        _check_same_length(outcome=h, subset=mask, rank_by=r)
        if not mask.any():
            raise ValueError("a subset has no members: its index is undefined")
    out = []
    for h, mask, rank in zip(values, masks, (ranks_within or fractional_ranks_within)(r, masks), strict=True):
        lo, hi = _bounds(h[mask], lower, upper)
        _, cov = _weighted_cov(h[mask], rank, np.ones(rank.size))
        out.append(8.0 * cov / (hi - lo))
    return out


def _bounds(h: np.ndarray, lower: float, upper: float) -> tuple[float, float]:
    """Erreygers' bounds as floats, checked finite, ordered and holding every outcome."""
    try:
        lo, hi = float(lower), float(upper)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"lower and upper must be numbers: {exc}") from exc
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError(f"lower and upper must be finite, got lower={lower!r}, upper={upper!r}")
    if not lo < hi:
        raise ValueError(f"lower must be less than upper, got lower={lo}, upper={hi}")
    if np.any(h < lo) or np.any(h > hi):
        raise ValueError(f"outcome values must lie within [lower, upper] = [{lo}, {hi}]")
    return lo, hi
