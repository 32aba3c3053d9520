"""Calibration: the targets file, the model's statistics, the command end to end, and the shipped defaults."""

from __future__ import annotations

import csv
import hashlib
import inspect
import json
import math

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from pathways_sim import PARAMETERS, ParameterError, Parameters
from pathways_sim.analysis.calibration import (
    DEFAULT_OUTPUT,
    DEFAULT_TARGETS,
    TargetsError,
    load_targets,
    model_statistics,
    with_consistency_targets,
    write_posterior,
)
from pathways_sim.analysis.calibration.statistics import _statistic
from pathways_sim.interfaces.entry import main
from pathways_sim.mechanisms import parameters as params_module
from pathways_sim.results.collector import GRADIENT_OUTCOMES

HEADER = "target,group,value,unit,tolerance,source\n"
GOOD_ROW = 'current_smoking,adults 18+,0.119,proportion,0.015,"ONS 2023"\n'


def test_the_shipped_targets_load_one_row_per_value():
    targets = load_targets(DEFAULT_TARGETS)
    published = targets[targets["kind"] == "published"]
    with DEFAULT_TARGETS.open(newline="") as handle:
        records = [r for r in csv.reader(handle) if any(f.strip() for f in r)][1:]
    assert published["line"].nunique() == len(records) >= 25  # every CSV row parsed, none dropped
    shape = published[(published["target"] == "healthy_life_expectancy_at_birth") & (published["weight"] < 1)]
    assert shape["group"].tolist() == [f"male decile {d}" for d in range(1, 11)]
    assert np.allclose(shape["weight"], 0.1) and shape["value"].iloc[0] == 51.7
    assert targets["source"].str.len().min() > 0
    # every line's weights add to one, so a ten-value row counts as much as a one-value row
    assert np.allclose(published.groupby("line")["weight"].sum(), 1.0)
    cmd = published[published["target"] == "common_mental_disorder_prevalence"].iloc[0]
    assert cmd["statistic"] == ("prevalence", "cmd", 16.0, 65.0, "", "all", 0)  # 16-64, not the table's 16+


def test_the_shipped_targets_include_the_mediator_gradients():
    """Issue #9: LE and HLE across all deciles, their slope indices, and the gradients of the mediators."""
    targets = load_targets(DEFAULT_TARGETS)
    by_target = targets.groupby("target")["statistic"].apply(list)
    for target in ("life_expectancy_sii", "not_good_health_share_of_life", "common_mental_disorder_prevalence_ratio",
                   "employment_rate_ratio", "unemployment_rate_ratio"):
        assert target in by_target, target
    le_deciles = {s[2] for s in by_target["life_expectancy_at_birth"] if s[1] == "male_area_deprivation_decile"}
    assert le_deciles == set(range(1, 11))
    share = targets[targets["target"] == "not_good_health_share_of_life"]
    assert share["value"].between(0, 1).all()
    assert share[share["group"].str.startswith("male")]["value"].is_monotonic_decreasing  # worse where deprived
    cmd = targets[targets["target"] == "common_mental_disorder_prevalence_ratio"].iloc[0]
    assert cmd["statistic"] == ("ratio", ("prevalence", "cmd", 16.0, math.inf, "", "quintile", 1),
                                ("prevalence", "cmd", 16.0, math.inf, "", "quintile", 5))
    assert targets["tolerance"].gt(0).all()


@pytest.mark.parametrize("target, group, value, expected", [
    ("life_expectancy_at_birth", "female quintile 2", "80", [("results", "female_area_deprivation_quintile", 2,
                                                              "life_expectancy")]),
    ("healthy_life_expectancy_at_birth", "decile 4 (both sexes)", "60", [("results", "area_deprivation_decile", 4,
                                                                         "healthy_life_expectancy")]),
    ("life_expectancy_at_birth", "male", "79", [("results", "sex", 1, "life_expectancy")]),
    ("not_good_health_share_of_life", "quintiles 1..5", "0.3;0.25;0.2;0.18;0.16",
     [("share_unhealthy", "area_deprivation_quintile", q, ) for q in range(1, 6)]),
    ("life_expectancy_sii", "persons", "8.6", [("results", "area_deprivation_decile", 0, "life_expectancy_sii")]),
    ("current_smoking", "female adults 18+ quintile 1", "0.2",
     [("prevalence", "smoker", 18.0, math.inf, "female", "quintile", 1)]),
    ("unemployment_rate", "adults 16 - 64 deciles 1..10", ";".join(["0.05"] * 10),
     [("prevalence", "unemployed", 16.0, 65.0, "", "decile", d) for d in range(1, 11)]),
    ("employment_rate_ratio", "male 16-64 decile 1 / all", "0.7",
     [("ratio", ("prevalence", "employed", 16.0, 65.0, "male", "decile", 1),
       ("prevalence", "employed", 16.0, 65.0, "male", "all", 0))]),
])
def test_the_group_grammar_reads_sex_ages_and_area_groups(tmp_path, target, group, value, expected):
    path = tmp_path / "targets.csv"
    path.write_text(HEADER + f'{target},"{group}","{value}",x,1,"a source"\n')
    targets = load_targets(path)
    assert list(targets["statistic"]) == expected
    assert np.allclose(targets["weight"].sum(), 1.0)


@pytest.mark.parametrize("body, line, message", [
    ("targt,group,value,unit,tolerance,source\n" + GOOD_ROW, 1, "header lacks column(s) target"),
    (HEADER + "current_smoking,adults 18+,0.119\n", 2, "expected 6 fields"),
    (HEADER + 'current_smoking,adults 18+,lots,proportion,0.015,"ONS"\n', 2, "value 'lots' is not a number"),
    (HEADER + 'current_smoking,adults 18+,0.119,proportion,-1,"ONS"\n', 2,
     "tolerance must be a positive number"),
    (HEADER + 'current_smokin,adults 18+,0.119,proportion,0.015,"ONS"\n', 2,
     "unknown target 'current_smokin'. Did you mean 'current_smoking'"),
    (HEADER + 'life_expectancy_at_birth,male decile 11,80,years,1,"ONS"\n', 2,
     "a decile is numbered 1-10 (1 = most deprived); expected 'male decile N'"),
    (HEADER + 'life_expectancy_at_birth,male adults 16-64 decile 1,80,years,1,"ONS"\n', 2,
     "a figure at birth has no age range"),
    (HEADER + 'life_expectancy_at_birth,male deciles 1..9,80,years,1,"ONS"\n', 2, "'deciles 1..10'"),
    (HEADER + 'life_expectancy_at_birth,male decile 1 (most deprived,80,years,1,"ONS"\n', 2,
     "a comment in parentheses must close the group"),
    (HEADER + 'life_expectancy_sii,male decile 1,9,years,1,"ONS"\n', 2, "expected 'male', 'female' or 'persons'"),
    (HEADER + 'employment_rate_ratio,adults 16-64 decile 1,0.7,ratio,0.1,"ONS"\n', 2,
     "expected a ratio of two groups, 'A / B'"),
    (HEADER + 'employment_rate_ratio,adults 16-64 decile 1 / adults 18-64 all,0.7,ratio,0.1,"ONS"\n', 2,
     "both sides of a ratio must be about the same sex and ages"),
    (HEADER + 'employment_rate_ratio,decile 1 / decile 10,0.7,ratio,0.1,"ONS"\n', 2, "expected 'A / B' with an age"),
    (HEADER + 'current_smoking,adults #x 18+ quintile 1,0.2,proportion,0.1,"ONS"\n', 2,
     "'#x' is neither a word, an age range"),
    (HEADER + 'current_smoking,adults,0.119,proportion,0.015,"ONS"\n', 2, "expected an age range"),
    (HEADER + "current_smoking,adults 18+,0.119,proportion,0.015,\n", 2, "source is empty"),
    (HEADER + 'healthy_life_expectancy_at_birth_by_decile,"male deciles 1..10","1;2;3",years,2,"ONS"\n', 2,
     "must be 10 number(s) separated by ';' (one per decile), got 3"),
    (HEADER + GOOD_ROW + GOOD_ROW, 3, "duplicate of line 2"),
    ("", 1, "empty file"),
    (HEADER, 2, "no targets below the header"),
])
def test_a_malformed_targets_file_is_reported_with_file_line_and_problem(tmp_path, body, line, message):
    path = tmp_path / "targets.csv"
    path.write_text(body)
    with pytest.raises(TargetsError) as err:
        load_targets(path)
    assert f"{path}:{line}: " in str(err.value)
    assert message in str(err.value)


def test_every_problem_in_a_targets_file_is_reported_at_once(tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text(HEADER + 'current_smoking,adults 18+,x,proportion,0,"ONS"\n' + 'nope,a,1,b,1,"c"\n')
    with pytest.raises(TargetsError) as err:
        load_targets(path)
    assert len(err.value.problems) == 3
    assert [p.split(": ")[0] for p in err.value.problems] == [f"{path}:2", f"{path}:2", f"{path}:3"]


def test_a_missing_targets_file_is_named(tmp_path):
    with pytest.raises(TargetsError, match="no such targets file"):
        load_targets(tmp_path / "absent.csv")


def test_model_statistics_reads_the_results_table_and_the_population():
    targets = with_consistency_targets(load_targets(DEFAULT_TARGETS))
    stats = model_statistics({}, seeds=[7], population_size=1_500, years=10, targets=targets)
    assert len(stats) == len(targets) and stats["replicates"].map(len).eq(1).all()
    by = stats.set_index(["target", "group"])["model"]
    for target, group in [("current_smoking", "adults 18+"), ("ace_prevalence_any", "adults 18-69"),
                          ("common_mental_disorder_prevalence", "adults 16-64"),
                          ("ace_prevalence_any_cohort", "cohorts reaching 18 in the model")]:
        assert 0 < by[(target, group)] < 1, (target, group)
    assert 0.2 < by[("income_gini", "households (equivalised disposable)")] < 0.5
    # The gradients of the mediators are finite even in a tiny run (each quintile and decile holds adults).
    ratios = stats[stats["target"].str.endswith("_ratio")]
    assert len(ratios) == 3 and (ratios["model"] > 0).all() and np.isfinite(ratios["model"]).all()
    # The arrays give the results table's own figure where the age ranges agree (smoking 18+).
    from pathways_sim import PathwaysModel

    model = PathwaysModel(population_size=1_500, rng=7, agents="lazy")
    model.run(years=10)
    res = model.results()
    last_year = res[res.year == res.year.max()]
    final = last_year[(last_year.group_type == "all") & (last_year.metric == "smoking_prevalence")]
    assert by[("current_smoking", "adults 18+")] == pytest.approx(final["value"].item())


def test_every_life_table_statistic_names_rows_a_run_writes():
    """LE, HLE and their slope indices by sex and decile need ~100,000 people to be estimable (a tiny run leaves
    them missing, by design), so here: every row they read exists in a small run's results table, and the
    share of life not in good health is 1 - HLE / LE of those rows."""
    from pathways_sim import PathwaysModel

    model = PathwaysModel(population_size=1_500, rng=7, agents="lazy")
    model.run(years=1)
    rows = set(model.results().set_index(["group_type", "group", "metric"]).index)
    targets = load_targets(DEFAULT_TARGETS)
    group_types = {row[0] for row in rows}
    for spec in targets["statistic"]:
        if spec[0] == "results" and spec[3].endswith("_sii"):  # written once two groups are estimable
            assert spec[3].removesuffix("_sii") in GRADIENT_OUTCOMES and spec[1] in group_types, spec
        elif spec[0] == "results":
            assert spec[1:] in rows, spec
        if spec[0] == "share_unhealthy":
            assert {(*spec[1:], "life_expectancy"), (*spec[1:], "healthy_life_expectancy")} <= rows, spec
    lookup = pd.Series({("sex", 1, "life_expectancy"): 80.0, ("sex", 1, "healthy_life_expectancy"): 60.0,
                        ("sex", 2, "life_expectancy"): np.nan, ("sex", 2, "healthy_life_expectancy"): 60.0})
    assert _statistic(("share_unhealthy", "sex", 1), lookup, None, Parameters(), np.array([])) == 0.25
    assert np.isnan(_statistic(("share_unhealthy", "sex", 2), lookup, None, Parameters(), np.array([])))
    ratio = ("ratio", ("results", "sex", 1, "life_expectancy"), ("results", "sex", 1, "healthy_life_expectancy"))
    assert _statistic(ratio, lookup, None, Parameters(), np.array([])) == pytest.approx(80 / 60)


TINY = ["--people", "600", "--years", "10", "--replicates", "1", "--waves", "2", "--runs-per-wave", "4",
        "--seed", "5", "--free", "lonely_threshold", "smoking_initiation_rate"]


def _counting_job(monkeypatch, stop_after: int | None = None) -> list[int]:
    """Count the model runs the calibration makes (in this process); with ``stop_after``, interrupt it then, as
    Ctrl-C or a crash would."""
    from pathways_sim.analysis.calibration import runs

    real, calls = runs._job, []

    def job(*args):
        if stop_after is not None and len(calls) == stop_after:
            raise KeyboardInterrupt
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(runs, "_job", job)
    return calls


@pytest.mark.slow  # 8 model runs of 600 people and three calibrations (~30 s)
def test_calibrate_writes_the_posterior_and_manifest_and_resumes_after_an_interruption(tmp_path, capsys,
                                                                                      monkeypatch):
    shipped = DEFAULT_OUTPUT.read_bytes()
    out = tmp_path / "posterior.parquet"
    calls = _counting_job(monkeypatch, stop_after=3)
    assert main(["calibrate", *TINY, "-o", str(out), "--hold-out", "current_smoking"]) == 130
    assert len(calls) == 3 and not out.exists() and not out.with_suffix(".json").exists()  # nothing looks complete
    assert len(list((tmp_path / "posterior_runs" / "runs").glob("*.parquet"))) == 3
    capsys.readouterr()
    monkeypatch.undo()
    calls = _counting_job(monkeypatch)
    assert main(["calibrate", *TINY, "-o", str(out), "--hold-out", "current_smoking"]) == 0
    printed = capsys.readouterr().out
    assert len(calls) == 8 - 3  # only the missing runs ran
    manifest = json.loads(out.with_suffix(".json").read_text())
    assert manifest["runs"] == {"total": 8, "ran_now": 5, "from_store": 3, "failed": 0}
    # The time counts every run, the 3 the interrupted process made too (kept in the store), not only this process's.
    stored = [pq.read_schema(p).metadata[b"pathways_sim.run"] for p in
              (tmp_path / "posterior_runs" / "runs").glob("*.parquet")]
    run_times = [json.loads(m)["run_seconds"] for m in stored]
    assert len(run_times) == 8 and all(t > 0 for t in run_times)
    assert manifest["run_seconds"]["total"] == pytest.approx(sum(run_times), abs=0.1)
    assert manifest["run_seconds"]["runs_without_a_time"] == 0
    assert manifest["seeds"] == [5] and manifest["population_size"] == 600
    assert manifest["library"]["scikit-learn"] and manifest["targets_sha256"] == hashlib.sha256(
        DEFAULT_TARGETS.read_bytes()).hexdigest()
    assert set(manifest["prior"]) == {"lonely_threshold", "smoking_initiation_rate"}
    roles = {t["label"].split(":")[0]: t["role"] for t in manifest["targets"]}
    assert roles["current_smoking"] == "held out" and roles["loneliness_often_always"] == "fitted"
    assert roles["life_expectancy_sii"] == "not estimable at this size"  # 600 people: no life table by decile
    posterior = pd.read_parquet(out)
    assert {"lonely_threshold", "smoking_initiation_rate", "weight"} <= set(posterior.columns)
    assert len(posterior) == manifest["accepted"] and (len(posterior) == 0 or np.isclose(posterior["weight"].sum(), 1))
    for name in ("lonely_threshold", "smoking_initiation_rate"):
        lo, hi = PARAMETERS[name].plausible
        assert posterior[name].between(lo, hi).all()
    assert "held out (not fitted)" in printed and "current_smoking: adults 18+" in printed
    fit = pd.read_csv(tmp_path / "posterior_report" / "fit.csv")
    assert fit.loc[fit["target"] == "current_smoking", "role"].item() == "held out"
    assert {"predictive.png", "marginals.png", "pairs.png", "README.md"} <= {
        p.name for p in (tmp_path / "posterior_report").iterdir()}
    assert "held at the values it ran with" in (report := (tmp_path / "posterior_report" / "README.md").read_text()
                                                 ) and "`ace_mean` = " in report  # ace_mean is not freed here
    # Run again: everything comes from the store, and the same accepted sets come out (a deterministic design).
    monkeypatch.undo()
    calls = _counting_job(monkeypatch)
    assert main(["calibrate", *TINY, "-o", str(tmp_path / "again.parquet"), "--store",
                 str(tmp_path / "posterior_runs"), "--hold-out", "current_smoking",
                 "--defaults", str(tmp_path / "defaults.json")]) == 0
    assert calls == [] and pd.read_parquet(tmp_path / "again.parquet").equals(posterior)
    again = json.loads((tmp_path / "again.json").read_text())
    if again["accepted"]:  # --defaults: the central values, the other calibrated parameters kept as shipped
        record = json.loads((tmp_path / "defaults.json").read_text())
        assert set(record["from_posterior"]) == {"lonely_threshold", "smoking_initiation_rate"}
        assert record["parameters"]["smoking_initiation_rate"] == again["central_values"]["smoking_initiation_rate"]
        shipped_record = json.loads(DEFAULT_OUTPUT.read_text())
        assert record["parameters"]["ace_mean"] == shipped_record["parameters"]["ace_mean"]
    else:
        assert not (tmp_path / "defaults.json").exists() and "no calibrated defaults" in capsys.readouterr().err
    assert again["run_seconds"]["total"] == manifest["run_seconds"]["total"]  # read from the store, not remade
    assert DEFAULT_OUTPUT.read_bytes() == shipped


@pytest.mark.parametrize("args, message", [
    (["nowhere.csv"], "no such targets file"),
    (["--years", "5"], "years: must be a whole number of years >= 10"),
    (["--waves", "0"], "waves: must be a whole number >= 1"),
    (["--free", "mortality_rate_at50"], "unknown parameter 'mortality_rate_at50'"),
    (["--hold-out", "current_smokin"], "unknown target in the targets file 'current_smokin'. Did you mean "
                                       "'current_smoking'"),
    (["--people", "10"], "population_size: must be between 50"),
    (["--replicates", "0"], "replicates: must be at least 1"),
    (["--output", "/no/such/folder/c.parquet"], "output: folder /no/such/folder does not exist"),
    (["--output", "c.json"], "must end in .parquet or .csv"),
    (["--defaults", "d.csv"], "defaults: d.csv must end in .json"),
])
def test_bad_calibrate_input_exits_2_naming_the_problem(tmp_path, capsys, args, message):
    base = ["calibrate", "--people", "1500", "--output", str(tmp_path / "c.parquet")]
    assert main(base + args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "c.parquet").exists()


def test_writers_have_no_default_destination_and_refuse_the_package():
    from pathways_sim.analysis.calibration import SHIPPED_POSTERIOR, write_defaults
    from pathways_sim.results.outputs import OutputError

    for writer in (write_posterior, write_defaults):
        assert inspect.signature(writer).parameters["path"].default is inspect.Parameter.empty
        with pytest.raises(OutputError, match="inside the installed package"):
            writer(None, SHIPPED_POSTERIOR)


def test_a_mediator_gradient_no_free_parameter_answers_to_is_reported_not_fitted():
    from pathways_sim.analysis.calibration import FREE_PARAMETERS, KNOWN_TARGETS, reported_only

    answered = {t for targets, _ in FREE_PARAMETERS.values() for t in targets}
    assert answered <= set(KNOWN_TARGETS) | {"ace_prevalence_any_cohort"}
    targets = list(with_consistency_targets(load_targets(DEFAULT_TARGETS))["target"])
    assert reported_only(targets, list(FREE_PARAMETERS)) == ["common_mental_disorder_prevalence_ratio"]
    assert "income_gini" in reported_only(targets, ["lonely_threshold"])
    assert reported_only(targets, ["mean_degree"]) == []  # a parameter of no declared target answers to all


def test_shipped_calibrated_values_are_the_defaults():
    if not DEFAULT_OUTPUT.exists():
        pytest.skip("no calibrated.json shipped")
    record = json.loads(DEFAULT_OUTPUT.read_text())
    defaults = Parameters()
    assert record["parameters"]
    for name, value in record["parameters"].items():
        assert PARAMETERS[name].default == value and defaults[name] == value, name
        assert "calibrated to targets/england.csv" in PARAMETERS[name].source
        lo, hi = PARAMETERS[name].plausible
        assert lo <= value <= hi, name


def test_the_shipped_calibration_was_fitted_to_the_shipped_targets():
    if not DEFAULT_OUTPUT.exists():
        pytest.skip("no calibrated.json shipped")
    record = json.loads(DEFAULT_OUTPUT.read_text())
    assert record["targets_sha256"] == hashlib.sha256(DEFAULT_TARGETS.read_bytes()).hexdigest()


def test_a_calibrated_value_out_of_bounds_is_rejected_naming_file_and_parameter(tmp_path):
    path = tmp_path / "calibrated.json"
    path.write_text(json.dumps({"parameters": {"mortality_rate_at_50": -1.0, "no_such_thing": 1.0}}))
    declared = [PARAMETERS[name] for name in PARAMETERS]
    with pytest.raises(ParameterError) as err:
        params_module._with_calibrated_defaults(declared, path)
    names = {name for name, _ in err.value.problems}
    assert names == {"mortality_rate_at_50", "no_such_thing"} and str(path) in str(err.value)


def test_the_shipped_defaults_are_the_central_values_of_the_shipped_posterior():
    from pathways_sim.analysis.calibration.fit import _round_sig
    from pathways_sim.analysis.calibration.history_matching import weighted_quantiles
    from pathways_sim.experiments.posterior import SHIPPED_POSTERIOR, load_posterior

    record = json.loads(DEFAULT_OUTPUT.read_text())
    posterior = load_posterior(SHIPPED_POSTERIOR)
    assert set(record["from_posterior"]) == set(posterior.columns) - {"weight"}
    for name in record["from_posterior"]:
        median = weighted_quantiles(posterior[name].to_numpy(float), posterior["weight"].to_numpy(float), [0.5])[0]
        expected = _round_sig(median, PARAMETERS[name].plausible, PARAMETERS[name].integer)
        assert record["parameters"][name] == expected == Parameters()[name], name
    manifest = json.loads(SHIPPED_POSTERIOR.with_suffix(".json").read_text())
    assert set(record["kept_from_earlier_fit"]) == set(manifest["fixed"])  # the small run froze the life block
    assert record["provisional"] == manifest["provisional"]
