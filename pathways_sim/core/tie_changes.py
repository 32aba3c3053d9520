"""Changes to the ties held back and made in one pass: the compiled path of ``core/network.py``.

A step changes the ties four times: tie loss keeps most of them (a mask), meetings add some, deaths drop every tie
of the people who died, births add a tie from each mother to her baby.  Made one at a time, each change was a pass
over every tie: at a million people, 3.8 million keys and as many tie keys, 60 MB read and 60 MB written, four
times a step, some 45 ns a person-step in all.  ``Network`` holds the changes here instead and makes them all in one
pass (``numba_tie_changes.changed_ties``, about 17 ns) the next time anything reads its ties.  The ties, their
random-number keys and the degree counts are the ones the four passes made (tests/test_kernels.py), because the
changes compose:

- a tie there before the changes stays if the mask keeps it and neither of its ends has died since;
- a new tie is added unless it is there already and stays, or one of its ends died after it was added;
- where a new tie is one that was dropped (lost, or its slot's person died and the slot went to a baby), it comes
  back with the new tie's key, as it would if added after the drop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType

import numpy as np

from pathways_sim.core import kernels

NO_KEYS = np.zeros(0, dtype=np.uint64)
NO_SLOTS = np.zeros(0, dtype=np.bool_)
NO_COUNTS = np.zeros(0, dtype=np.int32)
_NO_TIES = np.zeros(0, dtype=np.int64)
_NO_BITS = np.zeros(0, dtype=np.uint8)


@dataclass(slots=True)
class PendingTies:
    """The changes held back since the ties were last read, composed as they arrive (each of them small: the
    mask is kept as given, the new ties merged, the dying slots' bits joined)."""

    # The tie keys are carried through: known when the changes began, and every add gave them.
    carry: bool
    # Over the keys the changes began from (empty: every tie kept).
    mask: np.ndarray = field(default_factory=lambda: NO_SLOTS)
    # A bit per slot (np.packbits, little bit order): their ties are dropped.
    gone: np.ndarray = field(default_factory=lambda: _NO_BITS)
    # Ties to add: sorted, unique, none of them to a slot gone since it was added; their tie keys while ``carry``.
    new: np.ndarray = field(default_factory=lambda: _NO_TIES)
    new_tie_keys: np.ndarray = field(default_factory=lambda: NO_KEYS)

    def add(self, new: np.ndarray, new_tie_keys: np.ndarray | None) -> None:
        """Ties to add (sorted keys, repeats allowed), with their tie keys (None: the tie keys lapse)."""
        self.carry = self.carry and new_tie_keys is not None
        merged = np.empty(self.new.size + new.size, dtype=np.int64)
        carried, merged_tie_keys = NO_KEYS, NO_KEYS
        if self.carry and new_tie_keys is not None:
            carried, merged_tie_keys = self.new_tie_keys, np.empty(merged.size, dtype=np.uint64)
        given = NO_KEYS if new_tie_keys is None else new_tie_keys
        count = compiled_kernels().union(self.new, new, merged, carried, given, merged_tie_keys)
        self.new = merged[:count]
        self.new_tie_keys = merged_tie_keys[:count]

    def drop(self, gone: np.ndarray) -> None:
        """Drop every tie of the slots whose bits are set in ``gone`` (packed as ``self.gone``)."""
        if self.new.size:
            kept = np.empty(self.new.size, dtype=np.int64)
            kept_tie_keys = np.empty(self.new.size, dtype=np.uint64) if self.carry else NO_KEYS
            count = compiled_kernels().without_slots(self.new, self.new_tie_keys, gone, kept, kept_tie_keys)
            self.new, self.new_tie_keys = kept[:count], kept_tie_keys[:count]
        joined = np.zeros(max(self.gone.size, gone.size), dtype=np.uint8)  # (slots born since: more bits)
        joined[:self.gone.size] = self.gone
        joined[:gone.size] |= gone
        self.gone = joined


def compiled_kernels() -> ModuleType:
    """The numba kernels, which hold the changes back and make them: also when the changes were held back on the
    compiled path and the process has chosen numpy since (tests switch between the two)."""
    compiled = kernels.compiled()
    if compiled is None:
        from pathways_sim.core import numba_kernels

        return numba_kernels
    return compiled
