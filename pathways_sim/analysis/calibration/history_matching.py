"""History matching with Gaussian-process emulators: the calibration's core, for any noisy simulator.

The method (Craig et al. 1997; Vernon, Goldstein & Bower 2010; Andrianakis et al. 2015 for individual-based
models) in waves:

1. a design of ``runs_per_wave`` points: a Latin hypercube over the prior box (the declared plausible ranges)
   in wave 1, then points drawn from what earlier waves left *not ruled out yet* (NROY);
2. the simulator at each point (several seeds, common random numbers: ``simulate`` returns the mean over
   seeds and the variance of that mean, per target);
3. one Gaussian-process emulator per fitted target (scikit-learn, ARD squared-exponential plus white noise,
   the noise being the run-to-run variance that seeds leave), on the unit cube;
4. the implausibility of a candidate x for target k,
   ``I_k(x) = |z_k - E[f_k(x)]| / sqrt(Var_emulator_k(x) + tolerance_k^2)``: the published value's tolerance
   is read as one standard deviation of observation error plus model discrepancy; a candidate is ruled out
   when its largest ``I_k`` exceeds ``cutoff`` (3, Pukelsheim's three-sigma rule).

After the last wave, the accepted sets are the last wave's *simulated* points whose simulated implausibility
(the same formula with the run's own mean and its variance) is at most ``cutoff`` for every fitted target,
weighted by the Gaussian likelihood ``exp(-0.5 sum_k r_k^2)`` of their standardised residuals.  The last wave
is drawn uniformly from NROY (the prior restricted to the points not ruled out), so these weights make an
importance sample of the posterior under the uniform prior, restricted to NROY.  If no point survives, the
result says so (``accepted`` is empty) and names the targets that rule the most points out: a model that
cannot meet its targets is reported as such, never forced to.

Everything is a deterministic function of ``seed`` and of what ``simulate`` returns, so running the same
calibration again after a crash asks ``simulate`` for the same points in the same order: a ``simulate`` that
keeps its runs (the run store) returns the finished ones at once and runs only what is missing.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.stats import qmc

#: simulate(points (n, d) in parameter units) -> (means (n, k), variances of the means (n, k)); NaN = not estimable
Simulator = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
CUTOFF = 3.0
MIN_ESTIMABLE = 0.5  # a target estimable in fewer of wave 1's runs than this share is not fitted (too small a run)
CANDIDATES = 20_000  # candidates screened by the emulators per wave


@dataclass(frozen=True)
class Prior:
    """Independent uniform priors on [lower, upper] (a parameter's plausible range); integers rounded."""

    names: tuple[str, ...]
    lower: np.ndarray
    upper: np.ndarray
    integer: tuple[bool, ...] = ()

    def __post_init__(self) -> None:
        if len(self.lower) != len(self.names) or len(self.upper) != len(self.names):
            raise ValueError("prior: one lower and one upper bound per name")
        if not np.all(np.asarray(self.upper) > np.asarray(self.lower)):
            raise ValueError("prior: every upper bound must exceed its lower bound")

    def values(self, unit: np.ndarray) -> np.ndarray:
        """Unit-cube points as parameter values (integers rounded)."""
        v = self.lower + np.clip(unit, 0, 1) * (self.upper - self.lower)
        for j, is_int in enumerate(self.integer):
            if is_int:
                v[:, j] = np.round(v[:, j])
        return v

    def unit(self, values: np.ndarray) -> np.ndarray:
        return (np.asarray(values, float) - self.lower) / (self.upper - self.lower)


@dataclass
class Wave:
    """One wave: its design (parameter values), what the simulator returned, and the share of the screened
    candidates its emulators left not ruled out."""

    number: int
    points: np.ndarray
    means: np.ndarray
    variances: np.ndarray
    nroy_share: float
    fitted: list[str]


@dataclass
class HistoryMatch:
    """The outcome: accepted sets (parameter values, weights, simulated outputs) and every wave."""

    prior: Prior
    targets: list[str]
    observed: np.ndarray
    tolerance: np.ndarray
    fitted: list[str]  # targets used to rule points out (held-out and not-estimable ones are not)
    not_estimable: list[str]
    waves: list[Wave] = field(default_factory=list)
    accepted: pd.DataFrame = field(default_factory=pd.DataFrame)  # parameters, weight, then one column per target
    cutoff: float = CUTOFF
    weights: np.ndarray = field(default_factory=lambda: np.ones(0))
    ruled_out_by: dict[str, float] = field(default_factory=dict)  # share of last-wave points each target rules out

    @property
    def runs(self) -> int:
        return sum(len(w.points) for w in self.waves)

    def intervals(self, level: float = 0.95) -> pd.DataFrame:
        """Weighted central ``level`` interval and median of each parameter over the accepted sets."""
        rows = []
        for name in self.prior.names:
            if self.accepted.empty:
                rows.append({"parameter": name, "low": np.nan, "median": np.nan, "high": np.nan})
                continue
            q = weighted_quantiles(self.accepted[name].to_numpy(float), self.accepted["weight"].to_numpy(float),
                                   [(1 - level) / 2, 0.5, (1 + level) / 2])
            rows.append({"parameter": name, "low": q[0], "median": q[1], "high": q[2]})
        return pd.DataFrame(rows)


def weighted_quantiles(x: np.ndarray, w: np.ndarray, qs: Sequence[float]) -> np.ndarray:
    """Quantiles of ``x`` weighted by ``w`` (the inverse of the weighted empirical distribution, interpolated
    at the middle of each point's weight)."""
    order = np.argsort(x)
    x, w = x[order], w[order] / w.sum()
    cumulative = np.cumsum(w) - 0.5 * w
    return np.interp(qs, cumulative, x)


def _emulator(x: np.ndarray, y: np.ndarray, seed: int):
    """A GP on the unit cube for one target: constant x ARD RBF + white noise, outputs standardised."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel
    from threadpoolctl import threadpool_limits

    d = x.shape[1]
    kernel = (ConstantKernel(1.0, (1e-3, 1e3)) * RBF(np.full(d, 0.5), (1e-2, 1e2))
              + WhiteKernel(0.1, (1e-6, 1e1)))
    gp = GaussianProcessRegressor(kernel, normalize_y=True, n_restarts_optimizer=2, random_state=seed)
    # One BLAS thread: the matrices are small, and more threads only contend with the simulator's workers.
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore", ConvergenceWarning)  # a length scale at its bound: the input does not matter
        gp.fit(x, y)
    return gp


def _implausibility(emulators: list, unit: np.ndarray, observed: np.ndarray, tolerance: np.ndarray) -> np.ndarray:
    """(n, k) implausibility of candidates (unit cube) for the emulated targets."""
    out = np.empty((len(unit), len(emulators)))
    for j, gp in enumerate(emulators):
        mean, sd = gp.predict(unit, return_std=True)
        out[:, j] = np.abs(observed[j] - mean) / np.sqrt(sd ** 2 + tolerance[j] ** 2)
    return out


def simulated_implausibility(means: np.ndarray, variances: np.ndarray, observed: np.ndarray,
                             tolerance: np.ndarray) -> np.ndarray:
    """(n, k) implausibility of simulated points: their own mean and its variance; NaN (not estimable) -> inf."""
    i = np.abs(means - observed) / np.sqrt(np.nan_to_num(variances) + tolerance ** 2)
    return np.where(np.isfinite(i), i, np.inf)


def _nroy_candidates(waves_emulators: list, prior: Prior,  # noqa: PLR0913 - the screen's state
                     rng: np.random.Generator, observed: np.ndarray,
                     tolerance: np.ndarray, cutoff: float, known: np.ndarray, *, count: int, need: int
                     ) -> tuple[np.ndarray, float]:
    """Candidates not ruled out by any wave's emulators, and the share of uniform candidates that survive.

    Uniform candidates first; when NROY is a sliver of the box (fewer than ``need`` survive), candidates are
    also drawn around the points known to be acceptable and those found (a Gaussian cloud of width 0.1 per
    unit axis), still screened by every emulator, so later waves do not run out of points."""
    d = len(prior.names)
    uniform = rng.random((count, d))
    keep = _screen(waves_emulators, uniform, observed, tolerance, cutoff)
    share = float(keep.mean())
    found = uniform[keep]
    centres = np.vstack([known, found])
    if len(found) < need and len(centres):
        cloud = centres[rng.integers(len(centres), size=count)] + rng.normal(0, 0.1, (count, d))
        cloud = np.clip(cloud, 0, 1)
        found = np.vstack([found, cloud[_screen(waves_emulators, cloud, observed, tolerance, cutoff)]])
    return found, share


def _screen(waves_emulators: list[list], unit: np.ndarray, observed: np.ndarray, tolerance: np.ndarray,
            cutoff: float) -> np.ndarray:
    keep = np.ones(len(unit), dtype=bool)
    for emulators, idx in waves_emulators:
        alive = np.flatnonzero(keep)
        if alive.size == 0:
            break
        imp = _implausibility(emulators, unit[alive], observed[idx], tolerance[idx])
        keep[alive] = imp.max(axis=1) <= cutoff
    return keep


def _spread(candidates: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` of the candidates, spread out: greedy maximin from a random start (or all if fewer)."""
    if len(candidates) <= n:
        return candidates
    pool = candidates[rng.choice(len(candidates), size=min(len(candidates), 20 * n), replace=False)]
    chosen = [int(rng.integers(len(pool)))]
    dist = np.linalg.norm(pool - pool[chosen[0]], axis=1)
    for _ in range(n - 1):
        nxt = int(np.argmax(dist))
        chosen.append(nxt)
        dist = np.minimum(dist, np.linalg.norm(pool - pool[nxt], axis=1))
    return pool[chosen]


def history_match(simulate: Simulator, prior: Prior, targets: Sequence[str],  # noqa: PLR0913 - settings
                  observed: Sequence[float] | np.ndarray, tolerance: Sequence[float] | np.ndarray, *,
                  weights: Sequence[float] | np.ndarray | None = None,
                  hold_out: Sequence[str] = (), waves: int = 3,
                  runs_per_wave: int = 40, cutoff: float = CUTOFF, seed: int = 2025, candidates: int = CANDIDATES,
                  progress: Callable[[str], None] | None = None) -> HistoryMatch:
    """Calibrate ``simulate`` to ``observed`` (+/- ``tolerance``) by history matching; see the module docstring.

    ``targets`` name the outputs (columns of what ``simulate`` returns); ``hold_out`` names targets simulated
    and reported but never used to rule points out.  A target that wave 1 could estimate in fewer than half
    its runs (NaN: e.g. a life table with too few deaths at a small population) is left out of the fit and
    listed in ``not_estimable``.  ``weights`` (default 1 each) scale each target's squared residual in the
    likelihood weights, so a row the targets file splits into ten values counts once.
    """
    targets = list(targets)
    z, tol = np.asarray(observed, float), np.asarray(tolerance, float)
    rng = np.random.default_rng(seed)
    result = HistoryMatch(prior, targets, z, tol, [], [], cutoff=cutoff,
                          weights=np.ones(len(targets)) if weights is None else np.asarray(weights, float))
    emulators_by_wave: list = []
    unit = qmc.LatinHypercube(d=len(prior.names), seed=rng).random(runs_per_wave)
    fit_idx = np.array([], dtype=int)
    for number in range(1, waves + 1):
        points = prior.values(unit)
        means, variances = simulate(points)
        if number == 1:
            estimable = np.mean(np.isfinite(means), axis=0) >= MIN_ESTIMABLE
            result.not_estimable = [t for t, ok in zip(targets, estimable, strict=True) if not ok]
            fit_idx = np.array([k for k, t in enumerate(targets) if estimable[k] and t not in hold_out], dtype=int)
            result.fitted = [targets[k] for k in fit_idx]
        emulators = []
        for k in fit_idx:
            ok = np.isfinite(means[:, k])
            emulators.append(_emulator(prior.unit(points[ok]), means[ok, k], seed + number))
        emulators_by_wave.append((emulators, fit_idx))
        sim_imp = simulated_implausibility(means[:, fit_idx], variances[:, fit_idx], z[fit_idx], tol[fit_idx])
        passing = prior.unit(points[sim_imp.max(axis=1) <= cutoff]) if len(fit_idx) else prior.unit(points)
        found, share = _nroy_candidates(emulators_by_wave, prior, rng, z, tol, cutoff, passing, count=candidates,
                                         need=5 * runs_per_wave)
        result.waves.append(Wave(number, points, means, variances, share, list(result.fitted)))
        if progress:
            progress(f"wave {number}: {len(points)} points run, {int((sim_imp.max(axis=1) <= cutoff).sum())} "
                     f"within the cut-off as run; {100 * share:.2g}% of the prior box not ruled out yet")
        if number < waves:
            if len(found) == 0:
                break  # everything ruled out: the last wave's runs are what there is
            unit = _spread(found, runs_per_wave, rng)
    _accept(result)
    return result


def _accept(result: HistoryMatch) -> None:
    """The last wave's simulated points within the cut-off for every fitted target, likelihood-weighted."""
    last = result.waves[-1]
    idx = np.array([result.targets.index(t) for t in result.fitted], dtype=int)
    imp = simulated_implausibility(last.means[:, idx], last.variances[:, idx], result.observed[idx],
                                   result.tolerance[idx])
    result.ruled_out_by = {t: float(np.mean(imp[:, j] > result.cutoff)) for j, t in enumerate(result.fitted)}
    ok = imp.max(axis=1) <= result.cutoff if len(idx) else np.ones(len(last.points), dtype=bool)
    frame = pd.DataFrame(last.points[ok], columns=list(result.prior.names))
    r2 = np.sum(result.weights[idx] * imp[ok] ** 2, axis=1)
    weight = np.exp(-0.5 * (r2 - r2.min())) if ok.any() else np.array([])
    frame.insert(len(frame.columns), "weight", weight / weight.sum() if ok.any() else weight)
    outputs = pd.DataFrame(last.means[ok], columns=result.targets)
    result.accepted = pd.concat([frame.reset_index(drop=True), outputs.reset_index(drop=True)], axis=1)
