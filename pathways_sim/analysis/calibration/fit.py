"""``calibrate``: history matching of the model to the targets file; a set of accepted, weighted parameter sets.

Priors are uniform on the free parameters' declared plausible ranges; each target's tolerance is one standard
deviation of observation error plus model discrepancy; every candidate runs with the same seeds (common random
numbers) on a sweep executor, each run kept in a run store so a stopped calibration resumes with only the
missing runs (``runs.ModelSimulator``).  The method is ``history_matching`` (see its docstring, and
docs/calibration.md for why this method).
"""

from __future__ import annotations

import hashlib
import math
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pathways_sim.analysis.calibration.free_parameters import FREE_PARAMETERS, reported_only
from pathways_sim.analysis.calibration.history_matching import (
    CUTOFF,
    HistoryMatch,
    Prior,
    history_match,
    weighted_quantiles,
)
from pathways_sim.analysis.calibration.runs import ModelSimulator
from pathways_sim.analysis.calibration.statistics import _as_parameters, _check_run_settings
from pathways_sim.analysis.calibration.targets import (
    DEFAULT_TARGETS,
    load_targets,
    targets_digest,
    with_consistency_targets,
)
from pathways_sim.declarations.declare import ParameterError, unknown_name_message
from pathways_sim.mechanisms.parameters import PARAMETERS, Parameters


def target_label(target: str, group: str) -> str:
    """How one value of the targets file is named in a calibration's outputs: ``target: group``."""
    return f"{target}: {group}"


@dataclass
class Calibration:
    """The outcome of ``calibrate``: the history match, the targets with their role, and how it ran."""

    match: HistoryMatch
    targets: pd.DataFrame  # one row per value: target, group, label, value, tolerance, weight, source, role
    free: list[str]
    fixed: dict[str, float]  # default free parameters left out of this fit, at the values they ran with
    hold_out: list[str]
    seeds: list[int]
    population_size: int
    years: int
    targets_file: str
    targets_sha256: str
    seconds: float
    runs_ran: int
    runs_reused: int
    runs_failed: int
    run_seconds: float = 0.0  # the runs' own wall times summed, whichever process made them (the store keeps it)
    runs_untimed: int = 0  # runs read from a store written without their time
    provisional: str = ""  # what makes this calibration provisional (e.g. its size), said in its manifest
    notes: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> pd.DataFrame:
        """One row per accepted set: the free parameters and ``weight`` (summing to 1)."""
        return self.match.accepted[[*self.free, "weight"]] if len(self.match.accepted) else pd.DataFrame(
            columns=[*self.free, "weight"])

    @property
    def effective_sample_size(self) -> float:
        w = self.accepted["weight"].to_numpy(float)
        return float(1.0 / np.sum(w ** 2)) if w.size else 0.0

    def intervals(self, level: float = 0.95) -> pd.DataFrame:
        """Each free parameter: plausible range, weighted median and central ``level`` interval."""
        table = self.match.intervals(level)
        table.insert(1, "plausible_low", [PARAMETERS[n].plausible[0] for n in table["parameter"]])
        table.insert(2, "plausible_high", [PARAMETERS[n].plausible[1] for n in table["parameter"]])
        return table

    def central_values(self) -> dict[str, float]:
        """The weighted median of each free parameter, to 3 significant figures inside its plausible range:
        the defaults a shipped calibration sets."""
        table = self.intervals()
        return {str(name): _round_sig(float(median), PARAMETERS[str(name)].plausible, PARAMETERS[str(name)].integer)
                for name, median in zip(table["parameter"], table["median"], strict=True)
                if math.isfinite(float(median))}

    def predictive(self, level: float = 0.95) -> pd.DataFrame:
        """Each target: published value and tolerance, the posterior predictive median and central interval
        (the accepted sets' simulated values, mean over seeds, weighted), whether the median is within the
        tolerance, and its role (fitted, held out, reported only, not estimable at this size)."""
        table = self.targets[["target", "group", "label", "value", "tolerance", "unit", "role"]].rename(
            columns={"value": "published"}).reset_index(drop=True)
        accepted = self.match.accepted
        low, mid, high = [], [], []
        for label in table["label"]:
            x = accepted[label].to_numpy(float) if len(accepted) else np.array([])
            ok = np.isfinite(x)
            if ok.any():
                q = weighted_quantiles(x[ok], accepted["weight"].to_numpy(float)[ok],
                                       [(1 - level) / 2, 0.5, (1 + level) / 2])
            else:
                q = np.full(3, np.nan)
            low.append(q[0]); mid.append(q[1]); high.append(q[2])  # noqa: E702
        table["low"], table["median"], table["high"] = low, mid, high
        table["within"] = (table["median"] - table["published"]).abs() <= table["tolerance"]
        table["covers"] = (table["low"] - table["tolerance"] <= table["published"]) & (
            table["published"] <= table["high"] + table["tolerance"])
        return table


def _round_sig(value: float, plausible: tuple[float, float], integer: bool = False, digits: int = 3) -> float:
    """Round to ``digits`` significant figures (or a whole number), staying inside the plausible range."""
    if integer:
        return float(min(max(round(value), plausible[0]), plausible[1]))
    if value == 0:
        return 0.0
    rounded = round(value, digits - 1 - math.floor(math.log10(abs(value))))
    return float(min(max(rounded, plausible[0]), plausible[1]))


def _check_arguments(free: list[str], hold_out: list[str], known_targets: list[str], waves: object,
                     runs_per_wave: object, cutoff: object) -> None:
    """ParameterError naming every unknown or unfittable free parameter, unknown held-out target and bad
    setting."""
    problems = [(n, unknown_name_message(n, list(PARAMETERS), "parameter")) for n in free if n not in PARAMETERS]
    problems += [(n, f"{PARAMETERS[n].name} has an empty plausible range {PARAMETERS[n].plausible}; it cannot be "
                     "fitted") for n in free if n in PARAMETERS and not
                 PARAMETERS[n].plausible[1] > PARAMETERS[n].plausible[0]]
    if "population_size" in free:
        problems.append(("population_size", "is set by population_size=, not fitted"))
    if not free:
        problems.append(("free_parameters", "name at least one parameter to fit"))
    problems += [("hold_out", unknown_name_message(n, known_targets, "target in the targets file"))
                 for n in hold_out if n not in known_targets]
    for name, value, least in (("waves", waves, 1), ("runs_per_wave", runs_per_wave, 4)):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            problems.append((name, f"must be a whole number >= {least}, got {value!r}"))
    if isinstance(cutoff, bool) or not isinstance(cutoff, int | float) or not cutoff > 0:
        problems.append(("cutoff", f"must be a positive number of standard deviations (3 is usual), got {cutoff!r}"))
    if problems:
        raise ParameterError(problems)


def _frame(targets: pd.DataFrame | str | os.PathLike[str]) -> tuple[pd.DataFrame, str, str]:
    if isinstance(targets, pd.DataFrame):
        return targets, hashlib.sha256(targets.to_csv(index=False).encode()).hexdigest(), "<frame>"
    return load_targets(targets), targets_digest(targets), Path(targets).name


def calibrate(targets: pd.DataFrame | str | os.PathLike[str] = DEFAULT_TARGETS,  # noqa: PLR0913 - settings
              free_parameters: Iterable[str] = tuple(FREE_PARAMETERS), *, hold_out: Sequence[str] = (),
              seeds: Sequence[int] = (2025, 2026), population_size: int = 100_000, years: int = 10,
              waves: int = 3, runs_per_wave: int = 40, cutoff: float = CUTOFF, seed: int = 2025,
              executor: Any = None, store: str | os.PathLike[str] | None = None,
              base: Parameters | Mapping[str, Any] | None = None, provisional: str = "",
              progress: Callable[[str], None] | None = None) -> Calibration:
    """History-match ``free_parameters`` to ``targets``; accepted (weighted) parameter sets.

    ``targets``: a targets CSV (default the shipped England targets) or a frame from ``load_targets``; the
    consistency targets are added.  ``hold_out``: target names simulated and reported but not used to fit.
    Targets no free parameter answers to (``free_parameters.reported_only``) are reported, not fitted, and
    targets a run of this size cannot estimate are left out and listed.  ``seeds``: every candidate runs each
    (common random numbers).  ``waves`` x ``runs_per_wave`` candidates in all; ``cutoff`` the implausibility
    cut-off; ``seed`` seeds the designs.  ``executor`` and ``store`` are ``sweep``'s: with a store, running the
    same calibration again runs only the runs it lacks.  ``base``: the values of every parameter not fitted
    (default: the current defaults).  ``provisional``: a sentence saying why these results are provisional.
    """
    started = time.perf_counter()
    frame, digest, name = _frame(targets)
    frame = with_consistency_targets(frame).reset_index(drop=True)
    free, hold_out = list(dict.fromkeys(free_parameters)), list(dict.fromkeys(hold_out))
    _check_arguments(free, hold_out, list(dict.fromkeys(frame["target"])), waves, runs_per_wave, cutoff)
    seeds = _check_run_settings(seeds, population_size, years)
    base_params = _as_parameters(base, population_size)
    frame["label"] = [target_label(t, g) for t, g in zip(frame["target"], frame["group"], strict=True)]
    reported = reported_only(list(frame["target"]), free)
    frame["role"] = ["held out" if t in hold_out else "reported only" if t in reported else "fitted"
                     for t in frame["target"]]
    prior = Prior(tuple(free), np.array([PARAMETERS[n].plausible[0] for n in free], float),
                  np.array([PARAMETERS[n].plausible[1] for n in free], float),
                  tuple(PARAMETERS[n].integer for n in free))
    simulator = ModelSimulator(base_params, free, seeds, years, list(frame["statistic"]), executor, store,
                               progress)
    unfitted = list(frame.loc[frame["role"] != "fitted", "label"])
    match = history_match(simulator, prior, list(frame["label"]), frame["value"].to_numpy(float),
                          frame["tolerance"].to_numpy(float), weights=frame["weight"].to_numpy(float),
                          hold_out=unfitted, waves=waves, runs_per_wave=runs_per_wave, cutoff=cutoff, seed=seed,
                          progress=progress)
    frame.loc[frame["label"].isin(match.not_estimable), "role"] = "not estimable at this size"
    fixed = {n: base_params[n] for n in FREE_PARAMETERS if n not in free}
    notes = []
    if match.accepted.empty:
        worst = sorted(match.ruled_out_by.items(), key=lambda kv: -kv[1])[:3]
        notes.append("no parameter set of the last wave is within the cut-off for every fitted target: the model "
                     "cannot meet them together inside the plausible ranges; most often ruled out by "
                     + "; ".join(f"{t} ({100 * s:.0f}% of points)" for t, s in worst))
    return Calibration(match=match, targets=frame.drop(columns=["statistic"]), free=free, fixed=fixed,
                       hold_out=hold_out, seeds=seeds, population_size=population_size, years=years,
                       targets_file=name, targets_sha256=digest, seconds=time.perf_counter() - started,
                       runs_ran=simulator.ran, runs_reused=simulator.reused, runs_failed=simulator.failed,
                       run_seconds=simulator.run_seconds, runs_untimed=simulator.untimed, provisional=provisional,
                       notes=notes)
