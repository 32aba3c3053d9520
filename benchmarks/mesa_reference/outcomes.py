"""The main outcomes by income quintile, read the same way from the engine's world and from the twin."""

from __future__ import annotations

import numpy as np

from benchmarks.mesa_reference.model import ReferenceModel
from pathways_sim.core.world import World

OUTCOMES = ("cmd_prevalence", "not_good_health_prevalence", "loneliness_prevalence", "mean_stress",
            "mean_resilience", "mean_ties", "died")


def _table(quintile: np.ndarray, values: dict[str, np.ndarray], who: dict[str, np.ndarray]) -> dict:
    """{(outcome, quintile): (estimate, variance of the estimate)} from per-person values."""
    out = {}
    for name in OUTCOMES:
        for q in range(1, 6):
            x = values[name][who[name] & (quintile == q)].astype(np.float64)
            n = max(x.size, 1)
            out[(name, q)] = (float(x.mean()) if x.size else np.nan, float(x.var()) / n if x.size > 1 else np.inf)
    return out


def quintiles(income_rank: np.ndarray) -> np.ndarray:
    return (np.minimum(np.floor(income_rank * 5), 4) + 1).astype(np.int64)


def engine_outcomes(world: World, was_alive: np.ndarray, lonely_threshold: float) -> dict:
    """Outcomes among the people alive at the start (``was_alive``); state outcomes among the survivors."""
    pop = world.population
    alive = pop.alive & was_alive
    adult = alive & (pop.age >= 16)
    degree = np.bincount(np.concatenate(world.network.endpoints()), minlength=pop.capacity)
    values = {"cmd_prevalence": pop.cmd, "not_good_health_prevalence": pop.poor_health,
              "loneliness_prevalence": pop.loneliness > lonely_threshold, "mean_stress": pop.stress,
              "mean_resilience": pop.resilience, "mean_ties": degree, "died": was_alive & ~pop.alive}
    who = {name: alive for name in OUTCOMES} | {"cmd_prevalence": adult, "died": was_alive}
    return _table(quintiles(pop.income_rank), values, who)


def twin_outcomes(twin: ReferenceModel, start: list, lonely_threshold: float) -> dict:
    """The same outcomes from the twin; ``start`` lists the agents alive at the start."""
    alive = np.array([p.alive for p in start], dtype=bool)
    age = np.array([p.age for p in start])

    def column(get) -> np.ndarray:
        return np.array([get(p) for p in start], dtype=np.float64)

    values = {"cmd_prevalence": column(lambda p: p.cmd), "not_good_health_prevalence": column(lambda p: p.poor_health),
              "loneliness_prevalence": column(lambda p: p.loneliness > lonely_threshold),
              "mean_stress": column(lambda p: p.stress), "mean_resilience": column(lambda p: p.resilience),
              "mean_ties": column(lambda p: len(p.ties)), "died": (~alive).astype(np.float64)}
    everyone = np.ones(len(start), dtype=bool)
    who = {name: alive for name in OUTCOMES} | {"cmd_prevalence": alive & (age >= 16), "died": everyone}
    return _table(quintiles(column(lambda p: p.income_rank)), values, who)
