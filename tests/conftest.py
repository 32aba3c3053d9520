"""Test-session hooks (the scenario fuzz tally goes into the terminal summary) and shared fixtures."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest


@pytest.fixture
def here(tmp_path, monkeypatch):
    """Work in a fresh directory with a wide terminal; ``here(name, text)`` writes a (dedented) file there."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")

    def write(name: str, text: str) -> str:
        Path(name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return name
    return write


def pytest_terminal_summary(terminalreporter):
    from fuzzing import TALLY, TARGETS_TALLY, tally_line

    if TALLY["tried"]:
        terminalreporter.write_line(tally_line())
    if TARGETS_TALLY["tried"]:
        terminalreporter.write_line(tally_line("targets fuzz", TARGETS_TALLY))


@pytest.fixture(scope="module")
def stepped_world():
    """A world of 3,000 people a few steps in (births and deaths have left empty slots): the state the kernel tests
    compare the numba and numpy paths on."""
    from pathways_sim.mechanisms.parameters import Parameters
    from pathways_sim.mechanisms.registry import Switches
    from pathways_sim.model.step import advance
    from pathways_sim.model.synthesis import build_world

    built = build_world(Parameters(population_size=3_000), Switches(), seed=11)
    for _ in range(3):
        advance(built)
    return built
