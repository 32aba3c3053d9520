"""Storing a calibration: ``write_calibration`` writes its values and how they were obtained as JSON.

``params.py`` reads the ``parameters`` of the shipped ``DEFAULT_OUTPUT`` (``data/calibrated.json``) as the
declared defaults.  Nothing writes there by default: ``write_calibration`` takes the path as a required
argument, so a calibration run never replaces the package's own data by accident.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from pathways_sim.analysis.calibration.fit import Calibration
from pathways_sim.analysis.calibration.search import FREE_PARAMETERS
from pathways_sim.analysis.calibration.targets import DATA
from pathways_sim.mechanisms.parameters import PARAMETERS
from pathways_sim.results.atomic import atomic_write_text

#: The shipped calibrated defaults that ``params.py`` reads (never a default destination for writing).
DEFAULT_OUTPUT = DATA / "calibrated.json"


def write_calibration(result: Calibration, path: str | os.PathLike[str]) -> Path:
    """Store ``result`` as JSON, atomically (a temporary file in the same folder, then ``os.replace``), so a
    reader never sees half a file.  ``params.py`` reads its ``parameters``."""
    path = Path(path)
    record = {
        "about": "Calibrated parameter defaults of pathways_sim, read by pathways_sim/params.py. Written by "
                 "pathways_sim.analysis.calibration (python -m pathways_sim calibrate); do not edit by hand.",
        "parameters": result.values,
        "targets_file": result.targets_file,
        "targets_sha256": result.targets_sha256,
        "seeds": result.seeds,
        "population_size": result.population_size,
        "years": result.years,
        "budget": result.budget,
        "evaluations": result.evaluations,
        "date": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "seconds": round(result.seconds, 1),
        "objective": round(result.objective, 4),
        "start_objective": round(result.start_objective, 4),
        "free_parameters": {n: {"start": result.start_values[n], "value": v,
                                "plausible": list(PARAMETERS[n].plausible),
                                "answers_to": list(FREE_PARAMETERS[n][0]) if n in FREE_PARAMETERS else "all",
                                "why": FREE_PARAMETERS[n][1] if n in FREE_PARAMETERS else ""}
                            for n, v in result.values.items()},
        "fit": [{k: (_jsonable(v)) for k, v in row.items()} for row in result.fit.to_dict("records")],
    }
    text = json.dumps(record, indent=1, allow_nan=False, default=str) + "\n"
    atomic_write_text(path, text)
    return path


def _jsonable(v: Any) -> Any:
    if isinstance(v, np.bool_ | bool):
        return bool(v)
    if isinstance(v, float | np.floating):
        return None if not math.isfinite(v) else round(float(v), 4)
    return v
