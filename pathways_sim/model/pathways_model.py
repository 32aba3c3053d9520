"""``PathwaysModel``: the Mesa model of a population living through psychosocial pathways."""

from __future__ import annotations

import copy
import inspect
from collections.abc import Iterable, Mapping
from typing import Any, Literal, cast

import mesa
import numpy as np
import pandas as pd

from pathways_sim.core import memory
from pathways_sim.core.network import Network
from pathways_sim.core.population import Population
from pathways_sim.core.world import Areas, World
from pathways_sim.interventions import make_interventions
from pathways_sim.mechanisms.parameters import ParameterError, Parameters
from pathways_sim.mechanisms.registry import Switches, effective_strengths
from pathways_sim.model.agents import PersonAgent
from pathways_sim.model.step import advance, burn_in
from pathways_sim.model.synthesis import build_world
from pathways_sim.results.collector import Collector

AgentMode = Literal["auto", "all", "lazy"]
AUTO_AGENT_LIMIT = 20_000  # "auto" makes every agent up to this many people, none above


class PathwaysModel(mesa.Model):
    """A synthetic population whose circumstances get under the skin through named, switchable pathways.

    Parameters
    ----------
    params:
        A ``Parameters`` set, or a mapping of parameter overrides (see ``pathways_sim.PARAMETERS``).
    pathways_off:
        Names of pathways (see ``pathways_sim.PATHWAYS``) or loops to switch off, from the first reported step:
        the synthetic start and the ``burn_in_years`` before it are the baseline's, so an arm with a pathway off
        starts from the same people as the baseline and shows how the outcomes respond.
    interventions:
        Intervention specifications (mappings with a ``kind``, or config objects; see
        ``pathways_sim.interventions.INTERVENTIONS``).  They act through mechanisms, never on outcomes.
    rng:
        Seed (non-negative int) of the run.  The same seed reproduces a run bit for bit; every mechanism
        draws from its own stream derived from it.  ``None`` draws a fresh seed (recorded as ``model.seed``).
    agents:
        ``"all"`` makes a ``PersonAgent`` for every living person and keeps them in step with births and
        deaths, so ``model.agents``, AgentSet queries, DataCollector and SolaraViz see everyone.
        ``"lazy"`` makes agents only when asked (``model.person(slot)``), so a million-person run does not
        pay for a million Python objects.  ``"auto"`` (default) is ``"all"`` up to 20,000 people.
    window_years:
        Years of deaths and person-time pooled into each period life table (ONS pools 3).
    years:
        Optional length of the run: ``running`` turns False after it, so ``mesa.batch_run(PathwaysModel,
        {"population_size": 2000, "years": 2}, rng=[1, 2])`` works (for large sweeps use
        ``pathways_sim.experiments``).  ``model.datacollector`` holds yearly headline measures.
    start:
        The world ``burnt_in(parameters, seed)`` made for the same parameters and seed, to start from a copy of
        it instead of building and burning in again: arms that differ only in pathways switched off and
        interventions share their start, so a comparison builds it once (``run_arms`` does).  The run is
        the same, bit for bit, as one that builds its own.
    **overrides:
        Parameter values by name, applied on top of ``params``.

    Examples
    --------
    >>> model = PathwaysModel(population_size=2_000, rng=1)
    >>> model.run(years=1)
    >>> table = model.results()
    >>> sorted(table.columns)
    ['group', 'group_type', 'metric', 'value', 'year']
    """

    def __init__(self, *, params: Parameters | Mapping[str, Any] | None = None,
                 pathways_off: Iterable[str] = (), interventions: Iterable[Mapping[str, Any]] = (),
                 rng: int | None = None, agents: AgentMode = "auto", window_years: int = 3,
                 years: float | None = None, start: World | None = None, **overrides: Any):
        seed = _resolve_seed(rng)
        super().__init__(rng=seed)
        self.params = model_parameters(params, overrides)
        switches = Switches(pathways_off)  # checked before the (slower) build
        if agents not in ("auto", "all", "lazy"):
            raise ParameterError([("agents", f"must be 'auto', 'all' or 'lazy', got {agents!r}")])
        if not isinstance(window_years, int) or window_years < 1:
            raise ParameterError([("window_years", f"must be a whole number of years >= 1, got {window_years!r}")])
        built = make_interventions(interventions)  # validated before the (slower) build
        self.seed = seed
        # The start and the burn-in are the baseline's in every arm (all pathways on, no intervention), so arms
        # share their starting population; pathways switched off and interventions act from the first
        # reported step.
        self.world = burnt_in(self.params, seed) if start is None else _copy_of_start(start, self.params, seed)
        self.set_pathways_off(switches)
        self.world.interventions = built
        for intervention in built:
            intervention.bind(self.world)
        self.collector = Collector(self.world, window_years)
        self.end_step = _end_step(years, self.world.steps_per_year)
        # Mesa's batch_run and SolaraViz read a DataCollector: a few headline measures, collected at the start
        # and after every simulated year (the tidy ``results()`` table holds everything).
        self.datacollector = mesa.DataCollector(model_reporters=dict(HEADLINE_REPORTERS))
        self.datacollector.collect(self)
        self.agent_mode = ("all" if self.params["population_size"] <= AUTO_AGENT_LIMIT else "lazy") \
            if agents == "auto" else agents
        self._agents_by_slot: dict[int, PersonAgent] = {}
        if self.agent_mode == "all":
            for slot in self.population.alive_slots():
                self._agents_by_slot[int(slot)] = PersonAgent(self, int(slot))

    # -- state --------------------------------------------------------------------------------------------
    @property
    def population(self) -> Population:
        return self.world.population

    @property
    def network(self) -> Network:
        return self.world.network

    @property
    def areas(self) -> Areas:
        return self.world.areas

    @property
    def year(self) -> float:
        """Calendar time at the start of the next step."""
        return self.world.year

    def person(self, slot: int) -> PersonAgent:
        """The agent of the person in ``slot`` (made on first request in lazy mode)."""
        pop = self.population
        if not (0 <= slot < pop.capacity and pop.alive[slot]):
            raise LookupError(f"no living person in slot {slot}")
        agent = self._agents_by_slot.get(int(slot))
        if agent is None or not agent.alive:
            if agent is not None:
                agent.remove()
            agent = PersonAgent(self, int(slot))
            self._agents_by_slot[int(slot)] = agent
        return agent

    # -- running ------------------------------------------------------------------------------------------
    def step(self) -> None:
        self.collector.before_step(self.world)
        events = advance(self.world)
        self.last_step = events  # who died and who was born (for accounting and analysis)
        self.collector.after_step(self.world, events.died, events.born.size)
        self._sync_agents(events.died, events.born)
        if self.world.step_index % self.world.steps_per_year == 0:
            self.datacollector.collect(self)
        if self.end_step is not None and self.world.step_index >= self.end_step:
            self.running = False

    def set_pathways_off(self, pathways_off: Iterable[str] | Switches) -> None:
        """Switch these pathways or loops off, and every other one on, from the next step (a teaching page's
        live switches; the constructor applies its ``pathways_off`` this way after the burn-in)."""
        self.switches = pathways_off if isinstance(pathways_off, Switches) else Switches(pathways_off)
        self.world.switches = self.switches
        self.world.strength = effective_strengths(self.params, self.switches)

    def run(self, years: float) -> None:
        """Advance by ``years`` (a whole number of steps)."""
        if not np.isfinite(years) or years < 0:
            raise ParameterError([("years", f"must be a non-negative number, got {years!r}")])
        for _ in range(round(years * self.world.steps_per_year)):
            self.step()

    def _sync_agents(self, died: np.ndarray, born: np.ndarray) -> None:
        # Agents whose person died leave model.agents; in "all" mode newborns join it.
        for slot in np.flatnonzero(died):
            agent = self._agents_by_slot.pop(int(slot), None)
            if agent is not None:
                agent.remove()
        if self.agent_mode == "all":
            for slot in born:
                stale = self._agents_by_slot.pop(int(slot), None)
                if stale is not None:
                    stale.remove()
                self._agents_by_slot[int(slot)] = PersonAgent(self, int(slot))

    # -- results ------------------------------------------------------------------------------------------
    def results(self) -> pd.DataFrame:
        """Tidy yearly results: columns year, group_type, group, metric, value."""
        return self.collector.frame()

    def health_gap_table(self, year: int | None = None, grouping: str = "area_deprivation_quintile") -> pd.DataFrame:
        """One row per group of ``grouping`` (1 = most deprived) plus the gap and SII, for one year."""
        from pathways_sim.results.tables import health_gap_table

        return health_gap_table(self.results(), year=year, grouping=grouping)


def _share(model: PathwaysModel, state: str, min_age: float) -> float:
    pop = model.population
    who = pop.alive & (pop.age >= min_age)
    return float(getattr(pop, state)[who].mean()) if who.any() else float("nan")


HEADLINE_REPORTERS: dict[str, Any] = {
    "year": lambda m: m.year,
    "population": lambda m: m.population.n_alive,
    "cmd_prevalence": lambda m: _share(m, "cmd", 16),
    "not_good_health_prevalence": lambda m: _share(m, "poor_health", 16),
    "smoking_prevalence": lambda m: _share(m, "smoker", 18),
    "mean_stress": lambda m: _share(m, "stress", 16),
}


def model_parameters(params: Parameters | Mapping[str, Any] | None, overrides: Mapping[str, Any]) -> Parameters:
    """The parameters a ``PathwaysModel`` built with ``params`` and keyword ``overrides`` runs with."""
    if isinstance(params, Parameters):
        return params.replace(**overrides) if overrides else params
    return Parameters({**dict(params or {}), **overrides})


def parameters_of(model_kwargs: Mapping[str, Any]) -> Parameters:
    """The parameters ``PathwaysModel(**model_kwargs)`` runs with: ``params`` with every keyword argument that is
    not one of the model's own (read from its signature) as an override."""
    own = set(inspect.signature(PathwaysModel.__init__).parameters) - {"self", "overrides"}
    overrides = {name: value for name, value in model_kwargs.items() if name not in own}
    return model_parameters(model_kwargs.get("params"), overrides)


def burnt_in(params: Parameters, seed: int) -> World:
    """The synthetic population of a run and its ``burn_in_years``, the baseline's (every pathway on, no
    intervention): what every arm of a run with these parameters and seed starts from."""
    world = build_world(params, Switches(), seed)
    burn_in(world)
    return world


def _copy_of_start(start: World, params: Parameters, seed: int) -> World:
    """A copy of ``start``, after checking it is the start of a run with these parameters and seed."""
    # A start made in another process (a sweep's worker) was never built here, which is where malloc is tuned.
    memory.keep_freed_memory()
    problems = []
    if not isinstance(start, World):
        problems.append(("start", f"must be a World from burnt_in(parameters, seed), got {type(start).__name__}"))
    else:
        if start.params != params:
            changed = sorted(k for k in params if start.params.get(k) != params[k])
            problems.append(("start", f"was burnt in with other parameters ({', '.join(changed[:5])})"))
        if start.streams.root_seed != seed:
            problems.append(("start", f"was burnt in with seed {start.streams.root_seed}, not {seed}"))
        if start.step_index != 0 or start.interventions or start.switches.off:
            problems.append(("start", "has run on from its burn-in (steps taken, pathways off or interventions)"))
    if problems:
        raise ParameterError(problems)
    return copy.deepcopy(start)


def _end_step(years: float | None, steps_per_year: int) -> int | None:
    """The step after which ``running`` turns False (for ``mesa.batch_run``); None: run while asked."""
    if years is None:
        return None
    if isinstance(years, bool) or not isinstance(years, int | float) or not np.isfinite(years) or years <= 0:
        raise ParameterError([("years", f"must be a positive number of years, got {years!r}")])
    return max(1, round(years * steps_per_year))


def _resolve_seed(rng: Any) -> int:
    if rng is None:
        entropy = cast(int, np.random.SeedSequence().entropy)  # one int when drawn fresh (not given)
        return int(entropy % (2**63))
    if isinstance(rng, bool) or not isinstance(rng, int | np.integer) or rng < 0:
        raise ParameterError([("rng", f"must be a non-negative integer seed or None, got {rng!r}")])
    return int(rng)
