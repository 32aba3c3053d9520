"""One step, run from the registry's ``STEP_ORDER``:

0. interventions enrol people and write their mechanism modifiers;
1. every simultaneous mechanism computes its changes from the state at the start of the step;
2. the changes are applied together (continuous states relax, 0/1 states switch, ties break and form);
3. the sequential mechanisms act in turn (deaths, births, ageing, income, job strain);
4. after the last step of a year, the yearly ones (income ranks).

Because 1 completes before 2 begins, the order of the simultaneous mechanisms does not matter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from pathways_sim.core import kernels
from pathways_sim.core.modifiers import Modifiers
from pathways_sim.core.world import World
from pathways_sim.declarations.states import STATE_NAMES
from pathways_sim.mechanisms.base import F32, DrawnSwitch, Relax, StepContext, Switch, event, relax
from pathways_sim.mechanisms.registry import STEP_ORDER


@dataclass(slots=True)
class StepEvents:
    """What happened in a step, for the metrics collector."""

    person_time_mask: np.ndarray  # alive at the start of the step
    age_at_start: np.ndarray
    died: np.ndarray  # bool over slots (sized to capacity at the start)
    born: np.ndarray  # slots of this step's newborns


def intervention_modifiers(world: World) -> Modifiers | None:
    """The modifiers this step's interventions write (None without interventions: baseline arithmetic)."""
    if not world.interventions:
        return None
    mods = Modifiers(world.population.capacity, world.areas.n)
    for intervention in world.interventions:
        intervention.step(world, mods)
    return mods


def advance(world: World) -> StepEvents:
    alive = world.population.alive.copy()
    age_at_start = world.population.age.copy()
    ctx = StepContext(world, intervention_modifiers(world))
    changes: dict[str, Any] = {}
    for mech in STEP_ORDER.simultaneous:
        changes.update(mech(ctx) or {})
    apply_changes(ctx, changes)
    for mech in STEP_ORDER.sequential:
        mech(ctx)
    world.step_index += 1
    if world.step_index % world.steps_per_year == 0:
        for mech in STEP_ORDER.yearly:
            mech(ctx)
    events = StepEvents(alive, age_at_start, ctx.signals["dies"], ctx.signals["born"])
    # A kernel path records its full hazards as functions of this context (base.Recorded): clearing them breaks
    # that cycle, so the context and this step's arrays are freed now rather than at the next garbage collection.
    ctx.recorded.clear()
    return events


def burn_in(world: World) -> None:
    """Run ``burn_in_years`` of steps (numbered -n .. -1, so the reported run's steps and random draws are the
    same whatever the burn-in) before results are collected and interventions start."""
    steps = round(world.params["burn_in_years"] * world.steps_per_year)
    world.step_index = -steps
    for _ in range(steps):
        advance(world)


def resolve(ctx: StepContext, state: str, change: Any) -> Any:
    """The new value of ``state`` from a mechanism's change (drawing a 0/1 switch's events)."""
    current = getattr(ctx.pop, state)
    if isinstance(change, Relax):
        return relax(current, _f32(change.target), _f32(change.rate), ctx.dt)
    if isinstance(change, DrawnSwitch):  # a mechanism's numba path: exact hazards only where a draw needs them
        return change.resolve(ctx, current)
    if isinstance(change, Switch):
        compiled = kernels.compiled()
        if compiled is not None:  # the same draws and decisions in one pass (core/numba_kernels.py)
            streams = ctx.world.streams
            return compiled.switch(current, change.eligible, change.onset, change.recovery, ctx.pop.key, ctx.dt,
                                   streams.offset(change.onset_stream, ctx.step),
                                   streams.offset(change.recovery_stream, ctx.step))
        onset_at = ~current if change.eligible is None else change.eligible & ~current
        enter = _draw_among(ctx, onset_at, change.onset, change.onset_stream)
        leave = _draw_among(ctx, current, change.recovery, change.recovery_stream)
        return (current & ~leave) | enter
    return change


def _draw_among(ctx: StepContext, at_risk: np.ndarray, hazard: Any, stream: str) -> np.ndarray:
    """Who among ``at_risk`` has the event (hazard per year).  A person's draw is keyed by (stream, step,
    person), so drawing only for the people at risk gives each of them the number a draw for everyone would."""
    who = np.flatnonzero(at_risk)
    happens = np.zeros(at_risk.shape, dtype=bool)
    if who.size:
        rate = np.broadcast_to(np.asarray(hazard), at_risk.shape)[who].astype(F32)
        happens[who] = event(rate, ctx.dt, ctx.world.streams.uniform(stream, ctx.step, ctx.pop.key[who]))
    return happens


def apply_changes(ctx: StepContext, changes: Mapping[str, Any]) -> None:
    """Write every state change (all computed from the previous state); keep the rest as signals."""
    new_values = {name: resolve(ctx, name, change) for name, change in changes.items() if name in STATE_NAMES}
    for name, values in new_values.items():
        getattr(ctx.pop, name)[:] = values
    for name, change in changes.items():
        if name in STATE_NAMES:
            continue
        if hasattr(change, "apply"):  # a change to the world's structure, e.g. ties
            change.apply(ctx.world)
        else:
            ctx.signals[name] = change


def _f32(values: Any) -> Any:
    # Arrays are kept in float32 like the state; scalars stay Python floats.  relax only reads them, so one
    # already float32 is not copied.
    return values.astype(F32, copy=False) if isinstance(values, np.ndarray) else values
