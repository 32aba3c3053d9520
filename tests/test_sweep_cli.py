"""Sweep files and ``pathways-sim sweep``: checked like scenarios, run into a directory a sweep can resume from,
intervention settings as design columns, and progress that moves while worker processes run."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from pathways_sim.declarations.declare import ParameterError
from pathways_sim.experiments import grid, sweep
from pathways_sim.experiments.sweep_files import load_sweep
from pathways_sim.interfaces.cli import main
from pathways_sim.scenarios import ScenarioError

GOOD = """
base: proportionate_universalism
arm: proportionate
set: ["population.size=400", "time.burn_in_years=0"]
years: 1
replicates: 2
seed: 11
design:
  method: grid
  parameters:
    peer_support.budget: [20000, 150000]
    mean_degree: [6, 10]
"""


def test_a_sweep_file_reports_every_problem_at_its_line_and_column(here):
    here("bad.yaml", """
        base: proportionate_universalism
        years: 0
        replicats: 2
        design:
          method: sobol
          parameters: [mean_degre, stigma_stress_strength]
          n: 6
          levels: 3
        keep: {metrics: 5}
        """)
    with pytest.raises(ScenarioError) as caught:
        load_sweep("bad.yaml")
    text = str(caught.value)
    assert "bad.yaml:2:8: years: should be greater than or equal to 1 (got 0)" in text
    assert "bad.yaml:3:1: replicats: unknown key 'replicats'. Did you mean 'replicates'?" in text
    assert "bad.yaml:8:3: design.levels: not used by a sobol design" in text
    assert "bad.yaml:9:17: keep.metrics: should be a valid list or '*' (got 5)" in text


def test_a_sweep_file_checks_the_design_against_the_base_scenario(here):
    here("arms.yaml", """
        base: proportionate_universalism
        design: {method: grid, parameters: {mean_degree: [6]}}
        """)
    with pytest.raises(ScenarioError, match=r"arms.yaml:1:7: base: proportionate_universalism has arms "
                                            r"no_intervention, universal, targeted, proportionate: name one"):
        load_sweep("arms.yaml")
    here("values.yaml", """
        base: proportionate_universalism
        arm: proportionate
        design:
          method: grid
          parameters:
            peer_support.coverage: [0.5, 2]
            mean_degree: [6, 99]
        """)
    with pytest.raises(ScenarioError) as caught:
        load_sweep("values.yaml")
    text = str(caught.value)
    assert "values.yaml:7:18: design.parameters.mean_degree: must be between 0 and 50 (ties), got 99.0" in text
    assert "values.yaml:6:28: design.parameters.peer_support.coverage: Input should be less than or equal to 1" \
        in text
    here("field.yaml", """
        base: peer_support
        design: {method: grid, parameters: {peer_support.budgt: [1]}}
        """)
    with pytest.raises(ScenarioError, match=r"field.yaml:2:37: design.parameters.peer_support.budgt: unknown field "
                                            r"of peer_support 'budgt'. Did you mean 'budget'?"):
        load_sweep("field.yaml")
    here("sampled.yaml", """
        base: baseline
        design: {method: latin_hypercube, parameters: {mean_degree: [1, 2]}}
        """)
    with pytest.raises(ScenarioError, match=r"sampled.yaml:2:47: design.parameters: a latin_hypercube design lists "
                                            r"parameter names"):
        load_sweep("sampled.yaml")
    here("nobase.yaml", "base: nosuch\ndesign: {method: morris, parameters: [mean_degree], trajectories: 2}\n")
    with pytest.raises(ScenarioError, match=r"nobase.yaml:1:7: base: file not found, and it is not a shipped "
                                            r"scenario.*Allowed: baseline"):
        load_sweep("nobase.yaml")


def test_intervention_settings_are_design_columns_checked_by_the_intervention():
    base = {"population_size": 300, "burn_in_years": 0,
            "interventions": [{"kind": "peer_support", "budget": 1000}]}
    df = sweep(base, grid({"peer_support.budget": [0.0, 80000.0]}), years=1, quiet=True,
               metrics=["peer_support:cost"], group_types="all")
    cost = df.groupby("peer_support.budget")["value"].sum()
    assert cost[0.0] == 0 and 0 < cost[80000.0] <= 80000
    with pytest.raises(ParameterError, match=r"peer_suport.budget: unknown intervention 'peer_suport'. Did you "
                                             r"mean 'peer_support'"):
        sweep(base, grid({"peer_suport.budget": [1.0]}), years=1, quiet=True)
    with pytest.raises(ParameterError, match=r"peer_support.targeting.gradint: unknown field of "
                                             r"peer_support.targeting 'gradint'. Did you mean 'gradient'"):
        sweep(base, grid({"peer_support.targeting.gradint": [1.0]}), years=1, quiet=True)


def test_progress_moves_while_worker_processes_run():
    seen: list[tuple[int, int]] = []
    sweep({"population_size": 6000, "burn_in_years": 0}, grid({"mean_degree": [6, 10]}), years=4, executor=2,
          progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 8) and seen[-1] == (8, 8)
    assert any(0 < done < 8 for done, _ in seen), seen  # counted year by year, not only when a run ends
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_the_sweep_command_writes_a_directory_it_can_resume(here, capsys):
    here("sweep.yaml", GOOD)
    assert main(["sweep", "sweep.yaml", "-o", "out", "--workers", "2"]) == 0
    printed = capsys.readouterr()
    assert "4 point(s) x 2 replicate(s) = 8 runs" in printed.out and "simulated years" in printed.err
    out = Path("out")
    results = pd.read_parquet(out / "results.parquet")
    assert list(results.columns[:3]) == ["peer_support.budget", "mean_degree", "run_id"]
    assert results["run_id"].nunique() == 8
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["command"] == "sweep" and manifest["runs"] == 8 and manifest["design"]["attrs"] == {
        "method": "grid"}
    assert len(list((out / "store" / "runs").glob("*.parquet"))) == 8
    stamps = {p: p.stat().st_mtime_ns for p in (out / "store" / "runs").iterdir()}
    assert main(["sweep", "sweep.yaml", "-o", "out"]) == 2
    assert "holds a finished sweep (8 run(s) stored); add --resume" in capsys.readouterr().err
    assert main(["sweep", "sweep.yaml", "-o", "out", "--resume"]) == 0  # nothing missing: nothing run again
    assert {p: p.stat().st_mtime_ns for p in (out / "store" / "runs").iterdir()} == stamps
    pd.testing.assert_frame_equal(pd.read_parquet(out / "results.parquet"), results)


def test_the_sweep_command_names_bad_options(here, capsys):
    here("sweep.yaml", GOOD)
    assert main(["sweep", "sweep.yaml", "--scheduler", "slurm-head"]) == 2
    assert "scheduler: give a Dask scheduler's address" in capsys.readouterr().err
    assert main(["sweep", "sweep.yaml", "--workers", "0"]) == 2
    assert "workers: must be a whole number from 1" in capsys.readouterr().err
    assert main(["sweep", "missing.yaml"]) == 2
    assert "missing.yaml" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["budget_by_gradient", "morris_screening", "sobol_top"])
def test_the_shipped_sweep_files_are_valid(name):
    plan = load_sweep(Path(__file__).parents[1] / "sweeps" / f"{name}.yaml")
    assert plan.runs >= 2 * len(plan.design) > 0


def test_the_sensitivity_command_analyses_a_finished_sweep(here, capsys):
    here("sobol.yaml", """
        base: baseline
        set: ["population.size=300", "time.burn_in_years=0"]
        years: 1
        replicates: 2
        design:
          method: sobol
          parameters: [stress_cmd_onset_strength, mean_degree]
          n: 4
          seed: 1
          second_order: false
        """)
    assert main(["sensitivity", "nothing"]) == 2
    assert "holds no finished sweep" in capsys.readouterr().err
    assert main(["sweep", "sobol.yaml", "-o", "sweep"]) == 0
    capsys.readouterr()
    assert main(["sensitivity", "sweep", "--output-name", "cmd_prevalence_sii",
                 "--output-name", "cmd_prevalence[Q1]"]) == 0
    printed = capsys.readouterr().out
    assert "sobol sensitivity, year 2025: ST with its 95% interval" in printed
    table = pd.read_csv(Path("sweep/sensitivity/sensitivity.csv"))
    assert set(table["output"]) == {"cmd_prevalence_sii", "cmd_prevalence[Q1]"}
    assert set(table["index"]) == {"S1", "ST"} and set(table["parameter"]) == {"stress_cmd_onset_strength",
                                                                               "mean_degree"}
    assert table["noise_share"].between(0, 1).all()
    assert Path("sweep/sensitivity/sensitivity_cmd_prevalence_sii.png").stat().st_size > 10_000
    assert json.loads(Path("sweep/sensitivity/manifest.json").read_text())["method"] == "sobol"
    assert main(["sensitivity", "sweep", "--output-name", "cmd_prevalnce_sii", "--overwrite"]) == 2
    assert "Did you mean 'cmd_prevalence_sii'" in capsys.readouterr().err
    assert main(["sensitivity", "sweep"]) == 2  # a finished analysis is not replaced without --overwrite


def test_the_sweep_command_on_a_local_dask_cluster_gives_the_same_numbers(here):
    here("sweep.yaml", GOOD.replace("replicates: 2", "replicates: 1"))
    assert main(["sweep", "sweep.yaml", "-o", "here"]) == 0
    assert main(["sweep", "sweep.yaml", "-o", "dask", "--scheduler", "local", "--workers", "2"]) == 0
    pd.testing.assert_frame_equal(pd.read_parquet("dask/results.parquet"), pd.read_parquet("here/results.parquet"))
