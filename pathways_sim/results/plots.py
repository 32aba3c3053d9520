"""Plots of a run's results.

Figures are made with matplotlib's object API (``matplotlib.figure.Figure``), never through pyplot: importing
this module leaves the backend alone (inline plots in a notebook keep working), no display is needed, and a
figure is freed like any other object.  Saving a figure as PNG uses matplotlib's Agg renderer whatever the
backend.  In a notebook a figure shows itself (``_repr_png_``).
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from pathways_sim.declarations.outcomes import OUTCOMES, gradient_outcomes, outcome
from pathways_sim.results.frames import select

QUINTILE_COLOURS = ["#b2182b", "#ef8a62", "#bababa", "#67a9cf", "#2166ac"]  # most -> least deprived
PANELS = {o.name: o.title for o in gradient_outcomes()}  # metric: panel title, e.g. "Smoking (%)"
DPI = 110


class ResultFigure(Figure):
    """A matplotlib figure that a notebook displays as a PNG without pyplot."""

    def _repr_png_(self) -> bytes:
        return png_bytes(self)


def png_bytes(figure: Figure, dpi: int = DPI) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


def _mean_by_year(results: pd.DataFrame, metric: str, group_type: str, group: int) -> pd.DataFrame:
    return select(results, metric, group_type, group).groupby("year")["value"].agg(["mean", "min", "max"])


def outcomes_by_quintile(results: pd.DataFrame, arm: str) -> ResultFigure:
    """One panel per headline outcome: the five area-deprivation quintiles over time (mean across replicates)."""
    block = results[results["scenario"] == arm] if "scenario" in results else results
    columns = 4
    rows = -(-len(PANELS) // columns)
    fig = ResultFigure(figsize=(15, 3.6 * rows))
    axes = list(fig.subplots(rows, columns, sharex=True, squeeze=False).flat)
    # The grid can have cells to spare past the last panel (see below): zip stops at the panels.
    for index, (ax, metric) in enumerate(zip(axes, PANELS, strict=False)):
        declared = OUTCOMES[metric]
        for q in range(1, 6):
            line = _mean_by_year(block, metric, "area_deprivation_quintile", q)
            label = {1: "Q1 most deprived", 5: "Q5 least deprived"}.get(q, f"Q{q}")
            ax.plot(line.index, declared.display(line["mean"]), color=QUINTILE_COLOURS[q - 1], label=label, lw=1.8)
        ax.set_title(f"{declared.title}, {declared.better} is better", fontsize=10)
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.tick_params(labelbottom=True)
        if index + columns >= len(PANELS):  # the lowest panel of its column
            ax.set_xlabel("year")
    spare = axes[len(PANELS):]
    handles, labels = axes[0].get_legend_handles_labels()
    if spare:  # the legend takes the first empty panel
        for ax in spare:
            ax.axis("off")
        spare[0].legend(handles, labels, loc="center", frameon=False, fontsize=10,
                        title="area deprivation quintile")
    else:
        axes[0].legend(fontsize=8, frameon=False)
    fig.suptitle(f"Outcomes by area deprivation quintile — {arm} (mean across replicates)", fontsize=12)
    fig.tight_layout()
    return fig


def gap_over_time(results: pd.DataFrame, metric: str = "healthy_life_expectancy_sii") -> ResultFigure:
    """The slope index across deciles over time, per arm, with its spread (min to max) across replicates; across
    quintiles when the run is too small for decile life tables (the title says which)."""
    declared = outcome(metric)
    scale = 100.0 if declared is not None and declared.percent else 1.0
    fig = ResultFigure(figsize=(8, 4.5))
    ax = fig.subplots()
    groups = results.groupby("scenario", sort=False) if "scenario" in results else [("", results)]
    by_decile = results[(results["group_type"] == "area_deprivation_decile") & (results["metric"] == metric)]
    grouping = "area_deprivation_decile" if by_decile["value"].notna().any() else "area_deprivation_quintile"
    level = "deciles" if grouping.endswith("decile") else "quintiles (too few deaths for deciles)"
    for arm, block in groups:
        line = _mean_by_year(block, metric, grouping, 0)
        ax.plot(line.index, line["mean"] * scale, lw=2, label=arm or None)
        ax.fill_between(line.index, line["min"] * scale, line["max"] * scale, alpha=0.2)
    name = declared.label.lower() if declared is not None else metric
    ax.set_title(f"Slope index of inequality in {name} across area {level}\n(least minus most deprived; "
                 "band: range across replicates)", fontsize=10)
    ax.set_xlabel("year")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    unit = declared.unit if declared is not None else ""
    ax.set_ylabel({"%": "percentage points"}.get(unit, unit) or metric)
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def equity_impact_plane(impact: pd.DataFrame) -> ResultFigure:
    """Change in population health (x) against change in inequality (y; below zero = narrower gap)."""
    fig = ResultFigure(figsize=(7, 6))
    ax = fig.subplots()
    ax.axhline(0, color="#888", lw=1)
    ax.axvline(0, color="#888", lw=1)
    for arm, block in impact.groupby("scenario", sort=False):
        points = ax.scatter(block["health_change"], block["inequality_change"], s=18, alpha=0.4)
        ax.scatter(block["health_change"].mean(), block["inequality_change"].mean(), s=120,
                   color=points.get_facecolor()[0], edgecolor="black", label=arm, zorder=3)
    values = impact[["health_change", "inequality_change"]].to_numpy(dtype=float) if len(impact) else np.zeros(1)
    finite = np.abs(values[np.isfinite(values)])
    span = max(1e-6, float(finite.max()) if finite.size else 1.0) * 1.2
    ax.set_xlim(-span, span)
    ax.set_ylim(-span, span)
    for x, y, text in ((0.97, 0.03, "health up, gap narrower\n(win-win)"), (0.03, 0.97, "health down, gap wider"),
                       (0.97, 0.97, "health up, gap wider"), (0.03, 0.03, "health down, gap narrower")):
        ax.text(x, y, text, transform=ax.transAxes, ha="right" if x > 0.5 else "left",
                va="bottom" if y < 0.5 else "top", fontsize=8, color="#555")
    ax.set_xlabel("change in healthy life expectancy (years)")
    ax.set_ylabel("change in HLE slope index of inequality (years)")
    ax.set_title("Equity impact plane (each point a replicate; large: mean)", fontsize=10)
    if len(impact):
        ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(0, 0.9))
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
