"""Psychological resources that stress uses up: resilience and the sense of control.

Each is rebuilt towards a baseline and depleted by stress: dx/dt = a (b - x) - d s x, whose moving
equilibrium is a b / (a + d s) (conservation of resources, Hobfoll 1989; strain erodes mastery, Pearlin 1981).
"""

from __future__ import annotations

import numpy as np

from pathways_sim.core import kernels
from pathways_sim.declarations.declare import Param
from pathways_sim.declarations.pathways import pathway
from pathways_sim.mechanisms.base import Changes, Relax, StepContext, mechanism


def _depleted(baseline, recovery_rate: float, depletion, stress):  # arrays or floats
    """Equilibrium and rate of dx/dt = a (b - x) - d s x."""
    fused = _compiled_depleted(baseline, recovery_rate, depletion, stress)
    if fused is not None:
        return fused
    rate = recovery_rate + depletion * stress
    # With no recovery and no stress nothing moves (rate 0): the equilibrium is then never read.
    return np.divide(recovery_rate * baseline, rate, out=np.zeros_like(rate), where=rate > 0), rate


def _compiled_depleted(baseline, recovery_rate: float, depletion, stress) -> tuple[np.ndarray, np.ndarray] | None:
    """``_depleted`` in one numba pass for float32 stress and float rates, or None (numpy's then).  numpy's
    promotion spelled out: the rate is float32; the equilibrium's numerator a b is a Python float (cast to float32)
    or a float32 array, divided in float32, or a float64 array (control's baseline, from education), divided in
    float64 and cast to float32."""
    if (kernels.compiled() is None or not isinstance(stress, np.ndarray) or stress.dtype != np.float32
            or stress.ndim != 1 or not isinstance(depletion, float)):
        return None
    numerator = recovery_rate * baseline  # (made here, so the numpy path makes it once)
    if type(numerator) is float:  # (a Python float meets float32 as float32; a numpy float64 would not)
        per_person, wide, numerator = False, False, np.array([numerator])
    elif (isinstance(numerator, np.ndarray) and numerator.shape == stress.shape
          and numerator.dtype in (np.float32, np.float64)):
        per_person, wide = True, numerator.dtype == np.float64
    else:
        return None
    eq, rate = np.empty(stress.size, dtype=np.float32), np.empty(stress.size, dtype=np.float32)
    _depleted_kernel(numerator.astype(np.float64 if wide else np.float32, copy=False), per_person, wide,
                     np.float32(recovery_rate), np.float32(depletion), stress, eq, rate)
    return eq, rate


@kernels.kernel
def _depleted_kernel(numerator: np.ndarray, per_person: bool, wide: bool, recovery: np.float32,
                     depletion: np.float32, stress: np.ndarray, eq: np.ndarray, rate: np.ndarray) -> None:
    for i in range(stress.size):
        r = recovery + depletion * stress[i]
        rate[i] = r
        eq[i] = 0.0  # (where the rate is not positive: never read, numpy's 0)
        if r > np.float32(0.0):
            a_b = numerator[i if per_person else 0]
            eq[i] = np.float32(np.float64(a_b) / np.float64(r)) if wide else np.float32(a_b) / r


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
