"""Which implementation runs the hot loops: numba's compiled kernels or plain numpy.

Both give bit-identical numbers (``tests/test_kernels.py`` compares them exactly); numba only does in one pass
over the arrays what numpy does in several.  Chosen by the environment variable ``PATHWAYS_SIM_KERNELS``:

- ``numba`` — the compiled kernels (``core/numba_kernels.py``, which gathers ``numba_ties`` and ``numba_events``);
  an error if numba cannot be imported;
- ``numpy`` — plain numpy only (numba is not imported at all);
- unset or empty — numba when it imports, numpy otherwise.

The choice is made on first use (so importing pathways_sim does not import numba) and can be changed in a
process with ``use`` (tests run both paths side by side).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import numpy as np

ENV_VAR = "PATHWAYS_SIM_KERNELS"
CHOICES = ("numba", "numpy")

# The choice of this process: absent until first use, then the numba kernels module or None (numpy).
_chosen: dict[str, ModuleType | None] = {}


class KernelChoiceError(ValueError):
    """``PATHWAYS_SIM_KERNELS`` names no implementation (bad input: the command line exits 2 with the message)."""


def environment_choice() -> str:
    """What ``PATHWAYS_SIM_KERNELS`` asks for ('' when unset), checked without importing numba: a
    ``KernelChoiceError`` naming the variable and what is allowed when it names no implementation."""
    choice = os.environ.get(ENV_VAR, "").strip().lower()
    _check(choice)
    return choice


def _check(choice: str) -> None:
    if choice not in ("", *CHOICES):
        raise KernelChoiceError(f"{ENV_VAR}={choice!r} is not a kernel choice: allowed are 'numba', 'numpy' or "
                                "unset (numba when it is installed)")


def _load(choice: str) -> ModuleType | None:
    _check(choice)
    if choice == "numpy":
        return None
    try:
        from pathways_sim.core import numba_kernels
    except ImportError as error:
        if choice == "numba":
            raise ImportError(f"{ENV_VAR}=numba but numba cannot be imported ({error}); install numba or set "
                              f"{ENV_VAR}=numpy") from error
        return None
    return numba_kernels


def compiled() -> ModuleType | None:
    """The numba kernels module when numba is the active choice, else None (use numpy)."""
    if "compiled" not in _chosen:
        _chosen["compiled"] = _load(environment_choice())
    return _chosen["compiled"]


def active() -> str:
    """The name of the implementation in use: 'numba' or 'numpy'."""
    return "numpy" if compiled() is None else "numba"


def use(choice: str) -> str:
    """Switch this process to ``choice`` ('numba' or 'numpy'); returns the previous choice."""
    previous = active()
    if choice not in CHOICES:
        raise ValueError(f"kernel choice {choice!r}: allowed are 'numba' and 'numpy'")
    _chosen["compiled"] = _load(choice)
    return previous


@contextmanager
def using(choice: str) -> Iterator[None]:
    """``use(choice)`` for the duration of a ``with`` block."""
    previous = use(choice)
    try:
        yield
    finally:
        use(previous)


class LazyKernel:
    """A numba kernel written beside the numpy code it fuses (e.g. in a mechanism's module), compiled the first
    time it is called, so importing its module never imports numba.  Call it only when ``compiled()`` is not
    None (numba is the active choice); the numpy path stays the reference it is tested against byte for byte."""

    def __init__(self, function: Callable[..., Any]):
        self.function = function
        self.__doc__ = function.__doc__
        self._machine_code: Callable[..., Any] | None = None

    def __call__(self, *args: Any) -> Any:
        if self._machine_code is None:
            from pathways_sim.core.numba_kernels import jit_cached  # numba loads here, on first use

            self._machine_code = jit_cached(self.function)
        return self._machine_code(*args)


def kernel(function: Callable[..., Any]) -> LazyKernel:
    """Declare ``function`` (plain loops over arrays) a numba kernel compiled on first use (``LazyKernel``)."""
    return LazyKernel(function)


def prefetch(array: Any, index: Any) -> None:
    """Ask the processor to start bringing ``array[index]`` into cache, for a kernel that will read it a few
    iterations on (a read at random).  A hint that changes no value: in a kernel compiled by numba it is LLVM's
    prefetch (``core/numba_prefetch.py`` gives numba its implementation); called from Python, nothing."""


def exp32(x: Any, simd: bool) -> Any:
    """numpy's float32 exp of one float32 ``x``, for a kernel that would otherwise leave it to a numpy pass over the
    whole array.  ``simd`` is ``exp32_mode()``, passed in by the kernel's caller: which of numpy's two float32 exps
    this process has (``core/numba_exp.py`` gives numba the implementation, the same bits as numpy's); called
    from Python, numpy's own."""
    return np.exp(np.float32(x))


def exp_in_place(x: Any) -> None:
    """``np.exp(x, out=x)`` for a contiguous 1-d float32 array: on the numba path numpy's bits from a vectorised
    kernel (``core/numba_exp.py``), faster than numpy's own loop."""
    chosen = compiled()
    if chosen is None:
        np.exp(x, out=x)
    else:
        chosen.exp_in_place(x)


def exp32_mode() -> bool:
    """The ``simd`` argument of ``exp32`` in this process (numba path only: ``core/numba_exp.py``)."""
    chosen = compiled()
    if chosen is None:
        raise RuntimeError("exp32_mode is for the numba kernels, and numpy is the kernel choice")
    return bool(chosen.exp32_mode())
