"""Several scenarios run together with the same seeds and compared with the first, paired by replicate.

    result = compare_scenarios("baseline", ["peer_support", "early_years"], ["population.size=5000"])
    result.comparison      # each arm minus the base: outcomes, gaps (narrowed / widened), discounted QALYs, cost,
                           # net health benefit, cost per QALY and per healthy life year (or dominant / dominated)
    result.dcea            # distributional cost-effectiveness by area deprivation quintile
    result.welfare         # change in inequality and equity-weighted social welfare (Atkinson)
    result.save("cmp")     # results.parquet, comparison.csv, dcea_by_quintile.csv, equity_welfare.csv,
                           # equity_impact.csv, plots, report, manifest

With ``psa=N`` the same arms are also run at N parameter draws (``pathways_sim.experiments.psa``): the
result's ``psa`` holds the probabilities and the cost-effectiveness acceptability curve, and ``save`` adds
psa.csv, psa_probabilities.csv, ceac.csv and ceac.png.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pathways_sim.experiments.errors import ExperimentError
from pathways_sim.experiments.progress import Progress
from pathways_sim.experiments.result import ComparisonResult
from pathways_sim.experiments.runner import (
    check_follow_up,
    economic_settings,
    load,
    replicate_seeds,
    run_arms,
)

# What must be equal for arms to be compared replicate by replicate: a different population, step, seed or number
# of replicates makes the "change" partly the difference in set-up, not in intervention.
COMPARABLE = {"population size": lambda s: s.parameters["population_size"],
              "people per area": lambda s: s.parameters["people_per_area"],
              "step length (months)": lambda s: s.parameters["step_months"],
              "start year": lambda s: s.parameters["start_year"],
              "burn-in (years)": lambda s: s.parameters["burn_in_years"],
              "seed": lambda s: s.seed, "replicates": lambda s: s.replicates}


def differences(specs: Sequence[Any]) -> list[str]:
    """What differs between the scenarios in the settings a paired comparison needs equal."""
    found = []
    for what, read in COMPARABLE.items():
        values = [read(s) for s in specs]
        if len(set(values)) > 1:
            found.append(f"{what}: " + ", ".join(f"{s.name} {v}" for s, v in zip(specs, values, strict=True)))
    return found


def pair_arms(specs: Sequence[Any], *, allow_differences: bool = False) -> dict[str, dict[str, Any]]:
    """Every arm of every scenario, labelled ``scenario`` (one arm) or ``scenario:arm``; the first is the base.
    Scenarios that differ in population, step length, seed or replicates are refused unless
    ``allow_differences`` (then the base's seed and replicates are used for all)."""
    found = differences(specs)
    if found and not allow_differences:
        raise ExperimentError("these scenarios are not comparable replicate by replicate: " + "; ".join(found)
                              + ". Make them equal (e.g. --set population.size=N, --seed S, --replicates R), or "
                              "ask for it explicitly with --allow-differences")
    arms: dict[str, dict[str, Any]] = {}
    for spec in specs:
        for name in spec.arms:
            label = spec.name if len(spec.arms) == 1 else f"{spec.name}:{name}"
            if label in arms:
                raise ExperimentError(f"two arms are both called {label!r}; give the scenarios distinct names")
            arms[label] = spec.model_kwargs(name)
    years = {s.years for s in specs}
    if len(years) > 1:
        raise ExperimentError(f"scenarios run for different numbers of years ({sorted(years)}); "
                              "use --set time.years=N (Python: an override 'time.years=N')")
    return arms


def compare_scenarios(base: Any, alternatives: Sequence[Any],  # noqa: PLR0913 - keyword-only settings
                      overrides: Sequence[str] = (), *, replicates: int | None = None, seed: int | None = None,
                      workers: int = 1, progress: Progress = True, quiet: bool = False,
                      force: bool = False, allow_differences: bool = False, psa: int | None = None,
                      psa_replicates: int | None = None, psa_parameters: Sequence[str] | None = None,
                      economics: Mapping[str, float] | None = None, follow_up: int = 0,
                      psa_source: str | None = None) -> ComparisonResult:
    """Run ``base`` and each of ``alternatives`` (``Scenario`` objects, YAML paths or shipped names) with the
    first one's seed and replicates, so replicate r of every arm sees the same random numbers, and compare each
    arm with the base's first arm.  ``overrides``, ``replicates`` and ``seed`` apply to every scenario.

    ``psa``: also run a probabilistic sensitivity analysis with this many parameter draws (``psa_replicates``
    each, default the comparison's replicates), with the same seed; its result is the comparison's ``psa``.
    ``psa_source``: where the draws come from, as ``psa``'s ``source`` (default: resampled by weight from the
    shipped calibration posterior; ``"ranges"``, or naming ``psa_parameters``, for a Latin hypercube over the
    plausible ranges).

    ``economics``: settings laid over ``results.economics.DEFAULTS`` (``discount_rate``, ``threshold``,
    ``inequality_aversion``, the utilities), checked before anything runs.  ``follow_up``: years every arm runs
    on after the scenarios' years with its interventions ended, so QALYs and healthy years follow the cohort alive
    at the start (a lifetime horizon when long enough, e.g. 80); outcomes are still read at the interventions'
    end."""
    if isinstance(alternatives, str):
        alternatives = [alternatives]
    if not alternatives:
        raise ExperimentError("compare: name at least one scenario to compare with the base")
    settings = economic_settings(economics)
    follow_up = check_follow_up(follow_up)
    specs = [load(s, overrides, replicates=replicates, seed=seed) for s in [base, *alternatives]]
    arms = pair_arms(specs, allow_differences=allow_differences)
    first = specs[0]
    psa_replicates = first.replicates if psa_replicates is None else psa_replicates
    if psa is not None:  # bad PSA settings are reported before anything runs
        from pathways_sim.experiments.psa import check_draws, draw_source

        check_draws(psa)
        replicate_seeds(first.seed, psa_replicates)
        draw_source(psa_source, psa_parameters)
    # One count of simulated years over the comparison and the PSA, so a progress bar runs once to the end.
    compared = len(arms) * first.replicates * (first.years + follow_up)
    total = compared + (len(arms) * psa * psa_replicates * first.years if psa is not None else 0)
    run = run_arms(arms, years=first.years, seed=first.seed, replicates=first.replicates, workers=workers,
                   progress=_counted(progress, 0, total), quiet=quiet, force=force, label="compare",
                   follow_up=follow_up)
    result = ComparisonResult(run.results, run.seeds, run.arms, run.wall_seconds, scenarios=specs,
                              years=run.years, base=next(iter(arms)), economics=settings, follow_up=follow_up)
    if psa is not None:
        from pathways_sim.experiments.psa import psa_arms

        result.psa = psa_arms(arms, draws=psa, replicates=psa_replicates, parameters=psa_parameters,
                             seed=first.seed, years=first.years, executor=workers if workers > 1 else None,
                             progress=_counted(progress, compared, total), quiet=quiet, source=psa_source)
    return result


def _counted(progress: Progress, start: int, total: int) -> Progress:
    """``progress`` counting on from ``start`` of ``total`` simulated years (unchanged if not a callable)."""
    if not callable(progress):
        return progress
    return lambda done, _total: progress(start + done, total)
