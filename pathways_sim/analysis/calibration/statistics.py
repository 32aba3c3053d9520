"""The model's value of each target, read from runs exactly as a user would read them.

``model_statistics`` runs ``PathwaysModel(agents="lazy")`` once per replicate seed and reads each target's
statistic from its results table or its population arrays at the end; every candidate parameter set is
run with the *same* seeds (common random numbers), so the difference between two candidates is their
effect, not their luck.  ``_run_once`` is one replicate: the calibration's runs (``runs``) call it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from pathways_sim.analysis.calibration.targets import DEFAULT_TARGETS, load_targets, with_consistency_targets
from pathways_sim.core.population import INSECURE_JOB, OUT_OF_WORK_FORCE, SECURE_JOB, UNEMPLOYED
from pathways_sim.declarations.declare import ParameterError
from pathways_sim.mechanisms.parameters import Parameters

# At least 10 reported years (after the model's own burn_in_years): the 3-year life-table window and the ACE cohort
# statistic need them.
MIN_YEARS = 10


def _as_parameters(params: Parameters | Mapping[str, Any] | None, population_size: int) -> Parameters:
    base = params if isinstance(params, Parameters) else Parameters(dict(params or {}))
    return base.replace(population_size=population_size)


# A prevalence measure: (who has it, who counts) from the population at the end; ``lonely`` reads the threshold.
MEASURES: dict[str, tuple[Callable[[Any, Parameters], np.ndarray], Callable[[Any], np.ndarray]]] = {
    "aces": (lambda pop, p: pop.aces > 0, lambda pop: pop.alive),
    "cmd": (lambda pop, p: pop.cmd, lambda pop: pop.alive),
    "smoker": (lambda pop, p: pop.smoker, lambda pop: pop.alive),
    "lonely": (lambda pop, p: pop.loneliness > p["lonely_threshold"], lambda pop: pop.alive),
    "poor_health": (lambda pop, p: pop.poor_health, lambda pop: pop.alive),
    "employed": (lambda pop, p: np.isin(pop.employment, (SECURE_JOB, INSECURE_JOB)), lambda pop: pop.alive),
    "unemployed": (lambda pop, p: pop.employment == UNEMPLOYED,  # of the economically active
                   lambda pop: pop.alive & np.isin(pop.employment, (SECURE_JOB, INSECURE_JOB, UNEMPLOYED))),
    "inactive": (lambda pop, p: pop.employment == OUT_OF_WORK_FORCE, lambda pop: pop.alive),
}


def _prevalence(spec: tuple, pop: Any, params: Parameters, decile: np.ndarray) -> float:
    """("prevalence", measure, min_age, max_age, sex, unit, group): the share with the measure among those it
    counts, aged [min, max), of that sex ("" both) and in that area decile or quintile (unit "all": everyone)."""
    _, measure, lo, hi, sex, unit, group = spec
    has, counts = MEASURES[measure]
    who = counts(pop) & (pop.age >= lo) & (pop.age < hi)
    if sex:
        who &= pop.female == (sex == "female")
    if unit == "decile":
        who &= decile == group
    elif unit == "quintile":
        who &= (decile + 1) // 2 == group
    return float(has(pop, params)[who].mean()) if who.any() else np.nan


def _statistic(spec: tuple, lookup: pd.Series, pop: Any, params: Parameters, decile: np.ndarray) -> float:
    """The model's value of one statistic spec (see ``targets``) at the end of a run; nan if not estimable."""
    kind = spec[0]
    if kind == "results":
        return float(lookup.get(spec[1:], np.nan))
    if kind == "share_unhealthy":  # 1 - HLE / LE: the share of life not in good health
        le = float(lookup.get((spec[1], spec[2], "life_expectancy"), np.nan))
        hle = float(lookup.get((spec[1], spec[2], "healthy_life_expectancy"), np.nan))
        return 1.0 - hle / le if le > 0 else np.nan
    if kind == "prevalence":
        return _prevalence(spec, pop, params, decile)
    if kind == "ratio":
        top, bottom = (_statistic(s, lookup, pop, params, decile) for s in spec[1:])
        return top / bottom if bottom > 0 else np.nan
    raise ValueError(f"unknown statistic {spec!r}")  # pragma: no cover - specs come from load_targets


def _run_once(params: Parameters, seed: int, years: int, specs: Sequence[tuple]) -> list[float]:
    """One replicate: the model's value of each statistic spec after ``years``."""
    from pathways_sim.model import PathwaysModel  # the model imports params, which must load first

    model = PathwaysModel(params=params, rng=seed, agents="lazy")
    # Any: Population's arrays are set from the state declarations at run time, so mypy cannot see them.
    pop: Any = model.population
    # Who was there at the start (after the burn-in): slots, ids and ages; ids from next_person_id on are born
    # during the reported years.
    start_ids, first_new_id = pop.person_id.copy(), pop.next_person_id
    start_age, start_aces = pop.age.copy(), pop.aces.copy()
    model.run(years=years)
    results = model.results()
    final = results[results["year"] == results["year"].max()]
    lookup = final.set_index(["group_type", "group", "metric"])["value"]
    decile = model.world.areas.decile[pop.area].astype(np.int64)
    values = []
    for spec in specs:
        if spec[0] == "ace_cohort":
            values.append(_ace_cohort_prevalence(pop, start_ids, first_new_id, start_age, start_aces, years))
        else:
            values.append(_statistic(spec, lookup, pop, params, decile))
    return values


def _ace_cohort_prevalence(pop: Any, start_ids: np.ndarray, first_new_id: int, start_age: np.ndarray,
                           start_aces: np.ndarray,
                           years: int) -> float:
    """Share with >= 1 ACE at 18 among cohorts whose childhood the model simulates.

    P(no ACE by 18) = P(none by age b) x P(none from b to 18 | none at b), b = 18 - years: the first factor
    from children born during the run who are aged [b, b + 1) at the end, the second from children who
    were aged [b, b + 1) and ACE-free at the start (now 18-19, past the ACE ages).  Chaining conditional
    survival this way is exact for a population in steady state and needs only the end state.
    """
    alive, age, aces = pop.alive, pop.age, pop.aces
    n_start = start_ids.size
    original = np.zeros(pop.capacity, dtype=bool)  # the same person as at the start (slots get reused)
    original[:n_start] = pop.person_id[:n_start] == start_ids
    born = alive & (pop.person_id >= first_new_id)
    b = 18.0 - years
    if b < 0:  # long runs: cohorts born in the run are already 18
        reached = born & (age >= 18.0) & (age < 19.0)
        return 1.0 - float(np.mean(aces[reached] == 0)) if reached.any() else float("nan")
    young = born & (age >= b) & (age < b + 1.0)
    followed = np.zeros(pop.capacity, dtype=bool)
    followed[:n_start] = (start_age >= b) & (start_age < b + 1.0) & (start_aces == 0)
    followed &= alive & original
    if not (young.any() and followed.any()):
        return float("nan")
    return 1.0 - float(np.mean(aces[young] == 0)) * float(np.mean(aces[followed] == 0))


def model_statistics(params: Parameters | Mapping[str, Any] | None, seeds: Sequence[int],
                     population_size: int, years: int, targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """The model's value of every target, averaged over replicate seeds, with its spread.

    Parameters
    ----------
    params:
        A ``Parameters`` set or a mapping of overrides of the defaults.
    seeds:
        One replicate per seed; pass the same seeds for every candidate (common random numbers).
    population_size:
        People at the start of each replicate (decile life expectancy needs tens of thousands).
    years:
        Years to simulate (at least ``MIN_YEARS``: a burn-in plus the 3-year life-table window); every value
        is read at the end of the last year.
    targets:
        From ``load_targets`` (default: the shipped England targets, with the consistency targets).

    Returns
    -------
    DataFrame
        The targets' columns plus ``model`` (mean over replicates), ``model_sd`` (their standard deviation,
        0 for one replicate) and ``replicates`` (one list of values per row).  Life and healthy life
        expectancy by sex and decile or quintile and their slope indices are the results table's rows
        (``male_area_deprivation_decile`` ...), and the share of life not in good health is 1 - HLE / LE of
        those rows; prevalences (``MEASURES``) are computed from the population arrays at the end for the
        target's own ages, sex and area decile or quintile (so common mental disorder is 16-64, where the
        results table's ``cmd_prevalence`` is 16+), and a ratio target divides two of them; the Gini is the
        results table's ``income_gini``.
    """
    if targets is None:
        targets = with_consistency_targets(load_targets(DEFAULT_TARGETS))
    seeds = _check_run_settings(seeds, population_size, years)
    params = _as_parameters(params, population_size)
    specs = list(targets["statistic"])
    runs = np.array([_run_once(params, seed, years, specs) for seed in seeds], dtype=float)
    out = targets.copy()
    with warnings.catch_warnings():  # a statistic no replicate could estimate stays NaN, silently
        warnings.simplefilter("ignore", category=RuntimeWarning)
        out["model"] = np.nanmean(runs, axis=0)
        out["model_sd"] = np.nanstd(runs, axis=0, ddof=1) if len(seeds) > 1 else 0.0
    out["replicates"] = [list(map(float, col)) for col in runs.T]
    return out


def _check_run_settings(seeds: Iterable[int], population_size: int, years: int) -> list[int]:
    problems = []
    seeds = list(seeds)
    if not seeds or any(isinstance(s, bool) or not isinstance(s, int | np.integer) or s < 0 for s in seeds):
        problems.append(("seeds", f"must be one or more non-negative integer seeds, got {seeds!r}"))
    if isinstance(years, bool) or not isinstance(years, int | np.integer) or years < MIN_YEARS:
        problems.append(("years", (f"must be a whole number of years >= {MIN_YEARS} (a burn-in plus the "
                                   f"3-year life-table window), got {years!r}")))
    if isinstance(population_size, bool) or not isinstance(population_size, int | np.integer):
        problems.append(("population_size", f"must be a whole number, got {population_size!r}"))
    if problems:
        raise ParameterError(problems)
    return [int(s) for s in seeds]

