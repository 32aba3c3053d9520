"""The Mesa twin (benchmarks/mesa_reference) is a yardstick for speed only if it is the same model: from the
same starting people, it and the engine restricted to the same subset give the same outcomes by income
quintile, within sampling error, across seeds.  A twin with one parameter changed must fail the same check."""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.mesa_reference import ReferenceModel, advance_subset
from benchmarks.mesa_reference.outcomes import OUTCOMES, engine_outcomes, twin_outcomes
from pathways_sim import PathwaysModel

PEOPLE, YEARS, SEEDS = 2_000, 3, (11, 12, 13, 14)
# Each (outcome, quintile) difference, averaged over the seeds, in units of its standard error: the error comes
# from the per-person variance in both runs (ties make people's outcomes correlated, so the bound is loose) and
# the omnibus test pools all 35 differences.
MAX_Z = 4.0
OMNIBUS_P = 1e-3


def paired_differences(overrides: dict[str, float] | None = None) -> dict:
    """For each (outcome, quintile): per seed, (twin - engine, variance of that difference)."""
    pairs: dict = {key: [] for key in ((o, q) for o in OUTCOMES for q in range(1, 6))}
    for seed in SEEDS:
        model = PathwaysModel(population_size=PEOPLE, rng=seed, agents="lazy", burn_in_years=2)
        world = model.world
        threshold = world.params["lonely_threshold"]
        engine_world = copy.deepcopy(world)
        twin = ReferenceModel(world, seed=seed, overrides=overrides)
        start_people = list(twin.agents)
        was_alive = engine_world.population.alive.copy()
        for _ in range(YEARS * world.steps_per_year):
            advance_subset(engine_world)
            twin.step()
        engine = engine_outcomes(engine_world, was_alive, threshold)
        mesa = twin_outcomes(twin, start_people, threshold)
        for key, runs in pairs.items():
            runs.append((mesa[key][0] - engine[key][0], mesa[key][1] + engine[key][1]))
    return pairs


def z_scores(pairs: dict) -> dict:
    out = {}
    for key, runs in pairs.items():
        diffs = np.array([d for d, _ in runs])
        variance = np.array([v for _, v in runs])
        out[key] = float(diffs.mean() / np.sqrt(variance.sum() / len(runs) ** 2))
    return out


def verdict(z: dict) -> tuple[bool, str]:
    worst = max(z, key=lambda k: abs(z[k]))
    chi2 = sum(v * v for v in z.values())
    p = float(stats.chi2.sf(chi2, df=len(z)))
    ok = abs(z[worst]) <= MAX_Z and p >= OMNIBUS_P
    return ok, f"largest |z| {abs(z[worst]):.2f} at {worst}; omnibus chi2 {chi2:.1f} on {len(z)} df, p = {p:.2g}"


@pytest.mark.slow
def test_twin_matches_engine_subset_by_income_quintile():
    ok, message = verdict(z_scores(paired_differences()))
    assert ok, message


@pytest.mark.slow
def test_a_twin_with_a_changed_parameter_is_caught():
    # Half as much again onset of mental disorder in the twin alone: the check must see it.
    ok, message = verdict(z_scores(paired_differences({"cmd_onset_rate": 0.08 * 1.5})))
    assert not ok, message
