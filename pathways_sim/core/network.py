"""Social ties as a sorted array of edge keys, updated without per-edge Python work.

An undirected tie (u, v), u < v, is stored as the int64 key ``u << 31 | v``; the keys are kept sorted, so a
batch of new ties is checked against existing ones with one ``searchsorted`` and merged in one pass.  The
endpoints are split from the keys once per change of the ties, not once per use (the numba kernels read each
tie's ends from its key instead, so a step never splits them).
Per-person sums over ties (degree, support, share of smoking ties) are two ``bincount`` calls, or one numba pass
that counts in int32 where every term is 0 or 1 (a count is the same in any order).  The same
ties are available as a scipy sparse matrix (``adjacency``) and, for small populations, as a networkx
graph (``to_networkx``).

New ties are *proposed* by shared places: a person meets someone from their own neighbourhood (or, less
often, an area of similar deprivation) and the tie forms with a probability that falls with differences in
age, income rank and minority status (homophily; McPherson et al. 2001).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.special import ndtri

from pathways_sim.core import kernels
from pathways_sim.core.streams import KeyedDraws, drawn, mix
from pathways_sim.core.tie_changes import NO_COUNTS, NO_KEYS, PendingTies, compiled_kernels

# A tie's key: its lower slot shifted above its higher one, u << 31 | v (u < v); the numba kernels read its ends
# back with these two.
TIE_SHIFT = np.int64(31)
END_MASK = np.int64((1 << 31) - 1)


class Network:
    """Undirected ties between population slots.

    On the compiled path, ``keep``, ``add`` and ``drop_slots`` are held back (``core/tie_changes.py``) and made
    together, in one pass over the ties, when anything next reads them: ``keys`` and everything built on it."""

    # Everyone's degree (int32), kept up to date through the compiled path's changes to the ties: a step adds and
    # drops a few per cent of them, so counting those is much less work than a pass over every tie.  (keys it
    # counts, counts), like ``_tie_keys``; a class default so that worlds pickled before it load.
    _degree: tuple[np.ndarray, np.ndarray] | None = None
    _pending: PendingTies | None = None  # the changes held back

    def __init__(self) -> None:
        self._keys = np.zeros(0, dtype=np.int64)
        self._ends: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # (keys they were split from, u, v)
        self._tie_keys: tuple[np.ndarray, np.ndarray] | None = None  # (keys they belong to, each tie's key)

    @property
    def keys(self) -> np.ndarray:
        """Every tie's key, sorted, with the changes held back made first.  Only ever replaced, never written in
        place, so its identity says whether the ties changed."""
        if self._pending is not None:
            self._make_pending()
        return self._keys

    @keys.setter
    def keys(self, keys: np.ndarray) -> None:  # (the ties replaced: changes held back for the old ones lapse)
        self._keys, self._pending = keys, None

    def __getstate__(self) -> dict:
        self.keys  # noqa: B018 - the changes held back made, so a copy or a pickle holds the ties themselves
        return self.__dict__.copy()

    def __setstate__(self, state: dict) -> None:
        if "keys" in state:  # pickled before the keys were held as _keys
            state["_keys"] = state.pop("keys")
        self.__dict__.update(state)

    @property
    def n_ties(self) -> int:
        return int(self.keys.size)

    def endpoints(self) -> tuple[np.ndarray, np.ndarray]:
        """(u, v) of every tie, in key order.  Kept until the ties change; callers must not write into them."""
        keys = self.keys
        if self._ends is None or self._ends[0] is not keys:
            self._ends = (keys, keys >> TIE_SHIFT, keys & END_MASK)
        return self._ends[1], self._ends[2]

    def tie_keys(self, person_keys: np.ndarray) -> np.ndarray:
        """Each tie's random-number key (``pair_keys`` of its two people's ``person_keys``), in key order.  Kept
        through ``keep`` and ``drop_slots``, and through ``add`` when it is given the people's keys, so a step
        gathers the two people's keys only for its new ties (a tie's people keep their keys while it lasts: a
        slot is given to somebody else only after its ties are dropped)."""
        known = self._known_tie_keys()
        if known is None:
            u, v = self.endpoints()
            known = pair_keys(person_keys, u, v)
            self._tie_keys = (self.keys, known)
        return known

    def _known_tie_keys(self) -> np.ndarray | None:
        keys = self.keys  # (first: making the changes held back updates the tie keys)
        known = self._tie_keys
        return known[1] if known is not None and known[0] is keys else None

    def _known_degree(self) -> np.ndarray | None:
        keys = self.keys  # (first: making the changes held back updates the counts)
        known = self._degree
        return known[1] if known is not None and known[0] is keys else None

    def add(self, u: np.ndarray, v: np.ndarray, person_keys: np.ndarray | None = None) -> None:
        """Add ties (u[i], v[i]); self-ties and ties that exist already are ignored.  With ``person_keys`` (the
        population's), the ties' random-number keys are kept up to date too."""
        u = np.asarray(u, dtype=np.int64)
        v = np.asarray(v, dtype=np.int64)
        compiled = kernels.compiled()
        if compiled is not None and u.shape == v.shape:  # the same keys: made in one pass, sorted, held back
            new = np.empty(u.size, dtype=np.int64)
            new = np.sort(new[:compiled.tie_keys_of(u.ravel(), v.ravel(), new)])
            pending = self._held()
            pending.add(new, pair_keys(person_keys, new >> TIE_SHIFT, new & END_MASK)
                        if pending.carry and person_keys is not None else None)
            return
        keep = u != v
        lo, hi = np.minimum(u[keep], v[keep]), np.maximum(u[keep], v[keep])
        new = np.unique((lo << TIE_SHIFT) | hi)
        keys = self.keys
        if keys.size:
            pos = np.searchsorted(keys, new)
            exists = (pos < keys.size) & (keys[np.minimum(pos, keys.size - 1)] == new)
            self.keys = _merge(keys, new[~exists], pos[~exists])
        else:
            self.keys = new

    def keep(self, mask: np.ndarray) -> None:
        """Keep only the ties where ``mask`` (one value per tie, in key order) is True."""
        keys = self.keys
        if np.shape(mask) != keys.shape:
            raise ValueError(f"a mask of the ties to keep needs one value per tie ({keys.size}), got shape "
                             f"{np.shape(mask)}")
        if kernels.compiled() is not None:
            self._held().mask = np.array(mask, dtype=np.bool_)  # (a copy: the caller's array may change)
            return
        known = self._known_tie_keys()
        self.keys = keys[mask]
        if known is not None:
            self._tie_keys = (self.keys, known[mask])

    def drop_slots(self, gone: np.ndarray) -> None:
        """Remove every tie of the slots flagged in the boolean array ``gone``."""
        if kernels.compiled() is not None:  # without splitting the keys into endpoints
            # a bit per slot: the flags of a million people fit the fastest caches, where every tie's second end
            # is a read at random
            self._held().drop(np.packbits(np.asarray(gone, dtype=np.bool_), bitorder="little"))
            return
        u, v = self.endpoints()
        self.keep(~(gone[u] | gone[v]))

    def _held(self) -> PendingTies:
        """The changes held back, begun if there are none (the tie keys carried through them if known now)."""
        if self._pending is None:
            self._pending = PendingTies(carry=self._known_tie_keys() is not None)
        return self._pending

    def _make_pending(self) -> None:
        """Make the changes held back, in one pass over the ties (``changed_ties``)."""
        pending, keys, compiled = self._pending, self._keys, compiled_kernels()
        assert pending is not None
        known = self._tie_keys[1] if self._tie_keys is not None and self._tie_keys[0] is keys else None
        degree = self._degree[1] if self._degree is not None and self._degree[0] is keys else None
        carry = known is not None and pending.carry
        new = pending.new
        if degree is not None and new.size:  # room in the counts for slots born since they were made
            largest = int((new & END_MASK).max())  # v > u: the larger end
            if largest >= degree.size:
                degree = np.concatenate([degree, np.zeros(largest + 1 - degree.size, dtype=np.int32)])
        changed = np.empty(keys.size + new.size, dtype=np.int64)
        changed_tie_keys = np.empty(changed.size, dtype=np.uint64) if carry else NO_KEYS
        count = compiled.changed_ties(
            keys, known if carry else NO_KEYS, pending.mask, pending.gone, new,
            pending.new_tie_keys if carry else NO_KEYS, changed, changed_tie_keys,
            NO_COUNTS if degree is None else degree, np.empty(changed.size, dtype=np.int64))
        self._keys, self._pending = changed[:count], None
        if degree is not None:
            self._degree = (self._keys, degree)
        if carry:
            self._tie_keys = (self._keys, changed_tie_keys[:count])

    def _compiled_sums(self, size: int, kind: str, values: np.ndarray) -> np.ndarray | None:
        """A per-slot sum over ties from the numba kernel (the same sums in one pass over the keys) as float64,
        or None for numpy's (no ties: its bincount of nothing is integer; an end beyond ``size``: its bincount
        grows)."""
        compiled = kernels.compiled()
        if compiled is None or self.keys.size == 0:
            return None
        summed = compiled.sums_over_ties(self.keys, size, getattr(compiled, kind), values)
        return None if summed is None else summed.astype(np.float64, copy=False)

    def degree(self, size: int) -> np.ndarray:
        counts, compiled = self._known_degree(), kernels.compiled()
        if counts is None and compiled is not None and self.keys.size:
            counts = compiled.sums_over_ties(self.keys, size, compiled.DEGREE)
            if counts is not None:  # (None: an end beyond ``size``, numpy's bincount below grows to it)
                self._degree = (self.keys, counts)
        if counts is not None and (counts.size <= size or not counts[size:].any()):
            out = np.zeros(size, dtype=np.float32)
            out[:min(size, counts.size)] = counts[:size]
            return out
        u, v = self.endpoints()
        return (np.bincount(u, minlength=size) + np.bincount(v, minlength=size)).astype(np.float32)

    def neighbour_sum(self, values: np.ndarray) -> np.ndarray:
        """For each slot, the sum of ``values`` over its ties."""
        summed = self._compiled_sums(values.size, "NEIGHBOUR_SUM", values)
        if summed is not None:
            return summed
        u, v = self.endpoints()
        n, w = values.size, values.astype(np.float64, copy=False)
        return np.bincount(u, weights=w[v], minlength=n) + np.bincount(v, weights=w[u], minlength=n)

    def share_below(self, values: np.ndarray) -> np.ndarray:
        """For each slot, how many of its ties have a strictly lower value (divide by degree for a share)."""
        summed = self._compiled_sums(values.size, "SHARE_BELOW", values)
        if summed is not None:
            return summed
        u, v = self.endpoints()
        n = values.size
        below_u = values[v] < values[u]  # v is below u
        below_v = values[u] < values[v]
        return (np.bincount(u, weights=below_u, minlength=n)
                + np.bincount(v, weights=below_v, minlength=n))

    def adjacency(self, size: int) -> sp.csr_array:
        """Symmetric 0/1 adjacency matrix (scipy sparse) over ``size`` slots."""
        u, v = self.endpoints()
        rows = np.concatenate([u, v])
        cols = np.concatenate([v, u])
        data = np.ones(rows.size, dtype=np.int8)
        return sp.csr_array((data, (rows, cols)), shape=(size, size))

    def to_networkx(self, nodes: np.ndarray | None = None):
        """A networkx Graph of the ties (nodes are slots); meant for analysis of small populations."""
        import networkx as nx

        graph = nx.Graph()
        if nodes is not None:
            graph.add_nodes_from(int(i) for i in nodes)
        u, v = self.endpoints()
        graph.add_edges_from(zip(u.tolist(), v.tolist(), strict=True))
        return graph

    def nbytes(self) -> int:
        return int(self.keys.nbytes)


def _merge(keys: np.ndarray, new: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """``keys`` with the sorted ``new`` placed before positions ``pos`` (their ``searchsorted`` places): one
    output array and two scatters, where ``np.insert`` would sort the positions again."""
    merged = np.empty(keys.size + new.size, dtype=keys.dtype)
    new_at = pos + np.arange(new.size)
    is_old = np.ones(merged.size, dtype=bool)
    is_old[new_at] = False
    merged[new_at] = new
    merged[is_old] = keys
    return merged


def pair_keys(keys: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """A key for each tie (u[i], v[i]) that depends on the two people, not on their slots or order."""
    compiled = kernels.compiled()
    if compiled is not None:  # the same keys in one pass (core/numba_random.py)
        return compiled.pair_keys(keys, u, v)
    a, b = keys[u], keys[v]
    with np.errstate(over="ignore"):
        return mix(a ^ b) ^ (a + b)


@dataclass(frozen=True, slots=True)
class AreaIndex:
    """Living people grouped by area, for drawing a random neighbour in O(1)."""

    order: np.ndarray  # living slots sorted by area
    start: np.ndarray  # start[a]: first position of area a in order
    count: np.ndarray  # count[a]: living people in area a

    @classmethod
    def build(cls, area: np.ndarray, alive: np.ndarray, n_areas: int) -> AreaIndex:
        compiled = kernels.compiled()
        if compiled is not None:  # the same order by a counting sort in one pass
            return cls(*compiled.area_index(area, alive, n_areas))
        living = np.flatnonzero(alive)
        # Area numbers fit 16 bits in any realistic run; numpy's stable sort of 16-bit integers is a radix sort
        # (one pass), of 32-bit ones a merge sort.  Same order either way.
        by = area[living].astype(np.int16) if n_areas <= np.iinfo(np.int16).max else area[living]
        order = living[np.argsort(by, kind="stable")]
        count = np.bincount(area[living], minlength=n_areas)
        start = np.concatenate([[0], np.cumsum(count)[:-1]])
        return cls(order, start, count)


def propose_partners(people: np.ndarray, area: np.ndarray, index: AreaIndex, n_areas: int,
                     local_share: float, area_spread: float,
                     draws: np.ndarray | Sequence[np.ndarray | KeyedDraws]) -> np.ndarray:
    """One candidate partner for each of ``people``: from their own area, or from an area of similar
    deprivation rank.  ``draws`` holds three uniforms per person (rows: stay local?, how far, whom), as arrays or
    ``KeyedDraws`` (drawn when needed: the numba path draws the shifts of far meetings only).  Returns slots (-1
    where the chosen area is empty)."""
    compiled = kernels.compiled()
    if compiled is not None:  # the same partners: shifts only where they are used, then one pass
        return compiled.propose_partners(people, area, index.order, index.start, index.count, list(draws),
                                         local_share, area_spread, n_areas)
    u_local, u_shift, u_pick = (drawn(d) for d in draws)
    local = u_local < local_share
    shift = area_shift(u_shift, area_spread, n_areas)
    target_area = np.where(local, area[people], np.clip(area[people] + shift, 0, n_areas - 1))
    count = index.count[target_area]
    pick = np.floor(u_pick * count).astype(np.int64)
    partner = np.full(people.size, -1, dtype=np.int64)
    ok = count > 0
    partner[ok] = index.order[index.start[target_area[ok]] + pick[ok]]
    return partner


def area_shift(u_shift: np.ndarray, area_spread: float, n_areas: int) -> np.ndarray:
    """How many areas along the deprivation ranking a non-local partner lives (normal, sd ``area_spread``)."""
    return np.rint(ndtri(np.clip(u_shift, 1e-12, 1 - 1e-12)) * area_spread * n_areas).astype(np.int64)


def homophily_acceptance(u: np.ndarray, v: np.ndarray, age: np.ndarray, income_rank: np.ndarray,
                         minority: np.ndarray, age_scale: float, ses_homophily: float,
                         minority_homophily: float) -> np.ndarray:
    """Probability that a meeting between u and v becomes a tie, falling with social distance."""
    distance = (np.abs(age[u] - age[v]) / age_scale
                + ses_homophily * np.abs(income_rank[u] - income_rank[v])
                + minority_homophily * (minority[u] != minority[v]))
    return np.exp(-distance)
