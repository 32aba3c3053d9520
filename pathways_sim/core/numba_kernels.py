"""numba kernels for the per-tie work (``mechanisms/ties.py``, ``core/network.py``; the random numbers are in
``core/numba_random.py``) and applying changes (0/1 switches, relaxation, event draws): each fuses into one or two
passes what the numpy path does in several, with the same integer operations and the same float32/float64 IEEE
operations in the same order, and leaves every transcendental (exp, expm1, ndtri) to the numpy/scipy call the numpy
path makes, so the results are bit-identical (``tests/test_kernels.py`` compares them byte for byte).

Compiled with ``cache=True``: the machine code is kept in ``__pycache__`` next to this file, or, when that is not
writable (an installed read-only package), in numba's user-wide cache directory (``NUMBA_CACHE_DIR`` overrides it);
when no cache location can be written at all, the kernels are compiled in each process instead (never an error).
"""

from __future__ import annotations

import numpy as np

from pathways_sim.core.numba_random import _GOLDEN, _S11, _TO_UNIT, _mix, jit_cached, mix, pair_keys, uniform

# Callers reach every kernel as ``kernels.compiled().NAME``, the random numbers' among them.
__all__ = ["accepted_ties", "area_index", "event", "exp_candidates", "jit_cached", "keyed_event", "meetings_of",
           "mix", "pair_keys", "poisson_from_uniform", "propose_partners", "relax", "sums_over_ties", "switch",
           "tie_loss_keep", "uniform"]

# --- Ties (mechanisms/ties.py, core/network.py).  numpy's own exp/expm1 stay numpy calls between the kernels:
# numba's (LLVM's libm) do not give the same last bits, and everything else is integer work or single IEEE
# operations in the same order and precision as the numpy path, so the results are bit-identical.

@jit_cached
def _half_sum(w: np.ndarray, u: np.ndarray, v: np.ndarray, out: np.ndarray) -> None:
    two = np.float32(2.0)
    for i in range(u.size):
        out[i] = (w[u[i]] + w[v[i]]) / two


def tie_loss_keep(keys: np.ndarray, withdrawal: np.ndarray, u: np.ndarray, v: np.ndarray, rate: float, dt: float,
                  offset: np.uint64) -> np.ndarray:
    """``ties.tie_loss_keep``: which ties survive the step.  One pass for the mean withdrawal of each tie (float32,
    as numpy does it), numpy's float32 exp in place, the hazard (``rate`` a Python float, so float32 as in numpy),
    the tie's key and uniform, and ``event``."""
    x = np.empty(u.size, dtype=np.float32)
    _half_sum(np.ascontiguousarray(withdrawal, dtype=np.float32), u, v, x)
    np.exp(x, out=x)
    x *= np.float32(rate)
    return ~event(x, dt, uniform(pair_keys(keys, u, v), offset))


# Below this the chance 1 - exp(-h dt) can be at most h dt (1 - e^-x <= x), and float32/float64 expm1 are
# within an ulp or two of exact, far inside this margin: only draws below it need the exact chance.
_MARGIN = 1.0 + 2.0 ** -10


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
        z = _mix(_mix(keys[i] ^ offset) + _GOLDEN)  # Streams.uniform's number for this key
        uniform = np.float64(z >> _S11) * _TO_UNIT
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


@jit_cached
def _poisson(u: np.ndarray, mean: np.ndarray, term: np.ndarray, count: np.ndarray) -> None:
    for i in range(u.size):
        t = term[i]
        cdf = t
        k = 0
        while u[i] >= cdf and k < 200:
            k += 1
            t = t * (mean[i] / k)
            cdf = cdf + t
        count[i] = k


def poisson_from_uniform(u: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """``ties.poisson_from_uniform``: numpy's exp of minus each mean, then the CDF inversion in one loop."""
    mean = np.ascontiguousarray(mean, dtype=np.float64)
    term = np.exp(-mean)
    count = np.empty(mean.size, dtype=np.int64)
    _poisson(np.ascontiguousarray(u, dtype=np.float64), mean, term, count)
    return count


@jit_cached
def _meetings(counts: np.ndarray, person_keys: np.ndarray, people: np.ndarray, keys: np.ndarray) -> None:
    j = 0
    for person in range(counts.size):
        for nth in range(counts[person]):
            people[j] = person
            keys[j] = _mix(person_keys[person] + np.uint64(nth) * _GOLDEN)
            j += 1


def meetings_of(counts: np.ndarray, person_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``ties.meetings_of``: the slot and key of every meeting, in one pass."""
    counts = np.ascontiguousarray(counts, dtype=np.int64)
    total = int(counts.sum())
    people, keys = np.empty(total, dtype=np.int64), np.empty(total, dtype=np.uint64)
    _meetings(counts, np.ascontiguousarray(person_keys, dtype=np.uint64), people, keys)
    return people, keys


@jit_cached
def _by_area(area: np.ndarray, alive: np.ndarray, count: np.ndarray, start: np.ndarray, order: np.ndarray) -> None:
    for i in range(area.size):
        if alive[i]:
            count[area[i]] += 1
    total = 0
    for a in range(count.size):
        start[a] = total
        total += count[a]
    filled = start.copy()
    for i in range(area.size):  # in slot order within each area: the order of numpy's stable sort
        if alive[i]:
            order[filled[area[i]]] = i
            filled[area[i]] += 1


def area_index(area: np.ndarray, alive: np.ndarray, n_areas: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``AreaIndex.build`` as a counting sort: (order, start, count)."""
    count = np.zeros(n_areas, dtype=np.int64)
    start = np.empty(n_areas, dtype=np.int64)
    order = np.empty(int(np.count_nonzero(alive)), dtype=np.int64)
    _by_area(np.ascontiguousarray(area), np.ascontiguousarray(alive, dtype=np.bool_), count, start, order)
    return order, start, count


@jit_cached
def _partners(  # noqa: PLR0913, PLR0917 - a kernel takes its arrays positionally
        people: np.ndarray, area: np.ndarray, local: np.ndarray, shift: np.ndarray, order: np.ndarray,
        start: np.ndarray, count: np.ndarray, u_pick: np.ndarray, last_area: int, partner: np.ndarray) -> None:
    for i in range(people.size):
        target = np.int64(area[people[i]])
        if not local[i]:
            target = min(max(target + shift[i], np.int64(0)), np.int64(last_area))
        n = count[target]
        partner[i] = order[start[target] + np.int64(np.floor(u_pick[i] * np.float64(n)))] if n > 0 else -1


def propose_partners(  # noqa: PLR0913, PLR0917 - a kernel takes its arrays positionally
        people: np.ndarray, area: np.ndarray, order: np.ndarray, start: np.ndarray, count: np.ndarray,
        local: np.ndarray, shift: np.ndarray, u_pick: np.ndarray, n_areas: int) -> np.ndarray:
    """``network.propose_partners`` after the area shifts (scipy's ndtri) are drawn: the target areas and the
    partners in one pass."""
    partner = np.empty(people.size, dtype=np.int64)
    _partners(people, area, local, shift, order, start, count, np.ascontiguousarray(u_pick), n_areas - 1, partner)
    return partner


@jit_cached
def _distances(  # noqa: PLR0913, PLR0917 - a kernel takes its arrays positionally
        people: np.ndarray, partner: np.ndarray, room: np.ndarray, age: np.ndarray, rank: np.ndarray,
        minority: np.ndarray, age_scale: np.float32, ses: np.float32, minority_h: float, met: np.ndarray,
        distance: np.ndarray) -> int:
    n = 0
    for i in range(people.size):
        b = partner[i]
        met[i] = b >= 0 and room[b]
        if met[i]:
            a = people[i]
            near = abs(age[a] - age[b]) / age_scale + ses * abs(rank[a] - rank[b])  # float32, as numpy does it
            distance[n] = -(np.float64(near) + (minority_h if minority[a] != minority[b] else 0.0))
            n += 1
    return n


@jit_cached
def _accept(people: np.ndarray, partner: np.ndarray, met: np.ndarray, closeness: np.ndarray, keen: np.ndarray,
            u_accept: np.ndarray, a_out: np.ndarray, b_out: np.ndarray) -> int:
    n, j = 0, 0
    for i in range(people.size):
        if met[i]:
            b = partner[i]
            if u_accept[i] < closeness[j] * np.float64(keen[b]):
                a_out[n], b_out[n] = people[i], b
                n += 1
            j += 1
    return n


def accepted_ties(  # noqa: PLR0913, PLR0917 - a kernel takes its arrays positionally
        people: np.ndarray, partner: np.ndarray, room: np.ndarray, age: np.ndarray, rank: np.ndarray,
        minority: np.ndarray, age_scale: float, ses: float, minority_h: float, keen: np.ndarray,
        u_accept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``ties.accepted_ties``: one pass for the social distance of each meeting, numpy's float64 exp, one pass
    for the decision.  ``keen`` is each person's float32 exp(-withdrawal)."""
    met = np.empty(people.size, dtype=np.bool_)
    closeness = np.empty(people.size, dtype=np.float64)
    n = _distances(people, partner, room, age, rank, minority, np.float32(age_scale), np.float32(ses),
                   float(minority_h), met, closeness)
    closeness = np.exp(closeness[:n])
    a, b = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    taken = _accept(people, partner, met, closeness, keen, np.ascontiguousarray(u_accept), a, b)
    return a[:taken], b[:taken]


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
        z = _mix(_mix(keys[i] ^ (recovery_offset if now else onset_offset)) + _GOLDEN)
        uniforms[i] = np.float64(z >> _S11) * _TO_UNIT
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


# A bound rate x exp(x) of a hazard, from x in float64 where numpy computes in float32: the margin covers
# |x| 2^-23 of relative error (any x whose exp neither overflows nor underflows) and float32's rounding of the
# hazard; the floor covers hazards rounded up into float32's subnormals.
_LOG2E = 1.4426950408889634
_BOUND_MARGIN = 1.0 + 2.0 ** -7
_BOUND_FLOOR = 1e-30


@jit_cached
def _exp_candidates(  # noqa: PLR0913, PLR0917 - a kernel takes its arrays positionally
        current: np.ndarray, eligible: np.ndarray, exponent: np.ndarray, onset_rate: float, recovery_rate: float,
        keys: np.ndarray, dt: np.float32, onset_offset: np.uint64, recovery_offset: np.uint64, who: np.ndarray,
        uniforms: np.ndarray) -> int:
    power = np.empty(1, dtype=np.int64)  # 2^k made from its bits: no libm call per person
    two_to_k = power.view(np.float64)
    n = 0
    # Without branches (who is at risk, and of what, is hard to predict): everyone's draw and bound, kept or not.
    for i in range(current.size):
        now = current[i]
        z = _mix(_mix(keys[i] ^ (recovery_offset if now else onset_offset)) + _GOLDEN)
        u = np.float64(z >> _S11) * _TO_UNIT
        y = exponent[i] * _LOG2E  # exp(x) <= 2^k (1 + f) for x log2(e) = k + f (2^f <= 1 + f on [0, 1])
        clipped = y if y < 1000.0 else 1000.0  # (not a number: 1000; above that, always a candidate, below)
        clipped = clipped if clipped > -1000.0 else -1000.0
        k = np.floor(clipped)
        power[0] = np.int64(k + 1023.0) << 52
        rate = recovery_rate if now else onset_rate
        bound = np.float32(rate * two_to_k[0] * (1.0 + (clipped - k)) * _BOUND_MARGIN + _BOUND_FLOOR)
        below = (u < np.float64(bound * dt) * _MARGIN) | (not y < 1000.0)
        who[n] = i
        uniforms[n] = u
        n += (now | eligible[i]) & below
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
    who, uniforms = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.float64)
    found = _exp_candidates(current, eligible, exponent, float(onset_rate), float(recovery_rate), keys,
                            np.float32(dt), np.uint64(onset_offset), np.uint64(recovery_offset), who, uniforms)
    return who[:found], uniforms[:found]


@jit_cached
def _relax_array(x: np.ndarray, x_eq: np.ndarray, rate: np.ndarray, decay: np.ndarray, out: np.ndarray) -> None:
    for i in range(x.size):
        out[i] = x_eq[i] + (x[i] - x_eq[i]) * decay[i] if rate[i] > 0 else x[i]


@jit_cached
def _relax_scalar(x: np.ndarray, x_eq: np.ndarray, decay: float, out: np.ndarray) -> None:
    for i in range(x.size):
        out[i] = np.float32(np.float64(x_eq[i]) + np.float64(x[i] - x_eq[i]) * decay)


def relax(x: np.ndarray, x_eq: np.ndarray, rate: np.ndarray | float, dt: float) -> np.ndarray | None:
    """``base.relax`` for float32 states and targets and a finite step, one pass after numpy's exp: with a
    float32 rate per person all in float32 (people with no rate stay), with one rate the decay is a float64
    scalar and the sum float64 rounded once to float32, as numpy does them.  None for any other case."""
    if x.dtype != np.float32 or np.shape(x_eq) != x.shape or np.asarray(x_eq).dtype != np.float32 or x.ndim != 1:
        return None
    out = np.empty(x.size, dtype=np.float32)
    if isinstance(rate, float):
        _relax_scalar(x, x_eq, float(np.exp(-rate * dt)), out)
        return out
    if not isinstance(rate, np.ndarray) or rate.dtype != np.float32 or rate.shape != x.shape:
        return None
    decay = np.exp(-rate * dt)
    _relax_array(x, x_eq, rate, decay, out)
    return out


# --- Per-person sums over ties (Network.degree, neighbour_sum, share_below).  numpy's weighted bincount adds in
# the order of the ties, one sum for the first ends and one for the second; so do these, then add the two.

@jit_cached
def _sums_over_ties(u: np.ndarray, v: np.ndarray, values: np.ndarray, kind: int, first: np.ndarray,
                    second: np.ndarray) -> None:
    for i in range(u.size):
        a, b = u[i], v[i]
        if kind == 0:  # degree
            first[a] += 1.0
            second[b] += 1.0
        elif kind == 1:  # the other end's value
            first[a] += values[b]
            second[b] += values[a]
        else:  # 1 where the other end's value is strictly lower
            first[a] += 1.0 if values[b] < values[a] else 0.0
            second[b] += 1.0 if values[a] < values[b] else 0.0


DEGREE, NEIGHBOUR_SUM, SHARE_BELOW = 0, 1, 2


def sums_over_ties(u: np.ndarray, v: np.ndarray, size: int, kind: int, values: np.ndarray | None = None) -> np.ndarray:
    """For each of ``size`` slots (every end must be one), the float64 sum over its ties of 1 (``DEGREE``), the
    other end's value (``NEIGHBOUR_SUM``), or 1 where the other end's value is strictly lower (``SHARE_BELOW``)."""
    first, second = np.zeros(size), np.zeros(size)
    _sums_over_ties(u, v, np.zeros(1) if values is None else np.ascontiguousarray(values), kind, first, second)
    first += second
    return first
