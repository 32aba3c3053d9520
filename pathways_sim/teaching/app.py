"""The live teaching page: Mesa's SolaraViz over a lesson's ``PathwaysModel``.

Run it with ``pathways-sim teach`` (or ``solara run pathways_sim/teaching/app.py``).  A class chooses a lesson,
switches feedback loops off and on, steps or plays the model a month at a time and watches the gap between the
most and least deprived fifth of areas respond; the page also shows stress, loneliness and mental disorder by
fifth of areas, the ties of a few hundred people coloured by stress, and the causal loop diagram with the loops
switched off greyed.

Every browser session gets its own model: ``Page`` builds it when the session first renders (``use_memo``), so
one class's switches never move another's run.  When settings act is said on the page (``WHEN_CHANGES_APPLY``).
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import force_update

from pathways_sim.declarations.outcomes import OUTCOMES
from pathways_sim.mechanisms.registry import LOOPS
from pathways_sim.teaching.classroom import ClassroomModel, ClassroomSettings, strength_sliders
from pathways_sim.teaching.lessons import LESSONS, lookup
from pathways_sim.teaching.live_plots import gap_figure, gap_unit, loop_label, network_figure, quintile_figure

FIRST_LESSON = "loneliness_trap"
WHEN_CHANGES_APPLY = ("Loop switches act from the next step (one step is one month). The strength and coverage "
                      "sliders act when you press Reset, which builds the lesson again from the same seed, so it "
                      "starts from the same people. Choosing a lesson starts it afresh.")
TITLE = "Pathways: switch a feedback loop off and watch the gap"


def gap_readout(model: ClassroomModel) -> str:
    """The sentence the page shows (and the browser test reads): the lesson's gap now."""
    outcome = OUTCOMES[model.lesson.outcome]
    now = model.history[-1]
    q1, q5 = now.by_quintile[outcome.name][0], now.by_quintile[outcome.name][-1]
    unit = "%" if outcome.unit == "%" else ""
    return (f"Month {now.month}: {outcome.label.lower()} gap Q1-Q5: {now.gap(outcome.name):.2f} "
            f"{gap_unit(outcome.name)} (most deprived fifth {q1:.2f}{unit}, least deprived {q5:.2f}{unit})")


def loops_readout(model: ClassroomModel) -> str:
    off = model.loops_off
    running = model.pathways.switches.loops_off
    words = ", ".join(loop_label(n) for n in sorted(off)) if off else "none"
    pending = "" if off == running else " (from the next step)"
    return f"Loops switched off: {words}{pending}"


def gap_panel(model: ClassroomModel) -> None:
    solara.Text(gap_readout(model), classes=["gap-readout"], style={"font-size": "1.1em", "font-weight": "bold"})
    solara.Text(loops_readout(model), classes=["loops-readout"])
    solara.FigureMatplotlib(gap_figure(model), format="png", bbox_inches="tight")


def quintile_panel(model: ClassroomModel) -> None:
    solara.FigureMatplotlib(quintile_figure(model), format="png", bbox_inches="tight")


def network_panel(model: ClassroomModel) -> None:
    solara.FigureMatplotlib(network_figure(model), format="png", bbox_inches="tight")


@solara.component
def LoopDiagram(loops_off: frozenset[str]) -> None:
    from pathways_sim.teaching.loop_diagram import draw_loop_diagram

    figure = solara.use_memo(lambda: draw_loop_diagram(loops_off=tuple(sorted(loops_off))), [loops_off])
    solara.Text("Causal loop diagram: R reinforcing, B balancing; loops switched off are grey")
    solara.FigureMatplotlib(figure, format="png", bbox_inches="tight", dependencies=[loops_off])


def diagram_panel(model: ClassroomModel) -> None:
    LoopDiagram(model.loops_off)


@solara.component
def LessonControls(settings: solara.Reactive[ClassroomSettings], model: solara.Reactive[ClassroomModel]) -> None:
    """The lesson chooser, a switch per loop and the sliders, in the sidebar."""
    lesson = lookup(settings.value.lesson)
    titles = {chosen.title: name for name, chosen in LESSONS.items()}

    def choose(title: str) -> None:
        settings.value = ClassroomSettings.for_lesson(titles[title])
        model.value = ClassroomModel(settings.value)

    def switch(loop: str, on: bool) -> None:
        off = settings.value.loops_off - {loop} if on else settings.value.loops_off | {loop}
        settings.value = settings.value.with_loops_off(off)
        model.value.switch_loops(off)
        force_update()

    with solara.Card("Lesson"):
        solara.Select("Lesson", value=lesson.title, values=list(titles), on_value=choose)
        solara.Markdown(f"**What to look for.** {lesson.look_for}")
        solara.Info(WHEN_CHANGES_APPLY, dense=True, classes=["when-changes-apply"])
    with solara.Card("Feedback loops (on = running)"):
        ordered = [*lesson.loops, *(n for n in LOOPS if n not in lesson.loops)]
        for index, name in enumerate(ordered):
            if index == len(lesson.loops):
                solara.Text("Other loops", style={"font-weight": "bold", "margin-top": "8px"})
            solara.Switch(label=loop_label(name), value=name not in settings.value.loops_off,
                          on_value=lambda on, name=name: switch(name, on))
            solara.Text(LOOPS[name].description, style={"font-size": "0.8em", "color": "#555"})
    SliderControls(settings, model)


@solara.component
def SliderControls(settings: solara.Reactive[ClassroomSettings], model: solara.Reactive[ClassroomModel]) -> None:
    """Loop strengths and the offer's coverage: they act at Reset."""
    lesson = lookup(settings.value.lesson)

    def set_strength(parameter: str, value: float) -> None:
        settings.value = replace(settings.value,
                                 strengths=MappingProxyType({**settings.value.strengths, parameter: float(value)}))

    with solara.Card("Strengths and coverage (act at Reset)"):
        changed = (settings.value.strengths != model.value.settings.strengths
                   or settings.value.coverage != model.value.settings.coverage)
        if changed:
            solara.Warning("Changed: press Reset to run with these values.", dense=True)
        for slider in strength_sliders():
            high = max(slider.plausible[1], settings.value.strengths[slider.parameter])
            solara.SliderFloat(slider.label, value=settings.value.strengths[slider.parameter], min=0.0, max=high,
                               step=round(high / 40, 3), on_value=lambda v, p=slider.parameter: set_strength(p, v))
        solara.Text("0 cuts a link, as switching its loop off does.", style={"font-size": "0.8em"})
        if lesson.intervention is None:
            solara.Text("This lesson has no offer (no coverage to set).", style={"font-size": "0.9em"})
        else:
            solara.SliderFloat(f"{lesson.intervention['kind'].replace('_', ' ')} coverage (share offered; 0 = none)",
                               value=settings.value.coverage or 0.0, min=0.0, max=1.0, step=0.05,
                               on_value=lambda v: settings.set(replace(settings.value, coverage=float(v))))


@solara.component
def Page() -> None:
    """One browser session's page, with its own settings and its own model."""
    settings = solara.use_reactive(ClassroomSettings.for_lesson(FIRST_LESSON))
    first = solara.use_memo(lambda: ClassroomModel(settings.value), [])
    model = solara.use_reactive(first)
    with solara.Sidebar():
        LessonControls(settings, model)
    SolaraViz(model, components=[(gap_panel, 0), (quintile_panel, 0), (network_panel, 0), (diagram_panel, 0)],
              model_params={"settings": lambda: settings.value}, name=TITLE, play_interval=50, render_interval=1)
