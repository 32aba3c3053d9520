"""Time the model's step: ``python benchmarks/step_speed.py --people N --years Y``.

Builds a population, runs it for the given years, and prints a table of timings, then (as the last line)
a JSON object with ns_per_person_step, bytes_per_person (state held per person: population arrays,
ties and areas), peak_rss_mb and the rest.  Pins numerical libraries to one thread before numpy loads,
so the figures are for one core.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time

# Before anything loads numpy (the model is imported inside main).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--years", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--step-months", type=int, default=1)
    args = parser.parse_args(argv)
    if args.people < 50 or args.years <= 0:
        parser.error("--people must be at least 50 and --years positive")

    from pathways_sim import PathwaysModel

    started = time.perf_counter()
    model = PathwaysModel(population_size=args.people, rng=args.seed, step_months=args.step_months, agents="lazy")
    build_s = time.perf_counter() - started
    steps = round(args.years * model.world.steps_per_year)
    step_times = []
    person_steps = 0
    for _ in range(steps):
        alive = model.population.n_alive
        t0 = time.perf_counter()
        model.step()
        step_times.append(time.perf_counter() - t0)
        person_steps += alive
    total = sum(step_times)
    state_bytes = model.population.nbytes() + model.network.nbytes() + model.areas.nbytes()
    result = {
        "people": args.people,
        "years": args.years,
        "steps": steps,
        "step_months": args.step_months,
        "build_seconds": round(build_s, 3),
        "run_seconds": round(total, 3),
        "seconds_per_simulated_year": round(total / args.years, 3),
        "mean_step_seconds": round(total / max(steps, 1), 4),
        "max_step_seconds": round(max(step_times, default=0.0), 4),
        "ns_per_person_step": round(total * 1e9 / max(person_steps, 1), 1),
        "bytes_per_person": round(state_bytes / model.population.n_alive, 1),
        "ties_per_person": round(2 * model.network.n_ties / model.population.n_alive, 2),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "python": platform.python_version(),
    }
    width = max(len(k) for k in result)
    print(f"{'measure':<{width}}  value")
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
