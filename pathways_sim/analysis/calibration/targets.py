"""The published targets: reading ``data/england_targets.csv`` (``load_targets``), with every problem reported
as ``file:line: what is wrong`` (``TargetsError``), and the consistency targets the fit adds to them."""

from __future__ import annotations

import csv
import hashlib
import math
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from pathways_sim.analysis.calibration.groups import SEXES, Term, parse_group, parse_ratio
from pathways_sim.declarations.declare import unknown_name_message
from pathways_sim.scenarios.errors import cut, printable
from pathways_sim.scenarios.files import UnsafeFile, read_text

DATA = Path(__file__).resolve().parent.parent.parent / "data"
DEFAULT_TARGETS = DATA / "england_targets.csv"
TARGET_COLUMNS = ("target", "group", "value", "unit", "tolerance", "source")
TARGETS_MAX_BYTES = 10_000_000  # the shipped table is ~5 kB
TARGETS_MAX_LINE_CHARS = 2_000


class TargetsError(ValueError):
    """A malformed targets file; ``problems`` lists each as 'file:line: what is wrong'."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


# How each published target is read from a run.  A statistic spec is a hashable tuple:
#   ("results", group_type, group, metric)  a row of the final year of model.results();
#   ("share_unhealthy", group_type, group)  1 - HLE / LE of such a group: the share of life not in good health;
#   ("prevalence", measure, min_age, max_age, sex, unit, group)
#                                           share of the living aged [min, max) of that sex ("" both) in that area
#                                           decile or quintile (unit "all": everyone) with the measure, at the end;
#   ("ratio", spec, spec)                   one statistic divided by another;
#   ("ace_cohort",)                         ACE prevalence at 18 of cohorts whose childhood the model ran.
# The group column follows one grammar for every kind of target (``groups``); each row parser says which parts
# its target takes.
_LIFE = {"life_expectancy_at_birth": "life_expectancy",
         "healthy_life_expectancy_at_birth": "healthy_life_expectancy",
         "healthy_life_expectancy_at_birth_by_decile": "healthy_life_expectancy",  # the older name of a ten-decile row
         "not_good_health_share_of_life": "share_unhealthy"}
_SII = {"life_expectancy_sii": "life_expectancy_sii", "healthy_life_expectancy_sii": "healthy_life_expectancy_sii"}
# measure: (what counts, who counts) is in statistics.MEASURES
_PREVALENCE = {"ace_prevalence_any": "aces", "common_mental_disorder_prevalence": "cmd",
               "loneliness_often_always": "lonely", "current_smoking": "smoker",
               "not_good_health_prevalence": "poor_health", "employment_rate": "employed",
               "unemployment_rate": "unemployed", "economic_inactivity_rate": "inactive"}
_RATIO = {f"{target}_ratio": measure for target, measure in _PREVALENCE.items()}
KNOWN_TARGETS = (*_LIFE, *_SII, *_PREVALENCE, *_RATIO, "income_gini")
_GROUP_TYPE = {"decile": "area_deprivation_decile", "quintile": "area_deprivation_quintile"}

#: (group label, published value, statistic spec): one value of a CSV row, and how the model's value is read.
ParsedValue = tuple[str, float, tuple[Any, ...]]


def _number(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise ValueError(f"value {text!r} is not a number") from None
    if not math.isfinite(x):
        raise ValueError(f"value {text!r} is not a finite number")
    return x


def _values(target: str, term: Term, value: str) -> list[float]:
    """One number per group the term lists (``;``-separated for several)."""
    parts = value.split(";")
    if len(parts) != len(term.groups):
        raise ValueError(f"value of {target} must be {len(term.groups)} number(s) separated by ';' (one per "
                         f"{term.unit}), got {len(parts)}")
    return [_number(v) for v in parts]


_PLURAL = re.compile(r"\b(decile|quintile)s\s+1\.\.\d+", re.IGNORECASE)


def _label(group: str, term: Term, g: int) -> str:
    """The label of one value of a row: the group itself, or for a several-value row its group with the range
    replaced by the one group ('male deciles 1..10' -> 'male decile 3')."""
    return _PLURAL.sub(lambda m: f"{m[1]} {g}", group.split("(", 1)[0]).strip() if term.plural else group


def _life_row(target: str, group: str, value: str) -> list[ParsedValue]:
    """LE, HLE or the share of life not in good health, at birth, by sex and area decile or quintile."""
    expected = ("expected 'male decile N', 'female quintile N', 'male deciles 1..10' (several values), or "
                "without a sex for both; N from 1 = most deprived")
    try:
        term = parse_group(group)
    except ValueError as err:
        raise ValueError(f"group {group!r} of {target}: {err}; {expected}") from None
    if term.ages is not None:
        raise ValueError(f"group {group!r} of {target}: a figure at birth has no age range; {expected}")
    groups: tuple[int, ...] = term.groups
    if term.unit == "all":
        group_type, groups = ("sex", (SEXES.index(term.sex) + 1,)) if term.sex else ("all", (0,))
    else:
        group_type = f"{term.sex + '_' if term.sex else ''}{_GROUP_TYPE[term.unit]}"
    metric = _LIFE[target]
    numbers = _values(target, term, value)
    return [(_label(group, term, g), v,
             ("share_unhealthy", group_type, g) if metric == "share_unhealthy" else
             ("results", group_type, g, metric)) for g, v in zip(groups, numbers, strict=True)]


def _sii_row(target: str, group: str, value: str) -> list[ParsedValue]:
    """The slope index across area deprivation deciles, for one sex or (a group with no sex, 'persons') both."""
    expected = "expected 'male', 'female' or 'persons' (the slope index across area deprivation deciles)"
    try:
        term = parse_group(group)
    except ValueError as err:
        raise ValueError(f"group {group!r} of {target}: {err}; {expected}") from None
    if term.ages is not None or term.unit != "all":
        raise ValueError(f"group {group!r} of {target}: {expected}")
    group_type = f"{term.sex}_area_deprivation_decile" if term.sex else "area_deprivation_decile"
    return [(group, _number(value), ("results", group_type, 0, _SII[target]))]


def _prevalence_spec(measure: str, term: Term, ages: tuple[float, float]) -> tuple[Any, ...]:
    return ("prevalence", measure, ages[0], ages[1], term.sex, term.unit, term.groups[0])


def _prevalence_row(target: str, group: str, value: str) -> list[ParsedValue]:
    """A share of the living of given ages (and sex, and area decile or quintile) with the measure."""
    expected = "expected an age range such as 'adults 16-64' or 'adults 18+', optionally 'quintile N' etc."
    try:
        term = parse_group(group)
    except ValueError as err:
        raise ValueError(f"group {group!r} of {target}: {err}; {expected}") from None
    if term.ages is None:
        raise ValueError(f"group {group!r} of {target}: {expected}")
    numbers = _values(target, term, value)
    measure = _PREVALENCE[target]
    specs = [_prevalence_spec(measure, replace(term, groups=(g,)), term.ages) for g in term.groups]
    return [(_label(group, term, g), v, spec)
            for g, v, spec in zip(term.groups, numbers, specs, strict=True)]


def _ratio_row(target: str, group: str, value: str) -> list[ParsedValue]:
    """A prevalence in one group divided by the same prevalence in another: the shape of a gradient."""
    expected = "expected 'A / B' with an age range, such as 'adults 16+ quintile 1 / quintile 5'"
    try:
        left, right = parse_ratio(group)
    except ValueError as err:
        raise ValueError(f"group {group!r} of {target}: {err}; {expected}") from None
    if left.ages is None:
        raise ValueError(f"group {group!r} of {target}: {expected}")
    measure = _RATIO[target]
    return [(group, _number(value), ("ratio", _prevalence_spec(measure, left, left.ages),
                                     _prevalence_spec(measure, right, left.ages)))]


def _gini_row(target: str, group: str, value: str) -> list[ParsedValue]:
    return [(group, _number(value), ("results", "all", 0, "income_gini"))]


_ROW_PARSERS: dict[str, Callable[[str, str, str], list[ParsedValue]]] = {
    **dict.fromkeys(_LIFE, _life_row),
    **dict.fromkeys(_SII, _sii_row),
    **dict.fromkeys(_PREVALENCE, _prevalence_row),
    **dict.fromkeys(_RATIO, _ratio_row),
    "income_gini": _gini_row,
}


def _parse_row(target: str, group: str, value: str) -> list[ParsedValue]:
    """(group label, published value, statistic spec) for each value of one CSV row; ValueError if bad."""
    parser = _ROW_PARSERS.get(target)
    if parser is None:
        raise ValueError(unknown_name_message(target, KNOWN_TARGETS, "target"))
    return parser(target, group, value)


def _read_lines(path: Path, shown: str) -> list[str]:
    """The file's lines, read safely (regular files only, size-capped, no blocking on a FIFO)."""
    try:
        text = read_text(path, TARGETS_MAX_BYTES, "targets CSV file")
    except UnsafeFile as err:
        where = f"{shown}:{err.line}" if err.line else shown
        message = "no such targets file" if err.message == "file not found" else err.message
        raise TargetsError([f"{where}: {message}"]) from None
    lines = text.splitlines()
    long_line = next((i for i, line in enumerate(lines, start=1) if len(line) > TARGETS_MAX_LINE_CHARS), None)
    if long_line is not None:  # no target needs it, and the group patterns would take quadratic time on it
        raise TargetsError([f"{shown}:{long_line}: line longer than {TARGETS_MAX_LINE_CHARS} characters"])
    return lines


def _csv_rows(reader: Any, shown: str, problems: list[str]) -> Iterator[tuple[int, list[str]]]:
    """(line, fields) of each CSV record; a record the csv module cannot read, or with a field longer than
    any target needs (a quoted field can span lines), is a problem, not a crash."""
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            problems.append(f"{shown}:{reader.line_num}: not readable as CSV: {err}")
            return
        if any(len(field) > TARGETS_MAX_LINE_CHARS for field in fields):
            problems.append(f"{shown}:{reader.line_num}: a field longer than {TARGETS_MAX_LINE_CHARS} characters")
            continue
        yield reader.line_num, fields


def _read_header(reader: Any, path: str) -> tuple[list[str], dict[str, int]]:
    """The header's column names and the position of each required column; TargetsError if one is missing."""
    try:
        header = next(reader, None)
    except csv.Error as err:
        raise TargetsError([f"{path}:1: not readable as CSV: {err}"]) from None
    if header is None:
        raise TargetsError([f"{path}:1: empty file; expected the header {','.join(TARGET_COLUMNS)}"])
    header = [h.strip() for h in header]
    missing = [c for c in TARGET_COLUMNS if c not in header]
    if missing:
        raise TargetsError([(f"{path}:1: header lacks column(s) {', '.join(missing)}; expected "
                             f"{','.join(TARGET_COLUMNS)}, got {cut(','.join(header))}")])
    return header, {c: header.index(c) for c in TARGET_COLUMNS}


def _tolerance_and_source_problems(rec: dict[str, str], where: str) -> tuple[float | None, list[str]]:
    """The row's tolerance (None if not a number) and what is wrong with its tolerance and source."""
    problems = []
    tolerance: float | None
    try:
        tolerance = float(rec["tolerance"])
    except ValueError:
        problems.append(f"{where}: tolerance {rec['tolerance']!r} is not a number")
        tolerance = None
    if tolerance is not None and not (math.isfinite(tolerance) and tolerance > 0):
        problems.append(f"{where}: tolerance must be a positive number, got {rec['tolerance']!r}")
    if not rec["source"]:
        problems.append(f"{where}: source is empty; every target needs its published source")
    return tolerance, problems


def load_targets(path: str | os.PathLike[str] = DEFAULT_TARGETS) -> pd.DataFrame:
    """Read a targets CSV (columns target, group, value, unit, tolerance, source) into one row per value.

    The group column follows one grammar (``groups``: sex, ages, area decile or quintile, or a ratio ``A / B``).
    A row for several groups (``male deciles 1..10``, its value ten numbers separated by ``;``) becomes one
    row per group, each with weight 1/10, so that every CSV row carries the same weight in the fit.

    Returns
    -------
    DataFrame
        Columns target, group, value, unit, tolerance, source, line (of the CSV), weight, kind
        ("published") and statistic (how the model's value is read).

    Raises
    ------
    TargetsError
        Naming ``file:line`` and what is wrong, for every problem found (missing file, bad header, wrong
        number of fields, non-numeric value, non-positive tolerance, unknown target, unreadable group,
        empty source, duplicate row).
    """
    shown = printable(str(path))  # as printed in messages: whatever the name, it can be printed
    reader = csv.reader(_read_lines(Path(path), shown))
    header, col = _read_header(reader, shown)
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    for line, fields in _csv_rows(reader, shown, problems):
        if not any(f.strip() for f in fields):
            continue  # blank line
        where = f"{shown}:{line}"
        if len(fields) != len(header):
            problems.append(f"{where}: expected {len(header)} fields ({','.join(header)}), got {len(fields)}")
            continue
        rec = {c: fields[i].strip() for c, i in col.items()}
        tolerance, found = _tolerance_and_source_problems(rec, where)
        problems += found
        key = (rec["target"], rec["group"])
        if key in seen:
            problems.append(f"{where}: duplicate of line {seen[key]} ({rec['target']}, {rec['group']})")
        seen.setdefault(key, line)
        try:
            parsed = _parse_row(rec["target"], rec["group"], rec["value"])
        except ValueError as err:
            problems.append(f"{where}: {err}")
            continue
        rows += [{"target": rec["target"], "group": group, "value": value, "unit": rec["unit"],
                  "tolerance": tolerance, "source": rec["source"], "line": line,
                  "weight": 1.0 / len(parsed), "kind": "published", "statistic": spec}
                 for group, value, spec in parsed]
    if not rows and not problems:
        problems.append(f"{shown}:2: no targets below the header")
    if problems:
        raise TargetsError([cut(problem, 500) for problem in problems])  # each echoes at most a line's piece
    return pd.DataFrame(rows)


def with_consistency_targets(targets: pd.DataFrame) -> pd.DataFrame:
    """Add the consistency targets the fit needs besides the published rows.

    ACE prevalence: the published 18-69 figure is met at the start by the synthetic adults (``ace_mean``),
    but the adults of later years grow up inside the model (``ace_hazard_rate``).  Unless the cohorts the
    model raises reach 18 with the same prevalence, the 18-69 prevalence drifts year by year; so the same
    published figure is asked of them too.
    """
    ace = targets[(targets["target"] == "ace_prevalence_any") & (targets["kind"] == "published")]
    if ace.empty:
        return targets
    row = ace.iloc[0].to_dict()
    row.update(target="ace_prevalence_any_cohort", group="cohorts reaching 18 in the model",
               kind="consistency", statistic=("ace_cohort",),
               source=f"consistency: the same figure for childhoods the model simulates ({row['source']})")
    return pd.concat([targets, pd.DataFrame([row])], ignore_index=True)


def targets_digest(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a targets file's bytes (recorded beside the calibrated values)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()

