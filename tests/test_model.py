"""PathwaysModel as a Mesa model: agents as views on the arrays, Mesa tooling, results, common random numbers."""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
import pytest

from pathways_sim import PathwaysModel
from pathways_sim.core.population import STATE


@pytest.fixture(scope="module")
def model():
    m = PathwaysModel(population_size=800, rng=3, agents="all")
    m.run(years=1)
    return m


def test_is_a_mesa_model_with_an_agent_per_living_person(model):
    assert isinstance(model, mesa.Model)
    assert model.steps == 12
    assert len(model.agents) == model.population.n_alive
    slots = sorted(agent.slot for agent in model.agents)
    assert slots == model.population.alive_slots().tolist()
    assert all(agent.alive for agent in model.agents)


def test_agentset_queries_read_the_arrays(model):
    smokers = model.agents.select(lambda a: a.smoker)
    assert len(smokers) == int(model.population.smoker[model.population.alive].sum())
    stress = np.array(model.agents.get("stress"))
    slots = np.array(model.agents.get("slot"))
    np.testing.assert_allclose(stress, model.population.stress[slots].astype(float))


def test_agent_attributes_write_through_to_the_arrays():
    m = PathwaysModel(population_size=200, rng=1, agents="all")
    agent = next(iter(m.agents))
    agent.stress = 0.75
    assert m.population.stress[agent.slot] == np.float32(0.75)
    assert {v.name for v in STATE} - {"alive", "person_id"} <= set(dir(agent))
    assert agent.area_deprivation_decile in range(1, 11)
    graph = m.network.to_networkx(m.population.alive_slots())
    assert set(agent.ties) == set(graph.neighbors(agent.slot))


def test_datacollector_works_on_the_model():
    m = PathwaysModel(population_size=300, rng=2, agents="all")
    collector = mesa.DataCollector(
        model_reporters={"alive": lambda mod: mod.population.n_alive},
        agent_reporters={"stress": "stress", "smoker": "smoker"})
    for _ in range(3):
        m.step()
        collector.collect(m)
    agents = collector.get_agent_vars_dataframe()
    assert len(agents) == sum(collector.get_model_vars_dataframe()["alive"])
    assert agents["stress"].between(0, 1).all()


def test_dead_people_leave_model_agents_and_newborns_join():
    m = PathwaysModel(population_size=2_000, rng=4, agents="all", mortality_rate_at_50=0.05)
    first = {a.person_id for a in m.agents}
    m.run(years=1)
    now = {a.person_id for a in m.agents}
    assert len(now) == m.population.n_alive
    assert first - now, "some people should have died"
    assert now - first, "some people should have been born"
    assert set(m.population.person_id[m.population.alive].tolist()) == now


def test_lazy_mode_makes_agents_only_on_request():
    m = PathwaysModel(population_size=500, rng=4, agents="lazy")
    assert len(m.agents) == 0
    person = m.person(10)
    assert len(m.agents) == 1 and person.slot == 10
    assert person is m.person(10)
    with pytest.raises(LookupError):
        m.person(10_000)


def test_auto_mode_skips_agents_for_large_populations():
    assert PathwaysModel(population_size=500, rng=1).agent_mode == "all"
    assert PathwaysModel(population_size=25_000, rng=1).agent_mode == "lazy"


def test_network_views_agree(model):
    n = model.population.capacity
    degree = model.network.degree(n)
    adjacency = model.network.adjacency(n)
    np.testing.assert_array_equal(adjacency.sum(axis=1), degree)
    graph = model.network.to_networkx(model.population.alive_slots())
    assert graph.number_of_edges() == model.network.n_ties
    assert abs(degree[model.population.alive].mean() - model.params.mean_degree) < 3


def test_results_are_tidy_and_numbered_from_most_deprived(model):
    df = model.results()
    assert list(df.columns) == ["year", "group_type", "group", "metric", "value"]
    assert set(df["year"]) == {2025}
    deciles = df[(df.group_type == "area_deprivation_decile") & (df.metric == "population")]
    assert sorted(deciles["group"]) == list(range(1, 11))
    for metric in ("life_expectancy", "healthy_life_expectancy", "cmd_prevalence", "not_good_health_prevalence",
                   "smoking_prevalence", "loneliness_prevalence", "mean_stress", "mean_resilience",
                   "mean_control", "cmd_prevalence_sii", "cmd_prevalence_rii", "life_table_deaths",
                   "cmd_prevalence_erreygers_index"):
        assert metric in set(df["metric"]), metric
    assert df.query("group_type == 'all' and metric == 'population'")["value"].item() == model.population.n_alive


def test_health_gap_table(model):
    table = model.health_gap_table()
    assert list(table.index) == ["1", "2", "3", "4", "5", "gap (least - most)", "SII"]
    assert {"LE", "HLE", "mental disorder %"} <= set(table.columns)


def test_switching_a_pathway_off_leaves_other_mechanisms_draws_unchanged():
    """Common random numbers: with peer smoking off, only smoking differs after a step; every other
    mechanism (stress events, disorder, deaths, births, ties) drew exactly the same numbers.  10,000 people: with
    3,000, one month can pass with no uptake that peer smoking decides (as it did at the calibrated defaults)."""
    base = PathwaysModel(population_size=10_000, rng=21, agents="lazy")
    off = PathwaysModel(population_size=10_000, rng=21, agents="lazy", pathways_off=["peer_smoking"])
    base.step()
    off.step()
    assert not np.array_equal(base.population.smoker, off.population.smoker)
    for var in STATE:
        if var.name != "smoker":
            assert np.array_equal(getattr(base.population, var.name), getattr(off.population, var.name)), var.name
    assert np.array_equal(base.network.keys, off.network.keys)


def test_population_annotations_list_every_declared_state():
    from pathways_sim.core.population import Population

    assert list(Population.__annotations__) == [v.name for v in STATE]


def test_mesa_batch_run_runs_the_model_for_the_years_asked():
    rows = mesa.batch_run(PathwaysModel, {"population_size": [300, 400], "years": 2}, rng=[1, 2],
                          number_processes=1, data_collection_period=-1, display_progress=False)
    frame = pd.DataFrame(rows)
    assert len(frame) == 4
    assert set(frame["population_size"]) == {300, 400}
    assert (frame["year"] == 2027).all()  # collected after the second simulated year (start 2025)
    assert frame["cmd_prevalence"].between(0, 1).all()


def test_too_small_groups_get_no_life_expectancy_and_say_why():
    """At 2,000 people a quintile holds a few hundred people: its life table would read noise (188 years)."""
    model = PathwaysModel(population_size=2_000, rng=4, agents="lazy")
    model.run(years=3)
    table = model.health_gap_table()
    assert table["LE"].iloc[:5].isna().all()
    assert any("not estimable" in note and "person-years" in note for note in table.attrs["notes"])
    results = model.results()
    assert (results.metric == "life_table_deaths").any()
