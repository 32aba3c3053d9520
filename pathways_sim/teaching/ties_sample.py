"""A few hundred people to draw as a network: adults of the most and of the least deprived area, laid out once.

The page colours them by stress each month.  Positions are computed once, from the ties at the start, with a
seeded spring layout, so a person stays where the class first saw them while their ties break and form; a person
who dies leaves the picture (their slot may later hold a newborn, who is not drawn).
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

from pathways_sim.model import PathwaysModel

PER_AREA = 150  # adults drawn from each of the two areas (fewer if the area has fewer)
GAP_BETWEEN_AREAS = 2.6  # layout units between the centres of the two areas' clusters (each about 2 wide)


@dataclass(frozen=True)
class TieView:
    """The people drawn now (alive): positions, area group (0 most deprived area, 1 least) and stress, and the
    ties between them as index pairs into these arrays."""

    xy: np.ndarray
    area_group: np.ndarray
    stress: np.ndarray
    tie_from: np.ndarray
    tie_to: np.ndarray


@dataclass
class TieSample:
    """``slots``: the people drawn; ``area_group``: 0 for the most deprived area, 1 for the least; ``xy``: their
    fixed positions; ``tracked``: still alive and drawn."""

    slots: np.ndarray
    area_group: np.ndarray
    xy: np.ndarray
    tracked: np.ndarray

    @classmethod
    def draw(cls, model: PathwaysModel, seed: int, per_area: int = PER_AREA) -> TieSample:
        pop, areas = model.population, model.areas
        rng = np.random.default_rng(seed)
        by_deprivation = np.argsort(areas.deprivation, kind="stable")
        slots, groups = [], []
        for group, area in enumerate((by_deprivation[-1], by_deprivation[0])):
            adults = np.flatnonzero(pop.alive & (pop.area == area) & (pop.age >= 16))
            if adults.size > per_area:
                adults = np.sort(rng.choice(adults, per_area, replace=False))
            slots.append(adults)
            groups.append(np.full(adults.size, group))
        sample = cls(np.concatenate(slots), np.concatenate(groups), np.zeros((0, 2)), np.zeros(0, dtype=bool))
        sample.tracked = np.ones(sample.slots.size, dtype=bool)
        sample.xy = sample._layout(model, seed)
        return sample

    def _layout(self, model: PathwaysModel, seed: int) -> np.ndarray:
        """Each area's people by a spring layout of their ties within the area, the two areas side by side."""
        xy = np.zeros((self.slots.size, 2))
        i, j = self.edges(model)
        for group in (0, 1):
            members = np.flatnonzero(self.area_group == group)
            graph = nx.Graph()
            graph.add_nodes_from(members.tolist())
            inside = (self.area_group[i] == group) & (self.area_group[j] == group)
            graph.add_edges_from(zip(i[inside].tolist(), j[inside].tolist(), strict=True))
            if not members.size:
                continue
            placed = nx.spring_layout(graph, seed=seed, k=1.5 / np.sqrt(max(members.size, 1)), iterations=60)
            points = np.array([placed[m] for m in members.tolist()])
            # People with few ties inside the area drift far out in a spring layout; keep them at the rim of
            # the cluster so the cluster stays readable.
            low, high = np.percentile(points, [3, 97], axis=0)
            points = (np.clip(points, low, high) - (low + high) / 2) / np.maximum(high - low, 1e-9) * 2
            xy[members] = points + np.array([group * GAP_BETWEEN_AREAS, 0.0])
        return xy

    def edges(self, model: PathwaysModel) -> tuple[np.ndarray, np.ndarray]:
        """The ties now between two people drawn, as index pairs into ``slots``."""
        index = np.full(model.population.capacity, -1, dtype=np.int64)
        index[self.slots[self.tracked]] = np.flatnonzero(self.tracked)
        u, v = model.network.endpoints()
        i, j = index[u], index[v]
        keep = (i >= 0) & (j >= 0)
        return i[keep], j[keep]

    def view(self, model: PathwaysModel) -> TieView:
        shown = np.flatnonzero(self.tracked)
        position = np.full(self.slots.size, -1, dtype=np.int64)
        position[shown] = np.arange(shown.size)
        i, j = self.edges(model)
        return TieView(self.xy[shown].copy(), self.area_group[shown].copy(),
                       model.population.stress[self.slots[shown]].astype(np.float64), position[i], position[j])

    def forget(self, died: np.ndarray) -> None:
        """Stop drawing the people who died this step (``died``: a mask over slots)."""
        self.tracked &= ~died[self.slots]
