"""Helpers shared by the kernel tests: run the same thing under each kernel choice."""

from __future__ import annotations

from pathways_sim.core import kernels


def both(function, *args):
    """``function(*args)`` under each kernel choice: (numpy's result, numba's result)."""
    with kernels.using("numpy"):
        plain = function(*args)
    with kernels.using("numba"):
        compiled = function(*args)
    return plain, compiled
