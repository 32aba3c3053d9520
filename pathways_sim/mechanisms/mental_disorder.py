"""Common mental disorder (anxiety, depression) from age 16: stress, loneliness and low resilience raise its
onset; support and resilience speed recovery."""

from __future__ import annotations

from typing import Any

import numpy as np

from pathways_sim.core import kernels
from pathways_sim.declarations.declare import Param
from pathways_sim.declarations.pathways import pathway
from pathways_sim.mechanisms import care
from pathways_sim.mechanisms.base import (
    ALL,
    Changes,
    DrawnSwitch,
    StepContext,
    Switch,
    mechanism,
)
from pathways_sim.mechanisms.material import HARDSHIP_CMD_ONSET

CMD_MIN_AGE = 16.0

PATHWAYS = (
    pathway("stress_cmd_onset", ["stress"], "cmd", +1, 2.0, "log hazard ratio per unit stress", (1.0, 3.0),
            "Kendler et al. 1999 (stressful life events and depression onset)",
            "chronic stress raises the onset of common mental disorder", ["health_poverty"]),
    pathway("loneliness_cmd_onset", ["loneliness"], "cmd", +1, 1.0, "log hazard ratio per unit", (0.5, 1.5),
            "Mann et al. 2022 (loneliness and depression, systematic review)",
            "loneliness raises the onset of common mental disorder"),
    pathway("low_resilience_cmd_onset", ["resilience"], "cmd", -1, 1.0, "log hazard ratio per unit resilience",
            (0.5, 1.5), "assumption", "low resilience raises the onset of common mental disorder"),
    pathway("support_cmd_recovery", ["support"], "cmd_recovery", +1, 0.7, "log hazard ratio per unit support",
            (0.3, 1.2), "assumption (social support and recovery from depression)",
            "support from ties speeds recovery from a mental disorder"),
    pathway("resilience_cmd_recovery", ["resilience"], "cmd_recovery", +1, 0.7, "log hazard ratio per unit",
            (0.3, 1.2), "assumption", "resilience speeds recovery from a mental disorder"),
    HARDSHIP_CMD_ONSET,
    care.TREATMENT_CMD_RECOVERY,
)
PARAMETERS = (
    Param("cmd_onset_rate", 0.08, "per year", (0, 10), (0.01, 0.08), "assumption, calibrated to APMS 2014 (18.9%)",
          "Onset hazard of common mental disorder at zero stress, loneliness and full resilience.", group="health"),
    Param("cmd_recovery_rate", 0.43, "per year", (0, 50), (0.2, 1.5),
          "assumption: median episode ~6-12 months (0.5 before treatment was explicit, divided by the mean "
          "treatment multiplier 1 + 0.37 x 0.75 x (exp(0.45) - 1) = 1.16, so the mean recovery is unchanged)",
          "Recovery hazard from common mental disorder with no support, no resilience and no treatment.",
          group="health"),
    *care.PARAMETERS,
)


def cmd_hazards(ctx: StepContext, who: Any = ALL) -> tuple[np.ndarray, np.ndarray]:
    """Onset and recovery hazards per year of common mental disorder of the slots ``who`` (everyone's by
    default), before any intervention's ``cmd_recovery_scale``."""
    s, p, pop, ex = ctx.strength, ctx.params, ctx.pop, ctx.exposures
    onset = p["cmd_onset_rate"] * np.exp(s["stress_cmd_onset"] * pop.stress[who]
                                         + s["loneliness_cmd_onset"] * pop.loneliness[who]
                                         + s["low_resilience_cmd_onset"] * (1.0 - pop.resilience[who]))
    recovery = p["cmd_recovery_rate"] * np.exp(s["support_cmd_recovery"] * ex.support[who]
                                               + s["resilience_cmd_recovery"] * pop.resilience[who])
    onset = onset * np.exp(s["material_hardship_cmd_onset"] * ex.material_hardship[who])
    recovery = recovery * care.treatment_multiplier(s["treatment_cmd_recovery"], ex.care_access[who])
    return onset, recovery


@mechanism("mental_disorder", "stress, loneliness and low resilience raise the onset of common mental "
           "disorder; support and resilience speed recovery", pathways=PATHWAYS, parameters=PARAMETERS,
           writes=("cmd",))
def mental_disorder(ctx: StepContext) -> Changes:
    s, p, pop, ex = ctx.strength, ctx.params, ctx.pop, ctx.exposures
    eligible = pop.age >= CMD_MIN_AGE
    if kernels.compiled() is None or ctx.settling or (ctx.mods is not None and "cmd_recovery_scale" in ctx.mods):
        onset, recovery = cmd_hazards(ctx)
        recovery = ctx.scale(recovery, "cmd_recovery_scale")  # e.g. peer support while taking part
        return {"cmd": Switch(onset, recovery, "cmd_onset", "cmd_recovery", eligible=eligible)}
    columns = (pop.stress, pop.loneliness, pop.resilience, ex.material_hardship, ex.support)
    coefficients = np.array([s["stress_cmd_onset"], s["loneliness_cmd_onset"], s["low_resilience_cmd_onset"],
                             s["material_hardship_cmd_onset"], s["support_cmd_recovery"], s["resilience_cmd_recovery"]])
    # Treatment multiplies recovery by 1 + access (e^strength - 1), at most the larger of 1 and e^strength.
    treated = max(1.0, float(np.exp(s["treatment_cmd_recovery"])))

    def exponent(current: np.ndarray) -> np.ndarray:
        out = np.empty(current.size)
        _exponent(current, *columns, coefficients, out)
        return out

    return {"cmd": DrawnSwitch(lambda who: cmd_hazards(ctx, who), exponent,
                               (p["cmd_onset_rate"], p["cmd_recovery_rate"] * treated), "cmd_onset", "cmd_recovery",
                               eligible=eligible)}


@kernels.kernel
def _exponent(current, stress, loneliness, resilience, hardship, support, c, out) -> None:
    """The exponent of the hazard each slot is at risk of (base.DrawnSwitch), in float64: recovery for those
    with a disorder, onset for the rest; arithmetic only (the two mixed by the 0/1 state), so it vectorises."""
    c0, c1, c2, c3, c4, c5 = c[0], c[1], c[2], c[3], c[4], c[5]
    for i in range(stress.size):
        res = np.float64(resilience[i])
        onset = c0 * np.float64(stress[i]) + c1 * np.float64(loneliness[i]) + c2 * (1.0 - res) + c3 * np.float64(
            hardship[i])
        recovery = c4 * np.float64(support[i]) + c5 * res
        out[i] = onset + np.float64(current[i]) * (recovery - onset)
