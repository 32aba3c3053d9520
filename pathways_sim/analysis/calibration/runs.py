"""The calibration's simulator: the model's value of every target at each candidate point, run on the sweep
executors and kept in a run store, so a calibration that stops resumes with only the missing runs.

Each (point, seed) is one run: ``PathwaysModel(agents="lazy")`` for ``years``, its targets' statistics read at
the end (``statistics._run_once``).  Every point is run with the *same* seeds (common random numbers), so two
candidates differ by their parameters, not their luck.  A run is stored under the sha256 of what it ran (every
parameter value, the seed, the years and the statistics asked of it, ``experiments.store.run_key``), so the
same run asked for again (a resumed calibration, or a later wave revisiting a point) is read, not rerun.
"""

from __future__ import annotations

import hashlib
import itertools
import time
import traceback
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from pathways_sim.experiments.executors import as_executor
from pathways_sim.experiments.store import RunStore, run_key
from pathways_sim.mechanisms.parameters import Parameters


def _job(params: Parameters, seed: int, years: int, specs: list[tuple]) -> tuple[str, Any, float]:
    """``("ok", values, seconds)`` or ``("failed", what happened, seconds)`` (as text: it need not survive
    pickling); ``seconds`` is the run's own wall time in the worker."""
    from pathways_sim.analysis.calibration.statistics import _run_once

    started = time.perf_counter()
    try:
        return "ok", _run_once(params, seed, years, specs), time.perf_counter() - started
    except Exception as error:  # recorded as this run's failure; its statistics count as not estimable
        return "failed", {"error": type(error).__name__, "message": str(error),
                          "traceback": traceback.format_exc()}, time.perf_counter() - started


@dataclass
class ModelSimulator:
    """``simulate(points) -> (means, variances of the means)`` for ``history_match``, on the model.

    ``names``: the parameters the points' columns set (in parameter units); every other parameter keeps its
    value in ``base``.  ``executor`` is ``sweep``'s (None, a number of local processes, ``"dask"``, a
    ``distributed.Client`` or an executor); ``store`` a directory (or None: nothing kept).  ``ran`` and
    ``reused`` count the runs made now and the runs read from the store; ``run_seconds`` sums the runs' own wall
    times (in the worker that made each, now or in an earlier process: the store keeps it), ``untimed`` counts
    stored runs written without one (by an older version)."""

    base: Parameters
    names: Sequence[str]
    seeds: Sequence[int]
    years: int
    specs: list[tuple]
    executor: Any = None
    store: Any = None
    progress: Callable[[str], None] | None = None
    ran: int = 0
    reused: int = 0
    failed: int = 0
    run_seconds: float = 0.0
    untimed: int = 0
    _digest: str = field(init=False, default="")

    def __post_init__(self) -> None:
        # The statistics asked of a run are part of what it is: their repr (with inf for open age ranges) hashed.
        self._digest = hashlib.sha256(repr(self.specs).encode()).hexdigest()
        self._store = RunStore(self.store) if self.store is not None else None
        if self._store is not None:
            self._store.clean()

    def _described(self, params: Parameters, seed: int) -> tuple[str, dict[str, Any]]:
        description = {"kind": "calibration statistics", "parameters": dict(params), "seed": int(seed),
                       "years": int(self.years), "statistics_sha256": self._digest}
        return run_key(description), description

    def __call__(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        values = np.full((len(points), len(self.seeds), len(self.specs)), np.nan)
        todo = []
        for i, point in enumerate(points):
            params = self.base.replace(**{n: (int(v) if isinstance(self.base[n], int) else float(v))
                                          for n, v in zip(self.names, point, strict=True)})
            for r, seed in enumerate(self.seeds):
                key, description = self._described(params, seed)
                if self._store is not None and self._store.has(key):
                    values[i, r] = self._store.read(key)["value"].to_numpy(float)
                    self.reused += 1
                    self._count_stored_time(key)
                else:
                    todo.append((i, r, key, description, params, seed))
        self._run(todo, values)
        with np.errstate(all="ignore"), warnings.catch_warnings():  # a target no seed could estimate: NaN
            warnings.simplefilter("ignore", category=RuntimeWarning)
            means = np.nanmean(values, axis=1)
            n = np.sum(np.isfinite(values), axis=1)
            variances = (np.nanvar(values, axis=1, ddof=1) / n if len(self.seeds) > 1
                         else np.zeros_like(means))
        return means, variances

    def _run(self, todo: list[tuple], values: np.ndarray) -> None:
        """Run ``todo`` a few at a time on the executor, storing each as it finishes."""
        if not todo:
            return
        pool, owned = as_executor(self.executor)
        pending: dict[Any, tuple] = {}
        waiting = iter(todo)
        done = 0
        try:
            while True:
                for job in itertools.islice(waiting, max(0, pool.capacity() - len(pending))):
                    _, _, _, _, params, seed = job
                    pending[pool.submit(_job, params, seed, self.years, self.specs)] = job
                if not pending:
                    break
                future = next(iter(pool.as_completed(list(pending))))
                i, r, key, description, _, _ = pending.pop(future)
                self._collect(future, i, r, key, description, values)
                done += 1
                if self.progress and (done % max(1, len(todo) // 10) == 0 or done == len(todo)):
                    self.progress(f"  {done}/{len(todo)} runs of this wave done")
        except BaseException:
            for future in pending:
                future.cancel()
            if owned:
                pool.shutdown(wait=False, cancel_futures=True)
            raise
        if owned:
            pool.shutdown()

    def _count_stored_time(self, key: str) -> None:
        assert self._store is not None
        seconds = self._store.description(key).get("run_seconds")
        if isinstance(seconds, int | float):
            self.run_seconds += float(seconds)
        else:
            self.untimed += 1

    def _collect(self, future: Any, i: int, r: int, key: str, description: dict[str, Any],
                 values: np.ndarray) -> None:
        try:
            status, value, seconds = future.result()
        except Exception as error:  # the worker itself was lost
            status, value, seconds = "failed", {"error": type(error).__name__, "message": str(error)}, 0.0
        if status == "ok":
            values[i, r] = value
            self.ran += 1
            self.run_seconds += seconds
            if self._store is not None:
                # The run's time rides in the stored file's metadata, not in its key: the same run made
                # twice is the same run.
                self._store.write(key, pd.DataFrame({"value": np.asarray(value, float)}),
                                  {**description, "run_seconds": round(seconds, 3)})
        else:
            self.failed += 1
            if self._store is not None:
                self._store.record_failure(key, {**value, "description": description})

