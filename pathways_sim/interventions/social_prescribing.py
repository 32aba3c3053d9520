"""Social prescribing: referral -> link worker -> community assets.

GPs and other referrers refer people presenting with distress or loneliness to link workers, whose caseloads
are finite; link workers connect them to community assets (arts, heritage, green space, physical activity,
volunteering) with finite places in each neighbourhood and their own funding — an asset closes when its
funding ends (seed 003, Thomson & Chatterjee).  Taking part makes ties and raises control and resilience.

Controlled evidence of effect is weak: in a systematic review of 68 reports (Napierala et al. 2022, Int J
Integr Care), positive effects in short uncontrolled studies "could largely not be seen in controlled settings
and for longer follow-up periods"; there is no pooled estimate.  Every effect — and the chance that an
activity group makes a tie — is multiplied by ``effect_scale``: the default 0.1 is a central effect near zero
(its in-silico trial gives depressive symptoms SMD about -0.02 at 6 months); ``effect_scale: 1`` is the
optimistic variant (the uncontrolled studies taken at their word), and sweeping 0-1 expresses the
uncertainty rather than assuming success.  Short programmes (6-8 weeks) give a smaller dose than the long
journey people ask for.
Costs: link worker ~£35,000 a year with a caseload of ~200 referrals a year (NHS England DES, assumption).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from pathways_sim.core.modifiers import Modifiers
from pathways_sim.core.world import World
from pathways_sim.interventions.base import FIRST_YEAR, LAST_YEAR, MAX_GBP, Intervention, InterventionConfig
from pathways_sim.interventions.peer_support import ELIGIBILITY, needs_support, tie_within_areas


class SocialPrescribingConfig(InterventionConfig):
    kind: Literal["social_prescribing"] = "social_prescribing"
    eligibility: ELIGIBILITY = Field("mental_disorder_or_lonely", description="who is referred")
    link_workers_per_100k: float = Field(4.0, ge=0, le=1000, description="link workers per 100,000 people")
    caseload_per_year: float = Field(200.0, ge=0, le=5000, description="referrals one link worker takes a year")
    asset_places_per_1000: float = Field(15.0, ge=0, le=1000,
                                         description="places in community assets per 1,000 residents of an area")
    asset_funding_end_year: float | None = Field(None, ge=FIRST_YEAR, le=LAST_YEAR,
                                                 description="community assets close at this year")
    duration_months: int = Field(3, ge=1, le=600, description="programme length (6-8 weeks ~ 2; long-term 12)")
    effect_scale: float = Field(0.1, ge=0, le=5, description="multiplies every effect: 0.1 near-null central "
                                "(Napierala 2022), 1 optimistic")
    new_ties: int = Field(1, ge=0, le=20, description="ties made in an activity group")
    control_boost: float = Field(0.08, ge=0, le=1, description="added to the control baseline (assumption)")
    resilience_boost: float = Field(0.08, ge=0, le=1, description="added to the resilience baseline (assumption)")
    support_boost: float = Field(0.1, ge=0, le=1, description="added to perceived support (assumption)")
    cost_per_participant: float = Field(175.0, ge=0, le=MAX_GBP, description="GBP per referral (link worker time)")


class SocialPrescribing(Intervention[SocialPrescribingConfig]):
    kind = "social_prescribing"
    Config = SocialPrescribingConfig
    effect_modifiers = ("support_add", "control_baseline_add", "resilience_baseline_add")

    def assets_open(self, world: World) -> bool:
        end = self.config.asset_funding_end_year
        return end is None or world.year < end

    def eligible(self, world: World) -> np.ndarray:
        return super().eligible(world) & needs_support(world, self.config.eligibility)

    def limit(self, world: World, slots: np.ndarray, t: int) -> np.ndarray:
        """Link-worker caseloads cap referrals a year; community asset places cap participants per area."""
        c = self.config
        pop = world.population
        caseload = int(c.link_workers_per_100k * pop.n_alive / 100_000 * c.caseload_per_year)
        self.year.capacity = float(caseload)  # referrals the link workers can take this year
        fits = np.arange(slots.size) < caseload
        if not self.assets_open(world):
            return np.zeros(slots.size, dtype=bool)
        residents = np.bincount(pop.area[pop.alive], minlength=world.areas.n)
        places = np.floor(residents * c.asset_places_per_1000 / 1000).astype(np.int64)
        in_use = np.bincount(pop.area[self.participants(world, t)], minlength=world.areas.n)
        free = np.maximum(places - in_use, 0)
        # Rank of each would-be joiner within its area, in priority order.
        area = pop.area[slots]
        order = np.argsort(area, kind="stable")
        first = np.searchsorted(area[order], area[order], side="left")
        rank = np.empty(slots.size, dtype=np.int64)
        rank[order] = np.arange(slots.size) - first
        return fits & (rank < free[area])

    def on_enrol(self, world: World, slots: np.ndarray, t: int) -> None:
        """Activity groups make ties among the share ``effect_scale`` (at most all) of the new participants."""
        rng = self.stream(world, "groups", t)
        makes_ties = rng.random(slots.size) < min(self.config.effect_scale, 1.0)
        tie_within_areas(world, slots[makes_ties], self.config.new_ties, rng)

    def apply_effects(self, world: World, mods: Modifiers, slots: np.ndarray, dose: np.ndarray) -> None:
        if not self.assets_open(world):
            return  # the link worker has nowhere left to refer to
        c = self.config
        size = c.effect_scale * dose
        mods.array("support_add")[slots] += c.support_boost * size
        mods.array("control_baseline_add")[slots] += c.control_boost * size
        mods.array("resilience_baseline_add")[slots] += c.resilience_boost * size
