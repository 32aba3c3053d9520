"""Every outcome the results report, declared once: what it is called, its unit, who counts, which way is better.

The collector, the summary and comparison tables, the health-gap table and the plots all read this table; none
keeps a list of its own, and none guesses from a metric's name whether a value is a fraction shown as percent.

>>> OUTCOMES["cmd_prevalence"].label, OUTCOMES["cmd_prevalence"].unit, OUTCOMES["cmd_prevalence"].who
('Common mental disorder', '%', 'adults 16+')
>>> OUTCOMES["cmd_prevalence"].display(0.189)
18.9
>>> [o.name for o in gradient_outcomes()][:2]
['life_expectancy', 'healthy_life_expectancy']
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # for annotations only: declarations load no numerical library
    import numpy as np
    import pandas as pd

Better = Literal["lower", "higher", ""]


@dataclass(frozen=True, slots=True)
class Outcome:
    """Declaration of one outcome (a ``metric`` of the results table, per group and year)."""

    name: str  # the metric's name in results, e.g. "cmd_prevalence"
    label: str  # for a reader: "Common mental disorder"
    unit: str  # as shown: "%", "years", "0-1 index", "GBP/year", ...
    percent: bool  # stored as a fraction (0-1) and shown in percent (unit "%")
    ages: tuple[float, float | None]  # who counts: from age (inclusive) to age (exclusive; None = no limit)
    who: str  # who counts, in words
    better: Better  # which direction is better ("" where neither is, e.g. population)
    gradient: bool  # summarised across each deprivation grouping by SII, RII and the gap
    binary: bool  # 0/1 per person; with ``gradient``, also an Erreygers-corrected concentration index by income rank
    short: str = ""  # heading in the health-gap table (the unit is added: "mental disorder %")
    weight: Literal["population", "person_years"] = "population"  # what weights the groups in SII and RII

    def display[V: (float, np.ndarray, pd.Series)](self, value: V) -> V:
        """A stored value in the unit shown (percent for fractions)."""
        return value * 100.0 if self.percent else value

    @property
    def title(self) -> str:
        """'Common mental disorder (%)' — a heading with its unit."""
        return f"{self.label} ({self.unit})"

    @property
    def heading(self) -> str:
        """The health-gap table's column heading: the short name, plus ' %' for percentages."""
        short = self.short or self.name
        return f"{short} %" if self.percent else short


def _o(name: str, label: str, unit: str, ages: tuple[float, float | None],  # noqa: PLR0913 - an Outcome's fields
       who: str, better: Better, *, gradient: bool = False, binary: bool = False, short: str = "",
       weight: Literal["population", "person_years"] = "population") -> Outcome:
    return Outcome(name, label, unit, unit == "%", ages, who, better, gradient, binary, short, weight)


ALL_AGES: tuple[float, float | None] = (0, None)
_DECLARED = (
    # The headline outcomes: their gradient is summarised (SII, RII, gap), in the order tables show them.
    _o("life_expectancy", "Life expectancy", "years", ALL_AGES, "at birth, period life table", "higher",
       gradient=True, short="LE", weight="person_years"),
    _o("healthy_life_expectancy", "Healthy life expectancy", "years", ALL_AGES,
       "at birth, period life table (Sullivan)", "higher", gradient=True, short="HLE", weight="person_years"),
    _o("not_good_health_prevalence", "Not in good health", "%", (16, None), "adults 16+", "lower",
       gradient=True, binary=True, short="not good health"),
    _o("cmd_prevalence", "Common mental disorder", "%", (16, None), "adults 16+", "lower",
       gradient=True, binary=True, short="mental disorder"),
    _o("smoking_prevalence", "Smoking", "%", (18, None), "adults 18+", "lower",
       gradient=True, binary=True, short="smoking"),
    _o("loneliness_prevalence", "Lonely often/always", "%", (16, None),
       "adults 16+ (loneliness above lonely_threshold)", "lower", gradient=True, binary=True, short="lonely"),
    _o("mean_stress", "Chronic stress", "0-1 index", (16, None), "adults 16+", "lower",
       gradient=True, short="stress"),
    # Reported by group every year, without a gradient summary.
    _o("population", "Population", "people", ALL_AGES, "everyone alive", ""),
    _o("mean_resilience", "Resilience", "0-1 index", (16, None), "adults 16+", "higher"),
    _o("mean_control", "Sense of control", "0-1 index", (16, None), "adults 16+", "higher"),
    _o("mean_allostatic_load", "Allostatic load", "biomarkers (of 10) in high-risk range", (16, None), "adults 16+",
       "lower"),
    _o("ace_any_prevalence", "Any adverse childhood experience", "%", (18, 70), "adults 18-69", "lower",
       binary=True),
    _o("unemployment_rate", "Unemployment", "%", (18, None),
       "economically active adults from 18 to retirement_age", "lower", binary=True),
    _o("housing_insecurity_prevalence", "Insecure housing", "%", (18, None), "adults 18+", "lower", binary=True),
    _o("material_hardship_prevalence", "Material hardship", "%", (18, None),
       "adults 18+ (cold or damp home, fuel or food insecurity)", "lower", binary=True),
    _o("mean_income", "Equivalised household income", "GBP/year", ALL_AGES, "everyone alive (children: "
       "their parent's)", "higher"),
    _o("mean_ties", "Social ties", "ties per person", ALL_AGES, "everyone alive", "higher"),
)

OUTCOMES: dict[str, Outcome] = {o.name: o for o in _DECLARED}


def gradient_outcomes() -> tuple[Outcome, ...]:
    """Outcomes whose gradient is summarised (SII, RII, gap), in table order."""
    return tuple(o for o in OUTCOMES.values() if o.gradient)


def outcome(metric: str) -> Outcome | None:
    """The declaration behind a metric of the results table: ``cmd_prevalence`` and its summaries
    ``cmd_prevalence_sii`` and ``cmd_prevalence_gap`` (same unit) all give ``OUTCOMES["cmd_prevalence"]``;
    ``None`` for metrics with no declared outcome (counts, costs, ratios such as ``_rii``)."""
    if metric in OUTCOMES:
        return OUTCOMES[metric]
    for suffix in ("_sii", "_gap"):
        if metric.endswith(suffix) and metric.removesuffix(suffix) in OUTCOMES:
            return OUTCOMES[metric.removesuffix(suffix)]
    return None


def in_ages(outcome_: Outcome, age, alive):
    """Boolean mask of the people an outcome counts (numpy arrays of age and alive)."""
    low, high = outcome_.ages
    mask = alive & (age >= low) if low > 0 else alive.copy()
    if high is not None and not math.isinf(high):
        mask &= age < high
    return mask
