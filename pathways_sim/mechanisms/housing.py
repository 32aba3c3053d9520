"""Housing security: financial strain raises the hazard of losing it (arrears, eviction); people regain it."""

from __future__ import annotations

import numpy as np

from pathways_sim.declarations.declare import Param
from pathways_sim.declarations.pathways import pathway
from pathways_sim.mechanisms.base import F32, Changes, StepContext, Switch, mechanism

STRAIN_REFERENCE = 0.3  # financial strain at which losing housing security has its base hazard


@mechanism("housing", "financial strain raises the hazard of losing secure housing",
           pathways=(pathway("strain_housing_insecurity", ["financial_strain"], "housing_insecure", +1, 2.0,
                             "log hazard ratio per unit strain", (1.0, 3.0),
                             "Shelter 2023 (arrears and poverty); assumption",
                             "financial strain raises the hazard of losing secure housing", ["health_poverty"]),),
           parameters=(
               Param("housing_insecurity_rate", 0.04, "per year", (0, 10), (0.02, 0.08),
                     "assumption, gives ~8-10% insecure (Shelter: 1 in 10 renters behind or in temporary housing)",
                     "Hazard of losing housing security without financial strain.", group="population"),
               Param("housing_resecure_rate", 0.6, "per year", (0, 50), (0.3, 1.0), "assumption",
                     "Hazard of regaining secure housing.", group="population"),
           ), writes=("housing_insecure",))
def housing(ctx: StepContext) -> Changes:
    p, pop = ctx.params, ctx.pop
    loss = p["housing_insecurity_rate"] * np.exp(ctx.strength["strain_housing_insecurity"]
                                                 * (ctx.exposures.strain - STRAIN_REFERENCE))
    resecure = np.full(pop.capacity, p["housing_resecure_rate"], dtype=F32)
    return {"housing_insecure": Switch(ctx.scale(loss, "housing_loss_scale"),
                                       ctx.scale(resecure, "housing_resecure_scale"),
                                       "housing_loss", "housing_resecure", eligible=pop.age >= 18.0)}
