"""Access to care for common mental disorder: how many people with a disorder are treated, and how well
treatment works where they live.

Nobody's treatment is tracked: a person with a disorder recovers at the hazard expected over treated and
untreated people, base x (1 + care_access x (HR - 1)), where ``care_access`` (an exposure, 0-1) is the treated
share times treatment's relative effectiveness in one's area and HR = exp(``treatment_cmd_recovery``) is the
hazard ratio of recovery for treatment that works as well as in the least deprived areas.

The data: in APMS 2014, 37% of adults 16-74 with a common mental disorder were using treatment (medication or
psychological therapy; 24% in 2007).  Treatment is *not* less common in deprived areas (Delgadillo et al. 2016:
IAPT referrals are higher where prevalence is higher; Giebel et al. 2020: more treatment in disadvantaged
neighbourhoods of North West England), so coverage is flat; it *works less well* there: IAPT 2015-16, 55% of
patients in the least deprived tenth of areas recovered vs 35% in the most deprived.
"""

from __future__ import annotations

import numpy as np

from pathways_sim.core.modifiers import Modifiers, add
from pathways_sim.declarations.declare import Param
from pathways_sim.declarations.pathways import pathway

F32 = np.float32

TREATMENT_CMD_RECOVERY = pathway(
    "treatment_cmd_recovery", ["care_access"], "cmd_recovery", +1, 0.45, "log hazard ratio of recovery if treated",
    (0.2, 0.7),
    "Cuijpers et al. 2014 (J Affect Disord, 92 trials of psychotherapy for major depression): after treatment "
    "62% no longer met criteria vs 48% with care as usual and 43% in all control conditions; over the same "
    "interval the hazard ratio is ln(0.38)/ln(0.52) = 1.48 (log 0.39) vs care as usual and ln(0.38)/ln(0.57) "
    "= 1.72 (log 0.54) vs all controls; 0.45 lies between (care as usual includes some treatment). A direct "
    "effect on recovery; the untreated base rate (cmd_recovery_rate) was lowered so that the population's "
    "mean recovery hazard is unchanged (not double counted)",
    "treatment (medication or psychological therapy) speeds recovery from a common mental disorder; the "
    "treated share and the treatment's effect are the exposure care_access")

PARAMETERS = (
    Param("cmd_treatment_coverage", 0.37, "share of people with CMD", (0, 1), (0.24, 0.5),
          "APMS 2014 (McManus et al. 2016): 37% of adults 16-74 with a common mental disorder used mental health "
          "treatment (24% in 2007); no lower coverage in deprived areas (Delgadillo et al. 2016; Giebel et al. "
          "2020)", "Share of people with a common mental disorder who are treated.", group="health"),
    Param("treatment_effect_deprivation_loss", 0.5, "share of the effect lost in the most deprived area",
          (0, 1), (0.0, 0.8),
          "NHS Digital IAPT annual report 2015-16: recovery 55% in the least vs 35% in the most deprived tenth "
          "of areas (a course's recovery hazard about 0.54 times as high); the share of that gap not due to "
          "case mix (which the model's support and resilience already carry) is an assumption",
          "How much of treatment's effect on recovery is lost in the most deprived area (linear in area "
          "deprivation, none lost in the least deprived).", group="health"),
)


def care_access(params, deprivation: np.ndarray, mods: Modifiers | None = None) -> np.ndarray:
    """Treated share x relative effectiveness of treatment in each person's area (0-1); interventions may
    raise coverage (``treatment_coverage_add``)."""
    coverage = add(np.full(deprivation.size, params["cmd_treatment_coverage"], dtype=F32), mods,
                   "treatment_coverage_add")
    effectiveness = 1.0 - params["treatment_effect_deprivation_loss"] * deprivation
    return (np.clip(coverage, 0.0, 1.0) * effectiveness).astype(F32)


def treatment_multiplier(strength: float, access: np.ndarray) -> np.ndarray:
    """Mean recovery hazard ratio over treated and untreated people: 1 + access x (exp(strength) - 1)
    (exactly 1 when the pathway is off)."""
    return (1.0 + access * np.expm1(strength)).astype(F32)
