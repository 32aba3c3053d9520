"""The mechanism inputs an intervention may change, declared once: name, neutral value, scope, meaning.

An intervention never edits an outcome; it writes into these modifiers for the people or areas it reaches
(``core.modifiers.Modifiers`` holds the arrays), and each mechanism reads the ones that concern it.
"""

from __future__ import annotations

# name: (neutral value, per "person" or per "area", meaning)
MODIFIERS: dict[str, tuple[float, str, str]] = {
    "support_add": (0.0, "person", "added to perceived support from ties (0-1 scale)"),
    "resilience_baseline_add": (0.0, "person", "added to the resilience baseline"),
    "control_baseline_add": (0.0, "person", "added to the control baseline"),
    "mental_illness_stigma_scale": (1.0, "person", "multiplies the stigma of a mental disorder (not the "
                                    "discrimination met for a minority identity)"),
    "sensitisation_scale": (1.0, "person", "multiplies the extra stress response from ACEs"),
    "stress_load_add": (0.0, "person", "added to the stress load (e.g. re-traumatisation by services)"),
    "ace_hazard_scale": (1.0, "person", "multiplies a child's ACE hazard"),
    "income_add": (0.0, "person", "GBP/year added to equivalised household income"),
    "income_floor": (0.0, "person", "minimum equivalised household income, GBP/year"),
    "wage_floor": (0.0, "person", "minimum earning potential while employed, GBP/year"),
    "housing_loss_scale": (1.0, "person", "multiplies the hazard of losing housing security"),
    "housing_resecure_scale": (1.0, "person", "multiplies the hazard of regaining housing security"),
    "job_loss_scale": (1.0, "person", "multiplies the job loss hazard"),
    "reemployment_scale": (1.0, "person", "multiplies the re-employment hazard"),
    "job_upgrade_add": (0.0, "person", "per year, added to the hazard that an insecure job becomes secure"),
    "cohesion_add": (0.0, "area", "added to neighbourhood cohesion"),
    "uptake_log_odds_add": (0.0, "person", "added to the log odds of taking up and staying in any offer"),
    "retraumatisation_scale": (1.0, "person",
                               "multiplies re-traumatisation by clinical services (trauma-informed care)"),
    "material_hardship_scale": (1.0, "person", "multiplies the hazard of entering material hardship (cold or damp "
                                "home, fuel or food insecurity)"),
    "cmd_recovery_scale": (1.0, "person", "multiplies the hazard of recovering from a common mental disorder"),
    "wage_scale": (1.0, "person", "multiplies earning potential while employed (before a wage floor)"),
    "treatment_coverage_add": (0.0, "person", "added to the share of people with a mental disorder who are treated"),
    "job_strain_scale": (1.0, "person", "multiplies the chance that a worker's job is high-strain (job redesign)"),
    "inactivity_onset_scale": (1.0, "person", "multiplies the hazard of becoming physically inactive"),
}
