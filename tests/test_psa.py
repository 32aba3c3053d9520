"""Probabilistic sensitivity analysis and pathway decomposition: shared draws and seeds, the probabilities and
the CEAC on hand-built tables, the `compare --psa` and `decompose` commands, and clear errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pathways_sim import PARAMETERS, ParameterError
from pathways_sim.experiments import ExperimentError
from pathways_sim.experiments.decomposition import ALL_ON, decompose, plot_decomposition, shares
from pathways_sim.experiments.psa import DEFAULT_GROUPS, ceac, default_parameters, probabilities, psa
from pathways_sim.interfaces.cli import main
from pathways_sim.scenarios import shipped_scenario

TINY = {"population_size": 300, "burn_in_years": 0}
PEER = [{"kind": "peer_support", "budget": 150_000, "targeting": {"strategy": "universal"}}]
TINY_CLI = ["--set", "population.size=300", "--set", "time.years=1", "--set", "time.burn_in_years=0",
            "--replicates", "1"]


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    return tmp_path


def _table(hle_gap: dict[str, list[float]], hly: dict[str, list[float]] | None = None,
           cost: dict[str, list[float]] | None = None, replicates: int = 1) -> pd.DataFrame:
    """A PSA table by hand: one value per (draw, replicate) for each arm, in draw-major order."""
    rows = []
    for arm, values in hle_gap.items():
        for i, value in enumerate(values):
            rows.append({"arm": arm, "draw": i // replicates, "replicate": i % replicates, "hle_gap": value,
                         "le_gap": value, "healthy_life_years": (hly or {}).get(arm, [0.0] * len(values))[i],
                         "cost": (cost or {}).get(arm, [0.0] * len(values))[i]})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------ the draws
def test_default_parameters_are_mechanism_effect_sizes_with_a_range():
    names = default_parameters()
    assert names and len(names) == len(set(names))
    for name in names:
        param = PARAMETERS[name]
        assert param.group in DEFAULT_GROUPS and param.plausible[1] > param.plausible[0], name
    assert not {"population_size", "step_months", "burn_in_years", "people_per_area", "start_year"} & set(names)


def test_arms_share_draws_and_seeds_and_an_arm_equal_to_the_base_changes_nothing():
    base = {"label": "base", **TINY}
    result = psa(base, [{**base, "label": "same"}, {**base, "label": "peer", "interventions": PEER}], draws=2,
                 replicates=2, parameters=["stress_cmd_onset_strength", "mean_degree"], years=1, seed=7,
                 quiet=True)
    table = result.table
    assert len(table) == 3 * 2 * 2 and result.arms == ["base", "same", "peer"]
    by_arm = {arm: block.drop(columns="arm").reset_index(drop=True) for arm, block in table.groupby("arm")}
    columns = ["draw", "replicate", "seed", "stress_cmd_onset_strength", "mean_degree"]
    for arm in ("same", "peer"):  # draw d, replicate r: the same parameter values and seed in every arm
        pd.testing.assert_frame_equal(by_arm[arm][columns], by_arm["base"][columns])
    assert table.groupby("draw")["stress_cmd_onset_strength"].nunique().eq(1).all()
    assert by_arm["base"]["stress_cmd_onset_strength"].nunique() == 2  # the two draws differ
    same = by_arm["same"]
    assert (same[["healthy_life_years_change", "cost_change"]] == 0).all().all()
    assert same["hle_gap_change"].isna().all() or (same["hle_gap_change"].dropna() == 0).all()
    found = result.probabilities().set_index(["question", "arm", "other"])
    assert found["probability"].dropna().between(0, 1).all()
    assert found.loc[("gains healthy life years", "same", "base"), "probability"] == 0  # a tie is no gain
    curve = result.ceac([0, 50_000])
    assert np.allclose(curve.groupby("threshold")["probability"].sum(), 1)
    at_zero = curve[curve["threshold"] == 0].set_index("arm")["probability"]
    assert at_zero["base"] == at_zero["same"] and at_zero["peer"] == 0  # peer support costs money
    assert "n = 2 draws x 2 replicates" in " ".join(result.probabilities()["statement"])
    assert any("only 2 parameter draws" in note for note in result.notes)


def test_draws_may_be_given_parameter_sets_and_a_psa_saves_itself(tmp_path):
    sets = pd.DataFrame({"stress_cmd_onset_strength": [1.0, 2.5]})
    result = psa({"label": "base", **TINY}, {"label": "peer", **TINY, "interventions": PEER}, draws=sets,
                 years=1, quiet=True)
    assert result.table.groupby("draw")["stress_cmd_onset_strength"].first().tolist() == [1.0, 2.5]
    assert result.describe()["method"] == "given parameter sets" and result.draws == 2
    assert "taken as given" in result.caveat() and "plausible ranges" not in result.caveat()
    written = result.save(tmp_path / "psa")
    assert {"psa.csv", "psa_probabilities.csv", "ceac.csv", "ceac.png", "manifest.json"} <= {
        p.name for p in written.iterdir()}
    assert json.loads((written / "manifest.json").read_text())["psa"]["parameters"] == ["stress_cmd_onset_strength"]


# ----------------------------------------------------------------------------- probabilities and CEAC
def test_probabilities_count_the_draws_where_it_happens():
    table = _table({"base": [5, 5, 5, 5], "A": [4, 4, 6, 5], "B": [3, 5, 5, np.nan]},
                   hly={"base": [0, 0, 0, 0], "A": [1, 1, 1, -1], "B": [0, 0, 0, 0]}, replicates=2)
    found = probabilities(table, "base", ["base", "A", "B"]).set_index(["question", "arm", "other"])
    narrows = "narrows the HLE gap"
    assert found.loc[(narrows, "A", "base"), "probability"] == pytest.approx(2 / 4)
    assert found.loc[(narrows, "B", "base"), ["probability", "pairs"]].tolist() == [pytest.approx(1 / 3), 3]
    assert found.loc[("gains healthy life years", "A", "base"), "probability"] == pytest.approx(3 / 4)
    assert found.loc[("gains healthy life years", "B", "base"), "probability"] == 0
    more = "narrows the HLE gap more than"
    assert found.loc[(more, "A", "B"), "probability"] == pytest.approx(1 / 3)  # A - B: 1, -1, 1 (nan left out)
    assert found.loc[(more, "B", "A"), "probability"] == pytest.approx(2 / 3)
    statement = found.loc[(narrows, "A", "base"), "statement"]
    assert statement == ("A narrows the HLE gap (Q5-Q1) against base in 50% of draws; no difference in 25% "
                         "(n = 2 draws x 2 replicates)")  # changes -1, -1, +1, 0
    assert found.loc[(narrows, "A", "base"), "unchanged"] == pytest.approx(1 / 4)
    assert "B narrows the HLE gap more (or widens it less) than A in 67% of draws" in found.loc[
        (more, "B", "A"), "statement"]
    assert "3 of 2 draws x 2 replicates" in found.loc[(narrows, "B", "base"), "statement"]


def test_an_unestimable_gap_gives_no_probability_and_says_why():
    table = _table({"base": [np.nan, np.nan], "A": [np.nan, np.nan]})
    found = probabilities(table, "base", ["base", "A"])
    row = found[found["question"] == "narrows the HLE gap"].iloc[0]
    assert np.isnan(row["probability"]) and row["pairs"] == 0 and "cannot be estimated" in row["statement"]


def test_ceac_cheapest_wins_at_zero_and_most_health_at_a_huge_threshold():
    table = _table({"base": [0, 0, 0], "cheap": [0, 0, 0], "dear": [0, 0, 0]},
                   hly={"base": [100, 100, 100], "cheap": [101, 100, 102], "dear": [110, 111, 109]},
                   cost={"base": [0, 0, 0], "cheap": [1_000, 1_000, 1_000], "dear": [500_000, 500_000, 500_000]})
    curve = ceac(table, ["base", "cheap", "dear"], [0, 1e4, 1e9]).pivot(index="threshold", columns="arm",
                                                                      values="probability")
    assert curve.loc[0.0].to_dict() == {"base": 1.0, "cheap": 0.0, "dear": 0.0}
    assert curve.loc[1e9].to_dict() == {"base": 0.0, "cheap": 0.0, "dear": 1.0}
    # At £10,000 per healthy life year: cheap gains 1, 0, 2 years for £1,000 (wins draws 0 and 2; in draw 1 it
    # loses to the base); dear never pays back £500,000.
    assert curve.loc[1e4].to_dict() == pytest.approx({"base": 1 / 3, "cheap": 2 / 3, "dear": 0.0})
    assert np.allclose(curve.sum(axis=1), 1)


def test_ceac_splits_exact_ties():
    table = _table({"base": [0], "twin": [0]}, hly={"base": [5], "twin": [5]}, cost={"base": [0], "twin": [0]})
    assert ceac(table, ["base", "twin"], [0, 1e6])["probability"].tolist() == [0.5, 0.5, 0.5, 0.5]


# ------------------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize("draws", [0, -3, 2.5, True, "ten"])
def test_draws_must_be_a_positive_whole_number(draws):
    with pytest.raises(ExperimentError, match=r"draws: must be a whole number at least 1"):
        psa({"label": "base", **TINY}, {"label": "b", **TINY}, draws=draws, years=1, quiet=True)


def test_unknown_parameter_and_arms_that_differ_are_refused_before_running():
    with pytest.raises(ParameterError, match=r"stres_cmd_onset_strength.*Did you mean 'stress_cmd_onset_strength'"):
        psa({"label": "base", **TINY}, {"label": "b", **TINY}, draws=2, parameters=["stres_cmd_onset_strength"],
            years=1, quiet=True)
    with pytest.raises(ExperimentError, match=r"the arms set mean_degree differently"):
        psa({"label": "base", **TINY}, {"label": "b", **TINY, "mean_degree": 12.0}, draws=2,
            parameters=["mean_degree"], years=1, quiet=True)
    with pytest.raises(ExperimentError, match=r"the arms differ in population_size"):
        psa({"label": "base", **TINY}, {"label": "b", **TINY, "population_size": 400}, draws=2, years=1,
            quiet=True)


def test_decompose_names_an_unknown_pathway_or_metric_and_what_is_allowed():
    with pytest.raises(ParameterError, match=r"unknown pathway or loop 'stress_resilence'.*Allowed: .*support_buffer"):
        decompose({"label": "base", **TINY}, {"label": "b", **TINY}, pathways=["stress_resilence"], years=1)
    with pytest.raises(ExperimentError, match=r"metrics: unknown 'hle_gap'; allowed: .*healthy_life_expectancy_gap"):
        decompose({"label": "base", **TINY}, {"label": "b", **TINY}, metrics=["hle_gap"], years=1)
    with pytest.raises(ExperimentError, match=r"the arms differ in population_size"):
        decompose({"label": "base", **TINY}, {"label": "b", **TINY, "population_size": 400}, years=1)
    with pytest.raises(ExperimentError, match=r"decompose compares two arms, got 3"):
        decompose({"label": "base", **TINY}, [{"label": "b", **TINY}, {"label": "c", **TINY}], years=1)


# -------------------------------------------------------------------------------------- decomposition
def _decomposition_results(values: dict[str, list[float]]) -> pd.DataFrame:
    """Final-year results of decompose's runs by hand: run label -> metric value per replicate."""
    rows = [{"scenario": label, "replicate": r, "year": 2030, "group_type": "area_deprivation_quintile",
             "group": 0, "metric": "mean_stress_gap", "value": v}
            for label, per_replicate in values.items() for r, v in enumerate(per_replicate)]
    return pd.DataFrame(rows)


def test_shares_are_one_minus_the_effect_left_when_a_pathway_is_off():
    results = _decomposition_results({
        f"base\t{ALL_ON}": [10, 10, 10, 10], f"alternative\t{ALL_ON}": [8, 8.2, 7.8, 8],   # effect -2
        "base\tstress_resilience": [9, 9, 9, 9], "alternative\tstress_resilience": [8.5, 8.4, 8.6, 8.5],  # -0.5
        "base\tpeer_smoking": [10, 10, 10, 10], "alternative\tpeer_smoking": [8, 8.2, 7.8, 8],  # unused: -2
    })
    table = shares(results, ["stress_resilience", "peer_smoking"], ["mean_stress_gap"]).set_index("switched_off")
    assert table.loc[ALL_ON, "effect"] == pytest.approx(-2) and table.loc[ALL_ON, "note"] == ""
    assert table.loc["stress_resilience", "share"] == pytest.approx(0.75)
    assert table.loc["stress_resilience", "kind"] == "loop" and table.loc["peer_smoking", "kind"] == "pathway"
    assert table.loc["stress_resilience", "share_low"] <= 0.75 <= table.loc["stress_resilience", "share_high"]
    assert table.loc["peer_smoking", "share"] == pytest.approx(0)
    assert plot_decomposition(table.reset_index()).axes  # draws without error


def test_a_total_effect_indistinguishable_from_zero_is_flagged_not_shared_confidently():
    results = _decomposition_results({
        f"base\t{ALL_ON}": [10, 10, 10], f"alternative\t{ALL_ON}": [9, 11, 10.3],
        "base\tstress_resilience": [10, 10, 10], "alternative\tstress_resilience": [9.5, 10.4, 10.1]})
    table = shares(results, ["stress_resilience"], ["mean_stress_gap"]).set_index("switched_off")
    assert "includes 0: shares are not identified" in table.loc["stress_resilience", "note"]
    assert np.isnan(table.loc["stress_resilience", ["share_low", "share_high"]].astype(float)).all()


def test_decompose_runs_with_common_random_numbers_and_an_unused_pathway_carries_nothing():
    base = {"label": "base", "population_size": 600, "burn_in_years": 1}
    table = decompose(base, {**base, "label": "peer", "interventions": PEER}, pathways=["peer_smoking",
                      "support_buffering"], metrics=["mean_stress_gap"], replicates=2, years=2, quiet=True)
    assert table["switched_off"].tolist() == [ALL_ON, "peer_smoking", "support_buffering"]
    assert table.attrs["base"] == "base" and table.attrs["alternative"] == "peer"
    rows = table.set_index("switched_off")
    assert rows.loc[ALL_ON, "effect"] != 0  # peer support moves the stress gap within two years
    # Smoking among peers feeds nothing the stress gap depends on within two years: the effect is unchanged.
    assert rows.loc["peer_smoking", "share"] == pytest.approx(0, abs=1e-9)


# --------------------------------------------------------------------------------------- the commands
def test_compare_psa_writes_the_psa_tables_the_ceac_and_a_manifest_entry(here, capsys):
    code = main(["compare", str(shipped_scenario("baseline")), str(shipped_scenario("peer_support")), "-o", "cmp",
                 *TINY_CLI, "--psa", "2"])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "with fewer than 20 parameter draws the probabilities are coarse" in printed.err
    assert "peer_support gains healthy life years against baseline in" in printed.out
    out = Path("cmp")
    table = pd.read_csv(out / "psa.csv")
    assert set(table["arm"]) == {"baseline", "peer_support"} and set(table["draw"]) == {0, 1}
    assert {"hle_gap", "le_gap", "healthy_life_years", "cost", "hle_gap_change", "cost_change"} <= set(table.columns)
    assert (out / "ceac.png").stat().st_size > 10_000
    curve = pd.read_csv(out / "ceac.csv")
    assert np.allclose(curve.groupby("threshold")["probability"].sum(), 1)
    assert (out / "psa_probabilities.csv").exists() and (out / "comparison.csv").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["psa"]["draws"] == 2  # by default resampled from the shipped calibration posterior
    assert manifest["psa"]["method"].startswith("resampled by weight from the posterior")
    assert "resampled by weight from the posterior" in printed.out
    assert manifest["psa"]["replicate_seeds"] == manifest["replicate_seeds"]  # the comparison's seeds
    assert {"psa.csv", "ceac.csv", "ceac.png", "psa_probabilities.csv"} <= set(manifest["files"])
    assert "Probabilistic sensitivity analysis" in (out / "report.html").read_text()


def test_compare_psa_refuses_a_bad_number_of_draws(here, capsys):
    assert main(["compare", "baseline", "peer_support", "-o", "cmp", *TINY_CLI, "--psa", "0"]) == 2
    assert "draws: must be a whole number at least 1" in capsys.readouterr().err
    assert not Path("cmp").exists()


def test_decompose_command_writes_the_table_and_plot(here, capsys):
    code = main(["decompose", "baseline", "peer_support", "-p", "peer_smoking", "--metric", "mean_stress_gap",
                 "-o", "dec", *TINY_CLI[:-1], "2"])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "mean_stress_gap: effect of peer_support against baseline" in printed.out
    table = pd.read_csv("dec/decomposition.csv")
    assert table["switched_off"].tolist() == [ALL_ON, "peer_smoking"]
    assert Path("dec/decomposition_mean_stress_gap.png").exists() and Path("dec/manifest.json").exists()
    assert main(["decompose", "baseline", "peer_support", "-p", "nonsense", "-o", "dec2", *TINY_CLI]) == 2
    assert "unknown pathway or loop 'nonsense'" in capsys.readouterr().err
