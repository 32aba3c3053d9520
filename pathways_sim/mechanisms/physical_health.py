"""Not-good health (long-term conditions): onset rises with age (Gompertz), is higher in women, and is raised
by allostatic load, smoking and mental disorder; people also recover."""

from __future__ import annotations

from typing import Any

import numpy as np

from pathways_sim.core import kernels
from pathways_sim.declarations.declare import Param
from pathways_sim.declarations.pathways import pathway
from pathways_sim.mechanisms.base import (
    ALL,
    Changes,
    DrawnSwitch,
    StepContext,
    Switch,
    mechanism,
)
from pathways_sim.mechanisms.material import HARDSHIP_POOR_HEALTH

PATHWAYS = (
    pathway("allostatic_load_poor_health", ["allostatic_load"], "poor_health", +1, 0.15,
            "log hazard ratio per biomarker", (0.05, 0.3),
            "Seeman et al. 1997, 2001 (MacArthur: each point of allostatic load raises incident cardiovascular "
            "disease and functional decline, about 1.1-1.3 per point); assumption for size",
            "allostatic load raises the onset of long-term conditions / not-good health"),
    pathway("smoking_poor_health", ["smoking"], "poor_health", +1, 0.5, "log hazard ratio", (0.2, 0.9),
            "US Surgeon General 2014", "smoking raises the onset of long-term conditions"),
    pathway("cmd_poor_health", ["cmd"], "poor_health", +1, 0.5, "log hazard ratio", (0.2, 1.0),
            "Naylor et al. 2012 (King's Fund: long-term conditions and mental health)",
            "a mental disorder raises the onset of not-good health"),
    HARDSHIP_POOR_HEALTH,
)
PARAMETERS = (
    Param("poor_health_rate_at_50", 0.012, "per year", (0, 10), (0.005, 0.03), "assumption, calibrated to ONS HLE",
          "Onset hazard of not-good health at age 50 with no allostatic load, not smoking, no disorder.",
          group="health"),
    Param("poor_health_age_slope", 0.045, "log hazard per year of age", (0, 1), (0.03, 0.07), "assumption",
          "Gompertz slope of the onset hazard of not-good health.", group="health"),
    Param("female_poor_health_log_hr", 0.2, "log hazard ratio", (-2, 2), (0.0, 0.4),
          "ONS health state life expectancies 2018-20: women live longer but spend more years, and a larger share "
          "of life, in not-good health; assumption for size, fitted to HLE by sex",
          "Extra onset of not-good health in women.", group="health"),
    Param("poor_health_recovery_rate", 0.12, "per year", (0, 50), (0.05, 0.3), "assumption",
          "Hazard of returning to good health.", group="health"),
)


def poor_health_hazards(ctx: StepContext, who: Any = ALL) -> tuple[np.ndarray, np.ndarray]:
    """Onset and recovery hazards per year of not-good health of the slots ``who`` (everyone's by default)."""
    s, p, pop = ctx.strength, ctx.params, ctx.pop
    onset = p["poor_health_rate_at_50"] * np.exp(
        p["poor_health_age_slope"] * (pop.age[who] - 50.0) + p["female_poor_health_log_hr"] * pop.female[who]
        + s["allostatic_load_poor_health"] * pop.allostatic_load[who]
        + s["smoking_poor_health"] * pop.smoker[who] + s["cmd_poor_health"] * pop.cmd[who])
    onset = onset * np.exp(s["material_hardship_poor_health"] * ctx.exposures.material_hardship[who])
    onset = onset * np.exp(s["inactivity_poor_health"] * pop.physically_inactive[who])  # physical_activity.py
    recovery = np.full(np.size(onset), p["poor_health_recovery_rate"], dtype=np.float32)
    return onset, recovery


@mechanism("physical_health", "allostatic load, smoking and mental disorder raise the onset of not-good "
           "health, which rises with age", pathways=PATHWAYS, parameters=PARAMETERS, writes=("poor_health",))
def physical_health(ctx: StepContext) -> Changes:
    if kernels.compiled() is None or ctx.settling:
        return {"poor_health": Switch(*poor_health_hazards(ctx), "poor_health_onset", "poor_health_recovery")}
    s, p, pop = ctx.strength, ctx.params, ctx.pop
    hardship = ctx.exposures.material_hardship
    coefficients = np.array([p["poor_health_age_slope"], p["female_poor_health_log_hr"],
                             s["allostatic_load_poor_health"], s["smoking_poor_health"], s["cmd_poor_health"],
                             s["material_hardship_poor_health"], s["inactivity_poor_health"]])

    def exponent(current: np.ndarray) -> np.ndarray:
        out = np.empty(current.size)
        _exponent(current, pop.age, pop.female, pop.allostatic_load, pop.smoker, pop.cmd, hardship,
                  pop.physically_inactive, coefficients, out)
        return out

    return {"poor_health": DrawnSwitch(lambda who: poor_health_hazards(ctx, who), exponent,
                                       (p["poor_health_rate_at_50"], p["poor_health_recovery_rate"]),
                                       "poor_health_onset", "poor_health_recovery")}


@kernels.kernel
def _exponent(current, age, female, load, smoker, cmd, hardship, inactive, c, out) -> None:  # noqa: PLR0913, PLR0917
    """The exponent of the hazard each slot is at risk of (base.DrawnSwitch), in float64: the onset's for the
    well, 0 for the ill (recovery is one rate); arithmetic only, so the loop vectorises."""
    c0, c1, c2, c3, c4, c5, c6 = c[0], c[1], c[2], c[3], c[4], c[5], c[6]
    for i in range(age.size):
        x = (c0 * (np.float64(age[i]) - 50.0) + c1 * np.float64(female[i]) + c2 * np.float64(load[i])
             + c3 * np.float64(smoker[i]) + c4 * np.float64(cmd[i]) + c5 * np.float64(hardship[i])
             + c6 * np.float64(inactive[i]))
        out[i] = 0.0 if current[i] else x
