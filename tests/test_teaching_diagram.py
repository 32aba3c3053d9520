"""The causal loop diagram for teaching: every loop a closed cycle of declared links, its R/B label the sign of
the product of the signs around it, plain names, switched-off loops greyed with their cut link dashed."""

from __future__ import annotations

import math
import re

import pytest
from matplotlib.colors import to_hex
from matplotlib.patches import FancyArrowPatch

from pathways_sim.mechanisms.registry import ACCOUNTING_LINKS, LOOPS, PATHWAYS
from pathways_sim.teaching.loop_diagram import (
    LOOP_STORIES,
    LOOP_TITLES,
    OFF_COLOUR,
    PLAIN_NAMES,
    cycle_kind,
    draw_loop_diagram,
    loop_cycle,
    loop_diagram_bytes,
)

QUANTITIES = {q for pw in PATHWAYS.values() for q in (*pw.sources, pw.target)}


@pytest.mark.parametrize("name", list(LOOPS))
def test_every_loop_is_a_closed_cycle_of_declared_links(name):
    loop = LOOPS[name]
    cycle = loop_cycle(name)
    accounting = {(link.source, link.target, link.sign) for link in ACCOUNTING_LINKS}
    for here, after in zip(cycle, (*cycle[1:], cycle[0]), strict=True):
        assert here.target == after.source, f"{name}: {here} does not lead to {after}"
        if here.pathway is None:
            assert (here.source, here.target, here.sign) in accounting
        else:
            declared = PATHWAYS[here.pathway]
            assert here.pathway in loop.pathways and here.source in declared.sources
            assert (here.target, here.sign) == (declared.target, declared.sign)
    sources = [link.source for link in cycle]
    assert len(set(sources)) == len(sources), f"{name}: the cycle visits a quantity twice"
    assert cycle[0].cut and cycle[0].pathway in loop.cut, "the cycle goes through the link the switch cuts"


@pytest.mark.parametrize("name", list(LOOPS))
def test_every_loop_label_is_the_sign_of_the_product_around_its_cycle(name):
    product = math.prod(link.sign for link in loop_cycle(name))
    assert LOOPS[name].kind == ("R" if product > 0 else "B") == cycle_kind(loop_cycle(name))


def test_cycle_kind_follows_the_sign_rule():
    loop = loop_cycle("loneliness_ties")
    assert cycle_kind(loop) == "R"  # - x - = +
    assert cycle_kind(loop[:1]) == "B"  # one - link alone: balancing


def test_plain_names_cover_every_quantity_and_avoid_jargon():
    assert set(PLAIN_NAMES) >= QUANTITIES
    assert {link.source for link in ACCOUNTING_LINKS} | {link.target for link in ACCOUNTING_LINKS} <= set(PLAIN_NAMES)
    assert PLAIN_NAMES["cmd"] == "mental disorder" and PLAIN_NAMES["aces"] == "childhood adversity"
    for name in PLAIN_NAMES.values():
        assert "_" not in name and not re.search(r"\b(cmd|aces?|ses)\b", name, re.IGNORECASE), name
    assert set(LOOP_TITLES) == set(LOOPS) == set(LOOP_STORIES)


def _arrows(fig, panel: int) -> list[FancyArrowPatch]:
    return [p for p in fig.axes[panel].patches if isinstance(p, FancyArrowPatch)]


def test_a_switched_off_loop_is_grey_with_its_cut_link_dashed():
    names = list(LOOPS)
    off = names.index("loneliness_ties")
    fig = draw_loop_diagram(["loneliness_ties"])
    assert len(fig.axes) == len(LOOPS)
    grey = _arrows(fig, off)
    cut = [link.cut for link in loop_cycle("loneliness_ties")]
    assert all(to_hex(a.get_edgecolor()) == OFF_COLOUR for a in grey[:len(cut)])
    assert [a.get_linestyle() not in ("-", "solid") for a in grey[:len(cut)]] == cut
    assert "switched off" in fig.axes[off].get_title()
    on = _arrows(fig, names.index("stress_control"))
    assert all(to_hex(a.get_edgecolor()) != OFF_COLOUR and a.get_linestyle() in ("-", "solid") for a in on[:2])


def test_unknown_loop_is_named():
    with pytest.raises(ValueError, match="loneliness_ties"):
        draw_loop_diagram(["lonelines_ties"])


def test_svg_is_reproducible_and_keeps_text():
    first = loop_diagram_bytes(draw_loop_diagram(), "svg")
    assert first == loop_diagram_bytes(draw_loop_diagram(), "svg")
    text = first.decode("utf-8")
    assert ">loneliness<" in text and "adversity" in text and "<dc:date>" not in text
