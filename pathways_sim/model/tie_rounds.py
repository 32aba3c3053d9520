"""The rounds of meetings that grow the starting ties (``synthesis.build_ties``), fused by numba.

Each round every person proposes one partner and the meeting becomes a tie with homophily's chance: at a
million people about forty rounds of a million meetings each, most of the build's time.  The numpy path
(``propose_partners``, ``homophily_acceptance``, then the draws and the cut to the ties still needed) makes
some fifteen passes over a million elements a round and gathers the partners' slot, age, income rank and
minority status from four arrays scattered over the population.  Here the partners' traits are laid out
once in the area index's order (a partner drawn at place q is read from one place), one kernel proposes,
gathers and measures the meetings and one takes the accepted ties.  numpy still makes the random draws (the
same generator, into reused buffers: the same numbers), scipy's ndtri the area shifts and numpy's exp the
acceptance chances, so every tie is the one the numpy path makes (tests/test_build_kernels.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from pathways_sim.core import kernels
from pathways_sim.core.network import AreaIndex, area_shift
from pathways_sim.core.population import Population


@kernels.kernel
def _far(u_local: np.ndarray, local_share: float, far: np.ndarray) -> int:
    """Who meets outside their own area (``propose_partners``' ``~local``) into ``far``; returns how many."""
    n = 0
    for i in range(u_local.size):  # without a branch: a third of the people meet far, at random
        far[n] = i
        n += not u_local[i] < local_share
    return n


@kernels.kernel
def _meet(  # noqa: PLR0913, PLR0917 - a kernel takes its arrays positionally
        people: np.ndarray, area: np.ndarray, age: np.ndarray, rank: np.ndarray, minority: np.ndarray,
        u_local: np.ndarray, local_share: float, shift: np.ndarray, u_pick: np.ndarray, start: np.ndarray,
        count: np.ndarray, last_area: int, traits: np.ndarray, minority_at: np.ndarray, age_scale: np.float32,
        ses: np.float32, minority_h: float, at: np.ndarray, met: np.ndarray, minority_met: np.ndarray,
        neg_distance: np.ndarray) -> int:
    """Each person's partner (its place ``at`` in the area index; -1 for people whose chosen area is empty,
    who meet nobody) and minus the social distance of each meeting, in ``homophily_acceptance``'s precision:
    float32 for age and income rank (the scales are float32 as numpy makes Python floats next to float32
    arrays), float64 once the minority term (a Python float times a bool) is added.  Returns how many met.

    Three loops, not one: the partners' traits are gathered (into ``met``, ``minority_met``) by a loop that does
    nothing else, so that many of its cache misses are in flight at once; with the arithmetic and its branch in
    the same loop it took two to three times as long."""
    far = 0
    for i in range(people.size):
        target = np.int64(area[people[i]])
        if not u_local[i] < local_share:
            target = min(max(target + shift[far], np.int64(0)), np.int64(last_area))
            far += 1
        n = count[target]
        at[i] = start[target] + np.int64(np.floor(u_pick[i] * np.float64(n))) if n > 0 else -1
    for i in range(people.size):
        q = at[i]
        if q >= 0:
            met[i, 0] = traits[q, 0]
            met[i, 1] = traits[q, 1]
            minority_met[i] = minority_at[q]
    m = 0
    for i in range(people.size):
        if at[i] >= 0:
            a = people[i]
            near = abs(age[a] - met[i, 0]) / age_scale + ses * abs(rank[a] - met[i, 1])
            neg_distance[m] = -(np.float64(near) + (minority_h if minority[a] != minority_met[i] else 0.0))
            m += 1
    return m


@kernels.kernel
def _take(at: np.ndarray, chance: np.ndarray, u_accept: np.ndarray, need: int, people: np.ndarray,
          order: np.ndarray, u_out: np.ndarray, v_out: np.ndarray) -> int:
    """The first ``need`` meetings whose draw falls below their chance, as (person, partner) slots."""
    k = j = 0
    for i in range(people.size):
        if at[i] < 0:  # met nobody: no chance, no draw
            continue
        if u_accept[j] < chance[j]:
            if k == need:
                break
            u_out[k] = people[i]
            v_out[k] = order[at[i]]
            k += 1
        j += 1
    return k


class TieRounds:
    """One round of ``build_ties``' meetings at a time, with its buffers kept from round to round."""

    def __init__(self, pop: Population, people: np.ndarray, index: AreaIndex, n_areas: int,
                 params: Mapping[str, Any]) -> None:
        self.pop, self.people, self.index, self.n_areas = pop, people, index, n_areas
        self.local_share = float(params["local_tie_share"])
        self.area_spread = params["nonlocal_tie_area_spread"]
        self.age_scale = np.float32(params["age_homophily_years"])
        self.ses = np.float32(params["ses_homophily"])
        self.minority_h = float(params["minority_homophily"])
        # The partners' traits in the index's order: a partner drawn at place q is read from one place.
        self.traits = np.stack([pop.age[index.order], pop.income_rank[index.order]], axis=1)
        self.minority_at = pop.minority[index.order]
        n = people.size
        self.draws = np.empty((3, n))
        self.u_accept = np.empty(n)
        self.far = np.empty(n, dtype=np.int64)
        self.at = np.empty(n, dtype=np.int64)
        self.met = np.empty((n, 2), dtype=np.float32)
        self.minority_met = np.empty(n, dtype=np.bool_)
        self.neg_distance = np.empty(n)
        self.u_out = np.empty(n, dtype=np.int64)
        self.v_out = np.empty(n, dtype=np.int64)

    def meet(self, rng: np.random.Generator, need: int) -> tuple[float, np.ndarray, np.ndarray]:
        """One round: the mean acceptance chance of its meetings and the (at most ``need``) ties accepted, from
        the same draws of ``rng`` the numpy path makes."""
        pop, index = self.pop, self.index
        draws = self.draws
        rng.random(out=draws)
        u_local, u_shift, u_pick = draws
        far = self.far[:_far(u_local, self.local_share, self.far)]
        shift = area_shift(u_shift[far], self.area_spread, self.n_areas)
        m = _meet(self.people, pop.area, pop.age, pop.income_rank, pop.minority, u_local, self.local_share, shift,
                  u_pick, index.start, index.count, self.n_areas - 1, self.traits, self.minority_at, self.age_scale,
                  self.ses, self.minority_h, self.at, self.met, self.minority_met, self.neg_distance)
        chance = np.exp(self.neg_distance[:m])
        share = float(chance.mean()) if m else 1.0
        u_accept = self.u_accept[:m]
        rng.random(out=u_accept)
        k = _take(self.at, chance, u_accept, need, self.people, index.order, self.u_out, self.v_out)
        return share, self.u_out[:k], self.v_out[:k]
