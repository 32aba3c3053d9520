"""The Python API an analyst uses: run_scenario(...).save(...), compare_scenarios, progress, figures in a
notebook, and one declaration of every outcome that tables, plots and the collector all read."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from pathways_sim.declarations.outcomes import OUTCOMES, gradient_outcomes, outcome
from pathways_sim.experiments import ComparisonResult, RunResult, compare_scenarios, run_scenario

SMALL = ["population.size=600", "time.years=2"]


@pytest.fixture(scope="module")
def run() -> RunResult:
    return run_scenario("peer_support", SMALL, replicates=2, quiet=True)


def test_run_scenario_by_shipped_name_and_save_writes_what_the_command_writes(run, tmp_path):
    assert run.arms == ["peer_support"] and run.name == "peer_support" and len(run.seeds) == 2
    written = run.save(tmp_path / "out")
    files = {p.name for p in written.iterdir()}
    assert files == {"results.parquet", "summary.csv", "outcomes_by_quintile_peer_support.png",
                     "hle_gap_over_time.png", "report.html", "manifest.json"}
    manifest = json.loads((written / "manifest.json").read_text())
    assert manifest["command"] == "run" and manifest["configuration"]["peer_support"]["population"]["size"] == 600
    assert pd.read_parquet(written / "results.parquet").equals(run.results)
    with pytest.raises(ValueError, match="already holds a complete result"):
        run.save(tmp_path / "out")
    assert run.save(tmp_path / "out", overwrite=True) == tmp_path / "out"


def test_the_summary_is_the_table_the_command_prints(run):
    summary = run.summary
    assert {"scenario", "measure", "mean", "low", "high"} == set(summary.columns)
    assert "healthy_life_expectancy gap (Q5-Q1)" in set(summary["measure"])


def test_compare_scenarios_pairs_arms_and_saves(tmp_path):
    result = compare_scenarios("baseline", ["peer_support"], [*SMALL, "time.burn_in_years=2"], replicates=2,
                               quiet=True, economics={"threshold": 30_000})
    assert isinstance(result, ComparisonResult) and result.base == "baseline"
    assert set(result.comparison["scenario"]) == {"peer_support"}
    assert len(result.equity_impact) == 2
    assert result.comparison["low"].isna().all()  # two replicates: no interval, nothing read as resolved
    assert "GBP 30,000 per QALY" in " ".join(result.comparison.attrs["conventions"])
    assert len(result.dcea) == 6 and len(result.welfare) == 4
    written = result.save(tmp_path / "cmp")
    assert {"comparison.csv", "dcea_by_quintile.csv", "equity_welfare.csv", "equity_impact.csv",
            "equity_impact_plane.png", "net_health_benefit_by_quintile.png", "hle_gap_over_time.png",
            "report.html", "results.parquet", "manifest.json"} == {p.name for p in written.iterdir()}
    assert json.loads((written / "manifest.json").read_text())["command"] == "compare"


def test_compare_refuses_clashing_names_and_different_lengths():
    from pathways_sim.experiments import ExperimentError

    with pytest.raises(ExperimentError, match="both called 'baseline'"):
        compare_scenarios("baseline", ["baseline"], SMALL, quiet=True)
    from pathways_sim.scenarios import load_scenario, shipped_scenario

    base = load_scenario(shipped_scenario("baseline"), SMALL)
    longer = load_scenario(shipped_scenario("peer_support"), ["population.size=600", "time.years=3"])
    with pytest.raises(ExperimentError, match="different numbers of years"):
        compare_scenarios(base, [longer], quiet=True)


def test_progress_callable_counts_simulated_years():
    seen = []
    run_scenario("baseline", SMALL, replicates=2, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(done, 4) for done in range(5)]  # at the start, then after every simulated year


def test_progress_true_uses_a_tqdm_bar(capsys):
    run_scenario("baseline", ["population.size=300", "time.years=1"], replicates=1)
    assert "simulated years" in capsys.readouterr().err


def test_importing_plots_leaves_the_matplotlib_backend_alone():
    code = ("import matplotlib; before = matplotlib.rcParams._get('backend'); "
            "import pathways_sim.results.plots, pathways_sim.experiments, pathways_sim.interfaces.cli; "
            "after = matplotlib.rcParams._get('backend'); "
            "assert before == after, (before, after); print(matplotlib.get_backend())")
    done = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True,
                          env={"MPLBACKEND": "pdf", "PATH": ""}, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "pdf"


def test_figures_show_themselves_in_a_notebook_without_pyplot(run):
    figures = run.figures()
    assert set(figures) == {"outcomes_by_quintile_peer_support", "hle_gap_over_time"}
    png = figures["hle_gap_over_time"]._repr_png_()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


# --------------------------------------------------------------------------------- outcomes, declared once
def test_every_declared_outcome_is_in_the_results_and_every_yearly_snapshot_is_declared(run):
    metrics = set(run.results["metric"])
    assert set(OUTCOMES) <= metrics
    snapshot = set(run.results.loc[run.results["group_type"] == "area_deprivation_decile", "metric"])
    undeclared = {m for m in snapshot if outcome(m) is None and not m.endswith("_rii") and ":" not in m
                  and m not in ("person_years", "life_table_deaths", "areas")}
    assert not undeclared, undeclared


def test_fractions_shown_as_percent_are_declared_and_lie_in_0_1(run):
    for declared in OUTCOMES.values():
        values = run.results.loc[(run.results["metric"] == declared.name) & (run.results["group"] > 0), "value"]
        values = values[np.isfinite(values)]
        if declared.percent:
            assert declared.unit == "%" and values.between(0, 1).all(), declared.name
        assert declared.better in ("lower", "higher", ""), declared.name
        assert declared.ages[0] >= 0 and declared.who, declared.name


def test_tables_plots_collector_and_summaries_read_the_declarations():
    from pathways_sim.experiments.summaries import SUMMARY_OUTCOMES
    from pathways_sim.results import collector, plots, tables

    headline = tuple(o.name for o in gradient_outcomes())
    assert collector.GRADIENT_OUTCOMES == headline == SUMMARY_OUTCOMES == tuple(tables.TABLE_METRICS)
    assert tuple(o.name for o in gradient_outcomes() if o.binary) == collector.BINARY_OUTCOMES
    assert tuple(plots.PANELS) == headline
    assert tables.TABLE_METRICS["cmd_prevalence"] == "mental disorder %"
    assert plots.PANELS["smoking_prevalence"] == "Smoking (%)"


def test_the_health_gap_table_scales_by_the_declaration_not_the_name(run):
    from pathways_sim.results.tables import health_gap_table

    one = run.results[(run.results["scenario"] == "peer_support") & (run.results["replicate"] == 0)]
    table = health_gap_table(one.drop(columns=["scenario", "replicate"]))
    final = one[(one["year"] == one["year"].max()) & (one["group_type"] == "area_deprivation_quintile")]
    cmd_q1 = final[(final["metric"] == "cmd_prevalence") & (final["group"] == 1)]["value"].item()
    stress_q1 = final[(final["metric"] == "mean_stress") & (final["group"] == 1)]["value"].item()
    assert table.loc["1", "mental disorder %"] == pytest.approx(100 * cmd_q1)
    assert table.loc["1", "stress"] == pytest.approx(stress_q1)


def test_one_helper_selects_a_metric_of_a_group():
    from pathways_sim.results.frames import select

    rows = pd.DataFrame({"year": [1, 1, 1], "group_type": ["all", "sex", "sex"], "group": [0, 1, 2],
                         "metric": ["m", "m", "m"], "value": [1.0, 2.0, 3.0]})
    assert select(rows, "m", "sex", 2)["value"].tolist() == [3.0]
