"""Material hardship: a cold or damp home, or fuel or food insecurity (a 0/1 state of adults; a child shares
its household's).  Financial strain and insecure housing raise its onset; people also leave it.

Hardship acts on health *directly* (cold, damp, poor diet): it raises the onset of not-good health
(``physical_health``) and of common mental disorder (``mental_disorder``).  The psychosocial route of low income
(worry about money) is carried by ``financial_strain_stress``, so the strengths here are effects net of perceived
stress, not total associations: each total effect is applied once.

The base rates are set so that about 13% of adults live in hardship in the starting population, matching the
Low Income Low Energy Efficiency (LILEE) fuel poverty rate, England: 13.0% of households in 2023, 13.1% in
2022 (DESNZ Annual fuel poverty statistics).  That is the definition matched; the other components are of
similar size or smaller (FRS/HBAI 2022/23 household food insecurity: 10% of UK households, 11% of people; English
Housing Survey: 4% of homes with damp problems in 2015, about constant since 2013) and overlap with it, so 13% is a
floor for the union of all four.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pathways_sim.core import kernels
from pathways_sim.declarations.declare import Param
from pathways_sim.declarations.pathways import pathway
from pathways_sim.mechanisms.base import ALL, F32, Changes, DrawnSwitch, StepContext, Switch, mechanism

STRAIN_REFERENCE = 0.5  # financial strain at the poverty line: onset of hardship has its base hazard there

PATHWAYS = (
    pathway("strain_material_hardship", ["financial_strain"], "material_hardship", +1, 4.0,
            "log hazard ratio per unit strain", (2.5, 5.5),
            "assumption, set so that hardship is concentrated below the poverty line as fuel poverty (LILEE: "
            "low income after housing and energy costs, by definition) and food insecurity are (HBAI 2022/23: "
            "41% of households on Universal Credit food insecure vs 10% of all households)",
            "financial strain (income below the poverty line) raises the onset of material hardship: a cold or "
            "damp home, fuel or food insecurity", ["health_poverty"]),
    pathway("housing_insecurity_material_hardship", ["housing_insecure"], "material_hardship", +1, 0.7,
            "log hazard ratio", (0.3, 1.2),
            "assumption (rent arrears and temporary accommodation compete with heating and food for the same "
            "money; no published hazard ratio found)",
            "insecure housing (arrears, eviction threat, temporary accommodation) raises the onset of material "
            "hardship beyond what income alone does", ["health_poverty"]),
)

# Applied by physical_health and mental_disorder (declared here, beside the state they read).
HARDSHIP_POOR_HEALTH = pathway(
    "material_hardship_poor_health", ["material_hardship"], "poor_health", +1, 0.24, "log hazard ratio",
    (0.1, 0.5),
    "direct effect: Huang, Heflin & Validova 2021 (Ann Epidemiol 53:69, Add Health) food hardship and fair/poor "
    "health OR 1.41 before and 1.27 (0.97-1.68) after adjusting for perceived stress; log 1.27 = 0.24. Tøge & "
    "Bell 2016 (BMC Public Health, EU-SILC fixed effects, net of income): becoming deprived, limiting illness OR "
    "1.13 (1.02-1.25). Moor et al. 2017 (JECH systematic review): material factors explain most of the "
    "self-rated-health gradient, largely directly. Net of stress, so not double counted with the stress route; "
    "an odds ratio used as a hazard ratio",
    "material hardship (cold, damp, fuel or food insecurity) raises the onset of not-good health directly",
    ["health_poverty"])
HARDSHIP_CMD_ONSET = pathway(
    "material_hardship_cmd_onset", ["material_hardship"], "cmd", +1, 0.2, "log hazard ratio", (0.1, 0.34),
    "between the direct effect net of perceived stress (Huang, Heflin & Validova 2021: food hardship and "
    "depression OR 1.12, 0.92-1.35) and the total association (Pourmotabbed et al. 2020, Public Health Nutr "
    "meta-analysis of 19 studies: food insecurity and depression OR 1.40, 1.30-1.58): the model's stress comes "
    "from income strain, which carries most but not all of hardship's psychosocial route; log 1.22 = 0.2",
    "material hardship raises the onset of common mental disorder directly (beyond the stress of low income)",
    ["health_poverty"])

PARAMETERS = (
    Param("material_hardship_rate", 0.075, "per year", (0, 10), (0.04, 0.12),
          "calibrated by hand to 13% of adults in hardship (DESNZ LILEE fuel poverty, England 2023: 13.0% of "
          "households) in a 20,000-person starting population",
          "Hazard of entering material hardship at the poverty line (financial strain 0.5), housing secure.",
          group="population"),
    Param("material_hardship_exit_rate", 0.5, "per year", (0, 50), (0.3, 1.0),
          "assumption: a spell of two years on average (fuel poverty and food insecurity are often persistent "
          "but households move in and out with income)",
          "Hazard of leaving material hardship.", group="population"),
)


@mechanism("material", "financial strain and insecure housing raise the onset of material hardship (cold or "
           "damp home, fuel or food insecurity)", pathways=PATHWAYS, parameters=PARAMETERS,
           writes=("material_hardship",))
def material_hardship(ctx: StepContext) -> Changes:
    s, p, pop, ex = ctx.strength, ctx.params, ctx.pop, ctx.exposures
    eligible = pop.age >= 18.0
    if (kernels.compiled() is None or ctx.settling
            or (ctx.mods is not None and "material_hardship_scale" in ctx.mods)):
        onset, leave = hardship_hazards(ctx)
        return {"material_hardship": Switch(ctx.scale(onset, "material_hardship_scale"), leave,
                                            "material_hardship_onset", "material_hardship_exit", eligible=eligible)}
    strain, insecure = ex.strain, ex.housing_insecure
    coefficients = np.array([s["strain_material_hardship"], STRAIN_REFERENCE,
                             s["housing_insecurity_material_hardship"]])

    def exponent(current: np.ndarray) -> np.ndarray:
        out = np.empty(current.size)
        _exponent(current, strain, insecure, coefficients, out)
        return out

    return {"material_hardship": DrawnSwitch(lambda who: hardship_hazards(ctx, who), exponent,
                                             (p["material_hardship_rate"], p["material_hardship_exit_rate"]),
                                             "material_hardship_onset", "material_hardship_exit", eligible=eligible)}


def hardship_hazards(ctx: StepContext, who: Any = ALL) -> tuple[np.ndarray, np.ndarray]:
    """Hazards per year of entering and of leaving material hardship of the slots ``who`` (everyone's by
    default), before any intervention's scale."""
    s, p, ex = ctx.strength, ctx.params, ctx.exposures
    onset = p["material_hardship_rate"] * np.exp(s["strain_material_hardship"] * (ex.strain[who] - STRAIN_REFERENCE)
                                                 + s["housing_insecurity_material_hardship"]
                                                 * ex.housing_insecure[who])
    return onset.astype(F32), np.full(np.size(onset), p["material_hardship_exit_rate"], dtype=F32)


@kernels.kernel
def _exponent(current, strain, insecure, c, out) -> None:
    """The exponent of the hazard each slot is at risk of (base.DrawnSwitch), in float64: entering hardship's
    for those not in it, 0 for the rest (leaving it is one rate)."""
    c0, c1, c2 = c[0], c[1], c[2]
    for i in range(strain.size):
        out[i] = 0.0 if current[i] else c0 * (np.float64(strain[i]) - c1) + c2 * np.float64(insecure[i])
