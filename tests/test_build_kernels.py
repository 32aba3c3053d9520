"""Building the starting population gives the same bytes under both kernel choices (model/tie_rounds.py, the
radix order of incomes in mechanisms/income.py, Network.add's merge) and the shortcuts of the build change
nothing (the settling's shared exposures)."""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest
from kernel_paths import identical

from pathways_sim.core import kernels
from pathways_sim.core.network import Network
from pathways_sim.mechanisms.parameters import Parameters
from pathways_sim.mechanisms.registry import Switches
from pathways_sim.model.synthesis import build_world, settle_states

pytest.importorskip("numba")


def _arrays(world) -> dict[str, np.ndarray]:
    """Every array of the population and the areas, and the network's keys."""
    found = {name: value for name, value in vars(world.population).items() if isinstance(value, np.ndarray)}
    found.update({f"areas.{field.name}": getattr(world.areas, field.name) for field in dataclasses.fields(world.areas)})
    found["network.keys"] = world.network.keys
    return found



def _assert_same_worlds(plain, compiled) -> None:
    plain_arrays, compiled_arrays = _arrays(plain), _arrays(compiled)
    assert plain_arrays.keys() == compiled_arrays.keys()
    differ = [name for name in plain_arrays if not identical(plain_arrays[name], compiled_arrays[name])]
    assert not differ, differ
    for name in ("tie_acceptance", "formation_balance", "minority_meeting_scale"):
        assert getattr(plain, name) == getattr(compiled, name), name
    assert identical(plain.income_before_transfers, compiled.income_before_transfers)


@pytest.mark.parametrize(("overrides", "seed"), [
    ({"population_size": 3_000}, 1),
    ({"population_size": 4_000, "people_per_area": 200, "local_tie_share": 0.3}, 9),
    ({"population_size": 50, "people_per_area": 10}, 5),  # an empty area: who chooses it meets nobody
])
def test_a_built_world_is_byte_identical_under_both_kernels(overrides, seed):
    with kernels.using("numpy"):
        plain = build_world(Parameters(overrides), Switches(), seed)
    with kernels.using("numba"):
        compiled = build_world(Parameters(overrides), Switches(), seed)
    _assert_same_worlds(plain, compiled)
    assert plain.network.n_ties > overrides["population_size"]  # the rounds did grow ties
    if overrides["population_size"] == 50:
        assert np.bincount(plain.population.area, minlength=plain.areas.n).min() == 0


def test_the_settling_shares_exposures_without_changing_a_state():
    built = build_world(Parameters(population_size=2_000), Switches(), 5)
    shared, fresh = copy.deepcopy(built), copy.deepcopy(built)
    settle_states(shared, np.random.default_rng(8), reuse_exposures=True)
    settle_states(fresh, np.random.default_rng(8), reuse_exposures=False)
    _assert_same_worlds(fresh, shared)


def test_the_radix_order_of_awkward_floats_is_numpys_stable_order():
    from pathways_sim.core import sorting

    rng = np.random.default_rng(21)
    cases = [rng.random(1_000), np.round(rng.random(20_000) * 30) * 1_000, rng.standard_normal(5_000) * 1e4,
             [0.0, -0.0, 1.0, -1.0, -0.0, 0.0, np.inf, -np.inf, 1e-45, -1e-45, 3e38, -3e38, 5.0, 5.0],
             np.zeros(0), np.full(9, 7.5), rng.lognormal(10, 0.6, 50_000), [1.0, np.nan, 0.5, np.nan]]
    for case in cases:
        values = np.asarray(case, dtype=np.float32).astype(np.float64)  # incomes are float32, ranked as float64
        expected = np.argsort(values, kind="stable")
        assert identical(sorting.stable_argsort(values), expected)


def test_adding_ties_below_above_and_among_the_existing_gives_the_same_keys():
    def grow() -> tuple[np.ndarray, list[int]]:
        net, added = Network(), []
        for u, v in (([], []), ([500, 600, 700], [501, 601, 701]), ([0, 1, 1], [2, 0, 2]),
                     ([900, 901, 900], [999, 999, 999]), ([5, 5, 650], [5, 6, 600]),
                     (np.arange(0, 1_000, 7), np.arange(3, 1_003, 7)), ([0], [1])):
            added.append(net.add(np.asarray(u, dtype=np.int64), np.asarray(v, dtype=np.int64)))
        return net.keys, added

    with kernels.using("numpy"):
        plain_keys, plain_added = grow()
    with kernels.using("numba"):
        compiled_keys, compiled_added = grow()
    assert identical(plain_keys, compiled_keys) and plain_added == compiled_added
    assert np.all(np.diff(plain_keys) > 0)
