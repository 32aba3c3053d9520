"""Mechanism modifiers: the only way interventions reach the model.

An intervention never edits an outcome.  Each step it writes into a fresh ``Modifiers`` the changes it makes
to *mechanism inputs* for the people or areas it reaches: extra support, a higher baseline of control or
resilience, a lower stigma exposure, a lower ACE hazard, more income, more secure housing or work.  The step
reads them where the mechanism is computed.  A modifier nobody asked for does not exist (the step then runs
the baseline arithmetic), and a requested modifier starts neutral (0 to add, 1 to scale), so an intervention
that reaches nobody leaves the run bit-identical to the baseline.
"""

from __future__ import annotations

import numpy as np

from pathways_sim.declarations.modifiers import MODIFIERS


class Modifiers:
    """Lazily allocated, neutral-by-default per-person and per-area modifier arrays for one step."""

    def __init__(self, n_people: int, n_areas: int):
        self._sizes = {"person": n_people, "area": n_areas}
        self._arrays: dict[str, np.ndarray] = {}

    def __contains__(self, name: str) -> bool:
        return name in self._arrays

    def array(self, name: str) -> np.ndarray:
        """The writable array of modifier ``name`` (allocated at its neutral value on first use)."""
        if name not in MODIFIERS:
            raise KeyError(f"unknown modifier {name!r}; known: {', '.join(sorted(MODIFIERS))}")
        if name not in self._arrays:
            neutral, scope, _ = MODIFIERS[name]
            self._arrays[name] = np.full(self._sizes[scope], neutral, dtype=np.float32)
        return self._arrays[name]

    def get(self, name: str, size: int | None = None) -> np.ndarray | None:
        """The array if some intervention asked for it, else None (baseline arithmetic).  With ``size``,
        padded with the neutral value for slots created after the modifiers were made (newborns)."""
        values = self._arrays.get(name)
        if values is not None and size is not None and size > values.size:
            values = np.concatenate([values, np.full(size - values.size, MODIFIERS[name][0], dtype=values.dtype)])
        return values


def add(base, mods: Modifiers | None, name: str):
    extra = None if mods is None else mods.get(name, np.size(base) if np.ndim(base) else None)
    return base if extra is None else base + extra


def scale(base, mods: Modifiers | None, name: str):
    factor = None if mods is None else mods.get(name, np.size(base) if np.ndim(base) else None)
    return base if factor is None else base * factor
