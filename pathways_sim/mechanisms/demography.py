"""Demography and the life course: deaths, births, ageing, coming of age at 18 and retirement.

Children share their parent's household (income, housing, the parent's job security).  At 18 a person gets an
education level and an earning potential that depend on the childhood advantage of their household and on
their adverse childhood experiences, then enters the labour market.

Births follow age-specific fertility rates (ONS shape, scaled to a total fertility rate) and nothing else: they
do not depend on deaths, so an intervention that saves lives adds lives rather than removing births.  At the
default (replacement) fertility a population started at its stationary age structure stays stationary.
"""

from __future__ import annotations

import numpy as np

from pathways_sim import metrics
from pathways_sim.core import kernels
from pathways_sim.core.streams import child_keys
from pathways_sim.core.world import World
from pathways_sim.declarations.declare import Param
from pathways_sim.declarations.pathways import pathway
from pathways_sim.declarations.states import ADULT_AGE, NO_PARENT, OUT_OF_WORK_FORCE, UNEMPLOYED
from pathways_sim.mechanisms.base import StepContext, mechanism
from pathways_sim.mechanisms.work import logistic, new_job_security

# Cut-points of the education latent (standard normal): ~30% low, ~35% middle, ~35% high qualifications
# (ONS Census 2021: 34% with a degree or above; ~30% with level 1 or none).
EDUCATION_CUTS = (-0.52, 0.39)
FEMALE_SHARE_AT_BIRTH = 0.488  # ONS: 105 boys per 100 girls

# ACEs act once, on the education latent; earnings follow education (not lowered a second time).
ACE_ADULT_SES = pathway("ace_adult_ses", ["aces"], "income", -1, 0.08,
                        "education latent (SD) per ACE / 2 (up to 4 ACEs)", (0.03, 0.15),
                        "Hughes et al. 2017; Metzler et al. 2017 (ACEs lower adult education, then employment "
                        "and income)", "adverse childhood experiences lower adult education and so earnings",
                        ["intergenerational"])
# ONS, Births in England and Wales 2022: live births per 1,000 women aged 15-19, 20-24, ..., 40-44.  Only the
# shape is used (the level is ``total_fertility_rate``).
FERTILITY_BAND_STARTS = np.array([15.0, 20.0, 25.0, 30.0, 35.0, 40.0, 45.0])
FERTILITY_BAND_RATES = np.array([10.0, 46.0, 82.0, 103.0, 64.0, 15.0])
_fertility_band = metrics.whole_year_bands(FERTILITY_BAND_STARTS)  # a lookup, not a search, of each age's band
FERTILITY = (
    # Bounds that cannot cross: every allowed minimum is below every allowed maximum.
    Param("fertility_age_min", 18.0, "years", (12, 30), (16, 20), "design choice",
          "Youngest age at which a birth is assigned to a mother (mothers are adults who head a household).",
          group="health"),
    Param("fertility_age_max", 44.0, "years", (35, 55), (40, 46), "design choice", "Oldest such age.",
          group="health"),
    Param("total_fertility_rate", 2.06, "births per woman", (0, 5), (1.4, 2.1),
          "design choice: replacement for the model's survival to the mean age at childbearing (1 / (0.488 x "
          "~0.99)), so a baseline with nothing changing stays stationary; England's was 1.44 in 2023 (ONS), which "
          "without migration would shrink and age the population",
          "Births per woman over the child-bearing ages, spread over them with the ONS 2022 age pattern.",
          group="health"),
)


def fertility_rates(age: np.ndarray, params) -> np.ndarray:
    """Births per woman-year at each ``age``: the ONS age pattern over [fertility_age_min, fertility_age_max),
    scaled so that a woman surviving those ages has ``total_fertility_rate`` children."""
    lo, hi, tfr = params["fertility_age_min"], params["fertility_age_max"], params["total_fertility_rate"]
    edges = np.clip(FERTILITY_BAND_STARTS, lo, hi)
    exposure = float(np.sum(FERTILITY_BAND_RATES * np.diff(edges)))  # rate-years inside the window
    band = np.clip(_fertility_band(age), 0, FERTILITY_BAND_RATES.size - 1)
    inside = (age >= lo) & (age < hi) & (age >= FERTILITY_BAND_STARTS[0]) & (age < FERTILITY_BAND_STARTS[-1])
    if exposure <= 0:
        return np.zeros(np.shape(age))
    return np.where(inside, FERTILITY_BAND_RATES[band] * tfr / exposure, 0.0)
COMING_OF_AGE = (
    Param("retirement_age", 67.0, "years", (40, 100), (66, 68), "UK State Pension age (2028: 67)",
          "Age at which everyone leaves the labour market.", group="health"),
    Param("education_income_gain", 0.25, "log GBP per level", (0, 3), (0.15, 0.4), "DfE returns to qualifications",
          "Log earning potential per education level (0 low, 1 mid, 2 high).", group="health"),
    Param("parent_income_persistence", 0.4, "correlation", (0, 1), (0.2, 0.6),
          "Blanden & Machin: UK intergenerational income elasticity ~0.3-0.5",
          "Weight of parents' income rank in a child's education latent.", group="health"),
)


def _logit(share: float) -> float:
    share = min(max(share, 1e-9), 1.0 - 1e-9)
    return float(np.log(share / (1.0 - share)))


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
                     + p["education_income_gain"] * (education - 1)
                     + p["income_log_sd"] * normal("earnings"))
    pop.education[slots] = education
    pop.potential[slots] = np.exp(log_potential).astype(np.float32)
    pop.parent[slots] = NO_PARENT
    u = uniform("labour_market")
    # Inactivity and unemployment at entry are graded by area deprivation (APS by IMD); nationally they are
    # inactive_share and employment_rate.
    centred = deprivation - 0.5
    p_inactive = logistic(_logit(p["inactive_share"]) + p["inactivity_deprivation_gradient"] * centred)
    out_of_work = 1.0 - p["employment_rate"] / max(1.0 - p["inactive_share"], 1e-9)  # of the active, nationally
    p_unemployed = logistic(_logit(out_of_work) + p["reemployment_deprivation_gradient"] * centred)
    inactive = u < p_inactive
    employed = (~inactive) & (u < p_inactive + (1.0 - p_inactive) * (1.0 - p_unemployed))
    status = np.full(n, UNEMPLOYED, dtype=np.int8)
    status[inactive] = OUT_OF_WORK_FORCE
    status[employed] = new_job_security(world, slots[employed], uniform("job_security")[employed])
    retired = pop.age[slots] >= p["retirement_age"]
    status[retired] = OUT_OF_WORK_FORCE
    pop.employment[slots] = status


def deaths(world: World, dying: np.ndarray) -> None:
    """Remove the people flagged in ``dying`` (bool over slots); their children lose a parent (an ACE)."""
    pop = world.population
    world.network.drop_slots(dying)
    if kernels.compiled() is not None and np.shape(dying) == pop.alive.shape:  # the same in one pass
        _deaths(np.ascontiguousarray(dying, dtype=np.bool_), pop.alive, pop.parent, pop.aces)
        return
    pop.alive[dying] = False
    orphaned = (pop.parent >= 0) & pop.alive
    orphaned &= dying[np.maximum(pop.parent, 0)]
    pop.parent[orphaned] = NO_PARENT
    pop.aces[orphaned] = np.minimum(pop.aces[orphaned] + 1, 9)


@kernels.kernel
def _deaths(dying: np.ndarray, alive: np.ndarray, parent: np.ndarray, aces: np.ndarray) -> None:
    """``deaths``' numpy lines in one pass: the dying no longer alive, and each living child of someone dying
    without a parent and one ACE more (int8 as numpy adds it, then at most 9)."""
    for i in range(alive.size):
        living = alive[i] and not dying[i]
        alive[i] = living
        carer = parent[i]
        if carer >= 0 and living and dying[carer]:  # a branch taken for a few children a step
            parent[i] = NO_PARENT
            aces[i] = min(np.int8(aces[i] + 1), np.int8(9))


def _fertile(pop, params, dt: float) -> tuple[np.ndarray, np.ndarray]:
    """The women who can have a birth this step (slots) and their chance of one."""
    if kernels.compiled() is not None:
        return _fertile_compiled(pop, params, dt)
    rate = np.where(pop.alive & pop.female, fertility_rates(pop.age, params), 0.0)
    chance = -np.expm1(-rate * dt)
    fertile = np.flatnonzero(chance > 0)
    return fertile, chance[fertile]


def _fertile_compiled(pop, params, dt: float) -> tuple[np.ndarray, np.ndarray]:
    """``_fertile`` in one pass: a woman's rate is one of the six band rates (or 0), so numpy's expm1 of the six
    gives every chance the per-person expm1 would (it is elementwise), looked up by band."""
    lo, hi, tfr = params["fertility_age_min"], params["fertility_age_max"], params["total_fertility_rate"]
    exposure = float(np.sum(FERTILITY_BAND_RATES * np.diff(np.clip(FERTILITY_BAND_STARTS, lo, hi))))
    fertile = np.empty(pop.capacity, dtype=np.int64)
    if exposure <= 0:
        return fertile[:0], np.empty(0)
    chance_of_band = -np.expm1(-(FERTILITY_BAND_RATES * tfr / exposure) * dt)
    # Ages compare in float32, as numpy compares a float32 array with a Python float.
    bounds = np.array([lo, hi, FERTILITY_BAND_STARTS[0], FERTILITY_BAND_STARTS[-1]], dtype=np.float32)
    chance = np.empty(pop.capacity)
    n = _fertile_kernel(pop.alive, pop.female, pop.age, chance_of_band[_BAND_OF_YEAR], max(bounds[0], bounds[2]),
                        min(bounds[1], bounds[3]), fertile, chance)
    return fertile[:n], chance[:n]


_BAND_OF_YEAR = np.clip(_fertility_band(np.arange(256.0)), 0, FERTILITY_BAND_RATES.size - 1)


@kernels.kernel
def _fertile_kernel(alive, female, age, chance_of_year, lo, hi, fertile, chance) -> int:
    zero, last = np.float32(0.0), np.float32(chance_of_year.size - 1)
    n = 0
    for i in range(age.size):  # without branches: whether a slot can have a birth is hard to predict
        a = age[i]
        year = a if a < last else last  # (not a number: the last year, never out of the table)
        c = chance_of_year[np.int64(year if year > zero else zero)]  # (truncated: the floor of whole years)
        c *= np.float64((a >= lo) & (a < hi) & alive[i] & female[i])
        fertile[n] = i
        chance[n] = c
        n += c > 0
    return n


def births(world: World, step: int) -> np.ndarray:
    """Births to living women at their age-specific fertility rate; returns the new slots."""
    pop, p = world.population, world.params
    # Draws only for women who can have a birth: each person's draw is keyed, so the others' never mattered.
    fertile, chance = _fertile(pop, p, world.dt)
    mothers = fertile[world.streams.uniform("births", step, pop.key[fertile]) < chance]
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
    world.network.add(mothers, babies, pop.key)
    return babies


def age_and_transition(world: World, step: int) -> None:
    """Age everyone by one step; children turning 18 come of age; workers reaching pension age retire."""
    pop, p = world.population, world.params
    if kernels.compiled() is not None:
        turning_adult, retiring = _age_compiled(pop, world.dt, p["retirement_age"])
    else:
        before = pop.age.copy()
        pop.age[pop.alive] += np.float32(world.dt)
        turning_adult = np.flatnonzero(pop.alive & (before < ADULT_AGE) & (pop.age >= ADULT_AGE))
        retiring = pop.alive & (before < p["retirement_age"]) & (pop.age >= p["retirement_age"])
    if turning_adult.size:
        parent = pop.parent[turning_adult]
        has_parent = parent >= 0
        deprivation = world.areas.deprivation[pop.area[turning_adult]]
        advantage = np.where(has_parent, 2 * pop.income_rank[np.maximum(parent, 0)] - 1, 1 - 2 * deprivation)
        come_of_age(world, turning_adult, advantage, step)
    pop.employment[retiring] = OUT_OF_WORK_FORCE


def _age_compiled(pop, dt: float, retirement_age: float) -> tuple[np.ndarray, np.ndarray]:
    """The ageing of ``age_and_transition`` in one pass: the living age a step (float32), and the slots turning
    adult and reaching pension age are listed (ages compare in float32, as numpy compares them)."""
    turning, retiring = np.empty(pop.capacity, dtype=np.int64), np.empty(pop.capacity, dtype=np.int64)
    n_turning, n_retiring = _age_kernel(pop.alive, pop.age, np.float32(dt), np.float32(ADULT_AGE),
                                        np.float32(retirement_age), turning, retiring)
    return turning[:n_turning], retiring[:n_retiring]


@kernels.kernel
def _age_kernel(alive, age, dt, adult, retirement, turning, retiring) -> tuple[int, int]:
    n_turning = n_retiring = 0
    for i in range(age.size):
        if alive[i]:
            before = age[i]
            now = before + dt
            age[i] = now
            turning[n_turning] = i
            n_turning += (before < adult) & (now >= adult)
            retiring[n_retiring] = i
            n_retiring += (before < retirement) & (now >= retirement)
    return n_turning, n_retiring


@mechanism("deaths", "the people the mortality mechanism drew die; their children lose a parent (an ACE)")
def death_mechanism(ctx: StepContext) -> None:
    deaths(ctx.world, ctx.signals["dies"])


@mechanism("births", "women have children at age-specific fertility rates (independent of deaths)",
           parameters=FERTILITY)
def birth_mechanism(ctx: StepContext) -> None:
    ctx.signals["born"] = births(ctx.world, ctx.step)


@mechanism("ageing", "everyone ages a step; at 18 people come of age (education and earnings graded by "
           "childhood advantage and ACEs); at pension age they retire",
           pathways=(ACE_ADULT_SES,), parameters=COMING_OF_AGE)
def ageing(ctx: StepContext) -> None:
    age_and_transition(ctx.world, ctx.step)
