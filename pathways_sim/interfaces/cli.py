"""The ``pathways-sim`` command: run, compare, check and list scenarios.  A thin layer over the Python API.

Exit codes: 0 success, 2 bad input (every problem listed as file:line:column: path: message), 1 a failure
inside the model.
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Simulate psychosocial pathways to health inequalities, and what interventions do to the gap.")
out = Console()
err = Console(stderr=True)

SetOption = Annotated[list[str] | None, typer.Option("--set", help="override a value: a.b=value (repeatable)")]
OutOption = Annotated[Path | None, typer.Option("-o", "--output", help="results directory")]


class BadInput(Exception):
    """Raised for input problems; the message is shown as is and the exit code is 2."""


def _load(path: Path, sets: list[str] | None, replicates: int | None, seed: int | None):
    from pathways_sim.scenarios import ScenarioError, load_scenario

    overrides = list(sets or [])
    if replicates is not None:
        overrides.append(f"replicates={replicates}")
    if seed is not None:
        overrides.append(f"seed={seed}")
    try:
        return load_scenario(path, overrides)
    except ScenarioError as error:
        raise BadInput(str(error)) from None


def _progress() -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("simulated years"), TimeElapsedColumn(), console=err, transient=False)


def _with_progress(label: str, total_years: int, run):
    """Call ``run(on_year)`` under a progress bar counting simulated years."""
    with _progress() as progress:
        task = progress.add_task(label, total=total_years)
        result = run(lambda: progress.advance(task))
        progress.update(task, completed=total_years)
    return result


def _estimate(mean: float, low: float, high: float) -> str:
    digits = 0 if abs(mean) >= 1000 else 2 if abs(mean) >= 1 else 3
    if math.isnan(low):  # a single replicate has no interval
        return f"{mean:,.{digits}f}"
    return f"{mean:,.{digits}f} ({low:,.{digits}f} to {high:,.{digits}f})"


def _print_summary(title: str, frame, row_label: str) -> None:
    """One row per measure, one column per scenario arm: 'mean (low to high)'."""
    arms = list(dict.fromkeys(frame["scenario"]))
    table = Table(title=title, title_justify="left")
    table.add_column(row_label)
    for arm in arms:
        table.add_column(arm, justify="right")
    for measure, block in frame.groupby(row_label, sort=False):
        cells = {r.scenario: _estimate(r.mean, r.low, r.high) for r in block.itertuples()}
        table.add_row(measure, *[cells.get(arm, "") for arm in arms])
    out.print(table)


def _manifest(scenario_list, result, command: str) -> dict:
    return {
        "command": command,
        "command_line": sys.argv,
        "scenarios": [{"name": s.name, "source": str(s.source), "config_hash": s.config_hash()} for s in scenario_list],
        "configuration": {s.name: s.resolved() for s in scenario_list},
        "config_hash": scenario_list[0].config_hash() if len(scenario_list) == 1 else
        "+".join(s.config_hash()[:16] for s in scenario_list),
        "seed": scenario_list[0].seed,
        "replicate_seeds": result.seeds,
        "arms": result.arms,
        "wall_seconds": round(result.wall_seconds, 3),
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def _default_dir(name: str) -> Path:
    return Path("results") / name


@app.command()
def run(scenario: Annotated[Path, typer.Argument(help="scenario YAML file")], output: OutOption = None,
        replicates: Annotated[int | None, typer.Option(help="replicates (overrides the file)")] = None,
        seed: Annotated[int | None, typer.Option(help="seed (overrides the file)")] = None,
        set_: SetOption = None,
        workers: Annotated[int, typer.Option(help="processes to run replicates in")] = 1) -> None:
    """Run a scenario (all its arms, every replicate) and write results, plots, a report and a manifest."""
    from pathways_sim.experiments.runner import run_scenario, summary_table
    from pathways_sim.results import plots
    from pathways_sim.results.outputs import html_report, write_outputs

    spec = _load(scenario, set_, replicates, seed)
    result = _with_progress(spec.name, len(spec.arms) * spec.replicates * spec.years,
                            lambda on_year: run_scenario(spec, workers=workers, on_year=on_year))
    summary = summary_table(result.results)
    _print_summary(f"{spec.name}: final year ({int(result.results.year.max())}), mean (95% interval across "
                   f"{spec.replicates} replicate(s))", summary, "measure")
    figures = {f"outcomes_by_quintile_{arm}": plots.outcomes_by_quintile(result.results, arm) for arm in spec.arms}
    figures["hle_gap_over_time"] = plots.gap_over_time(result.results)
    manifest = _manifest([spec], result, "run")
    report = html_report(f"pathways_sim: {spec.name}", _intro(spec), {"Summary (final year)": summary},
                         _titled(figures), manifest)
    directory = output or _default_dir(spec.name)
    write_outputs(directory, result.results, manifest, figures, report, {"summary": summary})
    out.print(f"results written to [bold]{directory}[/] (results.parquet, summary.csv, plots, report.html, "
              "manifest.json)")


FIGURE_TITLES = {"hle_gap_over_time": "Healthy life expectancy gap (slope index) over time",
                 "equity_impact_plane": "Equity impact plane",
                 "outcomes_by_quintile_": "Outcomes by area deprivation quintile: "}


def _titled(figures: dict) -> dict:
    """The same figures keyed by a heading a reader understands (file names stay short)."""
    titled = {}
    for name, figure in figures.items():
        prefix = next((p for p in FIGURE_TITLES if name.startswith(p)), None)
        title = FIGURE_TITLES[prefix] + name.removeprefix(prefix) if prefix else name.replace("_", " ")
        titled[title] = figure
    return titled


def _intro(spec) -> str:
    return (f"Scenario {spec.name} from {spec.source}: {len(spec.arms)} arm(s), {spec.replicates} replicate(s), "
            f"{spec.years} years, seed {spec.seed}. Groups are numbered from 1 = most deprived; gaps and slope "
            "indices are least minus most deprived.")


@app.command()
def compare(base: Annotated[Path, typer.Argument(help="baseline scenario YAML")],
            alternatives: Annotated[list[Path], typer.Argument(help="scenarios to compare with it")],
            output: OutOption = None,
            replicates: Annotated[int | None, typer.Option(help="replicates (overrides the files)")] = None,
            seed: Annotated[int | None, typer.Option(help="seed (overrides the files)")] = None,
            set_: SetOption = None,
            workers: Annotated[int, typer.Option(help="processes to run replicates in")] = 1) -> None:
    """Run scenarios with common random numbers and report changes against the first, with intervals."""
    from pathways_sim.experiments.runner import comparison_table, equity_impact, run_arms
    from pathways_sim.results import plots
    from pathways_sim.results.outputs import html_report, write_outputs

    specs = [_load(path, set_, replicates, seed) for path in [base, *alternatives]]
    first = specs[0]
    arms = {}
    for spec in specs:
        for name in spec.arms:
            label = spec.name if len(spec.arms) == 1 else f"{spec.name}:{name}"
            if label in arms:
                raise BadInput(f"two arms are both called {label!r}; give the scenarios distinct names")
            arms[label] = spec.model_kwargs(name)
    years = {s.years for s in specs}
    if len(years) > 1:
        raise BadInput(f"scenarios run for different numbers of years ({sorted(years)}); use --set time.years=N")
    base_label = next(iter(arms))
    result = _with_progress("compare", len(arms) * first.replicates * first.years,
                            lambda on_year: run_arms(arms, years=first.years, seed=first.seed,
                                                     replicates=first.replicates, workers=workers, on_year=on_year))
    table = comparison_table(result.results, base_label)
    _print_summary(f"change against {base_label}: final year, paired by replicate, mean (95% interval)", table,
                   "change in")
    impact = equity_impact(result.results, base_label)
    figures = {"equity_impact_plane": plots.equity_impact_plane(impact),
               "hle_gap_over_time": plots.gap_over_time(result.results)}
    manifest = _manifest(specs, result, "compare")
    report = html_report(f"pathways_sim: compare against {base_label}",
                         f"{len(arms)} arms, {first.replicates} replicate(s), {first.years} years, seed {first.seed}; "
                         "changes are paired by replicate (common random numbers).",
                         {"Changes against the baseline": table, "Equity impact (per replicate)": impact},
                         _titled(figures), manifest)
    directory = output or _default_dir("compare_" + "_vs_".join(s.name for s in specs))
    write_outputs(directory, result.results, manifest, figures, report,
                  {"comparison": table, "equity_impact": impact})
    out.print(f"results written to [bold]{directory}[/]")


@app.command()
def check(scenario: Annotated[Path, typer.Argument(help="scenario YAML file")], set_: SetOption = None) -> None:
    """Validate a scenario file without running it."""
    spec = _load(scenario, set_, None, None)
    out.print(f"ok: {scenario} — scenario {spec.name!r}, arms: {', '.join(spec.arms)}, "
              f"{spec.replicates} replicate(s), {spec.years} years, config hash {spec.config_hash()[:12]}")


@app.command(name="list")
def list_(what: Annotated[str, typer.Argument(help="scenarios, interventions, parameters, pathways or all")] = "all"
          ) -> None:
    """List shipped scenarios, intervention kinds, parameters (defaults and ranges) and pathways."""
    from pathways_sim import PARAMETERS, PATHWAYS
    from pathways_sim.interventions import INTERVENTIONS
    from pathways_sim.scenarios import list_shipped_scenarios

    choices = ("scenarios", "interventions", "parameters", "pathways", "all")
    if what not in choices:
        raise BadInput(f"list: unknown topic {what!r}; choose one of {', '.join(choices)}")
    if what in ("scenarios", "all"):
        table = Table(title="shipped scenarios", title_justify="left")
        table.add_column("file")
        table.add_column("what it asks")
        for path in list_shipped_scenarios():
            table.add_row(str(path), _first_comment(path))
        out.print(table)
    if what in ("interventions", "all"):
        table = Table(title="intervention kinds", title_justify="left")
        table.add_column("kind")
        table.add_column("fields (default)")
        for kind, cls in INTERVENTIONS.items():
            fields = [f"{name}={info.default!r}" for name, info in cls.Config.model_fields.items()
                      if name not in ("kind", "targeting", "uptake") and info.default is not None]
            table.add_row(kind, ", ".join(fields))
        out.print(table)
    if what in ("parameters", "all"):
        table = Table(title="parameters", title_justify="left")
        for column in ("name", "default", "unit", "plausible", "allowed"):
            table.add_column(column)
        for name, p in PARAMETERS.items():
            table.add_row(name, f"{p.default:g}", p.unit, f"{p.plausible[0]:g}-{p.plausible[1]:g}",
                          f"{p.bounds[0]:g}-{p.bounds[1]:g}")
        out.print(table)
    if what in ("pathways", "all"):
        table = Table(title="pathways (switch off with pathways_off)", title_justify="left")
        for column in ("name", "source -> target", "sign", "loops"):
            table.add_column(column)
        for name, pw in PATHWAYS.items():
            table.add_row(name, f"{', '.join(pw.sources)} -> {pw.target}", "+" if pw.sign > 0 else "-",
                          ", ".join(pw.loops))
        out.print(table)


@app.command(name="validate-model")
def validate_model_command(
        people: Annotated[int, typer.Option(help="population size")] = 100_000,
        years: Annotated[int, typer.Option(help="years simulated before comparing")] = 10,
        replicates: Annotated[int, typer.Option(help="replicates")] = 2,
        seed: Annotated[int, typer.Option(help="seed")] = 2025) -> None:
    """Compare the default model with published figures not used in calibration."""
    from pathways_sim.analysis.validation import validate_model

    if people < 50 or years < 1 or replicates < 1:
        raise BadInput("validate-model: --people must be at least 50, --years and --replicates at least 1")
    table = validate_model(people=people, years=years, replicates=replicates, seed=seed)
    shown = Table(title=f"validation: {people:,} people, {years} years, {replicates} replicate(s)", title_justify="left")
    for column in ("figure", "published", "model (95% interval)", "tolerance", "inside", "source"):
        shown.add_column(column)
    for row in table.itertuples():
        shown.add_row(row.figure, f"{row.published:g} {row.unit}", _estimate(row.model, row.low, row.high),
                      f"±{row.tolerance:g}", "yes" if row.inside else "[red]no[/]", row.source)
    out.print(shown)


def _first_comment(path: Path) -> str:
    for line in path.read_text().splitlines():
        text = line.lstrip("# ").strip()
        if line.startswith("#") and text and not text.startswith("yaml-language-server"):
            return text
    return ""


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the typer app and map outcomes to exit codes (0 ok, 2 bad input, 1 failure)."""
    from pathways_sim.declarations.declare import ParameterError

    try:
        returned = app(args=argv, standalone_mode=False)
        if isinstance(returned, int) and returned:  # e.g. 1 after Ctrl-C, which the parser turns into an abort
            err.print("aborted: the output directory has no manifest, so it does not look complete")
            return returned
    except (BadInput, ParameterError) as problem:
        err.print(f"[red]error:[/] {problem}", highlight=False, soft_wrap=True)
        return 2
    except typer.Exit as done:
        return done.exit_code
    except Exception as problem:  # noqa: BLE001 - the command line must never end in a traceback
        # Usage errors (missing argument, unknown option or command) know how to show themselves and carry
        # exit code 2; duck-typed, because typer has moved between bundling and depending on click.
        if hasattr(problem, "show") and isinstance(getattr(problem, "exit_code", None), int):
            problem.show()
            return problem.exit_code
        if type(problem).__name__ == "Abort":  # Ctrl-C, turned into Abort by the command-line parser
            err.print("aborted: the output directory has no manifest, so it does not look complete")
            return 1
        err.print(f"[red]internal error:[/] {type(problem).__name__}: {problem}", highlight=False)
        return 1
    return 0
