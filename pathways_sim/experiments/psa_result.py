"""What a PSA's draws say: the probabilities, the cost-effectiveness acceptability curve, and ``PSAResult``.

The functions take the PSA table (one row per arm x draw x replicate, as ``psa.psa`` makes it: ``arm, draw,
replicate`` and the outcome columns ``hle_gap, le_gap, healthy_life_years, cost``), so they can be checked on a
table built by hand.  A probability is the share of (draw, replicate) pairs in which something happens.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pathways_sim.experiments.errors import ExperimentError

__all__ = ["DEFAULT_THRESHOLDS", "PSAResult", "ceac", "probabilities"]

DEFAULT_THRESHOLDS = np.arange(0, 100_001, 1_000, dtype=float)  # GBP per healthy life year


# ---------------------------------------------------------------------------------- what the draws say
def _wide(table: pd.DataFrame, column: str, arms: Sequence[str]) -> pd.DataFrame:
    """(draw, replicate) x arm table of one column; nan where a run failed or the value was not estimable."""
    wide = table.set_index(["draw", "replicate", "arm"])[column].unstack("arm")
    return wide.reindex(columns=list(arms)).astype(float)


def _share(event: np.ndarray, valid: np.ndarray) -> tuple[float, int]:
    n = int(valid.sum())
    return (float(event[valid].mean()) if n else float("nan")), n


def _sentence(subject: str, p: float, n: int, draws: int, replicates: int, missing: str, unchanged: float) -> str:
    scope = f"(n = {draws} draws x {replicates} replicate{'s' if replicates != 1 else ''})"
    if n == 0:
        return f"{subject}: cannot be estimated, {missing} in every run {scope}"
    if n < draws * replicates:
        scope = f"(n = {n} of {draws} draws x {replicates} replicates; {missing} in the rest)"
    # An exact tie (the arms' values equal) is neither a narrowing nor a widening: say how often, so that a low
    # probability is not read as "it usually does the opposite".
    ties = f"; no difference in {unchanged:.0%}" if unchanged > 0 else ""
    return f"{subject} in {p:.0%} of draws{ties} {scope}"


def probabilities(table: pd.DataFrame, base: str, arms: Sequence[str], *, draws: int | None = None,
                  replicates: int | None = None) -> pd.DataFrame:
    """For each alternative: P(it narrows the HLE gap against the base), P(it narrows the LE gap), P(it gains
    healthy life years); for two or more alternatives, P(A narrows the HLE gap more than B) for each ordered
    pair.  A probability is the share of (draw, replicate) pairs where it happens, among those where the
    quantity could be estimated (``pairs``); a tie (no change) does not count as narrowing or gaining.
    Columns: ``question, arm, other, probability, unchanged`` (the share of pairs with no difference at all),
    ``pairs, statement``."""
    draws = int(table["draw"].nunique()) if draws is None else draws
    replicates = int(table["replicate"].nunique()) if replicates is None else replicates
    alternatives = [a for a in arms if a != base]
    no_gap = "the HLE gap was not estimable (too few people or deaths for quintile life tables)"
    rows = []

    def add(question: str, arm: str, other: str, difference: np.ndarray, event: np.ndarray, subject: str,
            missing: str) -> None:
        valid = np.isfinite(difference)
        p, n = _share(event, valid)
        unchanged, _ = _share(difference == 0, valid)
        rows.append({"question": question, "arm": arm, "other": other, "probability": p, "unchanged": unchanged,
                     "pairs": n, "statement": _sentence(subject, p, n, draws, replicates, missing, unchanged)})

    for column, question, verb, missing in (
            ("hle_gap", "narrows the HLE gap", "narrows the HLE gap (Q5-Q1) against", no_gap),
            ("le_gap", "narrows the LE gap", "narrows the LE gap (Q5-Q1) against", no_gap.replace("HLE", "LE")),
            ("healthy_life_years", "gains healthy life years", "gains healthy life years against",
             "healthy life years were missing")):
        wide = _wide(table, column, arms)
        for arm in alternatives:
            change = (wide[arm] - wide[base]).to_numpy()
            event = change > 0 if column == "healthy_life_years" else change < 0
            add(question, arm, base, change, event, f"{arm} {verb} {base}", missing)
    hle = _wide(table, "hle_gap", arms)
    for a, b in itertools.permutations(alternatives, 2):
        difference = (hle[a] - hle[b]).to_numpy()
        # "More" counts a smaller widening too: the question is which arm leaves the narrower gap.
        add("narrows the HLE gap more than", a, b, difference, difference < 0,
            f"{a} narrows the HLE gap more (or widens it less) than {b}", no_gap)
    return pd.DataFrame(rows, columns=["question", "arm", "other", "probability", "unchanged", "pairs",
                                       "statement"])


def ceac(table: pd.DataFrame, arms: Sequence[str], thresholds: Sequence[float] | np.ndarray | None = None
         ) -> pd.DataFrame:
    """The cost-effectiveness acceptability curve: for each willingness to pay per healthy life year (GBP),
    the probability that each arm (the base included) has the highest net monetary benefit,
    ``threshold x healthy life years - cost`` (totals over the run), across (draw, replicate) pairs with both
    known.  Arms tied for the highest share that pair's win equally.  Columns:
    ``threshold, arm, probability, pairs``."""
    thresholds = DEFAULT_THRESHOLDS if thresholds is None else np.asarray(thresholds, dtype=float)
    if thresholds.ndim != 1 or thresholds.size == 0 or not np.isfinite(thresholds).all():
        raise ExperimentError("thresholds: give one or more finite amounts (GBP per healthy life year)")
    hly = _wide(table, "healthy_life_years", arms).to_numpy()
    cost = _wide(table, "cost", arms).to_numpy()
    valid = np.isfinite(hly).all(axis=1) & np.isfinite(cost).all(axis=1)
    # Against the first arm, so that a tie between identical arms is exact whatever the magnitudes.
    gain, extra = hly[valid] - hly[valid, :1], cost[valid] - cost[valid, :1]
    rows = []
    for threshold in thresholds:
        benefit = threshold * gain - extra
        best = benefit == benefit.max(axis=1, keepdims=True)
        won = (best / best.sum(axis=1, keepdims=True)).mean(axis=0) if len(benefit) else np.full(len(arms), np.nan)
        rows += [{"threshold": float(threshold), "arm": arm, "probability": float(p), "pairs": int(valid.sum())}
                 for arm, p in zip(arms, won, strict=True)]
    return pd.DataFrame(rows, columns=["threshold", "arm", "probability", "pairs"])


# --------------------------------------------------------------------------------------------- the result
@dataclass(eq=False)
class PSAResult:
    """A PSA: ``table`` (one row per arm x draw x replicate: the drawn values, ``OUTCOMES``, and each minus the
    base's in the same draw and replicate), the ``design`` (the draws), and what ran."""

    table: pd.DataFrame
    design: pd.DataFrame
    base: str
    arms: list[str]
    replicates: int
    seeds: list[int]
    seed: int
    years: int
    parameters: list[str]
    notes: list[str] = field(default_factory=list)
    failures: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def draws(self) -> int:
        return len(self.design)

    def probabilities(self) -> pd.DataFrame:
        """See ``probabilities``; ``attrs["notes"]`` holds this PSA's notes (e.g. too few draws)."""
        found = probabilities(self.table, self.base, self.arms, draws=self.draws, replicates=self.replicates)
        found.attrs["notes"] = list(self.notes)
        return found

    def ceac(self, thresholds: Sequence[float] | np.ndarray | None = None) -> pd.DataFrame:
        """See ``ceac``."""
        return ceac(self.table, self.arms, thresholds)

    def caveat(self) -> str:
        method = str(self.design.attrs.get("method", "parameter sets"))
        where = ("from their declared plausible ranges, not a calibrated posterior" if method == "latin_hypercube"
                 else method if method.startswith("resampled") else f"taken as given: {method}")
        return (f"Probabilities cover parameter uncertainty ({self.draws} draws of {len(self.parameters)} "
                f"parameters {where}) and the model's randomness ({self.replicates} replicate(s) per draw). "
                "Net monetary benefit = willingness to pay "
                f"x healthy life years - cost, totals over the run's {self.years} "
                f"year{'s' if self.years != 1 else ''}.")

    def ceac_figure(self, thresholds: Sequence[float] | np.ndarray | None = None) -> Any:
        """The CEAC as a matplotlib figure (one line per arm)."""
        from pathways_sim.results.uncertainty import ceac_plot

        return ceac_plot(self.ceac(thresholds), self.caveat())

    def describe(self) -> dict[str, Any]:
        """The PSA design, for a manifest."""
        return {"draws": self.draws, "replicates": self.replicates, "seed": self.seed,
                "replicate_seeds": self.seeds, "years": self.years, "arms": self.arms, "base": self.base,
                "method": self.design.attrs.get("method"), "posterior": self.design.attrs.get("posterior"),
                "parameters": self.parameters,
                "plausible_ranges": self.design.attrs.get("problem", {}).get("bounds"),
                "failed_runs": len(self.failures), "notes": self.notes}

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables ``save`` (and ``compare --psa``) write as CSV, by file name."""
        return {"psa": self.table, "psa_probabilities": self.probabilities(), "ceac": self.ceac()}

    def figures(self) -> dict[str, Any]:
        return {"ceac": self.ceac_figure()}

    def save(self, directory: str | Path, *, overwrite: bool = False) -> Path:
        """Write results.parquet (the PSA table), the tables as CSV, ceac.png and, last, manifest.json."""
        from pathways_sim.results.outputs import check_output_dir, write_outputs

        target = check_output_dir(directory, overwrite=overwrite)
        write_outputs(target, self.table, {"command": "psa", "psa": self.describe()}, self.figures(), None,
                      self.tables(), overwrite=overwrite)
        return target
