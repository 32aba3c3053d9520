"""No command writes into the installed package: results, calibrations and temporary files all go elsewhere."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

import pathways_sim
from pathways_sim.interfaces.cli import main

PACKAGE = Path(pathways_sim.__file__).resolve().parent
SMALL = ["--set", "population.size=600", "--set", "time.years=2", "--replicates", "1"]


def snapshot() -> dict[str, tuple[int, str]]:
    """Every file under the package (compiled bytecode aside): its mtime and its hash."""
    return {str(p.relative_to(PACKAGE)): (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(PACKAGE.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


def test_no_command_writes_into_the_package_directory(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    before = snapshot()
    commands = [
        ["--people", "300", "--years", "1"],
        ["run", "baseline", *SMALL],
        ["compare", "baseline", "peer_support", *SMALL],
        ["check", "peer_support"],
        ["list"],
        ["validate-model", "--people", "300", "--years", "1", "--replicates", "1"],
        ["calibrate", "--people", "600", "--years", "10", "--replicates", "1", "--waves", "1",
         "--runs-per-wave", "4", "--free", "lonely_threshold"],
        ["compare", "baseline", "peer_support", *SMALL, "--psa", "2", "-o", "psa_compare"],
    ]
    for command in commands:
        assert main(command) == 0, (command, capsys.readouterr().err)
    assert Path("posterior.parquet").exists() and Path("posterior.json").exists(), "calibrate writes to ./ by default"
    assert Path("posterior_report/README.md").exists() and Path("posterior_runs/runs").is_dir()
    assert Path("psa_compare/psa.csv").exists()
    assert Path("results/baseline/manifest.json").exists()
    assert Path("results/compare_baseline_vs_peer_support/manifest.json").exists()
    assert snapshot() == before


@pytest.mark.parametrize("option, target", [("--output", "data/posterior.parquet"), ("--output", "posterior.csv"),
                                            ("--store", "data/runs"), ("--report", "data/report")])
def test_calibrate_refuses_a_path_inside_the_installed_package(tmp_path, monkeypatch, capsys, option, target):
    monkeypatch.chdir(tmp_path)
    before = snapshot()
    assert main(["calibrate", "--people", "600", "--waves", "1", option, str(PACKAGE / target)]) == 2
    err = capsys.readouterr().err
    assert "inside the installed package" in err and "Traceback" not in err
    assert snapshot() == before


def test_run_refuses_an_output_directory_inside_the_package(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "baseline", "-o", str(PACKAGE / "results_here"), *SMALL]) == 2
    assert "inside the installed package" in capsys.readouterr().err
    assert not (PACKAGE / "results_here").exists()
