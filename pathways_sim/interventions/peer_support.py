"""Peer support, befriending and mentoring.

Participants with a mental disorder or loneliness meet others with shared experience: while taking part they
recover from a mental disorder faster (peer support did as well as group CBT in the trials), feel more
supported and rebuild resilience; and some (``tie_share``) make a new tie with a co-participant in the same
neighbourhood, which then lasts, or not, like any other tie (``tie_loss_rate``).

Defaults are sized so the in-silico trial (``pathways-sim trials``: adults with a common mental disorder
randomised to peer support or usual care, full uptake, outcome at 6 months) reproduces depressive symptoms
SMD -0.59 (95% CI -0.98 to -0.21) vs usual care (Pfeiffer et al. 2011, 7 RCTs, 869 people; SMD vs group CBT
0.10, -0.20 to 0.39).  The trial's SMD is the model's log odds ratio of still having a disorder, converted by
Chinn's sqrt(3)/pi.  The effect on recovery ends with the programme; what persists is the ties made.  Their
number is sized so that loneliness among lonely participants falls by about SMD -0.20 at 6 months, the mean
effect of randomised loneliness interventions (Masi et al. 2011); two ties for everyone, as before, gave
about -1.8 and an effect that lasted for years.  Cost: assumption (~£450 per participant for a 6-month group programme).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from pathways_sim.core.modifiers import Modifiers
from pathways_sim.core.world import World
from pathways_sim.interventions.base import MAX_GBP, Intervention, InterventionConfig

ELIGIBILITY = Literal["mental_disorder_or_lonely", "mental_disorder", "lonely", "everyone"]


class PeerSupportConfig(InterventionConfig):
    kind: Literal["peer_support"] = "peer_support"
    eligibility: ELIGIBILITY = Field("mental_disorder_or_lonely", description="who is offered a place")
    new_ties: int = Field(1, ge=0, le=20, description="ties made with co-participants in one's neighbourhood "
                          "by those who make any (they then dissolve like any tie)")
    tie_share: float = Field(0.25, ge=0, le=1, description="share of participants who make lasting ties (sized to "
                             "Masi 2011 by the in-silico trial)")
    recovery_hazard_ratio: float = Field(1.75, ge=1, le=20, description="multiplies the hazard of recovering "
                                         "from a mental disorder while taking part (sized to Pfeiffer 2011 by "
                                         "the in-silico trial)")
    support_boost: float = Field(0.25, ge=0, le=1, description="added to perceived support while taking part "
                                 "(assumption)")
    resilience_boost: float = Field(0.1, ge=0, le=1, description="added to the resilience baseline while "
                                    "taking part (assumption)")
    cost_per_participant: float = Field(450.0, ge=0, le=MAX_GBP, description="GBP per participant (assumption)")


def needs_support(world: World, eligibility: str) -> np.ndarray:
    """Who presents with distress or loneliness (shared by peer support and social prescribing)."""
    pop = world.population
    lonely = pop.loneliness > world.params["lonely_threshold"]
    return {"mental_disorder_or_lonely": pop.cmd | lonely, "mental_disorder": pop.cmd, "lonely": lonely,
            "everyone": np.ones(pop.capacity, dtype=bool)}[eligibility]


def tie_within_areas(world: World, slots: np.ndarray, ties_each: int, rng: np.random.Generator) -> None:
    """Tie each of ``slots`` to up to ``ties_each`` others of them in the same area (groups meet locally)."""
    if ties_each <= 0 or slots.size < 2:
        return
    order = slots[np.lexsort((rng.random(slots.size), world.population.area[slots]))]
    area = world.population.area[order]
    for offset in range(1, ties_each + 1):  # a handful of offsets, each vectorised over all participants
        a, b = order[:-offset], order[offset:]
        same = area[:-offset] == area[offset:]
        world.network.add(a[same], b[same], world.population.key)


class PeerSupport(Intervention[PeerSupportConfig]):
    kind = "peer_support"
    Config = PeerSupportConfig
    effect_modifiers = ("support_add", "resilience_baseline_add", "cmd_recovery_scale")

    def eligible(self, world: World) -> np.ndarray:
        return super().eligible(world) & needs_support(world, self.config.eligibility)

    def on_enrol(self, world: World, slots: np.ndarray, t: int) -> None:
        rng = self.stream(world, "groups", t)
        makes_ties = rng.random(slots.size) < self.config.tie_share
        tie_within_areas(world, slots[makes_ties], self.config.new_ties, rng)

    def apply_effects(self, world: World, mods: Modifiers, slots: np.ndarray, dose: np.ndarray) -> None:
        mods.array("support_add")[slots] += self.config.support_boost * dose
        mods.array("resilience_baseline_add")[slots] += self.config.resilience_boost * dose
        ratio = 1.0 + (self.config.recovery_hazard_ratio - 1.0) * np.minimum(dose, 1.0)
        mods.array("cmd_recovery_scale")[slots] *= ratio.astype(np.float32)
