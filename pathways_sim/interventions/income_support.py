"""Income and Health-in-All-Policies levers: transfers and security by rule, no application needed.

- ``child_benefit_uplift``: GBP a year per child added to the household (equivalised by the modified OECD
  scale: a child counts 0.3 of a household of about 2.3 equivalent adults; assumption);
- ``minimum_income_floor``: a guaranteed minimum equivalised household income;
- ``housing_security``: stronger tenant protection and support — the hazard of losing secure housing falls,
  the hazard of regaining it rises.
Cost is what is paid out (transfers) or a cost per covered household a year (housing).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from pathways_sim.core.modifiers import Modifiers
from pathways_sim.core.world import World
from pathways_sim.interventions.base import MAX_GBP, InterventionConfig, RuleBasedIntervention

EQUIVALENT_ADULTS = 2.3  # modified OECD scale, household of two adults and one or two children


class ChildBenefitUpliftConfig(InterventionConfig):
    kind: Literal["child_benefit_uplift"] = "child_benefit_uplift"
    amount_per_child: float = Field(1_000.0, ge=0, le=MAX_GBP, description="GBP a year per child")
    cost_per_participant: float = Field(0.0, ge=0, le=MAX_GBP, description="unused: the cost is the transfer")


class ChildBenefitUplift(RuleBasedIntervention[ChildBenefitUpliftConfig]):
    kind = "child_benefit_uplift"
    Config = ChildBenefitUpliftConfig
    effect_modifiers = ("income_add",)

    def eligible(self, world: World) -> np.ndarray:
        """Parents with at least one child at home (the payment goes to the household)."""
        pop = world.population
        children = pop.alive & (pop.parent >= 0)
        parents = np.zeros(pop.capacity, dtype=bool)
        parents[pop.parent[children]] = True
        return pop.alive & parents

    def _children_per_parent(self, world: World) -> np.ndarray:
        pop = world.population
        children = pop.alive & (pop.parent >= 0)
        return np.bincount(pop.parent[children], minlength=pop.capacity)

    def cost_per_covered(self, world: World, slots: np.ndarray, dose: np.ndarray) -> np.ndarray:
        return self.config.amount_per_child * self._children_per_parent(world)[slots] * dose

    def apply_effects(self, world: World, mods: Modifiers, slots: np.ndarray, dose: np.ndarray) -> None:
        pop = world.population
        per_household = np.zeros(pop.capacity, dtype=np.float32)
        per_household[slots] = (self.cost_per_covered(world, slots, dose) / EQUIVALENT_ADULTS).astype(np.float32)
        income_add = mods.array("income_add")
        income_add += per_household  # the parent
        children = np.flatnonzero(pop.alive & (pop.parent >= 0))
        income_add[children] += per_household[pop.parent[children]]  # and the children who share the income


class MinimumIncomeFloorConfig(InterventionConfig):
    kind: Literal["minimum_income_floor"] = "minimum_income_floor"
    floor: float = Field(16_000.0, ge=0, le=MAX_GBP, description="GBP a year, equivalised (about 60% of median)")
    min_age: float = Field(0, ge=0, le=120, description="youngest age covered")
    cost_per_participant: float = Field(0.0, ge=0, le=MAX_GBP, description="unused: the cost is the top-up")


class MinimumIncomeFloor(RuleBasedIntervention[MinimumIncomeFloorConfig]):
    kind = "minimum_income_floor"
    Config = MinimumIncomeFloorConfig
    effect_modifiers = ("income_floor",)

    def cost_per_covered(self, world: World, slots: np.ndarray, dose: np.ndarray) -> np.ndarray:
        pop = world.population
        before = pop.income if world.income_before_transfers is None else world.income_before_transfers
        top_up = np.maximum(self.config.floor * np.minimum(dose, 1) - before[slots], 0)
        return np.where(pop.age[slots] >= 18, top_up, 0.0)  # paid once per household, to its adults

    def apply_effects(self, world: World, mods: Modifiers, slots: np.ndarray, dose: np.ndarray) -> None:
        floor = mods.array("income_floor")
        floor[slots] = np.maximum(floor[slots], self.config.floor * np.minimum(dose, 1))


class HousingSecurityConfig(InterventionConfig):
    kind: Literal["housing_security"] = "housing_security"
    loss_reduction: float = Field(0.5, ge=0, le=1, description="fall in the hazard of losing secure housing "
                                  "(assumption; e.g. ending no-fault evictions)")
    resecure_boost: float = Field(1.0, ge=0, le=20, description="relative rise in the hazard of regaining it")
    cost_per_participant: float = Field(60.0, ge=0, le=MAX_GBP, description="GBP a year per adult covered (assumption)")


class HousingSecurity(RuleBasedIntervention[HousingSecurityConfig]):
    kind = "housing_security"
    Config = HousingSecurityConfig
    effect_modifiers = ("housing_loss_scale", "housing_resecure_scale")

    def apply_effects(self, world: World, mods: Modifiers, slots: np.ndarray, dose: np.ndarray) -> None:
        c = self.config
        mods.array("housing_loss_scale")[slots] *= np.clip(1.0 - c.loss_reduction * dose, 0, 1)
        mods.array("housing_resecure_scale")[slots] *= 1.0 + c.resecure_boost * dose
