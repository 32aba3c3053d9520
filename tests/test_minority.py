"""A minority identity is not itself a harm: discrimination is an exposure that some people meet, and homophily
shapes who people's ties are, not how many they have."""

from __future__ import annotations

import numpy as np
import pytest

from pathways_sim import Parameters, Switches
from pathways_sim.mechanisms.base import StepContext
from pathways_sim.mechanisms.ties import minority_meeting_scale
from pathways_sim.model import PathwaysModel
from pathways_sim.model.synthesis import build_world


@pytest.fixture(scope="module")
def world():
    return build_world(Parameters(population_size=3_000), Switches(), seed=3)


def test_meeting_scale_equalises_each_groups_expected_acceptance_and_keeps_total_effort(world):
    pop, p = world.population, world.params
    share = float(pop.minority[pop.alive].mean())
    factor = np.exp(-p["minority_homophily"])
    expected = {False: (1 - share) + share * factor, True: share + (1 - share) * factor}  # E_g
    scale_majority, scale_minority = minority_meeting_scale(world)
    assert scale_minority > 1 > scale_majority
    assert scale_majority * expected[False] == pytest.approx(scale_minority * expected[True])
    effort = (1 - share) * scale_majority * expected[False] + share * scale_minority * expected[True]
    assert effort == pytest.approx((1 - share) * expected[False] + share * expected[True])


def test_without_discrimination_a_minority_identity_adds_no_stress_exposure(world):
    ctx = StepContext(world)
    pop = world.population
    calm = pop.alive & ~pop.cmd
    assert ctx.exposures.stigma[calm & pop.minority].max() >= 1.0  # some minority people meet discrimination
    world_without = build_world(Parameters(population_size=3_000, discrimination_share=0.0), Switches(), seed=3)
    ctx = StepContext(world_without)
    pop = world_without.population
    calm = pop.alive & ~pop.cmd
    assert ctx.exposures.stigma[calm & pop.minority].max() == 0.0
    assert not ctx.exposures.discriminated.any()


def test_discrimination_falls_on_the_same_people_in_every_arm_and_step():
    first = PathwaysModel(population_size=2_000, rng=8, agents="lazy", burn_in_years=0)
    second = PathwaysModel(population_size=2_000, rng=8, agents="lazy", burn_in_years=0,
                           interventions=[{"kind": "peer_support"}])
    marked = StepContext(first.world).exposures.discriminated.copy()
    keys = first.population.key.copy()
    assert np.array_equal(marked, StepContext(second.world).exposures.discriminated)
    first.run(years=1)
    pop = first.population
    same = (pop.alive[: keys.size] & (pop.key[: keys.size] == keys))  # still the same person in the slot
    now = StepContext(first.world).exposures.discriminated
    assert same.sum() > 1_500
    assert np.array_equal(now[: keys.size][same], marked[same])
    share = marked[first.population.minority[: marked.size]].mean()
    assert share == pytest.approx(first.params["discrimination_share"], abs=0.05)


def test_minority_groups_keep_most_of_their_ties_and_smoke_less():
    model = PathwaysModel(population_size=10_000, rng=4, agents="lazy", burn_in_years=10)
    pop = model.population
    adults = pop.alive & (pop.age >= 18)
    degree = model.world.network.degree(pop.capacity)
    assert degree[adults & pop.minority].mean() >= 0.65 * degree[adults & ~pop.minority].mean()
    assert pop.smoker[adults & pop.minority].mean() < pop.smoker[adults & ~pop.minority].mean()
