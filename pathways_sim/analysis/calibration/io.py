"""Storing a calibration: the accepted sets (``write_posterior``: Parquet or CSV, then its JSON manifest) and the
central values as the package's defaults (``write_defaults``).

Both take the path as a required argument and refuse one inside the installed package: a calibration never
replaces the package's own data by accident.  The shipped files (``data/posterior.parquet`` and
``data/posterior.json``, ``data/calibrated.json``) are copied into a source checkout deliberately.  Every file is
written atomically, the manifest last, so a posterior with its manifest is complete.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import math
import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np

from pathways_sim.analysis.calibration.fit import Calibration
from pathways_sim.analysis.calibration.free_parameters import FREE_PARAMETERS
from pathways_sim.analysis.calibration.targets import DATA
from pathways_sim.experiments.posterior import manifest_path
from pathways_sim.mechanisms.parameters import PARAMETERS
from pathways_sim.results.atomic import atomic_write_bytes, atomic_write_text
from pathways_sim.results.outputs import OutputError, inside_package

#: The shipped calibrated defaults that ``params.py`` reads (never a default destination for writing).
DEFAULT_OUTPUT = DATA / "calibrated.json"
SHIPPED_POSTERIOR = DATA / "posterior.parquet"


def _refuse_package(path: Path) -> None:
    if inside_package(path):
        raise OutputError(f"output: {path} is inside the installed package; write the calibration elsewhere and "
                          "copy it into a source checkout deliberately")


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, np.bool_ | bool):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, float | np.floating):
        return None if not math.isfinite(v) else round(float(v), 6)
    return v


def manifest(result: Calibration, label: str = "") -> dict[str, Any]:
    """How the posterior was made: method, library and version, targets, seeds, runs, wall time, results."""
    match = result.match
    return _jsonable({
        "about": "Accepted parameter sets of a pathways_sim calibration (history matching). Written by "
                 "pathways_sim.analysis.calibration (pathways-sim calibrate); do not edit by hand.",
        "label": label or f"calibration of {result.population_size:,} people",
        "provisional": result.provisional,
        "date": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "method": {"name": "history matching with Gaussian-process emulators, then likelihood-weighted accepted "
                           "sets", "cutoff": match.cutoff, "waves": len(match.waves),
                   "runs_per_wave": [len(w.points) for w in match.waves],
                   "not_ruled_out_share": [w.nroy_share for w in match.waves]},
        "library": {"scikit-learn": _version("scikit-learn"), "scipy": _version("scipy"),
                    "numpy": _version("numpy"), "pathways_sim": _version("pathways_sim")},
        "targets_file": result.targets_file, "targets_sha256": result.targets_sha256,
        "targets": [{k: row[k] for k in ("label", "value", "tolerance", "unit", "role", "source")}
                    for row in result.targets.to_dict("records")],
        "hold_out": result.hold_out,
        "prior": {n: {"distribution": "uniform", "plausible": list(PARAMETERS[n].plausible),
                      "why": FREE_PARAMETERS[n][1] if n in FREE_PARAMETERS else ""} for n in result.free},
        "fixed": result.fixed,
        "seeds": result.seeds, "population_size": result.population_size, "years": result.years,
        "runs": {"total": match.runs * len(result.seeds), "ran_now": result.runs_ran,
                 "from_store": result.runs_reused, "failed": result.runs_failed},
        "seconds": round(result.seconds, 1),
        "run_seconds": {"total": round(result.run_seconds, 1), "runs_without_a_time": result.runs_untimed,
                        "meaning": "each run's own wall time in its worker, summed over every run of this "
                                   "calibration whichever process made it (a resumed calibration reads the "
                                   "earlier ones' from the run store); 'seconds' is this process's wall time"},
        "accepted": len(result.accepted), "effective_sample_size": round(result.effective_sample_size, 1),
        "central_values": result.central_values(),
        "intervals_95": result.intervals().to_dict("records"),
        "notes": result.notes,
    })


def write_posterior(result: Calibration, path: str | os.PathLike[str], label: str = "") -> Path:
    """The accepted sets (free parameters, ``weight``, then each target's simulated value) as Parquet (or CSV
    for a ``.csv`` path), then the manifest beside it (``manifest_path``); both atomic, the manifest last."""
    path = Path(path)
    _refuse_package(path)
    table = result.match.accepted
    if table.empty:
        table = result.accepted
    if path.suffix.lower() == ".csv":
        atomic_write_text(path, table.to_csv(index=False))
    else:
        buffer = io.BytesIO()
        table.to_parquet(buffer, index=False)
        atomic_write_bytes(path, buffer.getvalue())
    text = json.dumps(manifest(result, label), indent=1, allow_nan=False) + "\n"
    atomic_write_text(manifest_path(path), text)
    return path


def write_defaults(result: Calibration, path: str | os.PathLike[str], previous: dict[str, Any] | None = None
                   ) -> Path:
    """The posterior's central values as the defaults ``params.py`` reads (``parameters``), with the default
    free parameters this calibration left fixed kept at their values in ``previous`` (an earlier file's
    record).  Refuses a path inside the installed package."""
    path = Path(path)
    _refuse_package(path)
    values = {**{n: v for n, v in (previous or {}).get("parameters", {}).items() if n in result.fixed},
              **result.central_values()}
    record = {
        "about": "Calibrated parameter defaults of pathways_sim, read by pathways_sim/mechanisms/parameters.py: "
                 "the central values (weighted medians) of the shipped posterior (posterior.parquet), and the "
                 "earlier point fit for the parameters that posterior did not free. Do not edit by hand.",
        "parameters": values,
        "from_posterior": sorted(result.central_values()),
        "kept_from_earlier_fit": sorted(set(values) - set(result.central_values())),
        "targets_file": result.targets_file, "targets_sha256": result.targets_sha256,
        "provisional": result.provisional,
    }
    atomic_write_text(path, json.dumps(_jsonable(record), indent=1, allow_nan=False) + "\n")
    return path
