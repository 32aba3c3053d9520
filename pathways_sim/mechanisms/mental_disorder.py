"""Common mental disorder (anxiety, depression) from age 16: stress, loneliness and low resilience raise its
onset; support and resilience speed recovery."""

from __future__ import annotations

import numpy as np

from pathways_sim.declarations.declare import Param
from pathways_sim.declarations.pathways import pathway
from pathways_sim.mechanisms import care
from pathways_sim.mechanisms.base import Changes, StepContext, Switch, mechanism
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


@mechanism("mental_disorder", "stress, loneliness and low resilience raise the onset of common mental "
           "disorder; support and resilience speed recovery", pathways=PATHWAYS, parameters=PARAMETERS,
           writes=("cmd",))
def mental_disorder(ctx: StepContext) -> Changes:
    s, p, pop = ctx.strength, ctx.params, ctx.pop
    onset = p["cmd_onset_rate"] * np.exp(s["stress_cmd_onset"] * pop.stress
                                         + s["loneliness_cmd_onset"] * pop.loneliness
                                         + s["low_resilience_cmd_onset"] * (1.0 - pop.resilience))
    recovery = p["cmd_recovery_rate"] * np.exp(s["support_cmd_recovery"] * ctx.exposures.support
                                               + s["resilience_cmd_recovery"] * pop.resilience)
    onset = onset * np.exp(s["material_hardship_cmd_onset"] * ctx.exposures.material_hardship)
    recovery = recovery * care.treatment_multiplier(s["treatment_cmd_recovery"], ctx.exposures.care_access)
    recovery = ctx.scale(recovery, "cmd_recovery_scale")  # e.g. peer support while taking part
    return {"cmd": Switch(onset, recovery, "cmd_onset", "cmd_recovery", eligible=pop.age >= CMD_MIN_AGE)}
