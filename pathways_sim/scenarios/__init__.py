"""Scenario files: what to simulate, written as YAML, layered, validated once and frozen.

A scenario file names its parameters, the pathways switched off and the interventions (by ``kind``, through
the registry ``pathways_sim.interventions.INTERVENTIONS`` — nothing is imported or evaluated from the file)::

    # yaml-language-server: $schema=../pathways_sim/data/scenario.schema.json
    # What this scenario asks, and what to look at in its results.
    extends: baseline                 # inherit another file (relative to this one, else a shipped scenario
                                      # of that name); deep merge, lists replace
    name: peer_support                # default: the file name; never inherited
    seed: 2025                        # seed of the first replicate
    replicates: 3
    population: {size: 20000, people_per_area: 1500}
    time: {start_year: 2025, years: 20, step_months: 1, burn_in_years: 20}
    parameters: {cmd_onset_rate: 0.1}               # any name in pathways_sim.PARAMETERS
    pathways_off: [loneliness_withdrawal]           # names in pathways_sim.PATHWAYS, or loops in LOOPS
    interventions:
      - kind: peer_support
        budget: 60000
        targeting: {strategy: proportionate, gradient: 2}
    outputs: {plots: true, report: true}
    arms:                             # optional: arms run with the same seeds (common random numbers);
      none: {interventions: []}       # each is deep-merged over everything else in the file
      universal: {interventions: [{kind: peer_support, budget: 60000}]}

Layers, each deep-merged over the one before: defaults, the ``extends`` chain, the file, ``--set``
overrides.  Every problem is reported at once as ``file:line:column: dotted.path: message`` in a
``ScenarioError``; no input makes loading crash or hang (sizes, nesting, aliases and paths are bounded, YAML
tags refused).  The scenarios shipped with the package live in the repository's top-level ``scenarios/``
directory, installed as ``pathways_sim.scenario_files`` (``list_shipped_scenarios()``,
``shipped_scenario(name)``; ``load_scenario("peer_support")`` finds one by its bare name); the JSON Schema that
editors use to check and complete them is ``pathways_sim/data/scenario.schema.json`` (``scenario_json_schema()``).
"""

from pathways_sim.scenarios.core import Scenario, load_scenario, scenario_from_dict
from pathways_sim.scenarios.errors import ScenarioError, ScenarioProblem
from pathways_sim.scenarios.shipped import SHIPPED_DIR, list_shipped_scenarios, shipped_scenario
from pathways_sim.scenarios.spec import SCHEMA_FILE, scenario_json_schema, write_json_schema

__all__ = ["SCHEMA_FILE", "SHIPPED_DIR", "Scenario", "ScenarioError", "ScenarioProblem", "list_shipped_scenarios",
           "load_scenario", "scenario_from_dict", "scenario_json_schema", "shipped_scenario", "write_json_schema"]
