"""``python -m pathways_sim``: the command line (see ``pathways_sim.interfaces.cli``)."""

import sys

from pathways_sim.interfaces.entry import main

if __name__ == "__main__":
    sys.exit(main())
