"""Life course and economic position: coming of age, work, income, ranks, deaths and births.

Children share their parent's household (income, housing, the parent's job security).  At 18 a person
gets an education level and an earning potential that depend on the childhood advantage of their
household and on their adverse childhood experiences, then enters the labour market.  Births replace
deaths (plus a correction towards the starting size), so the population stays roughly stable.
"""

from __future__ import annotations

import numpy as np

from pathways_sim.core.modifiers import Modifiers, add
from pathways_sim.core.population import (
    ADULT_AGE,
    INSECURE_JOB,
    NO_PARENT,
    OUT_OF_WORK_FORCE,
    SECURE_JOB,
    UNEMPLOYED,
)
from pathways_sim.core.world import World

# Cut-points of the education latent (standard normal): ~30% low, ~35% middle, ~35% high qualifications
# (ONS Census 2021: 34% with a degree or above; ~30% with level 1 or none).
EDUCATION_CUTS = (-0.52, 0.39)


def logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


def new_job_security(world: World, slots: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """Employment code of a newly taken job: insecure more often in deprived areas."""
    p = world.params
    deprivation = world.areas.deprivation[world.population.area[slots]]
    logit = np.log(p["insecure_job_share"] / (1 - p["insecure_job_share"] + 1e-12) + 1e-12)
    p_insecure = logistic(logit + p["insecure_job_deprivation_gradient"] * (deprivation - 0.5))
    return np.where(uniforms < p_insecure, INSECURE_JOB, SECURE_JOB).astype(np.int8)


def come_of_age(world: World, slots: np.ndarray, advantage: np.ndarray, rng: np.random.Generator) -> None:
    """Give ``slots`` (turning 18, or adults at set-up) education, earning potential and a labour status.

    ``advantage`` in [-1, 1] is the childhood household's income position (1 richest).
    """
    pop, p = world.population, world.params
    n = slots.size
    persistence = p["parent_income_persistence"]
    ace_effect = world.strength["ace_adult_ses"]
    capped_aces = np.minimum(pop.aces[slots], 4)
    latent = (persistence * advantage * 1.2 - ace_effect * 2.0 * capped_aces
              + np.sqrt(1 - persistence ** 2) * rng.standard_normal(n))
    education = np.searchsorted(np.asarray(EDUCATION_CUTS), latent).astype(np.int8)
    deprivation = world.areas.deprivation[pop.area[slots]]
    log_potential = (np.log(p["median_income"]) + p["income_area_gradient"] * (0.5 - deprivation)
                     + p["education_income_gain"] * (education - 1) - ace_effect * capped_aces
                     + p["income_log_sd"] * rng.standard_normal(n))
    pop.education[slots] = education
    pop.potential[slots] = np.exp(log_potential).astype(np.float32)
    pop.parent[slots] = NO_PARENT
    u = rng.random(n)
    inactive = u < p["inactive_share"]
    employed = (~inactive) & (u < p["inactive_share"] + p["employment_rate"])
    status = np.full(n, UNEMPLOYED, dtype=np.int8)
    status[inactive] = OUT_OF_WORK_FORCE
    status[employed] = new_job_security(world, slots[employed], rng.random(int(employed.sum())))
    retired = pop.age[slots] >= p["retirement_age"]
    status[retired] = OUT_OF_WORK_FORCE
    pop.employment[slots] = status


def update_income(world: World, mods: Modifiers | None = None) -> None:
    """Equivalised household income from earning potential and labour status; children take their parent's.

    Modifiers: a wage floor lifts the potential of people in work, transfers add income, and an income
    floor guarantees a minimum (all from interventions; absent in the baseline)."""
    pop, p = world.population, world.params
    potential = pop.potential
    wage_floor = None if mods is None else mods.get("wage_floor", pop.capacity)
    if wage_floor is not None:
        working = (pop.employment == SECURE_JOB) | (pop.employment == INSECURE_JOB)
        potential = np.where(working, np.maximum(potential, wage_floor), potential)
    out_ratio = np.where(pop.age >= p["retirement_age"], p["retired_income_ratio"], p["inactive_income_ratio"])
    ratio = np.select([pop.employment == SECURE_JOB, pop.employment == INSECURE_JOB,
                       pop.employment == UNEMPLOYED],
                      [1.0, p["insecure_pay_ratio"], p["unemployed_income_ratio"]], out_ratio)
    income = np.maximum(potential * ratio, p["income_floor"]).astype(np.float32)
    child = pop.parent >= 0
    income[child] = income[pop.parent[child]]
    orphan = (pop.age < ADULT_AGE) & ~child
    income[orphan] = p["income_floor"]
    world.income_before_transfers = income  # what a top-up is measured against
    income = np.maximum(add(income, mods, "income_add"), 0)
    floor = None if mods is None else mods.get("income_floor", pop.capacity)
    pop.income[:] = income if floor is None else np.maximum(income, floor)


def refresh_ranks(world: World) -> None:
    """National and within-area income ranks, and each area's Gini relative to the nation's (yearly)."""
    pop, areas = world.population, world.areas
    living = pop.alive_slots()
    income = pop.income[living].astype(np.float64)
    area = pop.area[living]
    order = np.argsort(income, kind="stable")
    rank = np.empty(living.size)
    rank[order] = (np.arange(living.size) + 0.5) / living.size
    pop.income_rank[living] = rank
    # Within-area ranks: sort by (area, income); position inside the area's block.
    by_area = np.lexsort((income, area))
    count = np.bincount(area, minlength=areas.n)
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    sorted_area = area[by_area]
    position = np.arange(living.size) - start[sorted_area]
    area_rank = np.empty(living.size)
    area_rank[by_area] = (position + 0.5) / count[sorted_area]
    pop.area_income_rank[living] = area_rank
    # Gini per area: G = 2 sum(i x_i) / (n sum x) - (n + 1) / n, i = 1..n within the area.
    x = income[by_area]
    weighted = np.bincount(sorted_area, weights=(position + 1) * x, minlength=areas.n)
    total = np.bincount(sorted_area, weights=x, minlength=areas.n)
    with np.errstate(invalid="ignore", divide="ignore"):
        gini = 2 * weighted / (count * total) - (count + 1) / count
    national = gini_coefficient(income)
    relative = np.where((count > 1) & (national > 0), gini / max(national, 1e-12), 1.0)
    areas.relative_gini[:] = np.nan_to_num(relative, nan=1.0).astype(np.float32)


def gini_coefficient(values: np.ndarray) -> float:
    x = np.sort(np.asarray(values, dtype=np.float64))
    n = x.size
    if n == 0 or x.sum() <= 0:
        return 0.0
    i = np.arange(1, n + 1)
    return float(2 * np.sum(i * x) / (n * x.sum()) - (n + 1) / n)


def deaths(world: World, dying: np.ndarray) -> None:
    """Remove the people flagged in ``dying`` (bool over slots); their children lose a parent (an ACE)."""
    pop = world.population
    pop.alive[dying] = False
    world.network.drop_slots(dying)
    orphaned = (pop.parent >= 0) & pop.alive
    orphaned &= dying[np.maximum(pop.parent, 0)]
    pop.parent[orphaned] = NO_PARENT
    pop.aces[orphaned] = np.minimum(pop.aces[orphaned] + 1, 9)


def births(world: World, expected: float, uniforms: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Births to women of child-bearing age, ``expected`` of them on average; returns the new slots."""
    pop, p = world.population, world.params
    eligible = pop.alive & pop.female & (pop.age >= p["fertility_age_min"]) & (pop.age < p["fertility_age_max"])
    n_eligible = int(np.count_nonzero(eligible))
    if n_eligible == 0 or expected <= 0:
        return np.zeros(0, dtype=np.int64)
    chance = min(expected / n_eligible, 1.0)
    mothers = np.flatnonzero(eligible & (uniforms[: pop.capacity] < chance))
    babies = pop.claim_slots(mothers.size)
    pop.female[babies] = rng.random(babies.size) < 0.488  # ONS: 105 boys per 100 girls at birth
    for name in ("minority", "area", "income", "housing_insecure"):
        getattr(pop, name)[babies] = getattr(pop, name)[mothers]
    pop.parent[babies] = mothers
    pop.resilience[babies] = p["resilience_baseline"]
    pop.control[babies] = p["control_baseline"]
    pop.loneliness[babies] = p["loneliness_floor"]
    pop.income_rank[babies] = pop.income_rank[mothers]
    pop.area_income_rank[babies] = pop.area_income_rank[mothers]
    world.network.add(mothers, babies)
    return babies


def age_and_transition(world: World, rng: np.random.Generator) -> None:
    """Age everyone by one step; children turning 18 come of age; workers reaching pension age retire."""
    pop, p = world.population, world.params
    before = pop.age.copy()
    pop.age[pop.alive] += np.float32(world.dt)
    turning_adult = np.flatnonzero(pop.alive & (before < ADULT_AGE) & (pop.age >= ADULT_AGE))
    if turning_adult.size:
        parent = pop.parent[turning_adult]
        has_parent = parent >= 0
        deprivation = world.areas.deprivation[pop.area[turning_adult]]
        advantage = np.where(has_parent, 2 * pop.income_rank[np.maximum(parent, 0)] - 1, 1 - 2 * deprivation)
        come_of_age(world, turning_adult, advantage, rng)
    retiring = pop.alive & (before < p["retirement_age"]) & (pop.age >= p["retirement_age"])
    pop.employment[retiring] = OUT_OF_WORK_FORCE

