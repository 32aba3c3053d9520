"""The psychosocial step: exposures -> rates -> updates, vectorised over every person.

``exposures`` reads the previous state and the ties; ``compute_rates`` turns exposures into the targets
and hazards of every pathway (deterministic, so the pathway tests can check each one); ``apply_rates``
then draws the events from named streams and writes the new state.  All updates are computed from the
previous state before any is written, so the order of mechanisms inside a step does not matter.

Continuous states relax exactly (exponential integration) towards their moving equilibrium, which keeps
them inside [0, 1] for any step length.  Event hazards h become probabilities 1 - exp(-h dt).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from pathways_sim.core.modifiers import Modifiers, add, scale
from pathways_sim.core.population import INSECURE_JOB, SECURE_JOB, UNEMPLOYED, Population
from pathways_sim.mechanisms.registry import Switches

F32 = np.float32

# Reference exposures at which the tie hazards equal their base rates, so that the mean degree stays near
# the ``mean_degree`` parameter while withdrawal still sorts ties away from the lonely, the depressed and
# the stigmatised.  A switched-off pathway contributes nothing, whatever its reference.
LONELINESS_REFERENCE, CMD_REFERENCE, STIGMA_REFERENCE = 0.3, 0.2, 0.2
# Present focus ((stress + 1 - control) / 2) of a typical adult: smoking hazards equal their base rates here.
PRESENT_FOCUS_REFERENCE = 0.3
# Financial strain at which losing housing security has its base hazard.
STRAIN_REFERENCE = 0.3
SMOKING_AGES = (12.0, 35.0)
CMD_MIN_AGE = 16.0


@dataclass(slots=True)
class Exposures:
    """What each person is exposed to this step (all 0-1 unless stated)."""

    household: np.ndarray  # slot whose income, housing and job the person shares (parent for children)
    strain: np.ndarray  # financial strain from household income
    insecure_work: np.ndarray  # household job insecure (0.6) or unemployed (1)
    housing_insecure: np.ndarray
    deprivation: np.ndarray  # area deprivation score
    cohesion: np.ndarray  # area cohesion
    low_status: np.ndarray  # low subjective status, amplified by area inequality (can exceed 1)
    stigma: np.ndarray
    degree: np.ndarray  # number of ties
    support: np.ndarray  # perceived support from ties
    smoking_ties: np.ndarray  # share of ties who smoke


@dataclass(slots=True)
class Rates:
    """Targets and hazards (per year) of every pathway for every person."""

    stress_load: np.ndarray
    stress_sensitivity: np.ndarray  # sensitisation x buffering
    resilience_eq: np.ndarray
    resilience_rate: np.ndarray
    control_eq: np.ndarray
    control_rate: np.ndarray
    loneliness_target: np.ndarray
    allostatic_eq: np.ndarray
    allostatic_rate: np.ndarray
    smoking_start: np.ndarray
    smoking_quit: np.ndarray
    cmd_onset: np.ndarray
    cmd_recovery: np.ndarray
    poor_health_onset: np.ndarray
    death: np.ndarray
    job_loss: np.ndarray
    reemployment: np.ndarray
    housing_loss: np.ndarray
    ace: np.ndarray
    withdrawal: np.ndarray  # log multiplier of tie loss (and minus that of tie formation)

    @property
    def stress_target(self) -> np.ndarray:
        """Stress the person would settle at with no acute life event."""
        return stress_from_load(self.stress_load, self.stress_sensitivity)


def stress_from_load(load: np.ndarray, sensitivity: np.ndarray) -> np.ndarray:
    return (1.0 - np.exp(-load * sensitivity)).astype(F32)


def financial_strain(income: np.ndarray, median_income: float, poverty_share: float) -> np.ndarray:
    """0.5 at the poverty line, towards 1 with no income and towards 0 when well off."""
    ratio = income / (poverty_share * median_income)
    return (1.0 / (1.0 + ratio * ratio)).astype(F32)


def household_slots(pop: Population) -> np.ndarray:
    own = np.arange(pop.capacity, dtype=np.int64)
    return np.where(pop.parent >= 0, pop.parent, own)


def exposures(pop: Population, areas, network, params: Mapping, mods: Modifiers | None = None) -> Exposures:
    household = household_slots(pop)
    strain = financial_strain(pop.income, params["median_income"], params["poverty_line_share"])
    job = pop.employment[household]
    insecure_work = np.where(job == UNEMPLOYED, F32(1.0), np.where(job == INSECURE_JOB, F32(0.6), F32(0.0)))
    degree = network.degree(pop.capacity)
    has_ties = degree > 0
    safe_degree = np.maximum(degree, 1)
    # Subjective status: income rank among neighbours and among one's own ties (Singh-Manoux 2005).
    tie_rank = np.where(has_ties, network.share_below(pop.income) / safe_degree, pop.area_income_rank)
    status_rank = 0.5 * pop.area_income_rank + 0.5 * tie_rank
    inequality = 1.0 + params["inequality_status_amplification"] * (areas.relative_gini[pop.area] - 1.0)
    low_status = ((1.0 - status_rank) * np.maximum(inequality, 0.0)).astype(F32)
    stigma = scale(np.maximum(pop.minority.astype(F32), F32(params["mental_illness_stigma_weight"]) * pop.cmd),
                   mods, "stigma_scale")
    support = (1.0 - np.exp(-degree / params["support_saturation_ties"])).astype(F32)
    support = np.minimum(add(support, mods, "support_add"), F32(1.0))
    cohesion = add(areas.cohesion, mods, "cohesion_add")
    smoking_ties = (np.where(has_ties, network.neighbour_sum(pop.smoker) / safe_degree, 0.0)).astype(F32)
    return Exposures(household, strain, insecure_work.astype(F32), pop.housing_insecure[household].astype(F32),
                     areas.deprivation[pop.area], np.clip(cohesion, 0, 1)[pop.area], low_status, stigma, degree,
                     support, smoking_ties)


def compute_rates(pop: Population, ex: Exposures, params: Mapping, strength: Mapping[str, float],
                  switches: Switches, mods: Modifiers | None = None) -> Rates:
    """Every pathway's contribution, from the previous state and this step's exposures."""
    s = strength
    stress, resilience, control = pop.stress, pop.resilience, pop.control
    load = (s["financial_strain_stress"] * ex.strain
            + s["insecure_work_stress"] * ex.insecure_work
            + s["insecure_housing_stress"] * ex.housing_insecure
            + s["neighbourhood_stress"] * ex.deprivation
            + s["low_status_stress"] * ex.low_status
            + s["stigma_stress"] * ex.stigma)
    load = add(load, mods, "stress_load_add")
    sensitisation = 1.0 + scale(s["ace_sensitisation"] * np.minimum(pop.aces, 4) / 4.0, mods, "sensitisation_scale")
    buffering = np.exp(-(s["support_buffer"] * ex.support + s["cohesion_buffer"] * ex.cohesion
                         + s["resilience_buffer"] * resilience + s["control_buffer"] * control))
    sensitivity = sensitisation * buffering

    # Resources: rebuilt towards a baseline, depleted by stress (dx/dt = a (b - x) - d s x).
    a_res = params["resilience_recovery_rate"]
    res_rate = a_res + s["stress_depletes_resilience"] * stress
    res_base = add(params["resilience_baseline"], mods, "resilience_baseline_add")
    res_eq = np.minimum(a_res * res_base / res_rate, 1.0)
    a_ctl = params["control_recovery_rate"]
    control_base = add(params["control_baseline"] + params["control_education_gain"] * pop.education / 2.0,
                       mods, "control_baseline_add")
    ctl_rate = a_ctl + s["stress_erodes_control"] * stress
    ctl_eq = a_ctl * np.minimum(control_base, 1.0) / ctl_rate

    # Loneliness follows one's ties; switched off, it follows the mean degree instead.
    ties_for_loneliness = (ex.degree if switches.on("ties_reduce_loneliness")
                           else np.full_like(ex.degree, params["mean_degree"]))
    floor = params["loneliness_floor"]
    lonely_target = floor + (1.0 - floor) * np.exp(-params["ties_reduce_loneliness_strength"]
                                                   * ties_for_loneliness)

    # Allostatic load: dA/dt = k s (1 - A) - rec A: builds with stress, recovers slowly.
    acc = s["stress_allostatic_load"] * stress
    al_rate = acc + params["allostatic_recovery_rate"]
    al_eq = np.divide(acc, al_rate, out=np.zeros_like(al_rate), where=al_rate > 0)

    # Present-focused coping (smoking) and its spread along ties.
    present_focus = (stress + (1.0 - control)) / 2.0 - PRESENT_FOCUS_REFERENCE
    age = pop.age
    can_start = (~pop.smoker) & (age >= SMOKING_AGES[0]) & (age < SMOKING_AGES[1])
    start = np.where(can_start, params["smoking_initiation_rate"]
                     * np.exp(s["present_focus_smoking"] * present_focus + s["peer_smoking"] * ex.smoking_ties), 0)
    quit_ = np.where(pop.smoker, params["smoking_cessation_rate"]
                     * np.exp(-s["present_focus_smoking"] * present_focus), 0)

    # Common mental disorder (adults and adolescents from 16).
    adult = age >= CMD_MIN_AGE
    onset = np.where(adult & ~pop.cmd, params["cmd_onset_rate"] * np.exp(
        s["stress_cmd_onset"] * stress + s["loneliness_cmd_onset"] * pop.loneliness
        + s["low_resilience_cmd_onset"] * (1.0 - resilience)), 0)
    recovery = np.where(pop.cmd, params["cmd_recovery_rate"] * np.exp(
        s["support_cmd_recovery"] * ex.support + s["resilience_cmd_recovery"] * resilience), 0)

    # Physical health and mortality (Gompertz in age, proportional hazards for risk factors).
    age_from_50 = age - 50.0
    ph_onset = np.where(pop.poor_health, 0, params["poor_health_rate_at_50"] * np.exp(
        params["poor_health_age_slope"] * age_from_50 + s["allostatic_load_poor_health"] * pop.allostatic_load
        + s["smoking_poor_health"] * pop.smoker + s["cmd_poor_health"] * pop.cmd))
    death = params["mortality_rate_at_50"] * np.exp(
        params["mortality_age_slope"] * age_from_50 + params["male_mortality_log_hr"] * (~pop.female)
        + s["poor_health_mortality"] * pop.poor_health + s["smoking_mortality"] * pop.smoker
        + s["allostatic_load_mortality"] * pop.allostatic_load)
    death = death + np.where(age < 1.0, params["infant_mortality_rate"], 0.0)

    # Work: ill health costs jobs and slows the way back (health-to-poverty loop).
    ill = pop.poor_health.astype(F32) + pop.cmd
    job_loss = np.select([pop.employment == SECURE_JOB, pop.employment == INSECURE_JOB],
                         [params["job_loss_rate_secure"], params["job_loss_rate_insecure"]], 0.0)
    job_loss = scale(job_loss * np.exp(s["health_job_loss"] * ill), mods, "job_loss_scale")
    reemployment = scale(np.where(pop.employment == UNEMPLOYED,
                                  params["reemployment_rate"] * np.exp(-s["health_reemployment"] * ill), 0),
                         mods, "reemployment_scale")
    adult18 = age >= 18.0
    housing_loss = np.where(adult18 & ~pop.housing_insecure, params["housing_insecurity_rate"]
                            * np.exp(s["strain_housing_insecurity"] * (ex.strain - STRAIN_REFERENCE)), 0)
    housing_loss = scale(housing_loss, mods, "housing_loss_scale")

    # Childhood adversity, raised by the parent's strain, stress and disorder (intergenerational loop).
    parent = pop.parent
    has_parent = parent >= 0
    p = np.where(has_parent, parent, 0)
    parent_strain = np.where(has_parent, ex.strain[p], 1.0)  # no parent at home: in care
    parent_stress = np.where(has_parent, stress[p], 0.3)
    parent_cmd = np.where(has_parent, pop.cmd[p], False)
    child = age < 18.0
    ace = np.where(child & (pop.aces < 9), params["ace_hazard_rate"] * np.exp(
        s["parental_poverty_aces"] * parent_strain + s["parental_stress_aces"] * parent_stress
        + s["parental_cmd_aces"] * parent_cmd), 0)
    ace = scale(ace, mods, "ace_hazard_scale")

    withdrawal = (s["loneliness_withdrawal"] * (pop.loneliness - LONELINESS_REFERENCE)
                  + s["depression_withdrawal"] * (pop.cmd - CMD_REFERENCE)
                  + s["stigma_tie_loss"] * (ex.stigma - STIGMA_REFERENCE))
    f = F32
    return Rates(load.astype(f), sensitivity.astype(f), res_eq.astype(f), res_rate.astype(f), ctl_eq.astype(f),
                 ctl_rate.astype(f), lonely_target.astype(f), al_eq.astype(f), al_rate.astype(f),
                 start.astype(f), quit_.astype(f), onset.astype(f), recovery.astype(f), ph_onset.astype(f),
                 death.astype(f), job_loss.astype(f), reemployment.astype(f), housing_loss.astype(f),
                 ace.astype(f), withdrawal.astype(f))


def relax(x: np.ndarray, x_eq: np.ndarray, rate: np.ndarray | float, dt: float) -> np.ndarray:
    """Exact solution of dx/dt = rate (x_eq - x) over dt: stays between x and x_eq."""
    return (x_eq + (x - x_eq) * np.exp(-rate * dt)).astype(F32)


def event(hazard: np.ndarray, dt: float, uniforms: np.ndarray) -> np.ndarray:
    """Which people have the event this step, with probability 1 - exp(-hazard dt)."""
    return uniforms < -np.expm1(-hazard * dt)
