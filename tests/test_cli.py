"""The pathways-sim command: run, compare, check, list — outputs a modeller can trust, exit codes, messages."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from pathways_sim.interfaces.cli import main
from pathways_sim.scenarios import shipped_scenario

SMALL = ["--set", "population.size=600", "--set", "time.years=2", "--replicates", "2"]


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")

    def write(name: str, text: str) -> str:
        Path(name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return name
    return write


def test_run_writes_tidy_results_plots_report_and_manifest_last(here, capsys):
    assert main(["run", str(shipped_scenario("peer_support")), "-o", "out", *SMALL]) == 0
    printed = capsys.readouterr()
    assert "healthy_life_expectancy gap (Q5-Q1)" in printed.out and "cost (total over run)" in printed.out
    assert "simulated years" in printed.err  # the progress bar
    out = Path("out")
    results = pd.read_parquet(out / "results.parquet")
    assert list(results.columns) == ["scenario", "replicate", "year", "group_type", "group", "metric", "value"]
    assert set(results.replicate) == {0, 1} and set(results.scenario) == {"peer_support"}
    assert {"all", "area_deprivation_decile", "area_deprivation_quintile", "income_quintile", "sex"} <= set(
        results.group_type)
    assert {"population", "life_expectancy", "healthy_life_expectancy", "not_good_health_prevalence",
            "cmd_prevalence", "smoking_prevalence", "loneliness_prevalence", "mean_stress", "cost",
            "healthy_life_expectancy_sii", "healthy_life_expectancy_rii"} <= set(results.metric)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 2025 and len(manifest["replicate_seeds"]) == 2
    assert manifest["configuration"]["peer_support"]["population"]["size"] == 600
    assert manifest["packages"]["mesa"] and manifest["wall_seconds"] > 0
    assert set(manifest["files"]) >= {"results.parquet", "report.html", "summary.csv",
                                      "outcomes_by_quintile_peer_support.png", "hle_gap_over_time.png"}
    report = (out / "report.html").read_text()
    assert "data:image/png;base64," in report and "<script" not in report and "http" not in report.split(
        "<h2>What ran")[0]
    assert not list(out.glob(".*tmp"))


def test_an_interrupted_run_leaves_no_manifest(here, monkeypatch):
    from pathways_sim.results import outputs

    real_write = outputs.atomic_write_bytes

    def interrupted_at_the_report(path, data):
        if path.name == "report.html":
            raise KeyboardInterrupt
        real_write(path, data)
    assert main(["run", str(shipped_scenario("baseline")), "-o", "out", *SMALL]) == 0
    assert Path("out/manifest.json").exists()
    monkeypatch.setattr(outputs, "atomic_write_bytes", interrupted_at_the_report)
    assert main(["run", str(shipped_scenario("baseline")), "-o", "out", *SMALL]) == 130  # Ctrl-C: aborted
    assert not Path("out/manifest.json").exists(), "a half-rewritten directory must not look complete"


def test_compare_reports_paired_changes_cost_and_the_equity_plane(here, capsys):
    code = main(["compare", str(shipped_scenario("baseline")), str(shipped_scenario("peer_support")),
                 "-o", "cmp", *SMALL])
    assert code == 0
    printed = capsys.readouterr().out
    assert "change against baseline" in printed and "cost per healthy life year gained" in printed
    table = pd.read_csv("cmp/comparison.csv")
    assert set(table.scenario) == {"peer_support"}
    assert {"healthy_life_expectancy SII", "cost (total over run)", "healthy life years (total over run)"} <= set(
        table["change in"])
    assert Path("cmp/equity_impact_plane.png").stat().st_size > 10_000
    assert len(pd.read_csv("cmp/equity_impact.csv")) == 2  # one point per replicate


def test_check_and_list(here, capsys):
    assert main(["check", str(shipped_scenario("proportionate_universalism"))]) == 0
    assert "arms: no_intervention, universal, targeted, proportionate" in capsys.readouterr().out
    assert main(["list"]) == 0
    listed = capsys.readouterr().out
    for expected in ("baseline.yaml", "peer_support", "community_wealth_building", "median_income",
                     "loneliness_withdrawal"):
        assert expected in listed
    assert main(["list", "nonsense"]) == 2


@pytest.mark.parametrize("text, message", [
    ("population: {size: 500\n", "bad.yaml:2:1: YAML syntax error: expected ',' or '}'"),
    ("populaton: {size: 500}\n", "bad.yaml:1:1: populaton: unknown key"),
    ("population: {size: many}\n", "bad.yaml:1:20: population.size:"),
    ("population: {size: -5}\n", "bad.yaml:1:20: population.size:"),
    ("extends: nowhere.yaml\n", "bad.yaml:1:10: extends:"),
])
def test_bad_files_exit_2_with_line_and_column(here, capsys, text, message):
    here("bad.yaml", text)
    assert main(["check", "bad.yaml"]) == 2
    err = capsys.readouterr().err
    assert message in err, err
    assert "Traceback" not in err


def test_missing_file_and_bad_set_exit_2(here, capsys):
    assert main(["run", "missing.yaml"]) == 2
    assert "missing.yaml" in capsys.readouterr().err
    assert main(["check", str(shipped_scenario("baseline")), "--set", "population.sise=5"]) == 2
    assert "<--set>" in capsys.readouterr().err


def test_usage_errors_exit_2(here, capsys):
    assert main(["run"]) == 2
    assert main(["frobnicate"]) == 2


def test_validate_model_reports_figures_not_used_in_calibration(here, capsys):
    from pathways_sim.analysis.validation import FIGURES

    targets = (Path(__file__).resolve().parents[1] / "pathways_sim" / "data" / "england_targets.csv").read_text()
    for figure in FIGURES:
        assert figure.source and figure.tolerance > 0
        assert str(figure.value) not in targets.split("\n", 1)[1].replace(",", " ").split(), figure.name
    assert main(["validate-model", "--people", "800", "--years", "2", "--replicates", "2"]) == 0
    printed = capsys.readouterr().out
    assert all(figure.name in printed for figure in FIGURES)
    assert main(["validate-model", "--people", "-3"]) == 2
