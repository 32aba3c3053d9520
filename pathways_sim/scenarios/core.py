"""``Scenario``: a scenario file loaded, layered, validated once and frozen; and the functions that load one."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pathways_sim.declarations.declare import unknown_name_message
from pathways_sim.interventions import InterventionConfig
from pathways_sim.mechanisms.parameters import PARAMETERS, Parameters
from pathways_sim.scenarios.check import Reporter, Setup, check_frame, check_setup
from pathways_sim.scenarios.errors import SET_SOURCE, ScenarioError, ScenarioProblem
from pathways_sim.scenarios.files import path_problem
from pathways_sim.scenarios.shipped import (
    SHIPPED_DIR,
    bare_name,
    find_shipped,
    list_shipped_scenarios,
    shipped_names,
    shipped_scenario,
)
from pathways_sim.scenarios.source import Located, Pos, apply_overrides, merge, read_with_extends
from pathways_sim.scenarios.spec import STRUCTURAL, OutputsSpec


@dataclass(frozen=True)
class Scenario:
    """A validated, immutable scenario.

    ``parameters``, ``pathways_off`` and ``interventions`` are the shared part of the file (everything but
    ``arms``).  ``arms`` maps each arm's name to a ``Scenario`` of that arm (with no arms of its own); a file
    without ``arms`` has one arm named after the scenario.  Every arm shares the seed, replicates, population
    and time, so arms compared replicate by replicate see common random numbers.

    Examples
    --------
    >>> scenario = load_scenario(shipped_scenario("baseline"), ["population.size=500", "time.years=1"])
    >>> scenario.name, scenario.parameters.population_size, list(scenario.arms)
    ('baseline', 500, ['baseline'])
    >>> from pathways_sim import PathwaysModel
    >>> model = PathwaysModel(**scenario.model_kwargs(), rng=scenario.seed)
    """

    name: str
    source: Path | None
    seed: int
    replicates: int
    years: int
    parameters: Parameters
    pathways_off: tuple[str, ...]
    interventions: tuple[InterventionConfig, ...]
    outputs: OutputsSpec
    arms: Mapping[str, Scenario] = field(default_factory=lambda: MappingProxyType({}))
    base: str | None = None  # the arm the others are compared with (None: the first)

    def __hash__(self) -> int:
        return hash(self.config_hash())

    def arm(self, name: str | None = None) -> Scenario:
        """One arm; ``None`` is the only arm of a scenario that has one (or an arm itself)."""
        if name is None:
            if not self.arms:
                return self
            if len(self.arms) == 1:
                return next(iter(self.arms.values()))
            raise self._error(f"this scenario has {len(self.arms)} arms: name one of {', '.join(self.arms)}")
        if name not in self.arms:
            raise self._error(unknown_name_message(name, list(self.arms), "arm"))
        return self.arms[name]

    def model_kwargs(self, arm: str | None = None) -> dict[str, Any]:
        """Keyword arguments for ``PathwaysModel(**kwargs, rng=seed)`` of one arm (see ``arm``)."""
        chosen = self.arm(arm)
        return {"params": chosen.parameters, "pathways_off": chosen.pathways_off,
                "interventions": chosen.interventions}

    def resolved(self) -> dict[str, Any]:
        """The merged, validated configuration as plain JSON-able data, every default filled in.

        It has the shape of a scenario file: written out as YAML (or JSON) it loads back to an equal scenario.
        """
        p = self.parameters
        return {
            "name": self.name, "seed": self.seed, "replicates": self.replicates,
            "population": {"size": p["population_size"], "people_per_area": p["people_per_area"]},
            "time": {"start_year": p["start_year"], "years": self.years, "step_months": p["step_months"],
                     "burn_in_years": p["burn_in_years"]},
            **self._arm_part(),
            "outputs": self.outputs.model_dump(mode="json"),
            "arms": {name: arm._arm_part() for name, arm in self.arms.items()},
            # only when set, so that the hashes of scenarios without it are unchanged
            **({"base": self.base} if self.base is not None else {}),
        }

    def _arm_part(self) -> dict[str, Any]:
        # Non-integer parameters as floats, so 32000 and 32000.0 hash alike.
        values = {name: (int(value) if PARAMETERS[name].integer else float(value))
                  for name, value in self.parameters.items() if name not in STRUCTURAL}
        return {"parameters": values, "pathways_off": list(self.pathways_off),
                "interventions": [c.model_dump(mode="json") for c in self.interventions]}

    def config_hash(self) -> str:
        """sha256 (hex) of the canonical JSON of ``resolved()``: equal configurations, equal hashes."""
        text = json.dumps(self.resolved(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def _error(self, message: str) -> ScenarioError:
        return ScenarioError([ScenarioProblem(str(self.source or self.name), None, None, "arms", message)])


# --------------------------------------------------------------------------------------------- loading
def load_scenario(path: str | PathLike[str], overrides: Sequence[str] = ()) -> Scenario:
    """Load, layer and validate a scenario file, or a shipped scenario by its bare name (``"peer_support"``:
    no directory, no suffix but ``.yaml``, and no such file here).

    Layers, each deep-merged over the one before (mappings key by key; lists replace): the defaults, the
    chain of files named by ``extends``, this file, then ``overrides`` (``"population.size=5000"``,
    ``"interventions[0].budget=1000"``; values read as YAML).  Raises ``ScenarioError`` listing every problem
    as ``file:line:column: dotted.path: message``; never runs the model.
    """
    problems: list[ScenarioProblem] = []
    shown = str(path) if isinstance(path, str | PathLike) else repr(path)
    reason = path_problem(shown)
    if reason:
        problems.append(ScenarioProblem(shown, None, None, "", f"the path {reason}; give a scenario file or the "
                                        f"name of a shipped one ({', '.join(shipped_names())})"))
        raise ScenarioError(problems)
    file = Path(shown)
    if not file.exists() and find_shipped(shown) is not None:
        file = find_shipped(shown) or file
    elif not file.exists() and bare_name(shown) == shown:  # a name, not a file name: say what names exist
        problems.append(ScenarioProblem(shown, None, None, "", "file not found, and it is not a shipped "
                                        f"scenario: {unknown_name_message(shown, shipped_names(), 'name')}"))
        raise ScenarioError(problems)
    doc = read_with_extends(file, shown, problems)
    return _finish(doc, problems, overrides, _default_name(file.stem), _absolute(file))


def _absolute(file: Path) -> Path:
    try:
        return file.resolve()
    except (OSError, RuntimeError):  # a loop of symbolic links: the file was reported unreadable already
        return file.absolute()


def scenario_from_dict(data: Mapping[str, Any], *, name: str = "scenario", base_dir: str | PathLike[str] = ".",
                       overrides: Sequence[str] = ()) -> Scenario:
    """A scenario from data in the file format (e.g. ``resolved()`` output); ``extends`` is relative to
    ``base_dir``.  Problems are reported as in ``load_scenario``, at ``<name>`` without line numbers."""
    problems: list[ScenarioProblem] = []
    shown = f"<{name}>"
    doc = None
    if not isinstance(data, Mapping):
        problems.append(ScenarioProblem(shown, None, None, "", "a scenario must be a mapping of keys to values "
                                        f"(got {type(data).__name__})"))
    else:
        doc = Located(copy.deepcopy(dict(data)), Pos(shown))
        doc = read_with_extends(Path(base_dir) / shown, shown, problems, doc=doc)
    return _finish(doc, problems, overrides, _default_name(name), None)


def _default_name(stem: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", stem).lstrip("_.-") or "scenario"


def _finish(doc: Located | None, problems: list[ScenarioProblem], overrides: Sequence[str], default_name: str,
            source: Path | None) -> Scenario:
    if doc is not None:
        if isinstance(overrides, str):  # a lone "a=b" is one override, not a sequence of characters
            overrides = [overrides]
        apply_overrides(doc, overrides, problems)
        scenario = _build(doc, problems, default_name, source)
        if scenario is not None and not problems:
            return scenario
    raise ScenarioError(_in_order(problems))


def _build(doc: Located, problems: list[ScenarioProblem], default_name: str, source: Path | None) -> Scenario | None:
    frame = check_frame(doc, problems)
    shared = doc.copy()
    shared.data.pop("arms", None)
    shared.forget(("arms",))
    base = check_setup(shared, Reporter(shared, problems))
    arm_setups: dict[str, Setup | None] = {}
    arms = doc.data.get("arms")
    for arm_name, spec in (arms.items() if isinstance(arms, dict) else ()):
        if spec is not None and not isinstance(spec, dict):
            continue  # check_frame has reported it
        merged = shared.copy()
        overrides = doc.subtree(("arms", arm_name))
        if spec:
            merge(merged, overrides)
        paths = frozenset(overrides.keys) | frozenset(overrides.values)
        arm_setups[str(arm_name)] = check_setup(merged, Reporter(merged, problems, str(arm_name), paths))
    if frame is None or base is None or None in arm_setups.values():
        return None

    name = frame.name or default_name
    if frame.base is not None and frame.base not in (arm_setups or {name: None}):
        Reporter(doc, problems)(("base",), unknown_name_message(frame.base, list(arm_setups) or [name], "arm"))
        return None

    def make(arm_name: str, setup: Setup, arms: Mapping[str, Scenario], base_arm: str | None = None) -> Scenario:
        return Scenario(arm_name, source, frame.seed, frame.replicates, frame.time.years, setup.parameters,
                        setup.pathways_off, setup.interventions, frame.outputs, MappingProxyType(dict(arms)),
                        base_arm)

    built = {arm: make(arm, setup, {}) for arm, setup in arm_setups.items() if setup is not None}
    return make(name, base, built or {name: make(name, base, {})}, frame.base)


def _in_order(problems: list[ScenarioProblem]) -> list[ScenarioProblem]:
    """Without repeats (an arm re-checks the shared part), file by file in order found, then by position;
    command-line overrides last."""
    unique = list(dict.fromkeys(problems))
    files = [*dict.fromkeys(p.file for p in unique if p.file != SET_SOURCE), SET_SOURCE]
    return sorted(unique, key=lambda p: (files.index(p.file), p.line or 0, p.column or 0))


__all__ = ["SHIPPED_DIR", "Scenario", "list_shipped_scenarios", "load_scenario", "scenario_from_dict",
           "shipped_scenario"]
