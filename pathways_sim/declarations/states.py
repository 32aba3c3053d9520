"""The state of every person, declared once: name, dtype, bounds and meaning of each per-person array.

``core.population.Population`` allocates one numpy array per entry; the agents, bounds checks and docs read
the same table.
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
    ("key", np.uint64, 0, np.inf, "random-number key: draws for this person are a function of (seed, stream, step, "
     "key), so common random numbers survive births and deaths"),
    ("children_born", np.int16, 0, np.inf, "births so far (a newborn's key derives from its mother's key and this)"),
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
    ("allostatic_load", np.float32, 0, 10, "physiological wear from chronic stress: biomarkers (of 10) it has put "
     "in their highest-risk quartile"),
    ("smoker", np.bool_, 0, 1, "current smoker"),
    ("cmd", np.bool_, 0, 1, "common mental disorder (anxiety, depression)"),
    ("poor_health", np.bool_, 0, 1, "long-term condition / not in good health (self-rated)"),
    ("income_rank", np.float32, 0, 1, "national income rank (0 poorest), refreshed yearly"),
    ("area_income_rank", np.float32, 0, 1, "income rank within own area (0 poorest), refreshed yearly"),
    ("material_hardship", np.bool_, 0, 1, "cold or damp home, or fuel or food insecurity (adults; children share "
     "their household's)"),
    ("job_strain", np.bool_, 0, 1, "in a high-strain job: high demands with low control (workers only)"),
    ("physically_inactive", np.bool_, 0, 1, "physically inactive: under 30 minutes of activity a week (16+)"),
])
STATE_NAMES = tuple(v.name for v in STATE)
