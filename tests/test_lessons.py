"""Each preset lesson shows what its look-for text says, at the lesson's own size and seed (the runs a class
sees), and the lessons are well formed."""

from __future__ import annotations

import pytest

from pathways_sim.experiments.runner import run_arms
from pathways_sim.mechanisms.registry import LOOPS
from pathways_sim.teaching import LESSONS, LessonError, by_quintile, lesson_model, lesson_scenario, lookup, run_lesson
from pathways_sim.teaching.lessons import arm_name

LAST = 3  # the page's bars and gap: the mean of the last three years


def _runs(name: str, arms: list[str]):
    """Only the runs a claim compares, at the lesson's own size and seed (the same numbers as ``run_lesson``)."""
    spec = lesson_scenario(name)
    return run_arms({arm: spec.model_kwargs(arm) for arm in arms}, years=spec.years, seed=spec.seed, replicates=1,
                    quiet=True).results


def _last(results, arm, metric) -> list[float]:
    return by_quintile(results, arm, metric).iloc[-LAST:].mean().tolist()


def test_lessons_are_well_formed():
    assert set(LESSONS) == {"loneliness_trap", "stress_gradient", "universal_widens", "proportionate_universalism",
                            "where_the_gap_comes_from"}
    for lesson in LESSONS.values():
        assert lesson.loops and set(lesson.loops) <= set(LOOPS)
        assert 2 <= lesson.look_for.count(". ") + 1 <= 5
        assert 2000 <= lesson.settings["population"]["size"] <= 10_000
        spec = lesson_scenario(lesson)  # the settings and intervention pass the scenario checks
        assert next(iter(spec.arms)).startswith("loops_on")
    with pytest.raises(LessonError, match="loneliness_trap"):
        lookup("loneliness_trp")


def test_lesson_model_switches_only_the_lessons_loops():
    model = lesson_model("stress_gradient", ["stress_resilience"], people=500)
    assert model.switches.loops_off == {"stress_resilience"}
    with pytest.raises(LessonError, match="loop of this lesson"):
        lesson_model("stress_gradient", ["loneliness_ties"], people=500)


@pytest.mark.slow
def test_loneliness_and_stress_lessons_show_what_they_say():
    runs = run_lesson("loneliness_trap")
    on = _last(runs.results, "loops_on", "loneliness_prevalence")
    off = _last(runs.results, "off-loneliness_ties", "loneliness_prevalence")
    assert on[0] > on[4]
    assert all(b < a for a, b in zip(on, off, strict=True)), (on, off)  # falls everywhere
    assert on[0] - off[0] > on[4] - off[4] and off[0] - off[4] < on[0] - on[4]  # most where highest; gap narrows

    runs = run_lesson("stress_gradient")
    on = _last(runs.results, "loops_on", "mean_stress")
    off = _last(runs.results, arm_name(["stress_resilience", "stress_control"]), "mean_stress")
    assert on == sorted(on, reverse=True)  # a step-by-step gradient
    assert on[0] - off[0] > on[4] - off[4] and 0 < off[0] - off[4] < on[0] - on[4]  # narrows, does not close


@pytest.mark.slow
def test_offer_lessons_show_what_they_say():
    none, offer = arm_name((), False), arm_name((), True)
    res = _runs("universal_widens", [none, offer])
    offered = by_quintile(res, offer, "peer_support:offered").mean()
    reached = by_quintile(res, offer, "peer_support:reached").mean()
    assert offered[1] / offered[5] > 1.7  # about twice as many need it in the most deprived fifth
    assert reached[1] / reached[5] < 0.8 * offered[1] / offered[5]  # but they take it up less often
    before, after = _last(res, none, "cmd_prevalence"), _last(res, offer, "cmd_prevalence")
    drops = [a - b for a, b in zip(before, after, strict=True)]
    assert all(d > 0 for d in (drops[0], drops[4]))
    assert after[0] / after[4] >= before[0] / before[4]  # as many times worse off: the relative gap does not narrow

    res = _runs("proportionate_universalism", [none, offer])
    before, after = _last(res, none, "cmd_prevalence"), _last(res, offer, "cmd_prevalence")
    assert before[0] - after[0] > before[4] - after[4] > 0  # falls most in the most deprived
    assert after[0] - after[4] < before[0] - before[4] and sum(after) < sum(before)


@pytest.mark.slow
def test_where_the_gap_comes_from_shows_what_it_says():
    lesson = LESSONS["where_the_gap_comes_from"]
    arms = [arm_name(off) for off in [(), *[(loop,) for loop in lesson.loops], lesson.loops]]
    results = _runs(lesson.name, arms)
    levels = {arm: _last(results, arm, "cmd_prevalence") for arm in arms}
    gap = {arm: q[0] - q[4] for arm, q in levels.items()}
    on, alone = gap["loops_on"], {loop: gap[arm_name([loop])] for loop in lesson.loops}
    assert all(g < on for g in alone.values()), (on, alone)
    carried = {loop: on - g for loop, g in alone.items()}
    assert max(carried, key=carried.get) == "stress_resilience" and 0.35 < carried["stress_resilience"] / on < 0.65
    assert min(carried, key=carried.get) == "loneliness_ties"
    assert carried["support_buffering"] > carried["stress_control"] > carried["loneliness_ties"]
    assert 0 < gap[arm_name(lesson.loops)] < 0.5 * on  # all four off: a gap remains
