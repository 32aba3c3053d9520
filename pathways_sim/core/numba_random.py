"""numba kernels for the counter-based random numbers (``core/streams.py``): SplitMix64's finaliser, the keyed
uniforms and each tie's key, with the same integer operations as the numpy path, so the same bits
(``tests/test_kernels.py``).  ``jit_cached`` compiles every kernel of the package (``core/numba_kernels.py`` and
the modules it gathers, and ``core.kernels.kernel`` for kernels written beside the numpy code they fuse)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numba
import numpy as np

# The same constants as core/streams.py (numba freezes module-level numpy scalars as typed constants, so every
# operation below stays in uint64: a Python int would promote uint64 arithmetic to float64).
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 2.0 ** -53


def jit_cached(func: Callable[..., Any]) -> Any:
    """``func`` compiled by numba (no Python objects, GIL released), its machine code cached on disk where a
    cache can be written (``core.kernels.kernel`` uses this for kernels written outside this module)."""
    try:
        return numba.njit(cache=True, nogil=True)(func)
    except RuntimeError:  # numba found no writable cache location: compile in each process instead
        return numba.njit(nogil=True)(func)


@jit_cached
def _mix(z: np.uint64) -> np.uint64:
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


# An integer below 2^53 to float64 without the conversion instruction: AVX2 has none for 64-bit integers, so numba
# would convert one element at a time and a kernel drawing for everyone would not run four people at once.  Each
# 32-bit half goes into the mantissa of a power of two (2^84 + high 2^32, 2^52 + low); taking the powers off and
# adding the halves is exact, so the bits are float64(m)'s.
_BITS_OF_2_84 = np.uint64(0x4530000000000000)
_BITS_OF_2_52 = np.uint64(0x4330000000000000)
_TWO_84_PLUS_52 = 2.0 ** 84 + 2.0 ** 52
_LOW_32 = np.uint64(0xFFFFFFFF)
_S32 = np.uint64(32)


@jit_cached
def _exact_float(m: np.uint64) -> np.float64:
    high = np.uint64((m >> _S32) | _BITS_OF_2_84).view(np.float64) - _TWO_84_PLUS_52
    return high + np.uint64((m & _LOW_32) | _BITS_OF_2_52).view(np.float64)


@jit_cached
def _draw(key: np.uint64, offset: np.uint64) -> np.float64:
    # ``Streams.uniform``'s number for one key: the key hashed with the stream's offset, 53 bits scaled to [0, 1).
    return _exact_float(_mix(_mix(key ^ offset) + _GOLDEN) >> _S11) * _TO_UNIT


@jit_cached
def _mix_all(x: np.ndarray, out: np.ndarray) -> None:
    for i in range(x.size):
        out[i] = _mix(x[i])


@jit_cached
def _uniform(keys: np.ndarray, offset: np.uint64, out: np.ndarray) -> None:
    for i in range(keys.size):
        out[i] = _draw(keys[i], offset)


@jit_cached
def _pair_keys(keys: np.ndarray, u: np.ndarray, v: np.ndarray, out: np.ndarray) -> None:
    for i in range(u.size):
        a, b = keys[u[i]], keys[v[i]]
        out[i] = _mix(a ^ b) ^ (a + b)


def mix(x: np.ndarray) -> np.ndarray:
    """``streams.mix``: SplitMix64's finaliser of each element of a uint64 array, as a new array."""
    flat = np.ascontiguousarray(x, dtype=np.uint64).reshape(-1)
    out = np.empty_like(flat)
    _mix_all(flat, out)
    return out.reshape(np.shape(x))


def uniform(keys: np.ndarray, offset: np.uint64) -> np.ndarray:
    """``Streams.uniform`` for keys already cast to uint64 and the stream's offset: hash, mix and scale in one pass."""
    flat = np.ascontiguousarray(keys).reshape(-1)
    out = np.empty(flat.size, dtype=np.float64)
    _uniform(flat, np.uint64(offset), out)
    return out.reshape(keys.shape)


def pair_keys(keys: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``ties.pair_keys``: a key for each tie from its two people's keys, gathered and mixed in one pass."""
    out = np.empty(np.size(u), dtype=np.uint64)
    _pair_keys(np.ascontiguousarray(keys, dtype=np.uint64), np.ascontiguousarray(u).reshape(-1),
               np.ascontiguousarray(v).reshape(-1), out)
    return out.reshape(np.shape(u))
