"""With default parameters, 100,000 people over 20 years show a social gradient in health."""

from __future__ import annotations

import numpy as np
import pytest

from pathways_sim import PathwaysModel


@pytest.fixture(scope="module")
def results():
    model = PathwaysModel(population_size=100_000, rng=2025)
    model.run(years=20)
    return model.results()


def by_quintile(results, metric, year):
    rows = results[(results.year == year) & (results.group_type == "area_deprivation_quintile")
                   & (results.metric == metric)].sort_values("group")
    assert rows["group"].tolist() == [1, 2, 3, 4, 5]
    return rows["value"].to_numpy()


@pytest.mark.slow
@pytest.mark.parametrize("metric", ["not_good_health_prevalence", "cmd_prevalence", "mean_stress",
                                    "smoking_prevalence"])
def test_each_more_deprived_quintile_has_worse_health(results, metric):
    final = int(results.year.max())
    values = by_quintile(results, metric, final)
    # Quintile 1 is the most deprived: worse health means a higher value, falling towards quintile 5.
    assert np.all(np.diff(values) < 0), f"{metric} by area quintile (most -> least deprived): {values}"


@pytest.mark.slow
def test_most_deprived_quintile_has_lower_healthy_life_expectancy(results):
    final = int(results.year.max())
    hle = by_quintile(results, "healthy_life_expectancy", final)
    assert hle[0] < hle[-1] - 2.0, f"HLE by quintile: {hle}"
    sii = results[(results.year == final) & (results.group_type == "area_deprivation_decile")
                  & (results.metric == "healthy_life_expectancy_sii")]["value"].item()
    assert sii > 0  # least minus most deprived, as ONS reports it
    assert results.year.nunique() == 20
