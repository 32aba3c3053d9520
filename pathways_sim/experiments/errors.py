"""The error an experiment raises for input it cannot run (the command line exits with code 2 on it)."""

from __future__ import annotations


class ExperimentError(ValueError):
    """Bad input to an experiment: the message names what is wrong and what is allowed."""
