"""Psychological resources that stress uses up: resilience and the sense of control.

Each is rebuilt towards a baseline and depleted by stress: dx/dt = a (b - x) - d s x, whose moving
equilibrium is a b / (a + d s) (conservation of resources, Hobfoll 1989; strain erodes mastery, Pearlin 1981).
"""

from __future__ import annotations

import numpy as np

from pathways_sim.declarations.declare import Param
from pathways_sim.declarations.pathways import pathway
from pathways_sim.mechanisms.base import Changes, Relax, StepContext, mechanism


def _depleted(baseline, recovery_rate: float, depletion, stress):  # arrays or floats
    """Equilibrium and rate of dx/dt = a (b - x) - d s x."""
    rate = recovery_rate + depletion * stress
    # With no recovery and no stress nothing moves (rate 0): the equilibrium is then never read.
    return np.divide(recovery_rate * baseline, rate, out=np.zeros_like(rate), where=rate > 0), rate


@mechanism("resilience", "resilience is rebuilt towards a baseline and used up by ongoing stress",
           pathways=(pathway("stress_depletes_resilience", ["stress"], "resilience", -1, 1.5,
                             "per year at full stress", (0.5, 3),
                             "assumption (conservation of resources theory, Hobfoll 1989)",
                             "ongoing stress uses up resilience", ["stress_resilience"]),),
           parameters=(
               Param("resilience_baseline", 0.7, "0-1 index", (0, 1), (0.5, 0.9), "assumption",
                     "Resilience with no stress.", group="psychosocial"),
               Param("resilience_recovery_rate", 0.8, "per year", (0, 50), (0.3, 2), "assumption",
                     "Rate at which resilience is rebuilt towards its baseline.", group="psychosocial"),
           ), writes=("resilience",))
def resilience(ctx: StepContext) -> Changes:
    p = ctx.params
    baseline = ctx.add(p["resilience_baseline"], "resilience_baseline_add")
    eq, rate = _depleted(baseline, p["resilience_recovery_rate"], ctx.strength["stress_depletes_resilience"],
                         ctx.pop.stress)
    return {"resilience": Relax(np.minimum(eq, 1.0), rate)}


@mechanism("control", "the sense of control returns to a baseline set by education and is eroded by stress",
           pathways=(pathway("stress_erodes_control", ["stress"], "control", -1, 1.2, "per year at full stress",
                             (0.4, 2.5), "assumption (Pearlin et al. 1981: strain erodes mastery)",
                             "ongoing stress erodes the sense of control", ["stress_control"]),),
           parameters=(
               Param("control_baseline", 0.55, "0-1 index", (0, 1), (0.4, 0.7), "assumption",
                     "Sense of control, no stress, lowest education.", group="psychosocial"),
               Param("control_education_gain", 0.2, "0-1 index", (0, 1), (0.1, 0.3), "Marmot 2004 (status syndrome)",
                     "Extra baseline control with the highest education.", group="psychosocial"),
               Param("control_recovery_rate", 0.8, "per year", (0, 50), (0.3, 2), "assumption",
                     "Rate at which control returns to its baseline.", group="psychosocial"),
           ), writes=("control",))
def control(ctx: StepContext) -> Changes:
    p, pop = ctx.params, ctx.pop
    baseline = ctx.add(p["control_baseline"] + p["control_education_gain"] * pop.education / 2.0,
                       "control_baseline_add")
    eq, rate = _depleted(np.minimum(baseline, 1.0), p["control_recovery_rate"],
                         ctx.strength["stress_erodes_control"], pop.stress)
    return {"control": Relax(eq, rate)}
