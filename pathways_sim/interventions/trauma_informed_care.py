"""Trauma-informed care: services that recognise and respond to trauma.

Raises the engagement (uptake and retention) of people with many ACEs in every other offer, and removes the
re-traumatisation that clinical services otherwise cause them (seed 000; SAMHSA 2014).

Speculative.  No controlled effect sizes exist for whole-system change: the defaults are assumptions
(engagement +0.8 log odds; full removal of re-traumatisation where fully delivered), and part of its benefit
is the removal of a harm that is itself an assumption (``retraumatisation_load``, stress added by clinical
services to people with 4+ ACEs).  ``pathways-sim trials`` lists it with no published estimate.  Cost:
training and supervision per person reached.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from pathways_sim.core.modifiers import Modifiers
from pathways_sim.core.world import World
from pathways_sim.interventions.base import MAX_GBP, InterventionConfig, RuleBasedIntervention


class TraumaInformedCareConfig(InterventionConfig):
    kind: Literal["trauma_informed_care"] = "trauma_informed_care"
    min_aces: int = Field(4, ge=0, le=9, description="ACE count from which people benefit")
    engagement_boost: float = Field(0.8, ge=0, le=10, description="log odds added to uptake and retention")
    retraumatisation_removed: float = Field(1.0, ge=0, le=1, description="share of re-traumatisation removed")
    cost_per_participant: float = Field(40.0, ge=0, le=MAX_GBP,
                                        description="GBP a year per person reached (assumption)")


class TraumaInformedCare(RuleBasedIntervention[TraumaInformedCareConfig]):
    kind = "trauma_informed_care"
    Config = TraumaInformedCareConfig
    effect_modifiers = ("uptake_log_odds_add", "retraumatisation_scale")
    enabling = True

    def eligible(self, world: World) -> np.ndarray:
        return super().eligible(world) & (world.population.aces >= self.config.min_aces)

    def apply_effects(self, world: World, mods: Modifiers, slots: np.ndarray, dose: np.ndarray) -> None:
        mods.array("uptake_log_odds_add")[slots] += self.config.engagement_boost * dose
        mods.array("retraumatisation_scale")[slots] *= np.clip(1.0 - self.config.retraumatisation_removed * dose, 0, 1)
