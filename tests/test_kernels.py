"""The numba kernels give exactly the numbers the numpy path gives (core/kernels.py chooses between them)."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from pathways_sim.core import kernels
from pathways_sim.core.streams import Streams, child_keys, first_keys, mix
from pathways_sim.experiments.runner import run_scenario
from pathways_sim.mechanisms.ties import pair_keys
from pathways_sim.results.outputs import results_hash

pytest.importorskip("numba")

EDGE_KEYS = np.array([0, 1, 2, 2**11 - 1, 2**11, 2**32 - 1, 2**32, 2**53 - 1, 2**53, 2**53 + 1, 2**63 - 1, 2**63,
                      2**63 + 1, 2**64 - 2**11, 2**64 - 2, 2**64 - 1, 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9],
                     dtype=np.uint64)


def many_keys() -> np.ndarray:
    rng = np.random.default_rng(2026)
    return np.concatenate([EDGE_KEYS, first_keys(5000), rng.integers(0, 2**64 - 1, 20_000, dtype=np.uint64,
                                                                      endpoint=True)])


def both(function, *args):
    """``function(*args)`` under each kernel choice."""
    with kernels.using("numpy"):
        plain = function(*args)
    with kernels.using("numba"):
        compiled = function(*args)
    return plain, compiled


def identical(a: np.ndarray, b: np.ndarray) -> bool:
    """Same shape, dtype and bytes (so -0.0, NaN payloads and the last bit all count)."""
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


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
    from pathways_sim.core import numba_kernels

    real_njit, asked = numba_kernels.numba.njit, []

    def njit(**options):
        asked.append(options.get("cache", False))
        if options.get("cache"):
            raise RuntimeError("cannot cache function: no locator available for file")  # what numba raises
        return real_njit(**options)

    monkeypatch.setattr(numba_kernels.numba, "njit", njit)
    kernel = numba_kernels._jit(lambda x: x + 1)
    assert asked == [True, False] and kernel(41) == 42
