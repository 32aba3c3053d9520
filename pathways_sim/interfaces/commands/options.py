"""Options shared by several commands, and the checks that turn bad values into one-line errors."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer

from pathways_sim.interfaces.console import BadInput

SetOption = Annotated[list[str] | None, typer.Option("--set", metavar="a.b=VALUE",
                                                                 help="override a value (repeatable)")]
OutOption = Annotated[str | None, typer.Option("-o", "--output", metavar="DIR",
                                               help="results directory (default results/NAME)", show_default=False)]
WorkersOption = Annotated[int, typer.Option(help="worker processes running replicates side by side (1 to 4 per "
                                                 "core, at most 64)")]
OverwriteOption = Annotated[bool, typer.Option("--overwrite", help="replace a complete previous result in the "
                                                                   "output directory")]
ForceOption = Annotated[bool, typer.Option("--force", help="run even when the estimated peak memory exceeds the "
                                                           "memory available")]
ReplicatesOption = Annotated[int | None, typer.Option(help="replicates (overrides the file)", show_default=False)]
SeedOption = Annotated[int | None, typer.Option(help="seed (overrides the file)", show_default=False)]


def whole_years(text: str, at_least: int = 1) -> int:
    """``--years`` as a whole number of years, or ``BadInput`` (inf, nan, negative, fractional, not a number)."""
    try:
        value = float(text)
    except ValueError:
        raise BadInput(f"years: must be a whole number of years, got {text!r}") from None
    if not math.isfinite(value) or not value.is_integer():
        raise BadInput(f"years: must be a whole, finite number of years, got {text!r}")
    if value < at_least:
        raise BadInput(f"years: must be at least {at_least}, got {text!r}")
    return int(value)


def output_path(output: str | None, default: Path) -> str | Path:
    """The output directory as given (an empty string stays empty, to be refused), or the default."""
    return default if output is None else output


OffLoopOption = Annotated[list[str] | None, typer.Option(
    "--off-loop", metavar="LOOP", help="switch a feedback loop off by name: cuts its feedback link and leaves the "
    "exposures that feed it and the states it acts on (repeatable; `pathways-sim list loops`)")]


def loop_names(values: list[str] | None) -> list[str]:
    """``--off-loop`` values: each the name of a loop in ``LOOPS``, or ``BadInput`` naming it, any close match
    and the loops allowed (a pathway's name is refused here: ``--off`` takes those)."""
    from pathways_sim.declarations.declare import unknown_name_message
    from pathways_sim.mechanisms.registry import LOOPS, PATHWAYS

    for value in values or []:
        if value not in LOOPS:
            hint = f" ({value!r} is a pathway: switch it off with --off)" if value in PATHWAYS else ""
            raise BadInput(f"--off-loop: {unknown_name_message(value, list(LOOPS), 'loop')}{hint}")
    return list(values or [])


def output_file(output: str, example: str, inside_hint: str) -> Path:
    """An output file's path, checked before any work: not empty, not inside the installed package
    (``inside_hint`` says where to write instead), its folder existing and writable, not a directory."""
    from pathways_sim.results.outputs import PACKAGE_DIR, inside_package

    if not output.strip():
        raise BadInput(f"output: the path is empty; name a file, e.g. --output {example}")
    path = Path(output)
    if inside_package(path):
        raise BadInput(f"output: {path} is inside the installed package ({PACKAGE_DIR}); {inside_hint}")
    if not path.absolute().parent.is_dir():
        raise BadInput(f"output: folder {path.parent} does not exist")
    if path.is_dir():
        raise BadInput(f"output: {path} is a directory; name a file")
    _probe_folder(path)
    return path


def _probe_folder(path: Path) -> None:
    """Fail now, not after the work, if the output's folder cannot be written."""
    import os
    import tempfile

    try:
        fd, probe = tempfile.mkstemp(dir=path.absolute().parent, prefix=f".{path.name}.probe.", suffix=".tmp")
        try:
            os.write(fd, b"\0" * 4096)
            os.fsync(fd)
        finally:
            os.close(fd)
            Path(probe).unlink(missing_ok=True)
    except OSError as error:
        raise BadInput(f"output: cannot write to {path.absolute().parent}: {error.strerror or error}") from None
