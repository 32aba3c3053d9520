"""Tables for a reader: the comparison, DCEA and summary tables with each number formatted in its unit beside its
interval, and the reading (better / worse, narrowed / widened, not resolved) in words.  The CSV files keep the
numbers; these are what the HTML report shows.  Prevalences are stored as fractions and shown in percent (the
comparison tables already hold them in percentage points)."""

from __future__ import annotations

import math

import pandas as pd

from pathways_sim.declarations.outcomes import OUTCOMES

DASH = "\N{EN DASH}"


def number(value: float, unit: str = "") -> str:
    """``value`` with digits by magnitude (and a pound sign for money); an en dash when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    size = abs(value)
    digits = 0 if size >= 1000 else 1 if size >= 100 else 2 if size >= 1 else 3 if size >= 0.01 else 4
    text = f"{value:,.{digits}f}"
    if unit.startswith("GBP"):
        text = ("-" if value < 0 else "") + "£" + text.lstrip("-")
    return text


def estimate(mean: float, low: float, high: float, unit: str = "") -> str:
    """'mean (low to high)'; 'mean (no interval)' when the run has too few replicates for one."""
    if isinstance(mean, float) and math.isnan(mean):
        return DASH
    if isinstance(low, float) and math.isnan(low):
        return f"{number(mean, unit)} (no interval)"
    return f"{number(mean, unit)} ({number(low, unit)} to {number(high, unit)})"


def readable_changes(table: pd.DataFrame) -> pd.DataFrame:
    """The comparison (or welfare) table as text: arm, outcome, unit, base level, change with its interval, per
    100,000 people where that applies, and the reading."""
    rows = []
    for _, values in table.iterrows():
        unit = str(values.get("unit", ""))
        shown = {"arm": values["scenario"], "outcome": values["change in"], "unit": unit.replace("GBP", "£")}
        if "base" in table:
            shown["base level"] = number(values["base"], unit)
        shown["change (95% interval)"] = estimate(values["mean"], values["low"], values["high"], unit)
        if "per 100,000 people" in table:
            shown["change per 100,000 people"] = number(values["per 100,000 people"], unit)
        shown["reading"] = values["reading"]
        rows.append(shown)
    result = pd.DataFrame(rows)
    result.attrs.update(table.attrs)
    return result


def readable_dcea(table: pd.DataFrame) -> pd.DataFrame:
    """The DCEA table as text: per arm and quintile, QALYs gained, opportunity cost and net health benefit with
    their intervals, and each per 100,000 people of the quintile."""
    rows = []
    for _, row in table.iterrows():
        shown = {"arm": row["scenario"], "area deprivation quintile": row["area deprivation quintile"]}
        for heading in ("QALYs gained", "health opportunity cost (QALYs)", "net health benefit (QALYs)"):
            shown[f"{heading} (95% interval)"] = estimate(row[heading], row[f"{heading} low"],
                                                          row[f"{heading} high"])
            shown[f"{heading} per 100,000 people"] = number(row[f"{heading} per 100,000 people"])
        shown["cost borne (discounted)"] = number(row["cost borne (GBP, discounted)"], "GBP")
        rows.append(shown)
    result = pd.DataFrame(rows)
    result.attrs.update(table.attrs)
    return result


def readable_levels(summary: pd.DataFrame) -> pd.DataFrame:
    """The run summary (levels by arm) with labels that name the grouping and values in the unit shown
    (prevalences in percent)."""
    rows = []
    for _, row in summary.iterrows():
        name, _, rest = str(row["measure"]).partition(" ")
        declared = OUTCOMES.get(name)
        scale = 100.0 if declared is not None and declared.percent and not rest.startswith("RII") else 1.0
        unit = ("ratio" if rest.startswith("RII") else
                (declared.unit if declared is not None else "GBP" if name == "cost" else ""))
        label = declared.label if declared is not None else name
        rest = (rest.replace("SII", "slope index across area deprivation deciles")
                .replace("RII", "relative index across area deprivation deciles (fitted least / most deprived)")
                .replace("gap (Q5-Q1)", "gap, least minus most deprived area quintile (Q5-Q1)"))
        if rest[:1] == "Q" and rest[1:].isdigit():
            rest = f"area deprivation quintile {rest[1:]}" + {"1": " (most deprived)", "5": " (least deprived)"}.get(
                rest[1:], "")
        mean, low, high = (float(row[c]) * scale for c in ("mean", "low", "high"))
        rows.append({"arm": row["scenario"], "measure": f"{label}, {rest}" if rest else label, "unit": unit,
                     "mean (95% interval)": estimate(mean, low, high, unit)})
    result = pd.DataFrame(rows)
    result.attrs.update(summary.attrs)
    return result


def _row(table: pd.DataFrame, arm: str, starts: str) -> pd.Series | None:
    found = table[(table["scenario"] == arm) & table["change in"].str.startswith(starts)]
    return found.iloc[0] if len(found) else None


def _gap_name(label: str) -> str:
    """'Smoking (gap between quintiles)' from the comparison's long label."""
    outcome = label.split(":", maxsplit=1)[0]
    return f"{outcome} ({'slope index across deciles' if 'slope index' in label else 'gap between quintiles'})"


def findings(comparison: pd.DataFrame, welfare: pd.DataFrame, base: str) -> list[str]:
    """A few sentences per arm a reader can take away: the outcomes and gaps that moved beyond the run's noise,
    the cost, QALYs and net health benefit per 100,000 people, and the equity reading."""
    sentences = []
    for arm in dict.fromkeys(comparison["scenario"]):
        rows = comparison[comparison["scenario"] == arm]
        levels = rows[rows["reading"].isin(["better", "worse"]) & ~rows["unit"].isin(["QALYs", "GBP"])
                      & ~rows["change in"].str.startswith("healthy life years")]
        gaps = rows[rows["reading"].isin(["narrowed", "widened"])]
        moved = "; ".join(f"{r['change in'].removesuffix(' (all)')} {number(r['mean'])} "
                          + (r["unit"] if r["unit"] in ("percentage points", "years") else f"({r['unit']})")
                          + f", {r['reading']}" for _, r in levels.iterrows())
        sentences.append(f"{arm} against {base}: " + (moved if moved else "no outcome moved beyond what the run can "
                                                      "resolve") + ".")
        sentences.append(("Gaps between most and least deprived areas: " + "; ".join(
            f"{_gap_name(r['change in'])} {r['reading']}" for _, r in gaps.iterrows()) + ".") if len(gaps) else
            "No gap between the most and least deprived areas changed beyond what the run can resolve.")
        cost, qalys = _row(rows, arm, "cost (discounted"), _row(rows, arm, "QALYs")
        nhb, ratio = _row(rows, arm, "net health benefit"), _row(rows, arm, "cost per QALY")
        if cost is not None and qalys is not None and nhb is not None and ratio is not None:
            per_qaly = (f"cost per QALY {estimate(ratio['mean'], ratio['low'], ratio['high'], 'GBP')}, "
                        f"{ratio['reading']}" if ratio["reading"] not in ("not resolved", "dominant", "dominated")
                        else f"cost per QALY: {ratio['reading']}")
            sentences.append(
                f"Per 100,000 people (discounted): cost {number(cost['per 100,000 people'], 'GBP')}, QALYs gained "
                f"{number(qalys['per 100,000 people'])} ({qalys['reading']}); {per_qaly}; "
                f"{nhb['change in'].split(' (')[0]}: {number(nhb['per 100,000 people'])} QALYs ({nhb['reading']}).")
        equity = _row(welfare, arm, "reduction in the slope index") if len(welfare) else None
        if equity is not None:
            word = {"better": "narrowed", "worse": "widened"}.get(equity["reading"], "not resolved")
            sentences.append(f"Inequality in quality-adjusted health between area deprivation quintiles (after the "
                             f"opportunity cost): {word} ({estimate(equity['mean'], equity['low'], equity['high'])}"
                             f" {equity['unit']}).")
    return sentences
