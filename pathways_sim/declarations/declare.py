"""The declaration types shared by parameters and pathways, and the error raised for bad values."""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Param:
    """Declaration of one parameter."""

    name: str
    default: float
    unit: str
    bounds: tuple[float, float]
    plausible: tuple[float, float]
    source: str
    doc: str
    integer: bool = False
    group: str = ""


class ParameterError(ValueError):
    """One or more parameters are invalid; ``problems`` lists each as (name, message)."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{name}: {msg}" for name, msg in problems))


def unknown_name_message(name: str, known: list[str] | tuple[str, ...], what: str) -> str:
    close = difflib.get_close_matches(name, known, n=3)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return f"unknown {what} {name!r}.{hint} Allowed: {', '.join(sorted(known))}"


def check_value(param: Param, value: Any) -> tuple[float | int | None, str | None]:
    """Validate one value against its declaration; return (value, None) or (None, message)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None, f"must be a number, got {value!r} ({type(value).__name__})"
    if param.integer:
        if isinstance(value, float) and not value.is_integer():
            return None, f"must be a whole number, got {value!r}"
        value = int(value)
    else:
        value = float(value)
    if math.isnan(value):
        return None, "must be a number, got NaN"
    lo, hi = param.bounds
    if not lo <= value <= hi:
        return None, f"must be between {lo:g} and {hi:g} ({param.unit}), got {value!r}"
    return value, None


