"""``run`` and ``compare``: parse the arguments, check the output directory and the resources, then call the
experiment layer (``run_scenario``, ``compare_scenarios``) and save what it returns."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from pathways_sim.interfaces.commands.options import (
    ForceOption,
    OutOption,
    OverwriteOption,
    ReplicatesOption,
    SeedOption,
    SetOption,
    WorkersOption,
    output_path,
)
from pathways_sim.interfaces.console import (
    BadInput,
    announce,
    emit_table,
    err,
    estimate_text,
    out,
    print_summary,
    with_progress,
)

DiscountOption = Annotated[float | None, typer.Option(
    "--discount-rate", metavar="RATE", show_default=False,
    help="annual discount rate for costs and health in the economics (default 0.035, NICE)")]
ThresholdOption = Annotated[float | None, typer.Option(
    "--threshold", metavar="GBP", show_default=False,
    help="cost-effectiveness threshold per QALY for the health opportunity cost (default 20000; NICE: "
    "20,000-30,000)")]
AversionOption = Annotated[float | None, typer.Option(
    "--inequality-aversion", metavar="EPSILON", show_default=False,
    help="Atkinson inequality aversion of the equity-weighted welfare (default 10.95, Robson et al. 2017)")]


FollowUpOption = Annotated[int, typer.Option(
    "--follow-up", metavar="YEARS",
    help="run every arm YEARS more with its interventions ended and count the QALYs and healthy years of the "
    "cohort alive at the start until then (e.g. 80 for a lifetime horizon); outcomes are still read at the "
    "interventions' end")]


def _economics(discount_rate: float | None, threshold: float | None, aversion: float | None) -> dict[str, float]:
    from pathways_sim.experiments.runner import economic_settings

    given = {"discount_rate": discount_rate, "threshold": threshold, "inequality_aversion": aversion}
    return economic_settings({k: v for k, v in given.items() if v is not None})


def _print_comparison(result) -> None:  # result: a RunResult or ComparisonResult with arms to compare
    """The findings in sentences, then each arm's changes: change (95% interval), per 100,000 people, reading."""
    from pathways_sim.results.readable import readable_changes

    shown = readable_changes(result.comparison)
    for arm in dict.fromkeys(shown["arm"]):
        rows = shown[shown["arm"] == arm]
        emit_table(f"change against {result.base_arm}: {arm} (paired by replicate; final year for outcomes, "
                   "totals over the run for QALYs and costs)",
                   ["change in", "unit", "change (95% interval)", "per 100,000 people", "reading"],
                   [[r["outcome"], r["unit"], r["change (95% interval)"], r["change per 100,000 people"], r["reading"]]
                    for _, r in rows.iterrows()], right=["change (95% interval)", "per 100,000 people"])
    for note in result.comparison.attrs.get("conventions", []):
        out.print(f"how to read: {note}", soft_wrap=True, markup=False)
    for sentence in result.findings():
        out.print(f"in short: {sentence}", soft_wrap=True, markup=False)


def _save(result, directory, overwrite: bool) -> Path:
    try:
        return result.save(directory, overwrite=overwrite, command_line=sys.argv)
    except OSError as error:
        raise BadInput(f"cannot write the results to {directory}: {error.strerror or error}") from None


def _preflight(directory, overwrite: bool, people: int, years: int, runs: int, workers: int, force: bool) -> None:
    from pathways_sim.experiments.runner import check_resources
    from pathways_sim.results.outputs import check_output_dir

    check_output_dir(directory, overwrite=overwrite)
    announce(check_resources(people, years, runs, workers, force=force))


def run(scenario: Annotated[str, typer.Argument(help="scenario YAML file, or a shipped scenario's name")],
        output: OutOption = None, replicates: ReplicatesOption = None, seed: SeedOption = None,
        set_: SetOption = None, workers: WorkersOption = 1, overwrite: OverwriteOption = False,
        force: ForceOption = False, discount_rate: DiscountOption = None, threshold: ThresholdOption = None,
        inequality_aversion: AversionOption = None, follow_up: FollowUpOption = 0) -> None:
    """Run a scenario (all its arms, every replicate) and write results, plots, a report and a manifest; a
    scenario of several arms is compared arm against arm (each with the first), as compare does."""
    from pathways_sim.experiments.parallel import check_workers
    from pathways_sim.experiments.runner import check_follow_up, load, people_of, run_scenario

    check_workers(workers)
    settings = _economics(discount_rate, threshold, inequality_aversion)
    spec = load(scenario, set_ or [], replicates=replicates, seed=seed)
    directory = output_path(output, Path("results") / spec.name)
    check_follow_up(follow_up)
    _preflight(directory, overwrite, max(people_of(spec.model_kwargs(a)) for a in spec.arms),
               spec.years + follow_up, len(spec.arms) * spec.replicates, workers, force)
    result = with_progress(spec.name, lambda progress: run_scenario(spec, workers=workers, progress=progress,
                                                                    force=True, economics=settings,
                                                                    follow_up=follow_up))
    print_summary(f"{spec.name}: final year ({int(result.results.year.max())}), mean (95% interval across "
                  f"{spec.replicates} replicate(s); none from fewer than 5)", result.summary, "measure")
    if len(result.arms) > 1:
        _print_comparison(result)
    _print_resolution_notes(result.intervention_years())
    written = _save(result, directory, overwrite)
    compared = ("comparison.csv, dcea_by_quintile.csv, equity_welfare.csv, equity_impact.csv, "
                if len(result.arms) > 1 else "")
    out.print(f"results written to {written} (results.parquet, summary.csv, {compared}plots, report.html, "
              "manifest.json)", soft_wrap=True, markup=False)


def compare(base: Annotated[str, typer.Argument(help="baseline scenario (YAML file or shipped name)")],
            alternatives: Annotated[list[str], typer.Argument(help="scenarios to compare with it")],
            output: OutOption = None, replicates: ReplicatesOption = None, seed: SeedOption = None,
            set_: SetOption = None, workers: WorkersOption = 1, overwrite: OverwriteOption = False,
            force: ForceOption = False,
            allow_differences: Annotated[bool, typer.Option(
                "--allow-differences", help="compare scenarios that differ in population, step, seed or replicates "
                "(the base's seed and replicates are used)")] = False,
            psa: Annotated[int | None, typer.Option(
                "--psa", metavar="N", show_default=False,
                help="also run a probabilistic sensitivity analysis: every arm at N parameter draws (same seeds), "
                "from the shipped calibration posterior unless --psa-source says otherwise, writing psa.csv, "
                "psa_probabilities.csv, ceac.csv and ceac.png")] = None,
            psa_source: Annotated[str, typer.Option(
                "--psa-source", metavar="posterior|ranges|FILE",
                help="where PSA draws come from: the shipped calibration posterior (resampled by weight), a Latin "
                "hypercube over the declared plausible ranges, or another posterior file")] = "posterior",
            psa_replicates: Annotated[int | None, typer.Option(
                "--psa-replicates", show_default=False,
                help="replicates per parameter draw (default: the comparison's replicates)")] = None,
            discount_rate: DiscountOption = None, threshold: ThresholdOption = None,
            inequality_aversion: AversionOption = None, follow_up: FollowUpOption = 0) -> None:
    """Run scenarios with common random numbers and report changes against the first, with intervals."""
    from pathways_sim.experiments.compare import compare_scenarios, pair_arms
    from pathways_sim.experiments.parallel import check_workers
    from pathways_sim.experiments.runner import check_follow_up, load, people_of

    check_workers(workers)
    settings = _economics(discount_rate, threshold, inequality_aversion)
    check_follow_up(follow_up)
    if psa is not None:
        from pathways_sim.experiments.psa import SMALL_DRAWS, check_draws

        check_draws(psa)
        if psa < SMALL_DRAWS:
            err.print(f"warning: --psa {psa}: with fewer than {SMALL_DRAWS} parameter draws the probabilities are "
                      "coarse (they move in large steps); use more draws for conclusions", soft_wrap=True,
                      markup=False)
    specs = [load(s, set_ or [], replicates=replicates, seed=seed) for s in [base, *alternatives]]
    arms = pair_arms(specs, allow_differences=allow_differences)
    out.print(f"paired by replicate with seed {specs[0].seed} and {specs[0].replicates} replicate(s) "
              f"(from {specs[0].name})", soft_wrap=True, markup=False)
    directory = output_path(output, Path("results") / ("compare_" + "_vs_".join(s.name for s in specs)))
    first = specs[0]
    psa_runs = len(arms) * (psa or 0) * (first.replicates if psa_replicates is None else psa_replicates)
    _preflight(directory, overwrite, max(people_of(kwargs) for kwargs in arms.values()), first.years + follow_up,
               len(arms) * first.replicates + psa_runs, workers, force)
    result = with_progress("compare", lambda progress: compare_scenarios(
        specs[0], specs[1:], workers=workers, progress=progress, force=True, allow_differences=allow_differences,
        psa=psa, psa_replicates=psa_replicates, economics=settings, follow_up=follow_up, psa_source=psa_source))
    _print_comparison(result)
    _print_resolution_notes(result.intervention_years())
    if result.psa is not None:
        _print_psa(result.psa)
    written = _save(result, directory, overwrite)
    psa_files = "psa.csv, psa_probabilities.csv, ceac.csv, ceac.png, " if result.psa is not None else ""
    out.print(f"results written to {written} (results.parquet, comparison.csv, dcea_by_quintile.csv, "
              f"equity_welfare.csv, equity_impact.csv, {psa_files}plots, report.html, manifest.json)",
              soft_wrap=True, markup=False)


def _print_psa(psa) -> None:  # psa: a PSAResult
    """The PSA's probabilities as sentences, what they cover, and its notes."""
    found = psa.probabilities()
    emit_table("probabilistic sensitivity analysis: in how many parameter draws (x replicates)",
               ["statement", "probability"],
               [[row.statement, "\N{EN DASH}" if row.pairs == 0 else f"{row.probability:.0%}"]
                for row in found.itertuples()], right=["probability"])
    out.print(psa.caveat(), soft_wrap=True, markup=False)
    for note in found.attrs.get("notes", []):
        err.print(f"note: {note}", soft_wrap=True, markup=False)
    if len(psa.failures):
        err.print(f"warning: {len(psa.failures)} PSA run(s) failed; they are left out of the probabilities",
                  soft_wrap=True, markup=False)


def decompose(base: Annotated[str, typer.Argument(help="baseline scenario (YAML file or shipped name)")],
              alternative: Annotated[str, typer.Argument(help="the scenario whose effect is decomposed")],
              pathway: Annotated[list[str] | None, typer.Option(
                  "--pathway", "-p", metavar="NAME", show_default=False,
                  help="a pathway or loop to switch off (repeatable; default every feedback loop)")] = None,
              metric: Annotated[list[str] | None, typer.Option(
                  "--metric", metavar="METRIC", show_default=False,
                  help="gap or slope index to decompose (repeatable; default healthy_life_expectancy_gap)")] = None,
              output: OutOption = None, replicates: ReplicatesOption = None, seed: SeedOption = None,
              set_: SetOption = None, workers: WorkersOption = 1, overwrite: OverwriteOption = False,
              force: ForceOption = False) -> None:
    """Share of an intervention's effect on a gap that runs through each feedback loop or pathway (each switched
    off in turn in both arms, with common random numbers)."""
    from pathways_sim.experiments.decomposition import DEFAULT_METRICS, check_choices
    from pathways_sim.experiments.decomposition import decompose as run_decomposition
    from pathways_sim.experiments.parallel import check_workers
    from pathways_sim.experiments.runner import load, people_of

    check_workers(workers)
    names, metrics = check_choices(pathway or None, metric or DEFAULT_METRICS)
    specs = [load(s, set_ or [], replicates=replicates, seed=seed) for s in (base, alternative)]
    directory = output_path(output, Path("results") / f"decompose_{specs[0].name}_vs_{specs[1].name}")
    _preflight(directory, overwrite, max(people_of(s.model_kwargs()) for s in specs), specs[0].years,
               2 * (1 + len(names)) * specs[0].replicates, workers, force)
    table = with_progress("decompose", lambda progress: run_decomposition(
        specs[0], specs[1], pathways=names, metrics=metrics, replicates=specs[0].replicates, workers=workers,
        progress=progress, force=True))
    for name in metrics:
        rows = table[table["metric"] == name]
        emit_table(f"{name}: effect of {specs[1].name} against {specs[0].name} (final year) and the share through "
                   f"each, mean (95% interval across {specs[0].replicates} replicates)",
                   ["switched off", "effect", "share", "note"],
                   [[r.switched_off, estimate_text(r.effect, r.effect_low, r.effect_high),
                     estimate_text(r.share, r.share_low, r.share_high), r.note] for r in rows.itertuples()],
                   right=["effect", "share"])
    written = _save_decomposition(table, directory, overwrite, metrics)
    out.print(f"results written to {written} (decomposition.csv, decomposition_<metric>.png, manifest.json)",
              soft_wrap=True, markup=False)


def _save_decomposition(table, directory, overwrite: bool, metrics: list[str]) -> Path:
    from pathways_sim.experiments.decomposition import plot_decomposition
    from pathways_sim.results.outputs import write_outputs

    manifest = {"command": "decompose", "command_line": sys.argv, **{k: v for k, v in table.attrs.items()}}
    figures = {f"decomposition_{name}": plot_decomposition(table, name) for name in metrics}
    try:
        write_outputs(directory, table, manifest, figures, None, {"decomposition": table}, overwrite=overwrite)
    except OSError as error:
        raise BadInput(f"cannot write the results to {directory}: {error.strerror or error}") from None
    return Path(directory)


def _print_resolution_notes(results) -> None:  # results: a DataFrame
    """Say when the run was too small to resolve what the tables report: groups without a life table, area
    groups of a few areas (first replicate, final year), and too few replicates for the intervals."""
    from pathways_sim.results.tables import run_resolution_notes

    for note in run_resolution_notes(results):
        err.print(f"note: {note}", soft_wrap=True, markup=False)


__all__ = ["compare", "decompose", "err", "run"]
