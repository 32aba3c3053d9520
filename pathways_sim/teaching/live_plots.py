"""The live page's figures (matplotlib): the gap over the months, the three states by fifth of areas, the ties.

Each function takes a ``ClassroomView`` (the run between two steps: the model may be playing in another thread)
and returns a new ``Figure`` (the page shows them with ``solara.FigureMatplotlib``); none keeps a pyplot figure
open, so a long session does not pile them up.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from pathways_sim.declarations.outcomes import OUTCOMES
from pathways_sim.mechanisms.registry import LOOPS
from pathways_sim.teaching.classroom import ClassroomView, Month
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


def _switch_marks(history: Sequence[Month]) -> list[tuple[int, str]]:
    """(month, what changed) wherever the loops off changed from one month to the next."""
    marks = []
    for before, after in itertools.pairwise(history):
        if after.loops_off != before.loops_off:
            off = after.loops_off - before.loops_off
            on = before.loops_off - after.loops_off
            words = [f"{loop_label(n)} off" for n in sorted(off)] + [f"{loop_label(n)} on" for n in sorted(on)]
            marks.append((before.month, "; ".join(words)))
    return marks


def gap_figure(view: ClassroomView) -> Figure:
    """The lesson's gap (Q1 - Q5) month by month, with a dashed line where a loop was switched."""
    outcome, history = view.outcome, view.history
    months = [m.month for m in history]
    gaps = [m.gap(outcome) for m in history]
    fig = Figure(figsize=(6.4, 3.0), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(months, gaps, color="#b2182b", lw=0.8, alpha=0.6, label="each month")
    if len(gaps) >= YEAR:
        ax.plot(months[YEAR - 1:], np.convolve(gaps, np.ones(YEAR) / YEAR, mode="valid"), color="#b2182b", lw=2.2,
                label="mean of the last 12 months")
    ax.axhline(gaps[0], color="#999999", lw=1, ls=":", label="gap at the start")
    for month, words in _switch_marks(history):
        ax.axvline(month, color="#333333", lw=1, ls="--")
        ax.annotate(words, (month, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -3),
                    textcoords="offset points", va="top", fontsize=8, rotation=0)
    ax.set_xlabel("months since the start")
    ax.set_ylabel(f"gap Q1 - Q5 ({gap_unit(outcome)})")
    ax.set_title(f"{OUTCOMES[outcome].label}: most minus least deprived fifth of areas", fontsize=10)
    ax.set_xlim(0, max(12, months[-1]))
    ax.legend(loc="lower left", fontsize=8, frameon=False, ncols=3)
    return fig


def quintile_figure(view: ClassroomView) -> Figure:
    """Stress, loneliness and mental disorder in each fifth of areas, month by month (a 2 x 2 grid whose last
    cell holds the legend)."""
    months = np.array([m.month for m in view.history])
    fig = Figure(figsize=(6.4, 4.2), layout="constrained")
    axes = fig.subplots(2, 2).ravel()
    for ax, outcome in zip(axes, PANELS, strict=False):
        values = np.array([m.by_quintile[outcome] for m in view.history])
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


def network_figure(view: ClassroomView) -> Figure:
    """The ties among a few hundred adults of the most and the least deprived area, coloured by stress now."""
    ties = view.ties
    fig = Figure(figsize=(6.4, 3.6), layout="constrained")
    ax = fig.add_subplot()
    ax.add_collection(LineCollection(list(np.stack([ties.xy[ties.tie_from], ties.xy[ties.tie_to]], axis=1)),
                                     colors="#bbbbbb", linewidths=0.5, zorder=1))
    dots = ax.scatter(ties.xy[:, 0], ties.xy[:, 1], c=ties.stress, cmap=STRESS_COLOURS, norm=Normalize(0.0, 1.0),
                      s=18, edgecolors="#555555", linewidths=0.3, zorder=2)
    fig.colorbar(dots, ax=ax, label="stress (0-1)", shrink=0.8)
    top = float(ties.xy[:, 1].max()) if ties.xy.size else 0.0
    for group, words in ((0, "most deprived area"), (1, "least deprived area")):
        members = ties.area_group == group
        if members.any():
            ax.text(float(np.median(ties.xy[members, 0])), top + 0.15,
                    f"{words}\n{int(members.sum())} adults, mean stress {float(ties.stress[members].mean()):.2f}",
                    ha="center", va="bottom", fontsize=8)
    ax.set_title(f"Ties now among {ties.stress.size} adults ({ties.tie_from.size} ties drawn)", fontsize=10)
    ax.set_axis_off()
    ax.margins(0.05, 0.2)
    return fig
