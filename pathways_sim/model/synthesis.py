"""A synthetic, England-like population: ages, areas, identities, childhood adversity, work and income,
ties, and psychosocial states that start at their steady state given each person's circumstances."""

from __future__ import annotations

import numpy as np

from pathways_sim.core import kernels, memory
from pathways_sim.core.network import AreaIndex, Network, homophily_acceptance, propose_partners
from pathways_sim.core.population import ADULT_AGE, Population
from pathways_sim.core.streams import Streams, first_keys
from pathways_sim.core.world import Areas, World
from pathways_sim.mechanisms import (
    allostatic_load,
    housing,
    job_strain,
    loneliness,
    material,
    mental_disorder,
    physical_activity,
    physical_health,
    resources,
    smoking,
    stress,
    ties,
)
from pathways_sim.mechanisms.base import F32, StepContext, Switch
from pathways_sim.mechanisms.demography import come_of_age
from pathways_sim.mechanisms.income import refresh_ranks, update_income
from pathways_sim.mechanisms.parameters import Parameters
from pathways_sim.mechanisms.registry import Switches, effective_strengths
from pathways_sim.mechanisms.work import logistic
from pathways_sim.model.tie_rounds import TieRounds

FEMALE_SHARE = 0.51  # ONS: 51% of England's population

# The starting ages are the stationary age structure of a reference life table, so that with births at
# replacement and nothing changing the population neither ages nor grows: survivorship l(x) of a Gompertz
# hazard fitted to ONS National life tables, England 2020-22 (life expectancy at birth 78.6 men, 82.6 women),
# with the deprivation gradient of ONS life expectancy by IMD decile (about 9 years between the extremes for
# men).  A fixed reference (not the run's own hazards) keeps every arm's starting population the same.
REFERENCE_MORTALITY_AT_50 = {False: 0.0035, True: 0.0024}  # per year, men / women
REFERENCE_MORTALITY_SLOPE = 0.095  # log hazard per year of age
REFERENCE_DEPRIVATION_LOG_HR = 0.9  # most vs least deprived area
REFERENCE_INFANT_MORTALITY = 0.004
AGE_GRID_STEP = 0.25  # years


def build_world(params: Parameters, switches: Switches, seed: int) -> World:
    """Make the starting population, its areas and its ties."""
    memory.keep_freed_memory()  # the steps' temporary arrays reuse freed memory (core/memory.py)
    streams = Streams(seed)
    n = params["population_size"]
    n_areas = max(10, round(n / params["people_per_area"]))
    areas = Areas.ranked(n_areas, params["cohesion_least_deprived"], params["cohesion_most_deprived"])
    pop = Population(n)
    pop.claim_slots(first_keys(n))
    world = World(params, switches, effective_strengths(params, switches), streams, pop, areas, Network())

    rng = streams.generator("setup_demography")
    pop.female[:] = rng.random(n) < FEMALE_SHARE
    pop.area[:] = rng.integers(0, n_areas, size=n)
    deprivation = areas.deprivation[pop.area]
    pop.age[:] = stationary_ages(pop.female, pop.area, areas.deprivation, params["maximum_age"], rng.random(n))
    share = params["minority_share"]
    logit = np.log(share + 1e-12) - np.log(1 - share + 1e-12)
    pop.minority[:] = rng.random(n) < logistic(logit + params["minority_deprivation_gradient"]
                                                          * (deprivation - 0.5))

    # ACEs accumulated so far: a gamma-Poisson count whose rate rises with childhood deprivation; children
    # have lived only part of their childhood.
    rng = streams.generator("setup_aces")
    k = params["ace_dispersion"]
    rate = params["ace_mean"] * np.exp(params["ace_deprivation_gradient"] * (deprivation - 0.5))
    childhood_lived = np.minimum(pop.age / ADULT_AGE, 1.0)
    lam = rate * rng.gamma(k, 1.0 / k, size=n) * childhood_lived
    pop.aces[:] = np.minimum(rng.poisson(lam), 9)

    # Adults: education, earning potential and work; children: a mother in the same area.
    rng = streams.generator("setup_economy")
    adults = np.flatnonzero(pop.age >= ADULT_AGE)
    come_of_age(world, adults, 1.0 - 2.0 * deprivation[adults], step=-1)
    assign_parents(world, rng)
    update_income(world)
    refresh_ranks(world)

    build_ties(world, streams.generator("setup_ties"))
    settle_states(world, streams.generator("setup_states"))
    world.formation_balance = ties.formation_balance(StepContext(world))
    world.minority_meeting_scale = ties.minority_meeting_scale(world)
    update_income(world)
    refresh_ranks(world)
    return world


def stationary_ages(female: np.ndarray, area: np.ndarray, area_deprivation: np.ndarray, maximum_age: float,
                    uniforms: np.ndarray) -> np.ndarray:
    """Ages drawn from the stationary age structure (density proportional to survivorship) of the reference
    life table for each person's sex and area, by inverse transform of ``uniforms``."""
    grid = np.arange(0.0, maximum_age + AGE_GRID_STEP, AGE_GRID_STEP)
    ages = np.empty(female.size, dtype=np.float32)
    for is_female in (False, True):
        # Each sex's people grouped by area once (each person's age depends only on their own draw and group).
        sex = np.flatnonzero(female == is_female)
        by = area[sex].astype(np.int16) if area_deprivation.size <= np.iinfo(np.int16).max else area[sex]
        by_area = sex[np.argsort(by, kind="stable")]  # a radix sort for 16-bit areas (AreaIndex.build)
        groups = np.split(by_area, np.flatnonzero(np.diff(area[by_area])) + 1) if by_area.size else []
        for who in groups:
            a = area[who[0]]
            hazard = (REFERENCE_MORTALITY_AT_50[is_female]
                      * np.exp(REFERENCE_MORTALITY_SLOPE * (grid[:-1] - 50.0)
                               + REFERENCE_DEPRIVATION_LOG_HR * (area_deprivation[a] - 0.5))
                      + np.where(grid[:-1] < 1.0, REFERENCE_INFANT_MORTALITY, 0.0))
            survivors = np.exp(-np.concatenate([[0.0], np.cumsum(hazard * AGE_GRID_STEP)]))
            person_years = (survivors[:-1] + survivors[1:]) / 2 * AGE_GRID_STEP
            cumulative = np.concatenate([[0.0], np.cumsum(person_years)]) / person_years.sum()
            ages[who] = np.interp(uniforms[who], cumulative, grid)
    return ages


def assign_parents(world: World, rng: np.random.Generator) -> None:
    """Each child lives with a woman aged 20-59 in the same area (household link)."""
    pop = world.population
    children = np.flatnonzero(pop.alive & (pop.age < ADULT_AGE))
    candidates = pop.alive & pop.female & (pop.age >= 20) & (pop.age < 60)
    index = AreaIndex.build(pop.area, candidates, world.areas.n)
    area = pop.area[children]
    count = index.count[area]
    has = count > 0
    pick = np.floor(rng.random(children.size) * count).astype(np.int64)
    pop.parent[children[has]] = index.order[index.start[area[has]] + pick[has]]


def build_ties(world: World, rng: np.random.Generator, max_rounds: int = 60) -> None:
    """Grow homophilous ties by repeated meetings until the mean degree reaches its target."""
    pop, p, net = world.population, world.params, world.network
    people = pop.alive_slots()
    target_ties = round(people.size * p["mean_degree"] / 2)
    index = AreaIndex.build(pop.area, pop.alive, world.areas.n)
    # The same rounds in two fused passes each (model/tie_rounds.py), when numba is the kernel choice.
    fused = TieRounds(pop, people, index, world.areas.n, p) if kernels.compiled() is not None else None
    accepted_share = []
    for _ in range(max_rounds):
        if net.n_ties >= target_ties or people.size < 2:
            break
        if fused is not None:
            share, u, v = fused.meet(rng, target_ties - net.n_ties)
            accepted_share.append(share)
            net.add(u, v)
            continue
        partner = propose_partners(people, pop.area, index, world.areas.n, p["local_tie_share"],
                                   p["nonlocal_tie_area_spread"], rng.random((3, people.size)))
        ok = partner >= 0
        u, v = people[ok], partner[ok]
        chance = homophily_acceptance(u, v, pop.age, pop.income_rank, pop.minority, p["age_homophily_years"],
                                      p["ses_homophily"], p["minority_homophily"])
        accepted_share.append(float(chance.mean()) if chance.size else 1.0)
        take = rng.random(u.size) < chance
        need = target_ties - net.n_ties
        u, v = u[take][:need], v[take][:need]
        net.add(u, v)
    # Children are tied to the parent they live with.
    children = np.flatnonzero(pop.alive & (pop.parent >= 0))
    net.add(children, pop.parent[children])
    world.tie_acceptance = float(np.mean(accepted_share)) if accepted_share else 1.0


def settle_states(world: World, rng: np.random.Generator, iterations: int = 8, reuse_exposures: bool = True) -> None:
    """Start stress, resilience, control, loneliness and allostatic load at their joint steady state, and
    smoking, disorder, ill health and housing at their equilibrium prevalence given those states.

    The exposures (ties, income, work, area, ...) are made from states these iterations do not change, so
    they are computed once and shared by every iteration (``reuse_exposures=False`` computes them afresh in
    each, as a test does to check they come out the same)."""
    pop, p = world.population, world.params
    pop.resilience[:] = p["resilience_baseline"]
    pop.control[:] = p["control_baseline"]
    pop.loneliness[:] = p["loneliness_floor"]
    pop.job_strain[:] = job_strain.starting_job_strain(world)  # before stress, which it loads
    continuous = (stress.stress, resources.resilience, resources.control, loneliness.loneliness,
                  allostatic_load.allostatic_load)
    exposures = None
    for _ in range(iterations):
        ctx = StepContext(world, settling=True)
        if exposures is not None and reuse_exposures:
            ctx.exposures = exposures
        exposures = ctx.exposures
        targets = {name: change.target for mech in continuous for name, change in (mech(ctx) or {}).items()}
        for name, target in targets.items():
            getattr(pop, name)[:] = target

    # 0/1 states at their equilibrium prevalence onset / (onset + recovery), from hazards computed with none
    # of them present (nobody's ties smoke yet).
    pop.smoker[:] = False
    pop.cmd[:] = False
    pop.poor_health[:] = False
    ctx = StepContext(world, settling=True)
    switches = {name: change for mech in (smoking.smoking, mental_disorder.mental_disorder,
                                          physical_health.physical_health, housing.housing, material.material_hardship,
                                          physical_activity.physical_activity)
                for name, change in (mech(ctx) or {}).items()}
    pop.smoker[:] = _smokers_so_far(world, switches["smoker"], rng)
    for name in ("cmd", "poor_health", "housing_insecure", "material_hardship", "physically_inactive"):
        getattr(pop, name)[:] = rng.random(pop.capacity) < _equilibrium(switches[name])


def _equilibrium(change: Switch) -> np.ndarray:
    onset = (change.onset if change.eligible is None else np.where(change.eligible, change.onset, 0)).astype(F32)
    total = onset + change.recovery.astype(F32)
    return np.divide(onset, total, out=np.zeros_like(total, dtype=np.float64), where=total > 0)


def _smokers_so_far(world: World, change: Switch, rng: np.random.Generator) -> np.ndarray:
    """Who smokes now: started at the current initiation hazard over the years of risk (12-35) already lived,
    and not yet quit at the current cessation hazard since the middle of that window."""
    age = world.population.age
    lo, hi = smoking.SMOKING_AGES
    years_at_risk = np.clip(age - lo, 0, hi - lo)
    ever = 1 - np.exp(-change.onset * years_at_risk)
    years_since = np.maximum(age - lo - years_at_risk / 2, 0)
    return rng.random(world.population.capacity) < ever * np.exp(-change.recovery * years_since)
