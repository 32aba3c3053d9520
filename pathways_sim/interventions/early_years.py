"""Early childhood and family support: parenting programmes, early detection of ACEs, a trusted adult.

Offered to parents of young children.  While a household takes part, its children's ACE hazard may fall,
and a child reached may gain a trusted adult, which weakens stress sensitisation for life.

Defaults follow the English trial: the Family Nurse Partnership (Building Blocks; Robling et al. 2016, Lancet)
gave no benefit on its primary outcomes to 24 months, and by age 6-7 children in the two arms were as likely
to have been a child in need, OR 0.98 (95% CI 0.74 to 1.31; Robling et al. 2022, BMJ Open, BB:2-6).  So by
default ``ace_reduction`` and ``sensitisation_reduction`` are 0: the programme costs money and changes
nothing the model tracks.  The optimistic variant is the US evidence: home visiting roughly halved verified
maltreatment by 15 years (Olds et al. 1997: 0.29 vs 0.54 reports per mother; ``ace_reduction: 0.5``), and a
trusted adult goes with much less harm from ACEs in a cross-sectional survey (Bellis et al. 2017: low mental
wellbeing with 4+ ACEs, OR 3.27 with one vs 8.32 without; ``sensitisation_reduction: 0.5``, an association,
not a trial).  ``pathways-sim trials`` runs both against BB:2-6.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from pathways_sim.core.modifiers import Modifiers
from pathways_sim.core.world import World
from pathways_sim.interventions.base import MAX_GBP, Intervention, InterventionConfig


class EarlyYearsConfig(InterventionConfig):
    kind: Literal["early_years"] = "early_years"
    child_max_age: float = Field(5.0, ge=0, le=18, description="households with a child under this age are offered")
    ace_reduction: float = Field(0.0, ge=0, le=1, description="fall in the children's ACE hazard while taking "
                                 "part (Robling 2016/2022: none; Olds 1997 optimistic: 0.5)")
    sensitisation_reduction: float = Field(0.0, ge=0, le=1,
                                           description="lifelong fall in ACE stress sensitisation (trusted adult; "
                                           "no trial evidence; Bellis 2017 association: 0.5)")
    duration_months: int = Field(24, ge=1, le=600, description="programme length")
    cost_per_participant: float = Field(1_500.0, ge=0, le=MAX_GBP, description="GBP per family (assumption)")


class EarlyYears(Intervention[EarlyYearsConfig]):
    kind = "early_years"
    Config = EarlyYearsConfig
    effect_modifiers = ("ace_hazard_scale", "sensitisation_scale")

    def bind(self, world: World) -> None:
        super().bind(world)
        self.trusted = np.full(world.population.capacity, -1, dtype=np.int64)  # person_id with a trusted adult

    def eligible(self, world: World) -> np.ndarray:
        pop = world.population
        young = pop.alive & (pop.parent >= 0) & (pop.age < self.config.child_max_age)
        parents = np.zeros(pop.capacity, dtype=bool)
        parents[pop.parent[young]] = True
        return super().eligible(world) & parents

    def step(self, world: World, mods: Modifiers) -> None:
        pop = world.population
        if self.trusted.size < pop.capacity:  # grown by births since the last step; before effects write to it
            self.trusted = np.concatenate([self.trusted, np.full(pop.capacity - self.trusted.size, -1)])
        super().step(world, mods)
        lifelong = np.flatnonzero((self.trusted == pop.person_id) & pop.alive)
        if lifelong.size:
            mods.array("sensitisation_scale")[lifelong] *= np.float32(1.0 - self.config.sensitisation_reduction)

    def apply_effects(self, world: World, mods: Modifiers, slots: np.ndarray, dose: np.ndarray) -> None:
        pop = world.population
        taking_part = np.zeros(pop.capacity, dtype=np.float32)
        taking_part[slots] = np.minimum(dose, 1.0 / max(self.config.ace_reduction, 1e-9))
        children = np.flatnonzero(pop.alive & (pop.parent >= 0) & (pop.age < 18))
        children = children[taking_part[pop.parent[children]] > 0]
        if children.size:
            reduction = self.config.ace_reduction * taking_part[pop.parent[children]]
            mods.array("ace_hazard_scale")[children] *= np.clip(1.0 - reduction, 0, 1)
            self.trusted[children] = pop.person_id[children]
