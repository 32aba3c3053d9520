"""Income and its rankings: equivalised household income follows labour status (children share their
parent's); once a year national and within-area income ranks and each area's inequality are refreshed."""

from __future__ import annotations

import numpy as np

from pathways_sim.core import kernels
from pathways_sim.core.modifiers import Modifiers, add
from pathways_sim.core.world import World
from pathways_sim.declarations.declare import Param
from pathways_sim.declarations.states import ADULT_AGE, INSECURE_JOB, SECURE_JOB, UNEMPLOYED
from pathways_sim.mechanisms.base import StepContext, mechanism


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


def refresh_ranks(world: World) -> None:
    """National and within-area income ranks, and each area's Gini relative to the nation's (yearly)."""
    pop, areas = world.population, world.areas
    living = pop.alive_slots()
    income = pop.income[living].astype(np.float64)
    area = pop.area[living]
    order = _stable_order(pop.income[living]) if kernels.compiled() is not None else None
    if order is None:
        order = np.argsort(income, kind="stable")
    rank = np.empty(living.size)
    rank[order] = (np.arange(living.size) + 0.5) / living.size
    pop.income_rank[living] = rank
    # Within-area ranks: sort by (area, income); position inside the area's block.  The income order sorted
    # stably by area is lexsort((income, area))'s order, by a radix sort of 16-bit areas instead of a merge sort.
    by = area[order].astype(np.int16) if areas.n <= np.iinfo(np.int16).max else area[order]
    by_area = order[np.argsort(by, kind="stable")]
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


def _stable_order(values: np.ndarray) -> np.ndarray | None:
    """numpy's stable argsort of float32 ``values`` (as float64: the same order) by the radix sort below, or
    None when a value is NaN (left to numpy)."""
    order = np.empty(values.size, dtype=np.int64)
    return order if _radix_order(np.ascontiguousarray(values, dtype=np.float32), order) else None


@kernels.kernel
def _radix_order(values: np.ndarray, order: np.ndarray) -> bool:
    """The stable ascending order of ``values`` into ``order``: a least-significant-digit radix sort (three
    passes of 11 bits) of their bits made monotone, so equal values keep their slots' order, as in numpy's
    stable sort (a merge sort, about ten times slower here); -0.0 counts as 0.0.  False for a NaN."""
    n = values.size
    bits = values.view(np.uint32)
    keys = np.empty(n, dtype=np.int64)
    for i in range(n):
        v = values[i]
        if np.isnan(v):
            return False
        b = np.int64(bits[i])
        keys[i] = 0x80000000 if v == 0 else (b | 0x80000000 if v > 0 else 0xFFFFFFFF - b)
    slots = np.arange(n)
    next_keys = np.empty(n, dtype=np.int64)
    next_slots = np.empty(n, dtype=np.int64)
    for shift in (0, 11, 22):
        place = np.zeros(2049, dtype=np.int64)
        for i in range(n):
            place[((keys[i] >> shift) & 2047) + 1] += 1
        for d in range(2048):
            place[d + 1] += place[d]
        for i in range(n):
            d = (keys[i] >> shift) & 2047
            next_keys[place[d]] = keys[i]
            next_slots[place[d]] = slots[i]
            place[d] += 1
        keys, next_keys = next_keys, keys
        slots, next_slots = next_slots, slots
    order[:] = slots
    return True


def gini_coefficient(values: np.ndarray) -> float:
    x = np.sort(np.asarray(values, dtype=np.float64))
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
