"""Shared machinery of the fuzz tests: a per-case time limit, the outcome of one attempt, and the tally
printed at the end (tried, accepted, rejected with a position, tracebacks, hangs)."""

from __future__ import annotations

import os
import signal
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from pathways_sim.scenarios import ScenarioError
from pathways_sim.scenarios.errors import SET_SOURCE

CASE_SECONDS = 10  # far beyond any legitimate load (~20 ms): only a hang gets here
EXAMPLES = int(os.environ.get("PATHWAYS_FUZZ_EXAMPLES", "500"))  # per strategy; 5 strategies
TALLY: Counter[str] = Counter()  # scenario inputs
TARGETS_TALLY: Counter[str] = Counter()  # targets files (calibration)


class Hang(Exception):
    """A case ran past ``CASE_SECONDS``."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Turn a hang into a ``Hang`` exception (SIGALRM: the main thread, POSIX)."""
    def expire(signum, frame):
        raise Hang(f"still running after {seconds} s")
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def assert_positioned(err: ScenarioError) -> None:
    """Every problem names its file; a problem in a file (not a ``--set`` override) has a line and column;
    every message is short enough to read."""
    assert err.errors, "a ScenarioError with no problem in it"
    for problem in err.errors:
        assert problem.file, problem
        if problem.file != SET_SOURCE:
            assert problem.line is not None and problem.column is not None, f"unpositioned: {problem}"
        assert len(str(problem)) < 1600, f"a message of {len(str(problem))} characters"


def attempt(load: Callable[[], object], *, expect_position: bool = True,
            error: type[Exception] = ScenarioError, tally: Counter[str] = TALLY) -> str:
    """Run one case: it must load or raise ``error`` (a ``ScenarioError`` positioned), within the time
    limit.  Anything else is tallied and re-raised, so the test fails showing it."""
    tally["tried"] += 1
    try:
        with time_limit(CASE_SECONDS):
            load()
    except error as err:
        if expect_position and isinstance(err, ScenarioError):
            assert_positioned(err)
        tally["rejected with position"] += 1
        return "rejected"
    except Hang:
        tally["hangs"] += 1
        raise
    except BaseException:
        tally["tracebacks"] += 1
        raise
    tally["accepted"] += 1
    return "accepted"


def tally_line(label: str = "scenario fuzz", tally: Counter[str] = TALLY) -> str:
    keys = ("tried", "accepted", "rejected with position", "tracebacks", "hangs")
    return f"{label}: " + ", ".join(f"{key} {tally[key]}" for key in keys)
