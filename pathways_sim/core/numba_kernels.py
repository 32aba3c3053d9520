"""The numba kernels, all reached as ``kernels.compiled().NAME``.  Those for applying changes (0/1 switches,
relaxation) are here; the random numbers are in ``core/numba_random.py``, event draws in ``core/numba_events.py``,
the per-tie work in ``core/numba_ties.py``.  Each fuses into one or two passes what the numpy path does in several,
with the same integer operations and the same float32/float64 IEEE operations in the same order, and leaves every
transcendental (exp, expm1, ndtri) to the numpy/scipy call the numpy path makes, except numpy's float32 exp,
which ``core/numba_exp.py`` reproduces inside kernels; so the results are bit-identical (``tests/test_kernels.py``
compares them byte for byte).

Compiled with ``cache=True``: the machine code is kept in ``__pycache__`` next to this file, or, when that is not
writable (an installed read-only package), in numba's user-wide cache directory (``NUMBA_CACHE_DIR`` overrides it);
when no cache location can be written at all, the kernels are compiled in each process instead (never an error).
"""

from __future__ import annotations

import numpy as np

from pathways_sim.core.numba_events import (
    _BOUND_FLOOR,
    _BOUND_MARGIN,
    _LOG2E,
    _MARGIN,
    _maybe,
    _power_of_two,
    event,
    keyed_event,
)
from pathways_sim.core.numba_exp import _exp32, exp32_array, exp32_mode, exp_in_place, one_minus_exp_float32
from pathways_sim.core.numba_random import (
    _draw,
    jit_cached,
    mix,
    pair_keys,
    uniform,
)
from pathways_sim.core.numba_tie_changes import changed_ties, tie_keys_of, union, without_slots
from pathways_sim.core.numba_ties import (
    DEGREE,
    NEIGHBOUR_SUM,
    SHARE_BELOW,
    accepted_ties,
    area_index,
    meetings_of,
    poisson_from_uniform,
    propose_partners,
    sums_over_ties,
    tie_loss_keep,
)

# Callers reach every kernel as ``kernels.compiled().NAME``, the random numbers' among them.
__all__ = [
    "DEGREE",
    "NEIGHBOUR_SUM",
    "SHARE_BELOW",
    "accepted_ties",
    "area_index",
    "changed_ties",
    "event",
    "exp32_array",
    "exp32_mode",
    "exp_candidates",
    "exp_in_place",
    "jit_cached",
    "keyed_event",
    "meetings_of",
    "mix",
    "one_minus_exp_float32",
    "pair_keys",
    "poisson_from_uniform",
    "propose_partners",
    "relax",
    "sums_over_ties",
    "switch",
    "tie_keys_of",
    "tie_loss_keep",
    "uniform",
    "union",
    "without_slots",
]

# --- Applying changes (model/step.py, mechanisms/base.py), around numpy's exp and expm1 as above.

@jit_cached
def _switch_draws(  # noqa: PLR0913, PLR0917 - a kernel takes its arrays positionally
        current: np.ndarray, eligible: np.ndarray, onset: np.ndarray, recovery: np.ndarray,
        keys: np.ndarray, dt: np.float32, onset_offset: np.uint64, recovery_offset: np.uint64,
        neg_chance_bound: np.ndarray, uniforms: np.ndarray) -> None:
    # Everyone's draw and bound without branches (so the loop vectorises); 0 for people at no risk, whose draw
    # can then never fall below it.
    for i in range(current.size):
        now = current[i]
        hazard = np.float32(recovery[i]) if now else np.float32(onset[i])
        uniforms[i] = _draw(keys[i], recovery_offset if now else onset_offset)
        neg_chance_bound[i] = -hazard * dt if (now or eligible[i]) else np.float32(0.0)


def switch(current: np.ndarray, eligible: np.ndarray | None, onset: object, recovery: object, keys: np.ndarray,
           dt: float, onset_offset: np.uint64, recovery_offset: np.uint64) -> np.ndarray:
    """``step.resolve`` of a ``Switch``: one pass draws everyone at risk of entering or leaving the state (each
    hazard cast to float32 as the numpy path does), numpy's float32 expm1 for the draws below the bound h dt,
    and the state flips where the event happens."""
    shape = current.shape
    flat = np.ascontiguousarray(current, dtype=np.bool_).reshape(-1)
    allowed = np.ones(flat.size, dtype=np.bool_) if eligible is None else np.broadcast_to(eligible, shape).reshape(-1)
    bound = np.empty(flat.size, dtype=np.float32)
    uniforms = np.empty(flat.size, dtype=np.float64)
    _switch_draws(flat, allowed, np.broadcast_to(np.asarray(onset), shape).reshape(-1),
                  np.broadcast_to(np.asarray(recovery), shape).reshape(-1), np.ascontiguousarray(keys),
                  np.float32(dt), np.uint64(onset_offset), np.uint64(recovery_offset), bound, uniforms)
    who = np.empty(flat.size, dtype=np.int64)
    who = who[:_maybe(uniforms, bound, who)]
    who = who[uniforms[who] < -np.expm1(bound[who])]
    new = flat.copy()
    new[who] = ~flat[who]
    return new.reshape(shape)



@jit_cached
def _exp_candidate_flags(  # noqa: PLR0913, PLR0917 - a kernel takes its arrays positionally
        current: np.ndarray, eligible: np.ndarray, exponent: np.ndarray, onset_rate: float, recovery_rate: float,
        keys: np.ndarray, dt: np.float32, onset_offset: np.uint64, recovery_offset: np.uint64,
        flags: np.ndarray) -> None:
    # Everyone's draw and bound, without branches or a count carried from one person to the next, so that the
    # loop runs four people at a time (SIMD); the few candidates are gathered after (``_flagged_draws``).
    for i in range(current.size):
        now = current[i]
        u = _draw(keys[i], recovery_offset if now else onset_offset)
        y = exponent[i] * _LOG2E  # exp(x) <= 2^k (1 + f) for x log2(e) = k + f (2^f <= 1 + f on [0, 1])
        clipped = y if y < 1000.0 else 1000.0  # (not a number: 1000; above that, always a candidate, below)
        clipped = clipped if clipped > -1000.0 else -1000.0
        k = np.floor(clipped)
        rate = recovery_rate if now else onset_rate
        bound = np.float32(rate * _power_of_two(k) * (1.0 + (clipped - k)) * _BOUND_MARGIN + _BOUND_FLOOR)
        below = (u < np.float64(bound * dt) * _MARGIN) | (not y < 1000.0)
        flags[i] = (now | eligible[i]) & below


@jit_cached
def _flagged_draws(flags: np.ndarray, current: np.ndarray, keys: np.ndarray, onset_offset: np.uint64,
                   recovery_offset: np.uint64, who: np.ndarray, uniforms: np.ndarray) -> int:
    """The flagged slots and their draws (``Streams.uniform``'s, from the recovery offset where ``current`` is True,
    else the onset offset), hashed again: cheaper than keeping everyone's draw."""
    n = 0
    for i in range(flags.size):
        if flags[i]:
            who[n] = i
            uniforms[n] = _draw(keys[i], recovery_offset if current[i] else onset_offset)
            n += 1
    return n


def exp_candidates(  # noqa: PLR0913, PLR0917
        current: np.ndarray, eligible: np.ndarray, exponent: np.ndarray, onset_rate: float, recovery_rate: float,
        keys: np.ndarray, dt: float, onset_offset: np.uint64, recovery_offset: np.uint64
) -> tuple[np.ndarray, np.ndarray]:
    """The slots whose draw could fall below their chance, and their draws, for a mechanism that works out exact
    hazards (numpy's exp) only for these (``base.DrawnSwitch``): drawn as ``switch`` draws (the onset stream
    where ``current`` is False and ``eligible``, the recovery stream where it is True), against a bound of each
    hazard, ``onset_rate`` or ``recovery_rate`` x exp(``exponent``) (float64 per slot from the mechanism's
    kernel, never giving less than the hazard; the rates non-negative), made in the same pass as the draws."""
    n = current.size
    flags = np.empty(n, dtype=np.bool_)
    _exp_candidate_flags(current, eligible, exponent, float(onset_rate), float(recovery_rate), keys, np.float32(dt),
                         np.uint64(onset_offset), np.uint64(recovery_offset), flags)
    who, uniforms = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.float64)
    found = _flagged_draws(flags, current, keys, np.uint64(onset_offset), np.uint64(recovery_offset), who, uniforms)
    return who[:found], uniforms[:found]


@jit_cached
def _relax_array(x: np.ndarray, x_eq: np.ndarray, rate: np.ndarray, dt: np.float32, simd: bool,
                 out: np.ndarray) -> None:
    for i in range(x.size):
        decay = _exp32(-rate[i] * dt, simd)  # numpy's np.exp(-rate * dt), float32
        out[i] = x_eq[i] + (x[i] - x_eq[i]) * decay if rate[i] > 0 else x[i]


@jit_cached
def _relax_scalar(x: np.ndarray, x_eq: np.ndarray, decay: float, out: np.ndarray) -> None:
    for i in range(x.size):
        out[i] = np.float32(np.float64(x_eq[i]) + np.float64(x[i] - x_eq[i]) * decay)


def relax(x: np.ndarray, x_eq: np.ndarray, rate: np.ndarray | float, dt: float) -> np.ndarray | None:
    """``base.relax`` for float32 states and targets and a finite step, in one pass: with a float32 rate per person
    all in float32, numpy's exp included (``numba_exp``; people with no rate stay), with one rate the decay is a
    float64 scalar and the sum float64 rounded once to float32, as numpy does them.  None for any other case."""
    if x.dtype != np.float32 or np.shape(x_eq) != x.shape or np.asarray(x_eq).dtype != np.float32 or x.ndim != 1:
        return None
    out = np.empty(x.size, dtype=np.float32)
    if isinstance(rate, float):
        _relax_scalar(x, x_eq, float(np.exp(-rate * dt)), out)
        return out
    if not isinstance(rate, np.ndarray) or rate.dtype != np.float32 or rate.shape != x.shape:
        return None
    _relax_array(x, x_eq, rate, np.float32(dt), exp32_mode(), out)
    return out
