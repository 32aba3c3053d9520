"""Smoking as present-focused coping: stress and low control make people start more and stop less, and
smoking spreads along ties (Pampel 2010; Christakis & Fowler 2008)."""

from __future__ import annotations

import numpy as np

from pathways_sim.declarations.declare import Param
from pathways_sim.declarations.pathways import pathway
from pathways_sim.mechanisms.base import Changes, StepContext, Switch, mechanism

# Present focus ((stress + 1 - control) / 2) of a typical adult: smoking hazards equal their base rates here.
PRESENT_FOCUS_REFERENCE = 0.3
SMOKING_AGES = (12.0, 35.0)  # people start smoking only in this age window

PATHWAYS = (
    pathway("present_focus_smoking", ["stress", "control"], "smoking", +1, 1.5,
            "log hazard ratio per unit present focus", (0.5, 2.5),
            "Pampel et al. 2010; Lawless et al. 2015 (stress, present bias and smoking)",
            "stress and low control shift coping to short-term relief: smoking starts more and stops less",
            ["stress_control"]),
    pathway("peer_smoking", ["smoking_ties"], "smoking", +1, 1.5, "log hazard ratio per share of smoking ties",
            (0.5, 2.5), "Christakis & Fowler 2008 (smoking spreads and stops in networks)",
            "smoking spreads along ties"),
)
PARAMETERS = (
    Param("smoking_initiation_rate", 0.02, "per year (ages 12-35)", (0, 10), (0.005, 0.05),
          "assumption, calibrated to ~12% adult smoking (ONS 2023)",
          "Smoking initiation hazard with no stress, full control, no smoking ties.", group="health"),
    Param("minority_smoking_log_hr", -0.6, "log hazard ratio", (-5, 5), (-1.0, 0.0),
          "ONS Adult smoking habits in the UK 2023: smoking is less common in most minority ethnic groups (e.g. "
          "Asian about 6% vs White about 13%)", "Difference in smoking initiation with a minority identity.",
          group="health"),
    Param("smoking_cessation_rate", 0.05, "per year", (0, 10), (0.02, 0.1),
          "assumption: ~4-6% of smokers quit for good each year (West 2017)",
          "Smoking cessation hazard with no stress and full control.", group="health"),
)


def present_focus(stress: np.ndarray, control: np.ndarray) -> np.ndarray:
    return (stress + (1.0 - control)) / 2.0 - PRESENT_FOCUS_REFERENCE


@mechanism("smoking", "stress and low control make people start smoking more and stop less; smoking spreads "
           "along ties", pathways=PATHWAYS, parameters=PARAMETERS, writes=("smoker",))
def smoking(ctx: StepContext) -> Changes:
    s, p, pop = ctx.strength, ctx.params, ctx.pop
    focus = present_focus(pop.stress, pop.control)
    start = p["smoking_initiation_rate"] * np.exp(s["present_focus_smoking"] * focus
                                                  + s["peer_smoking"] * ctx.exposures.smoking_ties
                                                  + p["minority_smoking_log_hr"] * pop.minority)
    stop = p["smoking_cessation_rate"] * np.exp(-s["present_focus_smoking"] * focus)
    of_age = (pop.age >= SMOKING_AGES[0]) & (pop.age < SMOKING_AGES[1])
    return {"smoker": Switch(start, stop, "smoking_start", "smoking_quit", eligible=of_age)}
