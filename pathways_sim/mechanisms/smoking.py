"""Smoking as present-focused coping: stress and low control make people start more and stop less, and
smoking spreads along ties (Pampel 2010; Christakis & Fowler 2008)."""

from __future__ import annotations

from typing import Any

import numpy as np

from pathways_sim.core import kernels
from pathways_sim.declarations.declare import Param
from pathways_sim.declarations.pathways import pathway
from pathways_sim.mechanisms.base import (
    ALL,
    Changes,
    DrawnSwitch,
    StepContext,
    Switch,
    mechanism,
)

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


def smoking_hazards(ctx: StepContext, who: Any = ALL) -> tuple[np.ndarray, np.ndarray]:
    """Hazards per year of starting and of stopping smoking of the slots ``who`` (everyone's by default)."""
    s, p, pop = ctx.strength, ctx.params, ctx.pop
    focus = present_focus(pop.stress[who], pop.control[who])
    start = p["smoking_initiation_rate"] * np.exp(s["present_focus_smoking"] * focus
                                                  + s["peer_smoking"] * ctx.exposures.smoking_ties[who]
                                                  + p["minority_smoking_log_hr"] * pop.minority[who])
    stop = p["smoking_cessation_rate"] * np.exp(-s["present_focus_smoking"] * focus)
    return start, stop


@mechanism("smoking", "stress and low control make people start smoking more and stop less; smoking spreads "
           "along ties", pathways=PATHWAYS, parameters=PARAMETERS, writes=("smoker",))
def smoking(ctx: StepContext) -> Changes:
    s, p, pop = ctx.strength, ctx.params, ctx.pop
    of_age = (pop.age >= SMOKING_AGES[0]) & (pop.age < SMOKING_AGES[1])
    if kernels.compiled() is None or ctx.settling:
        return {"smoker": Switch(*smoking_hazards(ctx), "smoking_start", "smoking_quit", eligible=of_age)}
    ties = ctx.exposures.smoking_ties
    coefficients = np.array([s["present_focus_smoking"], s["peer_smoking"], p["minority_smoking_log_hr"],
                             PRESENT_FOCUS_REFERENCE])

    def exponent(current: np.ndarray) -> np.ndarray:
        out = np.empty(current.size)
        _exponent(current, pop.stress, pop.control, ties, pop.minority, coefficients, out)
        return out

    return {"smoker": DrawnSwitch(lambda who: smoking_hazards(ctx, who), exponent,
                                  (p["smoking_initiation_rate"], p["smoking_cessation_rate"]), "smoking_start",
                                  "smoking_quit", eligible=of_age)}


@kernels.kernel
def _exponent(current, stress, control, ties, minority, c, out) -> None:
    """The exponent of the hazard each slot is at risk of (base.DrawnSwitch), in float64: stopping for smokers,
    starting for the rest; arithmetic only (the two mixed by the 0/1 state), so the loop vectorises."""
    c0, c1, c2, c3 = c[0], c[1], c[2], c[3]
    for i in range(stress.size):
        focus = (np.float64(stress[i]) + (1.0 - np.float64(control[i]))) / 2.0 - c3
        start = c0 * focus + c1 * np.float64(ties[i]) + c2 * np.float64(minority[i])
        out[i] = start + np.float64(current[i]) * (-c0 * focus - start)
