"""Every model parameter, declared once as data: name, default, unit, allowed bounds, plausible range, source.

The parameter table in the docs, validation, and (later) scenario files and sensitivity analysis all read
this registry, so a parameter cannot be documented one way and behave another.  ``bounds`` are hard limits
(a value outside them is an error); ``plausible`` is the range a sensitivity analysis should explore.
Where no published figure exists the source says "assumption" and the value is a calibration starting point.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pathways_sim.declarations.declare import Param, ParameterError, check_value, unknown_name_message
from pathways_sim.mechanisms.registry import PATHWAYS

INF = math.inf


_DECLARED: list[Param] = []


def _p(name, default, unit, bounds, plausible, source, doc, integer=False):
    _DECLARED.append(Param(name, default, unit, bounds, plausible, source, doc, integer, _group))


# --------------------------------------------------------------------------------------------------- structure
_group = "structure"
_p("population_size", 10_000, "people", (50, 20_000_000), (1_000, 1_000_000), "user choice",
   "Number of people alive at the start (births replace deaths, so it stays close).", integer=True)
_p("people_per_area", 1_500, "people", (10, 1_000_000), (1_000, 3_000),
   "ONS: LSOAs hold about 1,000-3,000 people (mean ~1,600)",
   "Mean residents per neighbourhood; areas are ranked into deprivation deciles like the IMD "
   "(at least 10 areas are always made).", integer=True)
_p("step_months", 1, "months", (1, 12), (1, 3), "design choice", "Length of one model step.", integer=True)
_p("start_year", 2025, "calendar year", (1900, 2200), (2000, 2030), "user choice",
   "Calendar year of the first step (labels only).", integer=True)

# --------------------------------------------------------------------------------------------------- population
_group = "population"
_p("median_income", 32_000, "GBP/year", (1, INF), (25_000, 36_000),
   "ONS Household income inequality, UK, FYE 2023: median equivalised disposable income about £32,000",
   "Median equivalised household income of people in work.")
_p("income_log_sd", 0.52, "log GBP", (0, 3), (0.4, 0.7),
   "assumption, tuned so the income Gini is near 0.33 (ONS)", "Individual spread of log earning potential.")
_p("income_area_gradient", 0.55, "log GBP", (0, 3), (0.3, 0.9),
   "assumption: IMD income domain; median income in the most deprived decile of areas is about 55-60% "
   "of the least deprived", "Log-income difference between least and most deprived areas.")
_p("poverty_line_share", 0.6, "fraction of median", (0.01, 2), (0.5, 0.7),
   "DWP Households Below Average Income: relative poverty line at 60% of median",
   "Income at which financial strain is 0.5.")
_p("unemployed_income_ratio", 0.45, "fraction of potential", (0, 1), (0.3, 0.6),
   "assumption (Universal Credit plus other household income)", "Income when unemployed, as a share of potential.")
_p("retired_income_ratio", 0.7, "fraction of potential", (0, 2), (0.5, 0.9),
   "assumption (state plus occupational pensions)", "Income in retirement as a share of potential.")
_p("inactive_income_ratio", 0.6, "fraction of potential", (0, 1), (0.4, 0.8),
   "assumption (other household earners, benefits)", "Income when economically inactive.")
_p("insecure_pay_ratio", 0.8, "fraction of potential", (0, 1), (0.6, 1),
   "assumption: insecure jobs pay less (Living Wage Foundation)", "Pay in insecure work relative to potential.")
_p("income_floor", 8_000, "GBP/year", (0, INF), (6_000, 11_000),
   "assumption: benefit floor", "Minimum equivalised household income.")
_p("minority_share", 0.18, "proportion", (0, 1), (0.1, 0.25),
   "ONS Census 2021: 18% of England's population not White British/Irish/other White", "Share with a "
   "minority or stigmatised identity.")
_p("minority_deprivation_gradient", 1.0, "log odds", (0, 5), (0.5, 1.5),
   "assumption: MHCLG, minority groups over-represented in deprived areas",
   "Log-odds difference of minority identity, most vs least deprived area.")
_p("ace_mean", 1.0, "ACEs", (0, 9), (0.7, 1.5), "Bellis et al. 2014 (47% with >=1 of 9 ACEs); tuned",
   "Mean ACE count of the initial adults at average deprivation.")
_p("ace_dispersion", 0.7, "gamma shape", (0.01, 100), (0.4, 1.5), "assumption: ACEs cluster (Bellis 2014)",
   "Gamma shape of the ACE rate heterogeneity (smaller clusters ACEs more).")
_p("ace_deprivation_gradient", 1.0, "log rate ratio", (0, 5), (0.5, 1.5),
   "Bellis 2014: 4+ ACEs about 2-3x more common in the most deprived quintile",
   "Log ACE-rate ratio, most vs least deprived childhood area.")
_p("ace_hazard_rate", 0.022, "per year of childhood", (0, 10), (0.01, 0.04),
   "assumption, tuned so ~47% of adults have >=1 ACE (Bellis et al. 2014)",
   "Hazard of a new adverse childhood experience for a child of an unstrained, unstressed, well parent.")
_p("employment_rate", 0.76, "proportion of 18-66", (0, 1), (0.7, 0.8), "ONS Labour market overview 2024 (~75%)",
   "Share of working-age adults in work at the start.")
_p("inactive_share", 0.18, "proportion of 18-66", (0, 1), (0.15, 0.25), "ONS economic inactivity ~21% of 16-64",
   "Share of working-age adults outside the labour force (students, carers, long-term sick).")
_p("insecure_job_share", 0.18, "proportion of jobs", (0, 1), (0.1, 0.25),
   "Living Wage Foundation 2022: about 1 in 5 workers in severely insecure work",
   "Share of new jobs that are insecure, at average deprivation.")
_p("insecure_job_deprivation_gradient", 1.0, "log odds", (0, 5), (0.5, 1.5), "assumption",
   "Log-odds difference of a new job being insecure, most vs least deprived area.")
_p("housing_insecurity_rate", 0.04, "per year", (0, 10), (0.02, 0.08),
   "assumption, gives ~8-10% insecure (Shelter: 1 in 10 renters behind or in temporary housing)",
   "Hazard of losing housing security without financial strain.")
_p("housing_resecure_rate", 0.6, "per year", (0, 50), (0.3, 1.0), "assumption",
   "Hazard of regaining secure housing.")
_p("cohesion_least_deprived", 0.75, "0-1 index", (0, 1), (0.6, 0.9),
   "Community Life Survey: trust and belonging fall with deprivation", "Neighbourhood cohesion, least deprived area.")
_p("cohesion_most_deprived", 0.45, "0-1 index", (0, 1), (0.3, 0.6),
   "Community Life Survey: trust and belonging fall with deprivation", "Neighbourhood cohesion, most deprived area.")

# --------------------------------------------------------------------------------------------------- network
_group = "network"
_p("mean_degree", 8.0, "ties", (0, 200), (4, 15), "assumption: UK adults report about 5-15 regular contacts",
   "Target mean number of social ties.")
_p("tie_loss_rate", 0.25, "per tie per year", (0, 50), (0.1, 0.5), "assumption (tie half-life ~3 years)",
   "Hazard that a tie dissolves, before loneliness, depression and stigma.")
_p("local_tie_share", 0.7, "proportion", (0, 1), (0.5, 0.85), "assumption: most contacts live nearby",
   "Share of new ties met in the same neighbourhood (shared places).")
_p("nonlocal_tie_area_spread", 0.15, "fraction of the area ranking", (0, 10), (0.05, 0.3),
   "assumption: ties outside one's area link areas of similar deprivation",
   "Standard deviation, in deprivation rank, between the areas of a non-local tie.")
_p("age_homophily_years", 10.0, "years", (0.1, 200), (5, 20), "McPherson et al. 2001 (age homophily)",
   "Scale of the age difference at which tie acceptance falls by 1/e.")
_p("ses_homophily", 2.0, "per income rank", (0, 50), (1, 4), "McPherson et al. 2001 (status homophily)",
   "Fall in log tie acceptance per unit of income-rank difference.")
_p("minority_homophily", 0.7, "log odds", (0, 10), (0.3, 1.5), "McPherson et al. 2001 (ethnic homophily)",
   "Fall in log tie acceptance across minority status.")
_p("support_saturation_ties", 4.0, "ties", (0.01, 100), (2, 8), "assumption",
   "Ties at which perceived support reaches 1 - 1/e.")
_p("loneliness_floor", 0.05, "0-1 index", (0, 1), (0, 0.15), "assumption", "Loneliness with very many ties.")
_p("loneliness_adaptation_years", 0.5, "years", (0.01, 50), (0.25, 2), "assumption",
   "Time constant of loneliness following one's ties.")
_p("lonely_threshold", 0.5, "0-1 index", (0, 1), (0.5, 0.8), "assumption, calibrated to 7% often/always lonely",
   "Loneliness index above which a person counts as often or always lonely.")

# --------------------------------------------------------------------------------------------------- psychosocial
_group = "psychosocial"
_p("stress_adaptation_years", 0.25, "years", (0.01, 50), (0.1, 1), "assumption",
   "Time constant of chronic stress following its drivers.")
_p("life_event_rate", 0.3, "per year", (0, 50), (0.1, 0.6), "assumption: Brugha list of threatening experiences",
   "Rate of acute stressful life events (bereavement, illness, conflict).")
_p("life_event_load", 1.0, "stress load", (0, 20), (0.5, 2), "assumption",
   "Extra stress load during the step of an acute event.")
_p("resilience_baseline", 0.7, "0-1 index", (0, 1), (0.5, 0.9), "assumption", "Resilience with no stress.")
_p("resilience_recovery_rate", 0.8, "per year", (0, 50), (0.3, 2), "assumption",
   "Rate at which resilience is rebuilt towards its baseline.")
_p("control_baseline", 0.55, "0-1 index", (0, 1), (0.4, 0.7), "assumption", "Sense of control, no stress, "
   "lowest education.")
_p("control_education_gain", 0.2, "0-1 index", (0, 1), (0.1, 0.3), "Marmot 2004 (status syndrome)",
   "Extra baseline control with the highest education.")
_p("control_recovery_rate", 0.8, "per year", (0, 50), (0.3, 2), "assumption",
   "Rate at which control returns to its baseline.")
_p("allostatic_recovery_rate", 0.15, "per year", (0, 50), (0.05, 0.4), "McEwen 1998: slow recovery; assumption",
   "Rate at which allostatic load falls when stress is absent.")
_p("mental_illness_stigma_weight", 0.5, "0-1 exposure", (0, 1), (0.2, 0.8), "Time to Change evaluations; assumption",
   "Stigma exposure of a person with a common mental disorder (minority identity counts 1).")

# --------------------------------------------------------------------------------------------------- behaviour and health
_group = "health"
_p("smoking_initiation_rate", 0.02, "per year (ages 12-35)", (0, 10), (0.005, 0.05), "assumption, calibrated "
   "to ~12% adult smoking (ONS 2023)", "Smoking initiation hazard with no stress, full control, no smoking ties.")
_p("smoking_cessation_rate", 0.05, "per year", (0, 10), (0.02, 0.1), "assumption: ~4-6% of smokers quit for good each year (West 2017)",
   "Smoking cessation hazard with no stress and full control.")
_p("cmd_onset_rate", 0.1, "per year", (0, 10), (0.01, 0.08), "assumption, calibrated to APMS 2014 (18.9%)",
   "Onset hazard of common mental disorder at zero stress, loneliness and full resilience.")
_p("cmd_recovery_rate", 0.5, "per year", (0, 50), (0.2, 1.5), "assumption: median episode ~6-12 months",
   "Recovery hazard from common mental disorder with no support and no resilience.")
_p("poor_health_rate_at_50", 0.012, "per year", (0, 10), (0.005, 0.03), "assumption, calibrated to ONS HLE",
   "Onset hazard of not-good health at age 50 with no allostatic load, not smoking, no disorder.")
_p("poor_health_age_slope", 0.045, "log hazard per year of age", (0, 1), (0.03, 0.07), "assumption",
   "Gompertz slope of the onset hazard of not-good health.")
_p("poor_health_recovery_rate", 0.12, "per year", (0, 50), (0.05, 0.3), "assumption",
   "Hazard of returning to good health.")
_p("mortality_rate_at_50", 0.0012, "per year", (0, 10), (0.0008, 0.002), "ONS National life tables 2020-22 "
   "(m_50 about 0.003); baseline before risk factors", "Death hazard at age 50 with no risk factors.")
_p("mortality_age_slope", 0.095, "log hazard per year of age", (0, 1), (0.08, 0.11),
   "Gompertz slope of adult mortality in England (~0.09-0.10)", "Gompertz slope of mortality.")
_p("male_mortality_log_hr", 0.3, "log hazard ratio", (-2, 2), (0.2, 0.4),
   "ONS National life tables: male age-specific mortality ~1.3-1.5x female", "Extra mortality of men.")
_p("infant_mortality_rate", 0.004, "per year (age < 1)", (0, 1), (0.003, 0.005),
   "ONS Child and infant mortality 2022 (3.9 per 1,000)", "Extra death hazard in the first year of life.")
_p("maximum_age", 105.0, "years", (1, 130), (100, 110), "design choice", "Nobody lives past this age.")
_p("fertility_age_min", 18.0, "years", (10, 60), (16, 20), "design choice", "Youngest age at which a birth is "
   "assigned to a mother.")
_p("fertility_age_max", 44.0, "years", (10, 60), (40, 46), "design choice", "Oldest such age.")
_p("job_loss_rate_secure", 0.03, "per year", (0, 50), (0.01, 0.06), "ONS labour market flows (~1%/quarter)",
   "Job loss hazard in secure work, in good health.")
_p("job_loss_rate_insecure", 0.2, "per year", (0, 50), (0.1, 0.4), "assumption: temporary contracts end",
   "Job loss hazard in insecure work, in good health.")
_p("reemployment_rate", 1.2, "per year", (0, 50), (0.5, 2.5), "ONS labour market flows (median spell ~6 months)",
   "Re-employment hazard in good health at lowest education.")
_p("job_upgrade_rate", 0.15, "per year", (0, 50), (0.05, 0.3), "assumption",
   "Hazard that an insecure job becomes secure.")
_p("retirement_age", 67.0, "years", (40, 100), (66, 68), "UK State Pension age (2028: 67)",
   "Age at which everyone leaves the labour market.")
_p("education_income_gain", 0.25, "log GBP per level", (0, 3), (0.15, 0.4), "DfE returns to qualifications",
   "Log earning potential per education level (0 low, 1 mid, 2 high).")
_p("parent_income_persistence", 0.4, "correlation", (0, 1), (0.2, 0.6),
   "Blanden & Machin: UK intergenerational income elasticity ~0.3-0.5",
   "Weight of parents' income rank in a child's education latent.")

_group = ""

# Pathway strengths are declared beside their pathway (pathways.py) and join the same registry.
_DECLARED.extend(pw.strength for pw in PATHWAYS.values())
_DECLARED.extend(extra for pw in PATHWAYS.values() for extra in pw.modifiers)

# Calibrated defaults: data/calibrated.json (written by pathways_sim.analysis.calibration) replaces the declared default
# of each parameter it fitted, validated against the declared bounds.  The declared values stay readable in
# UNCALIBRATED_DEFAULTS, where a new calibration starts from.  (A Pathway's own ``strength`` declaration in
# PATHWAYS keeps its literature default; PARAMETERS is the one the model reads.)
UNCALIBRATED_DEFAULTS: Mapping[str, float] = MappingProxyType({p.name: p.default for p in _DECLARED})
CALIBRATED_FILE = Path(__file__).resolve().parent.parent / "data" / "calibrated.json"


def _with_calibrated_defaults(declared: list[Param], path: Path) -> list[Param]:
    """The declarations, with the defaults stored in ``path`` (each validated against its bounds)."""
    index = {p.name: i for i, p in enumerate(declared)}
    out, problems = list(declared), []
    for name, value in json.loads(path.read_text(encoding="utf-8"))["parameters"].items():
        if name not in index:
            problems.append((name, f"in {path}: {unknown_name_message(name, list(index), 'parameter')}"))
            continue
        old = declared[index[name]]
        checked, msg = check_value(old, value)
        if msg:
            problems.append((name, f"in {path}: {msg}"))
        else:
            out[index[name]] = replace(old, default=checked, source=f"{old.source}; calibrated to "
                                       "targets/england.csv (pathways_sim.analysis.calibration)")
    if problems:
        raise ParameterError(problems)
    return out


if CALIBRATED_FILE.exists():
    _DECLARED = _with_calibrated_defaults(_DECLARED, CALIBRATED_FILE)

PARAMETERS: Mapping[str, Param] = MappingProxyType({p.name: p for p in _DECLARED})
assert len(PARAMETERS) == len(_DECLARED), "a parameter name is declared twice"


class Parameters(Mapping[str, float]):
    """An immutable, validated set of parameter values (defaults overlaid with overrides).

    Read values as attributes (``params.median_income``) or items.  ``replace(**changes)`` returns a new,
    validated set; nothing is ever clipped or ignored: an unknown name or an out-of-range value raises
    ``ParameterError`` naming the parameter and what is allowed.
    """

    __slots__ = ("_values",)

    def __init__(self, overrides: Mapping[str, Any] | None = None, /, **kwargs: Any):
        given = {**(overrides or {}), **kwargs}
        values = {name: p.default for name, p in PARAMETERS.items()}
        problems: list[tuple[str, str]] = []
        for name, value in given.items():
            if name not in PARAMETERS:
                problems.append((name, unknown_name_message(name, list(PARAMETERS), "parameter")))
                continue
            checked, msg = check_value(PARAMETERS[name], value)
            if msg:
                problems.append((name, msg))
            else:
                values[name] = checked
        if 12 % values["step_months"]:
            problems.append(("step_months", (f"must divide a year: one of 1, 2, 3, 4, 6, 12 "
                             f"(got {values['step_months']})")))
        if values["fertility_age_min"] >= values["fertility_age_max"]:
            problems.append(("fertility_age_min", ("must be below fertility_age_max "
                             f"(got {values['fertility_age_min']} >= {values['fertility_age_max']})")))
        if problems:
            raise ParameterError(problems)
        object.__setattr__(self, "_values", MappingProxyType(values))

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(unknown_name_message(name, list(PARAMETERS), "parameter")) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Parameters are immutable; use .replace(name=value)")

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __reduce__(self):
        # Picklable (for process pools and clusters) as its overrides; rebuilt through validation.
        return (Parameters, (self.changed(),))

    def __deepcopy__(self, memo) -> Parameters:
        return self  # immutable

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Parameters) and dict(self._values) == dict(other._values)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.changed().items())))

    def replace(self, **changes: Any) -> Parameters:
        return Parameters({**self.changed(), **changes})

    def changed(self) -> dict[str, Any]:
        """The values that differ from the declared defaults."""
        return {k: v for k, v in self._values.items() if v != PARAMETERS[k].default}

    def __repr__(self) -> str:
        return f"Parameters({self.changed()!r})"
