"""Experiments: scenarios run as arms x replicates with common random numbers, and what they return.

``run_scenario("peer_support").save("out")`` runs a shipped scenario and writes what ``pathways-sim run``
writes; ``compare_scenarios("baseline", ["peer_support"])`` is ``pathways-sim compare``.
"""

from pathways_sim.experiments.compare import compare_scenarios
from pathways_sim.experiments.errors import ExperimentError
from pathways_sim.experiments.result import ComparisonResult, RunResult
from pathways_sim.experiments.runner import run_arms, run_scenario

__all__ = ["ComparisonResult", "ExperimentError", "RunResult", "compare_scenarios", "run_arms", "run_scenario"]
