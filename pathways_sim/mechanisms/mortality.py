"""Death: a Gompertz hazard in age, higher for men, raised by not-good health, smoking and allostatic load.

Not-good health carries the mortality of whatever caused it (smoking, allostatic load, mental disorder,
material hardship...).  Smoking and allostatic load also act directly; their published hazard ratios are
total effects, so each direct strength is only the part the not-good-health route does not already carry —
checked by reading the model's own total effect as the studies did (``pathways_sim.analysis.total_effects``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pathways_sim.core import kernels
from pathways_sim.declarations.declare import Param
from pathways_sim.declarations.pathways import pathway
from pathways_sim.mechanisms.base import ALL, F32, Changes, StepContext, mechanism

PATHWAYS = (
    pathway("allostatic_load_mortality", ["allostatic_load"], "death", +1, 0.02,
            "log hazard ratio per biomarker, direct", (0.0, 0.1),
            "Robertson et al. 2017 (Scottish Health Survey, 10-year follow-up: HR 1.08 per point, 95% CI 1.01-1.16, "
            "adjusted for age, sex and deprivation) is a total effect: the direct part is set so that the model's "
            "own total (direct + through not-good health) reproduces it (pathways_sim.analysis.total_effects)",
            "allostatic load raises mortality beyond the not-good health it brings"),
    pathway("smoking_mortality", ["smoking"], "death", +1, 0.8, "log hazard ratio, direct", (0.5, 1.1),
            "Doll et al. 2004 (lifelong smokers' mortality 2-3x that of never smokers) is a total effect: the direct "
            "part is set so that the model's total (direct + through not-good health) reproduces it",
            "smoking raises mortality beyond the not-good health it brings"),
    pathway("poor_health_mortality", ["poor_health"], "death", +1, 0.7, "log hazard ratio", (0.4, 1.1),
            "DeSalvo et al. 2006 (fair or poor self-rated health, mortality RR about 2, adjusted for comorbidity "
            "and risk factors): the route by which long-term conditions, whatever caused them, lead to death",
            "not-good health (long-term conditions) raises mortality"),
)
PARAMETERS = (
    Param("mortality_rate_at_50", 0.0012, "per year", (0, 10), (0.0008, 0.002),
          "ONS National life tables 2020-22 (m_50 about 0.003); baseline before risk factors",
          "Death hazard at age 50 with no risk factors.", group="health"),
    Param("mortality_age_slope", 0.095, "log hazard per year of age", (0, 1), (0.08, 0.11),
          "Gompertz slope of adult mortality in England (~0.09-0.10)", "Gompertz slope of mortality.", group="health"),
    Param("male_mortality_log_hr", 0.3, "log hazard ratio", (-2, 2), (0.2, 0.4),
          "ONS National life tables: male age-specific mortality ~1.3-1.5x female", "Extra mortality of men.",
          group="health"),
    Param("infant_mortality_rate", 0.004, "per year (age < 1)", (0, 1), (0.003, 0.005),
          "ONS Child and infant mortality 2022 (3.9 per 1,000)", "Extra death hazard in the first year of life.",
          group="health"),
    # Below 80 the bound would let a run kill off whole generations before they are counted; 130 is the record.
    Param("maximum_age", 105.0, "years", (80, 130), (100, 110), "design choice", "Nobody lives past this age.",
          group="health"),
)


def death_hazard(ctx: StepContext, who: Any = ALL) -> np.ndarray:
    """Death hazard per year (float32) of the slots ``who`` (everyone's by default)."""
    s, p, pop = ctx.strength, ctx.params, ctx.pop
    age = pop.age[who]
    hazard = p["mortality_rate_at_50"] * np.exp(
        p["mortality_age_slope"] * (age - 50.0) + p["male_mortality_log_hr"] * (~pop.female[who])
        + s["poor_health_mortality"] * pop.poor_health[who] + s["smoking_mortality"] * pop.smoker[who]
        + s["allostatic_load_mortality"] * pop.allostatic_load[who])
    hazard = hazard * np.exp(s["inactivity_mortality"] * pop.physically_inactive[who])  # physical_activity.py
    return (hazard + np.where(age < 1.0, p["infant_mortality_rate"], 0.0)).astype(F32)


@mechanism("mortality", "death rises with age and is raised by not-good health, smoking and allostatic load",
           pathways=PATHWAYS, parameters=PARAMETERS, writes=())
def mortality(ctx: StepContext) -> Changes:
    pop = ctx.pop
    too_old = pop.age >= ctx.params["maximum_age"]
    if kernels.compiled() is None or ctx.settling:
        return {"dies": pop.alive & (ctx.event("deaths", death_hazard(ctx)) | too_old)}
    s, p = ctx.strength, ctx.params
    rate, infant = p["mortality_rate_at_50"], p["infant_mortality_rate"]
    # One rate for everyone: rate + infant, the exponent shifted down by log(rate / (rate + infant)) after the
    # first year (exactly the Gompertz hazard), and at least 0 before it (rate e^x + infant is at most that).
    shift = float(np.log(rate / (rate + infant))) if rate > 0 else -np.inf
    coefficients = np.array([p["mortality_age_slope"], p["male_mortality_log_hr"], s["poor_health_mortality"],
                             s["smoking_mortality"], s["allostatic_load_mortality"], s["inactivity_mortality"], shift])
    exponent = np.empty(pop.capacity)
    _exponent(pop.age, pop.female, pop.poor_health, pop.smoker, pop.allostatic_load, pop.physically_inactive,
              coefficients, exponent)
    dies = ctx.drawn_event("deaths", pop.alive, exponent, rate + infant, lambda who: death_hazard(ctx, who))
    return {"dies": pop.alive & (dies | too_old)}


@kernels.kernel
def _exponent(age, female, poor_health, smoker, load, inactive, c, out) -> None:
    """The exponent of ``death_hazard`` in float64 (base.StepContext.drawn_event), shifted as ``mortality`` says;
    arithmetic only (0/1 states as numbers), so the loop vectorises."""
    c0, c1, c2, c3, c4, c5, c6 = c[0], c[1], c[2], c[3], c[4], c[5], c[6]
    for i in range(age.size):
        a = np.float64(age[i])
        x = (c0 * (a - 50.0) + c1 * (1.0 - np.float64(female[i])) + c2 * np.float64(poor_health[i])
             + c3 * np.float64(smoker[i]) + c4 * np.float64(load[i]) + c5 * np.float64(inactive[i]))
        out[i] = max(x, 0.0) if a < 1.0 else x + c6
