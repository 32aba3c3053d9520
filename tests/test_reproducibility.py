"""The same scenario and seed give bit-identical results everywhere: in-process, in a process pool of any size,
from the command line, with any number of OpenMP/BLAS threads, under any hash seed; and many runs in one process
do not leak memory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from pathways_sim.experiments.runner import run_scenario
from pathways_sim.results.outputs import results_hash

OVERRIDES = ["population.size=1500", "time.years=2", "replicates=3", "seed=11"]


def _hash_in_subprocess(tmp_path: Path, env: dict[str, str], workers: int = 1) -> str:
    """Run the scenario with the command line in a fresh interpreter and hash the results it wrote."""
    out = tmp_path / f"out-{len(list(tmp_path.iterdir()))}"
    args = [sys.executable, "-m", "pathways_sim", "run", "peer_support", "-o", str(out), "--workers", str(workers)]
    for override in OVERRIDES:
        args += ["--set", override]
    done = subprocess.run(args, env={**os.environ, **env}, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return results_hash(pd.read_parquet(out / "results.parquet"))


@pytest.mark.slow
def test_results_are_bit_identical_in_process_in_workers_and_from_the_command_line(tmp_path):
    in_process = results_hash(run_scenario("peer_support", OVERRIDES, quiet=True).results)
    pooled = {workers: results_hash(run_scenario("peer_support", OVERRIDES, workers=workers, quiet=True).results)
              for workers in (2, 3)}
    assert set(pooled.values()) == {in_process}
    for env, workers in (({"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "PYTHONHASHSEED": "1"}, 1),
                         ({"OMP_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "2", "PYTHONHASHSEED": "777"}, 2)):
        assert _hash_in_subprocess(tmp_path, env, workers) == in_process, env


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    pytest.skip("no /proc/self/status on this system")
    return 0


@pytest.mark.slow
def test_five_hundred_small_runs_in_one_process_do_not_grow_memory():
    """Memory after warming up stays within a bound as runs accumulate (no leaked arrays, agents or figures)."""
    from pathways_sim import PathwaysModel

    def one(seed: int) -> None:
        model = PathwaysModel(population_size=200, rng=seed, agents="all")
        model.run(years=1)
        model.results()

    for seed in range(50):  # warm-up: caches, allocator pools, imports
        one(seed)
    before = _rss_kib()
    for seed in range(50, 550):
        one(seed)
    grown_mib = (_rss_kib() - before) / 1024
    assert grown_mib < 40, f"RSS grew by {grown_mib:.1f} MiB over 500 runs"
