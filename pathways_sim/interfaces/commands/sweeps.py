"""``sweep``: run a sweep file into a directory that a killed sweep can be resumed from."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from pathways_sim.interfaces.commands.options import OutOption, output_path
from pathways_sim.interfaces.console import BadInput, announce, err, out, with_progress

STORE = "store"  # the run store inside the output directory (one file per finished run)


def _executor(workers: int, scheduler: str | None):
    """Runs in this process (1 worker), a local process pool, or Dask (an address, or ``local``)."""
    from pathways_sim.experiments.executors import DaskExecutor, ProcessExecutor
    from pathways_sim.experiments.parallel import check_workers

    check_workers(workers)
    if scheduler is None:
        return None if workers == 1 else ProcessExecutor(workers)
    if scheduler == "local":
        return DaskExecutor(n_workers=workers)
    if not scheduler.startswith(("tcp://", "tls://", "inproc://", "ucx://", "ws://", "wss://")):
        raise BadInput(f"scheduler: give a Dask scheduler's address (tcp://host:8786) or 'local' for a cluster "
                       f"on this machine, got {scheduler!r}")
    return DaskExecutor(scheduler)


def _check_directory(directory: Path, resume: bool) -> None:
    from pathways_sim.experiments.store import RunStore
    from pathways_sim.results.outputs import MANIFEST, check_output_dir

    stored = len(RunStore(directory / STORE)) if (directory / STORE).is_dir() else 0
    if not resume and (stored or (directory / MANIFEST).exists()):
        what = "a finished sweep" if (directory / MANIFEST).exists() else "an unfinished sweep"
        raise BadInput(f"output directory: {directory} holds {what} ({stored} run(s) stored); add --resume to run "
                       "only the runs it is missing (then rewrite its results), or choose another directory")
    check_output_dir(directory, overwrite=resume)


def sweep(file: Annotated[str, typer.Argument(help="sweep file (YAML): base scenario, design, replicates")],
          output: OutOption = None,
          workers: Annotated[int, typer.Option(help="worker processes (local), or Dask workers with --scheduler "
                                                    "local")] = 1,
          scheduler: Annotated[str | None, typer.Option(
              metavar="ADDR", help="run on Dask: a scheduler's address (tcp://host:8786), or 'local' for a "
              "cluster on 127.0.0.1", show_default=False)] = None,
          resume: Annotated[bool, typer.Option("--resume", help="finish a sweep in the output directory: run "
                                               "only the runs it is missing")] = False) -> None:
    """Run a parameter sweep (grid, Latin hypercube, Sobol or Morris) with a resumable store of runs."""
    from pathways_sim.experiments.runner import check_resources, people_of
    from pathways_sim.experiments.sweep_files import load_sweep
    from pathways_sim.experiments.sweeps import sweep as run_sweep
    from pathways_sim.results.sweep_outputs import write_sweep

    plan = load_sweep(file)
    executor = _executor(workers, scheduler)
    directory = Path(output_path(output, Path("results") / f"sweep_{plan.name}"))
    _check_directory(directory, resume)
    people = people_of(plan.base.model_kwargs(plan.arm))
    announce(check_resources(people, plan.years, plan.runs, max(workers, 1), force=True))
    out.print(f"{plan.name}: {len(plan.design)} point(s) x {plan.replicates} replicate(s) = {plan.runs} runs of "
              f"{plan.years} year(s), {people:,} people each", soft_wrap=True, markup=False)
    result = with_progress(plan.name, lambda progress: run_sweep(
        plan.base, plan.design, executor=executor, store=directory / STORE, progress=progress,
        **plan.sweep_kwargs()))
    written = write_sweep(directory, result, plan.design, {
        "command": "sweep", "command_line": sys.argv, "sweep_file": str(plan.source), "name": plan.name,
        "base": plan.base.name, "arm": plan.arm, "replicates": plan.replicates, "years": plan.years,
        "seed": plan.seed, "points": len(plan.design), "runs": plan.runs,
        "failed_runs": len(result.failures)})
    failed = len(result.failures)
    if failed:
        err.print(f"warning: {failed} of {plan.runs} runs failed (failures.csv); run again with --resume to retry "
                  "them", soft_wrap=True, markup=False)
    out.print(f"results written to {written} (results.parquet: {result['run_id'].nunique()} runs, "
              f"{len(result):,} rows; design.csv; failures.csv; manifest.json; the runs in {STORE}/)",
              soft_wrap=True, markup=False)


__all__ = ["sweep"]
