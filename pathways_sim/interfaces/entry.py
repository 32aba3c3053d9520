"""``python -m pathways_sim``: simulate a default population and print the health-gap table.

``python -m pathways_sim calibrate [TARGETS.csv]`` fits the calibrated defaults to published targets.
"""

from __future__ import annotations

import argparse
import sys
import time

from pathways_sim.declarations.declare import ParameterError

CLI_COMMANDS = ("run", "compare", "check", "list", "validate-model")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["calibrate"]:
        return calibrate_main(argv[1:])
    if argv[:1] and argv[0] in CLI_COMMANDS:  # run, compare, check, list, validate-model
        from pathways_sim.interfaces.cli import main as cli_main

        return cli_main(argv)
    parser = argparse.ArgumentParser(
        prog="pathways-sim", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="subcommands:\n  calibrate   fit parameters to published targets (pathways-sim calibrate --help)")
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


def calibrate_main(argv: list[str]) -> int:
    """``pathways-sim calibrate``: fit the free parameters, print the fit target by target, store the values."""
    from pathways_sim.analysis import calibration

    parser = argparse.ArgumentParser(
        prog="pathways-sim calibrate",
        description="Fit the calibrated defaults to published targets (see pathways_sim.analysis.calibration). The "
                    "values are written to --output, which pathways_sim/params.py reads as the defaults when "
                    "it is the shipped pathways_sim/data/calibrated.json.")
    parser.add_argument("targets", nargs="?", default=str(calibration.DEFAULT_TARGETS), metavar="TARGETS.csv",
                        help="targets file (default: the shipped England targets)")
    parser.add_argument("--people", type=int, default=100_000, help="population of each run (default 100,000)")
    parser.add_argument("--years", type=int, default=calibration.MIN_YEARS,
                        help=f"years simulated per run, >= {calibration.MIN_YEARS} (default {calibration.MIN_YEARS})")
    parser.add_argument("--replicates", type=int, default=2, help="seeds per candidate (default 2)")
    parser.add_argument("--budget", type=int, default=50, help="model evaluations allowed (default 50)")
    parser.add_argument("--seed", type=int, default=2025, help="first seed; replicates use seed, seed+1, ...")
    parser.add_argument("--output", default=str(calibration.DEFAULT_OUTPUT), metavar="PATH",
                        help="where to write the calibrated values (default: the shipped calibrated.json)")
    parser.add_argument("--free", nargs="+", default=list(calibration.FREE_PARAMETERS), metavar="PARAMETER",
                        help="parameters to fit (default: " + ", ".join(calibration.FREE_PARAMETERS) + ")")
    args = parser.parse_args(argv)

    from pathlib import Path

    def fail(message: str) -> int:
        print(f"pathways-sim calibrate: error: {message}", file=sys.stderr)
        return 2

    if args.replicates < 1:
        return fail(f"replicates: must be at least 1, got {args.replicates}")
    if args.seed < 0:
        return fail(f"seed: must be a non-negative integer, got {args.seed}")
    output = Path(args.output)
    if not output.parent.is_dir():
        return fail(f"output: folder {output.parent} does not exist")
    try:
        from pathways_sim.mechanisms.parameters import Parameters

        Parameters(population_size=args.people)  # reject a bad size before any work
        result = calibration.calibrate(
            args.targets, args.free, budget=args.budget,
            seeds=[args.seed + i for i in range(args.replicates)], population_size=args.people,
            years=args.years, progress=lambda line: print(f"  {line}", file=sys.stderr, flush=True))
        written = calibration.write_calibration(result, output)
    except (calibration.TargetsError, ParameterError) as err:
        return fail(str(err))
    except OSError as err:
        return fail(f"output: cannot write {output}: {err.strerror or err}")
    fit = result.fit.copy()
    fit["within"] = fit["within"].map({True: "yes", False: "NO"})
    print(f"pathways_sim calibration: {args.people:,} people, {args.years} years, seeds {result.seeds}, "
          f"{result.evaluations} evaluations, objective {result.start_objective:.2f} -> {result.objective:.2f}")
    print("\nfitted parameters (start -> calibrated, plausible range):")
    for name, value in result.values.items():
        lo, hi = calibration.PARAMETERS[name].plausible
        print(f"  {name:40s} {result.start_values[name]:<10.4g} -> {value:<10.4g} [{lo:g}, {hi:g}]")
    print("\nfit, target by target (model = mean over replicates, sd = their spread):")
    print(fit.drop(columns=["unit"]).round({"published": 3, "model": 3, "model_sd": 3, "tolerance": 3})
          .to_string(index=False))
    print(f"\n{int((result.fit['within']).sum())} of {len(fit)} within tolerance; written to {written}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
