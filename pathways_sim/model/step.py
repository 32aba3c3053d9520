"""The order of one step, written down once.

0. interventions enrol and write their mechanism modifiers (``interventions``);
1. exposures and rates from the previous state (``dynamics``);
2. psychosocial states relax towards their targets; events (smoking, disorder, ill health, work,
   housing, childhood adversity) are drawn, each from its own named stream;
3. ties break and form;
4. deaths, then births, then ageing (coming of age, retirement);
5. incomes follow labour status; ranks and area inequality are refreshed once a year.

Every update in 2-3 is computed from the previous state before any is written.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pathways_sim.core.modifiers import Modifiers, add, scale
from pathways_sim.core.network import AreaIndex, homophily_acceptance, propose_partners
from pathways_sim.core.population import INSECURE_JOB, SECURE_JOB, UNEMPLOYED
from pathways_sim.core.world import World
from pathways_sim.mechanisms import dynamics, lifecourse


@dataclass(slots=True)
class StepEvents:
    """What happened in a step, for the metrics collector."""

    person_time_mask: np.ndarray  # alive at the start of the step
    age_at_start: np.ndarray
    died: np.ndarray  # bool over slots (sized to capacity at the start)
    born: np.ndarray  # slots of this step's newborns


def advance(world: World) -> StepEvents:
    pop, p, s, dt = world.population, world.params, world.strength, world.dt
    t = world.step_index
    n = pop.capacity
    alive = pop.alive.copy()
    age_at_start = pop.age.copy()

    def draws(name: str) -> np.ndarray:
        return world.streams.uniform(name, t, n)

    # Interventions write their changes to mechanism inputs; none means the baseline arithmetic.
    mods = None
    if world.interventions:
        mods = Modifiers(n, world.areas.n)
        for intervention in world.interventions:
            intervention.step(world, mods)
    ex = dynamics.exposures(pop, world.areas, world.network, p, mods)
    r = dynamics.compute_rates(pop, ex, p, s, world.switches, mods)

    # --- psychosocial states (continuous)
    life_event = dynamics.event(np.full(n, p["life_event_rate"], dtype=np.float32), dt, draws("life_events"))
    target = dynamics.stress_from_load(r.stress_load + p["life_event_load"] * life_event, r.stress_sensitivity)
    new_stress = dynamics.relax(pop.stress, target, 1.0 / p["stress_adaptation_years"], dt)
    new_resilience = dynamics.relax(pop.resilience, r.resilience_eq, r.resilience_rate, dt)
    new_control = dynamics.relax(pop.control, r.control_eq, r.control_rate, dt)
    new_loneliness = dynamics.relax(pop.loneliness, r.loneliness_target, 1.0 / p["loneliness_adaptation_years"], dt)
    new_load = dynamics.relax(pop.allostatic_load, r.allostatic_eq, r.allostatic_rate, dt)

    # --- events
    starts = dynamics.event(r.smoking_start, dt, draws("smoking_start"))
    quits = dynamics.event(r.smoking_quit, dt, draws("smoking_quit"))
    cmd_onset = dynamics.event(r.cmd_onset, dt, draws("cmd_onset"))
    cmd_recovery = dynamics.event(r.cmd_recovery, dt, draws("cmd_recovery"))
    ph_onset = dynamics.event(r.poor_health_onset, dt, draws("poor_health_onset"))
    ph_recovery = pop.poor_health & dynamics.event(
        np.full(n, p["poor_health_recovery_rate"], dtype=np.float32), dt, draws("poor_health_recovery"))
    job_lost = dynamics.event(r.job_loss, dt, draws("job_loss"))
    hired = dynamics.event(r.reemployment, dt, draws("reemployment"))
    upgraded = (pop.employment == INSECURE_JOB) & dynamics.event(
        add(np.full(n, p["job_upgrade_rate"], dtype=np.float32), mods, "job_upgrade_add"), dt, draws("job_upgrade"))
    housing_lost = dynamics.event(r.housing_loss, dt, draws("housing_loss"))
    rehoused = pop.housing_insecure & dynamics.event(
        scale(np.full(n, p["housing_resecure_rate"], dtype=np.float32), mods, "housing_resecure_scale"), dt,
        draws("housing_resecure"))
    new_ace = dynamics.event(r.ace, dt, draws("aces"))
    dies = alive & (dynamics.event(r.death, dt, draws("deaths")) | (pop.age >= p["maximum_age"]))
    expected_births = float(np.sum(-np.expm1(-r.death[alive] * dt)))

    # --- apply (all computed above from the previous state)
    pop.stress[:] = new_stress
    pop.resilience[:] = new_resilience
    pop.control[:] = new_control
    pop.loneliness[:] = new_loneliness
    pop.allostatic_load[:] = new_load
    pop.smoker[:] = (pop.smoker & ~quits) | starts
    pop.cmd[:] = (pop.cmd & ~cmd_recovery) | cmd_onset
    pop.poor_health[:] = (pop.poor_health & ~ph_recovery) | ph_onset
    employment = pop.employment.copy()
    employment[job_lost] = UNEMPLOYED
    employment[upgraded & ~job_lost] = SECURE_JOB
    hired_slots = np.flatnonzero(hired)
    employment[hired_slots] = lifecourse.new_job_security(world, hired_slots, draws("job_security")[hired_slots])
    pop.employment[:] = employment
    pop.housing_insecure[:] = (pop.housing_insecure & ~rehoused) | housing_lost
    pop.aces[:] = np.minimum(pop.aces + new_ace, 9)

    update_ties(world, r.withdrawal)

    # --- demography
    lifecourse.deaths(world, dies)
    # Births replace expected deaths, nudged towards the starting size so the population stays stable.
    drift = p["population_size"] / max(pop.n_alive, 1)
    born = lifecourse.births(world, expected_births * drift, draws("births"), world.streams.generator("newborns", t))
    lifecourse.age_and_transition(world, world.streams.generator("coming_of_age", t))

    lifecourse.update_income(world, mods)
    world.step_index += 1
    if world.step_index % world.steps_per_year == 0:
        lifecourse.refresh_ranks(world)
    return StepEvents(alive, age_at_start, dies, born)


def update_ties(world: World, withdrawal: np.ndarray) -> None:
    """Ties break faster and form slower for the lonely, the depressed and the stigmatised; new ties come
    from meeting people in shared places, accepted more between similar people."""
    pop, p, net, dt, t = world.population, world.params, world.network, world.dt, world.step_index
    u, v = net.endpoints()
    loss_hazard = p["tie_loss_rate"] * np.exp((withdrawal[u] + withdrawal[v]) / 2.0)
    u_draw = world.streams.uniform("tie_loss", t, u.size)
    net.keep(~dynamics.event(loss_hazard.astype(np.float32), dt, u_draw))

    # Meeting rate chosen so that, at reference withdrawal, formation balances loss at the mean degree.
    meet_rate = p["mean_degree"] * p["tie_loss_rate"] / (2.0 * max(world.tie_acceptance, 1e-6))
    expected_meetings = np.where(pop.alive, meet_rate * np.exp(-withdrawal) * dt, 0.0)
    meetings = world.streams.generator("tie_meeting", t).poisson(expected_meetings)  # several per step allowed
    people = np.repeat(np.arange(pop.capacity), meetings)
    if people.size == 0:
        return
    rng = world.streams.generator("tie_partner", t)
    index = AreaIndex.build(pop.area, pop.alive, world.areas.n)
    partner = propose_partners(people, pop.area, index, world.areas.n, p["local_tie_share"],
                               p["nonlocal_tie_area_spread"], rng)
    ok = partner >= 0
    a, b = people[ok], partner[ok]
    chance = homophily_acceptance(a, b, pop.age, pop.income_rank, pop.minority, p["age_homophily_years"],
                                  p["ses_homophily"], p["minority_homophily"]) * np.exp(-np.maximum(withdrawal[b], 0))
    take = rng.random(a.size) < chance
    net.add(a[take], b[take])

