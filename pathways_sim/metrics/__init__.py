"""Inequality and population-health summary measures.

Pure, vectorised functions (numpy / pandas only) used to summarise simulated
populations: area-level inequality indices (slope and relative index of
inequality), individual-level rank-dependent indices (concentration index and
Erreygers' corrected index), abridged period life tables with Sullivan
health expectancies, and helpers for means by group and quantile grouping.

Conventions
-----------
* Deprivation groups are ordered from the MOST deprived (``g = 1``, first
  element) to the LEAST deprived (``g = G``, last element), as in ONS and
  OHID/PHE deprivation-decile tables.
* Population shares ``p_g`` are normalised inside each function, so counts
  can be passed directly.  The ridit (cumulative-midpoint rank) of group ``g``
  is ``x_g = sum_{j<g} p_j + p_g / 2``; ``x = 0`` is the most deprived end of
  the population and ``x = 1`` the least deprived end.
* Individual-level ranks are *fractional ranks* in ``(0, 1)`` computed in
  ascending order of the ranking variable (lowest income = poorest = smallest
  rank); tied individuals share the mean fractional rank of their tie group,
  so results never depend on row order.

Every function validates its inputs and raises :class:`ValueError` naming the
offending argument and what is allowed.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

__all__ = [
    "AGE_BANDS",
    "concentration_index",
    "erreygers_index",
    "gap",
    "inequality_regression",
    "life_expectancy",
    "life_table",
    "quantile_groups",
    "relative_index_of_inequality",
    "relative_index_of_inequality_phe",
    "ridits",
    "slope_index_of_inequality",
    "sullivan_hle",
    "weighted_group_means",
]

#: Lower bounds of the ONS-style abridged age bands: 0, 1-4, 5-9, ..., 85-89
#: and the open band 90+.
AGE_BANDS: np.ndarray = np.array([0, 1, *range(5, 95, 5)], dtype=float)

#: Radix of the life table (l_0), the conventional 100 000.
_RADIX = 100_000.0

_LIFE_TABLE_COLUMNS = [
    "age_start",
    "width",
    "deaths",
    "person_years",
    "mx",
    "ax",
    "qx",
    "lx",
    "dx",
    "Lx",
    "Tx",
    "ex",
]


# --------------------------------------------------------------------------
# Input validation helpers
# --------------------------------------------------------------------------


def _as_1d_float(x: ArrayLike, name: str, *, min_len: int = 1) -> np.ndarray:
    """Convert ``x`` to a finite 1-D float array, or raise ValueError naming it."""
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a 1-D array of numbers; could not convert it: {exc}") from exc
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-dimensional, got an array with shape {arr.shape}")
    if arr.size < min_len:
        raise ValueError(f"{name} must have at least {min_len} element(s), got {arr.size}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must not contain NaN or infinite values")
    return arr


def _as_weights(x: ArrayLike, name: str, *, min_len: int = 1) -> np.ndarray:
    """Finite, non-negative weights with a positive total (not normalised)."""
    arr = _as_1d_float(x, name, min_len=min_len)
    if np.any(arr < 0):
        raise ValueError(f"{name} must be non-negative")
    if not arr.sum() > 0:
        raise ValueError(f"{name} must sum to a positive number (got all zeros)")
    return arr


def _check_same_length(**arrays: np.ndarray) -> None:
    lengths = {name: a.shape[0] for name, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{n} has length {k}" for n, k in lengths.items())
        raise ValueError(f"arrays must have the same length: {detail}")


def _optional_weights(weights: ArrayLike | None, n: int) -> np.ndarray:
    if weights is None:
        return np.ones(n)
    w = _as_weights(weights, "weights")
    if w.shape[0] != n:
        raise ValueError(f"weights must have the same length as the data ({n}), got {w.shape[0]}")
    return w


def _check_int(value: object, name: str, low: int, high: int) -> int:
    # bool is an Integral subclass but passing True/False is always a mistake here.
    # ValueError (not TypeError) throughout: the package contract is that every
    # invalid argument raises ValueError naming it.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(  # noqa: TRY004
            f"{name} must be an integer, got {value!r}"
        )
    value = int(value)
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")
    return value


# --------------------------------------------------------------------------
# Group-level (area / decile) inequality measures
# --------------------------------------------------------------------------


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


# --------------------------------------------------------------------------
# Individual-level rank-dependent indices
# --------------------------------------------------------------------------


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
    total = w.sum()
    rank = _fractional_rank(r, w)
    mu = float(np.dot(w, h) / total)
    rank_bar = np.dot(w, rank) / total  # 1/2 in exact arithmetic
    cov = float(np.dot(w, (h - mu) * (rank - rank_bar)) / total)
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
    _, cov = _weighted_cov_with_rank(h, r, w)
    # 4 * mu * C = 4 * mu * 2 cov / mu = 8 cov.
    return 8.0 * cov / (hi - lo)


# --------------------------------------------------------------------------
# Life tables and health expectancy
# --------------------------------------------------------------------------


def life_table(
    deaths: ArrayLike,
    person_years: ArrayLike,
    band_starts: ArrayLike = AGE_BANDS,
    a0: float = 0.1,
) -> pd.DataFrame:
    """Abridged period life table by Chiang's method.

    Follows Chiang (1984), *The Life Table and its Applications*, as used for
    ONS sub-national and deprivation-decile life expectancy:

    * ``n_x`` = band width (``inf`` for the open last band);
    * ``m_x = D_x / PY_x``;
    * ``a_x = n_x / 2``, except ``a_0 = a0`` for an infant band [0, 1);
      for the open band ``a_x = 1 / m_x`` (the mean time lived there);
    * ``q_x = n_x m_x / (1 + (n_x - a_x) m_x)``, capped at 1; ``q = 1`` for
      the open band;
    * ``l_0 = 100000``, ``d_x = l_x q_x``, ``l_{x+n} = l_x - d_x``;
    * ``L_x = n_x l_{x+n} + a_x d_x`` for closed bands, ``L = l / m`` for the
      open band;
    * ``T_x = sum_{i >= x} L_i`` and ``e_x = T_x / l_x`` (``nan`` where
      ``l_x = 0``, i.e. nobody survives to that age).

    A closed band with zero person-years (and therefore zero deaths) is given
    ``m_x = 0``: no one was exposed there, so the band contributes no deaths
    and everyone reaching it survives it.  This keeps small simulated
    populations with empty age bands usable.

    Parameters
    ----------
    deaths : array_like, shape (B,)
        Deaths ``D_x`` in each age band; non-negative.
    person_years : array_like, shape (B,)
        Person-years at risk ``PY_x`` in each age band; non-negative.
    band_starts : array_like, shape (B,), default :data:`AGE_BANDS`
        Lower age bound of each band, strictly increasing and non-negative;
        the last band is open-ended.
    a0 : float, default 0.1
        Average fraction of the year lived by infants dying in [0, 1); used
        only when the first band starts at 0 and is 1 year wide.  Must lie in
        [0, 1].

    Returns
    -------
    pandas.DataFrame
        One row per band with columns ``age_start, width, deaths,
        person_years, mx, ax, qx, lx, dx, Lx, Tx, ex``.

    Raises
    ------
    ValueError
        On negative, NaN or mismatched inputs; deaths in a closed band with
        zero person-years (a rate cannot be formed); zero person-years or zero
        deaths in the open last band (``L = l/m`` cannot close the table).
    """
    d_obs = _as_1d_float(deaths, "deaths")
    py = _as_1d_float(person_years, "person_years")
    starts = _as_1d_float(band_starts, "band_starts")
    _check_same_length(deaths=d_obs, person_years=py, band_starts=starts)
    if np.any(d_obs < 0):
        raise ValueError("deaths must be non-negative")
    if np.any(py < 0):
        raise ValueError("person_years must be non-negative")
    if np.any(starts < 0) or np.any(np.diff(starts) <= 0):
        raise ValueError("band_starts must be non-negative and strictly increasing")
    try:
        a0 = float(a0)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"a0 must be a number in [0, 1]: {exc}") from exc
    if not 0.0 <= a0 <= 1.0:
        raise ValueError(f"a0 must lie in [0, 1], got {a0}")

    if py[-1] == 0:
        raise ValueError(
            "person_years must be positive in the open last age band: "
            "with no exposure there L = l/m cannot close the life table"
        )
    if d_obs[-1] == 0:
        raise ValueError(
            "deaths must be positive in the open last age band: "
            "with m = 0 there the open band's L = l/m is infinite"
        )
    closed = np.arange(starts.shape[0]) < starts.shape[0] - 1
    empty = py == 0
    if np.any(empty & (d_obs > 0)):
        bad = starts[empty & (d_obs > 0)]
        raise ValueError(f"deaths must be 0 where person_years is 0 (bands starting at ages {bad.tolist()})")

    width = np.append(np.diff(starts), np.inf)
    # Empty closed bands: m = 0 (documented above); np.divide with `where`
    # avoids a 0/0 warning.
    mx = np.divide(d_obs, py, out=np.zeros_like(d_obs), where=~empty)

    ax = width / 2.0
    if starts[0] == 0 and width[0] == 1:
        ax[0] = a0
    ax[-1] = 1.0 / mx[-1]

    qx = np.ones_like(mx)
    n_c, m_c, a_c = width[closed], mx[closed], ax[closed]
    # Chiang's conversion; the cap guards against q > 1 for very high rates.
    qx[closed] = np.minimum(n_c * m_c / (1.0 + (n_c - a_c) * m_c), 1.0)

    # Survivorship: l_x = l_0 * prod_{i<x} (1 - q_i).
    lx = _RADIX * np.concatenate(([1.0], np.cumprod(1.0 - qx[:-1])))
    dx = lx * qx
    l_next = np.append(lx[1:], 0.0)
    Lx = np.empty_like(lx)
    Lx[closed] = n_c * l_next[closed] + a_c * dx[closed]
    Lx[-1] = lx[-1] / mx[-1]
    # Reverse cumulative sum gives person-years lived above each age.
    Tx = np.cumsum(Lx[::-1])[::-1]
    ex = np.divide(Tx, lx, out=np.full_like(Tx, np.nan), where=lx > 0)

    return pd.DataFrame(
        {
            "age_start": starts,
            "width": width,
            "deaths": d_obs,
            "person_years": py,
            "mx": mx,
            "ax": ax,
            "qx": qx,
            "lx": lx,
            "dx": dx,
            "Lx": Lx,
            "Tx": Tx,
            "ex": ex,
        },
        columns=_LIFE_TABLE_COLUMNS,
    )


def _check_table_and_index(table: pd.DataFrame, from_age_index: int, needed: tuple[str, ...]) -> int:
    if not isinstance(table, pd.DataFrame):
        raise ValueError(  # noqa: TRY004 - package contract: invalid arguments raise ValueError
            f"table must be a pandas DataFrame from life_table(), got {type(table).__name__}"
        )
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise ValueError(f"table is missing life-table column(s) {missing}; build it with life_table()")
    if len(table) == 0:
        raise ValueError("table must have at least one row")
    idx = _check_int(from_age_index, "from_age_index", 0, len(table) - 1)
    if not table["lx"].iloc[idx] > 0:
        raise ValueError(
            f"from_age_index={idx}: no survivors (l_x = 0) at that age, so expectancy is undefined"
        )
    return idx


def sullivan_hle(table: pd.DataFrame, unhealthy_prevalence: ArrayLike, from_age_index: int = 0) -> float:
    """Healthy life expectancy by Sullivan's method.

    ``HLE_x = (1 / l_x) * sum_{i >= x} L_i * (1 - pi_i)``, where ``pi_i`` is
    the prevalence of the unhealthy state in age band ``i`` (Sullivan 1971,
    "A single index of mortality and morbidity", HSMHA Health Reports
    86:347-354; Jagger et al., *Health expectancy calculation by the Sullivan
    method: a practical guide*, EHLEIS Technical Report, 4th ed. 2014).

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`life_table` (needs columns ``lx`` and ``Lx``).
    unhealthy_prevalence : array_like, shape (B,)
        Proportion in the unhealthy state in each age band, in [0, 1]; one
        value per row of ``table``.
    from_age_index : int, default 0
        Row of ``table`` (age band) from which expectancy is computed.

    Returns
    -------
    float
        Expected years lived in good health from the start of that band.

    Raises
    ------
    ValueError
        If prevalences are outside [0, 1], NaN, or of the wrong length; if
        ``from_age_index`` is out of range or ``l_x = 0`` there.
    """
    pi = _as_1d_float(unhealthy_prevalence, "unhealthy_prevalence")
    idx = _check_table_and_index(table, from_age_index, ("lx", "Lx"))
    if pi.shape[0] != len(table):
        raise ValueError(
            f"unhealthy_prevalence must have one value per life-table row ({len(table)}), got {pi.shape[0]}"
        )
    if np.any(pi < 0) or np.any(pi > 1):
        raise ValueError("unhealthy_prevalence must lie within [0, 1]")
    L = table["Lx"].to_numpy(dtype=float)
    lx = table["lx"].to_numpy(dtype=float)
    return float(np.dot(L[idx:], 1.0 - pi[idx:]) / lx[idx])


def life_expectancy(table: pd.DataFrame, from_age_index: int = 0) -> float:
    """Period life expectancy ``e_x = T_x / l_x`` read from a life table.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`life_table`.
    from_age_index : int, default 0
        Row (age band) at which to read ``e_x``; 0 gives life expectancy at
        birth with the default bands.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If ``from_age_index`` is out of range or ``l_x = 0`` there.
    """
    idx = _check_table_and_index(table, from_age_index, ("lx", "ex"))
    return float(table["ex"].iloc[idx])


# --------------------------------------------------------------------------
# Grouping helpers
# --------------------------------------------------------------------------


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
