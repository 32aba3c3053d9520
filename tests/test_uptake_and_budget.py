"""Uptake by deprivation fitted to published figures, a concave dose-response, and budgets reported as spent
and unspent (issue #11): the identical-budget comparison of universal, targeted and proportionate offers
reports each arm's spend to the pound, and unspent budget where it occurs."""

from __future__ import annotations

import numpy as np
import pytest

from pathways_sim import PathwaysModel
from pathways_sim.core.modifiers import Modifiers
from pathways_sim.interventions.uptake import (
    FITTED_DEPRIVATION_WEIGHT,
    PUBLISHED_UPTAKE,
    Uptake,
    dose_effect,
    fit_deprivation_weight,
    uptake_by_quintile,
    uptake_ratio,
)

SIZE, SEED = 6_000, 17
UNIVERSAL = {"kind": "peer_support", "eligibility": "everyone"}  # offered to every adult, as a Health Check is


@pytest.fixture(scope="module")
def universal():
    model = PathwaysModel(rng=SEED, agents="lazy", population_size=SIZE, interventions=[UNIVERSAL])
    return model.world, model.world.interventions[0]


# ---------------------------------------------------------------------------------------------------- uptake
def test_uptake_by_deprivation_reproduces_published_nhs_health_check_uptake(universal):
    """Coghill et al. 2018: 39% of invitees in the two most deprived IMD quintiles took a Health Check up vs 47%
    in the other three (ratio 0.83).  The model's universal offer, barriers on, gives the same ratio, and
    a gradient far flatter than the 2.5-fold one the ad-hoc weights gave."""
    world, offer = universal
    assert uptake_ratio(world, offer) == pytest.approx(PUBLISHED_UPTAKE.ratio, abs=0.02)
    by_quintile = uptake_by_quintile(world, offer)
    assert np.all(np.diff(by_quintile) > 0), by_quintile  # rises from most to least deprived
    assert by_quintile[-1] / by_quintile[0] < 1.5, by_quintile
    # Levels: within 10 points of the published ones (the level belongs to the programme, through base).
    most = by_quintile[:2].mean()
    assert abs(most - PUBLISHED_UPTAKE.uptake_most_deprived) < 0.10
    assert abs(by_quintile[2:].mean() - PUBLISHED_UPTAKE.uptake_rest) < 0.10


def test_the_declared_deprivation_weight_is_what_the_fit_gives(universal):
    world, offer = universal
    assert fit_deprivation_weight(world, offer) == pytest.approx(FITTED_DEPRIVATION_WEIGHT, abs=0.03)
    # The plausible range's ends give the plausible ratios' ends (within the fit's noise).
    field = Uptake.model_fields["deprivation"]
    low, high = field.json_schema_extra["x-plausible"]  # type: ignore[index]
    assert "Coghill" in field.json_schema_extra["x-source"]  # type: ignore[index]
    assert fit_deprivation_weight(world, offer, PUBLISHED_UPTAKE.plausible_ratio[0]) == pytest.approx(high, abs=0.03)
    assert fit_deprivation_weight(world, offer, PUBLISHED_UPTAKE.plausible_ratio[1]) < low


def test_realised_uptake_by_quintile_follows_the_expected_gradient():
    """Drawn take-ups (the ledger's reached / offered by quintile) follow the fitted gradient."""
    model = PathwaysModel(rng=SEED, agents="lazy", population_size=SIZE, interventions=[UNIVERSAL])
    model.run(years=1)
    (_, year), = model.world.interventions[0].ledger
    uptake = year.reached_by_quintile / year.offered_by_quintile
    ratio = uptake[:2].sum() / uptake[2:].sum() * 3 / 2
    assert ratio == pytest.approx(PUBLISHED_UPTAKE.ratio, abs=0.06), uptake


# ---------------------------------------------------------------------------------------------- dose-response
def test_dose_response_is_concave_and_one_at_the_standard_dose():
    dose = np.linspace(0, 3, 31)
    effect = dose_effect(dose, 2.0)
    assert effect[0] == 0 and dose_effect(np.array([1.0]), 2.0)[0] == 1.0
    assert np.all(np.diff(effect) > 0) and np.all(np.diff(effect, 2) < 0)  # rising ever more slowly
    assert dose_effect(np.array([2.0]), 2.0)[0] == pytest.approx(1 + np.exp(-2.0))  # Howard: 85/75 ~ 1.13
    assert np.array_equal(dose_effect(dose, 0.0), dose)  # k = 0: linear


def test_an_offered_programme_applies_its_dose_through_the_concave_response():
    model = PathwaysModel(rng=SEED, agents="lazy", population_size=2_500,
                          interventions=[{"kind": "peer_support", "dose": 2.0}])
    model.run(years=0.25)  # within the 6-month programme
    world, offer = model.world, model.world.interventions[0]
    seen = []
    offer.apply_effects = lambda world, mods, slots, dose: seen.append(dose.copy())  # type: ignore[method-assign]
    offer.step(world, Modifiers(world.population.capacity, world.areas.n))
    assert seen and np.allclose(seen[0], 1 + np.exp(-2.0))  # less than twice the standard effect


# --------------------------------------------------------------------------------------------------- budgets
def test_proportionate_universalism_reports_spend_to_the_pound_and_unspent_budget():
    """The shipped identical-budget comparison, at 3,000 people for 2 years with the budget scaled with the
    population (GBP 150,000 for 20,000 people -> GBP 22,500): each arm spends at most its budget, its cost and
    unspent budget add up to the budget to the pound, and the summary table shows both."""
    from pathways_sim.experiments.runner import run_scenario
    from pathways_sim.experiments.summaries import summary_table

    budget = 22_500
    arms = ("universal", "targeted", "proportionate")
    overrides = ["population.size=3000", "time.years=2", "replicates=1",
                 *(f"arms.{arm}.interventions[0].budget={budget}" for arm in arms)]
    results = run_scenario("proportionate_universalism", overrides, quiet=True, progress=False).results
    rows = results[results.group_type == "all"]
    for arm in arms:
        mine = rows[rows.scenario == arm].pivot_table(index="year", columns="metric", values="value")
        cost, unspent = mine["peer_support:cost"], mine["peer_support:unspent"]
        assert len(cost) == 2 and (mine["peer_support:budget"] == budget).all()
        assert (cost <= budget).all() and (unspent >= 0).all(), arm
        assert np.allclose(cost + unspent, budget, rtol=0, atol=0.5), arm  # to the pound
        assert (cost % 450 == 0).all() or arm == "proportionate"  # whole places at GBP 450 (doses are fractions)
        assert (mine["unspent"] == unspent).all() and (mine["cost"] == cost).all()
    none = rows[rows.scenario == "no_intervention"]
    assert (none[none.metric == "unspent"]["value"] == 0).all()
    # At this size the most deprived fifth has too few takers for the targeted arm to spend its budget.
    targeted = rows[(rows.scenario == "targeted") & (rows.metric == "peer_support:unspent")]["value"]
    assert (targeted > 450).all()
    table = summary_table(results).set_index(["measure", "scenario"])["mean"]
    for arm in arms:
        total_cost = table["cost (total over run)", arm]
        assert total_cost + table["unspent budget (total over run)", arm] == pytest.approx(2 * budget, abs=1)


def test_a_rule_reports_its_budget_left_unspent():
    """A rule covers the share of the eligible its budget buys in expectation; what that leaves is reported
    (and an overshoot would show as a negative unspent, never hidden)."""
    for budget in (20_000, 1e9):
        model = PathwaysModel(rng=3, agents="lazy", population_size=1_500,
                              interventions=[{"kind": "housing_security", "budget": budget}])
        model.run(years=1)
        rows = model.results().query("group_type == 'all'").set_index("metric")["value"]
        assert rows["housing_security:budget"] == budget
        assert rows["housing_security:cost"] + rows["housing_security:unspent"] == pytest.approx(budget, abs=0.5)
    assert rows["housing_security:unspent"] > 0.99 * budget  # everyone covered for a small share of GBP 1bn
