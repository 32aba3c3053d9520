"""Helpers shared by the kernel tests: run the same thing under each kernel choice, and compare the results
byte for byte."""

from __future__ import annotations

import numpy as np

from pathways_sim.core import kernels


def both(function, *args):
    """``function(*args)`` under each kernel choice: (numpy's result, numba's result)."""
    with kernels.using("numpy"):
        plain = function(*args)
    with kernels.using("numba"):
        compiled = function(*args)
    return plain, compiled


def identical(a, b) -> bool:
    """Same shape, dtype and bytes (so -0.0, NaN payloads and the last bit all count)."""
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()
