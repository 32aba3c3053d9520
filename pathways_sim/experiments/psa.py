"""Probabilistic sensitivity analysis (PSA): every arm run at the same parameter draws with the same seeds.

::

    from pathways_sim.experiments.psa import psa

    result = psa("baseline", ["peer_support", "early_years"], draws=40, replicates=2, years=10)
    result.probabilities()      # P(narrows the HLE gap), P(gains healthy life years), arm against arm
    result.ceac()               # P(highest net monetary benefit) at each willingness to pay per healthy life year
    result.save("psa_out")      # psa.csv, psa_probabilities.csv, ceac.csv, ceac.png, manifest.json

By default the draws are resampled by weight from the shipped calibration posterior
(``experiments.posterior.SHIPPED_POSTERIOR``: the accepted parameter sets of the calibration the defaults come
from), so the PSA carries calibration uncertainty; ``source="ranges"`` (or naming ``parameters=``) draws a Latin
hypercube over the declared *plausible* ranges instead (default ``default_parameters()``: every value in a range
counts alike), ``source=PATH`` resamples another posterior file, and ``draws=`` a ``DataFrame`` gives the
parameter sets outright (one row per set).  The arms are swept together over the same design with the same seed
(``sweeps.sweep_arms``), so draw d, replicate r of every arm has the same parameter values and the same random
numbers (common random numbers): a difference between arms is the arms' doing, within that draw.  Every arm of
one draw and replicate runs in one task, from copies of one build and burn-in where the arms' parameters are
the same (as they are unless the arms set some differently): the same results as building it for each arm.
A probability here is the share of (draw, replicate) pairs in which something happens; it covers the
uncertainty of the parameters drawn and the model's own randomness.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from pathways_sim.experiments.errors import ExperimentError
from pathways_sim.experiments.progress import Progress
from pathways_sim.experiments.psa_result import DEFAULT_THRESHOLDS, PSAResult, ceac, probabilities

__all__ = ["DEFAULT_GROUPS", "DEFAULT_THRESHOLDS", "OUTCOMES", "SMALL_DRAWS", "PSAResult", "ceac", "check_comparable",
           "check_draws", "default_parameters", "draw_source", "labelled_arms", "probabilities", "psa", "psa_arms"]

# column in the PSA table: (metric, group_type, how); "final" = final reported year, "total" = summed over years.
OUTCOMES: dict[str, tuple[str, str, str]] = {
    "hle_gap": ("healthy_life_expectancy_gap", "area_deprivation_quintile", "final"),
    "le_gap": ("life_expectancy_gap", "area_deprivation_quintile", "final"),
    "healthy_life_years": ("healthy_person_years", "all", "total"),
    "cost": ("cost", "all", "total"),
}
CHANGES = {name: f"{name}_change" for name in OUTCOMES}  # arm minus base, same draw and replicate
# The mechanism effect sizes and psychosocial dynamics: what the model is least sure of and what the ranking of
# interventions rests on.  Left out: "structure" (run design, not uncertainty), and the "population", "network"
# and "health" groups, whose values set the synthetic England (incomes, baseline hazards, demography) that the
# calibration fits to ONS figures; drawing them independently over their ranges would make populations unlike
# England.  Those are drawn from the calibration's posterior instead (the default source).
DEFAULT_GROUPS = ("pathway", "psychosocial")
SMALL_DRAWS = 20  # fewer draws than this and a probability moves in steps of 5% or more
STRUCTURAL = ("population_size", "people_per_area", "step_months", "start_year", "burn_in_years")


def default_parameters() -> list[str]:
    """The parameters a PSA draws by default: those of the groups in ``DEFAULT_GROUPS`` with a plausible range
    of non-zero width (see the comment on ``DEFAULT_GROUPS`` for why these)."""
    from pathways_sim import PARAMETERS

    return [p.name for p in PARAMETERS.values()
            if p.group in DEFAULT_GROUPS and p.plausible[1] > p.plausible[0] and p.name not in STRUCTURAL]


# ------------------------------------------------------------------------------------------------- the arms
def labelled_arms(base: Any, alternatives: Any) -> tuple[dict[str, dict[str, Any]], int | None, int | None]:
    """Every arm, labelled as ``compare`` labels them (``scenario`` or ``scenario:arm``; a dict of model
    keyword arguments by its ``label``), the base's first; and the base's years and seed."""
    from pathways_sim.experiments.runner import load

    if not isinstance(alternatives, list | tuple):  # one alternative (a name, path, Scenario or dict)
        alternatives = [alternatives]
    arms: dict[str, dict[str, Any]] = {}
    years = seed = None
    for index, item in enumerate([base, *alternatives]):
        if isinstance(item, Mapping):
            given = dict(item)
            label = str(given.pop("label", "base" if index == 0 else f"arm {index}"))
            found = {label: given}
            item_years, item_seed = given.pop("years", None), given.pop("rng", None)
        else:
            spec = load(item)
            found = {(spec.name if len(spec.arms) == 1 else f"{spec.name}:{arm}"): spec.model_kwargs(arm)
                     for arm in spec.arms}
            item_years, item_seed = spec.years, spec.seed
        if index == 0:
            years, seed = item_years, item_seed
        for label, kwargs in found.items():
            if label in arms:
                raise ExperimentError(f"two arms are both called {label!r}; give them distinct names (labels)")
            arms[label] = kwargs
    return arms, years, seed


def _params(kwargs: Mapping[str, Any]) -> Any:
    """The ``Parameters`` an arm runs with (model keyword arguments may name parameters directly)."""
    from pathways_sim import Parameters

    given = dict(kwargs)
    params = given.pop("params", None)
    for key in ("pathways_off", "interventions", "years", "rng", "label"):
        given.pop(key, None)
    params = params.changed() if isinstance(params, Parameters) else dict(params or {})
    return Parameters({**params, **given})


def check_comparable(arms: Mapping[str, Mapping[str, Any]]) -> None:
    """Arms must share their population and step, or a difference between them is partly the set-up."""
    values = {label: _params(kwargs) for label, kwargs in arms.items()}
    differ = [name for name in STRUCTURAL if len({p[name] for p in values.values()}) > 1]
    if differ:
        raise ExperimentError("the arms differ in " + "; ".join(
            f"{name} (" + ", ".join(f"{label} {p[name]}" for label, p in values.items()) + ")" for name in differ)
            + "; make them equal so that draws and replicates pair")


SOURCES = ("posterior", "ranges")


def draw_source(source: str | os.PathLike[str] | None, parameters: Sequence[str] | None) -> str | os.PathLike[str]:
    """Where a number of draws comes from: "ranges" (a Latin hypercube), or a posterior file (the shipped one for
    "posterior", which must exist).  Naming ``parameters`` means ranges; asking for a posterior as well is a
    contradiction.  ``ExperimentError`` for anything else."""
    from pathways_sim.experiments.posterior import SHIPPED_POSTERIOR

    if source is None:
        source = "ranges" if parameters is not None else "posterior"
    if source == "ranges":
        return source
    if parameters is not None:
        raise ExperimentError("psa: parameters= draws over plausible ranges; a posterior's draws are its own "
                              "parameters: give one or the other (source='ranges' with parameters=)")
    if source == "posterior":
        if not SHIPPED_POSTERIOR.is_file():
            raise ExperimentError(f"psa: no shipped posterior ({SHIPPED_POSTERIOR}); draw over the plausible ranges "
                                  "(source='ranges', --psa-source ranges) or name a posterior file")
        return SHIPPED_POSTERIOR
    if isinstance(source, str) and not source.lower().endswith((".parquet", ".csv")):
        raise ExperimentError(f"psa source: must be one of {', '.join(SOURCES)} or a posterior file (.parquet or "
                              f".csv), got {source!r}")
    return source


def _posterior_draws(path: str | os.PathLike[str], n: int, seed: int, set_by_arms: set[str]
                     ) -> tuple[pd.DataFrame, list[str]]:
    """``n`` sets resampled by weight from a posterior, less any parameter the arms set differently."""
    from pathways_sim.experiments.posterior import load_posterior, resample

    posterior = load_posterior(path)
    design = resample(posterior, int(n), seed)
    notes = [f"parameter draws {design.attrs['method']}; every parameter not in it keeps its default"]
    if design.attrs.get("provisional"):
        notes.append(f"that posterior is provisional: {design.attrs['provisional']}")
    clash = sorted(set_by_arms & set(design.columns))
    if clash:
        design = design.drop(columns=clash)
        notes.append("not drawn because the arms set them differently (a draw would erase the difference "
                     "between arms): " + ", ".join(clash))
    return design, notes


def _design(draws: Any, parameters: Sequence[str] | None, seed: int, arms: Mapping[str, Mapping[str, Any]],
            source: str | os.PathLike[str] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """The parameter draws (one row each) and notes on what was left out of them."""
    from pathways_sim.experiments.designs import latin_hypercube

    values = [_params(kwargs) for kwargs in arms.values()]
    set_by_arms = {name for name in values[0] if len({p[name] for p in values}) > 1}
    notes: list[str] = []
    where = None if isinstance(draws, pd.DataFrame) else draw_source(source, parameters)
    if where is not None and where != "ranges":
        return _posterior_draws(where, draws, seed, set_by_arms)
    if isinstance(draws, pd.DataFrame):
        names = [str(c) for c in draws.columns]
        design = draws.reset_index(drop=True)
        design.attrs = {**draws.attrs, "method": draws.attrs.get("method", "given parameter sets")}
    else:
        names = list(parameters) if parameters is not None else default_parameters()
        if parameters is None and set_by_arms & set(names):
            dropped = sorted(set_by_arms & set(names))
            names = [n for n in names if n not in set_by_arms]
            notes.append("not drawn because the arms set them differently (a draw would erase the difference "
                         "between arms): " + ", ".join(dropped))
        design = latin_hypercube(names, int(draws), seed=seed)
    clash = sorted(set_by_arms & set(names))
    if clash:
        raise ExperimentError(f"psa: the arms set {', '.join(clash)} differently, so a draw would erase the "
                              "difference between the arms; leave it out of parameters= (or of the draws)")
    return design, notes


# ------------------------------------------------------------------------------------------------ the run
def _outcomes(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per (draw, replicate) of one arm's sweep: the columns of ``OUTCOMES``."""
    columns = {}
    for column, (metric, group_type, how) in OUTCOMES.items():
        rows = frame[(frame["metric"] == metric) & (frame["group_type"] == group_type) & (frame["group"] == 0)]
        if how == "final":
            rows = rows[rows["year"] == frame["year"].max()]
            columns[column] = rows.groupby(["point", "replicate"])["value"].first()
        else:
            columns[column] = rows.groupby(["point", "replicate"])["value"].sum(min_count=1)
    table = pd.DataFrame(columns).reset_index().rename(columns={"point": "draw"})
    return table


def psa(base: Any, alternatives: Any = (), *, draws: int | pd.DataFrame,  # noqa: PLR0913 - keyword-only settings
        replicates: int = 1, parameters: Sequence[str] | None = None, seed: int | None = None,
        years: int | None = None, executor: Any = None, store: str | os.PathLike[str] | None = None,
        progress: Progress = True, quiet: bool = False, source: str | os.PathLike[str] | None = None
        ) -> PSAResult:
    """Run ``base`` and each of ``alternatives`` at the same parameter draws and seeds; a ``PSAResult``.

    ``base``, ``alternatives``: scenarios (``Scenario`` objects, YAML paths or shipped names; every arm of a
    scenario with several) or dicts of model keyword arguments (``params``, parameters by name,
    ``pathways_off``, ``interventions``, and a ``label``).  The first arm is the base.  ``draws``: the number of
    Latin hypercube draws over the plausible ranges of ``parameters`` (default ``default_parameters()``), or a
    ``DataFrame`` of parameter sets (one row each; columns named after parameters).  ``replicates`` per draw;
    ``seed`` (default the base's) seeds both the draws and the replicates; ``years`` defaults to the base's.
    ``executor``, ``store``, ``progress`` and ``quiet`` are ``sweep``'s.
    """
    arms, base_years, base_seed = labelled_arms(base, alternatives)
    years = base_years if years is None else years
    if years is None:
        raise ExperimentError("years: give the number of years to simulate (years=...)")
    return psa_arms(arms, draws=draws, replicates=replicates, parameters=parameters,
                    seed=base_seed if seed is None else seed, years=years,
                    executor=executor, store=store, progress=progress, quiet=quiet, source=source)


def check_draws(draws: Any) -> None:
    """``ExperimentError`` unless ``draws`` is a whole number at least 1 or a non-empty DataFrame."""
    if isinstance(draws, pd.DataFrame):
        if len(draws) == 0 or len(draws.columns) == 0:
            raise ExperimentError("draws: the DataFrame of parameter sets is empty (give one row per set, one "
                                  "column per parameter)")
        return
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or draws < 1:
        raise ExperimentError(f"draws: must be a whole number at least 1 (parameter draws) or a DataFrame of "
                              f"parameter sets, got {draws!r}")


def psa_arms(arms: Mapping[str, Mapping[str, Any]], *, draws: int | pd.DataFrame,  # noqa: PLR0913
             years: int, replicates: int = 1, parameters: Sequence[str] | None = None, seed: int | None = None,
             executor: Any = None, store: str | os.PathLike[str] | None = None, progress: Progress = True,
             quiet: bool = False, source: str | os.PathLike[str] | None = None) -> PSAResult:
    """``psa`` of arms given as ``{label: model keyword arguments}`` (the first is the base), as ``run_arms``
    takes them; ``compare_scenarios(psa=N)`` calls this."""
    from pathways_sim.experiments.runner import check_years, replicate_seeds
    from pathways_sim.experiments.sweeps import DEFAULT_SEED, sweep_arms

    arms = {str(label): dict(kwargs) for label, kwargs in arms.items()}
    if len(arms) < 2:
        raise ExperimentError("psa: needs at least two arms (a base and an alternative, or a scenario with arms)")
    check_draws(draws)
    check_comparable(arms)
    seed = DEFAULT_SEED if seed is None else seed
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ExperimentError(f"seed: must be a whole number at least 0, got {seed!r}")
    seed = int(seed)
    years = check_years(years)
    seeds = replicate_seeds(seed, replicates)
    design, notes = _design(draws, parameters, seed, arms, source)
    names = [str(c) for c in design.columns]
    metrics = sorted({metric for metric, _, _ in OUTCOMES.values()})
    # one task per draw and replicate runs every arm there, from one build and burn-in (the arms' parameters
    # are the draw's), rather than a sweep per arm building it again for each
    frames = sweep_arms({label: {**kwargs, "years": years, "rng": seed} for label, kwargs in arms.items()}, design,
                        replicates=replicates, years=years, seed=seed, executor=executor, store=store,
                        metrics=metrics, group_types=["all", "area_deprivation_quintile"], progress=progress,
                        quiet=quiet)
    parts, failures = [], []
    for label, frame in frames.items():
        part = _outcomes(frame)
        part.insert(0, "arm", label)
        parts.append(part)
        if len(frame.failures):
            failures.append(frame.failures.assign(arm=label))
    outcomes = pd.concat(parts, ignore_index=True)
    table = _with_draws(outcomes, design, seeds, list(arms))
    if isinstance(draws, int | np.integer) and not isinstance(draws, bool) and draws < SMALL_DRAWS:
        notes.append(f"only {draws} parameter draws: each probability moves in steps of "
                     f"{100 / (draws * replicates):.0f} percentage points and is coarse; use {SMALL_DRAWS} or more")
    return PSAResult(table=table, design=design, base=next(iter(arms)), arms=list(arms), replicates=replicates,
                     seeds=seeds, seed=seed, years=years, parameters=names, notes=notes,
                     failures=pd.concat(failures, ignore_index=True) if failures else pd.DataFrame())


def _with_draws(outcomes: pd.DataFrame, design: pd.DataFrame, seeds: list[int], arms: list[str]) -> pd.DataFrame:
    """The PSA table: arm, draw, replicate, seed, the drawn values, the outcomes, and each minus the base's in
    the same draw and replicate (zero for the base itself)."""
    base = outcomes[outcomes["arm"] == arms[0]][["draw", "replicate", *OUTCOMES]]
    table = outcomes.merge(base, on=["draw", "replicate"], how="left", suffixes=("", "_base"))
    for name, change in CHANGES.items():
        table[change] = table[name] - table.pop(f"{name}_base")
    table["seed"] = [seeds[r] for r in table["replicate"]]
    drawn = design.reset_index(drop=True).rename_axis("draw").reset_index()
    table = table.merge(drawn, on="draw", how="left")
    first = ["arm", "draw", "replicate", "seed", *[str(c) for c in design.columns]]
    order = {arm: i for i, arm in enumerate(arms)}
    table = table.sort_values(["arm", "draw", "replicate"], key=lambda s: s.map(order) if s.name == "arm" else s)
    return table[first + list(OUTCOMES) + list(CHANGES.values())].reset_index(drop=True)
