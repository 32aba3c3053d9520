"""Run arms x replicates with common random numbers, in this process or in worker processes.

Replicate r of every arm uses the same seed, so arms differ only through what they change (common random
numbers).  ``run_scenario`` runs a scenario file (or a shipped scenario by name) and returns a ``RunResult``
that can ``save(directory)`` everything the ``pathways-sim run`` command writes::

    result = run_scenario("peer_support", ["population.size=5000"], replicates=2)
    result.summary          # final-year outcomes by quintile, gaps, SII and RII, cost: mean and 95% interval
    result.save("out")      # results.parquet, summary.csv, PNG plots, report.html, manifest.json (last)
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pathways_sim.core.world import World
from pathways_sim.experiments import resources
from pathways_sim.experiments.errors import ExperimentError
from pathways_sim.experiments.parallel import check_workers, run_jobs
from pathways_sim.experiments.progress import Progress, reporter
from pathways_sim.experiments.result import RESULT_COLUMNS, ExperimentResult, RunResult
from pathways_sim.experiments.summaries import (  # noqa: F401 - re-exported: the summaries' old home
    SUMMARY_OUTCOMES,
    comparison_table,
    cost_per_gain,
    equity_impact,
    interval,
    per_replicate,
    summary_table,
    total_over_run,
)
from pathways_sim.mechanisms.parameters import Parameters
from pathways_sim.model import PathwaysModel
from pathways_sim.model.pathways_model import burnt_in, parameters_of
from pathways_sim.results.frames import final_year  # noqa: F401 - re-exported

__all__ = ["RESULT_COLUMNS", "ExperimentResult", "RunResult", "check_years", "economic_settings", "load",
           "replicate_seeds",
           "run_arms", "run_from_start", "run_one", "run_replicate", "run_scenario", "simulate", "start_for"]


def replicate_seeds(seed: int, replicates: int) -> list[int]:
    """One independent 63-bit seed per replicate, derived from the scenario seed (shared by all arms)."""
    if isinstance(replicates, bool) or not isinstance(replicates, int | np.integer) or replicates < 1:
        raise ExperimentError(f"replicates: must be a whole number at least 1, got {replicates!r}")
    return [int(np.random.SeedSequence(seed, spawn_key=(r,)).generate_state(1, dtype=np.uint64)[0] >> 1)
            for r in range(replicates)]


def check_years(years: Any) -> int:
    """``years`` as an int, or ``ExperimentError``: a whole, finite number of years, at least 1."""
    whole = isinstance(years, int | np.integer) or (isinstance(years, float) and math.isfinite(years)
                                                     and years.is_integer())
    if isinstance(years, bool) or not whole or years < 1:
        raise ExperimentError(f"years: must be at least 1 and a whole, finite number of years, got {years!r}")
    return int(years)


def run_one(arm: str, replicate: int, seed: int, model_kwargs: Mapping[str, Any],
            years: int, follow_up: int = 0, on_year: Callable[[], None] | None = None) -> pd.DataFrame:
    """One arm, one replicate: the model's tidy results with scenario and replicate columns.  With
    ``follow_up``, the run goes on that many years after ``years`` with every intervention ended (no more offers
    or spending; what they changed in people carries on through the model)."""
    return _results_of(PathwaysModel(rng=seed, agents="lazy", **model_kwargs), arm, replicate, years, follow_up,
                       on_year)


def run_replicate(arms: Sequence[tuple[str, Mapping[str, Any]]], replicate: int, seed: int, years: int,
                  follow_up: int = 0, on_year: Callable[[], None] | None = None) -> list[pd.DataFrame]:
    """``run_one`` of every arm for one replicate, building and burning in once for all the arms that run with
    the same parameters (they differ only in pathways off and interventions, which act after the burn-in): each
    starts from a copy, so every arm's results are those of ``run_one``, bit for bit."""
    starts: dict[Parameters, World] = {}
    frames = []
    for arm, kwargs in arms:
        start = start_for(parameters_of(kwargs), seed, starts)
        frames.append(run_from_start(arm, replicate, seed, kwargs, start, years, follow_up, on_year))
    return frames


def run_from_start(arm: str, replicate: int, seed: int, model_kwargs: Mapping[str, Any], start: World, years: int,
                   follow_up: int = 0, on_year: Callable[[], None] | None = None) -> pd.DataFrame:
    """``run_one`` from a copy of ``start``, the ``burnt_in`` world of the arm's parameters and ``seed`` made
    elsewhere (``run_replicate``'s, or one ``run_arms`` ships to a worker): the same results, bit for bit, without
    building it again."""
    model = PathwaysModel(rng=seed, agents="lazy", start=start, **model_kwargs)
    return _results_of(model, arm, replicate, years, follow_up, on_year)


def _burnt_in_job(params: Parameters, seed: int, on_year: Callable[[], None] | None = None) -> World:
    return burnt_in(params, seed)


def start_for(params: Parameters, seed: int, starts: dict[Parameters, World]) -> World:
    """The burnt-in world of ``params`` and ``seed``: ``burnt_in``'s, made the first time it is asked for and
    kept in ``starts`` (the caller's, for one seed) for the next."""
    if params not in starts:
        starts[params] = burnt_in(params, seed)
    return starts[params]


def _results_of(model: PathwaysModel, arm: str, replicate: int, years: int, follow_up: int,
                on_year: Callable[[], None] | None) -> pd.DataFrame:
    for done in range(years + follow_up):
        if done == years:
            model.world.interventions = ()
        model.run(years=1)
        if on_year is not None:
            on_year()
    df = model.results()
    df.insert(0, "replicate", replicate)
    df.insert(0, "scenario", arm)
    return df


def people_of(model_kwargs: Mapping[str, Any]) -> int:
    """The population size a model built with ``model_kwargs`` will have."""
    from pathways_sim import PARAMETERS

    if "population_size" in model_kwargs:
        return int(model_kwargs["population_size"])
    if model_kwargs.get("params") is not None:
        return int(model_kwargs["params"]["population_size"])
    return int(PARAMETERS["population_size"].default)


def check_resources(people: int, years: int, runs: int, workers: int, *, force: bool = False,
                    starts_held: int = 0) -> resources.Estimate | None:
    """For a large run, its estimate (``None`` for a small one); ``ExperimentError`` if its peak memory would
    exceed the memory available, unless ``force``.  ``starts_held``: burnt-in worlds each process keeps beside
    the run (``run_replicate``)."""
    if not resources.is_large(people, years, runs):
        return None
    estimate = resources.estimate(people, years, runs, workers, starts_held=starts_held)
    if estimate.too_big and not force:
        raise ExperimentError(f"this run needs more memory than is available ({estimate.describe()}); use "
                              "fewer people or workers, or --force (Python: force=True) to run it anyway")
    return estimate


def run_arms(arms: Mapping[str, Mapping[str, Any]], *,  # noqa: PLR0913 - keyword-only settings
             years: int, seed: int, replicates: int, workers: int = 1, progress: Progress = True,
             quiet: bool = False, force: bool = False, label: str = "", follow_up: int = 0,
             share_start: bool | None = None) -> RunResult:
    """Run every arm for every replicate (same seeds across arms), in ``workers`` processes.

    ``progress``: ``True`` for a tqdm bar, ``False``, or a callable ``progress(done, total)`` counting simulated
    years; ``quiet=True`` turns it off.  A run whose estimated peak memory exceeds what is available is
    refused (``ExperimentError``) unless ``force``.  ``follow_up``: years more with the interventions ended
    (a lifetime horizon for the cohort alive at the start; ``RunResult.follow_up``).  ``share_start``: run each
    replicate's arms in one process, building and burning in once for the arms with the same parameters
    (``run_replicate``; the same results, with one build and burn-in fewer per arm that shares); by default
    for several arms whenever that leaves no worker idle (one worker, or at least as many replicates as workers);
    with fewer replicates than workers, each replicate's start is built once and shipped to the workers that run
    its arms (``run_from_start``: the same results again).
    """
    years = check_years(years)
    follow_up = check_follow_up(follow_up)
    workers = check_workers(workers)
    seeds = replicate_seeds(seed, replicates)
    if not arms:
        raise ExperimentError("arms: nothing to run")
    share = (len(arms) > 1 and (workers == 1 or replicates >= workers)) if share_start is None else bool(share_start)
    # Fewer replicates than workers: the starts are built first, one per replicate (and parameters), and shipped
    # to the workers running the arms, rather than each arm building its own (16 builds for a 16-run lesson).
    ship = share_start is None and not share and len(arms) > 1
    check_resources(max(people_of(kwargs) for kwargs in arms.values()), years + follow_up, len(arms) * replicates,
                    workers, force=force, starts_held=int(share or ship))
    started = time.perf_counter()
    total = len(arms) * replicates * (years + follow_up)
    with reporter(progress, total, label, quiet=quiet) as report:
        if share:
            by_replicate = run_jobs(run_replicate, [(list(arms.items()), r, s, years, follow_up)
                                                    for r, s in enumerate(seeds)],
                                    workers=workers, years=len(arms) * (years + follow_up), report=report)
            frames = [by_replicate[r][a] for a in range(len(arms)) for r in range(replicates)]  # arm by arm
        elif ship:
            params = {arm: parameters_of(kwargs) for arm, kwargs in arms.items()}
            needed = list(dict.fromkeys((params[arm], s) for arm in arms for s in seeds))
            built = dict(zip(needed, run_jobs(_burnt_in_job, needed, workers=workers, years=0), strict=True))
            from_starts = [(arm, r, s, kwargs, built[params[arm], s], years, follow_up) for arm, kwargs in arms.items()
                           for r, s in enumerate(seeds)]
            frames = run_jobs(run_from_start, from_starts, workers=workers, years=years + follow_up, report=report)
        else:
            jobs = [(arm, r, s, kwargs, years, follow_up) for arm, kwargs in arms.items()
                    for r, s in enumerate(seeds)]
            frames = run_jobs(run_one, jobs, workers=workers, years=years + follow_up, report=report)
    results = pd.concat(frames, ignore_index=True)[RESULT_COLUMNS]
    return RunResult(results, seeds, list(arms), time.perf_counter() - started, years=years, follow_up=follow_up)


def check_follow_up(follow_up: Any) -> int:
    """``follow_up`` as an int from 0 to 150, or ``ExperimentError``."""
    if isinstance(follow_up, bool) or not isinstance(follow_up, int | np.integer) or not 0 <= follow_up <= 150:
        raise ExperimentError(f"follow-up: must be a whole number of years from 0 to 150, got {follow_up!r}")
    return int(follow_up)


def load(scenario: Any, overrides: Sequence[str] = (), *, replicates: int | None = None,
         seed: int | None = None):
    """A validated ``Scenario`` from a ``Scenario``, a path to a YAML file, or a shipped scenario's name
    (``"peer_support"``), with ``overrides`` (``"a.b=value"``), replicates and seed layered on top."""
    from pathways_sim.scenarios import Scenario, load_scenario, shipped_scenario

    overrides = list(overrides)
    if replicates is not None:
        overrides.append(f"replicates={replicates}")
    if seed is not None:
        overrides.append(f"seed={seed}")
    if isinstance(scenario, Scenario):
        if not overrides:
            return scenario
        if scenario.source is None:
            raise ExperimentError(f"scenario {scenario.name!r} was not loaded from a file, so overrides "
                                  "cannot be layered on it; build it with them instead")
        scenario = scenario.source
    text = os.fspath(scenario)
    path = Path(text)
    if not path.exists() and path.suffix not in (".yaml", ".yml") and os.sep not in text and "/" not in text:
        path = shipped_scenario(text)  # a shipped scenario by name (ScenarioError naming the choices if none)
    return load_scenario(path, overrides)


def economic_settings(settings: Mapping[str, float] | None) -> dict[str, float]:
    """``settings`` checked against their declarations (``ExperimentError`` saying which is wrong)."""
    from pathways_sim.results.economics import check_settings

    try:
        check_settings(**dict(settings or {}))
    except ValueError as error:
        raise ExperimentError(f"economics: {error}") from None
    return {k: float(v) for k, v in (settings or {}).items() if v is not None}


def run_scenario(scenario: Any, overrides: Sequence[str] = (), *,  # noqa: PLR0913 - keyword-only settings
                 replicates: int | None = None,
                 seed: int | None = None, workers: int = 1, progress: Progress = True, quiet: bool = False,
                 force: bool = False, economics: Mapping[str, float] | None = None, follow_up: int = 0
                 ) -> RunResult:
    """Run every arm of a scenario (a ``Scenario``, a path to its YAML file, or a shipped scenario's name) for
    all its replicates; ``result.save(directory)`` writes what ``pathways-sim run`` writes.  A scenario of several
    arms is compared arm against arm (every arm with the first, as ``compare`` does); ``economics`` sets the
    discount rate, threshold and inequality aversion of that comparison (``results.economics``); ``follow_up``
    years more with the interventions ended give the economics a lifetime horizon for the cohort alive at the
    start (``run_arms``).

    >>> result = run_scenario("baseline", ["population.size=300", "time.years=1", "replicates=1"], quiet=True)
    >>> sorted(result.results.columns) == sorted(RESULT_COLUMNS), result.arms
    (True, ['baseline'])
    """
    settings = economic_settings(economics)
    spec = load(scenario, overrides, replicates=replicates, seed=seed)
    result = run_arms({arm: spec.model_kwargs(arm) for arm in spec.arms}, years=spec.years, seed=spec.seed,
                      replicates=spec.replicates, workers=workers, progress=progress, quiet=quiet, force=force,
                      label=spec.name, follow_up=follow_up)
    result.scenarios = [spec]
    result.extra["scenario"] = spec
    result.economics = settings
    return result


def simulate(people: int = 50_000, years: int = 20, seed: int = 2025, pathways_off: Sequence[str] = (), *,
             progress: Progress = True, quiet: bool = False, force: bool = False) -> PathwaysModel:
    """One model run (the main job of ``python -m pathways_sim``), year by year under a progress bar."""
    from pathways_sim import Parameters

    years = check_years(years)
    Parameters(population_size=people)  # a bad size is reported before anything is estimated or built
    check_resources(people, years, 1, 1, force=force)
    model = PathwaysModel(population_size=people, rng=seed, pathways_off=list(pathways_off))
    with reporter(progress, years, "simulating", quiet=quiet) as report:
        report(0)
        for done in range(1, years + 1):
            model.run(years=1)
            report(done)
    return model
