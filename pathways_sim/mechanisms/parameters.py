"""Every model parameter, declared once as data (each beside the mechanism that uses it, or in
``declarations.parameters`` when it belongs to none): name, default, unit, allowed bounds, plausible range, source.

The parameter table in the docs, validation, and (later) scenario files and sensitivity analysis all read
this registry, so a parameter cannot be documented one way and behave another.  ``bounds`` are hard limits
(a value outside them is an error); ``plausible`` is the range a sensitivity analysis should explore.
Where no published figure exists the source says "assumption" and the value is a calibration starting point.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pathways_sim.declarations.declare import Param, ParameterError, check_value, unknown_name_message
from pathways_sim.declarations.parameters import SHARED_PARAMETERS, STRUCTURAL_PARAMETERS  # noqa: F401 - re-exported
from pathways_sim.mechanisms.exposures import PARAMETERS as EXPOSURE_PARAMETERS
from pathways_sim.mechanisms.registry import MECHANISMS, PATHWAYS

_DECLARED: list[Param] = [
    *SHARED_PARAMETERS,
    *EXPOSURE_PARAMETERS,
    *(param for mechanism in MECHANISMS.values() for param in mechanism.parameters),
    *(pw.strength for pw in PATHWAYS.values()),
    *(extra for pw in PATHWAYS.values() for extra in pw.modifiers),
]

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
        if checked is None:  # refused: msg says why
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
            if checked is None:  # refused: msg says why
                problems.append((name, str(msg)))
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
