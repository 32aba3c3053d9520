"""Chronic stress: exposures load it, adverse childhood experiences sensitise it, buffers damp it.

Stress follows its target 1 - exp(-load x sensitivity) with a time constant of a few months.  The load sums
the exposures (money, work, housing, neighbourhood, status, stigma; an acute life event adds to it for one
step); the sensitivity is raised by ACEs and lowered by support, cohesion, resilience and control, which act
by damping the stress response (Pearlin 1981; Cohen & Wills 1985).
"""

from __future__ import annotations

import numpy as np

from pathways_sim.declarations.declare import Param
from pathways_sim.declarations.pathways import pathway
from pathways_sim.mechanisms.base import F32, Changes, Relax, StepContext, mechanism

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
