"""Community empowerment: community hubs, participatory budgeting, collective control (seed 000).

Residents of covered neighbourhoods are offered a part in running a hub or deciding a budget; those who take
part (uptake is modelled, as for any offer) gain a sense of control, and each area's cohesion rises with the
share of its residents taking part.  Effect sizes are assumptions (Orton et al. 2017 found positive but
weakly evidenced effects of collective control).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from pathways_sim.core.modifiers import Modifiers
from pathways_sim.core.world import World
from pathways_sim.interventions.base import MAX_GBP, Intervention, InterventionConfig


class CommunityEmpowermentConfig(InterventionConfig):
    kind: Literal["community_empowerment"] = "community_empowerment"
    control_boost: float = Field(0.1, ge=0, le=1, description="added to participants' control baseline")
    cohesion_per_participation: float = Field(1.0, ge=0, le=10, description="cohesion added per unit share of "
                                              "residents taking part (assumption)")
    duration_months: int = Field(12, ge=1, le=600, description="how long a resident stays involved")
    cost_per_participant: float = Field(120.0, ge=0, le=MAX_GBP, description="GBP per participant a year (assumption)")


class CommunityEmpowerment(Intervention[CommunityEmpowermentConfig]):
    kind = "community_empowerment"
    Config = CommunityEmpowermentConfig
    effect_modifiers = ("control_baseline_add", "cohesion_add")

    def apply_effects(self, world: World, mods: Modifiers, slots: np.ndarray, dose: np.ndarray) -> None:
        c, pop = self.config, world.population
        mods.array("control_baseline_add")[slots] += c.control_boost * dose
        residents = np.bincount(pop.area[pop.alive], minlength=world.areas.n)
        taking_part = np.bincount(pop.area[slots], weights=dose, minlength=world.areas.n)
        share = np.divide(taking_part, residents, out=np.zeros(world.areas.n), where=residents > 0)
        mods.array("cohesion_add")[:] += (c.cohesion_per_participation * share).astype(np.float32)
