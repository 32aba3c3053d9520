"""Pathway decomposition: how much of an intervention's effect on a gap runs through each loop or pathway.

::

    from pathways_sim.experiments.decomposition import decompose, plot_decomposition

    table = decompose("baseline", "peer_support", replicates=10, years=10)
    plot_decomposition(table)

The effect of the alternative is its gap minus the base's, final year, paired by replicate.  It is measured
with everything on, and again with one pathway or loop switched off in *both* arms (a loop by its feedback
link(s), ``Loop.cut``), every run with the same seeds (common random numbers).  The share through ``p`` is
``1 - effect without p / effect with all on``: 1 when the effect needs ``p`` entirely, 0 when it does not use
it, below 0 when ``p`` held the effect back, above 1 when without ``p`` the effect reverses.  Pathways
interact, so the shares need not add up to 1.

The share is a ratio of means across replicates; its interval is a 95% percentile bootstrap over replicates
(replicates resampled together in every arm, so the pairing holds).  When the total effect's own 95% interval
(a t-interval across replicates) includes 0 the ratio is not identified: the ``note`` column says so and the
share's interval is left empty rather than printed with false confidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from pathways_sim.experiments.errors import ExperimentError
from pathways_sim.experiments.progress import Progress

__all__ = ["ALL_ON", "COLUMNS", "DEFAULT_METRICS", "check_choices", "decompose", "plot_decomposition", "shares"]

ALL_ON = "(none)"  # the switched_off value of the runs with everything on
DEFAULT_METRICS = ("healthy_life_expectancy_gap",)
COLUMNS = ["metric", "switched_off", "kind", "effect", "effect_low", "effect_high", "share", "share_low",
           "share_high", "replicates", "note"]
BOOTSTRAP_DRAWS = 2000
LEVEL = 0.95


def _group_type(metric: str) -> str:
    """Where a metric's gradient summary is recorded: gaps across area quintiles, slope indices across deciles."""
    if metric.endswith("_gap"):
        return "area_deprivation_quintile"
    if metric.endswith(("_sii", "_rii")):
        return "area_deprivation_decile"
    return "all"


def check_choices(pathways: Sequence[str] | None, metrics: Sequence[str]) -> tuple[list[str], list[str]]:
    """The pathways and loops to switch off (default: every loop in ``LOOPS``) and the metrics, validated:
    ``ParameterError`` naming an unknown pathway or loop and listing the allowed ones."""
    from pathways_sim.experiments.sweeps import DEFAULT_METRICS as KNOWN
    from pathways_sim.mechanisms.registry import LOOPS, Switches

    names = list(LOOPS) if pathways is None else ([pathways] if isinstance(pathways, str) else list(pathways))
    if not names:
        raise ExperimentError("pathways: name at least one pathway or loop to switch off (default: every loop)")
    Switches(names)  # ParameterError: unknown pathway or loop 'x'. Did you mean ...? Allowed: ...
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    unknown = [m for m in metrics if m not in KNOWN]
    if unknown or not metrics:
        raise ExperimentError(f"metrics: unknown {', '.join(map(repr, unknown)) or '(none given)'}; allowed: "
                              + ", ".join(KNOWN))
    return list(dict.fromkeys(names)), metrics


def decompose(base: Any, alternative: Any, *, pathways: Sequence[str] | None = None,  # noqa: PLR0913
              metrics: Sequence[str] = DEFAULT_METRICS, replicates: int = 5, years: int | None = None,
              seed: int | None = None, workers: int = 1, progress: Progress = True, quiet: bool = False,
              force: bool = False) -> pd.DataFrame:
    """The effect of ``alternative`` against ``base`` on each of ``metrics`` (final year) with everything on,
    and with each of ``pathways`` (names of pathways or loops; default every loop in ``LOOPS``) switched off in
    both arms; the share of the effect through each.  ``base``, ``alternative``: scenarios (objects, YAML paths
    or shipped names, one arm each) or dicts of model keyword arguments, as ``psa`` takes them.  ``years`` and
    ``seed`` default to the base's; ``workers``, ``progress``, ``quiet`` and ``force`` are ``run_arms``'.

    Returns a tidy table (``COLUMNS``): one row per metric and thing switched off, the first (``switched_off``
    ``ALL_ON``, kind ``"all on"``) the effect with everything on; ``attrs`` hold what ran.
    """
    from pathways_sim.experiments.psa import check_comparable, labelled_arms
    from pathways_sim.experiments.runner import run_arms

    names, metrics = check_choices(pathways, metrics)
    arms, base_years, base_seed = labelled_arms(base, alternative)
    if len(arms) != 2:
        raise ExperimentError(f"decompose compares two arms, got {len(arms)} ({', '.join(arms)}); give a base and "
                              "one alternative of one arm each")
    check_comparable(arms)
    years = base_years if years is None else years
    if years is None:
        raise ExperimentError("years: give the number of years to simulate (years=...)")
    seed = (2025 if base_seed is None else base_seed) if seed is None else seed
    runs = {}
    for off in [ALL_ON, *names]:
        for role, kwargs in zip(("base", "alternative"), arms.values(), strict=True):
            switched = list(kwargs.get("pathways_off", ())) + ([] if off == ALL_ON else [off])
            runs[f"{role}\t{off}"] = {**kwargs, "pathways_off": switched}
    result = run_arms(runs, years=years, seed=seed, replicates=replicates, workers=workers, progress=progress,
                      quiet=quiet, force=force, label="decompose")
    table = shares(result.results, names, metrics)
    base_label, alternative_label = arms
    table.attrs.update(base=base_label, alternative=alternative_label, replicates=replicates, years=years,
                       seed=seed, replicate_seeds=result.seeds)
    return table


def _values(results: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Replicate x run (``role<TAB>switched off``) table of ``metric`` in the final year."""
    final = results[(results["year"] == results["year"].max()) & (results["metric"] == metric)
                    & (results["group_type"] == _group_type(metric)) & (results["group"] == 0)]
    return final.pivot_table(index="replicate", columns="scenario", values="value", aggfunc="first", dropna=False)


def shares(results: pd.DataFrame, switched_off: Sequence[str], metrics: Sequence[str]) -> pd.DataFrame:
    """The decomposition table from the results of ``decompose``'s runs (``scenario`` = ``role<TAB>off`` with
    role ``base`` or ``alternative`` and off ``ALL_ON`` or a pathway or loop name); see the module docstring."""
    from pathways_sim.experiments.summaries import interval
    from pathways_sim.mechanisms.registry import LOOPS

    rows = []
    for metric in metrics:
        values = _values(results, metric)

        def effect(off: str, values: pd.DataFrame = values) -> np.ndarray:
            columns = (f"alternative\t{off}", f"base\t{off}")
            if not all(c in values for c in columns):
                return np.full(len(values), np.nan)
            return (values[columns[0]] - values[columns[1]]).to_numpy(dtype=float)

        total = effect(ALL_ON)
        mean, low, high = interval(total, LEVEL)
        identified = np.isfinite(low) and not low <= 0 <= high
        rows.append({"metric": metric, "switched_off": ALL_ON, "kind": "all on", "effect": mean, "effect_low": low,
                     "effect_high": high, "share": 1.0 if np.isfinite(mean) else np.nan, "share_low": np.nan,
                     "share_high": np.nan, "replicates": int(np.isfinite(total).sum()),
                     "note": _note(total, mean, low, high)})
        for off in switched_off:
            without = effect(off)
            both = np.isfinite(total) & np.isfinite(without)
            w_mean, w_low, w_high = interval(without, LEVEL)
            share = 1 - np.mean(without[both]) / np.mean(total[both]) if both.any() and np.mean(total[both]) \
                else np.nan
            share_low, share_high = _bootstrap(total[both], without[both]) if identified else (np.nan, np.nan)
            rows.append({"metric": metric, "switched_off": off, "kind": "loop" if off in LOOPS else "pathway",
                         "effect": w_mean, "effect_low": w_low, "effect_high": w_high, "share": float(share),
                         "share_low": share_low, "share_high": share_high, "replicates": int(both.sum()),
                         "note": "" if identified else _note(total, mean, low, high)})
    return pd.DataFrame(rows, columns=COLUMNS)


def _note(total: np.ndarray, mean: float, low: float, high: float) -> str:
    if not np.isfinite(mean):
        return "the effect could not be estimated (the metric is missing: too few people or deaths?)"
    if not np.isfinite(low):
        return "one replicate: no interval, so the shares are not identified; run more replicates"
    if low <= 0 <= high:
        return (f"the total effect's 95% interval ({low:+.3g} to {high:+.3g}) includes 0: shares are not "
                "identified (more replicates or people, or a larger intervention)")
    return ""


def _bootstrap(total: np.ndarray, without: np.ndarray) -> tuple[float, float]:
    """95% percentile bootstrap of ``1 - mean(without) / mean(total)``, resampling replicates in pairs."""
    if total.size < 2:
        return float("nan"), float("nan")
    rng = np.random.default_rng(0)  # fixed: a summary must not change between two reads of the same results
    pick = rng.integers(0, total.size, size=(BOOTSTRAP_DRAWS, total.size))
    totals, withouts = total[pick].mean(axis=1), without[pick].mean(axis=1)
    ratios = np.where(totals != 0, 1 - withouts / np.where(totals != 0, totals, 1), np.nan)
    tail = 100 * (1 - LEVEL) / 2
    return float(np.nanpercentile(ratios, tail)), float(np.nanpercentile(ratios, 100 - tail))


def plot_decomposition(table: pd.DataFrame, metric: str | None = None) -> Any:
    """Horizontal bars: the share through each pathway or loop, with its interval (a matplotlib figure)."""
    from pathways_sim.results.uncertainty import decomposition_plot

    return decomposition_plot(table, metric)
