"""Sweep throughput: ``python benchmarks/sweep_throughput.py --people 100000 --years 20 --workers 2 --runs 4``.

Runs a Latin-hypercube sweep of ``--runs`` points (one replicate each) of the baseline through a local pool of
``--workers`` processes, each run building its population, running the burn-in (20 years by default, as every
run does) and then ``--years`` reported years, and keeping the default rows.  Prints the wall time, runs per
hour and simulated years per hour, and writes them with the machine's details to
``benchmarks/results/sweep_throughput-<people>-<workers>w.json``.  For timing only: no test asserts it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core per worker process


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=4)
    args = parser.parse_args(argv)

    from pathways_sim import PARAMETERS
    from pathways_sim.experiments import latin_hypercube, sweep

    burn_in = int(PARAMETERS["burn_in_years"].default)
    design = latin_hypercube(["mean_degree", "stress_cmd_onset_strength"], args.runs, seed=1)
    started = time.perf_counter()
    sweep({"population_size": args.people}, design, years=args.years, executor=args.workers, quiet=True)
    seconds = time.perf_counter() - started
    result = {
        "people": args.people, "reported_years": args.years, "burn_in_years": burn_in, "workers": args.workers,
        "runs": args.runs, "wall_seconds": round(seconds, 1),
        "runs_per_hour": round(args.runs / seconds * 3600, 1),
        "simulated_years_per_hour": round(args.runs * (args.years + burn_in) / seconds * 3600),
        "machine": {"cpu_count": os.cpu_count(), "processor": platform.processor() or platform.machine(),
                    "python": platform.python_version(), "system": platform.platform()},
    }
    out = Path(__file__).parent / "results" / f"sweep_throughput-{args.people}-{args.workers}w.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{args.runs} runs of {args.people:,} people x ({burn_in} burn-in + {args.years}) years on {args.workers} "
          f"workers: {seconds:,.0f} s wall, {result['runs_per_hour']} runs per hour")
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
