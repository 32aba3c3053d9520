"""Calibration to England's published inequalities (``data/england_targets.csv``).

The model's value for each published figure is read from a run exactly as a user would read it
(``PathwaysModel(agents="lazy")``, its results table and its population arrays at the end), averaged over
replicate seeds.  Every candidate parameter set is run with the *same* seeds (common random numbers), so
the difference between two candidates is their effect, not their luck.

``calibrate`` fits a chosen set of free parameters, each inside the plausible range it is declared with in
``PARAMETERS``, minimising a soft-L1 loss of the tolerance-scaled residuals ``(model - published) /
tolerance`` (``objective``: quadratic within about a tolerance, linear beyond, so a target out of reach does
not drag the others).  Each free parameter answers only to the targets it stands for (``FREE_PARAMETERS``):
the parameters with a target of their own (ACEs, mental disorder, loneliness, smoking, Gini) are fitted as
one block, the mortality and ill-health parameters as a second block against life and healthy life
expectancy, and the first block is polished again at the end.  A model run costs tens of seconds and its
decile life expectancies carry run-to-run noise that common random numbers cannot remove (one death more
moves a decile's LE by ~0.5 years), so each block is searched by a trust-region Gauss-Newton whose Jacobian
is a local linear regression on every run so far (noise averages out instead of being differenced) and whose
steps minimise that linear model's loss with ``scipy.optimize.least_squares``; ``budget`` caps the number
of model evaluations.  A target that cannot be met inside the plausible ranges is reported as a miss, never
met by stretching a mechanism.

``write_calibration`` stores the fitted values, with the targets file's hash, the seeds, the budget, the
date and the fit table, in the JSON file it is given; the shipped one, ``data/calibrated.json``
(``DEFAULT_OUTPUT``), is what ``params.py`` reads as the declared defaults.  ``python -m pathways_sim
calibrate`` runs both.

The code is split by stage: ``targets`` (reading the targets file), ``statistics`` (the model's value of each
target, residuals and objective), ``search`` (the block-wise regression trust-region search), ``fit``
(``calibrate``) and ``io`` (``write_calibration``).  Every public name is importable from here.
"""

from __future__ import annotations

# PARAMETERS is re-exported because callers (the calibrate command) read plausible ranges through this module.
from pathways_sim.analysis.calibration.fit import Calibration, calibrate
from pathways_sim.analysis.calibration.io import DEFAULT_OUTPUT, write_calibration
from pathways_sim.analysis.calibration.search import FREE_PARAMETERS, LIFE_TARGETS
from pathways_sim.analysis.calibration.statistics import (
    MIN_YEARS,
    MISSING_PENALTY,
    fit_table,
    model_statistics,
    objective,
    residuals,
)
from pathways_sim.analysis.calibration.targets import (
    DATA,
    DEFAULT_TARGETS,
    KNOWN_TARGETS,
    TARGET_COLUMNS,
    TargetsError,
    load_targets,
    targets_digest,
    with_consistency_targets,
)
from pathways_sim.mechanisms.parameters import PARAMETERS

__all__ = [
    "DATA",
    "DEFAULT_OUTPUT",
    "DEFAULT_TARGETS",
    "FREE_PARAMETERS",
    "KNOWN_TARGETS",
    "LIFE_TARGETS",
    "MIN_YEARS",
    "MISSING_PENALTY",
    "PARAMETERS",
    "TARGET_COLUMNS",
    "Calibration",
    "TargetsError",
    "calibrate",
    "fit_table",
    "load_targets",
    "model_statistics",
    "objective",
    "residuals",
    "targets_digest",
    "with_consistency_targets",
    "write_calibration",
]
