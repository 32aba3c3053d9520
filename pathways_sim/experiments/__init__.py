"""Experiments: scenarios run as arms x replicates with common random numbers, and what they return.

``run_scenario("peer_support").save("out")`` runs a shipped scenario and writes what ``pathways-sim run``
writes; ``compare_scenarios("baseline", ["peer_support"])`` is ``pathways-sim compare``;
``sweep("baseline", grid({"mean_degree": [6, 8, 10]}))`` runs a parameter sweep (``experiments.sweeps``);
``sensitivity(df, design)`` gives Sobol or Morris indices of a sweep over a sampled design
(``experiments.sensitivity``); ``psa.psa("baseline", ["peer_support"], draws=40)`` a probabilistic sensitivity
analysis (``experiments.psa``; the function keeps its module's name there, so it is not re-exported here);
``decompose("baseline", "peer_support")`` the share of an effect through each feedback loop
(``experiments.decomposition``).
"""

from pathways_sim.experiments.compare import compare_scenarios
from pathways_sim.experiments.decomposition import decompose
from pathways_sim.experiments.designs import (
    design_from_dict,
    design_to_dict,
    grid,
    latin_hypercube,
    morris_design,
    sample_problem,
    sobol_design,
)
from pathways_sim.experiments.errors import ExperimentError
from pathways_sim.experiments.executors import DaskExecutor, InProcessExecutor, ProcessExecutor
from pathways_sim.experiments.psa import PSAResult
from pathways_sim.experiments.result import ComparisonResult, RunResult
from pathways_sim.experiments.runner import run_arms, run_scenario
from pathways_sim.experiments.sensitivity import plot_sensitivity, sensitivity, sensitivity_indices
from pathways_sim.experiments.store import RunStore, compact
from pathways_sim.experiments.sweeps import ALL, SweepResult, SweepWarning, sweep

__all__ = ["ALL", "ComparisonResult", "DaskExecutor", "ExperimentError", "InProcessExecutor", "PSAResult",
           "ProcessExecutor", "RunResult", "RunStore", "SweepResult", "SweepWarning", "compact", "compare_scenarios",
           "decompose", "design_from_dict", "design_to_dict", "grid", "latin_hypercube", "morris_design",
           "plot_sensitivity", "run_arms", "run_scenario", "sample_problem", "sensitivity", "sensitivity_indices",
           "sobol_design", "sweep"]
