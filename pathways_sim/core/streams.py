"""Named random streams: common random numbers by construction.

Every mechanism draws from its own generator, made from the run's root seed, a stable hash of the
mechanism's name and the step number (numpy ``SeedSequence`` spawn keys).  So the numbers a mechanism sees
do not depend on which other mechanisms ran, were switched off, or drew more or fewer numbers: switching an
intervention on leaves every unrelated mechanism's randomness unchanged.  Per-person draws are made for
every slot of the population arrays and indexed by slot, so a person keeps their draw whoever else is
alive.
"""

from __future__ import annotations

import zlib

import numpy as np


def _name_key(name: str) -> int:
    # crc32 is stable across Python sessions (unlike hash()) and cheap.
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """Factory of independent generators keyed by (name, step)."""

    __slots__ = ("root_seed",)

    def __init__(self, root_seed: int):
        if not isinstance(root_seed, int | np.integer) or root_seed < 0:
            raise ValueError(f"root_seed must be a non-negative integer, got {root_seed!r}")
        self.root_seed = int(root_seed)

    def generator(self, name: str, step: int = -1) -> np.random.Generator:
        """A fresh generator for mechanism ``name`` at ``step`` (-1 for set-up)."""
        seq = np.random.SeedSequence(self.root_seed, spawn_key=(_name_key(name), step + 1))
        return np.random.Generator(np.random.PCG64(seq))

    def uniform(self, name: str, step: int, size: int) -> np.ndarray:
        """``size`` uniforms in [0, 1) for ``name`` at ``step``; a prefix of a longer draw is the same."""
        return self.generator(name, step).random(size, dtype=np.float32)
