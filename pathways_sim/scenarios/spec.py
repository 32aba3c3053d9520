"""The scenario file format as pydantic models: the keys each section allows, their types, bounds, defaults
and descriptions.  The loader checks keys and simple values against these models and the JSON Schema
(``pathways_sim/data/scenario.schema.json``, for editors) is generated from them, so the two cannot drift.

Parameters and interventions are declared elsewhere and only *described* here: ``parameters`` gets one
property per declared parameter (from ``pathways_sim.PARAMETERS``) and ``interventions`` is the union of the
intervention configs (``pathways_sim.interventions.AnyInterventionConfig``).  Their values are validated by
``pathways_sim.Parameters`` and ``pathways_sim.interventions.parse_intervention`` themselves.

Regenerate the schema file after changing a declaration:  ``python -m pathways_sim.scenarios``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, create_model

from pathways_sim.declarations.declare import Param
from pathways_sim.interventions import AnyInterventionConfig
from pathways_sim.mechanisms.parameters import PARAMETERS
from pathways_sim.mechanisms.registry import LOOPS, PATHWAYS

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "data" / "scenario.schema.json"
DEFAULT_SEED = 2025  # as the command line's default

# Parameters that have their own place in the file (population.size, not parameters.population_size).
STRUCTURAL: dict[str, tuple[str, str]] = {
    "population_size": ("population", "size"),
    "people_per_area": ("population", "people_per_area"),
    "start_year": ("time", "start_year"),
    "step_months": ("time", "step_months"),
    "burn_in_years": ("time", "burn_in_years"),
}
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"  # names become file and directory names of results
Name = Annotated[str, StringConstraints(pattern=NAME_PATTERN, max_length=100)]
PathwayName = Literal[(*PATHWAYS, *LOOPS)]  # type: ignore[valid-type]  # a loop's name cuts its feedback link


def describe(param: Param) -> str:
    """A parameter's description for the schema: meaning, unit, allowed and plausible range, source."""
    lo, hi = param.bounds
    plo, phi = param.plausible
    allowed = f"{lo:g} to {hi:g}" if math.isfinite(hi) else f"{lo:g} or more"
    return (f"{param.doc} Unit: {param.unit}. Allowed {allowed}; plausible {plo:g} to {phi:g}. "
            f"Source: {param.source}.")


def _param_field(name: str) -> Any:
    param = PARAMETERS[name]
    lo, hi = param.bounds
    # JSON has no infinity: an unbounded side simply has no limit in the schema.
    return Field(param.default, ge=lo if math.isfinite(lo) else None, le=hi if math.isfinite(hi) else None,
                 description=describe(param))


class Section(BaseModel):
    # strict: a quoted "5" is not a number and 1 is not true; extra keys are errors, never ignored.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# Field definitions as create_model takes them, (type, FieldInfo); typed Any, as create_model's other keyword
# arguments (__base__, __module__, ...) are typed apart from the fields.
_PARAMETER_FIELDS: dict[str, Any] = {name: (int if p.integer else float, _param_field(name))
                                     for name, p in PARAMETERS.items() if name not in STRUCTURAL}
ParametersSpec: type[BaseModel] = create_model(
    "ParametersSpec",
    __config__=ConfigDict(extra="forbid", frozen=True, strict=True,
                          title="Parameters",
                          json_schema_extra={"description": "Any declared parameter of pathways_sim by name "
                                             "(see pathways_sim.PARAMETERS); unset ones keep their default."}),
    **_PARAMETER_FIELDS,
)


class PopulationSpec(Section):
    """The synthetic population."""

    size: int = _param_field("population_size")
    people_per_area: int = _param_field("people_per_area")


class TimeSpec(Section):
    """Calendar and length of each run."""

    start_year: int = _param_field("start_year")
    years: int = Field(20, ge=1, le=1000, description="Years to simulate in each run.")
    step_months: int = _param_field("step_months")
    burn_in_years: int = _param_field("burn_in_years")


class OutputsSpec(Section):
    """What a run writes besides the tidy results table and the resolved configuration."""

    plots: bool = Field(True, description="Write plots of the outcomes by deprivation group over time.")
    report: bool = Field(True, description="Write a report of the health-gap tables.")


class ArmSpec(Section):
    """Overrides for one arm, deep-merged over the shared part of the file (lists replace)."""

    parameters: ParametersSpec = Field(default_factory=ParametersSpec,
                                       description="Parameter values for this arm.")
    pathways_off: list[PathwayName] = Field(default_factory=list, description="Pathways switched off in this arm.")
    interventions: list[AnyInterventionConfig] = Field(default_factory=list,
                                                       description="The interventions of this arm.")


class ScenarioSpec(Section):
    """A pathways_sim scenario: what to simulate, with which parameters, pathways and interventions."""

    model_config = ConfigDict(title="pathways_sim scenario")

    extends: str | None = Field(None, description="Another scenario file to inherit from: a path relative to this "
                                "one, or the bare name of a shipped scenario (e.g. baseline); this file's values "
                                "are deep-merged over it (lists replace). The name is not inherited.")
    name: Name | None = Field(None, description="Name of the scenario (default: the file name without .yaml).")
    seed: int = Field(DEFAULT_SEED, ge=0, description="Seed of the first replicate; every arm uses the same "
                      "seeds (common random numbers).")
    replicates: int = Field(1, ge=1, le=1000, description="Runs with different seeds, per arm.")
    population: PopulationSpec = Field(default_factory=PopulationSpec)
    time: TimeSpec = Field(default_factory=TimeSpec)
    parameters: ParametersSpec = Field(default_factory=ParametersSpec,
                                       description="Parameter values by name (see pathways_sim.PARAMETERS).")
    pathways_off: list[PathwayName] = Field(default_factory=list,
                                            description="Pathways to switch off (see pathways_sim.PATHWAYS), or loops "
                                            "by name (pathways_sim.LOOPS: cuts the loop's feedback link).")
    interventions: list[AnyInterventionConfig] = Field(default_factory=list,
                                                       description="Interventions, each chosen by its kind.")
    outputs: OutputsSpec = Field(default_factory=OutputsSpec)
    arms: dict[Name, ArmSpec | None] = Field(default_factory=dict,
                                             description="Several arms run together with the same seeds; each is "
                                             "deep-merged over everything else in the file.")
    base: Name | None = Field(None, description="The arm every other arm is compared with, by name (default: the "
                              "first arm).")


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file, for editors and validators."""
    schema = ScenarioSpec.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def schema_text() -> str:
    """The schema as written to ``SCHEMA_FILE`` (stable: a test compares the committed file with it)."""
    return json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"


def write_json_schema(path: Path = SCHEMA_FILE) -> Path:
    """Write the schema (by default to the file shipped with the package) and return its path."""
    path.write_text(schema_text(), encoding="utf-8")
    return path
