"""Preset lessons: what a class runs, which feedback loops it may switch off, and what to look for.

A ``Lesson`` is data: a title, two or three plain sentences of what to look for, the loops (names in
``pathways_sim.LOOPS``) a class may switch off, scenario-style settings (population, years, burn-in, parameter
values) and at most one intervention, in the scenario format, whose coverage a slider may set.  The live page
(``pathways-sim teach``), the offline lesson (``pathways-sim lesson``) and the teaching notebook build their
models from here (``lesson_scenario``, ``lesson_model``, ``run_lesson``), so all three show the same thing.

Switching a loop off cuts its feedback link only (``Loop.cut``): the exposures that feed the loop and the states
it acts on stay (with the loneliness loop off, ties still relieve loneliness; loneliness no longer costs ties).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from pathways_sim.declarations.declare import unknown_name_message
from pathways_sim.mechanisms.registry import LOOPS

__all__ = ["LESSONS", "Lesson", "LessonError", "arm_name", "combinations", "lesson_settings", "lookup"]

# Deprivation quintiles of areas need enough areas: about 200 people an area gives 20 areas at 4,000 people.
_SMALL_AREAS = {"size": 4000, "people_per_area": 200}
MIN_PEOPLE = 500


class LessonError(ValueError):
    """A lesson, loop or setting that does not exist (the message names it and what is allowed)."""


@dataclass(frozen=True)
class Lesson:
    """One preset lesson.

    ``outcome`` is the result (a metric of ``PathwaysModel.results``) whose gap between the most and least
    deprived fifth of areas the lesson follows."""

    name: str
    title: str
    look_for: str
    loops: tuple[str, ...]
    settings: Mapping[str, Any]
    intervention: Mapping[str, Any] | None = None
    outcome: str = "cmd_prevalence"

    def __post_init__(self) -> None:
        for loop in self.loops:
            if loop not in LOOPS:
                raise LessonError(f"lesson {self.name}: {unknown_name_message(loop, list(LOOPS), 'loop')}")


def _settings(years: int = 15, **parameters: float) -> Mapping[str, Any]:
    return MappingProxyType({"seed": 2025, "population": dict(_SMALL_AREAS),
                             "time": {"years": years, "burn_in_years": 20}, "parameters": dict(parameters)})


LESSONS: Mapping[str, Lesson] = MappingProxyType({lesson.name: lesson for lesson in [
    Lesson(
        "loneliness_trap", "The loneliness trap",
        "Past a point, loneliness feeds itself: people who feel lonely withdraw, lose friends and grow lonelier. "
        "More people in the most deprived areas are past that point. Switch the loneliness loop off (lonely "
        "people no longer withdraw; friends still ease loneliness) and loneliness falls everywhere, most in the "
        "most deprived areas, so the gap narrows.",
        ("loneliness_ties",), _settings(loneliness_withdrawal_strength=2.0), outcome="loneliness_prevalence"),
    Lesson(
        "stress_gradient", "Stress and the social gradient",
        "Stress falls step by step from the most to the least deprived fifth of areas: a gradient, not a line "
        "between the poor and everyone else. Stress wears down resilience and the sense of control, which lets "
        "the same hardship cause more stress. Switch those loops off and stress falls most where it was highest, "
        "so the gap narrows but does not close: hardship itself still causes stress.",
        ("stress_resilience", "stress_control"), _settings(), outcome="mean_stress"),
    Lesson(
        "universal_widens", "Why universal offers can widen gaps",
        "Peer support is offered to everyone who is lonely or has a mental disorder: about twice as many people "
        "in the most deprived fifth of areas as in the least. But people there take it up less often (less sense "
        "of control, more stigma, less trust in services), so the offer reaches only about half as many again. "
        "Switch the offer on: mental disorder falls in every fifth of areas, but the most deprived stay as many "
        "times worse off than the least: measured relative to their levels, the gap does not narrow.",
        ("loneliness_ties",), _settings(),
        intervention=MappingProxyType({"kind": "peer_support", "coverage": 1.0,
                                       "targeting": {"strategy": "universal"}})),
    Lesson(
        "proportionate_universalism", "Proportionate universalism",
        "The same peer support is offered to everyone who needs it, with more of it where deprivation is greater "
        "(proportionate universalism, Marmot 2010). Switch the offer on: mental disorder falls most in the most "
        "deprived areas, so the gap narrows a little as well as the average falling. At a few thousand people "
        "chance moves these numbers by about a point, so compare the pattern across the fifths of areas.",
        ("loneliness_ties",), _settings(),
        intervention=MappingProxyType({"kind": "peer_support", "coverage": 1.0,
                                       "targeting": {"strategy": "proportionate", "gradient": 2}})),
    Lesson(
        "where_the_gap_comes_from", "Where the gap comes from",
        "Several feedback loops carry the gap in mental disorder between the most and least deprived areas. "
        "Switch them off one at a time: stress wearing down resilience carries the most (about half), support "
        "against stress and stress taking away control less, the loneliness loop little. With all four off a "
        "gap remains, because hardship itself still raises stress.",
        ("stress_resilience", "stress_control", "loneliness_ties", "support_buffering"), _settings()),
]})


def lookup(name: str | Lesson) -> Lesson:
    """The lesson of that name (or the lesson itself); ``LessonError`` naming close matches otherwise."""
    if isinstance(name, Lesson):
        return name
    if name not in LESSONS:
        raise LessonError(unknown_name_message(str(name), list(LESSONS), "lesson"))
    return LESSONS[name]


def check_loops(lesson: Lesson, loops_off: Iterable[str]) -> frozenset[str]:
    """The loops named, each one of the lesson's (``LessonError`` otherwise)."""
    names = frozenset([loops_off] if isinstance(loops_off, str) else loops_off)
    for loop in sorted(names):
        if loop not in lesson.loops:
            raise LessonError(f"lesson {lesson.name}: "
                              + unknown_name_message(loop, list(lesson.loops), "loop of this lesson"))
    return names


def arm_name(loops_off: Iterable[str] = (), offer: bool | None = None) -> str:
    """A run's name: ``loops_on`` or ``off-<loop>-<loop>``, then ``.offer`` or ``.no_offer`` when the lesson
    has an intervention (``offer`` None: it has none)."""
    off = sorted(loops_off)
    name = "off-" + "-".join(off) if off else "loops_on"
    return name if offer is None else f"{name}.{'offer' if offer else 'no_offer'}"


def combinations(lesson: Lesson) -> dict[str, tuple[frozenset[str], bool | None]]:
    """Every on/off combination of the lesson's loops (and of its offer, if it has one), by arm name."""
    offers: Sequence[bool | None] = (False, True) if lesson.intervention is not None else (None,)
    out: dict[str, tuple[frozenset[str], bool | None]] = {}
    for count in range(len(lesson.loops) + 1):
        for off in itertools.combinations(lesson.loops, count):
            for offer in offers:
                out[arm_name(off, offer)] = (frozenset(off), offer)
    return out


def lesson_settings(lesson: Lesson, *, people: int | None = None, years: int | None = None,
                    seed: int | None = None, burn_in_years: float | None = None) -> dict[str, Any]:
    """The lesson's settings in the scenario format, with the population, years, seed or burn-in replaced if
    given.
    A smaller population keeps about 20 areas (at least 50 people each) so its quintiles still mean something."""
    data: dict[str, Any] = {key: (dict(value) if isinstance(value, Mapping) else value)
                            for key, value in lesson.settings.items()}
    if people is not None:
        if int(people) < MIN_PEOPLE:
            raise LessonError(f"people: a lesson needs at least {MIN_PEOPLE} people (10 neighbourhoods of 50, two "
                              f"in each fifth of areas), got {people}")
        data["population"] = {"size": int(people), "people_per_area": max(50, int(people) // 20)}
    if years is not None:
        data["time"] = {**data.get("time", {}), "years": int(years)}
    if seed is not None:
        data["seed"] = int(seed)
    if burn_in_years is not None:
        data["time"] = {**data.get("time", {}), "burn_in_years": burn_in_years}
    return data
