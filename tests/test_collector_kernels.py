"""The collector's numba kernels (results/collector_kernels.py) give exactly the bytes of its numpy path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from kernel_paths import identical

from pathways_sim import PathwaysModel
from pathways_sim.core import kernels, sorting
from pathways_sim.mechanisms.income import refresh_ranks
from pathways_sim.metrics._ranks import fractional_ranks_within
from pathways_sim.model.step import advance
from pathways_sim.results import collector_kernels
from pathways_sim.results.collector import GROUPINGS, N_BANDS, Collector, _group_totals_and_sums

pytest.importorskip("numba")



def identical_frames(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    keys = ["year", "group_type", "group", "metric"]
    return a[keys].equals(b[keys]) and identical(a["value"].to_numpy(), b["value"].to_numpy())


@pytest.fixture(scope="module")
def model():
    return PathwaysModel(population_size=2_000, rng=3, agents="lazy", burn_in_years=5)


def test_the_two_collectors_give_the_same_frame_over_years_of_deaths_and_births(model):
    """A numpy collector and a compiled one fed the same world step by step (several years, so the yearly
    snapshots, the life tables' pooled windows and the cohort's years all count), frames compared byte for byte."""
    world = model.world
    plain, fused = Collector(world), Collector(world)
    deaths = births = 0
    for _ in range(4 * world.steps_per_year):
        with kernels.using("numpy"):
            plain.before_step(world)
        with kernels.using("numba"):
            fused.before_step(world)
        events = advance(world)
        deaths, births = deaths + int(events.died.sum()), births + events.born.size
        with kernels.using("numpy"):
            plain.after_step(world, events.died, events.born.size)
        with kernels.using("numba"):
            fused.after_step(world, events.died, events.born.size)
        for name, year_so_far in plain._year.items():  # person-time and deaths by cell, step by step
            assert identical(year_so_far, fused._year[name]), name
        for name, cohort_so_far in plain._cohort.items():
            assert identical(cohort_so_far, fused._cohort[name]), name
        assert identical(plain._cmd_years, fused._cmd_years)
    assert deaths > 0 and births > 0
    a, b = plain.frame(), fused.frame()
    assert len(a) > 1000 and a["value"].notna().any()
    assert identical_frames(a, b)


def test_a_whole_run_gives_the_same_results_under_both_kernel_choices():
    frames = []
    for choice in ("numpy", "numba"):
        with kernels.using(choice):
            run = PathwaysModel(population_size=800, rng=9, agents="lazy", burn_in_years=2)
            run.run(years=2)
            frames.append(run.results())
    assert identical_frames(*frames)


def test_group_sums_are_the_same_for_awkward_measures(model):
    """Nobody counted, NaN values among whoever is not counted, -0.0 among whoever is, other value dtypes."""
    world = model.world
    pop = world.population
    rng = np.random.default_rng(4)
    n = pop.capacity
    some = pop.alive & (rng.random(n) < 0.5)
    odd = rng.normal(size=n).astype(np.float32)
    odd[~some] = np.nan
    odd[some & (rng.random(n) < 0.1)] = -0.0
    measures = {
        "population": (np.ones(n), pop.alive.copy()),
        "nobody": (pop.cmd, np.zeros(n, dtype=bool)),
        "nobody_mean": (pop.stress, np.zeros(n, dtype=bool)),
        "flags": (pop.smoker, some),
        "odd": (odd, some),
        "wide": (rng.normal(size=n) * 1e6, pop.alive.copy()),  # float64 values
        "counts": (pop.aces, pop.alive.copy()),  # int8 values
        "strided": (np.repeat(pop.stress, 2)[::2], np.repeat(some, 2)[::2]),  # not contiguous
    }
    plain = _group_totals_and_sums(world, measures)
    fused = collector_kernels.group_totals_and_sums(pop.area, world.areas.decile, pop.income_rank, pop.female,
                                                    measures, GROUPINGS)
    assert plain.keys() == fused.keys()
    for key, (totals, sums) in plain.items():
        assert identical(totals, fused[key][0]), key
        assert (sums is None) == (fused[key][1] is None), key
        if sums is not None:
            assert identical(sums, fused[key][1]), key


def test_the_step_kernels_count_nothing_in_an_empty_population():
    empty_bool, empty_f32, empty_i32 = np.zeros(0, bool), np.zeros(0, np.float32), np.zeros(0, np.int32)
    cells = np.zeros(0, np.int64)
    counts = np.zeros((2, 10 * 2 * N_BANDS), np.int64), np.zeros((2, 5 * 2 * N_BANDS), np.int64)
    cmd, cohort = np.zeros(10, np.int64), np.zeros((3, 10), np.int64)
    collector_kernels.person_time(empty_bool, empty_f32, empty_bool, empty_i32, np.arange(1, 11, dtype=np.int8),
                                  empty_f32, empty_bool, empty_bool, np.zeros(256, np.int64), N_BANDS,
                                  np.float32(0.5), cells, *counts, cmd, cohort)
    deaths = np.zeros(10 * 2 * N_BANDS, np.int64), np.zeros(5 * 2 * N_BANDS, np.int64)
    collector_kernels.deaths(empty_bool, cells, N_BANDS, *deaths)
    assert not any(a.any() for a in (*counts, cmd, cohort, *deaths))


@pytest.mark.parametrize("n", [1, 2, 7, 1000, 40_000])
def test_the_radix_order_and_ranks_within_subsets_are_numpys(n):
    rng = np.random.default_rng(n)
    float32_ranks = rng.random(n).astype(np.float32).astype(np.float64)  # as the collector's income ranks
    ties = np.round(rng.random(n) * 7) / 7
    awkward = rng.choice(np.array([0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, 1e-300, -1e-300, 5e-324, 2.5]), n)
    for values in (float32_ranks, ties, awkward, rng.normal(size=n) * 1e300):
        order = np.empty(n, dtype=np.int64)
        sorting.stable_order(values, order)
        assert identical(order, np.argsort(values, kind="stable"))
        subsets = [np.ones(n, dtype=bool), rng.random(n) < 0.3, np.arange(n) == n // 2]
        subsets = [s for s in subsets if s.any()]
        for plain, fused in zip(fractional_ranks_within(values, subsets),
                                collector_kernels.fractional_ranks_within(values, subsets), strict=True):
            assert identical(plain, fused)
    order = np.empty(0, dtype=np.int64)
    sorting.stable_order(np.zeros(0), order)
    assert collector_kernels.fractional_ranks_within(np.zeros(0), []) == []


def test_ranks_within_more_subsets_than_a_walk_takes_are_numpys():
    rng = np.random.default_rng(70)
    values = np.round(rng.random(3_000) * 50) / 50  # many ties
    subsets = [rng.random(3_000) < rng.random() for _ in range(70)]  # two walks: 64 subsets, then 6
    subsets = [s for s in subsets if s.any()]
    plain, fused = fractional_ranks_within(values, subsets), collector_kernels.fractional_ranks_within(values, subsets)
    assert len(plain) == len(fused) == len(subsets) > 64 and all(map(identical, plain, fused))


def test_sorting_by_group_after_a_stable_order_is_numpys_lexsort():
    rng = np.random.default_rng(8)
    for n, n_groups in ((0, 3), (1, 1), (50, 7), (30_000, 300)):
        key = np.round(rng.random(n) * 40) / 40  # many ties
        group = rng.integers(0, n_groups, n).astype(np.int32)
        order = sorting.stable_argsort(key)
        assert identical(order, np.argsort(key, kind="stable"))
        out = np.empty(n, dtype=np.int64)
        sorting.stable_by_group(order, group, n_groups, out)
        assert identical(out, np.lexsort((key, group)))
    with_nan = np.array([1.0, np.nan, 0.0, np.nan, -1.0])
    assert identical(sorting.stable_argsort(with_nan), np.argsort(with_nan, kind="stable"))


def test_income_ranks_and_area_ginis_are_the_same_under_both_kernels(model):
    import copy

    tied = copy.deepcopy(model.world)  # incomes in a few values, two areas emptied and one of a single person
    living = np.flatnonzero(tied.population.alive)
    tied.population.income[living] = np.round(tied.population.income[living], -4)
    tied.population.area[np.isin(tied.population.area, [0, 3])] = 1
    tied.population.area[living[-1]] = 0
    for world in (model.world, tied):
        pop = world.population
        results = []
        for choice in ("numpy", "numba"):
            with kernels.using(choice):
                refresh_ranks(world)
            results.append([pop.income_rank.copy(), pop.area_income_rank.copy(), world.areas.relative_gini.copy(),
                            world.national_income_gini[1]])
        for plain, fused in zip(*results, strict=True):
            assert identical(plain, fused)


def test_the_national_gini_is_the_yearly_refreshs_while_the_incomes_are_those(stepped_world):
    import copy

    from kernel_paths import both

    from pathways_sim.mechanisms.income import gini_coefficient, national_gini

    def ginis():
        world = copy.deepcopy(stepped_world)
        refresh_ranks(world)
        pop = world.population
        kept, fresh = national_gini(world), gini_coefficient(pop.income[pop.alive])
        pop.income[np.flatnonzero(pop.alive)[:100]] *= 2  # the incomes changed since: worked out afresh
        return kept, fresh, world.national_income_gini[1], national_gini(world), gini_coefficient(pop.income[pop.alive])

    plain, compiled = both(ginis)
    kept, fresh, refreshed, changed, changed_fresh = compiled
    assert plain == compiled and kept == fresh == refreshed and changed == changed_fresh != kept
