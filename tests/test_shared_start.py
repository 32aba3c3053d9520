"""Arms of a replicate that run with the same parameters share one build and burn-in (``run_replicate``): each
runs from a copy of it, and its results are those of a run that builds its own, bit for bit; an arm with other
parameters gets its own start; a start made for other parameters or another seed is refused."""

from __future__ import annotations

import pandas as pd
import pytest

from pathways_sim.experiments.runner import run_arms
from pathways_sim.mechanisms.parameters import ParameterError
from pathways_sim.model import PathwaysModel
from pathways_sim.model.pathways_model import burnt_in, model_parameters

PEOPLE = 1_500
ARMS = {
    "baseline": {"population_size": PEOPLE},
    "loneliness loop off": {"population_size": PEOPLE, "pathways_off": ["loneliness_ties"]},
    "peer support": {"population_size": PEOPLE,
                     "interventions": [{"kind": "peer_support", "coverage": 0.5}]},
    "ties break faster": {"population_size": PEOPLE, "tie_loss_rate": 0.5},  # other parameters: its own start
}


def test_arms_sharing_a_start_give_the_results_of_arms_building_their_own(monkeypatch):
    from pathways_sim.experiments import runner

    built = []
    monkeypatch.setattr(runner, "burnt_in", lambda params, seed: built.append(seed) or burnt_in(params, seed))
    shared = run_arms(ARMS, years=2, seed=3, replicates=2, progress=False, share_start=True).results
    assert len(built) == 2 * 2  # a replicate: one start for the three arms with the defaults, one for the other
    separate = run_arms(ARMS, years=2, seed=3, replicates=2, progress=False, share_start=False).results
    pd.testing.assert_frame_equal(shared, separate, check_exact=True)
    finals = shared[(shared.year == shared.year.max()) & (shared.metric == "loneliness_prevalence")
                    & (shared.group_type == "all")].groupby("scenario")["value"].mean()
    assert finals.nunique() == len(ARMS)  # the arms did differ


def test_a_start_for_other_parameters_or_another_seed_is_refused():
    start = burnt_in(model_parameters(None, {"population_size": 500}), 7)
    model = PathwaysModel(population_size=500, rng=7, start=start, agents="lazy")
    assert model.world is not start and model.world.step_index == 0  # a copy: the start stays as it was
    model.run(years=1)
    assert start.step_index == 0
    with pytest.raises(ParameterError, match=r"other parameters .*tie_loss_rate"):
        PathwaysModel(population_size=500, tie_loss_rate=0.4, rng=7, start=start)
    with pytest.raises(ParameterError, match="seed 7, not 8"):
        PathwaysModel(population_size=500, rng=8, start=start)
    with pytest.raises(ParameterError, match="must be a World"):
        PathwaysModel(population_size=500, rng=7, start="a world")  # type: ignore[arg-type]


def test_with_more_workers_than_replicates_each_start_is_built_once_and_shipped_to_the_workers(monkeypatch):
    # A lesson: one replicate, several arms, two workers.  Each arm used to build and burn in its own start in its
    # worker (16 builds for 16 runs, no faster than one worker); now the start is built once (here, in this
    # process, as there is one) and each worker runs its arms from a copy of it: the results of run_one, bit for bit.
    from pathways_sim.experiments import runner

    same = {arm: kwargs for arm, kwargs in ARMS.items() if arm != "ties break faster"}
    built = []
    monkeypatch.setattr(runner, "burnt_in", lambda params, seed: built.append(seed) or burnt_in(params, seed))
    shipped = run_arms(same, years=1, seed=4, replicates=1, workers=2, progress=False).results
    assert len(built) == 1
    separate = run_arms(same, years=1, seed=4, replicates=1, progress=False, share_start=False).results
    pd.testing.assert_frame_equal(shipped, separate, check_exact=True)
    # Two starts (other parameters in one arm): built side by side in the workers, sent back, shipped out again
    small = {arm: {**kwargs, "population_size": 600} for arm, kwargs in ARMS.items()}
    shipped = run_arms(small, years=1, seed=5, replicates=1, workers=2, progress=False).results
    separate = run_arms(small, years=1, seed=5, replicates=1, progress=False, share_start=False).results
    pd.testing.assert_frame_equal(shipped, separate, check_exact=True)
    assert list(shipped.scenario.unique()) == list(small)  # arm by arm, as run_arms always returns them
