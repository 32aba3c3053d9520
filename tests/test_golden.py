"""A guard on model output: a small shipped scenario with a fixed seed gives the same configuration hash and
key outputs every time.  When output changes on purpose, regenerate with ``python tests/test_golden.py`` and
say why in the commit message."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from pathways_sim.experiments.runner import run_arms
from pathways_sim.scenarios import load_scenario, shipped_scenario

GOLDEN = Path(__file__).parent / "golden" / "baseline_small.json"
# 20,000 people: the whole population's life table has the person-years and deaths it needs over the 3-year
# window; a decile's (about 60 deaths) does not, so the gradient is read from mental disorder, not HLE.
OVERRIDES = ["population.size=20000", "time.years=3", "replicates=2", "seed=7"]
KEY_OUTPUTS = [  # (group_type, group, metric) in the final year, per replicate
    ("all", 0, "population"), ("all", 0, "deaths"), ("all", 0, "cmd_prevalence"),
    ("all", 0, "not_good_health_prevalence"), ("all", 0, "smoking_prevalence"), ("all", 0, "mean_stress"),
    ("all", 0, "healthy_life_expectancy"), ("area_deprivation_decile", 0, "cmd_prevalence_sii"),
    ("area_deprivation_quintile", 1, "cmd_prevalence"), ("area_deprivation_quintile", 5, "cmd_prevalence"),
]


def current() -> dict:
    spec = load_scenario(shipped_scenario("baseline"), OVERRIDES)
    run = run_arms({arm: spec.model_kwargs(arm) for arm in spec.arms}, years=spec.years, seed=spec.seed,
                   replicates=spec.replicates)
    final = run.results[run.results.year == run.results.year.max()]
    outputs = {}
    for group_type, group, metric in KEY_OUTPUTS:
        rows = final[(final.group_type == group_type) & (final.group == group) & (final.metric == metric)]
        outputs[f"{group_type}/{group}/{metric}"] = [float(v) for v in rows.sort_values("replicate")["value"]]
    return {"config_hash": spec.config_hash(), "replicate_seeds": run.seeds, "outputs": outputs}


def test_small_baseline_reproduces_its_golden_outputs():
    golden = json.loads(GOLDEN.read_text())
    now = current()
    assert now["config_hash"] == golden["config_hash"], "configuration changed: regenerate (see module docstring)"
    assert now["replicate_seeds"] == golden["replicate_seeds"]
    for key, values in golden["outputs"].items():
        assert now["outputs"][key] == pytest.approx(values, rel=1e-12, abs=1e-12), key


if __name__ == "__main__":
    GOLDEN.write_text(json.dumps(current(), indent=2) + "\n")
    print(f"wrote {GOLDEN}", file=sys.stderr)
