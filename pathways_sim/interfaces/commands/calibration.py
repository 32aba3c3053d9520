"""``calibrate``: history-match the model to published targets; write the accepted sets, their manifest and a fit
report to files the user names (never into the installed package); resumable from its run store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pathways_sim.interfaces.console import BadInput, err, out


def _paths(output: str, store: str | None, report: str | None) -> tuple[Path, Path, Path]:
    """The posterior file, the run store and the report directory; BadInput for an unusable one."""
    from pathways_sim.results.outputs import PACKAGE_DIR, inside_package

    if not output.strip():
        raise BadInput("output: the path is empty; name a file, e.g. --output posterior.parquet")
    path = Path(output)
    if path.suffix.lower() not in (".parquet", ".csv"):
        raise BadInput(f"output: {path} must end in .parquet or .csv (the accepted parameter sets)")
    store_dir = Path(store) if store else path.with_name(f"{path.stem}_runs")
    report_dir = Path(report) if report else path.with_name(f"{path.stem}_report")
    for what, where in (("output", path), ("store", store_dir), ("report", report_dir)):
        if inside_package(where):
            raise BadInput(f"{what}: {where} is inside the installed package ({PACKAGE_DIR}); write the calibration "
                           "elsewhere (default ./posterior.parquet) and copy it into a source checkout deliberately")
    if not path.absolute().parent.is_dir():
        raise BadInput(f"output: folder {path.parent} does not exist")
    if path.is_dir():
        raise BadInput(f"output: {path} is a directory; name a file")
    if store_dir.exists() and not store_dir.is_dir():
        raise BadInput(f"store: {store_dir} is a file, not a directory")
    return path, store_dir, report_dir


def _defaults_path(defaults: str | None) -> Path | None:
    """Where ``--defaults`` goes; BadInput for an unusable place (before any run)."""
    from pathways_sim.results.outputs import PACKAGE_DIR, inside_package

    if defaults is None:
        return None
    path = Path(defaults)
    if path.suffix.lower() != ".json":
        raise BadInput(f"defaults: {path} must end in .json (calibrated defaults, as data/calibrated.json)")
    if inside_package(path):
        raise BadInput(f"defaults: {path} is inside the installed package ({PACKAGE_DIR}); write it elsewhere and "
                       "copy it into a source checkout deliberately")
    if not path.absolute().parent.is_dir():
        raise BadInput(f"defaults: folder {path.parent} does not exist")
    return path


def _write_defaults(result, path: Path) -> bool:  # result: a Calibration
    """Write the central values as calibrated defaults, unless nothing was accepted (then False)."""
    import json

    from pathways_sim.analysis import calibration

    shipped = calibration.DEFAULT_OUTPUT
    previous = json.loads(shipped.read_text(encoding="utf-8")) if shipped.exists() else None
    if result.accepted.empty:
        return False
    calibration.write_defaults(result, path, previous)
    return True


def calibrate(targets: Annotated[str | None, typer.Argument(metavar="TARGETS.csv", show_default=False,
                                                            help="targets file (default: the shipped England "
                                                                 "targets)")] = None,
              people: Annotated[int, typer.Option(help="population of each run")] = 100_000,
              years: Annotated[int | None, typer.Option(help="years simulated per run (default and minimum: "
                                                             "the calibration's minimum, 10)",
                                                        show_default=False)] = None,
              replicates: Annotated[int, typer.Option(help="seeds per candidate (common random numbers)")] = 2,
              seed: Annotated[int, typer.Option(help="first seed; replicates use seed, seed+1, ...; also seeds "
                                                     "the designs")] = 2025,
              waves: Annotated[int, typer.Option(help="history-matching waves")] = 3,
              runs_per_wave: Annotated[int, typer.Option("--runs-per-wave", help="candidates run per wave")] = 40,
              cutoff: Annotated[float, typer.Option(help="implausibility cut-off, in standard deviations")] = 3.0,
              output: Annotated[str, typer.Option("--output", "-o", metavar="PATH",
                                                  help="the accepted parameter sets (.parquet or .csv); the "
                                                       "manifest is written beside it (.json)")] = "posterior.parquet",
              store: Annotated[str | None, typer.Option(metavar="DIR", help="the run store; running the same "
                                                        "command again runs only the runs it lacks (default: "
                                                        "OUTPUT's name + _runs)", show_default=False)] = None,
              report: Annotated[str | None, typer.Option(metavar="DIR", help="the fit report (default: OUTPUT's "
                                                         "name + _report)", show_default=False)] = None,
              defaults: Annotated[str | None, typer.Option(
                  metavar="FILE.json", show_default=False,
                  help="also write the accepted sets' central values as calibrated defaults (the format of the "
                       "package's data/calibrated.json, the parameters not freed kept at its values), to copy "
                       "into a source checkout to ship")] = None,
              free: Annotated[list[str] | None, typer.Option(
                  "--free", metavar="PARAMETER",
                  help="a parameter to fit (repeatable, or several after one --free; default: the fourteen "
                       "calibrated parameters)")] = None,
              hold_out: Annotated[list[str] | None, typer.Option(
                  "--hold-out", metavar="TARGET", help="a target to leave out of the fit and report separately "
                                                       "(repeatable)")] = None,
              workers: Annotated[int, typer.Option(help="worker processes (local), or Dask workers with "
                                                        "--scheduler local")] = 1,
              scheduler: Annotated[str | None, typer.Option(
                  metavar="ADDR", help="run on Dask: a scheduler's address (tcp://host:8786), or 'local'",
                  show_default=False)] = None) -> None:
    """History-match the calibrated parameters to published targets: accepted, weighted parameter sets.

    Writes --output (default ./posterior.parquet), its manifest (posterior.json) and a fit report
    (posterior_report/), never into the installed package.  Stopped, it resumes: run the same command again.
    """
    from pathways_sim import Parameters
    from pathways_sim.analysis import calibration
    from pathways_sim.interfaces.commands.sweeps import _executor

    if replicates < 1:
        raise BadInput(f"replicates: must be at least 1, got {replicates}")
    if seed < 0:
        raise BadInput(f"seed: must be a non-negative integer, got {seed}")
    path, store_dir, report_dir = _paths(output, store, report)
    defaults_path = _defaults_path(defaults)
    Parameters(population_size=people)  # a bad size is reported before any work
    executor = _executor(workers, scheduler)
    n_years = calibration.MIN_YEARS if years is None else years
    result = calibration.calibrate(
        targets or calibration.DEFAULT_TARGETS, list(free or calibration.FREE_PARAMETERS),
        hold_out=list(hold_out or []), seeds=[seed + i for i in range(replicates)], population_size=people,
        years=n_years, waves=waves, runs_per_wave=runs_per_wave, cutoff=cutoff, seed=seed, executor=executor,
        store=store_dir, progress=lambda line: err.print(f"  {line}", soft_wrap=True, markup=False))
    try:
        written = calibration.write_posterior(result, path)
        calibration.write_fit_report(result, report_dir)
        wrote_defaults = defaults_path is not None and _write_defaults(result, defaults_path)
    except OSError as error:
        raise BadInput(f"output: cannot write {path}: {error.strerror or error}") from None
    _print(result, written, report_dir)
    if wrote_defaults:
        out.print(f"calibrated defaults (the central values): {defaults_path}", soft_wrap=True, markup=False)
    elif defaults_path is not None:
        err.print(f"defaults: nothing accepted, so no calibrated defaults were written to {defaults_path}",
                  soft_wrap=True, markup=False)


def _print(result, written: Path, report_dir: Path) -> None:  # result: a Calibration
    fit = result.predictive()
    shown = fit[fit["role"] != "not estimable at this size"].copy()
    shown["within"] = shown["within"].map({True: "yes", False: "NO"})
    lines = [f"pathways_sim calibration (history matching): {result.population_size:,} people, {result.years} "
             f"years, seeds {result.seeds}, {result.match.runs} points in {len(result.match.waves)} wave(s); "
             f"{result.runs_ran} runs made, {result.runs_reused} from the store; {len(result.accepted)} accepted "
             f"sets (effective sample size {result.effective_sample_size:.1f})",
             *[f"note: {note}" for note in result.notes],
             "", "parameters (weighted median and 95% interval of the accepted sets; plausible range):"]
    for row in result.intervals().itertuples():
        lines.append(f"  {row.parameter:40s} {row.median:<10.4g} ({row.low:.4g} to {row.high:.4g}) "
                     f"[{row.plausible_low:g}, {row.plausible_high:g}]")
    lines += ["", "targets (posterior predictive median and 95% interval against the published value):",
              shown[["label", "role", "published", "tolerance", "low", "median", "high", "within"]]
              .round(3).to_string(index=False)]
    missing = fit[fit["role"] == "not estimable at this size"]
    if len(missing):
        lines.append(f"not estimable at {result.population_size:,} people (too few deaths or people), so not "
                     f"fitted: {len(missing)} target value(s), e.g. {missing['label'].iloc[0]}")
    held = shown[shown["role"] == "held out"]
    if len(held):
        lines.append(f"held out (not fitted): {(held['within'] == 'yes').sum()} of {len(held)} within tolerance")
    lines += ["", f"written: {written} and {written.with_suffix('.json')}; fit report in {report_dir}"]
    out.file.write("\n".join(lines) + "\n")
