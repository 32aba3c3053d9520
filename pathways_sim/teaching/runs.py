"""A lesson as a scenario, a model or a set of runs.

``lesson_scenario`` writes a lesson as a scenario with one arm per on/off combination of its loops (and of its
offer), run by ``run_lesson`` with common random numbers (every arm the same seed, so the runs differ only by
what was switched); ``lesson_model`` builds one model for the live page.  ``gap_over_time`` and
``by_quintile`` read the tables every view plots.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from pathways_sim.experiments.result import RunResult
from pathways_sim.experiments.runner import run_arms
from pathways_sim.model import PathwaysModel
from pathways_sim.scenarios import Scenario, scenario_from_dict
from pathways_sim.teaching.lessons import (
    Lesson,
    LessonError,
    arm_name,
    check_loops,
    combinations,
    lesson_settings,
    lookup,
)

__all__ = ["GROUP_TYPE", "OUTCOME_WORDS", "LessonRuns", "by_quintile", "gap_over_time", "lesson_model",
           "lesson_scenario", "run_lesson"]

GROUP_TYPE = "area_deprivation_quintile"  # quintile 1 the most deprived fifth of areas, 5 the least
#: What each lesson outcome is called for a class.
OUTCOME_WORDS = {"cmd_prevalence": "Mental disorder", "loneliness_prevalence": "Loneliness (often or always lonely)",
                 "mean_stress": "Stress"}


def _arm(lesson: Lesson, loops_off: Iterable[str], offer: bool | None, coverage: float | None) -> dict[str, Any]:
    intervention = lesson.intervention
    interventions: list[dict[str, Any]] = []
    if intervention is not None and offer is not False:
        spec = {key: (dict(v) if isinstance(v, Mapping) else v) for key, v in intervention.items()}
        if coverage is not None:
            spec["coverage"] = float(coverage)
        interventions.append(spec)
    return {"pathways_off": sorted(loops_off), "interventions": interventions}


def lesson_scenario(lesson: str | Lesson, *, people: int | None = None, years: int | None = None,
                    seed: int | None = None, coverage: float | None = None,
                    burn_in_years: float | None = None) -> Scenario:
    """The lesson as a scenario whose arms are every on/off combination of its loops (and of its offer), named
    by ``lessons.arm_name``; the first arm has every loop on (and no offer).  ``coverage`` replaces the offer's."""
    chosen = lookup(lesson)
    data = lesson_settings(chosen, people=people, years=years, seed=seed, burn_in_years=burn_in_years)
    data["name"] = chosen.name
    data["arms"] = {name: _arm(chosen, off, offer, coverage) for name, (off, offer) in combinations(chosen).items()}
    return scenario_from_dict(data, name=chosen.name)


def lesson_model(lesson: str | Lesson, loops_off: Iterable[str] = (), *, offer: bool = True,
                 coverage: float | None = None, people: int | None = None, seed: int | None = None,
                 parameters: Mapping[str, float] | None = None) -> PathwaysModel:
    """One model of the lesson with ``loops_off`` switched off (each one of the lesson's loops) and, if the
    lesson has an intervention, its offer on or off at ``coverage``; ``parameters`` override the lesson's
    (a slider's loop strength).  The same start as every arm of ``lesson_scenario`` with the same seed."""
    chosen = lookup(lesson)
    off = check_loops(chosen, loops_off)
    data = lesson_settings(chosen, people=people, seed=seed)
    data["name"] = chosen.name
    data.update(_arm(chosen, off, offer if chosen.intervention is not None else None, coverage))
    if parameters:
        data["parameters"] = {**data.get("parameters", {}), **dict(parameters)}
    spec = scenario_from_dict(data, name=chosen.name)
    return PathwaysModel(rng=spec.seed, **spec.model_kwargs())


@dataclass(frozen=True)
class LessonRuns:
    """Every on/off combination of a lesson, run with the same seed: tidy ``results`` (a ``scenario`` column
    names the arm), and each arm's loops off and offer."""

    lesson: Lesson
    result: RunResult
    arms: Mapping[str, tuple[frozenset[str], bool | None]]

    @property
    def results(self) -> pd.DataFrame:
        return self.result.results

    def arm(self, loops_off: Iterable[str] = (), offer: bool | None = None) -> str:
        """The arm with these loops off (and the offer on or off, for a lesson with one)."""
        off = check_loops(self.lesson, loops_off)
        if self.lesson.intervention is not None and offer is None:
            offer = False
        name = arm_name(off, offer if self.lesson.intervention is not None else None)
        if name not in self.arms:
            raise LessonError(f"lesson {self.lesson.name} has no run {name}")
        return name


def run_lesson(lesson: str | Lesson, *, people: int | None = None, years: int | None = None,
               seed: int | None = None, burn_in_years: float | None = None, workers: int = 1,
               quiet: bool = True) -> LessonRuns:
    """Run every on/off combination of the lesson (one replicate each, the same seed: common random numbers);
    ``people``, ``years``, ``seed`` and ``burn_in_years`` replace the lesson's own."""
    chosen = lookup(lesson)
    spec = lesson_scenario(chosen, people=people, years=years, seed=seed, burn_in_years=burn_in_years)
    result = run_arms({arm: spec.model_kwargs(arm) for arm in spec.arms}, years=spec.years, seed=spec.seed,
                      replicates=1, workers=workers, quiet=quiet, label=chosen.name)
    result.scenarios = [spec]
    return LessonRuns(chosen, result, combinations(chosen))


def by_quintile(results: pd.DataFrame, arm: str, metric: str) -> pd.DataFrame:
    """One arm's ``metric`` by year (rows) and area deprivation quintile (columns 1 most deprived .. 5)."""
    rows = results[(results["scenario"] == arm) & (results["metric"] == metric)
                   & (results["group_type"] == GROUP_TYPE)]
    if rows.empty:
        raise LessonError(f"no {metric} by {GROUP_TYPE} in run {arm}")
    table = rows.pivot_table(index="year", columns="group", values="value", aggfunc="mean")
    table.columns = [int(float(c)) for c in table.columns]
    return table.sort_index(axis=1)


def gap_over_time(results: pd.DataFrame, arm: str, metric: str) -> pd.Series:
    """``metric`` in the most deprived fifth of areas minus the least deprived, by year."""
    table = by_quintile(results, arm, metric)
    return (table[1] - table[5]).rename(f"{metric} gap (quintile 1 - quintile 5)")
