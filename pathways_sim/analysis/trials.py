"""In-silico trials: each intervention run as the study its default claims to follow, and compared with it.

For every intervention kind, ``TRIALS`` declares the study its defaults lean on — source, population,
comparator, follow-up and outcome — and, where the study published an estimate with a 95% interval, a design
that reproduces it inside the model:

- **individual randomised trials** (peer support, social prescribing, early years): at a time point after the
  burn-in, the people the trial would recruit are randomised 1:1 to be offered the programme (with the trial's
  full uptake and no drop-out) or not (usual care: the model without it); both arms live in the same simulated
  world, so they share its random numbers.  The outcome is measured at the trial's follow-up in everyone still
  alive, and the people of all replicates are pooled into one trial, whose estimate and 95% interval are
  computed as the study computed them;
- **area or population studies** (community wealth building, stigma reduction): the covered population is
  compared with its own counterfactual — the same seed without the programme (common random numbers, like a
  synthetic control that is exact) — at the study's follow-up; the estimate is the mean over replicates with a
  t-interval.

Mappings from the model's states to the studies' scales are stated per trial: a model with a binary common
mental disorder has no depression score, so a standardised mean difference of depressive symptoms is compared
with the log odds ratio of still having a disorder, converted by Chinn's formula (SMD = ln OR x sqrt(3)/pi;
Chinn 2000, the Cochrane Handbook's conversion between binary and continuous outcomes).

A kind whose default claims no published estimate says so ("no published estimate") and gets no pass/fail;
so do variants and secondary figures whose interval was not checked against the paper.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pathways_sim.analysis.trial_designs import (
    Estimate,
    Published,
    Trial,
    adults_with_cmd,
    counterfactual,
    employment_rate,
    loneliness,
    lonely_adults,
    median_pay,
    new_ace,
    odds_ratio,
    odds_ratio_of_shares,
    parents_of_infants,
    percent_change,
    points_change,
    randomised,
    reports_discrimination,
    smd,
    smd_from_odds_ratio,
    still_cmd,
    their_infants,
    themselves,
)
from pathways_sim.experiments.runner import replicate_seeds
from pathways_sim.interventions import INTERVENTIONS

# -- the studies ---------------------------------------------------------------------------------------------
NO_ESTIMATE = "no published estimate"
# A trial gives everyone randomised to the offer a place: link workers and community places do not run out.
TRIAL_PLACES = {"link_workers_per_100k": 1000.0, "asset_places_per_1000": 1000.0}

TRIALS: tuple[Trial, ...] = (
    Trial("peer_support", "peer_support",
          "Pfeiffer et al. 2011 (Gen Hosp Psychiatry; 7 RCTs, 869 people): depressive symptoms SMD -0.59 "
          "(-0.98 to -0.21) vs usual care",
          "adults 18-69 with a common mental disorder", "usual care", 0.5,
          "depressive symptoms, SMD: the model's log odds ratio of still having a common mental disorder at "
          "6 months, as an SMD by Chinn's sqrt(3)/pi",
          Published(-0.59, -0.98, -0.21),
          config={"eligibility": "mental_disorder"},
          design=randomised(adults_with_cmd, themselves, still_cmd, smd_from_odds_ratio)),
    Trial("peer_support: loneliness", "peer_support",
          "Masi et al. 2011 (Pers Soc Psychol Rev): randomised comparisons of loneliness interventions, mean "
          "effect about -0.20 (interval not checked here)",
          "lonely adults (loneliness above the 'often or always' threshold)", "usual care", 0.5,
          "loneliness, SMD (the model's loneliness index)",
          Published(-0.198), note="secondary figure: no interval checked, so not tested",
          config={"eligibility": "lonely"},
          design=randomised(lonely_adults, themselves, loneliness, smd)),
    Trial("peer_support: 2 years", "peer_support",
          "none pooled: the trials in Pfeiffer 2011 followed people for weeks to months; a meta-analysis of "
          "peer-administered interventions found benefits maintained where follow-up data existed (Am J "
          "Community Psychol 2015, doi 10.1007/s10464-015-9718-y)",
          "adults 18-69 with a common mental disorder", "usual care", 2.0,
          "depressive symptoms, SMD (as above) 18 months after a 6-month programme ended",
          None, note="how long the effect lasts is the model's (mostly the course of the disorder, not the ties)",
          config={"eligibility": "mental_disorder"},
          design=randomised(adults_with_cmd, themselves, still_cmd, smd_from_odds_ratio)),
    Trial("social_prescribing", "social_prescribing",
          "Napierala et al. 2022 (Int J Integr Care; 68 reports, 3 controlled): positive effects in uncontrolled "
          "studies 'could largely not be seen in controlled settings'; no pooled estimate",
          "adults 18-69 with a common mental disorder, referred", "usual care", 0.5,
          "depressive symptoms, SMD (as for peer support)",
          None, note="default effect_scale 0.1 (near null); the optimistic variant is effect_scale 1",
          config={"eligibility": "mental_disorder", **TRIAL_PLACES},
          design=randomised(adults_with_cmd, themselves, still_cmd, smd_from_odds_ratio)),
    Trial("social_prescribing: optimistic (effect_scale 1)", "social_prescribing",
          "the optimistic reading of uncontrolled before-after studies (no controlled estimate)",
          "adults 18-69 with a common mental disorder, referred", "usual care", 0.5,
          "depressive symptoms, SMD (as for peer support)",
          None, note="variant: not a published estimate",
          config={"eligibility": "mental_disorder", "effect_scale": 1.0, **TRIAL_PLACES},
          design=randomised(adults_with_cmd, themselves, still_cmd, smd_from_odds_ratio)),
    Trial("early_years", "early_years",
          "Robling et al. 2022 (BMJ Open; BB:2-6, the English Family Nurse Partnership trial followed to age 6-7): "
          "child-in-need status OR 0.98 (0.74 to 1.31); Robling et al. 2016 (Lancet): no benefit on the primary "
          "outcomes to 24 months",
          "parents of a child under one", "usual care", 6.0,
          "child maltreatment, odds ratio: the model's odds of a new adverse childhood experience by age 6-7",
          Published(0.98, 0.74, 1.31),
          people_scale=5.0, design=randomised(parents_of_infants, their_infants, new_ace, odds_ratio)),
    Trial("early_years: Olds variant (ace_reduction 0.5)", "early_years",
          "Olds et al. 1997 (JAMA; Elmira, US): verified reports of maltreatment by 15 years, 0.29 vs 0.54 per "
          "mother (a rate ratio near 0.54; interval not checked here)",
          "parents of a child under one", "usual care", 6.0,
          "child maltreatment, odds ratio (as above)",
          Published(0.54), note="optimistic variant (US trial): no interval checked, so not tested",
          config={"ace_reduction": 0.5},
          people_scale=5.0, design=randomised(parents_of_infants, their_infants, new_ace, odds_ratio)),
    Trial("community_wealth_building", "community_wealth_building",
          "Rose et al. 2023 (Lancet Public Health; Preston vs synthetic control, 2016-19): median wages +11% "
          "(1.8% to 18.9%)",
          "the whole covered population (a local authority)", "the same place without the programme", 4.0,
          "median pay of people in work, % change (the model's pay of the employed before transfers)",
          Published(11.0, 1.8, 18.9),
          people_scale=0.5, design=counterfactual(median_pay, percent_change)),
    Trial("community_wealth_building: employment", "community_wealth_building",
          "Rose et al. 2023: association with the employment rate not statistically significant (estimate not "
          "checked here)",
          "the whole covered population", "the same place without the programme", 4.0,
          "employment rate 18 to pension age, percentage points",
          None, note="the study found employment unchanged; the model's change is shown beside it",
          people_scale=0.5, design=counterfactual(employment_rate, points_change)),
    Trial("stigma_reduction", "stigma_reduction",
          "Corker et al. 2016 (Acta Psychiatr Scand; Viewpoint survey, England 2008-2014, during Time to Change): "
          "reporting mental-health discrimination in one or more life areas, OR 0.58 (0.36 to 0.94), 2014 vs "
          "2008 — uncontrolled: a secular trend is in it too",
          "people with a common mental disorder, in the whole covered population",
          "the same population without the campaign", 6.0,
          "reporting discrimination, odds ratio: chance proportional to one's mental-illness stigma exposure "
          "(91.5% at full exposure, the 2008 baseline)",
          Published(0.58, 0.36, 0.94),
          note="the model's figure follows from the exposure it scales: its interval is a point",
          people_scale=0.5, design=counterfactual(reports_discrimination, odds_ratio_of_shares)),
    Trial("trauma_informed_care", "trauma_informed_care",
          "none: no controlled effect sizes for whole-system trauma-informed care (SAMHSA 2014 is a framework)",
          "-", "-", 0.0, "-", None, note="speculative: its defaults are assumptions"),
    Trial("community_empowerment", "community_empowerment",
          "Orton et al. 2017 (collective control: positive but weakly evidenced, no pooled estimate)",
          "-", "-", 0.0, "-", None, note="defaults are assumptions"),
    Trial("child_benefit_uplift", "child_benefit_uplift", "none (a transfer: its size is the policy)",
          "-", "-", 0.0, "-", None, note="acts through income; the income pathways carry their own sources"),
    Trial("minimum_income_floor", "minimum_income_floor", "none (a transfer: its size is the policy)",
          "-", "-", 0.0, "-", None, note="acts through income; the income pathways carry their own sources"),
    Trial("housing_security", "housing_security", "none",
          "-", "-", 0.0, "-", None, note="defaults are assumptions"),
)
TRIAL_NAMES = tuple(t.name for t in TRIALS)


@dataclass(frozen=True)
class TrialResult:
    trial: Trial
    model: Estimate | None

    @property
    def inside(self) -> bool | None:
        """Whether the model's estimate lies in the published interval (None when there is nothing to test)."""
        if not self.trial.tested or self.model is None:
            return None
        published = self.trial.published
        assert published is not None
        return bool(published.low <= self.model.estimate <= published.high)


def run_trial(trial: Trial, people: int = 6_000, replicates: int = 3, seed: int = 2025) -> TrialResult:
    """Run one trial: ``replicates`` worlds of ``people`` (individual trials pool their recruits)."""
    if trial.design is None:
        return TrialResult(trial, None)
    size = max(1_000, round(people * trial.people_scale))
    return TrialResult(trial, trial.design(trial, size, replicate_seeds(seed, replicates)))


def select_trials(kinds: Sequence[str] = ()) -> tuple[Trial, ...]:
    """The trials of the named kinds (all when none); unknown kinds raise ValueError naming the allowed."""
    unknown = [k for k in kinds if k not in INTERVENTIONS]
    if unknown:
        raise ValueError(f"unknown intervention kind {', '.join(map(repr, unknown))}; allowed: "
                         f"{', '.join(sorted(INTERVENTIONS))}")
    return tuple(t for t in TRIALS if not kinds or t.kind in kinds)


def run_trials(kinds: Sequence[str] = (), people: int = 6_000, replicates: int = 3,
               seed: int = 2025) -> list[TrialResult]:
    return [run_trial(t, people, replicates, seed) for t in select_trials(kinds)]


def trials_frame(results: Sequence[TrialResult]) -> pd.DataFrame:
    """One row per trial: published and model estimates with intervals, and whether the model's is inside."""
    rows = []
    for r in results:
        p, m = r.trial.published, r.model
        rows.append({"trial": r.trial.name, "kind": r.trial.kind, "source": r.trial.source,
                     "outcome": r.trial.outcome, "follow_up_years": r.trial.follow_up_years,
                     "published": np.nan if p is None else p.estimate,
                     "published_low": np.nan if p is None else p.low,
                     "published_high": np.nan if p is None else p.high,
                     "model": np.nan if m is None else m.estimate, "model_low": np.nan if m is None else m.low,
                     "model_high": np.nan if m is None else m.high, "n": 0 if m is None else m.n,
                     "inside": r.inside, "note": r.trial.note})
    return pd.DataFrame(rows)
