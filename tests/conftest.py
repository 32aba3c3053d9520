"""Test-session hooks: the scenario fuzz tally goes into the terminal summary (the numbers are reported)."""

from __future__ import annotations


def pytest_terminal_summary(terminalreporter):
    from fuzzing import TALLY, TARGETS_TALLY, tally_line

    if TALLY["tried"]:
        terminalreporter.write_line(tally_line())
    if TARGETS_TALLY["tried"]:
        terminalreporter.write_line(tally_line("targets fuzz", TARGETS_TALLY))
