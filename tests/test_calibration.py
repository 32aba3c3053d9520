"""Calibration: the targets file, the model's statistics, the command end to end, and the shipped defaults."""

from __future__ import annotations

import hashlib
import inspect
import json

import numpy as np
import pytest

from pathways_sim import PARAMETERS, ParameterError, Parameters
from pathways_sim.analysis.calibration import (
    DEFAULT_OUTPUT,
    DEFAULT_TARGETS,
    TargetsError,
    load_targets,
    model_statistics,
    with_consistency_targets,
    write_calibration,
)
from pathways_sim.interfaces.entry import main
from pathways_sim.mechanisms import parameters as params_module

HEADER = "target,group,value,unit,tolerance,source\n"
GOOD_ROW = 'current_smoking,adults 18+,0.119,proportion,0.015,"ONS 2023"\n'


def test_the_shipped_targets_load_one_row_per_value():
    targets = load_targets(DEFAULT_TARGETS)
    published = targets[targets["kind"] == "published"]
    assert published["line"].nunique() == 16  # one per CSV row
    shape = published[published["target"] == "healthy_life_expectancy_at_birth_by_decile"]
    assert shape["group"].tolist() == [f"male decile {d}" for d in range(1, 11)]
    assert np.allclose(shape["weight"], 0.1) and shape["value"].iloc[0] == 51.7
    assert targets["source"].str.len().min() > 0
    cmd = published[published["target"] == "common_mental_disorder_prevalence"].iloc[0]
    assert cmd["statistic"] == ("prevalence", "cmd", 16.0, 65.0)  # 16-64, not the results table's 16+


@pytest.mark.parametrize("body, line, message", [
    ("targt,group,value,unit,tolerance,source\n" + GOOD_ROW, 1, "header lacks column(s) target"),
    (HEADER + "current_smoking,adults 18+,0.119\n", 2, "expected 6 fields"),
    (HEADER + 'current_smoking,adults 18+,lots,proportion,0.015,"ONS"\n', 2, "value 'lots' is not a number"),
    (HEADER + 'current_smoking,adults 18+,0.119,proportion,-1,"ONS"\n', 2,
     "tolerance must be a positive number"),
    (HEADER + 'current_smokin,adults 18+,0.119,proportion,0.015,"ONS"\n', 2,
     "unknown target 'current_smokin'. Did you mean 'current_smoking'"),
    (HEADER + 'life_expectancy_at_birth,male decile 11,80,years,1,"ONS"\n', 2, "expected 'male decile N'"),
    (HEADER + 'current_smoking,adults,0.119,proportion,0.015,"ONS"\n', 2, "expected an age range"),
    (HEADER + "current_smoking,adults 18+,0.119,proportion,0.015,\n", 2, "source is empty"),
    (HEADER + 'healthy_life_expectancy_at_birth_by_decile,"male deciles 1..10","1;2;3",years,2,"ONS"\n', 2,
     "must be 10 numbers separated by ';', got 3"),
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
    # The arrays give the results table's own figure where the age ranges agree (smoking 18+).
    from pathways_sim import PathwaysModel

    model = PathwaysModel(population_size=1_500, rng=7, agents="lazy")
    model.run(years=10)
    res = model.results()
    last_year = res[res.year == res.year.max()]
    final = last_year[(last_year.group_type == "all") & (last_year.metric == "smoking_prevalence")]
    assert by[("current_smoking", "adults 18+")] == pytest.approx(final["value"].item())


def test_the_calibrate_command_runs_end_to_end_without_touching_the_shipped_file(tmp_path, capsys):
    shipped = DEFAULT_OUTPUT.read_bytes() if DEFAULT_OUTPUT.exists() else None
    out = tmp_path / "calibrated.json"
    code = main(["calibrate", "--people", "1500", "--years", "10", "--replicates", "1", "--budget", "2",
                 "--seed", "5", "--output", str(out), "--free", "mortality_rate_at_50", "lonely_threshold"])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "fit, target by target" in printed.out
    for target in ("life_expectancy_at_birth", "healthy_life_expectancy_sii", "income_gini",
                   "current_smoking"):
        assert target in printed.out
    record = json.loads(out.read_text())
    assert set(record["parameters"]) == {"mortality_rate_at_50", "lonely_threshold"}
    assert record["targets_sha256"] == hashlib.sha256(DEFAULT_TARGETS.read_bytes()).hexdigest()
    assert record["seeds"] == [5] and record["budget"] == 2 and record["evaluations"] == 2
    assert record["date"] and len(record["fit"]) == 26
    assert {"target", "group", "published", "model", "tolerance", "within"} <= set(record["fit"][0])
    for name, value in record["parameters"].items():
        lo, hi = PARAMETERS[name].plausible
        assert lo <= value <= hi
    assert [p.name for p in tmp_path.iterdir()] == ["calibrated.json"]  # no temporary file left behind
    assert (DEFAULT_OUTPUT.read_bytes() if DEFAULT_OUTPUT.exists() else None) == shipped


@pytest.mark.parametrize("args, message", [
    (["nowhere.csv"], "no such targets file"),
    (["--years", "5"], "years: must be a whole number of years >= 10"),
    (["--budget", "0"], "budget: must be a whole number of evaluations >= 1"),
    (["--free", "mortality_rate_at50"], "unknown parameter 'mortality_rate_at50'"),
    (["--people", "10"], "population_size: must be between 50"),
    (["--replicates", "0"], "replicates: must be at least 1"),
    (["--output", "/no/such/folder/c.json"], "output: folder /no/such/folder does not exist"),
])
def test_bad_calibrate_input_exits_2_naming_the_problem(tmp_path, capsys, args, message):
    base = ["calibrate", "--people", "1500", "--budget", "1", "--output", str(tmp_path / "c.json")]
    assert main(base + args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "c.json").exists()


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
    assert record["targets_sha256"] == hashlib.sha256(DEFAULT_TARGETS.read_bytes()).hexdigest()


def test_a_calibrated_value_out_of_bounds_is_rejected_naming_file_and_parameter(tmp_path):
    path = tmp_path / "calibrated.json"
    path.write_text(json.dumps({"parameters": {"mortality_rate_at_50": -1.0, "no_such_thing": 1.0}}))
    declared = [PARAMETERS[name] for name in PARAMETERS]
    with pytest.raises(ParameterError) as err:
        params_module._with_calibrated_defaults(declared, path)
    names = {name for name, _ in err.value.problems}
    assert names == {"mortality_rate_at_50", "no_such_thing"} and str(path) in str(err.value)


def test_write_calibration_has_no_default_destination():
    # The package's own data file must never be the place a calibration lands by accident.
    path = inspect.signature(write_calibration).parameters["path"]
    assert path.default is inspect.Parameter.empty
