"""The mechanisms' own numba kernels (mortality, ill health, smoking, disorder, activity, childhood, births,
ageing) give exactly what their numpy code gives: each compared byte for byte on a real world state, and on
states pushed to the edges (nobody at risk, everyone at risk, extreme parameters)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from kernel_paths import both, identical

from pathways_sim.core import kernels

pytest.importorskip("numba")





@pytest.fixture(scope="module")
def world(stepped_world):
    return stepped_world


def with_params(world, **changes):
    """A copy of ``world`` with some parameters changed (strengths follow them)."""
    from pathways_sim.mechanisms.registry import Switches, effective_strengths

    other = copy.deepcopy(world)
    other.params = world.params.replace(**changes)
    other.strength = effective_strengths(other.params, Switches())
    return other


# --- births: the fertile women and their chances

FERTILITY_CASES = [{}, {"total_fertility_rate": 0.0}, {"fertility_age_min": 12.0, "fertility_age_max": 55.0},
                   {"fertility_age_min": 30.0, "fertility_age_max": 35.0}, {"fertility_age_min": 18.3,
                                                                            "fertility_age_max": 40.7},
                   {"step_months": 12}, {"total_fertility_rate": 5.0, "step_months": 1}]


@pytest.mark.parametrize("changes", FERTILITY_CASES)
def test_the_fertile_women_and_their_chances_are_the_same(world, changes):
    from pathways_sim.mechanisms.demography import _fertile

    w = with_params(world, **changes)
    pop = w.population
    # Ages at and either side of every band edge and bound, in float32 as the state holds them.
    edges = np.array([12, 15, 18, 18.3, 20, 30, 35, 40, 40.7, 44, 45, 55], dtype=np.float32)
    odd = np.concatenate([edges, np.nextafter(edges, np.float32(0)), np.nextafter(edges, np.float32(99)),
                          np.array([0.0, -0.0, 130.0, np.inf, -1.0], dtype=np.float32)])
    pop.age[:odd.size] = odd
    pop.female[:odd.size] = True
    pop.alive[:odd.size] = True
    plain, compiled = both(_fertile, pop, w.params, w.dt)
    assert identical(plain[0], compiled[0]) and identical(plain[1], compiled[1])
    if changes.get("total_fertility_rate", 1.0) > 0:
        assert plain[0].size > 20
    pop.female[:] = False  # nobody can have a birth
    plain, compiled = both(_fertile, pop, w.params, w.dt)
    assert plain[0].size == 0 and identical(plain[0], compiled[0]) and identical(plain[1], compiled[1])


# --- mechanisms that draw against a kernel's bound: the same decisions, and the bound is never below the hazard

def ages_at_the_edges(world) -> None:
    """Some of ``world``'s living people at awkward ages (newborns, the oldest, either side of 1, 16, 18, 35)."""
    pop = world.population
    living = np.flatnonzero(pop.alive)[:40]
    pop.age[living] = np.array([0.0, 0.5, 0.999, 1.0, 1.001, 11.99, 12.0, 15.99, 16.0, 17.99, 18.0, 34.99, 35.0,
                                104.9, 105.0, 110.0, 130.0, 50.0, 66.99, 67.0] * 2, dtype=np.float32)


MORTALITY_CASES = [{}, {"maximum_age": 80.0}, {"mortality_rate_at_50": 10.0, "mortality_age_slope": 1.0},
                   {"mortality_rate_at_50": 0.0, "infant_mortality_rate": 0.0}, {"infant_mortality_rate": 1.0},
                   {"male_mortality_log_hr": -2.0, "mortality_age_slope": 0.0}, {"step_months": 12}]



def same_change_and_record(world, mechanism, change: str, record: str):
    """``mechanism``'s ``change`` and the hazard it records as ``record``, on a fresh context under each kernel
    choice: asserted byte-identical; the numpy path's change is returned."""
    from pathways_sim.mechanisms.base import StepContext

    def run():
        ctx = StepContext(world)
        return mechanism(ctx)[change], ctx.recorded[record]

    (plain, plain_hazard), (compiled, compiled_hazard) = both(run)
    assert identical(plain, compiled) and identical(plain_hazard, compiled_hazard)
    return plain


@pytest.mark.parametrize("changes", MORTALITY_CASES)
def test_the_same_people_die(world, changes):
    from pathways_sim.mechanisms.base import StepContext
    from pathways_sim.mechanisms.mortality import death_hazard, mortality

    w = with_params(world, **changes)
    ages_at_the_edges(w)
    for step in range(4):
        w.step_index = step

        plain = same_change_and_record(w, mortality, "dies", "deaths")
    with kernels.using("numba"):
        ctx = StepContext(w)
        assert identical(death_hazard(ctx)[10:500], death_hazard(ctx, np.arange(10, 500)))
    if changes.get("mortality_rate_at_50", 1.0) > 0:
        assert plain.sum() > 0


def drawn_switches_agree(w, mechanism: str, state: str, steps: int = 3) -> int:
    """``mechanism``'s change of ``state`` resolves to the same new state under both paths, its hazards are the
    same, its hazards of a few slots are those slots' of everyone's, and its bound is never below a hazard."""
    from pathways_sim.mechanisms.base import F32, StepContext
    from pathways_sim.mechanisms.registry import MECHANISMS
    from pathways_sim.model.step import resolve

    flips = 0
    for step in range(steps):
        w.step_index = step

        def new():
            ctx = StepContext(w)
            change = MECHANISMS[mechanism](ctx)[state]
            return resolve(ctx, state, change), change.onset, change.recovery

        plain, compiled = both(new)
        for a, b in zip(plain, compiled, strict=True):
            assert identical(a, b), (mechanism, step)
        flips += int(np.count_nonzero(plain[0] != getattr(w.population, state)))
    with kernels.using("numba"):
        change = MECHANISMS[mechanism](StepContext(w))[state]
        current = getattr(w.population, state)
        hazard = np.where(current, np.broadcast_to(change.recovery, current.shape),
                          np.broadcast_to(change.onset, current.shape)).astype(F32)
        # The kernel's bound, rate x exp(exponent), holds with room to spare within the draws' margin (2^-7).
        rate = np.where(current, change.rates[1], change.rates[0])
        with np.errstate(over="ignore"):
            bound = rate * np.exp(change.exponent(current)) * (1.0 + 2.0 ** -10) + 1e-30
        assert np.all(bound >= np.nan_to_num(hazard, nan=0.0))
        who = np.sort(np.random.default_rng(5).choice(current.size, 700, replace=False))
        for part, whole in zip(change.hazards(who), (change.onset, change.recovery), strict=True):
            assert identical(part, np.broadcast_to(whole, current.shape)[who])
        empty = change.hazards(np.arange(0))
        assert empty[0].size == 0 and empty[1].size == 0
    return flips


def everyone_in(w, state: str, value: bool):
    other = copy.deepcopy(w)
    getattr(other.population, state)[:] = value
    return other


@pytest.mark.parametrize("changes", [{}, {"poor_health_rate_at_50": 10.0, "poor_health_age_slope": 1.0},
                                     {"poor_health_rate_at_50": 0.0, "poor_health_recovery_rate": 0.0},
                                     {"female_poor_health_log_hr": -2.0, "poor_health_recovery_rate": 50.0},
                                     {"step_months": 12}])
def test_the_same_people_fall_ill_and_recover(world, changes):
    w = with_params(world, **changes)
    ages_at_the_edges(w)
    assert drawn_switches_agree(w, "physical_health", "poor_health", steps=6) > 0 or changes
    for value in (False, True):
        drawn_switches_agree(everyone_in(w, "poor_health", value), "physical_health", "poor_health", steps=1)


SWITCH_CASES = {
    ("smoking", "smoker"): [{}, {"smoking_initiation_rate": 10.0, "smoking_cessation_rate": 0.0},
                            {"present_focus_smoking_strength": 2.5, "peer_smoking_strength": 2.5,
                             "minority_smoking_log_hr": -5.0}, {"step_months": 12}],
    ("mental_disorder", "cmd"): [{}, {"cmd_onset_rate": 10.0, "cmd_recovery_rate": 0.0},
                                 {"treatment_cmd_recovery_strength": 0.7, "cmd_treatment_coverage": 1.0,
                                  "treatment_effect_deprivation_loss": 1.0}, {"step_months": 1}],
    ("housing", "housing_insecure"): [{}, {"housing_insecurity_rate": 10.0, "housing_resecure_rate": 0.0},
                                      {"strain_housing_insecurity_strength": 3.0}, {"step_months": 12}],
    ("material", "material_hardship"): [{}, {"material_hardship_rate": 10.0, "material_hardship_exit_rate": 50.0},
                                        {"strain_material_hardship_strength": 5.5,
                                         "housing_insecurity_material_hardship_strength": 1.2}, {"step_months": 12}],
    ("physical_activity", "physically_inactive"): [
        {}, {"inactivity_onset_rate": 10.0, "inactivity_age_slope": 1.0},
        {"inactivity_recovery_rate": 0.0, "deprivation_inactivity_strength": 0.5}, {"step_months": 12}],
}


@pytest.mark.parametrize(("mechanism", "state", "changes"),
                         [(m, s, c) for (m, s), cases in SWITCH_CASES.items() for c in cases])
def test_the_same_people_switch(world, mechanism, state, changes):
    w = with_params(world, **changes)
    ages_at_the_edges(w)
    assert drawn_switches_agree(w, mechanism, state, steps=6) > 0 or changes
    for value in (False, True):
        drawn_switches_agree(everyone_in(w, state, value), mechanism, state, steps=1)


ACE_CASES = [{}, {"ace_hazard_rate": 10.0}, {"ace_hazard_rate": 0.0}, {"parental_poverty_aces_strength": 2.0,
                                                                        "parental_stress_aces_strength": 1.5},
             {"step_months": 12}]


@pytest.mark.parametrize("changes", ACE_CASES)
def test_the_same_children_have_adverse_experiences(world, changes):
    from pathways_sim.mechanisms.childhood import childhood_adversity

    w = with_params(world, **changes)
    ages_at_the_edges(w)
    pop = w.population
    orphans = np.flatnonzero(pop.alive & (pop.age < 18))[:30]
    pop.parent[orphans] = -1  # children in care
    pop.aces[orphans[:10]] = 9  # and some who can have no more
    pop.aces[orphans[10:20]] = 8
    total = 0
    for step in range(6):
        w.step_index = step

        plain = same_change_and_record(w, childhood_adversity, "aces", "aces")
        total += int(np.count_nonzero(plain != pop.aces))
    assert total > 0 or changes


def test_death_hazard_bound_holds(world):
    from pathways_sim.mechanisms.base import StepContext
    from pathways_sim.mechanisms.mortality import _exponent, death_hazard

    for changes in MORTALITY_CASES:
        w = with_params(world, **changes)
        ages_at_the_edges(w)
        pop, s, p = w.population, w.strength, w.params
        rate, infant = p["mortality_rate_at_50"], p["infant_mortality_rate"]
        with np.errstate(divide="ignore"):
            shift = float(np.log(rate / (rate + infant))) if rate > 0 else -np.inf
        exponent = np.empty(pop.capacity)
        with kernels.using("numba"):
            _exponent(pop.age, pop.female, pop.poor_health, pop.smoker, pop.allostatic_load, pop.physically_inactive,
                      np.array([p["mortality_age_slope"], p["male_mortality_log_hr"], s["poor_health_mortality"],
                                s["smoking_mortality"], s["allostatic_load_mortality"], s["inactivity_mortality"],
                                shift]), exponent)
            exact = death_hazard(StepContext(w))
        assert np.all((rate + infant) * np.exp(exponent) * (1 + 2.0 ** -10) + 1e-30 >= exact), changes


def test_two_years_of_steps_leave_every_state_identical(world):
    """End to end: the same world stepped under each kernel choice holds the same bytes in every state."""
    from pathways_sim.declarations.states import STATE_NAMES
    from pathways_sim.model.step import advance

    def run():
        w = copy.deepcopy(world)
        for _ in range(24):
            advance(w)
        return w

    plain, compiled = both(run)
    for name in (*STATE_NAMES, "key", "person_id", "children_born", "alive", "parent"):
        assert identical(getattr(plain.population, name), getattr(compiled.population, name)), name
    assert identical(plain.network.keys, compiled.network.keys)


def test_deaths_orphan_the_same_children(world):
    """The dying leave; their living children lose the parent and gain an ACE (at most 9), children dying with
    their parent do not, and every tie of the dying goes."""
    from pathways_sim.mechanisms.demography import deaths

    pop = world.population
    children = np.flatnonzero((pop.parent >= 0) & pop.alive)
    rng = np.random.default_rng(3)
    dying = pop.alive & (rng.random(pop.capacity) < 0.05)
    dying[pop.parent[children[:60]]] = True  # parents of these children die
    dying[children[:20]] = True  # and some of the children with them
    aces = pop.aces.copy()
    aces[children[20:60]] = np.arange(40) % 11 - 1  # 8 and 9 among them, and values outside 0..9
    aces[children[[21, 22]]] = [127, -128]  # where int8's sum wraps

    def die():
        other = copy.deepcopy(world)
        other.population.aces[:] = aces
        deaths(other, dying)
        return other

    plain, compiled = both(die)
    for name in ("alive", "parent", "aces"):
        assert identical(getattr(plain.population, name), getattr(compiled.population, name)), name
    assert identical(plain.network.keys, compiled.network.keys)
    survivors = children[20:60][~dying[children[20:60]]]
    assert survivors.size > 30 and (plain.population.parent[survivors] == -1).all()
    assert not plain.population.alive[children[:20]].any()
    assert (plain.population.aces[survivors] == np.minimum(aces[survivors] + 1, 9)).all()


@pytest.mark.parametrize("changes", [{}, {"retirement_age": 66.3}, {"step_months": 12}, {"step_months": 1}])
def test_ageing_comes_of_age_and_retires_the_same_people(world, changes):
    from pathways_sim.declarations.states import STATE_NAMES
    from pathways_sim.mechanisms.demography import age_and_transition

    w = with_params(world, **changes)
    ages_at_the_edges(w)
    pop = w.population
    living = np.flatnonzero(pop.alive)[40:80]
    pop.age[living] = np.array([17.9, 17.95, 17.99, 66.2, 66.25, 66.29, 66.3, 66.9, 66.95, 66.99] * 4,
                               dtype=np.float32) + np.float32(0.001) * np.arange(40, dtype=np.float32)

    def age():
        other = copy.deepcopy(w)
        age_and_transition(other, 5)
        return other.population

    plain, compiled = both(age)
    for name in (*STATE_NAMES, "parent", "alive"):
        assert identical(getattr(plain, name), getattr(compiled, name)), name
    assert np.count_nonzero(plain.education != pop.education) + np.count_nonzero(plain.employment != pop.employment)
