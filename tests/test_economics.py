"""Health economics on hand-built numbers with known answers: discounting, QALYs, net health benefit, Atkinson,
the cost-effectiveness verdicts, and a DCEA on a results table built by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pathways_sim.experiments.distributional import replicate_economics
from pathways_sim.experiments.summaries import comparison_table, dcea_table, welfare_table
from pathways_sim.results import economics


def test_discount_factors_at_the_nice_rate():
    factors = economics.discount_factors([2025, 2026, 2027], 0.035)
    assert factors == pytest.approx([1.0, 1 / 1.035, 1 / 1.035**2])
    assert economics.discounted_total([2025, 2026], [100.0, 100.0], 0.035) == pytest.approx(100 + 100 / 1.035)
    assert economics.discounted_total([2026, 2027], [100.0, 100.0], 0.0) == 200.0
    # Counted from a stated first year, not the earliest given.
    assert economics.discount_factors([2027], 0.035, first=2025)[0] == pytest.approx(1 / 1.035**2)


def test_qalys_weight_person_years_by_utility():
    # 10 person-years, 2 in not-good health, 1 with a common mental disorder.
    assert float(economics.qalys(10.0, 2.0, 1.0)) == pytest.approx(0.85 * 10 - 0.13 * 2 - 0.10 * 1)
    assert float(economics.qalys(10.0, 0.0, 0.0, utility_good_health=1.0)) == 10.0


def test_net_health_benefit_and_opportunity_cost():
    assert economics.health_opportunity_cost(100_000, 20_000) == 5.0
    assert economics.net_health_benefit(10.0, 100_000, 20_000) == 5.0
    assert economics.net_health_benefit(1.0, -40_000, 20_000) == 3.0  # a saving buys health elsewhere
    with pytest.raises(ValueError):
        economics.health_opportunity_cost(1.0, 0.0)


def test_atkinson_index_for_known_distributions():
    values, weights = [1.0, 4.0], [0.5, 0.5]
    assert economics.atkinson_index(values, weights, 0.0) == pytest.approx(0.0)  # no aversion: the mean
    assert economics.equally_distributed_equivalent(values, weights, 1.0) == pytest.approx(2.0)  # geometric
    assert economics.atkinson_index(values, weights, 1.0) == pytest.approx(1 - 2.0 / 2.5)
    assert economics.equally_distributed_equivalent(values, weights, 2.0) == pytest.approx(1.6)  # harmonic
    assert economics.atkinson_index(values, weights, 2.0) == pytest.approx(0.36)
    # Great aversion: welfare approaches the worst-off's health.
    assert economics.equally_distributed_equivalent(values, weights, 50.0) == pytest.approx(2 ** (1 / 49))
    assert economics.atkinson_index([3.0, 3.0, 3.0], None, 10.95) == pytest.approx(0.0, abs=1e-12)
    # Weights count: more people at the low level, lower welfare.
    assert (economics.equally_distributed_equivalent(values, [0.9, 0.1], 10.95)
            < economics.equally_distributed_equivalent(values, [0.1, 0.9], 10.95))


def test_equity_weighted_welfare_prefers_gains_to_the_worse_off():
    base = np.array([0.70, 0.75, 0.80, 0.82, 0.85])
    to_worst, to_best = base.copy(), base.copy()
    to_worst[0] += 0.01
    to_best[4] += 0.01
    ede = economics.equally_distributed_equivalent
    assert ede(to_worst, None, 10.95) > ede(to_best, None, 10.95) > ede(base, None, 10.95)
    # Without aversion both gains are worth the same.
    assert ede(to_worst, None, 0.0) == pytest.approx(ede(to_best, None, 0.0))


@pytest.mark.parametrize(("cost", "gain", "verdict"), [
    ((-5.0, -8.0, -2.0), (3.0, 1.0, 5.0), "dominant"),
    ((5.0, 2.0, 8.0), (-3.0, -5.0, -1.0), "dominated"),
    ((5.0, 2.0, 8.0), (1.0, -1.0, 3.0), "not resolved"),  # the gain's interval crosses zero
    ((5.0, -2.0, 8.0), (1.0, 0.5, 3.0), "not resolved"),  # the cost's does
    ((5.0, 2.0, 8.0), (1.0, 0.5, 3.0), ""),  # a ratio worth reporting
    ((5.0, math.nan, math.nan), (1.0, math.nan, math.nan), "not resolved"),  # no interval
    ((0.0, 0.0, 0.0), (1.0, 0.5, 3.0), "dominant"),  # free and better
])
def test_ratio_verdicts(cost, gain, verdict):
    assert economics.ratio_verdict(cost, gain) == verdict


def test_settings_are_checked_against_their_declared_bounds():
    assert economics.check_settings(discount_rate=0.015)["discount_rate"] == 0.015
    with pytest.raises(ValueError, match="discount_rate"):
        economics.check_settings(discount_rate=-0.1)
    with pytest.raises(ValueError, match="unknown"):
        economics.check_settings(discount=0.03)
    for declared in economics.ECONOMIC_PARAMETERS.values():
        assert declared.source and declared.unit and declared.bounds[0] <= declared.default <= declared.bounds[1]


def _results(replicates: int = 5, q1_gain: float = 10.0, cost: float = 100_000.0) -> pd.DataFrame:
    """Two arms, two years, five quintiles of 1,000 person-years each, (5 - q) x 100 of them in not-good health
    (a gradient: quintile 1 worst); the arm adds ``q1_gain`` person-years to quintile 1 each year at ``cost`` a
    year (plus a little noise by replicate so the intervals exist)."""
    rows = []
    for arm in ("base", "arm"):
        for r in range(replicates):
            for year in (2025, 2026):
                rows.append((arm, r, year, "all", 0, "cost", cost + r if arm == "arm" else 0.0))
                for q in range(1, 6):
                    lived = 1000.0 + (q1_gain + 0.1 * r if arm == "arm" and q == 1 else 0.0)
                    unhealthy = (5 - q) * 100.0
                    for metric, value in (("person_years_lived", lived), ("healthy_person_years", lived - unhealthy),
                                          ("not_good_health_person_years", unhealthy), ("cmd_person_years", 0.0)):
                        rows.append((arm, r, year, "area_deprivation_quintile", q, metric, value))
    return pd.DataFrame(rows, columns=["scenario", "replicate", "year", "group_type", "group", "metric", "value"])


def test_dcea_on_a_hand_built_run():
    settings = economics.check_settings(discount_rate=0.0, utility_good_health=1.0)
    by_quintile, by_arm = replicate_economics(_results(), "base", settings)
    first = by_arm.iloc[0]  # replicate 0: 20 QALYs gained in Q1 over two years, £200,000 spent
    assert first["qalys"] == pytest.approx(20.0)
    assert first["opportunity_cost"] == pytest.approx(10.0)
    assert first["net_health_benefit"] == pytest.approx(10.0)
    q1 = by_quintile[(by_quintile["replicate"] == 0) & (by_quintile["group"] == 1)].iloc[0]
    assert q1["qalys_gained"] == pytest.approx(20.0) and q1["opportunity_cost"] == pytest.approx(2.0)
    q5 = by_quintile[(by_quintile["replicate"] == 0) & (by_quintile["group"] == 5)].iloc[0]
    assert q5["net_health_benefit"] == pytest.approx(-2.0)  # bears its share of the cost, gains nothing
    assert first["inequality_reduction"] > 0  # only the most deprived gained: the gap narrowed
    assert first["atkinson_arm"] < first["atkinson_base"] and first["welfare_change"] > 0


def test_tables_read_the_dcea_in_words():
    results = _results()
    settings = {"discount_rate": 0.0, "utility_good_health": 1.0}
    table = comparison_table(results, "base", settings)
    qalys = table[table["change in"].str.startswith("QALYs")].iloc[0]
    assert qalys["mean"] == pytest.approx(20.4) and qalys["reading"] == "better"
    assert qalys["per 100,000 people"] == pytest.approx(20.4 * 100_000 / 5_000, rel=1e-3)  # 5,000 people a year
    ratio = table[table["change in"].str.startswith("cost per QALY")].iloc[0]
    assert ratio["mean"] == pytest.approx(200_004 / 20.4, rel=1e-3)
    assert ratio["reading"] == "below GBP 20,000 per QALY"
    dcea = dcea_table(results, "base", settings)
    assert dcea["area deprivation quintile"].iloc[0] == "Q1 (most deprived)"
    welfare = welfare_table(results, "base", settings)
    assert welfare.iloc[1]["reading"] == "better"  # the slope index fell: inequality reduced


def test_no_interval_and_nothing_resolved_from_fewer_than_five_replicates():
    table = comparison_table(_results(replicates=2), "base", {"discount_rate": 0.0})
    assert table["low"].isna().all()
    assert set(table["reading"]) <= {"not resolved"}


def test_follow_up_ends_the_interventions_and_follows_the_cohort_alive_at_the_start():
    from pathways_sim.experiments import compare_scenarios

    result = compare_scenarios("baseline", ["peer_support"], ["population.size=600", "time.years=2",
                                                               "time.burn_in_years=2"],
                               replicates=2, quiet=True, follow_up=3)
    frame = result.results
    years = sorted(frame["year"].unique())
    assert len(years) == 5 and result.follow_up == 3 and result.manifest()["follow_up_years"] == 3
    cost = frame[(frame["metric"] == "cost") & (frame["scenario"] == "peer_support")].groupby("year")["value"].sum()
    assert (cost.loc[years[:2]] > 0).all() and (cost.loc[years[2:]] == 0).all()  # no spending after the end

    def flow(metric: str) -> pd.Series:
        rows = frame[(frame["metric"] == metric) & (frame["group_type"] == "area_deprivation_quintile")
                     & (frame["scenario"] == "baseline") & (frame["replicate"] == 0)]
        return rows.groupby("year")["value"].sum()

    cohort, everyone = flow("cohort_person_years_lived"), flow("person_years_lived")
    assert (cohort <= everyone + 1e-9).all()
    assert cohort.is_monotonic_decreasing  # no one joins the cohort: it only dies
    assert everyone.iloc[0] - cohort.iloc[0] < 0.02 * everyone.iloc[0]  # in year 1 only newborns are outside it
    qalys = result.comparison[result.comparison["change in"].str.startswith("QALYs")].iloc[0]
    assert "cohort alive at the start, to 3 years after the interventions end" in qalys["change in"]
    assert "followed 3 years after the interventions end" in " ".join(result.comparison.attrs["conventions"])
    # Outcomes are read at the interventions' end, not at the end of the follow-up.
    final = result.intervention_years()["year"].max()
    assert final == years[1] and result.summary.attrs is not None
    cmd = frame[(frame["metric"] == "cmd_prevalence") & (frame["group_type"] == "all")
                & (frame["scenario"] == "baseline") & (frame["year"] == years[1])]["value"].mean()
    shown = result.comparison.loc[result.comparison["change in"] == "Common mental disorder (all)", "base"].item()
    assert shown == pytest.approx(100 * cmd)
