"""A sweep's output directory: its tidy results, design and failures, and a manifest written last.

::

    results.parquet   the kept rows of every finished run (the varied parameters as columns, run_id, point,
                      replicate, year, group_type, group, metric, value)
    design.csv        one row per point; the design's method, ranges and seed are in the manifest
    failures.csv      one row per failed run (its point, replicate, seed, error and message)
    manifest.json     what ran (written last: a directory without it is not a finished sweep)
    store/            one file per finished run, kept so that a killed sweep can be resumed

The files are written as ``write_outputs`` writes a run's: staged, then moved into place, the manifest last,
and the run store beside them is left alone.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from pathways_sim.experiments.designs import design_from_dict, design_to_dict
from pathways_sim.results.outputs import MANIFEST, OutputError, write_outputs

__all__ = ["read_sweep", "write_sweep"]


def write_sweep(directory: str | os.PathLike[str], results: pd.DataFrame, design: pd.DataFrame,
                manifest: Mapping[str, Any]) -> Path:
    """Write a finished (or partly failed) sweep into ``directory``; returns the directory."""
    failures = getattr(results, "failures", pd.DataFrame())
    # The manifest keeps the design exactly (values, integer columns, attrs): design.csv is for people to read.
    full = {**manifest, "design": design_to_dict(design)}
    write_outputs(directory, pd.DataFrame(results), full, tables={"design": design, "failures": failures},
                  overwrite=True)
    return Path(directory)


def read_sweep(directory: str | os.PathLike[str]) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """``(results, design, manifest)`` of a finished sweep directory; the design as it was run, attrs and all."""
    import json

    path = Path(directory)
    if not (path / MANIFEST).is_file():
        raise OutputError(f"sweep directory: {path} holds no finished sweep ({MANIFEST} missing); run "
                          "pathways-sim sweep (with --resume to finish one that stopped)")
    manifest = json.loads((path / MANIFEST).read_text())
    if manifest.get("command") != "sweep":
        raise OutputError(f"sweep directory: {path} holds the results of {manifest.get('command')!r}, not a sweep")
    stored = manifest.get("design", {})
    if isinstance(stored.get("columns"), Mapping):
        design = design_from_dict(stored)
    else:  # written before the manifest held the design's values: the table, with its attrs
        design = pd.read_csv(path / "design.csv")
        design.attrs.update(stored.get("attrs", {}))
    return pd.read_parquet(path / "results.parquet"), design, manifest
