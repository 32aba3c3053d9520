"""The numba kernels of the exposures, stress, job strain, work and income give exactly the bytes of the numpy
code beside them (``core.kernels.kernel``), on a real world state, with intervention modifiers, and at the edges
(nobody at risk, nobody alive, parameters where numpy's float32 promotion matters)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from kernel_paths import both as paths
from kernel_paths import identical

from pathways_sim.core import kernels
from pathways_sim.core.modifiers import Modifiers
from pathways_sim.declarations.states import INSECURE_JOB, OUT_OF_WORK_FORCE, SECURE_JOB, UNEMPLOYED
from pathways_sim.mechanisms.base import StepContext

pytest.importorskip("numba")

EXPOSURES = ("household", "strain", "insecure_work", "housing_insecure", "neighbourhood_disadvantage", "low_status",
             "discriminated", "stigma", "support")


@pytest.fixture(scope="module")
def world(stepped_world):
    return stepped_world



def both(function, world, *args):
    """``function(copy of world, *args)`` under each kernel choice (each on its own copy: some write the state)."""
    out = []
    for choice in ("numpy", "numba"):
        with kernels.using(choice):
            out.append(function(copy.deepcopy(world), *args))
    return out


def modifiers(world, names: dict[str, tuple[float, float]], seed: int = 3) -> Modifiers:
    """Modifiers ``names`` with values drawn uniformly in the given range for some people, neutral for the rest,
    made before the last 25 slots existed (so they are padded for them, as for newborns)."""
    pop, rng = world.population, np.random.default_rng(seed)
    mods = Modifiers(pop.capacity - 25, world.areas.n)
    for name, (low, high) in names.items():
        values = mods.array(name)
        reached = rng.random(values.size) < 0.5
        values[reached] = rng.uniform(low, high, reached.sum()).astype(np.float32)
    return mods


def exposures_of(world, mods=None) -> dict[str, np.ndarray]:
    ctx = StepContext(world, mods)
    return {name: getattr(ctx.exposures, name) for name in EXPOSURES}


def stress_of(world, mods=None, settling=False):
    from pathways_sim.mechanisms.stress import stress

    ctx = StepContext(world, mods, settling=settling)
    change = stress(ctx)["stress"]
    return change.target, change.rate, ctx.recorded


def job_strain_of(world, mods=None):
    from pathways_sim.mechanisms.job_strain import job_strain

    ctx = StepContext(world, mods)
    job_strain(ctx)
    return world.population.job_strain, ctx.recorded


def work_of(world, mods=None):
    from pathways_sim.mechanisms.work import work

    ctx = StepContext(world, mods)
    return work(ctx)["employment"], ctx.recorded


def income_of(world, mods=None):
    from pathways_sim.mechanisms.income import update_income

    world.population.income[:] = -1.0  # overwritten everywhere
    update_income(world, mods)
    return world.population.income, world.income_before_transfers


def same_records(a: dict, b: dict) -> bool:
    return list(a) == list(b) and all(identical(a[k], b[k]) for k in a)


def with_everyone(world, **states):
    changed = copy.deepcopy(world)
    for name, value in states.items():
        getattr(changed.population, name)[:] = value
    return changed


def test_the_exposures_are_the_same(world):
    plain, compiled = both(exposures_of, world)
    for name in EXPOSURES:
        assert identical(plain[name], compiled[name]), name
    assert plain["neighbourhood_disadvantage"].std() > 0 and plain["stigma"].max() == 1.0


def test_the_exposures_are_the_same_with_modifiers_and_at_the_edges(world):
    mods = modifiers(world, {"support_add": (-0.5, 1.0), "mental_illness_stigma_scale": (0.0, 3.0),
                             "cohesion_add": (-0.3, 0.3)})
    plain, compiled = both(exposures_of, world, mods)
    for name in EXPOSURES:
        assert identical(plain[name], compiled[name]), name
    assert plain["support"].max() == 1.0
    nobody = with_everyone(world, alive=False, minority=False, cmd=True, parent=-1, income=0.0)
    plain, compiled = both(exposures_of, nobody, mods)
    for name in EXPOSURES:
        assert identical(plain[name], compiled[name]), name


def test_stress_is_the_same_settling_or_not_and_with_modifiers(world):
    mods = modifiers(world, {"stress_load_add": (-1.0, 2.0), "sensitisation_scale": (0.0, 2.0),
                             "support_add": (0.0, 0.5)})
    for settling in (False, True):
        for given in (None, mods):
            plain, compiled = both(stress_of, world, given, settling)
            assert identical(plain[0], compiled[0]) and plain[1] == compiled[1], (settling, given)
            assert same_records(plain[2], compiled[2]), (settling, given)
    assert 0 < plain[0].mean() < 1


def test_stress_is_the_same_with_job_strain_and_life_events_everywhere(world):
    strained = with_everyone(world, job_strain=True, aces=7)
    strained.params = strained.params.replace(life_event_rate=40.0, life_event_load=2.5)
    plain, compiled = both(stress_of, strained)
    assert identical(plain[0], compiled[0]) and same_records(plain[2], compiled[2])


def test_job_strain_is_the_same(world):
    for given in (None, modifiers(world, {"job_strain_scale": (0.0, 8.0)})):
        plain, compiled = both(job_strain_of, world, given)
        assert identical(plain[0], compiled[0]) and same_records(plain[1], compiled[1])
        assert not np.array_equal(plain[0], world.population.job_strain)
    for employment in (OUT_OF_WORK_FORCE, INSECURE_JOB):  # nobody at work; everyone at work
        plain, compiled = both(job_strain_of, with_everyone(world, employment=employment, job_strain=True))
        assert identical(plain[0], compiled[0]) and same_records(plain[1], compiled[1])
    # Education outside 0-2 is looked up as numpy computes it, too.
    odd = with_everyone(world, education=np.resize(np.array([-128, -1, 0, 1, 2, 3, 127], np.int8),
                                                   world.population.capacity))
    plain, compiled = both(job_strain_of, odd)
    assert identical(plain[0], compiled[0]) and same_records(plain[1], compiled[1])


def test_work_is_the_same(world):
    mods = modifiers(world, {"job_loss_scale": (0.0, 30.0), "reemployment_scale": (0.0, 5.0),
                             "job_upgrade_add": (0.0, 3.0)})
    for given in (None, mods):
        plain, compiled = both(work_of, world, given)
        assert identical(plain[0], compiled[0]) and same_records(plain[1], compiled[1])
        assert not np.array_equal(plain[0], world.population.employment)
    for employment in (OUT_OF_WORK_FORCE, SECURE_JOB, INSECURE_JOB, UNEMPLOYED):
        everyone = with_everyone(world, employment=employment, poor_health=True)
        plain, compiled = both(work_of, everyone, mods)
        assert identical(plain[0], compiled[0]) and same_records(plain[1], compiled[1])


def test_income_is_the_same(world):
    mods = modifiers(world, {"wage_scale": (0.5, 2.0), "wage_floor": (0.0, 40_000.0),
                             "income_add": (-20_000.0, 5_000.0), "income_floor": (0.0, 15_000.0)})
    for given in (None, mods):
        plain, compiled = both(income_of, world, given)
        assert identical(plain[0], compiled[0]) and identical(plain[1], compiled[1])
    assert (plain[0] == 0).any()  # the transfers took some below nothing: held at 0
    # A retirement age float32 cannot hold: numpy compares the float32 ages in float32.
    aged = copy.deepcopy(world)
    aged.params = aged.params.replace(retirement_age=66.7, income_floor=8_001)
    aged.population.age[::3] = np.float32(66.7)
    aged.population.age[1::3] = np.nextafter(np.float32(66.7), np.float32(0))
    aged.population.employment[:] = OUT_OF_WORK_FORCE
    plain, compiled = both(income_of, aged)
    assert identical(plain[0], compiled[0]) and identical(plain[1], compiled[1])
    assert len(np.unique(plain[1][aged.population.parent < 0])) > 2


def test_resilience_and_control_are_the_same(world):
    from pathways_sim.mechanisms.resources import control, resilience

    def resources_of(w, mods=None):
        ctx = StepContext(w, mods)
        return [(change.target, change.rate) for change in (resilience(ctx)["resilience"], control(ctx)["control"])]

    # Modifiers as a step makes them, one value per slot (a scalar baseline is not padded for newborns)
    mods = Modifiers(world.population.capacity, world.areas.n)
    rng = np.random.default_rng(5)
    for name, (low, high) in {"resilience_baseline_add": (-0.5, 0.5), "control_baseline_add": (-0.5, 0.9)}.items():
        mods.array(name)[::2] = rng.uniform(low, high, mods.array(name)[::2].size).astype(np.float32)
    stressed = with_everyone(world)
    stressed.population.stress[:5] = [0.0, 1.0, np.nan, -1e30, 3e38]
    for w, given in ((world, None), (world, mods), (stressed, None)):
        with np.errstate(over="ignore"):  # 1.5 x 3e38 in float32
            plain, compiled = both(resources_of, w, given)
        assert all(identical(a, b) for pair in zip(plain, compiled, strict=True) for a, b in zip(*pair, strict=True))


def test_depletion_at_the_edges_is_the_same():
    # Rates not above 0 (no recovery, or stress against it), numerators of each kind numpy treats its own way
    from pathways_sim.mechanisms.resources import _depleted

    stress = np.array([0.0, 0.5, 1.0, 2.0, np.nan, -3.0, 1e-40, 7.0], dtype=np.float32)
    per_person = np.linspace(-1.0, 2.0, stress.size)
    for baseline in (0.7, np.float64(0.7), per_person, per_person.astype(np.float32), 0.0):
        for recovery, depletion in ((0.8, 1.5), (0.0, 1.5), (0.8, -0.4), (0.0, 0.0)):
            with np.errstate(all="ignore"):
                plain, compiled = paths(_depleted, baseline, recovery, depletion, stress)
            assert identical(plain[0], compiled[0]) and identical(plain[1], compiled[1]), (baseline, recovery)


def test_a_step_of_the_whole_model_is_the_same(world):
    from pathways_sim.model.step import advance

    def step(w):
        advance(w)
        return w.population

    plain, compiled = both(step, world)
    for name in ("stress", "job_strain", "employment", "income", "cmd", "alive"):
        assert identical(getattr(plain, name), getattr(compiled, name)), name


def test_events_drawn_only_where_they_can_happen_are_the_same_decisions(world):
    pop, rng = world.population, np.random.default_rng(21)
    n = pop.capacity
    odd = np.array([0.0, -0.0, -1.0, 1e-30, 1e-40, 1e-8, 0.25, 12.0, 1e3, 1e30, np.inf, np.nan], dtype=np.float32)
    for hazard in (np.resize(odd, n), rng.exponential(3.0, n).astype(np.float32),
                   np.where(rng.random(n) < 0.5, rng.exponential(300.0, n), 0.0).astype(np.float32), 0.7):
        for among in (None, rng.random(n) < 0.3):
            with kernels.using("numba"):
                ctx = StepContext(world)
                drawn = ctx.event("job_loss", hazard, among)
            with kernels.using("numpy"):
                reference = StepContext(world)
                everyone = reference.event("job_loss", hazard)
            assert identical(drawn, everyone if among is None else everyone & among)
            assert same_records(ctx.recorded, reference.recorded)
            assert 0 < drawn.sum() < n
    with kernels.using("numba"):
        assert not StepContext(world, settling=True).event("job_loss", hazard).any()



def test_loneliness_targets_and_keenness_are_the_same(world):
    """numpy's float32 exp inside the loneliness and keenness kernels (core/numba_exp.py): the same targets with
    the pathway on, off and steeper, for degrees far out, and the same keenness for withdrawals far out."""
    from pathways_sim.mechanisms.loneliness import loneliness
    from pathways_sim.mechanisms.registry import Switches, effective_strengths
    from pathways_sim.mechanisms.ties import keenness

    def target_of(w):
        return loneliness(StepContext(w))["loneliness"].target

    steep, off = copy.deepcopy(world), copy.deepcopy(world)
    steep.params = world.params.replace(ties_reduce_loneliness_strength=9.5, loneliness_floor=0.3)
    steep.strength = effective_strengths(steep.params, Switches())
    off.switches = Switches(off=["ties_reduce_loneliness"])
    for w in (world, steep, off):
        plain, compiled = both(target_of, w)
        assert identical(plain, compiled)
        assert plain.dtype == np.float32
    far_degrees = np.concatenate([np.linspace(-10, 400, 100_001), [np.nan, np.inf, -np.inf, -0.0]]).astype(np.float32)

    def target_at(degrees):
        ctx = StepContext(copy.deepcopy(world))
        ctx.exposures.__dict__["degree"] = degrees  # in place of the ties' counts (a cached property)
        return loneliness(ctx)["loneliness"].target

    with kernels.using("numpy"):
        plain = target_at(far_degrees)
    with kernels.using("numba"):
        compiled = target_at(far_degrees)
    assert identical(plain, compiled)
    withdrawal = np.concatenate([np.linspace(-120, 120, 100_001), [np.nan, np.inf, -np.inf, 0.0, -0.0]])
    with np.errstate(over="ignore"):  # exp(120) overflows float32 to inf, as numpy warns
        plain, compiled = paths(keenness, withdrawal.astype(np.float32))
    assert identical(plain, compiled)
