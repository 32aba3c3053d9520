"""Documentation generated from the model's own declarations, so the docs cannot drift from the code.

``parameter_table_markdown`` renders ``PARAMETERS``; ``pathway_table_markdown`` renders ``PATHWAYS``;
``causal_loop_diagram_dot`` and ``causal_loop_diagram_mermaid`` draw ``PATHWAYS`` and ``LOOPS`` as a causal
loop diagram (Graphviz DOT text, and a Mermaid flowchart that GitHub renders), both from one extraction of
nodes and edges (``causal_loop_diagram``).  ``write_docs`` writes the generated files of ``docs/``
(tables, the diagrams, and the loops drawn one at a time as SVG and PNG by ``teaching.loop_diagram``)
atomically, and ``python -m pathways_sim.interfaces.docs [DIR]`` regenerates them.  ``tests/test_docs.py``
fails when the committed files differ from what these functions produce now, so a changed declaration has
to come with regenerated docs.

Every function here is pure: its output depends only on the declarations (no dates, versions or paths), so
unchanged declarations regenerate byte-identical files and the comparison in the tests is exact.

The generator is split by page: ``tables`` (parameters, pathways, interventions), ``diagram`` (the causal
loop diagram and its page) and ``_format`` (numbers, Markdown tables, the banner); this module assembles the
pages and writes them, and every public name is importable from here.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from pathways_sim.interfaces.docs._format import GROUP_TITLES, REGENERATE
from pathways_sim.interfaces.docs.diagram import (
    JUNCTION_COLOUR,
    LOOP_KINDS,
    NEGATIVE_COLOUR,
    POSITIVE_COLOUR,
    CausalLoopDiagram,
    DiagramEdge,
    DiagramLoop,
    DiagramNode,
    causal_loop_diagram,
    causal_loop_diagram_dot,
    causal_loop_diagram_mermaid,
    causal_loops_markdown,
)
from pathways_sim.interfaces.docs.tables import (
    intervention_table_markdown,
    parameter_table_markdown,
    pathway_table_markdown,
)
from pathways_sim.results.atomic import atomic_write_bytes, atomic_write_text
from pathways_sim.teaching.loop_diagram import draw_loop_diagram, loop_diagram_bytes

__all__ = [
    "DOC_FILES",
    "GROUP_TITLES",
    "IMAGE_FILES",
    "JUNCTION_COLOUR",
    "LOOP_KINDS",
    "NEGATIVE_COLOUR",
    "POSITIVE_COLOUR",
    "REGENERATE",
    "CausalLoopDiagram",
    "DiagramEdge",
    "DiagramLoop",
    "DiagramNode",
    "causal_loop_diagram",
    "causal_loop_diagram_dot",
    "causal_loop_diagram_mermaid",
    "causal_loops_markdown",
    "intervention_table_markdown",
    "main",
    "parameter_table_markdown",
    "pathway_table_markdown",
    "render_docs",
    "write_docs",
]

#: The files ``write_docs`` writes, in the order it writes them.
DOC_FILES: tuple[str, ...] = ("parameters.md", "pathways.md", "causal_loops.dot", "causal_loops.md",
                              "interventions.md", "causal_loops.svg")
#: Images ``write_docs`` writes after ``DOC_FILES``: the causal loop diagram as PNG.  Its bytes depend on the
#: local fonts and rasteriser, so the tests compare the SVG (text kept as text) and only check the PNG exists.
IMAGE_FILES: tuple[str, ...] = ("causal_loops.png",)


def render_docs() -> dict[str, str]:
    """File name (``DOC_FILES``) -> the text the generator produces for it now."""
    return {
        "parameters.md": parameter_table_markdown(),
        "pathways.md": pathway_table_markdown(),
        "causal_loops.dot": causal_loop_diagram_dot(),
        "causal_loops.md": causal_loops_markdown(),
        "interventions.md": intervention_table_markdown(),
        "causal_loops.svg": loop_diagram_bytes(draw_loop_diagram(), "svg").decode("utf-8"),
    }


def write_docs(directory: str | os.PathLike[str] = "docs") -> list[Path]:
    """Write the files of ``DOC_FILES`` (parameters, pathways, the causal loop diagram as DOT and as a
    Markdown page, interventions) into ``directory`` (created if missing), each atomically.

    Parameters
    ----------
    directory:
        Where to write; the repository keeps them in ``docs/``.

    Returns
    -------
    list of pathlib.Path
        The files written, in ``DOC_FILES`` order, then ``IMAGE_FILES``.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_docs().items():
        path = directory / name
        atomic_write_text(path, text)
        written.append(path)
    png = directory / IMAGE_FILES[0]
    atomic_write_bytes(png, loop_diagram_bytes(draw_loop_diagram(), "png"))
    written.append(png)
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m pathways_sim.interfaces.docs [DIR]``: regenerate the docs (default ``docs/`` here)."""
    parser = argparse.ArgumentParser(
        prog=REGENERATE, description="Regenerate the parameter and pathway tables and the causal loop "
        "diagram from the declarations in pathways_sim.")
    parser.add_argument("directory", nargs="?", default="docs", help="where to write them (default: docs)")
    args = parser.parse_args(argv)
    for path in write_docs(args.directory):
        print(path)
    return 0

