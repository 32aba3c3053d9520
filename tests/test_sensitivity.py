"""Sensitivity analysis of sweeps: SALib's Sobol and Morris indices through the same wiring as a sweep's design,
checked on functions whose answers are known, the replicate-noise share, and the errors a user can meet."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from pathways_sim import ParameterError
from pathways_sim.experiments import (
    ExperimentError,
    SweepResult,
    design_from_dict,
    design_to_dict,
    grid,
    latin_hypercube,
    morris_design,
    plot_sensitivity,
    sample_problem,
    sensitivity,
    sensitivity_indices,
    sobol_design,
    sweep,
)
from pathways_sim.experiments.sensitivity import COLUMNS

ISHIGAMI = {"names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}


def _ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def _tidy(design: pd.DataFrame, values: np.ndarray, metric: str = "y", group_type: str = "all", group: int = 0
          ) -> pd.DataFrame:
    """A sweep's tidy table from ``values`` (points x replicates) of one metric."""
    points, replicates = values.shape
    return pd.DataFrame({"point": np.repeat(np.arange(points), replicates),
                         "replicate": np.tile(np.arange(replicates), points), "year": 2030,
                         "group_type": group_type, "group": group, "metric": metric, "value": values.ravel()})


# ------------------------------------------------------------------------------------------------ known answers
def test_ishigami_sobol_indices_are_recovered_through_the_designs_wiring():
    design = sample_problem(ISHIGAMI, "sobol", 1024, seed=1, second_order=False)
    table = sensitivity_indices(design, pd.Series(_ishigami(design.to_numpy()), name="ishigami"))
    assert list(table.columns) == COLUMNS and set(table["method"]) == {"sobol"}
    known = {("S1", "x1"): 0.3139, ("S1", "x2"): 0.4424, ("S1", "x3"): 0.0,
             ("ST", "x1"): 0.5576, ("ST", "x2"): 0.4424, ("ST", "x3"): 0.2437}
    for (index, name), truth in known.items():
        row = table[(table["index"] == index) & (table["parameter"] == name)].iloc[0]
        assert row["value"] == pytest.approx(truth, abs=0.05), (index, name)
        assert row["low"] - 0.02 <= truth <= row["high"] + 0.02, (index, name, row["low"], row["high"])
        assert row["low"] < row["value"] < row["high"]
    again = sensitivity_indices(design, pd.Series(_ishigami(design.to_numpy()), name="ishigami"))
    pd.testing.assert_frame_equal(table, again)  # the bootstrap is seeded: intervals reproduce


def test_second_order_pairs_of_ishigami():
    design = sample_problem(ISHIGAMI, "sobol", 512, seed=2)
    table = sensitivity_indices(design, _ishigami(design.to_numpy()), second_order=True)
    pairs = table[table["index"] == "S2"].set_index("parameter")["value"]
    assert list(pairs.index) == ["x1:x2", "x1:x3", "x2:x3"]
    assert pairs["x1:x3"] == pytest.approx(0.2437, abs=0.08)  # the only interaction in the Ishigami function
    assert abs(pairs["x1:x2"]) < 0.08 and abs(pairs["x2:x3"]) < 0.08
    with pytest.raises(ExperimentError, match="second_order"):
        sensitivity_indices(sample_problem(ISHIGAMI, "sobol", 8, second_order=False), np.zeros(40),
                            second_order=True)


def test_morris_finds_the_input_with_no_effect():
    design = sample_problem({"names": ["a", "b", "idle"], "bounds": [[0, 1], [0, 2], [5, 10]]}, "morris", 20,
                            seed=3)
    x = design.to_numpy()
    outputs = pd.DataFrame({"linear": 3 * x[:, 0] + x[:, 1] ** 2, "flat": np.ones(len(x))})
    table = sensitivity_indices(design, outputs)
    mu_star = table[(table["output"] == "linear") & (table["index"] == "mu_star")].set_index("parameter")
    assert mu_star.loc["idle", "value"] == 0 and mu_star.loc["idle", "high"] == 0
    assert mu_star.loc["a", "value"] == pytest.approx(3.0)  # 3 per unit over a range of 1: 3 per full range
    assert mu_star.loc["b", "value"] > 1 and mu_star.loc["b", "low"] > 0
    assert set(table["index"]) == {"mu_star", "sigma", "mu"}
    flat = table[table["output"] == "flat"]
    assert (flat["value"] == 0).all() and flat["note"].str.contains("constant").all()
    assert (table[table["output"] == "linear"]["note"] == "").all()


def test_morris_notes_steps_that_rounding_made_vanish():
    design = morris_design(["step_months"], 6, seed=1, levels=4)  # plausible 1 to 3: levels 1, 1.7, 2.3, 3
    design.loc[1, "step_months"] = design.loc[0, "step_months"]  # as rounding a narrower range could do
    table = sensitivity_indices(design, design["step_months"].to_numpy(float))
    assert table["note"].str.contains("1 of 6 Morris steps change no parameter").all()


def test_undefined_outputs_give_nan_with_a_note_not_an_error():
    design = sample_problem(ISHIGAMI, "sobol", 8, seed=1, second_order=False)
    y = _ishigami(design.to_numpy())
    table = sensitivity_indices(design, pd.DataFrame({"constant": np.full(len(y), 2.0),
                                                      "gappy": np.where(np.arange(len(y)) < 3, np.nan, y)}))
    assert table["value"].isna().all()
    assert table.groupby("output")["note"].first().to_dict() == {
        "constant": "constant across the design: no parameter moves it", "gappy": "not finite at 3 of 40 points"}


# ------------------------------------------------------------------------------------------------ a sweep's table
def test_the_replicate_noise_share_is_the_known_one():
    design = sample_problem({"names": ["signal", "idle"], "bounds": [[0, 1], [0, 1]]}, "sobol", 256, seed=4,
                            second_order=False)
    rng = np.random.default_rng(5)
    signal = 3 * design["signal"].to_numpy()  # variance 9/12 = 0.75 across the design
    values = signal[:, None] + rng.normal(0, 0.5, size=(len(design), 4))  # noise variance 0.25
    results = _tidy(design, values, "y_sii", group_type="area_deprivation_quintile").astype({"metric": "category"})
    table = sensitivity(results, design)  # the index across quintiles is a default output, named as its metric
    assert set(table["output"]) == {"y_sii"} and (table["replicates"] == 4).all()
    assert table["noise_share"].iloc[0] == pytest.approx(0.25 / (0.75 + 0.25), abs=0.03)
    means = pd.Series(values.mean(axis=1), name="y_sii")  # the analysis sees the replicates' means
    expected = sensitivity_indices(design, means)
    pd.testing.assert_frame_equal(table[COLUMNS[:-1]], expected[COLUMNS[:-1]])
    st = table[table["index"] == "ST"].set_index("parameter")["value"]
    # the means keep noise of variance 0.25 / 4, some 8% of theirs: it shows as a total effect of the idle input
    assert st["signal"] > 0.9 and 0 < st["idle"] < 0.15
    assert table.attrs["method"] == "sobol" and table.attrs["year"] == 2030

    one = sensitivity(_tidy(design, values[:, :1], "y"), design, outputs="y")
    assert one["noise_share"].isna().all() and one["note"].str.contains("one replicate").all()
    flat = sensitivity(_tidy(design, np.ones((len(design), 2)), "y"), design, outputs=["y"])
    assert flat["value"].isna().all() and flat["noise_share"].isna().all()
    assert flat["note"].str.contains("constant").all()


def test_outputs_are_named_by_group_and_chosen_by_name():
    design = sample_problem({"names": ["x"], "bounds": [[0, 1]]}, "morris", 4, seed=1)
    values = np.tile(design[["x"]].to_numpy(), 2)
    results = pd.concat([_tidy(design, values, "cmd_prevalence_sii", "area_deprivation_quintile"),
                         _tidy(design, values, "cmd_prevalence_sii", "income_quintile"),
                         _tidy(design, values, "cmd_prevalence"),
                         _tidy(design, values, "healthy_life_expectancy", "area_deprivation_quintile", 1),
                         _tidy(design, values, "healthy_life_expectancy", "sex", 2)])
    assert set(sensitivity(results, design)["output"]) == {"cmd_prevalence_sii", "healthy_life_expectancy[Q1]"}
    chosen = ["cmd_prevalence", "cmd_prevalence_sii[across income_quintile]", "healthy_life_expectancy[sex=2]"]
    assert list(dict.fromkeys(sensitivity(results, design, outputs=chosen)["output"])) == chosen
    with pytest.raises(ExperimentError, match=r"unknown output 'cmd_prevalence_sij'.*Did you mean "
                                              r"'cmd_prevalence_sii'.*Allowed: cmd_prevalence, "):
        sensitivity(results, design, outputs="cmd_prevalence_sij")
    with pytest.raises(ExperimentError, match=r"year: the results hold years \[2030\]"):
        sensitivity(results, design, year=2031)


def test_errors_name_what_is_allowed():
    results = _tidy(grid({"mean_degree": [6, 8]}), np.ones((2, 1)))
    for design in (grid({"mean_degree": [6, 8]}), latin_hypercube(["mean_degree"], 2, seed=1),
                   grid({"mean_degree": [6, 8]}).copy().pipe(lambda d: d.attrs.clear() or d)):
        with pytest.raises(ExperimentError, match=r"sobol or morris.*sobol_design, morris_design"):
            sensitivity(results, design)
    design = sample_problem(ISHIGAMI, "sobol", 4, seed=1, second_order=False)
    values = np.ones((len(design), 2))
    with pytest.raises(ExperimentError, match=r"2 of 20 design points have no runs \(points 3, 7\)"):
        sensitivity(_tidy(design, values, "y").query("point not in (3, 7)"), design, outputs="y")
    failed = SweepResult(_tidy(design, values, "y").query("point != 3"))
    failed.failures = pd.DataFrame({"point": [3, 3], "replicate": [0, 1]})
    with pytest.raises(ExperimentError, match=r"1 of 20 design points .*; 2 runs failed: see results.failures"):
        sensitivity(failed, design, outputs="y")
    with pytest.raises(ExperimentError, match="parameter values differ from the design's"):
        sensitivity(_tidy(design, values, "y").assign(x1=0.5), design, outputs="y")
    with pytest.raises(ExperimentError, match="seed: must be a whole number at least 1"):
        sensitivity_indices(design, np.arange(20.0), seed=0)
    with pytest.raises(ExperimentError, match="one value per design point"):
        sensitivity_indices(design, np.ones(7))
    with pytest.raises(ExperimentError, match="multiple of 5 rows"):
        sensitivity_indices(design.iloc[:7], np.ones(7))
    with pytest.raises(ParameterError, match="bounds of 'x'"):
        sample_problem({"names": ["x"], "bounds": [[1, 0]]}, "sobol", 4)
    with pytest.raises(ParameterError, match="method: must be one of sobol, morris"):
        sample_problem(ISHIGAMI, "fast", 4)


# ------------------------------------------------------------------------------------------------ storing
def test_a_design_goes_through_json_with_its_attrs():
    for design in (sobol_design(["mean_degree", "fertility_age_min"], 4, seed=1),
                   morris_design(["step_months", "mean_degree"], 3, seed=2), grid({"step_months": [1, 3]})):
        back = design_from_dict(json.loads(json.dumps(design_to_dict(design))))
        pd.testing.assert_frame_equal(back, design)
        assert back.attrs == design.attrs
    with pytest.raises(ParameterError, match="design_to_dict"):
        design_from_dict({"points": []})


# ------------------------------------------------------------------------------------------------ the figure
def test_the_tornado_chart_sorts_by_total_effect(tmp_path):
    design = sample_problem({"names": ["weak", "strong"], "bounds": [[0, 1], [0, 1]]}, "sobol", 32, seed=6,
                            second_order=False)
    values = (design["weak"] + 4 * design["strong"]).to_numpy()[:, None] + np.zeros((1, 2))
    table = sensitivity(_tidy(design, values, "y"), design, outputs="y")
    fig = plot_sensitivity(table)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["weak", "strong"]  # largest total effect on top
    assert "Sensitivity of y" in ax.get_title() and "Sobol" in ax.get_title()
    assert any("95% bootstrap confidence interval" in t.get_text() for t in fig.texts)
    fig.savefig(tmp_path / "y.png")
    assert (tmp_path / "y.png").stat().st_size > 1000
    with pytest.raises(ExperimentError, match="choose one of y"):
        plot_sensitivity(table, "z")


# ------------------------------------------------------------------------------------------------ end to end
def test_a_real_sweep_end_to_end_and_back_from_parquet(tmp_path):
    design = sobol_design(["mean_degree", "stigma_stress_strength"], 4, seed=1, second_order=False)
    df = sweep({"population_size": 300}, design, replicates=2, years=1, quiet=True)
    table = sensitivity(df, design)
    assert set(table["index"]) == {"S1", "ST"} and table.attrs["year"] == int(df["year"].max())
    assert table["value"].notna().any() and np.isfinite(table["value"]).any()
    assert table["noise_share"].dropna().between(0, 1).all() and table["noise_share"].notna().any()
    assert any(name.endswith("_sii") for name in table["output"])
    df.to_parquet(tmp_path / "sweep.parquet")
    (tmp_path / "design.json").write_text(json.dumps(design_to_dict(design)))
    again = sensitivity(pd.read_parquet(tmp_path / "sweep.parquet"),
                        design_from_dict(json.loads((tmp_path / "design.json").read_text())))
    pd.testing.assert_frame_equal(again, table)
    plot_sensitivity(table, "cmd_prevalence_sii").savefig(tmp_path / "cmd.png")
