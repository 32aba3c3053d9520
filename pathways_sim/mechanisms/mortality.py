"""Death: a Gompertz hazard in age, higher for men, raised by not-good health, smoking and allostatic load.

Not-good health carries the mortality of whatever caused it (smoking, allostatic load, mental disorder,
material hardship...).  Smoking and allostatic load also act directly; their published hazard ratios are
total effects, so each direct strength is only the part the not-good-health route does not already carry —
checked by reading the model's own total effect as the studies did (``pathways_sim.analysis.total_effects``).
"""

from __future__ import annotations

import numpy as np

from pathways_sim.declarations.declare import Param
from pathways_sim.declarations.pathways import pathway
from pathways_sim.mechanisms.base import F32, Changes, StepContext, mechanism

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


@mechanism("mortality", "death rises with age and is raised by not-good health, smoking and allostatic load",
           pathways=PATHWAYS, parameters=PARAMETERS, writes=())
def mortality(ctx: StepContext) -> Changes:
    s, p, pop = ctx.strength, ctx.params, ctx.pop
    hazard = p["mortality_rate_at_50"] * np.exp(
        p["mortality_age_slope"] * (pop.age - 50.0) + p["male_mortality_log_hr"] * (~pop.female)
        + s["poor_health_mortality"] * pop.poor_health + s["smoking_mortality"] * pop.smoker
        + s["allostatic_load_mortality"] * pop.allostatic_load)
    hazard = hazard * np.exp(s["inactivity_mortality"] * pop.physically_inactive)  # mechanisms/physical_activity.py
    hazard = (hazard + np.where(pop.age < 1.0, p["infant_mortality_rate"], 0.0)).astype(F32)
    dies = pop.alive & (ctx.event("deaths", hazard) | (pop.age >= p["maximum_age"]))
    return {"dies": dies}
