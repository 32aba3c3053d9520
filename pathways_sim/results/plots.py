"""Plots of a run's results (matplotlib, no display needed)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # files only: never needs a display

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

QUINTILE_COLOURS = ["#b2182b", "#ef8a62", "#bababa", "#67a9cf", "#2166ac"]  # most -> least deprived
PANELS = {"life_expectancy": "Life expectancy (years)", "healthy_life_expectancy": "Healthy life expectancy (years)",
          "not_good_health_prevalence": "Not in good health (%)", "cmd_prevalence": "Common mental disorder (%)",
          "smoking_prevalence": "Smoking (%)", "loneliness_prevalence": "Lonely often/always (%)"}


def _mean_by_year(results: pd.DataFrame, metric: str, group_type: str, group: int) -> pd.DataFrame:
    rows = results[(results.metric == metric) & (results.group_type == group_type) & (results.group == group)]
    return rows.groupby("year")["value"].agg(["mean", "min", "max"])


def outcomes_by_quintile(results: pd.DataFrame, arm: str):
    """One panel per outcome: the five area-deprivation quintiles over time (mean across replicates)."""
    block = results[results.scenario == arm]
    fig, axes = plt.subplots(2, 3, figsize=(13, 7), sharex=True)
    for ax, (metric, title) in zip(axes.flat, PANELS.items()):
        scale = 100.0 if title.endswith("(%)") else 1.0
        for q in range(1, 6):
            line = _mean_by_year(block, metric, "area_deprivation_quintile", q)
            label = {1: "Q1 most deprived", 5: "Q5 least deprived"}.get(q, f"Q{q}")
            ax.plot(line.index, line["mean"] * scale, color=QUINTILE_COLOURS[q - 1], label=label, lw=1.8)
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
    axes.flat[0].legend(fontsize=8, frameon=False)
    for ax in axes[-1]:
        ax.set_xlabel("year")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.suptitle(f"Outcomes by area deprivation quintile — {arm}", fontsize=12)
    fig.tight_layout()
    return fig


def gap_over_time(results: pd.DataFrame, metric: str = "healthy_life_expectancy_sii"):
    """The slope index across deciles over time, per arm, with its spread (min to max) across replicates."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for arm, block in results.groupby("scenario", sort=False):
        line = _mean_by_year(block, metric, "area_deprivation_decile", 0)
        ax.plot(line.index, line["mean"], lw=2, label=arm)
        ax.fill_between(line.index, line["min"], line["max"], alpha=0.2)
    outcome = metric.removesuffix("_sii").replace("_", " ")
    ax.set_title(f"Slope index of inequality in {outcome} across area deciles\n(least minus most deprived; "
                 "band: range across replicates)", fontsize=10)
    ax.set_xlabel("year")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("years" if "expectancy" in metric else metric)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


def equity_impact_plane(impact: pd.DataFrame):
    """Change in population health (x) against change in inequality (y; below zero = narrower gap)."""
    fig, ax = plt.subplots(figsize=(7, 6))
    ax.axhline(0, color="#888", lw=1)
    ax.axvline(0, color="#888", lw=1)
    for arm, block in impact.groupby("scenario", sort=False):
        points = ax.scatter(block["health_change"], block["inequality_change"], s=18, alpha=0.4)
        ax.scatter(block["health_change"].mean(), block["inequality_change"].mean(), s=120,
                   color=points.get_facecolor()[0], edgecolor="black", label=arm, zorder=3)
    span = max(1e-6, float(np.nanmax(np.abs(impact[["health_change", "inequality_change"]].to_numpy())))
               if len(impact) else 1.0) * 1.2
    ax.set_xlim(-span, span)
    ax.set_ylim(-span, span)
    for x, y, text in ((0.97, 0.03, "health up, gap narrower\n(win-win)"), (0.03, 0.97, "health down, gap wider"),
                       (0.97, 0.97, "health up, gap wider"), (0.03, 0.03, "health down, gap narrower")):
        ax.text(x, y, text, transform=ax.transAxes, ha="right" if x > 0.5 else "left",
                va="bottom" if y < 0.5 else "top", fontsize=8, color="#555")
    ax.set_xlabel("change in healthy life expectancy (years)")
    ax.set_ylabel("change in HLE slope index of inequality (years)")
    ax.set_title("Equity impact plane (each point a replicate; large: mean)", fontsize=10)
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(0, 0.9))
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
