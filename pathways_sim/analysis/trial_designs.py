"""The designs, estimators, populations and outcomes of the in-silico trials (``analysis.trials`` declares the
studies that use them).

- ``randomised``: an individually randomised trial in one world — recruits randomised 1:1, the programme
  offered once with full uptake to one arm, outcomes at follow-up pooled over replicates and estimated as the
  studies did (an odds ratio with Woolf's interval; an SMD, directly or from a log odds ratio by Chinn's
  sqrt(3)/pi);
- ``counterfactual``: a covered population against the same seed without the programme (common random
  numbers), the contrast averaged over replicates with a t-interval.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from pathways_sim.core.modifiers import Modifiers
from pathways_sim.core.world import World
from pathways_sim.declarations.states import INSECURE_JOB, SECURE_JOB
from pathways_sim.interventions import INTERVENTIONS, Intervention, parse_intervention
from pathways_sim.model import PathwaysModel

Z = float(stats.norm.ppf(0.975))
CHINN = np.sqrt(3.0) / np.pi  # SMD per unit log odds ratio (logistic latent scale)
FULL_UPTAKE = {"base": 1.0, "barriers": False, "dropout_rate": 0.0}


@dataclass(frozen=True)
class Published:
    """A published estimate and its 95% interval (``low``/``high`` nan when the paper gives none we checked)."""

    estimate: float
    low: float = float("nan")
    high: float = float("nan")

    @property
    def has_interval(self) -> bool:
        return bool(np.isfinite(self.low) and np.isfinite(self.high))


@dataclass(frozen=True)
class Estimate:
    estimate: float
    low: float
    high: float
    n: int  # people (individual trials) or replicates (population studies)


@dataclass(frozen=True)
class Trial:
    """One study an intervention's defaults claim, as the model runs it."""

    name: str  # row label: the kind, or kind plus what differs (a secondary outcome, a variant)
    kind: str
    source: str
    population: str
    comparator: str
    follow_up_years: float
    outcome: str  # the outcome, its scale, and how the model's states map onto it
    published: Published | None  # None: no published estimate
    note: str = ""
    config: Mapping[str, Any] = field(default_factory=dict)  # the intervention's settings beyond its defaults
    people_scale: float = 1.0  # population size relative to the run's (few people are eligible: parents of infants)
    design: Callable[[Trial, int, Sequence[int]], Estimate] | None = None

    @property
    def tested(self) -> bool:
        """Whether the model's estimate is held to the published interval (a published estimate with one)."""
        return self.published is not None and self.published.has_interval and self.design is not None


# -- individual randomised trials ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Arms:
    """People followed in one replicate: their outcome at follow-up and whether their unit was offered."""

    outcome: np.ndarray
    offered: np.ndarray  # bool


def _restricted(cls: type[Intervention], offered_keys: np.ndarray) -> type[Intervention]:
    """The intervention's class, offering only the people randomised to it (by person key)."""

    class Randomised(cls):  # type: ignore[valid-type,misc]
        def eligible(self, world: World) -> np.ndarray:
            return super().eligible(world) & np.isin(world.population.key, offered_keys)

    return Randomised


def _offer(model: PathwaysModel, trial: Trial, offered_keys: np.ndarray) -> None:
    """Start the trial now: the programme, offered once with full uptake to the randomised people only."""
    start = float(model.year)
    config = parse_intervention({"kind": trial.kind, "start_year": start, "uptake": FULL_UPTAKE, **trial.config},
                                f"trial {trial.name}")
    # A trial offers the programme once: no second offer a year later, effects end with the programme.
    config = config.model_copy(update={"end_year": start + config.duration_months / 12})
    intervention = _restricted(INTERVENTIONS[trial.kind], offered_keys)(config)
    intervention.bind(model.world)
    model.world.interventions = (intervention,)


def randomised(units: Callable[[PathwaysModel], np.ndarray],
               followed: Callable[[PathwaysModel, np.ndarray], tuple[np.ndarray, np.ndarray]],
               outcome: Callable[[PathwaysModel, np.ndarray, np.ndarray], np.ndarray],
               effect: Callable[[list[Arms]], Estimate]) -> Callable[[Trial, int, Sequence[int]], Estimate]:
    """An individually randomised trial.  ``units(model)``: slots recruited (randomised 1:1);
    ``followed(model, unit_slots)``: slots followed and the index of each one's unit (a parent's children);
    ``outcome(model, slots, baseline)``: the outcome at follow-up, given ``baseline`` = the followed slots'
    ACE counts at randomisation (used by outcomes measured as change); ``effect``: pooled over replicates."""

    def run(trial: Trial, people: int, seeds: Sequence[int]) -> Estimate:
        replicates = []
        for seed in seeds:
            model = PathwaysModel(population_size=people, rng=seed, agents="lazy")
            pop = model.population
            unit_slots = units(model)
            draw = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(20_11,)))
            offered_unit = draw.random(unit_slots.size) < 0.5
            slots, unit_index = followed(model, unit_slots)
            keys, baseline = pop.key[slots].copy(), pop.aces[slots].copy()
            _offer(model, trial, pop.key[unit_slots[offered_unit]])
            model.run(trial.follow_up_years)
            alive = model.population.alive[slots] & (model.population.key[slots] == keys)
            replicates.append(Arms(outcome(model, slots[alive], baseline[alive]),
                                   offered_unit[unit_index[alive]]))
        return effect(replicates)

    return run


def _pooled(replicates: list[Arms]) -> Arms:
    return Arms(np.concatenate([r.outcome for r in replicates]).astype(float),
                np.concatenate([r.offered for r in replicates]))


def log_odds_ratio(replicates: list[Arms]) -> tuple[float, float, int]:
    """Log odds ratio (offered vs not) of a binary outcome, with Woolf's standard error (0.5 added to every
    cell), pooled over replicates (each replicate a stratum of the same trial; strata are exchangeable)."""
    arms = _pooled(replicates)
    a = arms.outcome[arms.offered].sum() + 0.5
    b = (1 - arms.outcome[arms.offered]).sum() + 0.5
    c = arms.outcome[~arms.offered].sum() + 0.5
    d = (1 - arms.outcome[~arms.offered]).sum() + 0.5
    return float(np.log(a * d / (b * c))), float(np.sqrt(1 / a + 1 / b + 1 / c + 1 / d)), arms.offered.size


def odds_ratio(replicates: list[Arms]) -> Estimate:
    log_or, se, n = log_odds_ratio(replicates)
    return Estimate(float(np.exp(log_or)), float(np.exp(log_or - Z * se)), float(np.exp(log_or + Z * se)), n)


def smd_from_odds_ratio(replicates: list[Arms]) -> Estimate:
    """Chinn's SMD from the log odds ratio of a binary outcome (negative: the offered fare better)."""
    log_or, se, n = log_odds_ratio(replicates)
    return Estimate(CHINN * log_or, CHINN * (log_or - Z * se), CHINN * (log_or + Z * se), n)


def smd(replicates: list[Arms]) -> Estimate:
    """Standardised mean difference (offered minus not, over the pooled SD: Cohen's d, Hedges' correction)
    of a continuous outcome, with its large-sample standard error."""
    arms = _pooled(replicates)
    x, y = arms.outcome[arms.offered], arms.outcome[~arms.offered]
    n1, n2 = x.size, y.size
    pooled = np.sqrt(((n1 - 1) * x.var(ddof=1) + (n2 - 1) * y.var(ddof=1)) / (n1 + n2 - 2))
    d = (x.mean() - y.mean()) / pooled * (1 - 3 / (4 * (n1 + n2) - 9))
    se = np.sqrt((n1 + n2) / (n1 * n2) + d * d / (2 * (n1 + n2)))
    return Estimate(float(d), float(d - Z * se), float(d + Z * se), n1 + n2)


def themselves(model: PathwaysModel, slots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return slots, np.arange(slots.size)


def adults_with_cmd(model: PathwaysModel) -> np.ndarray:
    """Adults (18-69) with a common mental disorder: the people depression trials recruit."""
    pop = model.population
    return np.flatnonzero(pop.alive & (pop.age >= 18) & (pop.age < 70) & pop.cmd)


def lonely_adults(model: PathwaysModel) -> np.ndarray:
    """Adults whose loneliness is above the 'often or always lonely' threshold."""
    pop = model.population
    return np.flatnonzero(pop.alive & (pop.age >= 18) & (pop.loneliness > model.params["lonely_threshold"]))


def parents_of_infants(model: PathwaysModel) -> np.ndarray:
    """Parents with a child under one: home-visiting trials recruit in pregnancy or at birth."""
    pop = model.population
    infants = pop.alive & (pop.parent >= 0) & (pop.age < 1.0)
    return np.unique(pop.parent[infants])


def their_infants(model: PathwaysModel, parents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pop = model.population
    infants = np.flatnonzero(pop.alive & (pop.parent >= 0) & (pop.age < 1.0))
    infants = infants[np.isin(pop.parent[infants], parents)]
    return infants, np.searchsorted(parents, pop.parent[infants])


def still_cmd(model: PathwaysModel, slots: np.ndarray, baseline: np.ndarray) -> np.ndarray:
    return model.population.cmd[slots]


def loneliness(model: PathwaysModel, slots: np.ndarray, baseline: np.ndarray) -> np.ndarray:
    return model.population.loneliness[slots]


def new_ace(model: PathwaysModel, slots: np.ndarray, baseline: np.ndarray) -> np.ndarray:
    """A new adverse childhood experience since randomisation (maltreatment or household adversity): the
    nearest the model comes to a child-in-need record."""
    return model.population.aces[slots] > baseline


# -- population studies against their own counterfactual (common random numbers) ---------------------------
class _Recorder:
    """Keeps the modifiers of the last step (for outcomes read through an exposure the programme scales)."""

    last: Modifiers | None = None


def _recording(cls: type[Intervention], recorder: _Recorder) -> type[Intervention]:
    class Recorded(cls):  # type: ignore[valid-type,misc]
        def step(self, world: World, mods: Modifiers) -> None:
            super().step(world, mods)
            recorder.last = mods

    return Recorded


def counterfactual(measure: Callable[[PathwaysModel, Modifiers | None], float],
                   contrast: Callable[[float, float], float]) -> Callable[[Trial, int, Sequence[int]], Estimate]:
    """The population covered by the programme for ``follow_up_years`` against the same seed without it;
    ``measure(model, last_modifiers)`` in each arm, ``contrast(with, without)`` per replicate, then the mean
    over replicates with a t-interval."""

    def run(trial: Trial, people: int, seeds: Sequence[int]) -> Estimate:
        values = []
        for seed in seeds:
            arms = []
            for offered in (True, False):
                model = PathwaysModel(population_size=people, rng=seed, agents="lazy")
                recorder = _Recorder()
                if offered:
                    config = parse_intervention({"kind": trial.kind, **trial.config}, f"trial {trial.name}")
                    intervention = _recording(INTERVENTIONS[trial.kind], recorder)(config)
                    intervention.bind(model.world)
                    model.world.interventions = (intervention,)
                model.run(trial.follow_up_years)
                arms.append(measure(model, recorder.last))
            values.append(contrast(*arms))
        return _t_interval(np.array(values))

    return run


def _t_interval(values: np.ndarray) -> Estimate:
    mean = float(values.mean())
    if values.size < 2:
        return Estimate(mean, float("nan"), float("nan"), int(values.size))
    half = float(stats.t.ppf(0.975, values.size - 1) * values.std(ddof=1) / np.sqrt(values.size))
    return Estimate(mean, mean - half, mean + half, int(values.size))


def _working(model: PathwaysModel) -> np.ndarray:
    pop = model.population
    return pop.alive & (pop.age >= 18) & ((pop.employment == SECURE_JOB) | (pop.employment == INSECURE_JOB))


def median_pay(model: PathwaysModel, mods: Modifiers | None) -> float:
    """Median pay of people in work (the model's income of the employed before transfers; ASHE's median
    earnings of employees is the study's)."""
    before = model.world.income_before_transfers
    pay = model.population.income if before is None else before
    return float(np.median(pay[_working(model)]))


def employment_rate(model: PathwaysModel, mods: Modifiers | None) -> float:
    """Share of people aged 18 to state pension age in work (the Annual Population Survey's employment rate)."""
    pop = model.population
    working_age = pop.alive & (pop.age >= 18) & (pop.age < model.params["retirement_age"])
    return float(_working(model)[working_age].sum() / max(working_age.sum(), 1))


REPORTING_AT_FULL_STIGMA = 0.915  # Corker et al. 2016: share reporting any discrimination in the 2008 baseline


def reports_discrimination(model: PathwaysModel, mods: Modifiers | None) -> float:
    """Share of people with a mental disorder who would report mental-health discrimination, taking the chance
    as proportional to their mental-illness stigma exposure relative to none reduced (91.5% at full exposure,
    the 2008 baseline of the Viewpoint survey)."""
    pop = model.population
    cmd = np.flatnonzero(pop.alive & (pop.age >= 18) & pop.cmd)
    scale = None if mods is None else mods.get("mental_illness_stigma_scale", pop.capacity)
    relative = np.ones(cmd.size) if scale is None else scale[cmd].astype(float)
    return float(REPORTING_AT_FULL_STIGMA * relative.mean())


def odds_ratio_of_shares(with_: float, without: float) -> float:
    return (with_ / (1 - with_)) / (without / (1 - without))


def percent_change(with_: float, without: float) -> float:
    return 100.0 * (with_ / without - 1.0)


def points_change(with_: float, without: float) -> float:
    return 100.0 * (with_ - without)
