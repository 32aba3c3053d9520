"""Calibration to England's published inequalities (``data/england_targets.csv``) by history matching.

The model's value for each published figure is read from a run exactly as a user would read it
(``PathwaysModel(agents="lazy")``, its results table and its population arrays at the end).  Every candidate
parameter set runs with the *same* seeds (common random numbers), so the difference between two candidates is
their effect, not their luck.

``calibrate`` history-matches the free parameters (``FREE_PARAMETERS``, uniform priors on their declared
plausible ranges) to the targets (each tolerance one standard deviation of observation error plus model
discrepancy) in waves of runs on the sweep executors, kept in a run store so a stopped calibration resumes; it
returns the accepted, likelihood-weighted parameter sets (``Calibration``).  ``write_posterior`` stores them with
a manifest; ``write_fit_report`` renders the fit (every target's posterior predictive interval against its
published value, the marginal and pairwise posteriors, which targets pull against each other);
``write_defaults`` turns the central values into the defaults ``params.py`` reads.  None writes into the
installed package.

The code is split by stage: ``targets`` (the targets file), ``statistics`` (the model's value of each target),
``history_matching`` (the method, for any noisy simulator), ``runs`` (the model as that simulator, on executors
and a run store), ``fit`` (``calibrate``), ``io`` and ``report``.  Every public name is importable from here.
"""

from __future__ import annotations

# PARAMETERS is re-exported because callers (the calibrate command) read plausible ranges through this module.
from pathways_sim.analysis.calibration.fit import Calibration, calibrate, target_label
from pathways_sim.analysis.calibration.free_parameters import FREE_PARAMETERS, LIFE_TARGETS, reported_only
from pathways_sim.analysis.calibration.history_matching import CUTOFF, HistoryMatch, Prior, history_match
from pathways_sim.analysis.calibration.io import DEFAULT_OUTPUT, SHIPPED_POSTERIOR, write_defaults, write_posterior
from pathways_sim.analysis.calibration.report import write_fit_report
from pathways_sim.analysis.calibration.statistics import MIN_YEARS, model_statistics
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
    "CUTOFF",
    "DATA",
    "DEFAULT_OUTPUT",
    "DEFAULT_TARGETS",
    "FREE_PARAMETERS",
    "KNOWN_TARGETS",
    "LIFE_TARGETS",
    "MIN_YEARS",
    "PARAMETERS",
    "SHIPPED_POSTERIOR",
    "TARGET_COLUMNS",
    "Calibration",
    "HistoryMatch",
    "Prior",
    "TargetsError",
    "calibrate",
    "history_match",
    "load_targets",
    "model_statistics",
    "reported_only",
    "target_label",
    "targets_digest",
    "with_consistency_targets",
    "write_defaults",
    "write_fit_report",
    "write_posterior",
]
