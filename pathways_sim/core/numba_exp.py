"""numpy's float32 ``exp``, inside numba kernels, bit for bit.

Many steps take the float32 exp of an array over everyone (a relaxation's decay, buffering, keenness, support),
each a separate numpy pass that reads and writes the whole array.  A kernel that computes the exp as it goes
saves that pass, but only if it gives numpy's bits: numba's own float32 exp is libm's ``expf``, and on x86-64
with AVX2 and FMA (or AVX-512) numpy does not call libm but a vectorised algorithm of its own
(``numpy/_core/src/umath/loops_exponent_log.dispatch.c.src``, ``simd_exp_FLOAT``): Cody-Waite range reduction
with fused multiply-adds, a 5th/2nd-order rational approximation, and the power of two added to the exponent
bits (a division for results below 2^-125).  It is not correctly rounded (numpy measures at most 2.52 ulp), so
no other exp gives its bits; ``exp32`` below is that algorithm, the same float32 operations in the same order
with LLVM's fma and an exact division, and it gives numpy's bits for every float32 (checked for all 2^32 inputs
when written; ``tests/test_numba_exp.py`` checks a stride through all of them).

Where numpy's float32 exp is something else (a machine without AVX2 and FMA, an ARM machine, another numpy),
numpy calls libm's ``expf``, which numba's ``np.exp`` of a float32 also calls.  Which of the two numpy is using
is found once per process by comparing both with ``np.exp`` on a probe of inputs (``exp32_mode``); kernels take
the answer as an argument (``simd``), never as a compiled-in constant, so machine code cached on disk cannot
carry one machine's or one numpy's answer into a process where it is wrong.  Where neither matches, importing
this module fails, and with it the numba path (``core/kernels.py``: numpy is used, or the error is shown).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, cast

import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic, overload

from pathways_sim.core import kernels
from pathways_sim.core.numba_random import jit_cached

_F32 = ir.FloatType()


@intrinsic
def _fma32(typingctx: Any, a: Any, b: Any, c: Any) -> Any:
    """a x b + c in float32 with one rounding (LLVM's fma: the processor's instruction where it has one)."""
    signature = types.float32(types.float32, types.float32, types.float32)

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        fma = cgutils.get_or_insert_function(builder.module, ir.FunctionType(_F32, [_F32, _F32, _F32]),
                                             "llvm.fma.f32")
        return builder.call(fma, args)

    return signature, codegen


@intrinsic
def _divide32(typingctx: Any, a: Any, b: Any) -> Any:
    """a / b in float32, IEEE (numba's ``/`` checks for a zero divisor, a branch that stops a loop vectorising)."""
    signature = types.float32(types.float32, types.float32)

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        return builder.fdiv(args[0], args[1])

    return signature, codegen


fma32 = cast(Callable[[Any, Any, Any], Any], _fma32)
divide32 = cast(Callable[[Any, Any], Any], _divide32)

# numpy's constants (npy_simd_data.h, npy_math.h), each the float32 nearest its decimal as C rounds a literal.
_LN2_HIGH = np.float32(-6.93145752e-1)  # Cody-Waite: -ln 2 in two parts
_LN2_LOW = np.float32(-1.42860677e-6)
_P0, _P1, _P2 = np.float32(9.999999999980870924916e-01), np.float32(7.257664613233124478488e-01), \
    np.float32(2.473615434895520810817e-01)
_P3, _P4, _P5 = np.float32(5.114512081637298353406e-02), np.float32(6.757896990527504603057e-03), \
    np.float32(5.082762527590693718096e-04)
_Q0, _Q1, _Q2 = np.float32(1.0), np.float32(-2.742335390411667452936e-01), np.float32(2.159509375685829852307e-02)
_LOG2E = np.float32(1.442695040888963407359924681001892137)
_ROUNDING = np.float32(12582912.0)  # 1.5 x 2^23: adding and taking it off rounds to a whole number
_X_MAX = np.float32(88.72283935546875)  # at or above: inf
_X_MIN = np.float32(-103.97208404541015625)  # at or below: 0
_ZERO, _LOWEST_SCALE = np.float32(0.0), np.float32(-125.0)
_NAN, _INF = np.uint32(0x7FC00000).view(np.float32), np.float32(np.inf)
_S23, _BIAS = np.int32(23), np.int32(127)


@jit_cached
def _exp32_numpy_simd(x: np.float32) -> np.float32:
    # Branch-free (selects), so a loop of it runs eight at once.
    special = (x != x) | (x >= _X_MAX) | (x <= _X_MIN)  # noqa: PLR0124 - x != x is the NaN test numpy makes
    y = _ZERO if special else x
    quadrant = (y * _LOG2E + _ROUNDING) - _ROUNDING
    r = fma32(quadrant, _LN2_HIGH, y)
    r = fma32(quadrant, _LN2_LOW, r)
    r = fma32(quadrant, _ZERO, r)
    numerator = fma32(fma32(fma32(fma32(fma32(_P5, r, _P4), r, _P3), r, _P2), r, _P1), r, _P0)
    denominator = fma32(fma32(_Q2, r, _Q1), r, _Q0)
    poly = divide32(numerator, denominator)
    # poly x 2^quadrant by adding to the exponent bits; below 2^-125 numpy adds -125 and divides by 2^(-125 -
    # quadrant), which rounds as multiplying by the (exact) power of two does.
    power = quadrant if quadrant > _LOWEST_SCALE else _LOWEST_SCALE
    below = _ZERO - (quadrant - _LOWEST_SCALE)
    below = below if below > _ZERO else _ZERO
    scaled = np.int32(np.float32(poly).view(np.int32) + (np.int32(power) << _S23)).view(np.float32)
    result = scaled * np.int32((_BIAS - np.int32(below)) << _S23).view(np.float32)
    result = _ZERO if x <= _X_MIN else result
    result = _INF if x >= _X_MAX else result
    return _NAN if x != x else result  # noqa: PLR0124


@jit_cached
def _exp32(x: np.float32, simd: bool) -> np.float32:
    return _exp32_numpy_simd(x) if simd else np.exp(x)


@jit_cached
def _exp32_all(x: np.ndarray, simd: bool, out: np.ndarray) -> None:
    for i in range(x.size):
        out[i] = _exp32(x[i], simd)


@jit_cached
def _exp32_in_place(x: np.ndarray, simd: bool) -> None:
    # One array, not _exp32_all(x, simd, x): LLVM vectorises that only after checking the two do not overlap,
    # and for the same array the check fails and the loop runs one at a time (7 times slower).
    for i in range(x.size):
        x[i] = _exp32(x[i], simd)


def exp32_array(x: np.ndarray, simd: bool) -> np.ndarray:
    """``np.exp`` of a float32 array (numpy's bits when ``simd`` is ``exp32_mode()``), in one pass."""
    flat = np.ascontiguousarray(x, dtype=np.float32).reshape(-1)
    out = np.empty_like(flat)
    _exp32_all(flat, simd, out)
    return out.reshape(np.shape(x))


def exp_in_place(x: np.ndarray) -> None:
    """``np.exp(x, out=x)`` for a contiguous 1-d float32 array, numpy's bits, in this module's vectorised loop:
    for a kernel whose own loop would not run eight at once with the exp inside it (a gather, a branch)."""
    if x.dtype != np.float32 or x.ndim != 1 or not x.flags.c_contiguous:
        raise ValueError(f"exp_in_place takes a contiguous 1-d float32 array, got {x.dtype} of shape {x.shape}")
    _exp32_in_place(x, exp32_mode())


def _probe() -> np.ndarray:
    """Inputs on which numpy's two float32 exps and libm's differ: every 65,537th float32 (both signs, all
    exponents, NaNs and infinities), a spread over the range where exp is finite, and the edges."""
    stride = np.arange(0, 2**32, 65537, dtype=np.uint64).astype(np.uint32).view(np.float32)
    spread = np.linspace(-104.0, 89.0, 20011, dtype=np.float32)
    edges = np.array([0.0, -0.0, _X_MAX, _X_MIN, np.nextafter(_X_MAX, np.float32(0)),
                      np.nextafter(_X_MIN, np.float32(0)), -87.3, -88.0, -100.0, 1e-30, -1e-30], dtype=np.float32)
    return np.concatenate([stride, spread, edges])


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.array_equal(a.view(np.uint32), b.view(np.uint32)))


def _find_mode() -> bool:
    probe = _probe()
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        reference = np.exp(probe)
    for simd in (True, False):
        if _same_bits(exp32_array(probe, simd), reference):
            return simd
    raise ImportError("numpy's float32 exp is neither the AVX2/AVX-512 algorithm core/numba_exp.py reproduces nor "
                      "libm's expf, so the numba kernels cannot give the numpy path's numbers; "
                      f"set {kernels.ENV_VAR}=numpy")


# Found when the module is imported, so that a numpy whose exp neither reproduces fails the import (and the numba
# path with it) rather than a run part way through.
_SIMD = _find_mode()


def exp32_mode() -> bool:
    """Whether numpy's float32 exp is its own vectorised algorithm (True) or libm's ``expf`` (False) in this
    process: the ``simd`` argument of every kernel that takes a float32 exp."""
    return _SIMD


@overload(kernels.exp32)
def _kernels_exp32(x: Any, simd: Any) -> Any:
    """``kernels.exp32`` in a compiled kernel, for kernels written beside their numpy code (``kernels.kernel``),
    whose modules do not import numba."""
    def implementation(x: Any, simd: Any) -> Any:
        return _exp32(np.float32(x), simd)

    return implementation


# --- numpy's float64 exp, where only a float32 rounding of 1 - exp(x) is kept (stress's target).  numpy's float64
# exp is libm's exp, one call per element (no vectorised loop on AVX2): 5.5 ns an element.  Instead, a vectorised
# exp within a proven relative error of the exact value, and libm's within 0.51 ulp of it, bracket libm's result;
# where both ends of the bracket round to the same float32, that is numpy's float32, and the few where they do not
# (a float32 rounding boundary inside the bracket: about one in a million) are worked out with numpy's exp.

_LOG2E_64 = 1.4426950408889634
_ROUNDING_64 = 6755399441055744.0  # 1.5 x 2^52: adding and taking it off rounds to a whole number
_LN2_HIGH_64 = 6.93147180369123816490e-01  # ln 2 in two parts (fdlibm): the high part has 32 significant bits,
_LN2_LOW_64 = 1.90821492927058770002e-10  # so k x it is exact for |k| < 2^21
# 1/n! for n = 2..13: the Taylor series' remainder on |r| <= ln(2)/2 is below 5e-18 of exp(r)
_C2, _C3, _C4, _C5, _C6, _C7, _C8, _C9, _C10, _C11, _C12, _C13 = (1.0 / math.factorial(n) for n in range(2, 14))
# The bracket's half-width, relative: Horner's rounding on |r| <= ln(2)/2 (at most 26 roundings of 2^-53, times
# the sum's condition number exp(2|r|) <= 2) is below 6e-15, the reduction and the Taylor remainder add under 1e-16,
# libm's 0.51 ulp 1.2e-16, the bracket's own two roundings 2.2e-16: 2^-46 (1.4e-14) is twice their sum.
_BRACKET = 2.0 ** -46
_EXP_LIMIT = 700.0  # beyond (or NaN): numpy's exp decides (no overflow or subnormal in the scaling)
_BITS_OF_ONE = np.int64(0x3FF0000000000000)
_S52 = np.int64(52)


@jit_cached
def _exp64_near(x: float) -> float:
    """exp(x) for |x| <= 700 within 6e-15 relative (``_BRACKET`` says how it is bounded), in arithmetic that a
    loop runs four at once."""
    shifted = x * _LOG2E_64 + _ROUNDING_64
    k = shifted - _ROUNDING_64
    r = (x - k * _LN2_HIGH_64) - k * _LN2_LOW_64
    p = ((((((((((_C13 * r + _C12) * r + _C11) * r + _C10) * r + _C9) * r + _C8) * r + _C7) * r + _C6) * r + _C5)
           * r + _C4) * r + _C3) * r + _C2
    p = (p * r + 1.0) * r + 1.0
    # 2^k from k's bits: shifted's low mantissa bits hold k + 2^51 (two's complement below), as in numba_events
    power = np.int64((np.float64(shifted).view(np.int64) - np.float64(_ROUNDING_64).view(np.int64)) << _S52)
    return p * np.int64(power + _BITS_OF_ONE).view(np.float64)


@jit_cached
def _one_minus_exp32_bracket(x: float) -> tuple[np.float32, bool]:
    """float32(1 - exp(x)) as numpy makes it with libm's exp, and whether the bracket decides it."""
    inside = abs(x) <= _EXP_LIMIT
    e = _exp64_near(x if inside else 0.0)
    low = np.float32(1.0 - e * (1.0 + _BRACKET))
    high = np.float32(1.0 - e * (1.0 - _BRACKET))
    return (np.float32(0.0) if x == 0.0 else high), ((low == high) & inside) | (x == 0.0)  # libm's exp(0) is 1


_BLOCK = 1024


@jit_cached
def _one_minus_exp32(x: np.ndarray, out: np.ndarray, unsure: np.ndarray) -> int:
    # Blocks of a loop that runs four at once and only counts the undecided; a block with any is looked at again
    # to list them (a list written as it goes would keep the loop from vectorising).
    n = 0
    for start in range(0, x.size, _BLOCK):
        stop = min(start + _BLOCK, x.size)
        undecided = 0
        for i in range(start, stop):
            out[i], decided = _one_minus_exp32_bracket(x[i])
            undecided += not decided
        if undecided:
            for i in range(start, stop):
                if not _one_minus_exp32_bracket(x[i])[1]:
                    unsure[n] = i
                    n += 1
    return n


def one_minus_exp_float32(x: np.ndarray) -> np.ndarray:
    """``(1.0 - np.exp(x)).astype(np.float32)`` for a 1-d float64 array, numpy's bits: bracketed in a vectorised
    pass, numpy's exp only where the bracket straddles a float32 rounding boundary, is 0 or beyond +-700."""
    x = np.ascontiguousarray(x, dtype=np.float64)
    out, unsure = np.empty(x.size, dtype=np.float32), np.empty(x.size, dtype=np.int64)
    unsure = unsure[:_one_minus_exp32(x, out, unsure)]
    out[unsure] = (1.0 - np.exp(x[unsure])).astype(np.float32)
    return out
