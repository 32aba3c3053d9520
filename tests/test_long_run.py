"""Long runs at the edges of every parameter's declared bounds: no NaN or infinity in states or results, every
bounded state inside its bounds, and exact population accounting (alive = start + births - deaths) at every
step.  Any value inside a parameter's bounds must run; that is what the bounds promise."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from pathways_sim import PARAMETERS, PathwaysModel
from pathways_sim.mechanisms.parameters import STRUCTURAL_PARAMETERS

YEARS = 100
EDGES = [(name, end) for name in PARAMETERS if name not in STRUCTURAL_PARAMETERS for end in ("low", "high")]


def run_checked(years: int, **overrides) -> PathwaysModel:
    model = PathwaysModel(population_size=200, people_per_area=20, rng=3, agents="lazy", step_months=6, **overrides)
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
    # on them; with everyone outside the labour force there is no unemployment rate to report.
    missing_by_design = "expectancy|_rii|_sii|_gap"
    if (name, end) == ("inactive_share", "high"):
        missing_by_design += "|unemployment_rate"
    bad = results[~np.isfinite(results["value"]) & ~results["metric"].str.contains(missing_by_design)]
    assert bad.empty, bad.head()
