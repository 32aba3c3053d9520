"""Job strain (Karasek's demand-control model): a job with high demands and low control over how the work is
done.  Lower-grade jobs leave less control (Marmot et al. 1997, Whitehall II), so strain is commoner among
workers with less education.  It is a chronic stressor: ``job_strain_stress`` adds it to the stress load.

The mechanism runs after the step's job changes and retirements.  A worker's strain status is redrawn at
``job_strain_turnover_rate`` (new jobs, reorganisation), towards a share graded by education; it ends the step
a person stops working (unemployed, out of the labour force, retired).  Someone newly hired starts without
strain and reaches that share within a few years.

Its health effects run through stress only: stress -> common mental disorder, and stress -> allostatic load
-> not-good health and mortality.  There is no separate job strain -> health or job strain -> mortality link,
so the coronary effect of strain (Kivimaki et al. 2012) is not applied twice.
"""

from __future__ import annotations

import numpy as np

from pathways_sim.core import kernels
from pathways_sim.core.world import World
from pathways_sim.declarations.declare import Param
from pathways_sim.declarations.pathways import pathway
from pathways_sim.declarations.states import INSECURE_JOB, SECURE_JOB
from pathways_sim.mechanisms.base import F32, StepContext, mechanism
from pathways_sim.mechanisms.exposures import modifier_array

MIDDLE_EDUCATION = 1

PATHWAYS = (
    pathway("job_strain_stress", ["job_strain"], "stress", +1, 1.5, "stress load", (0.8, 2.0),
            "sized in the model so that incident common mental disorder among strained vs other workers, "
            "adjusted for education and age, gives an odds ratio near 1.8 (Stansfeld & Candy 2006 "
            "meta-analysis: OR 1.82 for job strain; Stansfeld et al. 2018, NCDS at 45->50: OR 2.22, "
            "1.59-3.09) - tests/test_job_strain.py checks it.  These are total effects, and stress is the "
            "model's only route from strain to disorder, so the load is large (above financial strain's 1.0).  "
            "The coronary effect (Kivimaki et al. 2012, IPD-Work: HR 1.23, 1.10-1.37) follows through stress "
            "-> allostatic load -> not-good health and is not added again",
            "high demands with low control at work raise chronic stress"),
)
PARAMETERS = (
    Param("job_strain_share", 0.2, "proportion of workers with middle education", (0, 1), (0.14, 0.26),
          "Skills and Employment Survey 2017 (Felstead et al. 2018): high-strain jobs 15% of men's and about "
          "20% of women's jobs in Britain; IPD-Work: 15% of 197,473 workers (Kivimaki et al. 2012)",
          "Share of workers with middle education in a high-strain job once the job has run a while (a new "
          "job starts without strain); about 17% of all workers are strained in the running model.",
          group="health"),
    Param("job_strain_education_gradient", 0.5, "log odds per education level below high", (0, 5), (0.2, 0.8),
          "assumption, shaped by Marmot et al. 1997 (low job control concentrated in lower Whitehall II "
          "grades) and LaMontagne et al. 2008 (job strain rises as occupational skill level falls); gives "
          "about 24% / 16% / 11% of low / middle / high education workers",
          "How much more often workers with less education are in high-strain jobs.", group="health"),
    Param("job_strain_turnover_rate", 0.3, "per year", (0.01, 50), (0.1, 1.0),
          "assumption: with it about half of strained workers are still strained 3-4 years on, in line with "
          "the instability of single job strain measures (Kivimaki et al. 2006, Whitehall II repeat data)",
          "Rate at which a worker's job strain status is redrawn (new jobs, reorganisation).", group="health"),
)


def strain_share(params, education: np.ndarray) -> np.ndarray:
    """Equilibrium probability that a worker with ``education`` (0 low, 1 middle, 2 high) has job strain."""
    share = params["job_strain_share"]
    logit = np.log(share + 1e-12) - np.log(1 - share + 1e-12)
    below_middle = MIDDLE_EDUCATION - education.astype(F32)
    return (1.0 / (1.0 + np.exp(-(logit + params["job_strain_education_gradient"] * below_middle)))).astype(F32)


def working(employment: np.ndarray) -> np.ndarray:
    return (employment == SECURE_JOB) | (employment == INSECURE_JOB)


def starting_job_strain(world: World) -> np.ndarray:
    """Job strain of the starting population (drawn before stress is settled, as stress depends on it).

    A job starts without strain and reaches the share ``q`` at the turnover rate ``r``; if jobs of its kind end
    at rate ``h``, the stationary chance that a worker is strained is ``q r / (r + h)``."""
    pop, p = world.population, world.params
    ending = np.where(pop.employment == INSECURE_JOB, p["job_loss_rate_insecure"], p["job_loss_rate_secure"])
    turnover = p["job_strain_turnover_rate"]
    chance = strain_share(p, pop.education) * turnover / (turnover + ending)
    return working(pop.employment) & (world.streams.uniform("setup_job_strain", -1, pop.key) < chance)


@mechanism("job_strain", "workers' jobs are high-strain (high demands, low control) more often at lower "
           "education; strain ends when work ends", pathways=PATHWAYS, parameters=PARAMETERS,
           writes=("job_strain",))
def job_strain(ctx: StepContext) -> None:
    """Sequential, after this step's job changes and retirements: workers' strain is redrawn at the turnover
    rate; anyone no longer working has none."""
    p, pop = ctx.params, ctx.pop
    if kernels.compiled() is not None:
        _compiled_job_strain(ctx)
        return
    at_work = working(pop.employment) & pop.alive
    share = np.minimum(ctx.scale(strain_share(p, pop.education), "job_strain_scale"), F32(1.0))
    turnover = p["job_strain_turnover_rate"]
    starts = ctx.event("job_strain_onset", np.where(at_work & ~pop.job_strain, turnover * share, 0))
    ends = ctx.event("job_strain_end", np.where(pop.job_strain, turnover * (1.0 - share), 0))
    pop.job_strain[:] = at_work & ((pop.job_strain & ~ends) | starts)


# --- The same in two numba passes around the draws (core.kernels.kernel; tests/test_kernels_mech_a.py compares
# them byte for byte with the numpy code above).  The equilibrium share depends on education alone, so it is
# ``strain_share`` itself (numpy's float64 exp) evaluated once for every int8 value and looked up per person.

_EVERY_EDUCATION = np.arange(-128, 128, dtype=np.int8)


def _compiled_job_strain(ctx: StepContext) -> None:
    p, pop = ctx.params, ctx.pop
    n = pop.capacity
    share_of = strain_share(p, _EVERY_EDUCATION)
    onset, end = np.empty(n, F32), np.empty(n, F32)
    turnover, (scale_by, scaled) = F32(p["job_strain_turnover_rate"]), modifier_array(ctx.mods, "job_strain_scale", n)
    # Unscaled, both hazards depend on education alone: looked up, and multiplied by 1 or 0 for whether they
    # apply, which is numpy's where exactly when they are positive and finite (x 0 is +0) - and avoids a branch
    # the data decide (numba compiles `x if c else 0` into one).
    share = np.minimum(share_of, F32(1.0))
    starting_of, ending_of = turnover * share, turnover * (F32(1.0) - share)
    if not scaled and all(np.all((x > 0) & (x < np.inf)) for x in (starting_of, ending_of)):
        _strain_hazards_by_education(starting_of, ending_of, pop.education, pop.employment, pop.alive,
                                     pop.job_strain, onset, end)
    else:
        _strain_hazards(share_of, pop.education, scale_by, scaled, turnover, pop.employment, pop.alive,
                        pop.job_strain, onset, end)
    starts = ctx.event("job_strain_onset", onset)  # drawn only for workers without strain
    ends = ctx.event("job_strain_end", end)  # and for people with it
    _new_strain(pop.employment, pop.alive, starts, ends, pop.job_strain)


@kernels.kernel
def _strain_hazards(  # noqa: PLR0913, PLR0917 - a kernel takes its arrays positionally
        share_of: np.ndarray, education: np.ndarray, scale_by: np.ndarray, scaled: bool, turnover: np.float32,
        employment: np.ndarray, alive: np.ndarray, job_strain: np.ndarray, onset: np.ndarray,
        end: np.ndarray) -> None:
    """Hazards of strain starting (workers without it) and ending (anyone with it), float32 as in numpy."""
    one, zero = np.float32(1.0), np.float32(0.0)
    for i in range(education.size):
        share = share_of[np.int64(education[i]) + 128]  # the table runs from education -128
        if scaled:
            share = share * scale_by[i]
        share = share if (share <= one) | np.isnan(share) else one  # numpy's minimum: NaN wins
        at_work = ((employment[i] == SECURE_JOB) | (employment[i] == INSECURE_JOB)) & alive[i]
        onset[i] = turnover * share if at_work & ~job_strain[i] else zero
        end[i] = turnover * (one - share) if job_strain[i] else zero


@kernels.kernel
def _strain_hazards_by_education(
        starting_of: np.ndarray, ending_of: np.ndarray, education: np.ndarray, employment: np.ndarray,
        alive: np.ndarray, job_strain: np.ndarray, onset: np.ndarray, end: np.ndarray) -> None:
    """``_strain_hazards`` when each hazard is a positive, finite function of education (looked up from -128)."""
    for i in range(education.size):
        at_work = ((employment[i] == SECURE_JOB) | (employment[i] == INSECURE_JOB)) & alive[i]
        level = np.int64(education[i]) + 128
        onset[i] = starting_of[level] * np.float32(at_work & ~job_strain[i])
        end[i] = ending_of[level] * np.float32(job_strain[i])


@kernels.kernel
def _new_strain(employment: np.ndarray, alive: np.ndarray, starts: np.ndarray, ends: np.ndarray,
                job_strain: np.ndarray) -> None:
    """In place: strain kept unless it ended, or started; none out of work."""
    for i in range(job_strain.size):
        at_work = ((employment[i] == SECURE_JOB) | (employment[i] == INSECURE_JOB)) & alive[i]
        job_strain[i] = at_work & ((job_strain[i] & ~ends[i]) | starts[i])
