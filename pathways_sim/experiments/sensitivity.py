"""Global sensitivity of a sweep's outputs to its parameters: Sobol indices or Morris elementary effects (SALib).

::

    from pathways_sim.experiments import plot_sensitivity, sensitivity, sobol_design, sweep

    design = sobol_design(["mean_degree", "stigma_stress_strength"], 64, seed=1)
    df = sweep("baseline", design, replicates=3, years=10)
    table = sensitivity(df, design)                      # tidy: output, parameter, index, value, low, high, ...
    plot_sensitivity(table, "cmd_prevalence_sii").savefig("cmd_sii.png")

``sensitivity`` takes one value per run of each output (the final year by default: a parameter's effect builds up
over a run, and an average over the years would dilute it with the early ones; ``year="mean"`` averages them
anyway), averages the replicates of each point and gives the means to ``sensitivity_indices``, which calls SALib.
``low``/``high`` are SALib's 95% bootstrap interval (value ± its ``*_conf``, resampled with a fixed seed, so a
table reproduces).  ``noise_share`` is the share of an output's variance across runs that is replicate noise: the
mean variance between the replicates of a point over the variance across every run (NaN, with a note, when there
is one replicate).  Indices are relative to the design's ranges, the parameters' *plausible* ranges, sampled
independently: they rank parameters over that box, not over jointly plausible combinations.
"""

from __future__ import annotations

import textwrap
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pathways_sim.experiments.designs import SAMPLED
from pathways_sim.experiments.errors import ExperimentError

if TYPE_CHECKING:  # matplotlib is imported when a figure is drawn, not with the experiments
    from matplotlib.figure import Figure

__all__ = ["COLUMNS", "CONF_LEVEL", "INDICES", "plot_sensitivity", "sensitivity", "sensitivity_indices"]

INDICES = {"sobol": ("S1", "ST"), "morris": ("mu_star", "sigma", "mu")}  # S2 pairs on request (second_order=)
COLUMNS = ["output", "parameter", "index", "value", "low", "high", "method", "note"]
CONF_LEVEL = 0.95
RESAMPLES = 1000  # bootstrap resamples for the intervals (SALib's default, 100, gives jumpy intervals)
BOOTSTRAP_SEED = 2025  # not 0: SALib's sobol.analyze takes a falsy seed as "no seed" and draws from np.random
RESULT_COLUMNS = ["point", "replicate", "year", "group_type", "group", "metric", "value"]
INEQUALITY = ("_gap", "_sii", "_rii")
QUINTILES = "area_deprivation_quintile"


# ------------------------------------------------------------------------------------------------ the core
def _sampled(design: pd.DataFrame) -> tuple[str, dict[str, Any]]:
    """The design's method and SALib problem; ``ExperimentError`` for a design SALib cannot analyse."""
    if not isinstance(design, pd.DataFrame):
        raise ExperimentError(f"design: must be a DataFrame from sobol_design or morris_design, got "
                              f"{type(design).__name__}")
    method, problem = design.attrs.get("method"), design.attrs.get("problem")
    if method not in SAMPLED or not isinstance(problem, dict):
        raise ExperimentError(
            f"design: a sensitivity analysis needs a design sampled for it ({' or '.join(SAMPLED)}: sobol_design, "
            f"morris_design or sample_problem), with its attrs; this one is {method or 'without a method'!r}. A "
            f"grid or Latin hypercube has no estimator of Sobol or Morris indices; a design read back from a file "
            f"loses its attrs unless stored with design_to_dict")
    names, d, n = list(problem["names"]), len(problem["names"]), len(design)
    per = {"sobol": 2 * d + 2 if design.attrs.get("second_order", True) else d + 2, "morris": d + 1}[method]
    if n == 0 or n % per or list(design.columns) != names:
        raise ExperimentError(f"design: a {method} design over {names} has a multiple of {per} rows with those "
                              f"columns; this one has {n} rows and columns {list(design.columns)}")
    return method, problem


def _as_outputs(outputs: Any, n: int) -> pd.DataFrame:
    """The outputs as one float column each, one row per design point."""
    if isinstance(outputs, pd.Series):
        frame = outputs.to_frame(str(outputs.name) if outputs.name is not None else "output")
    elif isinstance(outputs, pd.DataFrame):
        frame = outputs
    else:
        array = np.asarray(outputs, dtype=float)
        frame = pd.DataFrame(array.reshape(len(array), -1) if array.ndim else array.reshape(1, 1))
        frame.columns = ["output"] if frame.shape[1] == 1 else [f"output{i}" for i in range(frame.shape[1])]
    if len(frame) != n:
        raise ExperimentError(f"outputs: one value per design point ({n}), got {len(frame)}")
    return frame.astype(float).reset_index(drop=True)


def _row(output: str, parameter: str, index: str, value: float, conf: float, method: str, note: str
         ) -> dict[str, Any]:
    return {"output": output, "parameter": parameter, "index": index, "value": float(value),
            "low": float(value - conf), "high": float(value + conf), "method": method, "note": note}


def _analyse(method: str, problem: dict[str, Any], x: np.ndarray, y: np.ndarray, *, second_order: bool,
             levels: int, resamples: int, seed: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """SALib's indices for one output: ``{index: (values, confs)}`` with NaN where SALib gives none."""
    nan = np.full(problem["num_vars"], np.nan)
    if method == "morris":
        from SALib.analyze import morris

        found = morris.analyze(problem, x, y, num_resamples=resamples, conf_level=CONF_LEVEL, num_levels=levels,
                               seed=seed)
        return {"mu_star": (found["mu_star"], found["mu_star_conf"]), "sigma": (found["sigma"], nan),
                "mu": (found["mu"], nan)}
    from SALib.analyze import sobol

    found = sobol.analyze(problem, y, calc_second_order=second_order, num_resamples=resamples,
                          conf_level=CONF_LEVEL, seed=seed)
    return {"S1": (found["S1"], found["S1_conf"]), "ST": (found["ST"], found["ST_conf"]),
            **({"S2": (found["S2"], found["S2_conf"])} if second_order else {})}


def _vanished_steps(x: np.ndarray, d: int) -> str:
    """A note when rounding integer parameters left Morris steps that change nothing: SALib counts the effect of
    such a step as 0, understating that parameter's ``mu_star``."""
    steps = np.diff(x.reshape(-1, d + 1, d), axis=1)
    vanished = int((np.abs(steps).sum(axis=2) == 0).sum())
    return (f"{vanished} of {steps.shape[0] * d} Morris steps change no parameter (an integer parameter rounded to "
            f"the same value): its mu_star is understated" if vanished else "")


def sensitivity_indices(design: pd.DataFrame, outputs: Any, *, second_order: bool = False,
                        resamples: int = RESAMPLES, seed: int = BOOTSTRAP_SEED) -> pd.DataFrame:
    """Sobol or Morris indices of each output over a sampled ``design`` (``sobol_design``, ``morris_design``,
    ``sample_problem``): a tidy frame with ``COLUMNS``.

    ``outputs``: one value per design point (an array, a Series) or a DataFrame with one column per output.
    Sobol gives ``S1`` and ``ST`` (and ``S2`` for each pair ``a:b`` with ``second_order`` on a design sampled
    with it); Morris gives ``mu_star`` (with an interval), ``sigma`` and ``mu``.  An output that is not finite at
    some point gets NaN indices; one constant across the design gets NaN Sobol indices (0/0) but Morris effects
    of 0; ``note`` says so.
    """
    method, problem = _sampled(design)
    table = _as_outputs(outputs, len(design))
    for name, value in (("resamples", resamples), ("seed", seed)):  # SALib's Sobol takes seed 0 as no seed
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ExperimentError(f"{name}: must be a whole number at least 1, got {value!r}")
    if second_order and not (method == "sobol" and design.attrs.get("second_order", True)):
        raise ExperimentError("second_order: needs a Sobol design sampled with second_order=True")
    names, x = list(problem["names"]), design[problem["names"]].to_numpy(dtype=float)
    undefined: dict[str, tuple[np.ndarray, np.ndarray]] = {i: (np.full(len(names), np.nan),) * 2
                                                            for i in INDICES[method]}
    if second_order:
        undefined["S2"] = (np.full((len(names),) * 2, np.nan),) * 2
    design_note = _vanished_steps(x, len(names)) if method == "morris" else ""
    rows = []
    for output in table.columns:
        y = table[output].to_numpy()
        bad = int((~np.isfinite(y)).sum())
        constant = not bad and np.ptp(y) == 0
        note = "; ".join(filter(None, [f"not finite at {bad} of {len(y)} points" if bad else
                                       "constant across the design: no parameter moves it" if constant else "",
                                       design_note]))
        if bad or (constant and method == "sobol"):
            found = undefined
        else:
            found = _analyse(method, problem, x, y, second_order=second_order,
                             levels=design.attrs.get("levels", 4), resamples=resamples, seed=seed)
        for index, (values, confs) in found.items():
            if index == "S2":
                rows += [_row(str(output), f"{a}:{b}", index, values[i, j], confs[i, j], method, note)
                         for i, a in enumerate(names) for j, b in enumerate(names) if i < j]
            else:
                rows += [_row(str(output), name, index, v, c, method, note)
                         for name, v, c in zip(names, values, confs, strict=True)]
    return pd.DataFrame(rows, columns=COLUMNS)


# ------------------------------------------------------------------------------------------------ a sweep's
def _output_name(metric: str, group_type: str, group: int) -> str:
    """``metric`` for the whole population or an inequality index across area-deprivation quintiles (group 0 of
    a grouping holds the indices across it: a sweep keeps the quintiles' by default); ``metric[across
    income_quintile]`` for one across another grouping; ``metric[Q1]`` for quintile 1 (most deprived);
    ``metric[sex=2]`` for any other group."""
    if group_type == "all" or (group_type == QUINTILES and group == 0):
        return metric
    if group == 0:
        return f"{metric}[across {group_type}]"
    return f"{metric}[Q{group}]" if group_type == QUINTILES else f"{metric}[{group_type}={group}]"


def _output_names(frame: pd.DataFrame) -> pd.Series:
    """Each row's output name (``_output_name``), worked out once per metric and group."""
    keys = frame[["metric", "group_type", "group"]].drop_duplicates()
    names = [_output_name(m, t, int(g)) for m, t, g in keys.itertuples(index=False, name=None)]
    index = pd.MultiIndex.from_frame(keys)
    return pd.Series(names, index=index).reindex(pd.MultiIndex.from_frame(frame[keys.columns])).set_axis(
        frame.index)


def _defaults(available: list[str]) -> list[str]:
    """The inequality outputs: gaps, slope and relative indices across area-deprivation quintiles, and healthy
    life expectancy by quintile."""
    return [name for name in available
            if ("[" not in name and name.endswith(INEQUALITY)) or name.startswith("healthy_life_expectancy[Q")]


def _chosen(outputs: str | Sequence[str] | None, available: list[str]) -> list[str]:
    from pathways_sim.declarations.declare import unknown_name_message

    if outputs is None:
        chosen = _defaults(available)
        if not chosen:
            raise ExperimentError(f"outputs: the results hold none of the default (inequality) outputs; choose "
                                  f"from {', '.join(available)}")
        return chosen
    chosen = [outputs] if isinstance(outputs, str) else list(outputs)
    unknown = [unknown_name_message(name, available, "output") for name in chosen if name not in available]
    if unknown or not chosen:
        raise ExperimentError("outputs: " + ("; ".join(unknown) or "choose at least one"))
    return chosen


def _at_year(frame: pd.DataFrame, year: int | str | None) -> tuple[pd.DataFrame, int | str]:
    years = sorted(frame["year"].unique().tolist())
    if year is None:
        year = years[-1]
    if year == "mean":
        return frame, year
    if year not in years:
        raise ExperimentError(f"year: the results hold years {years} (or year='mean' over them), got {year!r}")
    return frame[frame["year"] == year], year


def _check_points(runs: pd.DataFrame, results: pd.DataFrame, design: pd.DataFrame) -> None:
    """Every design point has results, none lies outside the design, and each point's parameter values (when
    the results carry them) are the design's."""
    points = set(runs.index.get_level_values("point"))
    missing = sorted(set(range(len(design))) - points)
    failures = getattr(results, "failures", None)  # a SweepResult lists its failed runs
    failed = f"; {len(failures)} runs failed: see results.failures" if failures is not None and len(failures) else ""
    if missing:
        raise ExperimentError(
            f"results: {len(missing)} of {len(design)} design points have no runs (points "
            f"{', '.join(map(str, missing[:10]))}{', ...' if len(missing) > 10 else ''}); SALib needs the whole "
            f"design: run the sweep again with its store= (only the missing runs run){failed}")
    if points - set(range(len(design))):
        raise ExperimentError(f"results: points beyond the design's {len(design)}: is this the design swept?")
    shared = [c for c in design.columns if c in results.columns]
    if shared:
        values = results.groupby("point")[shared].first().sort_index()
        if not np.allclose(values.to_numpy(float), design[shared].to_numpy(float), equal_nan=True):
            raise ExperimentError("results: their parameter values differ from the design's at the same points: "
                                  "is this the design swept?")


def _noise(runs: pd.DataFrame) -> tuple[pd.Series, str]:
    """Each output's replicate-noise share (mean within-point variance / variance across every run, clipped to
    [0, 1]: the two estimates can cross when the points barely differ) and a note when it cannot be had."""
    replicates = runs.groupby(level="point").size()
    if replicates.max() < 2:
        return pd.Series(np.nan, index=runs.columns), ("one replicate per point: replicate noise cannot be told "
                                                        "from the parameters' effects")
    within = runs.groupby(level="point").var(ddof=1).mean()
    total = runs.var(ddof=1)
    share = (within / total.where(total > 0)).clip(0, 1)
    uneven = replicates.min() != replicates.max()
    return share, (f"{replicates.min()} to {replicates.max()} replicates per point (some runs failed)"
                   if uneven else "")


def sensitivity(results: pd.DataFrame, design: pd.DataFrame, *, outputs: str | Sequence[str] | None = None,
                year: int | str | None = None, second_order: bool = False, resamples: int = RESAMPLES,
                seed: int = BOOTSTRAP_SEED) -> pd.DataFrame:
    """Sobol indices or Morris effects of a sweep's outputs (``sweep(base, design)``'s result, or it read back
    from Parquet) over its ``design``: ``COLUMNS`` plus ``noise_share`` and ``replicates``.

    ``outputs``: names such as ``cmd_prevalence_sii`` (the slope index across area-deprivation quintiles),
    ``cmd_prevalence`` (everyone) or ``healthy_life_expectancy[Q1]`` (quintile 1, most deprived); default: every
    ``_gap``, ``_sii`` and ``_rii`` across quintiles and healthy life expectancy by quintile.  ``year``: one
    year of the results (default the last) or ``"mean"`` over them.  Replicates are averaged per point before
    the analysis.  ``noise_share``: mean within-point variance over the variance across every run (see the
    module's docstring).  ``attrs`` hold the method, year, interval level, resamples and bootstrap seed.
    """
    method, _ = _sampled(design)
    missing = [c for c in RESULT_COLUMNS if c not in results.columns]
    if missing:
        raise ExperimentError(f"results: a sweep's tidy table is needed; these columns are missing: {missing}")
    frame = pd.DataFrame(results)[RESULT_COLUMNS].astype({"metric": str, "group_type": str})  # from Parquet:
    frame = frame.assign(output=_output_names(frame))                                           # categories
    chosen = _chosen(outputs, sorted(frame["output"].unique()))
    frame, year = _at_year(frame[frame["output"].isin(chosen)], year)
    if year != "mean" and frame.duplicated(["point", "replicate", "output"]).any():
        raise ExperimentError("results: a run appears more than once for the same output and year")
    # one value per run and output (the mean over years for "mean"); a run without an output gets NaN
    runs = frame.groupby(["point", "replicate", "output"])["value"].mean().unstack("output").reindex(
        columns=chosen)
    _check_points(runs, results, design)
    means = runs.groupby(level="point").mean().reindex(range(len(design)))
    share, noise_note = _noise(runs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NaN outputs are reported in the notes, not warned
        table = sensitivity_indices(design, means, second_order=second_order, resamples=resamples, seed=seed)
    table["noise_share"] = table["output"].map(share).astype(float)
    table["replicates"] = int(runs.groupby(level="point").size().min())
    if noise_note:
        table["note"] = [f"{n}; {noise_note}" if n else noise_note for n in table["note"]]
    table = table[[*COLUMNS[:-1], "noise_share", "replicates", "note"]]
    table.attrs.update(method=method, year=year, conf_level=CONF_LEVEL, resamples=resamples, seed=seed)
    return table


# ------------------------------------------------------------------------------------------------ the figure
def plot_sensitivity(table: pd.DataFrame, output: str | None = None) -> Figure:
    """A tornado chart of one output of a ``sensitivity`` (or ``sensitivity_indices``) table: parameters sorted
    by total effect (``ST``, or ``mu_star`` for Morris), largest at the top; first-order and total (or
    ``sigma`` and ``mu_star``) side by side with their 95% intervals; a footnote on the interval and the
    replicate noise.  A matplotlib ``Figure`` (a notebook shows it; ``.savefig(path)`` writes it)."""
    from pathways_sim.results.plots import ResultFigure

    outputs = list(dict.fromkeys(table["output"]))
    if output is None and len(outputs) == 1:
        output = outputs[0]
    if output not in outputs:
        raise ExperimentError(f"output: choose one of {', '.join(map(str, outputs))}, got {output!r}")
    block = table[(table["output"] == output) & table["index"].isin(["S1", "ST", "mu_star", "sigma"])]
    method = str(block["method"].iloc[0])
    first, total = ("S1", "ST") if method == "sobol" else ("sigma", "mu_star")
    wide = {i: block[block["index"] == i].set_index("parameter") for i in (first, total)}
    order = wide[total]["value"].fillna(-np.inf).sort_values().index  # barh draws bottom up: largest on top
    labels = {"S1": "first order (S1)", "ST": "total (ST)", "sigma": r"$\sigma$ (non-linearity, interactions)",
              "mu_star": r"$\mu^*$ (mean |elementary effect|)"}
    height = 2.4 + 0.45 * len(order)
    fig = ResultFigure(figsize=(8, height))
    ax = fig.subplots()
    ypos = np.arange(len(order))
    for shift, index, colour in ((0.2, total, "#2166ac"), (-0.2, first, "#92c5de")):
        rows = wide[index].reindex(order)
        ax.barh(ypos + shift, rows["value"], height=0.38, color=colour, label=labels[index])
        has = np.isfinite(rows["low"]).to_numpy()  # Morris's sigma has no interval: no bar rather than a 0-wide one
        if has.any():
            err = np.vstack([rows["value"] - rows["low"], rows["high"] - rows["value"]])[:, has]
            ax.errorbar(rows["value"].to_numpy()[has], (ypos + shift)[has], xerr=err, fmt="none", ecolor="#333333",
                        capsize=3, lw=1)
    ax.set_yticks(ypos, [str(p) for p in order])
    ax.set_ylim(-0.6, len(order) - 0.4)
    if block["value"].isna().all():  # an undefined output: say so where the bars would be
        ax.text(0.5, 0.5, f"no indices: {block['note'].iloc[0] or 'undefined'}", transform=ax.transAxes,
                ha="center", va="center", color="#555555")
        ax.set_xticks([])
    else:
        ax.axvline(0, color="#555555", lw=0.8)
    ax.set_xlabel("Sobol index (share of the output's variance)" if method == "sobol" else
                  "change in the output over a parameter's plausible range")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    year = table.attrs.get("year")
    ax.set_title(f"Sensitivity of {output}\n{'Sobol indices' if method == 'sobol' else 'Morris screening'}"
                 f"{f', year {year}' if year not in (None, 'mean') else ', mean over years' if year else ''}",
                 fontsize=11)
    footnote = _footnote(block, method, table.attrs.get("resamples", RESAMPLES))
    fig.text(0.01, 0.01, footnote, fontsize=7.5, va="bottom", ha="left", color="#333333")
    # room below the axes for the footnote: about 0.14 inch a line, plus the x label
    fig.tight_layout(rect=(0, (0.05 + 0.13 * (footnote.count("\n") + 1)) / height, 1, 1))
    return fig


def _footnote(block: pd.DataFrame, method: str, resamples: int) -> str:
    lines = [f"Error bars: 95% bootstrap confidence interval (SALib's value ± conf, {resamples} resamples of the "
             f"design points); " + (r"$\sigma$ and $\mu$ have none." if method == "morris" else
                                    "an index whose interval reaches 0 is not told from none.")]
    if "noise_share" in block and np.isfinite(share := block["noise_share"].iloc[0]):
        lines.append(f"Replicate noise: {share:.0%} of the variance across runs ({int(block['replicates'].iloc[0])} "
                     f"replicates per point, averaged before the analysis)"
                     + ("; most of it: more replicates or people are needed before these indices mean much."
                        if share >= 0.5 else "."))
    note = str(block["note"].iloc[0]) if "note" in block else ""
    if note:
        lines.append(f"Note: {note}.")
    return "\n".join(textwrap.fill(line, 140) for line in lines)  # about the width of the figure
