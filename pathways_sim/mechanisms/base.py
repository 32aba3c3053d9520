"""What a mechanism is, and the context it computes in.

A mechanism is one declaration and one function next to it: ``@mechanism(...)`` names it, lists the pathways
(causal links with their strength parameters) and the parameters it owns, and the states it writes.  Its
function receives a ``StepContext`` — the population as it was at the start of the step, this step's
exposures, parameters, pathway strengths (0 when switched off), intervention modifiers and named random
streams — and returns its proposed changes.  The step (``model.step``) applies the changes of all
simultaneous mechanisms only after every one has computed from the same previous state.

A change is one of:

- ``Relax(target, rate)`` for a continuous state: it moves exactly towards ``target`` (exponential
  integration of dx/dt = rate (target - x)), so it stays between where it was and its target for any step;
- ``Switch(onset, recovery, ...)`` for a 0/1 state: hazards per year of entering and leaving it, drawn with
  probability 1 - exp(-h dt) from the named streams;
- a new array for any other state (employment, ACE count);
- anything else under a name that is not a state (a death mask, a change of ties): a *signal* that later
  mechanisms of the step read (``ctx.signals``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from pathways_sim.core import kernels, modifiers
from pathways_sim.core.modifiers import Modifiers
from pathways_sim.core.world import World
from pathways_sim.declarations.declare import Param
from pathways_sim.declarations.pathways import Pathway

F32 = np.float32


@dataclass(frozen=True, slots=True)
class Relax:
    """A continuous state moves towards ``target`` at ``rate`` per year (exactly, for any step length)."""

    target: np.ndarray
    rate: np.ndarray | float


@dataclass(frozen=True, slots=True)
class Switch:
    """A 0/1 state: people without it enter at hazard ``onset`` (where ``eligible``), people with it leave at
    hazard ``recovery``.  Both are per year and computed for everyone, so the equilibrium prevalence
    onset / (onset + recovery) is defined for everyone (the starting population uses it)."""

    onset: np.ndarray
    recovery: np.ndarray
    onset_stream: str
    recovery_stream: str
    eligible: np.ndarray | None = None


ALL = slice(None)  # every slot (of a mechanism's hazard function)


@dataclass(frozen=True, eq=False)
class DrawnSwitch:
    """A ``Switch`` whose exact hazards are worked out only for the people whose draw could fall below them
    (the numba path of a mechanism; ``kernels.compiled()`` is not None).

    ``hazards(who)`` is the mechanism's numpy code: (onset, recovery) of the slots ``who`` (``slice(None)``: all).
    ``exponent(current)`` is its numba kernel: for every slot an x (float64) such that the hazard it is at risk
    of is at most ``rates[1]`` x exp(x) where ``current`` (recovery) and ``rates[0]`` x exp(x) elsewhere (onset),
    the exponent of the numpy code's formula.  The step draws everyone's uniform against that bound and
    numpy's exact hazards, exp and expm1 decide for the few per cent whose draw falls below it, so the new state
    is the one ``Switch`` gives, bit for bit; ``onset`` and ``recovery`` (everyone's) are computed by the numpy
    code when read."""

    hazards: Callable[[Any], tuple[np.ndarray, np.ndarray]]
    exponent: Callable[[np.ndarray], np.ndarray]
    rates: tuple[float, float]
    onset_stream: str
    recovery_stream: str
    eligible: np.ndarray | None = None

    @cached_property
    def everyone(self) -> tuple[np.ndarray, np.ndarray]:
        return self.hazards(ALL)

    @property
    def onset(self) -> np.ndarray:
        return self.everyone[0]

    @property
    def recovery(self) -> np.ndarray:
        return self.everyone[1]

    def resolve(self, ctx: StepContext, current: np.ndarray) -> np.ndarray:
        """The new state: as ``step.resolve`` of the equivalent ``Switch``."""
        compiled = kernels.compiled()
        assert compiled is not None, "a DrawnSwitch is made only on the numba path"
        streams, pop = ctx.world.streams, ctx.pop
        eligible = np.ones(current.size, dtype=bool) if self.eligible is None else self.eligible
        who, uniforms = compiled.exp_candidates(current, eligible, self.exponent(current), *self.rates, pop.key,
                                                ctx.dt, streams.offset(self.onset_stream, ctx.step),
                                                streams.offset(self.recovery_stream, ctx.step))
        onset, recovery = self.hazards(who)
        was = current[who]
        hazard = np.where(was, np.broadcast_to(recovery, who.shape), np.broadcast_to(onset, who.shape)).astype(F32)
        flips = who[uniforms < -np.expm1(-hazard * ctx.dt)]
        new = current.copy()
        new[flips] = ~current[flips]
        return new


class Recorded(dict[str, Any]):
    """Recorded quantities by name.  A value may be a function of nothing, computed when first read: a kernel
    path records its full hazard so (computing it only for the few whose draw needed it); read it, as every
    reader does, before the step's changes are applied."""

    def __getitem__(self, name: str) -> Any:
        value = super().__getitem__(name)
        if callable(value):
            value = value()
            self[name] = value
        return value


Changes = dict[str, Any]


@dataclass(frozen=True)
class Mechanism:
    """A named mechanism: its pathways and parameters (declared beside it) and the function that computes it."""

    name: str
    summary: str
    function: Callable[[StepContext], Changes | None]
    pathways: tuple[Pathway, ...] = ()
    parameters: tuple[Param, ...] = ()
    writes: tuple[str, ...] = ()

    def __call__(self, ctx: StepContext) -> Changes | None:
        return self.function(ctx)


def mechanism(name: str, summary: str, *, pathways: Sequence[Pathway] = (), parameters: Sequence[Param] = (),
              writes: Sequence[str] = ()) -> Callable[[Callable[[StepContext], Changes | None]], Mechanism]:
    """Declare the function below as mechanism ``name``."""
    def wrap(function: Callable[[StepContext], Changes | None]) -> Mechanism:
        return Mechanism(name, summary, function, tuple(pathways), tuple(parameters), tuple(writes))
    return wrap


@dataclass
class StepContext:
    """What a mechanism computes from: the world at the start of the step and this step's draws.

    ``settling`` is set while the starting population is put at its steady state: acute events (drawn with
    ``event``) then do not happen and continuous states go straight to their targets.
    """

    world: World
    mods: Modifiers | None = None
    settling: bool = False
    signals: dict[str, Any] = field(default_factory=dict)
    recorded: Recorded = field(default_factory=Recorded)

    def __post_init__(self) -> None:
        from pathways_sim.mechanisms.exposures import Exposures  # the exposures module builds on this one

        self.exposures = Exposures(self.world, self.mods)

    @property
    def pop(self):  # -> core.population.Population
        return self.world.population

    @property
    def params(self) -> Mapping[str, Any]:
        return self.world.params

    @property
    def strength(self) -> Mapping[str, float]:
        """Each pathway's strength as the step uses it (0 when switched off)."""
        return self.world.strength

    @property
    def dt(self) -> float:
        return self.world.dt

    @property
    def step(self) -> int:
        return self.world.step_index

    def uniform(self, stream: str) -> np.ndarray:
        """One uniform in [0, 1) per slot from ``stream`` at this step, keyed by the person in the slot (so
        common random numbers hold across arms, whoever else was born or died)."""
        return self.world.streams.uniform(stream, self.step, self.pop.key)

    def generator(self, stream: str) -> np.random.Generator:
        return self.world.streams.generator(stream, self.step)

    def event(self, stream: str, hazard: np.ndarray | float, among: np.ndarray | None = None) -> np.ndarray:
        """Who has the event this step: probability 1 - exp(-hazard dt), drawn from ``stream``; with ``among``,
        only the slots it flags can have it (the others come out False, for a caller that ignores them)."""
        if self.settling:
            return np.zeros(self.pop.capacity, dtype=bool)
        hazard = np.broadcast_to(np.asarray(hazard, dtype=F32), (self.pop.capacity,))
        self.recorded[stream] = hazard
        compiled = kernels.compiled()
        if compiled is not None:  # the same decisions, each uniform hashed only where the event can happen
            return compiled.keyed_event(hazard, self.dt, self.pop.key, self.world.streams.offset(stream, self.step),
                                        among)
        happens = event(hazard, self.dt, self.uniform(stream))
        return happens if among is None else happens & among

    def drawn_event(self, stream: str, at_risk: np.ndarray, exponent: np.ndarray, rate: float,
                    hazard: Callable[[Any], np.ndarray]) -> np.ndarray:
        """``event(stream, hazard(ALL))`` where only ``at_risk`` matter (the rest come out False), on the
        numba path: the bound ``rate`` x exp(``exponent``) (a kernel's float64 exponent, never giving less than
        the hazard) picks out the few whose draw could fall below their chance, and only their hazard is worked
        out exactly, by ``hazard`` (the numpy code) on their slots (as ``DrawnSwitch``)."""
        compiled = kernels.compiled()
        assert compiled is not None and not self.settling, "drawn_event is for the numba path of a step"
        self.recorded[stream] = lambda: np.broadcast_to(np.asarray(hazard(ALL), dtype=F32),
                                                        (self.pop.capacity,))
        offset = self.world.streams.offset(stream, self.step)
        who, uniforms = compiled.exp_candidates(np.zeros(at_risk.size, dtype=bool), at_risk, exponent, rate, rate,
                                                self.pop.key, self.dt, offset, offset)
        happens = np.zeros(self.pop.capacity, dtype=bool)
        happens[who] = event(np.asarray(hazard(who), dtype=F32), self.dt, uniforms)
        return happens

    def record(self, name: str, values: np.ndarray) -> np.ndarray:
        """Keep an intermediate quantity (e.g. ``stress_load``) for tests, teaching and diagnostics."""
        self.recorded[name] = values
        return values

    def add(self, base: Any, name: str) -> Any:
        """``base`` plus the intervention modifier ``name`` (unchanged when no intervention wrote it)."""
        return modifiers.add(base, self.mods, name)

    def scale(self, base: Any, name: str) -> Any:
        """``base`` times the intervention modifier ``name`` (unchanged when no intervention wrote it)."""
        return modifiers.scale(base, self.mods, name)


def relax(x: np.ndarray, x_eq: np.ndarray, rate: np.ndarray | float, dt: float) -> np.ndarray:
    """Exact solution of dx/dt = rate (x_eq - x) over dt: stays between x and x_eq (x_eq itself for dt = inf)."""
    if np.isinf(dt):
        return np.where(np.asarray(rate) > 0, x_eq, x).astype(F32)
    compiled = kernels.compiled()
    moved = None if compiled is None else compiled.relax(x, x_eq, rate, dt)  # the same, one pass after the exp
    if moved is not None:
        return moved
    moved = x_eq + (x - x_eq) * np.exp(-rate * dt)
    if np.ndim(rate) and not np.all(rate > 0):  # no rate, no movement (and an undefined target is never read)
        moved = np.where(rate > 0, moved, x)
    return moved.astype(F32)


def event(hazard: np.ndarray, dt: float, uniforms: np.ndarray) -> np.ndarray:
    """Which people have the event this step, with probability 1 - exp(-hazard dt)."""
    compiled = kernels.compiled()
    if compiled is not None:  # the same decisions, numpy's expm1 only for the draws that could fall below it
        return compiled.event(hazard, dt, uniforms)
    return uniforms < -np.expm1(-hazard * dt)
