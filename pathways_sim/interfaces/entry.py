"""The ``pathways-sim`` entry point (kept for installs that point here); everything lives in
``pathways_sim.interfaces.cli``."""

from __future__ import annotations

import sys

from pathways_sim.interfaces.cli import app, main

__all__ = ["app", "main"]

if __name__ == "__main__":
    sys.exit(main())
