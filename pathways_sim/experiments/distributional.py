"""Economics of each arm against the base, paired by replicate: discounted QALYs, healthy life years and costs,
and a distributional cost-effectiveness analysis (DCEA; Asaria et al. 2016, Cookson et al. 2020) by area
deprivation quintile — QALYs gained, health opportunity cost, net health benefit, inequality and equity-weighted
social welfare (Atkinson).  The formulas and the stated settings live in ``pathways_sim.results.economics``.

Per replicate, for each arm and quintile q (1 = most deprived):

- Q_q: discounted QALYs lived in q (person-years weighted by health-state utilities), PY_q the discounted
  person-years lived there in the base arm;
- gain_q = Q_q(arm) - Q_q(base); opportunity cost OC_q = (discounted incremental cost / threshold) x share_q
  (shares in proportion to population, an assumption stated in the report); NHB_q = gain_q - OC_q;
- health level h_q = Q_q / PY_q(base) in the base, (Q_q(arm) - OC_q) / PY_q(base) in the arm: quality-adjusted
  years per person-year lived, the year-by-year counterpart of quality-adjusted life expectancy (the run is too
  short for lifetime QALE); inequality is the slope index of h across quintiles and Atkinson's index of h, and
  social welfare Atkinson's equally distributed equivalent of h.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pathways_sim import metrics
from pathways_sim.results import economics

QUINTILE = "area_deprivation_quintile"
_FLOWS = ("person_years_lived", "not_good_health_person_years", "cmd_person_years")


def discounted_flows(results: pd.DataFrame, settings: dict[str, float], cohort: bool = False) -> pd.DataFrame:
    """Per scenario, replicate and quintile: discounted person-years, healthy years and QALYs, summed over the
    run (years discounted from the first reported year), and ``people``: the mean number alive a year — or,
    with ``cohort``, the flows of the cohort alive when reporting began (``cohort_*`` rows) and ``people`` its
    person-years in the first year."""
    prefix = "cohort_" if cohort else ""
    rows = results[(results["group_type"] == QUINTILE) & results["metric"].isin([prefix + f for f in _FLOWS])]
    rows = rows.assign(metric=rows["metric"].str.removeprefix(prefix))
    wide = rows.pivot_table(index=["scenario", "replicate", "year", "group"], columns="metric", values="value",
                            aggfunc="first").reset_index()
    for name in ("year", "group", "scenario", "replicate", *_FLOWS):
        if name not in wide:
            wide[name] = np.nan  # results from before the collector recorded it: QALYs not estimable
    wide["healthy_person_years"] = wide["person_years_lived"] - wide["not_good_health_person_years"]
    first = int(results["year"].min()) if len(results) else 0
    factor = economics.discount_factors(wide["year"].to_numpy(), settings["discount_rate"], first)
    quality = economics.qalys(wide["person_years_lived"].to_numpy(), wide["not_good_health_person_years"].to_numpy(),
                              wide["cmd_person_years"].to_numpy(),
                              utility_good_health=settings["utility_good_health"],
                              utility_decrement_not_good_health=settings["utility_decrement_not_good_health"],
                              utility_decrement_cmd=settings["utility_decrement_cmd"])
    wide["qalys"] = np.where(np.isfinite(wide["cmd_person_years"]), quality, np.nan) * factor
    wide["healthy_years"] = wide["healthy_person_years"] * factor
    wide["discounted_person_years"] = wide["person_years_lived"] * factor
    first_rows = wide[wide["year"] == wide["year"].min()].set_index(["scenario", "replicate", "group"])
    totals = wide.groupby(["scenario", "replicate", "group"], sort=False)[
        ["qalys", "healthy_years", "discounted_person_years", "person_years_lived"]].sum(min_count=1)
    years = max(int(wide["year"].nunique()), 1)
    totals["people"] = (first_rows["person_years_lived"].reindex(totals.index) if cohort
                        else totals["person_years_lived"] / years)
    return totals.reset_index()


def discounted_costs(results: pd.DataFrame, rate: float) -> pd.DataFrame:
    """Per scenario and replicate: total cost over the run, discounted and not (columns ``cost``,
    ``cost_undiscounted``)."""
    rows = results[(results["metric"] == "cost") & (results["group_type"] == "all")]
    first = int(results["year"].min()) if len(results) else 0
    rows = rows.assign(discounted=rows["value"] * economics.discount_factors(rows["year"].to_numpy(), rate, first))
    totals = rows.groupby(["scenario", "replicate"], sort=False).agg(cost=("discounted", "sum"),
                                                                     cost_undiscounted=("value", "sum"))
    return totals.reset_index()


def _sii(levels: np.ndarray, weights: np.ndarray) -> float:
    ok = np.isfinite(levels) & (weights > 0)
    return metrics.slope_index_of_inequality(levels[ok], weights[ok]) if ok.sum() >= 2 else float("nan")


def replicate_economics(results: pd.DataFrame, base: str, settings: dict[str, float], cohort: bool = False
                        ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Paired, per replicate: (by quintile: arm, replicate, group, gain, opportunity cost, NHB, person-years;
    by arm: replicate, incremental costs, QALYs, healthy years, NHB, inequality and welfare changes).  With
    ``cohort``: the health of the cohort alive when reporting began, over every year in ``results`` (a lifetime
    horizon when the run followed them up), per 100,000 of that cohort."""
    flows = discounted_flows(results, settings, cohort).set_index(["scenario", "replicate", "group"]).sort_index()
    costs = discounted_costs(results, settings["discount_rate"]).set_index(["scenario", "replicate"])
    threshold, epsilon = settings["threshold"], settings["inequality_aversion"]
    by_quintile, by_arm = [], []
    for arm in [a for a in results["scenario"].unique() if a != base]:
        for replicate in sorted(results.loc[results["scenario"] == arm, "replicate"].unique()):
            if (base, replicate) not in costs.index or (arm, replicate) not in costs.index:
                continue
            b, a = flows.loc[(base, replicate)], flows.loc[(arm, replicate)]
            b, a = b.reindex(range(1, 6)), a.reindex(range(1, 6))
            d_cost = float(costs.loc[(arm, replicate), "cost"] - costs.loc[(base, replicate), "cost"])
            d_cost_raw = float(costs.loc[(arm, replicate), "cost_undiscounted"]
                               - costs.loc[(base, replicate), "cost_undiscounted"])
            people = b["people"].to_numpy(dtype=float)  # people in each quintile (see discounted_flows)
            shares = economics.opportunity_cost_shares(np.nan_to_num(people))
            gain = (a["qalys"] - b["qalys"]).to_numpy(dtype=float)
            cost_q = d_cost * shares
            forgone = cost_q / threshold
            nhb = gain - forgone
            py = b["discounted_person_years"].to_numpy(dtype=float)
            level_base = b["qalys"].to_numpy(dtype=float) / py
            level_arm = (a["qalys"].to_numpy(dtype=float) - forgone) / py
            for q in range(5):
                by_quintile.append({"scenario": arm, "replicate": replicate, "group": q + 1, "people": people[q],
                                    "qalys_gained": gain[q], "cost": cost_q[q], "opportunity_cost": forgone[q],
                                    "net_health_benefit": nhb[q]})
            sii_base, sii_arm = _sii(level_base, py), _sii(level_arm, py)
            finite = bool(np.all(np.isfinite(level_base)) and np.all(np.isfinite(level_arm)))
            atk = ((economics.atkinson_index(level_base, py, epsilon), economics.atkinson_index(level_arm, py, epsilon))
                   if finite else (float("nan"), float("nan")))
            ede = ((economics.equally_distributed_equivalent(level_base, py, epsilon),
                    economics.equally_distributed_equivalent(level_arm, py, epsilon))
                   if finite else (float("nan"), float("nan")))
            total_people = float(np.nansum(people))
            by_arm.append({
                "scenario": arm, "replicate": replicate, "people": total_people,
                "cost": d_cost, "cost_undiscounted": d_cost_raw,
                "qalys": float(np.sum(gain)),
                "healthy_years": float((a["healthy_years"] - b["healthy_years"]).sum()),
                "opportunity_cost": float(np.sum(forgone)), "net_health_benefit": float(np.sum(nhb)),
                # Reduction in the size of the slope index of quality-adjusted years per person-year across
                # quintiles (positive: gap narrowed, whichever end is ahead), per 100,000 person-years.
                "inequality_reduction": (abs(sii_base) - abs(sii_arm)) * economics.PER,
                "atkinson_base": atk[0], "atkinson_arm": atk[1],
                # Equity-weighted welfare change, as QALYs per 100,000 person-years.
                "welfare_change": (ede[1] - ede[0]) * economics.PER,
            })
    return pd.DataFrame(by_quintile), pd.DataFrame(by_arm)
