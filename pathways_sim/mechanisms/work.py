"""Work: jobs are lost (insecure ones more often) and found again; ill health costs jobs and slows the way
back (the health-to-poverty loop); insecure jobs may become secure.  New jobs are insecure more often in
deprived areas."""

from __future__ import annotations

import numpy as np

from pathways_sim.core.world import World
from pathways_sim.declarations.declare import Param
from pathways_sim.declarations.pathways import pathway
from pathways_sim.declarations.states import INSECURE_JOB, SECURE_JOB, UNEMPLOYED
from pathways_sim.mechanisms.base import F32, Changes, StepContext, mechanism

PATHWAYS = (
    pathway("health_job_loss", ["poor_health", "cmd"], "employment", -1, 0.8, "log hazard ratio of job loss",
            (0.4, 1.2), "ONS/DWP: ill health the main route from work to inactivity; Black 2008",
            "poor mental or physical health raises job loss", ["health_poverty"]),
    pathway("health_reemployment", ["poor_health", "cmd"], "employment", -1, 0.7,
            "log hazard ratio (lower re-employment)", (0.3, 1.2), "assumption (Waddell & Burton 2006)",
            "poor mental or physical health lowers re-employment", ["health_poverty"]),
)
PARAMETERS = (
    Param("job_loss_rate_secure", 0.03, "per year", (0, 50), (0.01, 0.06), "ONS labour market flows (~1%/quarter)",
          "Job loss hazard in secure work, in good health.", group="health"),
    Param("job_loss_rate_insecure", 0.2, "per year", (0, 50), (0.1, 0.4), "assumption: temporary contracts end",
          "Job loss hazard in insecure work, in good health.", group="health"),
    Param("reemployment_rate", 1.2, "per year", (0, 50), (0.5, 2.5),
          "ONS labour market flows (median spell ~6 months)",
          "Re-employment hazard in good health at lowest education.", group="health"),
    Param("job_upgrade_rate", 0.15, "per year", (0, 50), (0.05, 0.3), "assumption",
          "Hazard that an insecure job becomes secure.", group="health"),
    Param("insecure_job_share", 0.18, "proportion of jobs", (0, 1), (0.1, 0.25),
          "Living Wage Foundation 2022: about 1 in 5 workers in severely insecure work",
          "Share of new jobs that are insecure, at average deprivation.", group="population"),
    Param("insecure_job_deprivation_gradient", 1.0, "log odds", (0, 5), (0.5, 1.5), "assumption",
          "Log-odds difference of a new job being insecure, most vs least deprived area.", group="population"),
)


def logistic(x):  # arrays or floats
    return 1.0 / (1.0 + np.exp(-x))


def new_job_security(world: World, slots: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """Employment code of a newly taken job: insecure more often in deprived areas."""
    p = world.params
    deprivation = world.areas.deprivation[world.population.area[slots]]
    logit = np.log(p["insecure_job_share"] / (1 - p["insecure_job_share"] + 1e-12) + 1e-12)
    p_insecure = logistic(logit + p["insecure_job_deprivation_gradient"] * (deprivation - 0.5))
    return np.where(uniforms < p_insecure, INSECURE_JOB, SECURE_JOB).astype(np.int8)


@mechanism("work", "jobs are lost and found; ill health costs jobs and slows re-employment", pathways=PATHWAYS,
           parameters=PARAMETERS, writes=("employment",))
def work(ctx: StepContext) -> Changes:
    s, p, pop = ctx.strength, ctx.params, ctx.pop
    employment = pop.employment
    ill = pop.poor_health.astype(F32) + pop.cmd
    base_loss = np.select([employment == SECURE_JOB, employment == INSECURE_JOB],
                          [p["job_loss_rate_secure"], p["job_loss_rate_insecure"]], 0.0)
    job_loss = ctx.scale(base_loss * np.exp(s["health_job_loss"] * ill), "job_loss_scale")
    fewer_jobs = p["reemployment_deprivation_gradient"] * (ctx.exposures.deprivation - 0.5)
    reemployment = ctx.scale(np.where(employment == UNEMPLOYED,
                                      p["reemployment_rate"] * np.exp(-s["health_reemployment"] * ill - fewer_jobs), 0),
                             "reemployment_scale")
    lost = ctx.event("job_loss", job_loss)
    hired = ctx.event("reemployment", reemployment)
    upgrade = ctx.add(np.full(pop.capacity, p["job_upgrade_rate"], dtype=F32), "job_upgrade_add")
    upgraded = (employment == INSECURE_JOB) & ctx.event("job_upgrade", upgrade)
    new = employment.copy()
    new[lost] = UNEMPLOYED
    new[upgraded & ~lost] = SECURE_JOB
    hired_slots = np.flatnonzero(hired)
    new[hired_slots] = new_job_security(ctx.world, hired_slots, ctx.uniform("job_security")[hired_slots])
    return {"employment": new}
