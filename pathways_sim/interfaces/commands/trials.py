"""``trials``: every intervention run as the study its defaults claim, beside the published estimate."""

from __future__ import annotations

import math
from typing import Annotated

import typer

from pathways_sim.interfaces.console import BadInput, emit_table, err


def _estimate(value: float, low: float, high: float) -> str:
    if math.isnan(value):
        return "no published estimate"
    text = f"{value:.3g}"
    return text if math.isnan(low) else f"{text} ({low:.3g} to {high:.3g})"


KindOption = Annotated[list[str] | None, typer.Option("--kind", metavar="KIND",
                                                     help="an intervention kind (repeatable; default: all)")]


def trials(kind: KindOption = None,
           replicates: Annotated[int, typer.Option(help="worlds per trial (individual trials pool their "
                                                        "recruits)")] = 3,
           people: Annotated[int, typer.Option(help="population of each world")] = 6_000,
           seed: Annotated[int, typer.Option(help="seed")] = 2025) -> None:
    """Run each intervention as an in-silico trial of the study its defaults claim, and compare.

    For every kind: the study's population randomised to the programme (full uptake) or usual care — or, for
    area programmes, the place against itself without it — the outcome at the study's follow-up, the model's
    estimate and 95% interval beside the published one, and whether it falls inside.
    """
    from pathways_sim import Parameters
    from pathways_sim.analysis.trials import run_trial, select_trials

    if replicates < 1:
        raise BadInput(f"replicates: must be at least 1, got {replicates}")
    Parameters(population_size=people)  # a bad size is reported before anything runs
    try:
        chosen = select_trials(kind or [])
    except ValueError as problem:
        raise BadInput(f"kind: {problem}") from None
    rows = []
    for trial in chosen:
        if trial.design is not None and err.is_terminal:
            err.print(f"running {trial.name} ...", soft_wrap=True, markup=False, style="dim")
        result = run_trial(trial, people=people, replicates=replicates, seed=seed)
        p, m = trial.published, result.model
        published = _estimate(math.nan, math.nan, math.nan) if p is None else _estimate(p.estimate, p.low, p.high)
        model = "not run (no design)" if m is None else _estimate(m.estimate, m.low, m.high)
        inside = {True: "yes", False: "NO", None: "-"}[result.inside]
        follow_up = "-" if trial.design is None else f"{trial.follow_up_years:g} y"
        rows.append([trial.name, trial.source, trial.outcome, follow_up, published, model, inside, trial.note])
    emit_table(f"in-silico trials: {people:,} people a world, {replicates} world(s) each, seed {seed}",
               ["trial", "source", "outcome", "follow-up", "published (95% CI)", "model (95% interval)", "inside",
                "note"], rows)
