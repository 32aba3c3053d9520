"""The generated docs: complete, one arrow per pathway, committed copies up to date, written atomically."""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

import pytest

from pathways_sim import LOOPS, PARAMETERS, PATHWAYS
from pathways_sim.declarations.declare import Param
from pathways_sim.interfaces.docs import (
    DOC_FILES,
    IMAGE_FILES,
    causal_loop_diagram_dot,
    causal_loop_diagram_mermaid,
    main,
    parameter_table_markdown,
    pathway_table_markdown,
    render_docs,
    write_docs,
)

ROOT = Path(__file__).resolve().parents[1]
REGENERATE = "run `python -m pathways_sim.interfaces.docs` from the repository root and commit docs/"
KIND = {"R": "reinforcing", "B": "balancing"}
QUANTITIES = {q for pw in PATHWAYS.values() for q in (*pw.sources, pw.target)}
DOT_EDGE = re.compile(r"^\s*(\w+) -> (\w+) \[(.*)\];$")
MERMAID_ARROW = re.compile(r'^\s*(\w+) -->\|"([^"]*)"\| (\w+)$')
MERMAID_LINE = re.compile(r"^\s*(\w+) --- (\w+)$")


@pytest.fixture(scope="module")
def generated() -> dict[str, str]:
    return render_docs()


def table_names(markdown: str) -> list[str]:
    """The first (name) column of every table row whose first cell is a code name."""
    return [m.group(1) for line in markdown.splitlines() if (m := re.match(r"\| `([^`]+)` \|", line))]


def row_of(markdown: str, name: str) -> str:
    rows = [line for line in markdown.splitlines() if line.startswith(f"| `{name}` |")]
    assert len(rows) == 1, f"{name} has {len(rows)} rows"
    return rows[0]


# ----------------------------------------------------------------------------------------------- (a) tables
def test_parameter_table_lists_exactly_the_declared_parameters():
    names = table_names(parameter_table_markdown())
    assert len(names) == len(set(names)), "a parameter is listed twice"
    assert set(names) == set(PARAMETERS)


def test_parameter_rows_keep_assumption_visible_and_name_their_pathway():
    table = parameter_table_markdown()
    for param in PARAMETERS.values():
        if "assumption" in param.source.lower():
            assert "assumption" in row_of(table, param.name).lower(), param.name
    for pw in PATHWAYS.values():
        for param in (pw.strength, *pw.modifiers):
            cells = row_of(table, param.name).split(" | ")
            assert cells[1].startswith(f"`{pw.name}`"), param.name


def test_parameter_table_escapes_pipes_so_rows_keep_their_columns():
    odd = Param("odd_one", 0.5, "a | b", (0, 1), (0.2, 0.8), "assumption | guess", "x | y", group="new_group")
    table = parameter_table_markdown({"odd_one": odd}, {})
    row = row_of(table, "odd_one")
    assert row.count(" | ") == 6 and "a \\| b" in row and "## New group" in table


def test_pathway_table_has_one_row_per_pathway_with_strength_and_loops():
    table = pathway_table_markdown()
    names = table_names(table)
    assert sorted(names) == sorted(PATHWAYS)
    for loop in LOOPS.values():
        for name in loop.pathways:
            assert f"`{loop.name}`" in row_of(table, name)
    for pw in PATHWAYS.values():
        assert f"`{pw.strength.name}` = " in row_of(table, pw.name)


# ----------------------------------------------------------------------------------------------- (b) diagram
def test_dot_diagram_has_one_signed_arrow_per_pathway_and_a_node_per_quantity():
    dot = causal_loop_diagram_dot()
    edges = [m.groups() for line in dot.splitlines() if (m := DOT_EDGE.match(line))]
    arrows = {}
    for start, target, attrs in edges:
        found = re.search(r'id="pathway:(\w+)"', attrs)
        if found:
            assert found.group(1) not in arrows, f"two arrows for {found.group(1)}"
            arrows[found.group(1)] = (start, target, attrs)
        else:  # the only other lines gather a multi-source pathway's sources at its junction dot
            assert "arrowhead=none" in attrs and target.startswith("join_")
    assert sorted(arrows) == sorted(PATHWAYS)
    n_join_lines = sum(len(pw.sources) for pw in PATHWAYS.values() if len(pw.sources) > 1)
    assert len(edges) == len(PATHWAYS) + n_join_lines
    for name, (start, target, attrs) in arrows.items():
        pw = PATHWAYS[name]
        sign = "+" if pw.sign > 0 else "-"
        assert target == f"q_{pw.target}" and f'label="{name} ({sign})' in attrs
        assert start == (f"q_{pw.sources[0]}" if len(pw.sources) == 1 else f"join_{name}")
        assert ("#1f5fa8" if pw.sign > 0 else "#c0392b") in attrs  # coloured by sign
    nodes = set(re.findall(r"^\s*q_(\w+) \[label=", dot, flags=re.MULTILINE))
    assert nodes == QUANTITIES


def test_mermaid_diagram_has_the_same_arrows_and_colours_every_link_once():
    mermaid = causal_loop_diagram_mermaid()
    links = [line for line in mermaid.splitlines() if MERMAID_ARROW.match(line) or MERMAID_LINE.match(line)]
    arrows = {}
    for index, line in enumerate(links):
        if m := MERMAID_ARROW.match(line):
            name = m.group(2).split(" ")[0]
            assert name not in arrows, f"two arrows for {name}"
            arrows[name] = (index, m.group(1), m.group(2), m.group(3))
    assert sorted(arrows) == sorted(PATHWAYS)
    colour_of = {}
    for indices, colour in re.findall(r"^\s*linkStyle ([\d,]+) stroke:(#\w+)", mermaid, flags=re.MULTILINE):
        for i in map(int, indices.split(",")):
            assert i not in colour_of, f"link {i} styled twice"
            colour_of[i] = colour
    assert sorted(colour_of) == list(range(len(links)))  # linkStyle counts links in order: none missed
    for name, (index, _start, label, target) in arrows.items():
        pw = PATHWAYS[name]
        assert target == f"q_{pw.target}" and label.startswith(f"{name} ({'+' if pw.sign > 0 else '-'})")
        assert colour_of[index] == ("#1f5fa8" if pw.sign > 0 else "#c0392b")
    nodes = set(re.findall(r"^\s*q_(\w+)\[", mermaid, flags=re.MULTILINE))
    assert nodes == QUANTITIES


@pytest.mark.parametrize("render", [causal_loop_diagram_dot, causal_loop_diagram_mermaid])
def test_diagrams_name_every_loop_with_its_kind_and_pathways(render):
    text = render()
    tags = {}
    for loop in LOOPS.values():
        line = next((ln for ln in text.splitlines() if ln.strip().startswith(f"loop_{loop.name}[")
                     or ln.strip().startswith(f"loop_{loop.name} [")), None)
        assert line is not None, f"loop {loop.name} missing"
        m = re.search(rf'"({loop.kind}\d+) {loop.name} \({KIND[loop.kind]}\)', line)
        assert m, line
        tags[loop.name] = m.group(1)
        flat = re.sub(r"\\l\s*|<br/>", " ", line)
        assert all(name in flat for name in loop.pathways)
    assert len(set(tags.values())) == len(LOOPS)
    for loop in LOOPS.values():  # and each arrow of the loop carries its tag
        for name in loop.pathways:
            arrow = next(ln for ln in text.splitlines() if f'"pathway:{name}"' in ln or f'"{name} (' in ln)
            assert tags[loop.name] in arrow


# --------------------------------------------------------------------------------------------- (c) committed
@pytest.mark.parametrize("name", DOC_FILES)
def test_committed_docs_match_the_declarations(name, generated):
    path = ROOT / "docs" / name
    assert path.is_file(), f"docs/{name} is missing: {REGENERATE}"
    committed = path.read_text(encoding="utf-8")
    if committed != generated[name]:
        diff = difflib.unified_diff(committed.splitlines(), generated[name].splitlines(),
                                    f"docs/{name} (committed)", f"docs/{name} (generated now)",
                                    lineterm="", n=0)
        pytest.fail(f"docs/{name} is out of date with the declarations in pathways_sim: {REGENERATE}.\n"
                    + "\n".join(list(diff)[:30]), pytrace=False)


# ----------------------------------------------------------------------------------------------- (d) writing
def test_write_docs_writes_each_file_atomically(tmp_path, monkeypatch, generated):
    target = tmp_path / "new" / "docs"  # created on demand
    (target.parent).mkdir()
    target.mkdir()
    (target / "parameters.md").write_text("stale\n")
    renames = []
    real_replace = os.replace

    def spy(src, dst):
        src, dst = Path(src), Path(dst)
        # The whole text is in the temporary file before the rename, which stays in one directory.
        renames.append((src.parent == dst.parent, src.name.endswith(".tmp"), dst, src.read_bytes()))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    written = write_docs(target)
    assert written == [target / name for name in (*DOC_FILES, *IMAGE_FILES)]
    moves = [(same_dir, is_tmp, dst) for same_dir, is_tmp, dst, _ in renames]
    assert moves == [(True, True, p) for p in written]
    for (_, _, dst, data), name in zip(renames, DOC_FILES, strict=False):
        assert data.decode("utf-8") == generated[name] == dst.read_text("utf-8")
    assert renames[-1][3].startswith(b"\x89PNG") and renames[-1][3] == (target / IMAGE_FILES[0]).read_bytes()
    assert sorted(p.name for p in target.iterdir()) == sorted((*DOC_FILES, *IMAGE_FILES)), \
        "a temporary file was left behind"


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    (tmp_path / "parameters.md").write_text("old\n")

    def fail(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_docs(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["parameters.md"]
    assert (tmp_path / "parameters.md").read_text() == "old\n"


def test_command_line_regenerates_into_the_given_directory(tmp_path, capsys):
    assert main([str(tmp_path / "docs")]) == 0
    everything = (*DOC_FILES, *IMAGE_FILES)
    assert sorted(p.name for p in (tmp_path / "docs").iterdir()) == sorted(everything)
    assert capsys.readouterr().out.splitlines() == [str(tmp_path / "docs" / name) for name in everything]
