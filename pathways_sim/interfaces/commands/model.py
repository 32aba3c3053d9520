"""The main job (``pathways-sim`` with no command) and ``validate-model``."""

from __future__ import annotations

from typing import Annotated

import typer

from pathways_sim.interfaces.commands.options import ForceOption, OffLoopOption, loop_names, whole_years
from pathways_sim.interfaces.console import (
    BadInput,
    announce,
    emit_table,
    err,
    estimate_text,
    out,
    with_progress,
)

GROUPINGS = ("area_deprivation_quintile", "area_deprivation_decile", "income_quintile")
MAIN_JOB_OPTIONS = ("people", "years", "seed", "grouping", "off", "off_loop", "force")


def main_job(ctx: typer.Context,
             people: Annotated[int, typer.Option(help="population size")] = 50_000,
             years: Annotated[str, typer.Option(help="years to simulate (a whole number)")] = "20",
             seed: Annotated[int, typer.Option(help="random seed")] = 2025,
             grouping: Annotated[str, typer.Option(help=", ".join(GROUPINGS))] = "area_deprivation_quintile",
             off: Annotated[list[str] | None, typer.Option("--off", metavar="PATHWAY|LOOP",
                                                           help="switch a pathway off, or a feedback loop by "
                                                                "name (cuts its feedback link); repeatable")] = None,
             off_loop: OffLoopOption = None,
             force: ForceOption = False) -> None:
    """Simulate psychosocial pathways to health inequalities, and what interventions do to the gap.

    Without a command: simulate a population (50,000 people for 20 years by default) and print the health-gap
    table by area deprivation quintile (1 = most deprived).
    """
    if ctx.invoked_subcommand is not None:
        sources = {name: ctx.get_parameter_source(name) for name in MAIN_JOB_OPTIONS}
        given = [f"--{name.replace('_', '-')}" for name, source in sources.items()
                 if source is not None and source.name != "DEFAULT"]
        if given:
            raise BadInput(f"{', '.join(given)}: options of the main job; give them without a command, or after "
                           f"the command '{ctx.invoked_subcommand}' where it has them")
        return
    from pathways_sim.experiments.runner import simulate

    n_years = whole_years(years)
    switched_off = [*(off or []), *loop_names(off_loop)]
    if grouping not in GROUPINGS:
        raise BadInput(f"grouping: unknown grouping {grouping!r}; choose one of {', '.join(GROUPINGS)}")
    from pathways_sim import Parameters
    from pathways_sim.experiments.runner import check_resources

    Parameters(population_size=people)  # a bad size is reported before anything is estimated or built
    announce(check_resources(people, n_years, 1, 1, force=force))
    model = with_progress("simulating", lambda progress: simulate(people, n_years, seed, switched_off,
                                                                  progress=progress, force=True))
    table = model.health_gap_table(grouping=grouping)
    out.print(f"pathways_sim: {people:,} people, {n_years} years, seed {seed}; "
              f"LE/HLE in years from {model.collector.window_years}-year period life tables",
              soft_wrap=True, markup=False)
    out.file.write(table.round(2).to_string() + "\n")
    for note in table.attrs.get("notes", []):
        err.print(f"note: {note}", soft_wrap=True, markup=False)


def validate_model(people: Annotated[int, typer.Option(help="population size")] = 100_000,
                   years: Annotated[str, typer.Option(help="years simulated before comparing")] = "10",
                   replicates: Annotated[int, typer.Option(help="replicates")] = 2,
                   seed: Annotated[int, typer.Option(help="seed")] = 2025,
                   force: ForceOption = False) -> None:
    """Compare the default model with published figures not used in calibration."""
    from pathways_sim import Parameters
    from pathways_sim.analysis.validation import validate_model as validate
    from pathways_sim.experiments.runner import check_resources

    n_years = whole_years(years)
    if replicates < 1:
        raise BadInput(f"replicates: must be at least 1, got {replicates}")
    Parameters(population_size=people)
    announce(check_resources(people, n_years, replicates, 1, force=force))
    table = with_progress("validate-model", lambda progress: validate(
        people=people, years=n_years, replicates=replicates, seed=seed, progress=progress))
    emit_table(f"validation: {people:,} people, {n_years} years, {replicates} replicate(s)",
               ["figure", "published", "model (95% interval)", "tolerance", "inside", "source"],
               [[row.figure, f"{row.published:g} {row.unit}", estimate_text(row.model, row.low, row.high),
                 f"±{row.tolerance:g}", "yes" if row.inside else "NO", row.source]
                for row in table.itertuples()])
