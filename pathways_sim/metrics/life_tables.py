"""Abridged period life tables (Chiang), life expectancy and Sullivan healthy life expectancy."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from pathways_sim.metrics._checks import _as_1d_float, _check_int, _check_same_length

#: Lower bounds of the ONS-style abridged age bands: 0, 1-4, 5-9, ..., 85-89
#: and the open band 90+.
AGE_BANDS: np.ndarray = np.array([0, 1, *range(5, 95, 5)], dtype=float)



def whole_year_bands(band_starts: ArrayLike) -> Callable[[np.ndarray], np.ndarray]:
    """A function giving, for ages >= 0, the band each falls in: ``searchsorted(band_starts, age, side="right")
    - 1``, by a lookup on whole years of age (0-255).  Bands that start at whole years contain an age exactly
    when they contain its whole years, so the lookup gives what the search would, at a fraction of its cost."""
    starts = np.asarray(band_starts, dtype=float)
    if not np.all(np.floor(starts) == starts):
        raise ValueError(f"band starts must be whole years of age, got {starts.tolist()}")
    table = np.searchsorted(starts, np.arange(256), side="right") - 1

    def band(age: np.ndarray) -> np.ndarray:
        return table[np.clip(np.floor(age), 0, table.size - 1).astype(np.intp)]

    return band


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
    d_obs, py, starts, a0 = _checked_life_table_inputs(deaths, person_years, band_starts, a0)
    return _chiang_table(d_obs, py, starts, a0)


def _checked_life_table_inputs(
    deaths: ArrayLike, person_years: ArrayLike, band_starts: ArrayLike, a0: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """The inputs of :func:`life_table` as float arrays and a float ``a0``; ValueError names a bad one."""
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
    empty = py == 0
    if np.any(empty & (d_obs > 0)):
        bad = starts[empty & (d_obs > 0)]
        raise ValueError(f"deaths must be 0 where person_years is 0 (bands starting at ages {bad.tolist()})")
    return d_obs, py, starts, a0


def _chiang_table(d_obs: np.ndarray, py: np.ndarray, starts: np.ndarray, a0: float) -> pd.DataFrame:
    """The life-table columns from validated inputs (the formulas listed in :func:`life_table`)."""
    closed = np.arange(starts.shape[0]) < starts.shape[0] - 1
    empty = py == 0
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
        # ValueError, not TypeError: the package contract is that invalid arguments raise ValueError.
        raise ValueError(f"table must be a pandas DataFrame from life_table(), got {type(table).__name__}")
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


def expectancies_at_birth(
    deaths: ArrayLike, person_years: ArrayLike, unhealthy_years: ArrayLike, band_starts: ArrayLike = AGE_BANDS,
    a0: float = 0.1,
) -> tuple[np.ndarray, np.ndarray]:
    """Life expectancy and Sullivan healthy life expectancy at birth for many groups at once.

    Each row of the (G, B) inputs is one group's deaths, person-years and years lived in poor health by age
    band.  Each group's table closes at its highest band that has both deaths and person-time, the bands above
    folded into that open band (small simulated groups often have an empty top band; ONS tables close at 90+),
    then follows :func:`life_table` (Chiang) and :func:`sullivan_hle`.  A group with no such band gets NaN.

    >>> d = np.array([[1.0, 0, 2, 5]]); py = np.array([[100.0, 400, 500, 50]])
    >>> le, hle = expectancies_at_birth(d, py, np.zeros_like(d), np.array([0.0, 1, 5, 10]))
    >>> bool(np.isclose(le[0], life_expectancy(life_table(d[0], py[0], [0.0, 1, 5, 10]))))
    True
    """
    d = np.atleast_2d(np.asarray(deaths, dtype=float))
    py = np.atleast_2d(np.asarray(person_years, dtype=float))
    uh = np.atleast_2d(np.asarray(unhealthy_years, dtype=float))
    starts = _as_1d_float(band_starts, "band_starts")
    if not d.shape == py.shape == uh.shape or d.shape[1] != starts.size:
        raise ValueError(f"deaths, person_years and unhealthy_years must share a shape (G, {starts.size})")
    n_bands = starts.size
    usable = (d > 0) & (py > 0)
    estimable = usable.any(axis=1)
    last = n_bands - 1 - np.argmax(usable[:, ::-1], axis=1)
    band = np.arange(n_bands)[None, :]
    closed, open_band, tail = band < last[:, None], band == last[:, None], band >= last[:, None]

    def folded(values: np.ndarray) -> np.ndarray:
        return np.where(closed, values, 0.0) + np.where(open_band, (values * tail).sum(1, keepdims=True), 0.0)

    d, py, uh = folded(d), folded(py), folded(uh)
    mx = np.divide(d, py, out=np.zeros_like(d), where=py > 0)
    width = np.broadcast_to(np.append(np.diff(starts), 1.0), d.shape)
    ax = width / 2.0
    if starts[0] == 0 and n_bands > 1 and starts[1] == 1:
        ax = ax.copy()
        ax[:, 0] = a0
    qx = np.where(closed, np.minimum(width * mx / (1.0 + (width - ax) * mx), 1.0), np.where(open_band, 1.0, 0.0))
    lx = _RADIX * np.concatenate([np.ones((d.shape[0], 1)), np.cumprod(1.0 - qx[:, :-1], axis=1)], axis=1)
    dx = lx * qx
    l_next = np.concatenate([lx[:, 1:], np.zeros((d.shape[0], 1))], axis=1)
    lived_open = np.divide(lx, mx, out=np.zeros_like(lx), where=open_band & (mx > 0))
    Lx = np.where(closed, width * l_next + ax * dx, lived_open)
    prevalence = np.clip(np.divide(uh, py, out=np.zeros_like(uh), where=py > 0), 0.0, 1.0)
    le = Lx.sum(axis=1) / _RADIX
    hle = (Lx * (1.0 - prevalence)).sum(axis=1) / _RADIX
    return np.where(estimable, le, np.nan), np.where(estimable, hle, np.nan)
