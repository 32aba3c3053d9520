"""Long runs at the edges of every parameter's declared bounds: no NaN or infinity in states or results, every
bounded state inside its bounds, and exact population accounting (alive = start + births - deaths) at every
step.  Any value inside a parameter's bounds must run; that is what the bounds promise."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from pathways_sim import PARAMETERS, PathwaysModel
from pathways_sim.declarations.outcomes import OUTCOMES
from pathways_sim.mechanisms.parameters import STRUCTURAL_PARAMETERS

YEARS = 100
EDGES = [(name, end) for name in PARAMETERS if name not in STRUCTURAL_PARAMETERS for end in ("low", "high")]


def run_checked(years: int, **overrides) -> PathwaysModel:
    # Yearly steps and no burn-in: the century itself is the long run (about 2 s a case, ~270 cases).
    model = PathwaysModel(population_size=200, people_per_area=20, rng=3, agents="lazy", step_months=12,
                          burn_in_years=0, **overrides)
    alive = model.population.n_alive
    for _ in range(years * model.world.steps_per_year):
        before = alive
        model.step()
        events = model.last_step
        alive = model.population.n_alive
        assert alive == before + events.born.size - int(np.count_nonzero(events.died)), "population accounting"
    return model


@pytest.mark.slow
@pytest.mark.parametrize(("name", "end"), EDGES, ids=[f"{n}-{e}" for n, e in EDGES])
def test_a_century_at_a_bound_stays_finite_bounded_and_accounted(name, end):
    value = PARAMETERS[name].bounds[0 if end == "low" else 1]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # overflow, 0/0: the maths must hold at the bounds
        model = run_checked(YEARS, **{name: value})
    assert model.population.check_bounds() == []
    results = model.results()
    # Missing by design: life tables too small to report (their person_years rows say so) and the indices built
    # on them; a measure over an age band or subgroup nobody in the group belongs to (at a bound such as a
    # death rate of 10 a year, only newborns may be left).  Measures over everyone must be finite wherever the
    # group has anyone in it.
    restricted = [o.name for o in OUTCOMES.values() if o.ages != (0, None)]
    missing_by_design = "|".join(["expectancy", "_rii", "_sii", "_gap", "_erreygers_index", *restricted])
    key = ["year", "group_type", "group"]
    population = results[results["metric"] == "population"].set_index(key)["value"]
    occupied = results.set_index(key).index.map(lambda k: population.get(k, 1.0) > 0)
    bad = results[~np.isfinite(results["value"]) & ~results["metric"].str.contains(missing_by_design)
                  & np.asarray(occupied)]
    assert bad.empty, bad.head()
