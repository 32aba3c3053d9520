"""What a run will cost before it starts: peak memory and time, measured from a small build on this machine.

Memory: each process holding a model needs its interpreter and libraries (measured: the resident size of this
process once the model is imported) plus, per person, the state arrays and ties (measured from a small build,
about 120 bytes) times ``STEP_TEMPORARIES`` for the arrays a step makes while it runs (peak resident memory in
``benchmarks/step_speed.py`` grows by about 580 bytes a person at 0.2-1 million people, 4.9 times the
state).  The parent process also holds every run's results table (measured rows a year times bytes a row).
Time: the small build's seconds per person to build and per person-step (after a smaller warm-up build, so that
compiling the kernels on first use is not counted per person), times the runs each process does.
"""

from __future__ import annotations

import functools
import math
import os
import time
from dataclasses import dataclass

STEP_TEMPORARIES = 5.0  # peak bytes per person / state bytes per person, measured (see the module docstring)
SAMPLE_PEOPLE = 20_000  # the small build measured (about half a second)
WARM_UP_PEOPLE = 500  # a build before it, so that compiling the kernels is not counted per person
RESULT_ROW_BYTES = 120  # a row of the long results table in pandas (7 columns, shared category strings)
LARGE_PERSON_YEARS = 1_000_000  # runs of at least this many person-years print an estimate first


@dataclass(frozen=True)
class Sample:
    """Figures measured from one small build and one simulated year."""

    state_bytes_per_person: float
    base_bytes: float  # resident size of a process with the model loaded
    build_seconds_per_person: float
    step_seconds_per_person: float
    steps_per_year: int
    result_rows_per_year: float


@functools.lru_cache(maxsize=1)
def measure(people: int = SAMPLE_PEOPLE) -> Sample:
    """Build ``people`` people and run one year: bytes and seconds per person on this machine."""
    from pathways_sim.model import PathwaysModel

    # A process's first model compiles the numba kernels (or loads them from their cache): tens of seconds on a
    # fresh install, paid once whatever the run's size.  A small warm-up pays it here, so that it is not counted
    # per person below (it made the first estimate of a fresh install ten times too long).
    PathwaysModel(population_size=WARM_UP_PEOPLE, rng=1, agents="lazy").run(years=1)
    started = time.perf_counter()
    model = PathwaysModel(population_size=people, rng=1, agents="lazy")
    built = time.perf_counter() - started
    steps = model.world.steps_per_year
    started = time.perf_counter()
    model.run(years=1)
    stepped = time.perf_counter() - started
    state = model.population.nbytes() + model.network.nbytes() + model.areas.nbytes()  # ties grow in year 1
    alive = model.population.n_alive
    return Sample(state / alive, _resident_bytes() or 160e6, built / people, stepped / (steps * people), steps,
                  float(len(model.results())))


def _resident_bytes() -> float | None:
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def available_memory() -> int | None:
    """MemAvailable from /proc/meminfo, in bytes (None where there is no /proc/meminfo)."""
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


@dataclass(frozen=True)
class Estimate:
    people: int
    years: int
    runs: int
    processes: int
    peak_bytes: float
    seconds: float
    available_bytes: int | None
    bytes_per_person: float  # peak bytes per person in one process (state times STEP_TEMPORARIES)

    @property
    def too_big(self) -> bool:
        return self.available_bytes is not None and self.peak_bytes > self.available_bytes

    def describe(self) -> str:
        available = f" of {_size(self.available_bytes)} available" if self.available_bytes is not None else ""
        return (f"estimate: {self.runs} run(s) of {self.people:,} people for {self.years} years in "
                f"{self.processes} process(es): peak memory about {_size(self.peak_bytes)}{available} "
                f"({self.bytes_per_person:,.0f} bytes a person while stepping, measured here), "
                f"time about {_duration(self.seconds)}")


def estimate(people: int, years: int, runs: int = 1, workers: int = 1,
             sample: Sample | None = None, starts_held: int = 0) -> Estimate:
    """Peak memory and wall time of ``runs`` runs of ``people`` people for ``years`` years on ``workers``,
    each process also holding ``starts_held`` burnt-in worlds (the start its arms share) beside its run."""
    sample = sample or measure()
    processes = max(1, min(workers, runs))
    per_person = sample.state_bytes_per_person * (STEP_TEMPORARIES + starts_held)
    results = sample.result_rows_per_year * years * runs * RESULT_ROW_BYTES
    peak = processes * (sample.base_bytes + per_person * people) + results * 2  # results, then concatenated
    if processes > 1:
        peak += sample.base_bytes  # the parent, which holds no model but gathers the results
    per_run = people * (sample.build_seconds_per_person +
                        sample.step_seconds_per_person * sample.steps_per_year * years)
    seconds = per_run * math.ceil(runs / processes)
    return Estimate(people, years, runs, processes, peak, seconds, available_memory(), per_person)


def is_large(people: int, years: int, runs: int) -> bool:
    return people * years * runs >= LARGE_PERSON_YEARS


def _size(value: float | None) -> str:
    if value is None:
        return "?"
    for unit, scale in (("GB", 1e9), ("MB", 1e6)):
        if value >= scale:
            return f"{value / scale:,.1f} {unit}"
    return f"{value / 1e3:,.0f} kB"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
