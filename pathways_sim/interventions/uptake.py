"""Who takes an offer up, how much a dose does, and the published figures both are fitted to.

**Uptake** is a logistic function of a person's barriers (``Uptake``): sense of control, mental disorder,
stigma, area deprivation (access, transport, distrust of services where services have failed people) and a
minority identity's distrust, plus a charge and a clinical setting.  The individual terms are assumptions
about *which* barriers matter (seed 003: Thomson & Chatterjee; the triple barrier); the weight on area
deprivation is *fitted* so that a universal offer, barriers on, is taken up by deprivation as a universal
offer is in England (``PUBLISHED_UPTAKE``, ``fit_deprivation_weight``, checked by a test).

**Dose-response** is concave: the effect of dose d, relative to the standard programme (dose 1), is
``(1 - exp(-k d)) / (1 - exp(-k))`` (``dose_effect``): 0 at 0, 1 at 1, rising ever more slowly, and linear
as k -> 0.  k comes from the psychotherapy dose-effect curve (Howard et al. 1986), see ``DOSE_SATURATION``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from pathways_sim.core.world import World
    from pathways_sim.interventions.base import Intervention


class Strict(BaseModel):
    # strict: a quoted "1000" is not a number and true is not 1; infinities and NaN are not numbers either;
    # unknown fields are errors, never ignored.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


def declared(default: float, *, unit: str, plausible: tuple[float, float], source: str, meaning: str,
             ge: float, le: float) -> Any:
    """A config field declared like a model parameter: default, unit, allowed bounds, plausible range and
    source (shown in the generated docs and kept in the JSON Schema as ``x-unit``, ``x-plausible``,
    ``x-source``)."""
    low, high = plausible
    return Field(default, ge=ge, le=le,
                 description=f"{meaning} ({unit}; plausible {low:g}-{high:g}; source: {source})",
                 json_schema_extra={"x-unit": unit, "x-plausible": [low, high], "x-source": source})


# ----------------------------------------------------------------------------------------- published uptake
@dataclass(frozen=True)
class PublishedUptake:
    """Uptake of a universal offer by area deprivation, as published: the most deprived IMD quintiles
    against the rest."""

    source: str
    most_deprived_quintiles: tuple[int, ...]  # 1 = most deprived
    uptake_most_deprived: float
    uptake_rest: float
    plausible_ratio: tuple[float, float]  # of uptake, most deprived / rest, across published series

    @property
    def ratio(self) -> float:
        return self.uptake_most_deprived / self.uptake_rest


PUBLISHED_UPTAKE = PublishedUptake(
    source=("Coghill et al. 2018, BMC Health Serv Res 18:238 (NHS Health Check, 38 Bristol practices, 2010-2014, "
            "31,881 invited): 39% of those invited from the two most deprived IMD quintiles and 47% from the "
            "three least deprived completed a check"),
    most_deprived_quintiles=(1, 2),
    uptake_most_deprived=0.39,
    uptake_rest=0.47,
    # Lower end: Coghill 2018 (0.83); Martin et al. 2018 (BJGP 68:e449, systematic review) found uptake lower in
    # the most deprived areas.  Upper end: Patel et al. 2020 (BMJ Open 10:e042963, 9.7 million offered
    # 2012-2017, 52.6% uptake) found attendees similar to non-attendees in deprivation (ratio about 1).
    plausible_ratio=(0.8, 1.0),
)

# Fitted by ``fit_deprivation_weight`` to ``PUBLISHED_UPTAKE`` (a universal peer-support offer to every adult,
# barriers on, the other uptake weights and model parameters at their defaults): the weight on area deprivation
# at which, with the individual barriers, uptake in the two most deprived quintiles is 0.83 of that in the other
# three.  The fit gives 0.29 at 6,000 people (seeds 17 and 3: 0.290, 0.301) and at 20,000 (seed 2025: 0.289).
FITTED_DEPRIVATION_WEIGHT = 0.29
# The plausible ratios' ends in the same fit: 0.8 at a weight of 0.42; 1.0 at -0.49, which would make deprived
# areas easier to reach than the rest, so the range stops at 0 (the individual barriers alone, ratio ~0.9).
DEPRIVATION_WEIGHT_PLAUSIBLE = (0.0, 0.42)


class Uptake(Strict):
    """Log-odds weights of the barriers to taking an offer up (Thomson & Chatterjee; the triple barrier);
    the weight on area deprivation is fitted to NHS Health Check uptake by deprivation (Coghill et al. 2018)."""

    base: float = Field(0.6, ge=0, le=1, description="probability of taking up an offer with no barriers")
    barriers: bool = Field(True, description="switch all barriers on or off")
    control: float = Field(1.5, ge=0, le=10, description="log odds per unit of sense of control (assumption)")
    mental_disorder: float = Field(0.7, ge=0, le=10,
                                   description="log odds lost with anxiety or depression (assumption)")
    stigma: float = Field(0.8, ge=0, le=10, description="log odds lost per unit of stigma exposure (assumption)")
    deprivation: float = declared(
        FITTED_DEPRIVATION_WEIGHT, ge=0, le=10, unit="log odds per unit of area deprivation",
        plausible=DEPRIVATION_WEIGHT_PLAUSIBLE,
        source="fitted to NHS Health Check uptake by IMD quintile, 39% vs 47% (Coghill et al. 2018); "
               "plausible up to a ratio of 1 (Patel et al. 2020)",
        meaning="log odds lost per unit of area deprivation (0 least, 1 most deprived): access, transport "
                "and distrust of services in deprived areas, on top of the individual barriers")
    minority_distrust: float = declared(
        0.24, ge=0, le=10, unit="log odds", plausible=(0.0, 0.5),
        source="assumption (seed 003: distrust of research and councils in some communities); Patel et al. "
               "2020 found NHS Health Check attendees similar to non-attendees by ethnicity, hence 0 is plausible",
        meaning="log odds lost with a minority or stigmatised identity (distrust of services)")
    cost: float = Field(1.5, ge=0, le=10, description="log odds lost per unit of financial strain if charged "
                        "(assumption)")
    free: bool = Field(True, description="the offer is free at the point of use")
    setting: Literal["community", "clinical"] = Field("community", description="where it is delivered")
    clinical_penalty: float = Field(0.5, ge=0, le=10, description="log odds lost in a clinical setting "
                                    "(assumption)")
    dropout_rate: float = Field(0.3, ge=0, le=50, description="per year, hazard of leaving early, no barriers")


def expected_uptake(world: World, intervention: Intervention) -> tuple[np.ndarray, np.ndarray]:
    """Each eligible person's probability of taking ``intervention``'s offer up now (no draws), and their area
    deprivation quintile (0 = most deprived)."""
    from pathways_sim.core.modifiers import Modifiers
    from pathways_sim.interventions.base import area_quintile_index

    slots = np.flatnonzero(intervention.eligible(world))
    mods = Modifiers(world.population.capacity, world.areas.n)
    return intervention.uptake_probability(world, mods, slots), area_quintile_index(world)[slots]


def uptake_by_quintile(world: World, intervention: Intervention) -> np.ndarray:
    """Expected uptake among those eligible, by area deprivation quintile (index 0 = most deprived)."""
    p, quintile = expected_uptake(world, intervention)
    return np.array([p[quintile == q].mean() if np.any(quintile == q) else np.nan for q in range(5)])


def uptake_ratio(world: World, intervention: Intervention, published: PublishedUptake = PUBLISHED_UPTAKE) -> float:
    """Expected uptake in the published 'most deprived' quintiles over that in the rest, among the eligible."""
    p, quintile = expected_uptake(world, intervention)
    most = np.isin(quintile + 1, published.most_deprived_quintiles)
    return float(p[most].mean() / p[~most].mean())


def fit_deprivation_weight(world: World, intervention: Intervention, target_ratio: float = PUBLISHED_UPTAKE.ratio,
                           low: float = -3.0, high: float = 5.0, tolerance: float = 1e-4) -> float:
    """The ``uptake.deprivation`` weight at which ``intervention`` (other settings as given) has
    ``uptake_ratio`` equal to ``target_ratio`` on ``world``, by bisection (the ratio falls as the weight
    rises).  May be negative: then the individual barriers alone make the gradient steeper than the target."""
    from pathways_sim.interventions.base import InterventionConfig

    def ratio(weight: float) -> float:
        config: InterventionConfig = intervention.config
        # model_construct: a trial weight may lie outside the declared bounds (a negative one says the
        # individual barriers overshoot); the copy is only used here.
        uptake = Uptake.model_construct(**{**config.uptake.model_dump(), "deprivation": weight})
        trial = type(intervention)(config.model_copy(update={"uptake": uptake}))
        trial.bind(world)
        return uptake_ratio(world, trial)

    for _ in range(100):
        middle = (low + high) / 2
        if ratio(middle) > target_ratio:
            low = middle
        else:
            high = middle
        if high - low < tolerance:
            break
    return (low + high) / 2


# ---------------------------------------------------------------------------------------------- dose-response
# k of the saturating dose-response.  Howard et al. 1986 (Am Psychol 41:159; probit over 15 samples, 2,400
# patients): about 50% of patients measurably improved by 8 sessions, 75% by 26 and (in the same curve, as
# usually cited) about 85% by 52.  Taking the standard programme (dose 1) as 6 months of weekly sessions
# (~26), going from 26 to 52 sessions (dose 1 -> 2) raises the share improved by 85/75 = 1.13, which
# (1 - exp(-2k)) / (1 - exp(-k)) = 1 + exp(-k) gives at k = 2.0; going from 8 to 26 sessions
# (50% -> 75%) gives k = 3.4.  Default: 2.0, the arm above dose 1 where proportionate doses lie.  Plausible
# 1.0-3.5: aggregate dose-response curves may flatten partly because people stop when they are well enough
# (Barkham et al. 2006, the good-enough level; Robinson, Delgadillo & Kellett 2020, Psychother Res 30:79,
# systematic review of 26 routine-practice studies: mixed support for a negatively accelerating curve),
# so the curve may be less saturating than Howard's.
DOSE_SATURATION = 2.0
DOSE_SATURATION_PLAUSIBLE = (1.0, 3.5)


def dose_effect(dose: np.ndarray, saturation: float) -> np.ndarray:
    """Effect of each ``dose`` relative to the standard programme's (dose 1): ``(1 - exp(-k d)) / (1 - exp(-k))``,
    concave, 0 at dose 0 and exactly 1 at dose 1; linear (the dose itself) when ``saturation`` k is 0."""
    dose = np.asarray(dose)
    if saturation <= 0:
        return dose
    return (np.expm1(-saturation * dose.astype(np.float64)) / np.expm1(-saturation)).astype(dose.dtype)
