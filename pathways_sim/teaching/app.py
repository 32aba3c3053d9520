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

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from types import MappingProxyType

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import force_update

from pathways_sim.declarations.outcomes import OUTCOMES
from pathways_sim.mechanisms.registry import LOOPS, PATHWAYS
from pathways_sim.teaching.classroom import ClassroomModel, ClassroomSettings, ClassroomView, strength_sliders
from pathways_sim.teaching.lessons import LESSONS, lookup
from pathways_sim.teaching.live_plots import YEAR, gap_figure, gap_unit, loop_label, network_figure, quintile_figure
from pathways_sim.teaching.loop_diagram import draw_loop_diagram

FIRST_LESSON = "loneliness_trap"
WHEN_CHANGES_APPLY = ("Loop switches act from the next step (one step is one month). The strength and coverage "
                      "sliders act when you press Reset, which builds the lesson again from the same seed, so it "
                      "starts from the same people. Choosing a lesson starts it afresh.")
SHORT_WHEN = "Switches act from the next step (a month); the sliders further down act at Reset."
TITLE = "Pathways: switch a feedback loop off and watch the gap"


def gap_readout(view: ClassroomView) -> str:
    """The sentence the page shows (and the browser test reads): the lesson's gap now."""
    outcome, now = OUTCOMES[view.outcome], view.now
    q1, q5 = now.by_quintile[outcome.name][0], now.by_quintile[outcome.name][-1]
    unit = "%" if outcome.unit == "%" else ""
    words = gap_unit(outcome.name) if unit else f"on the {outcome.unit}"
    text = (f"Month {now.month}: {outcome.label.lower()} gap Q1-Q5: {now.gap(outcome.name):.2f} "
            f"{words} (Q1 most deprived {q1:.2f}{unit}, Q5 {q5:.2f}{unit}")
    if len(view.history) >= YEAR:  # a month's gap moves by chance; a year's mean less so
        mean = sum(m.gap(outcome.name) for m in view.history[-YEAR:]) / YEAR
        text += f"; 12-month mean {mean:.2f}"
    return text + ")"


def loops_readout(view: ClassroomView) -> str:
    words = ", ".join(loop_label(n) for n in sorted(view.loops_off)) if view.loops_off else "none"
    pending = "" if view.loops_off == view.running_loops_off else " (from the next step)"
    return f"Loops switched off: {words}{pending}"


def gap_panel(model: ClassroomModel) -> None:
    view = model.view()
    solara.Text(gap_readout(view), classes=["gap-readout"], style={"font-size": "1.1em", "font-weight": "bold"})
    solara.Text(loops_readout(view), classes=["loops-readout"])
    solara.FigureMatplotlib(gap_figure(view), format="png", bbox_inches="tight")


def quintile_panel(model: ClassroomModel) -> None:
    solara.FigureMatplotlib(quintile_figure(model.view()), format="png", bbox_inches="tight")


def network_panel(model: ClassroomModel) -> None:
    solara.FigureMatplotlib(network_figure(model.view()), format="png", bbox_inches="tight")


@solara.component
def LoopDiagram(loops_off: frozenset[str]) -> None:
    figure = solara.use_memo(lambda: draw_loop_diagram(loops_off=tuple(sorted(loops_off))), [loops_off])
    solara.Text("Causal loop diagram: R reinforcing, B balancing; loops switched off are grey")
    solara.FigureMatplotlib(figure, format="png", bbox_inches="tight", dependencies=[loops_off])


def diagram_panel(model: ClassroomModel) -> None:
    LoopDiagram(model.loops_off)


def _small(text: str, **style: str) -> None:
    solara.Div(children=[text], style={"font-size": "0.85em", "color": "#444", **style})


# SolaraViz's main area, on one page: two rows of two
PANELS = ((gap_panel, 0), (quintile_panel, 0), (diagram_panel, 0), (network_panel, 0))


@solara.component
def LessonControls(settings: solara.Reactive[ClassroomSettings], model: solara.Reactive[ClassroomModel]) -> None:
    """The lesson chooser, what to look for, and a switch per loop (the lesson's loops first)."""
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

    solara.Select("Lesson", value=lesson.title, values=list(titles), on_value=choose)
    _small(f"What to look for: {lesson.look_for}", margin_bottom="4px")
    _small(SHORT_WHEN, font_style="italic")
    ordered = [*lesson.loops, *(n for n in LOOPS if n not in lesson.loops)]
    _small("Feedback loops (on = running; * = this lesson's):", font_weight="bold", margin_top="4px")
    for name in ordered:
        LoopSwitch(name, name not in settings.value.loops_off, switch, name in lesson.loops)


@solara.component
def LoopSwitch(name: str, on: bool, switch: Callable[[str, bool], None], in_lesson: bool) -> None:
    """A compact switch for one loop (the loop diagram tells each loop's story)."""
    solara.v.Switch(label=loop_label(name) + (" *" if in_lesson else ""), v_model=on, dense=True, hide_details=True,
                    class_=f"mt-1 loop-switch loop-{name}", on_v_model=lambda value: switch(name, bool(value)))


def _slider_step(high: float) -> float:
    """A round step, so the lesson's values lie on the slider's grid (a slider snaps to its steps)."""
    return 0.01 if high <= 0.5 else 0.05


@solara.component
def SliderControls(settings: solara.Reactive[ClassroomSettings], model: solara.Reactive[ClassroomModel]) -> None:
    """Loop strengths and the offer's coverage: they act at Reset."""
    lesson = lookup(settings.value.lesson)

    def set_strength(parameter: str, value: float) -> None:
        settings.value = replace(settings.value,
                                 strengths=MappingProxyType({**settings.value.strengths, parameter: float(value)}))

    with solara.Card("Loop strengths and coverage"):
        solara.Info(WHEN_CHANGES_APPLY, dense=True, classes=["when-changes-apply"])
        built = model.value.settings
        changed = (any(abs(v - built.strengths[k]) > 1e-9 for k, v in settings.value.strengths.items())
                   or settings.value.coverage != built.coverage)
        if changed:
            solara.Warning("Changed: press Reset to run with these values.", dense=True)
        for slider in strength_sliders():
            high = max(slider.plausible[1], settings.value.strengths[slider.parameter])
            value = settings.value.strengths[slider.parameter]
            solara.SliderFloat(slider.pathway.replace("_", " "), value=value, min=0.0, max=high,
                               step=_slider_step(high), on_value=partial(set_strength, slider.parameter))
            _small(f"{value:g} {slider.unit} (plausible {slider.plausible[0]:g}-{slider.plausible[1]:g}): "
                   f"{PATHWAYS[slider.pathway].description}", margin_top="-18px", margin_bottom="6px")
        _small("0 cuts a link, as switching its loop off does.", margin_bottom="8px")
        if lesson.intervention is None:
            _small("This lesson has no offer, so no coverage to set.")
        else:
            coverage = settings.value.coverage or 0.0
            solara.SliderFloat(f"{lesson.intervention['kind'].replace('_', ' ')} coverage", value=coverage, min=0.0,
                               max=1.0, step=0.05,
                               on_value=lambda v: settings.set(replace(settings.value, coverage=float(v))))
            _small(f"{coverage:g}: the share of those offered whom the offer reaches; 0 = no offer",
                   margin_top="-18px")


@solara.component
def Page() -> None:
    """One browser session's page, with its own settings and its own model."""
    settings = solara.use_reactive(ClassroomSettings.for_lesson(FIRST_LESSON))
    first = solara.use_memo(lambda: ClassroomModel(settings.value), [])
    model: solara.Reactive[ClassroomModel] = solara.use_reactive(first)
    with solara.Sidebar(), solara.Card("Lesson", classes=["lesson-card"]):
        LessonControls(settings, model)

    def current() -> ClassroomSettings:  # what Reset builds from: the controls as they are when it is pressed
        return settings.value

    SolaraViz(model, components=list(PANELS), model_params={"settings": current}, name=TITLE, play_interval=50,
              render_interval=1)
    SideBarSliders(settings, model)


@solara.component
def SideBarSliders(settings: solara.Reactive[ClassroomSettings], model: solara.Reactive[ClassroomModel]) -> None:
    """The sliders, in the side bar below Mesa's controls: solara orders the side bar by how deep in the page
    each part is placed, so this one sits a level deeper than SolaraViz's."""
    SideBarPart(settings, model)


@solara.component
def SideBarPart(settings: solara.Reactive[ClassroomSettings], model: solara.Reactive[ClassroomModel]) -> None:
    with solara.Sidebar():
        SliderControls(settings, model)
