"""Physical inactivity: its national share, its deprivation gradient, and that it reaches mortality only through
not-good health."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from pathways_sim import Parameters, PathwaysModel, Switches
from pathways_sim.mechanisms.base import StepContext
from pathways_sim.mechanisms.registry import MECHANISMS
from pathways_sim.model.synthesis import build_world

# Sport England Active Lives Adult Survey, Nov 2022-23: 25.7% of adults (16+) inactive (< 30 minutes a week).
PUBLISHED_SHARE, SHARE_TOLERANCE = 0.257, 0.025
# Sport England (2025): 34% inactive in the most deprived areas vs 20% in the least: log odds ratio 0.72.
PUBLISHED_LOG_OR, LOG_OR_TOLERANCE = float(np.log(0.34 / 0.66) - np.log(0.20 / 0.80)), 0.3


@pytest.fixture(scope="module")
def populations():
    start = build_world(Parameters(population_size=20_000), Switches(), seed=8)
    model = PathwaysModel(population_size=20_000, rng=8, agents="lazy")
    model.run(years=3)
    return {"start": (start.population, start.areas), "three years on": (model.population, model.areas)}


def _adults(pop):
    return pop.alive & (pop.age >= 16)


@pytest.mark.parametrize("when", ["start", "three years on"])
def test_share_of_adults_inactive_is_near_active_lives(populations, when):
    pop, _ = populations[when]
    share = pop.physically_inactive[_adults(pop)].mean()
    assert abs(share - PUBLISHED_SHARE) < SHARE_TOLERANCE, share
    assert not pop.physically_inactive[pop.alive & (pop.age < 16)].any()


@pytest.mark.parametrize("when", ["start", "three years on"])
def test_inactivity_is_commoner_in_more_deprived_areas(populations, when):
    """Most vs least deprived fifth of areas: higher in the most deprived, by a log odds ratio within 0.3 of the
    published 0.72."""
    pop, areas = populations[when]
    fifth = (areas.decile[pop.area] + 1) // 2  # 1 most deprived
    most, least = (pop.physically_inactive[_adults(pop) & (fifth == q)].mean() for q in (1, 5))
    assert most > least, (most, least)
    log_or = np.log(most / (1 - most)) - np.log(least / (1 - least))
    assert abs(log_or - PUBLISHED_LOG_OR) < LOG_OR_TOLERANCE, log_or


def test_inactivity_rises_with_age(populations):
    pop, _ = populations["three years on"]
    young = pop.physically_inactive[pop.alive & (pop.age >= 16) & (pop.age < 35)].mean()
    old = pop.physically_inactive[pop.alive & (pop.age >= 65)].mean()
    assert old > young + 0.08, (young, old)


def test_inactivity_reaches_mortality_only_through_not_good_health():
    """Lee et al. 2012's total hazard ratio of death (1.28) is not applied directly: with health held fixed,
    inactivity leaves the mortality hazard unchanged (it acts through poor_health's onset)."""
    world = build_world(Parameters(population_size=1_500), Switches(), seed=3)
    hazards = []
    for inactive in (False, True):
        w = copy.deepcopy(world)
        w.population.physically_inactive[:] = inactive
        ctx = StepContext(w)
        MECHANISMS["mortality"](ctx)
        hazards.append(ctx.recorded["deaths"])
    np.testing.assert_array_equal(hazards[0], hazards[1])


def test_inactivity_onset_scale_lowers_the_onset_hazard():
    from pathways_sim.core.modifiers import Modifiers

    world = build_world(Parameters(population_size=1_500), Switches(), seed=3)
    mods = Modifiers(world.population.capacity, world.areas.n)
    mods.array("inactivity_onset_scale")[:] = 0.5
    base = MECHANISMS["physical_activity"](StepContext(world))["physically_inactive"].onset
    halved = MECHANISMS["physical_activity"](StepContext(world, mods))["physically_inactive"].onset
    np.testing.assert_allclose(halved, base * 0.5, rtol=1e-6)
