"""The speed-ups that must not change results: each gives exactly what the plainer code it replaced gave."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pathways_sim import metrics
from pathways_sim.core.network import Network
from pathways_sim.core.streams import Streams, _mix_int, first_keys, mix
from pathways_sim.results.collector import age_band

ROOT = Path(__file__).resolve().parents[1]


def test_merging_new_ties_keeps_the_keys_sorted_and_unique_as_insert_did():
    rng = np.random.default_rng(3)
    net, plain = Network(), np.zeros(0, dtype=np.int64)
    for _ in range(30):
        u, v = rng.integers(0, 400, 300), rng.integers(0, 400, 300)
        net.add(u, v)
        keep = u != v
        lo, hi = np.minimum(u[keep], v[keep]), np.maximum(u[keep], v[keep])
        plain = np.union1d(plain, (lo << 31) | hi)
        assert np.array_equal(net.keys, plain)
        net.keep(rng.random(net.n_ties) < 0.9)
        plain = net.keys.copy()


def test_endpoints_follow_every_change_of_the_ties():
    net = Network()
    net.add(np.array([0, 1, 2]), np.array([1, 2, 3]))
    u, _v = net.endpoints()
    assert net.endpoints()[0] is u  # kept while the ties are unchanged
    net.add(np.array([5]), np.array([4]))
    assert list(zip(*net.endpoints(), strict=True)) == [(0, 1), (1, 2), (2, 3), (4, 5)]
    net.keep(np.array([True, False, True, True]))
    assert list(zip(*net.endpoints(), strict=True)) == [(0, 1), (2, 3), (4, 5)]
    gone = np.zeros(6, dtype=bool)
    gone[3] = True
    net.drop_slots(gone)
    assert list(zip(*net.endpoints(), strict=True)) == [(0, 1), (4, 5)]


def test_age_band_lookup_matches_a_search_of_the_band_starts():
    ages = np.random.default_rng(1).uniform(0, 130, 200_000).astype(np.float32)
    edges = np.array([0, 1, 5, 89.99999, 90, 94.99999, 95, 105, 129.99], dtype=np.float32)
    ages = np.concatenate([ages, edges, np.nextafter(edges, np.float32(0))])
    assert np.array_equal(age_band(ages), np.searchsorted(metrics.AGE_BANDS, ages, side="right") - 1)


def test_in_place_mixing_gives_the_same_numbers_as_the_formula():
    x = first_keys(1000) ^ np.uint64(12345)
    with np.errstate(over="ignore"):
        y = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        y = (y ^ (y >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        y = y ^ (y >> np.uint64(31))
    before = x.copy()
    assert np.array_equal(mix(x), y) and np.array_equal(x, before)  # mix leaves its input alone
    assert [_mix_int(int(v)) for v in x[:50]] == [int(v) for v in y[:50]]  # the scalar one, in Python integers
    keys = first_keys(500)
    streams = Streams(9)
    subset = np.array([3, 77, 499])
    assert np.array_equal(streams.uniform("s", 4, keys)[subset], streams.uniform("s", 4, keys[subset]))


def test_compare_benchmark_measures_each_kind_and_renders_its_table():
    spec = importlib.util.spec_from_file_location("compare", ROOT / "benchmarks" / "compare.py")
    compare = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(compare)
    runs = [compare.measure(kind, 300, 1 / 12, 1, burn_in_years=1) for kind in ("mesa", "engine_subset", "engine")]
    assert all(r["ns_per_person_step"] > 0 and r["steps"] == 1 for r in runs)
    data = {"date": "today", "years": 1 / 12, "machine": compare.machine(), "runs": runs,
            "floor": {"ns_per_person_step": 100.0, "assumes": "x", "ns_per_exp": 1.0, "ns_per_draw": 1.0,
                      "bytes_per_ns": 10.0}}
    text = compare.table(data)
    assert "| 300 |" in text and "x |" in text and "Floor estimate" in text


def test_compare_benchmark_takes_medians_of_alternating_repeats_and_shows_the_spread_of_the_ratio(tmp_path):
    spec = importlib.util.spec_from_file_location("compare", ROOT / "benchmarks" / "compare.py")
    compare = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(compare)

    def run(kind: str, ns: float, people: int = 1_000) -> dict:
        return {"kind": kind, "people": people, "ns_per_person_step": ns, "build_cpu_s": 1.0, "burn_in_cpu_s": 2.0,
                "rss_bytes_per_person": 700}

    # measured in this order: twin, subset, twin, subset, twin, subset (and a failed twin run, left out)
    runs = [run("mesa", 30_000), run("engine_subset", 300), run("mesa", 26_000), run("engine_subset", 250),
            {"kind": "mesa", "people": 1_000, "error": ["killed"]}, run("mesa", 27_000), run("engine_subset", 260),
            run("engine", 400), run("engine", 440, 1_000_000)]
    rows = compare.by_kind_and_size(runs)
    assert rows[("mesa", 1_000)]["ns_per_person_step"] == 27_000 and rows[("mesa", 1_000)]["repeats_ns"] == [
        30_000, 26_000, 27_000]
    assert rows[("engine_subset", 1_000)]["ns_per_person_step"] == 260
    assert compare.pair_ratios(runs, 1_000, "engine_subset") == [100.0, 104.0, 27_000 / 260]
    even = compare.by_kind_and_size([run("mesa", 2.0), {**run("mesa", 1.0), "build_cpu_s": 9.0}])
    assert even[("mesa", 1_000)]["ns_per_person_step"] == 1.5  # an even count: the mean of the middle two
    assert even[("mesa", 1_000)]["build_cpu_s"] == 9.0  # the other measures from the run just below
    data = {"date": "today", "years": 1.0, "machine": compare.machine(), "runs": runs,
            "floor": {"ns_per_person_step": 100.0, "assumes": "x", "ns_per_exp": 1.0, "ns_per_draw": 1.0,
                      "bytes_per_ns": 10.0}}
    text = compare.table(data)
    assert "| 104x (100-104x) | 68x |" in text and "measured up to 3 times" in text  # 27,000 / 260 and / 400
    assert "| 1,000,000 | - | - | 440 (4x the floor) | - | - | 1.0 + 2.0 | 700 |" in text
    # Runs made at two moments, merged: every repeat counts, each date is named
    first, second, merged = (tmp_path / name for name in ("first.json", "second.json", "merged.json"))
    first.write_text(json.dumps(data))
    second.write_text(json.dumps({**data, "date": "later", "runs": [run("mesa", 26_000), run("engine_subset", 200)]}))
    compare.main(["--merge", str(first), str(second), "--output", str(merged), "--no-readme"])
    both_runs = json.loads(merged.read_text())
    assert both_runs["date"] == "today and later" and len(both_runs["runs"]) == len(runs) + 2
    assert compare.by_kind_and_size(both_runs["runs"])[("mesa", 1_000)]["ns_per_person_step"] == 26_500


@given(st.integers(2, 400), st.integers(0, 2**32 - 1), st.booleans())
@settings(max_examples=60, deadline=None)
def test_erreygers_indices_from_one_sort_are_bit_identical_to_one_sort_per_subset(n, seed, tied):
    # The yearly collector ranks everyone by income once and reads each outcome's index among the people it
    # counts; it must give exactly the numbers of erreygers_index on each subset (ties in the rank included).
    rng = np.random.default_rng(seed)
    rank_by = rng.integers(0, max(2, n // 4), n) / n if tied else rng.random(n)
    outcomes = [rng.random(n) < p for p in (0.05, 0.3, 0.8)]
    subsets = [rng.random(n) < q for q in (0.1, 0.6, 1.0)]
    subsets = [s if s.sum() > 1 else np.ones(n, dtype=bool) for s in subsets]
    together = metrics.erreygers_indices_within(outcomes, rank_by, subsets, 0.0, 1.0)
    one_by_one = [metrics.erreygers_index(o[s].astype(float), rank_by[s], 0.0, 1.0)
                  for o, s in zip(outcomes, subsets, strict=True)]
    assert together == one_by_one


def test_erreygers_indices_within_names_what_is_wrong():
    with pytest.raises(ValueError, match="one subset per outcome"):
        metrics.erreygers_indices_within([np.zeros(3)], np.arange(3.0), [], 0.0, 1.0)
    with pytest.raises(ValueError, match="no members"):
        metrics.erreygers_indices_within([np.zeros(3)], np.arange(3.0), [np.zeros(3, dtype=bool)], 0.0, 1.0)
    with pytest.raises(ValueError, match="within \\[lower, upper\\]"):
        metrics.erreygers_indices_within([np.full(3, 2.0)], np.arange(3.0), [np.ones(3, dtype=bool)], 0.0, 1.0)


def test_concentration_indices_do_not_depend_on_the_number_of_blas_threads():
    # A seed must give the same results on any executor: BLAS splits long dot products between its threads, so
    # an index summed by np.dot differed in its last bits between 1 and 2 threads (it did, before this test).
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(3)
    h, rank_by = (rng.random(200_000) < 0.3).astype(float), rng.random(200_000)
    values = []
    for threads in (1, 2, 4):
        with threadpool_limits(threads):
            values.append((metrics.concentration_index(h, rank_by), metrics.erreygers_index(h, rank_by, 0, 1),
                           metrics.erreygers_indices_within([h], rank_by, [np.ones(h.size, dtype=bool)], 0, 1)[0]))
    assert values[0] == values[1] == values[2]


def test_whole_year_band_lookup_matches_a_search_of_the_fertility_bands():
    from pathways_sim.mechanisms.demography import FERTILITY_BAND_STARTS, _fertility_band

    ages = np.random.default_rng(2).uniform(0, 300, 100_000).astype(np.float32)
    edges = FERTILITY_BAND_STARTS.astype(np.float32)
    ages = np.concatenate([ages, edges, np.nextafter(edges, np.float32(0)), [0, 255.5, 256, 1e6]]).astype(np.float32)
    assert np.array_equal(_fertility_band(ages), np.searchsorted(FERTILITY_BAND_STARTS, ages, side="right") - 1)
    try:
        metrics.whole_year_bands([0, 1.5])
    except ValueError as error:
        assert "whole years" in str(error)
    else:
        raise AssertionError("bands starting at 1.5 years were accepted")


def test_a_run_from_a_start_made_in_another_process_tunes_malloc_too(tmp_path):
    # A sweep's worker may get its start pickled, never building a world itself, where malloc used to be tuned:
    # at a million people its steps then gave memory back and faulted it in again (40-65 ms a step).
    import pickle
    import subprocess
    import sys

    from pathways_sim.mechanisms.parameters import Parameters
    from pathways_sim.model.pathways_model import burnt_in

    start = tmp_path / "start.pkl"
    start.write_bytes(pickle.dumps(burnt_in(Parameters({"population_size": 200, "burn_in_years": 0}), 3)))
    probe = ("import pickle, sys; from pathways_sim import PathwaysModel; from pathways_sim.core import memory; "
             "world = pickle.load(open(sys.argv[1], 'rb')); before = dict(memory._state); "
             "PathwaysModel(population_size=200, burn_in_years=0, rng=3, start=world); "
             "print(before, memory._state == {'applied': memory._apply()})")
    done = subprocess.run([sys.executable, "-c", probe, str(start)], capture_output=True, text=True, check=True,
                          timeout=120)
    assert done.stdout.strip() == "{} True"


def test_freed_memory_is_kept_for_reuse_unless_the_user_tuned_malloc():
    import os
    import platform
    import subprocess
    import sys

    from pathways_sim.core import memory

    glibc = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"
    probe = "from pathways_sim.core import memory; print(memory.keep_freed_memory(), memory.keep_freed_memory())"
    plain = {k: v for k, v in os.environ.items() if k not in memory.USER_SETTINGS}
    for env, expected in ((plain, f"{glibc} {glibc}"), ({**plain, "GLIBC_TUNABLES": ""}, "False False"),
                          ({**plain, "MALLOC_TRIM_THRESHOLD_": "131072"}, "False False"),
                          ({**plain, "MALLOC_TOP_PAD_": "0"}, "False False")):
        done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True,
                              timeout=60)
        assert done.stdout.strip() == expected, env
