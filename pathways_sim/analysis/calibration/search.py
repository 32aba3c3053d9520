"""The search: a regression trust-region Gauss-Newton over blocks of free parameters.

Each free parameter answers only to the targets it stands for (``FREE_PARAMETERS``): the parameters with a
target of their own (ACEs, mental disorder, loneliness, smoking, Gini) are fitted as one block, the
mortality and ill-health parameters as a second block against life and healthy life expectancy, and the
first block is polished again at the end (``_blocks``).  A model run costs tens of seconds and its decile
life expectancies carry run-to-run noise that common random numbers cannot remove, so each block's
Jacobian is a local linear regression on every run so far (``_local_linear_fit``) and its steps minimise
that linear model's loss with ``scipy.optimize.least_squares`` (``_linear_step``).  Candidates are given on
the unit scale of the plausible ranges and counted against the budget by ``_Evaluator``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

from pathways_sim.analysis.calibration.statistics import objective, residuals
from pathways_sim.mechanisms.parameters import PARAMETERS, Parameters

# Free parameters fitted by default: each answers to the targets it stands for, and only to them (its column
# of the Jacobian is masked to those rows), so a parameter is never bent to hit another mechanism's target:
# the ACE parameters cannot trade ACE prevalence for life expectancy, nor the Gini for a steeper gradient.
# All are assumptions or baseline rates whose declared plausible range is wide; the pathway strengths that
# make the social gradient keep their literature values, except allostatic load -> not-good health, whose size
# per biomarker is the least pinned down (its plausible range still bounds it).  Allostatic load -> death is
# not free: its direct part is set so that the model's total effect reproduces Robertson et al. 2017
# (analysis/total_effects.py).
# The mental-disorder ratio by deprivation answers to no free parameter: the strengths that make it keep their
# literature values, so the fit reports how far the mechanisms reproduce it.  The employment and unemployment
# ratios are exposures, not mechanisms: the two labour-market gradients answer to them.  The share of life in
# not-good health by decile is the healthy-life-expectancy block's: it is HLE / LE seen from the other side.
LIFE_TARGETS = ("life_expectancy_at_birth", "healthy_life_expectancy_at_birth", "healthy_life_expectancy_sii",
                "healthy_life_expectancy_at_birth_by_decile", "life_expectancy_sii", "not_good_health_share_of_life")
FREE_PARAMETERS: Mapping[str, tuple[tuple[str, ...], str]] = {
    "mortality_rate_at_50": (LIFE_TARGETS, "baseline death hazard: the level of life expectancy"),
    "male_mortality_log_hr": (LIFE_TARGETS, "men's extra mortality: the male-female life-expectancy gap"),
    "poor_health_rate_at_50": (LIFE_TARGETS, "baseline onset of not-good health: the level of HLE"),
    "poor_health_recovery_rate": (LIFE_TARGETS, "recovery to good health: years lived in not-good health"),
    "allostatic_load_poor_health_strength": (LIFE_TARGETS, "wear raising ill health: the HLE gradient"),
    "female_poor_health_log_hr": (LIFE_TARGETS, "women's extra onset of not-good health: HLE by sex"),
    "cmd_onset_rate": (("common_mental_disorder_prevalence",), "baseline onset of mental disorder (APMS)"),
    "lonely_threshold": (("loneliness_often_always",), ("where the loneliness index counts as 'often/always' "
                         "lonely: a measurement cut-off, not a mechanism")),
    "smoking_initiation_rate": (("current_smoking",), ("baseline uptake (cessation keeps its published "
                                "4-6% a year): smoking prevalence")),
    "ace_mean": (("ace_prevalence_any",), "ACEs of the starting adults: the 18-69 prevalence at the start"),
    "ace_hazard_rate": (("ace_prevalence_any_cohort",), ("ACE hazard in simulated childhoods: the "
                        "prevalence of the cohorts the model raises")),
    "income_log_sd": (("income_gini",), "spread of earning potential: the income Gini"),
    "inactivity_deprivation_gradient": (("employment_rate_ratio",), ("economic inactivity by area deprivation: "
                                        "the employment ratio (an exposure gradient with its own target)")),
    "reemployment_deprivation_gradient": (("unemployment_rate_ratio",), ("jobs within reach by area deprivation: "
                                          "the unemployment ratio (an exposure gradient with its own target)")),
}


class _BudgetSpent(Exception):
    pass


class _Evaluator:
    """Runs candidates given on the unit scale of the plausible ranges; counts runs against the budget."""

    def __init__(self, names: list[str], base: Parameters, run: Callable[[Parameters], pd.DataFrame],
                 budget: int, progress: Callable[[str], None] | None):
        self.names, self.base, self.run, self.budget, self.progress = names, base, run, budget, progress
        self.lo = np.array([PARAMETERS[n].plausible[0] for n in names])
        self.hi = np.array([PARAMETERS[n].plausible[1] for n in names])
        self.cache: dict[tuple, np.ndarray] = {}
        self.history: list[float] = []
        self.started = time.perf_counter()

    def values(self, x: np.ndarray) -> dict[str, float]:
        v = self.lo + np.clip(x, 0, 1) * (self.hi - self.lo)
        return {n: (round(float(val)) if PARAMETERS[n].integer else float(val))
                for n, val in zip(self.names, v, strict=True)}

    def to_unit(self, values: Mapping[str, float]) -> np.ndarray:
        v = np.array([values[n] for n in self.names], dtype=float)
        return np.clip((v - self.lo) / (self.hi - self.lo), 0, 1)

    def __call__(self, x: np.ndarray, label: str = "") -> np.ndarray:
        key = tuple(np.round(x, 12))
        if key in self.cache:
            return self.cache[key]
        if len(self.history) >= self.budget:
            raise _BudgetSpent
        r = residuals(self.run(self.base.replace(**self.values(x))))
        self.cache[key] = r
        self.history.append(objective(r))
        if self.progress:
            self.progress(f"evaluation {len(self.history)}/{self.budget} {label}: "
                          f"objective {self.history[-1]:.2f}, {time.perf_counter() - self.started:.0f} s")
        return r


def _local_linear_fit(X: np.ndarray, R: np.ndarray, centre: np.ndarray, width: float,
                      prior: np.ndarray | None, ridge: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Residuals near ``centre`` as c + J (x - centre): weighted least squares over every run so far.

    Weights fall with distance (Gaussian kernel of ``width``), so far points inform without dominating; a
    small ridge pulls J towards the previous fit, which keeps it defined while points are few.  Fitting
    rather than differencing is what makes the search robust: one extra death in a decile moves its life
    expectancy by ~0.5 years between two runs even with common random numbers, and a regression over many
    runs averages that out where a difference of two runs would amplify it.
    """
    d = X - centre
    w = np.sqrt(np.exp(-0.5 * np.sum(d * d, axis=1) / width ** 2))
    n = X.shape[1]
    A = np.hstack([np.ones((len(X), 1)), d]) * w[:, None]
    B = R * w[:, None]
    prior = np.zeros((R.shape[1], n)) if prior is None else prior
    A = np.vstack([A, np.hstack([np.zeros((n, 1)), np.sqrt(ridge) * np.eye(n)])])
    B = np.vstack([B, np.sqrt(ridge) * prior.T])
    coef = np.linalg.lstsq(A, B, rcond=None)[0]
    return coef[0], coef[1:].T


def _linear_step(c: np.ndarray, J: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The move d in [lo, hi] minimising the soft-L1 objective of the linear model c + J d (no model run).

    The problem is convex, so it starts from the middle of the box: started on a bound (d = 0 when the
    centre sits at the edge of a plausible range), the trust-region reflective method can stop at once.
    """
    return optimize.least_squares(lambda d: c + J @ d, (lo + hi) / 2, jac=lambda d: J, bounds=(lo, hi),
                                  loss="soft_l1", method="trf", ftol=1e-12, xtol=1e-12, gtol=1e-12).x


@dataclass
class _Block:
    """Free parameters searched together (indices into x), the residual rows they answer to, and the mask
    of which parameter answers to which row."""

    label: str
    params: np.ndarray
    rows: np.ndarray
    mask: np.ndarray  # (len(rows), len(params)) bool
    J: np.ndarray | None = None  # the last Jacobian fitted, reused when the block is searched again


def _search(f: _Evaluator, x: np.ndarray, block: _Block, cap: int, step: float = 0.25,
            radius: float = 0.25) -> np.ndarray:
    """Regression trust-region Gauss-Newton over one block's parameters; returns the best x found.

    The block's objective counts only its own rows.  Without a Jacobian from an earlier pass, a design of
    one step of ``step`` along each of its axes gives the first; then each iteration fits the rows
    linearly around the best run so far (``_local_linear_fit``), masks the Jacobian so each parameter moves
    only for its own targets, minimises the soft-L1 objective of that linear model inside the trust region
    (``scipy.optimize.least_squares``, which costs no model run) and runs the solution; the region grows
    after an improvement and shrinks after a failure.  Stops after ``cap`` runs, when the budget is spent,
    or when no better point is predicted or found at the smallest region.
    """
    idx, rows, mask = block.params, block.rows, block.mask
    X, R = [], []

    def run(point: np.ndarray) -> float:
        r = f(point, block.label)[rows]
        X.append(point[idx].copy())
        R.append(r)
        return objective(r)

    def best_point() -> np.ndarray:
        point = x.copy()
        point[idx] = X[int(np.argmin([objective(r) for r in R]))]
        return point

    try:
        run(x)
        if block.J is None:
            for i in idx:
                if len(X) >= cap:
                    return best_point()
                xi = x.copy()
                xi[i] += step if x[i] + step <= 1 else -step
                run(xi)
        J, stalled = block.J, 0
        while stalled < 3 and len(X) < cap:
            costs = [objective(r) for r in R]
            centre = X[int(np.argmin(costs))]
            c, J = _local_linear_fit(np.array(X), np.array(R), centre, max(2 * radius, step), J)
            block.J = J = J * mask
            lo, hi = np.maximum(centre - radius, 0.0) - centre, np.minimum(centre + radius, 1.0) - centre
            move = _linear_step(c, J, lo, hi)
            if np.max(np.abs(move)) < 1e-3:  # the linear model predicts nothing better nearby
                stalled += 1
                radius = max(radius / 2, 0.02)
                continue
            trial = x.copy()
            trial[idx] = centre + move
            improved = run(trial) < min(costs)
            radius = min(radius * 1.5, 1.0) if improved else max(radius / 2, 0.02)
            stalled = 0 if improved else stalled + (radius <= 0.02)
    except _BudgetSpent:
        pass
    return best_point() if X else x


def _blocks(names: list[str], frame: pd.DataFrame) -> list[_Block]:
    """The search order: parameters with their own targets first (one block, masked to a diagonal), then the
    life-expectancy block, then any parameter not in ``FREE_PARAMETERS`` (answering to every target), then
    the first block once more, since health changes move prevalences a little (through who survives)."""
    target_of_row = frame["target"].to_numpy()
    groups: dict[str, list[int]] = {"own targets": [], "life expectancy": [], "other": []}
    for i, name in enumerate(names):
        answers = FREE_PARAMETERS.get(name, (None, ""))[0]
        groups["other" if answers is None else "life expectancy" if answers == LIFE_TARGETS
               else "own targets"].append(i)
    blocks = []
    for label, idx in groups.items():
        if not idx:
            continue
        mask = np.array([[label == "other" or t in FREE_PARAMETERS[names[i]][0] for i in idx]
                         for t in target_of_row])
        rows = np.flatnonzero(mask.any(axis=1))
        if rows.size:  # a parameter whose targets are not in the file stays at its start
            blocks.append(_Block(label, np.array(idx), rows, mask[rows]))
    if blocks and blocks[0].label == "own targets" and len(blocks) > 1:
        blocks.append(blocks[0])  # the same object: its Jacobian is reused, no second design
    return blocks

