"""The arms of one PSA draw and replicate run as one task (``sweeps.sweep_arms``) that builds and burns in once
for the arms with the same parameters: the PSA table is that of a sweep per arm (each arm building its own),
bit for bit, with fewer worlds built; stored runs are found again under their own keys, and one arm failing
does not take the other arms of its task down."""

from __future__ import annotations

import pandas as pd
import pytest

from pathways_sim.experiments import ProcessExecutor, grid, runner, sweeps
from pathways_sim.experiments.psa import psa_arms
from pathways_sim.experiments.sweeps import SweepWarning, sweep_arms
from pathways_sim.model import pathways_model

TINY = {"population_size": 250}
ARMS = {"baseline": TINY,
        "peer support": {**TINY, "interventions": [{"kind": "peer_support", "coverage": 0.5}]}}
DESIGN = grid({"mean_degree": [6, 10]})


def _count_builds(monkeypatch) -> list[int]:
    """Every world built and burnt in, by a model building its own or by a shared start (the seeds)."""
    built: list[int] = []
    real = pathways_model.burnt_in

    def counted(params, seed):
        built.append(seed)
        return real(params, seed)

    monkeypatch.setattr(pathways_model, "burnt_in", counted)
    monkeypatch.setattr(runner, "burnt_in", counted)
    return built


def _one_sweep_per_arm(arms, design, **settings):
    """How the PSA ran before: a ``sweep`` of each arm, each run building its own start."""
    return {label: sweeps.sweep(base, design, **settings) for label, base in arms.items()}


def test_a_psa_sharing_starts_gives_the_table_of_a_sweep_per_arm_with_half_the_builds(monkeypatch):
    settings = {"draws": 2, "replicates": 2, "years": 2, "seed": 5, "source": "ranges",
                "parameters": ["mean_degree", "stress_cmd_onset_strength"]}
    built = _count_builds(monkeypatch)
    seen: list[tuple[int, int]] = []
    shared = psa_arms(ARMS, progress=lambda done, total: seen.append((done, total)), **settings)
    assert len(built) == 2 * 2  # one start per draw and replicate, for both arms
    assert seen[0] == (0, 2 * 2 * 2 * 2) and seen[-1] == (16, 16)  # every arm's simulated years
    built.clear()
    monkeypatch.setattr(sweeps, "sweep_arms", _one_sweep_per_arm)
    separate = psa_arms(ARMS, quiet=True, **settings)
    assert len(built) == 2 * 2 * 2
    pd.testing.assert_frame_equal(shared.table, separate.table, check_exact=True)
    assert shared.table["cost_change"].gt(0).any()  # the arms did differ


def test_stored_runs_are_found_again_and_only_the_missing_arms_run(tmp_path, monkeypatch):
    first = sweeps.sweep(ARMS["baseline"], DESIGN, years=1, seed=3, quiet=True, store=tmp_path)
    runs: list[dict] = []
    real = sweeps.run_point
    monkeypatch.setattr(sweeps, "run_point", lambda kwargs, seed, years, start=None: runs.append(kwargs)
                        or real(kwargs, seed, years, start))
    built = _count_builds(monkeypatch)
    both = sweep_arms(ARMS, DESIGN, years=1, seed=3, quiet=True, store=tmp_path)
    assert len(runs) == 2 and all(kwargs["interventions"] for kwargs in runs)  # the peer support arm's only
    assert len(built) == 2  # alone in its task, each run builds its own: no copy
    pd.testing.assert_frame_equal(pd.DataFrame(both["baseline"]), pd.DataFrame(first), check_exact=True)
    runs.clear()
    again = sweep_arms(ARMS, DESIGN, years=1, seed=3, quiet=True, store=tmp_path)
    assert not runs
    for label in ARMS:
        pd.testing.assert_frame_equal(pd.DataFrame(again[label]), pd.DataFrame(both[label]), check_exact=True)


def test_one_arm_failing_leaves_the_other_arms_of_its_task(monkeypatch):
    real = sweeps.run_point

    def fragile(kwargs, seed, years, start=None):
        if kwargs["interventions"] and kwargs["params"]["mean_degree"] == 10:
            raise FloatingPointError("peer support diverged at mean_degree 10")
        return real(kwargs, seed, years, start)

    monkeypatch.setattr(sweeps, "run_point", fragile)
    with pytest.warns(SweepWarning, match="1 of 2 runs failed.*point 1.*diverged"):
        found = sweep_arms(ARMS, DESIGN, years=1, seed=3, quiet=True)
    assert found["baseline"].failures.empty and sorted(found["baseline"]["point"].unique()) == [0, 1]
    assert found["peer support"].failures[["point", "error"]].values.tolist() == [[1, "FloatingPointError"]]
    assert sorted(found["peer support"]["point"].unique()) == [0]


def test_arms_sharing_a_start_in_a_process_pool_give_the_same_numbers():
    here = sweep_arms(ARMS, DESIGN, years=1, seed=3, quiet=True)
    with ProcessExecutor(2) as pool:
        there = sweep_arms(ARMS, DESIGN, years=1, seed=3, quiet=True, executor=pool)
    for label in ARMS:
        pd.testing.assert_frame_equal(pd.DataFrame(there[label]), pd.DataFrame(here[label]), check_exact=True)
