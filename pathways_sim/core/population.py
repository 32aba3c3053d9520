"""The population as a struct of numpy arrays: the state of every person, declared once.

Each person is a *slot* in the arrays.  When someone dies the slot is freed and a later birth reuses it, so
arrays stay compact.  ``person_id`` never repeats, which is how a ``PersonAgent`` notices that its slot now
holds somebody else; random draws follow the person's ``key`` (see ``streams.py``), never the slot.
"""

from __future__ import annotations

import numpy as np

from pathways_sim.declarations.states import (  # noqa: F401 - re-exported for the layers above
    ADULT_AGE,
    EMPLOYMENT_LABELS,
    INSECURE_JOB,
    NO_PARENT,
    OUT_OF_WORK_FORCE,
    SECURE_JOB,
    STATE,
    STATE_NAMES,
    UNEMPLOYED,
    StateVar,
)

# When births outnumber the free slots, the arrays grow by at least 1/GROWTH_SHARE of their size.  Every pass over
# the population reads the empty slots too, so the headroom is small: a population of 1M that grew past its first
# size used to carry 250,000 empty slots (a quarter more work in every step); at 1/64 a grow (a copy of every
# array) still comes once in many births.  Slots are claimed lowest first, so which slot a person gets, and so
# every result, is the same whatever the headroom (tests/test_population.py).
GROWTH_SHARE = 64


class Population:
    """Arrays of person state, with capacity management for births and deaths.

    One array per entry of ``declarations.states.STATE`` (the annotations below spell them out for type
    checkers; a test keeps the two lists equal)."""

    person_id: np.ndarray  # int64
    key: np.ndarray  # uint64
    children_born: np.ndarray  # int16
    alive: np.ndarray  # bool_
    age: np.ndarray  # float32
    female: np.ndarray  # bool_
    minority: np.ndarray  # bool_
    area: np.ndarray  # int32
    parent: np.ndarray  # int32
    education: np.ndarray  # int8
    potential: np.ndarray  # float32
    income: np.ndarray  # float32
    employment: np.ndarray  # int8
    housing_insecure: np.ndarray  # bool_
    aces: np.ndarray  # int8
    resilience: np.ndarray  # float32
    control: np.ndarray  # float32
    loneliness: np.ndarray  # float32
    stress: np.ndarray  # float32
    allostatic_load: np.ndarray  # float32
    smoker: np.ndarray  # bool_
    cmd: np.ndarray  # bool_
    poor_health: np.ndarray  # bool_
    income_rank: np.ndarray  # float32
    area_income_rank: np.ndarray  # float32
    material_hardship: np.ndarray  # bool_
    job_strain: np.ndarray  # bool_
    physically_inactive: np.ndarray  # bool_

    def __init__(self, capacity: int):
        self.capacity = 0
        for var in STATE:
            setattr(self, var.name, np.zeros(0, dtype=var.dtype))
        self.next_person_id = 0
        self._grow(capacity)

    def _grow(self, capacity: int) -> None:
        for var in STATE:
            old = getattr(self, var.name)
            new: np.ndarray = np.zeros(capacity, dtype=var.dtype)
            new[: old.size] = old
            setattr(self, var.name, new)
        self.parent[self.capacity:] = NO_PARENT
        self.capacity = capacity

    @property
    def n_alive(self) -> int:
        return int(np.count_nonzero(self.alive))

    def alive_slots(self) -> np.ndarray:
        return np.flatnonzero(self.alive)

    def claim_slots(self, keys: np.ndarray) -> np.ndarray:
        """Free slots for people with random-number ``keys`` (reusing the dead first, growing if needed),
        reset and marked alive."""
        n = int(keys.size)
        free = np.flatnonzero(~self.alive)[:n]
        if free.size < n:
            start = self.capacity
            self._grow(self.capacity + max(n - free.size, self.capacity // GROWTH_SHARE + 1))
            free = np.concatenate([free, np.arange(start, start + n - free.size)])
        # A run of consecutive slots (the whole population at build) is written as a slice, not scattered.
        at = slice(int(free[0]), int(free[-1]) + 1) if n and free[-1] - free[0] == n - 1 else free
        for var in STATE:
            getattr(self, var.name)[at] = 0
        self.parent[at] = NO_PARENT
        self.person_id[at] = np.arange(self.next_person_id, self.next_person_id + n)
        self.key[at] = keys
        self.next_person_id += n
        self.alive[at] = True
        return free

    def nbytes(self) -> int:
        return sum(getattr(self, v.name).nbytes for v in STATE)

    def check_bounds(self) -> list[str]:
        """Names of state variables with values out of bounds or not finite among the living."""
        bad = []
        live = self.alive
        for var in STATE:
            values = getattr(self, var.name)[live]
            if values.dtype.kind == "f" and not np.all(np.isfinite(values)):
                bad.append(f"{var.name}: not finite")
            elif values.size and (values.min() < var.lower or values.max() > var.upper):
                bad.append(f"{var.name}: outside [{var.lower}, {var.upper}]")
        return bad
