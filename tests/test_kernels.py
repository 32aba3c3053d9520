"""The numba kernels give exactly the numbers the numpy path gives (core/kernels.py chooses between them)."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from kernel_paths import both, identical

from pathways_sim.core import kernels
from pathways_sim.core.network import pair_keys
from pathways_sim.core.streams import Streams, child_keys, first_keys, mix
from pathways_sim.experiments.runner import run_scenario
from pathways_sim.results.outputs import results_hash

pytest.importorskip("numba")

EDGE_KEYS = np.array([0, 1, 2, 2**11 - 1, 2**11, 2**32 - 1, 2**32, 2**53 - 1, 2**53, 2**53 + 1, 2**63 - 1, 2**63,
                      2**63 + 1, 2**64 - 2**11, 2**64 - 2, 2**64 - 1, 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9],
                     dtype=np.uint64)


def many_keys() -> np.ndarray:
    rng = np.random.default_rng(2026)
    return np.concatenate([EDGE_KEYS, first_keys(5000), rng.integers(0, 2**64 - 1, 20_000, dtype=np.uint64,
                                                                      endpoint=True)])





@pytest.mark.parametrize("seed", [0, 1, 7, 2**31 - 1, 2**63 + 5])
def test_uniforms_are_bit_identical_on_many_keys_steps_and_streams(seed):
    keys, streams = many_keys(), Streams(seed)
    for name in ("tie_loss", "cmd_onset", "tie_partner:accept", "", "é"):
        for step in (-241, -2, -1, 0, 1, 11, 12, 359, 2**40):
            plain, compiled = both(streams.uniform, name, step, keys)
            assert identical(plain, compiled), (seed, name, step)
            assert plain.min() >= 0.0 and plain.max() < 1.0


def test_uniforms_of_odd_inputs_are_identical_too():
    streams, keys = Streams(3), many_keys()
    for odd in (keys[::3], keys[:1000].reshape(20, 50), keys[:0], keys.astype(np.int64), list(EDGE_KEYS[:5])):
        plain, compiled = both(streams.uniform, "stress", 5, odd)
        assert identical(plain, compiled)
    plain, compiled = both(streams.normal, "stress", 5, keys)
    assert identical(plain, compiled)


def test_mixing_child_keys_and_pair_keys_are_identical():
    keys = many_keys()
    for function, args in ((mix, (keys,)), (mix, (keys[::2].reshape(-1, 7)[:100],)), (first_keys, (10_000,)),
                           (child_keys, (keys[:3000], np.arange(3000) % 5))):
        plain, compiled = both(function, *args)
        assert identical(plain, compiled), function
    rng = np.random.default_rng(5)
    u, v = rng.integers(0, keys.size, 50_000), rng.integers(0, keys.size, 50_000)
    for uu, vv in ((u, v), (v, u), (u[:0], v[:0]), (u.astype(np.int32), v.astype(np.int32))):
        plain, compiled = both(pair_keys, keys, uu, vv)
        assert identical(plain, compiled)
    assert identical(pair_keys(keys, u, v), pair_keys(keys, v, u))  # symmetric, as ties need


def test_the_kernels_integer_to_float_and_powers_of_two_are_the_conversions_they_replace():
    # Both avoid AVX2's missing 64-bit conversions with bit tricks (core/numba_random.py, core/numba_events.py);
    # each must give exactly what the plain conversion gives, over its whole range.
    from pathways_sim.core.numba_events import _power_of_two
    from pathways_sim.core.numba_random import _exact_float

    rng = np.random.default_rng(53)
    below_2_53 = np.concatenate([many_keys() >> np.uint64(11), rng.integers(0, 2**32, 2000, dtype=np.uint64),
                                 np.array([0, 1, 2**32 - 1, 2**32, 2**32 + 1, 2**52 - 1, 2**52, 2**52 + 1,
                                           2**53 - 2, 2**53 - 1], dtype=np.uint64)])
    assert identical(np.array([_exact_float(m) for m in below_2_53]), below_2_53.astype(np.float64))
    whole = np.arange(-1022, 1024, dtype=np.float64)
    assert identical(np.array([_power_of_two(k) for k in whole]), np.ldexp(1.0, whole.astype(np.int64)))


def test_a_small_run_gives_identical_results_under_both_kernels():
    overrides = ["population.size=1500", "time.years=2", "replicates=1", "seed=4"]
    plain, compiled = both(lambda: results_hash(run_scenario("peer_support", overrides, quiet=True).results))
    assert plain == compiled


def test_the_environment_variable_chooses_and_a_bad_value_is_named():
    probe = ("from pathways_sim.core import kernels; from pathways_sim.core.streams import first_keys;"
             "import sys; first_keys(3); print(kernels.active(), 'numba' in sys.modules)")

    def run(value: str) -> subprocess.CompletedProcess:
        env = {**os.environ, kernels.ENV_VAR: value}
        return subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120,
                              check=False)

    assert run("numpy").stdout.split() == ["numpy", "False"]  # numba not even imported
    assert run("").stdout.split() == ["numba", "True"]  # the default when numba is installed
    assert run("NUMBA").stdout.split() == ["numba", "True"]
    bad = run("fast")
    assert bad.returncode != 0 and "PATHWAYS_SIM_KERNELS='fast'" in bad.stderr and "'numpy'" in bad.stderr
    with pytest.raises(ValueError, match="allowed are 'numba' and 'numpy'"):
        kernels.use("cuda")


def test_kernels_compile_without_a_cache_when_no_cache_location_is_writable(monkeypatch):
    from pathways_sim.core import numba_random as numba_kernels

    real_njit, asked = numba_kernels.numba.njit, []

    def njit(**options):
        asked.append(options.get("cache", False))
        if options.get("cache"):
            raise RuntimeError("cannot cache function: no locator available for file")  # what numba raises
        return real_njit(**options)

    monkeypatch.setattr(numba_kernels.numba, "njit", njit)
    kernel = numba_kernels.jit_cached(lambda x: x + 1)
    assert asked == [True, False] and kernel(41) == 42


# --- The per-tie and apply-changes kernels (numpy's exp/expm1 kept between them): each against the numpy path.

@pytest.fixture(scope="module")
def world(stepped_world):
    return stepped_world


def hazards(n: int, rng: np.random.Generator) -> np.ndarray:
    """Hazards per year from nothing to certain, with the awkward values among them."""
    odd = [0.0, -0.0, -1.0, 1e-30, 1e-40, 1e-8, 0.25, 12.0, 1e3, 1e30, np.inf, np.nan]
    return np.concatenate([odd, rng.exponential(0.3, n), rng.exponential(30.0, n // 10)])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_events_are_the_same_draws_even_at_the_chance_itself(dtype):
    from pathways_sim.mechanisms.base import event

    rng = np.random.default_rng(8)
    hazard = hazards(20_000, rng).astype(dtype)
    chance = -np.expm1(-hazard * (1 / 12)).astype(np.float64)
    # Uniforms anywhere, and exactly at each chance and one float either side (where a bound would be tested).
    for uniforms in (rng.random(hazard.size), np.nan_to_num(chance), np.nextafter(np.nan_to_num(chance), 0),
                     np.nextafter(np.nan_to_num(chance), 1)):
        plain, compiled = both(event, hazard, 1 / 12, uniforms)
        assert identical(plain, compiled)
    scalar = both(event, np.float32(0.3), 1 / 12, rng.random(50))
    assert identical(*scalar)


def test_tie_loss_is_the_same_for_every_tie(world):
    from pathways_sim.core.network import Network
    from pathways_sim.mechanisms.ties import tie_loss_keep

    rng = np.random.default_rng(4)
    net, person_keys = world.network, world.population.key
    withdrawal = rng.exponential(1.0, world.population.capacity).astype(np.float32)
    withdrawal[:5] = [0.0, 40.0, 100.0, np.inf, 1e-20]
    for rate, dt, step in ((0.25, 1 / 12, 0), (3.0, 1.0, -5), (0.0, 1 / 12, 7), (0.1, 1 / 365, 2**20)):
        with np.errstate(invalid="ignore"):  # rate 0 x an infinite withdrawal: NaN, no loss, on both paths
            plain, compiled = both(tie_loss_keep, world.streams, step, net, person_keys, withdrawal, rate, dt)
        assert identical(plain, compiled) and 0 < plain.sum() <= plain.size
    finite = rng.normal(0.0, 0.5, world.population.capacity).astype(np.float32)  # no one always a candidate
    for rate, dt, step in ((0.25, 1 / 12, 3), (2.0, 1 / 12, 4)):
        plain, compiled = both(tie_loss_keep, world.streams, step, net, person_keys, finite, rate, dt)
        assert identical(plain, compiled) and 0 < plain.sum() < plain.size
    assert identical(*both(tie_loss_keep, world.streams, 0, Network(), person_keys, withdrawal, 0.25, 1 / 12))


def test_tie_keys_kept_through_steps_are_the_keys_of_the_ties_then():
    """On the numba path ``Network.tie_keys`` is carried through tie loss, deaths and new ties (births, meetings),
    not recomputed: after a year of every mechanism it must still be each tie's key from its two people's keys."""
    from pathways_sim.mechanisms.parameters import Parameters
    from pathways_sim.mechanisms.registry import Switches
    from pathways_sim.model.step import advance
    from pathways_sim.model.synthesis import build_world

    with kernels.using("numba"):
        world = build_world(Parameters(population_size=2_000), Switches(), seed=5)
        for _ in range(12):
            advance(world)
            keys = world.network.keys  # (read first: it makes the changes held back)
            carried = world.network._tie_keys
            assert carried is not None and carried[0] is keys  # kept, never dropped
        u, v = world.network.endpoints()
        assert u.size > 0 and identical(world.network.tie_keys(world.population.key),
                                        pair_keys(world.population.key, u, v))


def test_meeting_counts_slots_and_keys_are_the_same():
    from pathways_sim.mechanisms.ties import meetings_of, poisson_from_uniform

    rng = np.random.default_rng(6)
    mean = np.concatenate([[0.0, 1e-9, 5.0, 150.0, 400.0], rng.exponential(0.4, 30_000)])
    uniforms = np.concatenate([[0.0, 0.999999, 1 - 2**-53, 0.5, 1 - 2**-53], rng.random(30_000)])
    plain, compiled = both(poisson_from_uniform, uniforms, mean)
    assert identical(plain, compiled) and plain.max() >= 100
    keys = many_keys()[:mean.size]
    counts = plain[:keys.size]
    for a, b in zip(*both(meetings_of, counts, keys), strict=True):
        assert identical(a, b)
    for a, b in zip(*both(meetings_of, counts[:0], keys[:0]), strict=True):
        assert identical(a, b)


def test_area_index_and_partners_are_the_same():
    from pathways_sim.core.network import AreaIndex, propose_partners

    rng = np.random.default_rng(9)
    n, n_areas = 20_000, 40
    area = rng.integers(0, n_areas, n).astype(np.int32)
    area[area == 7] = 8  # an empty area
    alive = rng.random(n) < 0.8
    plain, compiled = both(AreaIndex.build, area, alive, n_areas)
    for field in ("order", "start", "count"):
        assert identical(getattr(plain, field), getattr(compiled, field)), field
    people = np.flatnonzero(alive)[rng.integers(0, alive.sum(), 30_000)]
    draws = rng.random((3, people.size))
    draws[:, :4] = [[0.0, 0.99, 0.99, 0.5], [1e-15, 1 - 1e-15, 0.5, 0.0], [0.0, 1 - 2**-53, 0.5, 0.999]]
    for local_share, spread in ((0.7, 0.15), (0.0, 3.0), (1.0, 0.15)):
        found = both(propose_partners, people, area, plain, n_areas, local_share, spread, draws)
        assert identical(*found) and (found[0] == -1).any() == (local_share < 1.0)


def test_the_ties_mechanism_proposes_the_same_change(world):
    from pathways_sim.mechanisms.base import StepContext
    from pathways_sim.mechanisms.ties import ties

    plain, compiled = both(lambda: ties(StepContext(world))["ties"])
    for field in ("keep", "add_u", "add_v"):
        assert identical(getattr(plain, field), getattr(compiled, field)), field
    assert plain.add_u.size > 0 and not plain.keep.all()


def test_withdrawal_and_meeting_expectation_are_the_same_at_the_edges(world):
    import copy

    from pathways_sim.mechanisms.base import StepContext
    from pathways_sim.mechanisms.ties import meeting_expectation, withdrawal_of

    w = copy.deepcopy(world)
    pop, p = w.population, w.params
    threshold, most = np.float32(p["lonely_threshold"]), np.float32(p["max_ties"])
    odd = np.array([threshold, np.nextafter(threshold, np.float32(0)), np.nextafter(threshold, np.float32(1)), 0.0,
                    1.0, np.nan, np.inf], dtype=np.float32)
    pop.loneliness[:odd.size] = odd
    pop.cmd[:odd.size] = [True, False] * 3 + [True]
    ctx = StepContext(w)
    degree = ctx.exposures.degree  # computed once a step: pushed to the edges here
    degree[:6] = [most, np.nextafter(most, np.float32(0)), most + 1, 0.0, np.nan, np.inf]
    pop.alive[6] = False
    plain, compiled = both(withdrawal_of, ctx, w.strength)
    assert identical(plain, compiled) and np.isnan(plain[5])
    keen = np.exp(-plain)
    keen[10:14] = [np.nan, np.inf, 0.0, np.float32(1e30)]
    for rate in (3.7, 0.0, 1e300):
        with np.errstate(invalid="ignore", over="ignore"):  # 0 x inf and overflow: NaN and inf on both paths
            (room, expected), (room_c, expected_c) = both(meeting_expectation, ctx, rate, keen)
        assert identical(room, room_c) and identical(expected, expected_c)
    assert room[1] and not room[0] and not room[6] and expected[13] == p["max_ties"]


def test_switches_and_relaxation_resolve_to_the_same_states(world):
    from pathways_sim.mechanisms.base import F32, Relax, StepContext, Switch
    from pathways_sim.model.step import resolve

    pop, rng = world.population, np.random.default_rng(12)
    n = pop.capacity
    onset = hazards(n, rng)[:n]
    changes = {
        "cmd": Switch(onset.astype(F32), rng.exponential(2.0, n).astype(F32), "cmd_onset", "cmd_recovery",
                      eligible=pop.age >= 16),
        "smoker": Switch(onset, 0.5, "smoking_start", "smoking_quit"),  # float64 onset, one recovery for all
        "poor_health": Switch(np.float32(0.2), rng.random(n), "poor_health_onset", "poor_health_recovery"),
        "stress": Relax(rng.random(n).astype(F32), 1.0 / 3),
        "resilience": Relax(rng.random(n).astype(F32), np.where(rng.random(n) < 0.1, 0.0, 2.0).astype(F32)),
        "control": Relax(rng.random(n), rng.random(n)),
    }
    for name, change in changes.items():
        plain, compiled = both(lambda: resolve(StepContext(world), name, change))  # noqa: B023
        assert identical(plain, compiled), name
        assert not np.array_equal(plain, getattr(pop, name)), name


def test_the_command_line_refuses_a_bad_kernel_choice_in_one_line_before_any_work(tmp_path, monkeypatch, capsys):
    from pathways_sim.interfaces.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(kernels.ENV_VAR, "fast")
    assert main(["run", "baseline", "-o", "out", "--set", "population.size=300"]) == 2
    printed = capsys.readouterr()
    assert printed.err.strip().splitlines() == [
        "error: PATHWAYS_SIM_KERNELS='fast' is not a kernel choice: allowed are 'numba', 'numpy' or unset (numba "
        "when it is installed)"]
    assert "Traceback" not in printed.err + printed.out and not (tmp_path / "out").exists()
    monkeypatch.setenv(kernels.ENV_VAR, " NumPy ")  # case and spaces are forgiven, as on first use
    assert kernels.environment_choice() == "numpy"


def test_adding_keeping_and_dropping_ties_gives_the_same_keys_counts_and_tie_keys():
    # The degrees asked for along the way are counted afresh by numpy and kept up to date through each change by
    # the compiled path (Network._degree), slots beyond the first count's size included.  The compiled path holds
    # the changes back until the ties are read, so several changes are made together here.
    from pathways_sim.core.network import Network

    person_keys = first_keys(3_100)

    def grow() -> tuple[np.ndarray, np.ndarray, list[int], list[np.ndarray]]:
        rng, net, sizes, degrees, slots = np.random.default_rng(13), Network(), [], [], 3_000
        for size in (0, 1, 500, 5_000, 3, 20_000, 0, 2_000):
            degrees.append(net.degree(slots))
            u, v = rng.integers(0, 3_000, size), rng.integers(0, 3_000, size)
            with_keys = person_keys if size % 2 == 0 else None  # without the people's keys, tie keys lapse
            net.add(np.concatenate([u, u[:size // 3]]), np.concatenate([v, u[:size // 3]]), with_keys)
            sizes.append(net.n_ties)
            net.tie_keys(person_keys)
            # Ties lost, then new ones, some of them ties just lost
            keep = rng.random(net.n_ties) < 0.95
            lost_u, lost_v = (end[~keep][:50] for end in net.endpoints())
            net.keep(keep)
            net.add(np.concatenate([lost_u, u[:100]]), np.concatenate([lost_v, v[:100]]), person_keys)
            # Deaths, then ties to the slots just freed (births), then deaths with nothing after them
            net.drop_slots(rng.random(slots) < 0.01)
            net.drop_slots(np.isin(np.arange(slots), [0, 7, 8, 2_999]))  # first and last bits of a byte, the ends
            net.add(rng.integers(0, 3_000, 30), rng.integers(0, 3_000, 30), with_keys)
            degrees.append(net.degree(slots))
            sizes.append(net.n_ties)
            net.drop_slots(rng.random(slots) < 0.01)
            net.keep(rng.random(net.n_ties) < 0.9)
            degrees.append(net.degree(slots + 10))  # more slots than the count kept so far
            if size == 20_000:  # births beyond the slots counted so far
                net.add(rng.integers(0, 3_100, 300), rng.integers(3_000, 3_100, 300), person_keys)
                slots = 3_100
            degrees.append(net.degree(slots))
            u, v = net.endpoints()  # the tie keys carried through add, keep and drop_slots are the ties' keys
            assert identical(net.tie_keys(person_keys), pair_keys(person_keys, u, v))
        before = net.n_ties
        net.add(*net.endpoints(), person_keys)  # every tie again: nothing added
        sizes.append(net.n_ties - before)
        degrees.append(net.degree(3_100))
        return net.keys, net.tie_keys(person_keys), sizes, degrees

    (plain_keys, plain_tie_keys, plain_sizes, plain_degrees), (keys, tie_keys, sizes, degrees) = both(grow)
    assert identical(plain_keys, keys) and identical(plain_tie_keys, tie_keys) and plain_sizes == sizes
    assert len(plain_degrees) == len(degrees) and all(map(identical, plain_degrees, degrees))
    assert plain_sizes[-1] == 0 and np.all(np.diff(plain_keys) > 0)


@pytest.mark.parametrize("seed", range(6))
def test_changes_held_back_and_made_together_give_the_ties_made_one_by_one(seed):
    # Few slots, so that new ties are often ties already there, kept or just dropped (lost, or a slot's person
    # dead and the slot given to somebody new, with a new key), and runs of changes of every kind and length
    # between two reads.
    from pathways_sim.core.network import Network

    slots = 40

    def changes() -> list[np.ndarray]:
        rng, net, seen, person_keys = np.random.default_rng(seed), Network(), [], first_keys(slots)
        born = iter(first_keys(10_000)[slots:])
        net.add(rng.integers(0, slots, 300), rng.integers(0, slots, 300), person_keys)
        net.tie_keys(person_keys)
        for _ in range(60):
            for _ in range(rng.integers(0, 6)):
                kind = rng.integers(0, 4)
                if kind == 0:
                    net.keep(rng.random(net.n_ties) < rng.random())  # (n_ties: the changes before it made)
                elif kind == 1:
                    gone = rng.random(slots) < 0.05
                    net.drop_slots(gone)
                    person_keys[gone] = [next(born) for _ in range(gone.sum())]  # the slots given to babies
                else:  # with the people's keys or (rarely) without, so the tie keys lapse
                    n = rng.integers(0, 30)
                    given = person_keys if kind == 2 or rng.random() < 0.7 else None
                    net.add(rng.integers(0, slots, n), rng.integers(0, slots, n), given)
            grown = slots + int(rng.integers(0, 3))  # counts asked for beyond the slots so far
            seen += [net.keys, net.degree(grown), net.tie_keys(person_keys)]
            u, v = net.endpoints()
            assert identical(seen[-1], pair_keys(person_keys, u, v))
        return seen

    plain, compiled = both(changes)
    assert len(plain) == len(compiled) and all(map(identical, plain, compiled))
    assert any(keys.size for keys in plain[::3])


def test_sums_over_ties_are_the_same(world):
    from pathways_sim.core.network import Network

    net, rng = world.network, np.random.default_rng(14)
    n = world.population.capacity
    assert identical(*both(net.degree, n))
    for values in (rng.random(n), rng.random(n).astype(np.float32), rng.random(n) < 0.3, np.round(rng.random(n), 1),
                   rng.integers(0, 5, n)):
        assert identical(*both(net.neighbour_sum, values))
        assert identical(*both(net.share_below, values))
    empty = Network()
    assert identical(*both(empty.degree, 10)) and identical(*both(empty.neighbour_sum, rng.random(10)))
    assert identical(*both(net.degree, n + 7))  # more slots than people with ties


def test_a_kernel_declared_beside_its_numpy_code_compiles_on_first_call_only():
    from pathways_sim.core import kernels

    def add_one(x, out):
        for i in range(x.size):
            out[i] = x[i] + 1.0

    lazy = kernels.kernel(add_one)
    assert lazy._machine_code is None  # declaring it compiles nothing (importing a mechanism never loads numba)
    out = np.empty(3)
    lazy(np.arange(3.0), out)
    assert out.tolist() == [1.0, 2.0, 3.0] and lazy._machine_code is not None
