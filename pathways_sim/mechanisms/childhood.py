"""Adverse childhood experiences: a parent's financial strain, chronic stress and mental disorder raise a
child's hazard of a new ACE (the intergenerational loop; Bellis 2014; Masarik & Conger 2017)."""

from __future__ import annotations

from typing import Any

import numpy as np

from pathways_sim.core import kernels
from pathways_sim.declarations.declare import Param
from pathways_sim.declarations.pathways import pathway
from pathways_sim.mechanisms.base import ALL, Changes, StepContext, mechanism

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
        new_ace = ctx.event("aces", ctx.scale(ace_hazards(ctx, at_risk), "ace_hazard_scale"))
        return {"aces": np.minimum(pop.aces + new_ace, 9)}
    s = ctx.strength
    coefficients = np.array([s["parental_poverty_aces"], s["parental_stress_aces"], s["parental_cmd_aces"],
                             IN_CARE_STRAIN, IN_CARE_STRESS])
    exponent = np.empty(pop.capacity)
    _exponent(at_risk, pop.parent, ctx.exposures.strain, pop.stress, pop.cmd, coefficients, exponent)
    new_ace = ctx.drawn_event("aces", at_risk, exponent, ctx.params["ace_hazard_rate"],
                              lambda who: ace_hazards(ctx, at_risk, who))
    return {"aces": np.minimum(pop.aces + new_ace, 9)}


def ace_hazards(ctx: StepContext, at_risk: np.ndarray, who: Any = ALL) -> np.ndarray:
    """Hazard per year of a new ACE: of everyone (float64, 0 where not ``at_risk``) by default, else of the
    slots ``who`` (all at risk)."""
    if not isinstance(who, slice):
        return ace_hazard(ctx, who)
    hazard = np.zeros(ctx.pop.capacity)
    child = np.flatnonzero(at_risk)
    hazard[child] = ace_hazard(ctx, child)
    return hazard


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
def _exponent(at_risk, parent, strain, stress, cmd, c, out) -> None:
    """The exponent of ``ace_hazard`` of every slot ``at_risk`` in float64 (base.StepContext.drawn_event): from
    the parent, or from the in-care levels where there is none; 0 for the rest, whose exponent is never read
    (so their parents' states, at random places, are not fetched)."""
    for i in range(parent.size):
        j = parent[i]
        if not at_risk[i]:
            out[i] = 0.0
        elif j >= 0:
            out[i] = c[0] * np.float64(strain[j]) + c[1] * np.float64(stress[j]) + c[2] * np.float64(cmd[j])
        else:
            out[i] = c[0] * c[3] + c[1] * c[4]
