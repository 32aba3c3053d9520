"""Documentation generated from the model's own declarations, so the docs cannot drift from the code.

``parameter_table_markdown`` renders ``PARAMETERS``; ``pathway_table_markdown`` renders ``PATHWAYS``;
``causal_loop_diagram_dot`` and ``causal_loop_diagram_mermaid`` draw ``PATHWAYS`` and ``LOOPS`` as a causal
loop diagram (Graphviz DOT text, and a Mermaid flowchart that GitHub renders), both from one extraction of
nodes and edges (``causal_loop_diagram``).  ``write_docs`` writes the four generated files of ``docs/``
atomically, and ``python -m pathways_sim.interfaces.docs [DIR]`` regenerates them.  ``tests/test_docs.py`` fails when
the committed files differ from what these functions produce now, so a changed declaration has to come with
regenerated docs.

Every function here is pure: its output depends only on the declarations (no dates, versions or paths), so
unchanged declarations regenerate byte-identical files and the comparison in the tests is exact.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from pathways_sim.declarations.declare import Param
from pathways_sim.mechanisms.parameters import PARAMETERS
from pathways_sim.mechanisms.registry import LOOPS, PATHWAYS, Loop, Pathway
from pathways_sim.results.atomic import atomic_write_text

__all__ = [
    "DOC_FILES",
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
                              "interventions.md")

REGENERATE = "python -m pathways_sim.interfaces.docs"
_BANNER = f"Generated from the declarations in `pathways_sim` by `{REGENERATE}`; do not edit by hand."

# Headings of the parameter groups declared in params.py and pathways.py.  A group added later without a
# title here still gets a section (titled from its name), so the table never silently drops parameters.
GROUP_TITLES: Mapping[str, str] = {
    "structure": "Structure and time",
    "population": "Population and circumstances",
    "network": "Social ties",
    "psychosocial": "Psychosocial states",
    "health": "Behaviour, health, work and the life course",
    "pathway": "Pathway strengths and modifiers",
}

# Conventional causal-loop colours: blue for a same-direction (+) link, red for an opposite-direction (-)
# one; the junction lines that gather a pathway's several sources are grey, as they carry no sign.
POSITIVE_COLOUR = "#1f5fa8"
NEGATIVE_COLOUR = "#c0392b"
JUNCTION_COLOUR = "#888888"
LOOP_KINDS: Mapping[str, str] = {"R": "reinforcing", "B": "balancing"}


# --------------------------------------------------------------------------------------------------- formatting
def _number(x: float) -> str:
    """A declared number as a reader wants it: ``32,000``, ``0.0012``, ``∞``; exact, never rounded."""
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if float(x).is_integer() and abs(x) < 1e15:
        # Separators from 10,000 up only, so that years (2025) and small counts (1500) read naturally.
        return f"{int(x):,}" if abs(x) >= 10_000 else str(int(x))
    return format(float(x), ",")  # shortest repr that round-trips, so no declared digit is lost


def _range(bounds: tuple[float, float]) -> str:
    # "to", not a dash: a dash between signed numbers ("-2–2") reads as a minus.
    return f"{_number(bounds[0])} to {_number(bounds[1])}"


def _cell(text: str) -> str:
    """Text made safe inside a Markdown table cell (a bare | would split the cell)."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _code(name: str) -> str:
    return f"`{name}`"


def _sign(sign: int) -> str:
    return "+" if sign > 0 else "-"


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _anchor(title: str) -> str:
    """GitHub's anchor for a Markdown heading (lower case, punctuation dropped, spaces to hyphens)."""
    return re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")


def _group_title(group: str) -> str:
    return GROUP_TITLES.get(group) or (group.replace("_", " ").capitalize() if group else "Other")


def _pathway_roles(pathways: Mapping[str, Pathway]) -> dict[str, tuple[str, str]]:
    """Parameter name -> (pathway, "strength" or "modifier") for the parameters declared with a pathway."""
    roles: dict[str, tuple[str, str]] = {}
    for pw in pathways.values():
        roles[pw.strength.name] = (pw.name, "strength")
        for extra in pw.modifiers:
            roles[extra.name] = (pw.name, "modifier")
    return roles


def _rests_on_assumption(param: Param) -> bool:
    return "assumption" in param.source.lower()


# --------------------------------------------------------------------------------------------------- parameters
def parameter_table_markdown(parameters: Mapping[str, Param] = PARAMETERS,
                             pathways: Mapping[str, Pathway] = PATHWAYS) -> str:
    """The parameter reference: one Markdown table per parameter group, one row per parameter.

    Columns: name, meaning (the declaration's ``doc``), unit, default, plausible range (what a sensitivity
    analysis should explore), allowed bounds (outside them is a ``ParameterError``) and source, quoted
    verbatim so that "assumption" stays visible wherever no published figure fixes a value.  Parameters
    declared with a pathway also name their pathway.

    Parameters
    ----------
    parameters:
        The declarations to document (default: ``pathways_sim.PARAMETERS``), in declaration order.
    pathways:
        The pathway registry, to name the pathway of each strength or modifier.

    Returns
    -------
    str
        The whole ``docs/parameters.md``, ending in a newline.

    Examples
    --------
    >>> table = parameter_table_markdown()
    >>> "| `median_income` |" in table
    True
    """
    roles = _pathway_roles(pathways)
    groups: dict[str, list[Param]] = {}
    for param in parameters.values():  # dicts keep declaration order, so groups appear as declared
        groups.setdefault(param.group, []).append(param)
    n_assumed = sum(_rests_on_assumption(p) for p in parameters.values())

    lines = [
        "# Parameters",
        "",
        f"<!-- {_BANNER} -->",
        "",
        (f"Every parameter of the model: {len(parameters)} in all, generated from `pathways_sim.PARAMETERS`. "
         "Set any of them by name (`PathwaysModel(median_income=30_000)`, `Parameters(...)`). A value outside "
         "the **allowed bounds** is an error (`ParameterError` names the parameter); nothing is clipped. The "
         "**plausible range** is the range a sensitivity analysis or calibration should explore."),
        "",
        (f"**{n_assumed} of the {len(parameters)}** parameters give *assumption* as all or part of their "
         "source: no published figure fixes their value, and the default is a starting point for calibration. "
         "A source that names a study but adds \"assumption for size\" borrows the direction of the effect "
         "from the study, not its size."),
        "",
        ("Pathway strengths are declared beside their pathway in `pathways_sim/pathways.py`; a switched-off "
         "pathway has strength 0. See [pathways.md](pathways.md) for what each pathway does."),
        "",
    ]
    lines += [f"- [{_group_title(g)}](#{_anchor(_group_title(g))}) ({len(ps)})" for g, ps in groups.items()]
    for group, params in groups.items():
        with_pathway = any(p.name in roles for p in params)
        header = ["name", *(["pathway"] if with_pathway else []), "meaning", "unit", "default",
                  "plausible range", "allowed bounds", "source"]
        rows = []
        for p in params:
            pathway = []
            if with_pathway:
                name, role = roles.get(p.name, ("", ""))
                pathway = [f"{_code(name)}{' (modifier)' if role == 'modifier' else ''}" if name else ""]
            bounds = _range(p.bounds) + (", whole number" if p.integer else "")
            default = _number(p.default)
            if not p.plausible[0] <= p.default <= p.plausible[1]:
                # Say so rather than hide it: a sensitivity analysis over the plausible range would miss it.
                default += " (outside the plausible range)"
            rows.append([_code(p.name), *pathway, p.doc, p.unit, default, _range(p.plausible), bounds, p.source])
        lines += ["", f"## {_group_title(group)}", "", *_table(header, rows)]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------------- pathways
def _loop_tags(loops: Mapping[str, Loop]) -> dict[str, str]:
    """Loop name -> short tag (R1, R2, ..., B1, ...), numbered per kind in declaration order, as CLDs do."""
    counts: dict[str, int] = {}
    tags = {}
    for loop in loops.values():
        counts[loop.kind] = counts.get(loop.kind, 0) + 1
        tags[loop.name] = f"{loop.kind}{counts[loop.kind]}"
    return tags


def pathway_table_markdown(pathways: Mapping[str, Pathway] = PATHWAYS, loops: Mapping[str, Loop] = LOOPS,
                           parameters: Mapping[str, Param] = PARAMETERS) -> str:
    """The pathway reference: one Markdown table row per pathway.

    Columns: name, effect (the declared description), sources, target, sign, strength parameter with its
    default and unit (and any modifier parameter), the feedback loops the pathway belongs to, and source.

    Parameters
    ----------
    pathways:
        The pathway registry (default: ``pathways_sim.PATHWAYS``), in declaration order.
    loops:
        The loop registry (default: ``pathways_sim.LOOPS``), for each pathway's loop tags.
    parameters:
        The parameter registry the model reads (default: ``pathways_sim.PARAMETERS``).  Defaults are taken
        from it rather than from the pathway's own declaration, so the table shows the value a run uses even
        if the registry's default is replaced (e.g. by a calibration).

    Returns
    -------
    str
        The whole ``docs/pathways.md``, ending in a newline.

    Examples
    --------
    >>> "| `support_buffer` |" in pathway_table_markdown()
    True
    """
    tags = _loop_tags(loops)

    def declared(param: Param) -> str:
        default = parameters.get(param.name, param).default
        return f"{_code(param.name)} = {_number(default)} ({param.unit})"

    rows = []
    for pw in pathways.values():
        strength = declared(pw.strength) + "".join(f"; modified by {declared(extra)}" for extra in pw.modifiers)
        in_loops = [f"{tags[lp.name]} {_code(lp.name)}" for lp in loops.values() if pw.name in lp.pathways]
        rows.append([_code(pw.name), pw.description, ", ".join(_code(s) for s in pw.sources), _code(pw.target),
                     _sign(pw.sign), strength, ", ".join(in_loops), pw.strength.source])
    lines = [
        "# Pathways",
        "",
        f"<!-- {_BANNER} -->",
        "",
        (f"Every mechanism of the model: {len(pathways)} pathways, generated from `pathways_sim.PATHWAYS`. "
         "A pathway reads its **sources** and moves its **target**: sign **+** means more of the source "
         "gives more of the target, **-** means less. Its size is its **strength** parameter (plausible "
         "range and bounds in [parameters.md](parameters.md#pathway-strengths-and-modifiers)). Switching a "
         "pathway off (`PathwaysModel(pathways_off=[...])`, `--off` on the command line) sets its strength "
         "to 0, so its target no longer responds to its sources."),
        "",
        ("Loops are tagged R (reinforcing) or B (balancing); the loops and the causal loop diagram are in "
         "[causal_loops.md](causal_loops.md). How each pathway enters the equations is described in "
         "[odd.md](odd.md#7-submodels)."),
        "",
        *_table(["pathway", "effect", "sources", "target", "sign", "strength (default, unit)", "loops", "source"],
                rows),
    ]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------------- diagram
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
                nodes[quantity] = DiagramNode(_identifier("q_", quantity), quantity, quantity.replace("_", " "))
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


def causal_loop_diagram_dot(pathways: Mapping[str, Pathway] = PATHWAYS, loops: Mapping[str, Loop] = LOOPS) -> str:
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


def causal_loops_markdown(pathways: Mapping[str, Pathway] = PATHWAYS, loops: Mapping[str, Loop] = LOOPS) -> str:
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
         "source gives more of the target, **-** (red) less. A pathway with several sources starts at a small "
         "dot where grey lines from its sources meet. Tags such as R1 name the loops a pathway belongs to "
         "(R reinforcing, B balancing). Strengths and sources of every pathway: [pathways.md](pathways.md)."),
        "",
        ("The same diagram as Graphviz DOT is in [causal_loops.dot](causal_loops.dot) "
         "(`dot -Tsvg causal_loops.dot -o causal_loops.svg`)."),
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
         "parent's strain, stress and disorder are the child's exposures). Those links are part of the state, "
         "not switchable mechanisms, so they are not drawn as arrows."),
    ]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------------- files
def render_docs() -> dict[str, str]:
    """File name (``DOC_FILES``) -> the text the generator produces for it now."""
    return {
        "parameters.md": parameter_table_markdown(),
        "pathways.md": pathway_table_markdown(),
        "causal_loops.dot": causal_loop_diagram_dot(),
        "causal_loops.md": causal_loops_markdown(),
        "interventions.md": intervention_table_markdown(),
    }


def _constraint(info) -> str:
    """The bounds pydantic enforces on a field, as text ("0 to 1", ">= 0")."""
    bounds = {}
    for item in info.metadata:
        for key in ("ge", "gt", "le", "lt"):
            if getattr(item, key, None) is not None:
                bounds[key] = getattr(item, key)
    low = f">= {bounds['ge']}" if "ge" in bounds else f"> {bounds['gt']}" if "gt" in bounds else ""
    high = f"<= {bounds['le']}" if "le" in bounds else f"< {bounds['lt']}" if "lt" in bounds else ""
    return ", ".join(part for part in (low, high) if part)


def _field_rows(model) -> list[list[str]]:
    rows = []
    for name, info in model.model_fields.items():
        if name == "kind":
            continue
        default = info.get_default(call_default_factory=True)
        shown = "see below" if isinstance(default, BaseModel) else repr(default)
        annotation = getattr(info.annotation, "__name__", None) or str(info.annotation).replace("typing.", "")
        rows.append([_code(name), annotation, shown, _constraint(info), info.description or ""])
    return rows


def intervention_table_markdown() -> str:
    """One section per intervention kind: its source (the module docstring) and a table of its fields,
    then the shared targeting and uptake settings — generated from the pydantic configurations."""
    from pathways_sim.interventions import INTERVENTIONS
    from pathways_sim.interventions.base import Targeting, Uptake

    header = ["field", "type", "default", "allowed", "meaning"]
    lines = ["# Interventions", "", _BANNER, "",
             "Every intervention acts through mechanism modifiers (`pathways_sim/modifiers.py`), never on outcomes.",
             ("Fields shared by all kinds (timing, eligibility ages, coverage, budget, cost, dose) appear in each "
             "table; `targeting` and `uptake` are described at the end."), ""]
    for kind, cls in INTERVENTIONS.items():
        module = sys.modules[cls.__module__]
        lines += [f"## `{kind}`", "", " ".join((module.__doc__ or "").split()), "",
                  f"Acts on: {', '.join(_code(m) for m in cls.effect_modifiers)}.", ""]
        lines += _table(header, _field_rows(cls.Config))
        lines.append("")
    for title, model in (("targeting", Targeting), ("uptake", Uptake)):
        lines += [f"## `{title}` (any kind)", "", " ".join((model.__doc__ or "").split()), ""]
        lines += _table(header, _field_rows(model))
        lines.append("")
    return "\n".join(lines)


def write_docs(directory: str | os.PathLike[str] = "docs") -> list[Path]:
    """Write ``parameters.md``, ``pathways.md``, ``causal_loops.dot`` and ``causal_loops.md`` into
    ``directory`` (created if missing), each atomically.

    Parameters
    ----------
    directory:
        Where to write; the repository keeps them in ``docs/``.

    Returns
    -------
    list of pathlib.Path
        The files written, in ``DOC_FILES`` order.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_docs().items():
        path = directory / name
        atomic_write_text(path, text)
        written.append(path)
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


if __name__ == "__main__":
    sys.exit(main())
