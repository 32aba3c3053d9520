"""Validation of a merged scenario document, collecting every problem with its position.

Each part is checked by the code that owns it, so a scenario file accepts exactly what the Python API does:
keys and simple values by the format models (``spec.py``), parameters by ``pathways_sim.Parameters``,
pathways by the ``PATHWAYS`` registry, interventions by ``pathways_sim.interventions.parse_intervention``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from pathways_sim.declarations.declare import ParameterError, unknown_name_message
from pathways_sim.interventions import (
    INTERVENTIONS,
    InterventionConfig,
    make_interventions,
    parse_intervention,
)
from pathways_sim.mechanisms.parameters import Parameters
from pathways_sim.mechanisms.registry import LOOPS, PATHWAYS
from pathways_sim.scenarios.errors import ScenarioProblem, shorten
from pathways_sim.scenarios.source import KeyPath, Located, parse_path
from pathways_sim.scenarios.spec import (
    STRUCTURAL,
    ArmSpec,
    OutputsSpec,
    PopulationSpec,
    ScenarioSpec,
    TimeSpec,
)

# The parts each arm may override; everything else (seed, population, time) is shared so that arms differ
# only in what they are meant to compare.
ARM_PARTS = tuple(ArmSpec.model_fields)
_NAME_RULE = "must be letters, digits, '_', '.' or '-', starting with a letter or digit"
_SECTIONS: dict[KeyPath, type[BaseModel]] = {(): ScenarioSpec, ("population",): PopulationSpec,
                                             ("time",): TimeSpec, ("outputs",): OutputsSpec}


@dataclass(frozen=True)
class Setup:
    """The validated parts that make one arm's model."""

    parameters: Parameters
    pathways_off: tuple[str, ...]
    interventions: tuple[InterventionConfig, ...]


@dataclass
class Reporter:
    """Records problems at the position of the value concerned.  In an arm's document (the shared part with
    the arm's overrides merged over it) a value the arm wrote is reported under ``arms.<name>.``."""

    doc: Located
    problems: list[ScenarioProblem]
    arm: str | None = None
    arm_paths: frozenset[KeyPath] = frozenset()

    def __call__(self, path: KeyPath, message: str, *, key: bool = False) -> None:
        anchor, pos = self.doc.anchor(path, key=key)
        if self.arm is not None and anchor in self.arm_paths:
            path = ("arms", self.arm, *path)
        self.problems.append(pos.problem(path, message))


def _got(value: Any) -> str:
    return f"(got {shorten(value)})"


# --------------------------------------------------------------------------------------------- the frame
def check_frame(doc: Located, problems: list[ScenarioProblem]) -> ScenarioSpec | None:
    """Keys everywhere and the simple values (name, seed, replicates, time.years, outputs, arm names)."""
    report = Reporter(doc, problems)
    try:
        return ScenarioSpec.model_validate(_frame(doc.data))
    except ValidationError as err:
        for item in err.errors():
            loc = tuple(item["loc"])
            kind, got = item["type"], _got(item["input"])
            if loc and loc[-1] == "[key]":  # a bad arm name: point at the name
                report(loc[:-1], f"an arm's name {_NAME_RULE} {got}", key=True)
            elif kind == "extra_forbidden":
                parent = loc[:-1]
                model = ArmSpec if len(parent) == 2 and parent[0] == "arms" else _SECTIONS[parent]
                report(loc, unknown_name_message(str(loc[-1]), list(model.model_fields), "key"), key=True)
            elif kind == "string_pattern_mismatch":
                report(loc, f"{_NAME_RULE} {got}")
            elif kind in ("model_type", "dict_type"):
                report(loc, f"must be a mapping of keys to values {got}")
            else:
                report(loc, f"{item['msg']} {got}")
        return None


def _frame(data: dict[str, Any]) -> dict[str, Any]:
    """The document without the values that their owners validate (see ``check_setup``)."""
    out = {k: v for k, v in data.items() if k not in ARM_PARTS}
    for section, key in STRUCTURAL.values():
        if isinstance(out.get(section), dict):
            out[section] = {k: v for k, v in out[section].items() if k != key}
    if isinstance(out.get("arms"), dict):
        out["arms"] = {arm: ({k: v for k, v in spec.items() if k not in ARM_PARTS} if isinstance(spec, dict)
                             else spec) for arm, spec in out["arms"].items()}
    return out


# --------------------------------------------------------------------------------------------- one arm's model
def check_setup(doc: Located, report: Reporter) -> Setup | None:
    """Parameters, pathways switched off and interventions of one arm, or ``None`` after reporting."""
    parameters = _check_parameters(doc.data, report)
    pathways = _check_pathways(doc.data.get("pathways_off"), report)
    interventions = _check_interventions(doc.data.get("interventions"), report)
    if parameters is None or pathways is None or interventions is None:
        return None
    return Setup(parameters, pathways, interventions)


def _check_parameters(data: dict[str, Any], report: Reporter) -> Parameters | None:
    given: dict[str, Any] = {}
    for name, (section_name, key) in STRUCTURAL.items():
        if isinstance(data.get(section_name), dict) and key in data[section_name]:
            given[name] = data[section_name][key]
    section = data.get("parameters")
    if section is None:
        section = {}
    if not isinstance(section, dict):
        report(("parameters",), f"must be a mapping of parameter names to values {_got(section)}")
        section = {}
    ok = True
    for name, value in section.items():
        if name in STRUCTURAL:
            ok = False
            report(("parameters", name), f"set it as {'.'.join(STRUCTURAL[name])}, not under parameters",
                   key=True)
        else:
            given[str(name)] = value
    try:
        params = Parameters(given)
    except ParameterError as err:
        for name, message in err.problems:
            path = STRUCTURAL.get(name, ("parameters", name))
            report(path, message, key=message.startswith("unknown parameter"))
        return None
    return params if ok else None


def _check_pathways(names: Any, report: Reporter) -> tuple[str, ...] | None:
    if names is None:
        return ()
    if not isinstance(names, list):
        report(("pathways_off",), f"must be a list of pathway names, e.g. [loneliness_withdrawal] {_got(names)}")
        return None
    ok = True
    for i, name in enumerate(names):
        if not isinstance(name, str):
            ok = False
            report(("pathways_off", i), f"must be a pathway name {_got(name)}")
        elif name not in PATHWAYS and name not in LOOPS:
            ok = False
            report(("pathways_off", i), unknown_name_message(name, [*PATHWAYS, *LOOPS], "pathway or loop"))
    # Sorted and without repeats: the order of names does not change what is switched off.
    return tuple(sorted(set(names))) if ok else None


def _check_interventions(specs: Any, report: Reporter) -> tuple[InterventionConfig, ...] | None:
    if specs is None:
        return ()
    if not isinstance(specs, list):
        report(("interventions",), f"must be a list of interventions, each with a kind {_got(specs)}")
        return None
    configs: list[InterventionConfig] = []
    for i, spec in enumerate(specs):
        try:
            configs.append(parse_intervention(spec, f"interventions[{i}]"))
        except ParameterError as err:
            _report_intervention(spec, err, i, report)
    if len(configs) < len(specs):
        return None
    try:
        make_interventions(configs)  # what is left to check across them: distinct names
    except ParameterError as err:
        _report_intervention(None, err, None, report)
        return None
    return tuple(configs)


def _report_intervention(spec: Any, err: ParameterError, index: int | None, report: Reporter) -> None:
    for text, message in err.problems:
        path = parse_path(text) or ("interventions",) + ((index,) if index is not None else ())
        unknown = message.startswith("unknown field")
        shown = message
        if unknown and isinstance(spec, dict) and spec.get("kind") in INTERVENTIONS:
            allowed = _fields_at(INTERVENTIONS[spec["kind"]].Config, path[2:-1])
            if allowed is not None:
                shown = unknown_name_message(str(path[-1]), allowed, "field")
        report(path, shown, key=unknown)


def _fields_at(model: type[BaseModel], inner: KeyPath) -> list[str] | None:
    """The field names allowed at ``inner`` (a path of nested sections, e.g. ``("targeting",)``)."""
    for part in inner:
        field = model.model_fields.get(str(part))
        if field is None or not (isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)):
            return None
        model = field.annotation
    return list(model.model_fields)
