"""``python -m pathways_sim``: simulate a default population and print the health-gap table."""

from __future__ import annotations

import argparse
import sys
import time

from pathways_sim.declare import ParameterError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pathways-sim", description=__doc__)
    parser.add_argument("--people", type=int, default=50_000, help="population size (default 50,000)")
    parser.add_argument("--years", type=float, default=20, help="years to simulate (default 20)")
    parser.add_argument("--seed", type=int, default=2025, help="random seed (default 2025)")
    parser.add_argument("--grouping", default="area_deprivation_quintile",
                        help="area_deprivation_quintile (default), area_deprivation_decile or income_quintile")
    parser.add_argument("--off", nargs="*", default=[], metavar="PATHWAY", help="pathways to switch off")
    args = parser.parse_args(argv)

    from pathways_sim.model import PathwaysModel

    try:
        started = time.perf_counter()
        model = PathwaysModel(population_size=args.people, rng=args.seed, pathways_off=args.off)
        if args.years < 1:
            raise ParameterError([("years", f"must be at least 1 to report a year, got {args.years}")])
        years = round(args.years)
        for done in range(1, years + 1):
            model.run(years=1)
            print(f"\r  simulated {done}/{years} years ({time.perf_counter() - started:.0f} s)",
                  end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
        table = model.health_gap_table(grouping=args.grouping)
    except (ParameterError, ValueError) as err:
        print(f"pathways-sim: error: {err}", file=sys.stderr)
        return 2
    print(f"pathways_sim: {args.people:,} people, {years} years, seed {args.seed}; "
          f"LE/HLE in years from {model.collector.window_years}-year period life tables")
    print(table.round(2).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
