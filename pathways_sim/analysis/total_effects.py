"""Total effects read from the model the way the studies read them: an in-silico cohort.

Published hazard ratios for smoking, allostatic load and not-good health are total effects: a cohort's
baseline exposure, followed for years, with death regressed on it adjusted for age and sex (and deprivation).
In the model an exposure acts on death directly *and* through the not-good health it brings, so the direct
strengths must be the part the other routes do not already carry.  This module checks that: it follows the
adults alive at the start of a run (after burn-in) for ``years``, records who died, and fits a
proportional-hazards model for equal follow-up (binary regression with a complementary log-log link) of death
on each exposure, adjusted for age, age squared, sex and area deprivation — the same design as the study.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.stats import norm

from pathways_sim.model import PathwaysModel


@dataclass(frozen=True)
class PublishedEffect:
    exposure: str  # a state of the population
    unit: str
    hazard_ratio: float
    low: float
    high: float
    source: str


PUBLISHED = (
    PublishedEffect("smoker", "current vs not", 2.5, 2.0, 3.0,
                    "Doll et al. 2004 (BMJ, British doctors): current smokers' mortality 2-3 times never smokers'"),
    PublishedEffect("allostatic_load", "per biomarker", 1.08, 1.01, 1.16,
                    "Robertson et al. 2017 (PLoS One, Scottish Health Survey, 10-year follow-up; adjusted for age, "
                    "sex and deprivation)"),
    PublishedEffect("poor_health", "not good vs good", 1.92, 1.64, 2.25,
                    "DeSalvo et al. 2006 (J Gen Intern Med, meta-analysis: poor vs excellent self-rated health)"),
)
COHORT_AGES = (35.0, 85.0)


def follow_cohort(model: PathwaysModel, years: float, ages: tuple[float, float] = COHORT_AGES) -> pd.DataFrame:
    """One row per person aged ``ages`` alive now: baseline covariates and exposures, and whether they died
    within ``years`` (the model is run on by ``years``)."""
    pop = model.population
    slots = np.flatnonzero(pop.alive & (pop.age >= ages[0]) & (pop.age < ages[1]))
    keys = pop.key[slots].copy()
    cohort = pd.DataFrame({
        "age": pop.age[slots].astype(float), "female": pop.female[slots].astype(float),
        "deprivation": model.areas.deprivation[pop.area[slots]].astype(float),
        **{e.exposure: getattr(pop, e.exposure)[slots].astype(float) for e in PUBLISHED},
    })
    model.run(years)
    survived = model.population.alive[slots] & (model.population.key[slots] == keys)  # a reused slot: died
    cohort["died"] = (~survived).astype(float)
    return cohort


def cloglog_fit(y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients and standard errors of P(y=1) = 1 - exp(-exp(x b)) (x includes the intercept)."""

    def loss(b: np.ndarray) -> tuple[float, np.ndarray]:
        mu = np.exp(np.clip(x @ b, -30, 5))
        p = -np.expm1(-mu)
        loglik = y * np.log(np.maximum(p, 1e-300)) - (1 - y) * mu
        score = np.where(y > 0, mu * np.exp(-mu) / np.maximum(p, 1e-300), -mu)
        return -float(loglik.sum()), -(x.T @ score)

    start = np.zeros(x.shape[1])
    start[0] = np.log(max(float(y.mean()), 1e-6))
    fit = minimize(loss, start, jac=True, method="BFGS", options={"gtol": 1e-8, "maxiter": 500})
    mu = np.exp(np.clip(x @ fit.x, -30, 5))
    weight = mu * mu * np.exp(-mu) / np.maximum(-np.expm1(-mu), 1e-300)  # expected information
    covariance = np.linalg.inv(x.T @ (x * weight[:, None]))
    return fit.x, np.sqrt(np.diag(covariance))


def hazard_ratios(cohort: pd.DataFrame) -> pd.DataFrame:
    """Each exposure's hazard ratio (95% CI) from its own model, adjusted for age, age^2, sex and deprivation
    (each study adjusted for these, not for the other exposures)."""
    y = cohort["died"].to_numpy()
    age = (cohort["age"].to_numpy() - 60.0) / 10.0
    rows = []
    for effect in PUBLISHED:
        x = np.column_stack([np.ones(len(cohort)), cohort[effect.exposure], age, age * age, cohort["female"],
                             cohort["deprivation"]])
        coef, se = cloglog_fit(y, x)
        z = norm.ppf(0.975)
        rows.append({"exposure": effect.exposure, "unit": effect.unit, "model_hr": float(np.exp(coef[1])),
                     "model_low": float(np.exp(coef[1] - z * se[1])),
                     "model_high": float(np.exp(coef[1] + z * se[1])),
                     "published_hr": effect.hazard_ratio, "published_low": effect.low,
                     "published_high": effect.high, "exposed_deaths": int(y[cohort[effect.exposure] > 0].sum()),
                     "deaths": int(y.sum()), "people": len(cohort), "source": effect.source})
    return pd.DataFrame(rows)


def total_effects(years: float = 10, **model_args: Any) -> pd.DataFrame:
    """Run a model (``PathwaysModel(**model_args)``), follow its adults for ``years`` and return the model's
    total hazard ratios beside the published ones."""
    return hazard_ratios(follow_cohort(PathwaysModel(agents="lazy", **model_args), years))
