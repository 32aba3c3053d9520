"""Which rows of a run a sweep keeps: the metrics and group types asked for (by default ``DEFAULT_METRICS`` x
``DEFAULT_GROUP_TYPES``; ``ALL`` for every one), checked against what a run produces."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from pathways_sim.experiments.errors import ExperimentError

__all__ = ["ALL", "DEFAULT_GROUP_TYPES", "DEFAULT_METRICS", "check_kept", "kept", "rows_to_keep"]

ALL = "*"  # metrics=ALL or group_types=ALL keeps every row
DEFAULT_GROUP_TYPES = ("all", "area_deprivation_quintile")


def _default_metrics() -> tuple[str, ...]:
    from pathways_sim.declarations.outcomes import OUTCOMES, gradient_outcomes

    summaries = [f"{o.name}_{what}" for o in gradient_outcomes() for what in ("sii", "gap", "rii")]
    levels = ["life_expectancy", "healthy_life_expectancy"]
    prevalences = [name for name in OUTCOMES if name.endswith("_prevalence")]
    return tuple(dict.fromkeys([*summaries, *levels, *prevalences]))


DEFAULT_METRICS = _default_metrics()


def rows_to_keep(rows: Collection[str] | str | None, default: tuple[str, ...], what: str) -> set[str] | None:
    """The names of ``what`` to keep as asked (``None``: every one); ``default`` if not asked."""
    if rows is None:
        return set(default)
    if isinstance(rows, str):
        return None if rows == ALL else {rows}
    rows = set(rows)
    if not rows:
        raise ExperimentError(f"{what}: choose at least one (or {what}=ALL for every one)")
    return rows


def check_kept(frame: pd.DataFrame, metrics: set[str] | None, group_types: set[str] | None) -> None:
    """``ExperimentError`` naming any metric or group type to keep that a run does not produce."""
    from pathways_sim.declarations.declare import unknown_name_message

    problems = []
    for what, asked, column in (("metric", metrics, "metric"), ("group type", group_types, "group_type")):
        # a small run has no life-table rows (too few deaths): the defaults are known names all the same
        known = set(DEFAULT_METRICS) if column == "metric" else set(DEFAULT_GROUP_TYPES)
        produced = sorted(set(frame[column]) | known)
        problems += [unknown_name_message(name, produced, what) for name in sorted((asked or set()) - set(produced))]
    if problems:
        raise ExperimentError("; ".join(problems))


def kept(frame: pd.DataFrame, metrics: set[str] | None, group_types: set[str] | None) -> pd.DataFrame:
    """The rows of ``frame`` with a metric and group type to keep (``None``: any)."""
    keep = np.ones(len(frame), dtype=bool)
    if metrics is not None:
        keep &= frame["metric"].isin(metrics).to_numpy()
    if group_types is not None:
        keep &= frame["group_type"].isin(group_types).to_numpy()
    return frame.loc[keep].reset_index(drop=True)
