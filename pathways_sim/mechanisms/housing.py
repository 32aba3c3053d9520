"""Housing security: financial strain raises the hazard of losing it (arrears, eviction); people regain it."""

from __future__ import annotations

from typing import Any

import numpy as np

from pathways_sim.core import kernels
from pathways_sim.declarations.declare import Param
from pathways_sim.declarations.pathways import pathway
from pathways_sim.mechanisms.base import ALL, F32, Changes, DrawnSwitch, StepContext, Switch, mechanism

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
    eligible = pop.age >= 18.0
    if (kernels.compiled() is None or ctx.settling
            or (ctx.mods is not None and ("housing_loss_scale" in ctx.mods or "housing_resecure_scale" in ctx.mods))):
        loss, resecure = housing_hazards(ctx)
        return {"housing_insecure": Switch(ctx.scale(loss, "housing_loss_scale"),
                                           ctx.scale(resecure, "housing_resecure_scale"),
                                           "housing_loss", "housing_resecure", eligible=eligible)}
    strain = ctx.exposures.strain
    coefficients = np.array([ctx.strength["strain_housing_insecurity"], STRAIN_REFERENCE])

    def exponent(current: np.ndarray) -> np.ndarray:
        out = np.empty(current.size)
        _exponent(current, strain, coefficients, out)
        return out

    return {"housing_insecure": DrawnSwitch(lambda who: housing_hazards(ctx, who), exponent,
                                            (p["housing_insecurity_rate"], p["housing_resecure_rate"]),
                                            "housing_loss", "housing_resecure", eligible=eligible)}


def housing_hazards(ctx: StepContext, who: Any = ALL) -> tuple[np.ndarray, np.ndarray]:
    """Hazards per year of losing and of regaining secure housing of the slots ``who`` (everyone's by default),
    before any intervention's scales."""
    p = ctx.params
    loss = p["housing_insecurity_rate"] * np.exp(ctx.strength["strain_housing_insecurity"]
                                                 * (ctx.exposures.strain[who] - STRAIN_REFERENCE))
    return loss, np.full(np.size(loss), p["housing_resecure_rate"], dtype=F32)


@kernels.kernel
def _exponent(current, strain, c, out) -> None:
    """The exponent of the hazard each slot is at risk of (base.DrawnSwitch), in float64: losing secure
    housing's for the secure, 0 for the rest (regaining it is one rate)."""
    c0, c1 = c[0], c[1]
    for i in range(strain.size):
        out[i] = 0.0 if current[i] else c0 * (np.float64(strain[i]) - c1)
