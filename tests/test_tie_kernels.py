"""The ties kernels that skip exact work below or above a bound (which meetings become ties, how many meetings
each person has) make the same decisions as the numpy path, byte for byte, including draws placed exactly on,
and one float step either side of, the chances they bound."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from kernel_paths import both, identical

from pathways_sim.core.network import homophily_acceptance


def _meetings(rng: np.random.Generator, n_people: int, n_meetings: int) -> dict:
    age = rng.uniform(0, 100, n_people).astype(np.float32)
    rank = rng.random(n_people).astype(np.float32)
    minority = rng.random(n_people) < 0.15
    people = np.sort(rng.integers(0, n_people, n_meetings))
    partner = rng.integers(-1, n_people, n_meetings)
    room = rng.random(n_people) < 0.9
    keen = np.exp(-rng.exponential(0.3, n_people)).astype(np.float32)
    keen[:3] = [0.0, 1.0, np.float32(1e-30)]
    return {"people": people, "partner": partner, "room": room, "age": age, "rank": rank, "minority": minority,
            "keen": keen}


def _accepted(m: dict, age_scale: float, ses: float, minority_h: float, u_accept: np.ndarray):
    """``ties.accepted_ties`` on these meetings (a context with just the traits and parameters it reads)."""
    from pathways_sim.mechanisms.ties import accepted_ties

    ctx = SimpleNamespace(pop=SimpleNamespace(age=m["age"], income_rank=m["rank"], minority=m["minority"]),
                          params={"age_homophily_years": age_scale, "ses_homophily": ses,
                                  "minority_homophily": minority_h})
    return accepted_ties(ctx, m["people"], m["partner"], m["room"], m["keen"], u_accept)


def test_accepted_ties_are_the_same_with_draws_on_and_beside_each_chance():
    rng = np.random.default_rng(21)
    m = _meetings(rng, 5_000, 60_000)
    for age_scale, ses, minority_h in ((10.0, 1.5, 0.7), (1e3, 0.0, 0.0), (0.5, 20.0, 10.0)):
        valid = m["partner"] >= 0
        chance = np.zeros(m["people"].size)
        a, b = m["people"][valid], m["partner"][valid]
        chance[valid] = homophily_acceptance(a, b, m["age"], m["rank"], m["minority"], age_scale, ses,
                                             minority_h) * m["keen"][b]
        for u_accept in (rng.random(chance.size), chance, np.nextafter(chance, 0.0), np.nextafter(chance, 1.0)):
            plain, compiled = both(_accepted, m, age_scale, ses, minority_h, u_accept)
            assert identical(plain[0], compiled[0]) and identical(plain[1], compiled[1])
        taken = both(_accepted, m, age_scale, ses, minority_h, np.nextafter(chance, 0.0))[0][0]
        assert taken.size > 0  # draws just below their chance are taken


def test_poisson_counts_are_the_same_with_draws_on_and_beside_exp_of_minus_the_mean():
    from pathways_sim.mechanisms.ties import poisson_from_uniform

    rng = np.random.default_rng(22)
    mean = np.concatenate([[0.0, 1e-300, 1e-9, 1.6, 1.7, 3.0, 50.0, 699.0, 701.0, 900.0, np.nan],
                           rng.exponential(0.8, 40_000), rng.uniform(1.5, 1.7, 5_000)])
    zero_below = np.exp(-mean)  # a draw below exp(-mean) is no meeting
    for uniforms in (rng.random(mean.size), zero_below, np.nextafter(zero_below, 0.0),
                     np.nextafter(zero_below, 1.0), np.full(mean.size, 1 - 2**-53)):
        plain, compiled = both(poisson_from_uniform, uniforms, mean)
        assert identical(plain, compiled)
    steps = [zero_below]  # the CDF at 1 to 5 meetings, as numpy's loop adds it up: draws on and beside each
    term = zero_below.copy()
    for k in range(1, 6):
        term = term * (mean / k)
        steps.append(steps[-1] + term)
    for cdf in steps[1:]:
        for draws in (cdf, np.nextafter(cdf, 0.0), np.nextafter(cdf, 1.0)):
            plain, compiled = both(poisson_from_uniform, np.minimum(draws, 1 - 2**-53), mean)
            assert identical(plain, compiled)
    on_the_line = both(poisson_from_uniform, zero_below, mean)[0]
    assert (on_the_line[mean > 0] >= 1).all()  # a draw exactly at exp(-mean) is a meeting
    assert (both(poisson_from_uniform, np.nextafter(zero_below, 0.0), mean)[0][zero_below > 0] == 0).all()
    # Draws on the CDF's steps are where the bracket of numpy's exp cannot decide: numpy's exp must (and does)
    from pathways_sim.core.numba_ties import _poisson_bracketed

    count, unsure = np.empty(mean.size, dtype=np.int64), np.empty(mean.size, dtype=np.int64)
    assert _poisson_bracketed(np.minimum(steps[2], 1 - 2**-53), mean, count, unsure) > 1000



def test_area_shifts_drawn_only_for_far_meetings_are_the_draws_of_an_array():
    """Partners from a ``KeyedDraws`` of the area shifts (the numba path draws them only for the meetings outside
    their own area) are those from the same shifts drawn for every meeting, under either kernel choice."""
    from pathways_sim.core.network import AreaIndex, propose_partners
    from pathways_sim.core.streams import KeyedDraws, Streams, drawn, first_keys

    rng, streams = np.random.default_rng(41), Streams(7)
    keys = first_keys(30_000)
    keyed = streams.keyed("tie_partner:shift", 3, keys)
    assert isinstance(keyed, KeyedDraws)
    assert identical(drawn(keyed), streams.uniform("tie_partner:shift", 3, keys))
    assert identical(keyed.at(np.arange(5, 500, 7)), streams.uniform("tie_partner:shift", 3, keys[5:500:7]))
    n, n_areas = 20_000, 40
    area = rng.integers(0, n_areas, n).astype(np.int32)
    alive = rng.random(n) < 0.8
    index = AreaIndex.build(area, alive, n_areas)
    people = np.flatnonzero(alive)[rng.integers(0, alive.sum(), keys.size)]
    u_local, u_pick = rng.random(keys.size), rng.random(keys.size)
    for local_share, spread in ((0.7, 0.15), (0.0, 3.0), (1.0, 0.15)):
        from_array = both(propose_partners, people, area, index, n_areas, local_share, spread,
                          [u_local, keyed.values(), u_pick])
        from_keys = both(propose_partners, people, area, index, n_areas, local_share, spread, [u_local, keyed, u_pick])
        assert all(identical(from_array[0], found) for found in (*from_array, *from_keys))
        assert (from_array[0] >= 0).all()
