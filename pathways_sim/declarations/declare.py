"""The declaration types shared by parameters and pathways, and the error raised for bad values."""

from __future__ import annotations

import difflib
import math
import sys
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


ECHO_CHARS = 200  # longest echo of a user's value in a message


def shorten(value: Any, limit: int = ECHO_CHARS) -> str:
    """``repr(value)`` cut to at most ``limit`` characters (the middle elided), to echo input in a message."""
    try:
        text = repr(value)
    except (RecursionError, ValueError):  # ValueError: an int with too many digits to print
        text = f"<a {type(value).__name__} too large to show>"
    if len(text) <= limit:
        return text
    half = (limit - 5) // 2
    return f"{text[:half]} ... {text[-half:]}"


def _not_a_finite_number(value: Any) -> str | None:
    """Why ``value`` is not a finite number of sensible size, or ``None`` if it is one."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"must be a number, got {shorten(value)} ({type(value).__name__})"
    if isinstance(value, int) and abs(value) > _LARGEST_FLOAT:
        return f"must be a finite number of sensible size, got an integer of {value.bit_length()} bits"
    if isinstance(value, float) and math.isnan(value):
        return "must be a number, got NaN"
    if isinstance(value, float) and math.isinf(value):
        return f"must be a finite number, got {value!r}"
    return None


def check_value(param: Param, value: Any) -> tuple[float | int | None, str | None]:
    """Validate one value against its declaration; return (value, None) or (None, message).

    Only finite numbers are values: NaN and infinities are refused even where a bound is infinite (an
    unbounded side means "no limit", not "infinity is a setting"), and an integer is checked for size before
    it is converted (a float holds at most ~1.8e308).
    """
    problem = _not_a_finite_number(value)
    if problem is not None:
        return None, problem
    if param.integer:
        if isinstance(value, float) and not value.is_integer():
            return None, f"must be a whole number, got {value!r}"
        value = int(value)
    else:
        value = float(value)
    lo, hi = param.bounds
    if not lo <= value <= hi:
        return None, f"must be between {lo:g} and {hi:g} ({param.unit}), got {shorten(value)}"
    if abs(value) > UNBOUNDED_LIMIT:  # only reachable where a side is unbounded
        return None, (f"must be at most {UNBOUNDED_LIMIT:g} ({param.unit}): larger values overflow the model's "
                      f"single-precision arithmetic; got {shorten(value)}")
    return value, None


_LARGEST_FLOAT = int(sys.float_info.max)
# The size limit of a value whose declared range is unbounded on that side (an income): far beyond any
# plausible value, far below where float32 arrays overflow (3.4e38) once multiplied.
UNBOUNDED_LIMIT = 1e12


