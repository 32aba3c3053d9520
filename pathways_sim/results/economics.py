"""Health economics on the tidy results: discounting, QALYs, health opportunity cost, net health benefit, and a
distributional cost-effectiveness analysis (DCEA) by area deprivation quintile with Atkinson equity weighting.

Pure functions on numbers and small tables; the comparison tables (``pathways_sim.experiments.summaries``) call
them replicate by replicate.  The settings an economist would want to see stated are declared once, in
``ECONOMIC_PARAMETERS`` (name, default, unit, bounds, plausible range, source), like the model's parameters; they
are analysis settings, not model parameters, so changing them needs no new simulation.

Conventions (said again in every report that uses them):

- **Discounting**: costs and health discounted at ``discount_rate`` a year (3.5%, NICE), year t counted from the
  first reported year (t = 0, undiscounted), each year's flow discounted whole: factor 1 / (1 + r)^t.
- **QALYs**: each person-year weighted by a health-state utility: ``utility_good_health`` minus
  ``utility_decrement_not_good_health`` for time in not-good health, minus ``utility_decrement_cmd`` for time with
  a common mental disorder (additive decrements; Roberts et al. 2014 found additive decrements overstate the
  burden of co-morbidity a little).  Children's time counts at the same utilities (their not-good health and CMD
  are recorded as the model records them).
- **Health opportunity cost**: incremental cost / ``threshold`` (QALYs the money would have bought elsewhere in
  the system), shared across deprivation quintiles by ``OPPORTUNITY_COST_SHARES``.
- **Net health benefit** (NHB) = QALYs gained - health opportunity cost.
- **Equity weighting**: Atkinson's equally distributed equivalent (EDE) of the distribution of health across the
  five quintiles (population-weighted), with inequality aversion ``inequality_aversion``.

>>> round(float(discount_factors([2025, 2026, 2027], 0.035)[2]), 6)
0.933511
>>> round(atkinson_index([1.0, 1.0], [0.5, 0.5], 10.95), 12)
0.0
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pathways_sim.declarations.declare import Param

ECONOMIC_PARAMETERS: dict[str, Param] = {p.name: p for p in (
    Param("discount_rate", 0.035, "per year", (0.0, 0.2), (0.015, 0.035),
          "NICE health technology evaluations manual (PMG36, 2022) and the 2013 methods guide, section 5.6: 3.5% a "
          "year for costs and health, from the HM Treasury Green Book; 1.5% for health in sensitivity analyses",
          "Annual rate at which costs and health effects are discounted to the first reported year."),
    Param("threshold", 20_000.0, "GBP per QALY", (1.0, 1e7), (13_000.0, 30_000.0),
          "NICE: £20,000 to £30,000 per QALY gained (the lower end used here); Claxton et al. 2015 (Health Technol "
          "Assess 19(14)) estimate the health the NHS forgoes at about £13,000 per QALY",
          "Cost-effectiveness threshold: the cost at which the health system buys one QALY elsewhere, so the "
          "health forgone when money is spent here."),
    Param("utility_good_health", 0.85, "EQ-5D-3L index", (0.0, 1.0), (0.80, 0.92),
          "Roberts et al. 2014 (Health Qual Life Outcomes 12:6; Adult Psychiatric Morbidity Surveys, England): "
          "mean EQ-5D 0.851 among adults with no physical health problem",
          "Health-state utility of a year in good health without a common mental disorder."),
    Param("utility_decrement_not_good_health", 0.13, "EQ-5D-3L index", (0.0, 1.0), (0.08, 0.25),
          "Roberts et al. 2014: mean EQ-5D 0.705 to 0.741 with a muscular, respiratory or circulatory condition "
          "against 0.851 with none (decrement about 0.11 to 0.15); an approximation for 'not good' self-rated "
          "health, which the model records",
          "Utility lost in a year in not-good health."),
    Param("utility_decrement_cmd", 0.10, "EQ-5D-3L index", (0.0, 1.0), (0.05, 0.20),
          "assumption: Roberts et al. 2014 report the largest decrements for depression and mixed anxiety and "
          "depressive disorder (larger than for physical conditions); the figure itself was not checked here",
          "Utility lost in a year with a common mental disorder."),
    Param("inequality_aversion", 10.95, "Atkinson epsilon", (0.0, 50.0), (0.0, 30.0),
          "Robson et al. 2017 (Health Econ 26:1328): median Atkinson inequality aversion 10.95 in an online survey "
          "of the public in England (n = 244); weights health gains to the poorest fifth six to seven times those "
          "to the richest",
          "Atkinson inequality-aversion parameter of the equity-weighted social welfare function (0: no concern "
          "for inequality, only total health counts)."),
)}
DEFAULTS = {name: p.default for name, p in ECONOMIC_PARAMETERS.items()}
# Who bears the health forgone when money is spent, by area deprivation quintile (1 = most deprived): here in
# proportion to population (each person bears the same).  An assumption: Love-Koh et al. 2020 (Health Econ)
# estimate that more of the opportunity cost of NHS spending falls on the most deprived; their shares were not
# checked here, so the neutral split is used and said.
OPPORTUNITY_COST_SHARES = "population"
PER = 100_000  # counts and costs are also shown per this many people


def check_settings(**settings: float) -> dict[str, float]:
    """``DEFAULTS`` with ``settings`` laid over them, each within its declared bounds (``ValueError`` naming the
    setting otherwise)."""
    unknown = sorted(set(settings) - set(DEFAULTS))
    if unknown:
        raise ValueError(f"unknown economic setting(s) {unknown}; known: {sorted(DEFAULTS)}")
    resolved = {**DEFAULTS, **{k: float(v) for k, v in settings.items() if v is not None}}
    for name, value in resolved.items():
        low, high = ECONOMIC_PARAMETERS[name].bounds
        if not (np.isfinite(value) and low <= value <= high):
            raise ValueError(f"{name}: must be between {low:g} and {high:g}, got {value!r}")
    return resolved


def discount_factors(years: Sequence[int] | np.ndarray, rate: float, first: int | None = None) -> np.ndarray:
    """1 / (1 + rate)^(year - first) for each year (``first`` defaults to the earliest year given)."""
    years = np.asarray(years, dtype=float)
    if years.size == 0:
        return years
    start = years.min() if first is None else float(first)
    return np.power(1.0 + rate, -(years - start))


def discounted_total(years: Sequence[int] | np.ndarray, values: Sequence[float] | np.ndarray, rate: float,
                     first: int | None = None) -> float:
    """Sum of yearly ``values`` discounted at ``rate`` to ``first`` (the earliest year by default)."""
    values = np.asarray(values, dtype=float)
    return float(np.sum(values * discount_factors(years, rate, first)))


def qalys(person_years: np.ndarray, not_good_health_years: np.ndarray, cmd_years: np.ndarray,
          utility_good_health: float = DEFAULTS["utility_good_health"],
          utility_decrement_not_good_health: float = DEFAULTS["utility_decrement_not_good_health"],
          utility_decrement_cmd: float = DEFAULTS["utility_decrement_cmd"]) -> np.ndarray:
    """Quality-adjusted life years from person-years lived, of which in not-good health, of which with a common
    mental disorder (arrays of the same shape; additive utility decrements, floored at zero per person-year)."""
    person_years = np.asarray(person_years, dtype=float)
    lost = (utility_decrement_not_good_health * np.asarray(not_good_health_years, dtype=float)
            + utility_decrement_cmd * np.asarray(cmd_years, dtype=float))
    return np.maximum(utility_good_health * person_years - lost, 0.0)


def health_opportunity_cost(cost: float, threshold: float) -> float:
    """QALYs forgone elsewhere when ``cost`` is spent, at ``threshold`` per QALY."""
    if threshold <= 0:
        raise ValueError(f"threshold: must be positive, got {threshold!r}")
    return float(cost) / float(threshold)


def net_health_benefit(qalys_gained: float, cost: float, threshold: float) -> float:
    """QALYs gained minus the health opportunity cost of the incremental cost."""
    return float(qalys_gained) - health_opportunity_cost(cost, threshold)


def _weights(values: np.ndarray, weights: Sequence[float] | np.ndarray | None) -> np.ndarray:
    w = np.ones_like(values) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != values.shape or np.any(w < 0) or w.sum() <= 0:
        raise ValueError("weights: one non-negative weight per value, not all zero")
    return w / w.sum()


def equally_distributed_equivalent(values: Sequence[float] | np.ndarray,
                                   weights: Sequence[float] | np.ndarray | None = None,
                                   epsilon: float = DEFAULTS["inequality_aversion"]) -> float:
    """Atkinson's equally distributed equivalent level of health: the level which, if everyone had it, gives the
    same social welfare as ``values`` (weighted by ``weights``); the geometric mean when ``epsilon`` is 1."""
    h = np.asarray(values, dtype=float)
    if h.size == 0 or not np.all(np.isfinite(h)):
        return float("nan")
    if np.any(h <= 0):
        raise ValueError("Atkinson welfare needs positive levels of health")
    w = _weights(h, weights)
    if epsilon < 0:
        raise ValueError(f"epsilon: must be at least 0, got {epsilon!r}")
    if abs(epsilon - 1.0) < 1e-12:
        return float(np.exp(np.sum(w * np.log(h))))
    # Scaled by the largest value before the power, so a large epsilon does not underflow.
    top = h.max()
    return float(top * np.sum(w * (h / top) ** (1.0 - epsilon)) ** (1.0 / (1.0 - epsilon)))


def atkinson_index(values: Sequence[float] | np.ndarray, weights: Sequence[float] | np.ndarray | None = None,
                   epsilon: float = DEFAULTS["inequality_aversion"]) -> float:
    """Atkinson index 1 - EDE / mean: the share of average health society would give up for equality."""
    h = np.asarray(values, dtype=float)
    if h.size == 0 or not np.all(np.isfinite(h)):
        return float("nan")
    mean = float(np.sum(_weights(h, weights) * h))
    return 1.0 - equally_distributed_equivalent(h, weights, epsilon) / mean


def opportunity_cost_shares(population: Sequence[float] | np.ndarray) -> np.ndarray:
    """Share of the health opportunity cost borne by each quintile (``OPPORTUNITY_COST_SHARES``: in proportion to
    population)."""
    population = np.asarray(population, dtype=float)
    total = population.sum()
    return population / total if total > 0 else np.full(population.shape, 1.0 / max(population.size, 1))


def ratio_verdict(d_cost: tuple[float, float, float], d_gain: tuple[float, float, float]  # noqa: PLR0911
                  ) -> str:
    """What a cost per unit of health gained can honestly say, from the incremental cost and gain, each (mean,
    low, high): 'dominant' (cheaper and better), 'dominated' (dearer and worse), 'not resolved' when an interval
    crosses zero or is missing, 'cost-saving, less health' (cheaper and worse), else '' (a ratio to report)."""
    _, cost_low, cost_high = d_cost
    _, gain_low, gain_high = d_gain
    if not all(np.isfinite(v) for v in (cost_low, cost_high, gain_low, gain_high)):
        return "not resolved"
    cost_sign = 1 if cost_low > 0 else -1 if cost_high < 0 else 0
    gain_sign = 1 if gain_low > 0 else -1 if gain_high < 0 else 0
    if gain_sign == 0 or cost_sign == 0:
        if gain_sign == 1 and cost_high <= 0:
            return "dominant"
        return "not resolved"
    if cost_sign < 0 < gain_sign:
        return "dominant"
    if cost_sign > 0 > gain_sign:
        return "dominated"
    if cost_sign < 0 and gain_sign < 0:
        return "cost-saving, less health"
    return ""
