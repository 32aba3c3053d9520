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
ARM_COLOURS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02"]  # arms (not quintiles)
MARKERS = ("o", "s", "^", "D", "v", "P")
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
    if not results.loc[results["metric"] == metric, "value"].notna().any():
        ax.text(0.5, 0.5, "not estimable in this run: too few deaths for a life table in each area deprivation\n"
                "quintile (see the notes on the tables); simulate more people or more years",
                transform=ax.transAxes, ha="center", va="center", fontsize=10, color="#444")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


def equity_impact_plane(impact: pd.DataFrame) -> ResultFigure:
    """The equity impact plane (Cookson et al. 2017; Asaria et al. 2016): net health benefit (x, discounted QALYs
    per 100,000 people, after the health opportunity cost) against reduction in health inequality (y, positive =
    gap between area deprivation quintiles narrowed); one small point per replicate, a large one per arm's mean."""
    x_col, y_col = "net_health_benefit_per_100000", "inequality_reduction_per_100000_py"
    fig = ResultFigure(figsize=(8, 6.5))
    ax = fig.subplots()
    ax.axhline(0, color="#555", lw=1)
    ax.axvline(0, color="#555", lw=1)
    for index, (arm, block) in enumerate(impact.groupby("scenario", sort=False)):
        marker = MARKERS[index % len(MARKERS)]  # shapes as well as colours: arms that coincide stay visible
        points = ax.scatter(block[x_col], block[y_col], s=22, alpha=0.45, marker=marker)
        ax.scatter(block[x_col].mean(), block[y_col].mean(), s=150 - 25 * (index % 3), marker=marker,
                   color=points.get_facecolor()[0], edgecolor="black", label=f"{arm} (mean)", zorder=3 + index)
    values = impact[[x_col, y_col]].to_numpy(dtype=float) if len(impact) else np.zeros((1, 2))
    for column, setter in ((values[:, 0], ax.set_xlim), (values[:, 1], ax.set_ylim)):
        finite = np.abs(column[np.isfinite(column)])
        span = max(1e-6, float(finite.max()) if finite.size else 1.0) * 1.25
        setter(-span, span)
    shade = {"win-win: more health,\nless inequality": (0.97, 0.97, "#e5f5e0"),
             "lose-lose: less health,\nmore inequality": (0.03, 0.03, "#fde0dd"),
             "trade-off: more health,\nmore inequality": (0.97, 0.03, "#f7f7f7"),
             "trade-off: less health,\nless inequality": (0.03, 0.97, "#f7f7f7")}
    for text, (x, y, colour) in shade.items():
        ax.text(x, y, text, transform=ax.transAxes, ha="right" if x > 0.5 else "left",
                va="top" if y > 0.5 else "bottom", fontsize=9, color="#333",
                bbox={"boxstyle": "round", "facecolor": colour, "edgecolor": "#ccc"})
    threshold = impact.attrs.get("threshold")
    at = f" at £{threshold:,.0f} per QALY" if threshold else ""
    ax.set_xlabel(f"net health benefit (discounted QALYs per 100,000 people, after the health opportunity cost{at})")
    ax.set_ylabel("reduction in health inequality between area deprivation quintiles\n"
                  "(slope index, QALYs per 100,000 person-years; above 0 = gap narrowed)")
    ax.set_title("Equity impact plane, each arm against the base\n(small points: replicates; large: mean)",
                 fontsize=10)
    if len(impact):
        ax.legend(fontsize=8, frameon=True, loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def net_health_benefit_by_quintile(dcea: pd.DataFrame) -> ResultFigure:
    """Per arm, bars by area deprivation quintile: QALYs gained and net health benefit (after the health
    opportunity cost), per 100,000 people of the quintile, with 95% intervals where the run has them."""
    fig = ResultFigure(figsize=(9, 4.8))
    ax = fig.subplots()
    rows = dcea[dcea["area deprivation quintile"] != "all quintiles"] if len(dcea) else dcea
    arms = list(dict.fromkeys(rows["scenario"])) if len(rows) else []
    width = 0.8 / max(2 * len(arms), 1)
    quintiles = list(dict.fromkeys(rows["area deprivation quintile"])) if len(rows) else []
    x = np.arange(len(quintiles))
    for index, arm in enumerate(arms):
        block = rows[rows["scenario"] == arm]
        for offset, (heading, hatch) in enumerate((("QALYs gained", ""), ("net health benefit (QALYs)", "//"))):
            per = block[f"{heading} per 100,000 people"].to_numpy(dtype=float)
            scale = per / block[heading].replace(0, np.nan).to_numpy(dtype=float)
            low = block[f"{heading} low"].to_numpy(dtype=float) * scale
            high = block[f"{heading} high"].to_numpy(dtype=float) * scale
            position = x + (2 * index + offset - len(arms) + 0.5) * width
            bars = ax.bar(position, per, width, hatch=hatch, alpha=0.85,
                          label=f"{arm}: {'QALYs gained' if not offset else 'net health benefit'}",
                          color=ARM_COLOURS[index % len(ARM_COLOURS)], edgecolor="black", linewidth=0.4)
            known = np.isfinite(low) & np.isfinite(high)
            if known.any():
                ax.errorbar(position[known], per[known], yerr=[per[known] - low[known], high[known] - per[known]],
                            fmt="none", ecolor="black", capsize=3, lw=1)
            del bars
    ax.axhline(0, color="#555", lw=1)
    ax.set_xticks(x, quintiles, fontsize=9)
    ax.set_xlabel("area deprivation quintile")
    ax.set_ylabel("discounted QALYs per 100,000 people")
    ax.set_title("QALYs gained and net health benefit by area deprivation quintile, against the base\n"
                 "(net health benefit = QALYs gained - cost / threshold; bars: 95% interval across replicates)",
                 fontsize=10)
    ax.grid(alpha=0.3, axis="y")
    if arms:
        ax.legend(fontsize=8, frameon=False, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    return fig
