"""The pathways-sim command: run, compare, check, list — outputs a modeller can trust, exit codes, messages."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from pathways_sim.interfaces.cli import main
from pathways_sim.scenarios import shipped_scenario

SMALL = ["--set", "population.size=600", "--set", "time.years=2", "--replicates", "2"]


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
            "cmd_prevalence_sii", "cmd_prevalence_rii", "life_table_deaths"} <= set(results.metric)
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


def test_an_interrupted_rerun_keeps_the_previous_result(here, monkeypatch, capsys):
    from pathways_sim.results import outputs

    real_write = outputs.atomic_write_bytes

    def interrupted_at_the_report(path, data):
        if path.name == "report.html":
            raise KeyboardInterrupt
        real_write(path, data)
    assert main(["run", str(shipped_scenario("baseline")), "-o", "out", *SMALL]) == 0
    before = Path("out/manifest.json").read_bytes()
    capsys.readouterr()
    monkeypatch.setattr(outputs, "atomic_write_bytes", interrupted_at_the_report)
    assert main(["run", str(shipped_scenario("baseline")), "-o", "out", "--overwrite", *SMALL]) == 130  # Ctrl-C
    err = capsys.readouterr().err
    assert "interrupted" in err and "Traceback" not in err
    assert Path("out/manifest.json").read_bytes() == before, "a failed rerun must leave the previous result whole"
    assert sorted(p.name for p in Path(".").iterdir()) == ["out"], "no temporary directory left behind"


def test_compare_reports_paired_changes_cost_and_the_equity_plane(here, capsys):
    # Five replicates (intervals are shown from five), a short burn-in and a small population: the economics and
    # the equity impact plane read quintile person-years, which every run has.
    code = main(["compare", str(shipped_scenario("baseline")), str(shipped_scenario("peer_support")),
                 "-o", "cmp", "--set", "population.size=600", "--set", "time.years=2",
                 "--set", "time.burn_in_years=2", "--replicates", "5", "--discount-rate", "0.015"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "change against baseline" in printed and "cost per healthy life year gained" in printed
    assert "in short:" in printed and "how to read:" in printed and "1.5% a year" in printed
    table = pd.read_csv("cmp/comparison.csv")
    assert set(table.scenario) == {"peer_support"}
    assert {"Healthy life expectancy: slope index across area deprivation deciles",
            "cost (discounted 1.5% a year)", "healthy life years (discounted 1.5% a year)",
            "QALYs (discounted 1.5% a year)", "cost per QALY gained (discounted)"} <= set(table["change in"])
    gaps = table[table["change in"].str.contains("gap|slope index")]
    assert set(gaps["reading"]) <= {"narrowed", "widened", "not resolved", "unchanged"}
    assert table.loc[table["change in"] == "Common mental disorder (all)", "unit"].item() == "percentage points"
    dcea = pd.read_csv("cmp/dcea_by_quintile.csv")
    assert list(dcea["area deprivation quintile"]) == ["Q1 (most deprived)", "Q2", "Q3", "Q4",
                                                       "Q5 (least deprived)", "all quintiles"]
    assert Path("cmp/equity_impact_plane.png").stat().st_size > 10_000
    assert len(pd.read_csv("cmp/equity_impact.csv")) == 5  # one point per replicate
    report = Path("cmp/report.html").read_text()
    assert "In short" in report and "How to read this table" in report and "by area deprivation quintile" in report


def test_compare_refuses_bad_economic_settings_before_running(here, capsys):
    code = main(["compare", "baseline", "peer_support", "-o", "cmp", *SMALL, "--discount-rate", "-0.1"])
    assert code != 0
    assert "discount_rate" in capsys.readouterr().err and not Path("cmp").exists()


def test_a_multi_arm_run_compares_its_arms_with_the_first(here, capsys):
    here("two.yaml", """
        extends: baseline
        name: two
        arms:
          none: {interventions: []}
          peer: {interventions: [{kind: peer_support}]}
        """)
    assert main(["run", "two.yaml", "-o", "out", *SMALL, "--set", "time.burn_in_years=2"]) == 0
    printed = capsys.readouterr().out
    assert "change against none: peer" in printed
    assert set(pd.read_csv("out/comparison.csv")["scenario"]) == {"peer"}
    assert Path("out/dcea_by_quintile.csv").exists() and Path("out/equity_impact_plane.png").exists()
    report = Path("out/report.html").read_text()
    assert report.index("Change against none") < report.index("Levels in the final year")



def test_a_multi_arm_run_compares_its_arms_with_the_base_it_names(here, capsys):
    here("two.yaml", """
        extends: baseline
        name: two
        base: none
        arms:
          peer: {interventions: [{kind: peer_support}]}
          none: {interventions: []}
        """)
    assert main(["run", "two.yaml", "-o", "out", *SMALL, "--set", "time.burn_in_years=2"]) == 0
    assert "change against none: peer" in capsys.readouterr().out
    assert set(pd.read_csv("out/comparison.csv")["scenario"]) == {"peer"}
    here("bad.yaml", """
        extends: baseline
        base: nun
        arms:
          peer: {interventions: [{kind: peer_support}]}
          none: {interventions: []}
        """)
    assert main(["check", "bad.yaml"]) == 2
    assert "bad.yaml:2:7: base: unknown arm 'nun'. Allowed: none, peer" in \
        capsys.readouterr().err


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


# ------------------------------------------------------------------------------- one application, one line
def test_help_lists_every_command_and_the_main_job_options(here, capsys):
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    for command in ("run", "compare", "check", "list", "validate-model", "calibrate"):
        assert command in text, command
    for option in ("--people", "--years", "--seed", "--grouping", "--off"):
        assert option in text, option


@pytest.mark.parametrize("args, message", [
    (["run"], "Missing argument"),
    (["frobnicate"], "No such command 'frobnicate'"),
    (["run", "baseline", "--workers", "many"], "Invalid value for '--workers'"),
    (["--years", "inf"], "years: must be a whole, finite number of years, got 'inf'"),
    (["--years", "nan"], "years: must be a whole, finite number of years, got 'nan'"),
    (["--years", "2.5"], "years: must be a whole, finite number of years, got '2.5'"),
    (["--years", "-3"], "years: must be at least 1, got '-3'"),
    (["--years", "0"], "years: must be at least 1"),
    (["--grouping", "postcode"], "unknown grouping 'postcode'"),
    (["--people", "300", "run", "baseline"], "--people: options of the main job"),
    (["validate-model", "--years", "inf"], "years: must be a whole, finite number of years"),
])
def test_bad_input_is_one_line_with_exit_code_2(here, capsys, args, message):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err, err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err


@pytest.mark.parametrize("workers", ["0", "-1", "10000"])
def test_workers_are_bounded_with_the_allowed_range_named(here, capsys, workers):
    from pathways_sim.experiments.parallel import max_workers

    assert main(["run", "baseline", "-o", "out", "--workers", workers, *SMALL]) == 2
    err = capsys.readouterr().err
    assert f"workers: must be a whole number from 1 to {max_workers()}" in err
    assert not Path("out").exists()


def test_list_parameters_piped_prints_every_name_whole(here, capsys):
    from pathways_sim import PARAMETERS

    assert main(["list", "parameters"]) == 0
    lines = capsys.readouterr().out.splitlines()
    first_fields = {line.split("\t")[0] for line in lines}
    assert set(PARAMETERS) <= first_fields
    assert "stress_depletes_resilience_strength" in first_fields
    assert not any("…" in line for line in lines)


def test_list_parameters_through_a_real_pipe(here):
    import subprocess
    import sys

    from pathways_sim import PARAMETERS

    done = subprocess.run([sys.executable, "-m", "pathways_sim", "list", "parameters"], check=False,
                          capture_output=True, text=True, env={**os.environ, "COLUMNS": "40"}, timeout=120)
    assert done.returncode == 0, done.stderr
    names = {line.split("\t")[0] for line in done.stdout.splitlines()}
    assert set(PARAMETERS) <= names


def test_list_on_a_narrow_terminal_folds_but_never_cuts(here, monkeypatch, capsys):
    from pathways_sim import PARAMETERS
    from pathways_sim.interfaces import console

    monkeypatch.setattr(console, "out", console.Console(width=60, force_terminal=True, color_system=None))
    from pathways_sim.interfaces.commands import info

    monkeypatch.setattr(info, "emit_table", console.emit_table)
    assert main(["list", "parameters"]) == 0
    text = capsys.readouterr().out
    assert "…" not in text
    assert all(len(line) <= 60 for line in text.splitlines())
    first_column = "".join(line.split("│")[1].strip() for line in text.splitlines() if line.startswith("│"))
    for name in PARAMETERS:  # read down the first column: every name is there, in pieces where it folds
        assert name in first_column, name


# ------------------------------------------------------------------------------- output directories
def test_a_complete_result_is_replaced_only_with_overwrite(here, capsys):
    scenario = str(shipped_scenario("baseline"))
    assert main(["run", scenario, "-o", "out", *SMALL]) == 0
    first = json.loads(Path("out/manifest.json").read_text())
    Path("out/notes.txt").write_text("mine")  # a file of the user's own
    capsys.readouterr()
    assert main(["run", scenario, "-o", "out", *SMALL, "--seed", "9"]) == 2
    assert "already holds a complete result" in capsys.readouterr().err
    assert json.loads(Path("out/manifest.json").read_text()) == first
    assert main(["run", scenario, "-o", "out", *SMALL, "--seed", "9", "--overwrite"]) == 0
    second = json.loads(Path("out/manifest.json").read_text())
    assert second["seed"] == 9 and second["files"] == first["files"]
    assert Path("out/notes.txt").read_text() == "mine"
    assert sorted(p.name for p in Path(".").iterdir()) == ["out"]


def test_overwrite_removes_the_files_the_old_manifest_lists(here):
    assert main(["run", "proportionate_universalism", "-o", "out", *SMALL, "--replicates", "1"]) == 0
    arms_plot = Path("out/outcomes_by_quintile_targeted.png")
    assert arms_plot.exists()
    assert main(["run", "baseline", "-o", "out", *SMALL, "--overwrite"]) == 0
    assert not arms_plot.exists()
    listed = set(json.loads(Path("out/manifest.json").read_text())["files"])
    assert {p.name for p in Path("out").iterdir()} == listed | {"manifest.json"}


@pytest.mark.parametrize("output, message", [
    ("", "the path is empty"),
    ("a_file", "is a file, not a directory"),
    ("a_file/inside", "is a file, so a_file/inside cannot be a directory"),
])
def test_unusable_output_paths_fail_before_simulating(here, capsys, output, message):
    Path("a_file").write_text("x")
    assert main(["run", "baseline", "-o", output, *SMALL]) == 2
    err = capsys.readouterr()
    assert message in err.err and "simulated years" not in err.err, err.err


def test_an_unwritable_or_full_place_fails_before_simulating(here, monkeypatch, capsys):
    import errno

    from pathways_sim.results import outputs

    def full(folder, name):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(outputs, "_probe", full)
    assert main(["run", "baseline", "-o", "out", *SMALL]) == 2
    err = capsys.readouterr().err
    assert "no space left on the device" in err and "simulated years" not in err
    monkeypatch.undo()
    if os.path.isdir("/proc/self"):  # a place no one can write, root included
        assert main(["run", "baseline", "-o", "/proc/self/out", *SMALL]) == 2
        assert "cannot write to /proc/self/out" in capsys.readouterr().err


def test_leftovers_of_a_killed_run_are_cleaned_at_the_next_run(here):
    import subprocess

    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = Path(".out.abc123.new.tmp")
    stale.mkdir()
    (stale / ".owner").write_text(str(dead.pid))
    (stale / "results.parquet").write_bytes(b"half")
    Path("out").mkdir()
    Path("out/.results.parquet.x1y2.tmp").write_bytes(b"half")
    assert main(["run", "baseline", "-o", "out", *SMALL]) == 0
    assert not stale.exists()
    assert not list(Path("out").glob(".*.tmp"))
    assert (Path("out") / "manifest.json").exists()


def test_a_result_caught_mid_swap_is_restored(here):
    from pathways_sim.results.outputs import clean_leftovers

    assert main(["run", "baseline", "-o", "out", *SMALL]) == 0
    os.rename("out", ".out.k1.old.tmp")  # killed after moving the old result aside, before the new one came in
    clean_leftovers(Path("out"))
    assert Path("out/manifest.json").exists() and not Path(".out.k1.old.tmp").exists()


def test_the_manifest_is_strict_json_with_null_for_non_finite_numbers(here):
    from pathways_sim.results.outputs import strict_json

    assert main(["run", "baseline", "-o", "out", *SMALL]) == 0

    def refuse(constant):
        raise AssertionError(f"non-standard JSON constant {constant}")
    json.loads(Path("out/manifest.json").read_text(), parse_constant=refuse)
    assert json.loads(strict_json({"a": float("nan"), "b": [float("inf"), 1.5]})) == {"a": None, "b": [None, 1.5]}


# ------------------------------------------------------------------------------- resources
def test_a_large_run_prints_an_estimate_and_one_too_big_for_memory_is_refused(here, monkeypatch, capsys):
    from pathways_sim.experiments import resources

    monkeypatch.setattr(resources, "LARGE_PERSON_YEARS", 1)
    assert main(["run", "baseline", "-o", "ok", *SMALL]) == 0
    err = capsys.readouterr().err
    assert "estimate:" in err and "peak memory about" in err and "time about" in err
    monkeypatch.setattr(resources, "available_memory", lambda: 1000)
    assert main(["run", "baseline", "-o", "big", *SMALL]) == 2
    err = capsys.readouterr().err
    assert "needs more memory than is available" in err and "--force" in err and not Path("big").exists()
    assert main(["run", "baseline", "-o", "big", *SMALL, "--force"]) == 0
    assert main(["--people", "300", "--years", "1"]) == 2
    assert main(["--people", "300", "--years", "1", "--force"]) == 0


def test_the_estimate_grows_with_people_and_workers():
    from pathways_sim.experiments import resources

    sample = resources.Sample(120.0, 150e6, 1e-5, 1.5e-6, 12, 600.0)
    small = resources.estimate(100_000, 10, 2, 1, sample)
    large = resources.estimate(1_000_000, 10, 2, 1, sample)
    parallel = resources.estimate(1_000_000, 10, 2, 2, sample)
    assert small.peak_bytes < large.peak_bytes < parallel.peak_bytes
    assert parallel.seconds < large.seconds
    assert large.peak_bytes == pytest.approx(150e6 + 600 * 1_000_000 + 2 * 600 * 10 * 2 * 120, rel=1e-9)


def test_compare_refuses_scenarios_that_are_not_comparable_and_names_the_differences(here, capsys):
    here("small.yaml", """
        extends: baseline
        seed: 1
        population: {size: 1000}
        time: {years: 1}
        """)
    here("big.yaml", """
        extends: peer_support
        seed: 99
        population: {size: 3000}
        time: {years: 1, step_months: 3}
        """)
    assert main(["compare", "small.yaml", "big.yaml", "-o", "cmp"]) == 2
    message = capsys.readouterr().err
    for difference in ("population size: small 1000, big 3000", "step length (months): small 1, big 3",
                       "seed: small 1, big 99", "--allow-differences"):
        assert difference in message
    assert not Path("cmp").exists()


def test_follow_up_is_checked_before_anything_runs(here, capsys):
    assert main(["compare", "baseline", "peer_support", "-o", "cmp", *SMALL, "--follow-up", "-1"]) != 0
    assert "follow-up" in capsys.readouterr().err and not Path("cmp").exists()
