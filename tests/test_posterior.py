"""A calibration posterior as PSA draws: reading it, resampling it by weight, and `psa`/`compare --psa` drawing
from the shipped one by default (the Latin hypercube over plausible ranges on request)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from pathways_sim import PARAMETERS
from pathways_sim.experiments import ExperimentError
from pathways_sim.experiments.posterior import SHIPPED_POSTERIOR, load_posterior, manifest_path, resample
from pathways_sim.experiments.psa import psa

TINY = {"population_size": 300, "burn_in_years": 0}


def test_the_shipped_posterior_is_readable_weighted_inside_the_ranges_and_labelled():
    posterior = load_posterior()
    names = [c for c in posterior.columns if c != "weight"]
    assert len(posterior) >= 5 and names and np.isclose(posterior["weight"].sum(), 1.0)
    for name in names:
        lo, hi = PARAMETERS[name].plausible
        assert posterior[name].between(lo, hi).all(), name
    manifest = json.loads(manifest_path(SHIPPED_POSTERIOR).read_text())
    # The 100,000-person calibration: not provisional; the life block it did not free is listed as fixed.
    assert manifest["population_size"] == 100_000 and not manifest["provisional"]
    assert {"mortality_rate_at_50", "male_mortality_log_hr"} <= set(manifest["fixed"])
    assert manifest["runs"]["total"] > 0 and manifest["library"]["scikit-learn"]


def test_resampling_follows_the_weights_and_is_reproducible():
    posterior = pd.DataFrame({"mean_degree": [6.0, 8.0, 10.0], "weight": [0.7, 0.2, 0.1]})
    draws = resample(posterior, 1_000, seed=3)
    assert list(draws.columns) == ["mean_degree"] and len(draws) == 1_000
    shares = draws["mean_degree"].value_counts(normalize=True)
    assert shares[6.0] == pytest.approx(0.7, abs=0.002) and shares[10.0] == pytest.approx(0.1, abs=0.002)
    assert resample(posterior, 50, seed=3).equals(resample(posterior, 50, seed=3))
    assert "resampled by weight" in draws.attrs["method"]


@pytest.mark.parametrize("frame, message", [
    (pd.DataFrame({"x": [1.0], "weight": [1.0]}), "no column names a parameter"),
    (pd.DataFrame({"mean_degree": [6.0]}), "no weight column"),
    (pd.DataFrame({"mean_degree": [6.0], "weight": [-1.0]}), "weights must be finite, non-negative"),
])
def test_a_bad_posterior_file_is_named_with_its_problem(tmp_path, frame, message):
    path = tmp_path / "p.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(ExperimentError, match=message) as err:
        load_posterior(path)
    assert str(path) in str(err.value)
    with pytest.raises(ExperimentError, match="no such file"):
        load_posterior(tmp_path / "absent.parquet")


def test_psa_draws_from_the_shipped_posterior_by_default_and_from_ranges_on_request():
    base, alt = {"label": "base", **TINY}, {"label": "b", **TINY}
    result = psa(base, alt, draws=2, years=1, quiet=True)
    posterior = load_posterior()
    assert set(result.parameters) == set(posterior.columns) - {"weight"}
    for name in result.parameters:  # every draw is one of the accepted sets
        assert set(result.design[name]) <= set(posterior[name])
    assert "resampled by weight from the posterior" in result.caveat()
    assert not any("provisional" in note for note in result.notes)  # the shipped posterior is not provisional
    ranges = psa(base, alt, draws=2, years=1, quiet=True, source="ranges", parameters=["mean_degree"])
    assert ranges.design.attrs["method"] == "latin_hypercube" and "plausible ranges" in ranges.caveat()


def test_a_posterior_source_and_named_parameters_contradict_each_other():
    base, alt = {"label": "base", **TINY}, {"label": "b", **TINY}
    with pytest.raises(ExperimentError, match="give one or the other"):
        psa(base, alt, draws=2, years=1, quiet=True, source="posterior", parameters=["mean_degree"])
    with pytest.raises(ExperimentError, match="must be one of posterior, ranges or a posterior file"):
        psa(base, alt, draws=2, years=1, quiet=True, source="posteriors")
