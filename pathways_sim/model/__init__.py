"""The model layer: ``PathwaysModel`` (a ``mesa.Model``), its synthetic population and the order of a step."""

from pathways_sim.model.pathways_model import PathwaysModel

__all__ = ["PathwaysModel"]
