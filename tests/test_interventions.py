"""Interventions act through mechanisms, in the declared direction; at zero coverage a run is bit-identical
to the baseline; bad specifications are rejected naming the field."""

from __future__ import annotations

import typing

import numpy as np
import pandas as pd
import pytest

from pathways_sim import ParameterError, PathwaysModel
from pathways_sim.core.modifiers import Modifiers
from pathways_sim.core.population import INSECURE_JOB, SECURE_JOB
from pathways_sim.interventions import INTERVENTIONS, AnyInterventionConfig, make_interventions

SIZE, SEED = 2_500, 17


def run(interventions=(), years=1.0, **overrides):
    overrides = {"population_size": SIZE, **overrides}
    model = PathwaysModel(rng=SEED, agents="lazy", interventions=interventions, **overrides)
    model.run(years=years)
    return model


@pytest.fixture(scope="module")
def baseline():
    return run()


def adults(model):
    pop = model.population
    return pop.alive & (pop.age >= 18)


def mean(model, name, mask):
    return float(getattr(model.population, name)[mask].mean())


def working(model):
    pop = model.population
    return adults(model) & ((pop.employment == SECURE_JOB) | (pop.employment == INSECURE_JOB))


def with_children(model):
    pop = model.population
    has = np.zeros(pop.capacity, bool)
    kids = pop.alive & (pop.parent >= 0)
    has[pop.parent[kids]] = True
    return has | kids


# kind: (specification, measure(model) -> float, declared direction of the measure vs baseline)
EFFECTS = {
    "peer_support": ({"kind": "peer_support", "uptake": {"base": 0.9}},
                     lambda m: m.network.degree(m.population.capacity)[adults(m)].mean(), +1),
    "social_prescribing": ({"kind": "social_prescribing", "link_workers_per_100k": 200},
                           lambda m: mean(m, "control", adults(m)), +1),
    "early_years": ({"kind": "early_years", "ace_reduction": 0.8},
                    lambda m: mean(m, "aces", m.population.alive & (m.population.age < 18)), -1),
    # Through pay, not jobs (Rose et al. 2023: wages up, employment unchanged).
    "community_wealth_building": ({"kind": "community_wealth_building", "ramp_years": 1.0},
                                  lambda m: mean(m, "income", working(m)), +1),
    # Mental-illness stigma: the stress of people with a disorder.
    "stigma_reduction": ({"kind": "stigma_reduction", "reduction": 0.8},
                         lambda m: mean(m, "stress", m.population.alive & m.population.cmd), -1),
    "trauma_informed_care": ({"kind": "trauma_informed_care"}, None, -1),  # tested with a clinical offer below
    "child_benefit_uplift": ({"kind": "child_benefit_uplift", "amount_per_child": 3_000},
                             lambda m: mean(m, "income", with_children(m)), +1),
    "minimum_income_floor": ({"kind": "minimum_income_floor"},
                             lambda m: float(m.population.income[m.population.alive].min()), +1),
    "housing_security": ({"kind": "housing_security"},
                         lambda m: mean(m, "housing_insecure", adults(m)), -1),
    "community_empowerment": ({"kind": "community_empowerment", "uptake": {"base": 0.9}},
                              lambda m: mean(m, "control", adults(m)), +1),
}


# Effects that need longer than a year to show at this size: with common random numbers a weak effect is
# exactly zero, not noise, until enough events have been averted.
YEARS = {"early_years": 2.0}


def test_every_intervention_kind_is_tested():
    assert set(EFFECTS) == set(INTERVENTIONS)


@pytest.mark.parametrize("kind", sorted(k for k, v in EFFECTS.items() if v[1] is not None))
def test_intervention_moves_its_mechanism_in_the_declared_direction(baseline, kind):
    spec, measure, direction = EFFECTS[kind]
    years = YEARS.get(kind, 1.0)
    model = run([spec], years=years)
    change = measure(model) - measure(baseline if years == 1.0 else run(years=years))
    assert np.sign(change) == direction, f"{kind}: change {change:+.5g}"


def test_trauma_informed_care_engages_people_with_many_aces_and_stops_retraumatisation():
    clinical = {"kind": "peer_support", "eligibility": "everyone", "uptake": {"setting": "clinical"},
                "retraumatisation_load": 1.0}
    without = run([clinical])
    with_tic = run([clinical, {"kind": "trauma_informed_care"}])

    def many(m):
        return m.population.alive & (m.population.aces >= 4)

    def reached(m):
        return m.results().query("metric == 'peer_support:reached' and group_type == 'all'")["value"].item()

    assert reached(with_tic) > reached(without)
    assert mean(with_tic, "stress", many(with_tic)) < mean(without, "stress", many(without))


@pytest.mark.parametrize("kind", sorted(INTERVENTIONS))
def test_zero_coverage_is_bit_identical_to_the_baseline(baseline, kind):
    model = run([{"kind": kind, "coverage": 0.0}])
    for name in ("stress", "resilience", "control", "loneliness", "income", "aces", "smoker", "cmd",
                 "poor_health", "employment", "housing_insecure", "person_id"):
        assert np.array_equal(getattr(model.population, name), getattr(baseline.population, name)), name
    assert np.array_equal(model.network.keys, baseline.network.keys)
    ours = model.results()
    ours = ours[~ours["metric"].str.contains(":")]
    pd.testing.assert_frame_equal(ours.reset_index(drop=True), baseline.results().reset_index(drop=True))


def test_interventions_report_their_year(baseline):
    model = run([{"kind": "peer_support", "budget": 20_000}])
    rows = model.results().query("group_type == 'all'").set_index("metric")["value"]
    assert rows["peer_support:offered"] >= rows["peer_support:reached"] > rows["peer_support:completed"] >= 0
    # A budget is never exceeded; what one more participant (GBP 450) would not fit is reported as unspent.
    assert 20_000 - 450 < rows["peer_support:cost"] <= 20_000
    assert rows["peer_support:budget"] == 20_000
    assert rows["peer_support:unspent"] == 20_000 - rows["peer_support:cost"] > 0
    assert rows["cost"] == rows["peer_support:cost"] and rows["unspent"] == rows["peer_support:unspent"]
    assert baseline.results().query("metric == 'cost'")["value"].item() == 0.0
    assert baseline.results().query("metric == 'unspent'")["value"].item() == 0.0


def test_unspent_budget_becomes_dose_only_when_the_scenario_asks():
    """By default budget the takers do not use is reported; ``unspent_budget: raise_dose`` spends it on a higher
    dose for the takers (up to max_dose), the old behaviour."""
    spec = {"kind": "peer_support", "budget": 20_000}
    report = run([spec]).world.interventions[0]
    raised = run([{**spec, "unspent_budget": "raise_dose"}]).world.interventions[0]
    (_, year), (_, raised_year) = report.ledger[0], raised.ledger[0]
    assert year.unspent > 0 and raised_year.unspent == pytest.approx(0, abs=1e-6)
    assert raised_year.cost == pytest.approx(20_000, rel=1e-9)
    enrolled = report.person >= 0
    assert np.all(report.dose[enrolled] == 1.0)
    assert np.all(raised.dose[raised.person >= 0] > 1.0)


def test_social_prescribing_is_capped_by_link_worker_caseloads():
    model = run([{"kind": "social_prescribing", "link_workers_per_100k": 2, "caseload_per_year": 100}])
    rows = model.results().query("group_type == 'all'").set_index("metric")["value"]
    assert rows["social_prescribing:capacity"] > 0
    assert rows["social_prescribing:reached"] <= rows["social_prescribing:capacity"]
    assert rows["social_prescribing:offered"] > rows["social_prescribing:reached"]


def test_with_barriers_a_universal_offer_is_taken_up_more_by_the_least_deprived():
    model = run([{"kind": "peer_support", "eligibility": "everyone"}], years=1.0, population_size=6_000)
    rows = model.results()
    reached = rows.query("metric == 'peer_support:reached' and group_type == 'area_deprivation_quintile'")
    offered = rows.query("metric == 'peer_support:offered' and group_type == 'area_deprivation_quintile'")
    uptake = reached["value"].to_numpy() / offered["value"].to_numpy()
    assert uptake[-1] > uptake[0], f"uptake by quintile, most -> least deprived: {uptake}"
    no_barriers = run([{"kind": "peer_support", "eligibility": "everyone", "uptake": {"barriers": False}}],
                      population_size=6_000).results()
    r = no_barriers.query("metric == 'peer_support:reached' and group_type == 'area_deprivation_quintile'")
    o = no_barriers.query("metric == 'peer_support:offered' and group_type == 'area_deprivation_quintile'")
    flat = r["value"].to_numpy() / o["value"].to_numpy()
    assert abs(flat[-1] - flat[0]) < abs(uptake[-1] - uptake[0])


@pytest.mark.parametrize("spec, field, message", [
    ({"kind": "peer_support", "coverage": 1.5}, "interventions[0].coverage", "less than or equal to 1"),
    ({"kind": "peer_support", "budget": -10}, "interventions[0].budget", "greater than or equal to 0"),
    ({"kind": "peer_suport"}, "interventions[0].kind", "Did you mean 'peer_support'"),
    ({"kind": "early_years", "start_year": 2030, "end_year": 2028}, "interventions[0]",
     "end_year (2028.0) must be after start_year (2030.0)"),
    ({"kind": "stigma_reduction", "reduction": "lots"}, "interventions[0].reduction", "valid number"),
    ({"kind": "peer_support", "colour": "red"}, "interventions[0].colour", "unknown field"),
    ({"kind": "peer_support", "targeting": {"strategy": "everyone"}}, "interventions[0].targeting.strategy",
     "'universal', 'targeted' or 'proportionate'"),
    ({"coverage": 0.5}, "interventions[0].kind", "missing 'kind'"),
    # Strict types, as everywhere in a scenario: text is not a number, true is not a dose.
    ({"kind": "peer_support", "budget": "1000"}, "interventions[0].budget", "valid number (got '1000')"),
    ({"kind": "peer_support", "dose": True}, "interventions[0].dose", "valid number (got True)"),
    ({"kind": "peer_support", "new_ties": 2.5}, "interventions[0].new_ties", "valid integer"),
    ({"kind": "peer_support", "targeting": {"strategy": "targeted", "groups": ["1"]}},
     "interventions[0].targeting.groups[0]", "valid integer"),
    ({"kind": "peer_support", "uptake": {"barriers": "yes"}}, "interventions[0].uptake.barriers", "valid boolean"),
    # Finite numbers only, and calendar years a run can reach.
    ({"kind": "peer_support", "budget": float("inf")}, "interventions[0].budget", "finite number"),
    ({"kind": "peer_support", "budget": 1e300}, "interventions[0].budget", "less than or equal to 1000000000000"),
    ({"kind": "peer_support", "cost_per_participant": float("nan")}, "interventions[0].cost_per_participant",
     "finite number"),
    ({"kind": "peer_support", "start_year": float("nan")}, "interventions[0].start_year", "finite number"),
    ({"kind": "peer_support", "end_year": float("inf")}, "interventions[0].end_year", "finite number"),
    ({"kind": "peer_support", "start_year": 1e308}, "interventions[0].start_year", "less than or equal to 2300"),
    ({"kind": "social_prescribing", "asset_funding_end_year": -1e308},
     "interventions[0].asset_funding_end_year", "greater than or equal to 1900"),
    ({"kind": [1]}, "interventions[0].kind", "must be the name of an intervention kind, got [1]"),
])
def test_bad_intervention_parameters_name_the_field(spec, field, message):
    with pytest.raises(ParameterError) as err:
        make_interventions([spec])
    paths = [p for p, _ in err.value.problems]
    assert field in paths, paths
    assert message in str(err.value)


def test_two_interventions_of_a_kind_need_names():
    with pytest.raises(ParameterError, match="used twice"):
        make_interventions([{"kind": "peer_support"}, {"kind": "peer_support"}])
    assert len(make_interventions([{"kind": "peer_support"}, {"kind": "peer_support", "name": "second"}])) == 2


def test_strategies_at_equal_budget_honour_it_and_give_different_gaps():
    from pathways_sim.experiments.comparisons import strategy_comparison

    budget = 15_000  # small enough that even the targeted arm has takers for all of it
    table = strategy_comparison({"kind": "peer_support"}, budget=budget, people=6_000, years=2, seed=5)
    arms = table.drop(index="no intervention")
    assert len(arms) == 3
    for arm, spend in arms["mean spend per year"].items():
        assert abs(spend - budget) <= 0.01 * budget, f"{arm} spent {spend} of {budget}"
    gaps = arms["cmd_prevalence SII (deciles)"].to_numpy()
    assert len(set(np.round(gaps, 12))) == 3, f"strategies gave the same gap: {gaps}"
    assert arms.loc["targeted (deciles 1-2)", "share reached in most deprived fifth"] == 1.0


def test_proportionate_dose_rises_with_need():
    model = run([{"kind": "peer_support", "eligibility": "everyone", "budget": 30_000,
                  "targeting": {"strategy": "proportionate", "gradient": 3.0}}])
    iv = model.world.interventions[0]
    enrolled = np.flatnonzero(iv.person >= 0)
    need = model.areas.deprivation[model.population.area[enrolled]]
    dose = iv.dose[enrolled]
    assert np.corrcoef(need, dose)[0, 1] > 0.9


# --------------------------------------------------------------------------------------------- behaviour fixes
def test_the_stigma_barrier_to_uptake_uses_the_declared_stigma_weight():
    """A mental disorder's stigma in the uptake barrier is ``mental_illness_stigma_weight``, as in the stress
    mechanism, not a fixed 0.5: a heavier weight deters people with a disorder more, and no one else."""
    def uptake(weight):
        # No burn-in: the weight would otherwise change who is ill at the start, and the two calls must read
        # the same people.
        model = PathwaysModel(rng=SEED, agents="lazy", population_size=SIZE, interventions=[{"kind": "peer_support"}],
                              mental_illness_stigma_weight=weight, burn_in_years=0)
        world, pop = model.world, model.population
        slots = np.flatnonzero(pop.alive & ~pop.minority)
        mods = Modifiers(pop.capacity, world.areas.n)
        return world.interventions[0].uptake_probability(world, mods, slots), pop.cmd[slots]
    light, cmd = uptake(0.2)
    heavy, _ = uptake(0.9)
    assert cmd.any() and (~cmd).any()
    assert np.all(heavy[cmd] < light[cmd])
    assert np.array_equal(heavy[~cmd], light[~cmd])


@pytest.mark.parametrize("kind", ["stigma_reduction", "housing_security", "trauma_informed_care"])
def test_a_budgeted_rule_that_costs_nothing_per_person_covers_everyone_eligible(kind):
    rows = run([{"kind": kind, "cost_per_participant": 0.0, "budget": 1_000}]).results()
    rows = rows.query("group_type == 'all'").set_index("metric")["value"]
    assert rows[f"{kind}:offered"] > 0
    assert rows[f"{kind}:reached"] == pytest.approx(rows[f"{kind}:offered"])
    assert rows[f"{kind}:cost"] == 0.0
    nothing = run([{"kind": kind, "cost_per_participant": 0.0, "budget": 0}]).results()
    assert nothing.query(f"group_type == 'all' and metric == '{kind}:reached'")["value"].item() == 0.0


def test_wealth_building_shares_out_living_wage_and_coops_among_those_its_budget_covers():
    """With a budget covering about half the eligible, the Real Living Wage reaches ``living_wage_share`` of
    the covered workers (the coverage draw is rescaled by the budget's coverage, not by ``coverage``)."""
    spec = {"kind": "community_wealth_building", "cost_per_participant": 10.0, "fixed_cost_per_year": 0.0,
            "living_wage_share": 0.3, "cooperative_share": 0.0, "ramp_years": 1.0}
    probe = PathwaysModel(rng=SEED, agents="lazy", population_size=SIZE, interventions=[spec])
    iv, world = probe.world.interventions[0], probe.world
    full = float(iv.cost_per_covered(world, None, iv.offer_dose(world, iv.eligible(world))).sum())
    model = run([{**spec, "budget": full / 2}], years=0.5)
    iv, world, pop = model.world.interventions[0], model.world, model.population
    mods = Modifiers(pop.capacity, world.areas.n)
    iv.step(world, mods)  # one more step, with modifiers of our own to look at
    assert 0.3 < iv.coverage_now < 0.7
    working = pop.alive & np.isin(pop.employment, [SECURE_JOB, INSECURE_JOB])
    covered = working & (iv._lottery[:pop.capacity] < iv.coverage_now) & iv.eligible(world)
    paid = mods.array("wage_floor") >= 22_000.0
    share = paid[covered].mean()
    assert covered.sum() > 300 and not paid[working & ~covered].any()
    assert abs(share - 0.3) < 0.08, f"living wage share among the covered: {share:.3f}"


def test_every_intervention_config_is_in_the_scenario_union_and_is_its_class_type_argument():
    """``AnyInterventionConfig`` lists each class's Config, and ``Intervention[C]`` names the same C."""
    union = typing.get_args(AnyInterventionConfig)[0]
    assert set(typing.get_args(union)) == {cls.Config for cls in INTERVENTIONS.values()}
    for cls in INTERVENTIONS.values():
        assert typing.get_args(cls.__orig_bases__[0]) == (cls.Config,), cls.__name__


@pytest.mark.parametrize("kind", sorted(INTERVENTIONS))
def test_what_validation_accepts_runs(kind):
    """Every numeric field at the edge of what it accepts still runs, without infinities or NaN in results."""
    fields = INTERVENTIONS[kind].Config.model_fields
    for edge in ("ge", "le"):
        spec = {"kind": kind, "start_year": 2025.0, "end_year": 2300.0}
        for name, field in fields.items():
            bounds = {type(m).__name__.lower(): getattr(m, type(m).__name__.lower()) for m in field.metadata
                      if type(m).__name__ in ("Ge", "Le", "Gt")}
            if name not in spec and field.annotation in (float, int) and edge in bounds:
                spec[name] = field.annotation(bounds[edge])
        spec["max_age"] = max(spec.get("max_age", 120), spec.get("min_age", 18))
        spec.pop("budget", None)
        for budget in (None, 1e12):
            model = run([{**spec, "budget": budget}], years=0.25, population_size=600)
            values = model.results()["value"].to_numpy(dtype=float)
            assert not np.isinf(values).any(), (kind, edge, budget)
