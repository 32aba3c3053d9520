"""Calibration to England's published inequalities (``data/england_targets.csv``).

The model's value for each published figure is read from a run exactly as a user would read it
(``PathwaysModel(agents="lazy")``, its results table and its population arrays at the end), averaged over
replicate seeds.  Every candidate parameter set is run with the *same* seeds (common random numbers), so
the difference between two candidates is their effect, not their luck.

``calibrate`` fits a chosen set of free parameters, each inside the plausible range it is declared with in
``PARAMETERS``, minimising a soft-L1 loss of the tolerance-scaled residuals ``(model - published) /
tolerance`` (``objective``: quadratic within about a tolerance, linear beyond, so a target out of reach does
not drag the others).  Each free parameter answers only to the targets it stands for (``FREE_PARAMETERS``):
the parameters with a target of their own (ACEs, mental disorder, loneliness, smoking, Gini) are fitted as
one block, the mortality and ill-health parameters as a second block against life and healthy life
expectancy, and the first block is polished again at the end.  A model run costs tens of seconds and its
decile life expectancies carry run-to-run noise that common random numbers cannot remove (one death more
moves a decile's LE by ~0.5 years), so each block is searched by a trust-region Gauss-Newton whose Jacobian
is a local linear regression on every run so far (noise averages out instead of being differenced) and whose
steps minimise that linear model's loss with ``scipy.optimize.least_squares``; ``budget`` caps the number
of model evaluations.  A target that cannot be met inside the plausible ranges is reported as a miss, never
met by stretching a mechanism.

``write_calibration`` stores the fitted values, with the targets file's hash, the seeds, the budget, the
date and the fit table, in ``data/calibrated.json``, which ``params.py`` reads as the declared defaults.
``python -m pathways_sim calibrate`` runs both.
"""

from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import json
import math
import os
import re
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from pathways_sim.declarations.declare import ParameterError, unknown_name_message
from pathways_sim.mechanisms.parameters import PARAMETERS, UNCALIBRATED_DEFAULTS, Parameters
from pathways_sim.results.atomic import atomic_write_text
from pathways_sim.scenarios.errors import cut, printable
from pathways_sim.scenarios.files import UnsafeFile, read_text

DATA = Path(__file__).resolve().parent.parent / "data"
DEFAULT_TARGETS = DATA / "england_targets.csv"
DEFAULT_OUTPUT = DATA / "calibrated.json"
TARGET_COLUMNS = ("target", "group", "value", "unit", "tolerance", "source")
TARGETS_MAX_BYTES = 10_000_000  # the shipped table is ~5 kB
TARGETS_MAX_LINE_CHARS = 2_000
MIN_YEARS = 10  # burn-in of at least 7 years plus the 3-year life-table window (also needed by the ACE cohort)
MISSING_PENALTY = 10.0  # residual, in tolerances, of a statistic the run could not estimate (e.g. no deaths)

# Free parameters fitted by default: each answers to the targets it stands for, and only to them (its column
# of the Jacobian is masked to those rows), so a parameter is never bent to hit another mechanism's target:
# the ACE parameters cannot trade ACE prevalence for life expectancy, nor the Gini for a steeper gradient.
# All are assumptions or baseline rates whose declared plausible range is wide; the pathway strengths that
# make the social gradient keep their literature values, except the two links from allostatic load to
# health, whose sizes are the least pinned down (their plausible ranges still bound them).
LIFE_TARGETS = ("life_expectancy_at_birth", "healthy_life_expectancy_at_birth", "healthy_life_expectancy_sii",
                "healthy_life_expectancy_at_birth_by_decile")
FREE_PARAMETERS: Mapping[str, tuple[tuple[str, ...], str]] = {
    "mortality_rate_at_50": (LIFE_TARGETS, "baseline death hazard: the level of life expectancy"),
    "male_mortality_log_hr": (LIFE_TARGETS, "men's extra mortality: the male-female life-expectancy gap"),
    "allostatic_load_mortality_strength": (LIFE_TARGETS, "wear raising mortality: the life-expectancy gradient"),
    "poor_health_rate_at_50": (LIFE_TARGETS, "baseline onset of not-good health: the level of HLE"),
    "poor_health_recovery_rate": (LIFE_TARGETS, "recovery to good health: years lived in not-good health"),
    "allostatic_load_poor_health_strength": (LIFE_TARGETS, "wear raising ill health: the HLE gradient"),
    "cmd_onset_rate": (("common_mental_disorder_prevalence",), "baseline onset of mental disorder (APMS)"),
    "lonely_threshold": (("loneliness_often_always",), ("where the loneliness index counts as 'often/always' "
                         "lonely: a measurement cut-off, not a mechanism")),
    "smoking_initiation_rate": (("current_smoking",), ("baseline uptake (cessation keeps its published 4-6% a "
                                "year): smoking prevalence")),
    "ace_mean": (("ace_prevalence_any",), "ACEs of the starting adults: the 18-69 prevalence at the start"),
    "ace_hazard_rate": (("ace_prevalence_any_cohort",), ("ACE hazard in simulated childhoods: the prevalence of "
                        "the cohorts the model raises")),
    "income_log_sd": (("income_gini",), "spread of earning potential: the income Gini"),
}


class TargetsError(ValueError):
    """A malformed targets file; ``problems`` lists each as 'file:line: what is wrong'."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


# --------------------------------------------------------------------------------------------- targets
# How each published target is read from a run.  A statistic spec is a hashable tuple:
#   ("results", group_type, group, metric)  a row of the final year of model.results();
#   ("prevalence", state, min_age, max_age) share of the living aged [min, max) with the state, at the end;
#   ("ace_cohort",)                         ACE prevalence at 18 of cohorts whose childhood the model ran.
_SEX_DECILE = re.compile(r"^(male|female) decile (\d+)\b")
_SEX_DECILES = re.compile(r"^(male|female) deciles 1\.\.10$")
_AGES = re.compile(r"(\d+)\s*(?:-\s*(\d+)|\+)")
_PREVALENCE_STATES = {"ace_prevalence_any": "aces", "common_mental_disorder_prevalence": "cmd",
                      "loneliness_often_always": "lonely", "current_smoking": "smoker"}
_LIFE = {"life_expectancy_at_birth": "life_expectancy",
         "healthy_life_expectancy_at_birth": "healthy_life_expectancy"}
KNOWN_TARGETS = (*_LIFE, "healthy_life_expectancy_sii", "healthy_life_expectancy_at_birth_by_decile",
                 *_PREVALENCE_STATES, "income_gini")


def _parse_row(target: str, group: str, value: str) -> list[tuple[str, float, tuple]]:
    """(group label, published value, statistic spec) for each value of one CSV row; ValueError if bad."""
    def number(text: str) -> float:
        try:
            x = float(text)
        except ValueError:
            raise ValueError(f"value {text!r} is not a number") from None
        if not math.isfinite(x):
            raise ValueError(f"value {text!r} is not a finite number")
        return x

    if target in _LIFE:
        m = _SEX_DECILE.match(group)
        if not m or not 1 <= int(m[2]) <= 10:
            raise ValueError(f"group {group!r} of {target}: expected 'male decile N' or 'female decile N', N 1-10")
        return [(group, number(value), ("results", f"{m[1]}_area_deprivation_decile", int(m[2]), _LIFE[target]))]
    if target == "healthy_life_expectancy_sii":
        if group not in ("male", "female"):
            raise ValueError(f"group {group!r} of {target}: expected 'male' or 'female'")
        return [(group, number(value), ("results", f"{group}_area_deprivation_decile", 0,
                                        "healthy_life_expectancy_sii"))]
    if target == "healthy_life_expectancy_at_birth_by_decile":
        m = _SEX_DECILES.match(group)
        if not m:
            raise ValueError(f"group {group!r} of {target}: expected 'male deciles 1..10' or 'female deciles 1..10'")
        parts = value.split(";")
        if len(parts) != 10:
            raise ValueError(f"value of {target} must be 10 numbers separated by ';', got {len(parts)}")
        return [(f"{m[1]} decile {d}", number(v), ("results", f"{m[1]}_area_deprivation_decile", d,
                                                   "healthy_life_expectancy"))
                for d, v in enumerate(parts, start=1)]
    if target in _PREVALENCE_STATES:
        m = _AGES.search(group)
        if not m:
            raise ValueError(f"group {group!r} of {target}: expected an age range such as 'adults 16-64' or "
                             "'adults 18+'")
        lo, hi = float(m[1]), (float(m[2]) + 1 if m[2] else math.inf)  # "16-64" includes age 64
        if hi <= lo:
            raise ValueError(f"group {group!r} of {target}: empty age range")
        return [(group, number(value), ("prevalence", _PREVALENCE_STATES[target], lo, hi))]
    if target == "income_gini":
        return [(group, number(value), ("results", "all", 0, "income_gini"))]
    raise ValueError(unknown_name_message(target, KNOWN_TARGETS, "target"))


def load_targets(path: str | os.PathLike = DEFAULT_TARGETS) -> pd.DataFrame:
    """Read a targets CSV (columns target, group, value, unit, tolerance, source) into one row per value.

    A row whose value lists several numbers (``healthy_life_expectancy_at_birth_by_decile``: ten values
    separated by ``;``) becomes one row per decile, each with weight 1/10, so that every CSV row carries the
    same weight in the fit.

    Returns
    -------
    DataFrame
        Columns target, group, value, unit, tolerance, source, line (of the CSV), weight, kind
        ("published") and statistic (how the model's value is read).

    Raises
    ------
    TargetsError
        Naming ``file:line`` and what is wrong, for every problem found (missing file, bad header, wrong
        number of fields, non-numeric value, non-positive tolerance, unknown target, unreadable group,
        empty source, duplicate row).
    """
    path = Path(path)
    shown = printable(str(path))  # as printed in messages: whatever the name, it can be printed
    try:
        text = read_text(path, TARGETS_MAX_BYTES, "targets CSV file")
    except UnsafeFile as err:
        where = f"{shown}:{err.line}" if err.line else shown
        raise TargetsError([f"{where}: {'no such targets file' if err.message == 'file not found' else err.message}"]
                           ) from None
    lines = text.splitlines()
    long_line = next((i for i, line in enumerate(lines, start=1) if len(line) > TARGETS_MAX_LINE_CHARS), None)
    if long_line is not None:  # no target needs it, and the group patterns would take quadratic time on it
        raise TargetsError([f"{shown}:{long_line}: line longer than {TARGETS_MAX_LINE_CHARS} characters"])
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
    except csv.Error as err:
        raise TargetsError([f"{shown}:1: not readable as CSV: {err}"]) from None
    if header is None:
        raise TargetsError([f"{shown}:1: empty file; expected the header {','.join(TARGET_COLUMNS)}"])
    header = [h.strip() for h in header]
    missing = [c for c in TARGET_COLUMNS if c not in header]
    if missing:
        raise TargetsError([(f"{shown}:1: header lacks column(s) {', '.join(missing)}; expected "
                             f"{','.join(TARGET_COLUMNS)}, got {cut(','.join(header))}")])
    col = {c: header.index(c) for c in TARGET_COLUMNS}
    rows, problems, seen = [], [], {}
    for line, fields in _csv_rows(reader, shown, problems):
        if not any(f.strip() for f in fields):
            continue  # blank line
        where = f"{shown}:{line}"
        if len(fields) != len(header):
            problems.append(f"{where}: expected {len(header)} fields ({','.join(header)}), got {len(fields)}")
            continue
        rec = {c: fields[i].strip() for c, i in col.items()}
        try:
            tolerance = float(rec["tolerance"])
        except ValueError:
            problems.append(f"{where}: tolerance {rec['tolerance']!r} is not a number")
            tolerance = None
        if tolerance is not None and not (math.isfinite(tolerance) and tolerance > 0):
            problems.append(f"{where}: tolerance must be a positive number, got {rec['tolerance']!r}")
        if not rec["source"]:
            problems.append(f"{where}: source is empty; every target needs its published source")
        key = (rec["target"], rec["group"])
        if key in seen:
            problems.append(f"{where}: duplicate of line {seen[key]} ({rec['target']}, {rec['group']})")
        seen.setdefault(key, line)
        try:
            parsed = _parse_row(rec["target"], rec["group"], rec["value"])
        except ValueError as err:
            problems.append(f"{where}: {err}")
            continue
        for group, value, spec in parsed:
            rows.append({"target": rec["target"], "group": group, "value": value, "unit": rec["unit"],
                         "tolerance": tolerance, "source": rec["source"], "line": line,
                         "weight": 1.0 / len(parsed), "kind": "published", "statistic": spec})
    if not rows and not problems:
        problems.append(f"{shown}:2: no targets below the header")
    if problems:
        raise TargetsError([cut(problem, 500) for problem in problems])  # each echoes at most a line's piece
    return pd.DataFrame(rows)


def _csv_rows(reader, shown: str, problems: list[str]):
    """(line, fields) of each CSV record; a record the csv module cannot read, or with a field longer than
    any target needs (a quoted field can span lines), is a problem, not a crash."""
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            problems.append(f"{shown}:{reader.line_num}: not readable as CSV: {err}")
            return
        if any(len(field) > TARGETS_MAX_LINE_CHARS for field in fields):
            problems.append(f"{shown}:{reader.line_num}: a field longer than {TARGETS_MAX_LINE_CHARS} characters")
            continue
        yield reader.line_num, fields


def with_consistency_targets(targets: pd.DataFrame) -> pd.DataFrame:
    """Add the consistency targets the fit needs besides the published rows.

    ACE prevalence: the published 18-69 figure is met at the start by the synthetic adults (``ace_mean``),
    but the adults of later years grow up inside the model (``ace_hazard_rate``).  Unless the cohorts the
    model raises reach 18 with the same prevalence, the 18-69 prevalence drifts year by year; so the same
    published figure is asked of them too.
    """
    ace = targets[(targets["target"] == "ace_prevalence_any") & (targets["kind"] == "published")]
    if ace.empty:
        return targets
    row = ace.iloc[0].to_dict()
    row.update(target="ace_prevalence_any_cohort", group="cohorts reaching 18 in the model", kind="consistency",
               statistic=("ace_cohort",),
               source=f"consistency: the same figure for childhoods the model simulates ({row['source']})")
    return pd.concat([targets, pd.DataFrame([row])], ignore_index=True)


def targets_digest(path: str | os.PathLike) -> str:
    """SHA-256 of a targets file's bytes (recorded beside the calibrated values)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# --------------------------------------------------------------------------------------------- model runs
def _as_parameters(params: Parameters | Mapping[str, Any] | None, population_size: int) -> Parameters:
    base = params if isinstance(params, Parameters) else Parameters(dict(params or {}))
    return base.replace(population_size=population_size)


def _run_once(params: Parameters, seed: int, years: int, specs: Sequence[tuple]) -> list[float]:
    """One replicate: the model's value of each statistic spec after ``years``."""
    from pathways_sim.model import PathwaysModel  # the model imports params, which must load first

    model = PathwaysModel(params=params, rng=seed, agents="lazy")
    pop = model.population
    n_start = pop.capacity
    start_age, start_aces = pop.age.copy(), pop.aces.copy()
    model.run(years=years)
    results = model.results()
    final = results[results["year"] == results["year"].max()]
    lookup = final.set_index(["group_type", "group", "metric"])["value"]
    alive, age = pop.alive, pop.age
    lonely = pop.loneliness > params["lonely_threshold"]
    states = {"aces": pop.aces > 0, "cmd": pop.cmd, "smoker": pop.smoker, "lonely": lonely}
    values = []
    for spec in specs:
        if spec[0] == "results":
            values.append(float(lookup.get(spec[1:], np.nan)))
        elif spec[0] == "prevalence":
            who = alive & (age >= spec[2]) & (age < spec[3])
            values.append(float(states[spec[1]][who].mean()) if who.any() else np.nan)
        elif spec[0] == "ace_cohort":
            values.append(_ace_cohort_prevalence(pop, n_start, start_age, start_aces, years))
        else:  # pragma: no cover - specs come from load_targets
            raise ValueError(f"unknown statistic {spec!r}")
    return values


def _ace_cohort_prevalence(pop, n_start: int, start_age: np.ndarray, start_aces: np.ndarray,
                           years: int) -> float:
    """Share with >= 1 ACE at 18 among cohorts whose childhood the model simulates.

    P(no ACE by 18) = P(none by age b) x P(none from b to 18 | none at b), b = 18 - years: the first factor
    from children born during the run who are aged [b, b + 1) at the end, the second from children who
    were aged [b, b + 1) and ACE-free at the start (now 18-19, past the ACE ages).  Chaining conditional
    survival this way is exact for a population in steady state and needs only the end state.
    """
    alive, age, aces = pop.alive, pop.age, pop.aces
    original = np.zeros(pop.capacity, dtype=bool)  # the same person as at the start (slots get reused)
    original[:n_start] = pop.person_id[:n_start] < n_start
    born = alive & (pop.person_id >= n_start)
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


def model_statistics(params: Parameters | Mapping[str, Any] | None, seeds: Sequence[int], population_size: int,
                     years: int, targets: pd.DataFrame | None = None) -> pd.DataFrame:
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
        expectancy by sex and decile and the HLE slope index are the results table's rows
        (``male_area_deprivation_decile`` ...); prevalences are computed from the population arrays at the
        end for the target's own age range (so common mental disorder is 16-64, where the results table's
        ``cmd_prevalence`` is 16+); the Gini is the results table's ``income_gini``.
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


def fit_table(stats: pd.DataFrame) -> pd.DataFrame:
    """target, group, unit, published, model, model_sd, tolerance, within (|model - published| <= tolerance),
    kind."""
    table = stats[["target", "group", "unit", "value", "model", "model_sd", "tolerance", "kind"]].rename(
        columns={"value": "published"})
    table.insert(7, "within", (table["model"] - table["published"]).abs() <= table["tolerance"])
    return table.reset_index(drop=True)


def residuals(stats: pd.DataFrame) -> np.ndarray:
    """sqrt(weight) x (model - published) / tolerance; a statistic the run could not estimate counts
    ``MISSING_PENALTY`` tolerances."""
    r = (stats["model"] - stats["value"]).to_numpy(float) / stats["tolerance"].to_numpy(float)
    return np.sqrt(stats["weight"].to_numpy(float)) * np.where(np.isfinite(r), r, MISSING_PENALTY)


def objective(r: np.ndarray) -> float:
    """Sum of the soft-L1 loss 2 (sqrt(1 + r^2) - 1) of the residuals: quadratic within about a tolerance,
    linear beyond.  A target the model cannot reach then pulls with bounded force, so the fit does not
    spoil the targets it can meet to gain a little on one it cannot (plain least squares would)."""
    return float(np.sum(2.0 * (np.sqrt(1.0 + r * r) - 1.0)))


# --------------------------------------------------------------------------------------------- the fit
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


class _BudgetSpent(Exception):
    pass


class _Evaluator:
    """Runs candidates given on the unit scale of the plausible ranges; counts runs against the budget."""

    def __init__(self, names: list[str], base: Parameters, run: Callable[[Parameters], pd.DataFrame],
                 budget: int, progress: Callable[[str], None] | None):
        self.names, self.base, self.run, self.budget, self.progress = names, base, run, budget, progress
        self.lo = np.array([PARAMETERS[n].plausible[0] for n in names])
        self.hi = np.array([PARAMETERS[n].plausible[1] for n in names])
        self.cache: dict[tuple, np.ndarray] = {}
        self.history: list[float] = []
        self.started = time.perf_counter()

    def values(self, x: np.ndarray) -> dict[str, float]:
        v = self.lo + np.clip(x, 0, 1) * (self.hi - self.lo)
        return {n: (round(float(val)) if PARAMETERS[n].integer else float(val)) for n, val in zip(self.names, v)}

    def to_unit(self, values: Mapping[str, float]) -> np.ndarray:
        v = np.array([values[n] for n in self.names], dtype=float)
        return np.clip((v - self.lo) / (self.hi - self.lo), 0, 1)

    def __call__(self, x: np.ndarray, label: str = "") -> np.ndarray:
        key = tuple(np.round(x, 12))
        if key in self.cache:
            return self.cache[key]
        if len(self.history) >= self.budget:
            raise _BudgetSpent
        r = residuals(self.run(self.base.replace(**self.values(x))))
        self.cache[key] = r
        self.history.append(objective(r))
        if self.progress:
            self.progress(f"evaluation {len(self.history)}/{self.budget} {label}: objective {self.history[-1]:.2f}"
                          f", {time.perf_counter() - self.started:.0f} s")
        return r


def _local_linear_fit(X: np.ndarray, R: np.ndarray, centre: np.ndarray, width: float,
                      prior: np.ndarray | None, ridge: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Residuals near ``centre`` as c + J (x - centre): weighted least squares over every run so far.

    Weights fall with distance (Gaussian kernel of ``width``), so far points inform without dominating; a
    small ridge pulls J towards the previous fit, which keeps it defined while points are few.  Fitting
    rather than differencing is what makes the search robust: one extra death in a decile moves its life
    expectancy by ~0.5 years between two runs even with common random numbers, and a regression over many
    runs averages that out where a difference of two runs would amplify it.
    """
    d = X - centre
    w = np.sqrt(np.exp(-0.5 * np.sum(d * d, axis=1) / width ** 2))
    n = X.shape[1]
    A = np.hstack([np.ones((len(X), 1)), d]) * w[:, None]
    B = R * w[:, None]
    prior = np.zeros((R.shape[1], n)) if prior is None else prior
    A = np.vstack([A, np.hstack([np.zeros((n, 1)), np.sqrt(ridge) * np.eye(n)])])
    B = np.vstack([B, np.sqrt(ridge) * prior.T])
    coef = np.linalg.lstsq(A, B, rcond=None)[0]
    return coef[0], coef[1:].T


def _linear_step(c: np.ndarray, J: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The move d in [lo, hi] minimising the soft-L1 objective of the linear model c + J d (no model run).

    The problem is convex, so it starts from the middle of the box: started on a bound (d = 0 when the
    centre sits at the edge of a plausible range), the trust-region reflective method can stop at once.
    """
    return optimize.least_squares(lambda d: c + J @ d, (lo + hi) / 2, jac=lambda d: J, bounds=(lo, hi),
                                  loss="soft_l1", method="trf", ftol=1e-12, xtol=1e-12, gtol=1e-12).x


@dataclass
class _Block:
    """Free parameters searched together (indices into x), the residual rows they answer to, and the mask
    of which parameter answers to which row."""

    label: str
    params: np.ndarray
    rows: np.ndarray
    mask: np.ndarray  # (len(rows), len(params)) bool
    J: np.ndarray | None = None  # the last Jacobian fitted, reused when the block is searched again


def _search(f: _Evaluator, x: np.ndarray, block: _Block, cap: int, step: float = 0.25,
            radius: float = 0.25) -> np.ndarray:
    """Regression trust-region Gauss-Newton over one block's parameters; returns the best x found.

    The block's objective counts only its own rows.  Without a Jacobian from an earlier pass, a design of
    one step of ``step`` along each of its axes gives the first; then each iteration fits the rows
    linearly around the best run so far (``_local_linear_fit``), masks the Jacobian so each parameter moves
    only for its own targets, minimises the soft-L1 objective of that linear model inside the trust region
    (``scipy.optimize.least_squares``, which costs no model run) and runs the solution; the region grows
    after an improvement and shrinks after a failure.  Stops after ``cap`` runs, when the budget is spent,
    or when no better point is predicted or found at the smallest region.
    """
    idx, rows, mask = block.params, block.rows, block.mask
    X, R = [], []

    def run(point: np.ndarray) -> float:
        r = f(point, block.label)[rows]
        X.append(point[idx].copy())
        R.append(r)
        return objective(r)

    def best_point() -> np.ndarray:
        point = x.copy()
        point[idx] = X[int(np.argmin([objective(r) for r in R]))]
        return point

    try:
        run(x)
        if block.J is None:
            for i in idx:
                if len(X) >= cap:
                    return best_point()
                xi = x.copy()
                xi[i] += step if x[i] + step <= 1 else -step
                run(xi)
        J, stalled = block.J, 0
        while stalled < 3 and len(X) < cap:
            costs = [objective(r) for r in R]
            centre = X[int(np.argmin(costs))]
            c, J = _local_linear_fit(np.array(X), np.array(R), centre, max(2 * radius, step), J)
            block.J = J = J * mask
            lo, hi = np.maximum(centre - radius, 0.0) - centre, np.minimum(centre + radius, 1.0) - centre
            move = _linear_step(c, J, lo, hi)
            if np.max(np.abs(move)) < 1e-3:  # the linear model predicts nothing better nearby
                stalled += 1
                radius = max(radius / 2, 0.02)
                continue
            trial = x.copy()
            trial[idx] = centre + move
            improved = run(trial) < min(costs)
            radius = min(radius * 1.5, 1.0) if improved else max(radius / 2, 0.02)
            stalled = 0 if improved else stalled + (radius <= 0.02)
    except _BudgetSpent:
        pass
    return best_point() if X else x


def _blocks(names: list[str], frame: pd.DataFrame) -> list[_Block]:
    """The search order: parameters with their own targets first (one block, masked to a diagonal), then the
    life-expectancy block, then any parameter not in ``FREE_PARAMETERS`` (answering to every target), then
    the first block once more, since health changes move prevalences a little (through who survives)."""
    target_of_row = frame["target"].to_numpy()
    groups: dict[str, list[int]] = {"own targets": [], "life expectancy": [], "other": []}
    for i, name in enumerate(names):
        answers = FREE_PARAMETERS.get(name, (None, ""))[0]
        groups["other" if answers is None else "life expectancy" if answers == LIFE_TARGETS
               else "own targets"].append(i)
    blocks = []
    for label, idx in groups.items():
        if not idx:
            continue
        mask = np.array([[label == "other" or t in FREE_PARAMETERS[names[i]][0] for i in idx]
                         for t in target_of_row])
        rows = np.flatnonzero(mask.any(axis=1))
        if rows.size:  # a parameter whose targets are not in the file stays at its start
            blocks.append(_Block(label, np.array(idx), rows, mask[rows]))
    if blocks and blocks[0].label == "own targets" and len(blocks) > 1:
        blocks.append(blocks[0])  # the same object: its Jacobian is reused, no second design
    return blocks


def calibrate(targets: pd.DataFrame | str | os.PathLike = DEFAULT_TARGETS,
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
        frame, digest, name = targets, hashlib.sha256(targets.to_csv(index=False).encode()).hexdigest(), "<frame>"
    else:
        frame, digest, name = load_targets(targets), targets_digest(targets), Path(targets).name
    frame = with_consistency_targets(frame)
    names = list(dict.fromkeys(free_parameters))
    problems = [(n, unknown_name_message(n, list(PARAMETERS), "parameter")) for n in names if n not in PARAMETERS]
    problems += [("population_size", "is set by population_size=, not fitted")] if "population_size" in names else []
    if not names:
        problems.append(("free_parameters", "name at least one parameter to fit"))
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
        problems.append(("budget", f"must be a whole number of evaluations >= 1, got {budget!r}"))
    if problems:
        raise ParameterError(problems)
    seeds = _check_run_settings(seeds, population_size, years)
    base = _as_parameters(UNCALIBRATED_DEFAULTS, population_size)

    def run(params: Parameters) -> pd.DataFrame:
        return model_statistics(params, seeds, population_size, years, frame)

    evaluator = _Evaluator(names, base, run, budget - 1, progress)
    x = x0 = evaluator.to_unit({**{n: UNCALIBRATED_DEFAULTS[n] for n in names}, **dict(start or {})})
    start_values = evaluator.values(x0)
    blocks = _blocks(names, frame)
    # Budget: the first pass over the own-target block gets 30%, its polish at the end 10%, and the blocks
    # between share the rest (and whatever an earlier block, stopping early, left unused).
    share = [0.3 if k == 0 else 0.1 if k == len(blocks) - 1 else 0.6 / max(len(blocks) - 2, 1)
             for k in range(len(blocks))] if len(blocks) > 1 else [1.0]
    for k, block in enumerate(blocks):
        left = evaluator.budget - len(evaluator.history)
        later = sum(math.ceil(sh * evaluator.budget) for sh in share[k + 1:])
        if left > 0:
            x = _search(evaluator, x, block, max(left - later, 1) if k else math.ceil(share[0] * evaluator.budget))
    x_best = x
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


# --------------------------------------------------------------------------------------------- storage
def write_calibration(result: Calibration, path: str | os.PathLike = DEFAULT_OUTPUT) -> Path:
    """Store ``result`` as JSON, atomically (a temporary file in the same folder, then ``os.replace``), so a
    reader never sees half a file.  ``params.py`` reads its ``parameters``."""
    path = Path(path)
    record = {
        "about": "Calibrated parameter defaults of pathways_sim, read by pathways_sim/params.py. Written by "
                 "pathways_sim.analysis.calibration (python -m pathways_sim calibrate); do not edit by hand.",
        "parameters": result.values,
        "targets_file": result.targets_file,
        "targets_sha256": result.targets_sha256,
        "seeds": result.seeds,
        "population_size": result.population_size,
        "years": result.years,
        "budget": result.budget,
        "evaluations": result.evaluations,
        "date": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "seconds": round(result.seconds, 1),
        "objective": round(result.objective, 4),
        "start_objective": round(result.start_objective, 4),
        "free_parameters": {n: {"start": result.start_values[n], "value": v,
                                "plausible": list(PARAMETERS[n].plausible),
                                "answers_to": list(FREE_PARAMETERS[n][0]) if n in FREE_PARAMETERS else "all",
                                "why": FREE_PARAMETERS[n][1] if n in FREE_PARAMETERS else ""}
                            for n, v in result.values.items()},
        "fit": [{k: (_jsonable(v)) for k, v in row.items()} for row in result.fit.to_dict("records")],
    }
    text = json.dumps(record, indent=1, allow_nan=False, default=str) + "\n"
    atomic_write_text(path, text)
    return path


def _jsonable(v: Any) -> Any:
    if isinstance(v, np.bool_ | bool):
        return bool(v)
    if isinstance(v, float | np.floating):
        return None if not math.isfinite(v) else round(float(v), 4)
    return v
