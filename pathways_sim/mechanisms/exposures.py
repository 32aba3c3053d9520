"""What each person is exposed to this step, derived from the previous state and shared by mechanisms.

Each exposure is computed on first use and kept for the rest of the step, so a mechanism that is switched
off, or absent, costs nothing.  All are 0-1 unless stated.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from pathways_sim.core import kernels
from pathways_sim.core.modifiers import Modifiers, add, scale
from pathways_sim.core.world import World
from pathways_sim.declarations.declare import Param
from pathways_sim.declarations.states import INSECURE_JOB, UNEMPLOYED
from pathways_sim.mechanisms.care import care_access

F32 = np.float32

PARAMETERS = (
    Param("poverty_line_share", 0.6, "fraction of median", (0.01, 2), (0.5, 0.7),
          "DWP Households Below Average Income: relative poverty line at 60% of median",
          "Income at which financial strain is 0.5.", group="population"),
    Param("mental_illness_stigma_weight", 0.5, "0-1 exposure", (0, 1), (0.2, 0.8),
          "Time to Change evaluations; assumption",
          "Stigma exposure of a person with a common mental disorder (experienced discrimination counts 1).",
          group="psychosocial"),
    Param("discrimination_share", 0.35, "proportion of minority", (0, 1), (0.2, 0.5),
          "EVENS 2023 (Evidence for Equality National Survey): over a third of people from ethnic and religious "
          "minorities in Britain had experienced racist abuse or assault; nearly a third discrimination in "
          "education or employment",
          "Share of people with a minority identity who experience discrimination (a lasting exposure).",
          group="psychosocial"),
    Param("support_saturation_ties", 4.0, "ties", (0.01, 100), (2, 8), "assumption",
          "Ties at which perceived support reaches 1 - 1/e.", group="network"),
)


def financial_strain(income: np.ndarray, median_income: float, poverty_share: float) -> np.ndarray:
    """0.5 at the poverty line, towards 1 with no income and towards 0 when well off."""
    ratio = income / (poverty_share * median_income)
    return (1.0 / (1.0 + ratio * ratio)).astype(F32)


_NO_MODIFIER = np.empty(0, dtype=F32)


def modifier_array(mods: Modifiers | None, name: str, size: int) -> tuple[np.ndarray, bool]:
    """For a kernel: modifier ``name`` padded to ``size`` slots and True, or an empty array and False when no
    intervention wrote it (numba compiles one version for both).  Modifier arrays are float32 by construction
    (``Modifiers.array``), so the kernel reproduces numpy's promotion of ``base + modifier``."""
    values = None if mods is None else mods.get(name, size)
    return (_NO_MODIFIER, False) if values is None else (np.ascontiguousarray(values), True)


class Exposures:
    """This step's exposures of every slot (computed lazily from the state at the start of the step)."""

    def __init__(self, world: World, mods: Modifiers | None = None):
        self.world = world
        self.pop = world.population
        self.params = world.params
        self.mods = mods

    @cached_property
    def household(self) -> np.ndarray:
        """Slot whose income, housing and job the person shares (the parent for children)."""
        if kernels.compiled() is not None:
            out = np.empty(self.pop.capacity, dtype=np.int64)
            _household(self.pop.parent, out)
            return out
        own = np.arange(self.pop.capacity, dtype=np.int64)
        return np.where(self.pop.parent >= 0, self.pop.parent, own)

    @cached_property
    def _own_circumstances(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Strain, insecure work and insecure housing in one pass (numba), or None for the numpy path."""
        if kernels.compiled() is None:
            return None
        # numpy turns the Python float poverty_share x median_income into float32 before dividing by it.
        poverty_income = F32(self.params["poverty_line_share"] * self.params["median_income"])
        pop, n = self.pop, self.pop.capacity
        strain, insecure, housing = np.empty(n, F32), np.empty(n, F32), np.empty(n, F32)
        _fused_circumstances(pop.income, poverty_income, pop.employment, pop.housing_insecure, self.household,
                             strain, insecure, housing)
        return strain, insecure, housing

    @cached_property
    def strain(self) -> np.ndarray:
        """Financial strain from household income."""
        if self._own_circumstances is not None:
            return self._own_circumstances[0]
        return financial_strain(self.pop.income, self.params["median_income"], self.params["poverty_line_share"])

    @cached_property
    def insecure_work(self) -> np.ndarray:
        """The household's job: insecure (0.6) or none (1)."""
        if self._own_circumstances is not None:
            return self._own_circumstances[1]
        job = self.pop.employment[self.household]
        return np.where(job == UNEMPLOYED, F32(1.0), np.where(job == INSECURE_JOB, F32(0.6), F32(0.0))).astype(F32)

    @cached_property
    def housing_insecure(self) -> np.ndarray:
        if self._own_circumstances is not None:
            return self._own_circumstances[2]
        return self.pop.housing_insecure[self.household].astype(F32)

    @cached_property
    def deprivation(self) -> np.ndarray:
        """Deprivation score of one's area (1 most deprived)."""
        return self.world.areas.deprivation[self.pop.area]

    @cached_property
    def neighbourhood_disadvantage(self) -> np.ndarray:
        """How disadvantaged one's neighbours are: the area's mean of residents' financial strain, household
        worklessness or insecure work, and insecure housing (0-1).  Made from what the model holds about the
        people who live there, so it changes when their circumstances do."""
        pop = self.pop
        n_areas = self.world.areas.n
        if kernels.compiled() is not None:  # the same sums in the same order, and the area means, in one pass
            out = np.empty(pop.capacity, F32)
            _neighbourhood_disadvantage(self.strain, self.insecure_work, self.housing_insecure, pop.alive, pop.area,
                                        n_areas, out)
            return out
        alive = pop.alive
        circumstances = (self.strain + self.insecure_work + self.housing_insecure) / 3.0
        total = np.bincount(pop.area[alive], weights=circumstances[alive], minlength=n_areas)
        people = np.bincount(pop.area[alive], minlength=n_areas)
        return (total / np.maximum(people, 1)).astype(F32)[pop.area]

    @cached_property
    def cohesion(self) -> np.ndarray:
        """Cohesion of one's neighbourhood (community interventions may raise it)."""
        cohesion = add(self.world.areas.cohesion, self.mods, "cohesion_add")
        return np.clip(cohesion, 0, 1)[self.pop.area]

    @cached_property
    def degree(self) -> np.ndarray:
        """Number of ties."""
        return self.world.network.degree(self.pop.capacity)

    @cached_property
    def low_status(self) -> np.ndarray:
        """Low subjective social status: where one's household income stands in the nation (the MacArthur
        ladder asks where people stand "in our society"; Singh-Manoux et al. 2005, Tang et al. 2016), amplified
        where one's area is more unequal than the nation (can exceed 1)."""
        pop = self.pop
        if kernels.compiled() is not None:
            out = np.empty(pop.capacity, F32)
            _low_status(F32(self.params["inequality_status_amplification"]), self.world.areas.relative_gini,
                        pop.area, pop.income_rank, self.household, out)
            return out
        inequality = 1.0 + self.params["inequality_status_amplification"] * (
            self.world.areas.relative_gini[pop.area] - 1.0)
        return ((1.0 - pop.income_rank[self.household]) * np.maximum(inequality, 0.0)).astype(F32)

    @cached_property
    def discriminated(self) -> np.ndarray:
        """Who experiences discrimination for a minority identity: a lasting share of minority people, the same
        people in every step and arm (a keyed draw)."""
        pop = self.pop
        if kernels.compiled() is not None:  # the same draws, made only for the minority people who use them
            minority = np.flatnonzero(pop.minority)
            found = np.zeros(pop.capacity, dtype=bool)
            lasting = self.world.streams.uniform("discrimination", -1, pop.key[minority])
            found[minority] = lasting < self.params["discrimination_share"]
            return found
        lasting = self.world.streams.uniform("discrimination", -1, pop.key)
        return pop.minority & (lasting < self.params["discrimination_share"])

    @cached_property
    def stigma(self) -> np.ndarray:
        """Stigma and discrimination as exposures: experienced discrimination (1) or a mental disorder (its
        stigma weight, which anti-stigma campaigns may lower: ``mental_illness_stigma_scale``).  A minority
        identity is not itself a harm: only the discrimination some meet is."""
        pop = self.pop
        weight = F32(self.params["mental_illness_stigma_weight"])
        if kernels.compiled() is not None:
            out = np.empty(pop.capacity, F32)
            _stigma(self.discriminated, pop.cmd, weight,
                    *modifier_array(self.mods, "mental_illness_stigma_scale", pop.capacity), out)
            return out
        mental_illness = scale(weight * pop.cmd, self.mods, "mental_illness_stigma_scale")
        return np.maximum(self.discriminated.astype(F32), mental_illness).astype(F32)

    @cached_property
    def support(self) -> np.ndarray:
        """Perceived support from ties (peer support may add to it)."""
        if kernels.compiled() is not None:  # the same in one pass, numpy's exp included
            out = np.empty(self.pop.capacity, F32)
            _support(self.degree, F32(self.params["support_saturation_ties"]),
                     *modifier_array(self.mods, "support_add", self.pop.capacity), kernels.exp32_mode(), out)
            return out
        support = (1.0 - np.exp(-self.degree / self.params["support_saturation_ties"])).astype(F32)
        return np.minimum(add(support, self.mods, "support_add"), F32(1.0))

    @cached_property
    def smoking_ties(self) -> np.ndarray:
        """Share of one's ties who smoke."""
        degree = self.degree
        shared = self.world.network.neighbour_sum(self.pop.smoker) / np.maximum(degree, 1)
        return np.where(degree > 0, shared, 0.0).astype(F32)

    @cached_property
    def material_hardship(self) -> np.ndarray:
        """The household's material hardship: cold or damp home, fuel or food insecurity (0 or 1)."""
        return self.pop.material_hardship[self.household].astype(F32)

    @cached_property
    def care_access(self) -> np.ndarray:
        """Expected treatment of a mental disorder: treated share x relative effectiveness in one's area."""
        return care_access(self.params, self.deprivation, self.mods)


# --- numba kernels (core.kernels.kernel: compiled on first use, only when numba is the kernel choice).  Each does
# in one pass what the numpy code above does in several, with the same float32/float64 operations in the same
# order (numpy's promotion: a Python float meets a float32 array as float32, a bool array as float64), with
# numpy's float32 exp from kernels.exp32; tests/test_kernels_mech_a.py compares them byte for byte.  numba types a
# bare literal such as 1.0 as float64, so float32 constants are spelled out.  Written without branches the data
# decide (a mispredicted branch per person costs ten times the arithmetic): conditions combine with & and |, not
# `and`/`or`, and a choice among values by employment code is a table lookup (numba compiles `x if c else y` into a
# branch); np.divide divides as numpy does (numba's `/` checks for zero, which keeps the loop from being vectorised).

_ONE = np.float32(1.0)
_THREE = np.float32(3.0)
# The household's insecure work by employment code (any int8, read as uint8): numba compiles a choice between
# values into a branch, which the mix of codes in slot order mispredicts; a table lookup has none.
_INSECURE_WORK = np.zeros(256, dtype=np.float32)
_INSECURE_WORK[UNEMPLOYED], _INSECURE_WORK[INSECURE_JOB] = np.float32(1.0), np.float32(0.6)

# numpy's maximum and minimum let a NaN win: written out below as `a if (a >= b) | np.isnan(a) else b`.

@kernels.kernel
def _household(parent: np.ndarray, out: np.ndarray) -> None:
    for i in range(parent.size):
        own = -np.int64(parent[i] < 0)  # all bits set for a slot without a parent: no branch to mispredict
        out[i] = (np.int64(parent[i]) & ~own) | (i & own)


@kernels.kernel
def _fused_circumstances(income: np.ndarray, poverty_income: np.float32, employment: np.ndarray,
                         housing_insecure: np.ndarray, household: np.ndarray, strain: np.ndarray,
                         insecure: np.ndarray, housing: np.ndarray) -> None:
    for i in range(income.size):
        ratio = np.divide(income[i], poverty_income)
        strain[i] = np.divide(_ONE, _ONE + ratio * ratio)
        insecure[i] = _INSECURE_WORK[np.uint8(employment[household[i]])]
        housing[i] = np.float32(housing_insecure[household[i]])


@kernels.kernel
def _neighbourhood_disadvantage(strain: np.ndarray, insecure: np.ndarray, housing: np.ndarray,
                                alive: np.ndarray, area: np.ndarray, n_areas: int, out: np.ndarray) -> None:
    total = np.zeros(n_areas, dtype=np.float64)  # np.bincount's sums: float64, in slot order
    people = np.zeros(n_areas, dtype=np.int64)
    for i in range(area.size):
        # The dead add +0.0, which changes no sum (a sum of +0.0 and of values >= +0.0 is never -0.0).
        circumstances = np.float64(np.divide(strain[i] + insecure[i] + housing[i], _THREE))
        total[area[i]] += circumstances if alive[i] else 0.0
        people[area[i]] += np.int64(alive[i])
    mean = np.empty(n_areas, dtype=np.float32)
    for a in range(n_areas):
        mean[a] = np.float32(np.divide(total[a], np.float64(max(people[a], 1))))
    for i in range(area.size):
        out[i] = mean[area[i]]


@kernels.kernel
def _low_status(amplification: np.float32, relative_gini: np.ndarray, area: np.ndarray,
                income_rank: np.ndarray, household: np.ndarray, out: np.ndarray) -> None:
    zero = np.float32(0.0)
    for i in range(area.size):
        inequality = _ONE + amplification * (relative_gini[area[i]] - _ONE)
        inequality = inequality if (inequality >= zero) | np.isnan(inequality) else zero
        out[i] = (_ONE - income_rank[household[i]]) * inequality


@kernels.kernel
def _stigma(discriminated: np.ndarray, cmd: np.ndarray, weight: np.float32, scale_by: np.ndarray,
            scaled: bool, out: np.ndarray) -> None:
    for i in range(cmd.size):
        mental_illness = weight * np.float32(cmd[i])
        if scaled:
            mental_illness = mental_illness * scale_by[i]
        found = np.float32(discriminated[i])
        out[i] = found if (found >= mental_illness) | np.isnan(found) else mental_illness


@kernels.kernel
def _support(degree: np.ndarray, saturation: np.float32, extra: np.ndarray, added: bool, simd: bool,
             out: np.ndarray) -> None:
    for i in range(out.size):
        support = _ONE - kernels.exp32(np.divide(-degree[i], saturation), simd)
        if added:
            support = support + extra[i]
        out[i] = support if (support <= _ONE) | np.isnan(support) else _ONE
