"""Keep the memory that large temporary arrays free, for the next ones.

Every step makes and frees many arrays of one to eight bytes per person or per tie.  glibc's malloc hands large
blocks back to the system when they are freed (``munmap``, or trimming the top of the heap) and gets fresh pages
for the next one, and each fresh page costs a page fault and zeroing: at 100,000 people about 25,000 page faults
per year of steps, several per cent of a step's CPU time (more where page faults are dear, as in a virtual
machine).  Raising the two thresholds makes malloc keep those blocks and reuse them; peak memory stays about the
same (the arrays are the same), but memory freed late in a run is kept by the process until it ends.  A large top
pad has the heap grow in big steps and keep that much when it shrinks: at a million people the steps' page faults
went from 100-950 to 2-330 a step, and their system time from 3-15 to 0.3-2 ms.

glibc only (elsewhere nothing is done), once per process, and never when the user has tuned malloc themselves
(``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_``, ``MALLOC_TOP_PAD_`` or ``GLIBC_TUNABLES`` in the
environment).  Results are
unaffected: only where arrays live changes.
"""

from __future__ import annotations

import ctypes
import os
import platform

_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3  # mallopt's parameter numbers (malloc.h)
MMAP_THRESHOLD = 32 * 2**20  # bytes: glibc's largest; bigger blocks are still mapped and unmapped
TRIM_THRESHOLD = 512 * 2**20  # bytes of free memory at the top of the heap kept before any is given back
TOP_PAD = 512 * 2**20  # bytes of address space asked for beyond each request when the heap grows (and kept when
# it shrinks): untouched pages cost nothing, and the heap grows and shrinks far less often
USER_SETTINGS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "GLIBC_TUNABLES")

_state: dict[str, bool] = {}


def keep_freed_memory() -> bool:
    """Set glibc's malloc to keep freed blocks for reuse (see the module's text); True when it is so set."""
    if "applied" not in _state:
        _state["applied"] = _apply()
    return _state["applied"]


def _apply() -> bool:
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    if any(name in os.environ for name in USER_SETTINGS):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return (bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
            and bool(mallopt(_M_TOP_PAD, TOP_PAD)))
