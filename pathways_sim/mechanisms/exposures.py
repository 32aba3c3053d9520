"""What each person is exposed to this step, derived from the previous state and shared by mechanisms.

Each exposure is computed on first use and kept for the rest of the step, so a mechanism that is switched
off, or absent, costs nothing.  All are 0-1 unless stated.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

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
        own = np.arange(self.pop.capacity, dtype=np.int64)
        return np.where(self.pop.parent >= 0, self.pop.parent, own)

    @cached_property
    def strain(self) -> np.ndarray:
        """Financial strain from household income."""
        return financial_strain(self.pop.income, self.params["median_income"], self.params["poverty_line_share"])

    @cached_property
    def insecure_work(self) -> np.ndarray:
        """The household's job: insecure (0.6) or none (1)."""
        job = self.pop.employment[self.household]
        return np.where(job == UNEMPLOYED, F32(1.0), np.where(job == INSECURE_JOB, F32(0.6), F32(0.0))).astype(F32)

    @cached_property
    def housing_insecure(self) -> np.ndarray:
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
        alive = pop.alive
        circumstances = (self.strain + self.insecure_work + self.housing_insecure) / 3.0
        n_areas = self.world.areas.n
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
        inequality = 1.0 + self.params["inequality_status_amplification"] * (
            self.world.areas.relative_gini[pop.area] - 1.0)
        return ((1.0 - pop.income_rank[self.household]) * np.maximum(inequality, 0.0)).astype(F32)

    @cached_property
    def discriminated(self) -> np.ndarray:
        """Who experiences discrimination for a minority identity: a lasting share of minority people, the same
        people in every step and arm (a keyed draw)."""
        pop = self.pop
        lasting = self.world.streams.uniform("discrimination", -1, pop.key)
        return pop.minority & (lasting < self.params["discrimination_share"])

    @cached_property
    def stigma(self) -> np.ndarray:
        """Stigma and discrimination as exposures: experienced discrimination (1) or a mental disorder (its
        stigma weight, which anti-stigma campaigns may lower: ``mental_illness_stigma_scale``).  A minority
        identity is not itself a harm: only the discrimination some meet is."""
        pop = self.pop
        weight = F32(self.params["mental_illness_stigma_weight"])
        mental_illness = scale(weight * pop.cmd, self.mods, "mental_illness_stigma_scale")
        return np.maximum(self.discriminated.astype(F32), mental_illness).astype(F32)

    @cached_property
    def support(self) -> np.ndarray:
        """Perceived support from ties (peer support may add to it)."""
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
