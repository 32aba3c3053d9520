"""Calibration: the targets file, the model's statistics, the command end to end, and the shipped defaults."""

from __future__ import annotations

import csv
import hashlib
import inspect
import json
import math

import numpy as np
import pandas as pd
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


def test_the_calibrate_command_runs_end_to_end_without_touching_the_shipped_file(tmp_path, capsys):
    shipped = DEFAULT_OUTPUT.read_bytes() if DEFAULT_OUTPUT.exists() else None
    out = tmp_path / "calibrated.json"
    code = main(["calibrate", "--people", "1500", "--years", "10", "--replicates", "1", "--budget", "2",
                 "--seed", "5", "--output", str(out), "--free", "mortality_rate_at_50", "lonely_threshold"])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "fit, target by target" in printed.out
    for target in ("life_expectancy_at_birth", "healthy_life_expectancy_sii", "income_gini",
                   "current_smoking", "life_expectancy_sii", "not_good_health_share_of_life",
                   "common_mental_disorder_prevalence_ratio", "employment_rate_ratio"):
        assert target in printed.out
    record = json.loads(out.read_text())
    assert set(record["parameters"]) == {"mortality_rate_at_50", "lonely_threshold"}
    assert record["targets_sha256"] == hashlib.sha256(DEFAULT_TARGETS.read_bytes()).hexdigest()
    assert record["seeds"] == [5] and record["budget"] == 2 and record["evaluations"] == 2
    assert record["date"] and len(record["fit"]) == len(with_consistency_targets(load_targets(DEFAULT_TARGETS)))
    assert {"target", "group", "published", "model", "tolerance", "within"} <= set(record["fit"][0])
    answers = record["free_parameters"]["mortality_rate_at_50"]["answers_to"]
    assert {"life_expectancy_sii", "not_good_health_share_of_life"} <= set(answers)
    ratios = [row for row in record["fit"] if row["target"].endswith("_ratio")]
    assert len(ratios) == 3 and all(row["model"] is not None for row in ratios)  # estimable even at 1,500
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


def test_write_calibration_has_no_default_destination():
    # The package's own data file must never be the place a calibration lands by accident.
    path = inspect.signature(write_calibration).parameters["path"]
    assert path.default is inspect.Parameter.empty


def test_each_free_parameter_answers_only_to_targets_that_exist_and_the_mediator_gradients_to_none():
    """Mechanism gradients (mental disorder) are reported, never fitted; the labour-market ratios are exposure
    gradients, each answered by its own gradient parameter and nothing else."""
    from pathways_sim.analysis.calibration import FREE_PARAMETERS, KNOWN_TARGETS
    from pathways_sim.analysis.calibration.search import _blocks

    answered = {t for targets, _ in FREE_PARAMETERS.values() for t in targets}
    assert answered <= set(KNOWN_TARGETS) | {"ace_prevalence_any_cohort"}
    assert {"life_expectancy_sii", "not_good_health_share_of_life"} <= answered
    frame = with_consistency_targets(load_targets(DEFAULT_TARGETS))
    names = list(FREE_PARAMETERS)
    blocks = _blocks(names, frame)
    fitted_rows = {int(r) for block in blocks for r in block.rows}
    gradient_rows = set(np.flatnonzero(frame["target"] == "common_mental_disorder_prevalence_ratio"))
    assert gradient_rows and not gradient_rows & fitted_rows  # reported, never fitted
    for parameter, target in (("inactivity_deprivation_gradient", "employment_rate_ratio"),
                              ("reemployment_deprivation_gradient", "unemployment_rate_ratio")):
        assert FREE_PARAMETERS[parameter][0] == (target,)
        assert not any(target in targets for name, (targets, _) in FREE_PARAMETERS.items() if name != parameter)
    life = next(b for b in blocks if b.label == "life expectancy")
    share_rows = set(np.flatnonzero(frame["target"] == "not_good_health_share_of_life"))
    assert share_rows <= {int(r) for r in life.rows}
    cmd = names.index("cmd_onset_rate")
    own = blocks[0]
    column = list(own.params).index(cmd)
    assert {frame["target"].iloc[r] for r, hit in zip(own.rows, own.mask[:, column], strict=True) if hit} == {
        "common_mental_disorder_prevalence"}
