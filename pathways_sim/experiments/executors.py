"""Where a sweep's runs execute: all executors have one shape, ``concurrent.futures``-style.

- ``InProcessExecutor()`` (the default): each run in this process, when it is submitted;
- ``ProcessExecutor(workers)``: a local pool of spawned processes that ignore Ctrl-C and die with this
  process, even on ``kill -9`` (``experiments.parallel``);
- ``DaskExecutor()``: Dask distributed. With no argument it starts an embedded
  ``LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None)``;
  give ``n_workers=``, a scheduler address (``"tcp://host:8786"``) or an existing ``distributed.Client``
  instead.  Needs the ``dask`` extra (``pip install "pathways_sim[dask]"``).

Each has ``submit(fn, *args)`` returning a future with ``result()``, ``map(fn, *iterables)`` (results in
order), ``as_completed(futures)`` and ``shutdown()``; each is a context manager.  For progress within runs,
``watch(on_tick)`` asks for ``on_tick(job)`` in this process whenever a job calls ``parallel.tick()`` (once per
simulated year): at once in this process, when ``poll()`` is called for a local pool; Dask reports whole runs
only.  ``capacity`` is how many jobs are worth having submitted at a time.  Whatever runs where, a run's
result depends only on its parameters and seed, so every executor gives the same numbers.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pathways_sim.experiments import parallel
from pathways_sim.experiments.errors import ExperimentError

__all__ = ["DaskExecutor", "InProcessExecutor", "ProcessExecutor", "as_executor"]


class _Executor:
    """What every executor shares: ``map``, ``as_completed`` and the context manager."""

    def capacity(self) -> int:
        """How many jobs are worth having submitted at once (no limit unless an executor knows better)."""
        return 1_000_000

    def watch(self, on_tick: Callable[[int], None] | None) -> None:
        """Call ``on_tick(job)`` in this process for each simulated year a job reports (where supported)."""

    def poll(self) -> None:
        """Deliver the ticks that arrived since the last call to the function given to ``watch``."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any]) -> Iterator[Any]:
        futures = [self.submit(fn, *args) for args in zip(*iterables, strict=False)]
        return (future.result() for future in futures)

    def as_completed(self, futures: Iterable[Any]) -> Iterator[Any]:
        return concurrent.futures.as_completed(list(futures))

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Release the executor's processes (a no-op for those it does not own)."""

    def __enter__(self):
        return self

    def __exit__(self, kind, error, trace) -> None:
        self.shutdown(wait=kind is None, cancel_futures=kind is not None)


class InProcessExecutor(_Executor):
    """Runs each submitted call at once, in this process; errors are held by the future, as in a pool."""

    _on_tick: Callable[[int], None] | None = None

    def capacity(self) -> int:
        return 1  # a call runs when submitted: submit one, report it, then the next

    def watch(self, on_tick: Callable[[int], None] | None) -> None:
        self._on_tick = on_tick

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future:
        future: concurrent.futures.Future = concurrent.futures.Future()
        try:
            with parallel.ticking(self._on_tick or (lambda job: None)):
                result = fn(*args, **kwargs)
            future.set_result(result)
        except Exception as error:  # held by the future, raised by result()
            future.set_exception(error)
        return future

    def __repr__(self) -> str:
        return "InProcessExecutor()"


class ProcessExecutor(_Executor):
    """A local pool of ``workers`` spawned processes that die with this one (started when first needed)."""

    def __init__(self, workers: int = 2):
        self.workers = parallel.check_workers(workers)
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._ticks: Any = None
        self._on_tick: Callable[[int], None] | None = None

    def capacity(self) -> int:
        return 2 * self.workers  # a queued job per worker: none idles, few wait to be cancelled

    def watch(self, on_tick: Callable[[int], None] | None) -> None:
        self._on_tick = on_tick

    def poll(self) -> None:
        if self._ticks is not None:
            for job in parallel.drain_ticks(self._ticks):
                if self._on_tick is not None:
                    self._on_tick(job)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future:
        if self._pool is None:
            self._ticks = parallel.tick_queue()
            self._pool = parallel.process_pool(self.workers, self._ticks)
        with parallel.sigint_ignored():  # workers start on submit, ignoring Ctrl-C
            return self._pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        pool, self._pool = self._pool, None
        ticks, self._ticks = self._ticks, None
        if ticks is not None:
            parallel.close_ticks(ticks)
        if pool is None:
            return
        if cancel_futures or not wait:
            parallel.stop_pool(pool)
        else:
            pool.shutdown(wait=True)

    def __repr__(self) -> str:
        return f"ProcessExecutor(workers={self.workers})"


class DaskExecutor(_Executor):
    """Dask distributed: an embedded local cluster (default), a scheduler's address, or a ``Client``.

    The cluster (and the client) are started when first needed and closed by ``shutdown`` only if this
    executor started them; a ``Client`` passed in is left open.
    """

    def __init__(self, cluster: Any = None, *, n_workers: int = 2, **cluster_kwargs: Any):
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise ExperimentError('executor: Dask needs the dask extra: pip install "pathways_sim[dask]"') from None
        if isinstance(n_workers, bool) or not isinstance(n_workers, int) or n_workers < 1:
            raise ExperimentError(f"n_workers: must be a whole number at least 1, got {n_workers!r}")
        self.target = cluster
        self.n_workers = n_workers
        self.cluster_kwargs = {"threads_per_worker": 1, "processes": True, "host": "127.0.0.1",
                               "dashboard_address": None, **cluster_kwargs}
        self._client: Any = None
        self._cluster: Any = None
        self._owns_client = False

    @property
    def client(self) -> Any:
        """The ``distributed.Client`` (starting the cluster first if this executor makes one)."""
        if self._client is None:
            from distributed import Client, LocalCluster

            if isinstance(self.target, Client):
                self._client = self.target
                return self._client
            if self.target is None:
                self._cluster = LocalCluster(n_workers=self.n_workers, **self.cluster_kwargs)
                self._client = Client(self._cluster)
            else:
                self._client = Client(self.target)
            self._owns_client = True
        return self._client

    def capacity(self) -> int:
        """Four jobs per worker the scheduler knows of: it balances what it holds; more would only wait."""
        try:
            workers = len(self.client.scheduler_info().get("workers", {}))
        except Exception:  # a scheduler that cannot say: as many as asked for
            workers = self.n_workers
        return 4 * max(workers, 1)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        return self.client.submit(fn, *args, pure=False, **kwargs)

    def as_completed(self, futures: Iterable[Any]) -> Iterator[Any]:
        from distributed import as_completed

        return iter(as_completed(list(futures)))

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        client, cluster, owns = self._client, self._cluster, self._owns_client
        self._client = self._cluster = None
        self._owns_client = False
        if owns and client is not None:
            client.close()
        if cluster is not None:
            cluster.close()

    def __repr__(self) -> str:
        where = "LocalCluster" if self.target is None else repr(self.target)
        return f"DaskExecutor({where}, n_workers={self.n_workers})"


class _Wrapped(_Executor):
    """Any object with ``submit`` (a ``concurrent.futures.Executor``), used as it is and not shut down."""

    def __init__(self, executor: Any):
        self.executor = executor

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        return self.executor.submit(fn, *args, **kwargs)


def as_executor(executor: Any) -> tuple[_Executor, bool]:
    """``(executor, owned)``: ``None`` -> in-process; an int N -> ``ProcessExecutor(N)``; ``"dask"`` -> an
    embedded Dask cluster; a ``distributed.Client`` -> Dask on it; an executor of ours or any object with
    ``submit`` as it is.  ``owned`` says whether the caller made it (and must shut it down)."""
    if isinstance(executor, str) and executor not in ("inprocess", "dask"):
        raise ExperimentError(f"executor: a name must be 'inprocess' or 'dask', got {executor!r}")
    if executor is None or executor == "inprocess":
        return InProcessExecutor(), True
    if isinstance(executor, _Executor):
        return executor, False
    if isinstance(executor, int) and not isinstance(executor, bool):
        return ProcessExecutor(executor), True
    if executor == "dask":
        return DaskExecutor(), True
    if type(executor).__module__.startswith("distributed") and type(executor).__name__ == "Client":
        return DaskExecutor(executor), True
    if callable(getattr(executor, "submit", None)):
        return _Wrapped(executor), False
    raise ExperimentError(f"executor: must be None (in this process), a number of local worker processes, "
                          f"'dask', a distributed.Client, or an executor with submit(); got {executor!r}")
