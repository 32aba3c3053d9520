"""Adverse childhood experiences: a parent's financial strain, chronic stress and mental disorder raise a
child's hazard of a new ACE (the intergenerational loop; Bellis 2014; Masarik & Conger 2017)."""

from __future__ import annotations

from typing import Any

import numpy as np

from pathways_sim.core import kernels
from pathways_sim.declarations.declare import Param
from pathways_sim.declarations.pathways import pathway
from pathways_sim.mechanisms.base import Changes, StepContext, mechanism

PATHWAYS = (
    pathway("parental_poverty_aces", ["parent_financial_strain"], "aces", +1, 1.2,
            "log hazard ratio per unit strain", (0.5, 2.0), "Bellis et al. 2014; Walsh et al. 2019 (childhood "
            "poverty and ACEs)", "a parent's financial strain raises a child's ACE hazard", ["intergenerational"]),
    pathway("parental_stress_aces", ["parent_stress"], "aces", +1, 1.0, "log hazard ratio per unit stress",
            (0.3, 1.5), "Masarik & Conger 2017 (family stress model)",
            "a parent's chronic stress raises a child's ACE hazard", ["intergenerational"]),
    pathway("parental_cmd_aces", ["parent_cmd"], "aces", +1, 0.7, "log hazard ratio", (0.3, 1.2),
            "Bellis 2014 (household mental illness is itself an ACE)",
            "a parent's common mental disorder raises a child's ACE hazard", ["intergenerational"]),
)
# A child with no parent at home is in care: full strain, moderate stress.
IN_CARE_STRAIN, IN_CARE_STRESS = 1.0, 0.3


@mechanism("childhood_adversity", "a parent's strain, stress and mental disorder raise a child's hazard of "
           "adverse childhood experiences", pathways=PATHWAYS,
           parameters=(Param("ace_hazard_rate", 0.022, "per year of childhood", (0, 10), (0.01, 0.04),
                             "assumption, tuned so ~47% of adults have >=1 ACE (Bellis et al. 2014)",
                             "Hazard of a new adverse childhood experience for a child of an unstrained, "
                             "unstressed, well parent.", group="population"),),
           writes=("aces",))
def childhood_adversity(ctx: StepContext) -> Changes:
    pop = ctx.pop
    at_risk = (pop.age < 18.0) & (pop.aces < 9)  # the children who can have one more (hazard 0 for the rest)
    if (kernels.compiled() is None or ctx.settling
            or (ctx.mods is not None and "ace_hazard_scale" in ctx.mods)):
        hazard = np.zeros(pop.capacity)
        child = np.flatnonzero(at_risk)
        hazard[child] = ace_hazard(ctx, child)
        new_ace = ctx.event("aces", ctx.scale(hazard, "ace_hazard_scale"))
        return {"aces": np.minimum(pop.aces + new_ace, 9)}
    s = ctx.strength
    coefficients = np.array([s["parental_poverty_aces"], s["parental_stress_aces"], s["parental_cmd_aces"],
                             IN_CARE_STRAIN, IN_CARE_STRESS])
    exponent = np.empty(pop.capacity)
    _exponent(pop.parent, ctx.exposures.strain, pop.stress, pop.cmd, coefficients, exponent)

    def hazard(who: Any) -> np.ndarray:
        if not isinstance(who, slice):  # the slots whose draw needs it, all at risk
            return ace_hazard(ctx, who)
        everyone = np.zeros(pop.capacity)  # (recorded, as the numpy path makes it)
        child = np.flatnonzero(at_risk)
        everyone[child] = ace_hazard(ctx, child)
        return everyone

    new_ace = ctx.drawn_event("aces", at_risk, exponent, ctx.params["ace_hazard_rate"], hazard)
    return {"aces": np.minimum(pop.aces + new_ace, 9)}


def ace_hazard(ctx: StepContext, child: np.ndarray) -> np.ndarray:
    """Hazard per year of a new ACE of the children in slots ``child``, from the parent they live with."""
    s, pop = ctx.strength, ctx.pop
    has_parent = pop.parent[child] >= 0
    parent = np.where(has_parent, pop.parent[child], 0)
    parent_strain = np.where(has_parent, ctx.exposures.strain[parent], IN_CARE_STRAIN)
    parent_stress = np.where(has_parent, pop.stress[parent], IN_CARE_STRESS)
    parent_cmd = np.where(has_parent, pop.cmd[parent], False)
    return ctx.params["ace_hazard_rate"] * np.exp(
        s["parental_poverty_aces"] * parent_strain + s["parental_stress_aces"] * parent_stress
        + s["parental_cmd_aces"] * parent_cmd)


@kernels.kernel
def _exponent(parent, strain, stress, cmd, c, out) -> None:
    """The exponent of ``ace_hazard`` of every slot in float64 (base.StepContext.drawn_event): from the parent,
    or from the in-care levels where there is none."""
    for i in range(parent.size):
        j = parent[i]
        if j >= 0:
            out[i] = c[0] * np.float64(strain[j]) + c[1] * np.float64(stress[j]) + c[2] * np.float64(cmd[j])
        else:
            out[i] = c[0] * c[3] + c[1] * c[4]
