"""People as Mesa agents: thin views onto the population arrays.

A ``PersonAgent`` holds only its slot and person id; every state attribute (``agent.stress``,
``agent.income``, ...) reads and writes the arrays, so Mesa's AgentSet queries, DataCollector and
SolaraViz see exactly the state the vectorised step uses.  When the person dies their slot may be reused
by a newborn; the agent then reports ``alive == False`` and refuses to read someone else's state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from pathways_sim.core.population import STATE

if TYPE_CHECKING:
    from pathways_sim.model import PathwaysModel


class PersonAgent(mesa.Agent):
    """One person of a ``PathwaysModel``; attributes are those of ``population.STATE``."""

    def __init__(self, model: PathwaysModel, slot: int):
        super().__init__(model)
        self.slot = int(slot)
        self.person_id = int(model.population.person_id[slot])

    @property
    def alive(self) -> bool:
        pop = self.model.population
        return bool(self.slot < pop.capacity and pop.alive[self.slot] and pop.person_id[self.slot] == self.person_id)

    def _check(self) -> None:
        if not self.alive:
            raise LookupError(f"person {self.person_id} (slot {self.slot}) has died; their state is gone")

    @property
    def ties(self) -> list[int]:
        """Slots of this person's ties."""
        self._check()
        u, v = self.model.network.endpoints()
        return sorted(np.concatenate([v[u == self.slot], u[v == self.slot]]).tolist())

    @property
    def area_deprivation_decile(self) -> int:
        return int(self.model.areas.decile[self.area])

    @property
    def lonely(self) -> bool:
        return bool(self.loneliness > self.model.params["lonely_threshold"])

    def __repr__(self) -> str:
        state = "alive" if self.alive else "dead"
        return f"PersonAgent(person_id={self.person_id}, slot={self.slot}, {state})"


def _state_property(name: str, dtype) -> property:
    def get(self: PersonAgent):
        self._check()
        return getattr(self.model.population, name)[self.slot].item()

    def set_(self: PersonAgent, value) -> None:
        self._check()
        getattr(self.model.population, name)[self.slot] = dtype(value)

    return property(get, set_, doc=f"{name} (reads and writes the population array)")


for _var in STATE:
    if _var.name not in ("alive", "person_id"):
        setattr(PersonAgent, _var.name, _state_property(_var.name, _var.dtype))
