"""Parameter sweeps: run a base scenario at every point of a design, for some replicates, anywhere.

::

    from pathways_sim.experiments import grid, sweep

    design = grid({"mean_degree": [6, 8, 10], "stigma_stress_strength": [0.5, 1.0]})
    df = sweep("baseline", design, replicates=2, years=5, store="sweep_store")

``df`` is tidy: the varied parameters, then ``run_id, point, replicate, year, group_type, group, metric,
value``.  Each run's seed comes from the sweep's seed and the replicate only (common random numbers: replicate
r uses the same seed at every point), never from the order runs finish in, so the numbers are the same
whichever executor runs them and with however many workers.  With ``store=`` each finished run is kept in a
``RunStore``; running the same sweep again (after a crash, or with more points) runs only what is missing.  A
run that raises does not stop the others: the sweep returns the successes, warns, and lists the failed runs in
``df.failures``.
"""

from __future__ import annotations

import itertools
import os
import time
import traceback
import warnings
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pathways_sim.experiments import parallel
from pathways_sim.experiments.designs import check_design, is_intervention_field
from pathways_sim.experiments.errors import ExperimentError
from pathways_sim.experiments.executors import as_executor
from pathways_sim.experiments.progress import Progress, reporter
from pathways_sim.experiments.runner import check_years, load, replicate_seeds, start_for
from pathways_sim.experiments.store import RunStore, run_key
from pathways_sim.experiments.sweep_rows import (
    ALL,
    DEFAULT_GROUP_TYPES,
    DEFAULT_METRICS,
    check_kept,
    kept,
    rows_to_keep,
)
from pathways_sim.mechanisms.parameters import Parameters
from pathways_sim.model.pathways_model import parameters_of

if TYPE_CHECKING:
    from pathways_sim.core.world import World

__all__ = ["ALL", "DEFAULT_GROUP_TYPES", "DEFAULT_METRICS", "SweepResult", "SweepWarning", "check_sweep", "run_point",
           "sweep", "sweep_arms"]

DEFAULT_SEED = 2025
RUN_COLUMNS = ["run_id", "point", "replicate", "year", "group_type", "group", "metric", "value"]


class SweepWarning(UserWarning):
    """Some runs of a sweep failed (they are listed in the result's ``failures``)."""


class SweepResult(pd.DataFrame):
    """The tidy results of a sweep (a ``DataFrame``) with ``failures``: one row per failed run (its point,
    replicate, run_id, seed, parameters, error and message)."""

    _metadata = ["failures"]  # noqa: RUF012 - pandas' own protocol for subclasses
    failures: pd.DataFrame

    @property
    def _constructor(self):
        return SweepResult


@dataclass(frozen=True)
class _Run:
    point: int
    replicate: int
    seed: int
    values: dict[str, Any]
    kwargs: dict[str, Any]
    key: str
    description: dict[str, Any]


# ------------------------------------------------------------------------------------ in a worker (or here)
def run_point(model_kwargs: Mapping[str, Any], seed: int, years: int, start: World | None = None) -> pd.DataFrame:
    """One run: ``PathwaysModel(rng=seed, **model_kwargs)`` for ``years``; its tidy ``results()``.  ``start``: the
    world ``burnt_in`` made for its parameters and seed, to run from a copy of (the same results)."""
    from pathways_sim.model import PathwaysModel

    model = PathwaysModel(rng=seed, agents="lazy", start=start, **model_kwargs)
    for _ in range(years):
        model.run(years=1)
        parallel.tick()  # the progress bar moves while the run goes on, wherever it runs
    return model.results()


def _attempt(group: Sequence[Mapping[str, Any]], seed: int, years: int, job: int = -1) -> list[tuple[str, Any]]:
    """Each run of a group (the model kwargs of every arm at one point and replicate), in turn: ``("ok",
    results)`` or ``("failed", what happened)``.  Runs with the same parameters start from copies of one
    burnt-in world (``start_for``); a run alone with its parameters builds its own, as a copy would gain nothing."""
    parallel.set_job(job)
    params = [parameters_of(kwargs) for kwargs in group]
    starts: dict[Parameters, World] = {}
    outcomes: list[tuple[str, Any]] = []
    for kwargs, these in zip(group, params, strict=True):
        try:
            start = start_for(these, seed, starts) if params.count(these) > 1 else None
            outcomes.append(("ok", run_point(kwargs, seed, years, start)))
        except Exception as error:  # this run's failure: the group's other runs go on
            outcomes.append(("failed", _failure(error)))
    return outcomes


def _failure(error: Exception) -> dict[str, str]:
    """What happened, as text: it need not survive pickling and cannot take the sweep down."""
    return {"error": type(error).__name__, "message": str(error), "traceback": traceback.format_exc()}


# ------------------------------------------------------------------------------------------------ the sweep
def _base(base: Any, arm: str | None) -> tuple[dict[str, Any], int | None, int]:
    """``(model kwargs, default years, default seed)`` from a scenario (object, path or name) or a dict of
    model keyword arguments (``params``, any parameter by name, ``pathways_off``, ``interventions``, and
    optionally ``years`` and ``rng``)."""
    from pathways_sim import Parameters

    if isinstance(base, Mapping):
        given = dict(base)
        years, seed = given.pop("years", None), given.pop("rng", None)
        pathways_off, interventions = given.pop("pathways_off", ()), given.pop("interventions", ())
        params = given.pop("params", None)
        params = params.changed() if isinstance(params, Parameters) else dict(params or {})
        kwargs = {"params": Parameters({**params, **given}), "pathways_off": list(pathways_off),
                  "interventions": list(interventions)}
        return kwargs, years, DEFAULT_SEED if seed is None else seed
    spec = load(base)
    kwargs = spec.model_kwargs(arm)
    return ({"params": kwargs["params"], "pathways_off": list(kwargs["pathways_off"]),
             "interventions": list(kwargs["interventions"])}, spec.years, spec.seed)


def _seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ExperimentError(f"seed: must be a whole number at least 0, got {seed!r}")
    return int(seed)


def _set_fields(interventions: list[Any], values: Mapping[str, Any], point: int) -> list[Any]:
    """The base's interventions with the point's ``<intervention>.<field>`` values set, each validated by the
    intervention's own rules; ``ParameterError`` naming the column, the point and what is allowed."""
    from pathways_sim.declarations.declare import ParameterError, unknown_name_message
    from pathways_sim.interventions import parse_intervention

    configs = [parse_intervention(spec, f"interventions[{i}]") for i, spec in enumerate(interventions)]
    specs = [config.model_dump() for config in configs]
    labels = [config.label for config in configs]
    problems = []
    for column, value in values.items():
        label, *path = column.split(".")
        if label not in labels:
            known = labels or ["(the base scenario has no interventions)"]
            problems.append((column, unknown_name_message(label, known, "intervention")))
            continue
        target = specs[labels.index(label)]
        for i, part in enumerate(path):
            if not isinstance(target, dict) or part not in target:
                known = list(target) if isinstance(target, dict) else []
                problems.append((column, unknown_name_message(part, known, f"field of {'.'.join([label, *path[:i]])}")))
                break
            if i < len(path) - 1:
                target = target[part]
        else:
            target[path[-1]] = value
    if problems:
        raise ParameterError(problems)
    configs = []
    for label, spec in zip(labels, specs, strict=True):  # each intervention's own rules, at this point
        try:
            configs.append(parse_intervention(spec, label))
        except ParameterError as error:
            raise ParameterError([(name, f"at point {point}: {msg}") for name, msg in error.problems]) from None
    return configs


def _runs(base: dict[str, Any], points: list[dict[str, Any]], seeds: list[int], years: int) -> list[_Run]:
    runs = []
    for i, values in enumerate(points):
        fields = {k: v for k, v in values.items() if is_intervention_field(k)}
        params = base["params"].replace(**{k: v for k, v in values.items() if k not in fields})
        kwargs = {**base, "params": params}
        if fields:
            kwargs["interventions"] = _set_fields(base["interventions"], fields, i)
        for r, seed in enumerate(seeds):
            description = {"parameters": dict(params), "pathways_off": sorted(kwargs["pathways_off"]),
                           "interventions": kwargs["interventions"], "seed": seed, "years": years}
            runs.append(_Run(i, r, seed, values, kwargs, run_key(description), description))
    return runs


def check_sweep(base: Any, design: pd.DataFrame, arm: str | None = None) -> None:
    """Check every point of ``design`` against ``base`` as ``sweep`` would, without running anything:
    ``ParameterError`` naming the column, the point and what is allowed."""
    from pathways_sim.declarations.declare import ParameterError

    base_kwargs, _, _ = _base(base, arm)
    problems = []
    fields = [str(c) for c in design.columns if is_intervention_field(str(c))]
    try:
        check_design(design, base_kwargs["params"].changed())
    except ParameterError as error:
        problems += error.problems
    for i, values in enumerate(design[fields].to_dict("records") if fields else []):
        try:
            _set_fields(base_kwargs["interventions"], {str(k): v for k, v in values.items()}, i)
        except ParameterError as error:
            problems += [p for p in error.problems if p not in problems]
    if problems:
        raise ParameterError(problems)


def sweep(base: Any, design: pd.DataFrame, *, replicates: int = 1, years: int | None = None,  # noqa: PLR0913
          seed: int | None = None, executor: Any = None, store: str | os.PathLike[str] | None = None,
          metrics: Collection[str] | str | None = None, group_types: Collection[str] | str | None = None,
          progress: Progress = True, quiet: bool = False, arm: str | None = None) -> SweepResult:
    """Run ``base`` at every point (row) of ``design`` for ``replicates`` replicates; a tidy ``DataFrame``.

    ``base``: a scenario (a ``Scenario``, a YAML path or a shipped scenario's name; ``arm=`` picks one arm of a
    scenario with several) or a dict of model keyword arguments.  ``design``: one row per point, columns named
    after parameters (``grid``, ``latin_hypercube``, ``sobol_design``, ``morris_design``); every point is
    validated first (``ParameterError`` naming the parameter and point).  ``years`` and ``seed`` default to the
    scenario's.  ``executor``: ``None`` (this process), a number of local worker processes, ``"dask"``, a
    ``distributed.Client`` or an executor from ``pathways_sim.experiments.executors``.  ``store``: a directory
    keeping each finished run; runs already there are not run again.  ``metrics``/``group_types``: which rows
    to keep (default ``DEFAULT_METRICS`` x ``DEFAULT_GROUP_TYPES``; ``ALL`` for every one).  ``progress`` counts
    simulated years as in ``run_scenario``.

    >>> from pathways_sim.experiments import grid
    >>> df = sweep({"population_size": 200}, grid({"mean_degree": [6, 10]}), years=1, quiet=True)
    >>> list(df.columns[:4]), df["point"].unique().tolist()
    (['mean_degree', 'run_id', 'point', 'replicate'], [0, 1])
    """
    return _sweep({"": _base(base, arm)}, design, replicates=replicates, years=years, seed=seed, executor=executor,
                  store=store, metrics=metrics, group_types=group_types, progress=progress, quiet=quiet)[""]


def sweep_arms(arms: Mapping[str, Any], design: pd.DataFrame, *, replicates: int = 1,  # noqa: PLR0913
               years: int | None = None, seed: int | None = None, executor: Any = None,
               store: str | os.PathLike[str] | None = None, metrics: Collection[str] | str | None = None,
               group_types: Collection[str] | str | None = None, progress: Progress = True, quiet: bool = False
               ) -> dict[str, SweepResult]:
    """``sweep`` of several arms (``{label: base}``, each a base as ``sweep`` takes it) over the same design
    with the same seeds; each arm's ``SweepResult`` by label.  ``years`` and ``seed`` default to the first
    arm's; ``progress`` counts every arm's simulated years.  The arms' runs at one point and replicate run as
    one task, which builds and burns in once for the arms with the same parameters and runs each from a copy
    (``runner.start_for``): the results are those of a ``sweep`` of each arm, bit for bit."""
    return _sweep({str(label): _base(base, None) for label, base in arms.items()}, design, replicates=replicates,
                  years=years, seed=seed, executor=executor, store=store, metrics=metrics, group_types=group_types,
                  progress=progress, quiet=quiet)


def _sweep(bases: Mapping[str, tuple[dict[str, Any], int | None, int]], design: pd.DataFrame, *,  # noqa: PLR0913
           replicates: int, years: int | None, seed: int | None, executor: Any,
           store: str | os.PathLike[str] | None, metrics: Collection[str] | str | None,
           group_types: Collection[str] | str | None, progress: Progress, quiet: bool) -> dict[str, SweepResult]:
    """``sweep_arms`` of arms given as ``_base`` gives them."""
    _, base_years, base_seed = next(iter(bases.values()))
    if years is None and base_years is None:
        raise ExperimentError("years: give the number of years to simulate (years=...)")
    years = check_years(years if years is not None else base_years)
    seeds = replicate_seeds(_seed(base_seed if seed is None else seed), replicates)
    points = {label: check_design(design, kwargs["params"].changed()) for label, (kwargs, _, _) in bases.items()}
    keep_metrics = rows_to_keep(metrics, DEFAULT_METRICS, "metrics")
    keep_groups = rows_to_keep(group_types, DEFAULT_GROUP_TYPES, "group_types")
    runs = {label: _runs(kwargs, points[label], seeds, years) for label, (kwargs, _, _) in bases.items()}
    run_store = RunStore(store) if store is not None else None
    if run_store is not None:
        run_store.clean()
    todo = {run.key: run for arm in runs.values() for run in arm if run_store is None or not run_store.has(run.key)}
    groups: dict[tuple[int, int], list[_Run]] = {}  # the arms' runs missing at each point and replicate
    for run in todo.values():
        groups.setdefault((run.point, run.replicate), []).append(run)
    frames, failed = _execute(list(groups.values()), years, executor, run_store, keep_metrics, keep_groups,
                              progress, quiet)
    return {label: _assemble(arm, design, frames, failed, run_store, keep_metrics, keep_groups)
            for label, arm in runs.items()}


class _YearsDone:
    """Simulated years done per job (a group of runs), reported (when the total moves) as the runs tick and
    finish."""

    def __init__(self, years: list[int], report: Any):
        self.done, self.years, self.report, self.shown = [0] * len(years), years, report, -1

    def tick(self, job: int) -> None:
        if 0 <= job < len(self.done):
            self.set(job, min(self.years[job], self.done[job] + 1))

    def set(self, job: int, years: int) -> None:
        self.done[job] = years
        if sum(self.done) != self.shown:  # the loop below polls often: report only a change
            self.shown = sum(self.done)
            self.report(self.shown)


def _execute(todo: list[list[_Run]], years: int, executor: Any, run_store: RunStore | None,
             keep_metrics: set[str] | None, keep_groups: set[str] | None, progress: Progress, quiet: bool
             ) -> tuple[dict[str, pd.DataFrame], dict[str, dict[str, Any]]]:
    """Run ``todo`` (groups of runs with one seed, a task each); the kept rows of each finished run and what
    happened to each failed one, by key.

    Tasks are submitted a few at a time (the executor's ``capacity``), so an interrupted sweep leaves little
    queued, and the progress bar counts the simulated years each run reports as it goes."""
    frames: dict[str, pd.DataFrame] = {}
    failed: dict[str, dict[str, Any]] = {}
    if not todo:
        return frames, failed
    pool, owned = as_executor(executor)
    pending: dict[Any, int] = {}
    try:
        with reporter(progress, sum(map(len, todo)) * years, "sweep", quiet=quiet) as report:
            report(0)
            counter = _YearsDone([len(group) * years for group in todo], report)
            pool.watch(counter.tick)
            waiting = iter(range(len(todo)))
            while True:
                for job in itertools.islice(waiting, max(0, pool.capacity() - len(pending))):
                    group = todo[job]
                    pending[pool.submit(_attempt, [run.kwargs for run in group], group[0].seed, years, job)] = job
                if not pending:
                    break
                for future in _finished(pending, pool):
                    job = pending.pop(future)
                    _collect(todo[job], future, run_store, keep_metrics, keep_groups, frames, failed)
                    counter.set(job, counter.years[job])
    except BaseException:
        for future in pending:  # on an executor we do not own, runs not started are not left queued
            future.cancel()
        if owned:
            pool.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        pool.watch(None)
    if owned:
        pool.shutdown()
    return frames, failed


def _finished(pending: Mapping[Any, int], pool: Any) -> list[Any]:
    """The pending futures that are done, waiting up to a fifth of a second for one (ticks delivered)."""
    deadline = time.monotonic() + 0.2
    while True:
        pool.poll()
        done = [future for future in pending if future.done()]
        if done or time.monotonic() >= deadline:
            return done
        time.sleep(0.01)


def _collect(group: list[_Run], future: Any, run_store: RunStore | None, keep_metrics: set[str] | None,
             keep_groups: set[str] | None, frames: dict[str, pd.DataFrame], failed: dict[str, dict[str, Any]]
             ) -> None:
    """A finished task's runs' results: each stored and kept, or recorded as failed."""
    try:
        outcomes = future.result()
    except Exception as error:  # the worker itself was lost: every run of its task failed
        outcomes = [("failed", _failure(error))] * len(group)
    for run, (status, value) in zip(group, outcomes, strict=True):
        if status == "ok":
            if run_store is not None:
                run_store.write(run.key, value, run.description)
            if not frames:  # the first run shows what a run produces: a misspelt name would keep nothing
                check_kept(value, keep_metrics, keep_groups)
            frames[run.key] = kept(value, keep_metrics, keep_groups)
        else:
            failed[run.key] = value
            if run_store is not None:
                run_store.record_failure(run.key, {**value, "description": run.description})


def _assemble(runs: list[_Run], design: pd.DataFrame, frames: dict[str, pd.DataFrame],
              failed: dict[str, dict[str, Any]], run_store: RunStore | None, keep_metrics: set[str] | None,
              keep_groups: set[str] | None) -> SweepResult:
    names = [str(c) for c in design.columns]
    parts, failures = [], []
    for run in runs:
        if run.key in failed:
            failures.append({**run.values, "run_id": run.key, "point": run.point, "replicate": run.replicate,
                             "seed": run.seed, "error": failed[run.key]["error"],
                             "message": failed[run.key]["message"]})
            continue
        frame = frames.get(run.key)
        if frame is None:  # stored by an earlier sweep
            frame = kept(run_store.read(run.key), keep_metrics, keep_groups) if run_store else None
            if frame is None:
                continue
            frames[run.key] = frame
        head = {**run.values, "run_id": run.key, "point": run.point, "replicate": run.replicate}
        part = frame.copy()
        for i, (name, value) in enumerate(head.items()):
            part.insert(i, name, value)
        parts.append(part)
    columns = [*names, *RUN_COLUMNS]
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    table = table[columns]
    for name in names:
        if name in design.columns and len(table) and not is_intervention_field(name):
            table[name] = table[name].astype(np.int64 if all(isinstance(r.values[name], int) for r in runs)
                                             else np.float64)
    result = SweepResult(table)
    result.failures = pd.DataFrame(failures, columns=[*names, "run_id", "point", "replicate", "seed", "error",
                                                      "message"])
    if failures:
        first = failures[0]
        warnings.warn(f"{len(failures)} of {len(runs)} runs failed (see .failures); the first, point "
                      f"{first['point']} replicate {first['replicate']}: {first['error']}: {first['message']}",
                      SweepWarning, stacklevel=4)
    return result
