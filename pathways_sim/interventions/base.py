"""What every intervention shares: timing, eligibility, targeting, budget, uptake, retention, dose and cost.

An intervention offers places once a programme year.  Who is offered depends on the targeting strategy:

- ``universal``: everyone eligible, with the same dose;
- ``targeted``: only eligible people in the named deprivation groups (default: the most deprived fifth,
  deciles 1-2, the NHS Core20 idea);
- ``proportionate``: everyone eligible, with a dose that rises along the deprivation gradient,
  dose_i = base x (1 + gradient x need_i), need_i in [0, 1] (Marmot's proportionate universalism).

Whether a person takes the offer up is *modelled* (``Uptake``, ``pathways_sim.interventions.uptake``): a
logistic function of their sense of control, mental disorder, stigma, area deprivation (access, transport,
distrust; its weight fitted to NHS Health Check uptake by deprivation), a minority identity's distrust and, if
the offer is charged, financial strain, plus the setting (community venues beat clinics).  Offers are taken
up in a random order until the year's budget is spent, so the budget is honoured to within one participant's
cost, and a universal offer can widen the gap when the better-off take it up more.

Budget not spent (too few takers, or capacity reached) is *reported*, as ``<label>:unspent`` beside
``<label>:cost``; only a scenario that asks (``unspent_budget: raise_dose``) turns it into a higher dose for
those who did take the offer up (up to ``max_dose``).  A dose's effect is concave (``dose_saturation``): the
second standard dose adds less than the first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

import numpy as np
from pydantic import Field, StrictInt, model_validator

from pathways_sim.core.modifiers import Modifiers
from pathways_sim.core.world import World
from pathways_sim.interventions.uptake import (
    DOSE_SATURATION,
    DOSE_SATURATION_PLAUSIBLE,
    Strict,
    Uptake,
    declared,
    dose_effect,
)

NEED_BASES = ("area_deprivation", "income")
# Bounds that keep every accepted configuration runnable: calendar years a run can reach, and money well
# above any public budget (beyond it, costs times doses overflow into infinities).
FIRST_YEAR, LAST_YEAR = 1900, 2300
MAX_GBP = 1e12


def area_quintile_index(world: World) -> np.ndarray:
    """0-based area deprivation quintile of each slot (0 = most deprived), for reporting reach."""
    return (world.areas.decile[world.population.area].astype(np.int64) - 1) // 2


class Targeting(Strict):
    strategy: Literal["universal", "targeted", "proportionate"] = Field(
        "universal", description="universal offer, targeted to named groups, or proportionate universalism")
    need: Literal["area_deprivation", "income"] = Field(
        "area_deprivation", description="how need is measured: area deprivation, or low individual income rank")
    # The list itself is not strict (YAML gives a list, not a tuple); its items are.
    groups: tuple[StrictInt, ...] = Field((1, 2), strict=False,
                                          description="targeted: deciles of need offered (1 = most deprived)")
    gradient: float = Field(2.0, ge=0, le=20, description="proportionate: dose_i = base x (1 + gradient x need_i)")

    @model_validator(mode="after")
    def _groups_are_deciles(self):
        bad = [g for g in self.groups if not 1 <= g <= 10]
        if bad or not self.groups:
            raise ValueError(f"groups must be deciles 1-10 (1 = most deprived), got {list(self.groups)}")
        return self


class InterventionConfig(Strict):
    kind: str
    name: str | None = Field(None, description="label (default: the kind); names its random streams")
    start_year: float | None = Field(None, ge=FIRST_YEAR, le=LAST_YEAR,
                                     description="first year of offers (default: the model's start)")
    end_year: float | None = Field(None, ge=FIRST_YEAR, le=LAST_YEAR,
                                   description="offers and effects stop at the start of this year")
    min_age: float = Field(18, ge=0, le=120, description="youngest eligible age")
    max_age: float = Field(120, ge=0, le=130, description="oldest eligible age")
    coverage: float = Field(1.0, ge=0, le=1, description="share of those offered who are reached by the offer")
    budget: float | None = Field(None, ge=0, le=MAX_GBP,
                                 description="GBP per year; with it, the model works out coverage")
    cost_per_participant: float = Field(500.0, ge=0, le=MAX_GBP, description="GBP per participant at dose 1")
    fixed_cost_per_year: float = Field(0.0, ge=0, le=MAX_GBP, description="GBP per year while running")
    duration_months: int = Field(6, ge=1, le=600, description="how long a participant takes part")
    dose: float = Field(1.0, ge=0, le=10, description="intensity relative to the standard programme")
    max_dose: float = Field(3.0, ge=0, le=10, description="highest dose unspent budget may buy one participant "
                            "(with unspent_budget: raise_dose)")
    unspent_budget: Literal["report", "raise_dose"] = Field(
        "report", description="budget left when there are too few takers: reported as <label>:unspent (report), "
        "or spent on a higher dose for the takers, up to max_dose (raise_dose)")
    dose_saturation: float = declared(
        DOSE_SATURATION, ge=0, le=20, unit="per standard dose", plausible=DOSE_SATURATION_PLAUSIBLE,
        source="Howard et al. 1986 (psychotherapy dose-effect: ~75% improved by 26 sessions, ~85% by 52); "
               "Robinson et al. 2020",
        meaning="k of the concave dose-response of an offered programme: effect of dose d relative to dose 1 = "
                "(1 - exp(-k d)) / (1 - exp(-k)); 0 = linear.  Rules and transfers (income, housing, wealth "
                "building) scale with their dose as they are")
    retraumatisation_load: float = Field(0.3, ge=0, le=5, description="stress load a clinical-setting service "
                                         "adds for participants with 4+ ACEs (assumption; removed by "
                                         "trauma-informed care)")
    targeting: Targeting = Field(default_factory=Targeting)
    uptake: Uptake = Field(default_factory=Uptake)

    @model_validator(mode="after")
    def _times_in_order(self):
        if self.start_year is not None and self.end_year is not None and self.end_year <= self.start_year:
            raise ValueError(f"end_year ({self.end_year}) must be after start_year ({self.start_year})")
        if self.max_age < self.min_age:
            raise ValueError(f"max_age ({self.max_age}) must not be below min_age ({self.min_age})")
        return self

    @property
    def label(self) -> str:
        return self.name or self.kind


@dataclass
class YearLedger:
    # Counts of people; a rule-based lever accrues them step by step (person-years), so they may be fractional.
    offered: float = 0
    reached: float = 0
    completed: int = 0
    cost: float = 0.0
    budget: float = float("nan")  # GBP available this year, where the programme has a budget
    steps: int = 0  # steps a rule-based lever ran this year (its budget accrues by them)
    places_used: float = 0.0  # participant-years
    capacity: float = float("nan")  # places or caseload available this year, where the programme has a limit
    reached_by_quintile: np.ndarray = field(default_factory=lambda: np.zeros(5))
    offered_by_quintile: np.ndarray = field(default_factory=lambda: np.zeros(5))

    @property
    def unspent(self) -> float:
        """GBP of this year's budget not spent (nan without a budget; negative would mean overspent)."""
        return self.budget - self.cost


class Intervention[ConfigT: InterventionConfig]:
    """Base class: enrols cohorts once a programme year and applies effects to current participants.

    Subclasses set ``kind``, ``Config`` (the class of ``config``, also given as the type argument:
    ``class PeerSupport(Intervention[PeerSupportConfig])``) and ``effect_modifiers`` (the mechanisms they act
    on), and implement ``eligible`` and ``apply_effects``.  Population-wide levers (income rules, community
    wealth building) override ``enrol`` to cover people by rule rather than by offer.
    """

    kind: ClassVar[str]
    Config: ClassVar[type[InterventionConfig]]
    effect_modifiers: ClassVar[tuple[str, ...]] = ()
    enabling: ClassVar[bool] = False  # acts before offers are made in a step (e.g. stigma reduction)

    def __init__(self, config: ConfigT):
        self.config = config
        self.person = np.zeros(0, dtype=np.int64)  # person_id enrolled in each slot (-1 none)
        self.until_step = np.zeros(0, dtype=np.int64)
        self.dose = np.zeros(0, dtype=np.float32)
        self.year = YearLedger()
        self.ledger: list[tuple[int, YearLedger]] = []
        self._start_step = 0
        self._end_step = np.iinfo(np.int64).max

    # -- set-up ---------------------------------------------------------------------------------------
    def bind(self, world: World) -> None:
        c, p = self.config, world.params
        start = p["start_year"] if c.start_year is None else c.start_year
        self._start_step = max(0, round((start - p["start_year"]) * world.steps_per_year))
        if c.end_year is not None:
            self._end_step = round((c.end_year - p["start_year"]) * world.steps_per_year)
        self._fit(world.population.capacity)

    def _fit(self, capacity: int) -> None:
        if self.person.size < capacity:
            grow = capacity - self.person.size
            self.person = np.concatenate([self.person, np.full(grow, -1, dtype=np.int64)])
            self.until_step = np.concatenate([self.until_step, np.zeros(grow, dtype=np.int64)])
            self.dose = np.concatenate([self.dose, np.zeros(grow, dtype=np.float32)])

    def stream(self, world: World, purpose: str, t: int) -> np.random.Generator:
        """This intervention's own random stream: other mechanisms' numbers never shift."""
        return world.streams.generator(f"intervention:{self.config.label}:{purpose}", t)

    # -- each step ------------------------------------------------------------------------------------
    def active(self, t: int) -> bool:
        return self._start_step <= t < self._end_step

    def participants(self, world: World, t: int) -> np.ndarray:
        """Slots of people currently taking part."""
        pop = world.population
        n = self.person.size
        current = (self.person >= 0) & (self.person == pop.person_id[:n]) & pop.alive[:n] & (self.until_step > t)
        return np.flatnonzero(current)

    def step(self, world: World, mods: Modifiers) -> None:
        t = world.step_index
        self._fit(world.population.capacity)
        if not self.active(t):
            return
        if (t - self._start_step) % world.steps_per_year == 0:
            self.enrol(world, mods, t)
        self.retain(world, mods, t)
        slots = self.participants(world, t)
        self.year.places_used += slots.size * world.dt
        if slots.size:
            self.apply_effects(world, mods, slots, dose_effect(self.dose[slots], self.config.dose_saturation))
            if self.config.uptake.setting == "clinical" and self.config.retraumatisation_load > 0:
                self._retraumatise(world, mods, slots)
        self._close_year_if_due(world, t)

    def fixed_cost(self, coverage: float) -> float:
        """Running costs are paid only by a programme that runs: none at zero coverage or zero budget."""
        c = self.config
        if coverage <= 0 or c.coverage <= 0 or (c.budget is not None and c.budget <= 0):
            return 0.0
        return c.fixed_cost_per_year

    def _close_year_if_due(self, world: World, t: int) -> None:
        if (t + 1 - self._start_step) % world.steps_per_year == 0 or t + 1 == self._end_step:
            self.ledger.append((int(world.year), self.year))
            self.year = YearLedger()

    # -- hooks ----------------------------------------------------------------------------------------
    def eligible(self, world: World) -> np.ndarray:
        pop = world.population
        return pop.alive & (pop.age >= self.config.min_age) & (pop.age <= self.config.max_age)

    def apply_effects(self, world: World, mods: Modifiers, slots: np.ndarray, dose: np.ndarray) -> None:
        """Write this step's effects on ``slots``; ``dose`` is each one's effect relative to the standard
        programme (for an offered programme, its dose through the concave ``dose_effect``)."""
        raise NotImplementedError

    def on_enrol(self, world: World, slots: np.ndarray, t: int) -> None:
        """Called with the newly enrolled (e.g. to make ties among them)."""

    # -- enrolment ------------------------------------------------------------------------------------
    def need(self, world: World) -> np.ndarray:
        """Need in [0, 1] for each slot: 1 most deprived."""
        pop = world.population
        if self.config.targeting.need == "income":
            return (1.0 - pop.income_rank).astype(np.float64)
        return world.areas.deprivation[pop.area].astype(np.float64)

    def offer_dose(self, world: World, eligible: np.ndarray) -> np.ndarray:
        """Relative dose offered to each eligible slot (0 = not offered), before budget scaling."""
        tg = self.config.targeting
        need = self.need(world)
        if tg.strategy == "universal":
            return eligible.astype(np.float64)
        if tg.strategy == "targeted":
            decile = np.minimum(np.floor((1.0 - need) * 10), 9) + 1  # need 1 -> decile 1
            return (eligible & np.isin(decile, tg.groups)).astype(np.float64)
        return eligible * (1.0 + tg.gradient * need)

    def uptake_probability(self, world: World, mods: Modifiers, slots: np.ndarray) -> np.ndarray:
        u = self.config.uptake
        base_logit = np.log(u.base + 1e-9) - np.log(1 - u.base + 1e-9)
        if not u.barriers:
            return np.full(slots.size, u.base)
        pop = world.population
        deprivation = world.areas.deprivation[pop.area[slots]]
        # Stigma exposure as the stress mechanism reads it (mechanisms/exposures.py): experienced discrimination,
        # or a mental disorder weighted by the declared mental_illness_stigma_weight.
        from pathways_sim.mechanisms.exposures import Exposures

        weight = world.params["mental_illness_stigma_weight"]
        discriminated = Exposures(world).discriminated[slots]
        mental_illness = weight * pop.cmd[slots]
        stigma_scale = mods.get("mental_illness_stigma_scale")  # stigma reduction lowers that barrier too
        if stigma_scale is not None:
            mental_illness = mental_illness * stigma_scale[slots]
        stigma = np.maximum(discriminated.astype(float), mental_illness)
        # Area deprivation (access, transport, distrust of services there): its weight is fitted so that, with
        # the individual barriers, uptake by deprivation matches NHS Health Check uptake (uptake.py).
        logit = (base_logit + u.control * (pop.control[slots] - 0.5) - u.mental_disorder * pop.cmd[slots]
                 - u.stigma * stigma - u.deprivation * deprivation - u.minority_distrust * pop.minority[slots]
                 - (0.0 if u.free else u.cost) * self._strain(world, slots)
                 - (u.clinical_penalty if u.setting == "clinical" else 0.0))
        engagement = mods.get("uptake_log_odds_add")  # e.g. trauma-informed services engage people with ACEs
        if engagement is not None:
            logit = logit + engagement[slots]
        return 1.0 / (1.0 + np.exp(-logit))

    @staticmethod
    def _strain(world: World, slots: np.ndarray) -> np.ndarray:
        from pathways_sim.mechanisms.exposures import financial_strain

        p = world.params
        return financial_strain(world.population.income[slots], p["median_income"], p["poverty_line_share"])

    def _retraumatise(self, world: World, mods: Modifiers, slots: np.ndarray) -> None:
        """Clinical services can re-traumatise people with many ACEs (unless trauma-informed)."""
        many = slots[world.population.aces[slots] >= 4]
        if many.size:
            scale = mods.get("retraumatisation_scale")
            load = self.config.retraumatisation_load * (1.0 if scale is None else scale[many])
            mods.array("stress_load_add")[many] += load

    def enrol(self, world: World, mods: Modifiers, t: int) -> None:
        c = self.config
        pop = world.population
        offered_dose = self.offer_dose(world, self.eligible(world) & ~self._enrolled_mask(world, t))
        rng = self.stream(world, "offer", t)
        reached = rng.random(pop.capacity) < c.coverage  # outreach: who the offer actually reaches
        candidates = np.flatnonzero((offered_dose > 0) & reached)
        dose = offered_dose[candidates] * c.dose
        p_take = self.uptake_probability(world, mods, candidates)
        take = self.stream(world, "uptake", t).random(candidates.size) < p_take
        order = self.stream(world, "priority", t).permutation(candidates.size)
        if c.targeting.strategy == "proportionate" and c.budget is not None:
            # Everyone is offered; the base dose is set so the expected cost of those who take it up fits.
            expected = float(np.sum(p_take * dose)) * c.cost_per_participant
            if expected > 0:
                dose = dose * min(1.0, max(c.budget - c.fixed_cost_per_year, 0) / expected)
        cost = dose * c.cost_per_participant
        # Take-ups in random order until the budget is spent.
        joiners = order[take[order]]
        if c.budget is not None:
            spend = np.cumsum(cost[joiners])
            joiners = joiners[spend <= max(c.budget - c.fixed_cost_per_year, 0)]
        joiners = joiners[self.limit(world, candidates[joiners], t)]
        if c.budget is not None and joiners.size and c.unspent_budget == "raise_dose":
            # Fewer takers than the budget buys, and the scenario asks to spend it: the dose rises (up to
            # max_dose).  By default what is left is reported as unspent instead.
            available = max(c.budget - c.fixed_cost_per_year, 0)
            spent = float(cost[joiners].sum())
            if 0 < spent < available:
                dose[joiners] = np.minimum(dose[joiners] * (available / spent), c.max_dose)
                cost = dose * c.cost_per_participant
        slots = candidates[joiners]
        steps = round(c.duration_months / 12 * world.steps_per_year) or 1
        self.person[slots] = pop.person_id[slots]
        self.until_step[slots] = t + steps
        self.dose[slots] = dose[joiners]
        self.year.offered += candidates.size
        self.year.reached += slots.size
        self.year.cost += float(cost[joiners].sum()) + self.fixed_cost(1.0)
        if c.budget is not None:
            self.year.budget = c.budget
        quintile = area_quintile_index(world)
        self.year.offered_by_quintile += np.bincount(quintile[candidates], minlength=5)
        self.year.reached_by_quintile += np.bincount(quintile[slots], minlength=5)
        if slots.size:
            self.on_enrol(world, slots, t)

    def limit(self, world: World, slots: np.ndarray, t: int) -> np.ndarray:
        """Which of the would-be joiners (in priority order) fit the programme's capacity; all by default."""
        return np.ones(slots.size, dtype=bool)

    def _enrolled_mask(self, world: World, t: int) -> np.ndarray:
        mask = np.zeros(world.population.capacity, dtype=bool)
        mask[self.participants(world, t)] = True
        return mask

    def retain(self, world: World, mods: Modifiers, t: int) -> None:
        """Participants may leave early (more often with the same barriers that deter uptake)."""
        slots = self.participants(world, t)
        if slots.size == 0:
            return
        u = self.config.uptake
        p_stay = self.uptake_probability(world, mods, slots) / max(u.base, 1e-9)
        hazard = (u.dropout_rate * np.exp(1.0 - np.clip(p_stay, 0, 1)) if u.barriers
                  else np.full(slots.size, u.dropout_rate))
        leave = self.stream(world, "dropout", t).random(slots.size) < -np.expm1(-hazard * world.dt)
        self.until_step[slots[leave]] = t
        finishing = slots[~leave & (self.until_step[slots] == t + 1)]
        self.year.completed += finishing.size



class RuleBasedIntervention[ConfigT: InterventionConfig](Intervention[ConfigT]):
    """A lever that covers people by rule (a transfer, a policy, a place-based programme), not by an offer
    they choose to take up.  ``coverage`` is the share of eligible people the rule reaches (fixed per slot by
    a lottery drawn once, so the same people stay covered); with a ``budget``, coverage is worked out from it.
    """

    def bind(self, world: World) -> None:
        super().bind(world)
        # Slot i's number is the i-th of one stream however the population grows (more is drawn as it does), so
        # no result depends on how much room the population keeps for births (core/population.py).
        self._lottery_stream = self.stream(world, "coverage", -1)
        self._lottery = self._lottery_stream.random(world.population.capacity)
        self.coverage_now = self.config.coverage  # the share covered in the current step (budget-derived)

    def cost_per_covered(self, world: World, slots: np.ndarray, dose: np.ndarray) -> np.ndarray:
        """GBP per year of covering each slot (default: cost_per_participant x dose)."""
        return self.config.cost_per_participant * dose

    def budget_coverage(self, world: World, offered: np.ndarray, dose: np.ndarray) -> float:
        """The share of the eligible covered this step: ``coverage``, or with a budget, what it buys once the
        fixed cost is paid.  Covering everyone may cost nothing (a lever whose cost per person is 0): then a
        budget that pays the fixed cost covers everyone; one that does not (or a zero budget) covers no one.
        """
        c = self.config
        if c.budget is None:
            return c.coverage
        left = c.budget - c.fixed_cost_per_year
        full = float(self.cost_per_covered(world, offered, dose).sum())
        if full <= 0:
            return 1.0 if c.budget > 0 and left >= 0 else 0.0
        return min(1.0, max(left, 0.0) / full)

    def step(self, world: World, mods: Modifiers) -> None:
        t = world.step_index
        pop = world.population
        if self._lottery.size < pop.capacity:
            more = self._lottery_stream.random(pop.capacity - self._lottery.size)
            self._lottery = np.concatenate([self._lottery, more])
        if not self.active(t):
            return
        c = self.config
        dose_all = self.offer_dose(world, self.eligible(world)) * c.dose
        offered = np.flatnonzero(dose_all > 0)
        coverage = self.budget_coverage(world, offered, dose_all[offered])
        self.coverage_now = coverage
        slots = offered[self._lottery[offered] < coverage]
        dose = dose_all[slots].astype(np.float32)
        if slots.size:
            self.apply_effects(world, mods, slots, dose)
        quintile = area_quintile_index(world)
        share = world.dt  # a year's figures accrue over its steps
        self.year.offered += offered.size * share
        self.year.reached += slots.size * share
        self.year.places_used += slots.size * share
        self.year.cost += (float(self.cost_per_covered(world, slots, dose).sum()) + self.fixed_cost(coverage)) * share
        self.year.steps += 1
        if c.budget is not None:  # a year's budget accrues over its steps, as its spending does
            self.year.budget = c.budget * self.year.steps * share  # (not summed: 12 x 1/12 is exactly 1)
        self.year.offered_by_quintile += np.bincount(quintile[offered], minlength=5) * share
        self.year.reached_by_quintile += np.bincount(quintile[slots], minlength=5) * share
        self._close_year_if_due(world, t)
