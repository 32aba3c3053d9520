"""numpy's float32 exp inside numba kernels (core/numba_exp.py): numpy's bits for every float32 tried."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("numba")

from pathways_sim.core import kernels, numba_exp


def bits(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values).view(np.uint32)


def numpy_exp(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        return np.exp(x)


@pytest.mark.parametrize("start", range(0, 97, 32))
def test_every_97th_float32_gives_numpys_bits(start):
    """A stride through all 2^32 bit patterns (both signs, every exponent, subnormal results, NaNs, infinities):
    about 44 million inputs, in chunks.  (All 2^32 were checked when the kernel was written.)"""
    simd = numba_exp.exp32_mode()
    patterns = np.arange(start, 2**32, 97, dtype=np.uint64)
    for chunk in np.array_split(patterns, 8):
        x = chunk.astype(np.uint32).view(np.float32)
        assert np.array_equal(bits(numba_exp.exp32_array(x, simd)), bits(numpy_exp(x)))


def test_where_exp_is_finite_and_at_its_edges():
    """Dense over the range where results are finite and normal, subnormal, and at the cut-offs."""
    simd = numba_exp.exp32_mode()
    rng = np.random.default_rng(97)
    x = np.concatenate([rng.uniform(-104.5, 89.5, 2_000_000), rng.normal(0.0, 2.0, 1_000_000),
                        -np.abs(rng.normal(0.0, 1e-6, 100_000)),
                        [88.72283935546875, -103.97208404541015625, 88.7228, -103.972, -87.33655, -87.33654,
                         np.inf, -np.inf, np.nan, 0.0, -0.0]]).astype(np.float32)
    x = np.concatenate([x, np.nextafter(x, np.float32(np.inf)), np.nextafter(x, np.float32(-np.inf))])
    assert np.array_equal(bits(numba_exp.exp32_array(x, simd)), bits(numpy_exp(x)))


def test_the_mode_is_the_one_numpy_matches_and_the_other_is_not():
    """Which of numpy's float32 exps runs is found by comparison, and the two differ (else the probe could not
    tell them apart): on this machine one of them gives numpy's bits and the other does not."""
    x = np.random.default_rng(5).normal(0.0, 3.0, 100_000).astype(np.float32)
    simd = numba_exp.exp32_mode()
    assert np.array_equal(bits(numba_exp.exp32_array(x, simd)), bits(numpy_exp(x)))
    assert not np.array_equal(bits(numba_exp.exp32_array(x, not simd)), bits(numpy_exp(x)))


def test_a_numpy_whose_exp_neither_reproduces_is_refused(monkeypatch):
    real = np.exp
    monkeypatch.setattr(np, "exp", lambda x, **kw: np.nextafter(real(x, **kw), np.float32(np.inf)))
    with pytest.raises(ImportError, match="PATHWAYS_SIM_KERNELS=numpy"):
        numba_exp._find_mode()


def test_kernels_exp32_in_a_kernel_and_from_python():
    """``kernels.exp32`` is numpy's exp both in a compiled kernel written beside numpy code and from Python."""
    @kernels.kernel
    def exps(x, simd, out):
        for i in range(x.size):
            out[i] = kernels.exp32(-x[i] * np.float32(0.5), simd)

    x = np.random.default_rng(11).uniform(-50, 50, 10_000).astype(np.float32)
    out = np.empty_like(x)
    exps(x, numba_exp.exp32_mode(), out)
    assert np.array_equal(bits(out), bits(numpy_exp(-x * np.float32(0.5))))
    assert bits(np.asarray(kernels.exp32(x[0], True)))[()] == bits(numpy_exp(x[:1]))[0]


def one_minus_exp_numpy(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):
        return (1.0 - np.exp(x)).astype(np.float32)


def test_one_minus_exp_gives_numpys_float32_everywhere():
    """stress's target, (1 - exp(x)) as float32 from a float64 x: bracketed, numpy's exp where undecided."""
    rng = np.random.default_rng(23)
    x = np.concatenate([-np.abs(rng.normal(0.35, 0.3, 1_000_000)), rng.uniform(-760, 760, 300_000),
                        rng.normal(0.0, 1e-9, 100_000), rng.uniform(-40, 1, 300_000),
                        [0.0, -0.0, np.nan, np.inf, -np.inf, 700.0, -700.0, np.nextafter(700.0, 800.0),
                         np.nextafter(-700.0, -800.0), 709.8, -745.2, 5e-324, -5e-324, 1e-300]])
    with np.errstate(over="ignore", invalid="ignore"):  # numpy's warnings for exp beyond 709, as numpy gives them
        compiled = numba_exp.one_minus_exp_float32(x)
    assert np.array_equal(bits(compiled), bits(one_minus_exp_numpy(x)))


def test_one_minus_exp_at_float32_rounding_boundaries():
    """Inputs whose 1 - exp(x) falls on a float32 rounding boundary, where the bracket cannot decide and numpy's
    exp must: the same bits, and the fallback is really taken."""
    rng = np.random.default_rng(29)
    t = rng.uniform(1e-6, 0.999, 200_000).astype(np.float32)
    boundary = (t.astype(np.float64) + np.nextafter(t, np.float32(1)).astype(np.float64)) / 2.0
    x = np.log1p(-boundary)
    x = np.concatenate([x, np.nextafter(x, 0.0), np.nextafter(x, -1.0)])
    out, unsure = np.empty(x.size, np.float32), np.empty(x.size, np.int64)
    assert numba_exp._one_minus_exp32(x, out, unsure) > 1000
    assert np.array_equal(bits(numba_exp.one_minus_exp_float32(x)), bits(one_minus_exp_numpy(x)))


def test_exp_in_place_is_numpys_exp_with_out():
    x = np.random.default_rng(31).uniform(-110, 95, 1_000_003).astype(np.float32)
    expected = numpy_exp(x)
    with np.errstate(over="ignore"):
        kernels.exp_in_place(x)
    assert np.array_equal(bits(x), bits(expected))
    with pytest.raises(ValueError, match="contiguous 1-d float32"):
        numba_exp.exp_in_place(np.zeros(3))
