"""Physical inactivity (Sport England's definition: under 30 minutes of moderate activity a week), from age 16.

Like smoking, inactivity answers to present focus: stress and low control make people stop being active
more often and take it up again less often (Stults-Kolehmainen & Sinha 2014).  Deprived areas add to it: fewer
safe green spaces and affordable facilities, more worry about going out (Farrell, Hollingsworth, Propper &
Shields 2013, CMPO: area deprivation is associated with inactivity in England over and above education and income).
Inactivity rises with age.  Inactive people develop long-term conditions sooner (``inactivity_poor_health``).

Its total effect on mortality (Lee et al. 2012: RR 1.28, 1.21-1.36) is applied once: not-good health carries
only a small part of it (``inactivity_poor_health`` then ``poor_health_mortality``), so ``inactivity_mortality``
adds the rest directly, sized so that the model reproduces the cohorts' 1.28.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pathways_sim.core import kernels
from pathways_sim.declarations.declare import Param
from pathways_sim.declarations.pathways import pathway
from pathways_sim.mechanisms.base import (
    ALL,
    F32,
    Changes,
    DrawnSwitch,
    StepContext,
    Switch,
    mechanism,
)
from pathways_sim.mechanisms.smoking import PRESENT_FOCUS_REFERENCE, present_focus

INACTIVITY_MIN_AGE = 16.0
REFERENCE_AGE = 50.0

PATHWAYS = (
    pathway("present_focus_inactivity", ["stress", "control"], "physically_inactive", +1, 1.0,
            "log hazard ratio per unit present focus (onset up, recovery down)", (0.3, 2.0),
            "Stults-Kolehmainen & Sinha 2014 (systematic review: in 76% of 55 prospective studies stress "
            "predicted less physical activity); size an assumption, smaller than for smoking",
            "stress and low control make people give up activity more often and take it up again less often"),
    pathway("deprivation_inactivity", ["area_deprivation"], "physically_inactive", +1, 0.2,
            "log hazard ratio, most vs least deprived area (onset up, recovery down)", (0.05, 0.5),
            "Sport England Active Lives 2025: 34% inactive in the most deprived areas vs 20% in the least "
            "(log odds ratio 0.72); with present focus carrying part of that gap, this strength is sized so "
            "the model's gap matches (tests/test_physical_activity.py); Farrell et al. 2013, CMPO (area "
            "deprivation independent of income and education)",
            "deprived areas, with fewer safe green spaces and affordable facilities, raise inactivity"),
    pathway("inactivity_poor_health", ["physically_inactive"], "poor_health", +1, 0.25, "log hazard ratio",
            (0.15, 0.45),
            "Lee et al. 2012 (Lancet; adjusted RRs of inactivity: coronary heart disease 1.16, type 2 diabetes "
            "1.20, colon cancer 1.32, breast cancer 1.33); a direct effect of the behaviour, not mediated by "
            "stress or allostatic load in the model, so it does not double count them",
            "physical inactivity raises the onset of long-term conditions / not-good health"),
    pathway("inactivity_mortality", ["physically_inactive"], "death", +1, 0.6, "log hazard ratio (direct)",
            (0.3, 0.9),
            "Lee et al. 2012: all-cause mortality RR 1.28 (1.21-1.36), a total effect from cohorts that measured "
            "activity once.  Sized so that the same design in the model (inactivity at baseline, deaths over "
            "5 years, age-adjusted, inactivity pathways on vs off) gives 1.28 (tests/test_physical_activity.py). "
            " The hazard ratio of current inactivity (e^0.6 = 1.8) is larger because people's activity changes "
            "after it is measured (regression dilution, in the cohorts too).  Not-good health carries only ~1.5% "
            "of the total (inactivity_poor_health then poor_health_mortality), so the total is applied once",
            "physical inactivity raises mortality beyond what self-rated health captures (fitness, fatal "
            "cardiovascular events in people who report good health)"),
)
PARAMETERS = (
    Param("inactivity_onset_rate", 0.0713, "per year at age 50", (0, 10), (0.03, 0.2),
          "assumption, calibrated to 25.7% of adults inactive (Sport England Active Lives, Nov 2022-23)",
          "Hazard of becoming inactive at age 50, at reference present focus and average deprivation.",
          group="health"),
    Param("inactivity_recovery_rate", 0.25, "per year", (0, 50), (0.1, 1.0),
          "assumption: inactivity spells last about 4 years on average",
          "Hazard of becoming active again at reference present focus and average deprivation.",
          group="health"),
    Param("inactivity_age_slope", 0.018, "log hazard per year of age", (0, 1), (0.01, 0.04),
          "Active Lives 2015-16: 14.1% inactive at 16-24 vs 24.1% at 65-74 (2022-23: 42.8% of over-75s "
          "active); the shape an assumption, as stress and control also differ with age",
          "How fast the onset hazard of inactivity rises with age.", group="health"),
)


def inactivity_hazards(ctx: StepContext, who: Any = ALL) -> tuple[np.ndarray, np.ndarray]:
    """Hazards per year of becoming inactive and active again of the slots ``who`` (everyone's by default),
    before any intervention's ``inactivity_onset_scale``."""
    s, p, pop = ctx.strength, ctx.params, ctx.pop
    push = (s["present_focus_inactivity"] * present_focus(pop.stress[who], pop.control[who])
            + s["deprivation_inactivity"] * (ctx.exposures.deprivation[who] - 0.5))
    onset = p["inactivity_onset_rate"] * np.exp(p["inactivity_age_slope"] * (pop.age[who] - REFERENCE_AGE) + push)
    recovery = p["inactivity_recovery_rate"] * np.exp(-push)
    return onset, recovery


@mechanism("physical_activity", "stress, low control and deprived areas make adults inactive more often and "
           "active again less often; inactivity rises with age", pathways=PATHWAYS, parameters=PARAMETERS,
           writes=("physically_inactive",))
def physical_activity(ctx: StepContext) -> Changes:
    s, p, pop = ctx.strength, ctx.params, ctx.pop
    eligible = pop.age >= INACTIVITY_MIN_AGE
    if kernels.compiled() is None or ctx.settling or (ctx.mods is not None and "inactivity_onset_scale" in ctx.mods):
        onset, recovery = inactivity_hazards(ctx)
        return {"physically_inactive": Switch(ctx.scale(onset, "inactivity_onset_scale").astype(F32),
                                              recovery.astype(F32),
                                              "inactivity_onset", "inactivity_recovery", eligible=eligible)}
    deprivation = ctx.exposures.deprivation
    coefficients = np.array([p["inactivity_age_slope"], s["present_focus_inactivity"], s["deprivation_inactivity"],
                             PRESENT_FOCUS_REFERENCE, REFERENCE_AGE])

    def exponent(current: np.ndarray) -> np.ndarray:
        out = np.empty(current.size)
        _exponent(current, pop.age, pop.stress, pop.control, deprivation, coefficients, out)
        return out

    def hazards(who: Any) -> tuple[np.ndarray, np.ndarray]:
        onset, recovery = inactivity_hazards(ctx, who)
        return onset.astype(F32), recovery.astype(F32)

    return {"physically_inactive": DrawnSwitch(hazards, exponent,
                                               (p["inactivity_onset_rate"], p["inactivity_recovery_rate"]),
                                               "inactivity_onset", "inactivity_recovery", eligible=eligible)}


@kernels.kernel
def _exponent(current, age, stress, control, deprivation, c, out) -> None:
    """The exponent of the hazard each slot is at risk of (base.DrawnSwitch), in float64: becoming active again
    for the inactive, inactive for the rest; arithmetic only (the two mixed by the 0/1 state), so it vectorises."""
    c0, c1, c2, c3, c4 = c[0], c[1], c[2], c[3], c[4]
    for i in range(age.size):
        focus = (np.float64(stress[i]) + (1.0 - np.float64(control[i]))) / 2.0 - c3
        push = c1 * focus + c2 * (np.float64(deprivation[i]) - 0.5)
        onset = c0 * (np.float64(age[i]) - c4) + push
        out[i] = onset + np.float64(current[i]) * (-push - onset)
