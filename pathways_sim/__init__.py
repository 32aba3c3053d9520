"""pathways_sim: an agent-based model of the psychosocial pathways from deprivation to ill health.

The public API: ``PathwaysModel`` (a ``mesa.Model``), ``Parameters`` and the declarations
``PARAMETERS``, ``PATHWAYS`` and ``LOOPS``, the pure health-gap functions in ``pathways_sim.metrics``.
"""

from pathways_sim.declarations.declare import ParameterError
from pathways_sim.mechanisms.parameters import PARAMETERS, Parameters
from pathways_sim.mechanisms.registry import LOOPS, PATHWAYS, Switches
from pathways_sim.model import PathwaysModel

__all__ = ["LOOPS", "PARAMETERS", "PATHWAYS", "ParameterError", "Parameters", "PathwaysModel", "Switches"]
__version__ = "0.1.0"
