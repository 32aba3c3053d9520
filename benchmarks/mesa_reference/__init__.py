"""A yardstick: a core subset of pathways_sim written the way Mesa's tutorials teach (one ``mesa.Agent`` per
person, state as attributes, a Python ``step`` per agent, ties as sets of agents).

It exists only to measure the vectorised engine against (``benchmarks/compare.py``) and to check, in
``tests/test_mesa_reference.py``, that the engine restricted to the same subset (``engine_subset``) gives
statistically the same outcomes.  See ``model.py`` for what the subset holds and what it leaves fixed.
"""

from benchmarks.mesa_reference.engine_subset import SUBSET_MECHANISMS, advance_subset
from benchmarks.mesa_reference.model import Person, ReferenceModel

__all__ = ["SUBSET_MECHANISMS", "Person", "ReferenceModel", "advance_subset"]
