"""Switching a feedback loop off cuts its feedback link and nothing else: the exposures that feed the loop and
the states it acts on stay, no state is abolished and nobody gains from the switch alone (issue 12)."""

from __future__ import annotations

import numpy as np
import pytest

from pathways_sim import PathwaysModel
from pathways_sim.declarations.states import ADULT_AGE
from pathways_sim.mechanisms.registry import LOOPS

PEOPLE = {"population_size": 4000, "people_per_area": 200}  # 20 areas: 4 a quintile
SEED = 7

# States a loop may move, each with "a prevalence" (0/1) or "a level" (continuous); none may collapse.
STATES = {"resilience": "level", "control": "level", "loneliness": "level", "stress": "level",
          "allostatic_load": "level", "income": "level", "aces": "level", "smoker": "prevalence",
          "cmd": "prevalence", "poor_health": "prevalence", "housing_insecure": "prevalence",
          "material_hardship": "prevalence"}


def _run(off: list[str], years: int, **size) -> PathwaysModel:
    model = PathwaysModel(rng=SEED, agents="lazy", pathways_off=off, **(size or PEOPLE))
    model.run(years=years)
    return model


@pytest.fixture(scope="module")
def loneliness_runs() -> dict[str, PathwaysModel]:
    return {"on": _run([], 8), "off": _run(["loneliness_ties"], 8)}


def _adults(model: PathwaysModel) -> np.ndarray:
    pop = model.population
    return pop.alive & (pop.age >= ADULT_AGE)


def _quintile(model: PathwaysModel) -> np.ndarray:
    """Area deprivation quintile (1 most deprived) of every slot: areas are numbered most deprived first."""
    return 1 + model.population.area * 5 // model.areas.n


def test_with_the_loneliness_loop_off_loneliness_keeps_its_gradient(loneliness_runs):
    model = loneliness_runs["off"]
    adults, quintile = _adults(model), _quintile(model)
    lonely = model.population.loneliness > model.params["lonely_threshold"]
    by_quintile = [lonely[adults & (quintile == q)].mean() for q in range(1, 6)]
    assert by_quintile[0] > by_quintile[4] > 0, by_quintile  # still a gradient, and loneliness still exists
    assert 0.02 < lonely[adults].mean() < 0.3


def test_with_the_loneliness_loop_off_loneliness_still_responds_to_ties(loneliness_runs):
    model = loneliness_runs["off"]
    adults = _adults(model)
    degree = model.network.degree(model.population.capacity)[adults]
    loneliness = model.population.loneliness[adults]
    assert np.corrcoef(degree, loneliness)[0, 1] < -0.4
    few, many = loneliness[degree <= 2].mean(), loneliness[degree >= 10].mean()
    assert few > many + 0.2, (few, many)


def test_with_the_loneliness_loop_off_nobody_below_the_threshold_has_fewer_ties(loneliness_runs):
    """Same seed, so the two runs share their people: those not lonely enough to withdraw keep at least the
    ties they had with the loop on (withdrawal only ever cost ties), and the lonely gain."""
    on, off = loneliness_runs["on"], loneliness_runs["off"]
    means = {}
    for name, model in loneliness_runs.items():
        adults = _adults(model)
        degree = model.network.degree(model.population.capacity)
        below = adults & (model.population.loneliness <= model.params["lonely_threshold"])
        means[name] = (degree[below].mean(), degree[adults].mean())
    assert means["off"][0] >= means["on"][0], means
    assert means["off"][1] > means["on"][1], means
    assert on.population.person_id[:10].tolist() == off.population.person_id[:10].tolist()


SMALL = {"population_size": 2000, "people_per_area": 200}


@pytest.fixture(scope="module")
def loops_on() -> PathwaysModel:
    return _run([], 4, **SMALL)


# A state that differs between people only through the loop's cut link: resilience starts from one baseline for
# everyone and only stress wears it down, so with stress_resilience off everyone keeps the no-stress baseline
# (the loop's harm removed, most for the most stressed); every other state keeps its spread.
ONLY_THROUGH_THE_LOOP = {"stress_resilience": {"resilience"}}


@pytest.mark.slow
@pytest.mark.parametrize("loop", list(LOOPS))
def test_a_loop_off_abolishes_no_state(loop, loops_on):
    """Every state keeps people in it (a 0/1 state is never all 0 or all 1), keeps its spread unless the cut
    link was its only driver (then it sits at its no-harm baseline), and its mean stays within a factor of 4
    of the loop-on run: a cut link moves states, it does not wipe them out."""
    off = _run([loop], 4, **SMALL)
    only_cut = ONLY_THROUGH_THE_LOOP.get(loop, set())
    for state, kind in STATES.items():
        values = {}
        for name, model in (("on", loops_on), ("off", off)):
            column = getattr(model.population, state)[_adults(model)].astype(np.float64)
            values[name] = column.mean()
            if kind == "prevalence":
                assert 0.005 < column.mean() < 0.995, f"{loop} {name}: {state} is {column.mean():.3f}"
            elif name == "on" or state not in only_cut:
                assert column.std() > 0.01 * max(abs(column.mean()), 1e-3), f"{loop} {name}: {state} is flat"
        assert 0.25 <= values["off"] / values["on"] <= 4, f"{loop}: {state} {values}"
    for state in only_cut:  # e.g. resilience with stress_resilience off: everyone at the no-stress baseline
        column = getattr(off.population, state)[_adults(off)]
        assert column.mean() >= getattr(loops_on.population, state)[_adults(loops_on)].mean()
        assert np.allclose(column, off.params[f"{state}_baseline"], atol=0.02), state


def test_off_loop_takes_only_loop_names(capsys):
    from pathways_sim.interfaces.cli import main

    assert main(["--off-loop", "lonelines_ties", "--people", "300", "--years", "1"]) == 2
    message = capsys.readouterr().err
    assert "--off-loop: unknown loop 'lonelines_ties'" in message and "loneliness_ties" in message
    assert main(["--off-loop", "loneliness_withdrawal", "--people", "300", "--years", "1"]) == 2
    assert "is a pathway: switch it off with --off" in capsys.readouterr().err
    assert main(["list", "loops"]) == 0
    assert "loneliness_withdrawal" in capsys.readouterr().out


def test_off_loop_runs_with_the_loop_cut(monkeypatch):
    from pathways_sim.experiments import runner
    from pathways_sim.interfaces.cli import main

    seen = {}

    def fake_simulate(people, years, seed, pathways_off, **kwargs):
        seen["off"] = list(pathways_off)
        raise KeyboardInterrupt  # stop before simulating: only the arguments are under test

    monkeypatch.setattr(runner, "simulate", fake_simulate)
    assert main(["--off-loop", "loneliness_ties", "--off", "peer_smoking", "--people", "300", "--years", "1"]) == 130
    assert seen["off"] == ["peer_smoking", "loneliness_ties"]


def test_scenarios_take_loop_names_in_pathways_off():
    from pathways_sim.scenarios import ScenarioError, scenario_from_dict

    spec = scenario_from_dict({"extends": "baseline", "pathways_off": ["loneliness_ties"]}, name="loop_off")
    assert PathwaysModel(rng=1, population_size=300, **spec.model_kwargs()).switches.off == {"loneliness_withdrawal"}
    with pytest.raises(ScenarioError, match=r"pathways_off\[0\]: unknown pathway or loop 'lonelines_ties'\. "
                                            r"Did you mean 'loneliness_ties'\?"):
        scenario_from_dict({"extends": "baseline", "pathways_off": ["lonelines_ties"]}, name="typo")
