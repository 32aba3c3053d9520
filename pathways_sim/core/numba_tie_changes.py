"""numba kernels that change the ties (``core/network.py``, ``core/tie_changes.py``): new ties' keys, the ties of
slots gone left out, new ties merged in, and every change held back made in one pass.  Integer work only, so the
ties are the numpy path's whatever the order of the work (tests/test_kernels.py compares them byte for byte).
"""

from __future__ import annotations

import numpy as np

from pathways_sim.core.network import END_MASK, TIE_SHIFT
from pathways_sim.core.numba_random import jit_cached


@jit_cached
def tie_keys_of(u: np.ndarray, v: np.ndarray, out: np.ndarray) -> int:
    """The key of each tie (u[i], v[i]) into ``out``, self-ties left out; returns how many."""
    n = 0
    for i in range(u.size):
        a, b = u[i], v[i]
        if a != b:
            out[n] = (min(a, b) << TIE_SHIFT) | max(a, b)
            n += 1
    return n


@jit_cached
def without_slots(keys: np.ndarray, carried: np.ndarray, gone: np.ndarray, out: np.ndarray,
                  out_carried: np.ndarray) -> int:
    """The ``keys`` neither of whose ends is flagged in ``gone`` (a bit per slot, ``np.packbits(...,
    bitorder="little")``), in order, into ``out`` (and ``carried``, one value per key, into ``out_carried`` when
    that is not empty); returns how many."""
    carry = out_carried.size > 0
    n = 0
    for i in range(keys.size):
        key = keys[i]
        a, b = key >> TIE_SHIFT, key & END_MASK
        if not ((gone[a >> 3] >> (a & 7)) | (gone[b >> 3] >> (b & 7))) & 1:
            out[n] = key
            if carry:
                out_carried[n] = carried[i]
            n += 1
    return n


@jit_cached
def union(keys: np.ndarray, new: np.ndarray, out: np.ndarray,
          carried: np.ndarray, new_carried: np.ndarray, out_carried: np.ndarray) -> int:
    """The sorted unique ``keys`` and sorted ``new`` merged into ``out`` without duplicates; returns how many.
    Runs of old keys are copied as blocks between the new ones.  Each new key's place is found by a galloping
    search from the last one's, where numpy's search would start afresh each time.  When ``out_carried`` is not
    empty, ``carried`` (one value per key) and ``new_carried`` (one per new key) are merged into it alongside."""
    carry = out_carried.size > 0
    n = done = 0
    for j in range(new.size):
        x = new[j]
        if j > 0 and x == new[j - 1]:  # a repeat (new is sorted)
            continue
        lo = _place(keys, x, done)
        if lo < keys.size and keys[lo] == x:  # a tie that exists already
            continue
        out[n:n + lo - done] = keys[done:lo]
        if carry:
            out_carried[n:n + lo - done] = carried[done:lo]
            out_carried[n + lo - done] = new_carried[j]
        n += lo - done
        done = lo
        out[n] = x
        n += 1
    out[n:n + keys.size - done] = keys[done:]
    if carry:
        out_carried[n:n + keys.size - done] = carried[done:]
    return n + keys.size - done


_AFTER_EVERY_TIE = np.int64(2**63 - 1)  # above every key (a slot is below 2^31)


@jit_cached
def changed_ties(  # noqa: PLR0913, PLR0917 - a kernel takes its arrays positionally
        keys: np.ndarray, carried: np.ndarray, mask: np.ndarray, gone: np.ndarray, new: np.ndarray,
        new_carried: np.ndarray, out: np.ndarray, out_carried: np.ndarray, degree: np.ndarray,
        noted: np.ndarray) -> int:
    """``PendingTies``' changes to the sorted unique ``keys`` in one pass, into ``out``; returns how many ties.
    Of ``keys``, those the ``mask`` keeps (an empty mask keeps every one) and neither of whose ends is set in
    ``gone`` (empty: none); with them, the sorted unique ``new`` ties that are not among those kept.  ``carried``
    and ``new_carried`` (one value per tie, when ``out_carried`` is not empty) go into ``out_carried`` alongside; a
    ``degree`` that is not empty loses one at each end of a tie dropped and gains one at each end of one added.
    ``noted`` (int64, at least ``keys.size + new.size``) is scratch: the ties dropped from its front, those added
    from its back (made by numpy and passed in: an array numba makes itself here left malloc handing out fresh
    pages, about 10 ns a person-step of page faults at 1M).

    The new ties are merged in as the keys are read (one comparison a key; a search for each new tie's place
    cost more).  A branch on whether a tie is kept: few are dropped, so it is predicted, and the next tie need
    not wait for this one's reads of ``gone``.  The counts change after the pass, from the keys of the ties
    dropped and added noted during it: scattered over a million people, those updates overlap in a loop of their
    own, where inside the pass each one held it up."""
    carry = out_carried.size > 0
    by_mask, by_gone = mask.size > 0, gone.size > 0
    n = j = dropped = 0
    added = noted.size
    upcoming = new[0] if new.size else _AFTER_EVERY_TIE
    for i in range(keys.size):
        key = keys[i]
        while upcoming < key:  # a new tie before this one
            n = _put(out, out_carried, n, upcoming, new_carried, j, carry)
            added -= 1
            noted[added] = upcoming
            j += 1
            upcoming = new[j] if j < new.size else _AFTER_EVERY_TIE
        a, b = key >> TIE_SHIFT, key & END_MASK
        kept = mask[i] if by_mask else True
        if by_gone:
            kept = kept and not ((gone[a >> 3] >> (a & 7)) | (gone[b >> 3] >> (b & 7))) & 1
        if kept:
            out[n] = key
            if carry:
                out_carried[n] = carried[i]
            n += 1
        else:
            noted[dropped] = key
            dropped += 1
        if upcoming == key:  # a new tie that is there: if it stays, nothing to add
            if not kept:  # dropped and added back, with the new tie's key
                n = _put(out, out_carried, n, key, new_carried, j, carry)
                added -= 1
                noted[added] = key
            j += 1
            upcoming = new[j] if j < new.size else _AFTER_EVERY_TIE
    while j < new.size:  # the new ties after the last key
        n = _put(out, out_carried, n, new[j], new_carried, j, carry)
        added -= 1
        noted[added] = new[j]
        j += 1
    if degree.size:
        _count(degree, noted[:dropped], -1)
        _count(degree, noted[added:], 1)
    return n


@jit_cached
def _put(out: np.ndarray, out_carried: np.ndarray, n: int, key: np.int64, carried: np.ndarray, at: int,
         carry: bool) -> int:
    """The tie ``key`` written at ``n`` (with ``carried[at]`` when ``carry``); returns the next place."""
    out[n] = key
    if carry:
        out_carried[n] = carried[at]
    return n + 1


@jit_cached
def _count(degree: np.ndarray, ties: np.ndarray, change: int) -> None:
    """``change`` added to the count at both ends of each tie."""
    for key in ties:
        degree[key >> TIE_SHIFT] += change
        degree[key & END_MASK] += change


@jit_cached
def _place(keys: np.ndarray, x: np.int64, start: int) -> int:
    """The first place in the sorted ``keys`` not below ``x``, at or after ``start`` (every key before it is
    below ``x``): a galloping search, a few dozen keys on from the last new tie's place, then a binary one."""
    lo, step = start, 1  # keys[:lo] are below x
    while lo + step <= keys.size and keys[lo + step - 1] < x:
        lo += step
        step *= 2
    hi = min(lo + step, keys.size)
    while lo < hi:
        mid = (lo + hi) >> 1
        if keys[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo
