"""Chronic stress: exposures load it, adverse childhood experiences sensitise it, buffers damp it.

Stress follows its target 1 - exp(-load x sensitivity) with a time constant of a few months.  The load sums
the exposures (money, work, housing, neighbourhood, status, stigma; an acute life event adds to it for one
step); the sensitivity is raised by ACEs and lowered by support, cohesion, resilience and control, which act
by damping the stress response (Pearlin 1981; Cohen & Wills 1985).
"""

from __future__ import annotations

import numpy as np

from pathways_sim.core import kernels
from pathways_sim.declarations.declare import Param
from pathways_sim.declarations.pathways import pathway
from pathways_sim.mechanisms.base import F32, Changes, Relax, StepContext, mechanism
from pathways_sim.mechanisms.exposures import modifier_array

PATHWAYS = (
    pathway("financial_strain_stress", ["financial_strain"], "stress", +1, 1.0, "stress load per unit strain",
            (0.5, 1.5), "Marmot Review 2010; Mani et al. 2013 (poverty impedes cognitive function); assumption "
            "for size", "financial strain (income below the poverty line) raises chronic stress",
            ["health_poverty"]),
    pathway("insecure_work_stress", ["insecure_work"], "stress", +1, 0.6, "stress load", (0.3, 1.0),
            "Kim & von dem Knesebeck 2015 (job insecurity and depressive symptoms, meta-analysis)",
            "insecure work or unemployment raises chronic stress", ["health_poverty"]),
    pathway("insecure_housing_stress", ["housing_insecure"], "stress", +1, 0.6, "stress load", (0.3, 1.0),
            "Singh et al. 2019 (housing disadvantage and mental health, systematic review)",
            "insecure housing (arrears, eviction, temporary accommodation) raises chronic stress"),
    pathway("neighbourhood_stress", ["neighbourhood_disadvantage"], "stress", +1, 0.5,
            "stress load per unit of neighbours' mean disadvantage", (0.0, 1.0),
            "Diez Roux & Mair 2010 (neighbourhood effects net of individual circumstances are real but modest); "
            "assumption for size",
            "living among neighbours in hardship (strain, worklessness, insecure housing: the crime, disorder and "
            "strained services that come with it) raises stress beyond one's own circumstances"),
    pathway("low_status_stress", ["low_subjective_status"], "stress", +1, 0.6,
            "stress load at the bottom of the national ranking", (0.2, 1.0),
            "Singh-Manoux et al. 2005 (subjective status in society predicts health beyond objective position); "
            "Tang et al. 2016; Wilkinson & Pickett, The Inner Level 2018",
            "low subjective social status (household income rank in the nation) raises stress; more so in more "
            "unequal areas",
            modifiers=[Param("inequality_status_amplification", 1.0, "relative change per relative Gini",
                             (0, 10), (0, 2), "Wilkinson & Pickett 2009 (status anxiety rises with inequality)",
                             "How much status stress grows with the area's income Gini relative to the national "
                             "Gini (0: inequality does not matter).", group="pathway")]),
    pathway("stigma_stress", ["discrimination", "cmd"], "stress", +1, 0.5, "stress load", (0.2, 1.0),
            "Pascoe & Richman 2009 (perceived discrimination and health, meta-analysis); Hatzenbuehler 2013",
            "experienced discrimination (for a minority identity) and mental-illness stigma raise chronic stress"),
    pathway("ace_sensitisation", ["aces"], "stress", +1, 0.85, "extra stress response at 4+ ACEs", (0.4, 1.2),
            "McLaughlin et al. 2010: depression after a stressor 27.3% with 3+ adversities vs 14.8% with none "
            "(ratio 1.84)", "adverse childhood experiences sensitise the stress response for life"),
    pathway("support_buffer", ["support"], "stress", -1, 0.6, "log stress response per unit support",
            (0.2, 1.2), "Cohen & Wills 1985 (stress-buffering hypothesis)",
            "support from ties damps the stress response", ["support_buffering"]),
    pathway("cohesion_buffer", ["cohesion"], "stress", -1, 0.4, "log stress response per unit cohesion",
            (0.1, 0.8), "Kawachi & Berkman 2000 (social cohesion and health)",
            "neighbourhood cohesion damps the stress response"),
    pathway("resilience_buffer", ["resilience"], "stress", -1, 0.8, "log stress response per unit", (0.3, 1.5),
            "assumption (resilience as protective factor, Rutter 1987)", "resilience damps the stress response",
            ["stress_resilience"]),
    pathway("control_buffer", ["control"], "stress", -1, 0.8, "log stress response per unit", (0.3, 1.5),
            "Pearlin et al. 1981; Marmot 2004 (control and health)", "a sense of control damps the stress response",
            ["stress_control"]),
)

PARAMETERS = (
    Param("stress_adaptation_years", 0.25, "years", (0.01, 50), (0.1, 1), "assumption",
          "Time constant of chronic stress following its drivers.", group="psychosocial"),
    Param("life_event_rate", 0.3, "per year", (0, 50), (0.1, 0.6),
          "assumption: Brugha list of threatening experiences",
          "Rate of acute stressful life events (bereavement, illness, conflict).", group="psychosocial"),
    Param("life_event_load", 1.0, "stress load", (0, 20), (0.5, 2), "assumption",
          "Extra stress load during the step of an acute event.", group="psychosocial"),
)


def stress_from_load(load: np.ndarray, sensitivity: np.ndarray) -> np.ndarray:
    return (1.0 - np.exp(-load * sensitivity)).astype(F32)


@mechanism("stress", "exposures load chronic stress; ACEs sensitise it; support, cohesion, resilience and "
           "control damp it", pathways=PATHWAYS, parameters=PARAMETERS, writes=("stress",))
def stress(ctx: StepContext) -> Changes:
    s, ex, pop, p = ctx.strength, ctx.exposures, ctx.pop, ctx.params
    if kernels.compiled() is not None:
        return _compiled_stress(ctx)
    load = (s["financial_strain_stress"] * ex.strain
            + s["insecure_work_stress"] * ex.insecure_work
            + s["insecure_housing_stress"] * ex.housing_insecure
            + s["neighbourhood_stress"] * ex.neighbourhood_disadvantage
            + s["low_status_stress"] * ex.low_status
            + s["stigma_stress"] * ex.stigma)
    load = load + s["job_strain_stress"] * pop.job_strain  # high-strain job (mechanisms/job_strain.py)
    load = ctx.record("stress_load", ctx.add(load, "stress_load_add").astype(F32))
    sensitisation = 1.0 + ctx.scale(s["ace_sensitisation"] * np.minimum(pop.aces, 4) / 4.0, "sensitisation_scale")
    buffering = np.exp(-(s["support_buffer"] * ex.support + s["cohesion_buffer"] * ex.cohesion
                         + s["resilience_buffer"] * pop.resilience + s["control_buffer"] * pop.control))
    sensitivity = ctx.record("stress_sensitivity", (sensitisation * buffering).astype(F32))
    if ctx.settling:  # the steady state of the starting population: no acute events
        return {"stress": Relax(stress_from_load(load, sensitivity), 1.0 / p["stress_adaptation_years"])}
    life_event = ctx.event("life_events", p["life_event_rate"])
    target = stress_from_load(load + p["life_event_load"] * life_event, sensitivity)
    return {"stress": Relax(target, 1.0 / p["stress_adaptation_years"])}


# --- The same arithmetic in numba passes (core.kernels.kernel, compiled on first use), with numpy's float32 exp
# from core/numba_exp.py's loop and its bracket of numpy's float64 exp (tests/test_kernels_mech_a.py compares it
# byte for byte with the numpy code above).  numpy's promotion is spelled out: the exposures are float32 and a
# Python float meets them as float32; the job strain term (a Python float times a bool array), the ACE
# sensitisation (a float times int8 / 4.0) and the life event are float64, so the load becomes float64 before it
# is cast back, and the non-settling target's exp is float64.

def _compiled_stress(ctx: StepContext) -> Changes:
    s, ex, pop, p = ctx.strength, ctx.exposures, ctx.pop, ctx.params
    n = pop.capacity
    weights = np.array([s["financial_strain_stress"], s["insecure_work_stress"], s["insecure_housing_stress"],
                        s["neighbourhood_stress"], s["low_status_stress"], s["stigma_stress"]], dtype=F32)
    buffers = np.array([s["support_buffer"], s["cohesion_buffer"], s["resilience_buffer"], s["control_buffer"]],
                       dtype=F32)
    load, sensitisation, buffering = np.empty(n, F32), np.empty(n, np.float64), np.empty(n, F32)
    _load_and_buffering(weights, ex.strain, ex.insecure_work, ex.housing_insecure, ex.neighbourhood_disadvantage,
                        ex.low_status, ex.stigma, float(s["job_strain_stress"]), pop.job_strain,
                        *modifier_array(ctx.mods, "stress_load_add", n), float(s["ace_sensitisation"]), pop.aces,
                        *modifier_array(ctx.mods, "sensitisation_scale", n), buffers, ex.support, ex.cohesion,
                        pop.resilience, pop.control, load, sensitisation, buffering)
    ctx.record("stress_load", load)
    kernels.exp_in_place(buffering)  # np.exp(buffering, out=buffering), in a vectorised loop
    sensitivity = np.empty(n, F32)
    if ctx.settling:  # the steady state of the starting population (no acute events): all float32
        exponent32 = np.empty(n, F32)
        _exponent32(load, sensitisation, buffering, sensitivity, exponent32)
        ctx.record("stress_sensitivity", sensitivity)
        np.exp(exponent32, out=exponent32)
        target32 = np.subtract(F32(1.0), exponent32, out=exponent32)
        return {"stress": Relax(target32, 1.0 / p["stress_adaptation_years"])}
    ctx.record("stress_sensitivity", sensitivity)  # filled below: recorded before the event, as numpy does
    life_event = ctx.event("life_events", np.full(n, p["life_event_rate"], dtype=F32))
    exponent = np.empty(n, np.float64)
    _exponent64(load, float(p["life_event_load"]), life_event, sensitisation, buffering, sensitivity, exponent)
    compiled = kernels.compiled()
    assert compiled is not None, "the numba path"
    target = compiled.one_minus_exp_float32(exponent)  # (1 - np.exp(exponent)).astype(F32), numpy's bits
    return {"stress": Relax(target, 1.0 / p["stress_adaptation_years"])}


@kernels.kernel
def _load_and_buffering(  # noqa: PLR0913, PLR0917 - a kernel takes its arrays positionally
        weights: np.ndarray, strain: np.ndarray, insecure_work: np.ndarray, housing_insecure: np.ndarray,
        neighbourhood: np.ndarray, low_status: np.ndarray, stigma: np.ndarray, job_strain_weight: float,
        job_strain: np.ndarray, load_add: np.ndarray, has_load_add: bool, ace_weight: float, aces: np.ndarray,
        sensitisation_scale: np.ndarray, has_scale: bool, buffers: np.ndarray, support: np.ndarray,
        cohesion: np.ndarray, resilience: np.ndarray, control: np.ndarray, load: np.ndarray,
        sensitisation: np.ndarray, buffering: np.ndarray) -> None:
    """Per slot: the load (float32 sum of exposures, then float64 with job strain and any added load, cast back),
    the ACE sensitisation (float64) and the exponent of the buffering (float32) whose exp numpy takes."""
    w0, w1, w2, w3, w4, w5 = weights[0], weights[1], weights[2], weights[3], weights[4], weights[5]
    b0, b1, b2, b3 = buffers[0], buffers[1], buffers[2], buffers[3]
    for i in range(strain.size):
        summed = (w0 * strain[i] + w1 * insecure_work[i] + w2 * housing_insecure[i] + w3 * neighbourhood[i]
                  + w4 * low_status[i] + w5 * stigma[i])
        total = np.float64(summed) + job_strain_weight * np.float64(job_strain[i])
        if has_load_add:
            total = total + np.float64(load_add[i])
        load[i] = np.float32(total)
        extra = ace_weight * np.float64(min(aces[i], 4)) / 4.0
        if has_scale:
            extra = extra * np.float64(sensitisation_scale[i])
        sensitisation[i] = 1.0 + extra
        buffering[i] = -(b0 * support[i] + b1 * cohesion[i] + b2 * resilience[i] + b3 * control[i])


@kernels.kernel
def _exponent64(load: np.ndarray, event_load: float, life_event: np.ndarray,
                sensitisation: np.ndarray, buffering: np.ndarray, sensitivity: np.ndarray,
                exponent: np.ndarray) -> None:
    """The sensitivity (float32), and -(load + acute event load) x sensitivity in float64."""
    for i in range(load.size):
        sensitivity[i] = np.float32(sensitisation[i] * np.float64(buffering[i]))
        exponent[i] = -(np.float64(load[i]) + event_load * np.float64(life_event[i])) * np.float64(sensitivity[i])


@kernels.kernel
def _exponent32(load: np.ndarray, sensitisation: np.ndarray, buffering: np.ndarray, sensitivity: np.ndarray,
                exponent: np.ndarray) -> None:
    """The sensitivity, and -load x sensitivity, both float32 (no acute events while settling)."""
    for i in range(load.size):
        sensitivity[i] = np.float32(sensitisation[i] * np.float64(buffering[i]))
        exponent[i] = -load[i] * sensitivity[i]

