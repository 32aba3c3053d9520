"""The live page's model: one lesson's ``PathwaysModel``, loops switched while it runs, and a month-by-month record.

``ClassroomModel`` is the ``mesa.Model`` the teaching page (``teaching.app``) hands to Mesa's SolaraViz.  It
builds the lesson's model with ``runs.lesson_model`` from ``ClassroomSettings`` (the lesson, the loops off, the
strengths of the loops' feedback links, the offer's coverage) and, each step (one month), records the mean of
stress, loneliness and mental disorder in each fifth of areas by deprivation, so the page can plot them and
the gap between the most and least deprived fifth as they move.

When settings act: the loops switched off act from the next step (``switch_loops``; a switch flipped while the
model plays is applied between two steps, never inside one); the strengths and the coverage act when the model
is built again (the page's Reset), from the same seed, so the new run starts from the same synthetic people.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import mesa
import numpy as np

from pathways_sim.declarations.outcomes import OUTCOMES, in_ages
from pathways_sim.mechanisms.parameters import PARAMETERS
from pathways_sim.mechanisms.registry import LOOPS, PATHWAYS
from pathways_sim.model import PathwaysModel
from pathways_sim.teaching.lessons import LessonError, lesson_settings, lookup
from pathways_sim.teaching.runs import lesson_model
from pathways_sim.teaching.ties_sample import TieSample, TieView

# The states the page plots by fifth of areas (and the outcomes a lesson's gap may follow), each with who
# counts (declared in OUTCOMES) and the value each person contributes.
LIVE_OUTCOMES = ("mean_stress", "loneliness_prevalence", "cmd_prevalence", "not_good_health_prevalence")


@dataclass(frozen=True)
class StrengthSlider:
    """A slider for the strength of one loop's feedback link (a pathway that switching the loop off cuts)."""

    loop: str
    pathway: str
    parameter: str
    unit: str
    default: float
    plausible: tuple[float, float]

    @property
    def label(self) -> str:
        return f"{self.pathway.replace('_', ' ')} ({self.unit})"


def strength_sliders() -> tuple[StrengthSlider, ...]:
    """One slider per feedback link of every loop in the registry, in the registry's order."""
    sliders = []
    for loop in LOOPS.values():
        for name in loop.cut:
            param = PARAMETERS[PATHWAYS[name].strength.name]
            sliders.append(StrengthSlider(loop.name, name, param.name, param.unit, float(param.default),
                                          (float(param.plausible[0]), float(param.plausible[1]))))
    return tuple(sliders)


@dataclass(frozen=True)
class ClassroomSettings:
    """What a run of the page is built from: a lesson (a name in ``LESSONS``), the loops switched off, the
    strengths of the loops' feedback links (parameter name -> value; those not given keep the lesson's), the
    coverage of the lesson's offer (share of those offered whom it reaches, 0-1; 0 = no offer; None when the
    lesson has none), and optionally the number of people and the seed (else the lesson's)."""

    lesson: str
    loops_off: frozenset[str] = frozenset()
    strengths: Mapping[str, float] = field(default_factory=dict)
    coverage: float | None = None
    people: int | None = None
    seed: int | None = None

    @classmethod
    def for_lesson(cls, name: str, *, people: int | None = None, seed: int | None = None) -> ClassroomSettings:
        """The lesson as it starts: every loop on, its strengths and its offer's coverage."""
        chosen = lookup(name)
        given = chosen.settings.get("parameters", {})
        strengths = {s.parameter: float(given.get(s.parameter, s.default)) for s in strength_sliders()}
        coverage = None if chosen.intervention is None else float(chosen.intervention.get("coverage", 1.0))
        return cls(chosen.name, frozenset(), MappingProxyType(strengths), coverage, people, seed)

    def with_loops_off(self, loops_off: Iterable[str]) -> ClassroomSettings:
        names = frozenset(loops_off)
        unknown = sorted(names - set(LOOPS))
        if unknown:
            raise LessonError(f"unknown loop(s) {', '.join(unknown)}; the loops are {', '.join(LOOPS)}")
        return replace(self, loops_off=names)


@dataclass(frozen=True)
class Month:
    """One month of the run: its index (0 = the start), the calendar year, the loops off during the month just
    simulated, and each live outcome's value in each fifth of areas (index 0 = the most deprived), in the unit
    shown (percent for prevalences, the 0-1 index for stress)."""

    month: int
    year: float
    loops_off: frozenset[str]
    by_quintile: Mapping[str, tuple[float, ...]]

    def gap(self, outcome: str) -> float:
        """Most minus least deprived fifth of areas (Q1 - Q5), in the outcome's unit shown."""
        values = self.by_quintile[outcome]
        return values[0] - values[-1]


@dataclass(frozen=True)
class ClassroomView:
    """The run as the page draws it: the lesson's outcome, every month so far, the loops off as switched and as
    the last step ran, and the tie sample now."""

    outcome: str
    history: tuple[Month, ...]
    loops_off: frozenset[str]
    running_loops_off: frozenset[str]
    ties: TieView

    @property
    def now(self) -> Month:
        return self.history[-1]


def quintile_values(model: PathwaysModel) -> dict[str, tuple[float, ...]]:
    """Each live outcome's mean among those it counts, in each fifth of areas by deprivation (1 = most)."""
    pop, world = model.population, model.world
    quintile = (world.areas.decile[pop.area].astype(np.int64) + 1) // 2
    person = {"mean_stress": pop.stress, "cmd_prevalence": pop.cmd, "not_good_health_prevalence": pop.poor_health,
              # as the results count it (results.collector): loneliness above the threshold
              "loneliness_prevalence": pop.loneliness > world.params["lonely_threshold"]}
    out = {}
    for name in LIVE_OUTCOMES:
        who = in_ages(OUTCOMES[name], pop.age, pop.alive)
        counts = np.bincount(quintile[who], minlength=6)[1:6]
        sums = np.bincount(quintile[who], weights=person[name][who].astype(np.float64), minlength=6)[1:6]
        means = np.divide(sums, counts, out=np.full(5, np.nan), where=counts > 0)
        out[name] = tuple(float(v) for v in OUTCOMES[name].display(means))
    return out


class ClassroomModel(mesa.Model):
    """A lesson run for the live page; ``step()`` is one month.

    ``settings`` is a ``ClassroomSettings``, or a function returning the current ones: the page passes a
    function, so that Mesa's Reset (which builds the model again with the same arguments) reads what the
    page's controls say at that moment."""

    def __init__(self, settings: ClassroomSettings | Callable[[], ClassroomSettings]):
        chosen = settings() if callable(settings) else settings
        lesson = lookup(chosen.lesson)
        super().__init__(rng=lesson_settings(lesson, seed=chosen.seed)["seed"])
        self.settings = chosen
        self.lesson = lesson
        if self.lesson.outcome not in LIVE_OUTCOMES:
            raise LessonError(f"lesson {self.lesson.name}: the live page follows {', '.join(LIVE_OUTCOMES)}, "
                              f"not {self.lesson.outcome}")
        offer = chosen.coverage is not None and chosen.coverage > 0
        self.pathways = lesson_model(self.lesson, (), offer=offer, coverage=chosen.coverage if offer else None,
                                     people=chosen.people, seed=chosen.seed, parameters=dict(chosen.strengths))
        self.pathways.set_pathways_off(chosen.loops_off)
        self._pending: frozenset[str] | None = None
        # A step (which may run in Mesa's play thread) and a view the page draws never overlap: a view is the
        # state between two steps, never half of one.
        self._lock = threading.RLock()
        self.ties = TieSample.draw(self.pathways, seed=self.pathways.seed)
        self.history: list[Month] = [self._measure(0)]

    @property
    def loops_off(self) -> frozenset[str]:
        """The loops off as switched: those the next step will run with."""
        with self._lock:
            return self._pending if self._pending is not None else self.pathways.switches.loops_off

    def switch_loops(self, loops_off: Iterable[str]) -> None:
        """Switch these loops off (and the others on) from the next step."""
        names = self.settings.with_loops_off(loops_off).loops_off
        with self._lock:
            self._pending = names
            self.settings = replace(self.settings, loops_off=names)

    def step(self) -> None:
        with self._lock:
            if self._pending is not None:
                self.pathways.set_pathways_off(self._pending)
                self._pending = None
            self.pathways.step()
            self.ties.forget(self.pathways.last_step.died)
            self.history.append(self._measure(len(self.history)))

    def view(self) -> ClassroomView:
        """What the page draws, taken between two steps."""
        with self._lock:
            return ClassroomView(self.lesson.outcome, tuple(self.history), self.loops_off,
                                 self.pathways.switches.loops_off, self.ties.view(self.pathways))

    def _measure(self, month: int) -> Month:
        return Month(month, self.pathways.year, self.pathways.switches.loops_off,
                     MappingProxyType(quintile_values(self.pathways)))

    @property
    def month(self) -> int:
        return self.history[-1].month

    @property
    def gap(self) -> float:
        """The lesson's gap now: its outcome, most minus least deprived fifth of areas."""
        return self.history[-1].gap(self.lesson.outcome)
