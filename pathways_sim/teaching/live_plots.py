"""The live page's figures (matplotlib): the gap over the months, the three states by fifth of areas, the ties.

Each function takes a ``ClassroomModel`` and returns a new ``Figure`` (the page shows them with
``solara.FigureMatplotlib``); none keeps a pyplot figure open, so a long session does not pile them up.
"""

from __future__ import annotations

import itertools

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from pathways_sim.declarations.outcomes import OUTCOMES
from pathways_sim.mechanisms.registry import LOOPS
from pathways_sim.teaching.classroom import ClassroomModel, Month
from pathways_sim.teaching.loop_diagram import LOOP_TITLES

QUINTILE_COLOURS = ("#b2182b", "#ef8a62", "#999999", "#67a9cf", "#2166ac")  # Q1 most deprived (red) .. Q5 (blue)
PANELS = ("mean_stress", "loneliness_prevalence", "cmd_prevalence")
STRESS_COLOURS = "magma_r"  # light = low stress, dark = high
YEAR = 12  # months in the gap's running mean (a few thousand people: a month's gap moves by chance)


def loop_label(name: str) -> str:
    """A loop as a class reads it: 'The loneliness trap (R)'."""
    return f"{LOOP_TITLES.get(name, name.replace('_', ' '))} ({LOOPS[name].kind})"


def gap_unit(outcome: str) -> str:
    """The unit of a gap in this outcome: percentage points for a percentage."""
    unit = OUTCOMES[outcome].unit
    return "percentage points" if unit == "%" else unit


def _switch_marks(history: list[Month]) -> list[tuple[int, str]]:
    """(month, what changed) wherever the loops off changed from one month to the next."""
    marks = []
    for before, after in itertools.pairwise(history):
        if after.loops_off != before.loops_off:
            off = after.loops_off - before.loops_off
            on = before.loops_off - after.loops_off
            words = [f"{loop_label(n)} off" for n in sorted(off)] + [f"{loop_label(n)} on" for n in sorted(on)]
            marks.append((before.month, "; ".join(words)))
    return marks


def gap_figure(model: ClassroomModel) -> Figure:
    """The lesson's gap (Q1 - Q5) month by month, with a dashed line where a loop was switched."""
    outcome = model.lesson.outcome
    months = [m.month for m in model.history]
    gaps = [m.gap(outcome) for m in model.history]
    fig = Figure(figsize=(6.4, 3.0), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(months, gaps, color="#b2182b", lw=0.8, alpha=0.6, label="each month")
    if len(gaps) >= YEAR:
        ax.plot(months[YEAR - 1:], np.convolve(gaps, np.ones(YEAR) / YEAR, mode="valid"), color="#b2182b", lw=2.2,
                label="mean of the last 12 months")
    ax.axhline(gaps[0], color="#999999", lw=1, ls=":", label="gap at the start")
    for month, words in _switch_marks(model.history):
        ax.axvline(month, color="#333333", lw=1, ls="--")
        ax.annotate(words, (month, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -3),
                    textcoords="offset points", va="top", fontsize=8, rotation=0)
    ax.set_xlabel("months since the start")
    ax.set_ylabel(f"gap Q1 - Q5 ({gap_unit(outcome)})")
    ax.set_title(f"{OUTCOMES[outcome].label}: most minus least deprived fifth of areas", fontsize=10)
    ax.set_xlim(0, max(12, months[-1]))
    ax.legend(loc="lower left", fontsize=8, frameon=False, ncols=3)
    return fig


def quintile_figure(model: ClassroomModel) -> Figure:
    """Stress, loneliness and mental disorder in each fifth of areas, month by month (a 2 x 2 grid whose last
    cell holds the legend)."""
    months = np.array([m.month for m in model.history])
    fig = Figure(figsize=(6.4, 4.2), layout="constrained")
    axes = fig.subplots(2, 2).ravel()
    for ax, outcome in zip(axes, PANELS, strict=False):
        values = np.array([m.by_quintile[outcome] for m in model.history])
        for q in range(5):
            label = {0: "Q1 most deprived", 4: "Q5 least deprived"}.get(q, f"Q{q + 1}")
            ax.plot(months, values[:, q], color=QUINTILE_COLOURS[q], lw=2 if q in (0, 4) else 1, label=label)
        declared = OUTCOMES[outcome]
        ax.set_title(f"{declared.label} ({declared.unit})", fontsize=9)
        ax.set_xlim(0, max(12, months[-1]))
        ax.set_ylim(bottom=0)
        ax.tick_params(labelsize=8)
    axes[2].set_xlabel("months since the start", fontsize=8)
    legend = axes[3]
    legend.set_axis_off()
    legend.legend(*axes[0].get_legend_handles_labels(), loc="center", fontsize=8, frameon=False,
                  title="fifth of areas by deprivation\n(adults 16+)", title_fontsize=8)
    return fig


def network_figure(model: ClassroomModel) -> Figure:
    """The ties among a few hundred adults of the most and the least deprived area, coloured by stress now."""
    sample, pop = model.ties, model.pathways.population
    fig = Figure(figsize=(6.4, 3.6), layout="constrained")
    ax = fig.add_subplot()
    i, j = sample.edges(model.pathways)
    ax.add_collection(LineCollection(list(np.stack([sample.xy[i], sample.xy[j]], axis=1)), colors="#bbbbbb",
                                     linewidths=0.5, zorder=1))
    shown = np.flatnonzero(sample.tracked)
    stress = pop.stress[sample.slots[shown]]
    dots = ax.scatter(sample.xy[shown, 0], sample.xy[shown, 1], c=stress, cmap=STRESS_COLOURS,
                      norm=Normalize(0.0, 1.0), s=18, edgecolors="#555555", linewidths=0.3, zorder=2)
    fig.colorbar(dots, ax=ax, label="stress (0-1)", shrink=0.8)
    for group, words in ((0, "most deprived area"), (1, "least deprived area")):
        members = shown[sample.area_group[shown] == group]
        if members.size:
            mean = float(pop.stress[sample.slots[members]].mean())
            ax.text(float(np.median(sample.xy[members, 0])), float(sample.xy[:, 1].max()) + 0.15,
                    f"{words}\n{members.size} adults, mean stress {mean:.2f}", ha="center", va="bottom", fontsize=8)
    ax.set_title(f"Ties now among {shown.size} adults ({i.size} ties drawn)", fontsize=10)
    ax.set_axis_off()
    ax.margins(0.05, 0.2)
    return fig
