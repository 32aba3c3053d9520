"""``calibrate``: fit the free parameters to the targets inside their plausible ranges, block by block.

It minimises a soft-L1 loss of the tolerance-scaled residuals (``objective``: quadratic within about a
tolerance, linear beyond, so a target out of reach does not drag the others); ``budget`` caps the number of
model evaluations.  A target that cannot be met inside the plausible ranges is reported as a miss, never
met by stretching a mechanism.
"""

from __future__ import annotations

import hashlib
import math
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pathways_sim.analysis.calibration.search import (
    FREE_PARAMETERS,
    _Block,
    _blocks,
    _Evaluator,
    _search,
)
from pathways_sim.analysis.calibration.statistics import (
    _as_parameters,
    _check_run_settings,
    fit_table,
    model_statistics,
    objective,
    residuals,
)
from pathways_sim.analysis.calibration.targets import (
    DEFAULT_TARGETS,
    load_targets,
    targets_digest,
    with_consistency_targets,
)
from pathways_sim.declarations.declare import ParameterError, unknown_name_message
from pathways_sim.mechanisms.parameters import PARAMETERS, UNCALIBRATED_DEFAULTS, Parameters


@dataclass
class Calibration:
    """The outcome of ``calibrate``: fitted values, the fit at those values, and how it was obtained."""

    values: dict[str, float]
    fit: pd.DataFrame
    objective: float  # ``objective`` (soft-L1 of the weighted residuals) at ``values``
    start_values: dict[str, float]
    start_objective: float
    evaluations: int
    seeds: list[int]
    population_size: int
    years: int
    budget: int
    targets_sha256: str
    targets_file: str
    seconds: float
    history: list[float] = field(default_factory=list)  # objective of each evaluation, in order


def _check_calibrate_arguments(names: list[str], budget: object) -> None:
    """ParameterError naming every unknown or unfittable free parameter and a bad budget."""
    problems = [(n, unknown_name_message(n, list(PARAMETERS), "parameter"))
                for n in names if n not in PARAMETERS]
    if "population_size" in names:
        problems.append(("population_size", "is set by population_size=, not fitted"))
    if not names:
        problems.append(("free_parameters", "name at least one parameter to fit"))
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
        problems.append(("budget", f"must be a whole number of evaluations >= 1, got {budget!r}"))
    if problems:
        raise ParameterError(problems)


def _search_blocks(evaluator: _Evaluator, x: np.ndarray, blocks: list[_Block]) -> np.ndarray:
    """Search each block in turn from ``x``; returns the best point found.

    Budget: the first pass over the own-target block gets 30%, its polish at the end 10%, and the blocks
    between share the rest (and whatever an earlier block, stopping early, left unused).
    """
    share = [0.3 if k == 0 else 0.1 if k == len(blocks) - 1 else 0.6 / max(len(blocks) - 2, 1)
             for k in range(len(blocks))] if len(blocks) > 1 else [1.0]
    for k, block in enumerate(blocks):
        left = evaluator.budget - len(evaluator.history)
        later = sum(math.ceil(sh * evaluator.budget) for sh in share[k + 1:])
        if left > 0:
            cap = max(left - later, 1) if k else math.ceil(share[0] * evaluator.budget)
            x = _search(evaluator, x, block, cap)
    return x


def calibrate(targets: pd.DataFrame | str | os.PathLike[str] = DEFAULT_TARGETS,
              free_parameters: Iterable[str] = tuple(FREE_PARAMETERS), budget: int = 50,
              seeds: Sequence[int] = (2025, 2026), population_size: int = 100_000, years: int = 10, *,
              start: Mapping[str, float] | None = None,
              progress: Callable[[str], None] | None = None) -> Calibration:
    """Fit ``free_parameters`` to ``targets`` inside their plausible ranges.

    Parameters
    ----------
    targets:
        A targets CSV path (default: the shipped England targets) or a frame from ``load_targets``.  The
        consistency targets (``with_consistency_targets``) are added.
    free_parameters:
        Names of the parameters to fit (default ``FREE_PARAMETERS``); all others keep their declared,
        uncalibrated defaults, so a calibration does not depend on the calibrated file it replaces.
    budget:
        Model evaluations allowed (each runs every seed).  The last one re-runs the fitted values after
        rounding them to 3 significant figures, so the fit table describes exactly what is stored.
    seeds, population_size, years:
        As in ``model_statistics``; the same seeds are used for every candidate.
    start:
        Starting values (default: the declared defaults, moved inside the plausible range if outside).
    progress:
        Called with one line of text after each evaluation.

    Returns
    -------
    Calibration
        Fitted values, fit table, objective before and after, evaluations used, run settings.
    """
    started = time.perf_counter()
    if isinstance(targets, pd.DataFrame):
        digest = hashlib.sha256(targets.to_csv(index=False).encode()).hexdigest()
        frame, name = targets, "<frame>"
    else:
        frame, digest, name = load_targets(targets), targets_digest(targets), Path(targets).name
    frame = with_consistency_targets(frame)
    names = list(dict.fromkeys(free_parameters))
    _check_calibrate_arguments(names, budget)
    seeds = _check_run_settings(seeds, population_size, years)
    base = _as_parameters(UNCALIBRATED_DEFAULTS, population_size)

    def run(params: Parameters) -> pd.DataFrame:
        return model_statistics(params, seeds, population_size, years, frame)

    evaluator = _Evaluator(names, base, run, budget - 1, progress)
    x0 = evaluator.to_unit({**{n: UNCALIBRATED_DEFAULTS[n] for n in names}, **dict(start or {})})
    start_values = evaluator.values(x0)
    x_best = _search_blocks(evaluator, x0, _blocks(names, frame))
    values = {n: _round_sig(v, PARAMETERS[n].plausible) for n, v in evaluator.values(x_best).items()}
    final = run(base.replace(**values))  # the stored values, rounded, run once more
    cost = objective(residuals(final))
    start_objective = evaluator.history[0] if evaluator.history else cost
    return Calibration(values=values, fit=fit_table(final), objective=cost, start_values=start_values,
                       start_objective=start_objective, evaluations=len(evaluator.history) + 1, seeds=seeds,
                       population_size=population_size, years=years, budget=budget, targets_sha256=digest,
                       targets_file=name, seconds=time.perf_counter() - started,
                       history=[*evaluator.history, cost])


def _round_sig(value: float, plausible: tuple[float, float], digits: int = 3) -> float:
    """Round to ``digits`` significant figures, staying inside the plausible range."""
    if value == 0:
        return 0.0
    rounded = round(value, digits - 1 - math.floor(math.log10(abs(value))))
    return float(min(max(rounded, plausible[0]), plausible[1]))
