"""Parameters that belong to no single mechanism: the structure of a run and the synthetic population.

Each mechanism declares its own parameters beside its function (``pathways_sim.mechanisms``); the registry
``pathways_sim.PARAMETERS`` joins them with these.  One declaration per parameter: name, default, unit, allowed
bounds, plausible range, source ("assumption" where none), meaning.
"""

from __future__ import annotations

from pathways_sim.declarations.declare import Param

# Largest finite values allowed where a quantity has no natural upper limit: refusing infinity keeps every
# accepted value runnable.
MAX_INCOME = 1e7  # GBP/year

_DECLARED: list[Param] = []


def _p(name, default, unit, bounds, plausible, source, doc, integer=False):
    _DECLARED.append(Param(name, default, unit, bounds, plausible, source, doc, integer, _group))



_group = "structure"
_p("population_size", 10_000, "people", (50, 20_000_000), (1_000, 1_000_000), "user choice",
   "Number of people alive at the start (a stationary age structure and replacement fertility keep it "
   "close).", integer=True)
_p("people_per_area", 1_500, "people", (10, 1_000_000), (1_000, 3_000),
   "ONS: LSOAs hold about 1,000-3,000 people (mean ~1,600)",
   "Mean residents per neighbourhood; areas are ranked into deprivation deciles like the IMD "
   "(at least 10 areas are always made).", integer=True)
_p("step_months", 1, "months", (1, 12), (1, 3), "design choice", "Length of one model step.", integer=True)
_p("burn_in_years", 20, "years", (0, 500), (10, 50),
   "design choice: slow states (ties and loneliness, allostatic load, smoking histories) take 10-20 years to "
   "settle from any synthetic start",
   "Years simulated before results are collected and interventions start, so a baseline with nothing changing "
   "is flat from its first reported year (0: report from the synthetic start).", integer=True)
_p("start_year", 2025, "calendar year", (1900, 2200), (2000, 2030), "user choice",
   "Calendar year of the first step (labels only).", integer=True)

_group = "population"
_p("median_income", 32_000, "GBP/year", (1, MAX_INCOME), (25_000, 36_000),
   "ONS Household income inequality, UK, FYE 2023: median equivalised disposable income about £32,000",
   "Median equivalised household income of people in work.")
_p("income_log_sd", 0.52, "log GBP", (0, 3), (0.4, 0.7),
   "assumption, tuned so the income Gini is near 0.33 (ONS)", "Individual spread of log earning potential.")
_p("income_area_gradient", 0.55, "log GBP", (0, 3), (0.3, 0.9),
   "assumption: IMD income domain; median income in the most deprived decile of areas is about 55-60% "
   "of the least deprived", "Log-income difference between least and most deprived areas.")
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
_p("employment_rate", 0.76, "proportion of 18-66", (0, 1), (0.7, 0.8), "ONS Labour market overview 2024 (~75%)",
   "Share of working-age adults in work at the start.")
_p("inactive_share", 0.18, "proportion of 18-66", (0, 1), (0.15, 0.25), "ONS economic inactivity ~21% of 16-64",
   "Share of working-age adults outside the labour force (students, carers, long-term sick).")
_p("inactivity_deprivation_gradient", 0.75, "log odds", (0, 5), (0.3, 1.5),
   "ONS Annual Population Survey by IMD (via OCSI): economic inactivity about 30% in the most deprived areas "
   "against 17% in the least; calibrated to the employment ratio between them",
   "Log-odds difference of being economically inactive on entering adult life, most vs least deprived area.")
_p("reemployment_deprivation_gradient", 1.0, "log hazard ratio", (0, 5), (0.3, 2.0),
   "ONS Annual Population Survey by IMD (via OCSI): unemployment in the most deprived areas about twice the "
   "average (fewer jobs within reach); calibrated to that ratio",
   "How much slower the unemployed find work, and how many more start out unemployed, in the most vs least "
   "deprived area (log scale).")
_p("cohesion_least_deprived", 0.75, "0-1 index", (0, 1), (0.6, 0.9),
   "Community Life Survey: trust and belonging fall with deprivation", "Neighbourhood cohesion, least deprived area.")
_p("cohesion_most_deprived", 0.45, "0-1 index", (0, 1), (0.3, 0.6),
   "Community Life Survey: trust and belonging fall with deprivation", "Neighbourhood cohesion, most deprived area.")

SHARED_PARAMETERS: tuple[Param, ...] = tuple(_DECLARED)
# The parameters that shape the run itself rather than the people in it.
STRUCTURAL_PARAMETERS: frozenset[str] = frozenset(p.name for p in SHARED_PARAMETERS if p.group == "structure")
