"""Plots of uncertainty across parameter draws and of pathway decomposition (matplotlib object API, as
``pathways_sim.results.plots``: no pyplot, no backend switching)."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, MultipleLocator

from pathways_sim.results.plots import ResultFigure

# NICE's range per QALY gained (NICE manual PMG36, 2022); a healthy life year is not a QALY, so only a guide.
NICE_RANGE = (20_000.0, 30_000.0)
LINE_STYLES = ("-", "--", "-.", ":")


def _pounds(value: float, _position: object = None) -> str:
    return f"£{value / 1000:,.0f}k" if value else "£0"


def ceac_plot(curve: pd.DataFrame, caveat: str = "") -> ResultFigure:
    """Probability that each arm has the highest net monetary benefit against willingness to pay per healthy
    life year (``curve``: ``threshold, arm, probability``, as ``psa.ceac`` returns), with ``caveat`` beneath."""
    fig = ResultFigure(figsize=(9, 5.2))
    ax = fig.subplots()
    if len(curve):
        low, high = curve["threshold"].min(), curve["threshold"].max()
        ax.axvspan(*np.clip(NICE_RANGE, low, high), color="#e6e6e6", zorder=0,
                   label="NICE's £20k to £30k per QALY\n(a guide: a healthy life\nyear is not a QALY)")
    # Arms often share a stretch of the curve (all at 0% below some threshold): styles keep each one visible.
    for index, (arm, block) in enumerate(curve.groupby("arm", sort=False)):
        ax.plot(block["threshold"], block["probability"], lw=2.2 - 0.3 * (index % 3), label=str(arm),
                ls=LINE_STYLES[index % len(LINE_STYLES)], zorder=3 + index)
    pairs = int(curve["pairs"].max()) if len(curve) else 0
    ax.set_ylim(-0.02, 1.02)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.0%}"))
    ax.xaxis.set_major_formatter(FuncFormatter(_pounds))
    if len(curve) and curve["threshold"].max() > 0:
        ax.xaxis.set_major_locator(MultipleLocator(_step(float(curve["threshold"].max()))))
    ax.set_xlabel("willingness to pay per healthy life year gained (£)")
    ax.set_ylabel("probability of the highest net monetary benefit")
    ax.set_title(f"Cost-effectiveness acceptability curve ({pairs} draw x replicate pairs)", fontsize=11)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, frameon=False, loc="center left", bbox_to_anchor=(1.01, 0.5))
    if caveat:
        fig.text(0.01, 0.005, textwrap.fill(caveat, 130), fontsize=7.5, color="#444", ha="left", va="bottom")
        fig.tight_layout(rect=(0, 0.09, 1, 1))
    else:
        fig.tight_layout()
    return fig


def _step(top: float) -> float:
    """A round tick spacing giving about five to ten ticks up to ``top``."""
    for step in (1_000, 2_000, 5_000, 10_000, 20_000, 25_000, 50_000, 100_000, 200_000, 500_000, 1_000_000):
        if top / step <= 10:
            return float(step)
    return top / 5


def decomposition_plot(table: pd.DataFrame, metric: str | None = None) -> ResultFigure:
    """Share of an intervention's effect that runs through each pathway or loop (``decompose``'s table): one
    horizontal bar per thing switched off, with its interval; hatched where the note says not to trust it."""
    rows = table[table["switched_off"] != "(none)"]
    if metric is not None:
        rows = rows[rows["metric"] == metric]
    metric = metric or (str(rows["metric"].iloc[0]) if len(rows) else "")
    rows = rows[rows["metric"] == metric] if metric else rows
    fig = ResultFigure(figsize=(8, 1.2 + 0.45 * max(1, len(rows))))
    ax = fig.subplots()
    y = np.arange(len(rows))[::-1]
    share = rows["share"].to_numpy(dtype=float)
    low, high = rows["share_low"].to_numpy(dtype=float), rows["share_high"].to_numpy(dtype=float)
    shaky = rows["note"].fillna("").astype(bool).to_numpy()
    colours = np.where(rows["kind"].to_numpy() == "loop", "#2166ac", "#67a9cf")
    bars = ax.barh(y, np.nan_to_num(share), color=colours, alpha=0.85)
    for bar, flagged in zip(bars, shaky, strict=True):
        if flagged:
            bar.set_hatch("///")
            bar.set_alpha(0.35)
    known = np.isfinite(low) & np.isfinite(high)
    ax.errorbar(share[known], y[known], xerr=[share[known] - low[known], high[known] - share[known]], fmt="none",
                ecolor="black", capsize=3, lw=1)
    ax.axvline(0, color="#888", lw=1)
    ax.axvline(1, color="#888", lw=1, ls=":")
    ax.set_yticks(y, [f"{name} ({kind})" for name, kind in zip(rows["switched_off"], rows["kind"], strict=True)],
                  fontsize=8)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.0%}"))
    ax.set_xlabel("share of the effect that runs through it (1 - effect without it / effect with all on)")
    total = table[(table["switched_off"] == "(none)") & (table["metric"] == metric)]
    arms = (f" of {table.attrs['alternative']} against {table.attrs['base']}" if {"base", "alternative"}
            <= set(table.attrs) else "")
    effect = ""
    if len(total):
        first = total.iloc[0]
        spread = (f" (95% interval {first['effect_low']:+.3g} to {first['effect_high']:+.3g})"
                  if np.isfinite(first["effect_low"]) else "")
        effect = f"\neffect with everything on {first['effect']:+.3g}{spread}, {int(first['replicates'])} replicates"
    ax.set_title(f"Share of the effect{arms} on {metric} through each loop or pathway{effect}\n(bars: 95% "
                 "bootstrap interval; hatched: not identified, see the note column; shares need not sum to 1)",
                 fontsize=9.5)
    ax.grid(alpha=0.3, axis="x")
    fig.tight_layout()
    return fig
