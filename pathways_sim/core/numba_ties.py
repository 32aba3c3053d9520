"""numba kernels for the per-tie work (``mechanisms/ties.py``, ``core/network.py``): tie loss, meetings, partners,
acceptance and sums over ties.  Each fuses into one or two passes what the numpy path does in several, with the same
integer operations and the same float32/float64 IEEE operations in the same order; numpy's own exp/expm1 and scipy's
ndtri stay numpy/scipy calls between the kernels (numba's libm does not give the same last bits), and where a kernel
skips that work for most people it is because a bound shows the decision cannot depend on it.  So the results are
bit-identical (``tests/test_kernels.py``, ``tests/test_tie_kernels.py`` compare them byte for byte).

Compiled with ``cache=True`` (``numba_random.jit_cached``): the machine code is kept in ``__pycache__`` next to this
file, or, when that is not writable (an installed read-only package), in numba's user-wide cache directory
(``NUMBA_CACHE_DIR`` overrides it); when no cache location can be written at all, the kernels are compiled in each
process instead (never an error).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pathways_sim.core.network import END_MASK, TIE_SHIFT, area_shift
from pathways_sim.core.numba_events import _BOUND_FLOOR, _BOUND_MARGIN, _LOG2E, _MARGIN, _power_of_two, event
from pathways_sim.core.numba_exp import _BLOCK, _BRACKET, _EXP_LIMIT, _exp64_near
from pathways_sim.core.numba_prefetch import prefetch
from pathways_sim.core.numba_random import _GOLDEN, _draw, _mix, jit_cached
from pathways_sim.core.streams import KeyedDraws, drawn


@jit_cached
def _half_sum(w: np.ndarray, ends: np.ndarray, who: np.ndarray, out: np.ndarray) -> None:
    two = np.float32(2.0)
    for i in range(who.size):
        ties = ends[who[i]]
        out[i] = (w[ties >> TIE_SHIFT] + w[ties & END_MASK]) / two


@jit_cached
def _loss_chance_bounds(w: np.ndarray, w_most: float, scale: float, out: np.ndarray) -> None:
    # exp(x) <= 2^k (1 + f) for x log2(e) = k + f, as in _exp_candidate_flags, with a margin for float32's roundings
    # of the mean withdrawal; where that is not a number or overflows, infinite: every draw is below it.
    for i in range(w.size):
        x = (float(w[i]) + w_most) * 0.5 * _LOG2E
        y = x + abs(x) * 2.0 ** -20
        if not y < 1000.0:
            out[i] = np.inf
            continue
        y = max(y, -1000.0)
        k = np.floor(y)
        out[i] = scale * _power_of_two(k) * (1.0 + (y - k)) + _BOUND_FLOOR


_CHUNK = 512  # draws made at a time, held in the fastest cache


@jit_cached
def _tie_loss_candidates(tie_keys: np.ndarray, offset: np.uint64, ends: np.ndarray, chance_bound: np.ndarray,
                         who: np.ndarray, uniforms: np.ndarray) -> int:
    # A chunk's draws in a loop of their own, which runs four ties at once, then the comparisons with their
    # bounds; a branch, not a write for every tie: a candidate is about one tie in 25, so the branch is mostly
    # predicted right, and the 16 bytes a tie that writing every slot would cost are not written.
    draws = np.empty(_CHUNK, dtype=np.float64)
    n = 0
    for start in range(0, tie_keys.size, _CHUNK):
        size = min(_CHUNK, tie_keys.size - start)
        for k in range(size):
            draws[k] = _draw(tie_keys[start + k], offset)  # Streams.uniform's number for the tie's key
        for k in range(size):
            if draws[k] < chance_bound[ends[start + k] >> TIE_SHIFT]:
                who[n] = start + k
                uniforms[n] = draws[k]
                n += 1
    return n


def tie_loss_keep(tie_keys: np.ndarray, withdrawal: np.ndarray, ends: np.ndarray, rate: float, dt: float,
                  offset: np.uint64) -> np.ndarray:
    """``ties.tie_loss_keep``: which of the ties ``ends`` (the network's keys, each u << 31 | v) survive the step.
    A tie's mean withdrawal is at most (its first end's + the most anyone has) / 2, so each person gets a bound of
    the chance of losing any of their ties (float64 exp with margins for float32's roundings: never below it); one
    pass draws every tie's uniform from its key and keeps the few below their first end's bound; only for those,
    the exact hazard as numpy computes it (the mean withdrawal in float32, numpy's float32 exp, times ``rate``) and
    ``event``'s decision."""
    n = ends.size
    keep = np.ones(n, dtype=np.bool_)
    if n == 0:
        return keep
    w = np.ascontiguousarray(withdrawal, dtype=np.float32)
    with np.errstate(invalid="ignore"):
        w_most = float(np.max(w))  # NaN if any is
    chance_bound = np.empty(w.size, dtype=np.float64)
    _loss_chance_bounds(w, w_most, float(rate) * _BOUND_MARGIN * float(dt) * _MARGIN, chance_bound)
    who, uniforms = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.float64)
    found = _tie_loss_candidates(np.ascontiguousarray(tie_keys, dtype=np.uint64), np.uint64(offset), ends,
                                 chance_bound, who, uniforms)
    who = who[:found]
    exact = np.empty(found, dtype=np.float32)
    _half_sum(w, ends, who, exact)
    np.exp(exact, out=exact)
    exact *= np.float32(rate)
    keep[who] = ~event(exact, dt, uniforms[:found])
    return keep


@jit_cached
def _poisson_count(x: float, m: float, t: float) -> np.int64:
    # The CDF's first four steps, the count being how many of them the draw is at or above (the CDF never falls,
    # so those are the first ones, where the loop would have stopped): no branch to mispredict for all but the few
    # with four or more; the same terms and sums as numpy's loop, in the same order.
    cdf0 = t
    t = t * (m / 1.0)
    cdf1 = cdf0 + t
    t = t * (m / 2.0)
    cdf2 = cdf1 + t
    t = t * (m / 3.0)
    cdf3 = cdf2 + t
    k = np.int64(x >= cdf0) + np.int64(x >= cdf1) + np.int64(x >= cdf2) + np.int64(x >= cdf3)
    if k == 4:
        t = t * (m / 4.0)
        cdf = cdf3 + t
        while x >= cdf and k < 200:
            k += 1
            t = t * (m / k)
            cdf = cdf + t
    return k


@jit_cached
def _poisson(u: np.ndarray, mean: np.ndarray, term: np.ndarray, count: np.ndarray) -> None:
    for i in range(u.size):
        count[i] = _poisson_count(u[i], mean[i], term[i])


@jit_cached
def _poisson_bracketed(u: np.ndarray, mean: np.ndarray, count: np.ndarray, unsure: np.ndarray) -> int:
    # numpy's exp(-m) lies in [e (1 - b), e (1 + b)] for e the vectorised exp (numba_exp: a block at a time, so its
    # loop runs four at once), and for 0 <= m <= 700 every term and sum of the CDF rises with the first term (the
    # factors m / k are not negative): where the count is the same at both ends it is numpy's.  The rest (a few in
    # a million, and any mean outside that range) are listed for numpy's exp.
    e = np.empty(_BLOCK)
    n = 0
    for start in range(0, u.size, _BLOCK):
        stop = min(start + _BLOCK, u.size)
        for i in range(start, stop):
            m = mean[i]
            e[i - start] = _exp64_near(-m if (m >= 0.0) & (m <= _EXP_LIMIT) else 0.0)
        for i in range(start, stop):
            low = _poisson_count(u[i], mean[i], e[i - start] * (1.0 - _BRACKET))
            high = _poisson_count(u[i], mean[i], e[i - start] * (1.0 + _BRACKET))
            count[i] = low
            if low != high or not (mean[i] >= 0.0 and mean[i] <= _EXP_LIMIT):
                unsure[n] = i
                n += 1
    return n


@jit_cached
def _poisson_candidates(u: np.ndarray, mean: np.ndarray, who: np.ndarray) -> int:
    # exp(-m) >= 1 - m + m^2/2 - m^3/6 for m >= 0 (its series, stopped after a negative term): a draw below that,
    # less a margin far above the roundings of the bound and of numpy's exp, is below exp(-m): no meeting.
    n = 0
    for i in range(u.size):
        m = mean[i]
        below = 1.0 - m * (1.0 - m * (0.5 - m / 6.0)) - 2.0 ** -40
        who[n] = i
        n += not (m >= 0.0 and u[i] < below)
    return n


def poisson_from_uniform(u: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """``ties.poisson_from_uniform``: 0 for every draw below a bound of exp(-mean) (about half the people); for
    the others the CDF inversion from both ends of a bracket of numpy's exp of minus their mean
    (``numba_exp``), and numpy's exp for the few where the two counts differ."""
    mean = np.ascontiguousarray(mean, dtype=np.float64)
    u = np.ascontiguousarray(u, dtype=np.float64)
    who = np.empty(mean.size, dtype=np.int64)
    who = who[:_poisson_candidates(u, mean, who)]
    some, unsure = np.empty(who.size, dtype=np.int64), np.empty(who.size, dtype=np.int64)
    u_who, mean_who = u[who], mean[who]
    unsure = unsure[:_poisson_bracketed(u_who, mean_who, some, unsure)]
    if unsure.size:  # numpy's exp where its bracket left the count open
        exact = np.empty(unsure.size, dtype=np.int64)
        _poisson(u_who[unsure], mean_who[unsure], np.exp(-mean_who[unsure]), exact)
        some[unsure] = exact
    count = np.zeros(mean.size, dtype=np.int64)
    count[who] = some
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


# How far ahead (meetings, ties) the kernels from here on ask for what they will read at random: 8-64 all gave
# about the same on this machine.
_AHEAD = 16


@jit_cached
def _far_meetings(u_local: np.ndarray, local_share: float, local: np.ndarray, far: np.ndarray) -> int:
    """Which meetings stay in their own area (``local``: the draw below ``local_share``), and the others, listed
    in ``far``; returns how many those are."""
    n = 0
    for i in range(local.size):
        stays = u_local[i] < local_share
        local[i] = stays
        far[n] = i
        n += not stays
    return n


@jit_cached
def _partners(  # noqa: PLR0913, PLR0917 - a kernel takes its arrays positionally
        people: np.ndarray, area: np.ndarray, local: np.ndarray, far_shift: np.ndarray, order: np.ndarray,
        start: np.ndarray, count: np.ndarray, u_pick: np.ndarray, last_area: int, partner: np.ndarray) -> None:
    # Two loops: each partner's place in the area index (from the small per-area tables), then the partners, read
    # at random with the places a few meetings on asked for ahead: in one loop, with the arithmetic between the
    # reads, fewer of their cache misses were in flight at once (three times as long with areas at random).
    far = 0  # the far meetings' shifts come in order, one each
    for i in range(people.size):
        target = np.int64(area[people[i]])
        if not local[i]:
            target = min(max(target + far_shift[far], np.int64(0)), np.int64(last_area))
            far += 1
        n = count[target]
        partner[i] = start[target] + np.int64(np.floor(u_pick[i] * np.float64(n))) if n > 0 else -1
    last = people.size - 1
    for i in range(people.size):
        later = partner[min(i + _AHEAD, last)]
        if later >= 0:
            prefetch(order, later)
        place = partner[i]
        partner[i] = order[place] if place >= 0 else -1


def propose_partners(  # noqa: PLR0913, PLR0917
        people: np.ndarray, area: np.ndarray, order: np.ndarray, start: np.ndarray, count: np.ndarray,
        draws: Sequence[np.ndarray | KeyedDraws], local_share: float, area_spread: float, n_areas: int
) -> np.ndarray:
    """``network.propose_partners``: who meets far, the far meetings' area shifts (scipy's ndtri; a ``KeyedDraws``
    shift is drawn only for them), then the target areas and the partners."""
    u_local, u_shift, u_pick = draws
    local, far = np.empty(people.size, dtype=np.bool_), np.empty(people.size, dtype=np.int64)
    far = far[:_far_meetings(np.ascontiguousarray(drawn(u_local), dtype=np.float64), float(local_share), local, far)]
    far_draws = u_shift.at(far) if isinstance(u_shift, KeyedDraws) else np.asarray(u_shift)[far]
    far_shift = area_shift(far_draws, area_spread, n_areas)
    partner = np.empty(people.size, dtype=np.int64)
    _partners(people, area, local, far_shift, order, start, count,
              np.ascontiguousarray(drawn(u_pick), dtype=np.float64), n_areas - 1, partner)
    return partner


# exp(-d) <= 1 / (1 + d + d^2/2 + d^3/6) for d >= 0 (e^d's series), with a margin far above the roundings of
# that bound, of numpy's exp and of the product with ``keen``.
_ACCEPT_MARGIN = 1.0 + 2.0 ** -40


@jit_cached
def _accept_candidates(  # noqa: PLR0913, PLR0917 - a kernel takes its arrays positionally
        people: np.ndarray, partner: np.ndarray, room: np.ndarray, age: np.ndarray, rank: np.ndarray,
        minority: np.ndarray, age_scale: np.float32, ses: np.float32, minority_h: float, keen: np.ndarray,
        u_accept: np.ndarray, who: np.ndarray, neg_distance: np.ndarray) -> int:
    n = 0
    for i in range(people.size):
        # Partners are people at random: their traits are cache misses, which the branches below would otherwise
        # leave to come one or two at a time.
        later = partner[min(i + _AHEAD, people.size - 1)]
        if later >= 0:
            prefetch(room, later)
            prefetch(age, later)
            prefetch(rank, later)
            prefetch(minority, later)
            prefetch(keen, later)
        b = partner[i]
        if b < 0 or not room[b]:
            continue
        a = people[i]
        near = abs(age[a] - age[b]) / age_scale + ses * abs(rank[a] - rank[b])  # float32, as numpy does it
        d = np.float64(near) + (minority_h if minority[a] != minority[b] else 0.0)
        chance_bound = np.float64(keen[b]) / (1.0 + d * (1.0 + d * (0.5 + d / 6.0))) * _ACCEPT_MARGIN
        if d >= 0.0 and u_accept[i] >= chance_bound:  # at or above a bound of its chance: not taken
            continue
        who[n] = i
        neg_distance[n] = -d
        n += 1
    return n


def accepted_ties(  # noqa: PLR0913, PLR0917 - a kernel takes its arrays positionally
        people: np.ndarray, partner: np.ndarray, room: np.ndarray, age: np.ndarray, rank: np.ndarray,
        minority: np.ndarray, age_scale: float, ses: float, minority_h: float, keen: np.ndarray,
        u_accept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``ties.accepted_ties``: one pass for the social distance of each meeting whose partner has room, keeping
    only those whose draw is below a bound of their chance (most are not: acceptance is a few per cent); for
    those, numpy's float64 exp and the decision.  ``keen`` is each person's float32 exp(-withdrawal)."""
    who = np.empty(people.size, dtype=np.int64)
    neg_distance = np.empty(people.size, dtype=np.float64)
    u_accept = np.ascontiguousarray(u_accept, dtype=np.float64)
    n = _accept_candidates(people, partner, room, age, rank, minority, np.float32(age_scale), np.float32(ses),
                           float(minority_h), keen, u_accept, who, neg_distance)
    who = who[:n]
    a, b = people[who], partner[who]
    take = u_accept[who] < np.exp(neg_distance[:n]) * keen[b].astype(np.float64)
    return a[take], b[take]


# --- Per-person sums over ties (Network.degree, neighbour_sum, share_below), reading each tie's ends from its key
# (u << 31 | v).  A sum of 0s and 1s is a count, the same in any order: counted in int32, where a cache line holds
# 16 people.  numpy's weighted bincount of other values adds in the order of the ties, one sum for the first ends
# and one for the second; so does the float kernel, then it adds the two.


@jit_cached
def _counts_over_ties(keys: np.ndarray, values: np.ndarray, kind: int, count: np.ndarray) -> bool:
    size, n = count.size, keys.size
    for i in range(n):
        later = keys[min(i + _AHEAD, n - 1)] & END_MASK  # the second end of a tie on: a slot at random
        prefetch(count, later)
        if kind != 0:
            prefetch(values, later)
        a, b = keys[i] >> TIE_SHIFT, keys[i] & END_MASK
        if a >= size or b >= size:
            return False
        if kind == 0:  # degree
            count[a] += 1
            count[b] += 1
        elif kind == 1:  # the other end's value, 0 or 1
            count[a] += values[b]
            count[b] += values[a]
        else:  # 1 where the other end's value is strictly lower
            count[a] += values[b] < values[a]
            count[b] += values[a] < values[b]
    return True


@jit_cached
def _sums_over_ties(keys: np.ndarray, values: np.ndarray, first: np.ndarray, second: np.ndarray) -> bool:
    size = first.size
    for i in range(keys.size):
        a, b = keys[i] >> TIE_SHIFT, keys[i] & END_MASK
        if a >= size or b >= size:
            return False
        first[a] += values[b]
        second[b] += values[a]
    return True


DEGREE, NEIGHBOUR_SUM, SHARE_BELOW = 0, 1, 2


def sums_over_ties(keys: np.ndarray, size: int, kind: int, values: np.ndarray | None = None) -> np.ndarray | None:
    """For each of ``size`` slots, the sum over the ties ``keys`` of 1 (``DEGREE``), the other end's value
    (``NEIGHBOUR_SUM``), or 1 where the other end's value is strictly lower (``SHARE_BELOW``): float64, or int32
    counts where every term is 0 or 1 (a bool's neighbour sum, the other two); None if an end is not a slot."""
    if kind == NEIGHBOUR_SUM and values is not None and values.dtype != np.bool_:
        first, second = np.zeros(size), np.zeros(size)
        if not _sums_over_ties(keys, np.ascontiguousarray(values, dtype=np.float64), first, second):
            return None
        first += second
        return first
    count = np.zeros(size, dtype=np.int32)
    if not _counts_over_ties(keys, np.zeros(1, dtype=np.bool_) if values is None else np.ascontiguousarray(values),
                             kind, count):
        return None
    return count
