"""A causal loop diagram a class can read: every feedback loop of ``LOOPS`` drawn as a closed cycle.

One small panel per loop: its quantities (in plain words) on a circle, an arrow from each to the next with its
sign (+ same direction, - opposite), and in the middle R (reinforcing) or B (balancing) inside a circular
arrow.  The cycle is not typed in: ``loop_cycle`` finds it among the loop's declared pathways and the
accounting links of the registry (``ACCOUNTING_LINKS``), through the link that switching the loop off cuts,
and the R/B label is the sign of the product of the signs around it (``cycle_kind``).  A switched-off loop is
drawn grey with its cut link dashed.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import matplotlib
from matplotlib.figure import Figure
from matplotlib.patches import Arc, Circle, FancyArrowPatch

from pathways_sim.mechanisms.registry import ACCOUNTING_LINKS, LOOPS, PATHWAYS, Loop

__all__ = [
    "LOOP_STORIES",
    "LOOP_TITLES",
    "PLAIN_NAMES",
    "CycleLink",
    "cycle_kind",
    "draw_loop_diagram",
    "loop_cycle",
    "loop_diagram_bytes",
    "plain_name",
]

#: Every quantity a pathway reads or moves, in words a class knows.
PLAIN_NAMES: Mapping[str, str] = MappingProxyType({
    "financial_strain": "money worries", "stress": "stress", "insecure_work": "insecure work or no job",
    "housing_insecure": "insecure housing", "neighbourhood_disadvantage": "a disadvantaged neighbourhood",
    "low_subjective_status": "feeling low in society", "discrimination": "discrimination",
    "cmd": "mental disorder", "aces": "childhood adversity", "support": "support from others",
    "cohesion": "a close-knit neighbourhood", "resilience": "resilience", "control": "sense of control",
    "ties": "friends and contacts", "loneliness": "loneliness", "allostatic_load": "wear and tear on the body",
    "smoking": "smoking", "smoking_ties": "friends who smoke", "cmd_recovery": "recovery from mental disorder",
    "material_hardship": "cold home, going without", "care_access": "getting care",
    "poor_health": "poor physical health", "employment": "having a job",
    "parent_financial_strain": "parents' money worries", "parent_stress": "parents' stress",
    "parent_cmd": "parents' mental disorder", "death": "dying", "physically_inactive": "inactivity",
    "area_deprivation": "a deprived area", "income": "income", "job_strain": "job strain",
})

#: A short plain title and a one-line story for each loop (the registry's descriptions are for modellers).
LOOP_TITLES: Mapping[str, str] = MappingProxyType({
    "stress_resilience": "Stress wears down resilience", "stress_control": "Stress takes away control",
    "loneliness_ties": "The loneliness trap", "health_poverty": "Ill health and poverty",
    "intergenerational": "From parents to children", "support_buffering": "Support against stress",
})
LOOP_STORIES: Mapping[str, str] = MappingProxyType({
    "stress_resilience": "Stress uses up resilience; with less resilience the same hardship causes more stress.",
    "stress_control": "Stress erodes the feeling of being in control; feeling out of control adds to stress.",
    "loneliness_ties": "Lonely people withdraw and lose friends, which makes them lonelier still.",
    "health_poverty": "Mental disorder costs jobs; less money means more worry and stress, and more disorder.",
    "intergenerational": "Parents' money worries bring childhood adversity, which lowers the child's income "
                         "as an adult, so their own children grow up with money worries.",
    "support_buffering": "Friends soften stress; the disorder stress brings makes people withdraw, so they "
                         "lose the friends who softened it.",
})

KIND_WORDS = {"R": "reinforcing", "B": "balancing"}
PLUS_COLOUR, MINUS_COLOUR, OFF_COLOUR = "#1f5fa8", "#c0392b", "#b0b0b0"


def plain_name(quantity: str) -> str:
    """The plain name of a quantity (its own name with spaces if it has none yet)."""
    return PLAIN_NAMES.get(quantity, quantity.replace("_", " "))


@dataclass(frozen=True, slots=True)
class CycleLink:
    """One arrow of a loop's cycle: a declared pathway (``pathway`` its name) or an accounting link (None)."""

    source: str
    target: str
    sign: int
    pathway: str | None
    cut: bool  # switching the loop off removes this link


def _edges(loop: Loop) -> list[CycleLink]:
    edges = [CycleLink(source, PATHWAYS[name].target, PATHWAYS[name].sign, name, name in loop.cut)
             for name in loop.pathways for source in PATHWAYS[name].sources]
    return edges + [CycleLink(link.source, link.target, link.sign, None, False) for link in ACCOUNTING_LINKS]


def _rank(cycle: tuple[CycleLink, ...], order: Mapping[str, int]) -> tuple[int, tuple[int, ...]]:
    """Shorter first, then the cycle whose pathways come earliest in the loop's own list."""
    return len(cycle), tuple(sorted(order[link.pathway] for link in cycle if link.pathway is not None))


def loop_cycle(loop: Loop | str) -> tuple[CycleLink, ...]:
    """The loop's feedback cycle, starting with a cut link: the shortest closed path through one of the links
    that switching the loop off cuts, made of the loop's pathways and the registry's accounting links (ties
    broken by the order of the loop's pathways).  ``ValueError`` when no such path closes.

    >>> [link.target for link in loop_cycle("loneliness_ties")]
    ['ties', 'loneliness']
    """
    chosen = LOOPS[loop] if isinstance(loop, str) else loop
    edges = _edges(chosen)
    order = {name: i for i, name in enumerate(chosen.pathways)}
    found: list[tuple[CycleLink, ...]] = []

    def extend(path: tuple[CycleLink, ...], seen: frozenset[str]) -> None:
        here = path[-1].target
        if here == path[0].source:
            found.append(path)
            return
        for edge in edges:
            if edge.source == here and edge.target not in seen and len(path) < len(edges):
                extend((*path, edge), seen | {edge.target})

    for start in (edge for edge in edges if edge.cut):
        extend((start,), frozenset({start.target}))
    if not found:
        raise ValueError(f"loop {chosen.name}: no closed cycle through {', '.join(chosen.cut)}")
    return min(found, key=lambda cycle: _rank(cycle, order))


def cycle_kind(cycle: Iterable[CycleLink]) -> str:
    """"R" when the product of the signs around the cycle is positive (an even number of - links), else "B"."""
    return "R" if math.prod(link.sign for link in cycle) > 0 else "B"


def _node_xy(index: int, count: int, radius: float) -> tuple[float, float]:
    angle = math.pi / 2 - 2 * math.pi * index / count  # the first node at the top, then clockwise
    return radius * math.cos(angle), radius * math.sin(angle)


def _draw_panel(ax, loop: Loop, switched_off: bool) -> None:
    cycle = loop_cycle(loop)
    kind = cycle_kind(cycle)
    ink = OFF_COLOUR if switched_off else "#222222"
    nodes = [link.source for link in cycle]
    radius = 1.0 if len(nodes) < 4 else 1.15
    ax.set_xlim(-1.75, 1.75)
    ax.set_ylim(-2.05, 1.5)
    ax.set_aspect("equal")
    ax.axis("off")
    points = [_node_xy(i, len(nodes), radius) for i in range(len(nodes))]
    for i, link in enumerate(cycle):
        (x0, y0), (x1, y1) = points[i], points[(i + 1) % len(nodes)]
        colour = OFF_COLOUR if switched_off else (PLUS_COLOUR if link.sign > 0 else MINUS_COLOUR)
        dashed = switched_off and link.cut
        # Two nodes: bend the two arrows apart so they do not overlap (each is half of the circle).
        bend = -0.55 if len(nodes) == 2 else -0.35
        arrow = FancyArrowPatch((x0, y0), (x1, y1), connectionstyle=f"arc3,rad={bend}", arrowstyle="-|>",
                                mutation_scale=16, lw=2.2, color=colour, shrinkA=30, shrinkB=30,
                                linestyle=(0, (4, 3)) if dashed else "-", zorder=1)
        ax.add_patch(arrow)
        # The sign sits on the middle of the arc (a quadratic Bezier: the chord's middle plus half the bend),
        # and a cut link's note just outside it.
        dx, dy = x1 - x0, y1 - y0
        chord = math.hypot(dx, dy) or 1.0
        sx, sy = (x0 + x1) / 2 + 0.5 * bend * dy, (y0 + y1) / 2 - 0.5 * bend * dx
        ax.add_patch(Circle((sx, sy), 0.13, facecolor="white", edgecolor=colour, lw=1.5, zorder=3))
        ax.text(sx, sy - 0.01, "+" if link.sign > 0 else "\u2212", ha="center", va="center", fontsize=15,
                fontweight="bold", color=colour, zorder=4)
        if link.cut:
            out_x, out_y = -dy / chord, dx / chord
            ax.text(sx + out_x * 0.42, sy + out_y * 0.42, "cut" if switched_off else "switch\noff here",
                    ha="center", va="center", fontsize=8, style="italic", color=ink, zorder=4)
    for (x, y), quantity in zip(points, nodes, strict=True):
        ax.text(x, y, textwrap.fill(plain_name(quantity), 14), ha="center", va="center", fontsize=10.5,
                color=ink, zorder=5, bbox={"boxstyle": "round,pad=0.35", "facecolor": "#f7f7f7" if not
                                           switched_off else "#fbfbfb", "edgecolor": ink, "lw": 1.0})
    # The loop's kind in the middle, inside a circular arrow turning the way the cycle does (clockwise).
    ax.add_patch(Arc((0, 0), 0.62, 0.62, theta1=-200, theta2=70, color=ink, lw=1.6))
    tip = math.radians(-200)
    ax.add_patch(FancyArrowPatch((0.31 * math.cos(tip + 0.25), 0.31 * math.sin(tip + 0.25)),
                                 (0.31 * math.cos(tip), 0.31 * math.sin(tip)), arrowstyle="-|>",
                                 mutation_scale=11, color=ink, lw=1.6, shrinkA=0, shrinkB=0))
    ax.text(0, 0, kind, ha="center", va="center", fontsize=18, fontweight="bold", color=ink)
    title = LOOP_TITLES.get(loop.name, loop.name.replace("_", " "))
    status = "  (switched off)" if switched_off else ""
    ax.set_title(f"{title}{status}\n{KIND_WORDS[kind]} loop \u00b7 {loop.name}", fontsize=11.5, color=ink,
                 pad=4)
    ax.text(0, -2.0, textwrap.fill(LOOP_STORIES.get(loop.name, loop.description), 52), ha="center",
            va="bottom", fontsize=8.5, color=ink)


def draw_loop_diagram(loops_off: Iterable[str] = (), *, loops: Iterable[str] | None = None,
                      columns: int = 3, legend: bool = True) -> Figure:
    """Every loop of ``LOOPS`` (or just ``loops``) as a closed cycle in its own panel; the loops in
    ``loops_off`` grey, their cut link dashed; ``legend`` puts the reading key on top.  Returns a matplotlib
    Figure (not shown; save it)."""
    off = {loops_off} if isinstance(loops_off, str) else set(loops_off)
    names = list(LOOPS) if loops is None else list(loops)
    for name in (*off, *names):
        if name not in LOOPS:
            raise ValueError(f"no loop named {name!r}; the loops are {', '.join(LOOPS)}")
    columns = max(1, min(columns, len(names)))
    rows = math.ceil(len(names) / columns)
    top = 0.7 if legend else 0.35
    fig = Figure(figsize=(4.4 * columns, 4.9 * rows + top))
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    for ax, name in zip(axes, names, strict=False):
        _draw_panel(ax, LOOPS[name], name in off)
    for ax in axes[len(names):]:
        ax.axis("off")
    if legend:
        fig.suptitle("Feedback loops.   + (blue): more leads to more.   \u2212 (red): more leads to less.   "
                     "R: reinforcing (an even number of \u2212).   B: balancing (an odd number).", fontsize=12,
                     y=0.995)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=1 - (top + 0.05) / fig.get_figheight(),
                        wspace=0.05, hspace=0.22)
    return fig


def loop_diagram_bytes(fig: Figure, fmt: str) -> bytes:
    """The figure as SVG or PNG bytes, reproducibly: no date or software version in the metadata, a fixed
    SVG id salt, and text kept as text in SVG (so glyph outlines of the local fonts do not leak in)."""
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "pathways_sim", "svg.fonttype": "none"}):
        metadata = {"Date": None, "Creator": None} if fmt == "svg" else {"Software": None}
        fig.savefig(buffer, format=fmt, metadata=metadata, dpi=110)
    return buffer.getvalue()
