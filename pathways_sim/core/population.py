"""The population as a struct of numpy arrays: the state of every person, declared once.

Each person is a *slot* in the arrays.  When someone dies the slot is freed and a later birth reuses it, so
arrays stay compact and per-person random draws stay aligned by slot (see ``streams.py``).  ``person_id``
never repeats, which is how a ``PersonAgent`` notices that its slot now holds somebody else.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Employment codes (int8).  Children, retired people and the economically inactive are OUT_OF_WORK_FORCE.
OUT_OF_WORK_FORCE, SECURE_JOB, INSECURE_JOB, UNEMPLOYED = 0, 1, 2, 3
EMPLOYMENT_LABELS = {OUT_OF_WORK_FORCE: "not in labour force", SECURE_JOB: "secure job",
                     INSECURE_JOB: "insecure job", UNEMPLOYED: "unemployed"}
ADULT_AGE = 18.0
NO_PARENT = -1


@dataclass(frozen=True, slots=True)
class StateVar:
    name: str
    dtype: type
    lower: float
    upper: float
    doc: str


# One line per state variable: (name, dtype, lower, upper, meaning).
STATE: tuple[StateVar, ...] = tuple(StateVar(*row) for row in [
    ("person_id", np.int64, 0, np.inf, "unique id; never reused"),
    ("alive", np.bool_, 0, 1, "slot holds a living person"),
    ("age", np.float32, 0, 130, "age in years"),
    ("female", np.bool_, 0, 1, "sex: True female, False male"),
    ("minority", np.bool_, 0, 1, "minority or stigmatised identity"),
    ("area", np.int32, 0, np.inf, "neighbourhood index; areas are numbered from most (0) to least deprived"),
    ("parent", np.int32, -1, np.inf, "slot of the parent a child lives with (-1 for adults and orphans)"),
    ("education", np.int8, 0, 2, "0 low, 1 middle, 2 high (set at 18)"),
    ("potential", np.float32, 0, np.inf, "equivalised household income when in secure work, GBP/year"),
    ("income", np.float32, 0, np.inf, "equivalised household income, GBP/year (children: their parent's)"),
    ("employment", np.int8, 0, 3, "0 out of labour force, 1 secure job, 2 insecure job, 3 unemployed"),
    ("housing_insecure", np.bool_, 0, 1, "arrears, eviction threat or temporary accommodation"),
    ("aces", np.int8, 0, 9, "adverse childhood experiences (count of 9 types)"),
    ("resilience", np.float32, 0, 1, "psychological resilience, 0-1"),
    ("control", np.float32, 0, 1, "sense of control / mastery, 0-1"),
    ("loneliness", np.float32, 0, 1, "loneliness index, 0-1"),
    ("stress", np.float32, 0, 1, "chronic stress, 0-1"),
    ("allostatic_load", np.float32, 0, 1, "physiological wear from chronic stress, 0-1"),
    ("smoker", np.bool_, 0, 1, "current smoker"),
    ("cmd", np.bool_, 0, 1, "common mental disorder (anxiety, depression)"),
    ("poor_health", np.bool_, 0, 1, "long-term condition / not in good health (self-rated)"),
    ("income_rank", np.float32, 0, 1, "national income rank (0 poorest), refreshed yearly"),
    ("area_income_rank", np.float32, 0, 1, "income rank within own area (0 poorest), refreshed yearly"),
])
STATE_NAMES = tuple(v.name for v in STATE)


class Population:
    """Arrays of person state, with capacity management for births and deaths."""

    def __init__(self, capacity: int):
        self.capacity = 0
        for var in STATE:
            setattr(self, var.name, np.zeros(0, dtype=var.dtype))
        self.next_person_id = 0
        self._grow(capacity)

    def _grow(self, capacity: int) -> None:
        for var in STATE:
            old = getattr(self, var.name)
            new = np.zeros(capacity, dtype=var.dtype)
            new[: old.size] = old
            setattr(self, var.name, new)
        self.parent[self.capacity:] = NO_PARENT
        self.capacity = capacity

    @property
    def n_alive(self) -> int:
        return int(np.count_nonzero(self.alive))

    def alive_slots(self) -> np.ndarray:
        return np.flatnonzero(self.alive)

    def claim_slots(self, n: int) -> np.ndarray:
        """Return ``n`` free slots (reusing the dead first, growing if needed), reset and marked alive."""
        free = np.flatnonzero(~self.alive)[:n]
        if free.size < n:
            start = self.capacity
            self._grow(max(self.capacity + (n - free.size), int(self.capacity * 1.25) + 1))
            free = np.concatenate([free, np.arange(start, start + n - free.size)])
        for var in STATE:
            getattr(self, var.name)[free] = 0
        self.parent[free] = NO_PARENT
        self.person_id[free] = np.arange(self.next_person_id, self.next_person_id + n)
        self.next_person_id += n
        self.alive[free] = True
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
