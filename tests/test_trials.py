"""In-silico trials: every intervention run as the study its defaults claim lands inside the published interval."""

from __future__ import annotations

import pytest

from pathways_sim.analysis.trials import TRIALS, run_trial, select_trials, trials_frame
from pathways_sim.interfaces.cli import main
from pathways_sim.interventions import INTERVENTIONS

TESTED = [t for t in TRIALS if t.tested]
SLOW = {"early_years"}  # few people are parents of infants: a large world, followed for six years


def test_every_kind_has_a_row_and_every_claimed_estimate_a_design():
    assert {t.kind for t in TRIALS} == set(INTERVENTIONS)
    assert len({t.name for t in TRIALS}) == len(TRIALS)
    for trial in TRIALS:
        if trial.published is not None:
            assert trial.design is not None, f"{trial.name}: a published estimate without an in-silico design"
    # The kinds whose defaults claim a trial or evaluation with an interval are held to it.
    assert {t.kind for t in TESTED} == {"peer_support", "early_years", "community_wealth_building",
                                        "stigma_reduction"}
    speculative = next(t for t in TRIALS if t.kind == "trauma_informed_care")
    assert speculative.published is None and "speculative" in speculative.note


@pytest.mark.parametrize("trial", [pytest.param(t, id=t.name, marks=[pytest.mark.slow] if t.name in SLOW else [])
                                   for t in TESTED])
def test_the_model_reproduces_the_published_estimate(trial):
    result = run_trial(trial)
    published, model = trial.published, result.model
    assert published is not None and model is not None
    assert result.inside, (f"{trial.name}: model {model.estimate:.3f} ({model.low:.3f} to {model.high:.3f}) "
                           f"outside the published {published.low} to {published.high}")
    assert model.low <= model.estimate <= model.high


def test_social_prescribing_defaults_to_a_near_null_effect_and_its_optimistic_variant_to_more():
    central, optimistic = (run_trial(t) for t in TRIALS if t.kind == "social_prescribing")
    assert central.model is not None and optimistic.model is not None
    assert abs(central.model.estimate) < 0.1  # controlled studies mostly null (Napierala 2022)
    assert optimistic.model.estimate < central.model.estimate
    assert central.inside is None  # no pooled published estimate: no pass/fail


def test_kinds_without_a_published_estimate_say_so():
    frame = trials_frame([run_trial(t) for t in select_trials(["trauma_informed_care", "housing_security"])])
    assert frame["published"].isna().all() and frame["inside"].isna().all()


def test_unknown_kind_is_refused_with_the_allowed_names():
    with pytest.raises(ValueError, match=r"allowed: .*peer_support"):
        select_trials(["peer_suport"])


def test_the_command_prints_a_row_per_trial(here, capsys):
    assert main(["trials", "--kind", "stigma_reduction", "--kind", "trauma_informed_care", "--people", "2000",
                 "--replicates", "2"]) == 0
    printed = capsys.readouterr().out
    assert "stigma_reduction" in printed and "Corker" in printed and "0.58 (0.36 to 0.94)" in printed
    assert "trauma_informed_care" in printed and "no published estimate" in printed
    lines = [line.split("\t") for line in printed.splitlines() if line.startswith("stigma_reduction")]
    assert lines and lines[0][6] == "yes"


def test_the_command_refuses_an_unknown_kind(capsys):
    assert main(["trials", "--kind", "peer_suport"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert "peer_suport" in err and "peer_support" in err and "community_wealth_building" in err


def test_stigma_reduction_reaches_mental_illness_stigma_not_minority_discrimination():
    from pathways_sim.core.modifiers import Modifiers
    from pathways_sim.mechanisms.exposures import Exposures
    from pathways_sim.model import PathwaysModel

    model = PathwaysModel(population_size=2_000, rng=3, agents="lazy")
    world, pop = model.world, model.population
    mods = Modifiers(pop.capacity, world.areas.n)
    mods.array("mental_illness_stigma_scale")[:] = 0.0  # a campaign that removed all mental-illness stigma
    before, after = Exposures(world).stigma, Exposures(world, mods).stigma
    discriminated = Exposures(world).discriminated & pop.alive
    ill_only = pop.alive & pop.cmd & ~discriminated
    assert discriminated.any() and ill_only.any()
    assert (after[discriminated] == 1.0).all() and (before[discriminated] == 1.0).all()
    assert (after[ill_only] == 0.0).all() and (before[ill_only] > 0).all()
