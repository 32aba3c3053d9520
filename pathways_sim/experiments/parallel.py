"""Running independent jobs in worker processes that never outlive the process that started them.

- Workers are started only as jobs need them (``min(workers, jobs)``), in fresh interpreters ("spawn"), never
  by forking a process that may hold threads (a progress bar's, a notebook's).
- A worker dies with its parent: on Linux the kernel kills it when the parent dies (``PR_SET_PDEATHSIG``), and
  everywhere a daemon thread checks ``os.getppid()`` twice a second and exits when the parent has gone.
- Workers ignore Ctrl-C (SIGINT goes to the whole terminal process group); the parent alone handles it: it
  cancels the jobs not started, ends the workers and re-raises ``KeyboardInterrupt``, so one line is printed
  and no worker prints a traceback.
- Each worker reports every simulated year back through a queue, so a progress bar moves while runs are
  under way, not only when a run finishes.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from pathways_sim.experiments.errors import ExperimentError

MAX_WORKERS_CAP = 64


class _WorkerState:
    """What a worker process holds between calls: set by the pool's initializer and by each job."""

    ticks: Any = None  # the queue that carries (job index) once per simulated year, or a function taking it
    job: int = -1  # the index of the job it is running


_WORKER = _WorkerState()


def max_workers() -> int:
    """The most worker processes allowed: four per core, at most 64."""
    return min(4 * (os.cpu_count() or 1), MAX_WORKERS_CAP)


def check_workers(workers: Any) -> int:
    """``workers`` as an int, or ``ExperimentError`` naming the allowed range."""
    limit = max_workers()
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= limit:
        raise ExperimentError(f"workers: must be a whole number from 1 to {limit} on this machine "
                         f"({os.cpu_count() or 1} cores x 4, at most {MAX_WORKERS_CAP}), got {workers!r}")
    return workers


# ------------------------------------------------------------------------------------------------ in a worker
def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):  # best effort: the polling thread below is the fallback
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def _worker_init(parent: int, ticks: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(parent)
    _WORKER.ticks = ticks


def tick() -> None:
    """In a worker (or in this process, under ``ticking``): report one simulated year of the current job."""
    if callable(_WORKER.ticks):
        _WORKER.ticks(_WORKER.job)
    elif _WORKER.ticks is not None:
        with contextlib.suppress(Exception):
            _WORKER.ticks.put(_WORKER.job)


def set_job(job: int) -> None:
    """In a worker: the job whose simulated years ``tick`` reports from now on."""
    _WORKER.job = job


@contextlib.contextmanager
def ticking(on_tick: Callable[[int], None]):
    """In this process: ``tick()`` calls ``on_tick(job)`` inside the block (jobs run here, not in workers)."""
    previous, job = _WORKER.ticks, _WORKER.job
    _WORKER.ticks = on_tick
    try:
        yield
    finally:
        _WORKER.ticks, _WORKER.job = previous, job


class WorkerTraceback(Exception):
    """The traceback of an error in a worker process (the ``__cause__`` of the error raised in the parent)."""

    def __str__(self) -> str:
        return "\n" + str(self.args[0])


class _Failed:
    """An exception that might not survive pickling, carried back as its type name, text and traceback."""

    def __init__(self, error: BaseException):
        from pathways_sim.declarations.declare import ParameterError

        self.problems = error.problems if isinstance(error, ParameterError) else None
        self.kind = type(error).__name__
        self.text = str(error)
        self.traceback = traceback.format_exc()

    def reraise(self):
        from pathways_sim.declarations.declare import ParameterError

        cause = WorkerTraceback(self.traceback)
        if self.problems is not None:
            raise ParameterError(self.problems) from cause
        raise RuntimeError(f"in a worker process: {self.kind}: {self.text}") from cause


def _call(function: Callable[..., Any], index: int, args: tuple) -> Any:
    _WORKER.job = index
    try:
        return function(*args)
    except Exception as error:  # carried back to the parent, which raises it
        return _Failed(error)


# ------------------------------------------------------------------------------------------------ in the parent
def run_jobs(function: Callable[..., Any], jobs: Sequence[tuple], *, workers: int = 1, years: int = 1,
             report: Callable[[int], None] | None = None) -> list[Any]:
    """``[function(*job, on_year) for job in jobs]`` in up to ``workers`` processes, results in job order.

    ``function`` takes ``on_year`` (a callable, called after each simulated year) as its last argument and must
    be importable by name (a module-level function).  ``report(done)`` is called in this process with the
    number of simulated years done so far, out of ``years * len(jobs)``.
    """
    check_workers(workers)
    report = report or (lambda done: None)
    report(0)
    if workers == 1 or len(jobs) <= 1:
        done = 0

        def on_year() -> None:
            nonlocal done
            done += 1
            report(done)
        return [function(*job, on_year) for job in jobs]
    return _run_in_pool(function, jobs, min(workers, len(jobs)), years, report)


def process_pool(workers: int, ticks: Any = None) -> ProcessPoolExecutor:
    """A ``ProcessPoolExecutor`` of up to ``workers`` spawned processes that ignore Ctrl-C and die with this
    process; ``tick()`` in a worker puts the job's index on ``ticks`` (a queue from ``tick_queue()``), if
    given.  Submit to it inside ``sigint_ignored()`` (workers start on submit and inherit the ignored
    signal); end it with ``stop_pool`` when interrupted."""
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=check_workers(workers), mp_context=context, initializer=_worker_init,
                               initargs=(os.getpid(), ticks))


def tick_queue() -> Any:
    """A queue worker processes of ``process_pool`` can put ticks on."""
    return multiprocessing.get_context("spawn").Queue()


def drain_ticks(ticks: Any) -> list[int]:
    """The job indices put on ``ticks`` so far (one per simulated year), without waiting."""
    got = []
    while True:
        try:
            got.append(ticks.get_nowait())
        except (queue.Empty, OSError, ValueError):
            return got


def close_ticks(ticks: Any) -> None:
    ticks.close()
    ticks.cancel_join_thread()


def _run_in_pool(function, jobs, workers, years, report) -> list[Any]:
    context = multiprocessing.get_context("spawn")
    ticks = context.Queue()
    per_job = [0] * len(jobs)
    results: list[Any] = [None] * len(jobs)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_init,
                               initargs=(os.getpid(), ticks))
    try:
        with _sigint_ignored():  # workers start with Ctrl-C ignored, before they can run a line of ours
            futures: dict[Future, int] = {pool.submit(_call, function, i, (*job, tick)): i
                                          for i, job in enumerate(jobs)}
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            _drain(ticks, per_job, years)
            for future in finished:
                index = futures[future]
                value = future.result()
                if isinstance(value, _Failed):
                    value.reraise()
                results[index] = value
                per_job[index] = years
            report(sum(per_job))
    except BaseException:
        _stop(pool)
        raise
    else:
        pool.shutdown(wait=True)
    finally:
        close_ticks(ticks)
    return results


def _drain(ticks, per_job: list[int], years: int) -> None:
    for index in drain_ticks(ticks):
        if 0 <= index < len(per_job):
            per_job[index] = min(years, per_job[index] + 1)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel the jobs not started and end the workers now (they are mid-run: waiting could take hours)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    deadline = time.monotonic() + 5
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel the jobs not started and end the workers now."""
    _stop(pool)


@contextlib.contextmanager
def sigint_ignored():
    """Ctrl-C ignored in this block (in the main thread), so processes started in it ignore it too."""
    with _sigint_ignored():
        yield


@contextlib.contextmanager
def _sigint_ignored():
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
