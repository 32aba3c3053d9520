"""The health-gap table: key outcomes by deprivation group, with the gap and the slope index; and the notes that
say when a run is too small to resolve what its tables report (``resolution_notes``, ``run_resolution_notes``)."""

from __future__ import annotations

import pandas as pd

from pathways_sim.declarations.outcomes import OUTCOMES, gradient_outcomes

TABLE_METRICS = {o.name: o.heading for o in gradient_outcomes()}  # metric: column heading
# Below this many areas (neighbourhoods) in an area decile or quintile, the group's values are mostly the luck of
# the few neighbourhoods it holds (their cohesion, who lives there), not its place on the gradient: ten areas
# average that luck over ten draws (an assumption; runs have one area per ``people_per_area`` people, 1,500 by
# default, so ten per quintile takes 75,000 people and ten per decile 150,000).
MIN_AREAS_PER_GROUP = 10
# Below this many replicates the 95% intervals across replicates are not worth reading: the t quantile is 12.7
# with 2 replicates, 4.3 with 3 and 2.8 with 5 (against 1.96 for a known spread), and the spread itself is
# estimated from fewer than 4 degrees of freedom (an assumption, from those numbers).
MIN_REPLICATES = 5
AREA_GROUPINGS = ("area_deprivation_quintile", "area_deprivation_decile")


def health_gap_table(results: pd.DataFrame, year: int | None = None,
                     grouping: str = "area_deprivation_quintile") -> pd.DataFrame:
    """Rows: groups 1 (most deprived) .. N, then 'gap' (least minus most deprived) and 'SII'.

    Prevalences are shown in percent.  ``year`` defaults to the last year in ``results``.  ``attrs["notes"]``
    says when the run was too small to resolve the table (``resolution_notes``).
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
    table.index.name = f"{grouping} ({_group_order(grouping)}), {year}"
    table.attrs["notes"] = resolution_notes(block)
    return table


def _group_order(grouping: str) -> str:
    """What group 1 is, in words (the gap and slope index run from group 1 to the last)."""
    if grouping == "sex":
        return "1 = men, 2 = women"
    return "1 = lowest income" if "income" in grouping else "1 = most deprived"


def resolution_notes(block: pd.DataFrame, replicates: int | None = None) -> list[str]:
    """What a grouping's rows of one year (one run) are too small to resolve, in plain words; empty when nothing.

    - groups whose life tables were not reported: fewer than ``MIN_LIFE_TABLE_PERSON_YEARS`` person-years or
      ``MIN_LIFE_TABLE_DEATHS`` deaths in the pooled window (their LE and HLE are missing, not noise);
    - area groups holding fewer than ``MIN_AREAS_PER_GROUP`` areas (from the ``areas`` rows);
    - with ``replicates``: fewer than ``MIN_REPLICATES`` replicates behind the intervals.
    """
    from pathways_sim.results.collector import MIN_LIFE_TABLE_DEATHS, MIN_LIFE_TABLE_PERSON_YEARS

    groups = block[block["group"] > 0]
    by_metric = {m: rows.set_index("group")["value"] for m, rows in groups.groupby("metric")}
    notes = []
    exposure = by_metric.get("person_years", pd.Series(dtype=float))
    deaths = by_metric.get("life_table_deaths", pd.Series(dtype=float)).reindex(exposure.index)
    small = exposure.index[(exposure < MIN_LIFE_TABLE_PERSON_YEARS) | (deaths < MIN_LIFE_TABLE_DEATHS)]
    if len(small):
        listed = ", ".join(f"{g} ({exposure[g]:,.0f} person-years, {deaths[g]:,.0f} deaths)" for g in small)
        notes.append(f"life and healthy life expectancy not estimable in group(s) {listed}: a life table needs "
                     f"{MIN_LIFE_TABLE_PERSON_YEARS:,.0f} person-years (Eayres & Williams 2004) and "
                     f"{MIN_LIFE_TABLE_DEATHS:,.0f} deaths in the pooled window; their gap and slope index are "
                     "not reported either; simulate more people or more years")
    areas = by_metric.get("areas", pd.Series(dtype=float))
    if len(areas) and areas.min() < MIN_AREAS_PER_GROUP:
        notes.append(f"each group holds {_range(areas)} area(s) (fewer than {MIN_AREAS_PER_GROUP}): its values are "
                     "mostly the luck of those few neighbourhoods, not its place on the gradient; simulate more "
                     "people (one area per people_per_area people)")
    if replicates is not None and replicates < MIN_REPLICATES:
        notes.append(f"{replicates} replicate(s): " + ("no interval across replicates" if replicates < 2 else
                     "the 95% intervals rest on so few replicates that they are wide and unstable")
                     + f"; run at least {MIN_REPLICATES}")
    return notes


def _range(values: pd.Series) -> str:
    low, high = int(values.min()), int(values.max())
    return f"{low}" if low == high else f"{low}-{high}"


def run_resolution_notes(results: pd.DataFrame, groupings: tuple[str, ...] = AREA_GROUPINGS) -> list[str]:
    """``resolution_notes`` for a long results table (columns scenario and replicate, as experiments return):
    the final year of each scenario's first replicate, for each grouping, each note prefixed with where it
    applies; then one note on the number of replicates.  Empty when the run resolves what it reports."""
    if results.empty:
        return []
    final = results[results["year"] == results["year"].max()]
    if "replicate" in final:
        final = final[final["replicate"] == final["replicate"].min()]
    by_scenario = final.groupby("scenario", sort=False) if "scenario" in final else [("", final)]
    notes = []
    for scenario, block in by_scenario:
        where = f"{scenario}: " if scenario else ""
        for grouping in groupings:
            label = grouping.replace("_", " ") + "s"
            notes += [f"{where}{label}: {note}" for note in resolution_notes(block[block["group_type"] == grouping])]
    if "replicate" in results:
        notes += resolution_notes(results.iloc[:0], replicates=int(results["replicate"].nunique()))
    return notes
