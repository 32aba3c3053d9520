"""Parameter sweeps: designs, the sweep's tidy table, executors giving identical numbers, a resumable store."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pandas as pd
import pytest

from pathways_sim import PARAMETERS, ParameterError
from pathways_sim.experiments import (
    ALL,
    DaskExecutor,
    ExperimentError,
    InProcessExecutor,
    ProcessExecutor,
    RunStore,
    SweepWarning,
    compact,
    grid,
    latin_hypercube,
    morris_design,
    sobol_design,
    sweep,
)
from pathways_sim.experiments import sweeps as sweeps_module

SMALL = {"population_size": 300}
SORT = ["point", "replicate", "year", "group_type", "group", "metric"]


def _inside_plausible(design: pd.DataFrame) -> None:
    for name in design.columns:
        lo, hi = PARAMETERS[name].plausible
        assert design[name].between(lo, hi).all(), name
        if PARAMETERS[name].integer:
            assert design[name].dtype == np.int64


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(df).sort_values(SORT).reset_index(drop=True)


# ------------------------------------------------------------------------------------------------ designs
def test_grid_crosses_the_values():
    design = grid({"mean_degree": [6, 8, 10], "step_months": [1, 3]})
    assert design.shape == (6, 2)
    assert design["mean_degree"].tolist() == [6.0, 6.0, 8.0, 8.0, 10.0, 10.0]
    assert design["step_months"].dtype == np.int64


def test_latin_hypercube_fills_the_plausible_ranges_reproducibly():
    names = ["mean_degree", "fertility_age_min", "people_per_area"]
    design = latin_hypercube(names, 20, seed=3)
    assert design.shape == (20, 3) and list(design.columns) == names
    _inside_plausible(design)
    lo, hi = PARAMETERS["mean_degree"].plausible
    strata = np.floor((design["mean_degree"] - lo) / (hi - lo) * 20).clip(0, 19)
    assert sorted(strata.astype(int)) == list(range(20))  # one point in each of the 20 strata
    assert design.equals(latin_hypercube(names, 20, seed=3))
    assert not design.equals(latin_hypercube(names, 20, seed=4))


def test_sobol_and_morris_designs_have_salibs_shapes():
    names = ["mean_degree", "fertility_age_min", "step_months"]
    sobol = sobol_design(names, 8, seed=1)
    assert sobol.shape == (8 * (2 * 3 + 2), 3)
    assert sobol_design(names, 8, seed=1, second_order=False).shape == (8 * (3 + 2), 3)
    assert sobol.attrs["method"] == "sobol" and sobol.attrs["problem"]["names"] == names
    _inside_plausible(sobol)
    morris = morris_design(names, 5, seed=1)
    assert morris.shape == (5 * (3 + 1), 3)
    _inside_plausible(morris)


def test_designs_name_a_bad_parameter():
    with pytest.raises(ParameterError, match=r"mean_degre.*Did you mean 'mean_degree'"):
        latin_hypercube(["mean_degre"], 4)
    with pytest.raises(ParameterError, match=r"mean_degree: at point 1: must be between 0 and 50"):
        grid({"mean_degree": [6, 99]})
    with pytest.raises(ParameterError, match="mean_degree: at point 0"):
        sweep(SMALL, pd.DataFrame({"mean_degree": [-1.0]}), years=1, quiet=True)
    with pytest.raises(ParameterError, match="step_months: at point 0: must be a whole number"):
        sweep(SMALL, pd.DataFrame({"step_months": [2.5]}), years=1, quiet=True)
    with pytest.raises(ParameterError, match="n: must be a whole number"):
        sobol_design(["mean_degree"], 0)


# ------------------------------------------------------------------------------------------------ a sweep
def test_a_sweep_is_tidy_with_the_parameters_as_columns(tmp_path):
    design = grid({"mean_degree": [6, 10], "step_months": [1, 3]})
    df = sweep(SMALL, design, replicates=2, years=2, seed=7, quiet=True, store=tmp_path)
    assert list(df.columns) == ["mean_degree", "step_months", "run_id", "point", "replicate", "year",
                                "group_type", "group", "metric", "value"]
    assert sorted(df.groupby(["point", "replicate"]).size().index) == [(p, r) for p in range(4) for r in range(2)]
    assert df["run_id"].nunique() == 8 and df.failures.empty
    assert set(df["group_type"]) <= {"all", "area_deprivation_quintile"}
    assert {"cmd_prevalence_sii", "cmd_prevalence", "healthy_life_expectancy"} <= set(df["metric"])
    assert (df.groupby("point")["mean_degree"].nunique() == 1).all()
    # common random numbers: replicate r has the same seed at every point
    store = RunStore(tmp_path)
    seeds = df[["point", "replicate", "run_id"]].drop_duplicates()
    seeds["seed"] = [store.description(key)["seed"] for key in seeds["run_id"]]
    assert (seeds.groupby("replicate")["seed"].nunique() == 1).all()
    assert seeds.groupby("point")["seed"].nunique().eq(2).all()
    # chosen rows
    one = sweep(SMALL, design.iloc[:1], years=2, seed=7, quiet=True, metrics=["cmd_prevalence"], group_types=ALL)
    assert set(one["metric"]) == {"cmd_prevalence"} and len(set(one["group_type"])) > 2


def test_a_stored_sweep_runs_only_what_is_missing(tmp_path, monkeypatch):
    first = sweep(SMALL, grid({"mean_degree": [6, 10]}), years=1, quiet=True, store=tmp_path)
    calls = []
    real = sweeps_module.run_point
    monkeypatch.setattr(sweeps_module, "run_point", lambda *args: calls.append(args) or real(*args))
    again = sweep(SMALL, grid({"mean_degree": [6, 8, 10]}), years=1, quiet=True, store=tmp_path)
    assert len(calls) == 1 and calls[0][0]["params"]["mean_degree"] == 8.0
    assert len(RunStore(tmp_path)) == 3
    pd.testing.assert_frame_equal(pd.DataFrame(again[again["point"] != 1]).drop(columns="point").reset_index(drop=True),
                                  pd.DataFrame(first).drop(columns="point").reset_index(drop=True))
    out = compact(tmp_path, tmp_path / "dataset")
    data = pd.read_parquet(out)
    assert data["run_id"].nunique() == 3 and "mean_degree" in data.columns
    assert (out / "metric=cmd_prevalence_sii").is_dir()
    with pytest.raises(ExperimentError, match="exists"):
        compact(tmp_path, out)


def test_a_failing_run_is_recorded_and_the_others_complete(tmp_path, monkeypatch):
    real = sweeps_module.run_point

    def fragile(model_kwargs, seed, years, start=None):
        if model_kwargs["params"]["mean_degree"] == 8.0:
            raise FloatingPointError("the model diverged at mean_degree 8")
        return real(model_kwargs, seed, years, start)

    monkeypatch.setattr(sweeps_module, "run_point", fragile)
    with pytest.warns(SweepWarning, match="2 of 6 runs failed.*point 1.*diverged"):
        df = sweep(SMALL, grid({"mean_degree": [6, 8, 10]}), replicates=2, years=1, quiet=True, store=tmp_path)
    assert sorted(df["point"].unique()) == [0, 2]
    assert df.failures[["point", "replicate"]].values.tolist() == [[1, 0], [1, 1]]
    assert (df.failures["error"] == "FloatingPointError").all() and (df.failures["mean_degree"] == 8.0).all()
    recorded = RunStore(tmp_path).failures()
    assert len(recorded) == 2
    assert "diverged" in next(iter(recorded.values()))["message"]
    monkeypatch.setattr(sweeps_module, "run_point", real)  # fixed: the re-run runs just the failed ones
    df = sweep(SMALL, grid({"mean_degree": [6, 8, 10]}), replicates=2, years=1, quiet=True, store=tmp_path)
    assert df.failures.empty and df["run_id"].nunique() == 6 and not RunStore(tmp_path).failures()


# ------------------------------------------------------------------------------------------------ executors
def test_executors_have_the_concurrent_futures_shape():
    with InProcessExecutor() as here:
        assert list(here.map(pow, [2, 3], [2, 2])) == [4, 9]
        failed = here.submit(int, "x")
        assert next(iter(here.as_completed([failed]))) is failed
        with pytest.raises(ValueError):
            failed.result()


def test_a_local_process_pool_gives_the_same_numbers():
    design = grid({"mean_degree": [6, 10]})
    here = sweep(SMALL, design, replicates=2, years=1, seed=11, quiet=True)
    with ProcessExecutor(2) as pool:
        there = sweep(SMALL, design, replicates=2, years=1, seed=11, quiet=True, executor=pool)
    assert _sorted(here).equals(_sorted(there))


def test_dask_local_cluster_gives_the_same_numbers_as_in_process():
    pytest.importorskip("distributed")
    design = grid({"mean_degree": [5, 12], "fertility_age_min": [16, 20]})
    here = sweep(SMALL, design, replicates=2, years=1, seed=5, quiet=True)
    with DaskExecutor(n_workers=2) as dask:
        there = sweep(SMALL, design, replicates=2, years=1, seed=5, quiet=True, executor=dask)
        workers = dask.client.scheduler_info()["workers"]
    assert len(workers) == 2 and all("127.0.0.1" in address for address in workers)
    assert _sorted(here).equals(_sorted(there))


# ------------------------------------------------------------------------------------------------ crash and resume
KILLED_SWEEP = textwrap.dedent("""
    import sys
    from pathways_sim.experiments import grid, sweep
    sweep({"population_size": 300}, grid({"mean_degree": [4, 5, 6, 7, 8, 9, 10, 11]}), replicates=2, years=2,
          seed=3, store=sys.argv[1], quiet=True)
""")


def test_a_sweep_killed_midway_resumes_with_every_run_once(tmp_path):
    store = tmp_path / "store"
    process = subprocess.Popen([sys.executable, "-c", KILLED_SWEEP, str(store)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while len(list((store / "runs").glob("*.parquet"))) < 3:
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            assert time.monotonic() < deadline, "the sweep stored nothing within a minute"
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(30)
    stored = len(list((store / "runs").glob("*.parquet")))
    assert 3 <= stored < 16, "the sweep was not killed midway"
    (store / "runs" / ".deadbeef.parquet.x1y2.tmp").write_bytes(b"half a file")  # as a kill mid-write leaves
    df = sweep({"population_size": 300}, grid({"mean_degree": [4, 5, 6, 7, 8, 9, 10, 11]}), replicates=2,
               years=2, seed=3, store=store, quiet=True)
    files = sorted(p.name for p in store.rglob("*") if p.is_file())
    assert len(files) == 16 and all(name.endswith(".parquet") and not name.startswith(".") for name in files)
    assert df["run_id"].nunique() == 16 and df.failures.empty
    assert df.groupby(["point", "replicate"])["run_id"].nunique().eq(1).all()
    assert df.groupby("run_id").size().nunique() == 1  # each run's rows once, no duplicate
    fresh = sweep({"population_size": 300}, grid({"mean_degree": [4, 11]}), replicates=2, years=2, seed=3,
                  quiet=True)
    resumed = df[df["point"].isin([0, 7])].assign(point=lambda d: d["point"].replace(7, 1))
    assert _sorted(resumed).equals(_sorted(fresh))


def test_bad_sweep_arguments_are_named(tmp_path):
    design = grid({"mean_degree": [6]})
    with pytest.raises(ExperimentError, match="years"):
        sweep(SMALL, design, quiet=True)
    with pytest.raises(ExperimentError, match="executor"):
        sweep(SMALL, design, years=1, quiet=True, executor="slurm")
    with pytest.raises(ExperimentError, match="replicates"):
        sweep(SMALL, design, years=1, quiet=True, replicates=0)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ExperimentError, match="is a file"):
        sweep(SMALL, design, years=1, quiet=True, store=tmp_path / "file")


def test_a_sweep_directory_gives_back_its_design_exactly(tmp_path):
    """The design read back from a sweep directory has its integer columns, float values and attrs as run:
    a sensitivity analysis needs the attrs (method, ranges, seed) and a CSV keeps none of them."""
    from pathways_sim.experiments.designs import grid
    from pathways_sim.experiments.sweep_outputs import read_sweep, write_sweep

    design = grid({"step_months": [1, 3], "tie_loss_rate": [0.1, 1 / 3]})
    results = pd.DataFrame({"run_id": [0], "metric": ["hle"], "value": [60.0]})
    write_sweep(tmp_path / "sweep", results, design, {"command": "sweep"})
    _, back, _ = read_sweep(tmp_path / "sweep")
    pd.testing.assert_frame_equal(back, design)
    assert back.attrs == design.attrs and back["step_months"].dtype == "int64"
