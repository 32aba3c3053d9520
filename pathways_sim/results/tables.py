"""The health-gap table: key outcomes by deprivation group, with the gap and the slope index."""

from __future__ import annotations

import pandas as pd

from pathways_sim.declarations.outcomes import OUTCOMES, gradient_outcomes

TABLE_METRICS = {o.name: o.heading for o in gradient_outcomes()}  # metric: column heading


def health_gap_table(results: pd.DataFrame, year: int | None = None,
                     grouping: str = "area_deprivation_quintile") -> pd.DataFrame:
    """Rows: groups 1 (most deprived) .. N, then 'gap' (least minus most deprived) and 'SII'.

    Prevalences are shown in percent.  ``year`` defaults to the last year in ``results``.
    """
    if results.empty:
        raise ValueError("no results yet: run the model for at least one year")
    if grouping not in set(results["group_type"]):
        raise ValueError(f"unknown grouping {grouping!r}; available: {sorted(set(results['group_type']))}")
    year = int(results["year"].max()) if year is None else year
    block = results[(results["year"] == year) & (results["group_type"] == grouping)]
    if block.empty:
        raise ValueError(f"no results for year {year}; years available: {sorted(results['year'].unique())}")
    wide = block[block["group"] > 0].pivot_table(index="group", columns="metric", values="value", aggfunc="first")
    table = pd.DataFrame(index=[str(g) for g in wide.index])
    summary = block[block["group"] == 0].set_index("metric")["value"]
    gap_row, sii_row = {}, {}
    for metric, heading in TABLE_METRICS.items():
        scale = 100.0 if OUTCOMES[metric].percent else 1.0
        table[heading] = wide[metric].to_numpy() * scale if metric in wide else float("nan")
        gap_row[heading] = summary.get(f"{metric}_gap", float("nan")) * scale
        sii_row[heading] = summary.get(f"{metric}_sii", float("nan")) * scale
    table.loc["gap (least - most)"] = gap_row
    table.loc["SII"] = sii_row
    table.index.name = f"{grouping} (1 = most deprived), {year}"
    table.attrs["notes"] = resolution_notes(block)
    return table


def resolution_notes(block: pd.DataFrame) -> list[str]:
    """Warnings for a grouping's rows of one year: groups whose life tables were too small to report."""
    from pathways_sim.results.collector import MIN_LIFE_TABLE_PERSON_YEARS

    groups = block[block["group"] > 0]
    exposure = groups[groups["metric"] == "person_years"].set_index("group")["value"]
    small = exposure[exposure < MIN_LIFE_TABLE_PERSON_YEARS]
    if small.empty:
        return []
    listed = ", ".join(f"{g} ({v:,.0f})" for g, v in small.items())
    return [f"life and healthy life expectancy not estimable in group(s) {listed}: fewer than "
            f"{MIN_LIFE_TABLE_PERSON_YEARS:,.0f} person-years in the pooled window (Eayres & Williams 2004); "
            "simulate more people or more years"]
