"""The live teaching page's model and command, without a browser (tests/test_teaching_browser.py drives the page).

``ClassroomModel`` must run exactly what ``lesson_model`` runs, switch loops from the next step and no sooner,
build again from whatever the controls say when Reset is pressed, and measure the states by fifth of areas as the
results table does.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from pathways_sim.interfaces.cli import main
from pathways_sim.interfaces.commands import teach
from pathways_sim.mechanisms.registry import LOOPS
from pathways_sim.teaching.classroom import ClassroomModel, ClassroomSettings, strength_sliders
from pathways_sim.teaching.lessons import LESSONS, LessonError
from pathways_sim.teaching.runs import lesson_model

PEOPLE = 1_000  # about 20 areas of 50: small and quick, still five fifths of areas
LESSON = "loneliness_trap"


def small(lesson: str = LESSON, **changes) -> ClassroomSettings:
    settings = ClassroomSettings.for_lesson(lesson, people=PEOPLE)
    return ClassroomSettings(**{**settings.__dict__, **changes})


def same_people(a, b) -> bool:
    pa, pb = a.population, b.population
    return all(np.array_equal(getattr(pa, name), getattr(pb, name)) for name in ("alive", "stress", "loneliness",
                                                                                 "cmd", "age"))


def test_a_loop_switched_off_runs_what_the_lesson_model_runs():
    page = ClassroomModel(small(loops_off=frozenset({"loneliness_ties"})))
    reference = lesson_model(LESSON, ["loneliness_ties"], people=PEOPLE)
    for _ in range(6):
        page.step()
        reference.step()
    assert page.pathways.switches == reference.switches
    assert same_people(page.pathways, reference)


def test_a_switch_acts_from_the_next_step_and_the_record_says_when():
    page = ClassroomModel(small())
    page.step()
    page.switch_loops(["loneliness_ties"])
    assert page.loops_off == {"loneliness_ties"}  # as switched ...
    assert not page.pathways.switches.loops_off  # ... but the month already run had it on
    assert page.history[-1].loops_off == frozenset()
    page.step()
    assert page.pathways.switches.loops_off == {"loneliness_ties"}
    assert page.history[-1].loops_off == {"loneliness_ties"}
    assert page.pathways.world.strength["loneliness_withdrawal"] == 0.0
    assert [m.month for m in page.history] == [0, 1, 2]


def test_switching_before_the_first_step_equals_building_with_the_loop_off():
    live = ClassroomModel(small())
    live.switch_loops(["loneliness_ties", "stress_control"])
    built = ClassroomModel(small(loops_off=frozenset({"loneliness_ties", "stress_control"})))
    for _ in range(4):
        live.step()
        built.step()
    assert same_people(live.pathways, built.pathways)


def test_reset_builds_from_the_settings_as_they_are_then():
    current = {"settings": small()}
    page = ClassroomModel(lambda: current["settings"])
    strengths = {**current["settings"].strengths, "loneliness_withdrawal_strength": 0.4}
    current["settings"] = small(strengths=strengths)
    again = ClassroomModel(lambda: current["settings"])  # what Mesa's Reset does with the page's function
    assert page.pathways.params["loneliness_withdrawal_strength"] == 2.0  # the lesson's value
    assert again.pathways.params["loneliness_withdrawal_strength"] == 0.4


def test_the_monthly_record_matches_the_results_table_at_the_year_end():
    page = ClassroomModel(small())
    for _ in range(page.pathways.world.steps_per_year):
        page.step()
    table = page.pathways.results()
    year = table["year"].max()
    rows = table[(table["year"] == year) & (table["group_type"] == "area_deprivation_quintile")]
    for metric in ("mean_stress", "loneliness_prevalence", "cmd_prevalence"):
        expected = rows[rows["metric"] == metric].sort_values("group")["value"].to_numpy()
        scale = 1.0 if metric == "mean_stress" else 100.0
        assert np.allclose(np.array(page.history[-1].by_quintile[metric]), expected * scale), metric
    last = page.history[-1]
    assert page.gap == pytest.approx(last.by_quintile["loneliness_prevalence"][0]
                                     - last.by_quintile["loneliness_prevalence"][4])


def test_every_loop_has_a_strength_slider_and_every_lesson_starts_with_every_loop_on():
    assert {s.loop for s in strength_sliders()} == set(LOOPS)
    for name in LESSONS:
        settings = ClassroomSettings.for_lesson(name)
        assert settings.loops_off == frozenset()
        assert set(settings.strengths) == {s.parameter for s in strength_sliders()}
        assert (settings.coverage is None) == (LESSONS[name].intervention is None)
    assert ClassroomSettings.for_lesson(LESSON).strengths["loneliness_withdrawal_strength"] == 2.0
    with pytest.raises(LessonError, match="unknown loop"):
        small().with_loops_off(["no_such_loop"])


def test_the_tie_sample_keeps_its_layout_and_drops_the_dead():
    page = ClassroomModel(small())
    sample = page.ties
    first_xy = sample.xy.copy()
    assert 0 < sample.slots.size <= 300 and set(np.unique(sample.area_group)) == {0, 1}
    for _ in range(24):
        page.step()
    assert np.array_equal(sample.xy, first_xy)
    alive = page.pathways.population.alive[sample.slots]
    assert not np.any(sample.tracked & ~alive)  # nobody dead is drawn


def test_teach_without_the_extra_says_how_to_install_it(monkeypatch, capsys):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "solara_assets" else real(name))
    assert main(["teach", "--port", "0"]) == 2
    assert 'pip install "pathways_sim[teach]"' in capsys.readouterr().err


def test_teach_refuses_a_bad_port(capsys):
    assert main(["teach", "--port", "70000"]) == 2
    assert "port: must be 0" in capsys.readouterr().err


def test_teach_serves_the_app_module_on_loopback_without_telemetry():
    command = teach.server_command("127.0.0.1", 8123)
    assert command[1:5] == ["-m", "solara", "run", "pathways_sim.teaching.app"]
    assert command[5:9] == ["--host", "127.0.0.1", "--port", "8123"] and "--no-check-version" in command
    assert teach.OFFLINE_ENV["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "false"


def test_the_coverage_slider_sets_the_offer_and_zero_means_none():
    lesson = "proportionate_universalism"
    offered = ClassroomModel(small(lesson, coverage=0.3))
    (intervention,) = offered.pathways.world.interventions
    assert intervention.config.coverage == 0.3
    assert ClassroomModel(small(lesson, coverage=0.0)).pathways.world.interventions == ()


def test_views_taken_while_the_model_plays_are_whole_months():
    import threading

    from pathways_sim.teaching.live_plots import gap_figure, network_figure, quintile_figure

    page = ClassroomModel(small())
    playing = threading.Thread(target=lambda: [page.step() for _ in range(24)])  # Mesa's Play thread
    playing.start()
    views = []
    while playing.is_alive() or not views:
        view = page.view()
        assert [m.month for m in view.history] == list(range(len(view.history)))
        assert view.ties.stress.size == view.ties.xy.shape[0]
        assert view.ties.tie_from.max(initial=-1) < view.ties.stress.size
        for draw in (gap_figure, quintile_figure, network_figure):
            draw(view)
        views.append(view.now.month)
    playing.join()
    assert page.view().now.month == 24
