"""Shipped scenarios are found by their bare name from anywhere — ``run peer_support``, ``extends: baseline``
— not only from inside the repository: each test runs the command line in a directory outside the clone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pathways_sim.scenarios import load_scenario, shipped_scenario

SMALL = ["--set", "population.size=2000", "--set", "time.years=2", "--set", "replicates=1"]


def cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pathways_sim", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600, check=False)


def test_run_a_shipped_scenario_by_name_outside_the_clone(tmp_path):
    done = cli(["run", "peer_support", *SMALL, "-o", "OUT"], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    manifest = json.loads((tmp_path / "OUT" / "manifest.json").read_text(encoding="utf-8"))
    assert "peer_support" in json.dumps(manifest)
    assert (tmp_path / "OUT" / "results.parquet").is_file()


def test_a_user_file_extends_a_shipped_scenario_by_name(tmp_path):
    (tmp_path / "mine.yaml").write_text("extends: baseline\nname: mine\ninterventions: [{kind: peer_support}]\n",
                                        encoding="utf-8")
    done = cli(["run", "mine.yaml", "--set", "population.size=500", "--set", "time.years=1", "--set",
                "replicates=1", "--set", "outputs.plots=false", "-o", "OUT"], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "OUT" / "results.parquet").is_file()
    (tmp_path / "suffix.yaml").write_text("extends: baseline.yaml\n", encoding="utf-8")
    assert cli(["check", "suffix.yaml"], tmp_path).returncode == 0


def test_a_file_beside_the_scenario_wins_over_a_shipped_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "baseline.yaml").write_text("seed: 99\n", encoding="utf-8")
    (tmp_path / "mine.yaml").write_text("extends: baseline\n", encoding="utf-8")
    (tmp_path / "theirs.yaml").write_text("extends: baseline.yaml\n", encoding="utf-8")
    assert load_scenario("theirs.yaml").seed == 99  # the local baseline.yaml
    shipped = load_scenario(shipped_scenario("baseline")).seed
    assert load_scenario("mine.yaml").seed == shipped  # "baseline" (no file of that name here): the shipped one
    assert load_scenario("baseline").seed == shipped  # a bare name with no such file here: shipped
    assert load_scenario("baseline.yaml").seed == 99  # a file here comes first
