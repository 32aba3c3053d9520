"""The fit report of a calibration: ``write_fit_report(result, directory)``.

It writes, atomically and the README last:

- ``fit.csv`` and ``predictive.png``: every target's posterior predictive interval (the accepted sets' simulated
  values, weighted) against its published value and tolerance, in tolerances from the published value, with
  its role (fitted, held out, reported only, not estimable at the run's size);
- ``parameters.csv``, ``marginals.png`` and ``pairs.png``: each free parameter's weighted median and 95%
  interval inside its plausible range, and the accepted sets two parameters at a time;
- ``tradeoffs.csv`` and ``tradeoffs.png``: which fitted targets pull against each other: across the last wave's
  runs (all not ruled out by the emulators), the rank correlation of two targets' absolute standardised misses;
  a negative one means parameter sets that fit one better fit the other worse;
- ``README.md``: the above in words and tables, saying how large the calibration was.
"""

from __future__ import annotations

import io
import os
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pathways_sim.analysis.calibration.fit import Calibration
from pathways_sim.results.atomic import atomic_write_bytes, atomic_write_text

ROLE_COLOURS = {"fitted": "#1b6ca8", "held out": "#d95f02", "reported only": "#7570b3",
                "not estimable at this size": "#999999"}


def tradeoffs(result: Calibration) -> pd.DataFrame:
    """Pairs of fitted targets, most opposed first: the Spearman correlation across the last wave's runs of
    their absolute misses in tolerances (negative: fitting one better goes with fitting the other worse)."""
    last, match = result.match.waves[-1], result.match
    idx = [match.targets.index(t) for t in match.fitted]
    miss = pd.DataFrame(np.abs(last.means[:, idx] - match.observed[idx]) / match.tolerance[idx],
                        columns=match.fitted)
    miss = miss.loc[:, miss.notna().mean() >= 0.5]
    corr = miss.rank().corr()
    values = corr.to_numpy(float)
    names = list(corr.columns)
    rows = [{"target_a": a, "target_b": names[j], "correlation": values[i, j]}
            for i, a in enumerate(names) for j in range(i + 1, len(names)) if np.isfinite(values[i, j])]
    table = pd.DataFrame(rows, columns=["target_a", "target_b", "correlation"])
    table = table.sort_values("correlation").reset_index(drop=True)
    table.attrs["matrix"] = corr
    return table


def _save(fig: Any, path: Path) -> None:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    atomic_write_bytes(path, buffer.getvalue())


def _predictive_figure(fit: pd.DataFrame, title: str) -> Any:
    import matplotlib.pyplot as plt

    shown = fit[np.isfinite(fit["median"])].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(9, 0.32 * len(shown) + 1.6))
    ax.axvspan(-1, 1, color="#e8e8e8", label="within tolerance of the published value")
    ax.axvline(0, color="black", lw=0.8)
    for y, row in shown.iterrows():
        scale = row["tolerance"]
        lo, mid, hi = ((row[c] - row["published"]) / scale for c in ("low", "median", "high"))
        colour = ROLE_COLOURS.get(row["role"], "black")
        ax.plot([lo, hi], [y, y], color=colour, lw=2.5)
        ax.plot(mid, y, "o", color=colour, ms=5)
    for role, colour in ROLE_COLOURS.items():
        if role in set(shown["role"]):
            ax.plot([], [], color=colour, lw=2.5, marker="o", label=role)
    ax.set_yticks(range(len(shown)), [str(label) for label in shown["label"]], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("model minus published, in tolerances (line: 95% posterior predictive interval; dot: median)")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def _marginals_figure(result: Calibration, title: str) -> Any:
    import matplotlib.pyplot as plt

    names, accepted = result.free, result.accepted
    cols = min(4, len(names))
    rows = int(np.ceil(len(names) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.4 * rows), squeeze=False)
    for ax, name in zip(axes.flat, names, strict=False):
        lo, hi = result.match.prior.lower[names.index(name)], result.match.prior.upper[names.index(name)]
        if len(accepted):
            ax.hist(accepted[name], bins=12, range=(lo, hi), weights=accepted["weight"], color="#1b6ca8")
        ax.set_xlim(lo, hi)
        ax.set_title(name, fontsize=8)
        ax.set_yticks([])
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(names):]:
        ax.axis("off")
    fig.suptitle(f"{title}\nposterior weight over each parameter's plausible range (the prior: flat over the axis)",
                 fontsize=9)
    fig.tight_layout()
    return fig


def _pairs_figure(result: Calibration, title: str) -> Any:
    import matplotlib.pyplot as plt

    names, accepted, prior = result.free, result.accepted, result.match.prior
    n = len(names)
    fig, axes = plt.subplots(n, n, figsize=(1.6 * n + 1, 1.6 * n + 1), squeeze=False)
    size = 4 + 60 * accepted["weight"].to_numpy(float) / max(float(accepted["weight"].max()), 1e-12) \
        if len(accepted) else 4
    for i in range(n):
        for j in range(n):
            ax = axes[i, j]
            ax.set_xticks([])
            ax.set_yticks([])
            if j >= i:
                ax.axis("off") if j > i else ax.text(0.5, 0.5, textwrap.fill(names[i].replace("_", " "), 14),
                                                     ha="center", va="center", fontsize=6, transform=ax.transAxes)
                continue
            if len(accepted):
                ax.scatter(accepted[names[j]], accepted[names[i]], s=size, alpha=0.6, color="#1b6ca8", lw=0)
            ax.set_xlim(prior.lower[j], prior.upper[j])
            ax.set_ylim(prior.lower[i], prior.upper[i])
            if i == n - 1:  # the outer axes carry each range's ends
                ax.set_xticks([prior.lower[j], prior.upper[j]], [f"{prior.lower[j]:g}", f"{prior.upper[j]:g}"],
                              fontsize=6)
            if j == 0:
                ax.set_yticks([prior.lower[i], prior.upper[i]], [f"{prior.lower[i]:g}", f"{prior.upper[i]:g}"],
                              fontsize=6)
    fig.suptitle(f"{title}\naccepted sets two parameters at a time (axes: plausible ranges; size: weight)",
                 fontsize=9)
    return fig


def _tradeoff_figure(matrix: pd.DataFrame, title: str) -> Any:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(0.45 * len(matrix) + 3, 0.45 * len(matrix) + 2))
    image = ax.imshow(matrix.to_numpy(float), cmap="RdBu", vmin=-1, vmax=1)
    ax.set_xticks(range(len(matrix)), matrix.columns, rotation=90, fontsize=6)
    ax.set_yticks(range(len(matrix)), matrix.index, fontsize=6)
    fig.colorbar(image, ax=ax, label="rank correlation of absolute misses\n(red, < 0: the two pull against each other)")
    ax.set_title(title, fontsize=8, wrap=True)
    return fig


def _markdown(table: pd.DataFrame, digits: int = 3) -> str:
    rows = [[f"{v:.{digits}g}" if isinstance(v, float) else str(v) for v in row] for row in table.to_numpy()]
    lines = ["| " + " | ".join(map(str, table.columns)) + " |", "|" + "---|" * len(table.columns)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def write_fit_report(result: Calibration, directory: str | os.PathLike[str], label: str = "") -> Path:
    """Write the fit report (see the module docstring) into ``directory``; returns it."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    label = label or f"calibration of {result.population_size:,} people"
    seeds = f"{len(result.seeds)} seed{'s' if len(result.seeds) != 1 else ''}"
    title = f"{label}: {len(result.accepted)} accepted sets, {result.match.runs} points x {seeds}"
    fit = result.predictive()
    params = result.intervals()
    pairs = tradeoffs(result)
    atomic_write_text(out / "fit.csv", fit.to_csv(index=False))
    atomic_write_text(out / "parameters.csv", params.to_csv(index=False))
    atomic_write_text(out / "tradeoffs.csv", pairs.to_csv(index=False))
    _save(_predictive_figure(fit, title), out / "predictive.png")
    _save(_marginals_figure(result, title), out / "marginals.png")
    _save(_pairs_figure(result, title), out / "pairs.png")
    if len(pairs.attrs.get("matrix", [])) > 1:
        _save(_tradeoff_figure(pairs.attrs["matrix"], title), out / "tradeoffs.png")
    atomic_write_text(out / "README.md", _readme(result, fit, params, pairs, label))
    return out


def _time_taken(result: Calibration) -> str:
    """This process's wall time and, across every process that made the runs, the runs' own time."""
    runs = len(result.seeds) * result.match.runs - result.runs_failed
    text = f"{result.seconds / 60:.1f} minutes in this process"
    if result.runs_reused:
        text += (f"; the runs themselves took {result.run_seconds / 60:.1f} minutes of worker time in all "
                 f"({result.run_seconds / max(1, runs - result.runs_untimed):.0f} s a run)")
        if result.runs_untimed:
            text += f", not counting {result.runs_untimed} stored without a time by an older version"
    else:
        text += (f" ({result.run_seconds / 60:.1f} minutes of worker time, "
                 f"{result.run_seconds / max(1, runs):.0f} s a run)")
    return text


def _readme(result: Calibration, fit: pd.DataFrame, params: pd.DataFrame, pairs: pd.DataFrame, label: str) -> str:
    match = result.match
    fitted = fit[fit["role"] == "fitted"]
    held = fit[fit["role"] == "held out"]
    missing = fit[fit["role"] == "not estimable at this size"]
    shown = fit[fit["role"] != "not estimable at this size"].assign(
        within=lambda t: t["within"].map({True: "yes", False: "no"}))
    lines = [f"# Fit report: {label}", ""]
    if result.provisional:
        lines += [f"**Provisional.** {result.provisional}", ""]
    lines += [
        f"History matching, {len(match.waves)} waves of {', '.join(str(len(w.points)) for w in match.waves)} "
        f"points, each run with seeds {result.seeds} (common random numbers) at {result.population_size:,} people "
        f"for {result.years} years; implausibility cut-off {match.cutoff:g}. Share of the prior box not ruled out "
        f"after each wave: {', '.join(f'{100 * w.nroy_share:.2g}%' for w in match.waves)}. "
        f"{len(result.accepted)} accepted sets (effective sample size {result.effective_sample_size:.1f}); "
        f"{result.runs_ran} runs made, {result.runs_reused} read from the run store, {result.runs_failed} failed; "
        f"{_time_taken(result)}.", "",
        *[f"- note: {note}" for note in result.notes],
        *([f"Calibrated parameters not freed in this fit, held at the values it ran with: "
           f"{', '.join(f'`{n}` = {v:g}' for n, v in result.fixed.items())}.", ""] if result.fixed else []),
        "## Targets: posterior predictive against published", "",
        "Interval: the central 95% of the accepted sets' simulated values (each the mean over the seeds), "
        "weighted. *within*: the median within the tolerance of the published value.", "",
        f"Fitted: {int(fitted['within'].sum())} of {len(fitted)} medians within tolerance.",
        f"Held out: {int(held['within'].sum())} of {len(held)}." if len(held) else "No target held out.", "",
        _markdown(shown[["label", "role", "published", "tolerance", "low", "median", "high", "within"]]), "",
        (f"Not estimable at {result.population_size:,} people (a run this size has too few deaths or people "
         f"for them), so not fitted: {', '.join(missing['label'])}." if len(missing) else ""), "",
        "![predictive](predictive.png)", "",
        "## Parameters", "", _markdown(params), "",
        "![marginals](marginals.png)", "", "![pairs](pairs.png)", "",
        "## Targets that pull against each other", "",
        "Rank correlation, across the last wave's runs, of two fitted targets' absolute misses (in tolerances). "
        "Negative: the parameter sets that fit one better fit the other worse.", "",
        _markdown(pairs.head(8)) if len(pairs) else "(too few estimable targets)", "",
    ]
    if len(pairs) and (out := pairs.attrs.get("matrix")) is not None and len(out) > 1:
        lines += ["![tradeoffs](tradeoffs.png)", ""]
    return "\n".join(lines)
