"""Demography and the life course: deaths, births, ageing, coming of age at 18 and retirement.

Children share their parent's household (income, housing, the parent's job security).  At 18 a person gets an
education level and an earning potential that depend on the childhood advantage of their household and on
their adverse childhood experiences, then enters the labour market.  Births replace expected deaths (plus a
correction towards the starting size), so the population stays roughly stable.
"""

from __future__ import annotations

import numpy as np

from pathways_sim.core.streams import child_keys
from pathways_sim.core.world import World
from pathways_sim.declarations.declare import Param
from pathways_sim.declarations.pathways import pathway
from pathways_sim.declarations.states import ADULT_AGE, NO_PARENT, OUT_OF_WORK_FORCE, UNEMPLOYED
from pathways_sim.mechanisms.base import StepContext, mechanism
from pathways_sim.mechanisms.work import new_job_security

# Cut-points of the education latent (standard normal): ~30% low, ~35% middle, ~35% high qualifications
# (ONS Census 2021: 34% with a degree or above; ~30% with level 1 or none).
EDUCATION_CUTS = (-0.52, 0.39)
FEMALE_SHARE_AT_BIRTH = 0.488  # ONS: 105 boys per 100 girls

ACE_ADULT_SES = pathway("ace_adult_ses", ["aces"], "income", -1, 0.08, "log earning potential per ACE (max 4)",
                        (0.03, 0.15), "Hughes et al. 2017; Metzler et al. 2017 (ACEs and adult education, "
                        "employment, income)", "adverse childhood experiences lower adult education and earnings",
                        ["intergenerational"])
FERTILITY = (
    # Bounds that cannot cross: every allowed minimum is below every allowed maximum.
    Param("fertility_age_min", 18.0, "years", (12, 30), (16, 20), "design choice",
          "Youngest age at which a birth is assigned to a mother.", group="health"),
    Param("fertility_age_max", 44.0, "years", (35, 55), (40, 46), "design choice", "Oldest such age.",
          group="health"),
)
COMING_OF_AGE = (
    Param("retirement_age", 67.0, "years", (40, 100), (66, 68), "UK State Pension age (2028: 67)",
          "Age at which everyone leaves the labour market.", group="health"),
    Param("education_income_gain", 0.25, "log GBP per level", (0, 3), (0.15, 0.4), "DfE returns to qualifications",
          "Log earning potential per education level (0 low, 1 mid, 2 high).", group="health"),
    Param("parent_income_persistence", 0.4, "correlation", (0, 1), (0.2, 0.6),
          "Blanden & Machin: UK intergenerational income elasticity ~0.3-0.5",
          "Weight of parents' income rank in a child's education latent.", group="health"),
)


def come_of_age(world: World, slots: np.ndarray, advantage: np.ndarray, step: int) -> None:
    """Give ``slots`` (turning 18 at ``step``, or adults at set-up, step -1) education, earning potential and a
    labour status.  ``advantage`` in [-1, 1] is the childhood household's income position (1 richest).
    """
    pop, p = world.population, world.params
    n = slots.size
    keys = pop.key[slots]

    def normal(purpose: str) -> np.ndarray:
        return world.streams.normal(f"coming_of_age:{purpose}", step, keys)

    def uniform(purpose: str) -> np.ndarray:
        return world.streams.uniform(f"coming_of_age:{purpose}", step, keys)

    persistence = p["parent_income_persistence"]
    ace_effect = world.strength["ace_adult_ses"]
    capped_aces = np.minimum(pop.aces[slots], 4)
    latent = (persistence * advantage * 1.2 - ace_effect * 2.0 * capped_aces
              + np.sqrt(1 - persistence ** 2) * normal("education"))
    education = np.searchsorted(np.asarray(EDUCATION_CUTS), latent).astype(np.int8)
    deprivation = world.areas.deprivation[pop.area[slots]]
    log_potential = (np.log(p["median_income"]) + p["income_area_gradient"] * (0.5 - deprivation)
                     + p["education_income_gain"] * (education - 1) - ace_effect * capped_aces
                     + p["income_log_sd"] * normal("earnings"))
    pop.education[slots] = education
    pop.potential[slots] = np.exp(log_potential).astype(np.float32)
    pop.parent[slots] = NO_PARENT
    u = uniform("labour_market")
    inactive = u < p["inactive_share"]
    employed = (~inactive) & (u < p["inactive_share"] + p["employment_rate"])
    status = np.full(n, UNEMPLOYED, dtype=np.int8)
    status[inactive] = OUT_OF_WORK_FORCE
    status[employed] = new_job_security(world, slots[employed], uniform("job_security")[employed])
    retired = pop.age[slots] >= p["retirement_age"]
    status[retired] = OUT_OF_WORK_FORCE
    pop.employment[slots] = status


def deaths(world: World, dying: np.ndarray) -> None:
    """Remove the people flagged in ``dying`` (bool over slots); their children lose a parent (an ACE)."""
    pop = world.population
    pop.alive[dying] = False
    world.network.drop_slots(dying)
    orphaned = (pop.parent >= 0) & pop.alive
    orphaned &= dying[np.maximum(pop.parent, 0)]
    pop.parent[orphaned] = NO_PARENT
    pop.aces[orphaned] = np.minimum(pop.aces[orphaned] + 1, 9)


def births(world: World, expected: float, step: int) -> np.ndarray:
    """Births to women of child-bearing age, ``expected`` of them on average; returns the new slots."""
    pop, p = world.population, world.params
    eligible = pop.alive & pop.female & (pop.age >= p["fertility_age_min"]) & (pop.age < p["fertility_age_max"])
    n_eligible = int(np.count_nonzero(eligible))
    if n_eligible == 0 or expected <= 0:
        return np.zeros(0, dtype=np.int64)
    chance = min(expected / n_eligible, 1.0)
    mothers = np.flatnonzero(eligible & (world.streams.uniform("births", step, pop.key) < chance))
    babies = pop.claim_slots(child_keys(pop.key[mothers], pop.children_born[mothers]))
    pop.children_born[mothers] += 1
    # ONS: 105 boys per 100 girls at birth
    pop.female[babies] = world.streams.uniform("newborn_sex", step, pop.key[babies]) < FEMALE_SHARE_AT_BIRTH
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


def age_and_transition(world: World, step: int) -> None:
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
        come_of_age(world, turning_adult, advantage, step)
    retiring = pop.alive & (before < p["retirement_age"]) & (pop.age >= p["retirement_age"])
    pop.employment[retiring] = OUT_OF_WORK_FORCE


@mechanism("deaths", "the people the mortality mechanism drew die; their children lose a parent (an ACE)")
def death_mechanism(ctx: StepContext) -> None:
    deaths(ctx.world, ctx.signals["dies"])


@mechanism("births", "births to women of child-bearing age replace expected deaths, nudged towards the "
           "starting size", parameters=FERTILITY)
def birth_mechanism(ctx: StepContext) -> None:
    pop, p = ctx.pop, ctx.params
    drift = p["population_size"] / max(pop.n_alive, 1)
    ctx.signals["born"] = births(ctx.world, ctx.signals["expected_deaths"] * drift, ctx.step)


@mechanism("ageing", "everyone ages a step; at 18 people come of age (education and earnings graded by "
           "childhood advantage and ACEs); at pension age they retire",
           pathways=(ACE_ADULT_SES,), parameters=COMING_OF_AGE)
def ageing(ctx: StepContext) -> None:
    age_and_transition(ctx.world, ctx.step)
