"""The population's slots: how they grow, and that the headroom left for births changes no result."""

from __future__ import annotations

import numpy as np
import pytest

from pathways_sim.core import population
from pathways_sim.core.population import Population
from pathways_sim.core.streams import first_keys
from pathways_sim.experiments.runner import run_scenario
from pathways_sim.results.outputs import results_hash


def test_births_beyond_the_free_slots_grow_the_arrays_by_a_small_share():
    pop = Population(6400)
    pop.claim_slots(first_keys(6400))
    pop.alive[[3, 10]] = False
    slots = pop.claim_slots(first_keys(5)[2:])  # two free slots, then one new
    assert list(slots) == [3, 10, 6400]
    assert pop.capacity == 6400 + 6400 // population.GROWTH_SHARE + 1
    assert pop.alive[:6401].all() and not pop.alive[6401:].any()
    assert pop.parent[6401:].tolist() == [population.NO_PARENT] * (pop.capacity - 6401)
    pop.claim_slots(first_keys(10_000)[-500:])  # more than the headroom: grows by what is needed
    assert pop.capacity == 6901 and pop.alive.all()


def test_results_are_the_same_whatever_the_headroom(monkeypatch):
    # A population that grows (more births than deaths over the burn-in) with the old headroom of a quarter and
    # with the default: the same slots are claimed in the same order, so the same results bit for bit.
    overrides = ["population.size=1500", "time.years=3", "replicates=1", "seed=4"]
    runs, sizes = {}, []
    grow = Population._grow

    def recorded(self: Population, capacity: int) -> None:
        sizes.append(capacity)
        grow(self, capacity)

    monkeypatch.setattr(Population, "_grow", recorded)
    default = population.GROWTH_SHARE
    for share in (4, default):
        monkeypatch.setattr(population, "GROWTH_SHARE", share)
        for scenario in ("baseline", "preston_wealth_building"):  # the latter's levers draw a lottery per slot
            runs[share, scenario] = results_hash(run_scenario(scenario, overrides, quiet=True).results)
    assert max(sizes) > 1500 * 1.2  # the population did grow, so the headrooms differed
    for scenario in ("baseline", "preston_wealth_building"):
        assert runs[4, scenario] == runs[default, scenario]


def test_a_grown_population_keeps_everyone_and_their_state():
    pop = Population(100)
    pop.claim_slots(first_keys(100))
    pop.age[:] = np.arange(100, dtype=np.float32)
    pop.claim_slots(first_keys(200)[100:])
    assert pop.capacity == 200 and np.array_equal(pop.age[:100], np.arange(100, dtype=np.float32))
    assert np.array_equal(pop.key[:200], first_keys(200))


@pytest.mark.parametrize("size", [1, 63, 64, 65])
def test_the_smallest_populations_grow_by_at_least_one_slot(size):
    pop = Population(size)
    pop.claim_slots(first_keys(size))
    pop.claim_slots(first_keys(size + 1)[-1:])
    assert pop.capacity >= size + 1 and pop.alive.sum() == size + 1


def test_a_rule_based_levers_lottery_gives_each_slot_the_same_number_however_the_population_grows():
    from pathways_sim import PathwaysModel
    from pathways_sim.core.modifiers import Modifiers

    spec = {"kind": "community_wealth_building", "cost_per_participant": 10.0}
    lotteries = []
    for chunks in ((37,), (5, 11, 21)):
        model = PathwaysModel(rng=3, agents="lazy", population_size=300, interventions=[spec])
        iv, world = model.world.interventions[0], model.world
        for extra in chunks:
            world.population.claim_slots(first_keys(world.population.capacity + extra)[-extra:])
            iv.step(world, Modifiers(world.population.capacity, world.areas.n))
        lotteries.append(iv._lottery[:world.population.capacity])
    size = min(lottery.size for lottery in lotteries)
    assert size > 300 + 30
    assert np.array_equal(lotteries[0][:size], lotteries[1][:size])
