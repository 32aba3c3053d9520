"""Allostatic load: physiological wear that chronic stress builds and that recovers slowly (McEwen 1998).

It is held on the scale on which it is measured in British surveys: the number of biomarkers (of
``AL_BIOMARKERS`` cardiovascular, metabolic and immune markers) in their highest-risk quartile (Robertson &
Watts 2016, Scottish Health Survey; Castagne et al. 2018, 1958 birth cohort) — here the part of that count
that chronic stress puts there, net of age.  Stress builds it towards all markers at a rate proportional to
stress, and it recovers: dA/dt = k s (N - A) - r A.  The build rate is sized so that adults with low
education carry about 0.6 more markers than the highly educated, as Robertson & Watts found (b = -0.63,
95% CI -0.80 to -0.39, adjusted for age, sex and place).
"""

from __future__ import annotations

import numpy as np

from pathways_sim.declarations.declare import Param
from pathways_sim.declarations.pathways import pathway
from pathways_sim.mechanisms.base import Changes, Relax, StepContext, mechanism

AL_BIOMARKERS = 10  # Robertson & Watts 2016: ten biomarkers, each scored 1 in its highest-risk quartile


@mechanism("allostatic_load", "chronic stress pushes biomarkers into their high-risk range, which recover "
           "slowly: dA/dt = k s (N - A) - r A, A counted in biomarkers",
           pathways=(pathway("stress_allostatic_load", ["stress"], "allostatic_load", +1, 0.08,
                             "per year at full stress", (0.03, 0.3),
                             "McEwen 1998; Seeman et al. 1997; size: the education gradient of allostatic load "
                             "(Robertson & Watts 2016, 0.63 biomarkers)",
                             "chronic stress builds allostatic load"),),
           parameters=(Param("allostatic_recovery_rate", 0.15, "per year", (0, 50), (0.05, 0.4),
                             "McEwen 1998: slow recovery; assumption",
                             "Rate at which allostatic load falls when stress is absent.", group="psychosocial"),),
           writes=("allostatic_load",))
def allostatic_load(ctx: StepContext) -> Changes:
    build = ctx.strength["stress_allostatic_load"] * ctx.pop.stress
    rate = build + ctx.params["allostatic_recovery_rate"]
    target = AL_BIOMARKERS * np.divide(build, rate, out=np.zeros_like(rate), where=rate > 0)
    return {"allostatic_load": Relax(target, rate)}
