"""What changed, with uncertainty: summaries of arms x replicates run with common random numbers.

Replicate r of every arm uses the same seed, so arms differ only through what they change: differences are
computed replicate by replicate (paired) before they are summarised.  The outcomes summarised are the
headline outcomes of ``pathways_sim.declarations.outcomes`` (those with a gradient summary).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from pathways_sim.declarations.outcomes import gradient_outcomes
from pathways_sim.results.frames import final_year, select
from pathways_sim.results.tables import run_resolution_notes

SUMMARY_OUTCOMES = tuple(o.name for o in gradient_outcomes())


def interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and a t-interval across replicates (the interval is nan with one replicate)."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(values.mean())
    if values.size < 2:
        return mean, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + level / 2, values.size - 1) * values.std(ddof=1) / np.sqrt(values.size))
    return mean, mean - half, mean + half


def per_replicate(results: pd.DataFrame, metric: str, group_type: str = "all", group: int = 0) -> pd.DataFrame:
    """Arm x replicate table of one metric in the final year."""
    rows = select(final_year(results), metric, group_type, group)
    return rows.pivot_table(index="replicate", columns="scenario", values="value", aggfunc="first")


def total_over_run(results: pd.DataFrame, metric: str, group_type: str = "all", group: int = 0) -> pd.DataFrame:
    """Arm x replicate table of a metric summed over all years."""
    rows = select(results, metric, group_type, group)
    return rows.pivot_table(index="replicate", columns="scenario", values="value", aggfunc="sum")


def summary_table(results: pd.DataFrame) -> pd.DataFrame:
    """Final-year LE and HLE by area quintile and their gap, SII and RII of the main outcomes, and cost:
    mean across replicates with a 95% interval; ``attrs["notes"]`` says what the run is too small to resolve."""
    rows = []
    final = final_year(results)
    for arm, block in final.groupby("scenario", sort=False):
        wanted = []  # (label, metric, group_type, group)
        for metric in ("life_expectancy", "healthy_life_expectancy"):
            wanted += [(f"{metric} Q{q}", metric, "area_deprivation_quintile", q) for q in range(1, 6)]
            wanted.append((f"{metric} gap (Q5-Q1)", f"{metric}_gap", "area_deprivation_quintile", 0))
        for metric in SUMMARY_OUTCOMES:
            wanted.append((f"{metric} SII", f"{metric}_sii", "area_deprivation_decile", 0))
            wanted.append((f"{metric} RII", f"{metric}_rii", "area_deprivation_decile", 0))
        for label, metric, group_type, group in wanted:
            mean, lo, hi = interval(select(block, metric, group_type, group)["value"].to_numpy())
            rows.append({"scenario": arm, "measure": label, "mean": mean, "low": lo, "high": hi})
        costs = select(results[results["scenario"] == arm], "cost")
        mean, lo, hi = interval(costs.groupby("replicate")["value"].sum().to_numpy())
        rows.append({"scenario": arm, "measure": "cost (total over run)", "mean": mean, "low": lo, "high": hi})
        unspent = select(results[results["scenario"] == arm], "unspent")  # budgets left unspent
        if len(unspent):
            mean, lo, hi = interval(unspent.groupby("replicate")["value"].sum().to_numpy())
            rows.append({"scenario": arm, "measure": "unspent budget (total over run)", "mean": mean, "low": lo,
                         "high": hi})
    return _with_notes(pd.DataFrame(rows), results)


def _with_notes(table: pd.DataFrame, results: pd.DataFrame) -> pd.DataFrame:
    """``table`` with ``attrs["notes"]``: what the run was too small to resolve (``run_resolution_notes``),
    shown under the table in the report."""
    table.attrs["notes"] = run_resolution_notes(results)
    return table


def comparison_table(results: pd.DataFrame, base: str) -> pd.DataFrame:
    """Each other arm minus ``base``, paired by replicate (common random numbers): change in each outcome and
    in its gap, incremental cost, healthy life years gained and cost per healthy life year gained."""
    rows = []
    arms = [a for a in results["scenario"].unique() if a != base]

    def diff(table: pd.DataFrame, arm: str) -> np.ndarray:
        return (table[arm] - table[base]).to_numpy() if arm in table and base in table else np.array([])

    hly = total_over_run(results, "healthy_person_years")
    cost = total_over_run(results, "cost")
    for arm in arms:
        changes = []  # (label, paired differences across replicates)
        for metric in SUMMARY_OUTCOMES:
            changes.append((metric, diff(per_replicate(results, metric), arm)))
            changes.append((f"{metric} SII", diff(per_replicate(results, f"{metric}_sii", "area_deprivation_decile"),
                                                  arm)))
            changes.append((f"{metric} gap (Q5-Q1)",
                            diff(per_replicate(results, f"{metric}_gap", "area_deprivation_quintile"), arm)))
        d_hly, d_cost = diff(hly, arm), diff(cost, arm)
        changes += [("healthy life years (total over run)", d_hly), ("cost (total over run)", d_cost)]
        for label, values in changes:
            mean, lo, hi = interval(values)
            rows.append({"scenario": arm, "change in": label, "mean": mean, "low": lo, "high": hi})
        mean, lo, hi = cost_per_gain(d_cost, d_hly)
        rows.append({"scenario": arm, "change in": "cost per healthy life year gained", "mean": mean, "low": lo,
                     "high": hi})
    return _with_notes(pd.DataFrame(rows), results)


def cost_per_gain(d_cost: np.ndarray, d_gain: np.ndarray, draws: int = 2000) -> tuple[float, float, float]:
    """Ratio of mean incremental cost to mean gain, with a 95% percentile bootstrap over replicates
    (nan where the gain is not positive: a cost per unit of harm is not a cost-effectiveness ratio)."""
    if d_cost.size == 0 or np.mean(d_gain) <= 0:
        return float("nan"), float("nan"), float("nan")
    ratio = float(np.mean(d_cost) / np.mean(d_gain))
    _, gain_low, _ = interval(d_gain)
    if d_cost.size < 2 or not gain_low > 0:
        return ratio, float("nan"), float("nan")  # no interval while the gain itself may be zero
    rng = np.random.default_rng(0)  # fixed: a summary must not change between two reads of the same results
    pick = rng.integers(0, d_cost.size, size=(draws, d_cost.size))
    gains, costs = d_gain[pick].mean(1), d_cost[pick].mean(1)
    ratios = np.where(gains > 0, costs / np.where(gains > 0, gains, 1), np.nan)
    return ratio, float(np.nanpercentile(ratios, 2.5)), float(np.nanpercentile(ratios, 97.5))


def equity_impact(results: pd.DataFrame, base: str) -> pd.DataFrame:
    """Per arm and replicate: change in population health (mean HLE) and in inequality (HLE SII across
    deciles; negative = narrower gap) against ``base`` — the coordinates of the equity impact plane."""
    hle = per_replicate(results, "healthy_life_expectancy")
    sii = per_replicate(results, "healthy_life_expectancy_sii", "area_deprivation_decile")

    def change(table: pd.DataFrame, replicate: int, arm: str) -> float:
        """Arm minus base in one replicate; nan where either was not estimable (a run too small for a life
        table by decile writes no slope index)."""
        if arm not in table or base not in table or replicate not in table.index:
            return float("nan")
        values = table[[arm, base]].to_numpy(dtype=float)[table.index.get_loc(replicate)]
        return float(values[0] - values[1])

    rows = []
    for arm in results["scenario"].unique():
        if arm == base or arm not in hle:
            continue
        for replicate in hle.index:
            rows.append({"scenario": arm, "replicate": replicate, "health_change": change(hle, replicate, arm),
                         "inequality_change": change(sii, replicate, arm)})
    return pd.DataFrame(rows, columns=["scenario", "replicate", "health_change", "inequality_change"])
