"""Community wealth building, the Preston model (seed 000; CLES and Preston City Council).

Anchor institutions (council, university, hospital, college) shift procurement to local firms: in Preston
the share of spend retained locally rose from 5% (2012/13) to 18.2% (2016/17), about £74m more a year.
Here the local share ramps from ``local_share_start`` to ``local_share_target`` over ``ramp_years``.

The evaluation it follows (Rose et al. 2023, Lancet Public Health: Preston against a synthetic control,
2016-19) found median wages up 11% (95% credible interval 1.8% to 18.9%) and no significant change in
employment.  So by default the programme works through pay, not jobs: the extra anchor-institution spend
retained locally raises the pay of covered workers (``local_wage_gain`` at the full local share, reached over
the ramp), Real Living Wage adoption lifts the lowest wages, local work becomes more secure, and worker
co-operatives raise members' sense of control and job security.  ``local_wage_gain`` is sized so the in-silico
version of the evaluation (``pathways-sim trials``) reproduces the wage finding.  Job creation — the extra
spend, through a local multiplier, raising re-employment — is off (``job_creation: false``); switched on, it is
an optimistic variant that ignores displacement.  ``coverage`` is the share of anchor spend taking part (0:
nothing changes).
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
    local_wage_gain: float = Field(0.09, ge=0, le=2, description="relative rise in covered workers' pay at "
                                   "the full local share (sized to Rose et al. 2023: median wages +11%)")
    job_creation: bool = Field(False, description="the extra local spend creates jobs (off: Rose et al. 2023 "
                               "found employment unchanged; on: an optimistic variant with no displacement)")
    local_multiplier: float = Field(1.6, ge=1, le=5, description="local multiplier of spend (LM3; assumption; "
                                    "used with job_creation)")
    spend_per_job: float = Field(60_000.0, ge=1, le=MAX_GBP,
                                 description="GBP of local spend sustaining one job (assumption; used with "
                                 "job_creation)")
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
    effect_modifiers = ("wage_scale", "reemployment_scale", "wage_floor", "control_baseline_add",
                        "job_loss_scale", "job_upgrade_add")

    def local_share_gain(self, world: World) -> float:
        c = self.config
        years = (world.step_index - self._start_step) * world.dt
        return (c.local_share_target - c.local_share_start) * min(1.0, years / c.ramp_years)

    def apply_effects(self, world: World, mods: Modifiers, slots: np.ndarray, dose: np.ndarray) -> None:
        c, pop, p = self.config, world.population, world.params
        gain = self.local_share_gain(world)
        if gain <= 0:
            return
        full = c.local_share_target - c.local_share_start
        share_reached = gain / full if full > 0 else 0.0
        working = slots[(pop.employment[slots] == SECURE_JOB) | (pop.employment[slots] == INSECURE_JOB)]
        if working.size and c.local_wage_gain > 0:
            mods.array("wage_scale")[working] *= np.float32(1.0 + c.local_wage_gain * share_reached)
        # Optionally, jobs created by the extra local spend, shared out over the covered people by their dose.
        jobs = gain * c.anchor_spend_per_resident * c.local_multiplier / c.spend_per_job * slots.size
        unemployed = slots[pop.employment[slots] == UNEMPLOYED] if c.job_creation else slots[:0]
        if unemployed.size:
            weight = dose[pop.employment[slots] == UNEMPLOYED]
            # Extra hires a year per unemployed person, turned into a multiplier of the re-employment hazard.
            extra_hazard = jobs / max(c.ramp_years, 1.0) * weight / weight.sum()
            mods.array("reemployment_scale")[unemployed] *= np.float32(1.0) + (extra_hazard / p["reemployment_rate"]
                                                                               ).astype(np.float32)
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
            mods.array("job_upgrade_add")[insecure] += c.secure_local_jobs * share_reached
