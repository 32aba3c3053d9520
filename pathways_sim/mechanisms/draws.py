"""Events drawn only where they can happen, for the numba paths of the mechanisms (``StepContext.event`` is the
reference and the numpy path).

``StepContext.event`` hashes a uniform for every slot and compares it with 1 - exp(-hazard dt).  A slot whose
hazard is 0 (or negative, or NaN) can never have the event (the chance is at most 0 and a uniform is at least 0),
so the uniform of most slots is never needed: a person without a job cannot lose one.  ``event_where`` hashes the
same uniform (the same integer operations as ``Streams.uniform``: a pure function of the stream, the step and the
person's key) only for slots with a positive hazard, and keeps numpy's expm1 for the few draws that fall below the
bound hazard x dt (as ``core/numba_kernels.event`` does), so its decisions are those of ``StepContext.event``
(tests/test_kernels_mech_a.py compares them).
"""

from __future__ import annotations

import numpy as np

from pathways_sim.core import kernels
from pathways_sim.mechanisms.base import F32, StepContext

# The constants of core/streams.py as numba freezes them (uint64, so the arithmetic stays uint64).
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)
_TO_UNIT = 2.0 ** -53
# As in core/numba_kernels.py: 1 - exp(-x) <= x, so a uniform at or above hazard x dt (with a margin far wider
# than expm1's error) is above the chance; only the draws below it need numpy's expm1.
_MARGIN = 1.0 + 2.0 ** -10


def event_where(ctx: StepContext, stream: str, hazard: np.ndarray, among: np.ndarray | None = None) -> np.ndarray:
    """``ctx.event(stream, hazard)`` for a float32 hazard per slot, drawn only where the hazard is positive (and
    ``among`` is true: the events of other slots are then False, for a caller that ignores them).  Records the
    whole hazard as ``ctx.event`` does."""
    n = ctx.pop.capacity
    if ctx.settling:
        return np.zeros(n, dtype=bool)
    if hazard.dtype != F32 or hazard.shape != (n,):
        raise ValueError(f"event_where needs one float32 hazard per slot, got {hazard.dtype} {hazard.shape}")
    ctx.recorded[stream] = hazard
    who, below = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.float64)
    neg_dt_hazard = np.empty(n, dtype=F32)
    everyone = among is None
    found = _below_bound(hazard, F32(ctx.dt), ctx.pop.key, ctx.world.streams.offset(stream, ctx.step),
                         np.empty(0, dtype=bool) if everyone else among, everyone, who, below, neg_dt_hazard)
    who, below, neg_dt_hazard = who[:found], below[:found], neg_dt_hazard[:found]
    happens = np.zeros(n, dtype=bool)
    happens[who] = below < -np.expm1(neg_dt_hazard)
    return happens


@kernels.kernel
def _below_bound(  # noqa: PLR0913, PLR0917 - a kernel takes its arrays positionally
        hazard: np.ndarray, dt: np.float32, keys: np.ndarray, offset: np.uint64, among: np.ndarray,
        everyone: bool, who: np.ndarray, below: np.ndarray, neg_dt_hazard: np.ndarray) -> int:
    """The slots with a positive hazard whose uniform falls below the bound: their index, uniform and -hazard x dt
    (float32, as numpy computes it).  Returns how many."""
    found = 0
    for i in range(hazard.size):
        if not hazard[i] > 0 or not (everyone or among[i]):
            continue
        z = keys[i] ^ offset  # Streams.uniform: mix(mix(key ^ offset) + golden), its top 53 bits
        z = (z ^ (z >> _S30)) * _M1
        z = (z ^ (z >> _S27)) * _M2
        z = (z ^ (z >> _S31)) + _GOLDEN
        z = (z ^ (z >> _S30)) * _M1
        z = (z ^ (z >> _S27)) * _M2
        z = z ^ (z >> _S31)
        uniform = np.float64(z >> _S11) * _TO_UNIT
        neg = -hazard[i] * dt
        if uniform < -np.float64(neg) * _MARGIN:
            who[found] = i
            below[found] = uniform
            neg_dt_hazard[found] = neg
            found += 1
    return found
