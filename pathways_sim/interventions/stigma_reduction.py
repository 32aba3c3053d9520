"""Multi-level stigma reduction (policy, services, community, individual contact).

Lowers the discrimination and stigma people are exposed to where it runs — and with it the stigma barrier to
taking up other offers.  Time to Change (England) was followed by an ~11% fall in reported discrimination
among mental health service users over 2008-2014 (Corker et al. 2016); contact-based interventions show
moderate short-term effects (Thornicroft et al. 2016).  Default: exposure falls by 15% where fully
delivered.  Cost: about £1 per resident a year (Time to Change: ~£20m a year nationally; assumption).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from pathways_sim.core.modifiers import Modifiers
from pathways_sim.core.world import World
from pathways_sim.interventions.base import MAX_GBP, InterventionConfig, RuleBasedIntervention


class StigmaReductionConfig(InterventionConfig):
    kind: Literal["stigma_reduction"] = "stigma_reduction"
    min_age: float = Field(0, ge=0, le=120, description="youngest age reached")
    reduction: float = Field(0.15, ge=0, le=1, description="fall in stigma exposure at dose 1")
    cost_per_participant: float = Field(1.0, ge=0, le=MAX_GBP, description="GBP per resident reached a year")


class StigmaReduction(RuleBasedIntervention[StigmaReductionConfig]):
    kind = "stigma_reduction"
    Config = StigmaReductionConfig
    effect_modifiers = ("stigma_scale",)
    enabling = True  # steps before offers, so they see the lower stigma barrier

    def apply_effects(self, world: World, mods: Modifiers, slots: np.ndarray, dose: np.ndarray) -> None:
        mods.array("stigma_scale")[slots] *= np.clip(1.0 - self.config.reduction * dose, 0, 1)
