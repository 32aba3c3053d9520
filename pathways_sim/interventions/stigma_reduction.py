"""Multi-level anti-stigma campaigns for mental illness (policy, services, community, individual contact).

Lowers the stigma a mental disorder carries where it runs — and with it the stigma barrier that people with a
disorder face in taking up other offers.  Scoped to mental-illness stigma: the evidence is from mental-health
campaigns, and it does not reach the discrimination people meet for a minority identity (ethnicity, religion,
sexual orientation), which this lever leaves unchanged.

Evidence: during Time to Change (England), fewer mental health service users reported discrimination in one
or more life areas in 2014 than in 2008, OR 0.58 (95% CI 0.36 to 0.94; Corker et al. 2016, Viewpoint survey;
uncontrolled, so a secular trend is in it too); contact-based interventions show moderate short-term effects
(Thornicroft et al. 2016).  Default: a 6% fall in mental-illness stigma exposure where fully delivered, sized
so the in-silico version of the survey (people with a disorder reporting discrimination with a chance
proportional to their exposure, 91.5% at full exposure) reproduces OR 0.58 (``pathways-sim trials``).
Cost: about £1 per resident a year (Time to Change: ~£20m a year nationally; assumption).
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
    reduction: float = Field(0.06, ge=0, le=1, description="fall in mental-illness stigma exposure at dose 1 "
                             "(sized to Corker et al. 2016, OR 0.58)")
    cost_per_participant: float = Field(1.0, ge=0, le=MAX_GBP, description="GBP per resident reached a year")


class StigmaReduction(RuleBasedIntervention[StigmaReductionConfig]):
    kind = "stigma_reduction"
    Config = StigmaReductionConfig
    effect_modifiers = ("mental_illness_stigma_scale",)
    enabling = True  # steps before offers, so they see the lower stigma barrier

    def apply_effects(self, world: World, mods: Modifiers, slots: np.ndarray, dose: np.ndarray) -> None:
        mods.array("mental_illness_stigma_scale")[slots] *= np.clip(1.0 - self.config.reduction * dose, 0, 1)
