"""``python -m pathways_sim`` and the ``pathways-sim`` script: the command line (``pathways_sim.interfaces.cli``)."""

import sys

from pathways_sim.interfaces.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
