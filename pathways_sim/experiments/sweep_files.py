"""Sweep files: a parameter sweep written as YAML, checked like a scenario (every problem at once, each at its
file:line:column), then run by ``pathways-sim sweep``.

::

    # sweeps/coverage_by_budget.yaml
    base: proportionate_universalism   # a scenario file (relative to this file) or a shipped scenario's name
    arm: proportionate                 # which arm of a scenario with several (default: its only one)
    set: ["population.size=5000"]      # overrides of the base scenario, as --set on the command line
    years: 10                          # default: the scenario's
    replicates: 3                      # default 1; replicate r has the same seed at every point
    seed: 2025                         # default: the scenario's
    design:
      method: grid                     # grid, latin_hypercube, sobol or morris
      parameters:                      # grid: values for each; a parameter or <intervention>.<field>
        peer_support.budget: [50000, 150000, 300000]
        peer_support.targeting.gradient: [1, 2, 4]
    keep:                              # which rows to keep (default: the inequality summaries and levels)
      metrics: [healthy_life_expectancy_gap, cmd_prevalence_sii]
      group_types: [all, area_deprivation_quintile]

A sampled design lists parameter names, sampled over their declared plausible ranges::

    design: {method: sobol, parameters: [mean_degree, stress_cmd_strength], n: 64, seed: 1}

``n``: points of a Latin hypercube, or Sobol's base sample (``n * (2d + 2)`` points; a power of 2);
``trajectories`` (and ``levels``, default 4) for Morris; ``second_order`` (default true) for Sobol.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pathways_sim.declarations.declare import ParameterError, unknown_name_message
from pathways_sim.experiments import designs
from pathways_sim.experiments.sweeps import check_sweep
from pathways_sim.scenarios import Scenario, ScenarioError, ScenarioProblem, load_scenario
from pathways_sim.scenarios.source import Located, format_path, read_yaml

__all__ = ["SweepPlan", "load_sweep"]

METHODS = ("grid", "latin_hypercube", "sobol", "morris")
MAX_REPLICATES = 1000
MAX_POINTS = 100_000  # a design this large is a mistake in a file, not a plan
Scalar = bool | int | float | str | None


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _Design(_Section):
    method: Literal["grid", "latin_hypercube", "sobol", "morris"]
    parameters: dict[str, list[Scalar]] | list[str]
    n: Annotated[int, Field(ge=1, le=MAX_POINTS)] | None = None
    trajectories: Annotated[int, Field(ge=1, le=MAX_POINTS)] | None = None
    levels: Annotated[int, Field(ge=2, le=100)] = 4
    second_order: bool = True
    seed: Annotated[int, Field(ge=0)] | None = None


class _Keep(_Section):
    metrics: list[str] | Literal["*"] | None = None
    group_types: list[str] | Literal["*"] | None = None


class _Sweep(_Section):
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=100)] | None = None
    base: str
    arm: str | None = None
    set: list[str] = Field(default_factory=list)
    years: Annotated[int, Field(ge=1, le=500)] | None = None
    replicates: Annotated[int, Field(ge=1, le=MAX_REPLICATES)] = 1
    seed: Annotated[int, Field(ge=0)] | None = None
    design: _Design
    keep: _Keep = Field(default_factory=_Keep)


@dataclass(frozen=True)
class SweepPlan:
    """A checked sweep file: what ``sweep()`` takes."""

    name: str
    source: Path
    base: Scenario
    arm: str | None
    design: pd.DataFrame
    replicates: int
    years: int
    seed: int
    metrics: list[str] | str | None
    group_types: list[str] | str | None

    def sweep_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of ``sweep()`` besides the executor, store and progress."""
        return {"replicates": self.replicates, "years": self.years, "seed": self.seed, "metrics": self.metrics,
                "group_types": self.group_types, "arm": self.arm}

    @property
    def runs(self) -> int:
        return len(self.design) * self.replicates


def load_sweep(path: str | Path) -> SweepPlan:
    """Read and check a sweep file; ``ScenarioError`` listing every problem at its file:line:column (the
    base scenario's own problems at theirs)."""
    problems: list[ScenarioProblem] = []
    file = Path(path)
    doc = read_yaml(file, str(path), problems)
    if doc is None:
        raise ScenarioError(problems)
    report = _reporter(doc, problems)
    spec = _frame(doc, report)
    if spec is None:
        design_spec = _part(_Design, doc.data.get("design"))
        if design_spec is not None:  # the rest of the file is wrong: still say what is wrong in the design
            _design(design_spec, doc, report)
        raise ScenarioError(problems)
    base = _base(spec, doc, file, problems, report)
    design = _design(spec.design, doc, report)
    if base is not None and design is None and isinstance(spec.design.parameters, dict):
        fields = {k: v for k, v in spec.design.parameters.items() if designs.is_intervention_field(k)}
        if fields:  # the parameters' values were wrong: still check the interventions' settings
            _check_against(base, designs.grid(fields), spec, report)
    if base is None or design is None or problems:
        raise ScenarioError(problems)
    if spec.arm is None and len(base.arms) > 1:
        report(("base",), f"{base.name} has arms {', '.join(base.arms)}: name one with arm:")
        raise ScenarioError(problems)
    if not _check_against(base, design, spec, report):
        raise ScenarioError(problems)
    years = spec.years if spec.years is not None else base.years
    seed = spec.seed if spec.seed is not None else base.seed
    return SweepPlan(spec.name or file.stem, file, base, spec.arm, design, spec.replicates, years, seed,
                     spec.keep.metrics, spec.keep.group_types)


def _check_against(base: Scenario, design: pd.DataFrame, spec: _Sweep, report: Callable[..., None]) -> bool:
    """Every point checked as the sweep will run it (intervention settings against the base's
    interventions); ``False`` after reporting."""
    try:
        check_sweep(base, design, spec.arm)
    except ParameterError as error:
        _report_design(error, spec.design, report)
        return False
    return True


def _reporter(doc: Located, problems: list[ScenarioProblem]) -> Callable[..., None]:
    def report(path: tuple[Any, ...], message: str, *, key: bool = False) -> None:
        _, pos = doc.anchor(path, key=key)
        problems.append(pos.problem(format_path(path), message))
    return report


def _part[M: BaseModel](model: type[M], data: Any) -> M | None:
    try:
        return model.model_validate(data)
    except ValidationError:
        return None


def _frame(doc: Located, report: Callable[..., None]) -> _Sweep | None:
    try:
        return _Sweep.model_validate(doc.data)
    except ValidationError as error:
        said: dict[tuple[Any, ...], list[str]] = {}  # a union's alternatives, said once as "a or b"
        for item in error.errors():
            loc = tuple(part for part in item["loc"] if not (isinstance(part, str) and part.startswith(
                ("list[", "dict[", "literal[", "int", "constrained-int", "function-"))))
            if item["type"] == "extra_forbidden":
                sections: dict[tuple[Any, ...], type[BaseModel]] = {(): _Sweep, ("design",): _Design,
                                                                    ("keep",): _Keep}
                model = sections.get(loc[:-1], _Sweep)
                report(loc, unknown_name_message(str(loc[-1]), list(model.model_fields), "key"), key=True)
            elif item["type"] == "missing":
                report(loc, "missing (required)", key=True)
            else:
                said.setdefault(loc, []).append(item["msg"].removeprefix("Input should be "))
                got = "" if isinstance(item["input"], dict | list) else f" (got {str(item['input'])[:60]})"
                said[loc][-1] += got if len(said[loc]) == 1 else ""
        for loc, messages in said.items():
            got = messages[0][messages[0].rfind(" (got "):] if " (got " in messages[0] else ""
            text = " or ".join(dict.fromkeys([messages[0].removesuffix(got), *messages[1:]]))
            report(loc, f"should be {text}{got}")
        return None


def _base(spec: _Sweep, doc: Located, file: Path, problems: list[ScenarioProblem],
          report: Callable[..., None]) -> Scenario | None:
    """The base scenario: a file relative to the sweep file, else a shipped scenario's name."""
    relative = file.parent / spec.base
    target = str(relative) if relative.is_file() else spec.base
    try:
        base = load_scenario(target, spec.set)
    except ScenarioError as error:
        if not Path(target).exists() and all(p.line is None for p in error.errors):
            report(("base",), "; ".join(p.message for p in error.errors))
        else:
            problems.extend(error.errors)
        return None
    if spec.arm is not None and spec.arm not in base.arms:
        report(("arm",), unknown_name_message(spec.arm, list(base.arms), f"arm of {base.name}"))
        return None
    return base


def _design(spec: _Design, doc: Located, report: Callable[..., None]) -> pd.DataFrame | None:
    where = ("design", "parameters")
    if not _shape_ok(spec, report):
        return None
    try:
        design = _build(spec)
    except ParameterError as error:
        _report_design(error, spec, report)
        return None
    if len(design) > MAX_POINTS:
        report(where, f"the design has {len(design):,} points; at most {MAX_POINTS:,}")
        return None
    return design


def _shape_ok(spec: _Design, report: Callable[..., None]) -> bool:
    """Values for a grid, names for a sampled design, and the sizes and options its method takes."""
    where = ("design", "parameters")
    sampled = spec.method != "grid"
    if sampled and isinstance(spec.parameters, dict):
        report(where, f"a {spec.method} design lists parameter names (sampled over their plausible ranges), "
                      "not values")
        return False
    if not sampled and isinstance(spec.parameters, list):
        report(where, "a grid gives the values of each parameter: name: [value, value, ...]")
        return False
    size_name = {"latin_hypercube": "n", "sobol": "n", "morris": "trajectories"}.get(spec.method)
    used = {"sobol": {"second_order"}, "morris": {"levels"}}.get(spec.method, set())
    for name in sorted({"levels", "second_order"} - used & spec.model_fields_set):
        report(("design", name), f"not used by a {spec.method} design", key=True)
    for name in ("n", "trajectories"):
        if getattr(spec, name) is not None and name != size_name:
            report(("design", name), f"not used by a {spec.method} design"
                   + (f" (it takes {size_name})" if size_name else ""), key=True)
            return False
    if size_name and getattr(spec, size_name) is None:
        report(("design",), f"a {spec.method} design needs {size_name}")
        return False
    return True


def _report_design(error: ParameterError, spec: _Design, report: Callable[..., None]) -> None:
    """Each problem at the parameter it names (its name in a list, its values in a grid), else the design."""
    where = ("design", "parameters")
    names = list(spec.parameters)
    said = set()
    for name, text in error.problems:
        message = re.sub(r"^at point \d+: ", "", text)  # a file's reader sees values, not point numbers
        if (name, message) in said:
            continue
        said.add((name, message))
        if name in names:  # an unknown name at the name, a bad value at the values
            report((*where, names.index(name)) if isinstance(spec.parameters, list) else (*where, name), message,
                   key=message.startswith("unknown"))
        elif name in _Design.model_fields:
            report(("design", name), message)
        else:
            report(where, f"{name}: {message}")


def _build(spec: _Design) -> pd.DataFrame:
    names = list(spec.parameters)
    if spec.method == "grid":
        assert isinstance(spec.parameters, dict)
        return designs.grid(spec.parameters)
    if spec.method == "latin_hypercube":
        return designs.latin_hypercube(names, spec.n or 0, seed=spec.seed)
    if spec.method == "sobol":
        power = spec.n is not None and math.log2(spec.n).is_integer()
        design = designs.sobol_design(names, spec.n if power and spec.n else 1, seed=spec.seed,
                                      second_order=spec.second_order)  # names checked whatever n is
        if not power:
            raise ParameterError([("n", f"Sobol's base sample must be a power of 2 (got {spec.n})")])
        return design
    return designs.morris_design(names, spec.trajectories or 0, seed=spec.seed, levels=spec.levels)
