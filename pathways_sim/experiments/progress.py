"""Progress of an experiment, counted in simulated years (every arm, every replicate).

``progress`` as the experiment functions take it:

- ``True`` (default): a ``tqdm.auto`` bar (a widget in a notebook, a text bar on stderr elsewhere);
- ``False`` or ``None``, or ``quiet=True``: nothing;
- a callable: called as ``progress(done, total)`` once at the start (``done`` 0) and after every simulated
  year, in the calling process, also when runs go on in worker processes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

Progress = bool | Callable[[int, int], Any] | None


@contextlib.contextmanager
def reporter(progress: Progress, total: int, label: str = "", *, quiet: bool = False
             ) -> Iterator[Callable[[int], None]]:
    """A function ``report(done)`` that shows ``done`` of ``total`` simulated years as ``progress`` asks."""
    if quiet or progress is None or progress is False:
        yield lambda done: None
        return
    if callable(progress):
        yield lambda done: progress(done, total)
        return
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is a dependency; without it, no bar rather than a failure
        yield lambda done: None
        return
    bar = tqdm(total=total, desc=f"{label}: simulated years" if label else "simulated years", unit="yr", leave=True,
               dynamic_ncols=True)

    def report(done: int) -> None:
        if done > bar.n:
            bar.update(done - bar.n)
    try:
        yield report
    finally:
        bar.close()
