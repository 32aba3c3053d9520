"""A calibration's posterior: its accepted, weighted parameter sets, read for a PSA or a sweep.

A posterior is a Parquet (or CSV) file with one row per accepted parameter set: a column per calibrated
parameter and ``weight`` (summing to 1), possibly followed by the simulated targets; beside it, a JSON manifest
of the same name (``posterior.json``) says how it was made.  ``pathways_sim.analysis.calibration`` writes
them; the package ships one (``SHIPPED_POSTERIOR``), which ``psa`` and ``compare --psa`` draw from by default.

``resample(posterior, n, seed)`` draws ``n`` sets with probability proportional to their weights
(systematic resampling: deterministic for a seed, and each set appears about ``n x weight`` times).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pathways_sim.experiments.errors import ExperimentError

__all__ = ["SHIPPED_POSTERIOR", "load_posterior", "manifest_path", "resample"]

SHIPPED_POSTERIOR = Path(__file__).resolve().parent.parent / "data" / "posterior.parquet"


def manifest_path(path: str | os.PathLike[str]) -> Path:
    """The manifest beside a posterior file: the same name with ``.json``."""
    return Path(path).with_suffix(".json")


def load_posterior(path: str | os.PathLike[str] = SHIPPED_POSTERIOR) -> pd.DataFrame:
    """The accepted sets: the parameter columns and ``weight``; ``attrs["manifest"]`` holds the manifest (or
    {} if there is none) and ``attrs["path"]`` the file.  ``ExperimentError`` naming the file and the problem."""
    from pathways_sim.mechanisms.parameters import PARAMETERS

    path = Path(path)
    if not path.is_file():
        raise ExperimentError(f"posterior: no such file {path}")
    try:
        frame = pd.read_csv(path) if path.suffix.lower() == ".csv" else pd.read_parquet(path)
    except Exception as error:  # unreadable: say which file, not a traceback
        raise ExperimentError(f"posterior: cannot read {path}: {error}") from None
    names = [str(c) for c in frame.columns if c in PARAMETERS]
    problems = []
    if not names:
        problems.append("no column names a parameter")
    if "weight" not in frame.columns:
        problems.append("no weight column")
    elif len(frame) == 0:
        problems.append("no accepted sets (no rows)")
    else:
        weights = frame["weight"].to_numpy(float)
        if not (np.all(np.isfinite(weights)) and np.all(weights >= 0) and weights.sum() > 0):
            problems.append("weights must be finite, non-negative and not all zero")
    if problems:
        raise ExperimentError(f"posterior: {path}: " + "; ".join(problems))
    out = frame[[*names, "weight"]].copy()
    out["weight"] = out["weight"] / out["weight"].sum()
    manifest: dict[str, Any] = {}
    if manifest_path(path).is_file():
        manifest = json.loads(manifest_path(path).read_text(encoding="utf-8"))
    out.attrs = {"manifest": manifest, "path": str(path)}
    return out


def resample(posterior: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """``n`` parameter sets drawn from ``posterior`` by weight (systematic resampling with ``seed``); the
    parameter columns only, ``attrs["method"]`` saying where they come from."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ExperimentError(f"draws: must be a whole number at least 1, got {n!r}")
    weights = posterior["weight"].to_numpy(float)
    cumulative = np.cumsum(weights / weights.sum())
    start = np.random.default_rng(seed).random()
    index = np.minimum(np.searchsorted(cumulative, (start + np.arange(n)) / n), len(cumulative) - 1)
    index = np.random.default_rng(seed + 1).permutation(index)  # no ordering by parameter value across draws
    draws = posterior.drop(columns=["weight"]).iloc[index].reset_index(drop=True)
    manifest = posterior.attrs.get("manifest", {})
    label = manifest.get("label") or "a calibration"
    draws.attrs = {"method": f"resampled by weight from the posterior of {label} "
                             f"({posterior.attrs.get('path', 'given')}, {len(posterior)} accepted sets)",
                   "posterior": posterior.attrs.get("path"), "provisional": manifest.get("provisional", "")}
    return draws
