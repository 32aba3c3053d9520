"""The grammar of a target's ``group``: who a published figure is about, read once for every kind of target.

A group names, in this order and each part optional where its target allows::

    [male|female] [words] [ages] [unit] [(comment)]

- ``ages``: ``16-64`` (16 to 64 inclusive) or ``18+``, after any descriptive words (``adults 16-64``,
  ``economically active 16-64``);
- ``unit``: one area-deprivation group, ``decile N`` (1-10) or ``quintile N`` (1-5), several at once,
  ``deciles 1..10`` or ``quintiles 1..5`` (the row's value then lists one number per group, separated by
  ``;``), or ``all`` (the whole population; the default when no unit is named);
- a trailing ``(comment)`` such as ``(most deprived)`` is ignored.

A ratio of two such groups is written ``A / B`` (``adults 16+ quintile 1 / quintile 5``); the right-hand side
takes the left's sex and ages unless it names its own.  Groups are numbered from 1 = most deprived, as
everywhere in pathways_sim.

>>> parse_group("female decile 10 (least deprived)")
Term(sex='female', ages=None, unit='decile', groups=(10,))
>>> parse_group("adults 16-64 quintiles 1..5").ages
(16.0, 65.0)
>>> [t.groups for t in parse_ratio("adults 16+ quintile 1 / quintile 5")]
[(1,), (5,)]
>>> parse_group("all adults 18+").unit, parse_group("adults 18+ all").unit
('all', 'all')
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

N_GROUPS = {"decile": 10, "quintile": 5}
SEXES = ("male", "female")
_AGE = re.compile(r"^(\d{1,3})(?:-(\d{1,3})|\+)$")
_WORD = re.compile(r"^[a-z][a-z'.,]*$")
_RANGE = re.compile(r"^(\d{1,2})\.\.(\d{1,2})$")
_NUMBER = re.compile(r"^\d{1,3}$")


@dataclass(frozen=True)
class Term:
    """One side of a group: sex ("" for both), ages [from, to) (None when not stated), the deprivation unit
    ("all", "decile" or "quintile") and the groups it lists (``(0,)`` for "all")."""

    sex: str
    ages: tuple[float, float] | None
    unit: str
    groups: tuple[int, ...]

    @property
    def plural(self) -> bool:
        return len(self.groups) > 1


def _strip_comment(text: str) -> str:
    """The group without a trailing ``(comment)``; ValueError for an unclosed or misplaced parenthesis."""
    if "(" not in text and ")" not in text:
        return text
    start = text.find("(")
    if start < 0 or not text.endswith(")") or text.count("(") != 1 or text.count(")") != 1:
        raise ValueError("a comment in parentheses must close the group, as in 'male decile 1 (most deprived)'")
    return text[:start].rstrip()


def _unit(tokens: list[str]) -> tuple[str, tuple[int, ...]]:
    """The unit named by the last tokens (already lower-case): ``decile 3``, ``quintiles 1..5``, ``all``."""
    if tokens == ["all"]:
        return "all", (0,)
    if len(tokens) != 2:
        raise ValueError("expected 'decile N', 'quintile N', 'deciles 1..10', 'quintiles 1..5' or 'all'")
    word, number = tokens
    unit = word.removesuffix("s")
    if unit not in N_GROUPS:
        raise ValueError(f"{word!r} is not a unit; expected decile(s), quintile(s) or all")
    n = N_GROUPS[unit]
    if word.endswith("s"):
        m = _RANGE.match(number)
        if not m or (int(m[1]), int(m[2])) != (1, n):
            raise ValueError(f"'{word} {number}': a row for several {unit}s lists them all, '{word} 1..{n}'")
        return unit, tuple(range(1, n + 1))
    if not _NUMBER.match(number) or not 1 <= int(number) <= n:
        raise ValueError(f"'{word} {number}': a {unit} is numbered 1-{n} (1 = most deprived)")
    return unit, (int(number),)


def parse_group(text: str, *, inherit: Term | None = None) -> Term:
    """One side of a group (see the module docstring); ValueError saying what is wrong."""
    body = _strip_comment(re.sub(r"\s*-\s*", "-", text.strip().lower()))
    tokens = body.split()
    if not tokens:
        raise ValueError("the group is empty")
    sex = tokens.pop(0) if tokens[0] in SEXES else ""
    ages = None
    unit_at = next((i for i, t in enumerate(tokens) if t.removesuffix("s") in N_GROUPS),
                   len(tokens) - 1 if tokens and tokens[-1] == "all" else len(tokens))  # "all" only as the unit
    for token in tokens[:unit_at]:
        m = _AGE.match(token)
        if m:
            if ages is not None:
                raise ValueError("two age ranges")
            lo, hi = float(m[1]), (float(m[2]) + 1 if m[2] else math.inf)  # "16-64" includes age 64
            if hi <= lo:
                raise ValueError(f"empty age range {token!r}")
            ages = (lo, hi)
        elif not _WORD.match(token):
            raise ValueError(f"{token!r} is neither a word, an age range (16-64, 18+) nor a unit")
    unit, groups = _unit(tokens[unit_at:]) if unit_at < len(tokens) else ("all", (0,))
    term = Term(sex, ages, unit, groups)
    if inherit is not None:
        term = replace(term, sex=term.sex or inherit.sex, ages=term.ages or inherit.ages)
    return term


def parse_ratio(text: str) -> tuple[Term, Term]:
    """``A / B``: the two sides of a ratio, the right inheriting the left's sex and ages."""
    parts = text.split("/")
    if len(parts) != 2:
        raise ValueError("expected a ratio of two groups, 'A / B', such as 'adults 16+ quintile 1 / quintile 5'")
    left = parse_group(parts[0])
    right = parse_group(parts[1], inherit=left)
    if left.plural or right.plural:
        raise ValueError("each side of a ratio names one group (decile N, quintile N or all)")
    if right.sex != left.sex or right.ages != left.ages:
        raise ValueError("both sides of a ratio must be about the same sex and ages")
    return left, right
