"""Everything a run holds, in one place: the population arrays, the areas, the ties, the parameters,
the random streams and the clock.  The Mesa model wraps a World; the step functions act on it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from pathways_sim.core.network import Network
from pathways_sim.core.population import Population
from pathways_sim.core.streams import Streams


@dataclass(slots=True)
class Areas:
    """Neighbourhoods, numbered from most (0) to least deprived, as the IMD ranks LSOAs."""

    deprivation: np.ndarray  # float32, 1 most deprived .. 0 least
    decile: np.ndarray  # int8, 1 = most deprived tenth of areas
    cohesion: np.ndarray  # float32, 0-1
    relative_gini: np.ndarray  # float32, area income Gini / national Gini (refreshed yearly)

    @property
    def n(self) -> int:
        return int(self.deprivation.size)

    @classmethod
    def ranked(cls, n_areas: int, cohesion_least: float, cohesion_most: float) -> Areas:
        rank = np.arange(n_areas)
        deprivation = (1.0 - (rank + 0.5) / n_areas).astype(np.float32)
        decile = (rank * 10 // n_areas + 1).astype(np.int8)
        cohesion = (cohesion_least + (cohesion_most - cohesion_least) * deprivation).astype(np.float32)
        return cls(deprivation, decile, cohesion, np.ones(n_areas, dtype=np.float32))

    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.deprivation, self.decile, self.cohesion, self.relative_gini))


@dataclass(slots=True)
class World:
    params: Mapping[str, Any]  # a validated pathways_sim.Parameters
    switches: Any  # pathways_sim.Switches: which pathways are on
    strength: Mapping[str, float]
    streams: Streams
    population: Population
    areas: Areas
    network: Network
    step_index: int = 0
    tie_acceptance: float = 1.0  # mean homophily acceptance at build; scales the meeting rate
    formation_balance: float = 1.0  # loss / formation multiplier from withdrawal at build; scales it too
    minority_meeting_scale: tuple[float, float] = (1.0, 1.0)  # meeting-rate multiplier: majority, minority
    interventions: tuple = ()  # Intervention objects, enabling ones first
    income_before_transfers: np.ndarray | None = None  # income before intervention transfers and floors
    # The living's incomes (float64, slot order) at the last yearly refresh of ranks and their Gini, for the
    # results collector to reuse while the incomes are those (mechanisms/income.py: national_gini).
    national_income_gini: tuple[np.ndarray, float] | None = None

    @property
    def dt(self) -> float:
        """Step length in years."""
        return self.params["step_months"] / 12.0

    @property
    def steps_per_year(self) -> int:
        return 12 // self.params["step_months"]

    @property
    def year(self) -> float:
        return self.params["start_year"] + self.step_index * self.dt
