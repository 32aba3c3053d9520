"""``python -m pathways_sim.interfaces.docs [DIR]``: regenerate the generated files of ``docs/``."""

import sys

from pathways_sim.interfaces.docs import main

sys.exit(main())
