"""numba kernels for event draws (``base.event``, ``StepContext.event``): the draws compared with a bound of each
chance in one pass, and numpy's expm1 only for the few below it, so the decisions are the numpy path's, bit for bit
(``tests/test_kernels.py``).  The margins here are shared by every kernel that bounds a chance before working it
out exactly (``core/numba_ties.py``, ``core/numba_kernels.py``).

Compiled with ``cache=True`` (``numba_random.jit_cached``): the machine code is kept in ``__pycache__`` next to this
file, or, when that is not writable (an installed read-only package), in numba's user-wide cache directory
(``NUMBA_CACHE_DIR`` overrides it); when no cache location can be written at all, the kernels are compiled in each
process instead (never an error).
"""

from __future__ import annotations

import numpy as np

from pathways_sim.core.numba_random import _draw, jit_cached

# Below this the chance 1 - exp(-h dt) can be at most h dt (1 - e^-x <= x), and float32/float64 expm1 are
# within an ulp or two of exact, far inside this margin: only draws below it need the exact chance.
_MARGIN = 1.0 + 2.0 ** -10

# A bound rate x exp(x) of a hazard, from x in float64 where numpy computes in float32: the margin covers
# |x| 2^-23 of relative error (any x whose exp neither overflows nor underflows) and float32's rounding of the
# hazard; the floor covers hazards rounded up into float32's subnormals.
_LOG2E = 1.4426950408889634
_BOUND_MARGIN = 1.0 + 2.0 ** -7
_BOUND_FLOOR = 1e-30

# 2^k for a whole number k in [-1022, 1023], from its bits, with no libm call and no float-to-integer conversion
# (AVX2 has none for 64 bits, so one would stop a kernel running four people at once): k + 1023 + 2^52 holds
# k + 1023 in its low mantissa bits, which shifted up to the exponent's place make 2^k.
_BIASED_2_52 = 1023.0 + 2.0 ** 52
_BITS_OF_2_52 = np.int64(0x4330000000000000)
_S52 = np.int64(52)


@jit_cached
def _power_of_two(k: np.float64) -> np.float64:
    biased = np.float64(k + _BIASED_2_52).view(np.int64) - _BITS_OF_2_52
    return np.int64(biased << _S52).view(np.float64)


@jit_cached
def _maybe(uniforms: np.ndarray, neg_chance_bound: np.ndarray, who: np.ndarray) -> int:
    n = 0
    for i in range(uniforms.size):
        if uniforms[i] < -np.float64(neg_chance_bound[i]) * _MARGIN:
            who[n] = i
            n += 1
    return n


def event(hazard: np.ndarray, dt: float, uniforms: np.ndarray) -> np.ndarray:
    """``base.event``: uniforms < 1 - exp(-hazard dt), with numpy's expm1 computed only for the draws that fall
    below the bound hazard dt (a few per cent): the same decisions, since every other draw is above the chance."""
    neg_dt_hazard = -hazard * dt  # as the numpy path computes it, so the same dtype and bits
    if np.ndim(neg_dt_hazard) != 1 or np.shape(neg_dt_hazard) != np.shape(uniforms):
        return uniforms < -np.expm1(neg_dt_hazard)
    uniforms = np.ascontiguousarray(uniforms, dtype=np.float64)
    neg_dt_hazard = np.ascontiguousarray(neg_dt_hazard)
    who = np.empty(uniforms.size, dtype=np.int64)
    who = who[:_maybe(uniforms, neg_dt_hazard, who)]
    happens = np.zeros(uniforms.size, dtype=np.bool_)
    happens[who] = uniforms[who] < -np.expm1(neg_dt_hazard[who])
    return happens


@jit_cached
def _keyed_event_candidates(  # noqa: PLR0913, PLR0917 - a kernel takes its arrays positionally
        hazard: np.ndarray, dt: np.float32, keys: np.ndarray, offset: np.uint64, among: np.ndarray,
        everyone: bool, who: np.ndarray, below: np.ndarray, neg_dt_hazard: np.ndarray) -> int:
    # A slot whose hazard is not positive (0, negative, NaN) can never have the event (its chance is at most 0 and
    # a uniform is at least 0), so its uniform is never hashed: a person without a job cannot lose one.
    found = 0
    for i in range(hazard.size):
        if not hazard[i] > 0 or not (everyone or among[i]):
            continue
        uniform = _draw(keys[i], offset)  # Streams.uniform's number for this key
        neg = -hazard[i] * dt
        if uniform < -np.float64(neg) * _MARGIN:
            who[found] = i
            below[found] = uniform
            neg_dt_hazard[found] = neg
            found += 1
    return found


def keyed_event(hazard: np.ndarray, dt: float, keys: np.ndarray, offset: np.uint64,
                among: np.ndarray | None = None) -> np.ndarray:
    """``StepContext.event`` for a float32 hazard per slot: the uniforms of the slots with a positive hazard (and
    ``among``) hashed and compared with the bound hazard dt in one pass, numpy's expm1 for the few below it; the
    decisions of ``event(hazard, dt, uniform)`` (masked by ``among``), since no other slot can have the event."""
    n = hazard.size
    who, below = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.float64)
    neg_dt_hazard = np.empty(n, dtype=np.float32)
    everyone = among is None
    found = _keyed_event_candidates(hazard, np.float32(dt), np.ascontiguousarray(keys, dtype=np.uint64),
                                    np.uint64(offset), np.empty(0, dtype=np.bool_) if everyone else among,
                                    everyone, who, below, neg_dt_hazard)
    happens = np.zeros(n, dtype=np.bool_)
    happens[who[:found]] = below[:found] < -np.expm1(neg_dt_hazard[:found])
    return happens
