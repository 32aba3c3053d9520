"""The calibration's core, history matching, on a cheap noisy toy simulator with known parameters: it recovers
them inside its intervals, and reports a misspecified model (targets no parameters can meet) as such."""

from __future__ import annotations

import numpy as np
import pytest

from pathways_sim.analysis.calibration.history_matching import Prior, history_match, weighted_quantiles

TRUE = np.array([0.3, 2.0, -1.0])
PRIOR = Prior(("a", "b", "c"), np.array([0.0, 0.0, -2.0]), np.array([1.0, 4.0, 1.0]))
NAMES = ["y0", "y1", "y2", "y3", "y4"]
NOISE, SEEDS = 0.02, 3


def _outputs(points: np.ndarray) -> np.ndarray:
    a, b, c = points[:, 0], points[:, 1], points[:, 2]
    return np.stack([a + 0.1 * b, a * b, np.sin(c) + 0.2 * a, b - c, 0.5 * a + c], axis=1)


class ToySimulator:
    """Five outputs of three parameters plus Gaussian run-to-run noise: the mean of SEEDS seeds and its variance.
    Counts the points it is asked for, as the model's run store would."""

    def __init__(self, seed: int = 0):
        self.rng = np.random.default_rng(seed)
        self.points = 0

    def __call__(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        self.points += len(points)
        runs = _outputs(points)[None] + self.rng.normal(0, NOISE, (SEEDS, len(points), len(NAMES)))
        return runs.mean(axis=0), runs.var(axis=0, ddof=1) / SEEDS


def _match(observed: np.ndarray, **kwargs):
    settings = {"waves": 3, "runs_per_wave": 30, "seed": 3, "candidates": 5_000, **kwargs}
    return history_match(ToySimulator(), PRIOR, NAMES, observed, np.full(len(NAMES), 0.05), **settings)


def test_history_matching_recovers_known_parameters_within_its_intervals():
    result = _match(_outputs(TRUE[None])[0])
    assert len(result.accepted) >= 10 and np.isclose(result.accepted["weight"].sum(), 1.0)
    intervals = result.intervals().set_index("parameter")
    for name, true in zip(PRIOR.names, TRUE, strict=True):
        low, high = intervals.loc[name, "low"], intervals.loc[name, "high"]
        assert low <= true <= high, (name, low, true, high)
        width = PRIOR.upper[PRIOR.names.index(name)] - PRIOR.lower[PRIOR.names.index(name)]
        assert high - low < 0.3 * width, name  # the data narrowed the prior, not just contained the truth
    shares = [w.nroy_share for w in result.waves]
    assert shares[0] < 0.05  # the first wave's emulators already rule out most of the box
    assert result.runs == 90  # later waves found enough points not ruled out, though NROY is a sliver
    assert all(result.accepted["a"].between(0, 1))


def test_a_misspecified_model_is_reported_not_forced():
    """y4 = a/2 + c cannot be 3 while y3 = b - c and y0 = a + b/10 hold their true values inside the ranges:
    nothing is accepted, and the target that rules everything out is named."""
    observed = _outputs(TRUE[None])[0] + np.array([0, 0, 0, 0, 3.0])
    result = _match(observed)
    assert result.accepted.empty
    assert result.ruled_out_by["y4"] == 1.0


def test_a_held_out_target_is_simulated_but_never_rules_a_point_out():
    observed = _outputs(TRUE[None])[0] + np.array([0, 0, 0, 0, 3.0])  # the impossible target, held out
    result = _match(observed, hold_out=["y4"], waves=2)
    assert "y4" not in result.fitted and len(result.accepted) > 0
    assert "y4" in result.accepted.columns and (result.accepted["y4"] < 2.0).all()  # far from its 3.0 + truth


def test_the_same_seed_asks_for_the_same_points():
    """What makes a stopped calibration resumable: its designs depend only on the seed and on what the
    simulator returned."""
    observed = _outputs(TRUE[None])[0]
    first, second = _match(observed, waves=2), _match(observed, waves=2)
    for a, b in zip(first.waves, second.waves, strict=True):
        assert np.array_equal(a.points, b.points)


def test_a_target_the_simulator_cannot_estimate_is_left_out_and_named():
    def simulate(points):
        means, variances = ToySimulator()(points)
        means[:, 2] = np.nan  # as a life table with too few deaths
        return means, variances

    result = history_match(simulate, PRIOR, NAMES, _outputs(TRUE[None])[0], np.full(5, 0.05), waves=1,
                           runs_per_wave=20, candidates=2_000)
    assert result.not_estimable == ["y2"] and "y2" not in result.fitted


def test_weighted_quantiles():
    x, w = np.array([3.0, 1.0, 2.0]), np.array([1.0, 1.0, 1.0])
    assert weighted_quantiles(x, w, [0.5])[0] == pytest.approx(2.0)
    assert weighted_quantiles(np.array([0.0, 10.0]), np.array([9.0, 1.0]), [0.5])[0] <= 1.0  # pulled to the heavy point


def test_a_prior_needs_increasing_bounds():
    with pytest.raises(ValueError, match="upper bound must exceed"):
        Prior(("a",), np.array([1.0]), np.array([1.0]))
