"""``lesson``: write a preset lesson as one self-contained HTML page that opens with no Python and no network."""

from __future__ import annotations

from typing import Annotated

import typer

from pathways_sim.interfaces.commands.options import WorkersOption, output_file
from pathways_sim.interfaces.console import BadInput, err, out


def lesson(name: Annotated[str, typer.Argument(metavar="NAME", help="a lesson (pathways-sim list lessons)")],
           output: Annotated[str | None, typer.Option("-o", "--output", metavar="FILE.html",
                                                      help="the page to write (default NAME.html)",
                                                      show_default=False)] = None,
           people: Annotated[int | None, typer.Option(help="population (default: the lesson's, a few thousand)",
                                                      show_default=False)] = None,
           years: Annotated[int | None, typer.Option(help="years to simulate (default: the lesson's)",
                                                     show_default=False)] = None,
           seed: Annotated[int | None, typer.Option(help="seed (default: the lesson's)", show_default=False)] = None,
           workers: WorkersOption = 1,
           overwrite: Annotated[bool, typer.Option("--overwrite", help="replace an existing page")] = False) -> None:
    """Write an offline lesson: every on/off combination of the lesson's feedback loops (and of its offer), run
    in advance with the same random numbers, and switches that flip between them in the page.

    The page is one HTML file with its data, plots and causal loop diagram inside: no network, no Python, no
    external file; copy it to a USB stick and open it in any browser.
    """
    from pathways_sim.teaching import LESSONS, LessonError, lookup
    from pathways_sim.teaching.lessons import lesson_settings
    from pathways_sim.teaching.offline import write_lesson

    try:
        chosen = lookup(name)
    except LessonError as problem:
        raise BadInput(f"lesson: {problem}") from None
    for option, value in (("people", people), ("years", years), ("seed", seed)):
        if value is not None and value < (0 if option == "seed" else 1):
            raise BadInput(f"{option}: must be at least {0 if option == 'seed' else 1}, got {value}")
    path = output_file(output if output is not None else f"{chosen.name}.html", f"{chosen.name}.html",
                       "write the lesson elsewhere (default ./NAME.html)")
    if path.exists() and not overwrite:
        raise BadInput(f"output: {path} exists; give --overwrite to replace it, or another --output")
    if path.suffix.lower() not in (".html", ".htm"):
        raise BadInput(f"output: {path} should end in .html so a browser opens it")
    runs = 2 ** len(chosen.loops) * (2 if chosen.intervention is not None else 1)
    if err.is_terminal:
        err.print(f"running {runs} combinations of {LESSONS[chosen.name].title!r} ...", soft_wrap=True,
                  markup=False, style="dim")
    try:
        lesson_settings(chosen, people=people, years=years, seed=seed)  # a bad size is refused before any run
    except LessonError as problem:
        raise BadInput(str(problem)) from None
    written = write_lesson(chosen, path, people=people, years=years, seed=seed, workers=workers)
    out.print(f"wrote {written} ({written.stat().st_size / 1e6:.2f} MB): open it in a browser, no network needed",
              soft_wrap=True, markup=False)
