"""Invalid parameters are rejected with a message naming the parameter and what is allowed."""

from __future__ import annotations

import pickle

import pytest

from pathways_sim import PARAMETERS, PATHWAYS, ParameterError, Parameters, PathwaysModel, Switches


@pytest.mark.parametrize("name, value, expected", [
    ("population_size", -5, "population_size: must be between 50 and 2e+07 (people), got -5"),
    ("population_size", 1000.5, "population_size: must be a whole number, got 1000.5"),
    ("mean_degree", -1.0, "mean_degree: must be between 0 and 50"),
    ("local_tie_share", 1.5, "local_tie_share: must be between 0 and 1 (proportion), got 1.5"),
    ("minority_share", -0.1, "minority_share: must be between 0 and 1"),
    ("median_income", "high", "median_income: must be a number, got 'high' (str)"),
    ("stress_cmd_onset_strength", float("nan"), "stress_cmd_onset_strength: must be a number, got NaN"),
    ("step_months", 5, "step_months: must divide a year: one of 1, 2, 3, 4, 6, 12 (got 5)"),
    ("employment_rate", True, "employment_rate: must be a number, got True (bool)"),
])
def test_bad_values_name_the_parameter_and_the_allowed_range(name, value, expected):
    with pytest.raises(ParameterError) as err:
        Parameters({name: value})
    assert expected in str(err.value)
    assert err.value.problems[0][0] == name


def test_unknown_parameter_suggests_close_names_and_lists_allowed():
    with pytest.raises(ParameterError) as err:
        PathwaysModel(population_sise=1000, rng=1)
    message = str(err.value)
    assert "unknown parameter 'population_sise'" in message
    assert "Did you mean 'population_size'" in message
    assert "Allowed: " in message and "median_income" in message


def test_every_problem_is_reported_at_once():
    with pytest.raises(ParameterError) as err:
        Parameters(population_size=-1, local_tie_share=2.0, nonsense=3)
    assert {name for name, _ in err.value.problems} == {"population_size", "local_tie_share", "nonsense"}


def test_unknown_pathway_is_rejected():
    with pytest.raises(ParameterError, match=r"unknown pathway or loop 'peer_smokin'.*Did you mean 'peer_smoking'"):
        Switches(["peer_smokin"])


def test_bad_seed_and_agent_mode_are_rejected():
    with pytest.raises(ParameterError, match="rng: must be a non-negative integer seed"):
        PathwaysModel(population_size=100, rng=-3)
    with pytest.raises(ParameterError, match="agents: must be 'auto', 'all' or 'lazy'"):
        PathwaysModel(population_size=100, rng=1, agents="some")
    with pytest.raises(ParameterError, match="years: must be a non-negative number"):
        PathwaysModel(population_size=100, rng=1).run(years=-1)


def test_parameters_are_immutable_and_nothing_is_clipped():
    params = Parameters(mean_degree=6)
    with pytest.raises(AttributeError):
        params.mean_degree = 7
    assert params.mean_degree == 6.0
    assert params.replace(mean_degree=9).mean_degree == 9.0 and params.mean_degree == 6.0
    assert pickle.loads(pickle.dumps(params)) == params


def test_every_declaration_is_complete_and_its_default_valid():
    for name, p in PARAMETERS.items():
        assert p.unit and p.source and p.doc, name
        lo, hi = p.bounds
        assert lo <= p.default <= hi, name
        assert lo <= p.plausible[0] <= p.plausible[1] <= hi, name
    for pathway in PATHWAYS.values():
        assert pathway.strength.name in PARAMETERS
        assert pathway.sign in (-1, 1) and pathway.sources and pathway.target
