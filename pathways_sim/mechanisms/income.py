"""Income and its rankings: equivalised household income follows labour status (children share their
parent's); once a year national and within-area income ranks and each area's inequality are refreshed."""

from __future__ import annotations

import numpy as np

from pathways_sim.core import kernels, sorting
from pathways_sim.core.modifiers import Modifiers, add
from pathways_sim.core.world import World
from pathways_sim.declarations.declare import Param
from pathways_sim.declarations.states import ADULT_AGE, INSECURE_JOB, SECURE_JOB, UNEMPLOYED
from pathways_sim.mechanisms.base import StepContext, mechanism
from pathways_sim.mechanisms.exposures import modifier_array


def _population(name: str, default: float, unit: str, bounds: tuple[float, float], plausible: tuple[float, float],
                source: str, doc: str) -> Param:
    return Param(name, default, unit, bounds, plausible, source, doc, group="population")


PARAMETERS = (
    _population("unemployed_income_ratio", 0.45, "fraction of potential", (0, 1), (0.3, 0.6),
                "assumption (Universal Credit plus other household income)",
                "Income when unemployed, as a share of potential."),
    _population("retired_income_ratio", 0.7, "fraction of potential", (0, 2), (0.5, 0.9),
                "assumption (state plus occupational pensions)", "Income in retirement as a share of potential."),
    _population("inactive_income_ratio", 0.6, "fraction of potential", (0, 1), (0.4, 0.8),
                "assumption (other household earners, benefits)", "Income when economically inactive."),
    _population("insecure_pay_ratio", 0.8, "fraction of potential", (0, 1), (0.6, 1),
                "assumption: insecure jobs pay less (Living Wage Foundation)",
                "Pay in insecure work relative to potential."),
    _population("income_floor", 8_000, "GBP/year", (0, 1e7), (6_000, 11_000), "assumption: benefit floor",
                "Minimum equivalised household income."),
)


def update_income(world: World, mods: Modifiers | None = None) -> None:
    """Equivalised household income from earning potential and labour status; children take their parent's.

    Modifiers: a wage scale and a wage floor lift the potential of people in work, transfers add income, and an income
    floor guarantees a minimum (all from interventions; absent in the baseline)."""
    pop, p = world.population, world.params
    if kernels.compiled() is not None:
        _compiled_update_income(world, mods)
        return
    potential = pop.potential
    working = (pop.employment == SECURE_JOB) | (pop.employment == INSECURE_JOB)
    wage_scale = None if mods is None else mods.get("wage_scale", pop.capacity)
    if wage_scale is not None:
        potential = np.where(working, potential * wage_scale, potential)
    wage_floor = None if mods is None else mods.get("wage_floor", pop.capacity)
    if wage_floor is not None:
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


def _compiled_update_income(world: World, mods: Modifiers | None) -> None:
    """``update_income`` in one numba pass: each slot computes the income of its household's slot (its parent's
    for a child, as numpy's gather reads the incomes before children are overwritten), in the same float32 and
    float64 operations.  The age comparison is float32, as numpy compares a float32 array with a Python float."""
    pop, p = world.population, world.params
    n = pop.capacity
    before = np.empty(n, dtype=np.float32)
    # The ratio to potential by (retired, employment code read as uint8): numba compiles a choice between values
    # into a branch, which the mix of codes in slot order mispredicts; a table lookup has none.
    ratio = np.empty((2, 256), dtype=np.float64)
    ratio[0], ratio[1] = p["inactive_income_ratio"], p["retired_income_ratio"]
    ratio[:, SECURE_JOB], ratio[:, INSECURE_JOB] = 1.0, p["insecure_pay_ratio"]
    ratio[:, UNEMPLOYED] = p["unemployed_income_ratio"]
    _income(pop.potential, pop.employment, pop.age, pop.parent, *modifier_array(mods, "wage_scale", n),
            *modifier_array(mods, "wage_floor", n), np.float32(p["retirement_age"]), ratio, float(p["income_floor"]),
            np.float32(p["income_floor"]), *modifier_array(mods, "income_add", n),
            *modifier_array(mods, "income_floor", n), before, pop.income)
    world.income_before_transfers = before


@kernels.kernel
def _income(  # noqa: PLR0913, PLR0917 - a kernel takes its arrays positionally
        potential: np.ndarray, employment: np.ndarray, age: np.ndarray, parent: np.ndarray, wage_scale: np.ndarray,
        scaled: bool, wage_floor: np.ndarray, floored: bool, retirement_age: np.float32, ratio_of: np.ndarray,
        income_floor: float, orphan_income: np.float32, income_add: np.ndarray, added: bool, floor_by: np.ndarray,
        floor_given: bool, before: np.ndarray, income: np.ndarray) -> None:
    zero = np.float32(0.0)
    # Choices the data decide (household, ratio) are integer masks and table lookups: numba compiles `x if c else
    # y` into a branch, which slot order mispredicts.  The branches left go the same way almost always.
    for i in range(potential.size):
        own = -np.int64(parent[i] < 0)  # whose income the slot has: its own (all bits set) or its parent's
        j = (np.int64(parent[i]) & ~own) | (i & own)
        job = employment[j]
        working = (job == SECURE_JOB) | (job == INSECURE_JOB)
        pay = potential[j]
        if scaled:
            pay = pay * wage_scale[j] if working else pay
        if floored:
            higher = (pay >= wage_floor[j]) | np.isnan(pay)  # numpy's maximum: NaN wins
            pay = wage_floor[j] if working & ~higher else pay
        # float32 pay x a Python float: float64, as in numpy
        y = float(pay) * ratio_of[np.int64(age[j] >= retirement_age), np.uint8(job)]
        y = y if (y >= income_floor) | np.isnan(y) else income_floor
        # A child without a parent has the floor (18 is exact in float32, so comparing in float64 is the same).
        x = orphan_income if (parent[i] < 0) & (age[i] < ADULT_AGE) else np.float32(y)
        before[i] = x
        if added:
            x = x + income_add[i]
        x = x if (x >= zero) | np.isnan(x) else zero
        if floor_given:
            x = x if (x >= floor_by[i]) | np.isnan(x) else floor_by[i]
        income[i] = x


def refresh_ranks(world: World) -> None:
    """National and within-area income ranks, and each area's Gini relative to the nation's (yearly)."""
    pop, areas = world.population, world.areas
    living = pop.alive_slots()
    income = pop.income[living].astype(np.float64)
    area = pop.area[living]
    count = np.bincount(area, minlength=areas.n)
    if kernels.compiled() is not None:  # the same ranks, area Ginis' sums and national Gini: two sorts, two passes
        weighted, total, national = _compiled_ranks(world, living, income, area, count)
    else:
        order = np.argsort(income, kind="stable")
        rank = np.empty(living.size)
        rank[order] = (np.arange(living.size) + 0.5) / living.size
        pop.income_rank[living] = rank
        # Within-area ranks: sort by (area, income); position inside the area's block.
        by_area = np.lexsort((income, area))
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
        national = gini_coefficient(income)
    with np.errstate(invalid="ignore", divide="ignore"):
        gini = 2 * weighted / (count * total) - (count + 1) / count
    world.national_income_gini = (income, national)
    relative = np.where((count > 1) & (national > 0), gini / max(national, 1e-12), 1.0)
    areas.relative_gini[:] = np.nan_to_num(relative, nan=1.0).astype(np.float32)


def _compiled_ranks(world: World, living: np.ndarray, income: np.ndarray, area: np.ndarray,
                    count: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """``refresh_ranks``' numpy path under numba: the income order by a radix sort, the order within areas by a
    counting sort of it (by area, then income, then index: numpy's lexsort), then the ranks written and the areas'
    sums for their Ginis added in the order numpy's bincounts add them (``_ranks_in_order``).  The national Gini
    from the incomes in order (gini_coefficient sorts them again: the same values, but for the order of +0.0 and
    -0.0, which no sum of the Gini tells apart)."""
    pop, n_areas = world.population, world.areas.n
    order = sorting.stable_argsort(income)
    by_area = np.empty(living.size, dtype=np.int64)
    sorting.stable_by_group(order, area, n_areas, by_area)
    start = np.concatenate([[0], np.cumsum(count)[:-1]])
    in_order, weighted, total = np.empty(living.size), np.zeros(n_areas), np.zeros(n_areas)
    _ranks_in_order(order, by_area, living, income, area, count, start, pop.income_rank, pop.area_income_rank,
                    in_order, weighted, total)
    return weighted, total, gini_of_sorted(in_order)


@kernels.kernel
def _ranks_in_order(  # noqa: PLR0913, PLR0917 - a kernel takes its arrays positionally
        order: np.ndarray, by_area: np.ndarray, living: np.ndarray, income: np.ndarray, area: np.ndarray,
        count: np.ndarray, start: np.ndarray, income_rank: np.ndarray, area_income_rank: np.ndarray,
        in_order: np.ndarray, weighted: np.ndarray, total: np.ndarray) -> None:
    # Reads at random, asked for 16 rows ahead (about twice as fast at a million people).
    n = order.size
    for i in range(n):  # national: (place + 0.5) / n, float64 cast to float32 as numpy stores it
        later = order[min(i + 16, n - 1)]
        kernels.prefetch(living, later)
        kernels.prefetch(income, later)
        income_rank[living[order[i]]] = np.float32((np.float64(i) + 0.5) / np.float64(n))
        in_order[i] = income[order[i]]
    for i in range(n):  # within the area: its place in the area's block; the Gini's sums in bincount's order
        later = by_area[min(i + 16, n - 1)]
        kernels.prefetch(area, later)
        kernels.prefetch(living, later)
        kernels.prefetch(income, later)
        row = by_area[i]
        a = area[row]
        position = i - start[a]
        area_income_rank[living[row]] = np.float32((np.float64(position) + 0.5) / np.float64(count[a]))
        x = income[row]
        weighted[a] += np.float64(position + 1) * x
        total[a] += x


def national_gini(world: World) -> float:
    """The Gini of the living's incomes: the yearly refresh's own when the incomes are still those it ranked (the
    same values in the same order, so the same number), else worked out afresh."""
    pop = world.population
    income = pop.income[pop.alive].astype(np.float64)
    known = getattr(world, "national_income_gini", None)  # (absent from worlds pickled before it)
    if known is not None and np.array_equal(known[0], income):
        return known[1]
    if kernels.compiled() is None:
        return gini_coefficient(income)
    # numba: the incomes put in order by a radix sort (the same sorted values but for the order of +0.0 and -0.0,
    # which no sum of the Gini tells apart)
    return gini_of_sorted(income[sorting.stable_argsort(income)])


def gini_coefficient(values: np.ndarray) -> float:
    return gini_of_sorted(np.sort(np.asarray(values, dtype=np.float64)))


def gini_of_sorted(x: np.ndarray) -> float:
    """The Gini coefficient of float64 values already in ascending order."""
    n = x.size
    if n == 0 or x.sum() <= 0:
        return 0.0
    i = np.arange(1, n + 1)
    return float(2 * np.sum(i * x) / (n * x.sum()) - (n + 1) / n)


@mechanism("income", "household income follows labour status (and any transfers or floors)",
           parameters=PARAMETERS)
def income(ctx: StepContext) -> None:
    update_income(ctx.world, ctx.mods)


@mechanism("ranks", "once a year: national and within-area income ranks, and each area's income Gini")
def ranks(ctx: StepContext) -> None:
    refresh_ranks(ctx.world)
