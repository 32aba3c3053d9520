"""Community wealth building, the Preston model (seed 000; CLES and Preston City Council).

Anchor institutions (council, university, hospital, college) shift procurement to local firms: in Preston
the share of spend retained locally rose from 5% (2012/13) to 18.2% (2016/17), about £74m more a year.
Here the local share ramps from ``local_share_start`` to ``local_share_target`` over ``ramp_years``; the
extra local spend, through a local multiplier, creates jobs in the covered neighbourhoods (more of them in
the more deprived, where the firms and the unemployed are), raising re-employment and making local work
more secure.  Real Living Wage adoption lifts the lowest wages; worker co-operatives raise members' sense
of control and job security.  ``coverage`` is the share of anchor spend taking part (0: nothing changes).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from pathways_sim.core.modifiers import Modifiers
from pathways_sim.core.population import INSECURE_JOB, SECURE_JOB, UNEMPLOYED
from pathways_sim.core.world import World
from pathways_sim.interventions.base import MAX_GBP, InterventionConfig, RuleBasedIntervention, Targeting


class CommunityWealthBuildingConfig(InterventionConfig):
    kind: Literal["community_wealth_building"] = "community_wealth_building"
    min_age: float = Field(18, ge=0, le=120, description="youngest age reached (workers)")
    targeting: Targeting = Field(default_factory=lambda: Targeting(strategy="proportionate", gradient=1.0),
                                 description="where the new local jobs go (default: more to deprived areas)")
    anchor_spend_per_resident: float = Field(5_300.0, ge=0, le=MAX_GBP,
                                             description="GBP a year of anchor procurement per "
                                             "resident (Preston: ~£750m over ~142,000 residents)")
    local_share_start: float = Field(0.05, ge=0, le=1, description="share of anchor spend retained locally")
    local_share_target: float = Field(0.18, ge=0, le=1, description="share after the ramp (Preston 18.2%)")
    ramp_years: float = Field(4.0, gt=0, le=50, description="years to reach the target share")
    local_multiplier: float = Field(1.6, ge=1, le=5, description="local multiplier of spend (LM3; assumption)")
    spend_per_job: float = Field(60_000.0, ge=1, le=MAX_GBP,
                                 description="GBP of local spend sustaining one job (assumption)")
    living_wage_share: float = Field(0.3, ge=0, le=1, description="share of covered workers whose employer "
                                     "adopts the Real Living Wage")
    living_wage_income: float = Field(22_000.0, ge=0, le=MAX_GBP,
                                      description="equivalised household income of a full-time "
                                      "Real Living Wage job, GBP/year (assumption)")
    cooperative_share: float = Field(0.02, ge=0, le=1, description="share of covered workers in co-operatives")
    cooperative_control_boost: float = Field(0.1, ge=0, le=1, description="added to members' control baseline")
    secure_local_jobs: float = Field(0.1, ge=0, le=10, description="per year, extra hazard that an insecure job "
                                     "becomes secure at full local share")
    cost_per_participant: float = Field(0.0, ge=0, le=MAX_GBP, description="public cost per covered person (spend is "
                                        "redirected, not new)")
    fixed_cost_per_year: float = Field(250_000.0, ge=0, le=MAX_GBP,
                                       description="GBP a year for a CWB team and co-op support")


class CommunityWealthBuilding(RuleBasedIntervention[CommunityWealthBuildingConfig]):
    kind = "community_wealth_building"
    Config = CommunityWealthBuildingConfig
    effect_modifiers = ("reemployment_scale", "wage_floor", "control_baseline_add", "job_loss_scale",
                        "job_upgrade_add")

    def local_share_gain(self, world: World) -> float:
        c = self.config
        years = (world.step_index - self._start_step) * world.dt
        return (c.local_share_target - c.local_share_start) * min(1.0, years / c.ramp_years)

    def apply_effects(self, world: World, mods: Modifiers, slots: np.ndarray, dose: np.ndarray) -> None:
        c, pop, p = self.config, world.population, world.params
        gain = self.local_share_gain(world)
        if gain <= 0:
            return
        # Jobs created by the extra local spend, shared out over the covered people by their dose.
        jobs = gain * c.anchor_spend_per_resident * c.local_multiplier / c.spend_per_job * slots.size
        unemployed = slots[pop.employment[slots] == UNEMPLOYED]
        if unemployed.size:
            weight = dose[pop.employment[slots] == UNEMPLOYED]
            # Extra hires a year per unemployed person, turned into a multiplier of the re-employment hazard.
            extra_hazard = jobs / max(c.ramp_years, 1.0) * weight / weight.sum()
            mods.array("reemployment_scale")[unemployed] *= np.float32(1.0) + (extra_hazard / p["reemployment_rate"]
                                                                               ).astype(np.float32)
        working = slots[(pop.employment[slots] == SECURE_JOB) | (pop.employment[slots] == INSECURE_JOB)]
        # Reuse the coverage draw: the covered have lottery < coverage (from the budget, if there is one), so
        # rescaled by it the draw is uniform on [0, 1) again.
        lottery = self._lottery[working] / max(self.coverage_now, 1e-12)
        rlw = working[lottery < c.living_wage_share]
        if rlw.size:
            floor = mods.array("wage_floor")
            floor[rlw] = np.maximum(floor[rlw], c.living_wage_income)
        coop = working[lottery >= 1.0 - c.cooperative_share]
        if coop.size:
            mods.array("control_baseline_add")[coop] += c.cooperative_control_boost
            mods.array("job_loss_scale")[coop] *= np.float32(0.5)
        insecure = slots[pop.employment[slots] == INSECURE_JOB]
        if insecure.size:
            full = c.local_share_target - c.local_share_start
            mods.array("job_upgrade_add")[insecure] += c.secure_local_jobs * (gain / full if full > 0 else 0.0)
