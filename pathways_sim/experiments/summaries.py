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
from pathways_sim.results.tables import MIN_REPLICATES, run_resolution_notes

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
    mean across replicates with a 95% interval (none from fewer than ``MIN_REPLICATES``); ``attrs["notes"]``
    says what the run is too small to resolve."""
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
            mean, lo, hi = reported_interval(select(block, metric, group_type, group)["value"].to_numpy())
            rows.append({"scenario": arm, "measure": label, "mean": mean, "low": lo, "high": hi})
        costs = select(results[results["scenario"] == arm], "cost").groupby("replicate")["value"].sum()
        mean, lo, hi = reported_interval(costs.to_numpy())
        rows.append({"scenario": arm, "measure": "cost (total over run)", "mean": mean, "low": lo, "high": hi})
        people = select(results[results["scenario"] == arm], "population").groupby("replicate")["value"].mean()
        per = (costs / people.reindex(costs.index) * 100_000).to_numpy(dtype=float)
        mean, lo, hi = reported_interval(per)
        rows.append({"scenario": arm, "measure": "cost per 100,000 people (total over run)", "mean": mean, "low": lo,
                     "high": hi})
        unspent = select(results[results["scenario"] == arm], "unspent")  # budgets left unspent
        if len(unspent):
            mean, lo, hi = reported_interval(unspent.groupby("replicate")["value"].sum().to_numpy())
            rows.append({"scenario": arm, "measure": "unspent budget (total over run)", "mean": mean, "low": lo,
                         "high": hi})
    return _with_notes(pd.DataFrame(rows), results)


def _with_notes(table: pd.DataFrame, results: pd.DataFrame) -> pd.DataFrame:
    """``table`` with ``attrs["notes"]``: what the run was too small to resolve (``run_resolution_notes``),
    shown under the table in the report."""
    table.attrs["notes"] = run_resolution_notes(results)
    return table


INTERVAL_NOTE = ("intervals: 95% t-intervals of the paired differences across replicates (replicate r of every "
                 "arm shares its random numbers), shown only with at least {n} replicates")


READING_NOTE = ("reading: 'better' / 'worse' for a level (by the outcome's better direction), 'narrowed' / "
                "'widened' for a gap or slope index (its distance from zero), 'not resolved' when the interval "
                "crosses zero or there is none, 'unchanged' when identical in every replicate; prevalences in "
                "percent, their changes in percentage points; gaps and "
                "slope indices are least minus most deprived; 'dominant' = cheaper and more health, 'dominated' = "
                "dearer and less health")


def _replicate_note(results: pd.DataFrame) -> list[str]:
    replicates = int(results["replicate"].nunique()) if "replicate" in results else 0
    if replicates >= MIN_REPLICATES:
        return []
    return [f"{replicates} replicate(s): no intervals are shown (at least {MIN_REPLICATES} are needed) and nothing "
            "is read as resolved; run more replicates"]


def reported_interval(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95% t-interval across replicates; no interval (nan) from fewer than ``MIN_REPLICATES``."""
    mean, low, high = interval(values)
    values = np.asarray(values, dtype=float)
    if np.isfinite(values).sum() < MIN_REPLICATES:
        return mean, float("nan"), float("nan")
    return mean, low, high


def _reading(mean: float, low: float, high: float, *, better: str, base: float = float("nan"),
             gap: bool = False) -> str:
    """'narrowed'/'widened' for a gap, 'better'/'worse' for a level, 'not resolved' when the interval is missing
    or crosses zero, 'unchanged' when every replicate's difference was exactly zero."""
    if low == high == mean == 0:
        return "unchanged"
    if not (np.isfinite(low) and np.isfinite(high)) or low <= 0 <= high:
        return "not resolved"
    sign = 1.0 if low > 0 else -1.0
    if gap:
        if not np.isfinite(base) or base == 0:
            return "not resolved"
        return "narrowed" if sign * np.sign(base) < 0 else "widened"
    if better not in ("higher", "lower"):
        return "up" if sign > 0 else "down"
    return "better" if (sign > 0) == (better == "higher") else "worse"


def comparison_table(results: pd.DataFrame, base: str, settings: dict[str, float] | None = None,
                     follow_up: int = 0) -> pd.DataFrame:
    """Each other arm minus ``base``, paired by replicate (common random numbers), one row per outcome: the change
    (``mean``) in the unit shown (percentage points for prevalences, years for LE and HLE), its 95% interval
    (only from ``MIN_REPLICATES`` or more replicates), the base's level, the change per 100,000 people for counts
    and costs, and a ``reading``: better / worse for a level, narrowed / widened for a gap, not resolved when the
    interval is missing or crosses zero.  Then discounted QALYs, healthy life years and cost, the net health
    benefit and cost per QALY and per healthy life year gained (with 'dominant' / 'dominated' / 'not resolved'
    where the ratio would mislead).  ``settings``: ``economics.check_settings`` (discount rate, threshold,
    utilities)."""
    from pathways_sim.experiments.distributional import replicate_economics
    from pathways_sim.results import economics

    settings = economics.check_settings(**(settings or {}))
    rows = []
    arms = [a for a in results["scenario"].unique() if a != base]
    every_year = results
    if follow_up > 0:  # outcomes are read at the end of the interventions' years, not of the follow-up
        results = results[results["year"] <= results["year"].max() - follow_up]

    def diff(table: pd.DataFrame, arm: str) -> np.ndarray:
        return (table[arm] - table[base]).to_numpy() if arm in table and base in table else np.array([])

    def level(table: pd.DataFrame) -> float:
        return float(table[base].mean()) if base in table else float("nan")

    _, econ = replicate_economics(every_year, base, settings, follow_up > 0)
    cohort = (f"; the cohort alive at the start, to {follow_up} years after the interventions end"
              if follow_up > 0 else "")
    rate = settings["discount_rate"]
    for arm in arms:
        for declared in gradient_outcomes():
            metric, scale = declared.name, (100.0 if declared.percent else 1.0)
            unit = "percentage points" if declared.percent else declared.unit
            for label, name, grouping, is_gap in (
                    (f"{declared.label} (all)", metric, "all", False),
                    (f"{declared.label}: gap, least minus most deprived area quintile (Q5-Q1)", f"{metric}_gap",
                     "area_deprivation_quintile", True),
                    (f"{declared.label}: slope index across area deprivation deciles", f"{metric}_sii",
                     "area_deprivation_decile", True)):
                table = per_replicate(results, name, grouping)
                mean, lo, hi = reported_interval(diff(table, arm) * scale)
                base_level = level(table) * scale
                rows.append({"scenario": arm, "change in": label, "unit": unit, "base": base_level, "mean": mean,
                             "low": lo, "high": hi, "per 100,000 people": float("nan"),
                             "reading": _reading(mean, lo, hi, better=declared.better, base=base_level,
                                                 gap=is_gap)})
        block = econ[econ["scenario"] == arm] if len(econ) else econ
        people = float(block["people"].mean()) if len(block) else float("nan")
        per = economics.PER / people if people and np.isfinite(people) else float("nan")
        spent = {}
        for key, label, unit, better in (
                ("qalys", f"QALYs (discounted {rate:.1%} a year{cohort})", "QALYs", "higher"),
                ("healthy_years", f"healthy life years (discounted {rate:.1%} a year{cohort})", "years", "higher"),
                ("cost", f"cost (discounted {rate:.1%} a year)", "GBP", "lower"),
                ("cost_undiscounted", "cost (undiscounted)", "GBP", "lower"),
                ("net_health_benefit", f"net health benefit at GBP {settings['threshold']:,.0f} per QALY "
                 "(QALYs gained - cost / threshold)", "QALYs", "higher")):
            values = block[key].to_numpy(dtype=float) if len(block) else np.array([])
            mean, lo, hi = reported_interval(values)
            spent[key] = (values, (mean, lo, hi))
            rows.append({"scenario": arm, "change in": label, "unit": unit, "base": float("nan"), "mean": mean,
                         "low": lo, "high": hi, "per 100,000 people": mean * per,
                         "reading": _reading(mean, lo, hi, better=better)})
        d_cost, cost_summary = spent["cost"]
        for key, label in (("qalys", "cost per QALY gained"), ("healthy_years", "cost per healthy life year gained")):
            d_gain, gain_summary = spent[key]
            verdict = economics.ratio_verdict(cost_summary, gain_summary)
            mean, lo, hi = cost_per_gain(d_cost, d_gain) if verdict == "" else (float("nan"),) * 3
            rows.append({"scenario": arm, "change in": f"{label} (discounted)", "unit": "GBP per unit gained",
                         "base": float("nan"), "mean": mean, "low": lo, "high": hi,
                         "per 100,000 people": float("nan"),
                         "reading": verdict or _against_threshold(lo, hi, settings["threshold"], key)})
    table = _with_notes(pd.DataFrame(rows), results)
    table.attrs["conventions"] = [INTERVAL_NOTE.format(n=MIN_REPLICATES), READING_NOTE,
                                  economic_note(settings, follow_up)]
    return table


def _against_threshold(low: float, high: float, threshold: float, gain: str) -> str:
    """Where a cost per unit gained lies against the threshold (per QALY only: a healthy year is not a QALY)."""
    if gain != "qalys" or not (np.isfinite(low) and np.isfinite(high)):
        return "ratio (no threshold: a healthy year is not a QALY)"
    if high < threshold:
        return f"below GBP {threshold:,.0f} per QALY"
    if low > threshold:
        return f"above GBP {threshold:,.0f} per QALY"
    return f"spans GBP {threshold:,.0f} per QALY"


def horizon_text(follow_up: int) -> str:
    """The horizon of the economics, in words."""
    if follow_up > 0:
        return (f"horizon: the cohort alive at the start, followed {follow_up} years after the interventions end "
                "(their health only; people born later are not counted)")
    return "horizon: the run's years only, everyone alive (no follow-up after the interventions)"


def economic_note(settings: dict[str, float], follow_up: int = 0) -> str:
    """The economic conventions in one sentence, for under the tables."""
    return (f"economics: costs and health discounted at {settings['discount_rate']:.1%} a year from the first "
            "reported year (NICE); QALYs weight each person-year by a utility of "
            f"{settings['utility_good_health']:.2f} in good health, less "
            f"{settings['utility_decrement_not_good_health']:.2f} in not-good health and "
            f"{settings['utility_decrement_cmd']:.2f} with a common mental disorder "
            "(see results.economics.ECONOMIC_PARAMETERS for sources); health opportunity cost at "
            f"GBP {settings['threshold']:,.0f} per QALY (NICE's range is GBP 20,000-30,000), borne across quintiles in "
            "proportion to population (an assumption); " + horizon_text(follow_up))


def dcea_table(results: pd.DataFrame, base: str, settings: dict[str, float] | None = None,
               follow_up: int = 0) -> pd.DataFrame:
    """Distributional cost-effectiveness by area deprivation quintile, each arm against ``base``: discounted QALYs
    gained, cost borne, health opportunity cost and net health benefit (each also per 100,000 people of the
    quintile), mean and 95% interval across replicates (from ``MIN_REPLICATES``)."""
    from pathways_sim.experiments.distributional import replicate_economics
    from pathways_sim.results import economics

    settings = economics.check_settings(**(settings or {}))
    by_quintile, by_arm = replicate_economics(results, base, settings, follow_up > 0)
    rows = []
    names = {1: "Q1 (most deprived)", 5: "Q5 (least deprived)"}
    for arm in dict.fromkeys(by_quintile["scenario"]) if len(by_quintile) else []:
        block = by_quintile[by_quintile["scenario"] == arm]
        totals = by_arm[by_arm["scenario"] == arm]
        groups = [(names.get(q, f"Q{q}"), block[block["group"] == q]) for q in range(1, 6)]
        groups.append(("all quintiles", totals))
        for label, part in groups:
            row: dict[str, object] = {"scenario": arm, "area deprivation quintile": label}
            people = float(part["people"].mean())
            for key, heading in (("qalys_gained" if "qalys_gained" in part else "qalys", "QALYs gained"),
                                 ("opportunity_cost", "health opportunity cost (QALYs)"),
                                 ("net_health_benefit", "net health benefit (QALYs)")):
                mean, lo, hi = reported_interval(part[key].to_numpy(dtype=float))
                row[heading] = mean
                row[f"{heading} low"], row[f"{heading} high"] = lo, hi
                row[f"{heading} per 100,000 people"] = mean * economics.PER / people if people else float("nan")
            row["cost borne (GBP, discounted)"] = float(part["cost"].mean())
            rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs["conventions"] = [INTERVAL_NOTE.format(n=MIN_REPLICATES), economic_note(settings, follow_up)]
    table.attrs["notes"] = _replicate_note(results)
    return table


def welfare_table(results: pd.DataFrame, base: str, settings: dict[str, float] | None = None,
                  follow_up: int = 0) -> pd.DataFrame:
    """Per arm against ``base``: total net health benefit, the change in inequality in quality-adjusted years per
    person-year across area deprivation quintiles (slope index; Atkinson index) and the change in equity-weighted
    social welfare (Atkinson's equally distributed equivalent), mean and 95% interval across replicates."""
    from pathways_sim.experiments.distributional import replicate_economics
    from pathways_sim.results import economics

    settings = economics.check_settings(**(settings or {}))
    _, by_arm = replicate_economics(results, base, settings, follow_up > 0)
    epsilon = settings["inequality_aversion"]
    rows = []
    for arm in dict.fromkeys(by_arm["scenario"]) if len(by_arm) else []:
        block = by_arm[by_arm["scenario"] == arm]
        people = float(block["people"].mean())
        per = economics.PER / people if people else float("nan")
        measures = (
            ("net health benefit, all quintiles", "QALYs per 100,000 people", block["net_health_benefit"] * per,
             "higher"),
            ("reduction in the slope index of quality-adjusted years per person-year across area deprivation "
             "quintiles (positive: gap narrowed)", "QALYs per 100,000 person-years", block["inequality_reduction"],
             "higher"),
            (f"Atkinson index of the same (epsilon {epsilon:g}), arm minus base", "index x 1,000",
             (block["atkinson_arm"] - block["atkinson_base"]) * 1000, "lower"),
            (f"equity-weighted social welfare: equally distributed equivalent (Atkinson, epsilon {epsilon:g})",
             "QALYs per 100,000 person-years", block["welfare_change"], "higher"))
        for label, unit, values, better in measures:
            mean, lo, hi = reported_interval(values.to_numpy(dtype=float))
            rows.append({"scenario": arm, "change in": label, "unit": unit, "mean": mean, "low": lo, "high": hi,
                         "reading": _reading(mean, lo, hi, better=better)})
    table = pd.DataFrame(rows)
    table.attrs["notes"] = _replicate_note(results)
    table.attrs["conventions"] = [INTERVAL_NOTE.format(n=MIN_REPLICATES),
                            f"inequality aversion epsilon = {epsilon:g} (Robson et al. 2017, median of a survey of "
                            "the public in England); health level per quintile: discounted QALYs per discounted "
                            "person-year of the base arm, less the quintile's share of the opportunity cost"]
    return table


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


def equity_impact(results: pd.DataFrame, base: str, settings: dict[str, float] | None = None,
                  follow_up: int = 0) -> pd.DataFrame:
    """Per arm and replicate, against ``base``: net health benefit (x, QALYs per 100,000 people, discounted) and
    reduction in health inequality (y, the slope index across area deprivation quintiles of quality-adjusted years
    per person-year, in QALYs per 100,000 person-years; positive = gap narrowed) — the equity impact plane."""
    from pathways_sim.experiments.distributional import replicate_economics
    from pathways_sim.results import economics

    settings = economics.check_settings(**(settings or {}))
    _, by_arm = replicate_economics(results, base, settings, follow_up > 0)
    columns = ["scenario", "replicate", "net_health_benefit_per_100000", "inequality_reduction_per_100000_py"]
    if by_arm.empty:
        empty = pd.DataFrame(columns=columns)
        empty.attrs["threshold"] = settings["threshold"]
        return empty
    per = economics.PER / by_arm["people"].replace(0, np.nan)
    table = pd.DataFrame({"scenario": by_arm["scenario"], "replicate": by_arm["replicate"],
                          columns[2]: by_arm["net_health_benefit"] * per,
                          columns[3]: by_arm["inequality_reduction"]})[columns]
    table.attrs["threshold"] = settings["threshold"]
    return table
