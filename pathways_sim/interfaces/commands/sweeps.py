"""``sweep``: run a sweep file into a directory that a killed sweep can be resumed from; ``sensitivity``: analyse
a finished sweep over a Sobol or Morris design."""

from __future__ import annotations

import math
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
    from pathways_sim.experiments.sweep_outputs import write_sweep
    from pathways_sim.experiments.sweeps import sweep as run_sweep

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




def sensitivity(directory: Annotated[str, typer.Argument(help="a sweep's output directory (pathways-sim sweep) "
                                                         "over a Sobol or Morris design")],
                output: OutOption = None,
                outputs: Annotated[list[str] | None, typer.Option(
                    "--output-name", metavar="NAME", help="an output to analyse, e.g. cmd_prevalence_sii or "
                    "healthy_life_expectancy[Q1] (repeatable; default: every gap, SII, RII and HLE by quintile)",
                    show_default=False)] = None,
                year: Annotated[str | None, typer.Option(help="the year analysed (default: the last), or 'mean' "
                                                              "over the years", show_default=False)] = None,
                overwrite: Annotated[bool, typer.Option("--overwrite", help="replace a previous analysis")] = False,
                ) -> None:
    """Sobol indices (S1, ST) or Morris effects (mu*, sigma) of a finished sweep, with 95% intervals, the share
    of each output's variance that is replicate noise, and a tornado chart per output."""
    import pandas as pd

    from pathways_sim.experiments.sensitivity import plot_sensitivity
    from pathways_sim.experiments.sensitivity import sensitivity as analyse
    from pathways_sim.experiments.sweep_outputs import read_sweep
    from pathways_sim.results.outputs import check_output_dir, write_outputs

    results, design, manifest = read_sweep(directory)
    target = Path(output_path(output, Path(directory) / "sensitivity"))
    check_output_dir(target, overwrite=overwrite)
    chosen_year: int | str | None = year
    if year is not None and year != "mean":
        try:
            chosen_year = int(year)
        except ValueError:
            raise BadInput(f"year: a year of the results or 'mean', got {year!r}") from None
    table = analyse(results, design, outputs=outputs or None, year=chosen_year)
    figures = {f"sensitivity_{_file_name(name)}": plot_sensitivity(table, name) for name in table["output"].unique()}
    _print_indices(table)
    noisy = sorted(set(table.loc[table["noise_share"] >= 0.5, "output"]))
    if noisy:
        err.print(f"warning: replicate noise is at least half the variance of {', '.join(noisy)}: their indices "
                  "mostly measure noise; use more people, more replicates or a longer run", soft_wrap=True,
                  markup=False)
    write_outputs(target, pd.DataFrame(table), {
        "command": "sensitivity", "command_line": sys.argv, "sweep": str(directory), "sweep_name": manifest["name"],
        **{key: table.attrs[key] for key in ("method", "year", "conf_level", "resamples", "seed")}},
        figures, tables={"sensitivity": table}, overwrite=overwrite)
    out.print(f"written to {target} (sensitivity.csv, one tornado chart per output, manifest.json)", soft_wrap=True,
              markup=False)


def _file_name(output: str) -> str:
    return "".join(c if c.isalnum() or c in "_-" else "_" for c in output).strip("_")


def _print_indices(table) -> None:
    """The total index (ST, or mu* for Morris) of each parameter on each output, largest first."""
    from pathways_sim.interfaces.console import emit_table

    total = "ST" if table.attrs["method"] == "sobol" else "mu_star"
    first = "S1" if total == "ST" else "sigma"
    rows = []
    for name, block in table.groupby("output", sort=False):
        wide = block.set_index(["parameter", "index"])
        order = block[block["index"] == total].sort_values("value", ascending=False)["parameter"]
        for parameter in order:
            main, other = wide.loc[(parameter, total)], wide.loc[(parameter, first)]
            noise = main["noise_share"]
            rows.append([name, parameter, f"{main['value']:.3f} ({main['low']:.3f} to {main['high']:.3f})",
                         f"{other['value']:.3f}", "n/a" if math.isnan(noise) else f"{noise:.0%}"])
    year = table.attrs["year"]
    emit_table(f"{table.attrs['method']} sensitivity, year {year}: {total} with its 95% interval, largest first; "
               "noise = share of the output's variance between replicates", ["output", "parameter", total, first,
                                                                             "noise"], rows, right=[total, first])


__all__ = ["sensitivity", "sweep"]
