"""Allostatic load: physiological wear that chronic stress builds and that recovers slowly (McEwen 1998)."""

from __future__ import annotations

import numpy as np

from pathways_sim.declarations.declare import Param
from pathways_sim.declarations.pathways import pathway
from pathways_sim.mechanisms.base import Changes, Relax, StepContext, mechanism


@mechanism("allostatic_load", "chronic stress builds allostatic load, which recovers slowly: "
           "dA/dt = k s (1 - A) - r A",
           pathways=(pathway("stress_allostatic_load", ["stress"], "allostatic_load", +1, 0.4,
                             "per year at full stress", (0.1, 1), "McEwen 1998; Seeman et al. 1997 (allostatic load)",
                             "chronic stress builds allostatic load"),),
           parameters=(Param("allostatic_recovery_rate", 0.15, "per year", (0, 50), (0.05, 0.4),
                             "McEwen 1998: slow recovery; assumption",
                             "Rate at which allostatic load falls when stress is absent.", group="psychosocial"),),
           writes=("allostatic_load",))
def allostatic_load(ctx: StepContext) -> Changes:
    build = ctx.strength["stress_allostatic_load"] * ctx.pop.stress
    rate = build + ctx.params["allostatic_recovery_rate"]
    target = np.divide(build, rate, out=np.zeros_like(rate), where=rate > 0)
    return {"allostatic_load": Relax(target, rate)}
