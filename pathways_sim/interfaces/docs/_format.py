"""Formatting shared by the generated pages: exact numbers, Markdown tables and anchors, the banner and
loop tags."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence

from pathways_sim.mechanisms.registry import Loop

REGENERATE = "python -m pathways_sim.interfaces.docs"
_BANNER = f"Generated from the declarations in `pathways_sim` by `{REGENERATE}`; do not edit by hand."

# Headings of the parameter groups declared in params.py and pathways.py.  A group added later without a
# title here still gets a section (titled from its name), so the table never silently drops parameters.
GROUP_TITLES: Mapping[str, str] = {
    "structure": "Structure and time",
    "population": "Population and circumstances",
    "network": "Social ties",
    "psychosocial": "Psychosocial states",
    "health": "Behaviour, health, work and the life course",
    "pathway": "Pathway strengths and modifiers",
}


def _number(x: float) -> str:
    """A declared number as a reader wants it: ``32,000``, ``0.0012``, ``∞``; exact, never rounded."""
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if float(x).is_integer() and abs(x) < 1e15:
        # Separators from 10,000 up only, so that years (2025) and small counts (1500) read naturally.
        return f"{int(x):,}" if abs(x) >= 10_000 else str(int(x))
    return format(float(x), ",")  # shortest repr that round-trips, so no declared digit is lost


def _range(bounds: tuple[float, float]) -> str:
    # "to", not a dash: a dash between signed numbers ("-2–2") reads as a minus.  # noqa: RUF003 - the example
    return f"{_number(bounds[0])} to {_number(bounds[1])}"


def _cell(text: str) -> str:
    """Text made safe inside a Markdown table cell (a bare | would split the cell)."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _code(name: str) -> str:
    return f"`{name}`"


def _sign(sign: int) -> str:
    return "+" if sign > 0 else "-"


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _anchor(title: str) -> str:
    """GitHub's anchor for a Markdown heading (lower case, punctuation dropped, spaces to hyphens)."""
    return re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")


def _group_title(group: str) -> str:
    return GROUP_TITLES.get(group) or (group.replace("_", " ").capitalize() if group else "Other")


def _loop_tags(loops: Mapping[str, Loop]) -> dict[str, str]:
    """Loop name -> short tag (R1, R2, ..., B1, ...), numbered per kind in declaration order, as CLDs do."""
    counts: dict[str, int] = {}
    tags = {}
    for loop in loops.values():
        counts[loop.kind] = counts.get(loop.kind, 0) + 1
        tags[loop.name] = f"{loop.kind}{counts[loop.kind]}"
    return tags
