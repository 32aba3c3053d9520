"""The engine against its Mesa twin, side by side in one run: ``python benchmarks/compare.py``.

Measures, each size in a fresh subprocess pinned to one thread (set before numpy loads):

- ``mesa``: the twin (``benchmarks/mesa_reference``: a core subset of the model, one ``mesa.Agent`` per person);
- ``engine_subset``: the engine restricted to the twin's subset (the same work as the twin);
- ``engine``: the full engine (every mechanism, the per-step and yearly collectors), i.e. ``PathwaysModel.step``.

For each: ns of CPU time (user + system, this process only) per person-step, the build's CPU seconds (the
engine's synthetic population and its ``burn_in_years`` separately; the twin's agents made from an engine
population), and peak RSS per person above the interpreter's baseline (everything imported, nothing built).
CPU time, not wall-clock time: the machine may be shared, and CPU time is what other jobs disturb least.
Beside the measurement it prints a floor estimate for this workload on this machine (see ``floor_estimate``).

Writes ``benchmarks/results/compare.json`` (with the machine's details) and the table between the markers in
README.md; ``--readme-only`` rewrites the table from the JSON without measuring.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "compare.json"
README = ROOT / "README.md"
START, END = "<!-- compare-table:start -->", "<!-- compare-table:end -->"
# The estimate of the necessary work per person-step: memory traffic, transcendentals, random draws.
FLOOR_BYTES, FLOOR_TRANSCENDENTALS, FLOOR_DRAWS = 180, 30, 15


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def measure(kind: str, people: int, years: float, seed: int, burn_in_years: float = 20) -> dict:
    """One implementation at one size, in this (fresh) process."""
    sys.path.insert(0, str(ROOT))
    import numpy as np

    from benchmarks.mesa_reference import ReferenceModel, advance_subset
    from pathways_sim import PathwaysModel
    from pathways_sim.core import kernels
    from pathways_sim.mechanisms.parameters import Parameters
    from pathways_sim.mechanisms.registry import Switches
    from pathways_sim.model.step import advance, burn_in
    from pathways_sim.model.synthesis import build_world

    baseline = peak_rss_bytes()
    out: dict = {"kind": kind, "people": people, "years": years, "kernels": kernels.active()}
    t0 = cpu_seconds()
    if kind == "engine":
        model = PathwaysModel(population_size=people, rng=seed, agents="lazy", burn_in_years=0)
        out["build_cpu_s"] = cpu_seconds() - t0
        t1 = cpu_seconds()
        burn_in_steps = round(burn_in_years * model.world.steps_per_year)
        model.world.step_index = -burn_in_steps
        for _ in range(burn_in_steps):  # the (default) burn-in, timed on its own
            advance(model.world)
        model.world.step_index = 0
        out["burn_in_cpu_s"] = cpu_seconds() - t1
        step = model.step
        alive = model.population.alive
        count = lambda: int(np.count_nonzero(alive))  # noqa: E731
    else:
        world = build_world(Parameters({"population_size": people, "burn_in_years": burn_in_years}), Switches(), seed)
        out["build_cpu_s"] = cpu_seconds() - t0
        t1 = cpu_seconds()
        burn_in(world)
        world.step_index = 0
        out["burn_in_cpu_s"] = cpu_seconds() - t1
        if kind == "mesa":
            t2 = cpu_seconds()
            twin = ReferenceModel(world, seed=seed)
            del world
            out["twin_build_cpu_s"] = cpu_seconds() - t2
            step = twin.step
            count = lambda: len(twin.agents)  # noqa: E731
        else:
            step = lambda: advance_subset(world)  # noqa: E731
            count = lambda: int(np.count_nonzero(world.population.alive))  # noqa: E731
    out.update(time_steps(step, count, years))
    out.update(peak_rss_bytes=peak_rss_bytes(), baseline_rss_bytes=baseline,
               rss_bytes_per_person=(peak_rss_bytes() - baseline) / people)
    return out


def time_steps(step, count, years: float) -> dict:
    """CPU time of ``years`` of monthly steps, after one untimed step: it loads the compiled kernels that only the
    reported steps use (the collector's) from numba's cache, a one-off cost per process that would otherwise be
    spread over the timed steps."""
    t_first = cpu_seconds()
    step()
    first_step_cpu_s = cpu_seconds() - t_first
    steps = max(1, round(years * 12))
    person_steps = 0
    t0 = cpu_seconds()
    for _ in range(steps):
        person_steps += count()
        step()
    spent = cpu_seconds() - t0
    return {"first_step_cpu_s": first_step_cpu_s, "steps": steps, "step_cpu_s": spent,
            "ns_per_person_step": spent * 1e9 / person_steps}


def floor_estimate() -> dict:
    """A floor for this workload on this machine: the issue's estimate of the necessary work per person-step
    (bytes of memory traffic, transcendentals, random draws) priced at what this machine does in one pass
    over cache-sized float32 chunks (exp for a transcendental, one SplitMix64 round for a draw) and at its
    streaming copy bandwidth.  It assumes all of it fused into one pass, so a real step sits above it."""
    import numpy as np

    def per_element(fn, n: int, repeat: int = 20) -> float:
        t = cpu_seconds()
        for _ in range(repeat):
            fn()
        return (cpu_seconds() - t) / (repeat * n)

    chunk = 16_384
    x = np.random.default_rng(0).random(chunk, dtype=np.float32)
    out = np.empty_like(x)
    keys = np.arange(chunk, dtype=np.uint64)
    tmp = np.empty_like(keys)
    t_exp = per_element(lambda: np.exp(x, out=out), chunk, 2000)

    def draw() -> None:
        np.right_shift(keys, np.uint64(30), out=tmp)
        np.bitwise_xor(keys, tmp, out=tmp)
        np.multiply(tmp, np.uint64(0xBF58476D1CE4E5B9), out=tmp)

    t_draw = per_element(draw, chunk, 2000) * 3  # a full finaliser is three such rounds
    big = np.ones(32 * 1024 * 1024 // 8)
    copy = np.empty_like(big)
    t_byte = per_element(lambda: np.copyto(copy, big), big.nbytes // 2, 10)  # bytes read + written
    compute = FLOOR_TRANSCENDENTALS * t_exp + FLOOR_DRAWS * t_draw
    memory = FLOOR_BYTES * t_byte
    return {"ns_per_person_step": max(compute, memory) * 1e9, "compute_ns": compute * 1e9, "memory_ns": memory * 1e9,
            "ns_per_exp": t_exp * 1e9, "ns_per_draw": t_draw * 1e9, "bytes_per_ns": 1 / (t_byte * 1e9),
            "assumes": f"{FLOOR_BYTES} B of memory traffic, {FLOOR_TRANSCENDENTALS} transcendentals and "
                       f"{FLOOR_DRAWS} random draws per person-step, fused in one pass"}


def machine() -> dict:
    cpu = platform.processor()
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    import mesa
    import numpy as np
    return {"cpu": cpu, "logical_cores": os.cpu_count(), "python": platform.python_version(),
            "numpy": np.__version__, "mesa": mesa.__version__, "platform": platform.platform(),
            "load_average_at_start": os.getloadavg(),
            "note": "CPU time of one pinned thread; the machine was shared with other jobs"}


def run_child(kind: str, people: int, years: float, seed: int) -> dict:
    command = [sys.executable, __file__, "--child", kind, str(people), "--years", str(years), "--seed", str(seed)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"kind": kind, "people": people, "error": done.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def by_kind_and_size(runs: list[dict]) -> dict[tuple[str, int], dict]:
    """One row per (kind, people): where a size was measured several times (``--repeats``, or runs merged), the
    median time (of an even count, the mean of the middle two) with the other measures of the run at or just below
    it, and every repeat's time in ``repeats_ns``."""
    grouped: dict[tuple[str, int], list[dict]] = {}
    for run in runs:
        if "error" not in run:
            grouped.setdefault((run["kind"], run["people"]), []).append(run)
    rows = {}
    for key, group in grouped.items():
        times = [run["ns_per_person_step"] for run in group]
        middle = sorted(group, key=lambda run: run["ns_per_person_step"])[(len(group) - 1) // 2]
        rows[key] = {**middle, "ns_per_person_step": statistics.median(times), "repeats_ns": times}
    return rows


def pair_ratios(runs: list[dict], people: int, fast: str) -> list[float]:
    """The twin's time over ``fast``'s for each repeat, in the order measured (the n-th twin run with the n-th run
    of ``fast`` at that size, right after it): how much the ratio moves with the machine's moment."""
    rows = by_kind_and_size(runs)
    twin, other = rows.get(("mesa", people)), rows.get((fast, people))
    if not (twin and other):
        return []
    return [a / b for a, b in zip(twin["repeats_ns"], other["repeats_ns"], strict=False)]


def table(data: dict) -> str:
    rows = by_kind_and_size(data["runs"])
    sizes = sorted({p for _, p in rows})
    floor = data["floor"]["ns_per_person_step"]
    lines = ["| people | Mesa twin (ns/person-step) | engine, same subset | engine, full model | twin / engine "
             "same subset | twin / full engine | full engine build + burn-in (CPU s) "
             "| full engine peak RSS above baseline (B/person) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]

    def cell(kind: str, people: int, key: str, fmt: str = "{:,.0f}") -> str:
        row = rows.get((kind, people))
        return fmt.format(row[key]) if row and key in row else "-"

    def ratio(people: int, fast: str) -> str:
        twin, other = rows.get(("mesa", people)), rows.get((fast, people))
        if not (twin and other):
            return "-"
        shown = f"{twin['ns_per_person_step'] / other['ns_per_person_step']:.0f}x"
        pairs = pair_ratios(data["runs"], people, fast) if fast == "engine_subset" else []
        return f"{shown} ({min(pairs):.0f}-{max(pairs):.0f}x)" if len(pairs) > 1 else shown

    def over_floor(row: dict | None) -> str:
        return f" ({row['ns_per_person_step'] / floor:.0f}x the floor)" if row else ""

    for people in sizes:
        engine = rows.get(("engine", people))
        build = (f"{engine['build_cpu_s']:.1f} + {engine['burn_in_cpu_s']:.1f}" if engine else "-")
        lines.append(f"| {people:,} | {cell('mesa', people, 'ns_per_person_step')} "
                     f"| {cell('engine_subset', people, 'ns_per_person_step')} "
                     f"| {cell('engine', people, 'ns_per_person_step')}{over_floor(engine)} "
                     f"| {ratio(people, 'engine_subset')} "
                     f"| {ratio(people, 'engine')} | {build} | {cell('engine', people, 'rss_bytes_per_person')} |")
    m = data["machine"]
    repeats = max((len(row["repeats_ns"]) for row in rows.values()), default=1)
    if repeats > 1:
        lines.append("")
        lines.append(f"The twin and the engine on its subset were measured up to {repeats} times at each size, one "
                     "after the other (twin, subset, twin, ...), each in a fresh process: their times are the medians, "
                     "a ratio is median over median, and beside the subset's ratio in brackets are the lowest and "
                     "highest ratio of a twin run to the subset run right after it (how much it moves with the "
                     "machine's moment).")
    lines.append("")
    lines.append(f"Floor estimate on this machine: **{floor:,.0f} ns per person-step** ({data['floor']['assumes']}; "
                 f"{data['floor']['ns_per_exp']:.2f} ns per exp, {data['floor']['ns_per_draw']:.2f} ns per draw, "
                 f"{data['floor']['bytes_per_ns']:.1f} B/ns). Measured {data['date']} on {m['cpu']} "
                 f"({m['logical_cores']} cores, shared: CPU time of one pinned thread), Python {m['python']}, "
                 f"numpy {m['numpy']}, Mesa {m['mesa']}; {data['years']} simulated year(s) of monthly steps per "
                 f"size; peak RSS is a high-water mark, so 0 means the run never rose above what the imports reached.")
    return "\n".join(lines)


def write_readme(data: dict) -> None:
    text = README.read_text()
    if START not in text or END not in text:
        raise SystemExit(f"README.md has no {START} ... {END} markers for the table")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{START}\n{table(data)}\n{END}{tail}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PEOPLE"), help=argparse.SUPPRESS)
    parser.add_argument("--mesa-sizes", default="1000,10000,100000", help="twin sizes (comma-separated)")
    parser.add_argument("--engine-sizes", default="1000,10000,100000,1000000", help="engine sizes")
    parser.add_argument("--years", type=float, default=1.0, help="simulated years timed per size (monthly steps)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3,
                        help="times the twin and the engine on its subset are measured at each size, alternating")
    parser.add_argument("--readme-only", action="store_true", help="rewrite README's table from the JSON")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where the JSON goes")
    parser.add_argument("--no-readme", action="store_true", help="do not rewrite README's table")
    parser.add_argument("--kinds", default="mesa,engine_subset,engine", help="which to measure (comma-separated)")
    parser.add_argument("--merge", nargs="+", type=Path, metavar="JSON",
                        help="combine the runs of earlier JSON files (e.g. measured in parallel) into --output")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child[0], int(args.child[1]), args.years, args.seed)))
        return
    if args.readme_only:
        write_readme(json.loads(args.output.read_text()))
        return
    if args.merge:
        parts = [json.loads(path.read_text()) for path in args.merge]
        dates = list(dict.fromkeys(part["date"] for part in parts))  # each run's date, once, in order
        data = {**parts[0], "date": " and ".join(dates), "runs": [run for part in parts for run in part["runs"]]}
        save(data, args.output, readme=not args.no_readme)
        return
    data = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "years": args.years, "machine": machine(),
            "floor": floor_estimate(), "runs": []}
    mesa_sizes = [int(s) for s in args.mesa_sizes.split(",") if s]
    engine_sizes = [int(s) for s in args.engine_sizes.split(",") if s]
    kinds = args.kinds.split(",")
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1, got {args.repeats}")
    # The twin and the subset alternate, so a slow spell of a shared machine falls on both, not on one of them.
    plan = ([(kind, n) for n in mesa_sizes for _ in range(args.repeats) for kind in ("mesa", "engine_subset")]
            + [("engine", n) for n in engine_sizes])
    plan = [(kind, n) for kind, n in plan if kind in kinds]
    print(f"floor estimate: {data['floor']['ns_per_person_step']:.0f} ns per person-step", flush=True)
    for kind, people in plan:
        started = time.perf_counter()
        row = run_child(kind, people, args.years, args.seed)
        data["runs"].append(row)
        shown = row.get("error") or f"{row['ns_per_person_step']:,.0f} ns/person-step"
        print(f"{kind:>14} {people:>10,}: {shown}  ({time.perf_counter() - started:.0f} s wall)", flush=True)
    save(data, args.output, readme=not args.no_readme)


def save(data: dict, output: Path, readme: bool) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_suffix(".json.partial")
    partial.write_text(json.dumps(data, indent=2))
    partial.replace(output)  # atomically: a half-written file never looks complete
    print(table(data))
    if readme:
        write_readme(data)


if __name__ == "__main__":
    main()
