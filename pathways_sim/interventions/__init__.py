"""Interventions: components that act on the model's mechanisms, never on its outcomes.

``INTERVENTIONS`` maps each ``kind`` (as written in a scenario) to its class; ``make_interventions``
validates a list of specifications (mappings or config objects) and builds them, reporting every problem
with the field it concerns (``interventions[0].coverage: ...``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any

from pydantic import Field, TypeAdapter, ValidationError

from pathways_sim.declarations.declare import ParameterError, shorten, unknown_name_message
from pathways_sim.interventions.base import (
    Intervention,
    InterventionConfig,
    RuleBasedIntervention,
    Targeting,
)
from pathways_sim.interventions.community_empowerment import CommunityEmpowerment, CommunityEmpowermentConfig
from pathways_sim.interventions.community_wealth_building import (
    CommunityWealthBuilding,
    CommunityWealthBuildingConfig,
)
from pathways_sim.interventions.early_years import EarlyYears, EarlyYearsConfig
from pathways_sim.interventions.income_support import (
    ChildBenefitUplift,
    ChildBenefitUpliftConfig,
    HousingSecurity,
    HousingSecurityConfig,
    MinimumIncomeFloor,
    MinimumIncomeFloorConfig,
)
from pathways_sim.interventions.peer_support import PeerSupport, PeerSupportConfig
from pathways_sim.interventions.social_prescribing import SocialPrescribing, SocialPrescribingConfig
from pathways_sim.interventions.stigma_reduction import StigmaReduction, StigmaReductionConfig
from pathways_sim.interventions.trauma_informed_care import TraumaInformedCare, TraumaInformedCareConfig
from pathways_sim.interventions.uptake import Uptake

INTERVENTIONS: dict[str, type[Intervention]] = {cls.kind: cls for cls in (
    PeerSupport, SocialPrescribing, EarlyYears, CommunityWealthBuilding, StigmaReduction, TraumaInformedCare,
    ChildBenefitUplift, MinimumIncomeFloor, HousingSecurity, CommunityEmpowerment)}

# One validated type for any intervention, chosen by its ``kind`` (used for scenario files and JSON Schema):
# the Config of each class in INTERVENTIONS (a test checks the two lists agree).
AnyInterventionConfig = Annotated[
    PeerSupportConfig | SocialPrescribingConfig | EarlyYearsConfig | CommunityWealthBuildingConfig
    | StigmaReductionConfig | TraumaInformedCareConfig | ChildBenefitUpliftConfig | MinimumIncomeFloorConfig
    | HousingSecurityConfig | CommunityEmpowermentConfig,
    Field(discriminator="kind")]
_ADAPTER = TypeAdapter(AnyInterventionConfig)


def validation_problems(error: ValidationError, prefix: str) -> list[tuple[str, str]]:
    """Pydantic errors as (dotted.path, message (got value)) pairs."""
    problems = []
    for item in error.errors():
        path = prefix + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown field"
        got = item.get("input")
        if item["type"] != "missing" and not isinstance(got, dict):
            message += f" (got {shorten(got)})"
        problems.append((path, message))
    return problems


def parse_intervention(spec: Mapping[str, Any] | InterventionConfig, where: str = "intervention") -> InterventionConfig:
    """Validate one specification; raise ParameterError naming each bad field."""
    if isinstance(spec, InterventionConfig):
        return spec
    if not isinstance(spec, Mapping):
        raise ParameterError([(where, f"must be a mapping with a 'kind', got {shorten(spec)}")])
    kind = spec.get("kind")
    if kind is None:
        raise ParameterError([(f"{where}.kind", "missing 'kind'; allowed: " + ", ".join(sorted(INTERVENTIONS)))])
    if not isinstance(kind, str):  # a list or a mapping is not even hashable
        message = (f"must be the name of an intervention kind, got {shorten(kind)}; allowed: "
                   f"{', '.join(sorted(INTERVENTIONS))}")
        raise ParameterError([(f"{where}.kind", message)])
    if kind not in INTERVENTIONS:
        raise ParameterError([(f"{where}.kind", unknown_name_message(kind, list(INTERVENTIONS),
                                                                     "intervention kind"))])
    try:
        return _ADAPTER.validate_python(dict(spec))
    except ValidationError as err:
        problems = validation_problems(err, where)
        # The discriminated union puts the kind in the path; drop it for readability.
        raise ParameterError([(p.replace(f".{kind}", "", 1), m) for p, m in problems]) from None


def make_interventions(specs: Iterable[Mapping[str, Any] | InterventionConfig]) -> tuple[Intervention, ...]:
    """Build interventions from specifications, reporting every problem at once."""
    configs, problems = [], []
    for i, spec in enumerate(specs):
        try:
            configs.append(parse_intervention(spec, f"interventions[{i}]"))
        except ParameterError as err:
            problems.extend(err.problems)
    labels = [c.label for c in configs]
    for i, label in enumerate(labels):
        if labels.index(label) != i:
            problems.append((f"interventions[{i}].name", (f"{shorten(label)} is used twice; give each a distinct name "
                             "(the name keys its random streams and results)")))
    if problems:
        raise ParameterError(problems)
    built = [INTERVENTIONS[c.kind](c) for c in configs]
    # Enabling levers (stigma reduction, trauma-informed care) act first, so offers in the same step see them.
    return tuple(sorted(built, key=lambda iv: not iv.enabling))


__all__ = ["INTERVENTIONS", "AnyInterventionConfig", "Intervention", "InterventionConfig", "RuleBasedIntervention",
           "Targeting", "Uptake", "make_interventions", "parse_intervention"]
