"""The engine restricted to the Mesa twin's subset: the engine's own mechanism functions and its own
``apply_changes``, with every mechanism outside the subset not run (its states stay as they were)."""

from __future__ import annotations

import numpy as np

from pathways_sim.core.world import World
from pathways_sim.mechanisms import loneliness, mental_disorder, mortality, physical_health, resources, stress, ties
from pathways_sim.mechanisms.base import StepContext
from pathways_sim.mechanisms.demography import deaths
from pathways_sim.model.step import apply_changes

SUBSET_MECHANISMS = (stress.stress, resources.resilience, loneliness.loneliness, mental_disorder.mental_disorder,
                     physical_health.physical_health, ties.ties, mortality.mortality)


def advance_subset(world: World) -> np.ndarray:
    """One step of the subset (simultaneous mechanisms, then deaths, then ageing); returns who died."""
    ctx = StepContext(world)
    changes: dict = {}
    for mech in SUBSET_MECHANISMS:
        changes.update(mech(ctx) or {})
    apply_changes(ctx, changes)
    died = ctx.signals["dies"]
    deaths(world, died)
    pop = world.population
    pop.age[pop.alive] += np.float32(world.dt)
    world.step_index += 1
    return died
