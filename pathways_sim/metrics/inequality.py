"""Group-level (area / decile) inequality measures: ridits, the slope and relative indices, the gap.

Groups are ordered most deprived first; see the package docstring for the conventions.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from pathways_sim.metrics._checks import _as_1d_float, _as_weights, _check_same_length


def ridits(shares: ArrayLike) -> np.ndarray:
    """Ridit scores (cumulative-midpoint ranks) of ordered population groups.

    Parameters
    ----------
    shares : array_like, shape (G,)
        Population share (or count) of each group, ordered from most to least
        deprived.  Non-negative with a positive sum; normalised here.

    Returns
    -------
    numpy.ndarray, shape (G,)
        ``x_g = sum_{j<g} p_j + p_g / 2`` with ``p = shares / sum(shares)``:
        the mid-point of each group's interval on the cumulative population
        scale [0, 1] (Bross 1958; Mackenbach & Kunst 1997).

    Raises
    ------
    ValueError
        If ``shares`` is empty, not 1-D, contains NaN/inf or negative values,
        or sums to zero.
    """
    p = _as_weights(shares, "shares")
    p = p / p.sum()
    # cumsum - p/2 is the midpoint of each group's interval [cum_{g-1}, cum_g].
    return np.cumsum(p) - p / 2.0


def inequality_regression(values: ArrayLike, shares: ArrayLike) -> tuple[float, float]:
    """Weighted least-squares fit of group values on ridits.

    Fits ``y_g = a + b * x_g`` by weighted least squares with weights ``p_g``,
    the regression underlying the slope and relative indices of inequality
    (Mackenbach & Kunst 1997, Soc Sci Med 44:757-771; Low & Low 2004,
    J Epidemiol Community Health 58:662-663; ONS/PHE SII methodology).

    Parameters
    ----------
    values : array_like, shape (G,)
        Value of the indicator in each group, most deprived first.
    shares : array_like, shape (G,)
        Population share (or count) of each group; non-negative, positive sum.
        At least two groups must have a positive share.

    Returns
    -------
    intercept, slope : tuple of float
        ``intercept`` is the fitted value at the most deprived end (x = 0);
        ``slope`` is the fitted value at the least deprived end (x = 1) minus
        the value at x = 0, i.e. the slope index of inequality.

    Raises
    ------
    ValueError
        On mismatched lengths, NaN/inf values, invalid shares or fewer than
        two groups with a positive share (the slope is then undefined).
    """
    y = _as_1d_float(values, "values")
    p = _as_weights(shares, "shares")
    _check_same_length(values=y, shares=p)
    if np.count_nonzero(p) < 2:
        raise ValueError("shares must be positive for at least two groups to fit a slope")
    p = p / p.sum()
    x = np.cumsum(p) - p / 2.0
    # Closed-form WLS with centred variables; the weighted mean of the ridits
    # is 1/2 in exact arithmetic but is computed to keep rounding consistent.
    x_bar = np.dot(p, x)
    y_bar = np.dot(p, y)
    dx = x - x_bar
    sxx = np.dot(p, dx * dx)
    sxy = np.dot(p, dx * (y - y_bar))
    slope = sxy / sxx
    intercept = y_bar - slope * x_bar
    return float(intercept), float(slope)


def slope_index_of_inequality(values: ArrayLike, shares: ArrayLike) -> float:
    """Slope index of inequality (SII).

    The absolute difference in the fitted indicator between the least deprived
    (x = 1) and most deprived (x = 0) ends of the population, from the weighted
    regression of group values on ridits (see :func:`inequality_regression`).
    With groups ordered most-deprived first this is positive when the least
    deprived have higher values, e.g. for life expectancy, matching how ONS
    and PHE/OHID report the SII for life expectancy.

    Parameters
    ----------
    values : array_like, shape (G,)
        Group values, most deprived first.
    shares : array_like, shape (G,)
        Population shares or counts (normalised internally).

    Returns
    -------
    float
        ``yhat(1) - yhat(0)``.
    """
    _, slope = inequality_regression(values, shares)
    return slope


def relative_index_of_inequality(values: ArrayLike, shares: ArrayLike) -> float:
    """Relative index of inequality (RII) as a ratio of fitted extremes.

    ``RII = yhat(1) / yhat(0)``: the fitted value at the least deprived end of
    the population divided by that at the most deprived end, from the WLS fit
    of :func:`inequality_regression` (the "ratio" form of Mackenbach & Kunst
    1997; Sergeant & Firth 2006).  This form is chosen because it is a
    rate-ratio analogue that is invariant to the units of ``values``.  Note
    that with the most-deprived-first ordering an indicator that is *higher*
    in deprived groups (e.g. mortality) gives RII < 1; take the reciprocal for
    a "most deprived relative to least deprived" ratio.

    PHE/OHID's alternative definition, SII divided by the population-weighted
    mean, is available as :func:`relative_index_of_inequality_phe`.

    Parameters
    ----------
    values : array_like, shape (G,)
        Group values, most deprived first.
    shares : array_like, shape (G,)
        Population shares or counts (normalised internally).

    Returns
    -------
    float
        ``(intercept + slope) / intercept``.

    Raises
    ------
    ValueError
        If the fitted value at the most deprived end, ``yhat(0)``, is exactly
        zero (the ratio is undefined), or on invalid inputs.
    """
    intercept, slope = inequality_regression(values, shares)
    if intercept == 0.0:
        raise ValueError(
            "values give a fitted value of 0 at the most deprived end (yhat(0) = 0), "
            "so the ratio RII = yhat(1)/yhat(0) is undefined; "
            "use relative_index_of_inequality_phe or slope_index_of_inequality"
        )
    return float((intercept + slope) / intercept)


def relative_index_of_inequality_phe(values: ArrayLike, shares: ArrayLike) -> float:
    """Relative index of inequality as defined by PHE/OHID: SII / mean.

    ``RII = SII / ybar`` where ``ybar = sum_g p_g y_g`` is the population-
    weighted mean of the indicator (Public Health England, "Technical
    Guidance: Slope index of inequality and relative index of inequality",
    PHOF / Segment Tool methodology).  It expresses the absolute gap across
    the whole social gradient as a proportion of the average level.

    Parameters
    ----------
    values : array_like, shape (G,)
        Group values, most deprived first.
    shares : array_like, shape (G,)
        Population shares or counts (normalised internally).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If the weighted mean of ``values`` is zero, or on invalid inputs.
    """
    _, slope = inequality_regression(values, shares)
    y = np.asarray(values, dtype=float)
    p = np.asarray(shares, dtype=float)
    mean = float(np.dot(p / p.sum(), y))
    if mean == 0.0:
        raise ValueError("values have a population-weighted mean of 0, so SII / mean is undefined")
    return slope / mean


def gap(values: ArrayLike) -> float:
    """Absolute gap between the least and most deprived groups.

    Parameters
    ----------
    values : array_like, shape (G,)
        Group values ordered most deprived (first) to least deprived (last);
        at least two groups.

    Returns
    -------
    float
        ``values[-1] - values[0]`` (e.g. the decile gap in life expectancy
        reported by ONS, positive when the least deprived live longer).
    """
    y = _as_1d_float(values, "values", min_len=2)
    return float(y[-1] - y[0])
