"""Loneliness follows one's ties: it falls towards a floor as ties accumulate (Fontanari et al. 2021)."""

from __future__ import annotations

import numpy as np

from pathways_sim.core import kernels
from pathways_sim.declarations.declare import Param
from pathways_sim.declarations.pathways import pathway
from pathways_sim.mechanisms.base import Changes, Relax, StepContext, mechanism

PARAMETERS = (
    Param("loneliness_floor", 0.05, "0-1 index", (0, 1), (0, 0.15), "assumption", "Loneliness with very many ties.",
          group="network"),
    Param("loneliness_adaptation_years", 0.5, "years", (0.01, 50), (0.25, 2), "assumption",
          "Time constant of loneliness following one's ties.", group="network"),
    Param("lonely_threshold", 0.5, "0-1 index", (0, 1), (0.5, 0.8),
          "assumption, calibrated to 7% often/always lonely",
          "Loneliness index above which a person counts as often or always lonely.", group="network"),
)


@mechanism("loneliness", "loneliness follows one's ties, towards a floor as they accumulate",
           pathways=(pathway("ties_reduce_loneliness", ["ties"], "loneliness", -1, 0.25,
                             "per tie (loneliness ~ exp(-k x ties))", (0.1, 0.6),
                             "assumption (Fontanari et al. 2021 loneliness network model)",
                             "ties relieve loneliness (switched off, everyone's loneliness follows the mean degree "
                             "instead)", ["loneliness_ties"]),),
           parameters=PARAMETERS, writes=("loneliness",))
def loneliness(ctx: StepContext) -> Changes:
    p = ctx.params
    degree = ctx.exposures.degree
    # Switched off, loneliness follows the mean degree instead of one's own ties.
    ties = degree if ctx.world.switches.on("ties_reduce_loneliness") else np.full_like(degree, p["mean_degree"])
    floor = p["loneliness_floor"]
    if kernels.compiled() is not None and ties.dtype == np.float32:  # the same in one pass, numpy's exp included
        target = np.empty_like(ties)
        _target(ties, np.float32(-p["ties_reduce_loneliness_strength"]), np.float32(floor), np.float32(1.0 - floor),
                kernels.exp32_mode(), target)
    else:
        target = floor + (1.0 - floor) * np.exp(-p["ties_reduce_loneliness_strength"] * ties)
    return {"loneliness": Relax(target, 1.0 / p["loneliness_adaptation_years"])}


# numpy's promotion spelled out: the Python floats meet the float32 degrees as float32 (NEP 50), and 1 - floor is
# worked out in float64 first, as Python does; tests/test_kernels_mech_b.py compares it byte for byte.
@kernels.kernel
def _target(ties: np.ndarray, neg_strength: np.float32, floor: np.float32, above_floor: np.float32, simd: bool,
            out: np.ndarray) -> None:
    for i in range(ties.size):
        out[i] = floor + above_floor * kernels.exp32(neg_strength * ties[i], simd)
