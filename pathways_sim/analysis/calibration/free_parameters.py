"""Which parameters a calibration frees by default, and why each: ``FREE_PARAMETERS``.

Each is an assumption or a baseline rate whose declared plausible range is wide; its prior is uniform on that
range.  The second element of each entry names the targets it mainly answers to (documentation, and what
``reported_only`` reads: a target no free parameter answers to is reported, never fitted).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

# Free parameters fitted by default.  Every fitted target constrains them jointly (history matching), but only
# targets some free parameter answers to are fitted: the others are reported (``reported_only``).
# All are assumptions or baseline rates whose declared plausible range is wide; the pathway strengths that
# make the social gradient keep their literature values, except allostatic load -> not-good health, whose size
# per biomarker is the least pinned down (its plausible range still bounds it).  Allostatic load -> death is
# not free: its direct part is set so that the model's total effect reproduces Robertson et al. 2017
# (analysis/total_effects.py).
# The mental-disorder ratio by deprivation answers to no free parameter: the strengths that make it keep their
# literature values, so the fit reports how far the mechanisms reproduce it.  The employment and unemployment
# ratios are exposures, not mechanisms: the two labour-market gradients answer to them.  The share of life in
# not-good health by decile is the healthy-life-expectancy block's: it is HLE / LE seen from the other side.
LIFE_TARGETS = ("life_expectancy_at_birth", "healthy_life_expectancy_at_birth", "healthy_life_expectancy_sii",
                "healthy_life_expectancy_at_birth_by_decile", "life_expectancy_sii", "not_good_health_share_of_life")
FREE_PARAMETERS: Mapping[str, tuple[tuple[str, ...], str]] = {
    "mortality_rate_at_50": (LIFE_TARGETS, "baseline death hazard: the level of life expectancy"),
    "male_mortality_log_hr": (LIFE_TARGETS, "men's extra mortality: the male-female life-expectancy gap"),
    "poor_health_rate_at_50": (LIFE_TARGETS, "baseline onset of not-good health: the level of HLE"),
    "poor_health_recovery_rate": (LIFE_TARGETS, "recovery to good health: years lived in not-good health"),
    "allostatic_load_poor_health_strength": (LIFE_TARGETS, "wear raising ill health: the HLE gradient"),
    "female_poor_health_log_hr": (LIFE_TARGETS, "women's extra onset of not-good health: HLE by sex"),
    "cmd_onset_rate": (("common_mental_disorder_prevalence",), "baseline onset of mental disorder (APMS)"),
    "lonely_threshold": (("loneliness_often_always",), ("where the loneliness index counts as 'often/always' "
                         "lonely: a measurement cut-off, not a mechanism")),
    "smoking_initiation_rate": (("current_smoking",), ("baseline uptake (cessation keeps its published "
                                "4-6% a year): smoking prevalence")),
    "ace_mean": (("ace_prevalence_any",), "ACEs of the starting adults: the 18-69 prevalence at the start"),
    "ace_hazard_rate": (("ace_prevalence_any_cohort",), ("ACE hazard in simulated childhoods: the "
                        "prevalence of the cohorts the model raises")),
    "income_log_sd": (("income_gini",), "spread of earning potential: the income Gini"),
    "inactivity_deprivation_gradient": (("employment_rate_ratio",), ("economic inactivity by area deprivation: "
                                        "the employment ratio (an exposure gradient with its own target)")),
    "reemployment_deprivation_gradient": (("unemployment_rate_ratio",), ("jobs within reach by area deprivation: "
                                          "the unemployment ratio (an exposure gradient with its own target)")),
}



def reported_only(targets: Sequence[str], free: Sequence[str]) -> list[str]:
    """The targets (of ``targets``) that none of the ``free`` parameters answers to: reported, never fitted, so
    the strengths behind a mechanism's gradient keep their literature values and the fit says how far the
    mechanisms reproduce it.  A free parameter not in ``FREE_PARAMETERS`` answers to every target."""
    if any(name not in FREE_PARAMETERS for name in free):
        return []
    answered = {t for name in free for t in FREE_PARAMETERS[name][0]}
    return sorted({t for t in targets if t not in answered})
