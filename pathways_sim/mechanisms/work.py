"""Work: jobs are lost (insecure ones more often) and found again; ill health costs jobs and slows the way
back (the health-to-poverty loop); insecure jobs may become secure.  New jobs are insecure more often in
deprived areas."""

from __future__ import annotations

import numpy as np

from pathways_sim.core import kernels
from pathways_sim.core.world import World
from pathways_sim.declarations.declare import Param
from pathways_sim.declarations.pathways import pathway
from pathways_sim.declarations.states import INSECURE_JOB, SECURE_JOB, UNEMPLOYED
from pathways_sim.mechanisms.base import F32, Changes, StepContext, mechanism
from pathways_sim.mechanisms.exposures import modifier_array

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
    if kernels.compiled() is not None:
        return _compiled_work(ctx)
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


# --- The same in numba passes around numpy's two float32 exps and the draws (core.kernels.kernel;
# tests/test_kernels_mech_a.py compares them byte for byte with the numpy code above).  numpy's promotion: the
# job loss base rate (np.select of Python floats) is float64, so the job loss hazard is float64 until ``event``
# casts it to float32; everything else is float32.

def _compiled_work(ctx: StepContext) -> Changes:
    s, p, pop = ctx.strength, ctx.params, ctx.pop
    n, employment = pop.capacity, pop.employment
    loss_exp, reemployment_exp = np.empty(n, F32), np.empty(n, F32)
    _work_exponents(pop.poor_health, pop.cmd, F32(s["health_job_loss"]), F32(-s["health_reemployment"]),
                    F32(p["reemployment_deprivation_gradient"]), ctx.world.areas.deprivation, pop.area, loss_exp,
                    reemployment_exp)
    kernels.exp_in_place(loss_exp)  # np.exp(loss_exp, out=loss_exp), in a vectorised loop
    kernels.exp_in_place(reemployment_exp)
    # The base rates by employment code (read as uint8): numba compiles a choice between values into a branch,
    # which the mix of codes in slot order mispredicts; a table lookup has none.
    base_loss, base_reemployment = np.zeros(256, dtype=np.float64), np.zeros(256, dtype=F32)
    base_loss[SECURE_JOB], base_loss[INSECURE_JOB] = p["job_loss_rate_secure"], p["job_loss_rate_insecure"]
    base_reemployment[UNEMPLOYED] = p["reemployment_rate"]
    _work_hazards(employment, base_loss, *modifier_array(ctx.mods, "job_loss_scale", n), base_reemployment,
                  *modifier_array(ctx.mods, "reemployment_scale", n), loss_exp, reemployment_exp)
    lost = ctx.event("job_loss", loss_exp)  # drawn only where a job can be lost (or found, or upgraded)
    hired = ctx.event("reemployment", reemployment_exp)
    upgrade = ctx.add(np.full(n, p["job_upgrade_rate"], dtype=F32), "job_upgrade_add")
    upgraded = ctx.event("job_upgrade", upgrade, among=employment == INSECURE_JOB)
    new = np.empty_like(employment)
    _job_changes(employment, lost, upgraded, new)
    hired_slots = np.flatnonzero(hired)
    security_draws = ctx.world.streams.uniform("job_security", ctx.step, pop.key[hired_slots])  # the same draws
    new[hired_slots] = new_job_security(ctx.world, hired_slots, security_draws)
    return {"employment": new}


@kernels.kernel
def _work_exponents(  # noqa: PLR0913, PLR0917 - a kernel takes its arrays positionally
        poor_health: np.ndarray, cmd: np.ndarray, loss_strength: np.float32, neg_reemployment_strength: np.float32,
        gradient: np.float32, deprivation: np.ndarray, area: np.ndarray, loss_exp: np.ndarray,
        reemployment_exp: np.ndarray) -> None:
    """The exponents of the health effects on job loss and re-employment (float32), for numpy's exp."""
    half = np.float32(0.5)
    for i in range(poor_health.size):
        ill = np.float32(poor_health[i]) + np.float32(cmd[i])
        loss_exp[i] = loss_strength * ill
        reemployment_exp[i] = neg_reemployment_strength * ill - gradient * (deprivation[area[i]] - half)


@kernels.kernel
def _work_hazards(  # noqa: PLR0913, PLR0917 - a kernel takes its arrays positionally
        employment: np.ndarray, base_loss: np.ndarray, loss_scale: np.ndarray, loss_scaled: bool,
        base_reemployment: np.ndarray, reemployment_scale: np.ndarray, reemployment_scaled: bool,
        loss: np.ndarray, reemployment: np.ndarray) -> None:
    """In place, from the exps: the job loss hazard (float64, cast to float32 as ``event`` does) and the
    re-employment hazard (float32)."""
    zero = np.float32(0.0)
    for i in range(employment.size):
        job = np.uint8(employment[i])
        hazard = base_loss[job] * np.float64(loss[i])  # numpy multiplies every slot's rate, 0 included
        if loss_scaled:
            hazard = hazard * np.float64(loss_scale[i])
        loss[i] = np.float32(hazard)
        # numpy's where gives 0 to anyone not unemployed; so does 0 x the exp, unless the exp overflowed.
        exp = reemployment[i]
        rate = base_reemployment[job] * exp
        if not np.isfinite(exp):
            rate = rate if job == UNEMPLOYED else zero
        if reemployment_scaled:
            rate = rate * reemployment_scale[i]
        reemployment[i] = rate


@kernels.kernel
def _job_changes(employment: np.ndarray, lost: np.ndarray, upgrade: np.ndarray, new: np.ndarray) -> None:
    """Jobs lost become unemployment; insecure jobs upgraded (and not lost) become secure."""
    for i in range(employment.size):
        # In integers, without a branch the data decide: job + (new job - job) x (0 or 1).
        job = np.int64(employment[i])
        job = job + (SECURE_JOB - job) * np.int64((employment[i] == INSECURE_JOB) & upgrade[i])
        new[i] = job + (UNEMPLOYED - job) * np.int64(lost[i])
