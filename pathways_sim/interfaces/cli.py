"""The ``pathways-sim`` command (also ``python -m pathways_sim``): one typer application for every command.

Without a command it runs the main job (simulate a population, print the health-gap table); the commands are
run, compare, decompose, sweep, sensitivity, check, list, validate-model, calibrate and trials (``pathways-sim
--help``).  Each command only parses its arguments and calls the Python API (``pathways_sim.experiments``,
``pathways_sim.analysis``).

Exit codes: 0 success; 2 bad input (a one-line message saying what is wrong; a scenario file's problems one
per line as file:line:column: path: message); 1 a failure inside (one line); 130 interrupted (Ctrl-C or
SIGTERM: one line, no traceback from any worker).  Never a traceback, unless PATHWAYS_SIM_TRACEBACK=1.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Sequence

import typer
from rich.markup import escape

from pathways_sim.core.kernels import environment_choice
from pathways_sim.interfaces.commands import calibration, experiments, info, model, sweeps, teaching, trials
from pathways_sim.interfaces.commands import teach as teach_command
from pathways_sim.interfaces.console import BadInput, err

app = typer.Typer(add_completion=False, no_args_is_help=False, pretty_exceptions_enable=False,
                  context_settings={"help_option_names": ["-h", "--help"]})
app.callback(invoke_without_command=True)(model.main_job)
app.command()(experiments.run)
app.command()(experiments.compare)
app.command()(sweeps.sweep)
app.command()(sweeps.sensitivity)
app.command()(experiments.decompose)
app.command()(info.check)
app.command(name="list")(info.list_)
app.command(name="validate-model")(model.validate_model)
app.command()(calibration.calibrate)
app.command()(trials.trials)
app.command()(teaching.lesson)
app.command()(teach_command.teach)

INTERRUPTED = ("interrupted: stopped before the results were complete; an output directory is complete only "
               "when it has its manifest.json, and a previous result in it is unchanged")


def _bad_input_types() -> tuple[type[BaseException], ...]:
    from pathways_sim.analysis.calibration import TargetsError
    from pathways_sim.core.kernels import KernelChoiceError
    from pathways_sim.declarations.declare import ParameterError
    from pathways_sim.experiments.errors import ExperimentError
    from pathways_sim.results.outputs import OutputError
    from pathways_sim.scenarios import ScenarioError

    return BadInput, ParameterError, ScenarioError, ExperimentError, OutputError, TargetsError, KernelChoiceError


def _expand_free(argv: list[str]) -> list[str]:
    """``calibrate --free a b c`` (several names after one option, as the command has always taken them) as
    ``--free a --free b --free c``; ``--hold-out`` likewise."""
    if "calibrate" not in argv:
        return argv
    expanded: list[str] = []
    taking = ""
    for arg in argv:
        if arg in ("--free", "--hold-out"):
            taking = arg
            continue
        if taking and not arg.startswith("-"):
            expanded += [taking, arg]
            continue
        taking = ""
        expanded.append(arg)
    return expanded


def _terminated(signum, frame):  # SIGTERM ends a run the way Ctrl-C does
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and map outcomes to exit codes (0 ok, 2 bad input, 1 failure, 130 interrupted)."""
    argv = _expand_free(list(sys.argv[1:] if argv is None else argv))
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminated) if in_main_thread else None
    try:
        return _run(argv)
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)


def _report_failure(problem: Exception) -> int:
    """Say what went wrong (an interruption, a usage error, or an internal error) and return the exit code."""
    if type(problem).__name__ == "Abort":  # Ctrl-C, turned into Abort by the command-line parser
        err.print(INTERRUPTED, soft_wrap=True)
        return 130
    # Usage errors (a missing argument, an unknown option or command, a value of the wrong type) carry
    # exit code 2; duck-typed, because typer has moved between depending on click and bundling it.
    code = getattr(problem, "exit_code", None)
    if hasattr(problem, "format_message") and isinstance(code, int):
        context = getattr(problem, "ctx", None)
        where = context.command_path if context is not None else "pathways-sim"
        hint = f" (see {where} --help)" if code == 2 else ""
        message = " ".join(problem.format_message().split())  # one line
        err.print(f"[red]error:[/] {escape(f'{where}: {message}{hint}')}", soft_wrap=True)
        return code
    err.print(f"[red]internal error:[/] {escape(f'{type(problem).__name__}: {problem}')} (run with "
              "PATHWAYS_SIM_TRACEBACK=1 to see where)", soft_wrap=True)
    return 1


def _run(argv: list[str]) -> int:
    bad_input = _bad_input_types()
    try:
        environment_choice()  # a bad PATHWAYS_SIM_KERNELS is refused before any work starts
        returned = app(args=argv, prog_name="pathways-sim", standalone_mode=False)
    except bad_input as problem:
        err.print(f"[red]error:[/] {escape(str(problem))}", soft_wrap=True)
        return 2
    except KeyboardInterrupt:
        err.print(INTERRUPTED, soft_wrap=True)
        return 130
    except typer.Exit as done:
        return done.exit_code
    except Exception as problem:
        if os.environ.get("PATHWAYS_SIM_TRACEBACK"):
            raise
        return _report_failure(problem)
    if returned == 130:  # Ctrl-C or SIGTERM, which the parser turns into this exit code
        err.print(INTERRUPTED, soft_wrap=True)
    if isinstance(returned, int) and returned:  # an exit code returned by the parser
        return returned
    return 0
