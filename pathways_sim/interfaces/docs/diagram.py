"""The causal loop diagram: one extraction of nodes, edges and loops (``causal_loop_diagram``), drawn as
Graphviz DOT (``docs/causal_loops.dot``) and as a Mermaid flowchart inside ``docs/causal_loops.md``."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass

from pathways_sim.interfaces.docs._format import _BANNER, _code, _loop_tags, _sign, _table
from pathways_sim.mechanisms.registry import LOOPS, PATHWAYS, Loop, Pathway

# Conventional causal-loop colours: blue for a same-direction (+) link, red for an opposite-direction (-)
# one; the junction lines that gather a pathway's several sources are grey, as they carry no sign.
POSITIVE_COLOUR = "#1f5fa8"
NEGATIVE_COLOUR = "#c0392b"
JUNCTION_COLOUR = "#888888"
LOOP_KINDS: Mapping[str, str] = {"R": "reinforcing", "B": "balancing"}


@dataclass(frozen=True, slots=True)
class DiagramNode:
    """One quantity that a pathway reads or moves."""

    id: str  # identifier valid in DOT and Mermaid (prefixed, so no reserved word can clash)
    quantity: str
    label: str


@dataclass(frozen=True, slots=True)
class DiagramEdge:
    """One pathway: a single signed arrow from its source node (or the junction of its sources)."""

    pathway: str
    sources: tuple[str, ...]  # node ids
    target: str  # node id
    sign: int
    loop_tags: tuple[str, ...]

    @property
    def junction(self) -> str | None:
        """Id of the dot where several sources join before the pathway's one arrow (None for one source)."""
        return _identifier("join_", self.pathway) if len(self.sources) > 1 else None

    @property
    def start(self) -> str:
        return self.junction or self.sources[0]

    @property
    def label(self) -> str:
        return f"{self.pathway} ({_sign(self.sign)})"

    @property
    def colour(self) -> str:
        return POSITIVE_COLOUR if self.sign > 0 else NEGATIVE_COLOUR


@dataclass(frozen=True, slots=True)
class DiagramLoop:
    """One feedback loop, with its short tag (R1, B1, ...)."""

    tag: str
    name: str
    kind: str
    pathways: tuple[str, ...]
    description: str

    @property
    def id(self) -> str:
        return _identifier("loop_", self.name)

    @property
    def title(self) -> str:
        return f"{self.tag} {self.name} ({LOOP_KINDS.get(self.kind, self.kind)})"


@dataclass(frozen=True, slots=True)
class CausalLoopDiagram:
    """Nodes, edges and loops of the causal loop diagram, shared by the DOT and Mermaid renderings."""

    nodes: tuple[DiagramNode, ...]
    edges: tuple[DiagramEdge, ...]
    loops: tuple[DiagramLoop, ...]


def _identifier(prefix: str, name: str) -> str:
    """An id valid in both DOT and Mermaid; the prefix keeps it clear of their reserved words (``end``,
    ``graph``) and of Mermaid's ``---o``/``---x`` edge endings."""
    return prefix + re.sub(r"\W", "_", name)


def causal_loop_diagram(pathways: Mapping[str, Pathway] = PATHWAYS,
                        loops: Mapping[str, Loop] = LOOPS) -> CausalLoopDiagram:
    """Extract the diagram once: a node per quantity, an edge per pathway, a tagged entry per loop.

    Nodes appear in the order pathways first mention them, so the output is stable.

    Examples
    --------
    >>> diagram = causal_loop_diagram()
    >>> len(diagram.edges) == len(PATHWAYS) and len(diagram.loops) == len(LOOPS)
    True
    """
    nodes: dict[str, DiagramNode] = {}
    for pw in pathways.values():
        for quantity in (*pw.sources, pw.target):
            if quantity not in nodes:
                label = quantity.replace("_", " ")
                nodes[quantity] = DiagramNode(_identifier("q_", quantity), quantity, label)
    ids = [n.id for n in nodes.values()]
    assert len(set(ids)) == len(ids), "two quantities map to the same diagram node id"
    tags = _loop_tags(loops)
    edges = tuple(DiagramEdge(pw.name, tuple(nodes[s].id for s in pw.sources), nodes[pw.target].id, pw.sign,
                              tuple(tags[lp.name] for lp in loops.values() if pw.name in lp.pathways))
                  for pw in pathways.values())
    diagram_loops = tuple(DiagramLoop(tags[lp.name], lp.name, lp.kind, lp.pathways, lp.description)
                          for lp in loops.values())
    return CausalLoopDiagram(tuple(nodes.values()), edges, diagram_loops)


def _dot_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _dot_string(*lines: str) -> str:
    """A quoted DOT string of centred lines (escaped; ``\\n`` separates them)."""
    return '"' + "\\n".join(_dot_escape(line) for line in lines) + '"'


def _dot_lines(*lines: str) -> str:
    """A quoted DOT label of left-aligned lines (escaped; ``\\l`` ends a left-justified line)."""
    return '"' + "".join(f"{_dot_escape(line)}\\l" for line in lines) + '"'


def causal_loop_diagram_dot(pathways: Mapping[str, Pathway] = PATHWAYS,
                            loops: Mapping[str, Loop] = LOOPS) -> str:
    """The causal loop diagram as Graphviz DOT text (``docs/causal_loops.dot``).

    One box per quantity; one arrow per pathway, labelled with its name, polarity and loop tags, blue for
    + and red for -; a pathway with several sources starts from a small dot that grey lines from each source
    join.  A "Feedback loops" cluster has a note per loop (tag, name, kind, pathways, how it works).
    Render with ``dot -Tsvg causal_loops.dot -o causal_loops.svg``; no Python package is needed.

    Examples
    --------
    >>> causal_loop_diagram_dot().startswith("// Causal loop diagram")
    True
    """
    d = causal_loop_diagram(pathways, loops)
    out = [
        "// Causal loop diagram of pathways_sim: one arrow per pathway in PATHWAYS, the loops of LOOPS.",
        f"// {_BANNER.replace('`', '')}",
        "// Render: dot -Tsvg causal_loops.dot -o causal_loops.svg",
        "digraph causal_loops {",
        '  graph [rankdir=LR, fontname="Helvetica", nodesep=0.3, ranksep=0.9];',
        '  node [shape=box, style="rounded,filled", fillcolor="#f4f4f4", fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=9];',
        "",
        "  // quantities",
    ]
    out += [f"  {n.id} [label={_dot_string(n.label)}];" for n in d.nodes]
    out += ["", "  // pathways: exactly one signed arrow each (several sources meet at a junction dot first)"]
    for e in d.edges:
        if e.junction:
            out.append(f'  {e.junction} [shape=point, width=0.08, color="{JUNCTION_COLOUR}", label=""];')
            out += [f'  {s} -> {e.junction} [arrowhead=none, color="{JUNCTION_COLOUR}"];' for s in e.sources]
        label = _dot_string(e.label, " ".join(e.loop_tags)) if e.loop_tags else _dot_string(e.label)
        out.append(f'  {e.start} -> {e.target} [id={_dot_string("pathway:" + e.pathway)}, label={label}, '
                   f'color="{e.colour}", fontcolor="{e.colour}"];')
    out += [
        "",
        "  // feedback loops (a quantity is in several loops, so loops are listed, not drawn as clusters)",
        "  subgraph cluster_loops {",
        '    label="Feedback loops (R reinforcing, B balancing)";',
        '    style="rounded"; color="#bbbbbb"; fontname="Helvetica";',
        '    node [shape=note, style=filled, fillcolor="#fffbe6", fontsize=10];',
        "    legend_sign [label=" + _dot_lines("+ (blue): more of the source, more of the target",
                                               "- (red): more of the source, less of the target") + "];",
    ]
    for lp in d.loops:
        wrapped = textwrap.wrap(lp.description, 60)
        pathways_lines = textwrap.wrap("pathways: " + ", ".join(lp.pathways), 60, subsequent_indent="  ")
        out.append(f"    {lp.id} [label={_dot_lines(lp.title, *wrapped, *pathways_lines)}];")
    out += ["  }", "}"]
    return "\n".join(out) + "\n"


def _mermaid_text(text: str) -> str:
    return '"' + text.replace('"', "#quot;") + '"'


def causal_loop_diagram_mermaid(pathways: Mapping[str, Pathway] = PATHWAYS,
                                loops: Mapping[str, Loop] = LOOPS) -> str:
    """The causal loop diagram as a Mermaid flowchart (GitHub renders it inside a ```mermaid block).

    The same nodes, edges and loops as ``causal_loop_diagram_dot`` (both come from
    ``causal_loop_diagram``): one arrow per pathway, labelled with its name, polarity and loop tags and
    coloured by sign; junction dots for pathways with several sources; a "Feedback loops" subgraph with a
    node per loop listing its pathways.  Returns the flowchart source without the Markdown fence.

    Examples
    --------
    >>> causal_loop_diagram_mermaid().splitlines()[1]
    'flowchart LR'
    """
    d = causal_loop_diagram(pathways, loops)
    out = [f"%% {_BANNER.replace('`', '')}", "flowchart LR"]
    out += [f"  {n.id}[{_mermaid_text(n.label)}]" for n in d.nodes]
    links: list[str] = []
    colour_of_link: list[str] = []  # linkStyle addresses links by their position, so remember each colour
    junctions = []
    for e in d.edges:
        if e.junction:
            junctions.append(e.junction)
            out.append(f'  {e.junction}((" "))')
            for s in e.sources:
                links.append(f"  {s} --- {e.junction}")
                colour_of_link.append(JUNCTION_COLOUR)
        label = " ".join((e.label, *e.loop_tags))
        links.append(f"  {e.start} -->|{_mermaid_text(label)}| {e.target}")
        colour_of_link.append(e.colour)
    out += links
    out += ['  subgraph loops["Feedback loops (R reinforcing, B balancing)"]', "    direction TB"]
    for lp in d.loops:
        # Mermaid does not wrap plain labels, so break the lines here (as the DOT notes do).
        lines = [lp.title, *textwrap.wrap(lp.description, 60),
                 *textwrap.wrap("pathways: " + ", ".join(lp.pathways), 60)]
        out.append(f"    {lp.id}[{_mermaid_text('<br/>'.join(lines))}]")
    out.append("  end")
    if junctions:
        out += ["  classDef junction fill:#888888,stroke:#888888", f"  class {','.join(junctions)} junction"]
    out.append("  classDef loop fill:#fffbe6,stroke:#bbbbbb")
    out.append(f"  class {','.join(lp.id for lp in d.loops)} loop")
    for colour in (POSITIVE_COLOUR, NEGATIVE_COLOUR, JUNCTION_COLOUR):
        index = [str(i) for i, c in enumerate(colour_of_link) if c == colour]
        if index:
            out.append(f"  linkStyle {','.join(index)} stroke:{colour},color:{colour}")
    return "\n".join(out) + "\n"


def causal_loops_markdown(pathways: Mapping[str, Pathway] = PATHWAYS,
                          loops: Mapping[str, Loop] = LOOPS) -> str:
    """``docs/causal_loops.md``: how to read the diagram, the Mermaid diagram, and the list of loops."""
    d = causal_loop_diagram(pathways, loops)
    rows = [[lp.tag, LOOP_KINDS.get(lp.kind, lp.kind), _code(lp.name), lp.description,
             ", ".join(_code(p) for p in lp.pathways)] for lp in d.loops]
    lines = [
        "# Causal loop diagram",
        "",
        f"<!-- {_BANNER} -->",
        "",
        (f"The {len(d.edges)} pathways of `pathways_sim.PATHWAYS` between {len(d.nodes)} quantities, and the "
         f"{len(d.loops)} feedback loops of `pathways_sim.LOOPS`. Each box is a quantity a pathway reads or "
         "moves; each arrow is one pathway, labelled with its name and polarity: **+** (blue) more of the "
         "source gives more of the target, **-** (red) less. A pathway with several sources starts at a "
         "small "
         "dot where grey lines from its sources meet. Tags such as R1 name the loops a pathway belongs to "
         "(R reinforcing, B balancing). Strengths and sources of every pathway: [pathways.md](pathways.md)."),
        "",
        ("The same diagram as Graphviz DOT is in [causal_loops.dot](causal_loops.dot) "
         "(`dot -Tsvg causal_loops.dot -o causal_loops.svg`)."),
        "",
        "## The loops, one at a time",
        "",
        ("Each feedback loop drawn as a closed cycle in plain words, with the sign of every link and R or B in "
         "the middle (R reinforcing: the product of the signs around the cycle is +; B balancing: -). The "
         "cycle is found from the loop's pathways and the links the model makes by accounting "
         "(`ACCOUNTING_LINKS`: a job's pay is income, income sets financial strain, support is counted from "
         "ties), through the link that switching the loop off cuts (marked *switch off here*). Made by "
         "`pathways_sim.teaching.draw_loop_diagram`; also as [PNG](causal_loops.png)."),
        "",
        "![The feedback loops of pathways_sim, each as a closed cycle](causal_loops.svg)",
        "",
        "```mermaid",
        causal_loop_diagram_mermaid(pathways, loops).rstrip("\n"),
        "```",
        "",
        "## Feedback loops",
        "",
        *_table(["tag", "kind", "loop", "how it works", "pathways"], rows),
        "",
        ("Some loops close through quantities that the model links by accounting rather than by a declared "
         "pathway (a lost job lowers income, which raises financial strain; a lost tie lowers support; a "
         "parent's strain, stress and disorder are the child's exposures). Those links are part of the "
         "state, "
         "not switchable mechanisms, so the flowchart above does not draw them; the loops one at a time do."),
    ]
    return "\n".join(lines) + "\n"
