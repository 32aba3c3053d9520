"""Named random streams: common random numbers by construction.

Per-person draws are a pure function of (run seed, stream name, step, the person's key): a counter-based
generator (the SplitMix64 finaliser over 64-bit integers, vectorised in numpy).  A person's key never changes
and a newborn's key is made from its mother's key and her birth order, so two arms of an experiment that
differ only in an intervention give every person they share — including babies born to the same mother in
the same order — the same draws, whatever else differs (who died, who was born, which slots are free).
Switching a mechanism off, or adding one, never shifts another stream's numbers.

Draws that are not per person (building the starting population) come from ``generator``: a numpy PCG64
seeded by the run seed, a stable hash of the stream's name and the step (``SeedSequence`` spawn keys).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from pathways_sim.core import kernels

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_MASK64 = (1 << 64) - 1
_TO_UNIT = 2.0 ** -53


def _name_key(name: str) -> int:
    # crc32 is stable across Python sessions (unlike hash()) and cheap.
    return zlib.crc32(name.encode("utf-8"))


def mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: a bijection of uint64 that scatters nearby inputs across the whole range.
    Returns a new array (``x`` is not changed); worked in place on one copy and one scratch array, or by the numba
    kernel in one pass (``core/kernels.py``)."""
    compiled = kernels.compiled()
    if compiled is not None:
        return compiled.mix(x)
    out = np.array(x, dtype=np.uint64)  # a copy
    return _mix_in_place(out, np.empty_like(out))


def _mix_in_place(x: np.ndarray, scratch: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        for shift, multiplier in ((30, _M1), (27, _M2)):
            np.right_shift(x, np.uint64(shift), out=scratch)
            x ^= scratch
            x *= multiplier
        np.right_shift(x, np.uint64(31), out=scratch)
        x ^= scratch
    return x


def _mix_int(value: int) -> int:
    """``mix`` of one integer, in Python's integers (a numpy array of one costs more than the arithmetic)."""
    x = value & _MASK64
    x = ((x ^ (x >> 30)) * int(_M1)) & _MASK64
    x = ((x ^ (x >> 27)) * int(_M2)) & _MASK64
    return x ^ (x >> 31)


def child_keys(mother_keys: np.ndarray, birth_order: np.ndarray) -> np.ndarray:
    """Keys of newborns: a hash of the mother's key and how many children she had before."""
    with np.errstate(over="ignore"):
        return mix(mix(np.asarray(mother_keys, dtype=np.uint64)) + np.asarray(birth_order, dtype=np.uint64) * _GOLDEN
                   + np.uint64(1))


def first_keys(n: int) -> np.ndarray:
    """Keys of the starting population (the same in every arm: the starting population is)."""
    return mix(np.arange(1, n + 1, dtype=np.uint64))


class Streams:
    """Factory of independent random numbers keyed by (stream name, step, person)."""

    __slots__ = ("root_seed",)

    def __init__(self, root_seed: int):
        if not isinstance(root_seed, int | np.integer) or root_seed < 0:
            raise ValueError(f"root_seed must be a non-negative integer, got {root_seed!r}")
        self.root_seed = int(root_seed)

    def generator(self, name: str, step: int = -1) -> np.random.Generator:
        """A fresh generator for stream ``name`` at ``step`` (-1 for set-up)."""
        # Steps before -1 (burn-in) get keys of another length, so they never coincide with a later step's.
        spawn_key = (_name_key(name), step + 1) if step >= -1 else (_name_key(name), 0, -step - 1)
        seq = np.random.SeedSequence(self.root_seed, spawn_key=spawn_key)
        return np.random.Generator(np.random.PCG64(seq))

    def offset(self, name: str, step: int) -> np.uint64:
        """What stream ``name`` at ``step`` mixes into every key (for kernels that draw ``uniform`` themselves)."""
        offset = _mix_int(self.root_seed)
        offset = _mix_int(offset ^ _name_key(name))
        return np.uint64(_mix_int(offset ^ ((step + 1) & _MASK64)))

    def uniform(self, name: str, step: int, keys: np.ndarray) -> np.ndarray:
        """One uniform in [0, 1) for each key, from stream ``name`` at ``step`` (float64, 53 random bits)."""
        return uniform_at(np.asarray(keys, dtype=np.uint64), self.offset(name, step))

    def keyed(self, name: str, step: int, keys: np.ndarray) -> KeyedDraws:
        """``uniform(name, step, keys)`` not yet drawn: for a kernel that draws each where it uses it."""
        return KeyedDraws(np.ascontiguousarray(keys, dtype=np.uint64), self.offset(name, step))

    def normal(self, name: str, step: int, keys: np.ndarray) -> np.ndarray:
        """One standard normal for each key (inverse CDF of ``uniform``)."""
        u = self.uniform(name, step, keys)
        return ndtri(np.maximum(u, _TO_UNIT))  # never exactly 0: ndtri(0) is -inf


def uniform_at(keys: np.ndarray, offset: np.uint64) -> np.ndarray:
    """The uniforms of uint64 ``keys`` from a stream's ``offset`` (``Streams.offset``): ``Streams.uniform``'s."""
    compiled = kernels.compiled()
    if compiled is not None:  # the same numbers in one pass (core/numba_kernels.py)
        return compiled.uniform(keys, offset)
    x = np.bitwise_xor(keys, offset)  # a new array
    scratch = np.empty_like(x)
    with np.errstate(over="ignore"):
        x = _mix_in_place(x, scratch)
        x += _GOLDEN
        x = _mix_in_place(x, scratch)
    x >>= np.uint64(11)
    out = x.astype(np.float64)
    out *= _TO_UNIT
    return out


@dataclass(frozen=True)
class KeyedDraws:
    """The uniforms ``Streams.uniform`` gives ``keys`` from one stream at one step, not yet drawn, for code that
    needs only some of them: ``at(index)`` draws those (the same numbers), ``values()`` draws them all.  The
    meetings' area shifts are one: only the third of meetings outside their own area use theirs."""

    keys: np.ndarray  # uint64, contiguous
    offset: np.uint64  # Streams.offset of the stream and step

    def values(self) -> np.ndarray:
        return uniform_at(self.keys, self.offset)

    def at(self, index: np.ndarray) -> np.ndarray:
        """The uniforms of ``keys[index]`` only."""
        return uniform_at(self.keys[index], self.offset)


def drawn(uniforms: np.ndarray | KeyedDraws) -> np.ndarray:
    """``uniforms`` as an array (a ``KeyedDraws`` drawn)."""
    return uniforms.values() if isinstance(uniforms, KeyedDraws) else uniforms
