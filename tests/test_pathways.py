"""Every declared pathway: raising its source moves its target in the declared direction, and switching the
pathway off removes the effect.

Each probe sets a source low and high for everyone in a copy of a small population, runs the mechanism that
declares the pathway (deterministic: from the same previous state, with the same draws) and reads what it
proposes — a target, a hazard, or a recorded quantity.  Only the pathway under test links that source to that
measure, so with the pathway off the two readings are equal.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from pathways_sim import PATHWAYS, Parameters, Switches
from pathways_sim.core.population import SECURE_JOB, UNEMPLOYED
from pathways_sim.mechanisms.base import StepContext, relax
from pathways_sim.mechanisms.demography import come_of_age
from pathways_sim.mechanisms.registry import MECHANISMS, effective_strengths
from pathways_sim.model.synthesis import build_world


@pytest.fixture(scope="module")
def world():
    return build_world(Parameters(population_size=1_500), Switches(), seed=7)


def set_(name, value):
    def mutate(w):
        getattr(w.population, name)[:] = value
    return mutate


def set_area(name, value):
    def mutate(w):
        getattr(w.areas, name)[:] = value
    return mutate


def no_ties(w):
    w.network.keys = w.network.keys[:0]


def keep_ties(w):
    pass


def both(*fns):
    def mutate(w):
        for fn in fns:
            fn(w)
    return mutate


LOW_INCOME, HIGH_INCOME = 4_000.0, 150_000.0


def everyone_discriminated(w):
    # Every minority person meets discrimination, so stigma is saturated whatever else changes.
    w.population.minority[:] = True
    w.params = w.params.replace(discrimination_share=1.0)


def no_neighbourhood(w):
    # Changing everyone's circumstances also changes their neighbours': hold that second link still.
    w.strength = {**w.strength, "neighbourhood_stress": 0.0}


def odd_poor(w):
    # Half the people (odd slots) are poor: their neighbours' circumstances change, not the others' own.
    w.population.income[:] = np.where(np.arange(w.population.capacity) % 2 == 1, LOW_INCOME, HIGH_INCOME)


def even_adults(w):
    pop = w.population
    return (pop.age >= 18) & (np.arange(pop.capacity) % 2 == 0)


def odd_smokers(w):
    w.population.smoker[:] = np.arange(w.population.capacity) % 2 == 1


def _mean(w, values, who=None):
    mask = np.ones(values.size, bool) if who is None else who(w)
    return float(np.mean(np.asarray(values, dtype=float)[mask & w.population.alive]))


def recorded(mechanism, name, who=None):
    """Mean of a quantity the mechanism recorded (an intermediate, or the hazard of a stream it drew)."""
    def measure(w, ctx):
        MECHANISMS[mechanism](ctx)
        return _mean(w, ctx.recorded[name], who)
    return measure


def target(state, who=None):
    """Mean target of a continuous state (what it relaxes towards)."""
    def measure(w, ctx):
        change = _owner(state)(ctx)[state]
        return _mean(w, np.broadcast_to(change.target, (w.population.capacity,)), who)
    return measure


def hazard(state, which, who=None):
    """Mean onset or recovery hazard of a 0/1 state."""
    def measure(w, ctx):
        return _mean(w, getattr(_owner(state)(ctx)[state], which), who)
    return measure


def relaxed(state):
    def measure(w, ctx):
        change = _owner(state)(ctx)[state]
        new = relax(getattr(w.population, state), change.target, change.rate, 1 / 12)
        return float(new[w.population.alive].mean())
    return measure


def _owner(state):
    return next(m for m in MECHANISMS.values() if state in m.writes)


def tie_propensity(w, ctx):
    MECHANISMS["ties"](ctx)
    return -float(ctx.recorded["withdrawal"][w.population.alive].mean())


def young_even(w):
    pop = w.population
    return (pop.age >= 12) & (pop.age < 35) & (np.arange(pop.capacity) % 2 == 0)


def adults(w):
    return w.population.age >= 18


def smoking_balance(w, ctx):
    pop = w.population
    change = MECHANISMS["smoking"](ctx)["smoker"]
    start = change.onset[~pop.smoker & (pop.age >= 12) & (pop.age < 35)].mean()
    quit_ = change.recovery[pop.smoker].mean()
    return float(np.log(start) - np.log(quit_))


def inactivity_balance(w, ctx):
    """Log onset minus log recovery hazard of inactivity among adults (the log odds of being inactive)."""
    change = MECHANISMS["physical_activity"](ctx)["physically_inactive"]
    adult = adults(w) & w.population.alive
    return float(np.log(change.onset[adult].mean()) - np.log(change.recovery[adult].mean()))


# pathway: (common set-up, source low, source high, target measure)
PROBES = {
    "financial_strain_stress": (no_neighbourhood, set_("income", HIGH_INCOME), set_("income", LOW_INCOME),
                                recorded("stress", "stress_load")),
    "insecure_work_stress": (no_neighbourhood, set_("employment", SECURE_JOB), set_("employment", UNEMPLOYED),
                             recorded("stress", "stress_load")),
    "insecure_housing_stress": (no_neighbourhood, set_("housing_insecure", False), set_("housing_insecure", True),
                                recorded("stress", "stress_load")),
    "neighbourhood_stress": (None, set_("income", HIGH_INCOME), odd_poor,
                             recorded("stress", "stress_load", even_adults)),
    "low_status_stress": (None, set_("income_rank", 1.0), set_("income_rank", 0.0),
                          recorded("stress", "stress_load")),
    "stigma_stress": (set_("cmd", False), set_("minority", False), set_("minority", True),
                      recorded("stress", "stress_load")),
    "stigma_tie_loss": (set_("cmd", False), set_("minority", False), set_("minority", True), tie_propensity),
    "ace_sensitisation": (None, set_("aces", 0), set_("aces", 4), target("stress")),
    "parental_poverty_aces": (None, set_("income", HIGH_INCOME), set_("income", LOW_INCOME),
                              recorded("childhood_adversity", "aces")),
    "parental_stress_aces": (None, set_("stress", 0.1), set_("stress", 0.8), recorded("childhood_adversity", "aces")),
    "parental_cmd_aces": (None, set_("cmd", False), set_("cmd", True), recorded("childhood_adversity", "aces")),
    "stress_depletes_resilience": (None, set_("stress", 0.1), set_("stress", 0.8),
                                   relaxed("resilience")),
    "stress_erodes_control": (None, set_("stress", 0.1), set_("stress", 0.8),
                              relaxed("control")),
    "support_buffer": (None, no_ties, keep_ties, recorded("stress", "stress_sensitivity")),
    "cohesion_buffer": (None, set_area("cohesion", 0.0), set_area("cohesion", 1.0),
                        recorded("stress", "stress_sensitivity")),
    "resilience_buffer": (None, set_("resilience", 0.0), set_("resilience", 1.0),
                          recorded("stress", "stress_sensitivity")),
    "control_buffer": (None, set_("control", 0.0), set_("control", 1.0), recorded("stress", "stress_sensitivity")),
    "present_focus_smoking": (odd_smokers, set_("stress", 0.05), set_("stress", 0.9), smoking_balance),
    "peer_smoking": (None, set_("smoker", False), odd_smokers, hazard("smoker", "onset", young_even)),
    "loneliness_withdrawal": (None, set_("loneliness", 0.1), set_("loneliness", 0.9), tie_propensity),
    "depression_withdrawal": (everyone_discriminated, set_("cmd", False), set_("cmd", True), tie_propensity),
    "ties_reduce_loneliness": (None, no_ties, keep_ties, target("loneliness")),
    "stress_allostatic_load": (None, set_("stress", 0.1), set_("stress", 0.8),
                               relaxed("allostatic_load")),
    "allostatic_load_poor_health": (set_("poor_health", False), set_("allostatic_load", 0.0),
                                    set_("allostatic_load", 5.0), hazard("poor_health", "onset")),
    "allostatic_load_mortality": (None, set_("allostatic_load", 0.0), set_("allostatic_load", 5.0),
                                  recorded("mortality", "deaths")),
    "smoking_poor_health": (set_("poor_health", False), set_("smoker", False), set_("smoker", True),
                            hazard("poor_health", "onset")),
    "smoking_mortality": (None, set_("smoker", False), set_("smoker", True), recorded("mortality", "deaths")),
    "poor_health_mortality": (None, set_("poor_health", False), set_("poor_health", True),
                              recorded("mortality", "deaths")),
    "cmd_poor_health": (set_("poor_health", False), set_("cmd", False), set_("cmd", True),
                        hazard("poor_health", "onset")),
    "stress_cmd_onset": (set_("cmd", False), set_("stress", 0.1), set_("stress", 0.8), hazard("cmd", "onset")),
    "loneliness_cmd_onset": (set_("cmd", False), set_("loneliness", 0.1), set_("loneliness", 0.9),
                             hazard("cmd", "onset")),
    "low_resilience_cmd_onset": (set_("cmd", False), set_("resilience", 0.1), set_("resilience", 0.9),
                                 hazard("cmd", "onset")),
    "support_cmd_recovery": (set_("cmd", True), no_ties, keep_ties, hazard("cmd", "recovery")),
    "resilience_cmd_recovery": (set_("cmd", True), set_("resilience", 0.1), set_("resilience", 0.9),
                                hazard("cmd", "recovery")),
    "health_job_loss": (set_("employment", SECURE_JOB), set_("poor_health", False), set_("poor_health", True),
                        lambda w, ctx: -recorded("work", "job_loss", adults)(w, ctx)),
    "health_reemployment": (set_("employment", UNEMPLOYED), set_("poor_health", False), set_("poor_health", True),
                            recorded("work", "reemployment", adults)),
    "strain_housing_insecurity": (set_("housing_insecure", False), set_("income", HIGH_INCOME),
                                  set_("income", LOW_INCOME), hazard("housing_insecure", "onset", adults)),
    "strain_material_hardship": (set_("material_hardship", False), set_("income", HIGH_INCOME),
                                 set_("income", LOW_INCOME), hazard("material_hardship", "onset", adults)),
    "housing_insecurity_material_hardship": (set_("material_hardship", False), set_("housing_insecure", False),
                                             set_("housing_insecure", True),
                                             hazard("material_hardship", "onset", adults)),
    "material_hardship_poor_health": (set_("poor_health", False), set_("material_hardship", False),
                                      set_("material_hardship", True), hazard("poor_health", "onset")),
    "material_hardship_cmd_onset": (set_("cmd", False), set_("material_hardship", False),
                                    set_("material_hardship", True), hazard("cmd", "onset")),
    # Care access falls with area deprivation (treatment works less well there): more deprived, less care.
    "treatment_cmd_recovery": (set_("cmd", True), set_area("deprivation", 1.0), set_area("deprivation", 0.0),
                               hazard("cmd", "recovery")),
    "job_strain_stress": (None, set_("job_strain", False), set_("job_strain", True),
                          recorded("stress", "stress_load")),
    "present_focus_inactivity": (None, set_("stress", 0.05), set_("stress", 0.9), inactivity_balance),
    "deprivation_inactivity": (None, set_area("deprivation", 0.0), set_area("deprivation", 1.0),
                               inactivity_balance),
    "inactivity_poor_health": (set_("poor_health", False), set_("physically_inactive", False),
                               set_("physically_inactive", True), hazard("poor_health", "onset")),
    "inactivity_mortality": (None, set_("physically_inactive", False), set_("physically_inactive", True),
                             recorded("mortality", "deaths")),
}
def reading(world, switches, setup, mutate, measure):
    w = copy.deepcopy(world)
    w.switches = switches
    w.strength = effective_strengths(w.params, switches)
    if setup:
        setup(w)
    mutate(w)
    return measure(w, StepContext(w))


def test_every_pathway_has_a_probe():
    assert set(PROBES) | {"ace_adult_ses"} == set(PATHWAYS)


@pytest.mark.parametrize("name", sorted(PROBES))
def test_pathway_moves_target_in_declared_direction_and_off_removes_it(world, name):
    setup, low, high, measure = PROBES[name]
    on = Switches()
    effect = reading(world, on, setup, high, measure) - reading(world, on, setup, low, measure)
    assert np.sign(effect) == PATHWAYS[name].sign, f"{name}: effect {effect:+.4g} has the wrong sign"
    assert abs(effect) > 1e-4
    off = Switches([name])
    effect_off = reading(world, off, setup, high, measure) - reading(world, off, setup, low, measure)
    assert effect_off == pytest.approx(0.0, abs=1e-9), f"{name} switched off still has effect {effect_off}"


def test_inequality_amplifies_status_stress(world):
    def area_inequality(value):
        return set_area("relative_gini", value)
    low = reading(world, Switches(), set_("area_income_rank", 0.2), area_inequality(0.5),
                  recorded("stress", "stress_load"))
    high = reading(world, Switches(), set_("area_income_rank", 0.2), area_inequality(2.0),
                   recorded("stress", "stress_load"))
    assert high > low
    off = Switches(["low_status_stress"])
    assert reading(world, off, None, area_inequality(0.5), recorded("stress", "stress_load")) == pytest.approx(
        reading(world, off, None, area_inequality(2.0), recorded("stress", "stress_load")), abs=1e-9)


@pytest.mark.parametrize("switched_off", [False, True])
def test_aces_lower_adult_earning_potential(world, switched_off):
    """ace_adult_ses acts when a person comes of age: more ACEs, lower education, and so lower earning potential
    — once: the whole fall in earnings is what the lost education costs (ACEs do not lower earnings again)."""
    switches = Switches(["ace_adult_ses"] if switched_off else [])
    potentials, educations = {}, {}
    for aces in (0, 4):
        w = copy.deepcopy(world)
        w.switches, w.strength = switches, effective_strengths(w.params, switches)
        slots = w.population.alive_slots()
        w.population.aces[slots] = aces
        come_of_age(w, slots, np.zeros(slots.size), step=3)
        potentials[aces] = float(np.log(w.population.potential[slots]).mean())
        educations[aces] = float(w.population.education[slots].mean())
    effect = potentials[4] - potentials[0]
    if switched_off:
        assert effect == pytest.approx(0.0, abs=1e-9)
    else:
        assert effect < -0.05
        through_education = world.params["education_income_gain"] * (educations[4] - educations[0])
        assert effect == pytest.approx(through_education, abs=1e-4)


def test_switching_a_pathway_off_changes_the_simulation_only_through_it():
    """A run with a pathway off differs from the baseline, but common random numbers keep unrelated
    mechanisms' draws identical: here the ACE stream is untouched by switching off peer smoking."""
    from pathways_sim import PathwaysModel

    base = PathwaysModel(population_size=2_000, rng=11)
    off = PathwaysModel(population_size=2_000, rng=11, pathways_off=["peer_smoking"])
    assert np.array_equal(base.population.aces, off.population.aces)
    base.run(years=4)
    off.run(years=4)
    assert not np.array_equal(base.population.smoker, off.population.smoker)


def test_a_loop_name_switches_off_its_feedback_link_only():
    from pathways_sim import LOOPS

    for name, loop in LOOPS.items():
        switches = Switches([name])
        assert switches.off == set(loop.cut) and switches.loops_off == {name}
        assert all(switches.on(p) for p in loop.pathways if p not in loop.cut)
    with pytest.raises(Exception, match="unknown pathway or loop"):
        Switches(["loneliness_tie"])


def test_withdrawal_never_gives_ties_so_switching_it_off_takes_none_away(world):
    """No one gains ties from a withdrawal pathway being on: its effect is never negative."""
    w = copy.deepcopy(world)
    w.population.loneliness[:] = np.linspace(0, 1, w.population.capacity)
    ctx = StepContext(w)
    MECHANISMS["ties"](ctx)
    assert ctx.recorded["withdrawal"].min() >= 0


def test_support_buffering_is_reinforcing_as_its_signs_say():
    """ties -> support (+, how support is computed), support -> stress (-), stress -> disorder (+), disorder ->
    ties (-): the signs multiply to +, so the loop reinforces (it was once labelled balancing)."""
    from pathways_sim import LOOPS

    loop = LOOPS["support_buffering"]
    ties_to_support = +1
    product = ties_to_support * int(np.prod([PATHWAYS[name].sign for name in loop.pathways]))
    assert product > 0 and loop.kind == "R"
